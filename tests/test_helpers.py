"""Job helpers on top of the poll loop: generate_video, generate_images, wait_for_image(s),
wait_for_music and wait_for_agent_job, against the real HTTP fake of ``test_polling``."""

from __future__ import annotations

import json
import pathlib
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

from minimax_async import AsyncMiniMax
from minimax_async._exceptions import (
    GenerationError,
    GenerationFailedError,
    GenerationModeratedError,
    JobCreationUnknownError,
    RateLimitError,
    WaitTimeoutError,
)
from minimax_async.models.agent import AgentJob
from minimax_async.models.images import Image
from minimax_async.models.music import Music
from minimax_async.models.videos import Video

from .test_polling import TOKEN, VID, VIDEO_PATH, FakeAPI, Reply, Sleeper, err, video

SAMPLES = pathlib.Path(__file__).parent / "samples"


def sample(endpoint: str, name: str) -> Any:
    return json.loads((SAMPLES / endpoint / name).read_text())


CREATED = sample("post-minimax-videos-create", "200.json") | {"videoId": VID}
BUSY = err(429, sample("post-minimax-videos-create", "429_running_videos.json"))


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    fake = FakeAPI().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


@pytest.fixture
async def client(api: FakeAPI, sleeper: Sleeper) -> AsyncIterator[AsyncMiniMax]:
    """Default retries (max_retries=2); the sleep seam records and barely waits."""
    mm = AsyncMiniMax(TOKEN, base_url=api.base_url)
    mm._sleep = sleeper
    async with mm:
        yield mm


def long_waits(sleeper: Sleeper) -> list[float]:
    """The capacity waits among the recorded sleeps (poll delays here are 0.01 s)."""
    return [d for d in sleeper.delays if d >= 1.0]


# -- generate_video --------------------------------------------------------------------------


