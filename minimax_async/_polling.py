"""The generic poll loop behind every ``wait_for_*`` and ``watch_*`` helper.

Schedule: first poll after 2 s, then x1.5 each time, capped at 10 s, each delay jittered by
+-20 % (so thousands of waits started together spread out); ``poll_interval=`` a number for a
fixed interval. Deadlines use anyio's monotonic clock. Transient errors (connection errors,
timeouts, 5xx, 429, unreadable bodies) never end a wait: they are retried on the schedule until
the deadline. A 404 after the job was seen once means it was moderated and removed (final); a
404 before it was ever seen is retried for a 30 s grace window (new jobs can take a moment to
become visible), then raised. Cancelling the waiting task sends no further request.

A :class:`WakeUp` (``JobSpec.wake``) ends the current delay early: a hint (a ``replyUrl``
callback) that the job may have changed. The poll it triggers decides; the hint never does.
"""

from __future__ import annotations

import contextlib
import inspect
import random
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from typing import Any, Generic, Literal, TypeVar

import anyio
import anyio.lowlevel
import attrs

from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    GenerationFailedError,
    GenerationModeratedError,
    NotFoundError,
    ResponseDecodeError,
    ServerError,
    WaitTimeoutError,
)
from ._watcher import Notice, Registration, SharedWatcher

__all__ = [
    "JobSpec",
    "PollSchedule",
    "PollState",
    "WakeRegistry",
    "WakeUp",
    "check_wait_args",
    "poll_snapshots",
    "wait_until_final",
    "wake_registry",
]

T = TypeVar("T")
Outcome = Literal["running", "completed", "failed", "moderated"]

NOT_FOUND_GRACE = 30.0
#: How long the best-effort ``cancel_on_timeout`` call may take.
CANCEL_ON_TIMEOUT_LIMIT = 5.0


@attrs.frozen
class PollSchedule:
    """Delays between polls: ``first`` x ``factor`` up to ``cap``, +-``jitter`` (a fraction)."""

    first: float = 2.0
    factor: float = 1.5
    cap: float = 10.0
    jitter: float = 0.2

    @classmethod
    def fixed(cls, interval: float) -> PollSchedule:
        """Every ``interval`` seconds, no growth, no jitter."""
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
            raise ValueError(
                f"poll_interval={interval!r} is not valid; allowed: a positive number of "
                "seconds, or None for the default schedule"
            )
        return cls(first=float(interval), factor=1.0, cap=float(interval), jitter=0.0)

    def delays(self) -> Callable[[], float]:
        """A function giving the next delay each time it is called."""
        return _Delays(self)


class _Delays:
    def __init__(self, schedule: PollSchedule) -> None:
        self._schedule = schedule
        self._next = schedule.first

    def __call__(self) -> float:
        s = self._schedule
        base = self._next
        self._next = min(s.cap, self._next * s.factor)
        return base * random.uniform(1 - s.jitter, 1 + s.jitter) if s.jitter else base


class WakeUp:
    """Ends the current (or next) poll delay of every wait on one job: "poll it now".

    ``generation`` counts the hints; a poll loop that saw it move since its last fetch began
    polls at once. Only a delay is cut short: the poll that follows decides, and the schedule
    goes on as before.
    """

    __slots__ = ("__weakref__", "_scopes", "generation")

    def __init__(self) -> None:
        self._scopes: set[anyio.CancelScope] = set()
        self.generation = 0

    def set(self) -> None:
        """Wake every wait on the job (safe from any task of the event loop)."""
        self.generation += 1
        for scope in list(self._scopes):
            scope.cancel()

    async def pause(
        self, sleep: Callable[[float], Awaitable[None]], delay: float, seen: int
    ) -> None:
        """``sleep(delay)``, ended early by :meth:`set`; no wait if a hint came after ``seen``."""
        if self.generation != seen:
            return
        with anyio.CancelScope() as scope:
            self._scopes.add(scope)
            try:
                await sleep(delay)
            finally:
                self._scopes.discard(scope)


