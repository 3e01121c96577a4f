"""Server-Sent Events decoding, sans I/O: :class:`SSEDecoder` and the events it yields.

:class:`SSEDecoder` implements the WHATWG HTML "event stream interpretation" rules
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
on raw bytes fed in chunks of any size. It does no I/O, so it is tested and benchmarked on
its own; the aiohttp adapters that feed it live in :mod:`._sse`.

Throughput matters (a video agent stream or an LLM stream is thousands of events), so the
decoder works a chunk at a time and leaves the per-character work to C: one UTF-8 decode per
chunk, line ends found with ``bytes.rfind``, CR and CRLF normalised with ``str.replace``, and
the text cut into events with one ``str.split`` at ``"\n\ndata: "``. The typical event (one
``data:`` line) then costs one membership test and the event's construction; anything else
goes through a line-by-line loop. ``benchmarks/sse_decode.py`` measures it against other
Python SSE parsers.
"""

from __future__ import annotations

import codecs
from typing import Final, NoReturn

from ._sse_events import (
    ServerSentEvent,
    SSEProtocolError,
    _new_event,
    _set_data,
    _set_id,
    _set_retry,
    _set_type,
)

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "DEFAULT_MAX_LINE_BYTES",
    "SSEDecoder",
    "SSEProtocolError",
    "ServerSentEvent",
]

DEFAULT_MAX_LINE_BYTES: Final = 16 * 1024 * 1024
"""Default for ``max_line_bytes``: far above any real event, low enough to stop a runaway."""
DEFAULT_MAX_EVENT_BYTES: Final = 4 * 1024 * 1024
"""Default for ``max_event_bytes``: an llm event carries the whole answer so far (KiBs); a
stream of short ``data:`` lines that never ends its event must not grow without bound."""
# What one data line costs at least on the wire besides its value ("data:" and a line end):
# counting it makes a flood of empty data lines count too.
_DATA_LINE_OVERHEAD: Final = 6

_BOM: Final = b"\xef\xbb\xbf"
_LF: Final = 0x0A
_CR: Final = 0x0D
_utf8_decode: Final = codecs.utf_8_decode
# Where events start (see SSEDecoder._process): a line end, a blank line, and the first field.
# "\n\ndata: " before "\n\ndata:", which it contains.
_CUTS: Final = ("\n\ndata: ", "\n\nevent:", "\n\ndata:")
# Longer than any of _CUTS: the cut is a named one, "\n\nevent:NAME\ndata:" (see _name_cut).
_PLAIN_CUT_MAX: Final = max(map(len, _CUTS))
# What builds an event, for the hot loops to bind as locals in one step (no global per event).
_EVENT_BUILDERS: Final = (_new_event, _set_type, _set_data, _set_id, _set_retry)


