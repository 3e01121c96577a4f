"""The SSE decoder against the WHATWG event-stream rules; its aiohttp adapters on a real server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import ClassVar

import aiohttp
import anyio
import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minimax_async._sse import (
    DEFAULT_MAX_LINE_BYTES,
    ServerSentEvent,
    SSEDecoder,
    SSEProtocolError,
    SSEReader,
    aiter_sse,
)

SAMPLES = Path(__file__).parent / "samples"
AGENT_DIR = SAMPLES / "post-minimax-videos-agent-create"
LLM_DIR = SAMPLES / "post-minimax-llm"
AGENT_SSE = (AGENT_DIR / "200.sse").read_bytes()
LLM_SSE = (LLM_DIR / "200_stream.sse").read_bytes()

BOM = b"\xef\xbb\xbf"


def E(
    data: str = "", event: str = "message", id: str | None = None, retry: int | None = None
) -> ServerSentEvent:
    """Shorthand for an expected event."""
    return ServerSentEvent(event=event, data=data, id=id, retry=retry)


def decode(stream: bytes, chunks: Iterable[int] | None = None) -> list[ServerSentEvent]:
    """Feed ``stream`` whole (or cut at the given sizes, cycling) and close; return the events."""
    decoder = SSEDecoder()
    return feed_all(decoder, split(stream, chunks))


def split(stream: bytes, sizes: Iterable[int] | None) -> list[bytes]:
    """Cut ``stream`` into pieces of the given sizes (cycling through them)."""
    if sizes is None:
        return [stream]
    sizes = list(sizes)
    out, pos, i = [], 0, 0
    while pos < len(stream):
        size = max(sizes[i % len(sizes)], 1)
        out.append(stream[pos : pos + size])
        pos += size
        i += 1
    return out


def feed_all(decoder: SSEDecoder, chunks: Iterable[bytes]) -> list[ServerSentEvent]:
    """Feed every chunk, then close, collecting the events."""
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.close())
    return events


def reference(stream: bytes) -> tuple[list[ServerSentEvent], str | None, int | None, bool]:
    """The spec's algorithm, written plainly: events, last event ID, retry, truncated."""
    if stream.startswith(BOM):
        stream = stream[3:]
    lines = re.split(r"\r\n|\r|\n", stream.decode("utf-8", "replace"))
    incomplete = lines.pop()
    events = []
    data, event_type, id_buffer, last_id = "", "", None, None
    retry: int | None = None
    event_retry: int | None = None
    pending = False
    for line in lines:
        if not line:
            last_id = id_buffer
            if data:
                events.append(E(data[:-1], event_type or "message", last_id, event_retry))
            data, event_type, event_retry, pending = "", "", None, False
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        pending = True
        if name == "event":
            event_type = value
        elif name == "data":
            data += value + "\n"
        elif name == "id" and "\0" not in value:
            id_buffer = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            with contextlib.suppress(ValueError):  # beyond int()'s digit limit
                retry = event_retry = int(value)
    return events, last_id, retry, bool(incomplete) or pending


