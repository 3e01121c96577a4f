"""Issue 13, "waits are never blind": a dead server, failing polls, wrong ids and the fail-fast
knobs, against real servers (a closed port, the scripted fake API, the emulator)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import minimax_async._polling as polling
from minimax_async import AsyncMiniMax
from minimax_async._exceptions import (
    APIConnectionError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    WaitTimeoutError,
)
from minimax_async.cli._commands import wait_video_with_progress
from minimax_async.cli._output import Output
from minimax_async.testing import run_emulator

from .test_polling import NOT_FOUND, VID, VIDEO_PATH, FakeAPI, err, video

TOKEN = "test-token-0123456789abcdef"
IMAGE_ID = "user:1234-minimax:987654321-image:998877665544332299"


class InstantSleep:
    """The sleep seam: records each delay and returns at once (the wait's age still grows)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await anyio.lowlevel.checkpoint()


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    fake = FakeAPI().start()
    try:
        yield fake
    finally:
        fake.stop()


async def dead_base_url() -> str:
    """The base URL of a server that was running and is gone (connection refused)."""
    server = TestServer(web.Application())
    await server.start_server()
    url = str(server.make_url("/v1/minimax"))
    await server.close()
    return url


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "minimax_async" and r.levelno == logging.WARNING
    ]


# -- a dead server is not a slow job -----------------------------------------------------------


async def test_dead_server_times_out_with_the_cause_and_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, "minimax_async")
    errors: list[Exception] = []
    async with AsyncMiniMax(TOKEN, base_url=await dead_base_url(), max_retries=0) as mm:
        with pytest.raises(WaitTimeoutError) as info:
            await mm.wait_for_video(VID, timeout=0.5, poll_interval=0.02, on_error=errors.append)
    exc = info.value
    assert exc.result is None
    assert isinstance(exc.last_error, APIConnectionError)
    assert exc.__cause__ is exc.last_error
    assert "unreachable" in str(exc)
    assert "APIConnectionError" in str(exc)
    assert len(errors) >= 1
    assert all(isinstance(e, APIConnectionError) for e in errors)
    # One WARNING for the first failed poll; the next is due a minute later.
    (warning,) = warnings_of(caplog)
    assert f"video {VID}: poll failed (APIConnectionError" in warning
    assert TOKEN not in caplog.text


async def test_failing_polls_warn_at_most_once_a_minute(
    api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "minimax_async")
    api.script("GET", VIDEO_PATH, err(503))
    seen: list[Exception] = []

    class Enough(Exception):
        pass

    def on_error(error: Exception) -> None:
        seen.append(error)
        if len(seen) == 7:
            raise Enough  # the hook may end the wait: here, after 7 failed polls

    async with AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0) as mm:
        mm._sleep = InstantSleep()
        with pytest.raises(Enough):
            await mm.wait_for_video(VID, poll_interval=30, timeout=None, on_error=on_error)
    assert all(isinstance(e, ServerError) for e in seen)
    # Polls failed at 30, 60, ... 210 s: warnings at 30, 90, 150 and 210 s only.
    assert len(warnings_of(caplog)) == 4


async def test_on_error_and_a_fresh_snapshot_after_recovery(api: FakeAPI) -> None:
    """``on_error`` sees each failure; once the API answers again the (unchanged) snapshot is
    shown again, so a display saying "unreachable" is corrected."""
    api.script("GET", VIDEO_PATH, video(1, 40), err(502), err(503), video(1, 40), video(2))
    events: list[str] = []
    async with AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0) as mm:
        mm._sleep = InstantSleep()
        result = await mm.wait_for_video(
            VID,
            poll_interval=1,
            on_progress=lambda v: events.append(f"progress {v.percent:g}"),
            on_error=lambda e: events.append(f"error {type(e).__name__}"),
        )
    assert result.status == 2
    assert events == [
        "progress 40",
        "error ServerError",
        "error ServerError",
        "progress 40",
        "progress 100",
    ]


