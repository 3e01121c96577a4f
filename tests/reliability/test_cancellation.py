"""Cancelling a call at any point frees its connection, leaves no task behind, and no job is
touched: mid-request, mid-upload, mid-download, mid-stream and mid-wait.

After each cancellation the client's connector must hold no connection
(``session.connector._acquired`` empty), no task may be left pending besides the test's own
and the emulator's request handlers, and (for waits) nothing is sent afterwards: the remote job
is left running, neither cancelled nor deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import pytest

from minimax_async import AsyncMiniMax, Timeout
from minimax_async._polling import PollSchedule
from minimax_async.testing import Emulator, run_emulator
from minimax_async.testing._media import png_bytes

from ._support import fast_client, settle, wait_until

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SLOW = 0.05  # real seconds between the pieces of a slow body


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=0, seed=11, max_jobs=10) as emulator:
        emulator.faults.slow_body_delay = SLOW
        emulator.faults.slow_body_pieces = 200  # about 10 s: always cut short by the test
        yield emulator


@pytest.fixture
async def mm(emu: Emulator) -> AsyncIterator[AsyncMiniMax]:
    async with fast_client(emu, timeout=Timeout(connect=5, read=30, total=None)) as client:
        yield client


def sent(emu: Emulator, route: str) -> int:
    return sum(1 for r in emu.state.requests if r.route == route)


async def cancel_when(
    call: Awaitable[Any], ready: Callable[[], bool], *, settle_for: float = 0.05
) -> None:
    """Run ``call`` in a task, cancel it once ``ready()`` holds, and expect the cancellation."""
    task = asyncio.ensure_future(call)
    try:
        await wait_until(lambda: ready() or task.done())
        assert not task.done(), f"the call ended before it could be cancelled: {task!r}"
        await asyncio.sleep(settle_for)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def assert_clean(mm: AsyncMiniMax, baseline: set[asyncio.Task[Any]]) -> None:
    busy, left = await settle(mm, baseline)
    assert busy == 0, "a connection is still acquired after the cancellation"
    assert left == [], f"tasks left pending: {left}"


def baseline_tasks() -> set[asyncio.Task[Any]]:
    return set(asyncio.all_tasks())


# -- mid-request --------------------------------------------------------------------------------


async def test_cancel_mid_request(emu: Emulator, mm: AsyncMiniMax) -> None:
    """A GET whose answer trickles in is cancelled half-way through the body."""
    video_id = (await mm.videos.create(prompt="a quiet harbour at dawn")).video_id
    assert video_id is not None
    baseline = baseline_tasks()
    emu.faults.add("GET /videos/{videoId}", "slow_body")
    await cancel_when(mm.videos.retrieve(video_id), lambda: sent(emu, "GET /videos/{videoId}") == 1)
    await assert_clean(mm, baseline)
    # The client is still usable, and its connection pool is too.
    assert (await mm.videos.retrieve(video_id)).video_id == video_id
    await assert_clean(mm, baseline)


async def test_cancel_mid_create_leaves_the_job_alone(emu: Emulator, mm: AsyncMiniMax) -> None:
    """A create cancelled while its answer trickles: the job stays, nothing else is sent."""
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/create", "slow_body")
    await cancel_when(
        mm.videos.create(prompt="a quiet harbour at dawn", reply_ref="cancel-create"),
        lambda: sent(emu, "POST /videos/create") == 1,
    )
    await assert_clean(mm, baseline)
    before = len(emu.state.requests)
    await asyncio.sleep(0.1)
    assert len(emu.state.requests) == before  # no reconcile, no resend after the cancel
    (video,) = emu.state.videos.values()
    assert video.reply_ref == "cancel-create"
    assert video.running(emu.state.now())


async def test_timeout_mid_request_via_anyio(emu: Emulator, mm: AsyncMiniMax) -> None:
    """An enclosing anyio deadline cancels a slow answer the same way."""
    video_id = (await mm.videos.create(prompt="a quiet harbour at dawn")).video_id
    assert video_id is not None
    baseline = baseline_tasks()
    emu.faults.add("GET /videos/{videoId}", "slow_body")
    with anyio.move_on_after(0.3) as scope:
        await mm.videos.retrieve(video_id)
    assert scope.cancelled_caught
    await assert_clean(mm, baseline)


# -- mid-upload ---------------------------------------------------------------------------------


class SlowSource:
    """An async iterable of PNG bytes that trickles out and records how it ended."""

    def __init__(self, pieces: int = 400, delay: float = 0.01) -> None:
        self.data = png_bytes(64, 64)
        self.pieces = pieces
        self.delay = delay
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            yield self.data
            for _ in range(self.pieces):
                await asyncio.sleep(self.delay)
                self.sent += 1
                yield b"\0" * 1024
        finally:
            self.closed = True


async def test_cancel_mid_upload(emu: Emulator, mm: AsyncMiniMax) -> None:
    """An upload cancelled while its body is being sent: connection freed, source closed."""
    baseline = baseline_tasks()
    source = SlowSource()
    await cancel_when(mm.files.upload(source), lambda: source.sent >= 5)
    await assert_clean(mm, baseline)
    assert source.sent < source.pieces
    await wait_until(lambda: source.closed, within=2.0)
    assert emu.state.files == {}


async def test_cancel_mid_upload_of_a_file(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    """A file upload cancelled while the answer trickles: connection freed, file closed."""
    path = tmp_path / "pic.png"
    path.write_bytes(png_bytes(64, 64))
    baseline = baseline_tasks()
    emu.faults.add("POST /files", "slow_body")
    await cancel_when(mm.files.upload(path), lambda: sent(emu, "POST /files") == 1)
    await assert_clean(mm, baseline)


# -- mid-download -------------------------------------------------------------------------------


async def completed_video(emu: Emulator, mm: AsyncMiniMax) -> Any:
    job = await mm.videos.create(prompt="a quiet harbour at dawn")
    assert job.video_id is not None
    emu.advance(3600)
    video = await mm.videos.retrieve(job.video_id)
    assert video.status == 2
    return video


async def test_cancel_mid_download(emu: Emulator, mm: AsyncMiniMax, tmp_path: pathlib.Path) -> None:
    """A download cancelled half-way: connection freed, no file at the destination."""
    video = await completed_video(emu, mm)
    baseline = baseline_tasks()
    emu.faults.add("GET /media/{path}", "slow_body", times=None)
    dest = tmp_path / "out.mp4"
    await cancel_when(
        mm.download(video, dest),
        lambda: sent(emu, "GET /media/{path}") >= 1,
        settle_for=0.2,
    )
    await assert_clean(mm, baseline)
    assert not dest.exists()
    # What arrived is kept for a resume, and the resume completes the file.
    emu.faults.clear()
    assert await mm.download(video, dest) == dest
    assert dest.stat().st_size > 0
    assert not (tmp_path / "out.mp4.part").exists()
    await assert_clean(mm, baseline)


# -- mid-stream ---------------------------------------------------------------------------------


async def test_cancel_mid_stream(emu: Emulator, mm: AsyncMiniMax) -> None:
    """An agent stream stalled after its first events, cancelled: connection freed."""
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/agent-create", "stall_sse")
    seen: list[Any] = []

    async def consume() -> None:
        async with mm.stream_agent(
            template_id="1122334455667788", prompt="a neon city", idle_timeout=30
        ) as stream:
            async for event in stream:
                seen.append(event)

    await cancel_when(consume(), lambda: len(seen) >= 2)
    await assert_clean(mm, baseline)
    assert len(emu.state.videos) == 1


async def test_break_out_of_a_stream(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Leaving a bare ``async for`` over a stream early frees the connection at once."""
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/agent-create", "stall_sse")
    async for event in mm.stream_agent(template_id="1122334455667788", prompt="a neon city"):
        assert event.video_id
        break
    await assert_clean(mm, baseline)


