"""The one request path, against a real aiohttp server: retries, reconciling, timeouts, headers."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    AccountOnHoldError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncMiniMax,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    JobCreationUnknownError,
    ModerationError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    Timeout,
    Video,
    VideoJob,
    __version__,
)

from .conftest import TOKEN, SleepRecorder

PREFIX = "/v1/minimax"
PROMPT = "a cat playing the piano on a rainy evening"
VIDEO = {"id": "v1", "videoId": "user:1-minimax:2-video:v1", "status": 2, "percent": 100}
CREATED = {"videoId": "user:1-minimax:2-video:new", "replyRef": "set-by-handler"}

Step = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Script:
    """A handler answering hit n with step n (the last step repeats); records what arrived."""

    def __init__(self, *steps: Step) -> None:
        self.steps = steps
        self.hits = 0
        self.headers: list[dict[str, str]] = []
        self.bodies: list[bytes] = []

    @property
    def json_bodies(self) -> list[Any]:
        return [json.loads(b) for b in self.bodies]

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        self.headers.append(dict(request.headers))
        self.bodies.append(await request.read())
        step = self.steps[min(self.hits, len(self.steps)) - 1]
        return await step(request)


def as_handler(handler: Any) -> Any:
    """aiohttp wants a coroutine function: a Script's bound ``__call__`` is one."""
    return handler.__call__ if isinstance(handler, Script) else handler


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Step:
    async def step(request: web.Request) -> web.StreamResponse:
        return web.json_response(body or {"error": f"status {code}"}, status=code, headers=headers)

    return step


def ok(body: Any) -> Step:
    async def step(request: web.Request) -> web.StreamResponse:
        if body is CREATED:
            sent = json.loads(await request.read())
            return web.json_response({**CREATED, "replyRef": sent["replyRef"]})
        return web.json_response(body)

    return step


def raw(code: int, text: str, content_type: str = "application/json") -> Step:
    async def step(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=text, content_type=content_type)

    return step


async def drop(request: web.Request) -> web.StreamResponse:
    """Read the whole request, then cut the connection without answering."""
    assert request.transport is not None
    request.transport.close()
    return web.Response()


def hang(gate: asyncio.Event) -> Step:
    async def step(request: web.Request) -> web.StreamResponse:
        await gate.wait()
        return web.json_response(VIDEO)

    return step


class Api:
    """A small aiohttp app under ``/v1/minimax`` and a client pointed at it."""

    def __init__(self, server: TestServer, client: AsyncMiniMax) -> None:
        self.server = server
        self.client = client


@pytest.fixture
async def gate() -> AsyncIterator[asyncio.Event]:
    """Handlers that hang wait on this; it opens before the servers close."""
    event = asyncio.Event()
    yield event
    event.set()


@pytest.fixture
async def serve(
    sleeps: SleepRecorder, gate: asyncio.Event
) -> AsyncIterator[Callable[..., Awaitable[Api]]]:
    """``await serve({("GET", "videos/v1"): handler}, **client_options)`` -> :class:`Api`."""
    servers: list[TestServer] = []
    clients: list[AsyncMiniMax] = []

    async def start(routes: dict[tuple[str, str], Any], **options: Any) -> Api:
        app = web.Application()
        for (method, path), handler in routes.items():
            app.router.add_route(method, f"{PREFIX}/{path}", as_handler(handler))
        server = TestServer(app)
        await server.start_server()
        servers.append(server)
        client = AsyncMiniMax(TOKEN, base_url=str(server.make_url(PREFIX)), **options)
        client._sleep = sleeps
        clients.append(client)
        return Api(server, client)

    yield start
    gate.set()
    for client in clients:
        await client.aclose()
    for server in servers:
        await server.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def scheduler_with(create: Script, *, found: bool) -> Script:
    """``GET scheduler`` listing the job of the last create (or only an unrelated job)."""

    async def listing(request: web.Request) -> web.StreamResponse:
        jobs: list[dict[str, Any]] = [{"videoId": "someone-else", "replyRef": "other"}]
        if found and create.bodies:
            ref = json.loads(create.bodies[-1])["replyRef"]
            jobs.append({"videoId": "user:1-minimax:2-video:found", "replyRef": ref})
        return web.json_response(jobs)

    return Script(listing)


