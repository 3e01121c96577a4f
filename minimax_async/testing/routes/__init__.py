"""The emulator's routes, one module per API group, mirroring ``minimax_async/resources/``.

Each module declares its routes on its handlers (``@api.get("/videos/{videoId}")``); the
application (:mod:`minimax_async.testing._app`) registers every table on aiohttp's router.
"""

from __future__ import annotations

from .._http import Route
from . import (
    accounts,
    agent,
    audio,
    files,
    images,
    llm,
    media,
    music,
    platform,
    scheduler,
    video_agents,
    videos,
)

__all__ = ["API_ROUTES", "MEDIA_ROUTES", "PLATFORM_ROUTES"]

#: Every route under ``/v1/minimax``.
API_ROUTES: tuple[Route, ...] = (
    *accounts.api.routes,
    *files.api.routes,
    *videos.api.routes,
    *video_agents.api.routes,
    *images.api.routes,
    *agent.api.routes,
    *scheduler.api.routes,
    *llm.api.routes,
    *audio.api.routes,
    *music.api.routes,
)

#: Routes at the server's root (no ``/v1/minimax`` prefix).
MEDIA_ROUTES: tuple[Route, ...] = tuple(media.api.routes)

#: The official MiniMax platform's routes, at the root under ``/minimax`` (a gateway's prefix).
PLATFORM_ROUTES: tuple[Route, ...] = tuple(platform.api.routes)