class WakeRegistry:
    """Job id -> the :class:`WakeUp` of the waits in flight on it (held weakly: a finished
    wait leaves nothing behind)."""

    def __init__(self) -> None:
        self._by_id: weakref.WeakValueDictionary[str, WakeUp] = weakref.WeakValueDictionary()

    def get(self, job_id: str) -> WakeUp:
        """The WakeUp for ``job_id``, shared by every wait on it."""
        wake = self._by_id.get(job_id)
        if wake is None:
            wake = self._by_id[job_id] = WakeUp()
        return wake

    def notify(self, job_id: str) -> bool:
        """Wake the waits on ``job_id``; False when none is in flight."""
        wake = self._by_id.get(job_id)
        if wake is None:
            return False
        wake.set()
        return True


_REGISTRIES: weakref.WeakKeyDictionary[Any, WakeRegistry] = weakref.WeakKeyDictionary()


def wake_registry(owner: Any) -> WakeRegistry:
    """The registry of ``owner`` (a client's session holder, shared with its copies)."""
    registry = _REGISTRIES.get(owner)
    if registry is None:
        registry = _REGISTRIES[owner] = WakeRegistry()
    return registry


@attrs.frozen
class JobSpec(Generic[T]):
    """How to poll one kind of job: fetch it, classify it, notice a change, name it."""

    name: str
    fetch: Callable[[], Awaitable[T]]
    outcome: Callable[[T], Outcome]
    change_key: Callable[[T], Hashable]
    #: Build the "removed" snapshot when a job seen before answers 404 (moderated, removed).
    removed: Callable[[T], T]
    cancel: Callable[[], Awaitable[None]] | None = None
    #: Hints that end a delay early (``AsyncMiniMax.notify_job_update``); None: none.
    wake: WakeUp | None = None
    #: The id ``GET scheduler`` lists the job under (videos, images); None: not listed there.
    watch_id: str | None = None
    #: A bare snapshot naming the job, for a job only ever seen in the scheduler that then
    #: answers 404 (removed): the "last snapshot" to mark removed.
    placeholder: Callable[[], T] | None = None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (APIConnectionError, ResponseDecodeError, ServerError)):
        return True
    return isinstance(exc, APIStatusError) and exc.status_code in (408, 429)


async def _call(callback: Callable[[T], Any] | None, value: T) -> None:
    if callback is None:
        return
    result = callback(value)
    if inspect.isawaitable(result):
        await result


@attrs.define
class PollState:
    """What a poll loop learnt besides its snapshots."""

    #: The job answered 404 after being seen: moderated and removed (the last yield is final).
    removed: bool = False


def check_wait_args(timeout: float | None, poll_interval: float | None) -> PollSchedule:
    """Validate a wait's ``timeout`` and ``poll_interval``; return its schedule.

    Raises:
        ValueError: either is not a positive number (or None).
    """
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0
    ):
        raise ValueError(f"timeout={timeout!r} is not valid; allowed: seconds > 0, or None")
    return PollSchedule.fixed(poll_interval) if poll_interval is not None else PollSchedule()


