"""The aiohttp session a client and its ``with_options`` copies share, and its connector.

The connector tells the session's ``Deadlines`` (``_deadlines``) when a request has its
connection: the read clock of a JSON call starts there, not while it waits for a pooled one.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp.connector import Connection

from ._deadlines import Deadlines

__all__ = ["SessionHolder"]


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, telling the holder's ``Deadlines`` when a request has its connection
    (the moment aiohttp's own ``sock_read`` clock would start, too)."""

    def __init__(self, holder: SessionHolder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._holder = holder

    async def connect(self, req: aiohttp.ClientRequest, *args: Any, **kwargs: Any) -> Connection:
        connection = await _CONNECT(self, req, *args, **kwargs)  # ``super()``, unbuilt
        deadlines = self._holder._deadlines
        if deadlines is not None:
            deadlines.connected(asyncio.current_task(self._loop))
        return connection


_CONNECT = aiohttp.TCPConnector.connect


class SessionHolder:
    """The aiohttp session shared by a client and its ``with_options`` copies."""

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        self.session = session
        self.owned = session is None
        self.closed = False
        self._deadlines: Deadlines | None = None

    def deadlines(self) -> Deadlines:
        """The deadlines of this client's calls on the running event loop."""
        loop = asyncio.get_running_loop()
        made = self._deadlines
        if made is None or made.loop is not loop:
            made = self._deadlines = Deadlines(loop)
        return made

    def get_timed(self, timed: bool) -> tuple[aiohttp.ClientSession, Deadlines | None]:
        """The session and, when ``timed`` and the session is the SDK's own (its connector
        reports connections), the running loop's ``Deadlines``; one call on the request path."""
        session = self.session
        if session is None or self.closed:
            session = self.get()  # made now, or the error of a closed client
        if not (timed and self.owned):
            return session, None
        made = self._deadlines
        if made is None or made.loop is not asyncio.get_running_loop():
            made = self.deadlines()
        return session, made

    def get(self) -> aiohttp.ClientSession:
        if self.closed:
            raise RuntimeError("this client was closed; create a new AsyncMiniMax")
        if self.session is None:
            self.session = aiohttp.ClientSession(
                connector=_Connector(self, limit=100, limit_per_host=0),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self.session

    async def aclose(self) -> None:
        self.closed = True
        if self.owned and self.session is not None and not self.session.closed:
            await self.session.close()
