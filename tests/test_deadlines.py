"""``_deadlines.Deadlines``: the one loop-wide timer behind the read/total deadlines of calls.

The unit tests drive a real event loop with tasks that sleep (or wait on a future) while
watched; the integration tests run ``AsyncMiniMax`` against a real aiohttp server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    APIError,
    APITimeoutError,
    AsyncMiniMax,
    JobCreationUnknownError,
    Timeout,
    Video,
)
from minimax_async._deadlines import GRANULARITY, Deadlines, Watch

#: How late (beyond GRANULARITY) a deadline may land on a busy test machine.
SLACK = 0.25

needs_cancelling = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="Task.cancelling()/uncancel() are 3.11+"
)


# -- unit: a real loop, watched tasks that sleep ------------------------------------------------


class Attempt:
    """A task that registers a deadline, then sleeps, like one API call attempt does."""

    def __init__(self, deadlines: Deadlines, delay: float, sleep: float = 5.0) -> None:
        self.deadlines = deadlines
        self.delay = delay
        self.sleep = sleep
        self.watch: Watch | None = None
        self.started = self.ended = 0.0
        self.cancelled = False
        self.claimed: bool | None = None
        self.cancelling_after_claim: int | None = None
        self.task = asyncio.create_task(self._run())

    @classmethod
    async def begin(cls, deadlines: Deadlines, delay: float, sleep: float = 5.0) -> Attempt:
        attempt = cls(deadlines, delay, sleep)
        await asyncio.sleep(0)  # let it register its watch
        assert attempt.watch is not None
        return attempt

    async def _run(self) -> None:
        loop = self.deadlines.loop
        self.started = loop.time()
        self.watch = self.deadlines.start(self.delay)
        try:
            await asyncio.sleep(self.sleep)
        except asyncio.CancelledError:
            self.cancelled = True
            self.claimed = self.watch.claim()
            if sys.version_info >= (3, 11):
                task = asyncio.current_task()
                assert task is not None
                self.cancelling_after_claim = task.cancelling()
            if not self.claimed:
                raise
        finally:
            self.ended = loop.time()
            self.watch.stop()

    @property
    def elapsed(self) -> float:
        return self.ended - self.started

    async def finished(self) -> None:
        await asyncio.wait([self.task])


def expire_now(deadlines: Deadlines, watch: Watch) -> None:
    """Make ``watch`` due (a deadline already past) and run the timer's callback right now."""
    watch.restart(0.0, until=deadlines.loop.time() - 1.0)
    deadlines._fire()


def timers_of(deadlines: Deadlines) -> list[asyncio.TimerHandle]:
    """The loop's scheduled timer handles (cancelled ones included) that call ``_fire``."""
    scheduled = getattr(deadlines.loop, "_scheduled", None)
    if scheduled is None:  # pragma: no cover - not asyncio's own loop
        pytest.skip("needs asyncio's BaseEventLoop")
    return [h for h in scheduled if getattr(h, "_callback", None) == deadlines._fire]


async def sleep_until(when: float) -> None:
    await asyncio.sleep(max(0.0, when - asyncio.get_running_loop().time()))


async def test_expired_task_is_cancelled_and_claims() -> None:
    """A task still waiting at its deadline is cancelled then, and the deadline claims it."""
    deadlines = Deadlines(asyncio.get_running_loop())
    attempt = await Attempt.begin(deadlines, 0.1)
    assert len(deadlines) == 1
    await attempt.finished()
    assert attempt.cancelled
    assert attempt.claimed is True
    assert attempt.watch is not None
    assert attempt.watch.expired
    assert not attempt.task.cancelled()  # claimed: the attempt went on as a timeout
    assert 0.1 <= attempt.elapsed < 0.1 + GRANULARITY + SLACK
    assert len(deadlines) == 0
    assert deadlines._buckets == {}
    if sys.version_info >= (3, 11):
        # uncancel()ed: no stale cancellation request left to confuse asyncio.timeout & co.
        assert attempt.cancelling_after_claim == 0


