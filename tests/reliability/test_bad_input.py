"""Hypothesis properties: arbitrary answers and arbitrary ids never surprise the SDK.

* Any body (JSON of any shape, broken JSON, binary junk) with any status, served by a tiny
  ``TestServer`` for ``videos.retrieve``, ``videos.create`` and ``scheduler.list``, either
  structures into the model or raises a typed SDK error: ``ResponseDecodeError`` for an
  unreadable 2xx, a :class:`MiniMaxError` subclass otherwise. Never a ``KeyError``,
  ``TypeError``, ``AttributeError`` ...
* Any text given as an id to any id-taking method either raises ``ValueError`` before anything
  is sent, or reaches the wire unchanged (the server decodes exactly that id; ``:`` and ``@``
  stay literal in paths).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minimax_async import (
    APIStatusError,
    AsyncMiniMax,
    JobCreationUnknownError,
    MiniMaxError,
    ResponseDecodeError,
    ScheduledJob,
    StreamError,
    Timeout,
    Video,
    VideoJob,
)

from ._support import InstantSleep

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PREFIX = "/v1/minimax"
TOKEN = "user:1-bad-input-token"

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@attrs.define
class Seen:
    method: str
    raw_path: str
    query: dict[str, str]
    body: bytes


@attrs.define
class Stub:
    """What the server answers next, and what it received."""

    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    headers: dict[str, str] = attrs.Factory(dict)
    seen: list[Seen] = attrs.Factory(list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(
            Seen(request.method, request.raw_path, dict(request.query), await request.read())
        )
        return web.Response(
            status=self.status,
            body=self.body,
            headers={**self.headers, "Content-Type": self.content_type},
        )


@attrs.define
class Harness:
    stub: Stub
    mm: AsyncMiniMax


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    stub = Stub()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stub.handle)
    async with TestServer(app) as server:
        mm = AsyncMiniMax(
            TOKEN,
            base_url=str(server.make_url(PREFIX)),
            max_retries=1,
            timeout=Timeout(connect=5, read=5),
        )
        mm._sleep = InstantSleep()
        async with mm:
            yield Harness(stub, mm)


# -- arbitrary answers ----------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
#: Objects with the keys the models know, holding anything.
KEYS = [
    "id",
    "videoId",
    "status",
    "statusLabel",
    "statusFinal",
    "percent",
    "message",
    "videoURL",
    "downloadURL",
    "coverURL",
    "width",
    "height",
    "originFiles",
    "replyRef",
    "replyUrl",
    "task",
    "batchID",
    "videoIDs",
    "started",
    "elapsed",
    "imageId",
    "error",
    "code",
]
SHAPED = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8)
DOCUMENT = SHAPED | st.lists(SHAPED, max_size=3) | JSON
BODY = (
    DOCUMENT.map(lambda doc: json.dumps(doc).encode())
    | DOCUMENT.map(lambda doc: json.dumps(doc).encode()[:-1])  # cut short
    | st.binary(max_size=64)
    | st.sampled_from([b"", b"null", b"<!doctype html><h1>502</h1>", b"\xff\xfe", b"NaN"])
)
STATUS = st.sampled_from(
    [
        200,
        200,
        200,
        201,
        202,
        204,
        299,
        400,
        401,
        403,
        404,
        408,
        409,
        412,
        422,
        429,
        500,
        502,
        503,
        504,
        596,
        599,
    ]
)
CONTENT_TYPE = st.sampled_from(["application/json", "text/html", "text/plain", "application/x"])
HEADERS = st.dictionaries(
    st.sampled_from(["Retry-After", "X-Request-Id", "Trace-Id"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
    max_size=2,
)


def serve(stub: Stub, status: int, body: bytes, ctype: str, headers: dict[str, str]) -> None:
    stub.status, stub.body, stub.content_type, stub.headers = status, body, ctype, headers


def check(outcome: Any, status: int, ok_type: type[Any] | Callable[[Any], bool]) -> None:
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, MiniMaxError), repr(outcome)
        if 200 <= status < 300:
            # A 2xx the SDK cannot read is a decode error (for a create: an unknown outcome).
            assert isinstance(outcome, (ResponseDecodeError, JobCreationUnknownError)), outcome
        return
    assert ok_type(outcome) if not isinstance(ok_type, type) else isinstance(outcome, ok_type)


async def outcome_of(call: Awaitable[Any]) -> Any:
    try:
        return await call
    except MiniMaxError as exc:
        return exc
    # Anything else propagates and fails the property.


@PROPERTY
@given(status=STATUS, body=BODY, ctype=CONTENT_TYPE, headers=HEADERS)
async def test_retrieve_any_answer(
    harness: Harness, status: int, body: bytes, ctype: str, headers: dict[str, str]
) -> None:
    serve(harness.stub, status, body, ctype, headers)
    outcome = await outcome_of(harness.mm.videos.retrieve("user:1-minimax:2-video:3"))
    check(outcome, status, Video)
    if isinstance(outcome, APIStatusError):
        assert outcome.status_code == status


@PROPERTY
@given(status=STATUS, body=BODY, ctype=CONTENT_TYPE, headers=HEADERS)
async def test_create_any_answer(
    harness: Harness, status: int, body: bytes, ctype: str, headers: dict[str, str]
) -> None:
    """The same answer for the create and for its scheduler look-ups."""
    serve(harness.stub, status, body, ctype, headers)
    outcome = await outcome_of(harness.mm.videos.create(prompt="a cat on a piano"))
    check(outcome, status, VideoJob)


@PROPERTY
@given(status=STATUS, body=BODY, ctype=CONTENT_TYPE, headers=HEADERS)
async def test_scheduler_any_answer(
    harness: Harness, status: int, body: bytes, ctype: str, headers: dict[str, str]
) -> None:
    serve(harness.stub, status, body, ctype, headers)
    outcome = await outcome_of(harness.mm.scheduler.list())
    check(outcome, status, lambda jobs: all(isinstance(j, ScheduledJob) for j in jobs))


@PROPERTY
@given(entries=st.lists(SHAPED, max_size=4), ref=st.text(min_size=1, max_size=12))
async def test_reconcile_never_trips_on_odd_scheduler_entries(
    harness: Harness, entries: list[dict[str, Any]], ref: str
) -> None:
    """Scheduler entries of any shape: a match or nothing, never a crash."""
    serve(harness.stub, 200, json.dumps(entries).encode(), "application/json", {})
    try:
        found = await harness.mm.scheduler.find_by_reply_ref(ref, checks=1)
    except ResponseDecodeError:
        return
    assert all(job.reply_ref == ref and job.video_id for job in found)


# -- arbitrary ids ------------------------------------------------------------------------------

IdCall = Callable[[AsyncMiniMax, str], Awaitable[Any]]


class Where(str):
    """Where the id travels: a path segment, a JSON body field, or a query parameter."""


PATH, BODY_FIELD, QUERY = Where("path"), Where("body"), Where("query")

ID_METHODS: dict[str, tuple[IdCall, Where, str]] = {
    "videos.retrieve": (lambda mm, i: mm.videos.retrieve(i), PATH, "videos/"),
    "videos.delete": (lambda mm, i: mm.videos.delete(i), PATH, "videos/"),
    "videos.cancel": (lambda mm, i: mm.videos.cancel(i), BODY_FIELD, "videoId"),
    "videos.agent_template": (lambda mm, i: mm.videos.agent_template(i), QUERY, "templateId"),
    "videos.list(account)": (lambda mm, i: mm.videos.list(account=i), QUERY, "account"),
    "images.retrieve": (lambda mm, i: mm.images.retrieve(i), PATH, "images/"),
    "images.delete": (lambda mm, i: mm.images.delete(i), PATH, "images/"),
    "agent.retrieve": (lambda mm, i: mm.agent.retrieve(i), PATH, "agent/"),
    "scheduler.delete": (lambda mm, i: mm.scheduler.delete(i), PATH, "scheduler/"),
    "files.delete": (lambda mm, i: mm.files.delete(i), PATH, "files/"),
    "accounts.retrieve": (lambda mm, i: mm.accounts.retrieve(i), PATH, "accounts/"),
    "accounts.delete": (lambda mm, i: mm.accounts.delete(i), PATH, "accounts/"),
    "music.retrieve": (lambda mm, i: mm.music.retrieve(i), PATH, "music/"),
    "audio.retrieve": (lambda mm, i: mm.audio.retrieve(i), PATH, "audio/"),
    "audio.delete": (lambda mm, i: mm.audio.delete(i), PATH, "audio/"),
    "audio.delete_voice": (lambda mm, i: mm.audio.delete_voice(i), BODY_FIELD, "voice_id"),
    "llm.retrieve": (lambda mm, i: mm.llm.retrieve(i), PATH, "llm/"),
    "wait_for_video": (
        lambda mm, i: mm.wait_for_video(i, poll_interval=0.01, timeout=5),
        PATH,
        "videos/",
    ),
    "wait_for_agent_job": (
        lambda mm, i: mm.wait_for_agent_job(i, poll_interval=0.01, timeout=5),
        PATH,
        "agent/",
    ),
}
IDS = (
    st.text(max_size=24)
    | st.text(
        alphabet=st.sampled_from(list(":@/-._~%?#\\ +!$&'()*,;=[]<>\"é€\u200b\x00")), max_size=12
    )
    | st.from_regex(
        r"user:[0-9]{1,6}-minimax:[0-9]{1,9}-(video|image|music):[0-9]{1,18}", fullmatch=True
    )
)


# What each call's model requires (ids and statuses are never missing from a success body).
_REQUIRED = {
    "videos.retrieve": {"videoId": "v", "status": 2},
    "images.retrieve": {"imageId": "i", "status": 2},
    "music.retrieve": {"musicId": "m", "status": 2},
    "audio.retrieve": {"audio_id": "a"},
    "agent.retrieve": {"jobId": "x", "status": "completed"},
}


def answer_for(name: str) -> bytes:
    if name.startswith("wait_for_agent"):
        return json.dumps({"jobId": "x", "status": "completed"}).encode()
    if name.startswith("wait_for"):
        return json.dumps({"videoId": "v", "status": 2, "statusFinal": True}).encode()
    if name.startswith("videos.list"):
        return b"[]"
    return json.dumps(_REQUIRED.get(name, {})).encode()


@PROPERTY
@given(name=st.sampled_from(sorted(ID_METHODS)), ident=IDS)
async def test_ids_refused_or_sent_unchanged(harness: Harness, name: str, ident: str) -> None:
    call, where, key = ID_METHODS[name]
    stub = harness.stub
    serve(stub, 200, answer_for(name), "application/json", {})
    stub.seen.clear()
    try:
        await call(harness.mm, ident)
    except ValueError:
        assert stub.seen == [], f"{name}({ident!r}) raised ValueError after sending"
        return
    assert stub.seen, f"{name}({ident!r}) sent nothing"
    request = stub.seen[0]
    if where is PATH:
        prefix = f"{PREFIX}/{key}"
        assert request.raw_path.startswith(prefix), request.raw_path
        raw = request.raw_path[len(prefix) :].split("?", 1)[0]
        assert "/" not in raw, f"{ident!r} became more than one path segment: {raw!r}"
        assert urllib.parse.unquote(raw, errors="strict") == ident
        for literal in ":@":
            assert raw.count(literal) == ident.count(literal), raw
    elif where is BODY_FIELD:
        assert json.loads(request.body)[key] == ident
    else:
        assert request.query[key] == ident


# -- arbitrary stream events ------------------------------------------------------------------

EVENT_KEYS = [
    "status",
    "videoId",
    "message",
    "attachmentInfo",
    "attachments",
    "file",
    "fileUrl",
    "errCode",
    "errMsg",
    "type",
    "timestamp",
    "code",
    "msgContent",
    "extra",
]
EVENT = (
    st.fixed_dictionaries(
        {"status": st.sampled_from(["created", "connected", "heartbeat", "progress", "x"])},
        optional={k: JSON for k in EVENT_KEYS if k != "status"}
        | {"message": st.dictionaries(st.sampled_from(EVENT_KEYS), JSON, max_size=4)},
    )
    | JSON
)
EVENT_DATA = EVENT.map(json.dumps) | st.text(max_size=40)


@PROPERTY
@given(events=st.lists(EVENT_DATA, max_size=6), finish=st.booleans())
async def test_agent_stream_any_events(harness: Harness, events: list[str], finish: bool) -> None:
    """Events of any shape: the stream yields them or raises a ``StreamError``, nothing else."""
    lines = [f"data: {line}" for data in events for line in data.splitlines() or [""]]
    body = "".join(f"{line}\n\n" for line in lines)
    if finish:
        body += 'data: {"status": "finished"}\n\n'
    serve(harness.stub, 200, body.encode(), "text/event-stream", {})
    stream = harness.mm.stream_agent(template_id="1122334455667788")
    failure: StreamError | None = None
    try:
        async with stream:
            async for _ in stream:
                pass
    except StreamError as exc:
        failure = exc
    if failure is None:
        assert stream.finished
    else:
        assert failure.seen["reply_ref"] == stream.reply_ref
