"""Issue 13 for batches: keys that do not depend on position, unmatched journal rows, crash-window
recovery that never guesses, and one runner per journal (a second real process included)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from minimax_async import AsyncMiniMax, JobCreationUnknownError, JournalInUseError
from minimax_async import _batch as batch_module
from minimax_async.testing import Emulator

from .test_batch import (  # the emulator fixtures and helpers of the batch tests
    HardCrash,
    collect,
    creates,
    emu,
    journal_rows,
    mm,
    requests_for,
    until,
)

__all__ = ["emu", "mm"]  # fixtures, imported to be used here


# -- keys ------------------------------------------------------------------------------------


async def test_removing_or_reordering_requests_never_recreates_a_finished_one(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(6)
    first = await collect(mm.generate_videos(reqs, journal=path))
    assert creates(emu, 200) == 6
    # One removed from the front, the rest reversed, one new one inserted in the middle.
    again = list(reversed(reqs[1:]))
    again.insert(2, {"prompt": "a brand new request", "model": "T2V-01"})
    caplog.set_level(logging.WARNING, "minimax_async")
    batch = mm.generate_videos(again, journal=path)
    second = await collect(batch)
    assert creates(emu, 200) == 7  # only the new request was created
    replayed = {r.request["prompt"] for r in second if r.replayed}
    assert replayed == {r["prompt"] for r in reqs[1:]}
    old_ids = {r.request["prompt"]: r.job_ids for r in first}
    for r in second:
        if r.replayed:
            assert r.job_ids == old_ids[r.request["prompt"]]
    # The removed request's row is reported, never silently ignored.
    (row,) = batch.unmatched_rows
    assert row.request["prompt"] == reqs[0]["prompt"]
    assert row.state == "done"
    assert row.job_ids == old_ids[reqs[0]["prompt"]]
    assert any("1 journal row(s) match no request" in m for m in caplog.messages)


async def test_identical_requests_are_told_apart_by_occurrence(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    same = {"prompt": "the same lighthouse twice", "model": "T2V-01"}
    first = await collect(mm.generate_videos([same, dict(same)], journal=path))
    assert len({r.key for r in first}) == 2
    assert creates(emu, 200) == 2
    # A third identical request is the third occurrence: only it is new.
    second = await collect(mm.generate_videos([same, same, same], journal=path))
    assert sum(r.replayed for r in second) == 2
    assert creates(emu, 200) == 3


async def test_a_journal_with_position_keys_is_still_resumed(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    """Rows keyed by position (journals written before issue 13) are adopted, not redone."""
    path = tmp_path / "run.sqlite"
    reqs = requests_for(3)
    await collect(mm.generate_videos(reqs, journal=path))
    items = batch_module._make_items("video", reqs)
    with __import__("sqlite3").connect(path) as conn:
        for item in items:
            conn.execute("UPDATE batch_jobs SET key = ? WHERE key = ?", (item.legacy_key, item.key))
    conn.close()
    second = await collect(mm.generate_videos(reqs, journal=path))
    assert all(r.replayed for r in second)
    assert creates(emu, 200) == 3


# -- the crash window ----------------------------------------------------------------------------


async def crash_before_sending(
    mm: AsyncMiniMax, kind: str, reqs: list[dict[str, Any]], path: Path
) -> None:
    """The first request is marked ``sending``, then the process "dies" before it leaves."""

    async def die(*args: Any, **kwargs: Any) -> Any:
        raise HardCrash("before the request left")

    owner = batch_module._VideoKind if kind == "videos" else batch_module._ImageKind
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner, "create", die)
        run = mm.generate_videos if kind == "videos" else mm.generate_images_batch
        with pytest.raises(HardCrash):
            await collect(run(reqs, journal=path, concurrency=1))
    assert [state for state, _ in journal_rows(path).values()] == ["sending"]


async def test_an_older_image_batch_from_another_run_is_not_adopted(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = [{"prompt": f"a paper crane, take {i}"} for i in range(2)]
    account = next(iter(emu.state.accounts))
    # The emulator's wall clock runs ahead of the real one (virtual time): set it an hour back
    # so that this other run's images were made, as shown by createTime, before the crash.
    emu.clock._wall_start -= 3600 + emu.clock.now()
    older = await mm.images.create(prompt=reqs[0]["prompt"], account=account)  # another run
    emu.advance(600)
    await crash_before_sending(mm, "images", reqs, path)
    results = {r.index: r async for r in mm.generate_images_batch(reqs, journal=path)}
    assert all(r.ok for r in results.values())
    assert not set(results[0].job_ids) & set(older.image_ids or [])
    assert creates(emu, 200, "images") == 3  # the older one, then both requests


async def test_an_image_batch_made_before_the_crash_is_adopted(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = [{"prompt": f"a paper crane, take {i}"} for i in range(2)]

    async def die(self: Any, item: Any) -> None:
        raise HardCrash(item.key)

    with monkeypatch.context() as patch:
        patch.setattr(batch_module._Journal, "submitted", die)
        with pytest.raises(HardCrash):
            await collect(mm.generate_images_batch(reqs, journal=path, concurrency=1))
    emu.advance(3600)  # it ended: GET scheduler no longer lists it, GET images does
    made = {i for i, img in emu.state.images.items() if img.prompt == reqs[0]["prompt"]}
    results = {r.index: r async for r in mm.generate_images_batch(reqs, journal=path)}
    assert all(r.ok for r in results.values())
    assert set(results[0].job_ids) == made
    assert creates(emu, 200, "images") == 2


async def test_an_older_video_look_alike_for_a_request_never_sent_is_not_adopted(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(2)
    account = next(iter(emu.state.accounts))
    older = await mm.videos.create(**reqs[0], account=account)  # another run, same prompt
    emu.advance(3600)
    await crash_before_sending(mm, "videos", reqs, path)
    results = {r.index: r async for r in mm.generate_videos(reqs, journal=path)}
    assert isinstance(results[0].error, JobCreationUnknownError)
    assert older.video_id in str(results[0].error)
    assert results[0].job_ids == ()  # nothing adopted
    assert results[1].ok
    assert creates(emu, 200) == 2  # the older one and request 1: nothing guessed or resent


async def test_a_video_request_never_sent_with_no_look_alike_is_sent_again(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = requests_for(2)
    await crash_before_sending(mm, "videos", reqs, path)
    (key,) = journal_rows(path)
    results = {r.key: r async for r in mm.generate_videos(reqs, journal=path)}
    assert all(r.ok for r in results.values())
    assert creates(emu, 200) == 2
    job = emu.state.videos[results[key].job_ids[0]]
    assert job.reply_ref == results[key].reply_ref  # the same replyRef as marked


async def test_two_image_look_alikes_since_the_mark_are_not_guessed(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.sqlite"
    reqs = [{"prompt": "a paper crane, take 0"}]
    await crash_after_create_images(mm, reqs, path, monkeypatch)
    account = next(iter(emu.state.accounts))
    await mm.images.create(prompt=reqs[0]["prompt"], account=account)  # made again since
    emu.advance(3600)
    (result,) = await collect(mm.generate_images_batch(reqs, journal=path))
    assert isinstance(result.error, JobCreationUnknownError)
    assert "2 jobs created since" in str(result.error)
    assert creates(emu, 200, "images") == 2


async def crash_after_create_images(
    mm: AsyncMiniMax, reqs: list[dict[str, Any]], path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def die(self: Any, item: Any) -> None:
        raise HardCrash(item.key)

    with monkeypatch.context() as patch:
        patch.setattr(batch_module._Journal, "submitted", die)
        with pytest.raises(HardCrash):
            await collect(mm.generate_images_batch(reqs, journal=path, concurrency=1))


# -- one journal, one runner -------------------------------------------------------------------

HOLDER = """
import asyncio, sys
from minimax_async._batch import _Journal

