"""PostgresCoordinator against a real server: wake-ups across clients that share nothing but
the database (as separate processes would), one scheduler reader, its death and takeover, and
the degradation when the database is gone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from minimax_async import AsyncMiniMax, Video
from minimax_async._polling import wake_registry
from minimax_async.postgres import PostgresCoordinator
from minimax_async.testing import Emulator, run_emulator
from minimax_async.webhooks import DEFAULT_PATH, HANDLER_KEY, make_webhook_app

from ..test_webhooks import NEVER, serve

SPEED = 200.0


async def until(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Poll ``condition`` (emulator and coordinator state have no event to wait on)."""
    with anyio.fail_after(seconds):
        while True:
            if condition():
                return
            await anyio.sleep(0.005)


def scheduler_reads(emu: Emulator) -> int:
    return sum(
        1
        for r in emu.state.requests
        if r.method == "GET" and r.path.rstrip("/").endswith("scheduler")
    )


class TestWakeUps:
    async def test_callback_in_one_process_ends_a_wait_in_another(self, pg_dsn: str) -> None:
        """Client B receives the replyUrl callback; the wait is in client A (own connection,
        own session): A's wait ends after one GET, though it polls once an hour."""
        async with run_emulator(speed=0, accounts=1, max_jobs=5, seed=3) as emu:
            waiter = AsyncMiniMax(
                emu.token, base_url=emu.base_url, coordinator=PostgresCoordinator(pg_dsn)
            )
            receiver = AsyncMiniMax(
                emu.token, base_url=emu.base_url, coordinator=PostgresCoordinator(pg_dsn)
            )
            async with waiter, receiver:
                app = make_webhook_app(receiver)
                async with serve(app) as origin:
                    job = await waiter.videos.create(
                        prompt="a kite over dunes", model="T2V-01", reply_url=origin + DEFAULT_PATH
                    )
                    assert job.video_id
                    result: list[Video] = []
                    async with anyio.create_task_group() as tg:

                        async def wait() -> None:
                            assert job.video_id
                            result.append(
                                await waiter.wait_for_video(job.video_id, poll_interval=NEVER)
                            )

                        tg.start_soon(wait)
                        await until(lambda: job.video_id in wake_registry(waiter._holder)._by_id)
                        emu.advance(600)  # the job ends; the emulator POSTs its callback
                        await until(lambda: bool(result))
                    handler = app[HANDLER_KEY]
            assert result[0].status == 2
            assert handler.received == 1
            gets = [r for r in emu.state.requests if r.method == "GET" and job.video_id in r.path]
            assert len(gets) == 1
            assert waiter._coordinator is not None
            assert waiter._coordinator.received == 1


class ScaledSleep:
    async def __call__(self, delay: float) -> None:
        await anyio.sleep(delay / SPEED)


def worker(emu: Emulator, dsn: str) -> AsyncMiniMax:
    mm = AsyncMiniMax(
        emu.token, base_url=emu.base_url, coordinator=PostgresCoordinator(dsn, max_age=0.3)
    )
    mm._sleep = ScaledSleep()
    return mm


async def create_videos(mm: AsyncMiniMax, n: int, tag: str) -> list[str]:
    ids = []
    for i in range(n):
        job = await mm.videos.create(prompt=f"a slow tide, {tag} {i}", model="T2V-01")
        assert job.video_id
        ids.append(job.video_id)
    return ids


class TestSchedulerLeader:
    async def test_one_reader_then_takeover(self, pg_dsn: str) -> None:
        """Two clients with three waits each: one reads the scheduler, the other uses its
        listing; when the reader dies (its connection and waits gone), the other takes the
        lock over and reads, and its waits end."""
        async with run_emulator(speed=SPEED, accounts=2, max_jobs=6, seed=9) as emu:
            emu.state.video_phases = (2.0, 2.0, 400.0)
            first, second = worker(emu, pg_dsn), worker(emu, pg_dsn)
            async with first, second:
                ids_first = await create_videos(first, 3, "first")
                ids_second = await create_videos(second, 3, "second")
                done: list[Video] = []
                async with anyio.create_task_group() as tg:
                    for ids, mm in ((ids_first, first), (ids_second, second)):
                        for job_id in ids:

                            async def wait(mm: AsyncMiniMax = mm, job_id: str = job_id) -> None:
                                done.append(await mm.wait_for_video(job_id, timeout=5000))

                            tg.start_soon(wait)
                    coordinators = [first._coordinator, second._coordinator]
                    assert None not in coordinators
                    c1, c2 = coordinators  # type: ignore[misc]
                    await until(lambda: c1.shared + c2.shared >= 5)
                    leader, follower = (c1, c2) if c1.leader else (c2, c1)
                    assert leader.leader
                    assert not follower.leader
                    assert follower.reads <= 1  # its first round, before any listing existed
                    follower_reads = follower.reads
                    # The reader's process dies: its waits end, its connection is cut.
                    dead = first if leader is c1 else second
                    tg.cancel_scope.cancel()
                done_before = len(done)
                assert done_before == 0
                # Only the follower's waits go on now, in a new task group.
                alive = second if dead is first else first
                alive_ids = ids_second if dead is first else ids_first
                # Cut abruptly, as a killed process's connection is: the server frees its lock.
                assert dead._coordinator is not None
                dead._coordinator._conn.terminate()
                async with anyio.create_task_group() as tg:
                    for job_id in alive_ids:

                        async def wait_alive(job_id: str = job_id) -> None:
                            done.append(await alive.wait_for_video(job_id, timeout=5000))

                        tg.start_soon(wait_alive)
                assert follower.leader  # took the lock over
            assert len(done) == 3
            assert all(v.status == 2 for v in done)
            assert follower.reads > follower_reads


class TestDegraded:
    async def test_no_database_means_per_process_waits(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A coordinator that cannot reach its database logs one WARNING; waits still end,
        reading the scheduler themselves."""
        coordinator = PostgresCoordinator(f"postgresql://u:pw@/x?host={tmp_path}&port=1")
        async with run_emulator(speed=SPEED, accounts=1, max_jobs=5, seed=2) as emu:
            emu.state.video_phases = (2.0, 2.0, 40.0)
            mm = AsyncMiniMax(emu.token, base_url=emu.base_url, coordinator=coordinator)
            mm._sleep = ScaledSleep()
            with caplog.at_level(logging.WARNING, logger="minimax_async"):
                async with mm:
                    ids = await create_videos(mm, 3, "alone")
                    results: list[Any] = []
                    async with anyio.create_task_group() as tg:
                        for job_id in ids:

                            async def wait(job_id: str = job_id) -> None:
                                results.append(await mm.wait_for_video(job_id, timeout=5000))

                            tg.start_soon(wait)
                    assert mm.notify_job_update(ids[0]) is False
            assert len(results) == 3
            assert scheduler_reads(emu) >= 1
        warnings = [r for r in caplog.records if "lost the database" in r.getMessage()]
        assert len(warnings) == 1
        assert "pw" not in warnings[0].getMessage()
        assert coordinator.reads >= 1