class TestIdempotentRetries:
    @pytest.mark.parametrize("code", [500, 502, 503, 504, 408, 429])
    async def test_retried_then_raised(self, serve: Any, sleeps: SleepRecorder, code: int) -> None:
        """A GET failing with a transient status is sent 1 + max_retries times, then raised."""
        video = Script(status(code))
        api = await serve({("GET", "videos/v1"): video})
        with pytest.raises(APIStatusError) as info:
            await api.client.videos.retrieve("v1")
        assert info.value.status_code == code
        assert video.hits == 3
        assert len(sleeps.delays) == 2

    @pytest.mark.parametrize("code", [500, 502, 503, 504, 408, 429])
    async def test_retry_then_success(self, serve: Any, code: int) -> None:
        """A transient failure followed by success returns the structured result."""
        video = Script(status(code), ok(VIDEO))
        api = await serve({("GET", "videos/v1"): video})
        result = await api.client.videos.retrieve("v1")
        assert isinstance(result, Video)
        assert result.video_id == VIDEO["videoId"]
        assert video.hits == 2

    @pytest.mark.parametrize(
        ("code", "cls"),
        [
            (400, BadRequestError),
            (401, AuthenticationError),
            (404, NotFoundError),
            (412, InsufficientCreditsError),
            (422, ModerationError),
            (596, AccountOnHoldError),
        ],
    )
    async def test_never_retried(
        self, serve: Any, sleeps: SleepRecorder, code: int, cls: type[Exception]
    ) -> None:
        """Final statuses are raised after one request, without sleeping."""
        video = Script(status(code))
        api = await serve({("GET", "videos/v1"): video})
        with pytest.raises(cls):
            await api.client.videos.retrieve("v1")
        assert video.hits == 1
        assert sleeps.delays == []

    async def test_delete_retried(self, serve: Any) -> None:
        """DELETE is idempotent and retried like GET."""
        delete = Script(status(503), raw(200, "{}"))
        api = await serve({("DELETE", "videos/v1"): delete})
        assert await api.client.videos.delete("v1") is None
        assert delete.hits == 2

    async def test_max_retries_zero(self, serve: Any, sleeps: SleepRecorder) -> None:
        """``max_retries=0`` sends exactly once."""
        video = Script(status(503))
        api = await serve({("GET", "videos/v1"): video}, max_retries=0)
        with pytest.raises(ServerError):
            await api.client.videos.retrieve("v1")
        assert video.hits == 1
        assert sleeps.delays == []

    async def test_with_options_max_retries(self, serve: Any) -> None:
        """A ``with_options(max_retries=...)`` copy uses its own retry count."""
        video = Script(status(503))
        api = await serve({("GET", "videos/v1"): video})
        with pytest.raises(ServerError):
            await api.client.with_options(max_retries=4).videos.retrieve("v1")
        assert video.hits == 5

    async def test_connection_drop_retried(self, serve: Any) -> None:
        """A GET whose connection is cut is retried."""
        video = Script(drop, ok(VIDEO))
        api = await serve({("GET", "videos/v1"): video})
        assert (await api.client.videos.retrieve("v1")).id == "v1"
        assert video.hits == 2


