"""What openai-python users reach for: ``iter`` pagination, per-call options, ``close()``,
logging switched on from the environment, and ``mm.request`` (issue 14).

Against a real aiohttp server (a small app recording every request), not mocks.
"""

from __future__ import annotations

import inspect
import logging
import re
import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import minimax_async.resources as resources_pkg
from minimax_async import APITimeoutError, AsyncMiniMax
from minimax_async._logs import LOG_ENV, LOGGER_NAME, logging_from_env
from minimax_async.resources._base import Resource

TOKEN = "sk-test-token-0123456789"
PREFIX = "/v1/minimax"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Recorder:
    """An app answering from ``routes`` and recording each request's path, query, headers."""

    def __init__(self) -> None:
        self.seen: list[web.Request] = []
        self.queries: list[dict[str, str]] = []
        self.headers: list[dict[str, str]] = []


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[tuple[AsyncMiniMax, Recorder]]]]:
    servers: list[TestServer] = []
    clients: list[AsyncMiniMax] = []

    async def start(routes: dict[tuple[str, str], Handler]) -> tuple[AsyncMiniMax, Recorder]:
        recorder = Recorder()

        def recording(handler: Handler) -> Handler:
            async def wrapped(request: web.Request) -> web.StreamResponse:
                recorder.queries.append(dict(request.query))
                recorder.headers.append(dict(request.headers))
                return await handler(request)

            return wrapped

        app = web.Application()
        for (method, path), handler in routes.items():
            app.router.add_route(method, f"{PREFIX}/{path}", recording(handler))
        server = TestServer(app)
        await server.start_server()
        servers.append(server)
        mm = AsyncMiniMax(TOKEN, base_url=str(server.make_url(PREFIX)), max_retries=0)
        clients.append(mm)
        return mm, recorder

    yield start
    for mm in clients:
        await mm.aclose()
    for server in servers:
        await server.close()


def pages(*bodies: Any, cursor: str) -> Handler:
    """Answers page after page, chosen by the cursor query parameter (absent: the first)."""
    by_cursor: dict[str | None, Any] = {}
    previous: str | None = None
    for body, last in bodies:
        by_cursor[previous] = body
        previous = last

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(by_cursor.get(request.query.get(cursor), []))

    return handler


def image(n: int) -> dict[str, Any]:
    return {"imageId": f"user:1-minimax:2-image:{n}", "status": 2}


