"""What the benchmarks share: a loopback server run as a subprocess of the benchmark script.

The server runs in its own process so that client and server do not share a Python process
(or its event loop and GIL) while the client is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def subprocess_server(
    script: str, *args: str, cpus: set[int] | None = None
) -> AsyncIterator[str]:
    """Run ``python script --serve PORT *args`` and yield ``http://127.0.0.1:PORT`` once it
    accepts connections; the process is terminated on exit. ``cpus``: the only CPUs the server
    may run on (Linux; see :func:`pin`)."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(sys.executable, script, "--serve", str(port), *args)
    if cpus is not None:
        os.sched_setaffinity(proc.pid, cpus)
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                break
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        await proc.wait()


#: The video ids ``serve_running_jobs`` lists: ``f"{VIDEO_PREFIX}{i}"``.
VIDEO_PREFIX = "user:1234-minimax:987654321-video:"


def serve_running_jobs(port: int, n: int, entry: dict[str, str]) -> None:
    """A server process (for :func:`subprocess_server`) whose videos ``0..n-1`` run forever:
    ``GET scheduler`` lists each with ``entry``'s fields, ``GET videos/{id}`` answers 50 %."""
    from aiohttp import web

    listed = [{"videoId": f"{VIDEO_PREFIX}{i}", **entry} for i in range(n)]

    async def scheduler(request: web.Request) -> web.Response:
        return web.json_response(listed)

    async def video(request: web.Request) -> web.Response:
        video_id = request.match_info["id"]
        body = {"videoId": video_id, "id": video_id.rsplit(":", 1)[1], "status": 1, "percent": 50}
        return web.json_response(body)

    app = web.Application()
    app.router.add_get("/v1/minimax/scheduler", scheduler)
    app.router.add_get("/v1/minimax/videos/{id}", video)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
