"""``videos.retrieve`` throughput vs raw aiohttp (``session.get`` + ``json()``) on one server.

One loopback aiohttp server (in a subprocess, so that client and server do not share a Python
process) answers ``GET /v1/minimax/videos/{id}`` with the documented video JSON
(``tests/samples/get-minimax-videos-videoId/200.json``), optionally after ``--latency-ms``
(0: as fast as it can; a real API answers in tens to hundreds of ms). Two clients fetch it in
turns, each with its own connection pool of the same size (100):

* ``raw aiohttp``: ``async with session.get(url) as r: await r.json()`` with the same headers
  the SDK sends (a bearer token, ``Accept``);
* ``minimax_async``: ``await mm.videos.retrieve(video_id)``: id validation, URL building, the
  retry/deadline machinery, status mapping, JSON decoding and structuring into a frozen
  ``Video`` model.

Each run makes ``--requests`` calls with ``--concurrency`` tasks in flight (garbage collector
off while timed); runs alternate between the two clients and the best run of each counts (the
machine is noisy). Ratio = SDK requests/s ÷ raw requests/s (goal >= 0.90). "paired" is the
median, over the alternations, of each SDK run's rate ÷ the raw run just before it: the two
runs of a pair see about the same machine, so it is steadier than the ratio of bests on a VM
whose speed drifts. The last column is the client process's CPU time per request (best run),
which is what bounds a run with no latency.

``--calls`` adds a figure the VM's noise cannot move: Python function calls per request
(``cProfile``'s count over 2,000 calls, both clients, last concurrency) - the interpreter work
each path does, C functions included.

``--instructions`` adds machine instructions per request of each client process, counted by
valgrind (``_instructions``; needs ``valgrind``): deterministic to about 1 %, so it shows a
change of a few per cent that the timings on a shared VM cannot.

``--pin`` puts the client on CPU 0 and the server on CPU 1 (Linux), so they do not share or
swap CPUs between runs.

``--breakdown`` adds rows that split the SDK's cost (first latency, last concurrency): aiohttp as
the SDK calls it (``session.request`` + ``read`` + ``json.loads``), the same plus building the
``Video``, and ``mm.request(..., cast_to=object)`` (the request path without a model).

Run from the repository root::

    .venv/bin/python benchmarks/retrieve_throughput.py [--concurrency 1 64] [--latency-ms 0 20]
        [--repeat 9] [--requests 3000] [--breakdown] [--calls] [--instructions] [--pin]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _instructions
import aiohttp
from _server import subprocess_server
from aiohttp import web

from minimax_async import AsyncMiniMax, __version__
from minimax_async._base_client import loads_json
from minimax_async._converter import structure
from minimax_async.models.videos import Video

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "samples" / "get-minimax-videos-videoId" / "200.json"
VIDEO_ID = "user:1234-minimax:987654321-video:998877665544332211"
TOKEN = "bench-token-0123456789abcdef"
#: What the raw client sends: the SDK's headers (a bearer token, ``Accept``).
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}

Call = Callable[[], Awaitable[object]]
#: ``--pin``: the client's and the server's CPUs.
CLIENT_CPUS, SERVER_CPUS = {0}, {1}


def serve(port: int, latency_ms: float) -> None:
    body = SAMPLE.read_bytes()

    async def video(request: web.Request) -> web.Response:
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/v1/minimax/videos/{id}", video)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def clients(session: aiohttp.ClientSession, mm: AsyncMiniMax, origin: str) -> dict[str, Call]:
    """The two clients compared: ``raw`` aiohttp and the SDK's ``videos.retrieve``."""
    url = f"{origin}/v1/minimax/videos/{VIDEO_ID}"

    async def raw() -> object:
        async with session.get(url, headers=HEADERS) as response:
            response.raise_for_status()
            return await response.json()

    async def sdk() -> object:
        return await mm.videos.retrieve(VIDEO_ID)

    return {"raw": raw, "sdk": sdk}


@contextlib.asynccontextmanager
async def opened(origin: str) -> AsyncIterator[tuple[aiohttp.ClientSession, AsyncMiniMax]]:
    """A raw session and a client, each with its own pool of 100 connections."""
    connector = aiohttp.TCPConnector(limit=100, limit_per_host=0)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        AsyncMiniMax(TOKEN, base_url=f"{origin}/v1/minimax") as mm,
    ):
        yield session, mm


