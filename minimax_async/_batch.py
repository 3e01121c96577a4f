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
import hashlib
import json
import logging
import math
import os
import random
import socket
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeAlias, TypeVar, cast

import anyio
import attrs

from ._bodies import new_reply_ref
from ._converter import structure
from ._exceptions import (
    AccountOnHoldError,
    APIError,
    GenerationError,
    GenerationFailedError,
    GenerationModeratedError,
    InsufficientCreditsError,
    JobCreationUnknownError,
    MiniMaxError,
    RateLimitError,
    WaitTimeoutError,
)
from ._journal_protocol import BatchJournal, JournalFactory, SharedJournal, _Item, _Row
from .models.images import Image
from .models.scheduler import AccountCapacity
from .models.videos import Video

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

    from .resources.accounts import Accounts
    from .resources.images import Images
    from .resources.scheduler import Scheduler
    from .resources.videos import Videos

__all__ = [
    "Batch",
    "BatchFailure",
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
log = logging.getLogger("minimax_async")


class BatchClient(Protocol):
    """What a batch uses of the client (``AsyncMiniMax`` is one): never the client class."""

    videos: Videos
    images: Images
    accounts: Accounts
    scheduler: Scheduler
    _sleep: Callable[[float], Awaitable[None]]

    @property
    def account(self) -> str | None: ...

    async def wait_for_video(
        self, video_id: str, *, timeout: float | None = ..., poll_interval: float | None = ...
    ) -> Video: ...

    async def wait_for_images(
        self,
        image_ids: Sequence[str],
        *,
        timeout: float | None = ...,
        poll_interval: float | None = ...,
        raise_on_failure: bool = ...,
    ) -> list[Image]: ...


#: Slots assumed for an account (or the API's choice) nothing tells the capacity of.
_DEFAULT_SLOTS = 3
#: Image batches per account when ``GET features`` does not say (``imageQueueLength``).
_DEFAULT_IMAGE_QUEUE = 5
#: Seconds between re-reads of the capacity while every slot is taken.
_REFRESH_INTERVAL = 15.0
_RATE_LIMIT_MIN, _RATE_LIMIT_MAX = 10.0, 30.0
_MAX_RETRY_AFTER = 120.0
#: Recent jobs looked through for a submission whose outcome a crash hid.
_RECENT_LIMIT = 100
#: Seconds a listed job's creation time may precede its row's mark (server vs local clock).
_CLOCK_SKEW = 5.0
#: Real seconds between claim attempts on a shared journal while other workers hold rows (a
#: dead worker's rows become claimable when its lease runs out).
_CLAIM_POLL = 1.0


@attrs.frozen
class BatchRequest:
    """One request of a batch with a key of your own.

    ``params`` are the keyword arguments of ``videos.create`` / ``images.create``. ``key``
    identifies the request in the journal across runs (default: a hash of the canonical JSON
    of ``params`` and its occurrence number among identical requests, never its position).
    """

    params: Mapping[str, Any]
    key: str | None = None


class JournalInUseError(MiniMaxError, RuntimeError):
    """Another batch runner (this process or another) holds the journal: one journal, one
    runner. The message names the journal and the holder (host, pid, since when)."""


@attrs.frozen(kw_only=True)
class UnmatchedRow:
    """A journal row that matches no request of this run (left in the journal as it is)."""

    key: str
    state: str
    request: Mapping[str, Any]
    reply_ref: str
    job_ids: tuple[str, ...] = ()
    account: str | None = None


@attrs.define
class _Report:
    """What a run learns about its journal, shared by the engine and its :class:`Batch`."""

    unmatched_rows: tuple[UnmatchedRow, ...] = ()


@attrs.frozen(kw_only=True)
class BatchResult(Generic[T]):
    """One finished request of a batch: the request, and its result or its error.

    ``result`` is the completed :class:`Video` (or the list of :class:`Image` of one
    ``images.create``) when ``ok``; otherwise ``error`` tells why: the create was refused
    (``ModerationError``, ``InsufficientCreditsError`` with no account left ...), the job failed
    or was moderated (``GenerationFailedError`` / ``GenerationModeratedError``, the last
    snapshot in ``error.result``), the wait timed out (``WaitTimeoutError``), or the outcome of
    the create is unknown (``JobCreationUnknownError``). ``replayed`` is True for a result read
    back from the journal of an earlier run.
    """

    index: int
    key: str
    request: Mapping[str, Any]
    result: T | None = None
    error: Exception | None = None
    job_ids: tuple[str, ...] = ()
    reply_ref: str | None = None
    account: str | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        """True when the job completed (``result`` is set, ``error`` is None)."""
        return self.error is None


# A batch yields one of these two (``BatchOutcome``): ``if result.ok:`` narrows to
# ``BatchSuccess`` (``result`` not None) for type checkers, ``else`` to ``BatchFailure``
# (``error`` not None). Both stay ``BatchResult``s for ``isinstance``.
@attrs.frozen(kw_only=True)
class BatchSuccess(BatchResult[T]):
    """A request whose job completed: ``result`` is set."""

    result: T
    error: None = None

    @property
    def ok(self) -> Literal[True]:
        """Always True."""
        return True


@attrs.frozen(kw_only=True)
class BatchFailure(BatchResult[T]):
    """A request that ended without a result: ``error`` tells why."""

    result: None = None
    error: Exception

    @property
    def ok(self) -> Literal[False]:
        """Always False."""
        return False


#: What iterating a :class:`Batch` gives: narrowed by ``result.ok``.
BatchOutcome: TypeAlias = BatchSuccess[T] | BatchFailure[T]


# -- kinds of job ------------------------------------------------------------------------------


@attrs.frozen
class _Listed:
    """One recent job (or image batch) of an account's list, as far as the listing shows it."""

    ids: tuple[str, ...]
    prompt: str
    file_ids: frozenset[str]
    #: Unix seconds; None: the listing does not show it (``GET videos``).
    created: float | None = None
    model: str | None = None
    aspect_ratio: str | None = None

    def matches(self, params: Mapping[str, Any], file_ids: frozenset[str]) -> bool:
        """Every parameter the listing shows is the request's."""
        if self.prompt != (params.get("prompt") or "") or self.file_ids != file_ids:
            return False
        for name, shown in (("model", self.model), ("aspect_ratio", self.aspect_ratio)):
            if shown and params.get(name) and shown != params[name]:
                return False
        return True


def _origin_ids(files: Iterable[Any] | None) -> frozenset[str]:
    out = set()
    for f in files or ():
        value = f.get("id") if isinstance(f, Mapping) else getattr(f, "id", None)
        if isinstance(value, str) and value:
            out.add(value)
    return frozenset(out)


class _Kind(Generic[T]):
    """What differs between a batch of videos and one of images."""

    name: str
    #: True: ``GET scheduler/available`` counts this kind's slots (videos); False: only the
    #: batch's own jobs are counted against a per-account limit (images).
    sees_running: bool

    async def create(
        self, mm: BatchClient, params: dict[str, Any], account: str | None, reply_ref: str
    ) -> tuple[str, ...]:
        raise NotImplementedError

    async def wait(
        self,
        mm: BatchClient,
        job_ids: tuple[str, ...],
        timeout: float | None,
        poll_interval: float | None,
    ) -> T:
        raise NotImplementedError

    async def limits(self, mm: BatchClient, accounts: Sequence[str]) -> dict[str, int]:
        """Per-account slot limits when the scheduler cannot count them (images)."""
        return {}

    async def recent(self, mm: BatchClient, account: str | None) -> list[_Listed]:
        """The account's recent jobs, newest first."""
        raise NotImplementedError

    def file_ids(self, params: Mapping[str, Any]) -> frozenset[str]:
        """The uploaded files a request uses (as the listing's ``originFiles`` shows them)."""
        raise NotImplementedError

    def scheduled_ids(self, ids: list[str]) -> tuple[str, ...]:
        return tuple(ids)

    def dump(self, value: Any) -> Any:
        raise NotImplementedError

    def load(self, data: Any) -> T:
        raise NotImplementedError

    def snapshot_of(self, error: GenerationError) -> Any:
        """The JSON-able last snapshot(s) a failure carries."""
        raise NotImplementedError

    def rebuild_error(self, type_name: str, message: str, data: Any) -> Exception:
        raise NotImplementedError


class _VideoKind(_Kind[Video]):
    name = "video"
    sees_running = True

    async def create(
        self, mm: BatchClient, params: dict[str, Any], account: str | None, reply_ref: str
    ) -> tuple[str, ...]:
        job = await mm.videos.create(**{**params, "account": account, "reply_ref": reply_ref})
        if not job.video_id:
            raise GenerationError("videos/create answered without a videoId", result=job)
        return (job.video_id,)

    async def wait(
        self,
        mm: BatchClient,
        job_ids: tuple[str, ...],
        timeout: float | None,
        poll_interval: float | None,
    ) -> Video:
        return await mm.wait_for_video(job_ids[0], timeout=timeout, poll_interval=poll_interval)

    async def recent(self, mm: BatchClient, account: str | None) -> list[_Listed]:
        videos = await mm.videos.list(limit=_RECENT_LIMIT, account=account)
        return [
            _Listed(ids=(v.video_id,), prompt=v.desc or "", file_ids=_origin_ids(v.origin_files))
            for v in videos
            if v.video_id
        ]

    def file_ids(self, params: Mapping[str, Any]) -> frozenset[str]:
        names = ("file_id", "end_frame_file_id")
        return frozenset(str(params[n]) for n in names if params.get(n))

    def scheduled_ids(self, ids: list[str]) -> tuple[str, ...]:
        return tuple(ids[:1])

    def dump(self, value: Any) -> Any:
        return value.to_dict() if isinstance(value, Video) else None

    def load(self, data: Any) -> Video:
        return structure(data, Video)

    def snapshot_of(self, error: GenerationError) -> Any:
        return self.dump(error.result)

    def rebuild_error(self, type_name: str, message: str, data: Any) -> Exception:
        snapshot = self.load(data) if isinstance(data, dict) else None
        cls = _GENERATION_ERRORS.get(type_name, GenerationError)
        return cls(message, result=snapshot)


class _ImageKind(_Kind[list[Image]]):
    name = "image"
    sees_running = False

    async def create(
        self, mm: BatchClient, params: dict[str, Any], account: str | None, reply_ref: str
    ) -> tuple[str, ...]:
        job = await mm.images.create(**{**params, "account": account, "reply_ref": reply_ref})
        if not job.image_ids:
            raise GenerationError("images/create answered without imageIds", result=job)
        return tuple(job.image_ids)

    async def wait(
        self,
        mm: BatchClient,
        job_ids: tuple[str, ...],
        timeout: float | None,
        poll_interval: float | None,
    ) -> list[Image]:
        images = await mm.wait_for_images(
            list(job_ids), timeout=timeout, poll_interval=poll_interval, raise_on_failure=False
        )
        for image in images:
            if image.is_completed:
                continue
            name = f"image {image.image_id or image.id}"
            error: GenerationError
            if image.is_moderated or image.status_label == "removed":
                error = GenerationModeratedError(f"{name} was moderated", result=image)
            else:
                error = GenerationFailedError(f"{name} failed", result=image)
            cast(Any, error).results = images  # all of them, as wait_for_images does
            raise error
        return images

    async def limits(self, mm: BatchClient, accounts: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for account in accounts:
            try:
                features = await mm.accounts.features(account=account)
                queue = features.image_queue_length
            except APIError:
                queue = None
            out[account] = queue if isinstance(queue, int) and queue > 0 else _DEFAULT_IMAGE_QUEUE
        return out

    async def recent(self, mm: BatchClient, account: str | None) -> list[_Listed]:
        page = await mm.images.list(limit=_RECENT_LIMIT, account=account)
        batches: dict[str, list[Image]] = {}
        for image in page.images or []:
            if image.image_id:
                batches.setdefault(str(image.batch_id or image.image_id), []).append(image)
        out = []
        for group in batches.values():
            first = group[0]
            times = [i.create_time for i in group if isinstance(i.create_time, (int, float))]
            out.append(
                _Listed(
                    ids=tuple(str(i.image_id) for i in group),
                    prompt=first.desc or "",
                    file_ids=_origin_ids(first.origin_files),
                    created=min(times) / 1000 if times else None,
                    model=first.model_id,
                    aspect_ratio=first.aspect_ratio,
                )
            )
        return out

    def file_ids(self, params: Mapping[str, Any]) -> frozenset[str]:
        refs = params.get("reference_file_ids") or ()
        if isinstance(refs, str):
            refs = (refs,)
        given = [params.get("character_file_id"), *refs]
        return frozenset(str(f) for f in given if f)

    def dump(self, value: Any) -> Any:
        if isinstance(value, list):
            return [i.to_dict() for i in value if isinstance(i, Image)]
        return None

    def load(self, data: Any) -> list[Image]:
        return [structure(d, Image) for d in data]

    def snapshot_of(self, error: GenerationError) -> Any:
        results = getattr(error, "results", None)
        if results is None and isinstance(error.result, Image):
            results = [error.result]
        return self.dump(results)

    def rebuild_error(self, type_name: str, message: str, data: Any) -> Exception:
        images = self.load(data) if isinstance(data, list) else []
        bad = next((i for i in images if not i.is_completed), images[0] if images else None)
        cls = _GENERATION_ERRORS.get(type_name, GenerationError)
        error = cls(message, result=bad)
        error.results = images  # type: ignore[attr-defined]
        return error


_GENERATION_ERRORS: dict[str, type[GenerationError]] = {
    "GenerationFailedError": GenerationFailedError,
    "GenerationModeratedError": GenerationModeratedError,
}

video_kind = _VideoKind()
image_kind = _ImageKind()


# -- the journal -------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_jobs (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    reply_ref TEXT NOT NULL,
    account TEXT,
    job_ids TEXT NOT NULL DEFAULT '[]',
    result TEXT,
    error_type TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
"""
_SCHEMA_VERSION = "1"


def _try_lock(handle: Any) -> bool:
    """Lock an open file exclusively without waiting; False when someone else holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _hold_journal(path: str) -> Any:
    """Hold ``<path>.lock`` for the batch's life (closing the returned file releases it).

    A lock file, not sqlite's own locking: holding sqlite's exclusive lock for the whole batch
    would keep every journal write in one uncommitted transaction (a crash would lose them).
    Hand-written (stdlib ``fcntl``/``msvcrt``) rather than a dependency: the lock must also
    say who holds it. The OS releases it when the process dies: a crash never leaves it stuck.
    """
    handle = open(f"{path}.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held until close
    try:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "holder unknown"
            raise JournalInUseError(
                f"journal {path!r} is in use by another batch runner ({holder}); one journal, "
                "one runner: wait for it to end, or give this batch another journal"
            )
        handle.seek(0)
        handle.truncate()
        when = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        handle.write(f"host {socket.gethostname()}, pid {os.getpid()}, since {when}")
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return handle


class _Journal:
    """The sqlite journal: one connection, used from one worker thread at a time."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._conn: Any = None
        self._lock = anyio.Lock()
        self._held: Any = None

    async def _run(self, fn: Any, *args: Any) -> Any:
        async with self._lock:
            return await anyio.to_thread.run_sync(fn, *args)

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> _Journal:
        journal = cls(path)
        await journal._run(journal._open)
        return journal

    def _open(self) -> None:
        import sqlite3

        self._held = _hold_journal(self._path)
        try:
            conn = sqlite3.connect(self._path, check_same_thread=False)
        except BaseException:
            self._release()
            raise
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:
                conn.executescript(_SCHEMA)
                row = conn.execute("SELECT value FROM batch_meta WHERE name = 'schema'").fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO batch_meta (name, value) VALUES ('schema', ?)",
                        (_SCHEMA_VERSION,),
                    )
                elif row[0] != _SCHEMA_VERSION:
                    raise ValueError(
                        f"journal {self._path!r} has schema {row[0]!r}; this version of "
                        f"minimax_async writes schema {_SCHEMA_VERSION!r}"
                    )
        except BaseException:
            conn.close()
            self._release()
            raise
        self._conn = conn

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.close()

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None

            def close_both() -> None:
                try:
                    conn.close()
                finally:
                    self._release()

            await self._run(close_both)

    async def load(self) -> dict[str, _Row]:
        def read() -> dict[str, _Row]:
            rows = self._conn.execute(
                "SELECT key, kind, position, request, state, reply_ref, account, job_ids, "
                "result, error_type, error_message, updated_at FROM batch_jobs"
            ).fetchall()
            out = {}
            for r in rows:
                out[r[0]] = _Row(
                    key=r[0],
                    kind=r[1],
                    position=r[2],
                    request=r[3],
                    state=r[4],
                    reply_ref=r[5],
                    account=r[6],
                    job_ids=tuple(json.loads(r[7] or "[]")),
                    result=json.loads(r[8]) if r[8] else None,
                    error_type=r[9],
                    error_message=r[10],
                    updated_at=float(r[11] or 0.0),
                )
            return out

        return await self._run(read)  # type: ignore[no-any-return]

    async def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        def write() -> None:
            with self._conn:
                self._conn.execute(sql, args)

        await self._run(write)

    async def before(self, item: _Item, kind: str) -> None:
        """The request is about to be sent (state ``sending``)."""
        await self._write(
            "INSERT INTO batch_jobs (key, kind, position, request, state, reply_ref, account, "
            "attempts, updated_at) VALUES (?, ?, ?, ?, 'sending', ?, ?, 1, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = 'sending', reply_ref = excluded.reply_ref, "
            "account = excluded.account, attempts = attempts + 1, "
            "error_type = NULL, error_message = NULL, updated_at = excluded.updated_at",
            (
                item.key,
                kind,
                item.index,
                item.canonical,
                item.reply_ref,
                item.account,
                time.time(),
            ),
        )

    async def submitted(self, item: _Item) -> None:
        """The create answered with the job ids (state ``submitted``)."""
        await self._write(
            "UPDATE batch_jobs SET state = 'submitted', job_ids = ?, account = ?, "
            "updated_at = ? WHERE key = ?",
            (json.dumps(list(item.job_ids)), item.account, time.time(), item.key),
        )

    async def unsent(self, item: _Item, error: BaseException | None, state: str) -> None:
        """Nothing was created: back to ``pending`` (retried) or ``rejected`` (refused)."""
        await self._write(
            "UPDATE batch_jobs SET state = ?, error_type = ?, error_message = ?, "
            "updated_at = ? WHERE key = ?",
            (
                state,
                type(error).__name__ if error else None,
                str(error) if error else None,
                time.time(),
                item.key,
            ),
        )

    async def finished(self, item: _Item, result: Any, error: BaseException | None) -> None:
        """The job is final (state ``done``): its last snapshot(s), and the error if any."""
        await self._write(
            "UPDATE batch_jobs SET state = 'done', result = ?, error_type = ?, "
            "error_message = ?, updated_at = ? WHERE key = ?",
            (
                json.dumps(result),
                type(error).__name__ if error else None,
                str(error) if error else None,
                time.time(),
                item.key,
            ),
        )

    async def note(self, item: _Item, error: BaseException) -> None:
        """The wait ended without a final state (timeout ...): the state stays as it is."""
        await self._write(
            "UPDATE batch_jobs SET error_type = ?, error_message = ?, updated_at = ? WHERE key = ?",
            (type(error).__name__, str(error), time.time(), item.key),
        )


# -- the engine --------------------------------------------------------------------------------


@attrs.define(eq=False)
class _Account:
    name: str | None
    free: int
    #: The limit of a kind the scheduler does not count (images); None: the scheduler counts.
    limit: int | None = None
    creating: bool = False
    paused: bool = False
    dropped: BaseException | None = None
    #: Bumped by every local change; a capacity read overlapping one is not applied.
    version: int = 0
    #: Whether a capacity read knows this account (else its ``free`` is only counted locally).
    listed: bool = True


def _free_slots(entry: AccountCapacity) -> int:
    if entry.available is not None:
        return max(0, entry.available)
    if entry.max_jobs is not None and entry.executing is not None:
        return max(0, entry.max_jobs - entry.executing)
    return _DEFAULT_SLOTS


def _canonical(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)


def _make_items(kind: str, requests: Iterable[Mapping[str, Any] | BatchRequest]) -> list[_Item]:
    items: list[_Item] = []
    seen: set[str] = set()
    occurrences: dict[str, int] = {}
    for index, request in enumerate(requests):
        given_key = None
        if isinstance(request, BatchRequest):
            given_key, request = request.key, request.params
        if not isinstance(request, Mapping):
            raise TypeError(
                f"request {index} is a {type(request).__name__}; allowed: a mapping of "
                f"{kind}s.create arguments, or a BatchRequest"
            )
        params = dict(request)
        canonical = _canonical(params)
        legacy_key = None
        if given_key is None:
            # The parameters and the how-many-th identical request this is: never the position,
            # so inserting, removing or reordering requests keeps every other request's key.
            occurrence = occurrences.get(canonical, 0)
            occurrences[canonical] = occurrence + 1
            digest = hashlib.sha256(f"{kind}\n{canonical}\n{occurrence}".encode()).hexdigest()
            key = f"{digest[:24]}-{occurrence}"
            old = hashlib.sha256(f"{kind}\n{index}\n{canonical}".encode()).hexdigest()
            legacy_key = f"{index}-{old[:24]}"
        elif isinstance(given_key, str) and given_key:
            key = given_key
        else:
            raise ValueError(f"request {index}: key={given_key!r} is not a non-empty string")
        if key in seen:
            raise ValueError(f"request {index}: key {key!r} is used twice in the batch")
        seen.add(key)
        pin = params.pop("account", None)
        reply_ref = params.pop("reply_ref", None) or new_reply_ref()
        items.append(
            _Item(
                index=index,
                key=key,
                params=params,
                canonical=canonical,
                pin=pin if isinstance(pin, str) and pin else None,
                reply_ref=reply_ref,
                legacy_key=legacy_key,
            )
        )
    return items


class _Engine(Generic[T]):
    """Runs one batch in one task: dispatcher, creates and waits in one task group."""

    def __init__(
        self,
        mm: BatchClient,
        kind: _Kind[T],
        items: list[_Item],
        requests: list[Mapping[str, Any]],
        *,
        concurrency: int | None,
        journal: str | os.PathLike[str] | JournalFactory | None,
        timeout: float | None,
        poll_interval: float | None,
        reply_url: str | None,
        hold_pause: float,
    ) -> None:
        self._mm = mm
        self._kind = kind
        self._items = items
        self._requests = requests
        self._concurrency = concurrency
        self._journal_path = journal
        self._journal: BatchJournal | None = None
        #: The journal when several workers share it (rows are claimed, not all taken).
        self._shared: SharedJournal | None = None
        self._claiming = False
        self._claim_wakeup = anyio.Event()
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._reply_url = reply_url
        self._hold_pause = hold_pause
        self._accounts: dict[str | None, _Account] = {}
        self._unpinned: deque[_Item] = deque()
        self._pinned: dict[str, deque[_Item]] = {}
        self._inflight: set[_Item] = set()
        self._in_flight_count = 0
        self._creating = 0
        self._last_drop: BaseException | None = None
        self._refresh_wanted = False
        self._poked = False
        self._nap_scope: anyio.CancelScope | None = None
        self._send: MemoryObjectSendStream[BatchOutcome[T]] | None = None
        self._timers: anyio.abc.TaskGroup | None = None
        self.report = _Report()

    # -- running -------------------------------------------------------------------------

    async def run(self, send: MemoryObjectSendStream[BatchOutcome[T]]) -> None:
        self._send = send
        async with send:
            if self._journal_path is not None:
                self._journal = await _open_journal(self._journal_path)
            try:
                if isinstance(self._journal, SharedJournal):
                    self._shared = self._journal
                    await self._run_shared(self._journal)
                else:
                    await self._run()
            finally:
                if self._journal is not None:
                    with anyio.CancelScope(shield=True):
                        await self._journal.close()

    async def _run(self) -> None:
        rows = await self._journal.load() if self._journal is not None else {}
        unsure: list[tuple[_Item, _Row]] = []
        resumed: list[tuple[_Item, _Row]] = []
        replay: list[tuple[_Item, _Row]] = []
        for item in self._items:
            row = rows.get(item.key)
            if row is None and item.legacy_key is not None and item.legacy_key in rows:
                # A journal of an earlier version (position keys): adopt its row and its key.
                item.key = item.legacy_key
                row = rows[item.key]
            if row is None:
                self._queue(item)
                continue
            if row.kind != self._kind.name:
                raise ValueError(
                    f"journal key {item.key!r} was recorded for a {row.kind} request, "
                    f"not a {self._kind.name}"
                )
            if row.request != item.canonical:
                raise ValueError(
                    f"journal key {item.key!r} was recorded for another request: "
                    f"{row.request} (now {item.canonical})"
                )
            item.reply_ref = row.reply_ref
            item.account = row.account
            if row.state == "done":
                item.job_ids = row.job_ids
                replay.append((item, row))
            elif row.state == "submitted" and row.job_ids:
                item.job_ids = row.job_ids
                resumed.append((item, row))
            elif row.state == "sending":
                unsure.append((item, row))
            else:  # pending, rejected: nothing was created
                self._queue(item)
        self._report_unmatched(rows)
        for item, row in replay:
            await self._emit(item, *self._replayed(row), replayed=True)
        snapshot = await self._read_capacity()
        self._set_up_accounts(snapshot)
        await self._set_limits()
        if unsure:
            claimed = {job_id for row in rows.values() for job_id in row.job_ids}
            for item in await self._find_unsure(unsure, claimed):
                resumed.append((item, rows[item.key]))
        async with anyio.create_task_group() as tg:
            for item, _ in resumed:
                account = self._account_for(item.account)
                item.counted = True
                self._in_flight_count += 1
                self._inflight.add(item)
                # Its slot is part of the capacity read only while the scheduler lists it.
                item.holding = account.listed and (
                    not self._kind.sees_running or bool(set(item.job_ids) & snapshot[1])
                )
                if account.limit is not None and item.holding:
                    account.free = max(0, account.free - 1)
                tg.start_soon(self._wait, item, account)
            async with anyio.create_task_group() as timers:
                self._timers = timers
                await self._dispatch(tg)
                # Every request is submitted or finished: pauses no longer matter.
                timers.cancel_scope.cancel()

    def _report_unmatched(self, rows: Mapping[str, _Row]) -> None:
        """Journal rows no request of this run claims: kept as they are, but never silent."""
        used = {item.key for item in self._items}
        unmatched = tuple(
            UnmatchedRow(
                key=row.key,
                state=row.state,
                request=_parsed(row.request),
                reply_ref=row.reply_ref,
                job_ids=row.job_ids,
                account=row.account,
            )
            for key, row in rows.items()
            if key not in used
        )
        self.report.unmatched_rows = unmatched
        if unmatched:
            states = sorted({row.state for row in unmatched})
            log.warning(
                "batch: %d journal row(s) match no request of this run (states: %s); left as "
                "they are, listed in Batch.unmatched_rows",
                len(unmatched),
                ", ".join(states),
            )

    def _replayed(self, row: _Row) -> tuple[Any, Exception | None]:
        if row.error_type:
            error = self._kind.rebuild_error(
                row.error_type, row.error_message or row.error_type, row.result
            )
            return None, error
        return self._kind.load(row.result), None

    # -- capacity ------------------------------------------------------------------------

    async def _read_capacity(self) -> tuple[dict[str, int] | None, set[str]]:
        """Per-account free slots (None: no per-account information) and the running ids."""
        capacity = await self._mm.scheduler.available()
        running = {job.job_id for job in capacity.executing or [] if job.job_id}
        entries = capacity.available or []
        named = {entry.account: _free_slots(entry) for entry in entries if entry.account}
        if not named:
            if entries and self._kind.sees_running:
                return {"": sum(_free_slots(e) for e in entries)}, running
            return None, running
        return named, running

    def _set_up_accounts(self, snapshot: tuple[dict[str, int] | None, set[str]]) -> None:
        per_account, _ = snapshot
        default = self._mm.account
        names: list[str | None]
        if default:
            names = [default]
        elif per_account is None or "" in per_account:
            names = [None]
        else:
            names = list(per_account)
        names += [i.pin for i in self._items if i.pin is not None and i.pin not in names]
        for name in names:
            listed = per_account is not None and (name or "") in per_account
            free = per_account[name or ""] if per_account is not None and listed else None
            if free is None:
                free = self._concurrency if name is None and self._concurrency else _DEFAULT_SLOTS
            self._accounts[name] = _Account(name=name, free=free, listed=listed)

    async def _set_limits(self) -> None:
        if self._kind.sees_running:
            return
        named = [n for n, a in self._accounts.items() if n is not None and a.limit is None]
        limits = await self._kind.limits(self._mm, named) if named else {}
        for name, account in self._accounts.items():
            if account.limit is None:
                account.limit = limits.get(name or "", account.free)
                account.listed = True
                account.free = account.limit

    def _account_for(self, name: str | None) -> _Account:
        account = self._accounts.get(name)
        if account is None:
            # A job resumed on an account this run does not use: counted nowhere.
            account = _Account(name=name, free=0, listed=False)
        return account

    async def _refresh(self) -> None:
        if not self._kind.sees_running:
            for account in self._accounts.values():
                if account.limit is not None and not account.creating:
                    mine = sum(1 for i in self._inflight if i.account == account.name)
                    account.free = max(0, account.limit - mine)
                    for item in self._inflight:
                        if item.account == account.name:
                            item.holding = True
            return
        versions = {name: a.version for name, a in self._accounts.items()}
        try:
            per_account, running = await self._read_capacity()
        except APIError as exc:
            log.info("batch: could not read the capacity (%s); counting locally", exc)
            return
        if per_account is None:
            return
        for name, account in self._accounts.items():
            key = name or ""
            if key not in per_account or account.creating or account.version != versions[name]:
                continue
            account.free = per_account[key]
            account.listed = True
            for item in self._inflight:
                if item.account == name:
                    item.holding = bool(set(item.job_ids) & running)

    def _usable(self, account: _Account) -> bool:
        return account.dropped is None and not account.paused

    def _take(self, item: _Item, account: _Account) -> None:
        account.free -= 1
        account.version += 1
        account.creating = True
        self._creating += 1
        item.account = account.name
        item.holding = True
        item.counted = True
        self._in_flight_count += 1

    def _release(self, item: _Item, account: _Account) -> None:
        if item.holding:
            item.holding = False
            account.free += 1
            account.version += 1
        if item.counted:
            item.counted = False
            self._in_flight_count -= 1
        self._inflight.discard(item)

    def _pause(self, account: _Account, seconds: float) -> None:
        account.paused = True
        account.version += 1
        assert self._timers is not None
        self._timers.start_soon(self._unpause_later, account, seconds)

    async def _unpause_later(self, account: _Account, seconds: float) -> None:
        await self._mm._sleep(seconds)
        account.paused = False
        self._refresh_wanted = True
        self._signal()

    # -- dispatching ---------------------------------------------------------------------

    def _queue(self, item: _Item, *, front: bool = False) -> None:
        queue = self._unpinned if item.pin is None else self._pinned.setdefault(item.pin, deque())
        if front:
            queue.appendleft(item)
        else:
            queue.append(item)

    def _queued(self) -> bool:
        return bool(self._unpinned) or any(self._pinned.values())

    def _signal(self) -> None:
        self._poked = True
        self._claim_wakeup.set()
        if self._nap_scope is not None:
            self._nap_scope.cancel()

    async def _nap(self, seconds: float) -> bool:
        """Sleep until :meth:`_signal` or ``seconds`` pass; True when the time ran out."""
        if self._poked:
            self._poked = False
            return False
        with anyio.CancelScope() as scope:
            self._nap_scope = scope
            try:
                await self._mm._sleep(seconds)
            finally:
                self._nap_scope = None
        self._poked = False
        return not scope.cancel_called

    async def _dispatch(self, tg: Any) -> None:
        while self._queued() or self._creating or self._claiming:
            if self._place(tg) or self._fail_unplaceable():
                continue
            timed_out = await self._nap(_REFRESH_INTERVAL)
            if (timed_out or self._refresh_wanted) and self._queued():
                self._refresh_wanted = False
                await self._refresh()

    def _place(self, tg: Any) -> bool:
        if self._concurrency is not None and self._in_flight_count >= self._concurrency:
            return False
        candidates = [
            a for a in self._accounts.values() if self._usable(a) and not a.creating and a.free > 0
        ]
        candidates.sort(key=lambda a: -a.free)
        for account in candidates:
            queue = self._pinned.get(account.name) if account.name is not None else None
            if queue:
                item = queue.popleft()
            elif self._unpinned:
                item = self._unpinned.popleft()
            else:
                continue
            self._take(item, account)
            tg.start_soon(self._submit, item, account)
            return True
        return False

    def _fail_unplaceable(self) -> bool:
        """Fail the requests no account can take any more (412 everywhere they may go)."""
        failed: list[tuple[_Item, BaseException]] = []
        for name, queue in self._pinned.items():
            account = self._accounts.get(name)
            if queue and account is not None and account.dropped is not None:
                failed += [(item, account.dropped) for item in queue]
                queue.clear()
        if self._unpinned and all(a.dropped is not None for a in self._accounts.values()):
            error = self._last_drop or InsufficientCreditsError("no account left", status_code=412)
            failed += [(item, error) for item in self._unpinned]
            self._unpinned.clear()
        for item, error in failed:
            self._spawn_emit(item, error)
        return bool(failed)

    def _spawn_emit(self, item: _Item, error: BaseException) -> None:
        if self._send is not None:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._send.send_nowait(self._result(item, None, _as_exception(error)))

    # -- one request ---------------------------------------------------------------------

    async def _submit(self, item: _Item, account: _Account) -> None:
        journal = self._journal
        created = False
        try:
            if journal is not None:
                await journal.before(item, self._kind.name)
            params = dict(item.params)
            if self._reply_url is not None and params.get("reply_url") is None:
                params["reply_url"] = self._reply_url
            item.job_ids = await self._kind.create(self._mm, params, account.name, item.reply_ref)
            created = True
        except RateLimitError as exc:
            self._release(item, account)
            account.free = 0
            wait = random.uniform(_RATE_LIMIT_MIN, _RATE_LIMIT_MAX)
            if exc.retry_after is not None and exc.retry_after <= _MAX_RETRY_AFTER:
                wait = max(_RATE_LIMIT_MIN, exc.retry_after)
            log.info("batch: account %s is busy (429); waiting %.0f s", account.name, wait)
            self._pause(account, wait)
            await self._requeue(item, exc)
        except AccountOnHoldError as exc:
            self._release(item, account)
            log.warning(
                "batch: account %s is on hold (596); paused for %.0f s",
                account.name,
                self._hold_pause,
            )
            self._pause(account, self._hold_pause)
            await self._requeue(item, exc)
        except InsufficientCreditsError as exc:
            self._release(item, account)
            account.dropped = exc
            self._last_drop = exc
            log.warning("batch: account %s has no credits left (412); dropped", account.name)
            await self._requeue(item, exc)
        except JobCreationUnknownError as exc:
            # The job may exist (and hold the slot): the journal keeps it "sending", and a
            # run with the same journal looks for it before sending it again.
            item.holding = False
            self._release(item, account)
            await self._emit(item, None, exc)
        except Exception as exc:
            self._release(item, account)
            if journal is not None:
                await journal.unsent(item, exc, "rejected")
            await self._emit(item, None, exc)
        finally:
            account.creating = False
            self._creating -= 1
            account.version += 1
            if created:
                self._inflight.add(item)
            self._signal()
        if created:
            if journal is not None:
                await journal.submitted(item)
            await self._wait(item, account)

    async def _requeue(self, item: _Item, error: BaseException) -> None:
        self._queue(item, front=True)
        self._signal()
        if self._journal is not None:
            await self._journal.unsent(item, error, "pending")

    async def _wait(self, item: _Item, account: _Account) -> None:
        value: Any = None
        error: Exception | None = None
        final = True
        try:
            value = await self._kind.wait(
                self._mm, item.job_ids, self._timeout, self._poll_interval
            )
        except WaitTimeoutError as exc:
            error, final = exc, False
        except GenerationError as exc:
            error = exc
        except Exception as exc:
            error, final = exc, False
        finally:
            self._release(item, account)
            self._signal()
        if self._journal is not None:
            if final:
                snapshot = (
                    self._kind.dump(value) if error is None else self._kind.snapshot_of(error)  # type: ignore[arg-type]
                )
                await self._journal.finished(item, snapshot, error)
            elif error is not None:
                await self._journal.note(item, error)
        await self._emit(item, value, error)

    def _result(
        self, item: _Item, value: Any, error: Exception | None, *, replayed: bool = False
    ) -> BatchOutcome[T]:
        common: dict[str, Any] = {
            "index": item.index,
            "key": item.key,
            "request": self._requests[item.index],
            "job_ids": item.job_ids,
            "reply_ref": item.reply_ref,
            "account": item.account,
            "replayed": replayed,
        }
        if error is None:
            return BatchSuccess(result=value, **common)
        return BatchFailure(error=error, **common)

    async def _emit(
        self, item: _Item, value: Any, error: Exception | None, *, replayed: bool = False
    ) -> None:
        if self._shared is not None:
            # Yielded here: the other workers (started before now) do not take it up again.
            await self._shared.release(item.key, settled=True)
        if self._send is not None:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await self._send.send(self._result(item, value, error, replayed=replayed))

    # -- a journal shared by several workers ---------------------------------------------

    async def _run_shared(self, journal: SharedJournal) -> None:
        """Work on the requests this worker claims, as it has room, until none is left that
        another live worker does not hold."""
        await journal.register(self._items, self._kind.name)
        self._set_up_accounts(await self._read_capacity())
        await self._set_limits()
        self._claiming = True
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._claim_loop, journal, tg)
            async with anyio.create_task_group() as timers:
                self._timers = timers
                await self._dispatch(tg)
                timers.cancel_scope.cancel()

    def _claim_room(self) -> int:
        """Requests to claim now: enough to fill the free slots, at least one queued."""
        queued = len(self._unpinned) + sum(len(q) for q in self._pinned.values())
        free = sum(a.free for a in self._accounts.values() if self._usable(a))
        room = max(1, free) - queued
        if self._concurrency is not None:
            room = min(room, self._concurrency - self._in_flight_count - queued)
        return max(0, room)

    async def _claim_loop(self, journal: SharedJournal, tg: Any) -> None:
        keys = [item.key for item in self._items]
        by_key = {item.key: item for item in self._items}
        try:
            while True:
                self._claim_wakeup = anyio.Event()
                room = self._claim_room()
                rows = await journal.claim(keys, room) if room else []
                for row in rows:
                    await self._adopt(journal, by_key[row.key], row, tg)
                if rows:
                    continue
                if await journal.outstanding(keys) == 0:
                    return  # the rest is this worker's, or done
                with anyio.move_on_after(_CLAIM_POLL):
                    await self._claim_wakeup.wait()
        finally:
            self._claiming = False
            self._signal()

    async def _adopt(self, journal: SharedJournal, item: _Item, row: _Row, tg: Any) -> None:
        """A claimed row, in the state its last worker left it (as a resumed sqlite run)."""
        item.reply_ref = row.reply_ref
        item.account = row.account
        found = False
        if row.state == "submitted" and row.job_ids:
            item.job_ids, found = row.job_ids, True
        elif row.state == "sending":
            claimed = {job_id for r in (await journal.load()).values() for job_id in r.job_ids}
            found = bool(await self._find_unsure([(item, row)], claimed))
        else:  # pending, rejected by a run before this one: nothing was created
            self._queue(item)
        self._signal()
        if found:
            account = self._account_for(item.account)
            item.counted = True
            self._in_flight_count += 1
            self._inflight.add(item)
            tg.start_soon(self._wait, item, account)

    # -- the crash window ----------------------------------------------------------------

    async def _find_unsure(
        self, unsure: list[tuple[_Item, _Row]], claimed: set[str]
    ) -> list[_Item]:
        """Rows marked ``sending`` (recorded "before" but not "after"): found ones come back
        (submitted), surely absent ones are queued to be sent again with the same replyRef, and
        the rest fail with :class:`JobCreationUnknownError` (never resent, never guessed)."""
        found: list[_Item] = []
        try:
            scheduled = await self._mm.scheduler.list()
        except APIError as exc:
            for item, _ in unsure:
                await self._emit(item, None, _unverified(item, exc))
            return found
        by_ref: dict[str, list[str]] = {}
        for job in scheduled:
            if job.reply_ref and job.job_id:
                by_ref.setdefault(job.reply_ref, []).append(job.job_id)
        left: list[tuple[_Item, _Row]] = []
        for item, row in unsure:
            ids = self._kind.scheduled_ids(by_ref.get(item.reply_ref, []))
            if ids:
                item.job_ids = ids
                claimed.update(ids)
                found.append(item)
            else:
                left.append((item, row))
        if left:
            recent: list[_Listed] = []
            names: set[str | None] = {n for n in self._accounts if n is not None}
            names |= {i.account for i, _ in left if i.account is not None}
            try:
                for name in sorted(names, key=str) or [None]:
                    recent += await self._kind.recent(self._mm, name)
            except APIError as exc:
                for item, _ in left:
                    await self._emit(item, None, _unverified(item, exc))
                left = []
            for item, row in left:
                verdict = self._judge(item, row, recent, claimed)
                if isinstance(verdict, tuple):
                    item.job_ids = verdict
                    claimed.update(verdict)
                    found.append(item)
                elif verdict is None:
                    log.info(
                        "batch: replyRef %s was not found upstream; sending it again",
                        item.reply_ref,
                    )
                    self._queue(item)
                else:
                    await self._emit(item, None, verdict)
        if self._journal is not None:
            for item in found:
                await self._journal.submitted(item)
        return found

    def _judge(
        self, item: _Item, row: _Row, recent: list[_Listed], claimed: set[str]
    ) -> tuple[str, ...] | JobCreationUnknownError | None:
        """The job ids to adopt, None (surely never created: resend), or the error to report."""
        wanted = self._kind.file_ids(item.params)
        alike = [
            listed
            for listed in recent
            if listed.matches(item.params, wanted) and not set(listed.ids) & claimed
        ]
        marked = row.updated_at - _CLOCK_SKEW
        new = [a for a in alike if a.created is not None and a.created >= marked]
        unknown_age = [a for a in alike if a.created is None]
        if not new and not unknown_age:
            return None
        if len(new) == 1 and not unknown_age:
            return new[0].ids
        shown = ", ".join(a.ids[0] for a in (new + unknown_age)[:5])
        why = (
            f"{len(new)} jobs created since"
            if len(new) > 1
            else "jobs whose creation time the listing does not show"
        )
        return JobCreationUnknownError(
            f"request {item.index} may have been created before the previous run stopped: its "
            f"replyRef {item.reply_ref!r} is no longer in GET scheduler, and the recent list has "
            f"{why} with the same parameters ({shown}); not sending it again and not guessing "
            "which one is it",
            reply_ref=item.reply_ref,
        )


def _parsed(canonical: str) -> Mapping[str, Any]:
    try:
        value = json.loads(canonical)
    except ValueError:
        return {"request": canonical}
    return value if isinstance(value, dict) else {"request": value}


async def _open_journal(journal: str | os.PathLike[str] | JournalFactory) -> BatchJournal:
    """The journal ``journal=`` names: a PostgreSQL URL or config (shared), else sqlite."""
    if isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresJournal

        journal = PostgresJournal(journal)
    if isinstance(journal, JournalFactory):
        return await journal.open_worker()
    return await _Journal.open(journal)


def _unverified(item: _Item, cause: BaseException) -> JobCreationUnknownError:
    return JobCreationUnknownError(
        f"request {item.index} may have been created before the previous run stopped, and it "
        f"could not be looked for ({type(cause).__name__}: {cause}); not sending it again "
        f"(replyRef {item.reply_ref!r})",
        reply_ref=item.reply_ref,
        cause=cause,
    )


def _unwrap(error: BaseException | None) -> BaseException | None:
    """The one error inside (nested) task-group exception groups, else ``error`` itself."""
    while error is not None and hasattr(error, "split"):  # an exception group (3.10: backport)
        inner: Sequence[BaseException] = getattr(error, "exceptions", ())
        if len(inner) != 1:
            break
        error = inner[0]
    return error


def _as_exception(error: BaseException) -> Exception:
    return error if isinstance(error, Exception) else RuntimeError(str(error))


# -- the public iterator -----------------------------------------------------------------------


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


def new_batch(
    mm: BatchClient,
    kind: _Kind[T],
    requests: Iterable[Mapping[str, Any] | BatchRequest],
    *,
    concurrency: int | None,
    journal: str | os.PathLike[str] | JournalFactory | None,
    timeout: float | None,
    poll_interval: float | None,
    reply_url: str | None,
    hold_pause: float,
) -> Batch[T]:
    """Check the arguments (nothing is sent) and build the :class:`Batch`."""
    from ._polling import check_wait_args

    check_wait_args(timeout, poll_interval)
    if concurrency is not None and (
        isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
    ):
        raise ValueError(f"concurrency={concurrency!r} is not valid; allowed: an int >= 1, or None")
    if (
        isinstance(hold_pause, bool)
        or not isinstance(hold_pause, (int, float))
        or not hold_pause > 0
    ):
        raise ValueError(f"hold_pause={hold_pause!r} is not valid; allowed: seconds > 0")
    if journal is not None and not isinstance(journal, (str, os.PathLike, JournalFactory)):
        raise TypeError(
            f"journal={journal!r} is not valid; allowed: a path, a postgresql:// URL, "
            "a PostgresJournal, or None"
        )
    if isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://")):
        from .postgres._connect import asyncpg_module

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
        reply_url=reply_url,
        hold_pause=float(hold_pause),
    )
    return Batch(engine)