async def test_break_out_of_a_stream_in_async_with(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Leaving ``async with`` early frees the connection although the stream is still named."""
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/agent-create", "stall_sse")
    async with mm.stream_agent(template_id="1122334455667788", prompt="a neon city") as stream:
        async for event in stream:
            assert event.video_id
            break
    await assert_clean(mm, baseline)
    assert stream.video_id is not None


async def test_cancel_while_opening_a_stream(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Cancelled before the stream's answer arrives at all (the create is slow)."""
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/agent-create", "stall_sse")
    emu.faults.clear()
    emu.faults.add("POST /videos/agent-create", "slow_body")

    async def consume() -> None:
        async with mm.stream_agent(template_id="1122334455667788", prompt="a neon city") as s:
            async for _ in s:
                pass

    await cancel_when(consume(), lambda: sent(emu, "POST /videos/agent-create") == 1)
    await assert_clean(mm, baseline)


# -- mid-wait -----------------------------------------------------------------------------------


async def running_video(mm: AsyncMiniMax) -> str:
    job = await mm.videos.create(prompt="a quiet harbour at dawn", reply_ref="wait-ref")
    assert job.video_id is not None
    return job.video_id


@pytest.mark.parametrize("cancel_on_timeout", [False, True])
async def test_cancel_mid_wait_sleeping(
    emu: Emulator, mm: AsyncMiniMax, cancel_on_timeout: bool
) -> None:
    """Cancelled between polls: nothing is sent afterwards, the job keeps running."""
    video_id = await running_video(mm)
    mm._sleep = anyio.sleep  # real (short) sleeps between polls
    baseline = baseline_tasks()
    polls = lambda: sent(emu, "GET /videos/{videoId}")  # noqa: E731
    await cancel_when(
        mm.wait_for_video(
            video_id, poll_interval=0.02, timeout=60, cancel_on_timeout=cancel_on_timeout
        ),
        lambda: polls() >= 3,
        settle_for=0.01,
    )
    # A poll written just before the cancellation may reach the emulator's log a little later
    # on a loaded machine: count from when the connections are settled, then watch for more
    # (an uncancelled wait would poll every 20 ms).
    await assert_clean(mm, baseline)
    after = len(emu.state.requests)
    await asyncio.sleep(0.15)
    assert len(emu.state.requests) == after, "a request was sent after the cancellation"
    assert sent(emu, "POST /videos/cancel") == 0
    assert emu.state.videos[next(iter(emu.state.videos))].running(emu.state.now())


async def test_cancel_mid_wait_polling(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Cancelled while a poll's answer trickles in: connection freed, nothing sent after."""
    video_id = await running_video(mm)
    baseline = baseline_tasks()
    emu.faults.add("GET /videos/{videoId}", "slow_body", times=None)
    await cancel_when(
        mm.wait_for_video(video_id, timeout=60, cancel_on_timeout=True),
        lambda: sent(emu, "GET /videos/{videoId}") >= 1,
    )
    after = len(emu.state.requests)
    await asyncio.sleep(0.15)
    assert len(emu.state.requests) == after
    await assert_clean(mm, baseline)
    assert sent(emu, "POST /videos/cancel") == 0
    assert sent(emu, "DELETE /videos/{videoId}") == 0


async def test_cancel_watch_iterator(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Leaving ``watch_video`` early sends nothing more."""
    video_id = await running_video(mm)
    mm._sleep = anyio.sleep
    baseline = baseline_tasks()
    watcher = mm.watch_video(video_id, poll_interval=0.01, timeout=60)
    async for _snapshot in watcher:
        break
    await watcher.aclose()  # type: ignore[attr-defined]
    after = len(emu.state.requests)
    await asyncio.sleep(0.1)
    assert len(emu.state.requests) == after
    await assert_clean(mm, baseline)


async def test_cancel_generate_video_mid_wait(emu: Emulator, mm: AsyncMiniMax) -> None:
    """``generate_video`` cancelled after the create: one job, left running, nothing after."""
    mm._sleep = anyio.sleep
    baseline = baseline_tasks()
    await cancel_when(
        mm.generate_video(prompt="a quiet harbour at dawn", poll_interval=0.02, timeout=60),
        lambda: sent(emu, "GET /videos/{videoId}") >= 2,
        settle_for=0.01,
    )
    after = len(emu.state.requests)
    await asyncio.sleep(0.1)
    assert len(emu.state.requests) == after
    await assert_clean(mm, baseline)
    assert len(emu.state.videos) == 1
    assert sent(emu, "POST /videos/cancel") == 0


async def test_many_cancellations_leave_the_pool_empty(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Fifty concurrent slow calls, all cancelled at once: nothing acquired, nothing pending."""
    video_id = await running_video(mm)
    baseline = baseline_tasks()
    emu.faults.add("GET /videos/{videoId}", "slow_body", times=None)
    tasks = [asyncio.ensure_future(mm.videos.retrieve(video_id)) for _ in range(50)]
    await wait_until(lambda: sent(emu, "GET /videos/{videoId}") >= 50)
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    await assert_clean(mm, baseline)


def test_poll_schedule_is_importable() -> None:
    # The waits above rely on poll_interval= giving a fixed schedule.
    assert PollSchedule.fixed(0.02).first == 0.02


# -- mid-reconcile and mid-back-off ------------------------------------------------------------


async def test_cancel_while_reconciling(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Cancelled between two scheduler checks after a 502: no more checks, no resend."""
    mm._sleep = anyio.sleep  # the 3 s between checks really waits
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/create", "502")
    await cancel_when(
        mm.videos.create(prompt="a quiet harbour at dawn"),
        lambda: sent(emu, "GET /scheduler") == 1,
    )
    after = len(emu.state.requests)
    await asyncio.sleep(0.1)
    assert len(emu.state.requests) == after
    assert sent(emu, "POST /videos/create") == 1
    assert emu.state.videos == {}
    await assert_clean(mm, baseline)


async def test_cancel_during_a_scheduler_check(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Cancelled while a scheduler check's answer trickles in: connection freed."""
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/create", "504_after_accept")
    emu.faults.add("GET /scheduler", "slow_body")
    await cancel_when(
        mm.videos.create(prompt="a quiet harbour at dawn"),
        lambda: sent(emu, "GET /scheduler") == 1,
    )
    await assert_clean(mm, baseline)
    assert sent(emu, "POST /videos/create") == 1
    assert len(emu.state.videos) == 1  # made by the first attempt, left alone


async def test_cancel_during_a_429_back_off(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Cancelled while waiting 10-30 s after a create's 429: never resent."""
    mm._sleep = anyio.sleep
    baseline = baseline_tasks()
    emu.faults.add("POST /videos/create", "429")
    await cancel_when(
        mm.videos.create(prompt="a quiet harbour at dawn"),
        lambda: sent(emu, "POST /videos/create") == 1,
    )
    await asyncio.sleep(0.1)
    assert sent(emu, "POST /videos/create") == 1
    assert emu.state.videos == {}
    await assert_clean(mm, baseline)


async def test_cancel_many_concurrent_waits(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Ten waits sharing the scheduler watcher, all cancelled: no watcher task survives, and
    nothing is sent afterwards."""
    ids = [
        str((await mm.videos.create(prompt=f"a quiet harbour, take {i}")).video_id)
        for i in range(10)
    ]
    mm._sleep = anyio.sleep
    baseline = baseline_tasks()
    tasks = [
        asyncio.ensure_future(mm.wait_for_video(i, poll_interval=0.02, timeout=60)) for i in ids
    ]
    await wait_until(lambda: sent(emu, "GET /scheduler") >= 3)
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    await assert_clean(mm, baseline)
    after = len(emu.state.requests)
    await asyncio.sleep(0.1)
    assert len(emu.state.requests) == after
    assert sent(emu, "POST /videos/cancel") == 0


# -- the other streams (llm over SSE, audio over a WebSocket) ---------------------------------


async def test_break_out_of_an_llm_stream(emu: Emulator, mm: AsyncMiniMax) -> None:
    """Leaving ``async for`` over ``llm.stream`` early frees its connection."""
    baseline = baseline_tasks()
    emu.faults.add("POST /llm", "stall_sse")
    async for _event in mm.llm.stream(prompt="tell me about lighthouses"):
        break
    await assert_clean(mm, baseline)


async def test_cancel_mid_llm_stream(emu: Emulator, mm: AsyncMiniMax) -> None:
    """An llm stream stalled after its first event, cancelled: connection freed."""
    baseline = baseline_tasks()
    emu.faults.add("POST /llm", "stall_sse")
    seen: list[object] = []

    async def consume() -> None:
        async for event in mm.llm.stream(prompt="tell me about lighthouses", idle_timeout=30):
            seen.append(event)

    await cancel_when(consume(), lambda: len(seen) >= 1)
    await assert_clean(mm, baseline)


async def test_cancel_mid_audio_stream(emu: Emulator, mm: AsyncMiniMax) -> None:
    """The audio WebSocket stalled after one chunk, cancelled: socket closed, nothing pending."""
    baseline = baseline_tasks()
    emu.faults.add("GET /audio/wss", "stall_sse")
    chunks: list[bytes] = []

    async def consume() -> None:
        async for chunk in mm.audio.stream(text="hello there " * 20, voice_id="209533299589184"):
            chunks.append(chunk)

    await cancel_when(consume(), lambda: len(chunks) >= 1)
    await assert_clean(mm, baseline)