async def main():
    journal = await _Journal.open(sys.argv[1])
    print("held", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await journal.close()

asyncio.run(main())
"""


async def test_a_second_process_on_the_journal_fails_at_once_naming_the_holder(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    async with await anyio.open_process(
        [sys.executable, "-c", HOLDER, str(path)], env=env, stderr=None
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdin is not None
        with anyio.fail_after(30):
            line = await holder.stdout.receive()
        assert line.strip() == b"held"
        with pytest.raises(JournalInUseError) as info:
            await collect(mm.generate_videos(requests_for(3), journal=path))
        assert str(path) in str(info.value)
        assert f"pid {holder.pid}" in str(info.value)
        assert creates(emu) == 0  # nothing was sent
        await holder.stdin.aclose()  # the holder releases the journal and ends
        with anyio.fail_after(30):
            await holder.wait()
    # The holder is gone: the journal is free again.
    results = await collect(mm.generate_videos(requests_for(3), journal=path))
    assert all(r.ok for r in results)


async def test_two_runs_in_one_process_share_no_journal(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path
) -> None:
    path = tmp_path / "run.sqlite"
    emu.state.video_phases = (2.0, 2.0, 100_000.0)  # the first batch stays busy
    reqs = requests_for(4)
    async with mm.generate_videos(reqs, journal=path) as first, anyio.create_task_group() as tg:

        async def consume() -> None:
            async for _ in first:
                pass

        tg.start_soon(consume)
        await until(lambda: creates(emu) > 0)
        with pytest.raises(JournalInUseError, match=f"pid {os.getpid()}"):
            await collect(mm.generate_videos(reqs, journal=path))
        tg.cancel_scope.cancel()
    assert creates(emu, 200) <= 4  # the second run created nothing