class TestServerSentEvent:
    """The event value type."""

    def test_defaults(self) -> None:
        """An event with nothing set is a "message" with empty data, no id and no retry."""
        assert ServerSentEvent() == E("", "message", None, None)

    def test_json(self) -> None:
        """json() parses the data."""
        assert E('{"a": [1, 2]}').json() == {"a": [1, 2]}

    def test_json_error(self) -> None:
        """json() on non-JSON data raises JSONDecodeError."""
        with pytest.raises(json.JSONDecodeError):
            E("not json").json()

    def test_fields_are_plain(self) -> None:
        """No validator or converter: the decoder may set the slots without calling __init__."""
        for field in attrs.fields(ServerSentEvent):
            assert field.validator is None
            assert field.converter is None

    @pytest.mark.parametrize(
        ("stream", "middle"),
        [
            (b"data: a\n\ndata: b\n\ndata: c\n\n", E("b")),
            (b"event:x\ndata:a\n\nevent: y\ndata: b\n\nevent:z\ndata:c\n\n", E("b", "y")),
        ],
        ids=["data", "named"],
    )
    def test_fast_built_events_are_normal(self, stream: bytes, middle: ServerSentEvent) -> None:
        """An event built on a fast path (the middle one here) equals, hashes and prints alike."""
        event = decode(stream)[1]
        assert event == middle
        assert hash(event) == hash(middle)
        assert repr(event) == repr(middle)

    def test_frozen(self) -> None:
        """Events are immutable."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            E("x").data = "y"  # type: ignore[misc]


class TestSpecExamples:
    """The examples of the WHATWG "event stream interpretation" section."""

    def test_stock_ticker(self) -> None:
        """Three data lines make one event, joined with LF."""
        stream = b"data: YHOO\ndata: +2\ndata: 10\n\n"
        assert decode(stream) == [E("YHOO\n+2\n10")]

    def test_four_blocks(self) -> None:
        """Comment-only block fires nothing; id sets and empty id resets the last event ID."""
        stream = (
            b": test stream\n\n"
            b"data: first event\nid: 1\n\n"
            b"data:second event\nid\n\n"
            b"data:  third event\n\n"
        )
        assert decode(stream) == [
            E("first event", id="1"),
            E("second event", id=""),
            E(" third event", id=""),
        ]

    def test_data_without_value(self) -> None:
        """`data` alone gives "", two of them give LF, and a block with no blank line is lost."""
        stream = b"data\n\ndata\ndata\n\ndata:"
        assert decode(stream) == [E(""), E("\n")]

    def test_space_after_colon_is_optional(self) -> None:
        """`data:test` and `data: test` both give "test"."""
        assert decode(b"data:test\n\ndata: test\n\n") == [E("test"), E("test")]


class TestFields:
    """Field parsing and the buffers they fill."""

    def test_only_one_space_stripped(self) -> None:
        """Only a single U+0020 after the colon is removed; tabs and further spaces stay."""
        assert decode(b"data:  two\n\ndata:\tTab\n\n") == [E(" two"), E("\tTab")]

    def test_colon_in_value_kept(self) -> None:
        """Only the first colon separates name and value."""
        assert decode(b"data: a:b: c\n\n") == [E("a:b: c")]

    def test_comment_ignored(self) -> None:
        """Lines starting with a colon are ignored, even inside an event."""
        assert decode(b":hi\ndata: a\n: there\ndata: b\n\n") == [E("a\nb")]

    def test_field_without_colon(self) -> None:
        """A line with no colon is a field name with an empty value."""
        assert decode(b"event\ndata\n\n") == [E("", "message")]

    def test_unknown_field_ignored(self) -> None:
        """Unknown field names (and case variants of known ones) are ignored."""
        assert decode(b"foo: bar\nData: x\nEVENT: y\ndata: z\n\n") == [E("z")]

    def test_event_type(self) -> None:
        """`event` names the event; the name resets after each dispatch."""
        stream = b"event: add\ndata: 1\n\ndata: 2\n\n"
        assert decode(stream) == [E("1", "add"), E("2")]

    def test_empty_event_type_is_message(self) -> None:
        """An empty event type dispatches as "message"."""
        assert decode(b"event:\ndata: x\n\n") == [E("x")]

    def test_event_type_reset_without_dispatch(self) -> None:
        """A blank line with no data still resets the event type buffer."""
        assert decode(b"event: lost\n\ndata: x\n\n") == [E("x")]

    def test_last_field_wins(self) -> None:
        """A repeated event field replaces the earlier value."""
        assert decode(b"event: a\nevent: b\ndata: x\n\n") == [E("x", "b")]

    def test_no_data_no_dispatch(self) -> None:
        """A block without data lines dispatches nothing."""
        assert decode(b"event: x\n\nid: 3\n\n: c\n\n\n\n") == []

    def test_lone_cr_ends_the_line(self) -> None:
        """A CR inside a value ends the line; what follows is a new line (an unknown field)."""
        assert decode(b"data: a\rb\n\n") == [E("a")]


class TestLastEventId:
    """The `id` field and the last event ID."""

    def test_id_persists(self) -> None:
        """The last event ID carries over to later events without an id field."""
        stream = b"id: 7\ndata: a\n\ndata: b\n\n"
        assert decode(stream) == [E("a", id="7"), E("b", id="7")]

    def test_id_with_nul_ignored(self) -> None:
        """An id containing U+0000 is ignored; the previous ID stays."""
        stream = b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n"
        assert decode(stream) == [E("a", id="1"), E("b", id="1")]

    def test_empty_id_resets(self) -> None:
        """An empty id resets the last event ID to the empty string."""
        decoder = SSEDecoder()
        assert decoder.feed(b"id: 1\ndata: a\n\nid\ndata: b\n\n") == [
            E("a", id="1"),
            E("b", id=""),
        ]
        assert decoder.last_event_id == ""

    def test_id_updated_without_dispatch(self) -> None:
        """A block with an id but no data still sets the last event ID at its blank line."""
        decoder = SSEDecoder()
        assert decoder.feed(b"id: 5\n\n") == []
        assert decoder.last_event_id == "5"
        assert decoder.feed(b"data: x\n\n") == [E("x", id="5")]

    def test_id_committed_at_blank_line(self) -> None:
        """The last event ID changes at the blank line, not when the id line arrives."""
        decoder = SSEDecoder()
        decoder.feed(b"id: 1\ndata: a\n\nid: 2\n")
        assert decoder.last_event_id == "1"
        decoder.feed(b"\n")
        assert decoder.last_event_id == "2"

    def test_none_until_any_id(self) -> None:
        """Before any id field the last event ID is None."""
        decoder = SSEDecoder()
        assert decoder.feed(b"data: x\n\n") == [E("x", id=None)]
        assert decoder.last_event_id is None


class TestRetry:
    """The `retry` field."""

    def test_digits(self) -> None:
        """A digits-only retry is attached to its event and remembered by the decoder."""
        decoder = SSEDecoder()
        assert decoder.feed(b"retry: 3000\ndata: a\n\ndata: b\n\n") == [
            E("a", retry=3000),
            E("b"),
        ]
        assert decoder.retry == 3000

    @pytest.mark.parametrize(
        "value",
        [b"", b"12a", b"-1", b"+1", b"1.5", b" 5", b"1 ", b"\xd9\xa1\xd9\xa2", b"\xc2\xb2"],
        ids=["empty", "letter", "minus", "plus", "dot", "space", "trailing", "arabic", "super2"],
    )
    def test_not_digits_ignored(self, value: bytes) -> None:
        """Anything but ASCII digits is ignored (including other Unicode digits)."""
        decoder = SSEDecoder()
        assert decoder.feed(b"retry: " + value + b"\ndata: a\n\n") == [E("a")]
        assert decoder.retry is None

    def test_huge_value_ignored(self) -> None:
        """A retry with more digits than int() converts is ignored, not an error."""
        decoder = SSEDecoder()
        assert decoder.feed(b"retry: " + b"9" * 5000 + b"\ndata: a\n\n") == [E("a")]
        assert decoder.retry is None

    def test_retry_without_data(self) -> None:
        """A retry-only block dispatches nothing but still sets the reconnection time."""
        decoder = SSEDecoder()
        assert decoder.feed(b"retry: 10\n\n") == []
        assert decoder.retry == 10


class TestLineEndings:
    """CR, LF and CRLF, and line ends cut by chunk boundaries."""

    @pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
    def test_each_style(self, eol: bytes) -> None:
        """Each line-end style gives the same events."""
        stream = b"event: e\ndata: a\ndata: b\n\ndata: c\n\n".replace(b"\n", eol)
        assert decode(stream) == [E("a\nb", "e"), E("c")]

    def test_mixed(self) -> None:
        """Styles may be mixed within one stream and one event."""
        stream = b"data: a\rdata: b\r\ndata: c\n\r\ndata: d\r\r"
        assert decode(stream) == [E("a\nb\nc"), E("d")]

    def test_crlf_split_between_chunks(self) -> None:
        """A CR ending one chunk and an LF starting the next are a single line end."""
        decoder = SSEDecoder()
        assert decoder.feed(b"data: a\r\n\r") == [E("a")]
        assert decoder.feed(b"\ndata: b\r") == []
        assert decoder.feed(b"\n") == []
        assert decoder.feed(b"\r\n") == [E("b")]

    def test_cr_at_chunk_end_dispatches_at_once(self) -> None:
        """A blank line ended by a CR dispatches without waiting for a possible LF."""
        decoder = SSEDecoder()
        assert decoder.feed(b"data: a\r\r") == [E("a")]
        assert decoder.feed(b"\ndata: b\n\n") == [E("b")]

    def test_cr_then_empty_chunks_then_lf(self) -> None:
        """Empty chunks between the CR and the LF do not break the pair."""
        decoder = SSEDecoder()
        assert decoder.feed(b"data: a\r") == []
        assert decoder.feed(b"") == []
        assert decoder.feed(b"\n") == []
        assert decoder.feed(b"\n") == [E("a")]

    def test_lf_after_cr_only_skipped_once(self) -> None:
        """Only the LF right after a CR is skipped: CR LF LF is two line ends."""
        decoder = SSEDecoder()
        assert decoder.feed(b"data: a\r") == []
        assert decoder.feed(b"\n\n") == [E("a")]

    @pytest.mark.parametrize("size", [1, 2, 3, 5, 8])
    def test_every_cut(self, size: int) -> None:
        """Cutting a CR/LF/CRLF stream into chunks of any size changes nothing."""
        stream = b"data: x\r\n\r\nevent: y\rdata: 1\r\n\ndata: z\n\r"
        assert decode(stream, [size]) == decode(stream) == [E("x"), E("1", "y"), E("z")]


class TestEncoding:
    """UTF-8 decoding, the BOM, and characters cut by chunk boundaries."""

    def test_bom_stripped(self) -> None:
        """A UTF-8 BOM at the start of the stream is removed."""
        assert decode(BOM + b"data: x\n\n") == [E("x")]

    @pytest.mark.parametrize("cut", [1, 2, 3, 4])
    def test_bom_split(self, cut: int) -> None:
        """A BOM cut across chunks is still removed."""
        assert decode(BOM + b"data: x\n\n", [cut]) == [E("x")]

    def test_bom_one_byte_chunks_then_line(self) -> None:
        """A BOM fed byte by byte, followed by a line, is removed."""
        decoder = SSEDecoder()
        assert [decoder.feed(bytes([b])) for b in BOM] == [[], [], []]
        assert decoder.feed(b"data: x\n\n") == [E("x")]

    def test_only_one_bom_stripped(self) -> None:
        """A second BOM is a character of the first line (here spoiling the field name)."""
        assert decode(BOM + BOM + b"data: x\n\ndata: y\n\n") == [E("y")]

    def test_bom_later_kept(self) -> None:
        """A BOM after the start of the stream is data."""
        assert decode(b"data: " + BOM + b"x\n\n") == [E("\ufeffx")]

    def test_bom_prefix_not_bom(self) -> None:
        """Bytes that start like a BOM but are not one are decoded (invalid => U+FFFD)."""
        assert decode(b"\xef\xbbdata: x\n\ndata: y\n\n") == [E("y")]
        assert decode(b"\xefdata: x\n\n", [1]) == []

    @pytest.mark.parametrize("char", ["é", "€", "𝄞", "中"])
    def test_multibyte_split_everywhere(self, char: str) -> None:
        """A multi-byte character cut at any byte decodes intact."""
        stream = f"data: {char}{char}\n\nevent: {char}\ndata: x\n\n".encode()
        expected = [E(char * 2), E("x", char)]
        for cut in range(1, len(stream)):
            decoder = SSEDecoder()
            got = feed_all(decoder, [stream[:cut], stream[cut:]])
            assert got == expected, cut
        assert decode(stream, [1]) == expected

    def test_invalid_utf8_replaced(self) -> None:
        """Invalid UTF-8 becomes U+FFFD."""
        assert decode(b"data: a\xffb\xc3\n\n") == [E("a\ufffdb\ufffd")]

    def test_incomplete_sequence_before_line_end(self) -> None:
        """A sequence cut short by a line end is replaced, and the line end still counts."""
        assert decode(b"data: \xe2\x82\n\n", [7]) == [E("\ufffd")]

    def test_non_ascii_field_names_ignored(self) -> None:
        """A field name that only looks like `data` is unknown."""
        assert decode("d\u0430ta: cyrillic a\n\n".encode()) == []


class TestEndOfStream:
    """close(), truncated streams and has_partial_event."""

    def test_truncated_event_not_dispatched(self) -> None:
        """An event without its blank line is dropped at the end of the stream."""
        decoder = SSEDecoder()
        assert decoder.feed(b"data: a\n\ndata: b\n") == [E("a")]
        assert decoder.has_partial_event
        assert decoder.close() == []

    def test_unterminated_line(self) -> None:
        """A final line with no line end is dropped and counts as a partial event."""
        decoder = SSEDecoder()
        assert decoder.feed(b"data: a\n\ndata: b") == [E("a")]
        assert decoder.has_partial_event
        assert decoder.close() == []

    @pytest.mark.parametrize(
        "tail",
        [b"event: x\n", b"id: 1\n", b"retry: 1\n", b"foo\n", b"data\n", b"d", b"\xc3"],
        ids=["event", "id", "retry", "unknown", "data", "partial-line", "partial-char"],
    )
    def test_partial_kinds(self, tail: bytes) -> None:
        """Any field or line fragment after the last blank line is a partial event."""
        decoder = SSEDecoder()
        decoder.feed(b"data: a\n\n" + tail)
        assert decoder.has_partial_event

    @pytest.mark.parametrize(
        "stream",
        [b"", b"data: a\n\n", b"data: a\n\n: bye\n", b"data: a\r\r", b"data: a\n\n\n", BOM],
        ids=["empty", "clean", "comment", "cr", "extra-blank", "bom-only"],
    )
    def test_clean_end(self, stream: bytes) -> None:
        """Streams that end after a blank line (or a comment) are not truncated."""
        decoder = SSEDecoder()
        decoder.feed(stream)
        assert not decoder.has_partial_event

    def test_partial_bom_is_partial(self) -> None:
        """A stream that is only the start of a BOM is truncated."""
        decoder = SSEDecoder()
        decoder.feed(b"\xef\xbb")
        assert decoder.has_partial_event

    def test_state_readable_after_close(self) -> None:
        """close() keeps has_partial_event and last_event_id readable."""
        decoder = SSEDecoder()
        decoder.feed(b"id: 9\ndata: a\n\ndata: b")
        decoder.close()
        assert decoder.has_partial_event
        assert decoder.last_event_id == "9"

    def test_feed_after_close(self) -> None:
        """Feeding a closed decoder is a programming error."""
        decoder = SSEDecoder()
        decoder.close()
        with pytest.raises(RuntimeError):
            decoder.feed(b"data: x\n\n")


class TestLineLimit:
    """max_line_bytes bounds the buffered line."""

    def test_default(self) -> None:
        """The default limit is 16 MiB."""
        assert DEFAULT_MAX_LINE_BYTES == 16 * 1024 * 1024

    def test_is_value_error(self) -> None:
        """SSEProtocolError is a ValueError."""
        assert issubclass(SSEProtocolError, ValueError)

    def test_invalid_limit(self) -> None:
        """A non-positive limit is refused."""
        with pytest.raises(ValueError, match="positive"):
            SSEDecoder(max_line_bytes=0)

    @pytest.mark.parametrize("sizes", [None, [1], [3], [9]], ids=["whole", "1", "3", "9"])
    def test_exact_limit_accepted(self, sizes: list[int] | None) -> None:
        """A line of exactly max_line_bytes bytes (without its line end) is fine."""
        decoder = SSEDecoder(max_line_bytes=10)
        assert feed_all(decoder, split(b"data: 1234\r\n\r\n", sizes)) == [E("1234")]

    @pytest.mark.parametrize(
        "sizes", [None, [1], [3], [9], [11]], ids=["whole", "1", "3", "9", "11"]
    )
    def test_over_limit(self, sizes: list[int] | None) -> None:
        """A line one byte over the limit raises, however the stream is cut."""
        decoder = SSEDecoder(max_line_bytes=10)
        with pytest.raises(SSEProtocolError, match="longer than 10 bytes"):
            feed_all(decoder, split(b"data: a\n\ndata: 12345\n\n", sizes))

    def test_unterminated_over_limit(self) -> None:
        """A line that never ends raises as soon as it passes the limit."""
        decoder = SSEDecoder(max_line_bytes=100)
        decoder.feed(b"data: " + b"x" * 90)
        with pytest.raises(SSEProtocolError):
            decoder.feed(b"x" * 10)

    def test_counts_bytes_not_characters(self) -> None:
        """The limit counts UTF-8 bytes: 4 two-byte characters are 8 bytes."""
        line = "data:éééé".encode()  # 5 + 8 = 13 bytes
        assert decode(line + b"\n\n") == [E("éééé")]
        with pytest.raises(SSEProtocolError):
            feed_all(SSEDecoder(max_line_bytes=12), [line + b"\n\n"])
        assert feed_all(SSEDecoder(max_line_bytes=13), [line + b"\n\n"]) == [E("éééé")]

    def test_big_chunk_of_short_lines(self) -> None:
        """A chunk far bigger than the limit is fine when its lines are short."""
        stream = b"data: 12\n\n" * 10_000
        assert len(feed_all(SSEDecoder(max_line_bytes=10), [stream])) == 10_000

    def test_long_line_in_big_chunk(self) -> None:
        """A too-long line in the middle of a big chunk is found."""
        stream = b"data: 12\n\n" * 1000 + b"data: 12345\n\n" + b"data: 12\n\n" * 1000
        with pytest.raises(SSEProtocolError):
            feed_all(SSEDecoder(max_line_bytes=10), [stream])

    def test_limit_spans_carried_part(self) -> None:
        """A line started in one chunk and finished in a big next chunk counts both parts."""
        decoder = SSEDecoder(max_line_bytes=10)
        decoder.feed(b"data: 12")
        with pytest.raises(SSEProtocolError):
            decoder.feed(b"345\n\n" + b"data: 1\n\n" * 10)

    def test_error_is_final(self) -> None:
        """After a protocol error every later feed raises it again."""
        decoder = SSEDecoder(max_line_bytes=4)
        with pytest.raises(SSEProtocolError):
            decoder.feed(b"data: x\n\n")
        with pytest.raises(SSEProtocolError):
            decoder.feed(b"\n")

    def test_long_line_chunked_is_linear(self) -> None:
        """A long line in many small chunks is buffered without re-copying (stays fast)."""
        decoder = SSEDecoder()
        decoder.feed(b"data: ")
        for _ in range(20_000):
            decoder.feed(b"x" * 100)
        assert decoder.feed(b"\n\n") == [E("x" * 2_000_000)]


class TestApiExamples:
    """The example streams of the API documents (from tests/samples)."""

    def test_agent_create(self) -> None:
        """The agent-create stream: 11 unnamed events, each a JSON object, created to finished."""
        events = decode(AGENT_SSE)
        assert len(events) == 11
        assert {e.event for e in events} == {"message"}
        statuses = [e.json()["status"] for e in events]
        assert statuses[0] == "created"
        assert statuses[-1] == "finished"
        assert statuses.count("progress") == 7
        for event, path in zip(events, sorted(AGENT_DIR.glob("200_event_*.json")), strict=True):
            assert event.json() == json.loads(path.read_text(encoding="utf-8"))

    def test_agent_create_one_byte_chunks(self) -> None:
        """The agent-create stream fed a byte at a time gives the same events."""
        assert decode(AGENT_SSE, [1]) == decode(AGENT_SSE)

    def test_llm(self) -> None:
        """The llm stream: send_result, four message_result, close_chunk, all JSON."""
        events = decode(LLM_SSE)
        assert [e.event for e in events] == [
            "send_result",
            *["message_result"] * 4,
            "close_chunk",
        ]
        assert [e.json()["type"] for e in events] == [1, 2, 2, 2, 2, 8]
        for event, path in zip(
            events, sorted(LLM_DIR.glob("200_stream_event_*.json")), strict=True
        ):
            assert path.stem.endswith(event.event)
            assert event.json() == json.loads(path.read_text(encoding="utf-8"))

    @pytest.mark.parametrize("eol", [b"\r", b"\r\n"], ids=["CR", "CRLF"])
    def test_llm_other_line_ends(self, eol: bytes) -> None:
        """The llm stream with CR or CRLF line ends, in 5-byte chunks, gives the same events."""
        assert decode(LLM_SSE.replace(b"\n", eol), [5]) == decode(LLM_SSE)


class TestChunkEdges:
    """Every cut position, for the stream shapes the decoder has fast paths for."""

    STREAMS: ClassVar[dict[str, bytes]] = {
        "data-space": (
            b"data: a1\n\ndata: b\ndata:  b2\n\n: ping\n\ndata: c\n\nid: 4\ndata: d\n\n"
        ),
        "data-nospace": (b"data:a\n\ndata: b\n\ndata:c\ndata:c2\n\nevent:x\ndata:d\n\ndata:\n\n"),
        "named": (
            b"event:a\ndata:1\n\nevent: b\ndata: 2\n\nevent:\ndata:3\n\nevent:c\nid:9\ndata:4\n\n"
        ),
        # An llm stream names every event alike: after the first chunk the decoder cuts at
        # the whole "\n\nevent:m\ndata:" (SSEDecoder._named), here with an id, a comment
        # and a two-line event in between.
        "llm": (
            b"event:m\ndata:1\n\nevent:m\ndata: 2\n\nevent:m\nid:7\ndata:3\n\nevent:m\n"
            b"data:4\n\n: c\n\nevent:m\ndata:5\n\nevent:m\ndata:6\ndata:7\n\nevent:m\ndata:\n\n"
        ),
        "mixed": (
            b"data: a\n\nevent:b\ndata:2\n\ndata:3\n\nretry: 5\ndata: 4\n\nevent:e\n\ndata: 5\n\n"
        ),
    }

    @pytest.mark.parametrize("name", list(STREAMS))
    def test_two_chunks(self, name: str) -> None:
        """Cutting the stream once, anywhere, gives the events of the whole stream."""
        stream = self.STREAMS[name]
        whole = decode(stream)
        assert whole == reference(stream)[0]
        for cut in range(len(stream) + 1):
            assert feed_all(SSEDecoder(), [stream[:cut], stream[cut:]]) == whole, cut

    @pytest.mark.parametrize("name", list(STREAMS))
    def test_three_chunks(self, name: str) -> None:
        """Cutting the stream twice, anywhere, gives the events of the whole stream."""
        stream = self.STREAMS[name]
        whole = decode(stream)
        for a in range(len(stream) + 1):
            for b in range(a, len(stream) + 1):
                chunks = [stream[:a], stream[a:b], stream[b:]]
                assert feed_all(SSEDecoder(), chunks) == whole, (a, b)

    def test_llm_every_chunk_size(self) -> None:
        """A longer llm-shaped stream (new ids, comments, two-line events now and then) at
        every chunk size: chunks then hold several whole events between the edges."""
        extras = ["", "id:{i}\n", "", ": c\n", "", "data:x\n", "id:{i}\n"]
        stream = "".join(
            f"event:m\n{extras[i % len(extras)].format(i=i)}data:{'v' * (i % 9)}{i}\n\n"
            for i in range(60)
        ).encode()
        expected = reference(stream)[0]
        assert len(expected) == 60
        for size in range(1, 400):
            assert decode(stream, [size]) == expected, size

    def test_named_events(self) -> None:
        """Named events, with and without the space, and an empty name."""
        assert decode(self.STREAMS["named"]) == [
            E("1", "a"),
            E("2", "b"),
            E("3"),
            E("4", "c", id="9"),
        ]


# --- property tests ---------------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"))
_events = st.lists(
    st.tuples(
        st.sampled_from([None, "", "update", "message", "é"]),  # event
        st.lists(_text, min_size=1, max_size=4),  # data lines
        st.one_of(st.none(), _text.filter(lambda s: "\0" not in s)),  # id
        st.one_of(st.none(), st.integers(0, 10**6)),  # retry
        st.booleans(),  # a comment line
    ),
    max_size=12,
)


def _serialize(events: list[tuple[str | None, list[str], str | None, int | None, bool]]) -> str:
    """Write events as an LF stream, mixing `field:value` and `field: value` forms."""
    out = []
    for i, (event, data, id_, retry, comment) in enumerate(events):

        def field(name: str, value: str, i: int = i) -> str:
            # The colon-only form would lose a leading space of the value.
            sep = ": " if i % 2 or value.startswith(" ") else ":"
            return f"{name}{sep}{value}\n"

        if comment:
            out.append(": heartbeat\n")
        if event is not None:
            out.append(field("event", event))
        if id_ is not None:
            out.append(field("id", id_))
        if retry is not None:
            out.append(field("retry", str(retry)))
        out.extend(field("data", line) for line in data)
        out.append("\n")
    return "".join(out)


_cuts = st.lists(st.integers(1, 64), min_size=1, max_size=20)
_sse_tokens = st.sampled_from(
    [
        b"data",
        b"data:",
        b"data: ",
        b"\n\ndata: ",
        b"\n\ndata:",
        b"\n\nevent:",
        b"\n\nevent:a\ndata:",  # named cuts (an llm stream names every event alike)
        b"\n\nevent: a\ndata: ",
        b"\n\nevent:b\ndata:",
        b"event:a\ndata:",
        b"\ndata:",
        b"event",
        b"id",
        b"retry",
        b":",
        b" ",
        b"\n",
        b"\r",
        b"\r\n",
        b"\x00",
        b"7",
        b"x",
        BOM,
        b"\xc3",
        b"\xa9",
        b"\xff",
        "€".encode(),
    ]
)
_sse_like_bytes = st.lists(_sse_tokens, max_size=40).map(b"".join)
_any_bytes = st.one_of(st.binary(max_size=300), _sse_like_bytes)
_settings = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestProperties:
    """Hypothesis properties over random streams and random chunkings."""

    @_settings
    @given(
        values=st.lists(
            st.tuples(_text, st.sampled_from(["", "", "id:ID\n", ": c\n", "data:x\n"])),
            min_size=5,
            max_size=30,
        ),
        cuts=st.lists(st.integers(8, 120), min_size=1, max_size=20),
    )
    def test_llm_shaped_stream(self, values: list[tuple[str, str]], cuts: list[int]) -> None:
        """Events all named alike (the decoder then cuts at the whole name, SSEDecoder._named),
        now and then with an id (a new one each time), a comment or a second data line,
        match the spec's algorithm whatever the chunking."""
        stream = "".join(
            f"event:m\n{extra.replace('ID', str(i))}data:{value}\n\n"
            for i, (value, extra) in enumerate(values)
        ).encode()
        assert decode(stream, cuts) == reference(stream)[0]

    @_settings
    @given(events=_events, cuts=_cuts, bom=st.booleans())
    def test_chunking_does_not_matter(
        self,
        events: list[tuple[str | None, list[str], str | None, int | None, bool]],
        cuts: list[int],
        bom: bool,
    ) -> None:
        """Any chunking, down to one byte, gives the same events as feeding the stream whole."""
        stream = (BOM if bom else b"") + _serialize(events).encode()
        whole = decode(stream)
        assert decode(stream, cuts) == whole
        assert decode(stream, [1]) == whole
        assert len(whole) == len(events)
        assert [e.data for e in whole] == ["\n".join(data) for _, data, _, _, _ in events]

    @_settings
    @given(events=_events, cuts=_cuts, eol=st.sampled_from(["\r", "\r\n"]))
    def test_line_end_style_does_not_matter(
        self,
        events: list[tuple[str | None, list[str], str | None, int | None, bool]],
        cuts: list[int],
        eol: str,
    ) -> None:
        """CR or CRLF line ends give the same events as LF."""
        text = _serialize(events)
        assert decode(text.replace("\n", eol).encode(), cuts) == decode(text.encode())

    @_settings
    @given(stream=_any_bytes, cuts=_cuts, limit=st.integers(1, 40))
    def test_arbitrary_bytes_raise_only_protocol_error(
        self, stream: bytes, cuts: list[int], limit: int
    ) -> None:
        """Arbitrary bytes in arbitrary chunks raise nothing but SSEProtocolError."""
        decoder = SSEDecoder(max_line_bytes=limit)
        with contextlib.suppress(SSEProtocolError):
            feed_all(decoder, split(stream, cuts))

    @_settings
    @given(stream=_any_bytes, cuts=_cuts)
    def test_matches_reference(self, stream: bytes, cuts: list[int]) -> None:
        """On any bytes in any chunks the decoder agrees with a plain transcription of the spec."""
        decoder = SSEDecoder()
        events = feed_all(decoder, split(stream, cuts))
        ref_events, ref_last_id, ref_retry, ref_truncated = reference(stream)
        assert events == ref_events
        assert decoder.last_event_id == ref_last_id
        assert decoder.retry == ref_retry
        assert decoder.has_partial_event == ref_truncated

    @_settings
    @given(
        events=st.lists(
            st.tuples(
                st.sampled_from(["message_result", "message_result", " message_result", "done"]),
                st.lists(_text, min_size=1, max_size=3),
                st.sampled_from(["", ": keep-alive\n", "id:7\n", "retry:30\n"]),
            ),
            max_size=30,
        ),
        cuts=st.lists(st.integers(1, 200), min_size=1, max_size=20),
    )
    def test_named_event_streams_match_reference(
        self, events: list[tuple[str, list[str], str]], cuts: list[int]
    ) -> None:
        """Streams of events named alike (cut at the whole "event:NAME\ndata:" once learned),
        with other names, multi-line data and other fields mixed in, in any chunks."""
        stream = "".join(
            f"{extra}event:{name}\n" + "".join(f"data:{line}\n" for line in data) + "\n"
            for name, data, extra in events
        ).encode()
        decoder = SSEDecoder()
        ref_events, ref_last_id, _, ref_truncated = reference(stream)
        assert feed_all(decoder, split(stream, cuts)) == ref_events
        assert decoder.last_event_id == ref_last_id
        assert decoder.has_partial_event == ref_truncated