async def test_stopped_watch_never_cancels() -> None:
    """``stop()`` before the deadline: the task sleeps past it untouched; nothing is left."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    watches: list[Watch] = []

    async def body() -> None:
        watch = deadlines.start(0.1)
        watches.append(watch)
        await asyncio.sleep(0.03)
        watch.stop()
        await asyncio.sleep(0.1 + GRANULARITY + 0.1)  # well past the old deadline

    task = asyncio.create_task(body())
    await asyncio.wait([task])
    assert not task.cancelled()
    assert task.exception() is None
    assert not watches[0].expired
    assert len(deadlines) == 0
    # The timer has passed the old bucket: no bucket, queue entry or timer is left behind.
    assert deadlines._buckets == {}
    assert deadlines._heap == []
    assert deadlines._queued == set()
    assert deadlines._timer is None
    assert [h for h in timers_of(deadlines) if not h.cancelled()] == []


async def test_restart_later_moves_the_deadline() -> None:
    """A later deadline: nothing happens at the first one, the task is cancelled at the new one."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    attempt = await Attempt.begin(deadlines, 0.1)
    assert attempt.watch is not None
    await sleep_until(attempt.started + 0.05)
    attempt.watch.restart(0.2)
    new_deadline = loop.time() + 0.2
    # Past the first deadline (and its bucket's rounding): still running, still watched.
    await sleep_until(attempt.started + 0.1 + GRANULARITY + 0.03)
    assert not attempt.task.done()
    assert not attempt.watch.expired
    assert len(deadlines) == 1
    await attempt.finished()
    assert attempt.claimed is True
    assert new_deadline <= attempt.ended < new_deadline + GRANULARITY + SLACK
    assert len(deadlines) == 0


@pytest.mark.parametrize(
    "moves",
    [
        pytest.param([(5.0, 0.1)], id="until-earlier"),
        pytest.param([(0.1, None)], id="delay-earlier"),
        pytest.param([(5.0, None), (0.1, None)], id="later-then-earlier"),
    ],
)
async def test_restart_earlier_cancels_earlier(moves: list[tuple[float, float | None]]) -> None:
    """A deadline moved earlier (``until`` or a shorter delay) cancels at the earlier time,
    also after a later move was recorded for lazy application."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    attempt = await Attempt.begin(deadlines, 1.0)
    assert attempt.watch is not None
    await asyncio.sleep(0.05)
    expected = 0.0
    for delay, until_in in moves:
        now = loop.time()
        until = None if until_in is None else now + until_in
        attempt.watch.restart(delay, until)
        expected = now + (delay if until_in is None else until_in)
    await attempt.finished()
    assert attempt.claimed is True
    assert expected <= attempt.ended < expected + GRANULARITY + SLACK
    assert attempt.elapsed < 1.0
    assert len(deadlines) == 0


async def test_each_task_expires_at_its_own_time() -> None:
    """Tasks with different deadlines (two sharing a bucket) expire each at its time, in order."""
    deadlines = Deadlines(asyncio.get_running_loop())
    delays = [0.3, 0.05, 0.15, 0.05]
    attempts = [Attempt(deadlines, d) for d in delays]
    await asyncio.sleep(0)
    assert len(deadlines) == 4
    await asyncio.wait([a.task for a in attempts])
    for attempt in attempts:
        assert attempt.claimed is True
        assert attempt.delay <= attempt.elapsed < attempt.delay + GRANULARITY + SLACK
    by_end = sorted(attempts, key=lambda a: a.ended)
    assert [a.delay for a in by_end] == sorted(delays)
    fast, _, mid, slow = by_end
    assert fast.ended < mid.ended < slow.ended
    assert len(deadlines) == 0
    assert deadlines._buckets == {}


@needs_cancelling
async def test_external_cancel_after_expiry_wins() -> None:
    """The deadline fired, then somebody else cancelled the task before it resumed: the
    cancellation is theirs too, so ``claim()`` is False (and leaves their request in place)."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    future: asyncio.Future[None] = loop.create_future()
    seen: dict[str, Any] = {}

    async def body() -> None:
        watch = deadlines.start(0.05)
        seen["watch"] = watch
        try:
            await future
        except asyncio.CancelledError:
            seen["claimed"] = watch.claim()
            task = asyncio.current_task()
            assert task is not None
            if sys.version_info >= (3, 11):
                seen["cancelling"] = task.cancelling()
            raise
        finally:
            watch.stop()

    task = asyncio.create_task(body())
    await asyncio.sleep(0)
    watch: Watch = seen["watch"]
    give_up = loop.time() + 2.0
    # One loop iteration at a time (not an Event: the point is to run right after the timer).
    while not watch.expired and loop.time() < give_up:  # noqa: ASYNC110
        await asyncio.sleep(0)
    assert watch.expired
    assert "claimed" not in seen  # the watched task has not resumed yet
    task.cancel()
    await asyncio.wait([task])
    assert task.cancelled()
    assert seen["claimed"] is False
    assert seen["cancelling"] == 1  # the external request is still pending
    assert len(deadlines) == 0


