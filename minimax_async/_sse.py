"""Server-Sent Events decoding: a sans-I/O decoder plus two thin aiohttp adapters.

:class:`SSEDecoder` implements the WHATWG HTML "event stream interpretation" rules
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
on raw bytes fed in chunks of any size. It does no I/O, so it is tested and benchmarked on
its own. :func:`aiter_sse` and :class:`SSEReader` feed it from an
:class:`aiohttp.ClientResponse`; neither applies timeouts, which belong to the caller.

Throughput matters (a video agent stream or an LLM stream is thousands of events), so the
decoder works a chunk at a time: it finds the last line end in the chunk with ``bytes.rfind``,
decodes everything before it in one call, splits it with ``str.split`` and only then walks
the lines in a tight loop with ``data:`` lines on the fast path.
"""

from __future__ import annotations

import collections
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "SSEDecoder",
    "SSEProtocolError",
    "SSEReader",
    "ServerSentEvent",
    "aiter_sse",
]

DEFAULT_MAX_LINE_BYTES: Final = 16 * 1024 * 1024
"""Default for ``max_line_bytes``: far above any real event, low enough to stop a runaway."""

_BOM: Final = b"\xef\xbb\xbf"
_LF: Final = 0x0A
_CR: Final = 0x0D


def _check_line_lengths(buf: bytes, limit: int) -> None:
    # Raise if ``buf`` holds a run of more than ``limit`` bytes with no CR or LF. Each step
    # jumps to the last line end within the next ``limit + 1`` bytes, so a buffer of ordinary
    # lines costs a handful of ``rfind`` calls, not one step per line.
    pos = 0
    size = len(buf)
    while size - pos > limit:
        stop = pos + limit + 1
        end = max(buf.rfind(b"\n", pos, stop), buf.rfind(b"\r", pos, stop))
        if end < 0:
            raise SSEProtocolError(f"line longer than {limit} bytes")
        pos = end + 1


class SSEProtocolError(ValueError):
    """The byte stream cannot be decoded as an event stream (for now: a line is too long)."""


@attrs.frozen
class ServerSentEvent:
    """One dispatched event.

    Attributes:
        event: The event type; ``"message"`` when the stream named none.
        data: The data lines of the event joined with ``"\\n"``.
        id: The stream's last event ID at dispatch time (it persists across events, as the
            spec says); ``None`` if the stream has not sent any ``id`` field yet.
        retry: The reconnection time in milliseconds if this event's block carried a valid
            ``retry`` field, else ``None``.
    """

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        """Parse :attr:`data` as JSON.

        Returns:
            The decoded JSON value.

        Raises:
            json.JSONDecodeError: If the data is not valid JSON.
        """
        return json.loads(self.data)


