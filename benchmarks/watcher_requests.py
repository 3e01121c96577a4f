"""GET requests per finished job: the shared watcher vs naive per-job polling, on the emulator.

For each size (default 200 and 1,000 jobs) the script starts a fresh emulator with enough
accounts and ``maxJobs`` for every job to run at once, and runs the same workload with one
client, twice. Two workloads:

* ``batch``: create all the videos (a mix of completed, failed, moderated and
  removed-after-moderation outcomes), then wait for all of them concurrently;
* ``pipeline``: keep that many videos in flight, creating the next one as soon as one ends,
  until three times as many have ended (waits start and end all the time).

The two clients:

* ``watcher``: the default client (one ``GET scheduler`` per interval, one ``GET videos/{id}``
  per job that left the scheduler);
* ``naive``: the same client with the watcher switched off (``mm._shared_watcher = False``):
  every wait polls its own job, one request per job per interval.

Time is compressed with the emulator's ``speed``: at ``--speed 20`` a two-minute video takes
6 s, and the waits' poll schedule is scaled the same way: the default schedule (first poll after
2 s, x1.5 up to 10 s, +-20 % jitter) divided by ``speed`` (``--schedule fixed``: a fixed
``10 s / speed``), so each wait polls as often per job as it would in real time. GET requests
are counted in the emulator's request log while the waits run; the creates are not counted.

Run from the repository root::

    .venv/bin/python benchmarks/watcher_requests.py [--jobs 200 1000] [--speed 20]
        [--workload batch pipeline] [--schedule default|fixed]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minimax_async._polling as polling
from minimax_async import AsyncMiniMax, GenerationError
from minimax_async.testing import run_emulator

#: One in 20 fails, one in 20 is moderated, one in 20 is moderated and removed (GET 404).
PROMPTS = ["a cat on a piano at dusk, slow pan"] * 17 + [
    "a dog on a bike [fail]",
    "a red balloon over the city [moderate7]",
    "a paper boat in the rain [moderate-404]",
]


def scale_default_schedule(speed: float) -> None:
    """Make the default poll schedule ``speed`` times faster (the emulator's clock is)."""
    check = polling.check_wait_args

    def scaled(timeout: float | None, poll_interval: float | None) -> polling.PollSchedule:
        schedule = check(timeout, poll_interval)
        if poll_interval is not None:
            return schedule
        return polling.PollSchedule(
            first=schedule.first / speed, factor=schedule.factor, cap=schedule.cap / speed
        )

    polling.check_wait_args = scaled  # type: ignore[assignment]


async def run(
    n: int, *, shared: bool, speed: float, workload: str, interval: float | None
) -> dict[str, Any]:
    accounts = max(1, -(-n // 100))
    async with (
        run_emulator(speed=speed, accounts=accounts, max_jobs=100, seed=1) as emu,
        AsyncMiniMax(emu.token, base_url=emu.base_url, timeout=60) as mm,
    ):
        mm._shared_watcher = shared
        gate = asyncio.Semaphore(50)
        created = 0

        async def create() -> str:
            nonlocal created
            prompt = PROMPTS[created % len(PROMPTS)]
            created += 1
            async with gate:
                job = await mm.videos.create(prompt=prompt)
            assert job.video_id is not None
            return job.video_id

        async def wait(video_id: str) -> object:
            try:
                return await mm.wait_for_video(video_id, poll_interval=interval, timeout=None)
            except GenerationError as exc:
                return exc

        outcomes: list[object] = []
        gets = reads = 0
        started = time.perf_counter()
        if workload == "batch":
            ids = await asyncio.gather(*(create() for _ in range(n)))
            first = len(emu.state.requests)
            started = time.perf_counter()
            outcomes = await asyncio.gather(*(wait(i) for i in ids))
            counted = emu.state.requests[first:]
        else:
            total = 3 * n

            async def lane() -> None:
                while created < total:
                    outcomes.append(await wait(await create()))

            await asyncio.gather(*(lane() for _ in range(n)))
            counted = emu.state.requests
        elapsed = time.perf_counter() - started
    for request in counted:
        if request.method == "GET":
            gets += 1
            reads += request.path.rstrip("/") == "/scheduler"
    kinds = collections.Counter(type(o).__name__ for o in outcomes)
    unexpected = set(kinds) - {"Video", "GenerationFailedError", "GenerationModeratedError"}
    if unexpected:
        raise RuntimeError(f"unexpected outcomes: {kinds}")
    return {
        "jobs": len(outcomes),
        "gets": gets,
        "reads": reads,
        "per_job": gets / len(outcomes),
        "seconds": elapsed,
        "outcomes": dict(kinds),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument(
        "--workload", nargs="+", choices=["batch", "pipeline"], default=["batch", "pipeline"]
    )
    parser.add_argument("--schedule", choices=["default", "fixed"], default="default")
    args = parser.parse_args()
    interval = None
    if args.schedule == "default":
        scale_default_schedule(args.speed)
        shown = f"the default schedule / {args.speed:g}"
    else:
        interval = 10.0 / args.speed
        shown = f"every {interval:g} s"
    print(f"CPython {platform.python_version()}, emulator speed {args.speed:g}x, "
          f"polls: {shown}")  # fmt: skip
    print()
    print("| workload | jobs in flight | mode | jobs ended | GETs | of them GET scheduler "
          "| GETs per ended job | wall s |")  # fmt: skip
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    ratios = []
    for workload in args.workload:
        for n in args.jobs:
            rows = {}
            for shared in (True, False):
                row = await run(
                    n, shared=shared, speed=args.speed, workload=workload, interval=interval
                )
                rows[shared] = row
                mode = "watcher" if shared else "naive"
                print(f"| {workload} | {n:,} | {mode} | {row['jobs']:,} | {row['gets']:,} | "
                      f"{row['reads']:,} | {row['per_job']:.3f} | {row['seconds']:.1f} |",
                      flush=True)  # fmt: skip
            ratios.append((workload, n, rows[True]["per_job"], rows[False]["per_job"]))
    print()
    for workload, n, watcher, naive in ratios:
        verdict = "ok" if watcher <= 1.2 else "OVER GOAL"
        print(f"{workload}, {n:,} in flight: watcher {watcher:.3f} GET/job (goal <= 1.2: "
              f"{verdict}), naive {naive:.2f} GET/job, "
              f"naive/watcher = {naive / watcher:.1f}x")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
