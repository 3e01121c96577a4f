"""``minimax_async.webhooks``: replyUrl callbacks wake the waits in flight, the confirming GET
decides; bounded, validated bodies; unknown ids ignored. Against the emulator, whose frozen
clock (``speed=0``) moves only with ``advance`` (which also sends the callbacks)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from aiohttp import web

from minimax_async import AsyncMiniMax, Image, Video
from minimax_async._polling import wake_registry
from minimax_async.testing import Emulator, run_emulator
from minimax_async.webhooks import (
    DEFAULT_PATH,
    HANDLER_KEY,
    WebhookHandler,
    make_webhook_app,
)

#: A poll interval no test can sit out: a wait that ends did so because it was woken.
NEVER = 3600.0


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=0, accounts=1, max_jobs=5, seed=3) as emulator:
        yield emulator


@pytest.fixture
async def mm(emu: Emulator) -> AsyncIterator[AsyncMiniMax]:
    async with AsyncMiniMax(emu.token, base_url=emu.base_url) as client:
        yield client


@pytest.fixture
async def hook(mm: AsyncMiniMax) -> AsyncIterator[tuple[str, WebhookHandler]]:
    # A short merge interval: the tests send a forged and then the real callback at once.
    app = make_webhook_app(mm, max_body=4096, min_wake_interval=0.05)
    async with serve(app) as origin:
        yield origin + DEFAULT_PATH, app[HANDLER_KEY]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def gets(emu: Emulator, job_id: str) -> int:
    return sum(1 for r in emu.state.requests if r.method == "GET" and r.path.endswith(job_id))


async def until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (emulator state has no event to wait on) for up to 5 s."""
    with anyio.fail_after(5):
        while True:
            if condition():
                return
            await anyio.sleep(0.001)


def waiting_on(mm: AsyncMiniMax, job_id: str) -> Callable[[], bool]:
    return lambda: job_id in wake_registry(mm._holder)._by_id


async def test_callback_ends_the_wait_after_one_get(
    emu: Emulator, mm: AsyncMiniMax, hook: tuple[str, WebhookHandler]
) -> None:
    url, handler = hook
    job = await mm.videos.create(prompt="a kite over dunes", model="T2V-01", reply_url=url)
    assert job.video_id
    result: list[Video] = []
    async with anyio.create_task_group() as tg:

        async def wait() -> None:
            result.append(await mm.wait_for_video(job.video_id, poll_interval=NEVER))  # type: ignore[arg-type]

        tg.start_soon(wait)
        await until(waiting_on(mm, job.video_id))
        emu.advance(600)  # the job ends; the emulator POSTs its callback
        await until(lambda: bool(result))
    assert result[0].status == 2
    assert gets(emu, job.video_id) == 1  # polling every hour would still be asleep
    assert handler.woken == 1
    assert handler.ignored == 0
    (callback,) = emu.state.callbacks
    assert callback.status == 200


async def test_forged_callback_does_not_fool_the_wait(
    emu: Emulator, mm: AsyncMiniMax, hook: tuple[str, WebhookHandler], http: aiohttp.ClientSession
) -> None:
    url, handler = hook
    job = await mm.videos.create(prompt="a kite over dunes", model="T2V-01", reply_url=url)
    video_id = str(job.video_id)
    result: list[Video] = []
    async with anyio.create_task_group() as tg:

        async def wait() -> None:
            result.append(await mm.wait_for_video(video_id, poll_interval=NEVER))

        tg.start_soon(wait)
        await until(waiting_on(mm, video_id))
        forged = {
            "videoId": video_id,
            "status": 2,
            "statusFinal": True,
            "videoURL": "https://attacker.example/x.mp4",
        }
        async with http.post(url, json=forged) as resp:
            assert resp.status == 200  # it did wake the wait ...
        await until(lambda: gets(emu, video_id) == 1)
        await anyio.sleep(0.05)
        assert not result  # ... whose GET said "still running": it goes on waiting
        emu.advance(600)
        await until(lambda: bool(result))
    assert result[0].status == 2
    assert result[0].video_url
    assert "attacker" not in result[0].video_url
    assert gets(emu, video_id) == 2
    assert handler.woken == 2


async def test_unknown_job_is_ignored(
    emu: Emulator, mm: AsyncMiniMax, hook: tuple[str, WebhookHandler], http: aiohttp.ClientSession
) -> None:
    url, handler = hook
    before = len(emu.state.requests)
    body = {"videoId": "user:1-minimax:2-video:3", "status": 2}
    async with http.post(url, json=body) as resp:
        assert resp.status == 202
        assert await resp.json() == {"ok": True, "woke": False}
    assert len(emu.state.requests) == before  # nothing fetched
    assert handler.ignored == 1
    assert handler.woken == 0


async def test_oversized_bodies_are_refused(
    hook: tuple[str, WebhookHandler], http: aiohttp.ClientSession
) -> None:
    url, handler = hook
    big = b'{"videoId": "' + b"x" * 5000 + b'"}'
    async with http.post(url, data=big, headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(10):
            yield b" " * 1000

    async with http.post(url, data=chunks()) as resp:
        assert resp.status == 413
    assert handler.refused == 2


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b"{}", b'{"videoId": 5}', b'{"status": 2}', b"\xff\xfe", b""],
)
async def test_malformed_bodies_are_refused(
    body: bytes, hook: tuple[str, WebhookHandler], http: aiohttp.ClientSession
) -> None:
    url, handler = hook
    async with http.post(url, data=body) as resp:
        assert resp.status == 400
    assert handler.refused == 1
    assert handler.received == 0