@needs_cancelling
async def test_external_cancel_before_expiry_wins() -> None:
    """Somebody cancels the task, and its deadline expires before it resumes: not claimed."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    attempt = await Attempt.begin(deadlines, 5.0)
    assert attempt.watch is not None
    watch = attempt.watch

    def both() -> None:
        attempt.task.cancel()
        expire_now(deadlines, watch)

    loop.call_soon(both)
    await attempt.finished()
    assert watch.expired
    assert attempt.claimed is False
    assert attempt.task.cancelled()
    assert len(deadlines) == 0


async def test_external_cancel_without_expiry_is_not_claimed() -> None:
    """A task cancelled by somebody else while its deadline is far: ``claim()`` is False."""
    deadlines = Deadlines(asyncio.get_running_loop())
    attempt = await Attempt.begin(deadlines, 5.0)
    await asyncio.sleep(0.05)
    attempt.task.cancel()
    await attempt.finished()
    assert attempt.task.cancelled()
    assert attempt.claimed is False
    assert attempt.watch is not None
    assert not attempt.watch.expired
    assert len(deadlines) == 0


async def test_busy_start_stop_keeps_bookkeeping_small() -> None:
    """20,000 attempts with the same 60 s deadline, each ending quickly: no bucket is left,
    one queue entry per 25 ms that passed, and one pending timer (never re-armed)."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    began = loop.time()
    for i in range(20_000):
        deadlines.start(60.0).stop()
        if i % 500 == 499:
            await asyncio.sleep(0.002)
    elapsed = loop.time() - began
    assert len(deadlines) == 0
    assert deadlines._buckets == {}
    assert len(deadlines._heap) == len(deadlines._queued) == len(set(deadlines._heap))
    assert len(deadlines._heap) <= 60.0 / GRANULARITY + 4
    assert len(deadlines._heap) <= elapsed / GRANULARITY + 2
    mine = timers_of(deadlines)
    assert [h for h in mine if not h.cancelled()] == [deadlines._timer]
    assert len(mine) <= 2  # no re-arming churn


async def test_busy_start_stop_across_timer_firings() -> None:
    """Short deadlines the timer keeps passing: the queue stays a few buckets long and is
    empty (no timer left) once the last deadline has passed."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    longest_queue = 0
    for i in range(20_000):
        deadlines.start(0.05).stop()
        if i % 200 == 199:
            await asyncio.sleep(0.002)
            longest_queue = max(longest_queue, len(deadlines._heap))
    assert longest_queue <= 0.05 / GRANULARITY + 4
    await asyncio.sleep(0.05 + 2 * GRANULARITY + 0.05)
    assert deadlines._buckets == {}
    assert deadlines._heap == []
    assert deadlines._queued == set()
    assert deadlines._timer is None
    assert [h for h in timers_of(deadlines) if not h.cancelled()] == []


async def test_expiry_while_the_task_is_about_to_resume() -> None:
    """The awaited future completes, and in the same loop callback the deadline fires before
    the task has resumed: the CancelledError still lands at that await, and is claimed."""
    loop = asyncio.get_running_loop()
    deadlines = Deadlines(loop)
    future: asyncio.Future[str] = loop.create_future()
    seen: dict[str, Any] = {}

    async def body() -> None:
        watch = deadlines.start(5.0)
        seen["watch"] = watch
        try:
            seen["value"] = await future
        except asyncio.CancelledError:
            seen["claimed"] = watch.claim()
        finally:
            watch.stop()

    task = asyncio.create_task(body())
    await asyncio.sleep(0)
    watch: Watch = seen["watch"]

    def race() -> None:
        future.set_result("answer")  # the task is now scheduled to resume, no longer blocked
        expire_now(deadlines, watch)

    loop.call_soon(race)
    await asyncio.wait([task])
    assert future.done()
    assert future.result() == "answer"
    assert "value" not in seen
    assert seen["claimed"] is True
    assert watch.expired
    assert not task.cancelled()
    assert len(deadlines) == 0


# -- integration: AsyncMiniMax against a real aiohttp server -----------------------------------

TOKEN = "test-token-0123456789abcdef"
PREFIX = "/v1/minimax"
VIDEO = {"id": "v1", "videoId": "user:1-minimax:2-video:v1", "status": 2, "percent": 100}
VIDEO_BYTES = json.dumps(VIDEO).encode()

Step = Callable[["Backend", web.Request], Awaitable[web.StreamResponse]]


class Backend:
    """``GET videos/{id}``: hit n is answered by step n (the last step repeats)."""

    def __init__(self, steps: tuple[Step, ...]) -> None:
        self.steps = steps
        self.hits = 0
        self.release = asyncio.Event()  # set at teardown: stalled handlers end
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        step = self.steps[min(self.hits, len(self.steps)) - 1]
        return await step(self, request)

    async def stall(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.release.wait(), seconds)


async def answer(backend: Backend, request: web.Request) -> web.StreamResponse:
    return web.json_response(VIDEO)


async def silent(backend: Backend, request: web.Request) -> web.StreamResponse:
    """Sends nothing for 5 s."""
    await backend.stall(5.0)
    return web.json_response(VIDEO)


async def stalled_body(backend: Backend, request: web.Request) -> web.StreamResponse:
    """Sends the headers and part of the JSON, then nothing for 5 s."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(VIDEO_BYTES[:10])
    await backend.stall(5.0)
    return response


