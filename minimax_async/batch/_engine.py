"""Runs one batch in one task: the dispatcher placing requests into free capacity, the creates
and the waits in one task group, and the claims of a journal several workers share."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from .._exceptions import (
    AccountOnHoldError,
    GenerationError,
    InsufficientCreditsError,
    JobCreationUnknownError,
    RateLimitError,
    WaitTimeoutError,
)
from .._journal_protocol import SharedJournal, _Item, _Row

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectSendStream

from ._capacity import _Account
from ._journal import _open_journal
from ._recovery import _Recovery
from ._results import BatchOutcome

T = TypeVar("T")
log = logging.getLogger("minimax_async")

#: Seconds between re-reads of the capacity while every slot is taken.
_REFRESH_INTERVAL = 15.0
_RATE_LIMIT_MIN, _RATE_LIMIT_MAX = 10.0, 30.0
_MAX_RETRY_AFTER = 120.0
#: Real seconds between claim attempts on a shared journal while other workers hold rows (a
#: dead worker's rows become claimable when its lease runs out).
_CLAIM_POLL = 1.0
#: A dead worker's in-flight rows taken over at once when this worker has no free slot.
_ORPHANS = 10


class _Engine(_Recovery[T]):
    """Runs one batch in one task: dispatcher, creates and waits in one task group."""

    async def run(self, send: MemoryObjectSendStream[BatchOutcome[T]]) -> None:
        self._send = send
        async with send:
            if self._journal_path is not None:
                self._journal = await _open_journal(self._journal_path)
            try:
                if isinstance(self._journal, SharedJournal):
                    self._shared = self._journal
                    await self._run_shared(self._journal)
                else:
                    await self._run()
            finally:
                if self._journal is not None:
                    with anyio.CancelScope(shield=True):
                        await self._journal.close()

    async def _run(self) -> None:
        rows = await self._journal.load() if self._journal is not None else {}
        unsure: list[tuple[_Item, _Row]] = []
        resumed: list[tuple[_Item, _Row]] = []
        replay: list[tuple[_Item, _Row]] = []
        for item in self._items:
            row = rows.get(item.key)
            if row is None and item.legacy_key is not None and item.legacy_key in rows:
                # A journal of an earlier version (position keys): adopt its row and its key.
                item.key = item.legacy_key
                row = rows[item.key]
            if row is None:
                self._queue(item)
                continue
            if row.kind != self._kind.name:
                raise ValueError(
                    f"journal key {item.key!r} was recorded for a {row.kind} request, "
                    f"not a {self._kind.name}"
                )
            if row.request != item.canonical:
                raise ValueError(
                    f"journal key {item.key!r} was recorded for another request: "
                    f"{row.request} (now {item.canonical})"
                )
            item.reply_ref = row.reply_ref
            item.account = row.account
            if row.state == "done":
                item.job_ids = row.job_ids
                replay.append((item, row))
            elif row.state == "submitted" and row.job_ids:
                item.job_ids = row.job_ids
                resumed.append((item, row))
            elif row.state == "sending":
                unsure.append((item, row))
            else:  # pending, rejected: nothing was created
                self._queue(item)
        self._report_unmatched(rows)
        for item, row in replay:
            await self._emit(item, *self._replayed(row), replayed=True)
        snapshot = await self._read_capacity()
        self._set_up_accounts(snapshot)
        await self._set_limits()
        if unsure:
            claimed = {job_id for row in rows.values() for job_id in row.job_ids}
            for item in await self._find_unsure(unsure, claimed):
                resumed.append((item, rows[item.key]))
        async with anyio.create_task_group() as tg:
            for item, _ in resumed:
                account = self._account_for(item.account)
                item.counted = True
                self._in_flight_count += 1
                self._inflight.add(item)
                # Its slot is part of the capacity read only while the scheduler lists it.
                item.holding = account.listed and (
                    not self._kind.sees_running or bool(set(item.job_ids) & snapshot[1])
                )
                if account.limit is not None and item.holding:
                    account.free = max(0, account.free - 1)
                tg.start_soon(self._wait, item, account)
            async with anyio.create_task_group() as timers:
                self._timers = timers
                await self._dispatch(tg)
                # Every request is submitted or finished: pauses no longer matter.
                timers.cancel_scope.cancel()

    async def _nap(self, seconds: float) -> bool:
        """Sleep until :meth:`_signal` or ``seconds`` pass; True when the time ran out."""
        if self._poked:
            self._poked = False
            return False
        with anyio.CancelScope() as scope:
            self._nap_scope = scope
            try:
                await self._mm._sleep(seconds)
            finally:
                self._nap_scope = None
        self._poked = False
        return not scope.cancel_called

    async def _dispatch(self, tg: Any) -> None:
        while self._queued() or self._creating or self._claiming:
            if self._place(tg) or self._fail_unplaceable():
                continue
            timed_out = await self._nap(_REFRESH_INTERVAL)
            if (timed_out or self._refresh_wanted) and self._queued():
                self._refresh_wanted = False
                await self._refresh()

    def _place(self, tg: Any) -> bool:
        if self._concurrency is not None and self._in_flight_count >= self._concurrency:
            return False
        candidates = [
            a for a in self._accounts.values() if self._usable(a) and not a.creating and a.free > 0
        ]
        candidates.sort(key=lambda a: -a.free)
        for account in candidates:
            queue = self._pinned.get(account.name) if account.name is not None else None
            if queue:
                item = queue.popleft()
            elif self._unpinned:
                item = self._unpinned.popleft()
            else:
                continue
            self._take(item, account)
            tg.start_soon(self._submit, item, account)
            return True
        return False

    def _fail_unplaceable(self) -> bool:
        """Fail the requests no account can take any more (412 everywhere they may go)."""
        failed: list[tuple[_Item, BaseException]] = []
        for name, queue in self._pinned.items():
            account = self._accounts.get(name)
            if queue and account is not None and account.dropped is not None:
                failed += [(item, account.dropped) for item in queue]
                queue.clear()
        if self._unpinned and all(a.dropped is not None for a in self._accounts.values()):
            error = self._last_drop or InsufficientCreditsError("no account left", status_code=412)
            failed += [(item, error) for item in self._unpinned]
            self._unpinned.clear()
        for item, error in failed:
            self._spawn_emit(item, error)
        return bool(failed)

    async def _submit(self, item: _Item, account: _Account) -> None:
        journal = self._journal
        created = False
        try:
            if journal is not None:
                await journal.before(item, self._kind.name)
            params = dict(item.params)
            if self._reply_url is not None and params.get("reply_url") is None:
                params["reply_url"] = self._reply_url
            item.job_ids = await self._kind.create(self._mm, params, account.name, item.reply_ref)
            created = True
        except RateLimitError as exc:
            self._release(item, account)
            account.free = 0
            wait = random.uniform(_RATE_LIMIT_MIN, _RATE_LIMIT_MAX)
            if exc.retry_after is not None and exc.retry_after <= _MAX_RETRY_AFTER:
                wait = max(_RATE_LIMIT_MIN, exc.retry_after)
            log.info("batch: account %s is busy (429); waiting %.0f s", account.name, wait)
            self._pause(account, wait)
            await self._requeue(item, exc)
        except AccountOnHoldError as exc:
            self._release(item, account)
            log.warning(
                "batch: account %s is on hold (596); paused for %.0f s",
                account.name,
                self._hold_pause,
            )
            self._pause(account, self._hold_pause)
            await self._requeue(item, exc)
        except InsufficientCreditsError as exc:
            self._release(item, account)
            account.dropped = exc
            self._last_drop = exc
            log.warning("batch: account %s has no credits left (412); dropped", account.name)
            await self._requeue(item, exc)
        except JobCreationUnknownError as exc:
            # The job may exist (and hold the slot): the journal keeps it "sending", and a
            # run with the same journal looks for it before sending it again.
            item.holding = False
            self._release(item, account)
            await self._emit(item, None, exc)
        except Exception as exc:
            self._release(item, account)
            if journal is not None:
                await journal.unsent(item, exc, "rejected")
            await self._emit(item, None, exc)
        finally:
            account.creating = False
            self._creating -= 1
            account.version += 1
            if created:
                self._inflight.add(item)
            self._signal()
        if created:
            if journal is not None:
                await journal.submitted(item)
            await self._wait(item, account)

    async def _requeue(self, item: _Item, error: BaseException) -> None:
        self._queue(item, front=True)
        self._signal()
        if self._journal is not None:
            await self._journal.unsent(item, error, "pending")

    async def _wait(self, item: _Item, account: _Account) -> None:
        value: Any = None
        error: Exception | None = None
        final = True
        try:
            value = await self._kind.wait(
                self._mm, item.job_ids, self._timeout, self._poll_interval
            )
        except WaitTimeoutError as exc:
            error, final = exc, False
        except GenerationError as exc:
            error = exc
        except Exception as exc:
            error, final = exc, False
        finally:
            self._release(item, account)
            self._signal()
        if self._journal is not None:
            if final:
                snapshot = (
                    self._kind.dump(value) if error is None else self._kind.snapshot_of(error)  # type: ignore[arg-type]
                )
                await self._journal.finished(item, snapshot, error)
            elif error is not None:
                await self._journal.note(item, error)
        await self._emit(item, value, error)

    async def _run_shared(self, journal: SharedJournal) -> None:
        """Work on the requests this worker claims, as it has room, until none is left that
        another live worker does not hold."""
        await journal.register(self._items, self._kind.name)
        self._set_up_accounts(await self._read_capacity())
        await self._set_limits()
        self._claiming = True
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._claim_loop, journal, tg)
            async with anyio.create_task_group() as timers:
                self._timers = timers
                await self._dispatch(tg)
                timers.cancel_scope.cancel()

    def _claim_room(self) -> int:
        """Requests to claim now: enough to fill the free slots, at least one queued."""
        queued = len(self._unpinned) + sum(len(q) for q in self._pinned.values())
        free = sum(a.free for a in self._accounts.values() if self._usable(a))
        room = max(1, free) - queued
        if self._concurrency is not None:
            room = min(room, self._concurrency - self._in_flight_count - queued)
        return max(0, room)

    async def _claim_loop(self, journal: SharedJournal, tg: Any) -> None:
        keys = [item.key for item in self._items]
        by_key = {item.key: item for item in self._items}
        try:
            while True:
                self._claim_wakeup = anyio.Event()
                room = self._claim_room()
                # A dead worker's rows in flight are taken over even with every slot taken:
                # their jobs already run upstream (and count there), and a ``sending`` one
                # must be looked for by its replyRef while it is still listed.
                rows = await journal.claim(keys, room if room else _ORPHANS, in_flight=not room)
                for row in rows:
                    await self._adopt(journal, by_key[row.key], row, tg)
                if rows:
                    continue
                if await journal.outstanding(keys) == 0:
                    return  # the rest is this worker's, or done
                with anyio.move_on_after(_CLAIM_POLL):
                    await self._claim_wakeup.wait()
        finally:
            self._claiming = False
            self._signal()

    async def _adopt(self, journal: SharedJournal, item: _Item, row: _Row, tg: Any) -> None:
        """A claimed row, in the state its last worker left it (as a resumed sqlite run)."""
        item.reply_ref = row.reply_ref
        item.account = row.account
        found = False
        if row.state == "submitted" and row.job_ids:
            item.job_ids, found = row.job_ids, True
        elif row.state == "sending":
            claimed = {job_id for r in (await journal.load()).values() for job_id in r.job_ids}
            found = bool(await self._find_unsure([(item, row)], claimed))
        else:  # pending, rejected by a run before this one: nothing was created
            self._queue(item)
        self._signal()
        if found:
            account = self._account_for(item.account)
            item.counted = True
            self._in_flight_count += 1
            self._inflight.add(item)
            tg.start_soon(self._wait, item, account)


def _unwrap(error: BaseException | None) -> BaseException | None:
    """The one error inside (nested) task-group exception groups, else ``error`` itself."""
    while error is not None and hasattr(error, "split"):  # an exception group (3.10: backport)
        inner: Sequence[BaseException] = getattr(error, "exceptions", ())
        if len(inner) != 1:
            break
        error = inner[0]
    return error
