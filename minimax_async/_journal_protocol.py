"""What the batch engine needs of a journal, so the sqlite one and a shared one fit the same slot.

:class:`BatchJournal` is what every journal does (``batch._journal._Journal`` is the sqlite
one): record a submission before and after it is sent, and each outcome. :class:`SharedJournal`
adds what a journal several workers share needs (``minimax_async.postgres``): rows are *claimed*
one worker at a time, lazily, as that worker has room, and *released* when it has yielded their
outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

# The two records that cross the interface. They live here, below the batch and the journals,
# so a journal (sqlite or PostgreSQL) never imports the batch engine that opens it.


@attrs.define
class _Row:
    key: str
    kind: str
    position: int
    request: str
    state: str
    reply_ref: str
    account: str | None
    job_ids: tuple[str, ...]
    result: Any
    error_type: str | None
    error_message: str | None
    #: When the row last changed: for a ``sending`` row, when it was marked so.
    updated_at: float = 0.0


@attrs.define(eq=False)
class _Item:
    index: int
    key: str
    params: dict[str, Any]
    canonical: str
    pin: str | None
    reply_ref: str
    #: The position-based key journals of earlier versions used (None: an explicit key).
    legacy_key: str | None = None
    account: str | None = None
    job_ids: tuple[str, ...] = ()
    #: The job's slot is counted as taken in its account's ``free``.
    holding: bool = False
    #: Counted in the batch's jobs in flight (``concurrency``).
    counted: bool = False


class BatchJournal(Protocol):
    async def close(self) -> None: ...

    async def load(self) -> Mapping[str, _Row]: ...

    async def before(self, item: _Item, kind: str) -> None: ...

    async def submitted(self, item: _Item) -> None: ...

    async def unsent(self, item: _Item, error: BaseException | None, state: str) -> None: ...

    async def finished(self, item: _Item, result: Any, error: BaseException | None) -> None: ...

    async def note(self, item: _Item, error: BaseException) -> None: ...


@runtime_checkable
class SharedJournal(BatchJournal, Protocol):
    """A journal several workers use at once; each row is worked on by one of them at a time."""

    async def register(self, items: Sequence[_Item], kind: str) -> None:
        """Record the batch's requests (``pending``) where they are not recorded yet; raises
        ``ValueError`` when a key was recorded for another request or kind."""
        ...

    async def claim(
        self, keys: Sequence[str], limit: int, *, in_flight: bool = False
    ) -> list[_Row]:
        """Take up to ``limit`` rows nobody works on (not ``done``, lease free or expired, not
        settled since this worker started): this worker owns them until it releases them.

        ``in_flight``: only rows a dead worker left ``sending`` or ``submitted`` (their jobs
        may be running upstream already: taking them over needs no free slot)."""
        ...

    async def release(self, key: str, *, settled: bool) -> None:
        """Give the row up; ``settled``: its outcome was yielded (others do not redo it)."""
        ...

    async def outstanding(self, keys: Sequence[str]) -> int:
        """Rows of ``keys`` still to do that another worker holds, or that nobody holds."""
        ...


@runtime_checkable
class JournalFactory(Protocol):
    """A journal configuration that opens one worker's connection per batch run."""

    async def open_worker(self) -> SharedJournal: ...