def in_parts(headers_after: float, body_after: float) -> Step:
    async def step(backend: Backend, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(headers_after)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(VIDEO_BYTES[:10])
        await asyncio.sleep(body_after)
        await response.write(VIDEO_BYTES[10:])
        await response.write_eof()
        return response

    return step


def delayed(seconds: float) -> Step:
    async def step(backend: Backend, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return web.json_response(VIDEO)

    return step


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Backend]]]:
    backends: list[Backend] = []
    servers: list[TestServer] = []

    async def start(*steps: Step) -> Backend:
        backend = Backend(steps)
        app = web.Application()
        app.router.add_get(f"{PREFIX}/videos/{{video_id}}", backend.handle)
        server = TestServer(app)
        await server.start_server()
        backend.url = str(server.make_url(PREFIX))
        backends.append(backend)
        servers.append(server)
        return backend

    yield start
    for backend in backends:
        backend.release.set()
    for server in servers:
        await server.close()


def client(backend: Backend, timeout: Timeout, max_retries: int = 0) -> AsyncMiniMax:
    return AsyncMiniMax(TOKEN, base_url=backend.url, timeout=timeout, max_retries=max_retries)


def assert_no_watches(mm: AsyncMiniMax) -> None:
    deadlines = mm._holder.deadlines()
    assert len(deadlines) == 0
    assert deadlines._buckets == {}


@pytest.mark.parametrize(
    ("step", "message"),
    [
        # No headers within ``read``.
        (silent, "waiting for the answer"),
        # Headers in, then the body stalls for longer than ``read``.
        (stalled_body, "reading the answer"),
    ],
)
async def test_silent_server_times_out(serve: Any, step: Step, message: str) -> None:
    """Nothing for ``read`` seconds, before or after the headers: APITimeoutError, on time."""
    backend = await serve(step)
    async with client(backend, Timeout(connect=5, read=0.2)) as mm:
        began = time.monotonic()
        with pytest.raises(APITimeoutError, match=message):
            await mm.videos.retrieve("v1")
        elapsed = time.monotonic() - began
        assert_no_watches(mm)
    assert 0.2 <= elapsed < 1.0
    assert backend.hits == 1


async def test_read_starts_again_for_the_body(serve: Any) -> None:
    """Headers after 0.15 s, the rest after 0.15 s more, read=0.25: each wait is within
    ``read`` though the whole answer is not, so the call succeeds."""
    backend = await serve(in_parts(0.15, 0.15))
    async with client(backend, Timeout(connect=5, read=0.25)) as mm:
        began = time.monotonic()
        video = await mm.videos.retrieve("v1")
        elapsed = time.monotonic() - began
        assert_no_watches(mm)
    assert isinstance(video, Video)
    assert video.video_id == VIDEO["videoId"]
    assert elapsed >= 0.3  # longer than one ``read``: the body had a ``read`` of its own


