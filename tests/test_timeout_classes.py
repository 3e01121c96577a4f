"""Every timeout aiohttp raises becomes the SDK's own timeout error, on every Python version.

aiohttp raises subclasses of ``asyncio.TimeoutError`` (``SocketTimeoutError`` for ``sock_read``,
a bare ``asyncio.TimeoutError`` for ``total``); before 3.11 that class is not the builtin
``TimeoutError``. A client on a borrowed session leaves reads and totals to aiohttp's own
timers (no ``Deadlines``), so these calls exercise exactly those exceptions. A real aiohttp
server stalls the answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import APITimeoutError, AsyncMiniMax, Timeout

TOKEN = "user:1-timeout-classes-token"
PREFIX = "/v1/minimax"
VIDEO_BYTES = json.dumps({"videoId": "user:1-minimax:1-video:1", "status": 2}).encode()

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Stall:
    """The server side: answers that stall until the test ends (then ``release`` frees them)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.hits = 0

    async def silent(self, request: web.Request) -> web.StreamResponse:
        """No headers at all until released."""
        self.hits += 1
        await self.release.wait()
        return web.Response(body=VIDEO_BYTES, content_type="application/json")

    async def stalled_body(self, request: web.Request) -> web.StreamResponse:
        """The headers and part of the JSON, then nothing until released."""
        self.hits += 1
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(VIDEO_BYTES[:10])
        await self.release.wait()
        return response


@pytest.fixture
async def stall() -> AsyncIterator[Stall]:
    stalling = Stall()
    yield stalling
    stalling.release.set()  # the handlers end before their server closes


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as borrowed:
        yield borrowed


async def serve(handler: Handler) -> TestServer:
    app = web.Application()
    app.router.add_get(f"{PREFIX}/videos/{{video_id}}", handler)
    server = TestServer(app)
    await server.start_server()
    return server


@pytest.mark.parametrize(
    ("answer", "timeout", "message"),
    [
        # aiohttp's ``total`` timer: a bare asyncio.TimeoutError, before or after the headers.
        ("silent", Timeout(connect=5, read=None, total=0.3), "waiting for the answer"),
        ("stalled_body", Timeout(connect=5, read=None, total=0.3), "reading the answer"),
        # aiohttp's ``sock_read`` timer: SocketTimeoutError, before or after the headers.
        ("silent", Timeout(connect=5, read=0.3, total=None), "waiting for the answer"),
        ("stalled_body", Timeout(connect=5, read=0.3, total=None), "reading the answer"),
    ],
    ids=["total-headers", "total-body", "read-headers", "read-body"],
)
async def test_aiohttp_timeouts_raise_api_timeout_error(
    stall: Stall,
    session: aiohttp.ClientSession,
    answer: str,
    timeout: Timeout,
    message: str,
) -> None:
    server = await serve(getattr(stall, answer))
    try:
        mm = AsyncMiniMax(
            TOKEN,
            base_url=str(server.make_url(PREFIX)),
            session=session,
            timeout=timeout,
            max_retries=0,
        )
        async with mm:
            with pytest.raises(APITimeoutError, match=message):
                await mm.videos.retrieve("user:1-minimax:1-video:1")
        assert stall.hits == 1
    finally:
        stall.release.set()
        await server.close()
