"""``AsyncMiniMax``'s resource attributes (``mm.videos``, ``mm.images`` ...), built on first use.

Each property imports its resource module, and with it that group's models, the first time it
is read (a cached property): building every model class was most of the import time
("Speed-ups" in docs/architecture.md), and a videos-only process never loads the llm, audio or
music models. The resources take the client as a :class:`ClientCore`, so this base sits between
``ClientCore`` and ``AsyncMiniMax`` and the layers stay free of cycles.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from ._client_core import ClientCore

if TYPE_CHECKING:  # imported by each attribute on first use (import time)
    from .resources.accounts import Accounts
    from .resources.agent import Agent
    from .resources.audio import Audio
    from .resources.files import Files
    from .resources.images import Images
    from .resources.llm import Llm
    from .resources.music import Music_
    from .resources.scheduler import Scheduler
    from .resources.videos import Videos

__all__ = ["ClientResources"]

R = TypeVar("R")


class _Resource(Generic[R]):
    """A resource attribute: the first read imports ``resources/<group>.py`` (with that
    group's models) and builds the resource on the client; later reads find it in the
    instance's ``__dict__`` (a non-data descriptor, as ``functools.cached_property``)."""

    def __init__(self, group: str, cls: str) -> None:
        self._module = f"{__package__}.resources.{group}"
        self._cls = cls
        self._attr = group

    def __set_name__(self, owner: type, name: str) -> None:
        self._attr = name

    @overload
    def __get__(self, client: None, owner: type) -> _Resource[R]: ...

    @overload
    def __get__(self, client: ClientCore, owner: type) -> R: ...

    def __get__(self, client: ClientCore | None, owner: type) -> _Resource[R] | R:
        if client is None:
            return self
        resource: R = getattr(importlib.import_module(self._module), self._cls)(client)
        vars(client)[self._attr] = resource
        return resource


class ClientResources(ClientCore):
    """:class:`ClientCore` with one attribute per API group (``resources/<group>.py``)."""

    accounts: _Resource[Accounts] = _Resource("accounts", "Accounts")
    files: _Resource[Files] = _Resource("files", "Files")
    videos: _Resource[Videos] = _Resource("videos", "Videos")
    images: _Resource[Images] = _Resource("images", "Images")
    agent: _Resource[Agent] = _Resource("agent", "Agent")
    scheduler: _Resource[Scheduler] = _Resource("scheduler", "Scheduler")
    llm: _Resource[Llm] = _Resource("llm", "Llm")
    audio: _Resource[Audio] = _Resource("audio", "Audio")
    music: _Resource[Music_] = _Resource("music", "Music_")
