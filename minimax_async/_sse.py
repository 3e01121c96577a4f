"""Server-Sent Events over aiohttp: :func:`aiter_sse` and :class:`SSEReader`.

Both feed the sans-I/O :class:`~._sse_decoder.SSEDecoder` from an
:class:`aiohttp.ClientResponse`; neither applies timeouts, which belong to the caller. The
decoder's names are re-exported here, so ``from ._sse import ...`` is the one import path.
"""

from __future__ import annotations

import collections
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from ._sse_decoder import (
    DEFAULT_MAX_EVENT_BYTES,
    DEFAULT_MAX_LINE_BYTES,
    ServerSentEvent,
    SSEDecoder,
    SSEProtocolError,
)

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "DEFAULT_MAX_LINE_BYTES",
    "SSEDecoder",
    "SSEProtocolError",
    "SSEReader",
    "ServerSentEvent",
    "aiter_sse",
]


async def aiter_sse(
    response: aiohttp.ClientResponse,
    *,
    chunk_size: int = 65536,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
) -> AsyncIterator[ServerSentEvent]:
    """Yield the events of an ``text/event-stream`` response until the body ends.

    A plain async generator with no timeout of its own. An event cut off by the end of the
    body is not yielded; use :class:`SSEReader` to learn whether that happened.

    Args:
        response: The response whose body is read.
        chunk_size: Largest chunk read from the body at a time.
        max_line_bytes: See :class:`SSEDecoder`.
        max_event_bytes: See :class:`SSEDecoder`.

    Yields:
        Each dispatched event, in stream order.

    Raises:
        SSEProtocolError: If a line exceeds ``max_line_bytes``.
    """
    decoder = SSEDecoder(max_line_bytes=max_line_bytes, max_event_bytes=max_event_bytes)
    async for chunk in response.content.iter_chunked(chunk_size):
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.close():
        yield event


class SSEReader:
    """Pull events from a response one at a time, with a cancel-safe read step.

    Unlike :func:`aiter_sse` this is not a generator, so a caller can put a timeout around
    each :meth:`next_event` call (e.g. ``anyio.fail_after``) and, after a timeout, decide to
    call it again: cancelling a pending :meth:`next_event` loses no data, because the only
    await is ``response.content.readany()`` and everything it returns is decoded at once,
    with no await in between, into an internal queue.
    """

    __slots__ = ("_content", "_decoder", "_eof", "_queue", "_truncated")

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        *,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        """Wrap a response whose body is an event stream.

        Args:
            response: The response to read; the reader does not close it.
            max_line_bytes: See :class:`SSEDecoder`.
            max_event_bytes: See :class:`SSEDecoder`.
        """
        self._content = response.content
        self._decoder = SSEDecoder(max_line_bytes=max_line_bytes, max_event_bytes=max_event_bytes)
        self._queue: collections.deque[ServerSentEvent] = collections.deque()
        self._eof = False
        self._truncated = False

    @property
    def truncated(self) -> bool:
        """True if the body ended with a partial event buffered (which was dropped)."""
        return self._truncated

    @property
    def at_eof(self) -> bool:
        """True once the body has ended and every decoded event has been returned."""
        return self._eof and not self._queue

    @property
    def last_event_id(self) -> str | None:
        """The stream's last event ID (see :attr:`SSEDecoder.last_event_id`)."""
        return self._decoder.last_event_id

    async def next_event(self) -> ServerSentEvent | None:
        """Return the next event, reading from the body as needed.

        Returns:
            The next event, or ``None`` once the body has ended (then :attr:`truncated` tells
            whether a partial event was dropped).

        Raises:
            SSEProtocolError: If a line exceeds ``max_line_bytes`` or an event
                ``max_event_bytes``.
            aiohttp.ClientError: Whatever reading the body raises (e.g. a payload error when
                the connection drops mid-body).
        """
        queue = self._queue
        while not queue:
            if self._eof:
                return None
            chunk = await self._content.readany()
            # From here to the end of the iteration there is no await, so a cancellation
            # cannot strike between taking the bytes off the response and decoding them.
            if not chunk:
                self._eof = True
                self._truncated = self._decoder.has_partial_event
                queue.extend(self._decoder.close())
            else:
                queue.extend(self._decoder.feed(chunk))
        return queue.popleft()

    def __aiter__(self) -> SSEReader:
        """Iterate over the remaining events."""
        return self

    async def __anext__(self) -> ServerSentEvent:
        """Return the next event or stop at the end of the body."""
        event = await self.next_event()
        if event is None:
            raise StopAsyncIteration
        return event
