"""What the sqlite batch journal costs: a batch's wall time with ``journal=`` vs without.

The bundled emulator runs in a subprocess with ``--accounts`` accounts of ``--slots`` slots each
(``maxJobs``), time compressed by ``--speed``. One client runs ``generate_videos`` over
``--jobs`` requests, alternately with a fresh sqlite journal (in a temporary directory on the
same disk as the system's temp files) and without one, ``--repeat`` times each. Every run must
yield every request. The table gives the best and median wall time of each and
``journal/none`` = median with ÷ median without (and the same for the best runs).

Every journal write is durable when it returns (sqlite's default ``synchronous=FULL`` in WAL
mode syncs the log at each commit), so the cost is mostly commits, their ``fdatasync`` and the
thread hops to sqlite's worker thread.

Run from the repository root::

    .venv/bin/python benchmarks/journal_cost.py [--jobs 1000] [--accounts 100] [--slots 10]
        [--speed 200] [--poll-interval 0.2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import subprocess_server

from minimax_async import AsyncMiniMax

TOKEN = "bench-token"
SCRIPT = str(Path(__file__).resolve())


async def serve(port: int, accounts: int, slots: int, speed: float) -> None:
    from minimax_async.testing import run_emulator

    async with run_emulator(
        port=port, speed=speed, accounts=accounts, max_jobs=slots, token=TOKEN, seed=1
    ):
        await asyncio.Event().wait()


async def one_run(
    base_url: str, jobs: int, run: int, journal: str | None, poll_interval: float
) -> float:
    requests = [
        {"prompt": f"a lighthouse in a storm, run {run} take {i}", "model": "T2V-01"}
        for i in range(jobs)
    ]
    async with AsyncMiniMax(TOKEN, base_url=base_url, timeout=120) as mm:
        start = time.perf_counter()
        seen = 0
        async for result in mm.generate_videos(
            requests, journal=journal, poll_interval=poll_interval
        ):
            if result.error is not None:
                raise SystemExit(f"request {result.index} failed: {result.error!r}")
            seen += 1
        wall = time.perf_counter() - start
    if seen != jobs:
        raise SystemExit(f"{seen} results for {jobs} requests")
    if journal is not None:
        with sqlite3.connect(journal) as conn:
            (done,) = conn.execute(
                "SELECT count(*) FROM batch_jobs WHERE state = 'done'"
            ).fetchone()
        conn.close()
        if done != jobs:
            raise SystemExit(f"journal holds {done} done rows for {jobs} requests")
    return wall


async def main(args: argparse.Namespace) -> None:
    walls: dict[str, list[float]] = {"none": [], "journal": []}
    async with subprocess_server(
        SCRIPT, str(args.accounts), str(args.slots), str(args.speed)
    ) as origin:
        base_url = f"{origin}/v1/minimax/"
        with tempfile.TemporaryDirectory() as tmp:
            run = 0
            for _ in range(args.repeat):
                for mode in ("none", "journal"):
                    run += 1
                    journal = str(Path(tmp, f"run{run}.sqlite")) if mode == "journal" else None
                    wall = await one_run(base_url, args.jobs, run, journal, args.poll_interval)
                    walls[mode].append(wall)
                    print(f"run {run:2d} {mode:8s} {wall:6.2f} s", flush=True)
    print()
    print(
        f"{args.jobs} videos, {args.accounts} accounts x {args.slots} slots, speed {args.speed}, "
        f"poll_interval {args.poll_interval}, {args.repeat} runs each; "
        f"CPython {platform.python_version()}"
    )
    print()
    print("| journal | best s | median s |")
    print("| --- | ---: | ---: |")
    for mode in ("none", "journal"):
        print(f"| {mode} | {min(walls[mode]):.2f} | {statistics.median(walls[mode]):.2f} |")
    best = min(walls["journal"]) / min(walls["none"])
    median = statistics.median(walls["journal"]) / statistics.median(walls["none"])
    print()
    print(f"journal/none: median {median:.2f}x, best {best:.2f}x")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        port, accounts, slots, speed = sys.argv[2:6]
        asyncio.run(serve(int(port), int(accounts), int(slots), float(speed)))
        raise SystemExit
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--slots", type=int, default=10)
    parser.add_argument("--speed", type=float, default=200.0)
    parser.add_argument("--poll-interval", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