class TestIter:
    """Every list endpoint has an ``async for`` iterator fetching page after page."""

    def test_every_list_has_an_iter(self) -> None:
        """Each resource with a paged ``list``-like method has an ``iter`` next to it."""
        from minimax_async import AsyncMiniMax

        mm = AsyncMiniMax(TOKEN)
        expected = {
            "videos": ["iter", "iter_characters", "iter_agent_templates"],
            "images": ["iter"],
            "files": ["iter"],
            "music": ["iter"],
            "llm": ["iter"],
            "audio": ["iter"],
            "agent": ["iter"],
        }
        for name, methods in expected.items():
            for method in methods:
                assert callable(getattr(getattr(mm, name), method)), f"{name}.{method}"

    async def test_images_follow_the_cursor(self, serve: Any) -> None:
        """Pages are chained by the last id while ``hasNext``; options reach every page."""
        handler = pages(
            ({"images": [image(1), image(2)], "hasNext": True}, image(2)["imageId"]),
            ({"images": [image(3)], "hasNext": False}, image(3)["imageId"]),
            cursor="lastImageId",
        )
        mm, rec = await serve({("GET", "images"): handler})
        got = [i.image_id async for i in mm.images.iter(limit=2, extra_query={"x": "1"})]
        assert got == [image(n)["imageId"] for n in (1, 2, 3)]
        assert [q.get("lastImageId") for q in rec.queries] == [None, image(2)["imageId"]]
        assert all(q["x"] == "1" and q["limit"] == "2" for q in rec.queries)

    async def test_a_server_ignoring_the_cursor_cannot_loop(self, serve: Any) -> None:
        """The same page over and over: each item once, then the iteration ends."""

        async def same(request: web.Request) -> web.StreamResponse:
            return web.json_response({"images": [image(1)], "hasNext": True})

        mm, rec = await serve({("GET", "images"): same})
        assert [i.image_id async for i in mm.images.iter()] == [image(1)["imageId"]]
        assert len(rec.queries) == 2

    @pytest.mark.filterwarnings("ignore::DeprecationWarning")
    async def test_page_numbers(self, serve: Any) -> None:
        """Numbered pages (``audio``) go on while ``has_more``."""

        async def audio(request: web.Request) -> web.StreamResponse:
            page = int(request.query["page"])
            clips = [{"audio_id": f"a{page}"}]
            return web.json_response({"audio_list": clips, "has_more": page < 3})

        mm, rec = await serve({("GET", "audio"): audio})
        assert [c.audio_id async for c in mm.audio.iter(page_size=1)] == ["a1", "a2", "a3"]
        assert [q["page"] for q in rec.queries] == ["1", "2", "3"]

    async def test_characters_stop_at_a_short_page(self, serve: Any) -> None:
        """Without a flag, a page shorter than ``page_size`` is the last."""

        async def characters(request: web.Request) -> web.StreamResponse:
            page = int(request.query["page"])
            size = 2 if page == 1 else 1
            return web.json_response([{"characterID": f"c{page}-{n}"} for n in range(size)])

        mm, rec = await serve({("GET", "videos/characters"): characters})
        got = [c.character_id async for c in mm.videos.iter_characters(page_size=2)]
        assert got == ["c1-0", "c1-1", "c2-0"]
        assert len(rec.queries) == 2

    async def test_agent_jobs_of_every_account(self, serve: Any) -> None:
        """``agent.iter`` yields the running jobs of all accounts (one answer)."""

        async def jobs(request: web.Request) -> web.StreamResponse:
            return web.json_response(
                {"executing": {"a": [{"jobId": "j1"}], "b": [{"jobId": "j2"}, {"jobId": "j3"}]}}
            )

        mm, _ = await serve({("GET", "agent/jobs"): jobs})
        assert [j.job_id async for j in mm.agent.iter()] == ["j1", "j2", "j3"]


def _public_api_methods() -> list[tuple[str, Any]]:
    found = []
    for module_name in ("accounts", "agent", "audio", "files", "images", "llm", "music",
                        "scheduler", "videos"):  # fmt: skip
        module = __import__(f"minimax_async.resources.{module_name}", fromlist=["x"])
        for cls in vars(module).values():
            if isinstance(cls, type) and issubclass(cls, Resource) and cls is not Resource:
                for name, fn in vars(cls).items():
                    if not name.startswith("_") and inspect.isfunction(fn):
                        found.append((f"{cls.__name__}.{name}", fn))
    return found


# Methods that send no request of their own or open streams (with their own idle timeouts).
_NO_OPTIONS = {"Scheduler.find_by_reply_ref", "Videos.agent_create", "Audio.stream", "Llm.stream"}


