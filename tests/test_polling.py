"""The generic poll loop behind ``wait_for_video`` / ``watch_video``, against a real HTTP server.

The fake API (:class:`FakeAPI`) is an aiohttp app on a real ``TestServer`` that runs on its own
event loop in a background thread, so the client's loop only holds the test's own tasks (the
cancellation tests check that nothing is left behind). Each test scripts the answers of an
endpoint (JSON snapshots, error statuses, dropped connections, slow answers) and inspects the
recorded requests (path, headers, body, time). :class:`FakeAPI` also serves media bytes with
``Range`` support for the download tests, which import it from here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import minimax_async._polling as polling
from minimax_async import AsyncMiniMax
from minimax_async._exceptions import (
    AuthenticationError,
    BadRequestError,
    GenerationFailedError,
    GenerationModeratedError,
    NotFoundError,
    WaitTimeoutError,
)
from minimax_async._polling import PollSchedule
from minimax_async._types import Timeout
from minimax_async.models.videos import Video

TOKEN = "test-token-0123456789abcdef"
VID = "user:1234-minimax:987654321-video:998877665544332211"
VIDEO_PATH = f"videos/{VID}"


# -- the scriptable fake API ---------------------------------------------------------------


@dataclasses.dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    payload: Any = None  # sent as JSON unless ``body`` is given
    body: bytes | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    drop: bool = False  # close the connection without answering


DROP = Reply(drop=True)


def err(status: int, payload: Any = None, **headers: str) -> Reply:
    return Reply(status=status, payload=payload or {"error": f"status {status}"}, headers=headers)


def video(status: int, percent: float | None = None, **fields: Any) -> dict[str, Any]:
    """A ``GET videos/{videoId}`` body."""
    body: dict[str, Any] = {"id": "998877665544332211", "videoId": VID, "status": status}
    if percent is not None:
        body["percent"] = percent
    if status == 2:
        body.update(
            percent=100,
            statusFinal=True,
            videoURL="https://cdn.test/marked.mp4",
            downloadURL="https://cdn.test/clean.mp4",
        )
    body.update(fields)
    return body


@dataclasses.dataclass
class Media:
    """How the media route answers one request."""

    ranges: bool = True  # honour ``Range`` with a 206
    cut_after: int | None = None  # send only this many body bytes, then drop the connection
    total: int | None = None  # the total announced in ``Content-Range`` (default: the truth)
    status: int | None = None  # answer this error status instead
    redirect: str | None = None  # answer 302 to this URL
    gzip: bool = False  # gzip the body (with its Content-Length) when the client accepts it
    content_type: str = "video/mp4"
    etag: str | None = '"v1"'  # the strong validator sent (and checked against If-Range)


@dataclasses.dataclass
class Seen:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() on arrival


class FakeAPI:
    """A real HTTP server (own loop, own thread) with scripted API answers and media files."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._scripts: dict[str, list[Reply]] = {}
        self._media: dict[str, tuple[bytes, list[Media]]] = {}
        app = web.Application()
        app.router.add_route("*", "/v1/minimax/{tail:.*}", self._api)
        app.router.add_get("/media/{name}", self._serve_media)
        self._app = app
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: TestServer | None = None

    # lifecycle
    def start(self) -> FakeAPI:
        self._thread.start()
        self._server = self._run(self._start())
        return self

    async def _start(self) -> TestServer:
        server = TestServer(self._app)
        await server.start_server()
        return server

    def stop(self) -> None:
        if self._server is not None:
            self._run(self._server.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    # addresses
    def url(self, path: str) -> str:
        assert self._server is not None
        return str(self._server.make_url(path))

    @property
    def base_url(self) -> str:
        return self.url("/v1/minimax")

    def media_url(self, name: str) -> str:
        return self.url(f"/media/{name}")

    # scripting
    def script(self, method: str, path: str, *replies: Reply | dict[str, Any]) -> None:
        """Answers of ``method path`` (path under ``/v1/minimax/``), in order; the last repeats."""
        self._scripts[f"{method} {path}"] = [
            r if isinstance(r, Reply) else Reply(payload=r) for r in replies
        ]

    def media(self, name: str, data: bytes, *plans: Media) -> str:
        """Serve ``data`` at ``/media/{name}``; ``plans`` per request, the last repeats."""
        self._media[name] = (data, list(plans) or [Media()])
        return self.media_url(name)

    # inspection
    def calls(self, method: str = "GET", path: str = VIDEO_PATH) -> list[Seen]:
        full = f"/v1/minimax/{path}" if not path.startswith("/") else path
        return [r for r in self.requests if r.method == method and r.path == full]

    async def wait_for_requests(self, count: int, *, limit: float = 5.0) -> None:
        with anyio.fail_after(limit):
            # The list grows on the server's thread: no Event to wait on, so look often.
            while len(self.requests) < count:  # noqa: ASYNC110
                await anyio.sleep(0.002)

    # handlers (they run on the server's loop)
    async def _record(self, request: web.Request) -> Seen:
        seen = Seen(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            body=await request.read(),
            at=time.monotonic(),
        )
        self.requests.append(seen)
        return seen

    async def _api(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        key = f"{request.method} {request.match_info['tail']}"
        replies = self._scripts.get(key)
        if not replies:
            return web.json_response({"error": f"unscripted {key}"}, status=418)
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.drop:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if reply.body is not None:
            return web.Response(status=reply.status, body=reply.body, headers=reply.headers)
        return web.json_response(reply.payload, status=reply.status, headers=reply.headers)

    async def _serve_media(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        data, plans = self._media[request.match_info["name"]]
        plan = plans.pop(0) if len(plans) > 1 else plans[0]
        if plan.redirect is not None:
            raise web.HTTPFound(plan.redirect)
        if plan.status is not None:
            return web.Response(status=plan.status, text="denied")
        status, start = 200, 0
        headers = {"Content-Type": plan.content_type}
        if plan.etag is not None:
            headers["ETag"] = plan.etag
        if plan.ranges:
            headers["Accept-Ranges"] = "bytes"
            match = re.fullmatch(r"bytes=(\d+)-", request.headers.get("Range", ""))
            if_range = request.headers.get("If-Range")
            if if_range is not None and if_range != plan.etag:
                match = None  # RFC 9110: another file now, send all of it
            if match:
                start = int(match.group(1))
                if start >= len(data):
                    return web.Response(
                        status=416, headers={"Content-Range": f"bytes */{len(data)}"}
                    )
                status = 206
                total = plan.total if plan.total is not None else len(data)
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{total}"
        body = data[start:]
        if plan.gzip and "gzip" in request.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        response = web.StreamResponse(status=status, headers=headers)
        response.content_length = len(body)
        await response.prepare(request)
        if plan.cut_after is not None:
            await response.write(body[: plan.cut_after])
            await asyncio.sleep(0.01)
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write(body)
        await response.write_eof()
        return response


class Sleeper:
    """The client's ``_sleep`` seam: records each delay, really sleeps at most ``cap`` seconds."""

    def __init__(self, cap: float = 0.02) -> None:
        self.cap = cap
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await anyio.sleep(min(delay, self.cap))


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    fake = FakeAPI().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


@pytest.fixture
async def client(api: FakeAPI, sleeper: Sleeper) -> AsyncIterator[AsyncMiniMax]:
    """A client of the fake API that does not retry by itself: the poll loop sees every error."""
    mm = AsyncMiniMax(TOKEN, base_url=api.base_url, max_retries=0)
    mm._sleep = sleeper
    async with mm:
        yield mm


def within(value: float, expected: float, jitter: float = 0.2) -> bool:
    return expected * (1 - jitter) - 1e-9 <= value <= expected * (1 + jitter) + 1e-9


# -- the schedule ------------------------------------------------------------------------


EXPECTED_DEFAULT = [2.0, 3.0, 4.5, 6.75, 10.0, 10.0, 10.0, 10.0]


def test_default_schedule_grows_x1_5_to_a_10_s_cap_with_20_percent_jitter() -> None:
    for _ in range(200):
        delays = PollSchedule().delays()
        got = [delays() for _ in EXPECTED_DEFAULT]
        assert all(within(g, e) for g, e in zip(got, EXPECTED_DEFAULT, strict=True)), got


def test_default_schedule_without_jitter_is_exact() -> None:
    delays = PollSchedule(jitter=0.0).delays()
    assert [delays() for _ in EXPECTED_DEFAULT] == EXPECTED_DEFAULT


def test_jitter_spreads_waits_started_together() -> None:
    firsts = {PollSchedule().delays()() for _ in range(50)}
    assert len(firsts) > 40
    assert min(firsts) < 1.9
    assert max(firsts) > 2.1


def test_fixed_schedule() -> None:
    delays = PollSchedule.fixed(0.25).delays()
    assert [delays() for _ in range(5)] == [0.25] * 5


@pytest.mark.parametrize("bad", [0, -1.0, True, "1", None])
def test_fixed_schedule_rejects_invalid_intervals(bad: Any) -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        PollSchedule.fixed(bad)


async def test_wait_for_video_follows_the_default_schedule(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    api.script(
        "GET",
        VIDEO_PATH,
        video(11),
        video(0),
        video(1, 10),
        video(1, 30),
        video(1, 60),
        video(1, 90),
        video(1, 95),
        video(2),
    )
    result = await client.wait_for_video(VID)
    assert result.status == 2
    polls = api.calls()
    assert len(polls) == 8
    # The first poll comes after the first delay (2 s), each later one after the next delay.
    assert len(sleeper.delays) == len(polls)
    assert all(
        within(d, e) for d, e in zip(sleeper.delays, EXPECTED_DEFAULT[: len(polls)], strict=True)
    ), sleeper.delays


async def test_fixed_poll_interval_is_used_for_every_wait(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    api.script("GET", VIDEO_PATH, video(0), video(1, 50), video(2))
    await client.wait_for_video(VID, poll_interval=0.01)
    assert sleeper.delays == [0.01, 0.01, 0.01]


@pytest.mark.parametrize("bad", [0, -2, True])
async def test_invalid_poll_interval_sends_nothing(
    api: FakeAPI, client: AsyncMiniMax, bad: Any
) -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        await client.wait_for_video(VID, poll_interval=bad)
    assert api.requests == []


@pytest.mark.parametrize("bad", [0, -1, True])
async def test_invalid_timeout_sends_nothing(api: FakeAPI, client: AsyncMiniMax, bad: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        await client.wait_for_video(VID, timeout=bad)
    assert api.requests == []


# -- final states ------------------------------------------------------------------------


async def test_running_states_keep_polling_until_completed(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(11), video(0), video(12), video(1, 40), video(2))
    result = await client.wait_for_video(VID, poll_interval=0.01)
    assert isinstance(result, Video)
    assert result.status == 2
    assert result.video_id == VID
    assert result.download_url == "https://cdn.test/clean.mp4"
    assert len(api.calls()) == 5
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in api.calls())


async def test_failed_video_raises_with_the_result(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(1, 10), video(3, message="upstream error"))
    with pytest.raises(GenerationFailedError) as info:
        await client.wait_for_video(VID, poll_interval=0.01)
    assert isinstance(info.value.result, Video)
    assert info.value.result.status == 3
    assert info.value.result.message == "upstream error"


@pytest.mark.parametrize("status", [5, 7, 14])
async def test_moderated_video_raises_with_the_result(
    api: FakeAPI, client: AsyncMiniMax, status: int
) -> None:
    api.script("GET", VIDEO_PATH, video(0), video(status))
    with pytest.raises(GenerationModeratedError) as info:
        await client.wait_for_video(VID, poll_interval=0.01)
    assert info.value.result.status == status
    assert not isinstance(info.value, GenerationFailedError)


@pytest.mark.parametrize("status", [3, 5, 7, 14])
async def test_raise_on_failure_false_returns_the_final_model(
    api: FakeAPI, client: AsyncMiniMax, status: int
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 20), video(status))
    result = await client.wait_for_video(VID, poll_interval=0.01, raise_on_failure=False)
    assert result.status == status
    assert result.is_final


async def test_unknown_status_keeps_polling_until_status_final(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script(
        "GET", VIDEO_PATH, video(42), video(42, statusFinal=False), video(42, statusFinal=True)
    )
    with pytest.raises(GenerationFailedError) as info:
        await client.wait_for_video(VID, poll_interval=0.01)
    assert info.value.result.status == 42
    assert len(api.calls()) == 3


async def test_unknown_status_then_completed(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(99), video(2))
    assert (await client.wait_for_video(VID, poll_interval=0.01)).status == 2


# -- 404: removed, or not visible yet --------------------------------------------------------


NOT_FOUND = err(404, {"error": "Not found.", "code": 404})


async def test_404_after_the_video_was_seen_means_moderated_and_removed(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 60), NOT_FOUND)
    with pytest.raises(GenerationModeratedError) as info:
        await client.wait_for_video(VID, poll_interval=0.01)
    removed = info.value.result
    assert removed.status == 1  # the last snapshot seen...
    assert removed.percent == 60
    assert removed.status_final is True  # ...marked final
    assert removed.status_label == "removed"
    assert len(api.calls()) == 2  # final: no more polls


async def test_removed_video_is_returned_when_not_raising(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(0), NOT_FOUND)
    result = await client.wait_for_video(VID, poll_interval=0.01, raise_on_failure=False)
    assert result.status_label == "removed"
    assert result.status_final is True


async def test_404_before_the_video_was_seen_is_retried_within_the_grace_window(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, NOT_FOUND, NOT_FOUND, NOT_FOUND, video(0), video(2))
    result = await client.wait_for_video(VID, poll_interval=0.01)
    assert result.status == 2
    assert len(api.calls()) == 5


async def test_404_that_lasts_past_the_grace_window_raises_not_found(
    api: FakeAPI, client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "NOT_FOUND_GRACE", 0.15)
    api.script("GET", VIDEO_PATH, NOT_FOUND)
    started = time.monotonic()
    with pytest.raises(NotFoundError):
        await client.wait_for_video(VID, poll_interval=0.01)
    elapsed = time.monotonic() - started
    assert 0.15 <= elapsed < 1.0
    assert len(api.calls()) > 2


def test_the_grace_window_is_10_seconds() -> None:
    # Issue 13: shortened from the contract's 30 s (a wrong id must fail fast).
    assert polling.NOT_FOUND_GRACE == 10.0


async def test_deadline_shorter_than_the_grace_window_times_out_without_a_snapshot(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, NOT_FOUND)
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_video(VID, poll_interval=0.01, timeout=0.15)
    assert info.value.result is None


# -- transient and permanent errors ----------------------------------------------------------


TRANSIENT = {
    "500": err(500),
    "502": err(502),
    "503": err(503),
    "504": err(504),
    "429": err(429, {"error": "Too many requests"}),
    "408": err(408),
    "dropped": DROP,
    "html-502": Reply(status=502, body=b"<html>Bad gateway</html>"),
    "invalid-json-200": Reply(body=b"{not json"),
}


@pytest.mark.parametrize("failure", list(TRANSIENT))
async def test_transient_errors_never_end_the_wait(
    api: FakeAPI, client: AsyncMiniMax, failure: str
) -> None:
    bad = TRANSIENT[failure]
    api.script("GET", VIDEO_PATH, bad, video(1, 20), bad, bad, video(2))
    result = await client.wait_for_video(VID, poll_interval=0.01)
    assert result.status == 2
    assert len(api.calls()) == 5


async def test_transient_errors_before_the_first_snapshot(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, DROP, err(503), err(429), video(2))
    assert (await client.wait_for_video(VID, poll_interval=0.01)).status == 2


async def test_read_timeouts_never_end_the_wait(api: FakeAPI, client: AsyncMiniMax) -> None:
    impatient = client.with_options(timeout=Timeout(connect=1.0, read=0.05))
    api.script("GET", VIDEO_PATH, Reply(payload=video(1), delay=0.3), video(2))
    result = await impatient.wait_for_video(VID, poll_interval=0.01)
    assert result.status == 2
    assert len(api.calls()) == 2


async def test_client_retries_and_poll_loop_work_together(api: FakeAPI, sleeper: Sleeper) -> None:
    api.script("GET", VIDEO_PATH, err(502), err(503), err(500), err(502), video(2))
    async with AsyncMiniMax(TOKEN, base_url=api.base_url) as mm:  # max_retries=2
        mm._sleep = sleeper
        assert (await mm.wait_for_video(VID, poll_interval=0.01)).status == 2
    assert len(api.calls()) == 5


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (err(401, {"error": "Unauthorized", "code": 401}), AuthenticationError),
        (err(400, {"error": "bad id", "code": 400}), BadRequestError),
    ],
)
async def test_permanent_errors_end_the_wait(
    api: FakeAPI, client: AsyncMiniMax, reply: Reply, error: type[Exception]
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 10), reply)
    with pytest.raises(error):
        await client.wait_for_video(VID, poll_interval=0.01)
    assert len(api.calls()) == 2


# -- deadline --------------------------------------------------------------------------------


async def test_deadline_raises_wait_timeout_with_the_last_snapshot(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(11), video(1, 40))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_video(VID, poll_interval=0.01, timeout=0.3)
    elapsed = time.monotonic() - started
    assert isinstance(info.value, TimeoutError)
    assert info.value.result.status == 1
    assert info.value.result.percent == 40
    assert 0.29 <= elapsed < 0.8
    assert api.calls("POST", "videos/cancel") == []  # the remote job is left alone


async def test_deadline_during_transient_errors_keeps_the_last_snapshot(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 20), DROP, err(503))
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_video(VID, poll_interval=0.01, timeout=0.2)
    assert info.value.result.percent == 20
    assert len(api.calls()) > 3