@pytest.mark.parametrize("step", [silent, stalled_body], ids=["headers", "body"])
async def test_total_bounds_a_stalled_call(serve: Any, step: Step) -> None:
    """``Timeout(total=0.3, read=5)``: the call ends at its total, retries allowed or not, also
    when the headers came in time (restarting ``read`` for the body keeps the total)."""
    backend = await serve(step)
    async with client(backend, Timeout(connect=5, read=5, total=0.3), max_retries=2) as mm:
        began = time.monotonic()
        with pytest.raises(APITimeoutError):
            await mm.videos.retrieve("v1")
        elapsed = time.monotonic() - began
        assert_no_watches(mm)
    assert 0.3 <= elapsed < 1.0
    assert backend.hits == 1


@pytest.mark.parametrize("step", [silent, stalled_body], ids=["headers", "body"])
async def test_caller_cancellation_is_not_a_timeout(serve: Any, step: Step) -> None:
    """The caller cancels the call mid-request: CancelledError, not APITimeoutError."""
    backend = await serve(step)
    async with client(backend, Timeout(connect=5, read=5)) as mm:
        task = asyncio.create_task(mm.videos.retrieve("v1"))
        await asyncio.sleep(0.1)
        assert not task.done()
        task.cancel()
        began = time.monotonic()
        await asyncio.wait([task])
        assert time.monotonic() - began < 1.0
        assert task.cancelled()
        assert_no_watches(mm)
    assert backend.hits == 1


def _wait_for(call: Awaitable[Video]) -> Awaitable[Video]:
    return asyncio.wait_for(call, 0.1)


async def _timeout(call: Awaitable[Video]) -> Video:
    async with asyncio.timeout(0.1):  # type: ignore[attr-defined,unused-ignore]
        return await call


@pytest.mark.parametrize(
    "scope",
    [
        pytest.param(_wait_for, id="wait_for"),
        pytest.param(
            _timeout,
            id="asyncio.timeout",
            marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="3.11+"),
        ),
    ],
)
async def test_enclosing_timeout_is_not_swallowed(
    serve: Any, scope: Callable[[Awaitable[Video]], Awaitable[Video]]
) -> None:
    """An enclosing deadline shorter than ``read`` raises the enclosing scope's TimeoutError."""
    backend = await serve(silent)
    async with client(backend, Timeout(connect=5, read=5)) as mm:
        began = time.monotonic()
        with pytest.raises(asyncio.TimeoutError) as info:
            await scope(mm.videos.retrieve("v1"))
        elapsed = time.monotonic() - began
        assert_no_watches(mm)
    assert type(info.value) is asyncio.TimeoutError
    assert not isinstance(info.value, APIError)
    assert 0.1 <= elapsed < 1.0
    if sys.version_info >= (3, 11):
        task = asyncio.current_task()
        assert task is not None
        assert task.cancelling() == 0


