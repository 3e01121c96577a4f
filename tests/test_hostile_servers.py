"""Hostile or broken servers cannot exhaust memory: bodies read whole have a size limit.

Each test runs a small aiohttp server that misbehaves on purpose (a lying ``Content-Length``,
an endless chunked body, an endless error page, a gzip bomb) against a client with a small
``max_response_bytes``; the call must fail with a typed error, read no more than the limit,
and not be retried into the same answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import pathlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    APIConnectionError,
    AsyncMiniMax,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    StreamError,
    StreamEventTooLargeError,
)
from minimax_async._base_client import DEFAULT_MAX_RESPONSE_BYTES
from minimax_async._sse import DEFAULT_MAX_EVENT_BYTES

TOKEN = "user:1-hostile-servers-token-0123456789"
LIMIT = 64 * 1024
PREFIX = "/v1/minimax"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Set when the test ends: handlers that stall wait for it (aiohttp does not cancel them).
HOLD = web.AppKey("hold", asyncio.Event)


async def stall_until_the_end(request: web.Request) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        await request.app[HOLD].wait()


class Served:
    """A started TestServer and how many requests and body bytes each route saw."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.requests: dict[str, int] = {}
        self.sent: dict[str, int] = {}

    @property
    def base_url(self) -> str:
        return str(self.server.make_url(PREFIX))


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[dict[str, Handler]], Awaitable[Served]]]:
    servers: list[Served] = []

    async def start(routes: dict[str, Handler]) -> Served:
        app = web.Application()
        app[HOLD] = asyncio.Event()
        served: Served | None = None

        def counted(path: str, handler: Handler) -> Handler:
            async def wrapper(request: web.Request) -> web.StreamResponse:
                assert served is not None
                served.requests[path] = served.requests.get(path, 0) + 1
                return await handler(request)

            return wrapper

        for path, handler in routes.items():
            app.router.add_route("*", PREFIX + path, counted(path, handler))
        server = TestServer(app)
        await server.start_server()
        served = Served(server)
        servers.append(served)
        return served

    yield start
    for served in servers:
        served.server.app[HOLD].set()
        await served.server.close()


