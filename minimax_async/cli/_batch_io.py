"""The ``batch`` command's files: the requests read and checked, the results file, downloads.

Everything here touches the disk (through anyio, or a worker thread for the locked results
file) and nothing the API: every line of the input is checked before anything is sent, and
what an earlier run wrote (results lines, downloaded media) is recognised so a resumed run
repeats neither.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import pathlib
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any

import anyio
import attrs

from .._downloads import _UNSAFE, _file_name, media_url
from .._validation import validate_video_create
from .._validation._rules import check_account
from .._validation.images import validate_image_create
from ..batch import BatchResult
from ..resources.images import Images
from ..resources.videos import Videos
from ._errors import EXIT_USAGE, CliError

__all__ = [
    "Line",
    "ResultsFile",
    "beside",
    "check_request",
    "download_dir",
    "existing_download",
    "is_journal_url",
    "media_of",
    "parse_requests",
    "read_requests",
]

_CREATE: dict[str, Callable[..., Any]] = {"video": Videos.create, "image": Images.create}
_VALIDATE: dict[str, Callable[..., None]] = {
    "video": validate_video_create,
    "image": validate_image_create,
}


# ---- the input -----------------------------------------------------------------------------


@attrs.frozen
class Line:
    """One request of the input file and its line number (1-based)."""

    number: int
    params: dict[str, Any]


def _parameters(kind: str) -> tuple[str, ...]:
    """The keywords of ``videos.create`` / ``images.create``: their ``*CreateParams``
    TypedDict where the method takes ``**params``, else the method's own parameters."""
    create = _CREATE[kind]
    module = sys.modules[create.__module__]
    typed = getattr(module, f"{kind.capitalize()}CreateParams", None)
    if typed is not None:
        return tuple(typed.__annotations__)
    signature = inspect.signature(create)
    return tuple(
        name
        for name, parameter in signature.parameters.items()
        if name != "self" and parameter.kind is not parameter.VAR_KEYWORD
    )


def check_request(kind: str, params: Mapping[str, Any]) -> None:
    """``ValueError`` naming the parameter when ``params`` is not a valid request of ``kind``."""
    allowed = _parameters(kind)
    for name in params:
        if name not in allowed:
            raise ValueError(
                f"unknown parameter {name!r} of {kind}s.create; allowed: {', '.join(allowed)}"
            )
    account = params.get("account")
    if account is not None:
        check_account(account)
    extra = params.get("extra_body")
    if extra is not None and not isinstance(extra, dict):
        raise ValueError(f"extra_body={extra!r} is not valid; allowed: a JSON object")
    validate = _VALIDATE[kind]
    accepted = inspect.signature(validate).parameters
    _VALIDATE[kind](**{k: v for k, v in params.items() if k in accepted})


def parse_requests(text: str, kind: str, where: str) -> list[Line]:
    """The requests of a JSON Lines text (blank lines skipped); a :class:`CliError` (usage)
    naming the line and the parameter for the first bad one."""
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            params = json.loads(raw)
        except ValueError as exc:
            raise CliError(f"{where} line {number}: not valid JSON ({exc})", EXIT_USAGE) from None
        if not isinstance(params, dict):
            raise CliError(
                f"{where} line {number}: a {type(params).__name__} is not a request; allowed: "
                f"a JSON object of {kind}s.create arguments",
                EXIT_USAGE,
            )
        try:
            check_request(kind, params)
        except ValueError as exc:
            raise CliError(f"{where} line {number}: invalid request: {exc}", EXIT_USAGE) from None
        lines.append(Line(number, params))
    if not lines:
        raise CliError(f"{where}: no requests (one JSON object per line)", EXIT_USAGE)
    return lines


async def read_requests(path: pathlib.Path, kind: str) -> list[Line]:
    """Read and check every line of ``path`` (nothing is sent before this passed)."""
    try:
        text = await anyio.Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason})", EXIT_USAGE) from None
    return parse_requests(text, kind, str(path))


def beside(source: pathlib.Path, suffix: str) -> pathlib.Path:
    """``requests.jsonl`` -> ``requests<suffix>`` in the same directory."""
    return source.with_name(source.stem + suffix)


def is_journal_url(journal: str) -> bool:
    return journal.startswith(("postgresql://", "postgres://"))


# ---- the results file ----------------------------------------------------------------------