class TestBackoff:
    async def test_delays_follow_capped_exponential_with_jitter(
        self, serve: Any, sleeps: SleepRecorder
    ) -> None:
        """Delays are 0.5 * 2^n capped at 8 s, each scaled by U(0.75, 1)."""
        api = await serve({("GET", "videos/v1"): Script(status(503))}, max_retries=7)
        with pytest.raises(ServerError):
            await api.client.videos.retrieve("v1")
        bases = [0.5, 1, 2, 4, 8, 8, 8]
        assert len(sleeps.delays) == len(bases)
        for delay, base in zip(sleeps.delays, bases, strict=True):
            assert 0.75 * base <= delay <= base

    @pytest.mark.parametrize("factor", [0.75, 1.0])
    async def test_jitter_bounds_exact(
        self, serve: Any, sleeps: SleepRecorder, monkeypatch: pytest.MonkeyPatch, factor: float
    ) -> None:
        """The jitter factor is drawn from U(0.75, 1) and multiplies the capped base."""
        calls: list[tuple[float, float]] = []

        def uniform(a: float, b: float) -> float:
            calls.append((a, b))
            return factor

        monkeypatch.setattr(random, "uniform", uniform)
        api = await serve({("GET", "videos/v1"): Script(status(500))}, max_retries=6)
        with pytest.raises(ServerError):
            await api.client.videos.retrieve("v1")
        assert set(calls) == {(0.75, 1.0)}
        assert sleeps.delays == [factor * b for b in (0.5, 1, 2, 4, 8, 8)]

    @pytest.mark.parametrize("retry_after", ["0", "3", "45.5", "120"])
    async def test_retry_after_honoured(
        self, serve: Any, sleeps: SleepRecorder, retry_after: str
    ) -> None:
        """A ``Retry-After`` of at most 120 s is the delay."""
        video = Script(status(503, headers={"Retry-After": retry_after}), ok(VIDEO))
        api = await serve({("GET", "videos/v1"): video})
        await api.client.videos.retrieve("v1")
        assert sleeps.delays == [float(retry_after)]

    async def test_retry_after_on_429_get(self, serve: Any, sleeps: SleepRecorder) -> None:
        """A 429 on a GET waits what ``Retry-After`` says."""
        video = Script(status(429, headers={"Retry-After": "7"}), ok(VIDEO))
        api = await serve({("GET", "videos/v1"): video})
        await api.client.videos.retrieve("v1")
        assert sleeps.delays == [7.0]

    @pytest.mark.parametrize("retry_after", ["121", "3600"])
    async def test_long_retry_after_ignored(
        self, serve: Any, sleeps: SleepRecorder, retry_after: str
    ) -> None:
        """A ``Retry-After`` over 120 s is ignored in favour of the normal backoff."""
        video = Script(status(503, headers={"Retry-After": retry_after}), ok(VIDEO))
        api = await serve({("GET", "videos/v1"): video})
        await api.client.videos.retrieve("v1")
        assert len(sleeps.delays) == 1
        assert 0.375 <= sleeps.delays[0] <= 0.5