async def test_deadline_interrupts_a_slow_request(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(1, 5), Reply(payload=video(1, 50), delay=3.0))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_video(VID, poll_interval=0.01, timeout=0.3)
    assert time.monotonic() - started < 1.0
    assert info.value.result.percent == 5


async def test_deadline_interrupts_a_long_poll_delay(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    sleeper.cap = 60.0  # really sleep: the 2 s first delay must be cut by the 0.2 s deadline
    api.script("GET", VIDEO_PATH, video(1))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError):
        await client.wait_for_video(VID, timeout=0.2)
    assert time.monotonic() - started < 1.0


async def test_cancel_on_timeout_sends_exactly_one_cancel(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 30))
    api.script("POST", "videos/cancel", {})
    with pytest.raises(WaitTimeoutError) as info:
        await client.wait_for_video(VID, poll_interval=0.01, timeout=0.2, cancel_on_timeout=True)
    assert info.value.result.percent == 30
    cancels = api.calls("POST", "videos/cancel")
    assert len(cancels) == 1
    assert json.loads(cancels[0].body) == {"videoId": VID}
    assert cancels[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_cancel_on_timeout_is_best_effort(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(1, 30))
    api.script("POST", "videos/cancel", err(500))
    with pytest.raises(WaitTimeoutError):
        await client.wait_for_video(VID, poll_interval=0.01, timeout=0.2, cancel_on_timeout=True)
    assert len(api.calls("POST", "videos/cancel")) == 1


async def test_cancel_on_timeout_is_bounded(
    api: FakeAPI, client: AsyncMiniMax, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "CANCEL_ON_TIMEOUT_LIMIT", 0.2)
    api.script("GET", VIDEO_PATH, video(1, 30))
    api.script("POST", "videos/cancel", Reply(payload={}, delay=5.0))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError):
        await client.wait_for_video(VID, poll_interval=0.01, timeout=0.2, cancel_on_timeout=True)
    assert time.monotonic() - started < 1.0
    assert len(api.calls("POST", "videos/cancel")) == 1


