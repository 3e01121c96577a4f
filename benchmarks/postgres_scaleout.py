"""Scale-out on PostgreSQL: claim throughput of PostgresJournal, and the requests 3 workers make
for 200 waits each with and without PostgresCoordinator.

Starts its own throw-away PostgreSQL (the test suite's launcher, ``tests/postgres/_server.py``:
Debian binaries, ``MINIMAX_TEST_PG_BIN`` or pgserver) on a Unix socket.

* ``claims``: 5,000 requests registered in one journal; W workers (separate connection pools)
  claim them ``--claim-size`` at a time (``FOR UPDATE SKIP LOCKED``) until none is left;
  requests claimed per second, and a check that none was claimed twice.
* ``waits``: one emulator (enough accounts for every job to run at once, ``--speed`` times
  faster than real time, the default poll schedule divided by the same factor), 3 workers (3
  clients, each with its own session, watcher and coordinator connection, in one process) each
  creating 200 videos and waiting for them. Counted in the emulator's request log while the
  waits run: ``GET scheduler`` reads, watcher rounds (the workers' ``watcher.reads``), GETs per
  finished job.

Run from the repository root::

    .venv/bin/python benchmarks/postgres_scaleout.py [--speed 20] [--waits 200]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import asyncpg  # noqa: E402
from watcher_requests import scale_default_schedule  # noqa: E402

from minimax_async import AsyncMiniMax  # noqa: E402
from minimax_async import _batch as batch_module  # noqa: E402
from minimax_async.postgres import PostgresCoordinator, PostgresJournal  # noqa: E402
from minimax_async.testing import run_emulator  # noqa: E402
from tests.postgres._server import start_server  # noqa: E402


async def fresh_schema(dsn: str, name: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE; CREATE SCHEMA "{name}"')
    finally:
        await conn.close()
    return f"{dsn}&search_path={name}"


async def claims(dsn: str, workers: int, size: int, total: int) -> dict[str, Any]:
    dsn = await fresh_schema(dsn, f"claims_{workers}_{size}")
    items = batch_module._make_items(
        "video", [{"prompt": f"claim benchmark {i}"} for i in range(total)]
    )
    keys = [i.key for i in items]
    opened = [await PostgresJournal(dsn).open_worker() for _ in range(workers)]
    try:
        await opened[0].register(items, "video")
        started = time.perf_counter()

        async def drain(worker: Any) -> list[str]:
            got: list[str] = []
            while rows := await worker.claim(keys, size):
                got += [r.key for r in rows]
            return got

        shares = await asyncio.gather(*(drain(w) for w in opened))
        elapsed = time.perf_counter() - started
    finally:
        for worker in opened:
            await worker.close()
    flat = [k for share in shares for k in share]
    if sorted(flat) != sorted(keys):
        raise RuntimeError("a request was claimed twice or never")
    return {"per_second": total / elapsed, "seconds": elapsed}


async def waits(dsn: str | None, n: int, speed: float) -> dict[str, Any]:
    async with run_emulator(speed=speed, accounts=6, max_jobs=100, seed=1) as emu:
        clients = [
            AsyncMiniMax(
                emu.token,
                base_url=emu.base_url,
                timeout=60,
                coordinator=PostgresCoordinator(dsn, max_age=10.0 / speed) if dsn else None,
            )
            for _ in range(3)
        ]
        for mm in clients:
            await mm.__aenter__()
        try:
            ids: list[list[str]] = []
            for w, mm in enumerate(clients):
                made = []
                for i in range(n):
                    job = await mm.videos.create(prompt=f"worker {w} take {i}: a slow dolly shot")
                    assert job.video_id
                    made.append(job.video_id)
                ids.append(made)
            first = len(emu.state.requests)
            started = time.perf_counter()
            pairs = [(mm, i) for mm, made in zip(clients, ids, strict=True) for i in made]
            results = await asyncio.gather(*(mm.wait_for_video(i, timeout=None) for mm, i in pairs))
            elapsed = time.perf_counter() - started
            counted = emu.state.requests[first:]
            rounds = [mm._watcher.reads for mm in clients]
        finally:
            for mm in clients:
                await mm.aclose()
    gets = sum(1 for r in counted if r.method == "GET")
    reads = sum(1 for r in counted if r.method == "GET" and r.path.rstrip("/") == "/scheduler")
    return {
        "jobs": len(results),
        "gets": gets,
        "reads": reads,
        "rounds": max(rounds),
        "per_round": reads / max(rounds),
        "job_gets_per_job": (gets - reads) / len(results),
        "per_job": gets / len(results),
        "seconds": elapsed,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--waits", type=int, default=200)
    parser.add_argument("--claims", type=int, default=5000)
    args = parser.parse_args()
    scale_default_schedule(args.speed)
    server = start_server()
    try:
        print(f"Python {platform.python_version()}, asyncpg {asyncpg.__version__}, {server.bindir}")
        print("\n| workers | claimed per statement | requests claimed/s | s |")
        print("| ---: | ---: | ---: | ---: |")
        for workers in (1, 4):
            for size in (1, 10):
                r = await claims(server.dsn, workers, size, args.claims)
                print(f"| {workers} | {size} | {r['per_second']:,.0f} | {r['seconds']:.2f} |")
        print(
            "\n| coordinator | jobs | GET scheduler | rounds | scheduler reads per round "
            "| job GETs per job | GETs per job | wall s |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, dsn in (("none", None), ("PostgresCoordinator", None)):
            if label != "none":
                dsn = await fresh_schema(server.dsn, "coordinator")
            r = await waits(dsn, args.waits, args.speed)
            print(
                f"| {label} | {r['jobs']} | {r['reads']} | {r['rounds']} | {r['per_round']:.2f} "
                f"| {r['job_gets_per_job']:.3f} | {r['per_job']:.3f} | {r['seconds']:.1f} |"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
