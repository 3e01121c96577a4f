"""The :class:`Emulator` object and :func:`run_emulator`: start, control and stop the server."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
from collections.abc import AsyncIterator
from types import TracebackType

import aiohttp
from aiohttp import web

from ._app import create_app
from ._callbacks import callback_loop
from ._faults import Faults
from ._http import API_PREFIX, AppContext
from ._state import Account, Clock, EmulatorState
from .routes.platform import PLATFORM_PREFIX

__all__ = ["Emulator", "run_emulator"]


class Emulator:
    """A running emulator: ``base_url``, ``token``, ``state``, ``faults``, ``advance()``.

    Use :func:`run_emulator` (or ``async with Emulator(...)``).
    """

    def __init__(
        self,
        *,
        speed: float = 1.0,
        token: str | None = None,
        accounts: int = 1,
        max_jobs: int = 3,
        seed: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        scheduler_image_field: str = "both",
    ) -> None:
        if accounts < 0:
            raise ValueError("accounts must be >= 0")
        if max_jobs < 1:
            raise ValueError("max_jobs must be >= 1 (POST accounts itself accepts 1..10)")
        rng = random.Random(seed)
        self.clock = Clock(speed)
        self.state = EmulatorState(
            clock=self.clock,
            rng=rng,
            user_id=str(rng.randrange(100_000, 999_999)),
            scheduler_image_field=scheduler_image_field,
        )
        for _ in range(accounts):
            self.state.add_account(max_jobs=max_jobs)
        self.faults = Faults(random.Random(rng.getrandbits(64)))
        #: ``token`` when one was given (then it is the only one accepted), else a generated one
        #: (then any non-empty bearer token is accepted).
        self.token = token if token is not None else "emu-" + secrets.token_hex(16)
        self._context = AppContext(self.state, self.faults, token)
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._callbacks: asyncio.Task[None] | None = None
        self.host = host
        self.port = port

    # ---- addresses ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server origin, e.g. ``http://127.0.0.1:8787``."""
        return self.state.origin

    @property
    def base_url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:8787/v1/minimax``."""
        return self.state.origin + API_PREFIX

    @property
    def platform_url(self) -> str:
        """The official MiniMax platform's base URL, e.g. ``http://127.0.0.1:8787/minimax``:
        ``AsyncMiniMaxPlatform(api_key=emu.token, base_url=emu.platform_url)`` uploads to the
        emulator's ``POST /minimax/v1/files/upload``."""
        return self.state.origin + PLATFORM_PREFIX

    def media_url(self, path: str) -> str:
        """The URL at which the emulator serves media ``path`` (e.g. ``videos/1/cover.png``)."""
        return self.state.media_url(path)

    # ---- control -----------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the virtual clock forward ``seconds`` instantly (jobs, streams, callbacks)."""
        self.clock.advance(seconds)
        self.state.wake()

    def add_account(
        self, account: str | None = None, *, max_jobs: int = 3, token: str | None = None
    ) -> Account:
        """Configure one more account (as ``POST accounts`` would) and return it."""
        return self.state.add_account(account, max_jobs=max_jobs, token=token)

    # ---- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> Emulator:
        if self._runner is not None:
            raise RuntimeError("emulator already started")
        app = create_app(self._context)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.host, self.port = str(host), int(port)
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.state.origin = f"http://{shown}:{self.port}"
        self._session = aiohttp.ClientSession()
        self._callbacks = asyncio.create_task(
            callback_loop(self._context, self._session), name="minimax-emulator-callbacks"
        )
        return self

    async def close(self) -> None:
        self._context.closing.set()
        if self._callbacks is not None:
            self._callbacks.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._callbacks
            self._callbacks = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<Emulator {self.base_url or '(not started)'} speed={self.clock.speed}>"


@contextlib.asynccontextmanager
async def run_emulator(
    *,
    speed: float = 1.0,
    token: str | None = None,
    accounts: int = 1,
    max_jobs: int = 3,
    seed: int | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    scheduler_image_field: str = "both",
) -> AsyncIterator[Emulator]:
    """Run the emulator on ``host:port`` (0: a free port) for the ``async with`` block.

    ``scheduler_image_field``: where ``GET scheduler`` lists image ids (``"both"``,
    ``"videoId"`` or ``"imageId"``: each shape the API documents).
    """
    emulator = Emulator(
        speed=speed,
        token=token,
        accounts=accounts,
        max_jobs=max_jobs,
        seed=seed,
        host=host,
        port=port,
        scheduler_image_field=scheduler_image_field,
    )
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.close()
