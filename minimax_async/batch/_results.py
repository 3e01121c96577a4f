"""What a batch is given and yields: :class:`BatchRequest`, :class:`BatchResult` (a success or
a failure), the journal rows no request claims, the journal-in-use error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import attrs

from .._exceptions import (
    MiniMaxError,
)

T = TypeVar("T")


@attrs.frozen
class BatchRequest:
    """One request of a batch with a key of your own.

    ``params`` are the keyword arguments of ``videos.create`` / ``images.create``. ``key``
    identifies the request in the journal across runs (default: a hash of the canonical JSON
    of ``params`` and its occurrence number among identical requests, never its position).
    """

    params: Mapping[str, Any]
    key: str | None = None


class JournalInUseError(MiniMaxError, RuntimeError):
    """Another batch runner (this process or another) holds the journal: one journal, one
    runner. The message names the journal and the holder (host, pid, since when)."""


@attrs.frozen(kw_only=True)
class UnmatchedRow:
    """A journal row that matches no request of this run (left in the journal as it is)."""

    key: str
    state: str
    request: Mapping[str, Any]
    reply_ref: str
    job_ids: tuple[str, ...] = ()
    account: str | None = None


@attrs.define
class _Report:
    """What a run learns about its journal, shared by the engine and its :class:`Batch`."""

    unmatched_rows: tuple[UnmatchedRow, ...] = ()


@attrs.frozen(kw_only=True)
class BatchResult(Generic[T]):
    """One finished request of a batch: the request, and its result or its error.

    ``result`` is the completed :class:`Video` (or the list of :class:`Image` of one
    ``images.create``) when ``ok``; otherwise ``error`` tells why: the create was refused
    (``ModerationError``, ``InsufficientCreditsError`` with no account left ...), the job failed
    or was moderated (``GenerationFailedError`` / ``GenerationModeratedError``, the last
    snapshot in ``error.result``), the wait timed out (``WaitTimeoutError``), or the outcome of
    the create is unknown (``JobCreationUnknownError``). ``replayed`` is True for a result read
    back from the journal of an earlier run.
    """

    index: int
    key: str
    request: Mapping[str, Any]
    result: T | None = None
    error: Exception | None = None
    job_ids: tuple[str, ...] = ()
    reply_ref: str | None = None
    account: str | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        """True when the job completed (``result`` is set, ``error`` is None)."""
        return self.error is None


@attrs.frozen(kw_only=True)
class BatchSuccess(BatchResult[T]):
    """A request whose job completed: ``result`` is set."""

    result: T
    error: None = None

    @property
    def ok(self) -> Literal[True]:
        """Always True."""
        return True


@attrs.frozen(kw_only=True)
class BatchFailure(BatchResult[T]):
    """A request that ended without a result: ``error`` tells why."""

    result: None = None
    error: Exception

    @property
    def ok(self) -> Literal[False]:
        """Always False."""
        return False


#: What iterating a :class:`Batch` gives: narrowed by ``result.ok``.
BatchOutcome: TypeAlias = BatchSuccess[T] | BatchFailure[T]
