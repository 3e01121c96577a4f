"""The shared watcher: one ``GET scheduler`` per poll interval for all of a client's job waits.

``GET scheduler`` lists every video and image job the API is still running (an image's id is under
``imageId``, ``videoId`` or both: the documents show each, and both are read). When a client has two
or more video/image waits in flight, their poll loops stop fetching their jobs one by one: each
hands its schedule to the watcher and awaits a *notice*. The watcher sleeps until the earliest wait
is due (but rounds are never closer than the longest delay of the waits' schedules, 10 s by default:
waits that join all the time, as in a pipeline, join the next round instead of adding rounds for
their early polls), reads the scheduler once, and:

* a job still listed is still running: its wait goes on waiting (no request of its own), and its
  schedule moves on as if it had polled;
* a job that left the list (or that was never listed and is due) gets a ``LEFT`` notice: its wait
  fetches it once (``GET videos/{id}``). If that job is not final after all, and it had been
  listed before (or it was missed twice), the wait falls back to polling on its own: the job is
  not tracked by the scheduler (``DELETE scheduler/{id}``, created elsewhere);
* ``REFRESH``: a wait with an ``on_progress`` callback (or a ``watch_video``) is fetched once at
  its first due tick and then every :data:`PROGRESS_REFRESH` seconds, so progress is not frozen;
  a wait whose deadline is less than two intervals (and at least :data:`DEADLINE_REFRESH`
  seconds) away is fetched once, so a timeout carries a snapshot about as recent as the per-job
  loop's;
* ``POLL``: the watcher cannot tell (the scheduler read failed, the client is closing, or only one
  wait is left): the wait fetches its job itself.

A single wait in flight never involves the watcher: it polls exactly as before. The watcher task
is started by the first wait that needs it and ends when no wait needs it any more (the last
wait to leave cancels it and waits for it); ``aclose()`` stops it too. A scheduler read that
fails (after the client's own retries) hands every wait back to its own polling for
:data:`FAILURE_COOLDOWN` seconds. Deadlines, cancellation, the 404 rules and transient errors stay
with each wait's own loop (:mod:`._polling`): the watcher only decides when a wait fetches.
"""

from __future__ import annotations

import asyncio
import json
import json.scanner
import logging
import math
import re
from collections.abc import Awaitable, Callable, Collection
from typing import Any, Final, Literal

import anyio

__all__ = [
    "FAILURE_COOLDOWN",
    "PROGRESS_REFRESH",
    "Notice",
    "Registration",
    "SharedWatcher",
    "scheduler_ids",
]

log = logging.getLogger("minimax_async")

Notice = Literal["left", "poll", "refresh"]

#: A wait that reports progress is fetched at least this often (seconds).
PROGRESS_REFRESH = 30.0
#: The least time before a wait's deadline its last fetch is asked for: the fetch must come back
#: before the deadline cancels it, even on a busy loop with very short poll intervals.
DEADLINE_REFRESH = 0.25
#: After a failed scheduler read, waits poll on their own for this long (seconds).
FAILURE_COOLDOWN = 60.0

# A round with 10,000 waits reads a ~1 MB list and judges 10,000 registrations: done in one
# step, that blocks the event loop for tens of ms. Both are cut into slices of about a
# millisecond, with a yield to the loop between two slices.
#: Characters of the scheduler list parsed between two yields (64 Ki: about 500 entries).
_PARSE_SLICE: Final = 64 * 1024
#: Registrations judged between two yields.
_WALK_SLICE: Final = 500

# The stdlib's JSON value scanner (what ``json.loads`` runs), called one list entry at a time.
_scan_value: Final[Callable[[str, int], tuple[Any, int]]] = json.scanner.make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed types the argument oddly
)
_SPACE: Final = re.compile(r"[ \t\n\r]*")


def _skip(text: str, pos: int) -> int:
    """Where the JSON whitespace at ``pos`` ends."""
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _add_ids(item: object, ids: set[str]) -> None:
    # An image's id is under ``imageId``, ``videoId`` or both: the documents show each.
    if isinstance(item, dict):
        for key in ("videoId", "imageId"):
            value = item.get(key)
            if isinstance(value, str):
                ids.add(value)


