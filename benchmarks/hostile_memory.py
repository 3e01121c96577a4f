"""Peak memory of the SDK against hostile answers (issue 12): each must fail fast, bounded.

A local aiohttp server (its own process, 127.0.0.1) answers on purpose with: a 2 GB
``Content-Length``, an endless chunked JSON body, an endless 500 error page, a gzip bomb as JSON
and as a download, and an SSE event that never ends. Each scenario runs in a fresh client
process with the default limits; the script prints the error it ended with, how long it took,
and the peak RSS growth over the process's RSS just before the call (``ru_maxrss``).

    .venv/bin/python benchmarks/hostile_memory.py            # every scenario
    .venv/bin/python benchmarks/hostile_memory.py --only gzip_json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _server import subprocess_server

PREFIX = "/v1/minimax"
TOKEN = "user:1-hostile-memory-benchmark"
CHUNK = b"x" * 65536
SCENARIOS = {
    "huge_content_length": "GET videos/v1, Content-Length 2 GB, endless body",
    "endless_chunked": "GET videos (list), endless chunked JSON",
    "endless_500": "GET videos (list), endless chunked 500 page (retried twice)",
    "gzip_json": "GET videos (list), 1 MiB gzip unpacking to 1 GiB",
    "gzip_download": "download, chunked 1 MiB gzip unpacking to 1 GiB, max_bytes=64 MiB",
    "endless_sse_event": "stream_agent, endless 'data: x' lines, no blank line",
}
TIME_LIMIT = 120.0


def _gzip_of_zeros(size: int) -> bytes:
    # Concatenated gzip members are one valid gzip body (RFC 1952), packed in well under a
    # second: one 1 MiB member of zeros, repeated.
    member = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: with a gzip wrapper
    one = member.compress(b"\0" * (1 << 20)) + member.flush()
    return one * (size >> 20)


# -- the hostile server -----------------------------------------------------------------------


def serve(port: int) -> None:
    from aiohttp import web

    bomb = _gzip_of_zeros(1 << 30)  # aiohttp unpacks at most 1024 members: 1 GiB

    async def endless(request: web.Request, status: int = 200, length: int | None = None) -> None:
        response = web.StreamResponse(status=status, headers={"Content-Type": "application/json"})
        if length is not None:
            response.content_length = length
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(b'{"a": "')
            while True:
                await response.write(CHUNK)

    async def huge(request: web.Request) -> web.StreamResponse:
        await endless(request, length=2 * 1024**3)
        return web.Response()

    async def listing(request: web.Request) -> web.StreamResponse:
        await endless(request, 500 if request.query.get("limit") == "500" else 200)
        return web.Response()

    async def gzip_json(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=bomb,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )

    async def gzip_media(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Encoding": "gzip"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(bomb)
        return response

    async def sse(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(b'data: {"status":"created","videoId":"v1"}\n\n')
            lines = b"data: x\n" * 8192
            while True:
                await response.write(lines)
        return response

    app = web.Application()
    app.router.add_get(f"{PREFIX}/videos/v1", huge)
    app.router.add_get(f"{PREFIX}/videos", listing)
    app.router.add_get(f"{PREFIX}/gzip/videos", gzip_json)
    app.router.add_get("/media/bomb.mp4", gzip_media)
    app.router.add_post(f"{PREFIX}/videos/agent-create", sse)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- one scenario, in a fresh client process --------------------------------------------------


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def _scenario(name: str, origin: str) -> str:
    from minimax_async import AsyncMiniMax

    # The gzip bomb is served under its own prefix: the same ``videos.list`` call.
    mm = AsyncMiniMax(TOKEN, base_url=origin + PREFIX + ("/gzip" if name == "gzip_json" else ""))

    async def no_sleep(delay: float) -> None:
        return None

    mm._sleep = no_sleep
    async with mm:
        if name == "huge_content_length":
            await mm.videos.retrieve("v1")
        elif name == "endless_chunked":
            await mm.videos.list()
        elif name == "endless_500":
            await mm.videos.list(limit=500)
        elif name == "gzip_json":
            await mm.videos.list()
        elif name == "gzip_download":
            with tempfile.TemporaryDirectory() as tmp:
                await mm.download(
                    origin + "/media/bomb.mp4", os.path.join(tmp, "x.mp4"), max_bytes=64 << 20
                )
        elif name == "endless_sse_event":
            async for _ in mm.stream_agent(template_id="1"):
                pass
    return "no error"


def run_one(name: str, origin: str) -> None:
    import anyio

    import minimax_async  # noqa: F401  (imports before the baseline)
    from minimax_async import AsyncMiniMax  # noqa: F401

    before = _rss_kib()
    started = time.perf_counter()
    try:

        async def main() -> str:
            with anyio.fail_after(TIME_LIMIT):
                return await _scenario(name, origin)

        outcome = asyncio.run(main())
    except Exception as exc:  # the point: which typed error ends the call
        outcome = f"{type(exc).__name__}: {str(exc)[:90]}"
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"growth_mib": (peak - before) / 1024, "seconds": elapsed, "end": outcome}))


SCRIPT = os.path.abspath(__file__)


async def main_all(only: list[str]) -> None:
    async with subprocess_server(SCRIPT) as origin:
        print("| scenario | peak RSS growth | time | ended with |")
        print("| --- | ---: | ---: | --- |")
        for name in only:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                SCRIPT,
                "--scenario",
                name,
                "--origin",
                origin,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            stdout, stderr = await asyncio.wait_for(proc.communicate(), TIME_LIMIT + 30)
            lines = stdout.decode().strip().splitlines()
            if proc.returncode or not lines:
                print(f"| {name} | - | - | failed: {stderr.decode().strip()[-200:]} |")
                continue
            row = json.loads(lines[-1])
            print(
                f"| {name} ({SCENARIOS[name]}) | {row['growth_mib']:.1f} MiB | "
                f"{row['seconds']:.2f} s | {row['end']} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--origin", help=argparse.SUPPRESS)
    parser.add_argument("--only", action="append", choices=sorted(SCENARIOS))
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    elif args.scenario:
        run_one(args.scenario, args.origin)
    else:
        asyncio.run(main_all(args.only or list(SCENARIOS)))


if __name__ == "__main__":
    main()