# --- aiohttp adapters on a real server --------------------------------------------------------


class Script:
    """What the test server streams: a body, the chunk size, and how it ends."""

    def __init__(self) -> None:
        self.body = AGENT_SSE
        self.chunk = 3
        self.abort = False  # drop the connection after the body instead of ending it
        self.hold_at: int | None = None  # wait for ``release`` after this many bytes
        self.release = asyncio.Event()


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
async def server(script: Script) -> AsyncIterator[TestServer]:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        body = script.body
        for pos in range(0, len(body), script.chunk):
            if script.hold_at is not None and pos >= script.hold_at:
                await script.release.wait()
                script.hold_at = None
            await response.write(body[pos : pos + script.chunk])
            await asyncio.sleep(0)  # let the client read each tiny chunk on its own
        if script.abort:
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/sse", handler)
    test_server = TestServer(app)
    await test_server.start_server()
    try:
        yield test_server
    finally:
        await test_server.close()


@pytest.fixture
async def response(server: TestServer) -> AsyncIterator[aiohttp.ClientResponse]:
    async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
        yield resp


class TestAiterSSE:
    """aiter_sse over a real aiohttp response."""

    async def test_agent_stream(self, response: aiohttp.ClientResponse) -> None:
        """The agent-create stream written in 3-byte chunks yields its 11 events."""
        events = [event async for event in aiter_sse(response)]
        assert events == decode(AGENT_SSE)
        assert len(events) == 11

    @pytest.mark.parametrize("chunk_size", [1, 5, 4096])
    async def test_chunk_size(self, script: Script, server: TestServer, chunk_size: int) -> None:
        """Any read size gives the same events."""
        script.body = LLM_SSE
        script.chunk = 50
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            events = [event async for event in aiter_sse(resp, chunk_size=chunk_size)]
        assert events == decode(LLM_SSE)

    async def test_truncated_stream_drops_last_event(
        self, script: Script, server: TestServer
    ) -> None:
        """A body that ends mid-event yields the complete events only."""
        script.body = AGENT_SSE + b'data: {"status":"fin'
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            events = [event async for event in aiter_sse(resp)]
        assert len(events) == 11

    async def test_line_limit(self, script: Script, server: TestServer) -> None:
        """An over-long line raises SSEProtocolError."""
        script.body = b"data: " + b"x" * 200 + b"\n\n"
        script.chunk = 64
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            with pytest.raises(SSEProtocolError):
                async for _ in aiter_sse(resp, max_line_bytes=100):
                    pass