def _has_long_line(buf: bytes, size: int, limit: int, carried: int) -> bool:
    # Whether a line in ``buf[:size]`` (which ends with a line end) is longer than ``limit``
    # bytes; its first line continues ``carried`` bytes received earlier. Each step jumps to
    # the last line end within the next ``limit + 1`` bytes, so a buffer of ordinary lines
    # costs a handful of ``rfind`` calls, not one step per line.
    pos = -carried
    while size - pos > limit:
        start = max(pos, 0)
        stop = pos + limit + 1
        end = max(buf.rfind(b"\n", start, stop), buf.rfind(b"\r", start, stop))
        if end < 0:
            return True
        pos = end + 1
    return False


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
        "_counted",
        "_counted_lines",
        "_cut",
        "_cut_name",
        "_data",
        "_event",
        "_event_bytes",
        "_event_retry",
        "_failed",
        "_fields_pending",
        "_held",
        "_id_buffer",
        "_last_event_id",
        "_max_event_bytes",
        "_max_line_bytes",
        "_reconnection_time",
        "_skip_lf",
        "_tail",
        "_tail_len",
    )

    def __init__(
        self,
        *,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        """Create a decoder for one stream.

        Args:
            max_line_bytes: Longest accepted line, in bytes of the stream, without its line
                end. A longer line raises :class:`SSEProtocolError`; this bounds the memory a
                misbehaving server can make the decoder buffer.
            max_event_bytes: Largest accepted event still being received: its data lines
                (characters of each value plus 6 per line, about their bytes on the wire).
                Bigger raises :class:`SSEProtocolError`, so endless ``data:`` lines with no
                blank line cannot grow memory without bound either.

        Raises:
            ValueError: If ``max_line_bytes`` or ``max_event_bytes`` is not positive.
        """
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        if max_event_bytes < 1:
            raise ValueError("max_event_bytes must be positive")
        self._max_line_bytes = max_line_bytes
        self._max_event_bytes = max_event_bytes
        # The size of the undispatched event's data lines, counted incrementally: the list
        # counted (a dispatch replaces it), how many of its lines, and their size.
        self._counted: list[str] | None = None
        self._counted_lines = 0
        self._event_bytes = 0
        # Text of the current, still unterminated line. A list so that a long line arriving
        # in many chunks is joined once, not re-copied on every chunk.
        self._tail: list[str] = []
        # Its length in bytes of the stream (what ``max_line_bytes`` limits).
        self._tail_len = 0
        # The start of a UTF-8 sequence cut by the end of the last chunk.
        self._held = b""
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
        # Set by close(), or by an SSEProtocolError (after which the state is meaningless).
        self._closed = False
        self._failed = False
        self._cut = _CUTS[0]
        # The event type of a named cut ("\n\nevent:NAME\ndata:", see _process), else "".
        self._cut_name = ""

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
        return bool(self._tail_len or self._bom_head or self._data or self._fields_pending)

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode the next chunk of the stream.

        Args:
            chunk: The next bytes of the body, of any length (empty is allowed).

        Returns:
            The events completed by this chunk, in stream order.

        Raises:
            SSEProtocolError: If a line exceeds ``max_line_bytes`` (then again on every
                later call: the decoder cannot resynchronise).
            RuntimeError: If called after :meth:`close`.
        """
        if self._closed:
            if self._failed:
                raise SSEProtocolError("the stream already failed to decode")
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

        size = len(chunk)
        # Last line end of the chunk: the last LF, or a CR after it (searching for CR only
        # past the last LF keeps this to one full scan in the usual LF-only stream).
        end = chunk.rfind(b"\n")
        cr = chunk.rfind(b"\r", end + 1)
        if cr > end:
            end = cr

        # Decode the whole chunk in one call. Splitting lines after decoding is safe: CR and
        # LF never occur inside a UTF-8 sequence. An incomplete sequence at the end of the
        # chunk is held back and completed by the next one; invalid bytes become U+FFFD, as
        # the spec says.
        if self._held:
            chunk_text = self._held + chunk
            text, used = _utf8_decode(chunk_text, "replace", False)
            self._held = chunk_text[used:]
        else:
            text, used = _utf8_decode(chunk, "replace", False)
            if used < size:
                self._held = chunk[used:]

        limit = self._max_line_bytes
        if end < 0:
            self._tail_len += size
            if self._tail_len > limit:
                self._fail()
            if text:
                self._tail.append(text)
            return []

        # Lengths are counted on the raw bytes. Measuring each line is needed only when the
        # chunk plus the carried partial line could hold one longer than the limit (rare).
        rest = size - end - 1
        if rest > limit or (
            self._tail_len + size > limit and _has_long_line(chunk, end + 1, limit, self._tail_len)
        ):
            self._fail()
        self._tail_len = rest
        self._skip_lf = not rest and chunk[end] == _CR

        if b"\r" in chunk:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        events = self._process(text)
        if self._data:  # an event continues into the next chunk: bound what it holds
            self._count_event()
        return events

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

    def _fail(self) -> NoReturn:
        self._closed = self._failed = True
        limit = self._max_line_bytes
        raise SSEProtocolError(f"line longer than {limit} bytes", limit=limit)

    def _count_event(self) -> None:
        # Only lines added since the last count are measured: linear in the stream, however
        # many chunks an event spans.
        data = self._data
        if data is not self._counted:
            self._counted, self._counted_lines, self._event_bytes = data, 0, 0
        size = self._event_bytes
        for i in range(self._counted_lines, len(data)):
            size += len(data[i]) + _DATA_LINE_OVERHEAD
        self._counted_lines, self._event_bytes = len(data), size
        if size > self._max_event_bytes:
            self._closed = self._failed = True
            self._data = []
            limit = self._max_event_bytes
            raise SSEProtocolError(f"event larger than {limit} bytes", limit=limit)

    def _strip_bom(self, chunk: bytes) -> bytes:
        # Runs only until the first three bytes of the stream are known.
        head = (self._bom_head or b"") + chunk
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._bom_head = head
            return b""
        self._bom_head = None
        return head[len(_BOM) :] if head.startswith(_BOM) else head

    def _process(self, text: str) -> list[ServerSentEvent]:
        # ``text`` holds at least one line end. Splitting it at a "cut" -- a line end, a blank
        # line and the start of an event's first line, e.g. "\n\ndata: " -- gives one piece
        # per event, and in a real stream most pieces are then a whole one-line event: those
        # become events with a membership test or two and no per-line work. Each stream
        # starts its events the same way, so the cut that matched last is tried first. The
        # pieces that hold anything else (other fields, comments, the edges of the chunk) go
        # through the general line-by-line path, ``_lines``.
        events: list[ServerSentEvent] = []
        cut = self._cut
        pieces = text.split(cut)
        if len(cut) > _PLAIN_CUT_MAX and len(pieces) > 1:
            named = self._named(pieces)
            if named is not None:
                return named
        if len(pieces) == 1 and "\n\n" in text:
            for other in _CUTS:
                if other != cut and other in text:
                    cut = self._cut = other
                    pieces = text.split(cut)
                    break
        if cut == "\n\nevent:" and len(pieces) > 2:
            self._name_cut(pieces[1])
        last = pieces.pop()
        if pieces:
            # Before the first cut: the end of the line carried over from the previous chunk
            # and of the event it belongs to, then the blank line of the cut.
            first = pieces[0]
            carried = self._tail
            head = carried[0] if carried else ""
            if head[:5] == "data:" and "\n" not in first:
                # The usual case: a chunk boundary cut a data line in two, and it is the
                # event's last line.
                carried[0] = head[6:] if head[5:6] == " " else head[5:]
                carried.append(first)
                data = "".join(carried)
                if head == "data:" and data[:1] == " ":  # the space was in the next part
                    data = data[1:]
                if self._data or self._fields_pending:
                    self._data.append(data)
                    self._dispatch(events)
                else:
                    events.append(ServerSentEvent("message", data, self._last_event_id, None))
            else:
                lines = first.split("\n")
                if carried:
                    carried.append(lines[0])
                    lines[0] = "".join(carried)
                lines.append("")
                self._lines(lines, events)
            if len(pieces) > 1:
                self._pieces(cut, pieces, events)
            if "\n" not in last:
                # The cut's start of line begins the unterminated last line.
                start = cut[2:]
                if self._cut_name and cut != "\n\nevent:" and "\n" in start:
                    # A named cut: its event line is complete, the data line is not.
                    self._event = self._cut_name
                    self._fields_pending = True
                    start = "data:"
                self._tail = [start, last]
                return events
            if cut == "\n\nevent:":
                # Usually the event's name, then the start of its data line.
                name, sep, data = last.partition("\ndata:")
                if sep and "\n" not in name and "\n" not in data:
                    self._event = name[1:] if name[:1] == " " else name
                    self._fields_pending = True
                    self._tail = ["data:", data]
                    return events
            lines = (cut[2:] + last).split("\n")
        else:
            lines = last.split("\n")
            if self._tail:
                self._tail.append(lines[0])
                lines[0] = "".join(self._tail)
        tail = lines.pop()  # after the last line end: the start of the next line
        self._tail = [tail] if tail else []
        self._lines(lines, events)
        return events

    def _named(self, pieces: list[str]) -> list[ServerSentEvent] | None:
        # The steady state of an llm stream under a named cut: the chunk ends the data line
        # carried from the last chunk, holds whole one-line events and starts the next data
        # line. Every piece is then a data value, made an event with no per-line work and no
        # call per event. ``None`` (nothing changed) sends any other chunk down the general
        # path. Line sizes were checked by feed(); one data line per event, as there.
        tail = self._tail
        first = pieces[0]
        last = pieces[-1]
        if self._data or not tail or tail[0] != "data:" or "\n" in first or "\n" in last:
            return None
        tail[0] = ""
        tail.append(first)
        value = "".join(tail)
        # The carried event, dispatched as _dispatch would.
        last_id = self._last_event_id = self._id_buffer
        new, set_type, set_data, set_id, set_retry = _EVENT_BUILDERS
        event = new(ServerSentEvent)
        set_type(event, self._event or "message")
        set_data(event, value[1:] if value[:1] == " " else value)
        set_id(event, last_id)
        set_retry(event, self._event_retry)
        events = [event]
        name = self._cut_name
        for i in range(1, len(pieces) - 1):
            piece = pieces[i]
            if "\n" in piece:  # more lines than "event:NAME" and one data line
                lines = (self._cut[2:] + piece).split("\n")
                lines.append("")
                self._lines(lines, events)
                last_id = self._last_event_id
                continue
            event = new(ServerSentEvent)
            set_type(event, name)
            set_data(event, piece[1:] if piece[:1] == " " else piece)
            set_id(event, last_id)
            set_retry(event, None)
            events.append(event)
        # The last piece starts the next named event's data line.
        self._event = name
        self._event_retry = None
        self._fields_pending = True
        self._tail = ["data:", last]
        return events

    def _name_cut(self, piece: str) -> None:
        # A stream of named events ("event:NAME\ndata:VALUE") usually names them all alike
        # (the llm stream: "message_result"): from the next chunk on, cut at the whole
        # "\n\nevent:NAME\ndata:", so that each piece is the data value itself, with no
        # partition (a copy of the value) per event. A chunk without it falls back to _CUTS.
        name, sep, _ = piece.partition("\ndata:")
        if sep and name and "\n" not in name and (name[1:] if name[:1] == " " else name):
            self._cut = f"\n\nevent:{name}\ndata:"
            self._cut_name = name[1:] if name[:1] == " " else name

    def _pieces(self, cut: str, pieces: list[str], events: list[ServerSentEvent]) -> None:
        # The pieces between two cuts (all but the first). Each starts an event, with the
        # state clean after the blank line, and is followed by a blank line; so a one-line
        # data event has type "message", no retry, and the current last event ID.
        append = events.append
        last_id = self._last_event_id
        start = cut[2:]
        new, set_type, set_data, set_id, set_retry = _EVENT_BUILDERS
        for i in range(1, len(pieces)):
            piece = pieces[i]
            if cut == "\n\ndata: ":
                if "\n" not in piece:
                    event = new(ServerSentEvent)
                    set_type(event, "message")
                    set_data(event, piece)
                    set_id(event, last_id)
                    set_retry(event, None)
                    append(event)
                    continue
                if piece.count("\n") == piece.count("\ndata: "):
                    # Only data lines, all with the one-space form: join them in C.
                    data = piece.replace("\ndata: ", "\n")
                    append(ServerSentEvent("message", data, last_id, None))
                    continue
            elif cut == "\n\nevent:":
                # "NAME\ndata:VALUE" and nothing else: a named one-line event.
                name, sep, data = piece.partition("\ndata:")
                if sep and "\n" not in data and "\n" not in name:
                    if name[:1] == " ":
                        name = name[1:]
                    if data[:1] == " ":
                        data = data[1:]
                    event = new(ServerSentEvent)
                    set_type(event, name or "message")
                    set_data(event, data)
                    set_id(event, last_id)
                    set_retry(event, None)
                    append(event)
                    continue
            elif cut != "\n\ndata:":
                # A named cut, "\n\nevent:NAME\ndata:": the piece is the data value.
                if "\n" not in piece:
                    event = new(ServerSentEvent)
                    set_type(event, self._cut_name)
                    set_data(event, piece[1:] if piece[:1] == " " else piece)
                    set_id(event, last_id)
                    set_retry(event, None)
                    append(event)
                    continue
            elif "\n" not in piece:  # "\n\ndata:", the value may still start with a space
                append(
                    ServerSentEvent(
                        "message", piece[1:] if piece[:1] == " " else piece, last_id, None
                    )
                )
                continue
            lines = (start + piece).split("\n")
            lines.append("")
            self._lines(lines, events)
            last_id = self._last_event_id

    def _lines(self, lines: list[str], events: list[ServerSentEvent]) -> None:
        # The general path, one line at a time, appending dispatched events to ``events``.
        # Blank and data lines are tested first, and for an event with no other field the
        # state lives in locals; any other field marks the event "dirty" and it is dispatched
        # by ``_dispatch``. Slicing a prefix and comparing it beats ``str.startswith`` here.
        data = self._data
        append_data = data.append
        last_id = self._last_event_id
        dirty = self._fields_pending
        for line in lines:
            if not line:
                if dirty:
                    self._data = data
                    self._dispatch(events)
                    data = self._data
                    append_data = data.append
                    last_id = self._last_event_id
                    dirty = False
                elif data:
                    # Clean: type "message", no retry, and the last event ID buffer unchanged
                    # since the last blank line, so the committed ID is still ``last_id``.
                    events.append(ServerSentEvent("message", "\n".join(data), last_id, None))
                    data = []
                    append_data = data.append
            elif line[:6] == "data: ":
                append_data(line[6:])
            elif line[:5] == "data:":
                append_data(line[5:])
            elif line[0] != ":":  # a leading colon marks a comment
                self._data = data
                self._field(line)
                dirty = self._fields_pending
        self._data = data

    def _dispatch(self, events: list[ServerSentEvent]) -> None:
        # A blank line, in any state: the spec's dispatch steps. The fast paths avoid it for
        # events that had no field but data.
        last_id = self._last_event_id = self._id_buffer
        if self._data:
            # Built as in ``_pieces`` (an llm event cut by a chunk boundary comes this way).
            event = _new_event(ServerSentEvent)
            _set_type(event, self._event or "message")
            _set_data(event, "\n".join(self._data))
            _set_id(event, last_id)
            _set_retry(event, self._event_retry)
            events.append(event)
            self._data = []
        self._event = ""
        self._event_retry = None
        self._fields_pending = False

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