async def test_many_concurrent_calls_without_spurious_timeouts(serve: Any) -> None:
    """300 concurrent calls to a fast server with read=0.5 all succeed; no watch is left.
    (0.5 s: one loop serves and reads all 300 here, which takes a slow machine 0.1-0.2 s.)"""
    backend = await serve(answer)
    async with client(backend, Timeout(connect=5, read=0.5)) as mm:
        results = await asyncio.gather(
            *(mm.videos.retrieve("v1") for _ in range(300)), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == []
        assert all(isinstance(r, Video) for r in results)
        assert_no_watches(mm)
    assert backend.hits == 300


async def test_get_retried_after_read_timeout(serve: Any) -> None:
    """A GET whose first attempt times out is sent again, and the second answer is returned."""
    backend = await serve(silent, answer)
    async with client(backend, Timeout(connect=5, read=0.2), max_retries=1) as mm:
        video = await mm.videos.retrieve("v1")
        assert_no_watches(mm)
    assert isinstance(video, Video)
    assert video.video_id == VIDEO["videoId"]
    assert backend.hits == 2


async def test_wait_for_a_pooled_connection_is_not_read_time(serve: Any) -> None:
    """101 concurrent calls, 100 connections, each answer 0.3 s after its request: every
    request is answered within read=0.5 of being sent, so none times out, although the
    101st waits 0.3 s for a connection first (the read clock starts when the connection is
    the call's, as aiohttp's ``sock_read`` does; counted from the call, the 101st would take
    0.6 s). The 0.2 s margin absorbs a slow machine serving 100 answers at once."""
    backend = await serve(delayed(0.3))
    async with client(backend, Timeout(connect=5, read=0.5)) as mm:
        results = await asyncio.gather(
            *(mm.videos.retrieve("v1") for _ in range(101)), return_exceptions=True
        )
        assert_no_watches(mm)
    assert [r for r in results if isinstance(r, BaseException)] == []


async def test_deadline_in_the_connection_queue_is_not_an_unknown_create() -> None:
    """A create whose deadline passes while every pooled connection is busy was never sent:
    a plain APITimeoutError (not JobCreationUnknownError), nothing looked up, no POST seen."""
    release = asyncio.Event()
    seen = {"get": 0, "post": 0, "scheduler": 0}

    async def hold(request: web.Request) -> web.StreamResponse:
        seen["get"] += 1
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(release.wait(), 5.0)
        return web.json_response(VIDEO)

    async def create(request: web.Request) -> web.StreamResponse:
        seen["post"] += 1
        return web.json_response({"videoId": "user:1-minimax:2-video:v2"})

    async def scheduler(request: web.Request) -> web.StreamResponse:
        seen["scheduler"] += 1
        return web.json_response([])

    app = web.Application()
    app.router.add_get(f"{PREFIX}/videos/{{video_id}}", hold)
    app.router.add_post(f"{PREFIX}/videos/create", create)
    app.router.add_get(f"{PREFIX}/scheduler", scheduler)
    server = TestServer(app)
    await server.start_server()
    try:
        async with AsyncMiniMax(
            TOKEN, base_url=str(server.make_url(PREFIX)), timeout=Timeout(connect=5, read=5)
        ) as mm:
            holders = [asyncio.create_task(mm.videos.retrieve("v1")) for _ in range(100)]
            for _ in range(200):
                if seen["get"] == 100:
                    break
                await asyncio.sleep(0.02)
            assert seen["get"] == 100  # every connection of the pool is busy now
            hurried = mm.with_options(timeout=Timeout(connect=5, read=5, total=0.3))
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as info:
                await hurried.videos.create(prompt="a cat", model="T2V-01")
            assert time.monotonic() - started < 2.0
            assert not isinstance(info.value, JobCreationUnknownError)
            assert "free connection" in str(info.value)
            release.set()
            assert all(isinstance(v, Video) for v in await asyncio.gather(*holders))
            assert_no_watches(mm)
    finally:
        release.set()
        await server.close()
    assert seen["post"] == 0
    assert seen["scheduler"] == 0


# -- the clock: the stdlib loop's read directly, any other loop's own ------------------------


class _OffsetLoop(asyncio.SelectorEventLoop):
    """A loop whose clock is not ``time.monotonic`` (as uvloop's or a test clock's may not be)."""

    def time(self) -> float:
        return super().time() + 1000.0


async def test_stdlib_loop_clock_is_read_directly() -> None:
    """On asyncio's own loop ``loop.time()`` is ``time.monotonic()``: Deadlines calls that."""
    deadlines = Deadlines(asyncio.get_running_loop())
    assert deadlines._now is time.monotonic


def test_a_loop_with_its_own_clock_is_timed_by_it() -> None:
    """A read deadline on a loop whose clock is 1000 s ahead of ``time.monotonic`` fires after
    its 0.2 s, not at once (it would if the deadline were taken from the wrong clock)."""
    loop = _OffsetLoop()

    async def scenario() -> float:
        deadlines = Deadlines(loop)
        assert deadlines._now == loop.time
        started = time.monotonic()
        task = asyncio.current_task()
        watch = deadlines.start(0.2, connecting=True)
        deadlines.connected(task)
        deadlines.restart(watch)  # both of the clock's readers in the request path
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            assert watch.claim()
        finally:
            watch.stop()
        return time.monotonic() - started

    try:
        elapsed = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert 0.2 <= elapsed < 0.2 + GRANULARITY + SLACK
