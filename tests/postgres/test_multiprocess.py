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
    async with run_emulator(speed=SPEED, accounts=2, max_jobs=3, seed=5) as emulator:
        # A video runs longer than a lease takes to expire (as in real use: minutes against
        # a minute), so the victim's ``sending`` rows are still listed in GET scheduler when the
        # others take them over and are found by replyRef (an ended one could not be told from
        # an older look-alike, and would be reported, not adopted).
        emulator.state.video_phases = (2.0, 2.0, 796.0)
        yield emulator


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


class TestThreeWorkers:
    async def test_one_killed_mid_run(self, emu: Emulator, pg_dsn: str) -> None:
        """Worker 0 is SIGKILLed holding work; the other two take its rows over after the
        lease: each request yielded once at most, all done, one upstream job per request."""
        workers = [await start_worker(emu, pg_dsn) for _ in range(3)]
        victim = workers[0]
        conn = await asyncpg.connect(pg_dsn)
        try:
            with anyio.fail_after(30):
                orphaned: list[str] = []
                while not orphaned:
                    await asyncio.sleep(0.02)
                    if await conn.fetchval("SELECT to_regclass('minimax_batch_jobs')"):
                        orphaned = await held_by(conn, victim.pid)
                victim.send_signal(signal.SIGKILL)
                outputs = await asyncio.gather(*(w.communicate() for w in workers))
            states = await conn.fetch(
                "SELECT key, position, state, job_ids FROM minimax_batch_jobs WHERE name = 'multi'"
            )
        finally:
            await conn.close()
        assert victim.returncode == -signal.SIGKILL
        for worker, (_, err) in zip(workers[1:], outputs[1:], strict=True):
            assert worker.returncode == 0, err.decode()
        lines = [json.loads(x) for out, _ in outputs for x in out.decode().splitlines()]
        yielded = Counter(line["index"] for line in lines)
        assert max(yielded.values()) == 1
        assert all(line["ok"] for line in lines)
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