@pytest.fixture
async def client_for() -> AsyncIterator[Callable[..., AsyncMiniMax]]:
    clients: list[AsyncMiniMax] = []

    def make(served: Served, **options: Any) -> AsyncMiniMax:
        options.setdefault("max_response_bytes", LIMIT)
        client = AsyncMiniMax(TOKEN, base_url=served.base_url, **options)

        async def no_sleep(delay: float) -> None:
            return None

        client._sleep = no_sleep
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def endless(status: int = 200, *, chunked: bool = True, length: int | None = None) -> Handler:
    """A body that never ends (until the client goes away): chunked, close-delimited, or
    announced with a ``Content-Length`` it never reaches."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=status, headers={"Content-Type": "application/json"})
        if length is not None:
            response.content_length = length
        elif chunked:
            response.enable_chunked_encoding()
        else:
            response.force_close()  # HTTP/1.0 style: the body ends when the connection does
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(b'{"items": [')
            while True:
                await response.write(b'"' + b"x" * 16 * 1024 + b'",')
        return response

    return handler


def gzip_bomb(status: int = 200, size: int = 64 * 1024 * 1024) -> Handler:
    """A small gzip body that unpacks to ``size`` bytes of JSON-looking text."""
    packed = gzip.compress(b'{"a": "' + b" " * size + b'"}', compresslevel=9)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(
            status=status,
            body=packed,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )

    return handler


class TestMaxResponseBytes:
    def test_default_is_documented_and_invalid_values_are_refused(self) -> None:
        """The default is 32 MiB; a non-positive or non-int limit is a ValueError."""
        assert DEFAULT_MAX_RESPONSE_BYTES == 32 * 1024 * 1024
        mm = AsyncMiniMax(TOKEN)
        assert mm.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
        assert mm.with_options(max_retries=0).max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
        assert AsyncMiniMax(TOKEN, max_response_bytes=10).with_options().max_response_bytes == 10
        for bad in (0, -1, 1.5, True, "10"):
            with pytest.raises(ValueError, match="max_response_bytes"):
                AsyncMiniMax(TOKEN, max_response_bytes=bad)  # type: ignore[arg-type]

    async def test_huge_content_length_is_refused_before_reading(
        self, serve: Any, client_for: Any
    ) -> None:
        """A 2 GB ``Content-Length`` fails at once, without reading, and is not retried."""
        served = await serve({"/videos/v1": endless(length=2 * 1024**3)})
        mm = client_for(served)
        with pytest.raises(ResponseTooLargeError) as caught:
            await mm.videos.retrieve("v1")
        assert caught.value.limit == LIMIT
        assert str(LIMIT) in str(caught.value)
        assert isinstance(caught.value, ResponseDecodeError)
        assert served.requests["/videos/v1"] == 1

    @pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "connection-close"])
    async def test_endless_body_stops_at_the_limit(
        self, serve: Any, client_for: Any, chunked: bool
    ) -> None:
        """An endless body (chunked or close-delimited) stops at the limit, not retried."""
        served = await serve({"/videos": endless(chunked=chunked)})
        mm = client_for(served)
        with pytest.raises(ResponseTooLargeError, match=f"max_response_bytes={LIMIT}"):
            await mm.videos.list()
        assert served.requests["/videos"] == 1

    async def test_endless_error_body_keeps_its_status_error(
        self, serve: Any, client_for: Any
    ) -> None:
        """An endless 500 page is cut at the limit: a ServerError, retried max_retries times."""
        served = await serve({"/videos": endless(500)})
        mm = client_for(served, max_retries=2)
        with pytest.raises(ServerError) as caught:
            await mm.videos.list()
        assert caught.value.status_code == 500
        assert "cut" in str(caught.value)
        assert served.requests["/videos"] == 3

    async def test_gzip_bomb_counts_after_decompression(self, serve: Any, client_for: Any) -> None:
        """A gzip body of a few KiB that unpacks to 64 MiB stops at the limit."""
        served = await serve({"/videos": gzip_bomb()})
        mm = client_for(served)
        with pytest.raises(ResponseTooLargeError):
            await mm.videos.list()

    async def test_gzip_bomb_error_body(self, serve: Any, client_for: Any) -> None:
        """The same bomb as an error body gives the status error, cut at the limit."""
        served = await serve({"/videos": gzip_bomb(status=502)})
        mm = client_for(served, max_retries=0)
        with pytest.raises(ServerError, match="cut"):
            await mm.videos.list()

    async def test_shared_watcher_scheduler_read_is_bounded(
        self, serve: Any, client_for: Any
    ) -> None:
        """The shared watcher's ``GET scheduler`` goes through the same limit."""
        served = await serve({"/scheduler": endless()})
        mm = client_for(served)
        with pytest.raises(ResponseTooLargeError):
            await mm._scheduler_ids()

    async def test_delete_with_an_endless_body_succeeds(self, serve: Any, client_for: Any) -> None:
        """A call whose body is dropped anyway (DELETE) stops reading at the limit."""
        served = await serve({"/videos/v1": endless()})
        mm = client_for(served)
        assert await mm.videos.delete("v1") is None

    async def test_the_connection_is_not_reused(self, serve: Any, client_for: Any) -> None:
        """After a cut body the next call gets a fresh connection and a clean answer."""

        async def ok(request: web.Request) -> web.StreamResponse:
            return web.json_response({"videoId": "v2", "status": 2})

        served = await serve({"/videos/v1": endless(), "/videos/v2": ok})
        mm = client_for(served)
        with pytest.raises(ResponseTooLargeError):
            await mm.videos.retrieve("v1")
        video = await mm.videos.retrieve("v2")
        assert video.video_id == "v2"
        connector = mm._holder.get().connector
        assert connector is not None
        assert not connector._acquired  # nothing left checked out

    async def test_a_body_at_the_limit_is_read(self, serve: Any, client_for: Any) -> None:
        """Exactly ``max_response_bytes`` is accepted (the limit is inclusive)."""
        body = b'{"videoId": "v1", "status": 2, "pad": "' + b"x" * 100 + b'"}'

        async def exact(request: web.Request) -> web.StreamResponse:
            return web.Response(body=body, content_type="application/json")

        served = await serve({"/videos/v1": exact})
        mm = client_for(served, max_response_bytes=len(body))
        assert (await mm.videos.retrieve("v1")).video_id == "v1"
        small = client_for(served, max_response_bytes=len(body) - 1)
        with pytest.raises(ResponseTooLargeError):
            await small.videos.retrieve("v1")


