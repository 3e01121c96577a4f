"""Emulator at scale: the time to create N videos, and how it grows from 2,000 to 10,000.

For each size the script starts a fresh emulator in a subprocess (so the client does not share
its process, loop or GIL) with ``--accounts`` accounts whose ``maxJobs`` is high enough for every
job to run at once, and sends N ``POST videos/create`` without ``account`` (so every create goes
through the emulator's load balancing, which counts the running videos of each account) from
raw aiohttp at ``--concurrency`` requests in flight. Videos last about two minutes of emulator
time, so at the default ``--speed 1`` every video is still running when the last one is made;
``--speed 200`` makes them end (and leave the running set) while the creates go on.

The figure that matters is ``ratio`` = time(largest N) / time(smallest N): 5.0 is linear; the
goal is at most 6x for 10,000 vs 2,000.

Run from the repository root::

    .venv/bin/python benchmarks/emulator_scale.py [--jobs 2000 10000] [--speed 1]
        [--accounts 4] [--concurrency 32] [--repeat 1]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
from _server import subprocess_server

TOKEN = "bench-token"


async def serve(port: int, accounts: int, speed: float) -> None:
    from minimax_async.testing import run_emulator

    async with run_emulator(
        port=port, speed=speed, accounts=accounts, max_jobs=1_000_000, token=TOKEN
    ):
        await asyncio.Event().wait()


async def create_all(origin: str, jobs: int, concurrency: int) -> float:
    """Seconds to create ``jobs`` videos; every answer must be 200."""
    url = f"{origin}/v1/minimax/videos/create"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"prompt": "a cat playing the piano at dusk", "model": "T2V-01"}
    todo = iter(range(jobs))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            for _ in todo:
                async with session.post(url, json=body) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"create answered {resp.status}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


async def measure(args: argparse.Namespace) -> None:
    print(
        f"# CPython {platform.python_version()}, {args.accounts} accounts, speed {args.speed}, "
        f"concurrency {args.concurrency}, best of {args.repeat}"
    )
    best: dict[int, float] = {}
    for _ in range(args.repeat):
        for jobs in args.jobs:
            async with subprocess_server(
                __file__, "--accounts", str(args.accounts), "--speed", str(args.speed)
            ) as origin:
                seconds = await create_all(origin, jobs, args.concurrency)
            best[jobs] = min(best.get(jobs, seconds), seconds)
    print("| jobs | seconds | creates/s |")
    print("| ---: | ---: | ---: |")
    for jobs, seconds in best.items():
        print(f"| {jobs:,} | {seconds:.2f} | {jobs / seconds:,.0f} |")
    small, large = min(best), max(best)
    ratio = best[large] / best[small]
    print(f"ratio {large:,} / {small:,}: {ratio:.2f}x (linear: {large / small:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        asyncio.run(serve(args.serve, args.accounts, args.speed))
    else:
        asyncio.run(measure(args))


if __name__ == "__main__":
    main()
