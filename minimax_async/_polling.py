"""The generic poll loop behind every ``wait_for_*`` and ``watch_*`` helper.

Schedule: first poll after 2 s, then x1.5 each time, capped at 10 s, each delay jittered by
+-20 % (so thousands of waits started together spread out); ``poll_interval=`` a number for a
fixed interval. Deadlines use anyio's monotonic clock. Transient errors (connection errors,
timeouts, 5xx, 429, unreadable bodies) never end a wait: they are retried on the schedule until
the deadline, but they are never silent: the first failed poll logs a WARNING (then at most one
a minute while they keep failing), each one is passed to the wait's ``on_error`` hook, and a
deadline reached while they fail raises :class:`WaitTimeoutError` with the last of them as
``last_error`` and ``__cause__``. Authentication failures (401/403) end a wait at once. A 404
after the job was seen once means it was moderated and removed (final); a 404 before it was ever
seen is retried (logged at INFO) for a :data:`NOT_FOUND_GRACE` window of 10 s (new jobs can take
a moment to become visible), then raised. Cancelling the waiting task sends no further request.

A :class:`WakeUp` (``JobSpec.wake``) ends the current delay early: a hint (a ``replyUrl``
callback) that the job may have changed. The poll it triggers decides; the hint never does.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import random
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import anyio
import anyio.lowlevel
import attrs

# typing.TypedDict cannot be generic before 3.11: typing_extensions' can (WaitOptions[Video]).
from typing_extensions import TypedDict

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

if TYPE_CHECKING:
    from .models.videos import Video  # noqa: F401 (named in a quoted base: WaitOptions["Video"])

__all__ = [
    "ErrorCallback",
    "JobSpec",
    "PollOptions",
    "PollSchedule",
    "PollState",
    "WakeRegistry",
    "VideoWaitOptions",
    "WaitOptions",
    "WakeUp",
    "WatchVideoOptions",
    "check_job_kind",
    "check_wait_args",
    "poll_snapshots",
    "wait_until_final",
    "wake_registry",
]

T = TypeVar("T")
Outcome = Literal["running", "completed", "failed", "moderated"]

log = logging.getLogger("minimax_async")

#: Seconds a job never seen may answer 404 before the wait gives up (ARCHITECTURE said 30 s;
#: issue 13 shortened it: a wrong id must not look like a slow job for half a minute).
NOT_FOUND_GRACE = 10.0
#: While polls keep failing, a WARNING at most this often (seconds).
FAILURE_LOG_INTERVAL = 60.0
ErrorCallback = Callable[[Exception], Any]
#: How long the best-effort ``cancel_on_timeout`` call may take.
CANCEL_ON_TIMEOUT_LIMIT = 5.0


class PollOptions(TypedDict, total=False):
    """The keywords of every wait and watch helper; an absent one takes the helper's default.

    ``timeout``: seconds before :class:`WaitTimeoutError` (None: wait forever; each helper
    names its default). ``poll_interval``: fixed seconds between polls (default: 2 s growing
    x1.5 to 10 s). ``on_error``: called (sync or async) with the error of each failed poll the
    wait survives (the API unreachable, a 5xx...): the wait goes on, but not blind.
    """

    timeout: float | None
    poll_interval: float | None
    on_error: ErrorCallback | None


class WaitOptions(PollOptions, Generic[T], total=False):
    """:class:`PollOptions` of the ``wait_for_*`` and ``generate_*`` helpers.

    ``on_progress``: called (sync or async) with each new snapshot. ``raise_on_failure``:
    False returns failed and moderated jobs instead of raising (default True).
    """

    on_progress: Callable[[T], Any] | None
    raise_on_failure: bool


class WatchVideoOptions(PollOptions, total=False):
    """``watch_video``'s keywords. ``cancel_on_timeout``: on timeout, also make one bounded
    ``videos.cancel`` (default False)."""

    cancel_on_timeout: bool


class VideoWaitOptions(WaitOptions["Video"], WatchVideoOptions, total=False):
    """``wait_for_video``'s keywords (and ``generate_video``'s, next to the create ones)."""


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


class _Failures:
    """The polls failing in a row: logged (a WARNING, then at most one a minute), passed to
    ``on_error``, and kept for the :class:`WaitTimeoutError` of a deadline they reach."""

    def __init__(
        self, name: str, on_error: ErrorCallback | None, clock: Callable[[], float]
    ) -> None:
        self._name = name
        self._on_error = on_error
        self._clock = clock
        self._logged_at = -float("inf")
        self.last: Exception | None = None
        self.count = 0

    async def failed(self, exc: Exception) -> None:
        self.last = exc
        self.count += 1
        now = self._clock()
        if now - self._logged_at >= FAILURE_LOG_INTERVAL:
            self._logged_at = now
            log.warning(
                "%s: poll failed (%s: %s); still waiting, retrying (%d failed in a row)",
                self._name,
                type(exc).__name__,
                exc,
                self.count,
            )
        await _call(self._on_error, exc)

    def answered(self) -> bool:
        """A poll got an answer; True when polls were failing until now."""
        recovered = self.last is not None
        if recovered:
            log.info("%s: the API answers again after %d failed polls", self._name, self.count)
        self.last, self.count, self._logged_at = None, 0, -float("inf")
        return recovered


@attrs.define
class PollState:
    """What a poll loop learnt besides its snapshots."""

    #: The job answered 404 after being seen: moderated and removed (the last yield is final).
    removed: bool = False


_KIND_MARKERS = {"video": "-video:", "image": "-image:"}


def check_job_kind(name: str, job_id: str, kind: Literal["video", "image"]) -> None:
    """Refuse an id of the other kind now (ids carry ``-video:`` / ``-image:``): polling it
    would only 404 until the grace window ends.

    Raises:
        ValueError: ``job_id`` is an id of the other kind.
    """
    other = "image" if kind == "video" else "video"
    if isinstance(job_id, str) and _KIND_MARKERS[other] in job_id:
        raise ValueError(
            f"{name}={job_id!r} is not valid: it is an {other} id (it carries "
            f"{_KIND_MARKERS[other]!r}); allowed: a {kind} id ('...{_KIND_MARKERS[kind]}...'). "
            f"Wait for {other}s with wait_for_{other}."
        )


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
    on_error: ErrorCallback | None = None,
) -> AsyncGenerator[T, None]:
    """Yield each new snapshot of a job (status or progress changed), ending at the final one.

    With a ``watcher`` and a ``spec.watch_id``, the job is checked through the client's shared
    ``GET scheduler`` read while other waits are in flight (see :mod:`._watcher`); ``observed``
    (someone looks at every snapshot) makes the watcher refresh it now and then. ``on_error``
    (sync or async) is called with the error of each failed poll the wait survives.

    Raises:
        WaitTimeoutError: ``timeout`` seconds passed first; carries the last snapshot and, when
            the polls were failing, ``last_error``.
        NotFoundError: the job was never seen and still 404s after the grace window.
        AuthenticationError: the token was refused (waiting will not help).
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
    # The wait's age: real time, or the delays slept when the sleep seam is faster (tests).
    slept = 0.0

    def age() -> float:
        return max(anyio.current_time() - started, slept)

    failures = _Failures(spec.name, on_error, age)

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
            removed = recovered = False
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
                slept += delay
                try:
                    snapshot = await spec.fetch()
                except NotFoundError:
                    failures.answered()
                    if last is not None:
                        snapshot, removed = spec.removed(last), True
                    elif reg is not None and reg.seen and spec.placeholder is not None:
                        # Listed by the scheduler before: seen, so removed (as after a GET).
                        snapshot, removed = spec.removed(spec.placeholder()), True
                    elif age() >= NOT_FOUND_GRACE:
                        raise
                    else:
                        log.info(
                            "%s: 404 before it was ever seen; retrying for up to %g s",
                            spec.name,
                            NOT_FOUND_GRACE,
                        )
                except Exception as exc:
                    if not _is_transient(exc):
                        raise
                    await failures.failed(exc)
                else:
                    # After failures, the next snapshot is shown even if unchanged: whoever
                    # displays "unreachable" learns that it answers again.
                    recovered = failures.answered()
            if scope.cancelled_caught:
                timed_out = True
            if snapshot is not None:
                last = snapshot
                key = spec.change_key(snapshot)
                final = removed or spec.outcome(snapshot) != "running"
                state.removed = removed
                if reg is not None:
                    reg.fetched(notice, running=not final)
                if key != last_key or final or recovered:
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
                error = failures.last
                message = f"{spec.name} was not final after {timeout:g} s"
                if error is not None:
                    message += (
                        f"; its polls were failing (unreachable, not slow): the last "
                        f"{failures.count} failed, the last with {type(error).__name__}: {error}"
                    )
                raise WaitTimeoutError(message, result=last, last_error=error) from error
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
    on_error: ErrorCallback | None = None,
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
        on_error=on_error,
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