async def test_watch_video_consumers_see_failures(api: FakeAPI) -> None:
    api.script("GET", VIDEO_PATH, err(500), video(2))
    errors: list[Exception] = []
    async with AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0) as mm:
        mm._sleep = InstantSleep()
        statuses = [v.status async for v in mm.watch_video(VID, on_error=errors.append)]
    assert statuses == [2]
    assert [type(e) for e in errors] == [ServerError]


async def test_auth_failure_ends_a_wait_at_once(api: FakeAPI) -> None:
    api.script("GET", VIDEO_PATH, video(1, 10), err(401, {"error": "Unauthorized"}), video(2))
    errors: list[Exception] = []
    async with AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0) as mm:
        mm._sleep = InstantSleep()
        with pytest.raises(AuthenticationError):
            await mm.wait_for_video(VID, poll_interval=1, timeout=None, on_error=errors.append)
    assert len(api.calls()) == 2
    assert errors == []


async def test_cli_progress_line_says_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    async with (
        run_emulator(speed=500) as emu,
        AsyncMiniMax(emu.token, base_url=emu.base_url, max_retries=0) as mm,
    ):
        job = await mm.videos.create(prompt="a quiet forest at dawn")
        emu.faults.add("GET /videos/{videoId}", "502", times=2)
        out = Output(json_mode=False, progress=False, secrets=(emu.token,))
        assert job.video_id is not None
        result = await wait_video_with_progress(
            mm, out, job.video_id, timeout=60, poll_interval=0.02
        )
    assert result.status == 2
    lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith("video: unreachable, retrying: 502 ") for line in lines), lines
    assert lines[-1] == "video: completed"


# -- wrong ids fail fast -----------------------------------------------------------------------


async def test_an_image_id_given_to_a_video_wait_is_refused_at_once(api: FakeAPI) -> None:
    async with AsyncMiniMax(TOKEN, base_url=api.base_url) as mm:
        with pytest.raises(ValueError, match=r"video_id=.*image id.*wait_for_image"):
            await mm.wait_for_video(IMAGE_ID)
        with pytest.raises(ValueError, match="video_id"):
            async for _ in mm.watch_video(IMAGE_ID):
                pass
        with pytest.raises(ValueError, match=r"image_id=.*video id"):
            await mm.wait_for_image(VID)
        with pytest.raises(ValueError, match="image_ids"):
            await mm.wait_for_images([IMAGE_ID, VID])
    assert api.requests == []


async def test_a_404_never_seen_fails_after_a_short_grace_logged_at_info(
    api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "minimax_async")
    api.script("GET", VIDEO_PATH, NOT_FOUND)
    async with AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0) as mm:
        mm._sleep = InstantSleep()
        with anyio.fail_after(5), pytest.raises(NotFoundError):
            await mm.wait_for_video(VID, poll_interval=1, timeout=None)
    # Polls at 1..10 s of the wait's age: the tenth (at the 10 s grace) raises.
    assert len(api.calls()) == polling.NOT_FOUND_GRACE == 10
    retries = [r for r in caplog.records if "404 before it was ever seen" in r.getMessage()]
    assert len(retries) == 9
    assert all(r.levelno == logging.INFO for r in retries)


# -- fail-fast services ------------------------------------------------------------------------


async def test_rate_limit_error_says_when_capacity_comes_back() -> None:
    async with (
        run_emulator(speed=1, accounts=1, max_jobs=1) as emu,
        AsyncMiniMax(emu.token, base_url=emu.base_url) as mm,
    ):
        service = mm.with_options(max_retries=0)  # the README's service knob
        await service.videos.create(prompt="a quiet forest at dawn")
        with pytest.raises(RateLimitError) as info:
            await service.videos.create(prompt="a second quiet forest")
    exc = info.value
    assert exc.running_videos  # what it carries...
    text = str(exc)
    # ...and says: how many run, since when, and that a slot frees when one ends.
    assert "1 video running" in text
    assert "capacity comes back when one of them ends" in text
    assert creates_of(emu) == 2  # no retry sleeps: max_retries=0 answers at once


def creates_of(emu: Any) -> int:
    return sum(1 for r in emu.state.requests if r.method == "POST" and "create" in r.path)