async def test_only_post_is_accepted(
    hook: tuple[str, WebhookHandler], http: aiohttp.ClientSession
) -> None:
    url, _ = hook
    async with http.get(url) as resp:
        assert resp.status == 405


async def test_handler_inside_an_existing_app_wakes_image_waits_of_copies(
    emu: Emulator, mm: AsyncMiniMax, http: aiohttp.ClientSession
) -> None:
    app = web.Application()
    handler = WebhookHandler(mm)
    app.router.add_post("/hooks/minimax", handler.handle)
    async with serve(app) as origin:
        url = origin + "/hooks/minimax"
        job = await mm.images.create(prompt="a red fox in snow", quantity=2, reply_url=url)
        copy = mm.with_options(timeout=30)  # waits on a copy are woken by the original's hook
        result: list[list[Image]] = []
        async with anyio.create_task_group() as tg:

            async def wait() -> None:
                result.append(
                    await copy.wait_for_images(list(job.image_ids or ()), poll_interval=NEVER)
                )

            tg.start_soon(wait)
            for image_id in job.image_ids or ():
                await until(waiting_on(mm, image_id))
            emu.advance(600)
            await until(lambda: bool(result))
    assert [image.status for image in result[0]] == [2, 2]
    assert handler.woken == 2
    assert all(gets(emu, image_id) == 1 for image_id in job.image_ids or ())


async def test_callbacks_end_the_waits_of_a_batch(
    emu: Emulator, mm: AsyncMiniMax, hook: tuple[str, WebhookHandler]
) -> None:
    url, handler = hook
    requests = [{"prompt": f"a kite over dunes, take {i}", "model": "T2V-01"} for i in range(4)]
    results: list[Any] = []
    async with anyio.create_task_group() as tg:

        async def run() -> None:
            async for result in mm.generate_videos(requests, reply_url=url, poll_interval=NEVER):
                results.append(result)

        tg.start_soon(run)
        await until(lambda: len(emu.state.videos) == 4)
        for video_id in emu.state.videos:
            await until(waiting_on(mm, video_id))
        emu.advance(600)
        await until(lambda: len(results) == 4)
    assert all(r.ok and r.result.status == 2 for r in results)
    assert handler.woken == 4
    assert all(gets(emu, video_id) == 1 for video_id in emu.state.videos)


async def test_a_flood_of_forged_callbacks_costs_two_gets(
    emu: Emulator, mm: AsyncMiniMax, http: aiohttp.ClientSession
) -> None:
    """50 forged callbacks for a waited id within ``min_wake_interval``: one GET at once, the
    other 49 merged into one more GET when the interval ends (logged, not lost)."""
    app = make_webhook_app(mm, min_wake_interval=1.0)
    handler = app[HANDLER_KEY]
    job = await mm.videos.create(prompt="a kite over dunes", model="T2V-01")
    video_id = str(job.video_id)
    async with serve(app) as origin, anyio.create_task_group() as tg:
        url = origin + DEFAULT_PATH

        async def wait() -> None:
            await mm.wait_for_video(video_id, poll_interval=NEVER)

        tg.start_soon(wait)
        await until(waiting_on(mm, video_id))
        for _ in range(50):
            async with http.post(url, json={"videoId": video_id, "status": 2}) as resp:
                assert resp.status == 200
        assert handler.deferred == 49
        await until(lambda: gets(emu, video_id) == 2)  # the merged wake-up
        assert handler.woken == 50
        emu.advance(600)
        async with http.post(url, json={"videoId": video_id}) as resp:
            assert resp.status == 200
        tg.cancel_scope.cancel()
    assert gets(emu, video_id) <= 3


async def test_deeply_nested_json_is_a_400(
    hook: tuple[str, WebhookHandler], http: aiohttp.ClientSession
) -> None:
    """``[[[[...]]]]`` (RecursionError in the decoder) is refused with 400, not a 500."""
    app = make_webhook_app(hook[1]._client)
    async with serve(app) as origin:
        body = b"[" * 60000 + b"]" * 60000
        async with http.post(origin + DEFAULT_PATH, data=body[:65000]) as resp:
            assert resp.status == 400
            assert "nested" in (await resp.json())["error"]
        nested = b'{"videoId": ' + b'{"a": ' * 20000 + b"1" + b"}" * 20000 + b"}"
        async with http.post(origin + DEFAULT_PATH, data=nested[:65000]) as resp:
            assert resp.status == 400


def test_arguments_are_checked(mm: AsyncMiniMax) -> None:
    with pytest.raises(ValueError, match="path"):
        make_webhook_app(mm, path="minimax/callback")
    with pytest.raises(ValueError, match="max_body"):
        WebhookHandler(mm, max_body=0)
    with pytest.raises(ValueError, match="min_wake_interval"):
        WebhookHandler(mm, min_wake_interval=-1)


async def test_notify_job_update_without_a_wait(mm: AsyncMiniMax) -> None:
    assert mm.notify_job_update("user:1-minimax:2-video:3") is False


def test_readme_example_runs(tmp_path: Path) -> None:
    """The README's Webhooks example runs as written: the callback ends the wait."""
    from .test_readme import _examples, _run

    result = _run(_examples()["webhooks"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "completed: 2 callbacks: 1"
