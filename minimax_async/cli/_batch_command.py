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
import pathlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import anyio
import attrs

from .._client import AsyncMiniMax
from .._exceptions import APIError
from .._journal_protocol import _Row
from ..batch import Batch, BatchResult, JournalInUseError
from ..batch import image_kind as _image_kind
from ..batch import video_kind as _video_kind
from ..batch._engine import _unwrap
from ..batch._keys import _make_items
from ._batch_io import (
    Line,
    ResultsFile,
    beside,
    download_dir,
    existing_download,
    is_journal_url,
    media_of,
    read_requests,
)
from ._batch_progress import Board, redraw_forever
from ._errors import EXIT_API, EXIT_GENERATION, EXIT_OK, EXIT_USAGE, CliError, describe
from ._output import Output

__all__ = ["add_batch_command", "cmd_batch"]

#: Downloads running at once (each result's media is fetched as soon as it completes).
_DOWNLOADS_AT_ONCE = 4
_WAIT_DEFAULTS = {"video": 1800.0, "image": 600.0}


# ---- the command line --------------------------------------------------------------------


def add_batch_command(
    commands: Any, common: argparse.ArgumentParser, positive_float: Callable[[str], float]
) -> None:
    """Add ``batch`` to the command tree (``common``: the global options' parent parser;
    ``positive_float``: the parser's type for seconds, passed down as the parser is above)."""
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
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="how long each job is waited for once created (default: 1800 videos, 600 images)",
    )
    batch.add_argument(
        "--poll-interval",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="fixed seconds between polls (default: 2 s growing to 10 s)",
    )
    batch.set_defaults(handler=cmd_batch)


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
        for media in media_of(self.kind, result):
            saved = await existing_download(self.download_dir, media)
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


async def _iterate(run: _Run, batch: Batch[Any], board: Board) -> None:
    """Every result as it finishes: counted, then delivered in its own task."""
    async with anyio.create_task_group() as deliveries, anyio.create_task_group() as ui:
        ui.start_soon(redraw_forever, board, batch)
        try:
            async with batch:
                async for result in batch:
                    board.record(result)
                    deliveries.start_soon(run.deliver, result)
        finally:
            ui.cancel_scope.cancel()


def _journal_for(args: argparse.Namespace, source: pathlib.Path) -> tuple[Any, str]:
    """The ``journal=`` argument and how to name it to the user."""
    raw = args.journal or str(beside(source, ".journal.sqlite"))
    if is_journal_url(raw):
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
    results = ResultsFile(results_path or beside(source, ".results.jsonl"))
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
        # The hint stays set: resuming is always right after an interrupt, and on 3.10 the
        # interrupt can be reported after the command returned (cli/__init__.py says why).
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
