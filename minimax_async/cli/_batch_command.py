"""``minimax-async batch REQUESTS.jsonl``: a batch of videos or images from a JSON Lines file.

One JSON object of ``videos.create`` (or, with ``--kind image``, ``images.create``) arguments
per line; every line is checked before anything is sent. The batch runs through
``generate_videos`` / ``generate_images_batch`` with a journal (sqlite by default, or a shared
``postgresql://`` one), so the same command resumes after Ctrl-C or a crash without creating a
job twice. Results are appended to a JSON Lines file as they finish and downloads start as they
complete; neither is repeated on resume.

Exit code: 0 every request succeeded; 4 at least one did not (failed, moderated, refused or
timed out: its line in the results file says why); 3 all succeeded but a download failed
(re-run to retry it); the usual codes otherwise (2 a bad line or option, 130 Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import pathlib
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

import anyio
import attrs

from .._client import AsyncMiniMax
from .._downloads import _UNSAFE, _file_name, media_url
from .._exceptions import APIError
from .._journal_protocol import _Row
from .._validation import validate_video_create
from .._validation._rules import check_account
from .._validation.images import validate_image_create
from ..batch import Batch, BatchResult, JournalInUseError
from ..batch import image_kind as _image_kind
from ..batch import video_kind as _video_kind
from ..batch._engine import _unwrap
from ..batch._keys import _make_items
from ..resources.images import Images
from ..resources.videos import Videos
from ._errors import EXIT_API, EXIT_GENERATION, EXIT_OK, EXIT_USAGE, CliError, describe
from ._output import Output, Tracker

__all__ = ["ResultsFile", "add_batch_command", "cmd_batch", "read_requests"]

#: Downloads running at once (each result's media is fetched as soon as it completes).
_DOWNLOADS_AT_ONCE = 4
#: Seconds between redraws of the per-account counts (what is running changes between results).
_REDRAW = 0.5
_WAIT_DEFAULTS = {"video": 1800.0, "image": 600.0}
_CREATE: dict[str, Callable[..., Any]] = {"video": Videos.create, "image": Images.create}
_VALIDATE: dict[str, Callable[..., None]] = {
    "video": validate_video_create,
    "image": validate_image_create,
}


# ---- the command line --------------------------------------------------------------------


def add_batch_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``batch`` to the command tree (``common``: the global options' parent parser)."""
    from ._parser import _positive_float

    text = (
        "run a JSON Lines file of videos.create / images.create requests: live progress, "
        "results appended as they finish, downloads, resumable (same command after Ctrl-C)"
    )
    batch = commands.add_parser("batch", parents=[common], help=text, description=text)
    batch.add_argument("requests", metavar="REQUESTS.jsonl", help="one JSON object per line")
    batch.add_argument(
        "--kind", choices=("video", "image"), default="video", help="what each line creates"
    )
    batch.add_argument(
        "--journal",
        metavar="PATH|URL",
        help="sqlite file or postgresql:// URL recording every submission (default: "
        "REQUESTS.journal.sqlite beside the input); a postgresql:// journal lets several "
        "machines run the same command at once",
    )
    batch.add_argument(
        "--journal-name",
        default="default",
        metavar="NAME",
        help="the batch's namespace in a postgresql:// journal (default: default)",
    )
    batch.add_argument(
        "--results",
        metavar="PATH",
        help="JSON Lines file the results are appended to (default: REQUESTS.results.jsonl "
        "beside the input)",
    )
    batch.add_argument("--download", metavar="DIR", help="save each result's media in DIR")
    batch.add_argument(
        "--mkdir", action="store_true", help="create the --download directory if it is missing"
    )
    batch.add_argument(
        "--concurrency", type=int, metavar="N", help="at most N jobs at once (default: capacity)"
    )
    batch.add_argument(
        "--timeout",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="how long each job is waited for once created (default: 1800 videos, 600 images)",
    )
    batch.add_argument(
        "--poll-interval",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="fixed seconds between polls (default: 2 s growing to 10 s)",
    )
    batch.set_defaults(handler=cmd_batch)


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


def _beside(source: pathlib.Path, suffix: str) -> pathlib.Path:
    """``requests.jsonl`` -> ``requests<suffix>`` in the same directory."""
    return source.with_name(source.stem + suffix)


def _is_url(journal: str) -> bool:
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


async def _existing_download(directory: pathlib.Path, media: Any) -> pathlib.Path | None:
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


def _media(kind: str, result: BatchResult[Any]) -> list[Any]:
    if result.result is None:
        return []
    return list(result.result) if kind == "image" else [result.result]


# ---- progress ------------------------------------------------------------------------------


def _account_label(account: str | None) -> str:
    return account or "any account"


