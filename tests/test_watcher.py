"""The shared watcher: several video/image waits of one client share one ``GET scheduler`` per
poll interval, and only jobs that left the scheduler are fetched one by one.

Request patterns are checked on the scriptable HTTP fake of ``test_polling`` (exact answers per
read) and on the emulator (real job lifecycles, the request log); results are compared with the
per-job loop (``_shared_watcher = False``).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

import minimax_async._polling as polling
import minimax_async._watcher as watcher_module
from minimax_async import AsyncMiniMax
from minimax_async._exceptions import (
    GenerationFailedError,
    GenerationModeratedError,
    NotFoundError,
    WaitTimeoutError,
)
from minimax_async.models.videos import Video
from minimax_async.testing import Emulator, run_emulator

from .test_polling import TOKEN, FakeAPI, Reply, Sleeper, err

IDS = [f"user:1234-minimax:987654321-video:{n}" for n in range(1, 5)]
A, B, C, D = IDS
IMAGE = "user:1234-minimax:987654321-image:77"


def video(video_id: str, status: int, percent: float | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": video_id.rsplit(":", 1)[1], "videoId": video_id}
    body["status"] = status
    if percent is not None:
        body["percent"] = percent
    if status == 2:
        body.update(percent=100, statusFinal=True, downloadURL="https://cdn.test/v.mp4")
    return body


def listed(*ids: str) -> list[dict[str, Any]]:
    """A ``GET scheduler`` body listing ``ids`` (images carry their id as ``videoId`` too)."""
    return [
        {"videoId": i, "started": "2024-09-25T01:55:16.128Z", "elapsed": "00:10", "replyUrl": ""}
        for i in ids
    ]


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
    mm = AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0)
    mm._sleep = sleeper
    async with mm:
        yield mm


def reads(api: FakeAPI) -> int:
    return len(api.calls("GET", "scheduler"))


def fetches(api: FakeAPI, job_id: str, kind: str = "videos") -> int:
    return len(api.calls("GET", f"{kind}/{job_id}"))


async def settle(mm: AsyncMiniMax) -> None:
    """A few loop turns: a cancelled watcher task finishes ending."""
    for _ in range(3):
        await asyncio.sleep(0)
    assert not mm._watcher.running


def only_current_task_left() -> bool:
    return asyncio.all_tasks() == {asyncio.current_task()}


async def gather_outcomes(*waits: Any) -> list[Any]:
    """Each wait's result or exception, in order."""
    return list(await asyncio.gather(*waits, return_exceptions=True))


# -- the request pattern ---------------------------------------------------------------------