class TestSSEReader:
    """SSEReader over a real aiohttp response."""

    async def test_events_then_none(self, response: aiohttp.ClientResponse) -> None:
        """next_event returns each event, then None at the end, and the stream is not truncated."""
        reader = SSEReader(response)
        events = []
        while (event := await reader.next_event()) is not None:
            events.append(event)
        assert events == decode(AGENT_SSE)
        assert reader.at_eof
        assert not reader.truncated
        assert await reader.next_event() is None

    async def test_async_iteration(self, response: aiohttp.ClientResponse) -> None:
        """The reader is an async iterator too."""
        assert len([event async for event in SSEReader(response)]) == 11

    async def test_truncated(self, script: Script, server: TestServer) -> None:
        """A body that ends mid-event ends with None and truncated set."""
        script.body = AGENT_SSE + b'data: {"status":"fin'
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            reader = SSEReader(resp)
            events = [event async for event in reader]
            assert len(events) == 11
            assert reader.truncated

    async def test_truncated_after_data_line(self, script: Script, server: TestServer) -> None:
        """A body that ends after a data line but before its blank line is truncated."""
        script.body = b"id: 1\ndata: a\n\ndata: b\n"
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            reader = SSEReader(resp)
            assert await reader.next_event() == E("a", id="1")
            assert await reader.next_event() is None
            assert reader.truncated
            assert reader.last_event_id == "1"

    async def test_dropped_connection(self, script: Script, server: TestServer) -> None:
        """A connection dropped mid-body raises aiohttp's payload error after the whole events."""
        script.body = b"data: a\n\ndata: b"
        script.abort = True
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            reader = SSEReader(resp)
            assert await reader.next_event() == E("a")
            with pytest.raises(aiohttp.ClientPayloadError):
                await reader.next_event()

    async def test_cancel_while_waiting_loses_nothing(
        self, script: Script, server: TestServer
    ) -> None:
        """A timeout around next_event while the server is silent loses no bytes."""
        script.body = b"data: hel" + b"lo\n\ndata: again\n\n"
        script.hold_at = 9
        script.chunk = 9
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            reader = SSEReader(resp)
            with pytest.raises(TimeoutError):
                with anyio.fail_after(0.05):
                    await reader.next_event()
            with pytest.raises(TimeoutError):
                with anyio.fail_after(0.05):
                    await reader.next_event()
            script.release.set()
            with anyio.fail_after(5):
                assert await reader.next_event() == E("hello")
                assert await reader.next_event() == E("again")
                assert await reader.next_event() is None
            assert not reader.truncated

    async def test_line_limit(self, script: Script, server: TestServer) -> None:
        """An over-long line raises SSEProtocolError from next_event."""
        script.body = b"data: " + b"x" * 200 + b"\n\n"
        script.chunk = 64
        async with aiohttp.ClientSession() as session, session.get(server.make_url("/sse")) as resp:
            with pytest.raises(SSEProtocolError):
                await SSEReader(resp, max_line_bytes=100).next_event()
