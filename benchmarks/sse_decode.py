"""Events/second of ``minimax_async._sse`` vs the SSE parsers of httpx-sse and aiohttp-sse-client.

Every parser gets the same bytes, split into the same chunks (4 KiB by default, like a socket
read), and does the line splitting its library itself does:

* ours: ``SSEDecoder.feed`` per chunk (sans-I/O), and, as an end-to-end row, ``SSEReader``
  pulling the chunks from a real ``aiohttp.StreamReader``;
* httpx-sse: httpx's ``TextDecoder`` (incremental UTF-8) -> ``SSELineDecoder.decode`` ->
  ``line.rstrip("\\n")`` -> ``SSEDecoder.decode``, the pipeline of ``EventSource.aiter_sse``
  minus its async-generator hops (which only favours httpx-sse);
* aiohttp-sse-client: ``EventSource.__anext__``, whose loop reads lines with
  ``async for line in response.content`` from an ``aiohttp.StreamReader`` fed the chunks.

The peers are optional: a peer that is not installed is skipped with a message. They are not
project dependencies; install them by hand (``pip install httpx httpx-sse aiohttp-sse-client``).

Run from the repository root::

    .venv/bin/python benchmarks/sse_decode.py [--events 50000] [--repeat 7] [--chunk-size 4096]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import random
import statistics
import sys
import time
import types
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import aiohttp.streams

from minimax_async._sse import SSEDecoder, SSEReader

# A runner takes the chunks and returns (seconds spent decoding, list of event data strings).
Runner = Callable[[list[bytes]], tuple[float, list[str]]]


# --------------------------------------------------------------------------------------------
# Workload


def _progress_payload(rng: random.Random, i: int, size: int) -> dict[str, Any]:
    """A progress event like those of ``POST videos/agent-create``, padded to ~``size`` bytes."""
    video = f"user:1234-minimax:{rng.randrange(10**6, 10**7)}-video:{rng.randrange(10**15)}"
    attachments = [
        {
            "attachmentID": str(rng.randrange(10**17)),
            "file": {
                "fileName": f"frame_{i}_{k}.png",
                "fileUrl": f"https://cdn.hailuoai.video/moss/prod/{rng.randrange(10**9)}/f{k}.png",
            },
            "status": rng.choice((2, 3)),
        }
        for k in range(rng.randrange(1, 4))
    ]
    payload: dict[str, Any] = {
        "status": "progress",
        "type": rng.choice((1, 2, 3)),
        "videoId": video,
        "projectID": str(rng.randrange(10**17)),
        "chatID": str(rng.randrange(10**17)),
        "message": {
            "msgContent": "Generating video\u2026",
            "msgType": 2,
            "attachmentInfo": {"attachments": attachments},
        },
        "timestamp": 1755800000000 + i * 1000,
    }
    pad = size - len(json.dumps(payload))
    if pad > 0:
        # Prose with some non-ASCII, as prompts and LLM answers have.
        words = ["futuristic", "sports", "car", "néon", "城市", "night", "drive", "rain", "—"]
        text = []
        length = 0
        while length < pad:
            word = rng.choice(words)
            text.append(word)
            length += len(word.encode()) + 1
        payload["message"]["msgContent"] = " ".join(text)
    return payload


WORKLOADS = ("agent", "llm")


def build_stream(n_events: int, workload: str = "agent", seed: int = 20250821) -> bytes:
    """Build a stream of ``n_events`` events.

    ``agent`` is shaped like ``POST videos/agent-create``: one-line JSON ``data:`` events of
    100-2000 bytes, 10 % of them split over several data lines, 12 % heartbeat events, half of
    those followed by a ``: keep-alive`` comment. ``llm`` is shaped like ``POST llm``: every
    event named (``event:message_result``) with ``data:`` and no space after the colons.

    Args:
        n_events: Number of events to dispatch.
        workload: ``"agent"`` or ``"llm"``.
        seed: Seed of the generator, so every run decodes the same bytes.

    Returns:
        The stream's bytes.
    """
    rng = random.Random(seed)
    parts: list[str] = []
    for i in range(n_events):
        body = json.dumps(_progress_payload(rng, i, rng.randrange(100, 2000)), ensure_ascii=False)
        if workload == "llm":
            # (No ``id`` fields in either workload: once it has seen one, httpx-sse dispatches
            # an empty event at every blank line, e.g. after a comment, so outputs would differ.)
            parts.append(f"event:message_result\ndata:{body}\n\n")
            continue
        kind = rng.random()
        if kind < 0.12:
            # The API's own heartbeat event, plus now and then an SSE comment keep-alive.
            parts.append(f'data: {{"status":"heartbeat","timestamp":{1755800000000 + i}}}\n\n')
            if rng.random() < 0.5:
                parts.append(": keep-alive\n\n")
        elif kind < 0.22:
            # Multi-line data: JSON with a line per member (indent=0: aiohttp-sse-client strips
            # every leading space of a value, not just one), a data line per JSON line.
            lines = json.dumps(json.loads(body), ensure_ascii=False, indent=0).split("\n")
            parts.append("".join(f"data: {line}\n" for line in lines) + "\n")
        else:
            parts.append(f"data: {body}\n\n")
    return "".join(parts).encode()


def split_chunks(stream: bytes, size: int) -> list[bytes]:
    """Split ``stream`` into ``size``-byte chunks (cutting lines and UTF-8 characters)."""
    return [stream[i : i + size] for i in range(0, len(stream), size)]


# --------------------------------------------------------------------------------------------
# Runners


def run_ours(chunks: list[bytes]) -> tuple[float, list[str]]:
    """Our sans-I/O decoder, fed chunk by chunk."""
    start = time.perf_counter()
    decoder = SSEDecoder()
    events = []
    extend = events.extend
    feed = decoder.feed
    for chunk in chunks:
        extend(feed(chunk))
    extend(decoder.close())
    elapsed = time.perf_counter() - start
    return elapsed, [e.data for e in events]


class _Protocol:
    """The bits of aiohttp's protocol a ``StreamReader`` calls for flow control."""

    connected = True

    def pause_reading(self) -> None:
        """Ignore: the whole body is already buffered."""

    def resume_reading(self, resume_parser: bool = True) -> None:
        """Ignore: the whole body is already buffered."""