async def poll_snapshots(
    spec: JobSpec[T],
    *,
    timeout: float | None,
    poll_interval: float | None = None,
    cancel_on_timeout: bool = False,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    state: PollState | None = None,
    watcher: SharedWatcher | None = None,
    observed: bool = True,
) -> AsyncGenerator[T, None]:
    """Yield each new snapshot of a job (status or progress changed), ending at the final one.

    With a ``watcher`` and a ``spec.watch_id``, the job is checked through the client's shared
    ``GET scheduler`` read while other waits are in flight (see :mod:`._watcher`); ``observed``
    (someone looks at every snapshot) makes the watcher refresh it now and then.

    Raises:
        WaitTimeoutError: ``timeout`` seconds passed first; carries the last snapshot.
        NotFoundError: the job was never seen and still 404s after the grace window.
    """
    schedule = check_wait_args(timeout, poll_interval)
    delays = schedule.delays()
    started = anyio.current_time()
    deadline = float("inf") if timeout is None else started + timeout
    state = state if state is not None else PollState()
    last: T | None = None
    last_key: Hashable = object()
    timed_out = False
    wake = spec.wake
    seen = wake.generation if wake is not None else 0
    reg: Registration | None = None
    if watcher is not None and spec.watch_id is not None:
        reg = watcher.register(spec.watch_id, delays, deadline, observed, cap=schedule.cap)
    notice: Notice | None = None
    pause: Callable[[float], Awaitable[None]]

    async def through_watcher(_: float) -> None:
        nonlocal notice
        assert reg is not None
        notice = await reg.wait()

    try:
        if reg is not None:
            # Waits started together (gather, a task group) all register before any decides
            # whether it is alone.
            await anyio.lowlevel.checkpoint()
        while True:
            snapshot: T | None = None
            removed = False
            notice = None
            with anyio.CancelScope(deadline=deadline) as scope:
                # The first poll too comes after the first delay (or a wake-up hint).
                if reg is not None and reg.shared():
                    # The watcher tells when to fetch ("poll" stays if a hint cuts it short).
                    pause, delay, notice = through_watcher, 0.0, "poll"
                else:
                    pause, delay = sleep, delays()
                if wake is None:
                    await pause(delay)
                else:
                    await wake.pause(pause, delay, seen)
                    seen = wake.generation
                try:
                    snapshot = await spec.fetch()
                except NotFoundError:
                    if last is not None:
                        snapshot, removed = spec.removed(last), True
                    elif reg is not None and reg.seen and spec.placeholder is not None:
                        # Listed by the scheduler before: seen, so removed (as after a GET).
                        snapshot, removed = spec.removed(spec.placeholder()), True
                    elif anyio.current_time() - started >= NOT_FOUND_GRACE:
                        raise
                except Exception as exc:
                    if not _is_transient(exc):
                        raise
            if scope.cancelled_caught:
                timed_out = True
            if snapshot is not None:
                last = snapshot
                key = spec.change_key(snapshot)
                final = removed or spec.outcome(snapshot) != "running"
                state.removed = removed
                if reg is not None:
                    reg.fetched(notice, running=not final)
                if key != last_key or final:
                    last_key = key
                    yield snapshot
                if final:
                    return
            if timed_out or anyio.current_time() >= deadline:
                if cancel_on_timeout and spec.cancel is not None:
                    # Best effort and bounded: the caller asked us to stop the job on our way out.
                    with (
                        anyio.CancelScope(shield=True),
                        anyio.move_on_after(CANCEL_ON_TIMEOUT_LIMIT),
                        contextlib.suppress(Exception),
                    ):
                        await spec.cancel()
                raise WaitTimeoutError(
                    f"{spec.name} was not final after {timeout:g} s",
                    result=last,
                )
    finally:
        if reg is not None:
            await watcher.release(reg)  # type: ignore[union-attr]


async def wait_until_final(
    spec: JobSpec[T],
    *,
    timeout: float | None,
    poll_interval: float | None = None,
    on_progress: Callable[[T], Any] | None = None,
    raise_on_failure: bool = True,
    cancel_on_timeout: bool = False,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    watcher: SharedWatcher | None = None,
) -> T:
    """Poll until the job is final; return it, or raise for failed and moderated jobs.

    With a ``watcher``, ``on_progress`` fires on the changes the wait sees: between the
    watcher's refreshes (every ``PROGRESS_REFRESH`` s) a running job's percent is not re-read.
    """
    last: T | None = None
    state = PollState()
    snapshots = poll_snapshots(
        spec,
        timeout=timeout,
        poll_interval=poll_interval,
        cancel_on_timeout=cancel_on_timeout,
        sleep=sleep,
        state=state,
        watcher=watcher,
        observed=on_progress is not None,
    )
    async with contextlib.aclosing(snapshots):  # ends the wait's registration at once
        async for snapshot in snapshots:
            last = snapshot
            await _call(on_progress, snapshot)
    assert last is not None  # poll_snapshots ends only after yielding a final snapshot
    if state.removed:
        if raise_on_failure:
            raise GenerationModeratedError(
                f"{spec.name} was moderated and removed (404 after it was seen)", result=last
            )
        return last
    outcome = spec.outcome(last)
    if raise_on_failure and outcome == "failed":
        raise GenerationFailedError(f"{spec.name} failed", result=last)
    if raise_on_failure and outcome == "moderated":
        raise GenerationModeratedError(f"{spec.name} was moderated", result=last)
    return last
