"""The client as the layers above the request path see it: resources, streams, account routing.

They never import :class:`~minimax_async.AsyncMiniMax` (not even for type checking): they talk
through :class:`ClientCore`, the base client's request path plus the few names they reach
across, each declared by what is used of it (a ``typing.Protocol``). ``AsyncMiniMax`` is the one
concrete ``ClientCore``; the import-linter contracts in ``pyproject.toml`` keep it that way.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Protocol

from ._base_client import BaseClient

if TYPE_CHECKING:  # the models load on first use (import time)
    from .models.accounts import Account
    from .models.scheduler import ScheduledJob, SchedulerCapacity

__all__ = ["AccountLookups", "ClientCore", "SchedulerLookups"]


class SchedulerLookups(Protocol):
    """What resources and account routing use of ``mm.scheduler``."""

    async def available(self) -> SchedulerCapacity: ...

    async def find_by_reply_ref(
        self, reply_ref: str, *, span: float = ...
    ) -> builtins.list[ScheduledJob]: ...


class AccountLookups(Protocol):
    """What account routing uses of ``mm.accounts``: the configured accounts."""

    async def list(self) -> dict[str, Account]: ...


class ClientCore(BaseClient):
    """:class:`BaseClient` with the client-wide names resources and streams use.

    Declarations only: the subclass answers ``scheduler`` and ``accounts`` (its resources,
    built on first use) and ``account`` (its default account).
    """

    @property
    def scheduler(self) -> SchedulerLookups:
        raise NotImplementedError

    @property
    def accounts(self) -> AccountLookups:
        raise NotImplementedError

    @property
    def account(self) -> str | None:
        """The default ``account`` for calls that take one (None: the API chooses)."""
        raise NotImplementedError
