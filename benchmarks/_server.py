"""What the benchmarks share: a loopback server run as a subprocess of the benchmark script.

The server runs in its own process so that client and server do not share a Python process
(or its event loop and GIL) while the client is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def subprocess_server(script: str, *args: str) -> AsyncIterator[str]:
    """Run ``python script --serve PORT *args`` and yield ``http://127.0.0.1:PORT`` once it
    accepts connections; the process is terminated on exit."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(sys.executable, script, "--serve", str(port), *args)
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
