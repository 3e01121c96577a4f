"""The state of one batch run and its capacity accounting: free slots per account, pauses,
dropped accounts, the queues, and handing results out (the base of the engine)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import anyio
import attrs

from .._accounts import free_slots
from .._exceptions import (
    APIError,
)
from .._journal_protocol import BatchJournal, JournalFactory, SharedJournal, _Item

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectSendStream

from ._kinds import BatchClient, _Kind
from ._results import BatchFailure, BatchOutcome, BatchSuccess, _Report

T = TypeVar("T")
log = logging.getLogger("minimax_async")

#: Slots assumed for an account (or the API's choice) nothing tells the capacity of.
_DEFAULT_SLOTS = 3


@attrs.define(eq=False)
class _Account:
    name: str | None
    free: int
    #: The limit of a kind the scheduler does not count (images); None: the scheduler counts.
    limit: int | None = None
    creating: bool = False
    paused: bool = False
    dropped: BaseException | None = None
    #: Bumped by every local change; a capacity read overlapping one is not applied.
    version: int = 0
    #: Whether a capacity read knows this account (else its ``free`` is only counted locally).
    listed: bool = True


def _as_exception(error: BaseException) -> Exception:
    return error if isinstance(error, Exception) else RuntimeError(str(error))


class _EngineBase(Generic[T]):
    """A batch run's state, capacity and output; :class:`_Engine` adds what runs it."""

    def __init__(
        self,
        mm: BatchClient,
        kind: _Kind[T],
        items: list[_Item],
        requests: list[Mapping[str, Any]],
        *,
        concurrency: int | None,
        journal: str | os.PathLike[str] | JournalFactory | None,
        timeout: float | None,
        poll_interval: float | None,
        reply_url: str | None,
        hold_pause: float,
    ) -> None:
        self._mm = mm
        self._kind = kind
        self._items = items
        self._requests = requests
        self._concurrency = concurrency
        self._journal_path = journal
        self._journal: BatchJournal | None = None
        #: The journal when several workers share it (rows are claimed, not all taken).
        self._shared: SharedJournal | None = None
        self._claiming = False
        self._claim_wakeup = anyio.Event()
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._reply_url = reply_url
        self._hold_pause = hold_pause
        self._accounts: dict[str | None, _Account] = {}
        self._unpinned: deque[_Item] = deque()
        self._pinned: dict[str, deque[_Item]] = {}
        self._inflight: set[_Item] = set()
        self._in_flight_count = 0
        self._creating = 0
        self._last_drop: BaseException | None = None
        self._refresh_wanted = False
        self._poked = False
        self._nap_scope: anyio.CancelScope | None = None
        self._send: MemoryObjectSendStream[BatchOutcome[T]] | None = None
        self._timers: anyio.abc.TaskGroup | None = None
        self.report = _Report()

    def running(self) -> dict[str | None, int]:
        """Requests being created or waited for now, per account."""
        out: dict[str | None, int] = {}
        for item in self._items:
            if item.counted:
                out[item.account] = out.get(item.account, 0) + 1
        return out

    async def _read_capacity(self) -> tuple[dict[str, int] | None, set[str]]:
        """Per-account free slots (None: no per-account information) and the running ids."""
        capacity = await self._mm.scheduler.available()
        running = {job.job_id for job in capacity.executing or [] if job.job_id}
        entries = capacity.available or []
        named = {
            entry.account: free_slots(entry, _DEFAULT_SLOTS) for entry in entries if entry.account
        }
        if not named:
            if entries and self._kind.sees_running:
                return {"": sum(free_slots(e, _DEFAULT_SLOTS) for e in entries)}, running
            return None, running
        return named, running

    def _set_up_accounts(self, snapshot: tuple[dict[str, int] | None, set[str]]) -> None:
        per_account, _ = snapshot
        default = self._mm.account
        names: list[str | None]
        if default:
            names = [default]
        elif per_account is None or "" in per_account:
            names = [None]
        else:
            names = list(per_account)
        names += [i.pin for i in self._items if i.pin is not None and i.pin not in names]
        for name in names:
            listed = per_account is not None and (name or "") in per_account
            free = per_account[name or ""] if per_account is not None and listed else None
            if free is None:
                free = self._concurrency if name is None and self._concurrency else _DEFAULT_SLOTS
            self._accounts[name] = _Account(name=name, free=free, listed=listed)

    async def _set_limits(self) -> None:
        if self._kind.sees_running:
            return
        named = [n for n, a in self._accounts.items() if n is not None and a.limit is None]
        limits = await self._kind.limits(self._mm, named) if named else {}
        for name, account in self._accounts.items():
            if account.limit is None:
                account.limit = limits.get(name or "", account.free)
                account.listed = True
                account.free = account.limit

    def _account_for(self, name: str | None) -> _Account:
        account = self._accounts.get(name)
        if account is None:
            # A job resumed on an account this run does not use: counted nowhere.
            account = _Account(name=name, free=0, listed=False)
        return account

    async def _refresh(self) -> None:
        if not self._kind.sees_running:
            for account in self._accounts.values():
                if account.limit is not None and not account.creating:
                    mine = sum(1 for i in self._inflight if i.account == account.name)
                    account.free = max(0, account.limit - mine)
                    for item in self._inflight:
                        if item.account == account.name:
                            item.holding = True
            return
        versions = {name: a.version for name, a in self._accounts.items()}
        try:
            per_account, running = await self._read_capacity()
        except APIError as exc:
            log.info("batch: could not read the capacity (%s); counting locally", exc)
            return
        if per_account is None:
            return
        for name, account in self._accounts.items():
            key = name or ""
            if key not in per_account or account.creating or account.version != versions[name]:
                continue
            account.free = per_account[key]
            account.listed = True
            for item in self._inflight:
                if item.account == name:
                    item.holding = bool(set(item.job_ids) & running)

    def _usable(self, account: _Account) -> bool:
        return account.dropped is None and not account.paused

    def _take(self, item: _Item, account: _Account) -> None:
        account.free -= 1
        account.version += 1
        account.creating = True
        self._creating += 1
        item.account = account.name
        item.holding = True
        item.counted = True
        self._in_flight_count += 1

    def _release(self, item: _Item, account: _Account) -> None:
        if item.holding:
            item.holding = False
            account.free += 1
            account.version += 1
        if item.counted:
            item.counted = False
            self._in_flight_count -= 1
        self._inflight.discard(item)

    def _pause(self, account: _Account, seconds: float) -> None:
        account.paused = True
        account.version += 1
        assert self._timers is not None
        self._timers.start_soon(self._unpause_later, account, seconds)

    async def _unpause_later(self, account: _Account, seconds: float) -> None:
        await self._mm._sleep(seconds)
        account.paused = False
        self._refresh_wanted = True
        self._signal()

    def _queue(self, item: _Item, *, front: bool = False) -> None:
        queue = self._unpinned if item.pin is None else self._pinned.setdefault(item.pin, deque())
        if front:
            queue.appendleft(item)
        else:
            queue.append(item)

    def _queued(self) -> bool:
        return bool(self._unpinned) or any(self._pinned.values())

    def _signal(self) -> None:
        self._poked = True
        self._claim_wakeup.set()
        if self._nap_scope is not None:
            self._nap_scope.cancel()

    def _spawn_emit(self, item: _Item, error: BaseException) -> None:
        if self._send is not None:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._send.send_nowait(self._result(item, None, _as_exception(error)))

    def _result(
        self, item: _Item, value: Any, error: Exception | None, *, replayed: bool = False
    ) -> BatchOutcome[T]:
        common: dict[str, Any] = {
            "index": item.index,
            "key": item.key,
            "request": self._requests[item.index],
            "job_ids": item.job_ids,
            "reply_ref": item.reply_ref,
            "account": item.account,
            "replayed": replayed,
        }
        if error is None:
            return BatchSuccess(result=value, **common)
        return BatchFailure(error=error, **common)

    async def _emit(
        self, item: _Item, value: Any, error: Exception | None, *, replayed: bool = False
    ) -> None:
        if self._shared is not None:
            # Yielded here: the other workers (started before now) do not take it up again.
            await self._shared.release(item.key, settled=True)
        if self._send is not None:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await self._send.send(self._result(item, value, error, replayed=replayed))
