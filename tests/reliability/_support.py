"""Shared helpers of the reliability tests: a fast client on the emulator, leak checks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import aiohttp
import anyio

from minimax_async import AsyncMiniMax, Timeout
from minimax_async.testing import Emulator


class InstantSleep:
    """The client's ``_sleep`` seam: records every delay, never waits (yields once)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


#: Short read timeouts, so stalls end in a fraction of a second.
FAST = Timeout(connect=5.0, read=0.5, total=None)


@contextlib.asynccontextmanager
async def fast_client(
    emu: Emulator, *, timeout: Timeout = FAST, max_retries: int = 2
) -> AsyncIterator[AsyncMiniMax]:
    """An ``AsyncMiniMax`` on ``emu`` whose back-offs and scheduler checks do not wait."""
    mm = AsyncMiniMax(emu.token, base_url=emu.base_url, timeout=timeout, max_retries=max_retries)
    mm._sleep = InstantSleep()
    async with mm:
        yield mm


def session_of(mm: AsyncMiniMax) -> aiohttp.ClientSession:
    session = mm._holder.session
    assert session is not None, "the client never opened its session"
    return session


def acquired(mm: AsyncMiniMax) -> int:
    """Connections the client's connector holds for requests right now."""
    session = mm._holder.session
    if session is None or session.connector is None:
        return 0
    return len(session.connector._acquired)  # type: ignore[attr-defined]


def other_tasks(baseline: set[asyncio.Task[object]]) -> list[asyncio.Task[object]]:
    """Pending tasks that are not in ``baseline``, not the current one and not the server's."""
    current = asyncio.current_task()
    found = []
    for task in asyncio.all_tasks():
        if task is current or task in baseline or task.done():
            continue
        if _is_server_task(task):
            continue
        found.append(task)
    return found


def _is_server_task(task: asyncio.Task[object]) -> bool:
    """aiohttp.web request handlers and the emulator's own background tasks (all named
    ``minimax-emulator...``, including the ``Event.wait()`` waiters of its callback loop)."""
    coro = task.get_coro()
    # The coroutine's own ``__qualname__``: its code object has ``co_qualname`` only on 3.11+.
    qualname = getattr(coro, "__qualname__", "")
    module = getattr(getattr(coro, "cr_frame", None), "f_globals", {}).get("__name__", "")
    return (
        module.startswith("aiohttp.web")
        or module.startswith("minimax_async.testing")
        or "RequestHandler" in qualname
        or task.get_name().startswith("minimax-emulator")
    )


async def wait_until(predicate: Callable[[], bool], *, within: float = 5.0) -> None:
    """Poll ``predicate`` (emulator state has no event to wait on) until true, or fail."""
    with anyio.fail_after(within):
        while not predicate():  # noqa: ASYNC110 - nothing to wait on but the state itself
            await asyncio.sleep(0.005)


async def settle(
    mm: AsyncMiniMax, baseline: set[asyncio.Task[object]], *, within: float = 2.0
) -> tuple[int, list[asyncio.Task[object]]]:
    """Give cleanups a few loop turns; return (acquired connections, leftover tasks)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while True:
        await asyncio.sleep(0.01)
        left = other_tasks(baseline)
        busy = acquired(mm)
        if (not left and not busy) or loop.time() >= end:
            return busy, left


@contextlib.asynccontextmanager
async def ticking(emu: Emulator, step: float = 5.0, every: float = 0.002) -> AsyncIterator[None]:
    """Advance the emulator's frozen clock ``step`` virtual seconds every ``every`` real ones."""

    async def tick() -> None:
        while True:
            await asyncio.sleep(every)
            emu.advance(step)

    task = asyncio.get_running_loop().create_task(tick(), name="test-ticker")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
