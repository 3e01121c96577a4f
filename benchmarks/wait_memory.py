"""Memory per waiting job: N video waits in flight on one client, measured with tracemalloc.

A tiny aiohttp server in a subprocess (so that tracemalloc sees only the client) answers every
``GET videos/{id}`` with a running video (status 1, percent 50) and ``GET scheduler`` with all N
jobs: nothing ever finishes. The client starts N ``wait_for_video`` tasks (``timeout=None``) and
the script measures the traced memory once the waits are settled (between two polls, after a
``gc.collect()``), minus the memory before they started. Per job = that difference / N; it
counts everything a wait holds: its task, coroutine frames, job spec, the watcher's
registration and the client's share of bookkeeping.

Two rows, side by side:

* ``watcher``: the default client; waits are settled after the watcher's second scheduler read
  (the 1 MB list of 10,000 jobs is read and dropped each round: the "peak" column);
* ``naive``: the watcher switched off (``mm._shared_watcher = False``), settled after every wait
  made its first own poll.

Run from the repository root::

    .venv/bin/python benchmarks/wait_memory.py [--jobs 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import platform
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _server import VIDEO_PREFIX, serve_running_jobs, subprocess_server

from minimax_async import AsyncMiniMax

PREFIX = VIDEO_PREFIX


def serve(port: int, n: int) -> None:
    """The server process: every job of ``0..n-1`` runs forever."""
    serve_running_jobs(port, n, {"elapsed": "00:10", "replyUrl": ""})


async def measure(base_url: str, n: int, *, shared: bool) -> tuple[float, float, float]:
    """(bytes per waiting job, transient peak bytes per job, seconds to settle)."""
    async with AsyncMiniMax("token", base_url=base_url) as mm:
        mm._shared_watcher = shared
        await mm.videos.retrieve(f"{PREFIX}0")  # session, connection, caches warmed up
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        started = time.perf_counter()
        interval = 2.0
        tasks = [
            asyncio.create_task(
                mm.wait_for_video(f"{PREFIX}{i}", poll_interval=interval, timeout=None)
            )
            for i in range(n)
        ]
        if shared:
            while mm._watcher.reads < 2:  # noqa: ASYNC110 - a counter, not an event
                await asyncio.sleep(0.05)
        else:
            await asyncio.sleep(interval * 1.5)  # every wait polled once
        await asyncio.sleep(interval / 4)  # between two rounds
        gc.collect()
        now, peak = tracemalloc.get_traced_memory()
        settled = time.perf_counter() - started
        tracemalloc.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return (now - before) / n, (peak - before) / n, settled


async def main(n: int) -> None:
    print(f"CPython {platform.python_version()}, {n:,} waits, nothing ever finishes")
    print()
    print("| mode | KiB per waiting job | peak KiB per job (during a round) | settled after s |")
    print("| --- | ---: | ---: | ---: |")
    results = {}
    async with subprocess_server(__file__, "--jobs", str(n)) as origin:
        base_url = f"{origin}/v1/minimax"
        for shared in (True, False):
            per_job, peak, settled = await measure(base_url, n, shared=shared)
            results[shared] = per_job
            mode = "watcher" if shared else "naive"
            print(f"| {mode} | {per_job / 1024:.2f} | {peak / 1024:.2f} | {settled:.1f} |",
                  flush=True)  # fmt: skip
    print()
    watcher = results[True] / 1024
    verdict = "ok" if watcher <= 10 else "OVER GOAL"
    naive = results[False] / 1024
    print(f"watcher: {watcher:.2f} KiB per waiting job (goal <= 10 KiB: {verdict}); "
          f"naive {naive:.2f} KiB; watcher/naive = {watcher / naive:.2f}x")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.jobs)
    else:
        asyncio.run(main(args.jobs))
