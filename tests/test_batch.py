"""``generate_videos`` / ``generate_images_batch`` against the emulator: capacity, failures,
596/412/429 handling, cancellation, and the journal (resume, the crash window)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from minimax_async import (
    AsyncMiniMax,
    BatchFailure,
    BatchRequest,
    BatchResult,
    BatchSuccess,
    GenerationFailedError,
    GenerationModeratedError,
    InsufficientCreditsError,
    JobCreationUnknownError,
    ModerationError,
    Video,
)
from minimax_async import _batch as batch_module
from minimax_async.testing import Emulator, run_emulator

#: Virtual seconds per real second; the client's sleeps are scaled the same way, so the
#: emulator's clock and the SDK's schedule agree (a 20 s video takes 0.1 s).
SPEED = 200.0


class ScaledSleep:
    """The client's sleep seam: ``delay`` virtual seconds, recorded."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await anyio.sleep(delay / SPEED)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=SPEED, accounts=2, max_jobs=3, seed=7) as emulator:
        emulator.state.video_phases = (2.0, 2.0, 16.0)
        emulator.state.image_phases = (1.0, 1.0, 8.0)
        yield emulator


@pytest.fixture
async def mm(emu: Emulator) -> AsyncIterator[AsyncMiniMax]:
    client = AsyncMiniMax(emu.token, base_url=emu.base_url)
    client._sleep = ScaledSleep()
    async with client:
        yield client


def creates(emu: Emulator, status: int | None = None, kind: str = "videos") -> int:
    return sum(
        1
        for r in emu.state.requests
        if r.method == "POST"
        and r.path.rstrip("/").endswith(f"{kind}/create")
        and (status is None or r.status == status)
    )


def requests_for(n: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {"prompt": f"a lighthouse in a storm, take {i}", "model": "T2V-01", **extra}
        for i in range(n)
    ]


async def collect(batch: Any) -> list[BatchResult[Any]]:
    with anyio.fail_after(30):
        return [r async for r in batch]


async def until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (emulator state has no event to wait on) for up to 5 s."""
    with anyio.fail_after(5):
        while True:
            if condition():
                return
            await anyio.sleep(0.001)


def batch_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "minimax-batch" and not t.done()]


class RunningMonitor:
    """Samples the emulator's running videos per account while a batch runs."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.peak: dict[str, int] = {}
        self.total_peak = 0

    async def run(self) -> None:
        while True:
            counts: dict[str, int] = {}
            for video in self.emu.state.running_videos():
                counts[video.account] = counts.get(video.account, 0) + 1
            for account, count in counts.items():
                self.peak[account] = max(self.peak.get(account, 0), count)
            self.total_peak = max(self.total_peak, sum(counts.values()))
            await anyio.sleep(0.002)


# -- capacity ----------------------------------------------------------------------------------


async def test_batch_fills_capacity_without_429_and_spreads_accounts(
    emu: Emulator, mm: AsyncMiniMax
) -> None:
    monitor = RunningMonitor(emu)
    async with anyio.create_task_group() as tg:
        tg.start_soon(monitor.run)
        results = await collect(mm.generate_videos(requests_for(20)))
        tg.cancel_scope.cancel()
    assert sorted(r.index for r in results) == list(range(20))
    assert all(r.ok and isinstance(r.result, Video) and r.result.status == 2 for r in results)
    assert creates(emu) == 20
    assert creates(emu, 429) == 0
    assert len(emu.state.videos) == 20
    accounts = set(emu.state.accounts)
    assert {r.account for r in results} == accounts  # both accounts were used
    assert monitor.peak
    assert all(peak <= 3 for peak in monitor.peak.values())
    assert monitor.total_peak == 6  # and their capacity was filled
    for r in results:  # each result holds its own request and job
        assert r.request == requests_for(20)[r.index]
        assert r.job_ids == (r.result.video_id,)  # type: ignore[union-attr]
        assert emu.state.videos[r.job_ids[0]].prompt == r.request["prompt"]
        assert emu.state.videos[r.job_ids[0]].reply_ref == r.reply_ref