class Board:
    """The live counts: done / running / queued / failed, in total and per account."""

    def __init__(self, tracker: Tracker, total: int) -> None:
        self._tracker = tracker
        self._total = total
        #: key -> (ok, account) of its latest result.
        self._latest: dict[str, tuple[bool, str | None]] = {}
        self._all = tracker.add("requests", total=float(total), status="")
        self._rows: dict[str | None, int] = {}

    def record(self, result: BatchResult[Any]) -> None:
        self._latest[result.key] = (result.ok, result.account)

    @property
    def failed(self) -> int:
        return sum(1 for ok, _ in self._latest.values() if not ok)

    @property
    def done(self) -> int:
        return sum(1 for ok, _ in self._latest.values() if ok)

    def redraw(self, running: Mapping[str | None, int]) -> None:
        done, failed = self.done, self.failed
        busy = sum(running.values())
        queued = max(0, self._total - done - failed - busy)
        self._tracker.update(
            self._all,
            completed=float(done + failed),
            status=f"done {done} · running {busy} · queued {queued} · failed {failed}",
        )
        per: dict[str | None, list[int]] = {}
        for ok, account in self._latest.values():
            per.setdefault(account, [0, 0])[0 if ok else 1] += 1
        for account in sorted({*per, *running}, key=lambda a: a or ""):
            row = self._rows.get(account)
            if row is None:
                row = self._tracker.add(_account_label(account), total=None, status="")
                self._rows[account] = row
            ok_count, bad = per.get(account, [0, 0])
            self._tracker.update(
                row,
                status=f"done {ok_count} · running {running.get(account, 0)} · failed {bad}",
            )


# ---- running it ----------------------------------------------------------------------------


def _error_record(error: Exception | None) -> dict[str, Any] | None:
    if error is None:
        return None
    record: dict[str, Any] = {"type": type(error).__name__, "message": describe(error)}
    snapshot = getattr(error, "result", None)
    to_dict = getattr(snapshot, "to_dict", None)
    if callable(to_dict):
        record["result"] = to_dict()  # the last snapshot of a failed or moderated job
    reply_ref = getattr(error, "reply_ref", None)
    if reply_ref:
        record["reply_ref"] = reply_ref
    return record


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [v.to_dict() for v in value]
    return value.to_dict() if value is not None else None


@attrs.define
class _Run:
    """One ``batch`` command: what it writes and counts."""

    mm: AsyncMiniMax
    out: Output
    kind: str
    lines: list[Line]
    results: ResultsFile
    download_dir: pathlib.Path | None
    limiter: anyio.CapacityLimiter = attrs.field(
        factory=lambda: anyio.CapacityLimiter(_DOWNLOADS_AT_ONCE)
    )
    download_errors: int = 0
    written: int = 0

    async def deliver(self, result: BatchResult[Any]) -> None:
        """Download a finished request's media (unless saved already), then append its line."""
        line = self.lines[result.index].number
        files: list[str] = []
        if result.ok and self.download_dir is not None:
            try:
                async with self.limiter:
                    files = [str(p) for p in await self._download(result)]
            except (APIError, OSError, ValueError) as exc:
                self.download_errors += 1
                self.out.note(
                    f"line {line}: download failed: {describe(exc, self.out.secrets)} "
                    "(re-run the command to retry it)"
                )
                return  # no results line: the re-run downloads it and writes the line
        record = {
            "line": line,
            "key": result.key,
            "ok": result.ok,
            "request": dict(result.request),
            "job_ids": list(result.job_ids),
            "account": result.account,
            "reply_ref": result.reply_ref,
            "result": _dump(result.result) if result.ok else None,
            "error": _error_record(result.error),
            "files": files,
            "replayed": result.replayed,
        }
        if await self.results.append(result.key, record):
            self.written += 1
        if self.out.json_mode:
            self.out.json(record, indent=None)
        elif not result.ok and not result.replayed:
            reason = describe(result.error, self.out.secrets) if result.error else "failed"
            self.out.note(f"line {line}: {reason}")

    async def _download(self, result: BatchResult[Any]) -> list[pathlib.Path]:
        assert self.download_dir is not None
        paths: list[pathlib.Path] = []
        for media in _media(self.kind, result):
            saved = await _existing_download(self.download_dir, media)
            if saved is None:
                saved = await self.mm.download(media, self.download_dir)
            paths.append(saved)
        return paths