async def test_jobs_are_fetched_only_once_they_left_the_scheduler(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", "scheduler", listed(A, B, C), listed(A, B, C), listed(B, C), listed(C), [])
    for job in (A, B, C):
        api.script("GET", f"videos/{job}", video(job, 2))
    results = await asyncio.gather(*(client.wait_for_video(j, poll_interval=0.01) for j in IDS[:3]))
    assert [r.video_id for r in results] == IDS[:3]
    assert all(r.status == 2 for r in results)
    assert [fetches(api, j) for j in IDS[:3]] == [1, 1, 1]
    assert 3 <= reads(api) <= 5
    # The jobs left in order, and each was fetched after the read that no longer listed it.
    order = [r.path.rsplit(":", 1)[1] for r in api.requests if "/videos/" in r.path]
    assert order == ["1", "2", "3"]
    assert only_current_task_left()


async def test_the_same_waits_without_the_watcher_poll_every_job(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    """The per-job loop for comparison: one request per job per interval, no scheduler read."""
    client._shared_watcher = False
    for job in IDS[:3]:
        api.script("GET", f"videos/{job}", video(job, 1, 10), video(job, 1, 20), video(job, 2))
    await asyncio.gather(*(client.wait_for_video(j, poll_interval=0.01) for j in IDS[:3]))
    assert [fetches(api, j) for j in IDS[:3]] == [3, 3, 3]
    assert reads(api) == 0


async def test_a_single_wait_never_reads_the_scheduler(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    api.script("GET", f"videos/{A}", video(A, 0), video(A, 1, 50), video(A, 2))
    result = await client.wait_for_video(A, poll_interval=0.01)
    assert result.status == 2
    assert reads(api) == 0
    assert fetches(api, A) == 3
    assert sleeper.delays == [0.01, 0.01, 0.01]
    assert not client._watcher.running


async def test_sequential_waits_are_each_alone(api: FakeAPI, client: AsyncMiniMax) -> None:
    for job in (A, B):
        api.script("GET", f"videos/{job}", video(job, 1), video(job, 2))
        await client.wait_for_video(job, poll_interval=0.01)
    assert reads(api) == 0
    assert [fetches(api, A), fetches(api, B)] == [2, 2]


async def test_a_job_not_listed_yet_is_fetched_once_then_watched(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    """Upstream may list a new job a moment late: "absent and never seen" is not "finished"."""
    api.script("GET", "scheduler", [], listed(A, B), listed(A, B), listed(B), [])
    api.script("GET", f"videos/{A}", video(A, 11), video(A, 2))
    api.script("GET", f"videos/{B}", video(B, 11), video(B, 2))
    results = await asyncio.gather(*(client.wait_for_video(j, poll_interval=0.01) for j in (A, B)))
    assert [r.status for r in results] == [2, 2]
    assert [fetches(api, A), fetches(api, B)] == [2, 2]  # once when unlisted, once at the end


async def test_a_job_the_scheduler_does_not_track_falls_back_to_its_own_polling(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    """``DELETE scheduler/{id}`` (or a job created elsewhere): never listed, still running."""
    api.script("GET", "scheduler", listed(B))
    api.script("GET", f"videos/{A}", *[video(A, 1, p) for p in (10, 20, 30, 40, 50)], video(A, 2))
    api.script("GET", f"videos/{B}", video(B, 1))
    seen: list[float | None] = []
    task_b = asyncio.create_task(client.wait_for_video(B, poll_interval=0.01, timeout=None))
    result = await client.wait_for_video(
        A, poll_interval=0.01, on_progress=lambda v: seen.append(v.percent)
    )
    assert result.status == 2
    assert seen == [10, 20, 30, 40, 50, 100]  # every poll of its own, once it fell back
    task_b.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task_b
    await settle(client)


async def test_a_listed_job_that_leaves_but_still_runs_falls_back_at_once(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", "scheduler", listed(A, B), listed(B))
    api.script("GET", f"videos/{A}", video(A, 1, 60), video(A, 1, 70), video(A, 2))
    api.script("GET", f"videos/{B}", video(B, 2))
    task_b = asyncio.create_task(client.wait_for_video(B, poll_interval=0.01, timeout=None))
    result = await client.wait_for_video(A, poll_interval=0.01)
    assert result.status == 2
    assert fetches(api, A) == 3
    task_b.cancel()
    await asyncio.gather(task_b, return_exceptions=True)
    await settle(client)


async def test_images_share_the_watcher_too(api: FakeAPI, client: AsyncMiniMax) -> None:
    images = [f"user:1234-minimax:987654321-image:{n}" for n in range(3)]
    api.script("GET", "scheduler", listed(*images), listed(*images), listed(images[2]), [])
    for image_id in images:
        api.script("GET", f"images/{image_id}", {"imageId": image_id, "status": 2})
    results = await client.wait_for_images(images, poll_interval=0.01)
    assert [r.image_id for r in results] == images
    assert [fetches(api, i, "images") for i in images] == [1, 1, 1]
    assert reads(api) >= 2


async def test_a_video_and_an_image_wait_share_one_read(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", "scheduler", listed(A, IMAGE), listed(A, IMAGE), [])
    api.script("GET", f"videos/{A}", video(A, 2))
    api.script("GET", f"images/{IMAGE}", {"imageId": IMAGE, "status": 2})
    video_result, image_result = await asyncio.gather(
        client.wait_for_video(A, poll_interval=0.01),
        client.wait_for_image(IMAGE, poll_interval=0.01),
    )
    assert video_result.status == image_result.status == 2
    assert [fetches(api, A), fetches(api, IMAGE, "images")] == [1, 1]


async def test_rounds_are_no_closer_than_the_longest_poll_delay(
    api: FakeAPI, client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waits joining all the time (a pipeline) do not add rounds with their short first delays:
    with the default schedule scaled down (0.02 s x1.5 up to 0.2 s), about one read per 0.2 s."""
    check = polling.check_wait_args

    def scaled(timeout: float | None, poll_interval: float | None) -> polling.PollSchedule:
        if poll_interval is not None:
            return check(timeout, poll_interval)
        return polling.PollSchedule(first=0.02, factor=1.5, cap=0.2, jitter=0.0)

    monkeypatch.setattr(polling, "check_wait_args", scaled)
    client._sleep = anyio.sleep  # real time
    jobs = [f"user:1234-minimax:987654321-video:{n}" for n in range(100, 130)]
    api.script("GET", "scheduler", listed(*jobs))
    for job in jobs:
        api.script("GET", f"videos/{job}", video(job, 1, 10))
    started = time.monotonic()
    async with anyio.create_task_group() as tg:
        for job in jobs:  # a new wait every 0.03 s for 0.9 s
            tg.start_soon(client.wait_for_video, job)
            await anyio.sleep(0.03)
        await anyio.sleep(0.1)
        tg.cancel_scope.cancel()
    elapsed = time.monotonic() - started
    assert reads(api) <= elapsed / 0.2 + 2, (reads(api), elapsed)
    assert sum(fetches(api, job) for job in jobs) <= 2  # all listed: only the first, alone
    await settle(client)


# -- results and errors as with the per-job loop ---------------------------------------------


@pytest.mark.parametrize(
    ("final", "error"),
    [(3, GenerationFailedError), (7, GenerationModeratedError), (14, GenerationModeratedError)],
)
async def test_failed_and_moderated_jobs_raise_as_before(
    api: FakeAPI, client: AsyncMiniMax, final: int, error: type[Exception]
) -> None:
    api.script("GET", "scheduler", listed(A, B), listed(B), [])
    api.script("GET", f"videos/{A}", video(A, final))
    api.script("GET", f"videos/{B}", video(B, 2))
    failed, done = await gather_outcomes(
        client.wait_for_video(A, poll_interval=0.01), client.wait_for_video(B, poll_interval=0.01)
    )
    assert isinstance(failed, error)
    assert failed.result.status == final  # type: ignore[attr-defined]
    assert done.status == 2
    returned = await asyncio.gather(
        client.wait_for_video(A, poll_interval=0.01, raise_on_failure=False),
        client.wait_for_video(B, poll_interval=0.01, raise_on_failure=False),
    )
    assert [v.status for v in returned] == [final, 2]


async def test_404_after_being_listed_means_removed(api: FakeAPI, client: AsyncMiniMax) -> None:
    """Only ever seen in the scheduler, then 404: moderated and removed, as after a GET."""
    api.script("GET", "scheduler", listed(A, B), listed(B), [])
    api.script("GET", f"videos/{A}", err(404, {"error": "Not found.", "code": 404}))
    api.script("GET", f"videos/{B}", video(B, 2))
    removed, done = await gather_outcomes(
        client.wait_for_video(A, poll_interval=0.01), client.wait_for_video(B, poll_interval=0.01)
    )
    assert isinstance(removed, GenerationModeratedError)
    assert "removed" in str(removed)
    assert removed.result.video_id == A
    assert removed.result.status_label == "removed"
    assert removed.result.status_final is True
    assert done.status == 2
    assert fetches(api, A) == 1


async def test_404_for_a_job_never_seen_raises_not_found_after_the_grace_window(
    api: FakeAPI, client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "NOT_FOUND_GRACE", 0.15)
    api.script("GET", "scheduler", [])
    for job in (A, B):
        api.script("GET", f"videos/{job}", err(404, {"error": "Not found.", "code": 404}))
    started = time.monotonic()
    outcomes = await gather_outcomes(
        client.wait_for_video(A, poll_interval=0.01), client.wait_for_video(B, poll_interval=0.01)
    )
    assert all(isinstance(o, NotFoundError) for o in outcomes), outcomes
    assert 0.15 <= time.monotonic() - started < 1.5
    assert fetches(api, A) > 2  # retried within the window, one GET per round


async def test_timeout_carries_a_recent_snapshot(api: FakeAPI, client: AsyncMiniMax) -> None:
    """A job only seen in the scheduler is fetched once before its deadline, as the per-job
    loop's last poll would be: the timeout carries that snapshot."""
    api.script("GET", "scheduler", listed(A, B))
    api.script("GET", f"videos/{A}", video(A, 1, 40))
    api.script("GET", f"videos/{B}", video(B, 12, 70))
    started = time.monotonic()
    outcomes = await gather_outcomes(
        client.wait_for_video(A, poll_interval=0.01, timeout=0.3),
        client.wait_for_video(B, poll_interval=0.01, timeout=0.3),
    )
    elapsed = time.monotonic() - started
    assert all(isinstance(o, WaitTimeoutError) for o in outcomes), outcomes
    assert [(o.result.status, o.result.percent) for o in outcomes] == [(1, 40), (12, 70)]
    assert 0.29 <= elapsed < 0.8
    assert fetches(api, A) == fetches(api, B) == 1
    assert api.calls("POST", "videos/cancel") == []
    await settle(client)


async def test_transient_scheduler_errors_never_end_a_wait(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    """A failed read hands the waits back to their own polling (for a cool-down)."""
    api.script("GET", "scheduler", err(503))
    for job in (A, B):
        api.script("GET", f"videos/{job}", video(job, 1, 10), video(job, 1, 20), video(job, 2))
    results = await asyncio.gather(*(client.wait_for_video(j, poll_interval=0.01) for j in (A, B)))
    assert [r.status for r in results] == [2, 2]
    assert reads(api) == 1  # not again during the cool-down
    assert [fetches(api, A), fetches(api, B)] == [3, 3]


async def test_the_watcher_reads_again_after_the_cool_down(
    api: FakeAPI, client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watcher_module, "FAILURE_COOLDOWN", 0.05)
    api.script("GET", "scheduler", Reply(body=b"{not json"), *[listed(A, B)] * 8, [])
    for job in (A, B):
        api.script("GET", f"videos/{job}", *[video(job, 1, 10)] * 30, video(job, 2))
    results = await asyncio.gather(*(client.wait_for_video(j, poll_interval=0.01) for j in (A, B)))
    assert [r.status for r in results] == [2, 2]
    assert reads(api) > 2


async def test_permanent_errors_of_a_fetch_end_only_that_wait(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", "scheduler", listed(A, B), listed(B), listed(B), [])
    api.script("GET", f"videos/{A}", err(401, {"error": "Unauthorized", "code": 401}))
    api.script("GET", f"videos/{B}", video(B, 2))
    failed, done = await gather_outcomes(
        client.wait_for_video(A, poll_interval=0.01), client.wait_for_video(B, poll_interval=0.01)
    )
    assert type(failed).__name__ == "AuthenticationError"
    assert done.status == 2


# -- progress ----------------------------------------------------------------------------------


async def test_on_progress_sees_a_first_snapshot_and_the_final_one(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", "scheduler", *[listed(A, B)] * 5, [])
    for job in (A, B):
        api.script("GET", f"videos/{job}", video(job, 1, 30), video(job, 2))
    seen: dict[str, list[tuple[int | None, float | None]]] = collections.defaultdict(list)

    def record(v: Video) -> None:
        assert v.video_id is not None
        seen[v.video_id].append((v.status, v.percent))

    await asyncio.gather(
        *(client.wait_for_video(j, poll_interval=0.01, on_progress=record) for j in (A, B))
    )
    assert seen == {A: [(1, 30), (2, 100)], B: [(1, 30), (2, 100)]}
    assert [fetches(api, A), fetches(api, B)] == [2, 2]


async def test_progress_is_refreshed_at_a_slow_cadence(
    api: FakeAPI, client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watcher_module, "PROGRESS_REFRESH", 0.1)
    api.script("GET", "scheduler", listed(A, B))
    api.script("GET", f"videos/{A}", video(A, 1, 10), video(A, 1, 20), video(A, 1, 30))
    api.script("GET", f"videos/{B}", video(B, 1, 10), video(B, 1, 20), video(B, 1, 30))
    seen: list[float | None] = []
    with pytest.raises(WaitTimeoutError):
        await asyncio.gather(
            client.wait_for_video(
                A, poll_interval=0.01, timeout=0.45, on_progress=lambda v: seen.append(v.percent)
            ),
            client.wait_for_video(B, poll_interval=0.01, timeout=0.45),
        )
    assert seen[:3] == [10, 20, 30]
    assert 3 <= fetches(api, A) <= 7  # about every 0.1 s, not every 0.01 s
    assert fetches(api, B) <= 2  # no on_progress: only the fetch before its deadline
    await settle(client)


async def test_watch_video_with_other_waits(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", "scheduler", *[listed(A, B)] * 3, listed(B), [])
    api.script("GET", f"videos/{A}", video(A, 0), video(A, 2))
    api.script("GET", f"videos/{B}", video(B, 2))
    task_b = asyncio.create_task(client.wait_for_video(B, poll_interval=0.01))
    snapshots = [v.status async for v in client.watch_video(A, poll_interval=0.01)]
    assert snapshots == [0, 2]
    assert (await task_b).status == 2
    assert fetches(api, B) == 1


# -- cancellation, tasks, closing --------------------------------------------------------------


async def test_cancelling_one_wait_leaves_the_others_alone(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", "scheduler", *[listed(A, B, C)] * 6, listed(A), [])
    api.script("POST", "videos/cancel", {})
    for job in (A, B, C):
        api.script("GET", f"videos/{job}", video(job, 2))
    tasks = {
        job: asyncio.create_task(
            client.wait_for_video(job, poll_interval=0.01, cancel_on_timeout=True)
        )
        for job in (A, B, C)
    }
    with anyio.fail_after(5):
        while reads(api) < 2:  # noqa: ASYNC110 - the fake records on its own thread
            await asyncio.sleep(0.005)
    tasks[A].cancel()
    with pytest.raises(asyncio.CancelledError):
        await tasks[A]
    assert [(await tasks[j]).status for j in (B, C)] == [2, 2]
    await asyncio.sleep(0.05)
    assert fetches(api, A) == 0  # nothing sent for the cancelled wait
    assert api.calls("POST", "videos/cancel") == []
    assert only_current_task_left()


async def test_cancelling_every_wait_stops_the_watcher(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", "scheduler", Reply(payload=listed(A, B), delay=0.05))
    async with anyio.create_task_group() as tg:
        for job in (A, B):
            tg.start_soon(lambda j=job: client.wait_for_video(j, poll_interval=0.01))
        await api.wait_for_requests(3)
        assert client._watcher.running
        tg.cancel_scope.cancel()
    assert not client._watcher.running
    assert only_current_task_left()
    seen = len(api.requests)
    await asyncio.sleep(0.1)
    assert len(api.requests) == seen


async def test_no_task_is_left_after_the_waits_end(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", "scheduler", listed(A, B), [])
    for job in (A, B):
        api.script("GET", f"videos/{job}", video(job, 2))
    await asyncio.gather(*(client.wait_for_video(j, poll_interval=0.01) for j in (A, B)))
    assert not client._watcher.running
    assert only_current_task_left()
    # And it starts again for the next waits.
    api.script("GET", "scheduler", listed(C, D), [])
    for job in (C, D):
        api.script("GET", f"videos/{job}", video(job, 2))
    await asyncio.gather(*(client.wait_for_video(j, poll_interval=0.01) for j in (C, D)))
    assert reads(api) >= 2
    assert only_current_task_left()


async def test_aclose_stops_the_watcher(api: FakeAPI, sleeper: Sleeper) -> None:
    mm = AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0)
    mm._sleep = sleeper
    api.script("GET", "scheduler", listed(A, B))
    tasks = [asyncio.create_task(mm.wait_for_video(j, poll_interval=0.01)) for j in (A, B)]
    await api.wait_for_requests(2)
    assert mm._watcher.running
    await mm.aclose()
    assert not mm._watcher.running
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(o, RuntimeError) and "closed" in str(o) for o in outcomes), outcomes
    assert only_current_task_left()


async def test_copies_share_one_watcher(api: FakeAPI, client: AsyncMiniMax) -> None:
    copy = client.with_options(max_retries=1)
    assert copy._watcher is client._watcher
    api.script("GET", "scheduler", listed(A, B), [])
    for job in (A, B):
        api.script("GET", f"videos/{job}", video(job, 2))
    await asyncio.gather(
        client.wait_for_video(A, poll_interval=0.01), copy.wait_for_video(B, poll_interval=0.01)
    )
    assert [fetches(api, A), fetches(api, B)] == [1, 1]


# -- on the emulator ---------------------------------------------------------------------------


PROMPTS = ["a cat on a piano", "a dog on a bike [fail]", "a red balloon [moderate7]",
           "a boat in the rain [moderate-404]", "a fox in the snow"]  # fmt: skip


async def _run_waits(
    emu: Emulator, shared: bool, n: int
) -> tuple[list[Any], collections.Counter[str]]:
    async with AsyncMiniMax(emu.token, base_url=emu.base_url) as mm:
        mm._shared_watcher = shared
        jobs = [await mm.videos.create(prompt=PROMPTS[i % len(PROMPTS)]) for i in range(n)]
        first = len(emu.state.requests)
        outcomes = await gather_outcomes(
            *(mm.wait_for_video(j.video_id, poll_interval=0.1) for j in jobs)  # type: ignore[arg-type]
        )
        counts = collections.Counter(
            "scheduler"
            if r.path.startswith("/scheduler")
            else r.method + " " + r.path.split("/")[1]
            for r in emu.state.requests[first:]
        )
    return outcomes, counts


def _summary(outcome: Any) -> tuple[Any, ...]:
    if isinstance(outcome, Video):
        return ("ok", outcome.video_id, outcome.status)
    result = getattr(outcome, "result", None)
    return (type(outcome).__name__, result.video_id, result.status_label)


async def test_on_the_emulator_one_read_per_interval_and_one_get_per_job() -> None:
    n = 20
    async with run_emulator(speed=100, accounts=2, max_jobs=20, seed=7) as emu:
        started = time.monotonic()
        outcomes, counts = await _run_waits(emu, True, n)
        elapsed = time.monotonic() - started
    assert counts["GET videos"] == n
    assert counts["scheduler"] <= elapsed / 0.1 + 3
    assert set(counts) == {"GET videos", "scheduler"}
    summaries = [_summary(o) for o in outcomes]
    assert [s[0] for s in summaries[:5]] == [
        "ok", "GenerationFailedError", "GenerationModeratedError", "GenerationModeratedError", "ok"
    ]  # fmt: skip
    assert summaries[3][2] == "removed"


async def test_on_the_emulator_results_match_the_per_job_loop() -> None:
    results = {}
    for shared in (True, False):
        async with run_emulator(speed=100, accounts=2, max_jobs=20, seed=7) as emu:
            outcomes, counts = await _run_waits(emu, shared, 10)
            results[shared] = [_summary(o)[0::2] for o in outcomes]
            if not shared:
                assert counts["scheduler"] == 0
                assert counts["GET videos"] > 50  # about one per job per 0.1 s
    assert results[True] == results[False]


async def test_a_bug_in_the_watcher_hands_the_waits_back(
    api: FakeAPI, client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """Whatever goes wrong inside a round, the waits end as the per-job loop would."""

    async def broken(self: Any, target: float, spacing: float) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(watcher_module.SharedWatcher, "_tick", broken)
    for job in (A, B):
        api.script("GET", f"videos/{job}", video(job, 1, 10), video(job, 2))
    with anyio.fail_after(5):
        results = await asyncio.gather(
            *(client.wait_for_video(j, poll_interval=0.01) for j in (A, B))
        )
    assert [r.status for r in results] == [2, 2]
    assert "shared watcher failed" in caplog.text
    await settle(client)
