"""Batches of video or image jobs: submitted into free capacity, results in completion order.

``mm.generate_videos(requests)`` / ``mm.generate_images_batch(requests)`` return a
:class:`Batch`, an async iterator of :class:`BatchResult` (the request, and its result or its
error: one failure never stops the others).

How it submits:

* capacity comes from ``GET scheduler/available`` (each account's free video slots; for images
  each account's ``imageQueueLength`` from ``GET features``, less the batch's own jobs). Requests
  are spread over the accounts with the most free slots, one create in flight per account at a
  time, and a slot is given back when the batch's job on it ends. With no per-account
  information the API chooses the account (``account`` left out), a few jobs at a time.
* 429: the account is left alone for 10-30 s (``Retry-After`` if given), then re-read.
* 596 (:class:`AccountOnHoldError`): the account is paused for ``hold_pause`` seconds; its
  requests go to the other accounts (or wait for the pause to end).
* 412 (:class:`InsufficientCreditsError`): the account is dropped for the rest of the batch; its
  requests go to the other accounts, or fail with that error when none is left.
* any other refusal (422, 400, an invalid argument) fails that request only.

The journal (``journal="run.sqlite"``, stdlib :mod:`sqlite3` run in a worker thread) records
each submission before it is sent (with its ``replyRef``) and after (with the job ids), and each
final result. A run with the same journal and requests resumes: finished requests are replayed
from the journal, submitted jobs are waited for (never created again), and a submission recorded
"before" but not "after" (state ``sending``; no other state is ever looked up) is looked for:

* its ``replyRef`` in ``GET scheduler`` (either id spelling): that job is adopted;
* else the accounts' recent ``GET videos`` / ``GET images``: a candidate matches every parameter
  the listing shows (prompt, file ids; for images also model and aspect ratio), is claimed by no
  other request, and was created after the row was marked ``sending`` (within
  :data:`_CLOCK_SKEW`). Exactly one such candidate is adopted; none (and no look-alike whose
  creation time the listing does not show, as for videos) means it was never created: it is sent
  again with the same ``replyRef``; anything else (several, a look-alike of unknown age, an
  unreadable listing) is a :class:`JobCreationUnknownError`, never a resend.

Requests are keyed by their canonical parameters and their occurrence number among identical
requests (``BatchRequest.key`` wins), not by position: inserting, removing or reordering requests
never re-creates a finished one. Journal rows that match no request of the run are left alone,
logged (WARNING) and listed in :attr:`Batch.unmatched_rows`. The journal is held by one runner
at a time: an exclusive lock (``<journal>.lock``, naming the holder's host and pid) is taken for
the batch's life, and a second runner fails at once with :class:`JournalInUseError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

import anyio

from .._journal_protocol import JournalFactory
from .._validation import check_count, check_seconds
from ._engine import _Engine, _unwrap
from ._keys import _make_items
from ._kinds import BatchClient, _Kind, image_kind, video_kind
from ._results import (
    BatchFailure,
    BatchOutcome,
    BatchRequest,
    BatchResult,
    BatchSuccess,
    JournalInUseError,
    UnmatchedRow,
)

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = [
    "Batch",
    "BatchFailure",
    "BatchOptions",
    "BatchOutcome",
    "BatchRequest",
    "BatchResult",
    "BatchSuccess",
    "JournalInUseError",
    "UnmatchedRow",
    "image_kind",
    "new_batch",
    "video_kind",
]

T = TypeVar("T")


class Batch(Generic[T]):
    """The results of a batch in completion order: ``async for result in batch: ...``.

    Nothing runs before the first ``async for`` step. Breaking out of the loop, cancelling the
    iterating task, :meth:`aclose` or leaving ``async with`` stops the batch: no more requests
    are sent and no task is left behind (jobs already submitted keep running upstream and stay
    recorded in the journal). Errors of the batch itself (a journal that belongs to other
    requests, the capacity unreadable at the start) are raised by the iteration.
    """

    def __init__(self, engine: _Engine[T]) -> None:
        self._engine: _Engine[T] | None = engine
        self._report = engine.report
        #: Kept for :meth:`running` (``_engine`` is handed to the batch's task at the start).
        self._status = engine
        self._task: asyncio.Task[None] | None = None
        self._receive: MemoryObjectReceiveStream[BatchOutcome[T]] | None = None
        self._send: MemoryObjectSendStream[BatchOutcome[T]] | None = None
        self._closed = False

    def __aiter__(self) -> Batch[T]:
        return self

    @property
    def unmatched_rows(self) -> tuple[UnmatchedRow, ...]:
        """Journal rows that match no request of this run (left as they are; a WARNING says
        how many). Known once the iteration has started (the journal was read)."""
        return self._report.unmatched_rows

    def running(self) -> dict[str | None, int]:
        """How many requests of this batch are being created or waited for now, per account
        (None: the API chooses it). Empty before the first iteration and once it has ended;
        for a live progress display."""
        return {} if self._closed else self._status.running()

    def _start(self) -> None:
        assert self._engine is not None
        send, receive = anyio.create_memory_object_stream[BatchOutcome[T]](math.inf)
        self._send, self._receive = send, receive
        self._task = asyncio.get_running_loop().create_task(
            self._engine.run(send), name="minimax-batch"
        )
        self._engine = None

    async def __anext__(self) -> BatchOutcome[T]:
        if self._closed:
            raise StopAsyncIteration
        if self._task is None:
            self._start()
        assert self._receive is not None
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            await self.aclose()
            raise StopAsyncIteration from None
        except BaseException:
            # Cancelled while waiting for a result: the batch stops with the caller.
            with anyio.CancelScope(shield=True):
                await self._stop()
            raise

    async def _stop(self) -> BaseException | None:
        self._closed = True
        self._engine = None
        task = self._task
        error: BaseException | None = None
        if task is not None:
            if not task.done():
                task.cancel()
            await asyncio.wait([task])
            if not task.cancelled():
                error = _unwrap(task.exception())
        for stream in (self._receive, self._send):
            if stream is not None:
                stream.close()
        return error

    async def aclose(self) -> None:
        """Stop the batch (nothing more is sent) and wait until its tasks have ended.

        Raises the batch's own error if it ended with one.
        """
        error = await self._stop()
        if error is not None:
            raise error

    async def __aenter__(self) -> Batch[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        with anyio.CancelScope(shield=True):
            error = await self._stop()
        if error is not None and exc_info[1] is None:
            raise error

    def __del__(self) -> None:
        task = self._task
        if task is not None and not task.done():
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                task.cancel()
        for stream in (self._receive, self._send):
            if stream is not None:
                stream.close()


class BatchOptions(TypedDict, total=False):
    """The keywords of ``generate_videos`` / ``generate_images_batch`` besides ``requests``.

    ``concurrency``: at most this many jobs of the batch at once (None: the capacity).
    ``journal``: an sqlite file recording every submission; a run with the same journal and
    requests resumes instead of creating the submitted jobs again. A ``postgresql://`` URL or a
    :class:`~minimax_async.postgres.PostgresJournal`: one journal shared by several workers,
    each yielding the requests it finished. ``timeout``: seconds each job is waited for once
    created (None: forever; default 1800 for videos, 600 for images). ``poll_interval``: as
    for ``wait_for_video``. ``reply_url``: sent as ``reply_url`` with every request that has
    none. ``hold_pause``: seconds an account answering 596 (on hold) is left alone (default
    3600).
    """

    concurrency: int | None
    journal: str | os.PathLike[str] | JournalFactory | None
    timeout: float | None
    poll_interval: float | None
    reply_url: str | None
    hold_pause: float


def new_batch(
    mm: BatchClient,
    kind: _Kind[T],
    requests: Iterable[Mapping[str, Any] | BatchRequest],
    method: str,
    options: BatchOptions,
) -> Batch[T]:
    """``method``'s batch (its keywords ``options``): checked (nothing is sent), then built."""
    from .._polling import check_wait_args
    from ..resources._base import check_keywords

    check_keywords(method, options, BatchOptions)
    concurrency = options.get("concurrency")
    journal = options.get("journal")
    timeout = options.get("timeout", kind.timeout)
    poll_interval = options.get("poll_interval")
    hold_pause = options.get("hold_pause", 3600.0)
    check_wait_args(timeout, poll_interval)
    if concurrency is not None:
        check_count("concurrency", concurrency, 1, "an int >= 1, or None")
    check_seconds("hold_pause", hold_pause)
    if journal is not None and not isinstance(journal, (str, os.PathLike, JournalFactory)):
        raise TypeError(
            f"journal={journal!r} is not valid; allowed: a path, a postgresql:// URL, "
            "a PostgresJournal, or None"
        )
    if isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://")):
        from ..postgres._connect import asyncpg_module

        asyncpg_module()  # the missing extra is said now, not at the first iteration
    if isinstance(requests, (Mapping, str, bytes)):
        raise TypeError("requests must be an iterable of mappings (or BatchRequest), not one")
    materialised = list(requests)
    items = _make_items(kind.name, materialised)
    originals: list[Mapping[str, Any]] = [
        dict(r.params) if isinstance(r, BatchRequest) else dict(r) for r in materialised
    ]
    engine = _Engine(
        mm,
        kind,
        items,
        originals,
        concurrency=concurrency,
        journal=journal,
        timeout=timeout,
        poll_interval=poll_interval,
        reply_url=options.get("reply_url"),
        hold_pause=float(hold_pause),
    )
    return Batch(engine)
