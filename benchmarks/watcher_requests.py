"""GET requests per finished job: the shared watcher vs naive per-job polling, on the emulator.

For each size (default 200 and 1,000 jobs) the script starts a fresh emulator with enough
accounts and ``maxJobs`` for every job to run at once, creates the videos (a mix of completed,
failed, moderated and removed-after-moderation outcomes), then waits for all of them
concurrently with one client, twice:

* ``watcher``: the default client (one ``GET scheduler`` per interval, one ``GET videos/{id}``
  per job that left the scheduler);
* ``naive``: the same client with the watcher switched off (``mm._shared_watcher = False``):
  every wait polls its own job, one request per job per interval.

Time is compressed with the emulator's ``speed``: at ``--speed 20`` a two-minute video takes
6 s, and the poll interval is scaled the same way (``poll_interval = 10 s / speed``, the default
schedule's cap), so each wait sees as many polls per job as it would in real time. Requests are
counted in the emulator's request log from the first wait to the last result; the creates are
not counted.

Run from the repository root::

    .venv/bin/python benchmarks/watcher_requests.py [--jobs 200 1000] [--speed 20]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minimax_async import AsyncMiniMax, GenerationError
from minimax_async.testing import run_emulator

#: One in 20 fails, one in 20 is moderated, one in 20 is moderated and removed (GET 404).
PROMPTS = ["a cat on a piano at dusk, slow pan"] * 17 + [
    "a dog on a bike [fail]",
    "a red balloon over the city [moderate7]",
    "a paper boat in the rain [moderate-404]",
]


async def run(n: int, *, shared: bool, speed: float) -> dict[str, float]:
    accounts = max(1, -(-n // 100))
    async with (
        run_emulator(speed=speed, accounts=accounts, max_jobs=100, seed=1) as emu,
        AsyncMiniMax(emu.token, base_url=emu.base_url, timeout=60) as mm,
    ):
        mm._shared_watcher = shared
        gate = asyncio.Semaphore(50)

        async def create(i: int) -> str:
            async with gate:
                job = await mm.videos.create(prompt=PROMPTS[i % len(PROMPTS)])
            assert job.video_id is not None
            return job.video_id

        ids = await asyncio.gather(*(create(i) for i in range(n)))
        first = len(emu.state.requests)
        started = time.perf_counter()
        outcomes = await asyncio.gather(
            *(mm.wait_for_video(i, poll_interval=10.0 / speed, timeout=None) for i in ids),
            return_exceptions=True,
        )
        elapsed = time.perf_counter() - started
        requests = emu.state.requests[first:]
    unexpected = [o for o in outcomes if isinstance(o, BaseException)]
    unexpected = [o for o in unexpected if not isinstance(o, GenerationError)]
    if unexpected:
        raise RuntimeError(f"unexpected errors: {unexpected[:3]!r}")
    kinds = collections.Counter(type(o).__name__ for o in outcomes)
    gets = [r for r in requests if r.method == "GET"]
    reads = sum(1 for r in gets if r.path.rstrip("/") == "/scheduler")
    return {
        "jobs": n,
        "gets": len(gets),
        "reads": reads,
        "per_job": len(gets) / n,
        "seconds": elapsed,
        "outcomes": dict(kinds),  # type: ignore[dict-item]
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--speed", type=float, default=20.0)
    args = parser.parse_args()
    print(f"CPython {platform.python_version()}, emulator speed {args.speed:g}x, "
          f"poll interval {10.0 / args.speed:g} s (10 s of job time)")  # fmt: skip
    print()
    print("| jobs | mode | GETs | of them GET scheduler | GETs per finished job | wall s |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    ratios = []
    for n in args.jobs:
        rows = {}
        for shared in (True, False):
            row = await run(n, shared=shared, speed=args.speed)
            rows[shared] = row
            mode = "watcher" if shared else "naive"
            print(f"| {n:,} | {mode} | {row['gets']:,} | {row['reads']:,} | "
                  f"{row['per_job']:.3f} | {row['seconds']:.1f} |", flush=True)  # fmt: skip
        ratios.append((n, rows[True]["per_job"], rows[False]["per_job"], rows[True]["outcomes"]))
    print()
    for n, watcher, naive, outcomes in ratios:
        verdict = "ok" if watcher <= 1.2 else "OVER GOAL"
        print(f"{n:,} jobs: watcher {watcher:.3f} GET/job (goal <= 1.2: {verdict}), "
              f"naive {naive:.2f} GET/job, naive/watcher = {naive / watcher:.1f}x; "
              f"outcomes {outcomes}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
