"""Three worker processes share one PostgreSQL journal and one emulator; one is killed with
SIGKILL while it holds work: every request is done exactly once, by a live worker."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import asyncpg
import pytest

from minimax_async.testing import Emulator, run_emulator

from ._batch_worker import requests_for

SPEED = 200.0
COUNT = 15
LEASE = 1.5
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    # The emulator's clock is driven by the test (see ``Driver``), at about SPEED.
    async with run_emulator(speed=0, accounts=2, max_jobs=3, seed=5) as emulator:
        emulator.state.video_phases = (2.0, 2.0, 56.0)
        yield emulator


class Driver:
    """Moves the emulator's clock at about SPEED while running; ``hold()`` stops it.

    In real use a video runs for minutes and a lease expires after one: the victim's jobs are
    still listed in GET scheduler when the others take its rows over, and are found by their
    replyRef. Holding the clock from the kill to the takeover keeps that order on a loaded
    machine too (a job that ended before the takeover could not be told from an older
    look-alike, and would be reported, not adopted).
    """

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.running = True

    async def run(self) -> None:
        step = 0.01
        while True:
            await asyncio.sleep(step)
            if self.running:
                self.emu.state.clock.advance(step * SPEED)


async def start_worker(emu: Emulator, dsn: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.postgres._batch_worker",
        emu.base_url,
        emu.token,
        dsn,
        str(COUNT),
        str(LEASE),
        str(SPEED),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def held_by(conn: asyncpg.Connection, pid: int) -> list[str]:
    """Keys the process ``pid`` holds in flight (sending or submitted)."""
    rows = await conn.fetch(
        "SELECT key FROM minimax_batch_jobs WHERE name = 'multi' AND owner LIKE $1 "
        "AND state IN ('sending', 'submitted')",
        f"%:{pid}:%",
    )
    return [r["key"] for r in rows]


async def rows_taken_over(
    conn: asyncpg.Connection, emu: Emulator, pid: int, keys: list[str]
) -> bool:
    """Whether the survivors hold every row of ``keys``, and none whose job the emulator has
    is still marked ``sending`` (a ``sending`` row with no job upstream is queued to be sent:
    that needs the clock to move)."""
    created = {video.reply_ref for video in emu.state.videos.values()}
    rows = await conn.fetch(
        "SELECT owner, state, reply_ref FROM minimax_batch_jobs WHERE name = 'multi' "
        "AND key = ANY($1)",
        keys,
    )
    return all(
        f":{pid}:" not in (row["owner"] or "")
        and not (row["state"] == "sending" and row["reply_ref"] in created)
        for row in rows
    )


class TestThreeWorkers:
    async def test_one_killed_mid_run(self, emu: Emulator, pg_dsn: str) -> None:
        """Worker 0 is SIGKILLed holding work; the other two take its rows over after the
        lease: each request yielded once at most, all done, one upstream job per request."""
        driver = Driver(emu)
        driving = asyncio.ensure_future(driver.run())
        workers = [await start_worker(emu, pg_dsn) for _ in range(3)]
        victim = workers[0]
        conn = await asyncpg.connect(pg_dsn)
        try:
            with anyio.fail_after(60):
                orphaned: list[str] = []
                while not orphaned:
                    await asyncio.sleep(0.02)
                    if await conn.fetchval("SELECT to_regclass('minimax_batch_jobs')"):
                        orphaned = await held_by(conn, victim.pid)
                driver.running = False
                victim.send_signal(signal.SIGKILL)
                # Until the survivors took the rows over and found the jobs the victim had
                # created (with every slot taken too: the clock stands still meanwhile).
                while True:
                    if await rows_taken_over(conn, emu, victim.pid, orphaned):
                        break
                    await asyncio.sleep(0.02)
                driver.running = True
                outputs = await asyncio.gather(*(w.communicate() for w in workers))
            states = await conn.fetch(
                "SELECT key, position, state, job_ids FROM minimax_batch_jobs WHERE name = 'multi'"
            )
        finally:
            driving.cancel()
            await conn.close()
        assert victim.returncode == -signal.SIGKILL
        for worker, (_, err) in zip(workers[1:], outputs[1:], strict=True):
            assert worker.returncode == 0, err.decode()
        lines = [json.loads(x) for out, _ in outputs for x in out.decode().splitlines()]
        yielded = Counter(line["index"] for line in lines)
        assert max(yielded.values()) == 1
        assert all(line["ok"] for line in lines), [line for line in lines if not line["ok"]]
        survivors = {json.loads(x)["index"] for out, _ in outputs[1:] for x in out.splitlines()}
        assert survivors  # the others did work too
        assert {r["state"] for r in states} == {"done"}
        assert len(states) == COUNT
        # Exactly one upstream job per request, and each row names its own.
        prompts = Counter(v.prompt for v in emu.state.videos.values())
        assert prompts == Counter(r["prompt"] for r in requests_for(COUNT))
        job_ids = [tuple(json.loads(r["job_ids"])) for r in states]
        assert len(set(job_ids)) == COUNT
        # The victim's rows in flight were taken over and finished by the survivors.
        taken_over = {r["position"] for r in states if r["key"] in orphaned}
        assert taken_over & survivors
