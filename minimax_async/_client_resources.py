"""``AsyncMiniMax``'s resource attributes (``mm.videos``, ``mm.images`` ...), built on first use.

Each property imports its resource module, and with it that group's models, the first time it
is read (a cached property): building every model class was most of the import time
("Speed-ups" in docs/architecture.md), and a videos-only process never loads the llm, audio or
music models. The resources take the client as a :class:`ClientCore`, so this base sits between
``ClientCore`` and ``AsyncMiniMax`` and the layers stay free of cycles.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ._client_core import ClientCore

if TYPE_CHECKING:  # imported inside each property, on first use (import time)
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


class ClientResources(ClientCore):
    """:class:`ClientCore` with one attribute per API group (``resources/<group>.py``)."""

    @functools.cached_property
    def accounts(self) -> Accounts:
        from .resources.accounts import Accounts

        return Accounts(self)

    @functools.cached_property
    def files(self) -> Files:
        from .resources.files import Files

        return Files(self)

    @functools.cached_property
    def videos(self) -> Videos:
        from .resources.videos import Videos

        return Videos(self)

    @functools.cached_property
    def images(self) -> Images:
        from .resources.images import Images

        return Images(self)

    @functools.cached_property
    def agent(self) -> Agent:
        from .resources.agent import Agent

        return Agent(self)

    @functools.cached_property
    def scheduler(self) -> Scheduler:
        from .resources.scheduler import Scheduler

        return Scheduler(self)

    @functools.cached_property
    def llm(self) -> Llm:
        from .resources.llm import Llm

        return Llm(self)

    @functools.cached_property
    def audio(self) -> Audio:
        from .resources.audio import Audio

        return Audio(self)

    @functools.cached_property
    def music(self) -> Music_:
        from .resources.music import Music_

        return Music_(self)
