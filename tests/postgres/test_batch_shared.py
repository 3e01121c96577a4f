"""Batches on a shared PostgreSQL journal against the emulator: workers in one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import anyio
import asyncpg
import pytest

from minimax_async import AsyncMiniMax, JobCreationUnknownError
from minimax_async import _batch as batch_module
from minimax_async.postgres import PostgresJournal
from minimax_async.testing import Emulator, run_emulator

SPEED = 200.0


class ScaledSleep:
    async def __call__(self, delay: float) -> None:
        await anyio.sleep(delay / SPEED)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=SPEED, accounts=2, max_jobs=3, seed=11) as emulator:
        emulator.state.video_phases = (2.0, 2.0, 16.0)
        yield emulator


def client(emu: Emulator) -> AsyncMiniMax:
    mm = AsyncMiniMax(emu.token, base_url=emu.base_url)
    mm._sleep = ScaledSleep()
    return mm


def requests_for(n: int) -> list[dict[str, Any]]:
    return [{"prompt": f"a paper boat on a canal, take {i}", "model": "T2V-01"} for i in range(n)]


def creates(emu: Emulator) -> int:
    return sum(
        1
        for r in emu.state.requests
        if r.method == "POST" and r.path.rstrip("/").endswith("videos/create") and r.status == 200
    )


async def run_worker(mm: AsyncMiniMax, reqs: list[dict[str, Any]], journal: Any) -> list[Any]:
    with anyio.fail_after(30):
        return [r async for r in mm.generate_videos(reqs, journal=journal)]


async def states(dsn: str, name: str = "default") -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT key, state FROM minimax_batch_jobs WHERE name = $1", name)
    finally:
        await conn.close()
    return {r["key"]: r["state"] for r in rows}


class TestSharedBatch:
    async def test_two_workers_share_the_requests(self, emu: Emulator, pg_dsn: str) -> None:
        """Two workers with the same requests and journal: each request is created once and
        yielded by exactly one of them; both do some of the work."""
        reqs = requests_for(12)
        journal = PostgresJournal(pg_dsn, name="campaign-7", lease=5)
        async with client(emu) as a, client(emu) as b:
            got_a, got_b = await asyncio.gather(
                run_worker(a, reqs, journal), run_worker(b, reqs, journal)
            )
        indexes = sorted(r.index for r in got_a + got_b)
        assert indexes == list(range(12))
        assert all(r.ok for r in got_a + got_b)
        assert got_a
        assert got_b
        assert creates(emu) == 12
        prompts = sorted(v.prompt for v in emu.state.videos.values())
        assert prompts == sorted(r["prompt"] for r in reqs)
        assert set((await states(pg_dsn, "campaign-7")).values()) == {"done"}

    async def test_dsn_string_and_no_replay(self, emu: Emulator, pg_dsn: str) -> None:
        """``journal="postgresql://..."`` works; a later run redoes nothing and yields
        nothing (the rows were finished and yielded by the first)."""
        reqs = requests_for(3)
        async with client(emu) as mm:
            first = await run_worker(mm, reqs, pg_dsn)
            again = await run_worker(mm, reqs, pg_dsn)
        assert sorted(r.index for r in first) == [0, 1, 2]
        assert again == []
        assert creates(emu) == 3

    async def test_refused_request_yielded_once(self, emu: Emulator, pg_dsn: str) -> None:
        """A request the API refuses is yielded (with its error) by one worker only."""
        reqs = requests_for(4)
        reqs[2]["prompt"] += " [reject]"
        async with client(emu) as a, client(emu) as b:
            got_a, got_b = await asyncio.gather(
                run_worker(a, reqs, pg_dsn), run_worker(b, reqs, pg_dsn)
            )
        failed = [r for r in got_a + got_b if not r.ok]
        assert [r.index for r in failed] == [2]
        assert sorted(r.index for r in got_a + got_b) == [0, 1, 2, 3]

    async def test_dead_workers_rows_are_taken_over(self, pg_dsn: str) -> None:
        """A dead worker left one request ``submitted`` and one ``sending`` (created
        upstream, its answer lost): after its lease the next worker waits for the first and
        finds the second by replyRef while it is still listed; nothing is created again."""
        reqs = requests_for(3)
        items = batch_module._make_items("video", reqs)
        # A frozen clock keeps the jobs listed in GET scheduler until the takeover looked.
        async with run_emulator(speed=0, accounts=2, max_jobs=3, seed=11) as emu:
            dead = await PostgresJournal(pg_dsn, lease=0.5).open_worker()
            try:
                await dead.register(items, "video")
                rows = await dead.claim([i.key for i in items], 2)
                items = items[:2]
                async with client(emu) as mm:
                    for item, row in zip(items, rows, strict=True):
                        item.reply_ref = row.reply_ref
                        await dead.before(item, "video")
                        job = await mm.videos.create(**item.params, reply_ref=item.reply_ref)
                        item.job_ids = (job.video_id,)
                    await dead.submitted(items[0])  # items[1] stays "sending"
                    assert dead._renewer is not None
                    dead._renewer.cancel()  # the worker dies
                    looked = len(emu.state.requests)
                    worker = asyncio.ensure_future(
                        run_worker(mm, reqs, PostgresJournal(pg_dsn, lease=0.5))
                    )
                    with anyio.fail_after(20):
                        while True:  # the takeover's look-up by replyRef
                            if any(
                                r.path.rstrip("/").endswith("/scheduler")
                                for r in emu.state.requests[looked:]
                            ):
                                break
                            await asyncio.sleep(0.02)
                        while not worker.done():  # now let every job run to its end
                            emu.state.clock.advance(3600)
                            await asyncio.sleep(0.05)
                    got = await worker
            finally:
                await dead._pool.close()
            assert creates(emu) == 3
        assert sorted(r.index for r in got) == [0, 1, 2]
        assert all(r.ok for r in got), [(r.index, r.error) for r in got]
        by_index = {r.index: r for r in got}
        assert by_index[0].job_ids == items[0].job_ids
        assert by_index[1].job_ids == items[1].job_ids

    async def test_unverifiable_sending_row_is_not_resent(self, emu: Emulator, pg_dsn: str) -> None:
        """A taken-over ``sending`` row that cannot be looked for (scheduler down) fails with
        JobCreationUnknownError; it is not sent blindly."""
        reqs = requests_for(1)
        items = batch_module._make_items("video", reqs)
        dead = await PostgresJournal(pg_dsn, lease=0.3).open_worker()
        try:
            await dead.register(items, "video")
            [row] = await dead.claim([items[0].key], 1)
            items[0].reply_ref = row.reply_ref
            await dead.before(items[0], "video")
            assert dead._renewer is not None
            dead._renewer.cancel()
            await asyncio.sleep(0.4)
            emu.faults.add("GET /scheduler", "502", times=None)
            async with client(emu) as mm:
                got = await run_worker(mm, reqs, PostgresJournal(pg_dsn, lease=0.3))
        finally:
            await dead._pool.close()
        assert len(got) == 1
        assert isinstance(got[0].error, JobCreationUnknownError)
        assert creates(emu) == 0