async def test_results_come_in_completion_order(emu: Emulator, mm: AsyncMiniMax) -> None:
    reqs = requests_for(8)
    reqs[5]["prompt"] += " [reject]"  # refused at once: it comes first
    seen = [result.index async for result in mm.generate_videos(reqs)]
    assert sorted(seen) == list(range(8))
    assert seen[0] == 5
    # 6 slots: 6 took the slot 5 gave back at once, 7 waited for a video to end: it ends last.
    assert seen[-1] == 7
    assert seen != sorted(seen)


async def test_concurrency_caps_jobs_in_flight(emu: Emulator, mm: AsyncMiniMax) -> None:
    monitor = RunningMonitor(emu)
    async with anyio.create_task_group() as tg:
        tg.start_soon(monitor.run)
        results = await collect(mm.generate_videos(requests_for(7), concurrency=2))
        tg.cancel_scope.cancel()
    assert all(r.ok for r in results)
    assert monitor.total_peak == 2


async def test_failures_do_not_stop_the_batch(emu: Emulator, mm: AsyncMiniMax) -> None:
    reqs = requests_for(10)
    reqs[2]["prompt"] += " [fail]"
    reqs[4]["prompt"] += " [reject]"
    reqs[6]["prompt"] += " [moderate7]"
    reqs[8] = {"prompt": "a valid prompt", "model": "T2V-01", "options": "4k-60sec"}
    results = {r.index: r async for r in mm.generate_videos(reqs)}
    assert sorted(results) == list(range(10))
    assert isinstance(results[2].error, GenerationFailedError)
    assert results[2].error.result.status == 3
    assert isinstance(results[4].error, ModerationError)
    assert results[4].job_ids == ()
    assert isinstance(results[6].error, GenerationModeratedError)
    assert isinstance(results[8].error, ValueError)  # refused before anything was sent
    ok = sorted(i for i, r in results.items() if r.ok)
    assert ok == [0, 1, 3, 5, 7, 9]
    assert all(results[i].result is None for i in (2, 4, 6, 8))
    assert creates(emu, 429) == 0
    # ``ok`` is what the two result classes say (type checkers narrow on it), and both stay
    # BatchResults.
    for result in results.values():
        assert isinstance(result, BatchSuccess if result.ok else BatchFailure)
        assert isinstance(result, BatchResult)


# -- 596, 412, 429 -----------------------------------------------------------------------------


async def test_account_on_hold_is_paused_and_its_requests_move(
    emu: Emulator, mm: AsyncMiniMax
) -> None:
    held, other = list(emu.state.accounts)
    emu.state.accounts[held].hold = True
    results = await collect(mm.generate_videos(requests_for(9)))
    assert all(r.ok for r in results)
    assert {r.account for r in results} == {other}
    assert creates(emu, 596) == 1  # one create found the hold; then the account was left alone
    assert creates(emu, 200) == 9
    assert creates(emu, 429) == 0


async def test_account_on_hold_is_tried_again_after_the_pause(
    emu: Emulator, mm: AsyncMiniMax
) -> None:
    for name in list(emu.state.accounts)[1:]:
        del emu.state.accounts[name]
    (account,) = emu.state.accounts.values()
    account.hold = True

    async def release_hold() -> None:
        await until(lambda: creates(emu, 596) > 0)
        account.hold = False

    async with anyio.create_task_group() as tg:
        tg.start_soon(release_hold)
        results = await collect(mm.generate_videos(requests_for(4), hold_pause=120))
    assert all(r.ok for r in results)
    assert creates(emu, 596) == 1
    assert 120 in mm._sleep.delays  # type: ignore[attr-defined]


async def test_account_without_credits_is_dropped(emu: Emulator, mm: AsyncMiniMax) -> None:
    broke, other = list(emu.state.accounts)
    emu.state.accounts[broke].credits = 0
    results = await collect(mm.generate_videos(requests_for(8)))
    assert all(r.ok for r in results)
    assert {r.account for r in results} == {other}
    assert creates(emu, 412) == 1


async def test_no_account_with_credits_fails_the_requests(emu: Emulator, mm: AsyncMiniMax) -> None:
    for account in emu.state.accounts.values():
        account.credits = 0
    results = await collect(mm.generate_videos(requests_for(6)))
    assert len(results) == 6
    assert all(isinstance(r.error, InsufficientCreditsError) for r in results)
    assert creates(emu, 412) == 2  # one per account, then nothing more was sent
    assert not emu.state.videos


