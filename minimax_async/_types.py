"""Small shared types: the ``NOT_GIVEN`` sentinel, timeouts, upload sources, progress callbacks."""

from __future__ import annotations

import asyncio
import os
import typing
from collections.abc import AsyncIterable, Awaitable, Mapping
from typing import IO, Any, Final, Literal, TypeAlias, TypedDict, TypeVar, Union

import attrs

__all__ = [
    "NOT_GIVEN",
    "FileSource",
    "NotGiven",
    "ProgressCallback",
    "RequestOptions",
    "Timeout",
]

T = TypeVar("T")


class NotGiven:
    """Marks "use the client's default", as opposed to an explicit ``None``."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


@attrs.frozen(kw_only=True)
class Timeout:
    """How long a call may take.

    Args:
        connect: seconds to open a connection.
        read: how long the answer may keep the client waiting: for calls whose answer is read
            whole, the wait for its headers and then, again, for its body (up to 25 ms late,
            timed by one loop-wide timer); for uploads, downloads and streams, the longest gap
            between two reads.
        total: the whole call, retries and their back-off included (the caller's deadline);
            ``None`` for no limit. An enclosing ``anyio``/``asyncio`` deadline is honoured too.
    """

    connect: float | None = 10.0
    read: float | None = 60.0
    total: float | None = None

    @classmethod
    def coerce(cls, value: float | Timeout | None) -> Timeout:
        """A :class:`Timeout` from a number of seconds (the total), ``None`` or a Timeout."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(connect=None, read=None, total=None)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(
                f"timeout={value!r} is not valid; allowed: a positive number of seconds, "
                "a Timeout, or None"
            )
        return cls(connect=min(10.0, float(value)), read=float(value), total=float(value))


#: What an upload accepts: a path, the bytes themselves, a binary file object, or an async
#: iterable of byte chunks.
FileSource = Union[
    str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], AsyncIterable[bytes]
]

#: What a timeout raises. anyio raises the builtin ``TimeoutError``; aiohttp raises subclasses
#: of ``asyncio.TimeoutError`` (``SocketTimeoutError``, or a bare one when ``total`` runs out),
#: which is the same class from 3.11 on but an unrelated one on 3.10, where ``except
#: TimeoutError`` alone would let aiohttp's timeouts through.
TIMEOUT_ERRORS: Final = (TimeoutError, asyncio.TimeoutError)

#: ``on_progress(done, total)``; ``total`` is None when unknown. May be sync or async.
#: Spelled with ``typing.Callable``: on 3.10 a ``collections.abc.Callable[...]`` alias passes
#: for a class (``inspect.isclass``) of module ``collections.abc``, unlike on 3.11+.
ProgressCallback: TypeAlias = typing.Callable[[int, int | None], Awaitable[Any] | Any]


class RequestOptions(TypedDict, total=False):
    """Per-call options every API method takes as keywords (openai-python's names).

    Declared once here and taken as ``**options: Unpack[RequestOptions]``, then handed to the
    request path unchanged (``BaseClient.request(options=...)``), which applies them:

    - ``timeout``: this call's :class:`Timeout` (a number: total seconds; None: no limit),
      instead of the client's (or the method's own, e.g. uploads').
    - ``extra_headers``: headers added to the request (``Authorization`` is ignored).
    - ``extra_query``: query parameters added to the URL (None values are left out).
    """

    timeout: float | Timeout | None
    extra_headers: Mapping[str, str] | None
    extra_query: Mapping[str, Any] | None