def _replayed_from(
    kind: str, rows: Mapping[str, _Row], lines: list[Line]
) -> Iterator[BatchResult[Any]]:
    """The shared journal's finished rows of these requests, as results (``replayed``)."""
    batch_kind: Any = _video_kind if kind == "video" else _image_kind
    for item in _make_items(kind, [line.params for line in lines]):
        row = rows.get(item.key)
        if row is None or row.state != "done" or row.kind != kind:
            continue
        value: Any = None
        error: Exception | None = None
        if row.error_type:
            error = batch_kind.rebuild_error(
                row.error_type, row.error_message or row.error_type, row.result
            )
        else:
            value = batch_kind.load(row.result)
        yield BatchResult(
            index=item.index,
            key=item.key,
            request=lines[item.index].params,
            result=value,
            error=error,
            job_ids=row.job_ids,
            reply_ref=row.reply_ref,
            account=row.account,
            replayed=True,
        )


async def _shared_rows(journal: Any) -> Mapping[str, _Row]:
    worker = await journal.open_worker()
    try:
        rows: Mapping[str, _Row] = await worker.load()
    finally:
        await worker.close()
    return rows


async def _redraw_forever(board: Board, batch: Batch[Any]) -> None:
    while True:
        board.redraw(batch.running())
        await anyio.sleep(_REDRAW)


async def _iterate(run: _Run, batch: Batch[Any], board: Board) -> None:
    """Every result as it finishes: counted, then delivered in its own task."""
    async with anyio.create_task_group() as deliveries, anyio.create_task_group() as ui:
        ui.start_soon(_redraw_forever, board, batch)
        try:
            async with batch:
                async for result in batch:
                    board.record(result)
                    deliveries.start_soon(run.deliver, result)
        finally:
            ui.cancel_scope.cancel()


def _journal_for(args: argparse.Namespace, source: pathlib.Path) -> tuple[Any, str]:
    """The ``journal=`` argument and how to name it to the user."""
    raw = args.journal or str(_beside(source, ".journal.sqlite"))
    if _is_url(raw):
        from ..postgres import PostgresJournal

        return PostgresJournal(raw, name=args.journal_name), f"postgresql ({args.journal_name})"
    return raw, raw


async def cmd_batch(args: argparse.Namespace, out: Output) -> int:
    """``batch REQUESTS.jsonl``: run every line, resumable; see the module docstring."""
    from ._commands import existing_file, make_client

    source = await existing_file(args.requests)
    lines = await read_requests(source, args.kind)  # every line checked before anything is sent
    journal, journal_label = _journal_for(args, source)
    results_path = pathlib.Path(args.results) if args.results else None
    results = ResultsFile(results_path or _beside(source, ".results.jsonl"))
    await results.load()
    target = await download_dir(args.download, mkdir=args.mkdir) if args.download else None
    out.require_display()
    timeout = args.timeout if args.timeout is not None else _WAIT_DEFAULTS[args.kind]
    async with make_client(args) as mm:
        generate = mm.generate_videos if args.kind == "video" else mm.generate_images_batch
        batch: Batch[Any] = generate(
            [line.params for line in lines],
            concurrency=args.concurrency,
            journal=journal,
            timeout=timeout,
            poll_interval=args.poll_interval,
        )
        run = _Run(mm, out, args.kind, lines, results, target)
        out.hint = (
            f"resume with the same command: the journal ({journal_label}) knows every "
            "submitted job, none is created twice"
        )
        with out.tracker() as tracker:
            board = Board(tracker, len(lines))
            try:
                await _iterate(run, batch, board)
                if not isinstance(journal, str):
                    # Rows other workers finished (or this one, before a crash) are not
                    # yielded again: take them from the journal so the results are complete.
                    for result in _replayed_from(args.kind, await _shared_rows(journal), lines):
                        board.record(result)
                        await run.deliver(result)
            except JournalInUseError as exc:
                raise CliError(str(exc), EXIT_USAGE) from None
            except ConnectionError as exc:
                raise CliError(str(exc), EXIT_API) from None
            except Exception as exc:
                inner = _unwrap(exc)
                if inner is not exc and isinstance(inner, Exception):
                    raise inner from None  # one error out of the task groups, as is
                raise
            board.redraw({})
        out.hint = None
    return _summary(out, run, board, batch, len(lines))


def _summary(out: Output, run: _Run, board: Board, batch: Batch[Any], total: int) -> int:
    unmatched = batch.unmatched_rows
    if unmatched:
        out.note(
            f"{len(unmatched)} journal row(s) match no line of this file (another input?); "
            "left as they are"
        )
    done, failed = board.done, board.failed
    if not out.json_mode:
        out.fields(
            [
                ("requests", total),
                ("done", done),
                ("failed", failed),
                ("unfinished", total - done - failed or None),
                ("results", f"{run.results.path} ({run.written} new line(s))"),
                ("downloads", run.download_dir),
            ]
        )
    if failed:
        return EXIT_GENERATION
    if run.download_errors:
        return EXIT_API
    return EXIT_OK
