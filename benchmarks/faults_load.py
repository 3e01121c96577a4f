"""2,000 concurrent calls through ONE AsyncMiniMax against the emulator, ~5 % of them faulted.

Mixes creates (videos and images), retrieves, lists and waits; every fault kind the emulator
knows is injected on every route with a small probability (``emu.faults.add("*", kind,
probability=...)``), the scheduler look-ups included. At the end it checks, and prints:

* calls ok, and calls failed by error type: every failure must be a typed SDK error
  (``MiniMaxError``); anything else breaks an invariant;
* jobs created upstream vs job ids returned to callers, by ``replyRef`` (every create sends a
  unique one): duplicates (two jobs for one call) must be 0, lost ids (a job upstream whose
  caller neither got its id nor an error carrying its ``replyRef``) must be 0;
* connections still acquired by the client's connector, and pending tasks: both 0;
* wall time.

Exit status 1 when an invariant breaks. Run from the repository root::

    .venv/bin/python benchmarks/faults_load.py [--calls 2000] [--fault-rate 0.05] [--seed 1]

The emulator runs at ``--speed`` times real time (a video takes about 120 virtual seconds) and
the client's ``_sleep`` seam is scaled the same way, so back-offs, 429 waits, scheduler checks
and poll intervals keep their real proportions to the jobs' lifetimes.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from minimax_async import AsyncMiniMax, JobCreationUnknownError, MiniMaxError, Timeout
from minimax_async.resources.images import IMAGE_RECONCILE_WINDOW
from minimax_async.resources.videos import VIDEO_RECONCILE_WINDOW
from minimax_async.testing import FAULT_KINDS, Emulator, run_emulator

Outcome = tuple[str, Any]  # (call kind, result or exception)


class Ledger:
    """What each create call sent and got back, by replyRef."""

    def __init__(self) -> None:
        self.returned: dict[str, tuple[str, ...]] = {}  # ref -> ids returned to the caller
        self.carried: set[str] = set()  # refs carried by an error (the caller can find the job)
        self.failed: set[str] = set()  # refs whose call raised (with or without carrying it)


def scaled_sleep(speed: float) -> Callable[[float], Awaitable[None]]:
    async def sleep(delay: float) -> None:
        await asyncio.sleep(delay / speed)

    return sleep


async def one_call(
    mm: AsyncMiniMax,
    rng: random.Random,
    index: int,
    accounts: list[str],
    pool: list[str],
    ledger: Ledger,
) -> Outcome:
    roll = rng.random()
    account = accounts[index % len(accounts)]
    try:
        if roll < 0.25:
            ref = f"load-video-{index}"
            job = await mm.videos.create(
                prompt=f"a lighthouse in a storm, take {index}", reply_ref=ref
            )
            ledger.returned[ref] = (str(job.video_id),)
            return "videos.create", job
        if roll < 0.35:
            ref = f"load-image-{index}"
            image_job = await mm.images.create(
                prompt=f"a red fox in snow, take {index}",
                quantity=1 + index % 2,
                account=account,
                reply_ref=ref,
            )
            ledger.returned[ref] = tuple(sorted(image_job.image_ids or ()))
            return "images.create", image_job
        if roll < 0.55:
            return "videos.retrieve", await mm.videos.retrieve(rng.choice(pool))
        if roll < 0.62:
            return "videos.list", await mm.videos.list(limit=20, account=account)
        if roll < 0.66:
            return "images.list", await mm.images.list(limit=20, account=account)
        if roll < 0.70:
            return "scheduler.list", await mm.scheduler.list()
        video = await mm.wait_for_video(rng.choice(pool), poll_interval=2.0, timeout=None)
        return "wait_for_video", video
    except MiniMaxError as exc:
        ref = getattr(exc, "reply_ref", None)
        if roll < 0.35:
            ledger.failed.add(f"load-{'video' if roll < 0.25 else 'image'}-{index}")
        if isinstance(exc, JobCreationUnknownError) and ref:
            ledger.carried.add(ref)
        return "error", exc
    except Exception as exc:  # an untyped failure: reported, breaks the invariant
        return "untyped", exc


def upstream_jobs(emu: Emulator) -> dict[str, list[tuple[str, ...]]]:
    """replyRef -> the jobs (each a tuple of ids: a video, or an image batch) upstream."""
    jobs: dict[str, list[tuple[str, ...]]] = collections.defaultdict(list)
    for video in emu.state.videos.values():
        if video.reply_ref.startswith("load-"):
            jobs[video.reply_ref].append((video.video_id,))
    batches: dict[str, list[Any]] = collections.defaultdict(list)
    for image in emu.state.images.values():
        if image.reply_ref.startswith("load-"):
            batches[image.batch_id].append(image)
    for batch in batches.values():
        jobs[batch[0].reply_ref].append(tuple(sorted(i.image_id for i in batch)))
    return jobs


def pending_tasks() -> list[asyncio.Task[Any]]:
    current = asyncio.current_task()
    left = []
    for task in asyncio.all_tasks():
        if task is current or task.done():
            continue
        coro = task.get_coro()
        module = getattr(getattr(coro, "cr_frame", None), "f_globals", {}).get("__name__", "")
        qualname = getattr(getattr(coro, "cr_code", None), "co_qualname", "")
        if (
            module.startswith(("aiohttp.web", "minimax_async.testing"))
            or qualname == "Event.wait"  # the emulator's callback loop waits on these
            or task.get_name().startswith("minimax-emulator")
        ):
            continue
        left.append(task)
    return left


async def main(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    started = time.perf_counter()
    async with run_emulator(
        speed=args.speed, accounts=args.accounts, max_jobs=100_000, seed=args.seed
    ) as emu:
        emu.faults.slow_body_delay = 0.01
        emu.faults.slow_body_pieces = 5
        mm = AsyncMiniMax(
            emu.token,
            base_url=emu.base_url,
            timeout=Timeout(connect=5.0, read=args.read_timeout, total=None),
        )
        mm._sleep = scaled_sleep(args.speed)
        async with mm:
            accounts = list(emu.state.accounts)
            # Videos to retrieve and wait for, made before any fault is armed; they run about
            # 5 real seconds, so the waits poll through the whole load.
            emu.state.video_phases = (10.0, 10.0, 5.0 * args.speed)
            pool = [
                str((await mm.videos.create(prompt=f"pool video {i}")).video_id)
                for i in range(args.pool)
            ]
            # The SDK trusts "not in GET scheduler" only for attempts that failed within the
            # reconcile window (real seconds): jobs made under load must stay running at least
            # that long in real time, whatever the emulator's speed, as real jobs do.
            emu.state.video_phases = (10.0, 10.0, VIDEO_RECONCILE_WINDOW * args.speed)
            emu.state.image_phases = (2.0, 2.0, IMAGE_RECONCILE_WINDOW * args.speed)
            for acc in emu.state.accounts.values():
                acc.image_queue_length = 1_000_000
            per_kind = args.fault_rate / len(FAULT_KINDS)
            for kind in sorted(FAULT_KINDS):
                emu.faults.add("*", kind, times=None, probability=per_kind)
            ledger = Ledger()
            calls_started = time.perf_counter()
            outcomes = await asyncio.gather(
                *(one_call(mm, rng, i, accounts, pool, ledger) for i in range(args.calls))
            )
            calls_wall = time.perf_counter() - calls_started
            fired = {rule.kind: rule.fired for rule in emu.faults}
            emu.faults.clear()
            await asyncio.sleep(0.05)  # let released connections settle
            session = mm._holder.session
            acquired = len(session.connector._acquired) if session and session.connector else 0
            leftover = pending_tasks()
        requests = len(emu.state.requests)
        routes = collections.Counter(r.route for r in emu.state.requests)
        jobs = upstream_jobs(emu)
    wall = time.perf_counter() - started

    by_kind = collections.Counter(kind for kind, _ in outcomes if kind not in ("error", "untyped"))
    errors = collections.Counter(type(r).__name__ for k, r in outcomes if k == "error")
    untyped = [r for k, r in outcomes if k == "untyped"]
    duplicates = {ref: found for ref, found in jobs.items() if len(found) > 1}
    mismatched = {
        ref: (ids, jobs.get(ref)) for ref, ids in ledger.returned.items() if jobs.get(ref) != [ids]
    }
    lost = {
        ref: found
        for ref, found in jobs.items()
        if ref not in ledger.returned and ref not in ledger.carried
    }
    created_jobs = sum(len(found) for found in jobs.values())
    unknown_with_job = sum(1 for ref in ledger.carried if ref in jobs)

    print(f"calls:            {args.calls} through one AsyncMiniMax ({args.accounts} accounts)")
    print(
        f"ok:               {sum(by_kind.values())}  "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
    )
    print(
        f"failed (typed):   {sum(errors.values())}  "
        + ", ".join(f"{k} {v}" for k, v in sorted(errors.items()))
    )
    print(f"failed (untyped): {len(untyped)}  {[repr(e) for e in untyped[:5]]}")
    print(
        f"faults fired:     {sum(fired.values())} of {requests} requests  "
        + ", ".join(f"{k} {v}" for k, v in sorted(fired.items()))
    )
    print(
        f"jobs upstream:    {created_jobs} (creates sent: "
        f"{len(ledger.returned) + len(ledger.failed)})"
    )
    print(
        f"ids returned:     {len(ledger.returned)}; errors carrying the replyRef of a job "
        f"upstream: {unknown_with_job}"
    )
    print(f"duplicates:       {len(duplicates)}  {list(duplicates.items())[:3]}")
    print(f"lost ids:         {len(lost)}  {list(lost.items())[:3]}")
    print(f"wrong ids:        {len(mismatched)}  {list(mismatched.items())[:3]}")
    print(f"acquired conns:   {acquired}")
    print(f"pending tasks:    {len(leftover)}  {leftover[:3]}")
    print(f"requests by route: {dict(routes)}")
    print(f"wall time:        {wall:.1f} s (the {args.calls} calls: {calls_wall:.1f} s)")

    broken = bool(untyped or duplicates or lost or mismatched or acquired or leftover)
    print("INVARIANTS BROKEN" if broken else "all invariants hold")
    return 1 if broken else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--pool", type=int, default=40, help="videos made before the load")
    parser.add_argument("--speed", type=float, default=50.0, help="emulator clock speed")
    parser.add_argument("--read-timeout", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