class TestPerCallOptions:
    """``timeout=``, ``extra_headers=``, ``extra_query=`` on every call."""

    def test_every_method_takes_them(self) -> None:
        """Each public resource method declares ``**options: Unpack[RequestOptions]`` (or a
        TypedDict including it), so type checkers see the three keywords."""
        assert resources_pkg is not None
        methods = _public_api_methods()
        assert len(methods) > 40
        missing = []
        for name, fn in methods:
            if name in _NO_OPTIONS:
                continue
            kwargs = [
                p for p in inspect.signature(fn).parameters.values() if p.kind is p.VAR_KEYWORD
            ]
            annotation = str(kwargs[0].annotation) if kwargs else ""
            if not re.search(r"Unpack\[(RequestOptions|_\w+CreateCall)\]", annotation):
                missing.append(name)
        assert missing == []

    async def test_headers_and_query_are_sent(self, serve: Any) -> None:
        """Extra headers and query parameters reach the server; Authorization stays ours."""

        async def video(request: web.Request) -> web.StreamResponse:
            return web.json_response({"videoId": "v1", "status": 2})

        mm, rec = await serve({("GET", "videos/v1"): video})
        got = await mm.videos.retrieve(
            "v1",
            extra_headers={"X-Trace": "abc", "Authorization": "Bearer stolen"},
            extra_query={"debug": "1"},
        )
        assert got.video_id == "v1"
        assert rec.headers[0]["X-Trace"] == "abc"
        assert rec.headers[0]["Authorization"] == f"Bearer {TOKEN}"
        assert rec.queries[0] == {"debug": "1"}

    async def test_options_on_a_create(self, serve: Any) -> None:
        """``videos.create`` takes the options next to its fields (not sent in the body)."""
        bodies: list[Any] = []

        async def create(request: web.Request) -> web.StreamResponse:
            bodies.append(await request.json())
            return web.json_response({"videoId": "v1", "replyRef": bodies[-1]["replyRef"]})

        mm, rec = await serve({("POST", "videos/create"): create})
        job = await mm.videos.create(prompt="a cat", extra_headers={"X-A": "1"}, timeout=30)
        assert job.video_id == "v1"
        assert rec.headers[0]["X-A"] == "1"
        assert set(bodies[0]) == {"prompt", "replyRef"}

    async def test_timeout_applies_to_the_call(self, serve: Any) -> None:
        """A per-call ``timeout`` ends a slow call; the client default would have waited."""
        import asyncio

        async def slow(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(5)
            return web.json_response({})

        mm, _ = await serve({("GET", "accounts"): slow})
        with pytest.raises(APITimeoutError):
            await mm.accounts.list(timeout=0.2)

    async def test_misspelt_keyword_refused_before_sending(self, serve: Any) -> None:
        """A keyword that is neither a parameter nor an option is a TypeError, nothing sent."""
        mm, rec = await serve({})
        with pytest.raises(TypeError, match="'acount'"):
            await mm.accounts.features(acount="x")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="'promt'"):
            await mm.videos.create(promt="x")  # type: ignore[call-arg]
        assert rec.queries == []


class TestRequest:
    """``mm.request`` is the escape hatch: any path, any buildable ``cast_to``."""

    async def test_cast_to_dict(self, serve: Any) -> None:
        """``cast_to=dict`` gives the JSON object as is."""

        async def features(request: web.Request) -> web.StreamResponse:
            return web.json_response({"credits": 5, "new": {"x": [1]}})

        mm, _ = await serve({("GET", "features"): features})
        body = await mm.request("GET", "features", cast_to=dict)
        assert body == {"credits": 5, "new": {"x": [1]}}

    @pytest.mark.parametrize(
        "cast_to", [set, frozenset[str], "Video", 3, typing.Callable, [1], {"a": 1}]
    )
    async def test_unbuildable_cast_to_refused_before_sending(
        self, serve: Any, cast_to: Any
    ) -> None:
        """A ``cast_to`` nothing can be built into is a ValueError; no request was made."""
        mm, rec = await serve({})
        for _ in range(2):  # refused again: only what was accepted is remembered
            with pytest.raises(ValueError, match="cast_to="):
                await mm.request("POST", "videos/create", cast_to=cast_to, json_body={})
        assert rec.queries == []


class TestLifecycleAndLogs:
    async def test_close_is_aclose(self) -> None:
        """``close()`` closes the client's session like ``aclose()``."""
        mm = AsyncMiniMax(TOKEN)
        session = mm._holder.get()
        await mm.close()
        assert session.closed

    def test_env_var_turns_on_debug_logs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``MINIMAX_ASYNC_LOG=debug`` sets the SDK logger to DEBUG with one stderr handler."""
        logger = logging.getLogger(LOGGER_NAME)
        before = (logger.level, list(logger.handlers))
        try:
            monkeypatch.setenv(LOG_ENV, "debug")
            AsyncMiniMax(TOKEN)
            AsyncMiniMax(TOKEN)
            assert logger.level == logging.DEBUG
            assert len([h for h in logger.handlers if h not in before[1]]) == 1
            monkeypatch.setenv(LOG_ENV, "nonsense")
            logging_from_env()  # ignored, never fails a client
            assert logger.level == logging.DEBUG
        finally:
            logger.setLevel(before[0])
            logger.handlers[:] = before[1]