def test_cancel_on_timeout_limit_is_5_seconds() -> None:
    assert polling.CANCEL_ON_TIMEOUT_LIMIT == 5.0


async def test_no_cancel_for_final_or_failed_waits(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(1), err(401))
    with pytest.raises(AuthenticationError):
        await client.wait_for_video(VID, poll_interval=0.01, cancel_on_timeout=True)
    api.script("GET", VIDEO_PATH, video(2))
    await client.wait_for_video(VID, poll_interval=0.01, cancel_on_timeout=True)
    assert api.calls("POST", "videos/cancel") == []


async def test_timeout_none_waits_as_long_as_needed(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(0), video(2))
    assert (await client.wait_for_video(VID, poll_interval=0.01, timeout=None)).status == 2


# -- cancellation ----------------------------------------------------------------------------


def _only_current_task_left() -> bool:
    return asyncio.all_tasks() == {asyncio.current_task()}


async def test_cancelling_the_waiting_task_sends_nothing_more(
    api: FakeAPI, client: AsyncMiniMax, sleeper: Sleeper
) -> None:
    sleeper.cap = 60.0
    api.script("GET", VIDEO_PATH, video(1, 10))
    api.script("POST", "videos/cancel", {})
    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: client.wait_for_video(VID, poll_interval=0.2, cancel_on_timeout=True))
        await api.wait_for_requests(1)
        await anyio.sleep(0.05)  # the first answer is in; the loop sleeps before the next poll
        tg.cancel_scope.cancel()
    seen = len(api.requests)
    await anyio.sleep(0.4)
    assert len(api.requests) == seen == 1
    assert api.calls("POST", "videos/cancel") == []  # the remote job is left alone
    assert _only_current_task_left()


