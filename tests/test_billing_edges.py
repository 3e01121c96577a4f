"""Issue 13, "never pay twice": the billing edges of creates, reconcile and the shared watcher,
against the emulator (and a small scripted aiohttp server where the emulator cannot delay a
request in transit)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import AsyncMiniMax, JobCreationUnknownError, Timeout
from minimax_async.testing import Emulator, run_emulator

#: Virtual seconds per real second: the client's sleeps are scaled like the emulator's clock.
SPEED = 200.0
SHAPES = ["both", "videoId", "imageId"]


class ScaledSleep:
    """The client's sleep seam: ``delay`` virtual seconds, recorded."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await anyio.sleep(delay / SPEED)


async def scaled_client(base_url: str, token: str, **kwargs: Any) -> AsyncMiniMax:
    client = AsyncMiniMax(token, base_url=base_url, **kwargs)
    client._sleep = ScaledSleep()
    return client


def creates(emu: Emulator, kind: str) -> int:
    return sum(
        1 for r in emu.state.requests if r.method == "POST" and r.path.endswith(f"{kind}/create")
    )


# -- imageId / videoId: both spellings of GET scheduler ----------------------------------------


@pytest.fixture(params=SHAPES)
async def shaped_emu(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    async with run_emulator(speed=SPEED, seed=3, scheduler_image_field=request.param) as emu:
        yield emu


async def test_emulator_lists_image_ids_in_the_chosen_shape(shaped_emu: Emulator) -> None:
    mm = await scaled_client(shaped_emu.base_url, shaped_emu.token)
    async with mm:
        job = await mm.images.create(prompt="a red kite over the dunes")
        raw = await mm.request("GET", "scheduler", cast_to=object)
    shape = shaped_emu.state.scheduler_image_field
    keys = {key for entry in raw for key in entry if key in ("videoId", "imageId")}
    assert keys == ({"videoId", "imageId"} if shape == "both" else {shape})
    assert {entry.get("imageId") or entry.get("videoId") for entry in raw} == set(job.image_ids)


async def test_image_reconcile_finds_jobs_in_every_documented_shape(
    shaped_emu: Emulator,
) -> None:
    """A 502 after the job was made: found in GET scheduler whatever the spelling, never
    created twice (the ``imageId`` shape was resent before)."""
    shaped_emu.faults.add("POST /images/create", "502_after_accept", times=1)
    mm = await scaled_client(shaped_emu.base_url, shaped_emu.token)
    async with mm:
        job = await mm.images.create(prompt="a red kite over the dunes", quantity=2)
    assert creates(shaped_emu, "images") == 1
    assert sorted(job.image_ids or []) == sorted(shaped_emu.state.images)
    assert len(job.image_ids or []) == 2


async def test_find_by_reply_ref_reads_both_spellings(shaped_emu: Emulator) -> None:
    mm = await scaled_client(shaped_emu.base_url, shaped_emu.token)
    async with mm:
        job = await mm.images.create(prompt="a red kite over the dunes", reply_ref="mine-1")
        found = await mm.scheduler.find_by_reply_ref("mine-1", checks=1)
    assert sorted(j.job_id for j in found) == sorted(job.image_ids or [])


async def test_shared_watcher_sees_images_in_every_shape(shaped_emu: Emulator) -> None:
    """Two image waits share GET scheduler reads whatever the spelling of the ids."""
    shaped_emu.state.image_phases = (1.0, 1.0, 60.0)
    mm = await scaled_client(shaped_emu.base_url, shaped_emu.token)
    async with mm:
        job = await mm.images.create(prompt="a red kite over the dunes", quantity=2)
        images = await mm.wait_for_images(job.image_ids or [], timeout=600)
        reads = mm._watcher.reads
    assert [i.status for i in images] == [2, 2]
    own_polls = sum(
        1 for r in shaped_emu.state.requests if r.method == "GET" and "/images/" in r.path
    )
    # Listed while running: the watcher's reads stand in for per-image polls.
    assert reads >= 2
    assert own_polls <= 2 * 3


# -- a create that reaches the server late ----------------------------------------------------


class LateCreateAPI:
    """``POST videos/create`` answers 502 at once, but its job shows in ``GET scheduler`` only
    from look-up ``1 + late / 3`` on: ``late`` seconds of 3 s checks (the request was held up on
    its way upstream). Counted in look-ups, not real time: the test is the same on a busy host."""

    def __init__(self, late: float) -> None:
        self.listed_from = 1 + int(late // 3)
        self.posts: list[dict[str, Any]] = []
        self.reads = 0
        app = web.Application()
        app.router.add_post("/v1/minimax/videos/create", self._create)
        app.router.add_get("/v1/minimax/scheduler", self._scheduler)
        app.router.add_get("/v1/minimax/scheduler/", self._scheduler)
        self.server = TestServer(app)

    async def _create(self, request: web.Request) -> web.Response:
        self.posts.append(await request.json())
        if len(self.posts) == 1:
            return web.json_response({"error": "Bad gateway"}, status=502)
        return web.json_response({"videoId": "user:1-minimax:a-video:2", "replyRef": "x"})

    async def _scheduler(self, request: web.Request) -> web.Response:
        self.reads += 1
        if self.reads < self.listed_from:
            return web.json_response([])
        ref = self.posts[0]["replyRef"]
        return web.json_response([{"videoId": "user:1-minimax:a-video:1", "replyRef": ref}])


async def test_a_create_listed_15_s_late_is_found_not_resent() -> None:
    api = LateCreateAPI(late=15.0)
    await api.server.start_server()
    try:
        mm = await scaled_client(
            str(api.server.make_url("/v1/minimax")), "t0ken-0123456789", timeout=Timeout(read=5)
        )
        async with mm:
            job = await mm.videos.create(prompt="a lighthouse in a storm")
    finally:
        await api.server.close()
    assert job.video_id == "user:1-minimax:a-video:1"
    assert len(api.posts) == 1  # never sent twice (4 checks in 9 s used to resend it)
    assert api.reads == 6  # found at the look-up 15 s in
    assert mm._sleep.delays == [3.0] * 5  # type: ignore[attr-defined]


async def test_reconcile_spans_the_read_timeout_when_longer() -> None:
    api = LateCreateAPI(late=10_000.0)  # never listed in time
    await api.server.start_server()
    try:
        mm = await scaled_client(
            str(api.server.make_url("/v1/minimax")),
            "t0ken-0123456789",
            timeout=Timeout(read=60),
            max_retries=0,
        )
        async with mm:
            with pytest.raises(JobCreationUnknownError):
                await mm.videos.create(prompt="a lighthouse in a storm")
    finally:
        await api.server.close()
    assert len(api.posts) == 1
    # 60 s of look-ups, 3 s apart: as long as the attempt's own read timeout.
    assert mm._sleep.delays == [3.0] * 20  # type: ignore[attr-defined]
    assert api.reads == 21