class SSEDecoder:
    """Incremental, sans-I/O decoder of a ``text/event-stream`` body.

    Feed it the body's bytes as they arrive, split anywhere (even inside a UTF-8 character or
    between the CR and LF of a CRLF); it returns the events each chunk completes.

    Example:
        >>> decoder = SSEDecoder()
        >>> decoder.feed(b"data: hel")
        []
        >>> decoder.feed(b"lo\\n\\n")
        [ServerSentEvent(event='message', data='hello', id=None, retry=None)]
    """

    __slots__ = (
        "_bom_head",
        "_closed",
        "_data",
        "_event",
        "_event_retry",
        "_fields_pending",
        "_id_buffer",
        "_last_event_id",
        "_max_line_bytes",
        "_reconnection_time",
        "_skip_lf",
        "_tail",
        "_tail_len",
    )

    def __init__(self, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        """Create a decoder for one stream.

        Args:
            max_line_bytes: Longest accepted line, in bytes of the stream, without its line
                end. A longer line raises :class:`SSEProtocolError`; this bounds the memory a
                misbehaving server can make the decoder buffer.

        Raises:
            ValueError: If ``max_line_bytes`` is not positive.
        """
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self._max_line_bytes = max_line_bytes
        # Bytes of the current, still unterminated line. A list so that a long line arriving
        # in many chunks is joined once, not re-copied on every chunk.
        self._tail: list[bytes] = []
        self._tail_len = 0
        # The first bytes of the stream, held until we know whether they are a BOM; ``None``
        # once decided (the BOM is only ever stripped at the very start of the stream).
        self._bom_head: bytes | None = b""
        # The previous chunk ended with CR: an LF opening the next chunk is the same line end.
        self._skip_lf = False
        self._data: list[str] = []
        self._event = ""
        self._event_retry: int | None = None
        # A field other than ``data`` was seen since the last blank line.
        self._fields_pending = False
        self._id_buffer: str | None = None
        self._last_event_id: str | None = None
        self._reconnection_time: int | None = None
        self._closed = False

    @property
    def last_event_id(self) -> str | None:
        """The stream's last event ID string, ``None`` until an ``id`` field is dispatched.

        As the spec says, it is updated at each blank line (even one that dispatches nothing
        because the data buffer is empty) and persists across events; ``""`` means the server
        reset it with an empty ``id`` field.
        """
        return self._last_event_id

    @property
    def retry(self) -> int | None:
        """The latest valid ``retry`` value (reconnection time, ms) the stream sent, if any."""
        return self._reconnection_time

    @property
    def has_partial_event(self) -> bool:
        """Whether an unterminated line or an undispatched event is buffered.

        True at end of stream means the stream was truncated mid-event: :meth:`close` drops
        that partial event, as the spec requires.
        """
        return bool(self._tail or self._bom_head or self._data or self._fields_pending)

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode the next chunk of the stream.

        Args:
            chunk: The next bytes of the body, of any length (empty is allowed).

        Returns:
            The events completed by this chunk, in stream order.

        Raises:
            SSEProtocolError: If a line exceeds ``max_line_bytes``.
            RuntimeError: If called after :meth:`close`.
        """
        if self._closed:
            raise RuntimeError("feed() called after close()")
        if self._bom_head is not None:
            chunk = self._strip_bom(chunk)
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == _LF:
                chunk = chunk[1:]
                if not chunk:
                    return []

        # Last line end of the chunk: the last LF, or a CR after it (searching for CR only
        # past the last LF keeps this to one full scan in the usual LF-only stream).
        end = chunk.rfind(b"\n")
        cr = chunk.rfind(b"\r", end + 1)
        if cr > end:
            end = cr
        limit = self._max_line_bytes
        if end < 0:
            self._tail_len += len(chunk)
            if self._tail_len > limit:
                raise SSEProtocolError(f"line longer than {limit} bytes")
            self._tail.append(chunk)
            return []

        size = len(chunk)
        complete = chunk if end == size - 1 else chunk[: end + 1]
        if self._tail:
            self._tail.append(complete)
            complete = b"".join(self._tail)
        rest = size - end - 1
        if rest:
            if rest > limit:
                raise SSEProtocolError(f"line longer than {limit} bytes")
            self._tail = [chunk[end + 1 :]]
        else:
            self._tail = []
            self._skip_lf = chunk[end] == _CR
        self._tail_len = rest
        # No line can be longer than the bytes that hold it, so measuring lines is needed
        # only in the rare case that all the complete lines together exceed the limit.
        if len(complete) > limit:
            _check_line_lengths(complete, limit)

        # Decoding whole lines at once is safe: CR and LF never occur inside a UTF-8
        # sequence, and an ASCII byte always ends an invalid one, so this gives the same text
        # (U+FFFD for invalid bytes, as the spec says) as decoding the stream in one piece.
        text = complete.decode("utf-8", "replace")
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return self._process(text)

    def close(self) -> list[ServerSentEvent]:
        """Signal the end of the stream.

        Any partial event (one not yet terminated by a blank line) is discarded, as the spec
        requires; check :attr:`has_partial_event` first to detect a truncated stream. The
        decoder's state stays readable afterwards.

        Returns:
            Always an empty list (kept so callers can treat ``close`` like ``feed``).
        """
        self._closed = True
        return []

    def _strip_bom(self, chunk: bytes) -> bytes:
        # Runs only until the first three bytes of the stream are known.
        head = (self._bom_head or b"") + chunk
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._bom_head = head
            return b""
        self._bom_head = None
        return head[len(_BOM) :] if head.startswith(_BOM) else head

    def _process(self, text: str) -> list[ServerSentEvent]:
        # ``text`` is whole lines, each ending in LF. Splitting it at blank lines gives one
        # block per event, and almost every block of a real stream is a single ``data:`` line:
        # those become events straight from the block, without a per-line pass. Anything else
        # (several lines, other fields, comments, extra blank lines) takes the line-by-line path.
        # Every block but the last is followed by a blank line; the last one holds the lines
        # after the last blank line, not yet dispatched.
        blocks = text.split("\n\n")
        rest = blocks.pop()
        events: list[ServerSentEvent] = []
        if blocks:
            append = events.append
            last_id = self._last_event_id
            # The first block may continue an event begun in an earlier chunk.
            clean = not (self._data or self._fields_pending)
            for block in blocks:
                if clean and block.startswith("data:") and "\n" not in block:
                    # Nothing but one data line: event type "message", no retry, and the last
                    # event ID unchanged (no id field in the block).
                    append(
                        ServerSentEvent(
                            "message",
                            block[6:] if block.startswith(" ", 5) else block[5:],
                            last_id,
                            None,
                        )
                    )
                else:
                    lines = block.split("\n")
                    lines.append("")  # the blank line that ends the block
                    self._lines(lines, events)
                    last_id = self._last_event_id
                    clean = True
        if rest:
            lines = rest.split("\n")
            lines.pop()  # the empty string after the final line end
            self._lines(lines, events)
        return events

    def _lines(self, lines: list[str], events: list[ServerSentEvent]) -> None:
        # The general path, one line at a time; appends the events it dispatches to ``events``.
        data = self._data
        for line in lines:
            if not line:
                # Dispatch. The last event ID is committed even when nothing is dispatched.
                last_id = self._last_event_id = self._id_buffer
                if data:
                    events.append(
                        ServerSentEvent(
                            self._event or "message", "\n".join(data), last_id, self._event_retry
                        )
                    )
                    data = self._data = []
                if self._fields_pending:
                    self._event = ""
                    self._event_retry = None
                    self._fields_pending = False
            elif line.startswith("data:"):
                data.append(line[6:] if line.startswith(" ", 5) else line[5:])
            elif line[0] != ":":  # a leading colon marks a comment
                self._field(line)

    def _field(self, line: str) -> None:
        # Every field but ``data:``; also ``data`` with no colon (an empty data line).
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            return
        self._fields_pending = True
        if name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id_buffer = value
        # ASCII digits only: str.isdigit alone would accept e.g. Arabic-Indic digits.
        elif name == "retry" and value.isascii() and value.isdigit():
            try:
                retry = int(value)
            except ValueError:  # more digits than int() converts; not a sane delay
                return
            self._event_retry = self._reconnection_time = retry
        # Any other field name is ignored, as the spec says.


async def aiter_sse(
    response: aiohttp.ClientResponse,
    *,
    chunk_size: int = 65536,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> AsyncIterator[ServerSentEvent]:
    """Yield the events of an ``text/event-stream`` response until the body ends.

    A plain async generator with no timeout of its own. An event cut off by the end of the
    body is not yielded; use :class:`SSEReader` to learn whether that happened.

    Args:
        response: The response whose body is read.
        chunk_size: Largest chunk read from the body at a time.
        max_line_bytes: See :class:`SSEDecoder`.

    Yields:
        Each dispatched event, in stream order.

    Raises:
        SSEProtocolError: If a line exceeds ``max_line_bytes``.
    """
    decoder = SSEDecoder(max_line_bytes=max_line_bytes)
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
        self, response: aiohttp.ClientResponse, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    ) -> None:
        """Wrap a response whose body is an event stream.

        Args:
            response: The response to read; the reader does not close it.
            max_line_bytes: See :class:`SSEDecoder`.
        """
        self._content = response.content
        self._decoder = SSEDecoder(max_line_bytes=max_line_bytes)
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
            SSEProtocolError: If a line exceeds ``max_line_bytes``.
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