class TestUnencodableText:
    async def test_lone_surrogate_in_a_query_value(self, serve: Any, client_for: Any) -> None:
        """``last_video_id="\\ud800"`` is a ValueError naming the parameter; nothing is sent."""
        served = await serve({"/videos": endless()})
        mm = client_for(served)
        with pytest.raises(ValueError, match="lastVideoId") as caught:
            await mm.videos.list(last_video_id="\ud800")
        assert "UTF-8" in str(caught.value)
        assert served.requests == {}

    async def test_lone_surrogate_in_a_json_body(self, serve: Any, client_for: Any) -> None:
        """A lone surrogate in a JSON body is refused the same way, naming the field."""
        served = await serve({"/videos/create": endless()})
        mm = client_for(served)
        with pytest.raises(ValueError, match="prompt"):
            await mm.videos.create(prompt="a cat \udc80 playing", model="T2V-2.3")
        assert served.requests == {}

    async def test_lone_surrogate_in_a_path_id(self, serve: Any, client_for: Any) -> None:
        """Path ids were already checked; the message names the parameter."""
        served = await serve({"/videos/x": endless()})
        mm = client_for(served)
        with pytest.raises(ValueError, match="video_id"):
            await mm.videos.retrieve("x\ud800")
        assert served.requests == {}

    async def test_non_ascii_text_is_sent(self, serve: Any, client_for: Any) -> None:
        """Ordinary non-ASCII text (not a surrogate) is sent unchanged."""
        seen: list[str] = []

        async def listing(request: web.Request) -> web.StreamResponse:
            seen.append(request.query["lastVideoId"])
            return web.json_response([])

        served = await serve({"/videos": listing})
        mm = client_for(served)
        await mm.videos.list(last_video_id="vidéo-猫")
        assert seen == ["vidéo-猫"]


VIDEO_ID = "user:1-minimax:2-video:3"
CREATED = b'data: {"status":"created","videoId":"' + VIDEO_ID.encode() + b'","code":200}\n\n'
SEND_RESULT = b'event:send_result\ndata:{"type":1,"statusInfo":{"code":0}}\n\n'


def endless_event(first: bytes) -> Handler:
    """An event stream that sends ``first``, then short ``data:`` lines with no blank line
    (one event that never ends) until the client goes away."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await response.write(first)
            while True:
                await response.write(b"data: x\n" * 4096)
        return response

    return handler


def stalled(first: bytes) -> Handler:
    """An event stream that sends ``first`` and then nothing, until the client goes away."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(first)
        await stall_until_the_end(request)
        return response

    return handler


def acquired(mm: AsyncMiniMax) -> int:
    connector = mm._holder.get().connector
    assert connector is not None
    return len(connector._acquired)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # llm is decommissioned upstream
