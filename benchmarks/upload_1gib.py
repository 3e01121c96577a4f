"""Uploading a 1 GiB file: peak RSS growth and throughput, ``files.upload`` vs raw aiohttp.

A loopback aiohttp server (a subprocess) drains ``POST /v1/minimax/files`` bodies and answers
the documented upload JSON. The file is generated in a temporary directory: an MP4 ``ftyp``
header, then a sparse hole up to 1 GiB (reads cost no disk I/O; the page cache is not filled).
Each upload runs in a fresh child process, which reports its peak RSS growth (``VmHWM`` after
the upload minus ``VmRSS`` just before it, from ``/proc/self/status``) and its throughput:

* ``minimax_async``: ``await mm.files.upload(path)`` (streamed from disk through anyio in
  1 MiB chunks, sniffed Content-Type, Content-Length, progress accounting);
* ``raw aiohttp, file object``: ``session.post(url, data=open(path, "rb"))`` (aiohttp's own
  file payload, read in a thread);
* ``raw aiohttp, async generator``: ``session.post(url, data=gen())``, ``gen`` reading 1 MiB
  chunks with ``loop.run_in_executor``, with the same Content-Type and Content-Length headers.

Runs alternate between the three and the best throughput of each counts; the RSS growth shown
is the largest seen. Goals: RSS growth <= 64 MiB, throughput >= 0.8x raw aiohttp.

Run from the repository root (needs Linux for ``/proc``)::

    .venv/bin/python benchmarks/upload_1gib.py [--size-mib 1024] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from _server import subprocess_server
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
ANSWER = (ROOT / "tests" / "samples" / "post-minimax-files" / "200.json").read_bytes()
TOKEN = "bench-token-0123456789abcdef"
CHUNK = 1024 * 1024
CLIENTS = {
    "sdk": "minimax_async `files.upload(path)`",
    "raw-file": "raw aiohttp, file object",
    "raw-gen": "raw aiohttp, async generator",
}


def serve(port: int) -> None:
    async def upload(request: web.Request) -> web.Response:
        received = 0
        async for chunk in request.content.iter_any():
            received += len(chunk)
        return web.Response(body=ANSWER, content_type="application/json")

    app = web.Application(client_max_size=0)
    app.router.add_post("/v1/minimax/files", upload)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


async def child(kind: str, origin: str, path: str) -> None:
    """One upload in this (fresh) process; prints a JSON line with its numbers."""
    size = os.path.getsize(path)  # noqa: ASYNC240 - before anything is measured
    url = f"{origin}/v1/minimax/files"
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "video/mp4"}
    if kind == "sdk":
        from minimax_async import AsyncMiniMax

        client = AsyncMiniMax(TOKEN, base_url=f"{origin}/v1/minimax")
        async with client:
            client._holder.get()  # its session exists before measuring, as the raw clients'
            before = status_kib("VmRSS")
            started = time.perf_counter()
            uploaded = await client.files.upload(path)
            elapsed = time.perf_counter() - started
            assert uploaded.file_id, uploaded
    else:
        async with aiohttp.ClientSession() as session:
            loop = asyncio.get_running_loop()

            async def gen() -> AsyncIterator[bytes]:
                with open(path, "rb") as f:  # noqa: ASYNC230 - reads go to the executor
                    while chunk := await loop.run_in_executor(None, f.read, CHUNK):
                        yield chunk

            before = status_kib("VmRSS")
            started = time.perf_counter()
            if kind == "raw-file":
                with open(path, "rb") as f:  # noqa: ASYNC230 - aiohttp reads it in a thread
                    async with session.post(url, data=f, headers=headers) as response:
                        response.raise_for_status()
                        await response.read()
            else:
                sized = {**headers, "Content-Length": str(size)}
                async with session.post(url, data=gen(), headers=sized) as response:
                    response.raise_for_status()
                    await response.read()
            elapsed = time.perf_counter() - started
    growth_kib = status_kib("VmHWM") - before
    print(json.dumps({"kind": kind, "seconds": elapsed, "bytes": size, "rss_kib": growth_kib}))


async def run_child(kind: str, origin: str, path: str) -> dict[str, float]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", kind, origin, path, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"{kind} failed ({proc.returncode})")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def main(args: argparse.Namespace) -> None:
    size = args.size_mib * 1024 * 1024
    print(f"CPython {platform.python_version()}, aiohttp {aiohttp.__version__}; "
          f"{args.size_mib:,} MiB sparse file, best of {args.repeat} runs")  # fmt: skip
    print()
    print("| client | best MiB/s | peak RSS growth MiB (largest) | vs raw file / raw generator |")
    print("| --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.mp4")
        with open(path, "wb") as f:  # noqa: ASYNC230 - setup, before anything is measured
            f.write(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
            f.truncate(size)
        runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in CLIENTS}
        async with subprocess_server(__file__) as origin:
            for _ in range(args.repeat):
                for kind in CLIENTS:
                    runs[kind].append(await run_child(kind, origin, path))
    best = {k: max(r["bytes"] / r["seconds"] for r in rs) / 2**20 for k, rs in runs.items()}
    rss = {k: max(r["rss_kib"] for r in rs) / 1024 for k, rs in runs.items()}
    for kind, label in CLIENTS.items():
        vs_file, vs_gen = best[kind] / best["raw-file"], best[kind] / best["raw-gen"]
        print(f"| {label} | {best[kind]:,.0f} | {rss[kind]:.1f} | "
              f"{vs_file:.2f}x / {vs_gen:.2f}x |")  # fmt: skip
    print()
    verdict_rss = "ok" if rss["sdk"] <= 64 else "OVER GOAL"
    ratio = best["sdk"] / max(best["raw-file"], best["raw-gen"])
    verdict_speed = "ok" if ratio >= 0.8 else "UNDER GOAL"
    print(f"minimax_async: peak RSS growth {rss['sdk']:.1f} MiB (goal <= 64: {verdict_rss}); "
          f"throughput {ratio:.2f}x the faster raw aiohttp client (goal >= 0.8: "
          f"{verdict_speed})")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=3, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve)
    elif args.child is not None:
        asyncio.run(child(*args.child))
    else:
        asyncio.run(main(args))