def _lock(handle: IO[bytes]) -> None:
    """Wait for an exclusive lock on an open file (released when it is closed).

    Hand-written (stdlib ``fcntl``/``msvcrt``) as the sqlite journal's lock is: processes on
    one machine sharing a results file (a shared journal) must append one at a time.
    """
    if sys.platform == "win32":  # pragma: no cover - POSIX CI
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _outcome(record: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two results of one key the same: a replay is never appended twice."""
    error = record.get("error")
    error_type = error.get("type") if isinstance(error, dict) else None
    return (bool(record.get("ok")), tuple(record.get("job_ids") or ()), error_type)


class ResultsFile:
    """A JSON Lines file of results, appended to under an exclusive lock.

    Every append first reads what others appended since (another process on a shared
    journal, an earlier run), and skips a result whose key already has the same outcome: a
    resumed run replays its finished requests, and none is written twice. A new outcome for a
    key (a refused request sent again, a timed-out wait that now completed) is appended: the
    last line of a key is its result. A line torn by a crash is skipped.
    """

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self._offset = 0
        self._last: dict[str, tuple[Any, ...]] = {}

    @property
    def keys(self) -> frozenset[str]:
        """The keys with a result (as of the last read or append)."""
        return frozenset(self._last)

    async def load(self) -> None:
        """Read the file (created if missing): fails now if it cannot be written."""
        await anyio.to_thread.run_sync(self._locked, None, None)

    async def append(self, key: str, record: Mapping[str, Any]) -> bool:
        """Append ``record`` unless ``key`` already has this outcome; True when written."""
        written: bool = await anyio.to_thread.run_sync(self._locked, key, record)
        return written

    def _locked(self, key: str | None, record: Mapping[str, Any] | None) -> bool:
        with open(self.path, "a+b") as handle:
            _lock(handle)
            ends_clean = self._read_new(handle)
            if key is None or record is None or self._last.get(key) == _outcome(record):
                return False
            text = json.dumps(record, ensure_ascii=False, default=str) + "\n"
            data = text.encode("utf-8") if ends_clean else b"\n" + text.encode("utf-8")
            handle.seek(0, os.SEEK_END)
            handle.write(data)  # one write of the whole line, in append mode
            handle.flush()
            self._offset = handle.tell()
            self._last[key] = _outcome(record)
            return True

    def _read_new(self, handle: IO[bytes]) -> bool:
        """Take in the lines appended since the last read; False if the file ends torn."""
        handle.seek(self._offset)
        data = handle.read()
        self._offset += len(data)
        for raw in data.splitlines():
            with contextlib.suppress(ValueError):
                record = json.loads(raw)
                if isinstance(record, dict) and isinstance(record.get("key"), str):
                    self._last[record["key"]] = _outcome(record)
        if data:
            return data.endswith(b"\n")
        if self._offset == 0:
            return True
        handle.seek(self._offset - 1)
        return handle.read(1) == b"\n"


# ---- downloads ---------------------------------------------------------------------------


async def download_dir(raw: str, *, mkdir: bool) -> pathlib.Path:
    """``--download DIR``: an existing directory (created with ``--mkdir``), checked before
    anything is sent; as the other commands' ``--download``."""
    path = await anyio.Path(raw).expanduser()
    if await path.is_dir():
        return pathlib.Path(path)
    if await path.exists():
        raise CliError(f"--download {raw}: is a file, not a directory", EXIT_USAGE)
    if not mkdir:
        raise CliError(
            f"--download {raw}: directory {path} does not exist (create it, or pass --mkdir)",
            EXIT_USAGE,
        )
    await path.mkdir(parents=True, exist_ok=True)
    return pathlib.Path(path)


async def existing_download(directory: pathlib.Path, media: Any) -> pathlib.Path | None:
    """The file an earlier run saved for ``media`` (named after its id), if any."""
    url, ident = media_url(media)
    name = _file_name(url, ident, None)
    exact = anyio.Path(directory) / name
    if await exact.is_file():
        return pathlib.Path(exact)
    if ident is None or "." in name:
        return None
    # No extension in the URL: the download took it from the Content-Type.
    stem = _UNSAFE.sub("_", ident.replace(":", "_"))
    async for path in anyio.Path(directory).glob(f"{stem}.*"):
        if ".part" not in path.name and await path.is_file():
            return pathlib.Path(path)
    return None


def media_of(kind: str, result: BatchResult[Any]) -> list[Any]:
    if result.result is None:
        return []
    return list(result.result) if kind == "image" else [result.result]