class TestCreateReconcile:
    @pytest.mark.parametrize(
        "failure",
        [status(502), status(504), drop, raw(200, "<html>oops</html>", "text/html")],
        ids=["502", "504", "drop", "invalid-json"],
    )
    async def test_found_in_scheduler_not_resent(self, serve: Any, failure: Step) -> None:
        """An ambiguous create is looked up by replyRef and returned, with one create hit."""
        create = Script(failure, ok(CREATED))
        scheduler = scheduler_with(create, found=True)
        api = await serve({("POST", "videos/create"): create, ("GET", "scheduler"): scheduler})
        job = await api.client.videos.create(prompt=PROMPT)
        assert isinstance(job, VideoJob)
        assert job.video_id == "user:1-minimax:2-video:found"
        ref = create.json_bodies[0]["replyRef"]
        assert ref.startswith("mma-")
        assert job.reply_ref == ref
        assert create.hits == 1
        assert scheduler.hits >= 1

    async def test_callers_reply_ref_is_used(self, serve: Any) -> None:
        """The caller's own replyRef is sent and looked for."""
        create = Script(status(502))
        scheduler = scheduler_with(create, found=True)
        api = await serve({("POST", "videos/create"): create, ("GET", "scheduler"): scheduler})
        job = await api.client.videos.create(prompt=PROMPT, reply_ref="order-42")
        assert create.json_bodies[0]["replyRef"] == "order-42"
        assert job.reply_ref == "order-42"
        assert create.hits == 1

    @pytest.mark.parametrize(
        "failure", [status(502), status(504), drop], ids=["502", "504", "drop"]
    )
    async def test_not_found_resent_with_same_reply_ref(self, serve: Any, failure: Step) -> None:
        """When the scheduler does not list the job, the create is resent with the same ref."""
        create = Script(failure, ok(CREATED))
        scheduler = scheduler_with(create, found=False)
        api = await serve({("POST", "videos/create"): create, ("GET", "scheduler"): scheduler})
        job = await api.client.videos.create(prompt=PROMPT)
        assert create.hits == 2
        first, second = create.json_bodies
        assert first == second
        assert job.video_id == CREATED["videoId"]
        assert job.reply_ref == first["replyRef"]
        assert scheduler.hits >= 1

    async def test_exhausted_raises_job_creation_unknown(self, serve: Any) -> None:
        """Every attempt ambiguous and nothing found: JobCreationUnknownError with the ref."""
        create = Script(status(502))
        scheduler = scheduler_with(create, found=False)
        api = await serve({("POST", "videos/create"): create, ("GET", "scheduler"): scheduler})
        with pytest.raises(JobCreationUnknownError) as info:
            await api.client.videos.create(prompt=PROMPT)
        refs = {body["replyRef"] for body in create.json_bodies}
        assert refs == {info.value.reply_ref}
        assert create.hits == 3
        assert isinstance(info.value.cause, ServerError)

    async def test_scheduler_errors_count_as_not_found(self, serve: Any) -> None:
        """A failing scheduler lookup does not resend blindly beyond the retry budget."""
        create = Script(status(504))
        api = await serve(
            {("POST", "videos/create"): create, ("GET", "scheduler"): Script(status(500))},
            max_retries=0,
        )
        with pytest.raises(JobCreationUnknownError):
            await api.client.videos.create(prompt=PROMPT)
        assert create.hits == 1

    async def test_read_timeout_is_reconciled(self, serve: Any, gate: asyncio.Event) -> None:
        """A create whose answer times out is looked up instead of resent."""
        create = Script(hang(gate))
        scheduler = scheduler_with(create, found=True)
        api = await serve({("POST", "videos/create"): create, ("GET", "scheduler"): scheduler})
        client = api.client.with_options(timeout=Timeout(connect=5, read=0.2))
        job = await client.videos.create(prompt=PROMPT)
        assert job.video_id == "user:1-minimax:2-video:found"
        assert create.hits == 1

    @pytest.mark.parametrize("code", [500, 503, 400, 401, 412, 422, 596])
    async def test_other_failures_not_resent(self, serve: Any, code: int) -> None:
        """A create failing with a non-ambiguous status is raised at once, never resent."""
        create = Script(status(code))
        scheduler = scheduler_with(create, found=True)
        api = await serve({("POST", "videos/create"): create, ("GET", "scheduler"): scheduler})
        with pytest.raises(APIStatusError) as info:
            await api.client.videos.create(prompt=PROMPT)
        assert info.value.status_code == code
        assert create.hits == 1
        assert scheduler.hits == 0

    async def test_later_failure_after_unknown_outcome(self, serve: Any) -> None:
        """A 429 after an ambiguous attempt is raised as JobCreationUnknownError, not alone."""
        create = Script(status(502), status(429, {"error": "busy"}))
        scheduler = scheduler_with(create, found=False)
        api = await serve(
            {("POST", "videos/create"): create, ("GET", "scheduler"): scheduler},
            max_retries=1,
        )
        with pytest.raises(JobCreationUnknownError) as info:
            await api.client.videos.create(prompt=PROMPT)
        assert isinstance(info.value.cause, RateLimitError)
        assert info.value.reply_ref == create.json_bodies[0]["replyRef"]
        assert create.hits == 2

    async def test_deadline_during_reconcile_keeps_reply_ref(
        self, serve: Any, sleeps: SleepRecorder
    ) -> None:
        """When the call's deadline passes while looking, the error still carries the replyRef."""

        async def slow_listing(request: web.Request) -> web.StreamResponse:
            await asyncio.sleep(0.15)
            return web.json_response([])

        create = Script(status(502))
        api = await serve(
            {("POST", "videos/create"): create, ("GET", "scheduler"): Script(slow_listing)}
        )
        client = api.client.with_options(timeout=Timeout(total=0.3))
        with pytest.raises(JobCreationUnknownError) as info:
            await client.videos.create(prompt=PROMPT)
        assert info.value.reply_ref == create.json_bodies[0]["replyRef"]
        assert create.hits == 1