def _stream_reader(chunks: list[bytes], loop: asyncio.AbstractEventLoop) -> aiohttp.StreamReader:
    reader = aiohttp.streams.StreamReader(_Protocol(), 2**16, loop=loop)  # type: ignore[arg-type]
    for chunk in chunks:
        reader.feed_data(chunk)
    reader.feed_eof()
    return reader


class _ChunkedBody:
    """A response body whose every ``readany()`` is one network read of one chunk.

    Each chunk goes through a real ``aiohttp.StreamReader`` (``feed_data`` then ``readany``),
    as it would on a live connection.
    """

    def __init__(self, chunks: list[bytes], loop: asyncio.AbstractEventLoop) -> None:
        self._chunks = iter(chunks)
        self._reader = aiohttp.streams.StreamReader(_Protocol(), 2**16, loop=loop)  # type: ignore[arg-type]

    async def readany(self) -> bytes:
        """Deliver the next chunk, or EOF."""
        chunk = next(self._chunks, None)
        if chunk is None:
            if not self._reader.is_eof():
                self._reader.feed_eof()
        else:
            self._reader.feed_data(chunk)
        return await self._reader.readany()


def run_ours_aiohttp(chunks: list[bytes]) -> tuple[float, list[str]]:
    """``SSEReader.next_event`` per event, reading chunk by chunk through aiohttp's reader."""

    async def main() -> tuple[float, list[str]]:
        loop = asyncio.get_running_loop()
        start = time.perf_counter()
        response = types.SimpleNamespace(content=_ChunkedBody(chunks, loop))
        reader = SSEReader(response)  # type: ignore[arg-type]
        out = []
        while (event := await reader.next_event()) is not None:
            out.append(event)
        elapsed = time.perf_counter() - start
        return elapsed, [e.data for e in out]

    return asyncio.run(main())