async def test_generate_video_creates_then_waits(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("POST", "videos/create", CREATED)
    api.script("GET", VIDEO_PATH, video(0), video(1, 50), video(2))
    seen: list[int | None] = []
    result = await client.generate_video(
        prompt="a cat on a piano",
        model="T2V-01",
        poll_interval=0.01,
        on_progress=lambda v: seen.append(v.status),
    )
    assert isinstance(result, Video)
    assert result.status == 2
    assert seen == [0, 1, 2]
    (create,) = api.calls("POST", "videos/create")
    body = json.loads(create.body)
    assert body["prompt"] == "a cat on a piano"
    assert body["model"] == "T2V-01"
    assert body["replyRef"]
    assert create.at < api.calls()[0].at


async def test_generate_video_waits_for_capacity_on_429(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    api.script("POST", "videos/create", BUSY, CREATED)
    api.script("GET", VIDEO_PATH, video(1, 10), video(2))
    result = await client.generate_video(prompt="a cat", poll_interval=0.01)
    assert result.status == 2
    (wait,) = long_waits(sleeper)
    assert 10.0 <= wait <= 30.0
    first, second = api.calls("POST", "videos/create")
    # The same request again: the same replyRef, so no duplicate job can be billed.
    assert json.loads(first.body) == json.loads(second.body)


async def test_generate_video_honours_retry_after_on_429(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    busy = err(429, {"error": "busy"}, **{"Retry-After": "17"})
    api.script("POST", "videos/create", busy, CREATED)
    api.script("GET", VIDEO_PATH, video(2))
    await client.generate_video(prompt="a cat", poll_interval=0.01)
    assert long_waits(sleeper) == [17.0]


async def test_generate_video_keeps_waiting_for_capacity_past_the_client_retries(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    api.script("POST", "videos/create", BUSY, BUSY, BUSY, BUSY, BUSY, CREATED)
    api.script("GET", VIDEO_PATH, video(2))
    result = await client.generate_video(prompt="a cat", poll_interval=0.01, timeout=None)
    assert result.status == 2
    waits = long_waits(sleeper)
    assert len(waits) == 5
    assert all(10.0 <= w <= 30.0 for w in waits)


async def test_generate_video_capacity_wait_never_passes_the_deadline(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    """No 10-30 s wait fits in 5 s: the wait ends at once, without waiting past the deadline."""
    api.script("POST", "videos/create", BUSY)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as info:
        await client.generate_video(prompt="a cat", poll_interval=0.01, timeout=5)
    assert time.monotonic() - started < 1.0
    assert isinstance(info.value, TimeoutError)
    assert info.value.result is None
    cause = info.value.__cause__
    assert isinstance(cause, RateLimitError)
    assert cause.running_videos
    assert sleeper.delays == []  # no wait was planned beyond the deadline
    assert len(api.calls("POST", "videos/create")) == 1
    assert api.calls() == []


async def test_generate_video_capacity_waits_all_fit_in_the_deadline(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    api.script("POST", "videos/create", BUSY)
    with pytest.raises(WaitTimeoutError):
        await client.generate_video(prompt="a cat", poll_interval=0.01, timeout=12)
    assert all(10.0 <= w < 12.0 for w in sleeper.delays), sleeper.delays


async def test_generate_video_deadline_covers_create_and_wait(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("POST", "videos/create", Reply(payload=CREATED, delay=0.5))
    api.script("GET", VIDEO_PATH, video(1, 10))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as info:
        await client.generate_video(prompt="a cat", poll_interval=0.01, timeout=0.7)
    elapsed = time.monotonic() - started
    assert 0.65 <= elapsed < 1.05  # not 0.5 s of create + a 0.7 s wait
    assert info.value.result.percent == 10
    assert api.calls()  # the wait did start


async def test_generate_video_timeout_before_any_poll_still_names_the_video(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    """The create took most of the deadline; the wait timed out before its first poll."""
    sleeper.cap = 60.0  # really sleep: the first poll (after ~2 s) never comes
    api.script("POST", "videos/create", Reply(payload=CREATED, delay=0.3))
    api.script("POST", "videos/cancel", {})
    with pytest.raises(WaitTimeoutError) as info:
        await client.generate_video(prompt="a cat", timeout=0.5, cancel_on_timeout=True)
    assert api.calls() == []
    assert info.value.result.video_id == VID
    (cancel,) = api.calls("POST", "videos/cancel")
    assert json.loads(cancel.body) == {"videoId": VID}


async def test_generate_video_cancel_on_timeout(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("POST", "videos/create", CREATED)
    api.script("POST", "videos/cancel", {})
    api.script("GET", VIDEO_PATH, video(1, 10))
    with pytest.raises(WaitTimeoutError):
        await client.generate_video(
            prompt="a cat", poll_interval=0.01, timeout=0.2, cancel_on_timeout=True
        )
    assert len(api.calls("POST", "videos/cancel")) == 1


async def test_generate_video_failure_and_raise_on_failure(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("POST", "videos/create", CREATED)
    api.script("GET", VIDEO_PATH, video(7))
    with pytest.raises(GenerationModeratedError) as info:
        await client.generate_video(prompt="a cat", poll_interval=0.01)
    assert info.value.result.status == 7
    result = await client.generate_video(prompt="a cat", poll_interval=0.01, raise_on_failure=False)
    assert result.status == 7


async def test_generate_video_without_a_video_id_raises(api: FakeAPI, client: AsyncMiniMax) -> None:
    """A 200 without the id may still have made a job: the replyRef is looked up, and the
    error says the outcome is unknown (never a blind resend, never a poll of nothing)."""
    api.script("POST", "videos/create", {"id": "1", "replyRef": "x"})
    api.script("GET", "scheduler", [])
    with pytest.raises(JobCreationUnknownError, match="videoId") as raised:
        await client.generate_video(prompt="a cat", poll_interval=0.01)
    assert raised.value.reply_ref is not None
    assert api.calls() == []  # no poll of GET videos/{id}


async def test_generate_video_invalid_arguments_send_nothing(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    with pytest.raises((ValueError, TypeError)):
        await client.generate_video(prompt="a cat", options="1080p", poll_interval=0.01)
    with pytest.raises(ValueError, match="poll_interval"):
        await client.generate_video(prompt="a cat", poll_interval=0)
    assert api.requests == []


async def test_helpers_take_exactly_the_create_keywords(api: FakeAPI, client: AsyncMiniMax) -> None:
    """A misspelt keyword is refused like a wrong keyword of a plain function (the helpers and
    the creates share one definition of their keywords), before anything is sent."""
    with pytest.raises(
        TypeError,
        match=r"generate_video\(\) got an unexpected keyword argument 'promt'; allowed: .*prompt",
    ):
        await client.generate_video(promt="a cat")  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"videos\.create\(\) got an unexpected keyword argument 'quantity'"
    ):
        await client.videos.create(prompt="a cat", quantity=2)  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"generate_images\(\) missing required keyword argument 'prompt'"
    ):
        await client.generate_images(model="image-01")  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"images\.create\(\) got an unexpected keyword argument 'options'"
    ):
        await client.images.create(prompt="a fox", options="768p-6sec")  # type: ignore[call-arg]
    assert api.requests == []


async def test_wait_helpers_take_exactly_their_keywords(api: FakeAPI, client: AsyncMiniMax) -> None:
    """The wait helpers share one definition of their keywords (``WaitOptions``): another
    kind's keyword or a misspelt one is refused as Python refuses it, naming the helper."""
    with pytest.raises(
        TypeError,
        match=r"wait_for_music\(\) got an unexpected keyword argument 'cancel_on_timeout'; "
        r"allowed: on_error, on_progress, poll_interval, raise_on_failure, timeout",
    ):
        await client.wait_for_music("m1", cancel_on_timeout=True)  # type: ignore[call-arg]
    with pytest.raises(
        TypeError, match=r"watch_video\(\) got an unexpected keyword argument 'on_progress'"
    ):
        async for _ in client.watch_video(VID, on_progress=print):  # type: ignore[call-arg]
            pass
    with pytest.raises(
        TypeError, match=r"wait_for_images\(\) got an unexpected keyword argument 'poll'"
    ):
        await client.wait_for_images(["user:1-minimax:2-image:1"], poll=1)  # type: ignore[call-arg]
    with pytest.raises(
        TypeError,
        match=r"generate_images\(\) got an unexpected keyword argument 'cancel_on_timeout'",
    ):
        await client.generate_images(prompt="a fox", cancel_on_timeout=True)  # type: ignore[call-arg]
    assert api.requests == []


# -- images ----------------------------------------------------------------------------------


IMG = [f"user:1-minimax:2-image:{n}" for n in range(3)]


def image(image_id: str, status: int, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"imageId": image_id, "status": status}
    if status == 2:
        body.update(statusFinal=True, downloadURL=f"https://cdn.test/{image_id[-1]}.png")
    return body | fields


async def test_wait_for_image(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", f"images/{IMG[0]}", image(IMG[0], 11), image(IMG[0], 1), image(IMG[0], 2))
    result = await client.wait_for_image(IMG[0], poll_interval=0.01)
    assert isinstance(result, Image)
    assert result.status == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(3, GenerationFailedError), (5, GenerationModeratedError), (14, GenerationModeratedError)],
)
async def test_wait_for_image_final_states(
    api: FakeAPI, client: AsyncMiniMax, status: int, error: type[GenerationError]
) -> None:
    api.script("GET", f"images/{IMG[0]}", image(IMG[0], 0), image(IMG[0], status))
    with pytest.raises(error) as info:
        await client.wait_for_image(IMG[0], poll_interval=0.01)
    assert info.value.result.status == status


async def test_wait_for_images_returns_in_order(api: FakeAPI, client: AsyncMiniMax) -> None:
    # The last image finishes first, the first one last.
    api.script("GET", f"images/{IMG[0]}", *[image(IMG[0], 1)] * 6, image(IMG[0], 2))
    api.script("GET", f"images/{IMG[1]}", *[image(IMG[1], 1)] * 3, image(IMG[1], 2))
    api.script("GET", f"images/{IMG[2]}", image(IMG[2], 2))
    results = await client.wait_for_images(IMG, poll_interval=0.01)
    assert [r.image_id for r in results] == IMG
    assert all(r.status == 2 for r in results)


async def test_wait_for_images_raises_only_after_every_wait_ended(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", f"images/{IMG[0]}", *[image(IMG[0], 1)] * 8, image(IMG[0], 2))
    api.script("GET", f"images/{IMG[1]}", image(IMG[1], 3))  # fails at once
    api.script("GET", f"images/{IMG[2]}", *[image(IMG[2], 1)] * 4, image(IMG[2], 5))
    with pytest.raises(GenerationFailedError) as info:
        await client.wait_for_images(IMG, poll_interval=0.01)
    assert len(api.calls("GET", f"images/{IMG[0]}")) == 9  # it ran to its end
    assert info.value.result.image_id == IMG[1]
    assert [r.status for r in info.value.results] == [2, 3, 5]  # type: ignore[attr-defined]


async def test_wait_for_images_without_raising_returns_every_final_image(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", f"images/{IMG[0]}", image(IMG[0], 1), image(IMG[0], 2))
    api.script("GET", f"images/{IMG[1]}", image(IMG[1], 3))
    api.script("GET", f"images/{IMG[2]}", image(IMG[2], 7))
    results = await client.wait_for_images(IMG, poll_interval=0.01, raise_on_failure=False)
    assert [(r.image_id, r.status) for r in results] == [(IMG[0], 2), (IMG[1], 3), (IMG[2], 7)]


async def test_wait_for_images_timeout_is_raised_even_without_raise_on_failure(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    """``raise_on_failure=False`` is about failed and moderated images; a deadline still raises
    (as ``wait_for_image`` does) instead of silently returning fewer images."""
    api.script("GET", f"images/{IMG[0]}", image(IMG[0], 2))
    api.script("GET", f"images/{IMG[1]}", image(IMG[1], 1))
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_images(
            IMG[:2], poll_interval=0.01, timeout=0.2, raise_on_failure=False
        )
    assert info.value.result.image_id == IMG[1]


async def test_wait_for_images_timeout_with_raise_on_failure(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", f"images/{IMG[0]}", image(IMG[0], 2))
    api.script("GET", f"images/{IMG[1]}", image(IMG[1], 1))
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_images(IMG[:2], poll_interval=0.01, timeout=0.2)
    assert info.value.result.status == 1


async def test_wait_for_images_of_no_ids(api: FakeAPI, client: AsyncMiniMax) -> None:
    assert await client.wait_for_images([], poll_interval=0.01) == []
    assert api.requests == []


async def test_generate_images_creates_then_waits_for_every_image(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("POST", "images/create", {"imageIds": IMG, "replyRef": "r", "code": 200})
    api.script("GET", f"images/{IMG[0]}", image(IMG[0], 1), image(IMG[0], 1), image(IMG[0], 2))
    api.script("GET", f"images/{IMG[1]}", image(IMG[1], 2))
    api.script("GET", f"images/{IMG[2]}", image(IMG[2], 0), image(IMG[2], 2))
    results = await client.generate_images(prompt="a red fox", quantity=3, poll_interval=0.01)
    assert [r.image_id for r in results] == IMG
    (create,) = api.calls("POST", "images/create")
    assert json.loads(create.body)["prompt"] == "a red fox"


async def test_generate_images_waits_for_capacity(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    busy = err(429, sample("post-minimax-images-create", "429.json"))
    api.script("POST", "images/create", busy, {"imageIds": IMG[:1]})
    api.script("GET", f"images/{IMG[0]}", image(IMG[0], 2))
    results = await client.generate_images(prompt="a red fox", poll_interval=0.01)
    assert [r.image_id for r in results] == IMG[:1]
    (wait,) = long_waits(sleeper)
    assert 10.0 <= wait <= 30.0


async def test_generate_images_without_image_ids_raises(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("POST", "images/create", {"replyRef": "r", "code": 200, "imageIds": []})
    with pytest.raises(GenerationError, match="imageIds"):
        await client.generate_images(prompt="a red fox", poll_interval=0.01)


# -- music -----------------------------------------------------------------------------------


MUSIC_ID = "user:1-minimax:2-music:3"
MUSIC_PATH = f"music/{MUSIC_ID}"
music_warning = pytest.mark.filterwarnings("ignore:GET music:DeprecationWarning")


def song(status: int, **fields: Any) -> dict[str, Any]:
    return sample("get-minimax-music-musicId", "200.json") | {"status": status, **fields}


@music_warning
async def test_wait_for_music_until_completed(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", MUSIC_PATH, song(0), song(1), song(2))
    seen: list[int | None] = []
    result = await client.wait_for_music(
        MUSIC_ID, poll_interval=0.01, on_progress=lambda m: seen.append(m.status)
    )
    assert isinstance(result, Music)
    assert result.status == 2
    assert seen == [0, 1, 2]


@music_warning
async def test_wait_for_music_moderated(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", MUSIC_PATH, song(1), song(4))
    with pytest.raises(GenerationModeratedError) as info:
        await client.wait_for_music(MUSIC_ID, poll_interval=0.01)
    assert info.value.result.status == 4
    api.script("GET", MUSIC_PATH, song(4))
    result = await client.wait_for_music(MUSIC_ID, poll_interval=0.01, raise_on_failure=False)
    assert result.status == 4


@music_warning
async def test_wait_for_music_unknown_status_ends_only_when_status_final(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    """As ``Music.is_final`` says: an unknown status ends the wait once ``statusFinal``."""
    api.script("GET", MUSIC_PATH, song(9, statusFinal=False), song(9, statusFinal=True))
    with pytest.raises(GenerationFailedError) as info:
        await client.wait_for_music(MUSIC_ID, poll_interval=0.01, timeout=2)
    assert info.value.result.status == 9
    assert info.value.result.is_final
    assert len(api.calls("GET", MUSIC_PATH)) == 2


@music_warning
async def test_wait_for_music_timeout(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", MUSIC_PATH, song(1))
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_music(MUSIC_ID, poll_interval=0.01, timeout=0.5)
    assert info.value.result.status == 1


# -- agent jobs ------------------------------------------------------------------------------


JOB_ID = "p123456789-u12345-a67890-bot:minimax"
JOB_PATH = f"agent/{JOB_ID}"
STARTED = sample("get-minimax-agent-jobId", "200_started.json")
COMPLETED = sample("get-minimax-agent-jobId", "200_completed.json")
FAILED = sample("get-minimax-agent-jobId", "200_failed.json")


async def test_wait_for_agent_job_until_completed(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", JOB_PATH, STARTED, STARTED, COMPLETED)
    seen: list[str | None] = []
    result = await client.wait_for_agent_job(
        JOB_ID, poll_interval=0.01, on_progress=lambda j: seen.append(j.status)
    )
    assert isinstance(result, AgentJob)
    assert result.status == "completed"
    assert seen == ["started", "completed"]
    assert result.response is not None
    assert result.response.attachments is not None
    assert len(result.response.attachments) == 2


async def test_wait_for_agent_job_failed(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", JOB_PATH, STARTED, FAILED)
    with pytest.raises(GenerationFailedError) as info:
        await client.wait_for_agent_job(JOB_ID, poll_interval=0.01)
    assert info.value.result.error.message == "Timeout waiting for assistant response"
    api.script("GET", JOB_PATH, FAILED)
    result = await client.wait_for_agent_job(JOB_ID, poll_interval=0.01, raise_on_failure=False)
    assert result.status == "failed"


async def test_wait_for_agent_job_unknown_status_keeps_polling(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", JOB_PATH, STARTED | {"status": "queued"}, STARTED, COMPLETED)
    result = await client.wait_for_agent_job(JOB_ID, poll_interval=0.01)
    assert result.status == "completed"
    assert len(api.calls("GET", JOB_PATH)) == 3


async def test_wait_for_agent_job_transient_errors(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", JOB_PATH, err(503), STARTED, err(502), err(500), err(502), COMPLETED)
    result = await client.wait_for_agent_job(JOB_ID, poll_interval=0.01)
    assert result.status == "completed"


class TestIdsCheckedFirst:
    """Every wait refuses an invalid id at once, before any delay or request."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda mm: mm.wait_for_video("a/b"),
            lambda mm: mm.wait_for_image("a?b"),
            lambda mm: mm.wait_for_images(["ok-id", "a b"]),
            lambda mm: mm.wait_for_music(".."),
            lambda mm: mm.wait_for_agent_job(""),
            lambda mm: mm.watch_video("a#b").__anext__(),
        ],
    )
    async def test_invalid_id(self, call: Any) -> None:
        """ValueError names the parameter; no request was sent and no time passed."""

        async with AsyncMiniMax("tok", base_url="http://127.0.0.1:9/v1/minimax") as mm:
            with anyio.fail_after(1), pytest.raises(ValueError, match="_id"):
                await call(mm)
            assert mm._holder.session is None  # nothing was ever sent