class TestSSEEventLimit:
    async def test_agent_stream_endless_event(self, serve: Any, client_for: Any) -> None:
        """Endless ``data:`` lines with no blank line end in StreamEventTooLargeError carrying
        the video id seen before, and the connection is closed."""
        served = await serve({"/videos/agent-create": endless_event(CREATED)})
        mm = client_for(served)
        seen = []
        with pytest.raises(StreamEventTooLargeError) as caught:
            async for event in mm.stream_agent(template_id="1"):
                seen.append(event)
        assert caught.value.video_id == VIDEO_ID
        assert caught.value.limit == DEFAULT_MAX_EVENT_BYTES
        assert caught.value.seen["events"] == 1
        assert isinstance(caught.value, StreamError)
        assert len(seen) == 1
        assert acquired(mm) == 0

    async def test_llm_stream_endless_event(self, serve: Any, client_for: Any) -> None:
        """``llm.stream`` shares the decoder and its limit."""
        served = await serve({"/llm": endless_event(SEND_RESULT)})
        mm = client_for(served)
        with pytest.raises(StreamEventTooLargeError, match="llm") as caught:
            async for _ in mm.llm.stream(prompt="x"):
                pass
        assert caught.value.seen["events"] == 1
        assert acquired(mm) == 0

    async def test_llm_stream_break_releases_the_connection_at_once(
        self, serve: Any, client_for: Any
    ) -> None:
        """``break`` out of ``llm.stream`` closes the response before the next statement,
        as ``stream_agent`` does (no wait for the loop's async-generator finalizer)."""
        served = await serve({"/llm": stalled(SEND_RESULT)})
        mm = client_for(served)
        async for event in mm.llm.stream(prompt="x"):
            assert event.type == 1
            break
        assert acquired(mm) == 0  # no await in between: closed synchronously

    async def test_llm_stream_as_a_context_manager(self, serve: Any, client_for: Any) -> None:
        """``async with mm.llm.stream(...) as s`` closes the response on leaving."""
        served = await serve({"/llm": stalled(SEND_RESULT)})
        mm = client_for(served)
        async with mm.llm.stream(prompt="x") as stream:
            assert (await stream.__anext__()).type == 1
            assert acquired(mm) == 1
        assert acquired(mm) == 0