class TestCreateRetries:
    async def test_429_waits_at_least_ten_seconds(self, serve: Any, sleeps: SleepRecorder) -> None:
        """A create answered 429 waits 10..30 s, then is sent again."""
        create = Script(status(429, {"error": "Account is busy executing videos"}), ok(CREATED))
        api = await serve({("POST", "videos/create"): create})
        job = await api.client.videos.create(prompt=PROMPT)
        assert job.video_id == CREATED["videoId"]
        assert create.hits == 2
        assert len(sleeps.delays) == 1
        assert 10.0 <= sleeps.delays[0] <= 30.0
        assert create.json_bodies[0] == create.json_bodies[1]

    async def test_429_short_retry_after_still_ten_seconds(
        self, serve: Any, sleeps: SleepRecorder
    ) -> None:
        """A ``Retry-After`` below 10 s does not shorten a create's wait."""
        create = Script(status(429, headers={"Retry-After": "2"}), ok(CREATED))
        api = await serve({("POST", "videos/create"): create})
        await api.client.videos.create(prompt=PROMPT)
        assert sleeps.delays == [10.0]

    async def test_429_exhausted_raises_rate_limit(self, serve: Any, sleeps: SleepRecorder) -> None:
        """After the retries a 429 surfaces as RateLimitError with ``running_videos``."""
        body = {
            "error": "busy",
            "runningVideos": {"acc": [{"videoId": "v9", "replyRef": "r"}]},
        }
        create = Script(status(429, body))
        api = await serve({("POST", "videos/create"): create})
        with pytest.raises(RateLimitError) as info:
            await api.client.videos.create(prompt=PROMPT)
        assert info.value.running_videos["acc"][0].video_id == "v9"
        assert create.hits == 3
        assert all(d >= 10.0 for d in sleeps.delays)

    async def test_connection_refused_retried(self, sleeps: SleepRecorder) -> None:
        """A create that could not connect (nothing was sent) is retried like any call."""
        client = AsyncMiniMax(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/v1/minimax")
        client._sleep = sleeps
        async with client:
            with pytest.raises(APIConnectionError) as info:
                await client.videos.create(prompt=PROMPT)
        assert not isinstance(info.value, JobCreationUnknownError)
        assert len(sleeps.delays) == 2
        assert "127.0.0.1" in str(info.value.url)

    async def test_connection_refused_then_server_up(
        self, serve: Any, sleeps: SleepRecorder
    ) -> None:
        """A refused connection is retried and the create succeeds once the server answers."""
        create = Script(ok(CREATED))
        api = await serve({("POST", "videos/create"): create})
        port = api.server.port
        await api.server.close()
        client = api.client

        async def restart_on_sleep(delay: float) -> None:
            sleeps.delays.append(delay)
            app = web.Application()
            app.router.add_post(f"{PREFIX}/videos/create", as_handler(create))
            api.server = TestServer(app, port=port)
            await api.server.start_server()

        client._sleep = restart_on_sleep
        try:
            job = await client.videos.create(prompt=PROMPT)
        finally:
            await client.aclose()
            await api.server.close()
        assert job.video_id == CREATED["videoId"]
        assert create.hits == 1
        assert len(sleeps.delays) == 1


class TestOnceKind:
    async def test_refused_connection_retried(self, sleeps: SleepRecorder) -> None:
        """A one-shot POST that could not connect is retried (nothing was sent)."""
        client = AsyncMiniMax(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/v1/minimax")
        client._sleep = sleeps
        async with client:
            with pytest.raises(APIConnectionError):
                await client.request("POST", "llm", json_body={"prompt": "hi"}, kind="once")
        assert len(sleeps.delays) == 2

    @pytest.mark.parametrize(
        "failure", [status(502), status(503), drop], ids=["502", "503", "drop"]
    )
    async def test_sent_failures_not_retried(
        self, serve: Any, sleeps: SleepRecorder, failure: Step
    ) -> None:
        """A one-shot POST that reached the server is never sent twice."""
        post = Script(failure)
        api = await serve({("POST", "llm"): post})
        with pytest.raises((APIStatusError, APIConnectionError)):
            await api.client.request("POST", "llm", json_body={"prompt": "hi"})
        assert post.hits == 1
        assert sleeps.delays == []


class TestRequestShape:
    async def test_query_received(self, serve: Any) -> None:
        """The server receives exactly the non-None parameters."""
        seen: list[dict[str, str]] = []

        async def listing(request: web.Request) -> web.StreamResponse:
            seen.append(dict(request.query))
            return web.json_response([])

        api = await serve({("GET", "videos"): listing})
        await api.client.videos.list(limit=5, last_video_id=None)
        await api.client.request("GET", "videos", params={"flag": True, "skip": None})
        assert seen == [{"limit": "5"}, {"flag": "true"}]

    async def test_delete_without_body(self, serve: Any) -> None:
        """A call without ``cast_to`` ignores the body, even an empty one."""
        api = await serve({("DELETE", "videos/v1"): Script(raw(204, ""))})
        assert await api.client.videos.delete("v1") is None

    async def test_error_carries_method_and_url(self, serve: Any) -> None:
        """A status error names the method and the URL (query included)."""
        api = await serve({("GET", "videos"): Script(status(400))})
        with pytest.raises(BadRequestError) as info:
            await api.client.videos.list(limit=5)
        assert info.value.method == "GET"
        assert info.value.url is not None
        assert info.value.url.endswith("/v1/minimax/videos?limit=5")


class TestDecodeErrors:
    @pytest.mark.parametrize("text", ["<html>oops</html>", "", "{trunc", "[1, 2"])
    async def test_get_invalid_json(self, serve: Any, text: str) -> None:
        """A 200 that is not JSON raises ResponseDecodeError with the raw body, not retried."""
        video = Script(raw(200, text, "text/html"))
        api = await serve({("GET", "videos/v1"): video})
        with pytest.raises(ResponseDecodeError) as info:
            await api.client.videos.retrieve("v1")
        assert info.value.raw_body == text.encode()
        assert info.value.status_code == 200
        assert video.hits == 1

    async def test_get_wrong_shape(self, serve: Any) -> None:
        """A JSON list where an object is promised raises ResponseDecodeError."""
        api = await serve({("GET", "videos/v1"): Script(ok([1, 2]))})
        with pytest.raises(ResponseDecodeError) as info:
            await api.client.videos.retrieve("v1")
        assert info.value.raw_body == b"[1, 2]"

    async def test_create_invalid_json_not_found_raises_unknown(self, serve: Any) -> None:
        """An unreadable 200 to a create is never resent blindly; with nothing found it raises."""
        create = Script(raw(200, "not json"), ok(CREATED))
        scheduler = scheduler_with(create, found=False)
        api = await serve(
            {("POST", "videos/create"): create, ("GET", "scheduler"): scheduler},
            max_retries=0,
        )
        with pytest.raises(JobCreationUnknownError):
            await api.client.videos.create(prompt=PROMPT)
        assert create.hits == 1


class TestDeadlines:
    async def test_total_timeout_stops_retries(self, serve: Any, sleeps: SleepRecorder) -> None:
        """A wait that would end past ``Timeout(total=...)`` is not started; the error is raised."""
        video = Script(status(503, headers={"Retry-After": "5"}))
        api = await serve({("GET", "videos/v1"): video})
        with pytest.raises(ServerError):
            await api.client.with_options(timeout=Timeout(total=2)).videos.retrieve("v1")
        assert video.hits == 1
        assert sleeps.delays == []

    async def test_retries_within_deadline_go_on(self, serve: Any, sleeps: SleepRecorder) -> None:
        """Waits that fit inside the deadline are made (the contrast to the test above)."""
        video = Script(status(503, headers={"Retry-After": "1"}))
        api = await serve({("GET", "videos/v1"): video})
        with pytest.raises(ServerError):
            await api.client.with_options(timeout=Timeout(total=2)).videos.retrieve("v1")
        assert video.hits == 3
        assert sleeps.delays == [1.0, 1.0]

    async def test_enclosing_fail_after_stops_retries(
        self, serve: Any, sleeps: SleepRecorder
    ) -> None:
        """An enclosing ``anyio.fail_after`` is the call's deadline too."""
        video = Script(status(503, headers={"Retry-After": "5"}))
        api = await serve({("GET", "videos/v1"): video})
        with anyio.fail_after(2), pytest.raises(ServerError):
            await api.client.videos.retrieve("v1")
        assert video.hits == 1
        assert sleeps.delays == []

    async def test_total_timeout_on_slow_answer(
        self, serve: Any, gate: asyncio.Event, sleeps: SleepRecorder
    ) -> None:
        """A call whose answer does not come within ``total`` raises APITimeoutError, no retry."""
        video = Script(hang(gate))
        api = await serve({("GET", "videos/v1"): video})
        client = api.client.with_options(timeout=Timeout(total=0.3, read=None))
        started = anyio.current_time()
        with pytest.raises(APITimeoutError):
            await client.videos.retrieve("v1")
        assert anyio.current_time() - started < 2
        assert video.hits == 1

    async def test_read_timeout(self, serve: Any, gate: asyncio.Event) -> None:
        """No answer within ``Timeout(read=...)`` raises APITimeoutError (a connection error)."""
        video = Script(hang(gate))
        api = await serve({("GET", "videos/v1"): video}, max_retries=1)
        client = api.client.with_options(timeout=Timeout(connect=5, read=0.2))
        with pytest.raises(APITimeoutError) as info:
            await client.videos.retrieve("v1")
        assert isinstance(info.value, APIConnectionError)
        assert video.hits == 2

    async def test_float_timeout_is_total(self, serve: Any, gate: asyncio.Event) -> None:
        """``timeout=0.3`` bounds the whole call."""
        api = await serve({("GET", "videos/v1"): Script(hang(gate))})
        started = anyio.current_time()
        with pytest.raises(APITimeoutError):
            await api.client.with_options(timeout=0.3).videos.retrieve("v1")
        assert anyio.current_time() - started < 2


class TestHeadersAndLogs:
    async def test_auth_and_user_agent(self, serve: Any) -> None:
        """Every request carries ``Authorization: Bearer`` and the SDK's User-Agent."""
        video = Script(status(503), ok(VIDEO))
        api = await serve({("GET", "videos/v1"): video})
        await api.client.videos.retrieve("v1")
        assert len(video.headers) == 2
        for headers in video.headers:
            assert headers["Authorization"] == f"Bearer {TOKEN}"
            assert headers["User-Agent"] == f"minimax-async/{__version__}"

    async def test_json_body_and_content_type(self, serve: Any) -> None:
        """A create sends a JSON body with its fields under the API's names."""
        create = Script(ok(CREATED))
        api = await serve({("POST", "videos/create"): create})
        await api.client.videos.create(prompt=PROMPT, model="T2V-01", file_id=None)
        body = create.json_bodies[0]
        assert body["prompt"] == PROMPT
        assert body["model"] == "T2V-01"
        assert "fileID" not in body
        assert create.headers[0]["Content-Type"].startswith("application/json")

    async def test_default_headers_sent(self, serve: Any) -> None:
        """``default_headers`` are sent with every request."""
        video = Script(ok(VIDEO))
        api = await serve({("GET", "videos/v1"): video}, default_headers={"X-Trace": "t1"})
        await api.client.videos.retrieve("v1")
        assert video.headers[0]["X-Trace"] == "t1"

    async def test_debug_log_has_method_path_status_attempt(
        self, serve: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Each response is logged at DEBUG with method, path, status and attempt number."""
        caplog.set_level(logging.DEBUG, logger="minimax_async")
        api = await serve({("GET", "videos/v1"): Script(status(503), ok(VIDEO))})
        await api.client.videos.retrieve("v1")
        messages = [
            r.getMessage()
            for r in caplog.records
            if r.name == "minimax_async" and r.levelno == logging.DEBUG
        ]
        assert any(m.startswith(f"GET {PREFIX}/videos/v1 -> 503 (attempt 1") for m in messages), (
            messages
        )
        assert any(m.startswith(f"GET {PREFIX}/videos/v1 -> 200 (attempt 2") for m in messages), (
            messages
        )
        assert any("retrying in" in m for m in messages)

    async def test_nothing_logged_above_debug_on_success(
        self, serve: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A successful call logs nothing at INFO or above."""
        caplog.set_level(logging.DEBUG, logger="minimax_async")
        api = await serve({("GET", "videos/v1"): Script(ok(VIDEO))})
        await api.client.videos.retrieve("v1")
        assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