async def test_cancelling_during_a_request_sends_nothing_more(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, Reply(payload=video(1), delay=0.3))
    task = asyncio.create_task(client.wait_for_video(VID, poll_interval=0.01))
    await api.wait_for_requests(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await anyio.sleep(0.4)
    assert len(api.requests) == 1
    assert _only_current_task_left()


# -- progress --------------------------------------------------------------------------------


PROGRESS_SCRIPT = [
    video(11),
    video(11),
    video(0),
    video(0),
    video(1, 10),
    video(1, 10),
    video(1, 40),
    video(1, 40),
    video(2),
]
PROGRESS_SEEN = [(11, None), (0, None), (1, 10), (1, 40), (2, 100)]


async def test_sync_on_progress_is_called_once_per_change_in_order(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, *PROGRESS_SCRIPT)
    seen: list[tuple[int | None, float | None]] = []
    result = await client.wait_for_video(
        VID, poll_interval=0.01, on_progress=lambda v: seen.append((v.status, v.percent))
    )
    assert seen == PROGRESS_SEEN
    assert result.status == 2


async def test_async_on_progress_is_awaited_once_per_change_in_order(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, *PROGRESS_SCRIPT)
    seen: list[tuple[int | None, float | None]] = []

    async def on_progress(v: Video) -> None:
        await anyio.lowlevel.checkpoint()
        seen.append((v.status, v.percent))

    await client.wait_for_video(VID, poll_interval=0.01, on_progress=on_progress)
    assert seen == PROGRESS_SEEN


async def test_on_progress_sees_the_failed_snapshot_before_the_error(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 50), video(3))
    seen: list[int | None] = []
    with pytest.raises(GenerationFailedError):
        await client.wait_for_video(
            VID, poll_interval=0.01, on_progress=lambda v: seen.append(v.status)
        )
    assert seen == [1, 3]


