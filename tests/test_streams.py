"""AgentStream and llm.stream against a real aiohttp server streaming the documents' examples."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    AgentCreatedEvent,
    AgentFinishedEvent,
    AgentHeartbeatEvent,
    AgentProgressEvent,
    AsyncMiniMax,
    JobCreationUnknownError,
    StreamError,
    StreamIdleTimeoutError,
    StreamTruncatedError,
)
from minimax_async.resources import _base as resources_base

SAMPLES = Path(__file__).parent / "samples"
AGENT_SSE = (SAMPLES / "post-minimax-videos-agent-create" / "200.sse").read_bytes()
LLM_SSE = (SAMPLES / "post-minimax-llm" / "200_stream.sse").read_bytes()
VIDEO_ID = "user:1234-minimax:1234567-video:7654321"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class StreamServer:
    """A test server whose stream routes write a byte script in tiny chunks."""

    def __init__(self) -> None:
        self.body = AGENT_SSE
        self.chunk = 7
        self.cut_at: int | None = None  # close the connection after this many bytes
        self.stall_at: int | None = None  # stop writing (keep open) after this many bytes
        self.requests: list[dict[str, Any]] = []
        self.disconnected = asyncio.Event()
        self.status = 200

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.content_type == "application/json":
            body: Any = await request.json()
        else:
            form = await request.post()
            body = {k: str(v) for k, v in form.items()}
        self.requests.append({"path": request.path, "body": body, "headers": request.headers})
        if self.status != 200:
            return web.json_response({"error": "nope"}, status=self.status)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        data = self.body if self.cut_at is None else self.body[: self.cut_at]
        limit = self.stall_at
        try:
            for start in range(0, len(data), self.chunk):
                if limit is not None and start >= limit:
                    await asyncio.sleep(3600)
                await response.write(data[start : start + self.chunk])
                await asyncio.sleep(0)
            if self.cut_at is not None:
                assert request.transport is not None
                request.transport.close()
                return response
        except (ConnectionResetError, asyncio.CancelledError):
            self.disconnected.set()
            raise
        await response.write_eof()
        return response


@pytest.fixture
async def server() -> AsyncIterator[tuple[StreamServer, TestServer]]:
    state = StreamServer()
    app = web.Application()
    app.router.add_post("/v1/minimax/videos/agent-create", state.handle)
    app.router.add_post("/v1/minimax/llm", state.handle)
    test_server = TestServer(app)
    await test_server.start_server()
    try:
        yield state, test_server
    finally:
        await test_server.close()


@pytest.fixture
async def client(server: tuple[StreamServer, TestServer]) -> AsyncIterator[AsyncMiniMax]:
    _, test_server = server
    async with AsyncMiniMax("tok", base_url=str(test_server.make_url("/v1/minimax"))) as mm:
        yield mm


def _connections(mm: AsyncMiniMax) -> int:
    session = mm._holder.session
    assert session is not None
    connector = session.connector
    assert connector is not None
    return len(connector._acquired)  # type: ignore[attr-defined]


class TestAgentStream:
    """The agent-create SSE stream as typed events."""

    async def test_documents_example_in_tiny_chunks(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """The documents' 11-event stream, 7 bytes at a time, gives 11 typed events."""
        events = []
        async with client.stream_agent(template_id="1122334455667788", prompt="car") as stream:
            async for event in stream:
                events.append(event)
        assert len(events) == 11
        assert isinstance(events[0], AgentCreatedEvent)
        assert isinstance(events[2], AgentHeartbeatEvent)
        assert isinstance(events[3], AgentProgressEvent)
        assert isinstance(events[-1], AgentFinishedEvent)
        assert [e.type for e in events if isinstance(e, AgentProgressEvent)] == [
            1,
            2,
            2,
            1,
            2,
            2,
            3,
        ]
        assert stream.video_id == VIDEO_ID
        assert stream.finished
        assert stream.attachments == [
            "https://cdn.hailuoai.video/moss/prod/.../car.png",
            "https://cdn.hailuoai.video/moss/prod/.../final.mp4",
        ]
        assert events[0].raw["videoId"] == VIDEO_ID

    async def test_request_body_and_reply_ref(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """The POST carries templateId, prompt and a generated replyRef the stream keeps."""
        state, _ = server
        async with client.stream_agent(template_id="42", prompt="p", max_jobs=2) as stream:
            async for _ in stream:
                pass
        body = state.requests[0]["body"]
        assert body["templateId"] == "42"
        assert body["prompt"] == "p"
        assert body["maxJobs"] == 2
        assert body["replyRef"].startswith("mma-")
        assert stream.reply_ref == body["replyRef"]
        assert state.requests[0]["headers"]["Accept"] == "text/event-stream"

    async def test_truncated_stream_keeps_video_id(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """A stream cut before 'finished' raises StreamTruncatedError with the video id."""
        state, _ = server
        state.cut_at = AGENT_SSE.index(
            b'"status":"progress","type":2,"message":{"attachmentInfo":{"type":3'
        )
        seen = []
        with pytest.raises(StreamTruncatedError) as info:
            async with client.stream_agent(template_id="1") as stream:
                async for event in stream:
                    seen.append(event)
        assert info.value.video_id == VIDEO_ID
        assert info.value.seen["attachments"] == [
            "https://cdn.hailuoai.video/moss/prod/.../car.png"
        ]
        assert len(seen) == 7
        assert _connections(client) == 0

    async def test_stall_raises_idle_timeout(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """No bytes for idle_timeout raises StreamIdleTimeoutError and closes the response."""
        state, _ = server
        state.stall_at = 300
        with pytest.raises(StreamIdleTimeoutError) as info:
            async with client.stream_agent(template_id="1", idle_timeout=0.3) as stream:
                async for _ in stream:
                    pass
        assert info.value.video_id == VIDEO_ID
        assert _connections(client) == 0
        with anyio.fail_after(5):
            await state.disconnected.wait()

    async def test_break_closes_response_and_server_sees_it(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """Breaking out of the loop closes the response at once; the server sees the disconnect."""
        state, _ = server
        state.stall_at = 400  # the server would otherwise keep the stream open
        async with client.stream_agent(template_id="1") as stream:
            async for event in stream:
                if isinstance(event, AgentCreatedEvent):
                    break
        assert _connections(client) == 0
        with anyio.fail_after(5):
            await state.disconnected.wait()

    async def test_bare_async_for_break_releases_connection(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """Without ``async with``, breaking out still frees the connection."""
        state, _ = server
        state.stall_at = 400
        async for _event in client.stream_agent(template_id="1"):
            break
        assert _connections(client) == 0
        with anyio.fail_after(5):
            await state.disconnected.wait()

    async def test_exception_in_body_closes_response(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """An exception raised in the loop body propagates and the response is closed."""
        state, _ = server
        state.stall_at = 400
        with pytest.raises(RuntimeError, match="boom"):
            async with client.stream_agent(template_id="1") as stream:
                async for _ in stream:
                    raise RuntimeError("boom")
        assert _connections(client) == 0

    async def test_cancel_closes_response(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """Cancelling the consuming task closes the response and leaves no task behind."""
        state, _ = server
        state.stall_at = 400
        got_first = anyio.Event()

        async def consume() -> None:
            async with client.stream_agent(template_id="1") as stream:
                async for _ in stream:
                    got_first.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
            with anyio.fail_after(5):
                await got_first.wait()
            tg.cancel_scope.cancel()
        assert _connections(client) == 0
        with anyio.fail_after(5):
            await state.disconnected.wait()
        client_tasks = {
            t
            for t in asyncio.all_tasks()
            if not t.done() and "RequestHandler" not in t.get_coro().__qualname__  # the server's
        }
        assert client_tasks == {asyncio.current_task()}

    async def test_err_code_raises_with_what_was_seen(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """A non-zero errCode raises StreamError carrying the video id."""
        state, _ = server
        state.body = (
            AGENT_SSE.split(b"\n\n")[0]
            + b"\n\n"
            + (b'data: {"status":"progress","errCode":1001,"errMsg":"quota"}\n\n')
        )
        with pytest.raises(StreamError, match="1001") as info:
            async with client.stream_agent(template_id="1") as stream:
                async for _ in stream:
                    pass
        assert info.value.video_id == VIDEO_ID

    async def test_unknown_status_is_generic_event(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """An unknown status arrives as a plain AgentEvent whose raw keeps every key."""
        state, _ = server
        state.body = b'data: {"status":"queued","novel":{"a":1}}\n\n' + AGENT_SSE
        async with client.stream_agent(template_id="1") as stream:
            first = await stream.__anext__()
            assert type(first).__name__ == "AgentEvent"
            assert first.raw == {"status": "queued", "novel": {"a": 1}}
            async for _ in stream:
                pass

    async def test_file_id_requires_oss_path(self, client: AsyncMiniMax) -> None:
        """file_id without oss_path (and the reverse) is refused before anything is sent."""
        with pytest.raises(ValueError, match="oss_path"):
            client.stream_agent(template_id="1", file_id="user:1-minimax:2-file:3")
        with pytest.raises(ValueError, match="file_id"):
            client.stream_agent(template_id="1", oss_path="https://x/y.png")

    async def test_502_is_not_resent(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """A 502 before the first event is ambiguous: one request, JobCreationUnknownError."""
        state, _ = server
        state.status = 502
        with pytest.raises(JobCreationUnknownError) as info:
            async with client.stream_agent(template_id="1") as stream:
                async for _ in stream:
                    pass
        assert len(state.requests) == 1
        assert info.value.reply_ref == state.requests[0]["body"]["replyRef"]


class TestLlmStream:
    """llm.stream over SSE yields typed chat events with cumulative content."""

    @pytest.fixture(autouse=True)
    def _reset_warnings(self) -> None:
        resources_base._warned.clear()

    async def test_documents_example(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """The documents' llm stream gives send_result, message_results and close_chunk."""
        state, _ = server
        state.body = LLM_SSE
        with pytest.warns(DeprecationWarning, match="POST llm"):
            events = [e async for e in client.llm.stream(prompt="tell me a joke", model="mm-01")]
        assert [e.type for e in events] == [1, 2, 2, 2, 2, 8]
        contents = [
            e.data.message_result.content
            for e in events
            if e.data is not None and e.data.message_result is not None
        ]
        assert all(b.startswith(a[:20]) for a, b in itertools.pairwise(contents))
        assert contents[-1].endswith("feel free to let me know.")
        assert state.requests[0]["body"]["stream"] == "true"
        assert state.requests[0]["body"]["prompt"] == "tell me a joke"

    async def test_error_status_raises(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """A non-zero statusInfo.code in an event raises StreamError."""
        state, _ = server
        bad = {"type": 2, "statusInfo": {"code": 1200, "message": "busy"}}
        state.body = b"event:message_result\ndata:" + json.dumps(bad).encode() + b"\n\n"
        with (
            pytest.warns(DeprecationWarning, match="llm"),
            pytest.raises(StreamError, match="1200"),
        ):
            async for _ in client.llm.stream(prompt="x"):
                pass

    async def test_truncated(
        self, server: tuple[StreamServer, TestServer], client: AsyncMiniMax
    ) -> None:
        """A stream without close_chunk raises StreamTruncatedError."""
        state, _ = server
        state.body = LLM_SSE[: LLM_SSE.index(b"event:close_chunk")]
        with pytest.warns(DeprecationWarning, match="llm"), pytest.raises(StreamTruncatedError):
            async for _ in client.llm.stream(prompt="x"):
                pass
        assert _connections(client) == 0