def media(data: bytes, *, etag: str | None = None, status: int = 200, **headers: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        sent = {"Content-Type": "video/mp4", **headers}
        if etag is not None:
            sent["ETag"] = etag
        return web.Response(status=status, body=data, headers=sent)

    return handler


def open_files_under(directory: Any) -> list[str]:
    """Paths under ``directory`` this process holds open (Linux: /proc/self/fd)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith(str(directory)):
                found.append(target)
    return found


FILE_A = bytes(range(256)) * 1024
FILE_B = bytes(reversed(range(256))) * 1024


class TestDownloads:
    async def test_a_stale_part_of_another_file_is_not_resumed(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """A ``.part`` started from another file (another ETag) gets the whole new file."""
        seen: list[dict[str, str]] = []

        async def host(request: web.Request) -> web.StreamResponse:
            seen.append(dict(request.headers))
            if request.headers.get("If-Range") == '"b"' and "Range" in request.headers:
                start = int(request.headers["Range"][6:-1])
                return web.Response(status=206, body=FILE_B[start:], headers={"ETag": '"b"'})
            return web.Response(body=FILE_B, headers={"ETag": '"b"'})

        served = await serve({"/media/x.mp4": host})
        mm = client_for(served)
        dest = tmp_path / "x.mp4"
        (tmp_path / "x.mp4.part").write_bytes(FILE_A[: len(FILE_A) // 2])
        (tmp_path / "x.mp4.part.validator").write_text('"a"')
        await mm.download(served.base_url + "/media/x.mp4", dest)
        assert dest.read_bytes() == FILE_B
        assert seen[0]["If-Range"] == '"a"'
        assert sorted(os.listdir(tmp_path)) == ["x.mp4"]
        # Without a recorded validator a .part is not trusted at all: no Range.
        (tmp_path / "x.mp4.part").write_bytes(FILE_A[:1000])
        await mm.download(served.base_url + "/media/x.mp4", dest)
        assert "Range" not in seen[1]
        assert dest.read_bytes() == FILE_B

    async def test_206_to_a_request_without_range(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """A 206 nobody asked for is not the whole file (unless Content-Range says it is)."""
        part = media(FILE_A[:1000], status=206, **{"Content-Range": f"bytes 0-999/{len(FILE_A)}"})
        whole = media(
            FILE_A, status=206, **{"Content-Range": f"bytes 0-{len(FILE_A) - 1}/{len(FILE_A)}"}
        )
        served = await serve({"/media/p.mp4": part, "/media/w.mp4": whole})
        mm = client_for(served)
        with pytest.raises(APIConnectionError, match="206"):
            await mm.download(served.base_url + "/media/p.mp4", tmp_path / "p.mp4")
        assert served.requests["/media/p.mp4"] == 1  # the same answer would come again
        assert os.listdir(tmp_path) == []
        await mm.download(served.base_url + "/media/w.mp4", tmp_path / "w.mp4")
        assert (tmp_path / "w.mp4").read_bytes() == FILE_A

    async def test_a_cut_close_delimited_body_is_not_success(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """No Content-Length and no chunking: the end cannot be told from a cut."""

        # aiohttp.web frames every HTTP/1.1 body; a raw server sends an HTTP/1.0-style one.
        async def host(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nConnection: close\r\n\r\n")
            writer.write(FILE_A[:5000])
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(host, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        mm = AsyncMiniMax(TOKEN, base_url=f"http://127.0.0.1:{port}/v1/minimax")
        try:
            with pytest.raises(APIConnectionError, match="cannot be proven complete"):
                await mm.download(f"http://127.0.0.1:{port}/media/c.mp4", tmp_path / "c.mp4")
        finally:
            await mm.aclose()
            server.close()
            await server.wait_closed()
        assert os.listdir(tmp_path) == []

    async def test_concurrent_downloads_to_one_destination_never_mix(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """Two downloads of two files to one path: the result is one whole file."""

        def slow(data: bytes) -> Handler:
            async def handler(request: web.Request) -> web.StreamResponse:
                response = web.StreamResponse(headers={"ETag": '"x"'})
                response.content_length = len(data)
                await response.prepare(request)
                for i in range(0, len(data), 8192):
                    await response.write(data[i : i + 8192])
                    await asyncio.sleep(0)
                return response

            return handler

        served = await serve({"/media/a.mp4": slow(FILE_A), "/media/b.mp4": slow(FILE_B)})
        mm = client_for(served)
        dest = tmp_path / "same.mp4"
        for _ in range(5):
            await asyncio.gather(
                mm.download(served.base_url + "/media/a.mp4", dest),
                mm.download(served.base_url + "/media/b.mp4", dest),
            )
            assert dest.read_bytes() in (FILE_A, FILE_B)
            assert os.listdir(tmp_path) == ["same.mp4"]

    async def test_unwritable_names_fail_before_downloading(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """A URL path of ``..`` or a name over the file system's limit: ValueError, nothing
        fetched, nothing left."""
        served = await serve({"/media/{tail:.*}": media(FILE_A)})
        mm = client_for(served)
        with pytest.raises(ValueError, match="cannot be written"):
            await mm.download(served.base_url + "/media/..", tmp_path)
        with pytest.raises(ValueError, match="255"):
            await mm.download(served.base_url + "/media/" + "n" * 300 + ".mp4", tmp_path)
        with pytest.raises(ValueError, match="dest"):
            await mm.download(served.base_url + "/media/x.mp4", tmp_path / ("d" * 250))
        assert served.requests == {}
        assert os.listdir(tmp_path) == []

    async def test_compressed_despite_identity_stops_at_the_length(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """A gzip body whose Content-Length is its packed size stops there once unpacked, and
        the partial file is removed."""
        packed = gzip.compress(b"\0" * (8 * 1024 * 1024))
        served = await serve(
            {"/media/z.mp4": media(packed, etag='"z"', **{"Content-Encoding": "gzip"})}
        )
        mm = client_for(served)
        with pytest.raises(ResponseTooLargeError) as caught:
            await mm.download(served.base_url + "/media/z.mp4", tmp_path / "z.mp4")
        assert caught.value.limit == len(packed)
        assert os.listdir(tmp_path) == []

    async def test_max_bytes_bounds_a_chunked_gzip_bomb(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """No length at all (chunked gzip): ``max_bytes`` stops the writing."""
        packed = gzip.compress(b"\0" * (16 * 1024 * 1024))

        async def bomb(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Encoding": "gzip"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            with contextlib.suppress(ConnectionError):
                await response.write(packed)
            return response

        served = await serve({"/media/g.mp4": bomb})
        mm = client_for(served)
        with pytest.raises(ResponseTooLargeError, match="max_bytes"):
            await mm.download(
                served.base_url + "/media/g.mp4", tmp_path / "g.mp4", max_bytes=1024 * 1024
            )
        assert os.listdir(tmp_path) == []

    async def test_cancelling_a_download_closes_its_file_at_once(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """Cancelled mid-body: no file of the download is still open when the task ends."""
        started = asyncio.Event()

        async def stall(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"ETag": '"s"'})
            response.content_length = len(FILE_A) * 2
            await response.prepare(request)
            await response.write(FILE_A)
            started.set()
            await stall_until_the_end(request)
            return response

        served = await serve({"/media/s.mp4": stall})
        mm = client_for(served)
        writing = asyncio.Event()

        def on_progress(done: int, total: int | None) -> None:
            if done:
                writing.set()

        for _ in range(5):
            started.clear()
            writing.clear()
            task = asyncio.ensure_future(
                mm.download(
                    served.base_url + "/media/s.mp4", tmp_path / "s.mp4", on_progress=on_progress
                )
            )
            await started.wait()
            await writing.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert open_files_under(tmp_path) == []
        # What was written is kept for a resume, with its validator.
        assert sorted(os.listdir(tmp_path)) == ["s.mp4.part", "s.mp4.part.validator"]

    async def test_cancelling_a_path_upload_closes_its_file_at_once(
        self, serve: Any, client_for: Any, tmp_path: pathlib.Path
    ) -> None:
        """Cancelled while the body is being sent: the source file is closed at once."""
        got_some = asyncio.Event()

        async def slow_reader(request: web.Request) -> web.StreamResponse:
            await request.content.read(1024)
            got_some.set()
            await stall_until_the_end(request)
            return web.json_response({})

        source = tmp_path / "clip.mp4"
        source.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * (8 * 1024 * 1024))
        served = await serve({"/files": slow_reader})
        mm = client_for(served)
        for _ in range(3):
            got_some.clear()
            task = asyncio.ensure_future(mm.files.upload(source))
            await got_some.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert open_files_under(tmp_path) == []


async def test_a_part_parked_in_a_directory_is_taken_over(
    serve: Any, client_for: Any, tmp_path: pathlib.Path
) -> None:
    """Downloading into a directory: an earlier call's parked part and its validator are
    replaced by the finished file, nothing is left beside it."""
    served = await serve({"/media/d.mp4": media(FILE_A, etag='"d"')})
    mm = client_for(served)
    (tmp_path / "d.mp4.part").write_bytes(FILE_B[:100])
    (tmp_path / "d.mp4.part.validator").write_text('"d"')
    path = await mm.download(served.base_url + "/media/d.mp4", tmp_path)
    assert path.read_bytes() == FILE_A
    assert os.listdir(tmp_path) == ["d.mp4"]