async def timed(call: Call, requests: int, concurrency: int) -> tuple[float, float]:
    """(requests per second, client CPU microseconds per request) of ``requests`` calls,
    ``concurrency`` at a time."""
    left = requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    gc.collect()
    gc.disable()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return requests / elapsed, cpu / requests * 1e6
    finally:
        gc.enable()


async def compare(
    calls: dict[str, Call], requests: int, concurrency: int, repeat: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Interleaved runs of every call: name -> (requests/s of each run, CPU µs of each run)."""
    for call in calls.values():
        await timed(call, min(requests, 300), concurrency)  # warm up: connections, caches
    runs: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            rate, cpu = await timed(call, requests, concurrency)
            runs[name][0].append(rate)
            runs[name][1].append(cpu)
    return runs


async def main(args: argparse.Namespace) -> None:
    print(f"CPython {platform.python_version()}, aiohttp {aiohttp.__version__}, "
          f"minimax_async {__version__}; {args.requests:,} requests per run, "
          f"best of {args.repeat} runs")  # fmt: skip
    print()
    print(
        "| server latency | concurrency | raw aiohttp req/s (best / median) "
        "| videos.retrieve req/s (best / median) | ratio (best) | ratio (paired) "
        "| client CPU µs/req raw / SDK |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    breakdown: dict[str, tuple[list[float], list[float]]] = {}
    where = (args.latency_ms[0], args.concurrency[-1])  # the breakdown's latency, concurrency
    for latency in args.latency_ms:
        async with subprocess_server(
            __file__, "--latency-ms", str(latency), cpus=SERVER_CPUS if args.pin else None
        ) as origin:
            for concurrency in args.concurrency:
                async with opened(origin) as (session, mm):
                    video = await mm.videos.retrieve(VIDEO_ID)
                    assert video.status == 2, video
                    assert video.origin_files, video
                    # With latency, about 2 s of calls per run (latency bounds the rate).
                    requests = args.requests
                    if latency:
                        requests = max(100, min(requests, int(2 * concurrency * 1000 / latency)))
                    runs = await compare(
                        clients(session, mm, origin), requests, concurrency, args.repeat
                    )
                    if args.breakdown and (latency, concurrency) == where:
                        breakdown = await compare(
                            _breakdown_calls(mm), requests, concurrency, args.repeat
                        )
                        breakdown = {"raw": runs["raw"], **breakdown, "sdk": runs["sdk"]}
                (raw_rates, raw_cpu), (sdk_rates, sdk_cpu) = runs["raw"], runs["sdk"]
                ratio = max(sdk_rates) / max(raw_rates)
                paired = statistics.median(
                    sdk / raw for raw, sdk in zip(raw_rates, sdk_rates, strict=True)
                )
                print(f"| {latency:g} ms | {concurrency} | {max(raw_rates):,.0f} / "
                      f"{statistics.median(raw_rates):,.0f} | {max(sdk_rates):,.0f} / "
                      f"{statistics.median(sdk_rates):,.0f} | {ratio:.2f}x | {paired:.2f}x | "
                      f"{min(raw_cpu):.0f} / {min(sdk_cpu):.0f} |", flush=True)  # fmt: skip
    if args.calls:
        await _count_calls(args.concurrency[-1])
    if args.instructions:
        await _count_instructions(args.concurrency[-1], args.requests)
    if breakdown:
        print()
        print(f"Breakdown at {where[0]:g} ms, concurrency {where[1]}:")
        print()
        print("| client | best req/s | CPU µs/req | vs raw |")
        print("| --- | ---: | ---: | ---: |")
        base = max(breakdown["raw"][0])
        for name, (rates, cpu) in breakdown.items():
            print(f"| {LABELS[name]} | {max(rates):,.0f} | {min(cpu):.0f} | "
                  f"{max(rates) / base:.2f}x |")  # fmt: skip


LABELS = {
    "raw": "raw aiohttp: `session.get` + `json()`",
    "bare": "aiohttp as the SDK calls it (no per-read timer): `session.request` + `read()` + "
    "`loads_json`",
    "bare_model": "the same + building the `Video` model",
    "request": "`mm.request(..., cast_to=object)`: the request path, no model",
    "sdk": "`mm.videos.retrieve`",
}


async def _count_calls(concurrency: int, requests: int = 2000) -> None:
    """Function calls per request of each client (``cProfile``), at 0 ms latency."""
    import cProfile
    import pstats

    print()
    print(f"Python function calls per request (cProfile, {requests:,} requests, "
          f"concurrency {concurrency}, 0 ms):")  # fmt: skip
    print()
    print("| client | calls per request |")
    print("| --- | ---: |")
    async with (
        subprocess_server(__file__, "--latency-ms", "0") as origin,
        opened(origin) as (session, mm),
    ):
        for name, call in clients(session, mm, origin).items():
            await timed(call, 300, concurrency)  # warm up: connections, caches
            profile = cProfile.Profile()
            profile.enable()
            await timed(call, requests, concurrency)
            profile.disable()
            stats: Any = pstats.Stats(profile)
            total = sum(row[1] for row in stats.stats.values())
            print(f"| {LABELS[name]} | {total / requests:.1f} |")


async def _count_instructions(concurrency: int, requests: int) -> None:
    """Machine instructions per request of each client (valgrind; see ``_instructions``): a
    client process makes 200 warm-up calls then ``requests`` more, and one makes the warm-up
    only; the difference divided by ``requests`` is the cost of a call, start-up excluded."""
    print()
    print(f"Machine instructions per request (valgrind cachegrind, client process only; "
          f"{requests:,} requests, concurrency {concurrency}, 0 ms):")  # fmt: skip
    print()
    print("| client | k instructions per request (two measurements) |")
    print("| --- | ---: |")
    per_request: dict[str, list[float]] = {}
    async with subprocess_server(__file__, "--latency-ms", "0") as origin:
        for name in ("raw", "sdk"):
            for _ in range(2):

                def client(count: int, name: str = name) -> int:
                    return _instructions.count(
                        [sys.executable, __file__, "--client", name, "--origin", origin,
                         "--requests", str(count), "--concurrency", str(concurrency)]
                    )  # fmt: skip

                # One at a time, each run alone on the machine: the count depends a little on
                # how many answers each pass of the client's event loop finds ready.
                empty = await asyncio.to_thread(client, 0)
                full = await asyncio.to_thread(client, requests)
                per_request.setdefault(name, []).append((full - empty) / requests)
            shown = " / ".join(f"{n / 1000:.1f}" for n in per_request[name])
            print(f"| {LABELS[name]} | {shown} |", flush=True)
    ratio = statistics.mean(per_request["raw"]) / statistics.mean(per_request["sdk"])
    print()
    print(f"raw / SDK instructions per request: {ratio:.3f} (the throughput ratio a client bound "
          "by its own instructions would see)")  # fmt: skip


async def _client_process(origin: str, name: str, requests: int, concurrency: int) -> None:
    """``--client``: 200 warm-up calls, then ``requests`` calls of one client (for valgrind)."""
    async with opened(origin) as (session, mm):
        # As a timed run (garbage collector off: a collection's cost depends on the whole heap).
        await timed(clients(session, mm, origin)[name], 200 + requests, concurrency)


def _breakdown_calls(mm: AsyncMiniMax) -> dict[str, Call]:
    session = mm._holder.get()
    target = mm.url_for(f"videos/{VIDEO_ID}")
    sent = {"User-Agent": "minimax-async", **HEADERS}
    # As the SDK calls aiohttp for a JSON answer: its read deadline is kept by one loop-wide
    # timer (``minimax_async._deadlines``), so aiohttp gets no per-read timer.
    limits = aiohttp.ClientTimeout(total=None, sock_connect=10)

    async def bare() -> object:
        response = await session.request("GET", target, headers=sent, timeout=limits)
        try:
            return loads_json(await response.read())
        finally:
            response.release()

    async def bare_model() -> object:
        response = await session.request("GET", target, headers=sent, timeout=limits)
        try:
            return structure(loads_json(await response.read()), Video)
        finally:
            response.release()

    async def request() -> object:
        return await mm.request("GET", f"videos/{VIDEO_ID}", cast_to=object)

    return {"bare": bare, "bare_model": bare_model, "request": request}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 64])
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 20.0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--calls", action="store_true")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="client on CPU 0, server on CPU 1 (Linux): no sharing or migrating between them",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count machine instructions per request of each client under valgrind",
    )
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--client", choices=("raw", "sdk"), help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions and not _instructions.available():
        parser.error("--instructions needs valgrind on PATH")
    if args.pin and not os.sched_getaffinity(0) >= CLIENT_CPUS | SERVER_CPUS:
        parser.error(f"--pin needs CPUs {sorted(CLIENT_CPUS | SERVER_CPUS)} (Linux)")
    if args.serve is not None:
        serve(args.serve, args.latency_ms[0])
    elif args.client is not None:
        asyncio.run(_client_process(args.origin, args.client, args.requests, args.concurrency[-1]))
    else:
        if args.pin:
            os.sched_setaffinity(0, CLIENT_CPUS)
        asyncio.run(main(args))