async def test_pinned_request_to_a_dropped_account_fails(emu: Emulator, mm: AsyncMiniMax) -> None:
    broke, other = list(emu.state.accounts)
    emu.state.accounts[broke].credits = 0
    reqs = requests_for(4)
    reqs[0]["account"] = broke
    results = {r.index: r async for r in mm.generate_videos(reqs)}
    assert isinstance(results[0].error, InsufficientCreditsError)
    assert all(results[i].ok and results[i].account == other for i in (1, 2, 3))


async def test_rate_limit_waits_instead_of_failing(emu: Emulator, mm: AsyncMiniMax) -> None:
    # More 429s than the client's own retries: the batch waits 10-30 s and tries again.
    emu.faults.add("POST /videos/create", "429", times=4)
    results = await collect(mm.generate_videos(requests_for(5)))
    assert all(r.ok for r in results)
    assert creates(emu, 429) == 4
    waits = [d for d in mm._sleep.delays if d >= 10]  # type: ignore[attr-defined]
    assert waits
    assert all(10 <= d <= 30 for d in waits)


async def test_no_per_account_information_lets_the_api_choose(
    emu: Emulator, mm: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = mm.scheduler.available

    async def anonymous() -> Any:
        capacity = await original()
        return type(capacity)(executing=capacity.executing, available=[])

    monkeypatch.setattr(mm.scheduler, "available", anonymous)
    results = await collect(mm.generate_videos(requests_for(5), concurrency=2))
    assert all(r.ok for r in results)
    assert {r.account for r in results} == {None}
    bodies = [r for r in emu.state.requests if r.path.endswith("videos/create")]
    assert len(bodies) == 5


# -- images ------------------------------------------------------------------------------------


async def test_images_batch(emu: Emulator, mm: AsyncMiniMax) -> None:
    for account in emu.state.accounts.values():
        account.image_queue_length = 2
    reqs = [{"prompt": f"a red fox in snow, take {i}", "quantity": 2} for i in range(9)]
    reqs[3]["prompt"] += " [fail]"
    results = {r.index: r async for r in mm.generate_images_batch(reqs)}
    assert sorted(results) == list(range(9))
    assert creates(emu, 429, kind="images") == 0
    assert isinstance(results[3].error, GenerationFailedError)
    assert len(results[3].error.results) == 2  # type: ignore[attr-defined]
    for i in set(range(9)) - {3}:
        images = results[i].result
        assert images is not None
        assert len(images) == 2
        assert all(image.status == 2 for image in images)
        assert results[i].job_ids == tuple(image.image_id for image in images)
    assert len(emu.state.images) == 18


# -- cancellation ------------------------------------------------------------------------------


async def test_break_stops_the_batch(emu: Emulator, mm: AsyncMiniMax) -> None:
    async with mm.generate_videos(requests_for(20)) as batch:
        async for _ in batch:
            break
    assert batch_tasks() == []
    sent = creates(emu)
    await anyio.sleep(0.3)  # 60 virtual seconds: nothing more is sent
    assert creates(emu) == sent < 20


async def test_break_without_async_with_leaves_no_task(emu: Emulator, mm: AsyncMiniMax) -> None:
    async for _ in mm.generate_videos(requests_for(20)):
        break
    await until(lambda: not batch_tasks())
    sent = creates(emu)
    await anyio.sleep(0.3)
    assert creates(emu) == sent < 20


async def test_cancelling_the_iterating_task_stops_the_batch(
    emu: Emulator, mm: AsyncMiniMax
) -> None:
    got: list[BatchResult[Video]] = []
    with anyio.move_on_after(0.15):
        async for result in mm.generate_videos(requests_for(20)):
            got.append(result)
    assert batch_tasks() == []
    sent = creates(emu)
    await anyio.sleep(0.3)
    assert creates(emu) == sent < 20


async def test_arguments_are_checked_before_anything_runs(mm: AsyncMiniMax) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        mm.generate_videos([], concurrency=0)
    with pytest.raises(ValueError, match="timeout"):
        mm.generate_videos([], timeout=-1)
    with pytest.raises(ValueError, match="hold_pause"):
        mm.generate_videos([], hold_pause=0)
    with pytest.raises(TypeError, match="iterable"):
        mm.generate_videos({"prompt": "one request, not a list"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="request 1"):
        mm.generate_videos([{"prompt": "fine"}, "not a mapping"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="used twice"):
        mm.generate_videos([BatchRequest({"prompt": "a"}, key="k"), BatchRequest({}, key="k")])
    # One definition of the batch keywords (BatchOptions): a misspelt one is refused as Python
    # refuses it for a plain signature, naming the method and what it takes.
    with pytest.raises(
        TypeError,
        match=r"generate_images_batch\(\) got an unexpected keyword argument 'concurency'; "
        r"allowed: concurrency, hold_pause, journal, poll_interval, reply_url, timeout",
    ):
        mm.generate_images_batch([], concurency=2)  # type: ignore[call-arg]


async def test_empty_batch(emu: Emulator, mm: AsyncMiniMax) -> None:
    assert await collect(mm.generate_videos([])) == []
    assert creates(emu) == 0


# -- the journal -------------------------------------------------------------------------------


def journal_rows(path: Path) -> dict[str, tuple[str, list[str]]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT key, state, job_ids FROM batch_jobs").fetchall()
    conn.close()
    return {key: (state, json.loads(ids)) for key, state, ids in rows}


async def test_journal_records_every_request(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(5)
    reqs[1]["prompt"] += " [reject]"
    results = {r.index: r async for r in mm.generate_videos(reqs, journal=path)}
    rows = journal_rows(path)
    assert len(rows) == 5
    assert rows[results[1].key][0] == "rejected"
    for i in (0, 2, 3, 4):
        assert rows[results[i].key] == ("done", list(results[i].job_ids))


async def test_journal_resumes_after_a_cancelled_run(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(20)
    reqs[3]["prompt"] += " [fail]"
    first: list[BatchResult[Video]] = []
    async with mm.generate_videos(reqs, journal=path) as batch:
        async for result in batch:
            first.append(result)
            if len(first) == 5:
                break  # the "crash": jobs in flight, others never sent
    assert batch_tasks() == []
    submitted_before = len(emu.state.videos)
    assert 5 < submitted_before < 20

    second = await collect(mm.generate_videos(reqs, journal=path))
    assert sorted(r.index for r in second) == list(range(20))
    replayed = {r.index: r for r in second if r.replayed}
    # Every result consumed before (and any recorded after it) is replayed, not redone.
    assert {r.index for r in first} <= set(replayed)
    for r in first:  # the same outcome, read back from the journal
        again = replayed[r.index]
        assert again.job_ids == r.job_ids
        assert again.ok == r.ok
        if r.ok:
            assert again.result == r.result
        else:
            assert type(again.error) is type(r.error)
            assert again.error.result.status == 3  # type: ignore[union-attr]
    by_index = {r.index: r for r in second}
    assert isinstance(by_index[3].error, GenerationFailedError)
    assert sum(r.ok for r in second) == 19
    # Never created twice: one job per request, whatever was in flight at the "crash".
    assert len(emu.state.videos) == 20
    assert creates(emu, 200) == 20
    assert sorted(v.prompt for v in emu.state.videos.values()) == sorted(r["prompt"] for r in reqs)


async def test_journal_replays_without_requests(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(3)
    reqs[0]["prompt"] += " [moderate5]"
    await collect(mm.generate_videos(reqs, journal=path))
    count = len(emu.state.requests)
    again = {r.index: r async for r in mm.generate_videos(reqs, journal=path)}
    assert all(r.replayed for r in again.values())
    assert isinstance(again[0].error, GenerationModeratedError)
    assert again[0].error.result.status == 5
    assert again[1].ok
    assert again[1].result.status == 2
    # Only the capacity read: nothing created, nothing fetched.
    assert [r.path for r in emu.state.requests[count:]] == ["/scheduler/available"]


async def test_journal_refuses_other_requests_under_a_key(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    await collect(mm.generate_videos([BatchRequest(requests_for(1)[0], key="a")], journal=path))
    other = BatchRequest({"prompt": "something else entirely", "model": "T2V-01"}, key="a")
    with pytest.raises(ValueError, match="another request"):
        await collect(mm.generate_videos([other], journal=path))
    with pytest.raises(ValueError, match="video request"):
        await collect(mm.generate_images_batch([other], journal=path))
    assert creates(emu) == 1


class Crash(Exception):
    """Stands for the process dying at a chosen point."""


class HardCrash(BaseException):
    """A crash no ``except Exception`` catches."""


async def crash_after_create(
    mm: AsyncMiniMax, reqs: list[dict[str, Any]], path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run until the first create has answered, then "die" before recording it."""

    async def die(self: Any, item: Any) -> None:
        raise Crash(item.key)

    with monkeypatch.context() as patch:
        patch.setattr(batch_module._Journal, "submitted", die)
        with pytest.raises(Crash):
            await collect(mm.generate_videos(reqs, journal=path, concurrency=1))


async def test_crash_window_job_found_in_the_scheduler(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(3)
    emu.state.video_phases = (2.0, 2.0, 100_000.0)  # it stays running: listed by GET scheduler
    await crash_after_create(mm, reqs, path, monkeypatch)
    assert len(emu.state.videos) == 1
    assert [state for state, _ in journal_rows(path).values()] == ["sending"]

    async def finish_when_all_created() -> None:
        await until(lambda: creates(emu) >= 3)
        emu.advance(200_000)

    async with anyio.create_task_group() as tg:
        tg.start_soon(finish_when_all_created)
        results = await collect(mm.generate_videos(reqs, journal=path))
    assert all(r.ok for r in results)
    assert len(emu.state.videos) == 3
    assert creates(emu, 200) == 3
    (first,) = [r for r in results if r.index == 0]
    assert first.job_ids == (next(iter(emu.state.videos)),)


async def test_crash_window_video_that_ended_is_reported_not_guessed(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``GET videos`` shows no creation time: a look-alike in the recent list may be this
    request's job or an older one, so it is neither adopted nor created again (issue 13)."""
    path = tmp_path / "run.sqlite"
    reqs = requests_for(3)
    await crash_after_create(mm, reqs, path, monkeypatch)
    emu.advance(600)  # the job ended meanwhile: GET scheduler no longer lists it
    assert not emu.state.running_videos()
    results = {r.index: r async for r in mm.generate_videos(reqs, journal=path)}
    assert isinstance(results[0].error, JobCreationUnknownError)
    assert "creation time" in str(results[0].error)
    assert results[1].ok
    assert results[2].ok
    assert len(emu.state.videos) == 3
    assert creates(emu, 200) == 3


async def test_crash_window_job_never_created_is_sent_again(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(3)

    async def die(*args: Any, **kwargs: Any) -> Any:
        raise HardCrash("before the request left")

    with monkeypatch.context() as patch:
        patch.setattr(batch_module._VideoKind, "create", die)
        with pytest.raises(HardCrash):
            await collect(mm.generate_videos(reqs, journal=path, concurrency=1))
    rows = journal_rows(path)
    assert [state for state, _ in rows.values()] == ["sending"]
    results = await collect(mm.generate_videos(reqs, journal=path))
    assert all(r.ok for r in results)
    assert len(emu.state.videos) == 3
    assert creates(emu) == 3
    (key,) = rows
    (first,) = [r for r in results if r.key == key]
    # Sent again with the replyRef recorded before the "crash".
    assert emu.state.videos[first.job_ids[0]].reply_ref == first.reply_ref


def test_readme_example_runs(tmp_path: Path) -> None:
    """The README's Batches example runs as written, journal included."""
    from .test_readme import _examples, _run

    result = _run(_examples()["batches"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert len(lines) == 9
    assert sum("completed" in line for line in lines) == 8
    assert "8 error GenerationFailedError" in lines
    assert (tmp_path / "run.sqlite").is_file()


async def test_unknown_creation_is_reported_then_resolved_by_the_next_run(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(3)
    # Every attempt of the first create ends in a 502 that created nothing: after the
    # client's look-ups and resends its outcome is "unknown".
    emu.faults.add("POST /videos/create", "502", times=3)
    first = {r.index: r async for r in mm.generate_videos(reqs, journal=path, concurrency=1)}
    unknown = [r for r in first.values() if isinstance(r.error, JobCreationUnknownError)]
    assert len(unknown) == 1
    assert unknown[0].error.reply_ref == unknown[0].reply_ref  # type: ignore[union-attr]
    assert journal_rows(path)[unknown[0].key][0] == "sending"
    assert len(emu.state.videos) == 2

    second = {r.index: r async for r in mm.generate_videos(reqs, journal=path)}
    assert all(r.ok for r in second.values())
    assert [r.replayed for r in second.values()].count(True) == 2
    assert len(emu.state.videos) == 3  # looked for, not found: sent once more