async def scheduler_ids(raw: bytes) -> set[str]:
    """The job ids a ``GET scheduler`` body lists, parsed an entry at a time.

    The stdlib's parser reads one list entry per call (so the entries' dicts are dropped as
    soon as their ids are taken), and the loop gets a turn every :data:`_PARSE_SLICE`
    characters. Anything but a UTF-8 JSON list is parsed whole by ``json.loads``, which says
    what is wrong with it.

    Raises:
        ValueError: The body is not JSON.
        TypeError: It is JSON, but not a list.
    """
    ids: set[str] = set()
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        text = ""
    pos = _skip(text, 0)
    if text[pos : pos + 1] != "[":
        items = json.loads(raw)  # raises when it is not JSON (a BOM, UTF-16: still read)
        if not isinstance(items, list):
            raise TypeError(f"GET scheduler answered a {type(items).__name__}, not a list")
        for item in items:
            _add_ids(item, ids)
        return ids
    pos = _skip(text, pos + 1)
    if text[pos : pos + 1] == "]":
        end = pos + 1
    else:
        sliced = pos
        while True:
            try:
                item, pos = _scan_value(text, pos)
            except StopIteration:
                raise ValueError(f"GET scheduler answered invalid JSON at char {pos}") from None
            _add_ids(item, ids)
            pos = _skip(text, pos)
            mark = text[pos : pos + 1]
            if mark == "]":
                end = pos + 1
                break
            if mark != ",":
                raise ValueError(f"GET scheduler answered invalid JSON at char {pos}")
            pos = _skip(text, pos + 1)
            if pos - sliced > _PARSE_SLICE:
                sliced = pos
                await asyncio.sleep(0)
    if text[_skip(text, end) :]:
        raise ValueError(f"GET scheduler answered invalid JSON: extra data at char {end}")
    return ids


class Registration:
    """One wait's place in the watcher: its job id, schedule and what the scheduler told."""

    __slots__ = (
        "cap",
        "deadline",
        "delays",
        "due",
        "fallback",
        "future",
        "interval",
        "job_id",
        "last_fetch",
        "misses",
        "observed",
        "refreshed_for_deadline",
        "seen",
        "wait_seq",
        "watcher",
    )

    def __init__(
        self,
        watcher: SharedWatcher,
        job_id: str,
        delays: Callable[[], float],
        deadline: float,
        observed: bool,
        cap: float,
    ) -> None:
        self.watcher = watcher
        self.job_id = job_id
        self.delays = delays
        self.deadline = deadline
        self.observed = observed
        #: The longest delay of its schedule: rounds are never closer than the smallest one.
        self.cap = cap
        #: Listed by a scheduler read at least once.
        self.seen = False
        #: Times a fetch after ``LEFT`` found the job still running.
        self.misses = 0
        #: Polls on its own from now on (the job is not tracked by the scheduler).
        self.fallback = False
        self.due = math.inf
        self.interval = 0.0
        self.last_fetch = -math.inf if observed else 0.0
        self.refreshed_for_deadline = False
        self.future: asyncio.Future[Notice] | None = None
        self.wait_seq = 0

    def shared(self) -> bool:
        """Whether the next poll goes through the watcher (else: the wait's own sleep + fetch)."""
        return not self.fallback and self.watcher._sharing()

    async def wait(self) -> Notice:
        """Hand the next poll to the watcher; return what it says to do (then fetch the job)."""
        watcher = self.watcher
        self.interval = self.delays()
        self.due = anyio.current_time() + self.interval
        watcher._seq += 1
        self.wait_seq = watcher._seq
        future: asyncio.Future[Notice] = asyncio.get_running_loop().create_future()
        self.future = future
        watcher._waiting[self] = None
        watcher._kick(self.due)
        try:
            return await future
        finally:
            self.future = None
            watcher._waiting.pop(self, None)

    def notify(self, notice: Notice) -> None:
        """Wake the wait with ``notice`` (it leaves the waiting set at once)."""
        future = self.future
        self.watcher._waiting.pop(self, None)
        if future is not None and not future.done():
            future.set_result(notice)

    def fetched(self, notice: Notice | None, running: bool) -> None:
        """Record a fetch the wait made; ``running``: the job was not final."""
        self.last_fetch = anyio.current_time()
        if notice == "left" and running:
            # Not in the scheduler, yet not final: not tracked there (or not listed yet).
            self.misses += 1
            if (self.seen or self.misses >= 2) and not self.fallback:
                self.fallback = True
                self.watcher._eligible -= 1