async def test_on_progress_errors_propagate(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(1, 50), video(2))

    def boom(_: Video) -> None:
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        await client.wait_for_video(VID, poll_interval=0.01, on_progress=boom)
    assert len(api.calls()) == 1


# -- watch_video -----------------------------------------------------------------------------


async def test_watch_video_yields_each_change_and_ends_at_final(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, *PROGRESS_SCRIPT)
    seen = [(v.status, v.percent) async for v in client.watch_video(VID, poll_interval=0.01)]
    assert seen == PROGRESS_SEEN
    assert len(api.calls()) == len(PROGRESS_SCRIPT)


async def test_watch_video_does_not_raise_for_failed_or_removed_videos(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 10), video(3))
    snapshots = [v async for v in client.watch_video(VID, poll_interval=0.01)]
    assert [v.status for v in snapshots] == [1, 3]

    api.script("GET", VIDEO_PATH, video(1, 10), NOT_FOUND)
    snapshots = [v async for v in client.watch_video(VID, poll_interval=0.01)]
    assert [v.status_label for v in snapshots] == [None, "removed"]


async def test_watch_video_deadline(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(1, 10))
    seen: list[Video] = []
    with pytest.raises(WaitTimeoutError) as info:
        async for snapshot in client.watch_video(VID, poll_interval=0.01, timeout=0.2):
            seen.append(snapshot)
    assert len(seen) == 1
    assert info.value.result == seen[0]


async def test_watch_video_cancel_on_timeout(api: FakeAPI, client: AsyncMiniMax) -> None:
    api.script("GET", VIDEO_PATH, video(1, 10))
    api.script("POST", "videos/cancel", {})
    with pytest.raises(WaitTimeoutError):
        async for _ in client.watch_video(
            VID, poll_interval=0.01, timeout=0.15, cancel_on_timeout=True
        ):
            pass
    assert len(api.calls("POST", "videos/cancel")) == 1


async def test_breaking_out_of_watch_video_stops_polling(
    api: FakeAPI, client: AsyncMiniMax
) -> None:
    api.script("GET", VIDEO_PATH, video(1, 10), video(1, 20), video(1, 30), video(2))
    watch = client.watch_video(VID, poll_interval=0.01)
    async for snapshot in watch:
        assert snapshot.percent == 10
        break
    await watch.aclose()  # type: ignore[attr-defined]
    await anyio.sleep(0.1)
    assert len(api.calls()) == 1
