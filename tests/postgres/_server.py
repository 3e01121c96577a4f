"""A throw-away PostgreSQL server for the test session, started from binaries found here.

Where the binaries come from, first found wins:

1. ``MINIMAX_TEST_PG_BIN``: a directory holding ``initdb`` and ``pg_ctl``;
2. the Debian/Ubuntu package (``apt-get install -y postgresql``): ``/usr/lib/postgresql/*/bin``,
   the newest version;
3. ``pg_config --bindir`` / ``initdb`` on ``PATH`` (Homebrew, other distributions);
4. the ``pgserver`` wheel's bundled server, where it installs (it has no wheel for every
   Python version we support, so it is the last resort, not the plan).

None found is an error naming these options: the PostgreSQL tests are never skipped.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as an
unprivileged user (``MINIMAX_TEST_PG_USER``, else ``postgres`` as the Debian package creates it,
else ``nobody``) through ``runuser``. The server listens on a Unix socket in its own temporary
directory only (no TCP port, so nothing collides with anything), with durability switched off:
the data is thrown away at the end.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import attrs

_PORT = 5432  # only names the socket file inside our own directory


class PostgresNotFoundError(RuntimeError):
    """No PostgreSQL binaries to start a test server from."""


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([\d.]+)/bin", path)
    return tuple(int(p) for p in match.group(1).split(".")) if match else (0,)


def _candidates() -> list[Path]:
    found: list[Path] = []
    given = os.environ.get("MINIMAX_TEST_PG_BIN")
    if given:
        found.append(Path(given))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    found += [Path(p) for p in debian]
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            found.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        found.append(Path(initdb).parent)
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        found.append(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")
    return found


def find_bindir() -> Path:
    """The first directory with both ``initdb`` and ``pg_ctl``; raises when there is none."""
    candidates = _candidates()
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise PostgresNotFoundError(
        "no PostgreSQL server binaries found for the PostgreSQL tests (looked in: "
        f"{', '.join(map(str, candidates)) or 'nothing'}). Install them "
        "(`apt-get install -y postgresql`), or set MINIMAX_TEST_PG_BIN to a directory holding "
        "initdb and pg_ctl."
    )


def _server_user() -> str | None:
    """The user to run the server as when we are root (None: run it as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("MINIMAX_TEST_PG_USER"), "postgres", "nobody"):
        if not name:
            continue
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresNotFoundError(
        "running as root and no unprivileged user to run PostgreSQL as; set MINIMAX_TEST_PG_USER"
    )


@attrs.define
class TestServer:
    """A running server: ``dsn`` for the ``postgres`` database; :meth:`stop` removes it all."""

    base: Path
    bindir: Path
    user: str | None
    dsn: str = ""

    __test__ = False  # not a pytest test class

    @property
    def socket_dir(self) -> Path:
        return self.base / "socket"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{tail}"
            )

    def start(self) -> None:
        data = self.base / "data"
        self.socket_dir.mkdir()
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for path in (self.base, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        options = (
            f"-k {self.socket_dir} -p {_PORT} -c listen_addresses='' -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(self.base / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        self.dsn = f"postgresql://postgres@/postgres?host={self.socket_dir}&port={_PORT}"

    def stop(self) -> None:
        try:
            if (self.base / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def start_server() -> TestServer:
    """Find the binaries, initialise a cluster in a new temporary directory and start it."""
    server = TestServer(
        base=Path(tempfile.mkdtemp(prefix="minimax-pg-")), bindir=find_bindir(), user=_server_user()
    )
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server