class SharedWatcher:
    """Reads ``GET scheduler`` for every video/image wait of a client (and its copies).

    Args:
        fetch_ids: reads the scheduler; returns the ids of the jobs it lists.
        sleep: the client's sleep (looked up at each call: tests replace it).
    """

    def __init__(
        self,
        fetch_ids: Callable[[], Awaitable[Collection[str]]],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._fetch_ids = fetch_ids
        self._sleep = sleep
        self._count = 0  # registrations
        self._eligible = 0  # registrations that may share (not fallen back)
        self._waiting: dict[Registration, None] = {}
        self._seq = 0
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._sleep_scope: anyio.CancelScope | None = None
        self._planned = math.inf
        self._disabled_until = -math.inf
        self._last_read = -math.inf
        self.closed = False
        #: Scheduler reads made (for tests and benchmarks).
        self.reads = 0

    # -- registrations ---------------------------------------------------------------------

    def register(
        self,
        job_id: str,
        delays: Callable[[], float],
        deadline: float,
        observed: bool,
        *,
        cap: float = 0.0,
    ) -> Registration:
        """A wait on ``job_id`` begins; :meth:`release` it when it ends, however it ends.

        ``delays`` is its poll schedule and ``cap`` that schedule's longest delay.
        """
        self._count += 1
        self._eligible += 1
        return Registration(self, job_id, delays, deadline, observed, cap)

    async def release(self, reg: Registration) -> None:
        """The wait of ``reg`` ended. The last one out stops the watcher task."""
        self._waiting.pop(reg, None)
        self._count -= 1
        if not reg.fallback:
            self._eligible -= 1
        reg.fallback = True  # a released registration never counts again
        task = self._task
        if task is None:
            return
        if self._count == 0:
            await self._stop(task)
        elif self._wake is not None:
            self._wake.set()  # it may have nothing left to do

    async def aclose(self) -> None:
        """Stop the watcher task; every wait still waiting fetches its job itself."""
        self.closed = True
        task = self._task
        if task is not None:
            await self._stop(task)
        for reg in list(self._waiting):
            reg.notify("poll")

    @property
    def running(self) -> bool:
        """Whether the watcher task exists."""
        return self._task is not None

    # -- internals -------------------------------------------------------------------------

    def _sharing(self) -> bool:
        return (
            self._eligible >= 2 and not self.closed and anyio.current_time() >= self._disabled_until
        )

    def _kick(self, due: float) -> None:
        """A wait started waiting (due at ``due``): start the task, or make it look again."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="minimax_async shared watcher"
            )
        elif self._sleep_scope is not None and due < self._planned:
            self._sleep_scope.cancel()
        elif self._wake is not None:
            self._wake.set()

    async def _stop(self, task: asyncio.Task[None]) -> None:
        if task is asyncio.current_task():
            return
        task.cancel()
        # Wait for it to end, so that no task outlives the last wait (it ends at once: nothing
        # it does on cancellation awaits).
        with anyio.CancelScope(shield=True):
            await asyncio.wait({task})

    async def _run(self) -> None:
        wake = self._wake = asyncio.Event()
        try:
            while True:
                wake.clear()
                if not self._waiting:
                    if self._eligible < 2 or self.closed:
                        return
                    await wake.wait()
                    continue
                target = min(reg.due for reg in self._waiting)
                spacing = min(reg.cap for reg in self._waiting)
                if self._sharing():
                    # Rounds at least one longest delay apart: new waits (2 s, 3 s, ... into
                    # their schedules) join the next round instead of adding rounds of their own.
                    target = max(target, self._last_read + spacing)
                delay = target - anyio.current_time()
                if delay > 0:
                    with anyio.CancelScope() as scope:
                        self._sleep_scope, self._planned = scope, target
                        try:
                            await self._sleep(delay)
                        finally:
                            self._sleep_scope, self._planned = None, math.inf
                    if scope.cancelled_caught:
                        continue  # a wait due earlier arrived: look again
                try:
                    await self._tick(target, spacing)
                except Exception:  # a bug must not leave waits hanging: they poll alone
                    log.exception("shared watcher failed; waits poll their jobs one by one")
                    self._disabled_until = anyio.current_time() + FAILURE_COOLDOWN
                    return  # ``finally`` hands every waiting wait back
        finally:
            self._task = None
            self._wake = None
            for reg in list(self._waiting):
                reg.notify("poll")  # never leave a wait hanging

    async def _tick(self, target: float, spacing: float) -> None:
        """One round: read the scheduler once and tell each waiting job what to do."""
        if not self._sharing():
            # Nothing to share (one wait left, closing, or after a failure): due waits poll.
            ref = max(anyio.current_time(), target)
            for reg in list(self._waiting):
                if reg.due <= ref + 0.5 * reg.interval:
                    reg.notify("poll")
            return
        sent = self._seq
        self.reads += 1
        self._last_read = anyio.current_time()
        try:
            ids = await self._fetch_ids()
        except Exception as exc:  # any failure: waits poll on their own
            log.info(
                "GET scheduler failed (%s); waits poll their jobs one by one for %g s",
                type(exc).__name__,
                FAILURE_COOLDOWN,
            )
            self._disabled_until = anyio.current_time() + FAILURE_COOLDOWN
            return  # the next round hands every wait back at its due time
        now = anyio.current_time()
        ref = max(now, target)
        waiting = self._waiting
        for index, reg in enumerate(list(waiting)):
            if index and not index % _WALK_SLICE:
                # A turn for the loop: meanwhile waits may end or start again (then they are
                # not in ``waiting`` any more, or have a later ``wait_seq``: skipped below).
                await asyncio.sleep(0)
            if reg.wait_seq > sent or reg not in waiting:
                continue  # began waiting after the read was sent: judged next round
            due = reg.due <= ref + 0.5 * reg.interval
            if reg.job_id in ids:
                reg.seen = True
                if not due:
                    continue
                if reg.observed and now - reg.last_fetch >= PROGRESS_REFRESH:
                    reg.notify("refresh")
                elif not reg.refreshed_for_deadline and reg.deadline <= now + max(
                    2 * reg.interval, 2 * spacing, DEADLINE_REFRESH
                ):
                    # The next round may come after the deadline: fetch it now, so that a
                    # timeout carries a recent snapshot (as the per-job loop's last poll).
                    reg.refreshed_for_deadline = True
                    reg.notify("refresh")
                else:
                    reg.interval = reg.delays()
                    reg.due = now + reg.interval
            elif due or reg.seen:
                reg.notify("left")