def make_httpx_sse() -> Runner | str:
    """The httpx-sse pipeline, or why it is skipped."""
    try:
        from httpx._decoders import TextDecoder
        from httpx_sse._decoders import SSEDecoder as HttpxSSEDecoder
        from httpx_sse._decoders import SSELineDecoder
    except ImportError as exc:
        return f"httpx-sse not installed ({exc}); pip install httpx httpx-sse"

    def run(chunks: list[bytes]) -> tuple[float, list[str]]:
        start = time.perf_counter()
        text_decoder = TextDecoder()  # what httpx's Response.aiter_text uses
        line_decoder = SSELineDecoder()
        decoder = HttpxSSEDecoder()
        out = []
        for chunk in chunks:
            for line in line_decoder.decode(text_decoder.decode(chunk)):
                sse = decoder.decode(line.rstrip("\n"))
                if sse is not None:
                    out.append(sse)
        for line in line_decoder.decode(text_decoder.flush()) + line_decoder.flush():
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                out.append(sse)
        elapsed = time.perf_counter() - start
        return elapsed, [e.data for e in out]

    return run


def make_aiohttp_sse_client() -> Runner | str:
    """aiohttp-sse-client's parsing loop, or why it is skipped."""
    try:
        from aiohttp_sse_client.client import EventSource
    except ImportError as exc:
        return f"aiohttp-sse-client not installed ({exc}); pip install aiohttp-sse-client"

    def run(chunks: list[bytes]) -> tuple[float, list[str]]:
        async def main() -> tuple[float, list[str]]:
            loop = asyncio.get_running_loop()
            start = time.perf_counter()
            response = types.SimpleNamespace(status=200, content=_stream_reader(chunks, loop))

            def end_of_body() -> None:
                # At EOF the loop reconnects; status 204 makes it stop instead.
                response.status = 204

            async def no_reconnect(retry: int = 0) -> None:
                return None

            source = EventSource("http://bench.invalid/", session=object(), on_error=end_of_body)
            source._response = response
            source._origin = "http://bench.invalid"
            source._reconnection_time = timedelta(0)
            source.connect = no_reconnect  # type: ignore[method-assign]
            out = [event async for event in source]
            return time.perf_counter() - start, [e.data for e in out]

        return asyncio.run(main())

    return run


# --------------------------------------------------------------------------------------------
# Driver


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000, help="events in the stream")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per parser")
    parser.add_argument("--chunk-size", type=int, default=4096, help="bytes per chunk")
    parser.add_argument("--workload", choices=WORKLOADS, default="agent", help="stream shape")
    args = parser.parse_args(argv)

    n_events = args.events
    stream = build_stream(n_events, args.workload)
    chunks = split_chunks(stream, args.chunk_size)
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"aiohttp {aiohttp.__version__}, {platform.machine()}"
    )
    print(
        f"workload {args.workload!r}: {n_events} events, {len(stream) / 2**20:.1f} MiB, "
        f"{len(chunks)} chunks of {args.chunk_size} bytes; best and median of {args.repeat} runs"
    )

    runners: dict[str, Runner] = {
        "minimax_async SSEDecoder.feed": run_ours,
        "minimax_async SSEReader (aiohttp)": run_ours_aiohttp,
    }
    for name, made in (
        ("httpx-sse", make_httpx_sse()),
        ("aiohttp-sse-client", make_aiohttp_sse_client()),
    ):
        if isinstance(made, str):
            print(f"skipping {name}: {made}")
        else:
            runners[name] = made

    # Every parser must see the same events, else the comparison means nothing.
    _, expected = run_ours(chunks)
    assert len(expected) == n_events, (len(expected), n_events)
    for name, runner in runners.items():
        _, got = runner(chunks)
        if got != expected:
            print(f"{name}: decoded {len(got)} events that differ from ours; not comparable")
            return 1

    # Interleave the runs so that machine noise hits every parser alike. The collector is off
    # while a run is timed (as timeit does): its pauses depend on what earlier runs left.
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.repeat):
        for name, runner in runners.items():
            gc.collect()
            gc.disable()
            try:
                times[name].append(runner(chunks)[0])
            finally:
                gc.enable()

    ours_best = n_events / min(times["minimax_async SSEDecoder.feed"])
    header = f"{'parser':36} {'best ev/s':>12} {'median ev/s':>12} {'MiB/s':>8} {'ours/them':>10}"
    print()
    print(header)
    print("-" * len(header))
    for name, samples in times.items():
        best = n_events / min(samples)
        median = n_events / statistics.median(samples)
        mib = len(stream) / 2**20 / min(samples)
        ratio = ours_best / best
        print(f"{name:36} {best:12,.0f} {median:12,.0f} {mib:8.1f} {ratio:9.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
