"""The aiohttp.web application: routing, auth, fault injection, streams and the route handlers.

Every API route lives under ``/v1/minimax`` (trailing slashes are ignored, path segments are
percent-decoded so ids with ``:`` and ``@`` work either way); media files are served under
``/media/`` without auth. Handlers return a :class:`Reply` (rendered by the dispatcher, which
applies the fault of the request) or a :class:`Streamer` (SSE, WebSocket, long-running sync
calls), which applies it itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import secrets
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import attrs
from aiohttp import web

from . import _payloads as P
from ._faults import AFTER_ACCEPT_KINDS, BEFORE_HANDLER_KINDS, FaultRule, Faults
from ._media import MP3_CHUNK_PREFIX, mp3_bytes, mp3_frames, mp4_bytes, png_bytes
from ._state import (
    Account,
    AgentJob,
    AudioClip,
    CallbackRecord,
    Chat,
    EmulatorState,
    FileRecord,
    Image,
    Music,
    RecordedRequest,
    StreamTicket,
    Triggers,
    Video,
    Voice,
    jwt_user_id,
    mmss,
    parse_id,
    parse_triggers,
)

__all__ = ["API_PREFIX", "AppContext", "Reply", "Streamer", "callback_loop", "create_app"]

API_PREFIX = "/v1/minimax"
MAX_UPLOAD = 5 * 1024**3
#: Uploaded files up to this size are kept and served back at their ``ossPath``.
MAX_STORED_UPLOAD = 16 * 1024**2
UPLOAD_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "video/mp4": "mp4",
}
SAMPLE_TYPES = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/wave": "wav"}

VIDEO_MODELS: dict[str, tuple[str, ...]] = {
    "T2V-01": (),
    "T2V-01-Director": (),
    "I2V-01": (),
    "I2V-01-live": (),
    "I2V-01-Director": (),
    "S2V-01": (),
    "02": ("512p-6sec", "512p-10sec", "768p-6sec", "768p-10sec", "1080p-6sec"),
    "T2V-2.3": ("768p-6sec", "768p-10sec", "1080p-6sec"),
    "I2V-2.3": ("768p-6sec", "768p-10sec", "1080p-6sec"),
    "I2V-2.3-Fast": ("768p-6sec", "768p-10sec", "1080p-6sec"),
    "Sora-2": ("720p-4sec", "720p-8sec", "720p-12sec"),
    "Veo-3.1": ("veo-720p-8sec", "veo-1080p-8sec"),
    "Veo-3.1-Fast": ("veo-720p-8sec", "veo-1080p-8sec"),
    "Veo-3.1-S2V": ("veo-720p-8sec", "veo-1080p-8sec"),
}
IMAGE_REQUIRED_MODELS = frozenset({"I2V-01", "I2V-01-live", "I2V-01-Director", "S2V-01"})
END_FRAME_MODELS = frozenset({"02", "Veo-3.1", "Veo-3.1-Fast"})
IMAGE_MODELS: dict[str, dict[str, Any]] = {
    "image-01": {
        "resolutions": ("HD",),
        "ratios": ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9"),
        "refs": 0,
        "max_prompt": 1250,
    },
    "nano-banana-pro": {
        "resolutions": ("1K", "2K", "4K"),
        "ratios": ("auto", "16:9", "5:4", "4:3", "3:2", "1:1", "2:3", "3:4", "4:5", "9:16", "21:9"),
        "refs": 14,
        "max_prompt": 5000,
    },
    "gpt-image-1.5": {
        "resolutions": ("1K", "2K", "4K"),
        "ratios": ("auto", "1:1", "3:2", "2:3"),
        "refs": 3,
        "max_prompt": 1250,
    },
    "seedream-4.5": {
        "resolutions": ("2K", "4K"),
        "ratios": ("auto", "16:9", "5:4", "4:3", "3:2", "1:1", "2:3", "3:4", "4:5", "9:16", "21:9"),
        "refs": 14,
        "max_prompt": 1250,
    },
}
AGENT_VIDEO_MODELS = frozenset(
    {"hailuo-2.3", "hailuo-2.3-fast", "hailuo-02", "veo-3.1", "veo-3.1-fast", "sora-2"}
)
AGENT_IMAGE_MODELS = frozenset(
    {"nano-banana-2", "nano-banana", "seedream", "kontext", "qwen", "kolors"}
)
AGENT_AUDIO_MODELS = frozenset(
    {"speech-2.5-hd-preview", "speech-2.5-turbo-preview", "minimax-music-2.0"}
)
AGENT_MODELS = AGENT_VIDEO_MODELS | AGENT_IMAGE_MODELS | AGENT_AUDIO_MODELS
TTS_MODELS = frozenset({"speech-02-hd", "speech-01-hd", "speech-02-turbo", "speech-01-turbo"})

HOLD_MESSAGE = (
    "Unusual account activities detected. Please contact customer support at contact@hailuoai.com"
)
CREDITS_MESSAGE = "Insufficient credits. Please recharge to get more credits or try again next day."
SHORT_PROMPT_MESSAGE = "Your prompt is too short, please provide more details"
NOT_FOUND = {"error": "Not found.", "code": 404}
VIDEO_COST = 30

_HTML_PAGE = (
    "<!DOCTYPE html>\n<html>\n<head><title>{code} {reason}</title></head>\n<body>\n"
    "<center><h1>{code} {reason}</h1></center>\n<hr><center>cloudflare</center>\n"
    "</body>\n</html>\n"
)


# ---------------------------------------------------------------------------------------------
# Replies, streamers and the request context
# ---------------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class Reply:
    """A complete answer: JSON ``body`` (``None``: empty body) or ``raw`` bytes."""

    status: int = 200
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = attrs.field(factory=dict)

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode()


def ok(body: Any = None, status: int = 200) -> Reply:
    return Reply(status=status, body=body)


def fail(status: int, message: str, **extra: Any) -> Reply:
    body: dict[str, Any] = {"error": message}
    body.update(extra)
    body["code"] = status
    return Reply(status=status, body=body)


def html_reply(status: int, reason: str) -> Reply:
    page = _HTML_PAGE.format(code=status, reason=reason)
    return Reply(status=status, raw=page.encode(), content_type="text/html")


class Streamer:
    """A handler result that writes its own response (it applies the request's fault)."""

    async def run(self, ctx: Ctx, rule: FaultRule | None) -> web.StreamResponse:
        raise NotImplementedError


Result = Reply | Streamer
Handler = Callable[["Ctx"], Awaitable[Result]]


@attrs.define(eq=False)
class AppContext:
    """What the handlers share: state, faults, the accepted token, shutdown signal."""

    state: EmulatorState
    faults: Faults
    token: str | None
    closing: asyncio.Event = attrs.field(factory=asyncio.Event)


@attrs.define(eq=False)
class Ctx:
    request: web.Request
    app: AppContext
    params: dict[str, str]
    record: RecordedRequest

    @property
    def state(self) -> EmulatorState:
        return self.app.state

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query

    def client_gone(self) -> bool:
        transport = self.request.transport
        return transport is None or transport.is_closing()

    async def wait_real(self, seconds: float) -> bool:
        """Sleep ``seconds`` real time; False if the client left or the emulator closes."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.app.closing.wait(), seconds)
        return not (self.app.closing.is_set() or self.client_gone())

    async def wait_virtual(self, until: float) -> bool:
        """Wait for virtual time ``until``; False if the client left or the emulator closes."""
        clock = self.state.clock
        while True:
            if self.app.closing.is_set() or self.client_gone():
                return False
            delay = clock.real_delay(until)
            if delay == 0.0:
                return True
            cap = 0.25 if delay is None else min(delay, 0.25)
            changed = clock.changed_event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(changed.wait(), cap)

    async def hold_open(self) -> None:
        """Keep the connection open without sending anything until the client leaves."""
        while await self.wait_real(0.1):
            pass


@attrs.define
class Fields:
    values: dict[str, Any]
    files: list[dict[str, Any]]

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")


async def read_fields(ctx: Ctx) -> Fields | Reply:
    """The request body as fields: JSON object, multipart/form-data or urlencoded."""
    request = ctx.request
    ctype = request.content_type
    ctx.record.body_bytes_len = request.content_length or 0
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.post()
        except ValueError as exc:
            return fail(400, f"Invalid form body: {exc}")
        values: dict[str, Any] = {}
        files: list[dict[str, Any]] = []
        for key, value in form.items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                files.append(
                    {"name": value.filename, "size": len(data), "type": value.content_type}
                )
            elif key not in values:
                values[key] = value if isinstance(value, str) else value.decode()
        return Fields(values, files)
    raw = await request.read()
    ctx.record.body_bytes_len = len(raw)
    if not raw.strip():
        return Fields({}, [])
    try:
        parsed = json.loads(raw)
    except ValueError:
        return fail(400, "Request body is not valid JSON")
    if not isinstance(parsed, dict):
        return fail(400, "Request body must be a JSON object")
    return Fields(parsed, [])


def as_bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def as_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Rendering with faults
# ---------------------------------------------------------------------------------------------


def _abort(ctx: Ctx) -> web.StreamResponse:
    transport = ctx.request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=499)


def _corrupt(data: bytes) -> bytes:
    if len(data) < 2:
        return b'{"'
    return data[: max(1, len(data) // 2)]


def _fault_reply(ctx: Ctx, kind: str) -> Reply:
    if kind in ("502", "502_after_accept"):
        return html_reply(502, "Bad Gateway")
    if kind in ("504", "504_after_accept"):
        return fail(504, "Gateway Timeout: the upstream server did not answer in time")
    if kind == "html_error":
        return html_reply(500, "Internal Server Error")
    if kind == "429":
        return _route_429(ctx)
    raise AssertionError(kind)


def _route_429(ctx: Ctx) -> Reply:
    route = ctx.record.route or ""
    if route in ("POST /videos/create", "POST /videos/agent-create"):
        state = ctx.state
        running: dict[str, list[dict[str, Any]]] = {}
        for video in state.running_videos():
            running.setdefault(video.account, []).append(P.running_video_entry(video, state))
        name = next(iter(running), next(iter(state.accounts), ""))
        count = len(running.get(name, []))
        return fail(429, f"Account {name} is busy executing {count} videos", runningVideos=running)
    if route == "POST /images/create":
        return fail(
            429,
            "There are currently multiple tasks in the queue, and only can be generated at once",
        )
    if route == "POST /agent":
        return fail(429, "Agent generation failed")
    return fail(429, "The previous request has not been completed yet. Please try again later.")


async def render(ctx: Ctx, reply: Reply, rule: FaultRule | None) -> web.StreamResponse:
    """Write ``reply``, misbehaving as the fault ``rule`` (if any) says."""
    kind = rule.kind if rule is not None else None
    if kind == "reset_after_accept":
        return _abort(ctx)
    if kind in ("502_after_accept", "504_after_accept"):
        reply = _fault_reply(ctx, kind)
        kind = None
    data = reply.encode()
    headers = dict(reply.headers)
    headers["Content-Type"] = (
        f"{reply.content_type}; charset=utf-8"
        if reply.content_type in ("application/json", "text/html", "text/plain")
        else reply.content_type
    )
    if kind == "malformed_json" and reply.content_type == "application/json":
        data = _corrupt(data)
    if kind not in ("truncate_sse", "stall_sse", "slow_body") or ctx.request.method == "HEAD":
        return web.Response(status=reply.status, body=data, headers=headers)
    resp = web.StreamResponse(status=reply.status, headers=headers)
    resp.content_length = len(data)
    try:
        await resp.prepare(ctx.request)
        if kind == "slow_body":
            await _trickle(ctx, resp, data, rule)
            return resp
        await resp.write(data[: len(data) // 2])
        if kind == "stall_sse":
            await ctx.hold_open()
    except ConnectionError:
        return resp
    return _abort_prepared(ctx, resp)


def _abort_prepared(ctx: Ctx, resp: web.StreamResponse) -> web.StreamResponse:
    transport = ctx.request.transport
    if transport is not None:
        transport.abort()
    return resp


async def _trickle(ctx: Ctx, resp: web.StreamResponse, data: bytes, rule: FaultRule | None) -> None:
    faults = ctx.app.faults
    delay = rule.delay if rule is not None and rule.delay is not None else faults.slow_body_delay
    pieces = max(1, min(faults.slow_body_pieces, len(data)))
    size = -(-len(data) // pieces) if data else 1
    for offset in range(0, len(data), size):
        if offset and not await ctx.wait_real(delay):
            raise ConnectionResetError("client left during slow body")
        await resp.write(data[offset : offset + size])


# ---------------------------------------------------------------------------------------------
# SSE
# ---------------------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class SseEvent:
    due: float  # virtual time
    data: dict[str, Any]
    event: str | None = None

    def encode(self, *, broken: bool = False) -> bytes:
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        if broken:
            payload = payload[: max(1, len(payload) // 2)]
        if self.event is not None:
            return f"event:{self.event}\ndata:{payload}\n\n".encode()
        return f"data: {payload}\n\n".encode()


class SseStream(Streamer):
    """Events released on the virtual clock, with heartbeats when nothing else is sent.

    Faults: ``malformed_json`` breaks the first event's JSON; ``truncate_sse`` sends the first
    ``keep`` events, then half of the next one and closes the connection; ``stall_sse`` sends
    the first ``keep`` events, then nothing (connection kept open); ``slow_body`` trickles each
    event out in pieces.
    """

    def __init__(
        self,
        events: list[SseEvent],
        *,
        keep: int,
        heartbeat: float | None = None,
        on_heartbeat: Callable[[float], dict[str, Any]] | None = None,
    ) -> None:
        self.events = events
        self.keep = keep
        self.heartbeat = heartbeat
        self.on_heartbeat = on_heartbeat

    async def run(self, ctx: Ctx, rule: FaultRule | None) -> web.StreamResponse:
        kind = rule.kind if rule is not None else None
        resp = web.StreamResponse(
            status=200,
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "Connection": "keep-alive",
            },
        )
        clock = ctx.state.clock
        try:
            await resp.prepare(ctx.request)
            last_sent = clock.now()
            index = 0
            while index < len(self.events):
                event = self.events[index]
                if kind in ("truncate_sse", "stall_sse") and index >= self.keep:
                    if kind == "truncate_sse":
                        chunk = event.encode()
                        await resp.write(chunk[: len(chunk) // 2])
                        return _abort_prepared(ctx, resp)
                    await ctx.hold_open()
                    return _abort_prepared(ctx, resp)
                now = clock.now()
                if now >= event.due:
                    data = event.encode(broken=kind == "malformed_json" and index == 0)
                    if kind == "slow_body":
                        await _trickle(ctx, resp, data, rule)
                    else:
                        await resp.write(data)
                    index += 1
                    last_sent = now
                    continue
                target = event.due
                if self.heartbeat is not None and self.on_heartbeat is not None:
                    beat_at = last_sent + self.heartbeat
                    if now >= beat_at:
                        beat = SseEvent(due=now, data=self.on_heartbeat(now))
                        await resp.write(beat.encode())
                        last_sent = now
                        continue
                    target = min(target, beat_at)
                if not await ctx.wait_virtual(target):
                    return _abort_prepared(ctx, resp)
        except ConnectionError:
            return resp
        return resp


# ---------------------------------------------------------------------------------------------
# Routing
# ---------------------------------------------------------------------------------------------


@attrs.define(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    public: bool = False
    segments: tuple[str, ...] = attrs.field(init=False)
    literal_count: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        segments = tuple(s for s in self.template.strip("/").split("/") if s)
        object.__setattr__(self, "segments", segments)
        literals = sum(1 for s in segments if not s.startswith("{"))
        object.__setattr__(self, "literal_count", literals)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        segments = self.segments
        if len(segments) != len(parts):
            return None
        params: dict[str, str] = {}
        for segment, part in zip(segments, parts, strict=True):
            if segment.startswith("{"):
                if not part:
                    return None
                params[segment[1:-1]] = part
            elif segment != part:
                return None
        return params


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, public: bool = False) -> None:
        self.routes.append(Route(method, template, handler, public))

    def resolve(self, method: str, parts: list[str]) -> tuple[Route, dict[str, str]] | int:
        """The best route for ``parts`` (most literal segments wins), or 404 / 405."""
        candidates = []
        for route in self.routes:
            params = route.match(parts)
            if params is not None:
                candidates.append((route, params))
        if not candidates:
            return 404
        allowed = [
            c
            for c in candidates
            if c[0].method == method or (method == "HEAD" and c[0].method == "GET")
        ]
        if not allowed:
            return 405
        allowed.sort(key=lambda c: -c[0].literal_count)
        return allowed[0]


def _split_path(raw_path: str) -> list[str]:
    return [urllib.parse.unquote(p) for p in raw_path.strip("/").split("/") if p != ""]


def _authorized(ctx: Ctx) -> bool:
    header = ctx.request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return False
    expected = ctx.app.token
    return expected is None or secrets.compare_digest(value, expected)


async def _drain(ctx: Ctx) -> None:
    total = 0
    with contextlib.suppress(Exception):
        async for chunk in ctx.request.content.iter_any():
            total += len(chunk)
    ctx.record.body_bytes_len = max(ctx.record.body_bytes_len, total)


def make_dispatcher(
    app_ctx: AppContext, router: Router, media: Router
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    state = app_ctx.state

    async def dispatch(request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        method = request.method
        if raw_path == API_PREFIX or raw_path.startswith(API_PREFIX + "/"):
            rel = raw_path[len(API_PREFIX) :] or "/"
            table = router
        elif raw_path.startswith("/media/"):
            rel = raw_path
            table = media
        else:
            rel = raw_path
            table = None
        record = RecordedRequest(
            method=method,
            path=urllib.parse.unquote(rel),
            query=dict(request.query),
            headers=dict(request.headers),
            body_bytes_len=request.content_length or 0,
        )
        state.requests.append(record)
        ctx = Ctx(request, app_ctx, {}, record)
        response = await _dispatch(ctx, table, rel)
        record.status = response.status
        return response

    async def _dispatch(ctx: Ctx, table: Router | None, rel: str) -> web.StreamResponse:
        if table is None:
            if rel in ("", "/"):
                return await render(ctx, _index(ctx), None)
            return await render(ctx, Reply(status=404, body=dict(NOT_FOUND)), None)
        parts = _split_path(rel)
        if table is media:
            parts = ["media", "/".join(parts[1:])]
        resolved = table.resolve(ctx.request.method, parts)
        if isinstance(resolved, int):
            await _drain(ctx)
            if resolved == 404:
                return await render(ctx, Reply(status=404, body=dict(NOT_FOUND)), None)
            return await render(ctx, fail(405, "Method not allowed"), None)
        route, params = resolved
        ctx.params = params
        ctx.record.route = f"{route.method} {route.template}"
        if not route.public and not _authorized(ctx):
            await _drain(ctx)
            return await render(ctx, fail(401, "Unauthorized"), None)
        rule = app_ctx.faults.take(route.method, route.template, ctx.record.path)
        if rule is not None:
            ctx.record.fault = rule.kind
            if rule.kind in BEFORE_HANDLER_KINDS:
                await _drain(ctx)
                if rule.kind == "reset":
                    return _abort(ctx)
                return await render(ctx, _fault_reply(ctx, rule.kind), None)
        result = await route.handler(ctx)
        if isinstance(result, Streamer):
            if rule is not None and rule.kind in AFTER_ACCEPT_KINDS:
                return await render(ctx, Reply(), rule)
            return await result.run(ctx, rule)
        return await render(ctx, result, rule)

    return dispatch


def _index(ctx: Ctx) -> Reply:
    return ok(
        {
            "emulator": "useapi.net MiniMax API v1",
            "baseUrl": f"{ctx.state.origin}{API_PREFIX}",
            "docs": "python -m minimax_async.testing --help",
        }
    )


# ---------------------------------------------------------------------------------------------
# Account helpers
# ---------------------------------------------------------------------------------------------


def resolve_account(
    ctx: Ctx, name: str | None, *, required_if_many: bool = True
) -> Account | Reply:
    """The account a call runs on, as the documents describe ``account``."""
    accounts = ctx.state.accounts
    if not accounts:
        return fail(400, "No MiniMax accounts configured, use POST accounts first")
    if name:
        acc = accounts.get(name)
        if acc is None:
            return fail(400, f"Account {name} is not configured")
        return acc
    if len(accounts) == 1 or not required_if_many:
        return next(iter(accounts.values()))
    return fail(400, "Parameter account is required when more than one account is configured")


def busy_reply(ctx: Ctx, accounts: list[Account], max_jobs: int | None) -> Reply:
    state = ctx.state
    running: dict[str, list[dict[str, Any]]] = {acc.account: [] for acc in accounts}
    for video in state.running_videos():
        if video.account in running:
            running[video.account].append(P.running_video_entry(video, state))
    if len(accounts) == 1:
        acc = accounts[0]
        message = f"Account {acc.account} is busy executing {max_jobs or acc.max_jobs} videos"
    else:
        message = "All accounts are busy executing videos: " + ", ".join(
            f"{a.account} ({len(running[a.account])})" for a in accounts
        )
    return fail(429, message, runningVideos=running)


def pick_video_account(ctx: Ctx, name: str | None, max_jobs: int | None) -> Account | Reply:
    """Explicit account (429 when full) or a random one with free capacity (load balancing)."""
    state = ctx.state
    if name or len(state.accounts) <= 1:
        acc = resolve_account(ctx, name)
        if isinstance(acc, Reply):
            return acc
        if not state.has_capacity(acc, max_jobs):
            return busy_reply(ctx, [acc], max_jobs)
        return acc
    free = state.free_accounts(max_jobs)
    if not free:
        return busy_reply(ctx, [a for a in state.accounts.values() if a.support_video], max_jobs)
    return state.rng.choice(free)


def upstream_checks(
    ctx: Ctx, acc: Account, triggers: Triggers, prompt: str | None, cost: int
) -> Reply | None:
    """What MiniMax itself answers once the job reaches it: 596, 412, 422, upstream 429."""
    if acc.hold or triggers.hold:
        return fail(596, HOLD_MESSAGE)
    if triggers.no_credits or acc.credits < cost:
        return fail(412, CREDITS_MESSAGE)
    if triggers.reject:
        return fail(
            422,
            "Your prompt contains content that violates our policies",
            statusInfo=P.status_info(1500002, "Content moderated", ctx.state),
        )
    if prompt is not None and prompt.strip() and len(prompt.strip()) < ctx.state.min_prompt_chars:
        return fail(
            422,
            SHORT_PROMPT_MESSAGE,
            statusInfo=P.status_info(
                1500001,
                "An error occurred while generating the content, please try again",
                ctx.state,
            ),
        )
    if triggers.queue_full:
        return fail(
            429,
            "YOU CAN QUEUE 3 JOBS AT ONCE",
            statusInfo=P.status_info(1500006, "YOU CAN QUEUE 3 JOBS AT ONCE", ctx.state),
        )
    return None


def _check_reply_fields(fields: Fields) -> Reply | None:
    for name in ("replyUrl", "replyRef"):
        value = fields.text(name)
        if value is not None and len(value) > 1024:
            return fail(400, f"Parameter {name} is longer than 1024 characters")
    url = fields.text("replyUrl")
    if url and not url.startswith(("http://", "https://")):
        return fail(400, "Parameter replyUrl must be an http(s) URL")
    return None


def _check_file_id(value: str | None, name: str) -> Reply | None:
    if value is None:
        return None
    parsed = parse_id(value)
    if parsed is None or parsed[2] not in ("file", "image"):
        return fail(400, f"Parameter {name} has an invalid format: {value}")
    return None


def _video_size(model: str, options: str) -> tuple[int, int]:
    if "1080p" in options:
        return 1920, 1080
    if "720p" in options:
        return 1280, 720
    if "512p" in options:
        return 912, 512
    if model in ("T2V-01", "T2V-01-Director", "I2V-01", "I2V-01-live", "I2V-01-Director", "S2V-01"):
        return 1280, 720
    return 1366, 768


# ---------------------------------------------------------------------------------------------
# Accounts and features
# ---------------------------------------------------------------------------------------------


async def get_accounts(ctx: Ctx) -> Result:
    """GET accounts: every configured account, keyed by account id (404 when none)."""
    if not ctx.state.accounts:
        return fail(404, "Configuration not found. To create configuration use POST /accounts")
    return ok({name: P.account_body(acc) for name, acc in ctx.state.accounts.items()})


async def get_account(ctx: Ctx) -> Result:
    """GET accounts/{account}: one account's configuration, the JWT masked."""
    acc = ctx.state.accounts.get(ctx.params["account"])
    if acc is None:
        return fail(404, "Configuration not found. To create configuration use POST /accounts")
    return ok(P.account_body(acc))


async def post_accounts(ctx: Ctx) -> Result:
    """POST accounts: create or update an account from ``url``, ``token``, ``maxJobs`` (201)."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    url, token = fields.text("url"), fields.text("token")
    if not url or not token:
        return fail(400, "Parameters url and token are required")
    max_jobs = as_int(fields.values.get("maxJobs"))
    if max_jobs is None or not 1 <= max_jobs <= 10:
        return fail(400, "Parameter maxJobs is required and must be between 1 and 10")
    account = jwt_user_id(token) or str(
        100_000_000 + int(hashlib.sha1(token.encode()).hexdigest(), 16) % 900_000_000
    )
    acc = ctx.state.add_account(account, max_jobs=max_jobs, token=token, url=url)
    return ok(P.account_body(acc), status=201)


async def delete_account(ctx: Ctx) -> Result:
    """DELETE accounts/{account}: 204, or 404 when it is not configured."""
    if ctx.state.accounts.pop(ctx.params["account"], None) is None:
        return fail(404, "Configuration not found")
    return Reply(status=204)


async def get_features(ctx: Ctx) -> Result:
    """GET features: credits, queue lengths and model costs of an account."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    return ok(P.features_body(acc))


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


async def _receive_upload(
    ctx: Ctx, allowed: Mapping[str, str], prefix: str, *, sample: bool = False
) -> Result:
    ctype = ctx.request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if ctype not in allowed:
        await _drain(ctx)
        return fail(
            400,
            f"Unsupported Content-Type {ctype or '(none)'}; use one of: {', '.join(allowed)}",
        )
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        await _drain(ctx)
        return acc
    length = ctx.request.content_length
    if length is not None and length > MAX_UPLOAD:
        await _drain(ctx)
        return fail(400, "File is larger than 5GB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in ctx.request.content.iter_any():
        size += len(chunk)
        if size <= MAX_STORED_UPLOAD:
            chunks.append(chunk)
        else:
            chunks.clear()
    ctx.record.body_bytes_len = size
    if size == 0:
        return fail(400, "Request body is empty, POST the raw file content")
    state = ctx.state
    n = state.number()
    file_id = state.make_id(acc.account, "file", n)
    path = f"{prefix}/{n}.{allowed[ctype]}"
    stored = size <= MAX_STORED_UPLOAD
    if stored:
        state.put_media(path, b"".join(chunks), ctype)
    state.files[file_id] = FileRecord(
        file_id=file_id,
        id=n,
        account=acc.account,
        content_type=ctype,
        size=size,
        created_wall=state.clock.wall(),
        media_path=path,
        stored=stored,
        sample=sample,
    )
    return ok({"ossPath": state.media_url(path), "fileID": file_id})


async def post_files(ctx: Ctx) -> Result:
    """POST files: raw-body upload (png, jpeg, mp3, wav, mp4) -> ``ossPath`` and ``fileID``."""
    return await _receive_upload(ctx, UPLOAD_TYPES, "files")


async def get_files(ctx: Ctx) -> Result:
    """GET files: uploaded files of an account, newest first (``limit``, default 10)."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    limit = as_int(ctx.query.get("limit")) or 10
    records = [
        r
        for r in ctx.state.files.values()
        if r.account == acc.account and not r.deleted and not r.sample
    ]
    records.sort(key=lambda r: int(r.id), reverse=True)
    return ok([P.file_record_body(r, ctx.state) for r in records[:limit]])


async def delete_file(ctx: Ctx) -> Result:
    """DELETE files/{fileID}: always 200 (also for unknown or already deleted files)."""
    record = ctx.state.files.get(ctx.params["fileID"])
    if record is not None:
        record.deleted = True
    return Reply(status=200)


# ---------------------------------------------------------------------------------------------
# Videos
# ---------------------------------------------------------------------------------------------


async def post_videos_create(ctx: Ctx) -> Result:
    """POST videos/create: validate, pick an account with capacity, create the video job."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    state = ctx.state
    prompt = fields.text("prompt")
    file_id = fields.text("fileID") or None
    end_frame = fields.text("end_frame_fileID") or None
    model = fields.text("model") or ("I2V-01" if file_id else "T2V-01")
    if model == "Sora 2":
        model = "Sora-2"
    if model not in VIDEO_MODELS:
        return fail(400, f"Unsupported model {model}; supported: {', '.join(VIDEO_MODELS)}")
    allowed_options = VIDEO_MODELS[model]
    options = fields.text("options") or (allowed_options[0] if allowed_options else "")
    if model in ("02", "T2V-2.3", "I2V-2.3", "I2V-2.3-Fast") and not fields.text("options"):
        options = "768p-6sec"
    if options and allowed_options and options not in allowed_options:
        return fail(400, f"Model {model} supports options: {', '.join(allowed_options)}")
    if options and not allowed_options:
        return fail(400, f"Model {model} does not support options")
    if not prompt and not file_id:
        return fail(400, "Parameter prompt or fileID is required")
    for name, value in (("fileID", file_id), ("end_frame_fileID", end_frame)):
        bad = _check_file_id(value, name)
        if bad is not None:
            return bad
    if model in IMAGE_REQUIRED_MODELS and not file_id:
        return fail(400, f"Model {model} requires fileID")
    if options.startswith("512p") and not file_id:
        return fail(400, f"Options {options} require fileID")
    if end_frame is not None:
        if model not in END_FRAME_MODELS or options.startswith("512p"):
            return fail(400, f"Model {model} with options {options} does not support end frames")
        if end_frame == file_id:
            return fail(400, "end_frame_fileID and fileID cannot be the same")
    bad = _check_reply_fields(fields)
    if bad is not None:
        return bad
    max_jobs = as_int(fields.values.get("maxJobs"))
    if fields.has("maxJobs") and (max_jobs is None or not 1 <= max_jobs <= 10):
        return fail(400, "Parameter maxJobs must be between 1 and 10")
    acc = pick_video_account(ctx, fields.text("account"), max_jobs)
    if isinstance(acc, Reply):
        return acc
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt, VIDEO_COST)
    if refusal is not None:
        return refusal
    acc.credits -= VIDEO_COST
    known = {
        "account",
        "prompt",
        "promptOptimization",
        "fileID",
        "end_frame_fileID",
        "model",
        "options",
        "replyUrl",
        "replyRef",
        "maxJobs",
    }
    video = state.create_video(
        account=acc,
        prompt=prompt or "",
        model=model,
        options=options,
        size=_video_size(model, options),
        triggers=triggers,
        file_id=file_id,
        end_frame_file_id=end_frame,
        reply_url=fields.text("replyUrl") or "",
        reply_ref=fields.text("replyRef") or "",
        prompt_optimization=as_bool(fields.values.get("promptOptimization")),
        extra={k: v for k, v in fields.values.items() if k not in known},
    )
    return ok(
        {
            "id": video.id,
            "task": {"batchID": video.batch_id, "videoIDs": [video.id]},
            "videoId": video.video_id,
            "replyUrl": video.reply_url,
            "replyRef": video.reply_ref,
        }
    )


def _live_video(ctx: Ctx, video_id: str) -> Video | Reply:
    if parse_id(video_id) is None:
        return fail(400, f"Invalid videoId {video_id}")
    video = ctx.state.find_video(video_id)
    if video is None or video.deleted or video.life.is_removed(ctx.state.now()):
        return Reply(status=404, body=dict(NOT_FOUND))
    return video


async def get_video(ctx: Ctx) -> Result:
    """GET videos/{videoId}: status computed from the clock (404 once moderated-and-removed)."""
    video = _live_video(ctx, ctx.params["videoId"])
    if isinstance(video, Reply):
        return video
    return ok(P.video_body(video, ctx.state))


async def list_videos(ctx: Ctx) -> Result:
    """GET videos: an account's videos, newest first, paged by ``limit`` and ``lastVideoId``."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    now = state.now()
    limit = as_int(ctx.query.get("limit")) or 30
    videos = [
        v
        for v in state.videos.values()
        if v.account == acc.account and not v.deleted and not v.life.is_removed(now)
    ]
    videos.sort(key=lambda v: int(v.id), reverse=True)
    last = ctx.query.get("lastVideoId")
    if last:
        parsed = parse_id(last)
        last_n = int(parsed[3]) if parsed and parsed[3].isdigit() else as_int(last)
        if last_n is None:
            return fail(400, f"Invalid lastVideoId {last}")
        videos = [v for v in videos if int(v.id) < last_n]
    return ok([P.video_body(v, state, for_list=True) for v in videos[:limit]])


async def delete_video(ctx: Ctx) -> Result:
    """DELETE videos/{videoId}: always 200; the video disappears (GET answers 404)."""
    video = ctx.state.find_video(ctx.params["videoId"])
    if video is not None:
        video.deleted = True
        video.untracked = True
    return Reply(status=200)


async def post_videos_cancel(ctx: Ctx) -> Result:
    """POST videos/cancel: a running video ends now in status 3 and frees its slot."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    video_id = fields.text("videoId")
    if not video_id:
        return fail(400, "Parameter videoId is required")
    if parse_id(video_id) is None:
        return fail(400, f"Invalid videoId {video_id}")
    video = ctx.state.find_video(video_id)
    if video is None or video.deleted:
        return fail(400, f"Unable to locate video {video_id}")
    now = ctx.state.now()
    if not video.life.is_final(now):
        video.life.cancelled_at = now
        ctx.state.wake()
    return Reply(status=200)


async def get_characters(ctx: Ctx) -> Result:
    """GET videos/characters: the account's reference characters (``page``, ``pageSize``)."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    page = max(1, as_int(ctx.query.get("page")) or 1)
    size = max(1, as_int(ctx.query.get("pageSize")) or 50)
    items = []
    for index in range(3):
        n = str(500_000_000_000_000_000 + index)
        path = f"characters/{acc.account}-{index}.png"
        if path not in state.media:
            state.put_media(path, png_bytes(48, 48, 1000 + index), "image/png")
        items.append(
            {
                "characterID": str(1234567890 + index),
                "characterType": 1,
                "file": {
                    "fileID": state.make_id(acc.account, "file", n),
                    "cdnUrl": state.media_url(path),
                    "promptImgUrl": state.media_url(path),
                },
            }
        )
    return ok(items[(page - 1) * size : page * size])


def _template(template_id: str) -> dict[str, Any] | None:
    return next((t for t in P.AGENT_TEMPLATES if t["id"] == template_id), None)


TEMPLATE_NOT_FOUND = (
    "The video or template you are trying to use does not exist or has been deleted."
)


async def get_agent_templates(ctx: Ctx) -> Result:
    """GET videos/agent-templates: the template list (``limit``, ``lastId``) or one template
    with ``templateId`` (also ``GET videos/agent-templates/{templateId}``)."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    template_id = ctx.params.get("templateId") or ctx.query.get("templateId")
    if template_id:
        template = _template(template_id)
        if template is None:
            return fail(404, TEMPLATE_NOT_FOUND)
        return ok(P.template_detail(template, ctx.state))
    templates = list(P.AGENT_TEMPLATES)
    last = ctx.query.get("lastId")
    if last:
        ids = [t["id"] for t in templates]
        if last not in ids:
            return fail(400, f"Unknown lastId {last}")
        templates = templates[ids.index(last) + 1 :]
    limit = as_int(ctx.query.get("limit")) or 30
    page = templates[:limit]
    return ok(
        {
            "videoList": [P.template_list_item(t, ctx.state) for t in page],
            "hasPre": bool(last),
            "hasNext": len(templates) > limit,
        }
    )


async def post_agent_create(ctx: Ctx) -> Result:
    """POST videos/agent-create: creates the video, then streams the documented SSE sequence
    (created, connected, heartbeats every ~10 virtual seconds, progress 1/2/3, finished)."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    state = ctx.state
    template_id = fields.text("templateId")
    if not template_id:
        return fail(400, "Parameter templateId is required")
    template = _template(template_id)
    if template is None:
        return fail(404, TEMPLATE_NOT_FOUND)
    prompt = fields.text("prompt") or ""
    file_id = fields.text("fileID") or None
    oss_path = fields.text("ossPath") or None
    if oss_path and not file_id:
        return fail(400, "Parameter ossPath cannot be provided without fileID")
    if file_id and not oss_path:
        return fail(400, "Parameter ossPath is required when using fileID")
    bad = _check_file_id(file_id, "fileID") or _check_reply_fields(fields)
    if bad is not None:
        return bad
    if template["requirePrompt"] and not prompt:
        return fail(400, "This template requires a prompt")
    if template["requireImage"] and not file_id:
        return fail(400, "This template requires fileID and ossPath")
    max_jobs = as_int(fields.values.get("maxJobs"))
    if fields.has("maxJobs") and (max_jobs is None or not 1 <= max_jobs <= 10):
        return fail(400, "Parameter maxJobs must be between 1 and 10")
    acc = pick_video_account(ctx, fields.text("account"), max_jobs)
    if isinstance(acc, Reply):
        return acc
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt or None, VIDEO_COST)
    if refusal is not None:
        return refusal
    acc.credits -= VIDEO_COST
    video = state.create_video(
        account=acc,
        prompt=prompt,
        model="agent",
        options=f"template:{template_id}",
        size=(1280, 720),
        triggers=triggers,
        file_id=file_id,
        reply_url=fields.text("replyUrl") or "",
        reply_ref=fields.text("replyRef") or "",
        source="videos/agent-create",
    )
    return SseStream(
        _agent_create_events(state, video, prompt),
        keep=2,
        heartbeat=10.0,
        on_heartbeat=lambda at: {"status": "heartbeat", "timestamp": state.wall_ms(at)},
    )


def _agent_create_events(state: EmulatorState, video: Video, prompt: str) -> list[SseEvent]:
    t0 = video.life.created
    end = video.life.natural_end
    project, chat = state.short_number(), state.short_number()
    n = video.id
    image_url = state.put_media(
        f"agent/{n}/image.png", png_bytes(64, 36, int(n) % 997), "image/png"
    )
    video_url = state.media_url(f"videos/{n}/watermark.mp4")
    ident = {"videoId": video.video_id, "projectID": project, "chatID": chat}

    def ev(offset: float, data: dict[str, Any], *, at: float | None = None) -> SseEvent:
        due = t0 + offset if at is None else at
        data = dict(data)
        data["timestamp"] = state.wall_ms(due)
        return SseEvent(due=due, data=data)

    user_message = {"msgContent": prompt, "msgType": 1}
    events = [
        ev(0.0, {"status": "created", **ident, "message": user_message, "code": 200}),
        ev(0.0, {"status": "connected", **ident, "code": 200}),
        ev(
            13.0,
            {
                "status": "progress",
                "type": 1,
                "message": {"msgContent": "Generating image...", "msgType": 2},
            },
        ),
        ev(
            15.0,
            {
                "status": "progress",
                "type": 2,
                "message": {
                    "attachmentInfo": {
                        "attachments": [{"file": {"fileName": "processing"}, "status": 2}]
                    }
                },
            },
        ),
        ev(
            23.0,
            {
                "status": "progress",
                "type": 2,
                "message": {
                    "attachmentInfo": {
                        "attachments": [
                            {"file": {"fileName": "image.png", "fileUrl": image_url}, "status": 3}
                        ]
                    }
                },
            },
        ),
        ev(
            24.0,
            {
                "status": "progress",
                "type": 1,
                "message": {"msgContent": "Generating video...", "msgType": 2},
            },
        ),
        ev(
            26.0,
            {
                "status": "progress",
                "type": 2,
                "message": {
                    "attachmentInfo": {
                        "type": 3,
                        "attachments": [{"file": {"fileName": "processing"}, "status": 2}],
                    }
                },
            },
        ),
    ]
    final = video.life.final_status
    if final == 2:
        events.append(
            ev(
                0.0,
                {
                    "status": "progress",
                    "type": 2,
                    "message": {
                        "attachmentInfo": {
                            "type": 3,
                            "attachments": [
                                {
                                    "file": {"fileName": "final_video.mp4", "fileUrl": video_url},
                                    "status": 3,
                                }
                            ],
                        }
                    },
                },
                at=end,
            )
        )
    else:
        message = "Video generation failed" if final == 3 else "Content moderated"
        events.append(
            ev(
                0.0,
                {
                    "status": "progress",
                    "type": 1,
                    "errCode": 1500002 if final == 3 else 1500005,
                    "errMsg": message,
                    "message": {"msgContent": message, "msgType": 2},
                },
                at=end,
            )
        )
    events.append(
        ev(
            0.0,
            {
                "status": "progress",
                "type": 3,
                "isFinished": True,
                "recTemplateList": [
                    {"id": t["id"], "name": t["name"]} for t in P.AGENT_TEMPLATES[:2]
                ],
            },
            at=end + 1.0,
        )
    )
    events.append(
        ev(
            0.0,
            {"status": "finished", **ident, "message": user_message, "code": 200},
            at=end + 2.0,
        )
    )
    return events


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------


async def post_images_create(ctx: Ctx) -> Result:
    """POST images/create: one job per image (``quantity`` 1-4), ids in ``imageIds``."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    state = ctx.state
    prompt = fields.text("prompt")
    if not prompt:
        return fail(400, "Parameter prompt is required")
    model = fields.text("model") or "image-01"
    spec = IMAGE_MODELS.get(model)
    if spec is None:
        return fail(400, f"Unsupported model {model}; supported: {', '.join(IMAGE_MODELS)}")
    if len(prompt) > spec["max_prompt"]:
        return fail(400, f"Parameter prompt is longer than {spec['max_prompt']} characters")
    ratio = fields.text("aspectRatio") or spec["ratios"][0]
    if ratio not in spec["ratios"]:
        return fail(400, f"Model {model} supports aspectRatio: {', '.join(spec['ratios'])}")
    resolution = fields.text("resolution") or spec["resolutions"][0]
    if resolution not in spec["resolutions"]:
        return fail(400, f"Model {model} supports resolution: {', '.join(spec['resolutions'])}")
    quantity = as_int(fields.values.get("quantity")) if fields.has("quantity") else 1
    if quantity is None or not 1 <= quantity <= 4:
        return fail(400, "Parameter quantity must be between 1 and 4")
    character = fields.text("characterFileId") or None
    if character and model != "image-01":
        return fail(400, "characterFileId is only supported by model image-01")
    refs = []
    for index in range(1, 15):
        value = fields.text(f"referenceFileId{index}")
        if value:
            if index > spec["refs"]:
                return fail(400, f"Model {model} does not support referenceFileId{index}")
            refs.append(value)
    for name, value in [("characterFileId", character)] + [("referenceFileId", r) for r in refs]:
        bad = _check_file_id(value, name)
        if bad is not None:
            return bad
    bad = _check_reply_fields(fields)
    if bad is not None:
        return bad
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    if state.running_image_batches(acc.account) >= acc.image_queue_length:
        return fail(
            429,
            "There are currently multiple tasks in the queue, and only can be generated at once",
        )
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt, quantity)
    if refusal is not None:
        return refusal
    acc.credits -= quantity
    batch = state.number()
    width, height = _image_size(ratio)
    images = []
    for _ in range(quantity):
        n = state.number()
        life = state.lifecycle(state.image_phases, triggers)
        image = Image(
            image_id=state.make_id(acc.account, "image", n),
            id=n,
            account=acc.account,
            prompt=prompt,
            model=model,
            aspect_ratio=ratio,
            resolution=resolution,
            batch_id=batch,
            life=life,
            width=width,
            height=height,
            character_file_id=character,
            reference_file_ids=refs,
            reply_url=fields.text("replyUrl") or "",
            reply_ref=fields.text("replyRef") or "",
            prompt_optimization=as_bool(fields.values.get("promptOptimization"), True),
        )
        seed = int(n) % 64
        state.put_media(f"images/{n}/nowatermark.png", png_bytes(64, 36, seed), "image/png")
        state.put_media(f"images/{n}/watermark.png", png_bytes(64, 36, seed + 1), "image/png")
        state.put_media(f"images/{n}/cover.png", png_bytes(32, 18, seed), "image/png")
        state.add_image(image)
        images.append(image)
    return ok(
        {
            "id": batch,
            "task": {"batchID": batch, "videoIDs": [i.id for i in images]},
            "isFirstGenerate": False,
            "imageIds": [i.image_id for i in images],
            "replyUrl": images[0].reply_url,
            "replyRef": images[0].reply_ref,
            "code": 200,
        }
    )


def _image_size(ratio: str) -> tuple[int, int]:
    if ratio == "auto":
        return 1024, 1024
    w, h = (int(x) for x in ratio.split(":"))
    scale = 1024 / max(w, h)
    return int(w * scale), int(h * scale)


def _find_image(ctx: Ctx, image_id: str) -> Image | Reply:
    if parse_id(image_id) is None:
        return fail(400, f"Invalid imageId {image_id}")
    image = ctx.state.images.get(image_id)
    if image is None or image.life.is_removed(ctx.state.now()):
        return Reply(status=404, body=dict(NOT_FOUND))
    return image


async def get_image(ctx: Ctx) -> Result:
    """GET images/{imageId}: status from the clock; soft-deleted images are still returned."""
    image = _find_image(ctx, ctx.params["imageId"])
    if isinstance(image, Reply):
        return image
    return ok(P.image_body(image, ctx.state))


async def list_images(ctx: Ctx) -> Result:
    """GET images: ``{"images", "hasPre", "hasNext", "processing", "total"}``."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    now = state.now()
    images = [
        i
        for i in state.images.values()
        if i.account == acc.account and not i.deleted and not i.life.is_removed(now)
    ]
    images.sort(key=lambda i: int(i.id), reverse=True)
    total = len(images)
    processing = any(not i.life.is_final(now) for i in images)
    last = ctx.query.get("lastImageId")
    if last:
        parsed = parse_id(last)
        last_n = int(parsed[3]) if parsed and parsed[3].isdigit() else as_int(last)
        if last_n is None:
            return fail(400, f"Invalid lastImageId {last}")
        images = [i for i in images if int(i.id) < last_n]
    limit = as_int(ctx.query.get("limit")) or 30
    return ok(
        {
            "images": [P.image_body(i, state) for i in images[:limit]],
            "hasPre": bool(last),
            "hasNext": len(images) > limit,
            "processing": processing,
            "total": total,
        }
    )


async def delete_image(ctx: Ctx) -> Result:
    """DELETE images/{imageId}: always 200; soft delete (gone from GET images only)."""
    image = ctx.state.images.get(ctx.params["imageId"])
    if image is not None:
        image.deleted = True
    return Reply(status=200)


# ---------------------------------------------------------------------------------------------
# Scheduler
# ---------------------------------------------------------------------------------------------


def _tracked(state: EmulatorState) -> list[Video | Image]:
    jobs: list[Video | Image] = [*state.running_videos(), *state.running_images()]
    jobs.sort(key=lambda j: j.life.created)
    return jobs


async def get_scheduler(ctx: Ctx) -> Result:
    """GET scheduler: videos and images the API is tracking (running), with ``replyRef``."""
    return ok([P.scheduler_entry(j, ctx.state) for j in _tracked(ctx.state)])


async def get_scheduler_available(ctx: Ctx) -> Result:
    """GET scheduler/available: running jobs plus per-account video capacity."""
    state = ctx.state
    available = []
    for acc in state.accounts.values():
        executing = len(state.running_videos(acc.account))
        available.append(
            {
                "account": acc.account,
                "maxJobs": acc.max_jobs,
                "executing": executing,
                "available": max(0, acc.max_jobs - executing),
            }
        )
    return ok(
        {
            "executing": [P.scheduler_entry(j, state) for j in _tracked(state)],
            "available": available,
        }
    )


async def delete_scheduler(ctx: Ctx) -> Result:
    """DELETE scheduler/{id}: stop tracking a running video/image (frees capacity): 204/404."""
    job_id = ctx.params["id"]
    if parse_id(job_id) is None:
        return fail(400, f"Invalid id {job_id}")
    state = ctx.state
    now = state.now()
    job: Video | Image | None = state.find_video(job_id) or state.images.get(job_id)
    if job is None or not job.running(now):
        return fail(404, f"Unable to locate running {job_id}")
    job.untracked = True
    return Reply(status=204)


# ---------------------------------------------------------------------------------------------
# Agent
# ---------------------------------------------------------------------------------------------

_JOB_ID_RE = re.compile(r"^p\d+-u[^-]+-a[^-]+-bot:minimax$")


class _SyncAgent(Streamer):
    """Answers a synchronous ``POST agent`` when the job ends on the virtual clock."""

    def __init__(self, job: AgentJob) -> None:
        self.job = job

    async def run(self, ctx: Ctx, rule: FaultRule | None) -> web.StreamResponse:
        if not await ctx.wait_virtual(self.job.ends_at):
            return _abort(ctx)
        body = P.agent_job_body(self.job, ctx.state, include_account=True)
        status = {"completed": 200, "failed": 500, "timeout": 504}[self.job.outcome]
        return await render(ctx, ok(body, status=status), rule)


async def post_agent(ctx: Ctx) -> Result:
    """POST agent: sync (200/500/504 when done) or ``async`` (201, status ``started``)."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    state = ctx.state
    prompt = fields.text("prompt")
    if not prompt:
        return fail(400, "Parameter prompt is required")
    raw_models = fields.values.get("models")
    if isinstance(raw_models, list):
        models = [str(m).strip() for m in raw_models if str(m).strip()]
    else:
        models = [m.strip() for m in (fields.text("models") or "").split(",") if m.strip()]
    if not models:
        return fail(400, "Parameter models is required")
    unknown = [m for m in models if m not in AGENT_MODELS]
    if unknown:
        return fail(400, f"Unsupported models: {', '.join(unknown)}")
    bad = _check_reply_fields(fields)
    if bad is not None:
        return bad
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    if len(state.running_agent_jobs(acc.account)) >= acc.agent_capacity:
        return fail(429, "Agent generation failed")
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt, 10)
    if refusal is not None:
        return refusal
    acc.credits -= 10
    async_mode = as_bool(fields.values.get("async"))
    has_video = any(m in AGENT_VIDEO_MODELS for m in models)
    duration = state.agent_durations[1 if has_video else 0]
    outcome = "completed"
    if triggers.timeout:
        outcome, duration = "timeout", 15 * 60.0
    elif triggers.final_status != 2:
        outcome = "failed"
    now = state.now()
    project = state.short_number()
    job = AgentJob(
        job_id=f"p{project}-u{state.user_id}-a{acc.account}-bot:minimax",
        account=acc.account,
        prompt=prompt,
        models=models,
        files=fields.files,
        async_mode=async_mode,
        created=now,
        created_wall=state.clock.wall(now),
        duration=duration,
        outcome=outcome,
        project_id=project,
        section_id=state.short_number(),
        chat_id=state.short_number(),
        attachments=_agent_attachments(state, models),
        reply_url=fields.text("replyUrl") or "",
        reply_ref=fields.text("replyRef") or "",
    )
    state.add_agent_job(job)
    if async_mode:
        return ok(P.agent_job_body(job, state, include_account=True), status=201)
    return _SyncAgent(job)


def _agent_attachments(state: EmulatorState, models: list[str]) -> list[dict[str, Any]]:
    attachments: list[dict[str, Any]] = []
    n = state.number()
    seed = int(n) % 100_000
    if any(m in AGENT_VIDEO_MODELS for m in models):
        wm = state.put_media(
            f"agent/{n}/watermark.mp4", mp4_bytes(1280, 720, seed, True), "video/mp4"
        )
        clean = state.put_media(
            f"agent/{n}/no_watermark.mp4", mp4_bytes(1280, 720, seed, False), "video/mp4"
        )
        thumb = state.put_media(f"agent/{n}/thumb.png", png_bytes(64, 36, seed), "image/png")
        attachments.append(
            {
                "attachmentID": f"att_{n}1",
                "type": 1,
                "status": 3,
                "file": {
                    "fileName": "video.mp4",
                    "fileUrl": wm,
                    "type": "video/mp4",
                    "extra": {
                        "width": "1280",
                        "height": "720",
                        "duration": "5.0",
                        "fps": "24",
                        "no_watermark_url": clean,
                        "watermark_url": wm,
                        "thumbnail_url": thumb,
                    },
                },
            }
        )
    image_model = next((m for m in models if m in AGENT_IMAGE_MODELS), None)
    if image_model is not None:
        url = state.put_media(f"agent/{n}/image.png", png_bytes(64, 36, seed + 7), "image/png")
        attachments.append(
            {
                "attachmentID": f"att_{n}2",
                "type": 2,
                "status": 3,
                "file": {
                    "fileName": "image.png",
                    "fileUrl": url,
                    "type": "image/png",
                    "extra": {
                        "model_name": image_model.replace("nano-banana-2", "banana_2"),
                        "model_aspect_ratio": "16:9",
                        "model_resolution": "1K",
                    },
                },
            }
        )
    if any(m in AGENT_AUDIO_MODELS for m in models):
        url = state.put_media(f"agent/{n}/audio.mp3", mp3_bytes(), "audio/mpeg")
        attachments.append(
            {
                "attachmentID": f"att_{n}3",
                "type": 3,
                "status": 3,
                "file": {
                    "fileName": "audio.mp3",
                    "fileUrl": url,
                    "type": "audio/mpeg",
                    "extra": {"format": "mp3", "type": "audio"},
                },
            }
        )
    return attachments


async def get_agent_job(ctx: Ctx) -> Result:
    """GET agent/{jobId}: the job as started, completed or failed."""
    job_id = ctx.params["jobId"]
    if not _JOB_ID_RE.match(job_id):
        return fail(400, f"Invalid job ID format: {job_id}")
    job = ctx.state.agent_jobs.get(job_id)
    if job is None:
        return fail(404, "Job not found or expired after 31 days")
    return ok(P.agent_job_body(job, ctx.state))


async def get_agent_jobs(ctx: Ctx) -> Result:
    """GET agent/jobs: running agent jobs grouped by account."""
    state = ctx.state
    now = state.now()
    summary: dict[str, dict[str, int]] = {}
    executing: dict[str, list[dict[str, str]]] = {}
    for name in state.accounts:
        jobs = state.running_agent_jobs(name)
        summary[name] = {"executing": len(jobs)}
        executing[name] = [{"jobId": j.job_id, "elapsed": mmss(now - j.created)} for j in jobs]
    return ok({"accounts": list(state.accounts), "summary": summary, "executing": executing})


# ---------------------------------------------------------------------------------------------
# Music
# ---------------------------------------------------------------------------------------------


def _style(style_id: str) -> str | None:
    for group in P.MUSIC_STYLES:
        for style in group["styles"]:
            if style["styleId"] == style_id:
                return str(style["name"])
    return None


async def get_music_create(ctx: Ctx) -> Result:
    """GET music/create: start a song (one at a time per account); 0/1 -> 2 (or 4)."""
    state = ctx.state
    prompt = ctx.query.get("prompt")
    if not prompt:
        return fail(400, "Parameter prompt is required")
    if len(prompt) > 600:
        return fail(400, "Parameter prompt is longer than 600 characters")
    style_id = ctx.query.get("styleId")
    if not style_id:
        return fail(400, "Parameter styleId is required")
    style = _style(style_id)
    if style is None:
        return fail(400, f"Unknown styleId {style_id}")
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    if state.running_music(acc.account):
        return fail(429, "The previous request has not been completed yet. Please try again later.")
    triggers = parse_triggers(prompt)
    if triggers.reject:
        return fail(422, "Moderated prompt")
    refusal = upstream_checks(ctx, acc, attrs.evolve(triggers, reject=False), None, 1)
    if refusal is not None:
        return refusal
    acc.credits -= 1
    life = state.lifecycle(state.music_phases, triggers)
    life.queued_status = 0
    if life.final_status != 2:
        life.final_status = 4
    n = state.number()
    song = Music(
        music_id=state.make_id(acc.account, "music", n),
        id=n,
        account=acc.account,
        lyrics=prompt,
        style_id=style_id,
        style=style,
        title=ctx.query.get("title") or "",
        duration=30 + int(n) % 30,
        life=life,
    )
    state.put_media(f"music/{n}/song.mp3", mp3_bytes(), "audio/mpeg")
    state.put_media(f"music/{n}/cover.png", png_bytes(48, 48, int(n) % 1000), "image/png")
    state.music[song.music_id] = song
    return ok(
        {
            "musicId": song.music_id,
            "audioURL": state.media_url(f"music/{n}/song.mp3"),
            "duration": song.duration,
        }
    )


async def get_music(ctx: Ctx) -> Result:
    """GET music/{musicId}: status 0/1 running, 2 completed, 4 moderated."""
    music_id = ctx.params["musicId"]
    if parse_id(music_id) is None:
        return fail(400, f"Invalid musicId {music_id}")
    song = ctx.state.music.get(music_id)
    if song is None or song.deleted or song.life.is_removed(ctx.state.now()):
        return Reply(status=404, body=dict(NOT_FOUND))
    return ok(P.music_body(song, ctx.state))


async def list_music(ctx: Ctx) -> Result:
    """GET music: the account's songs (moderated ones excluded), ``limit``, ``lastMusicId``."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    now = state.now()
    songs = [
        s
        for s in state.music.values()
        if s.account == acc.account
        and not s.deleted
        and not s.life.is_removed(now)
        and s.life.phase(now)[0] != 4
    ]
    songs.sort(key=lambda s: int(s.id), reverse=True)
    last = ctx.query.get("lastMusicId")
    if last:
        parsed = parse_id(last)
        if parsed is None or not parsed[3].isdigit():
            return fail(400, f"Invalid lastMusicId {last}")
        songs = [s for s in songs if int(s.id) < int(parsed[3])]
    limit = as_int(ctx.query.get("limit")) or 20
    return ok([P.music_body(s, state) for s in songs[:limit]])


async def get_music_styles(ctx: Ctx) -> Result:
    """GET music/styles: style groups with sample URLs and ``styleId`` values."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    if "music/sample.mp3" not in state.media:
        state.put_media("music/sample.mp3", mp3_bytes(), "audio/mpeg")
    return ok(
        [
            {
                "name": group["name"],
                "styles": [
                    {
                        "url": state.media_url("music/sample.mp3"),
                        "styleId": s["styleId"],
                        "name": s["name"],
                    }
                    for s in group["styles"]
                ],
            }
            for group in P.MUSIC_STYLES
        ]
    )


# ---------------------------------------------------------------------------------------------
# LLM
# ---------------------------------------------------------------------------------------------

_JOKE = (
    "Sure, here's a light-hearted joke for you:\n\nWhy don't scientists trust atoms?\n\n"
    "Because they make up everything!\n\nI hope that brought a smile to your face! If you have "
    "any other requests or topics you'd like to discuss, feel free to let me know."
)


def _message_result(
    msg_id: str, chat_id: str, parent: str, content: str, *, final: bool
) -> dict[str, Any]:
    extra: dict[str, Any] = {"netSearchStatus": {"finalStatus": {"statusCode": 0}}}
    if final:
        extra.update({"feedbackStatus": {}, "replyMsgType": "text"})
    extra["warningText"] = ""
    return {
        "msgID": msg_id,
        "chatID": chat_id,
        "msgType": "system",
        "content": content,
        "requestStatus": 1 if final else 6,
        "isEnd": 0 if final else 1,
        "msgSubType": 0,
        "parentMsgID": parent,
        "extra": extra,
        "canRetry": final,
    }


async def post_llm(ctx: Ctx) -> Result:
    """POST llm: chat completion as JSON, or ``stream=true`` as the documented SSE events."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    state = ctx.state
    prompt = fields.text("prompt")
    if not prompt:
        return fail(400, "Parameter prompt is required")
    model = fields.text("model") or "mm-m1"
    if model not in ("mm-m1", "mm-01"):
        return fail(400, f"Unsupported model {model}; supported: mm-m1, mm-01")
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    if len(fields.files) > 10:
        return fail(400, "Up to 10 files are supported")
    triggers = parse_triggers(prompt)
    if triggers.reject:
        return fail(422, "Invalid file. Please try another one")
    wall = state.clock.wall()
    chat_id = fields.text("chatID")
    if chat_id:
        chat = state.chats.get(chat_id)
        if chat is None or chat.deleted:
            return fail(400, f"Unknown chatID {chat_id}")
    else:
        chat = Chat(
            chat_id=state.number(),
            account=acc.account,
            title=prompt[:40],
            model=model,
            created_wall=wall,
            updated_wall=wall,
        )
        state.chats[chat.chat_id] = chat
    user_id, system_id = state.number(), state.number()
    content = _JOKE if "joke" in prompt.lower() else f"You said: {prompt}"
    parent = chat.messages[-1]["msgID"] if chat.messages else "0"
    ms = int(wall * 1000)
    chat.messages.append(
        P.chat_message(
            msg_id=user_id,
            chat_id=chat.chat_id,
            content=prompt,
            msg_type="user",
            parent=parent,
            created_ms=ms,
        )
    )
    chat.messages.append(
        P.chat_message(
            msg_id=system_id,
            chat_id=chat.chat_id,
            content=content,
            msg_type="system",
            parent=user_id,
            created_ms=ms + 27,
        )
    )
    chat.updated_wall = wall
    send_result = {
        "userMsgID": user_id,
        "chatID": chat.chat_id,
        "systemMsgID": system_id,
        "msgContent": prompt,
        "wordSpreadRate": 11,
        "chatTitle": chat.title,
        "canSearch": as_bool(fields.values.get("searchWeb")),
        "canEdit": True,
        "extra": {"longCutCopyWriting": ""},
        "isPreSendResult": False,
    }
    if not as_bool(fields.values.get("stream")):
        return ok(
            {
                "request": {"sendResult": send_result},
                "response": {
                    "messageResult": _message_result(
                        system_id, chat.chat_id, user_id, content, final=True
                    )
                },
            }
        )
    now = state.now()
    events = [
        SseEvent(
            due=now,
            event="send_result",
            data={
                "type": 1,
                "data": {"sendResult": send_result},
                "statusInfo": {"code": 0, "message": "Success"},
            },
        )
    ]
    cuts = [len(content) // 4, len(content) // 2, 3 * len(content) // 4, len(content)]
    for index, cut in enumerate(cuts):
        final = index == len(cuts) - 1
        events.append(
            SseEvent(
                due=now + 0.4 * (index + 1),
                event="message_result",
                data={
                    "type": 2,
                    "data": {
                        "messageResult": _message_result(
                            system_id, chat.chat_id, user_id, content[:cut], final=final
                        )
                    },
                    "statusInfo": {"code": 0, "message": "success"},
                },
            )
        )
    events.append(SseEvent(due=now + 2.0, event="close_chunk", data={"type": 8}))
    return SseStream(events, keep=1)


async def list_llm(ctx: Ctx) -> Result:
    """GET llm: the account's chats, newest first (``limit``, ``lastChatID``)."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    chats = [c for c in ctx.state.chats.values() if c.account == acc.account and not c.deleted]
    chats.sort(key=lambda c: int(c.chat_id), reverse=True)
    last = ctx.query.get("lastChatID")
    if last:
        last_n = as_int(last)
        if last_n is None:
            return fail(400, f"Invalid lastChatID {last}")
        chats = [c for c in chats if int(c.chat_id) < last_n]
    limit = as_int(ctx.query.get("limit")) or 20
    return ok(
        {
            "hasMore": len(chats) > limit,
            "limit": limit,
            "items": [P.chat_item_body(c) for c in chats[:limit]],
        }
    )


async def get_llm_chat(ctx: Ctx) -> Result:
    """GET llm/{chatID}: the chat's messages."""
    chat = ctx.state.chats.get(ctx.params["chatID"])
    if chat is None or chat.deleted:
        return Reply(status=404, body=dict(NOT_FOUND))
    return ok(
        {
            "messages": chat.messages,
            "title": chat.title,
            "characterID": "1",
            "canSearch": True,
            "model": chat.model,
        }
    )


async def delete_llm(ctx: Ctx) -> Result:
    """DELETE llm: remove chats (``chatIDs``, ``all``) and/or messages (``msgIDs``): 200."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    chat_ids = [c for c in (ctx.query.get("chatIDs") or "").split(",") if c]
    msg_ids = {m for m in (ctx.query.get("msgIDs") or "").split(",") if m}
    if not chat_ids and not msg_ids:
        return fail(400, "Parameter chatIDs or msgIDs is required")
    for chat in ctx.state.chats.values():
        if chat.account != acc.account:
            continue
        if "all" in chat_ids or chat.chat_id in chat_ids:
            chat.deleted = True
        if msg_ids:
            chat.messages = [m for m in chat.messages if m["msgID"] not in msg_ids]
    return Reply(status=200)


# ---------------------------------------------------------------------------------------------
# Audio
# ---------------------------------------------------------------------------------------------

_AUDIO_SETTINGS = (
    "model",
    "language_boost",
    "emotion",
    "vol",
    "speed",
    "pitch",
    "deepen_lighten",
    "stronger_softer",
    "nasal_crisp",
    "spacious_echo",
    "lofi_telephone",
    "robotic",
    "auditorium_echo",
)


def _tts_fields(fields: Fields, max_text: int) -> Reply | tuple[str, str, dict[str, Any]]:
    text = fields.text("text")
    if not text:
        return fail(400, "Parameter text is required")
    if len(text) > max_text:
        return fail(400, f"Parameter text is longer than {max_text} characters")
    voice_id = fields.text("voice_id")
    if not voice_id:
        return fail(400, "Parameter voice_id is required")
    model = fields.text("model") or "speech-02-hd"
    if model not in TTS_MODELS:
        return fail(400, f"Unsupported model {model}")
    settings = {k: fields.values[k] for k in _AUDIO_SETTINGS if k in fields.values}
    settings["model"] = model
    return text, voice_id, settings


def _tts_frames(text: str) -> int:
    return max(5, min(250, len(text) // 2))


async def post_audio_create_mp3(ctx: Ctx) -> Result:
    """POST audio/create-mp3: synthesises an mp3 (silent frames) and stores the clip."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    parsed = _tts_fields(fields, 500)
    if isinstance(parsed, Reply):
        return parsed
    text, voice_id, settings = parsed
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    refusal = upstream_checks(ctx, acc, parse_triggers(text), None, 0)
    if refusal is not None:
        return refusal
    clip = _store_clip(state, acc, text, voice_id, settings, mp3_bytes(_tts_frames(text)))
    return ok(
        {
            "audio_id": clip.audio_id,
            **{k: v for k, v in P.audio_extra_info(clip.size, text).items()},
            "input_sensitive": False,
            "trace_id": secrets.token_hex(16),
            "chunks": len(clip.text),
            "audio_review": 0,
            "user_id": int(state.user_id),
            "audio_title": "",
            "audio_url": state.media_url(clip.media_path),
            "update_time": int(clip.created_wall * 1000),
        }
    )


def _store_clip(
    state: EmulatorState,
    acc: Account,
    text: str,
    voice_id: str,
    settings: dict[str, Any],
    data: bytes,
) -> AudioClip:
    n = state.number()
    path = f"audio/{n}.mp3"
    state.put_media(path, data, "audio/mpeg")
    clip = AudioClip(
        audio_id=state.make_id(acc.account, "audio", n),
        account=acc.account,
        text=text,
        voice_id=voice_id,
        created_wall=state.clock.wall(),
        media_path=path,
        settings=settings,
        size=len(data),
    )
    state.audio[clip.audio_id] = clip
    return clip


async def post_audio_create_stream(ctx: Ctx) -> Result:
    """POST audio/create-stream: a ``token`` and ``payload`` for the audio WebSocket."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    parsed = _tts_fields(fields, 5000)
    if isinstance(parsed, Reply):
        return parsed
    text, voice_id, settings = parsed
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    refusal = upstream_checks(ctx, acc, parse_triggers(text), None, 0)
    if refusal is not None:
        return refusal
    msg = secrets.token_hex(14)
    payload = {
        "msg_id": f"{msg[:5]}-{msg[5:10]}-{msg[10:15]}-{msg[15:20]}-{msg[20:26]}-{msg[26:]}",
        "payload": {
            "model": settings.get("model", ""),
            "text": text,
            "voice_setting": {
                "speed": settings.get("speed", 1),
                "vol": settings.get("vol", 1),
                "pitch": settings.get("pitch", 0),
                "voice_id": voice_id,
                "emotion": settings.get("emotion", "happy"),
            },
            "audio_setting": {},
            "effects": P.audio_effects(settings),
            "er_weights": [],
            "language_boost": settings.get("language_boost", "Auto"),
            "stream": True,
        },
    }
    token = secrets.token_urlsafe(24)
    ctx.state.stream_tickets[token] = StreamTicket(
        token=token, account=acc.account, payload=payload
    )
    return ok({"token": token, "payload": payload})


class _AudioSocket(Streamer):
    """WSS audio/wss: receives the payload, sends hex mp3 chunks (status 1), then status 2.

    Each chunk starts at a frame boundary and, as the documented player expects (it prepends
    ``fffbe8c4``), its hex string omits the leading 4-byte MP3 frame header.
    """

    frames_per_chunk = 4

    def __init__(self, ticket: StreamTicket) -> None:
        self.ticket = ticket

    async def run(self, ctx: Ctx, rule: FaultRule | None) -> web.StreamResponse:
        kind = rule.kind if rule is not None else None
        ws = web.WebSocketResponse(heartbeat=None, timeout=2.0)
        await ws.prepare(ctx.request)
        state = ctx.state
        try:
            received = await self._receive(ctx, ws)
            if received is None:
                return ws
            text = received.get("payload", {}).get("text") if isinstance(received, dict) else None
            if not isinstance(text, str) or not text:
                await ws.send_json(
                    {"statusInfo": {"code": 1002, "message": "Invalid payload: text is required"}}
                )
                await ws.close()
                return ws
            trace = secrets.token_hex(16)
            frames = mp3_frames(_tts_frames(text))
            base = {"input_sensitive": False, "trace_id": trace}
            ok_resp = {"status_code": 0, "status_msg": ""}
            now = state.now()
            for index in range(0, len(frames), self.frames_per_chunk):
                chunk = b"".join(frames[index : index + self.frames_per_chunk]).hex()
                assert chunk.startswith(MP3_CHUNK_PREFIX)
                message = {
                    "data": {"audio": chunk[len(MP3_CHUNK_PREFIX) :], "status": 1, "ced": ""},
                    **base,
                    "base_resp": ok_resp,
                }
                await ws.send_str(json.dumps(message))
                if index == 0 and kind == "truncate_sse":
                    _abort_prepared(ctx, ws)
                    return ws
                if index == 0 and kind == "stall_sse":
                    await ctx.hold_open()
                    return _abort_prepared(ctx, ws)
                now += 0.2
                if not await ctx.wait_virtual(now):
                    return _abort_prepared(ctx, ws)
            data = b"".join(frames)
            acc = state.accounts.get(self.ticket.account)
            if acc is not None:
                settings = dict(self.ticket.payload.get("payload", {}).get("voice_setting", {}))
                voice_id = str(settings.pop("voice_id", ""))
                _store_clip(state, acc, text, voice_id, settings, data)
            await ws.send_str(
                json.dumps(
                    {
                        "data": {"audio": "", "status": 2, "ced": ""},
                        "extra_info": P.audio_extra_info(len(data), text),
                        **base,
                        "base_resp": {"status_code": 0, "status_msg": "success"},
                    }
                )
            )
            await ws.close()
        except ConnectionError:
            pass
        return ws

    async def _receive(self, ctx: Ctx, ws: web.WebSocketResponse) -> Any:
        while not ctx.app.closing.is_set():
            try:
                msg = await ws.receive(timeout=0.25)
            except asyncio.TimeoutError:
                continue
            if msg.type == aiohttp.WSMsgType.TEXT:
                try:
                    return json.loads(msg.data)
                except ValueError:
                    await ws.send_json(
                        {"statusInfo": {"code": 1002, "message": "Payload is not valid JSON"}}
                    )
                    await ws.close()
                    return None
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.ERROR,
            ):
                return None
        _abort_prepared(ctx, ws)  # the emulator stops: no closing handshake
        return None


async def audio_wss(ctx: Ctx) -> Result:
    """WSS audio/wss?token=: the TTS WebSocket (token from POST audio/create-stream)."""
    token = ctx.query.get("token", "")
    ticket = ctx.state.stream_tickets.get(token)
    if ticket is None:
        return Reply(status=400, body={"error": "Invalid or expired token"})
    if ctx.request.headers.get("Upgrade", "").lower() != "websocket":
        return Reply(status=400, body={"error": "WebSocket upgrade expected"})
    ticket.used += 1
    return _AudioSocket(ticket)


async def get_audio_voices(ctx: Ctx) -> Result:
    """GET audio/voices: system voices filtered by ``tag_list`` (or cloned: ``is_system=false``)."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    if not as_bool(ctx.query.get("is_system"), True):
        voices = [
            P.cloned_voice_body(v, state)
            for v in state.voices.values()
            if v.account == acc.account and not v.deleted
        ]
        return ok({"voice_list": voices, "total": len(voices), "has_more": False})
    tags = [t.strip() for t in (ctx.query.get("tag_list") or "").split(",") if t.strip()]
    matching = [v for v in P.VOICES if all(t in v["tag_list"] for t in tags)]
    page = max(1, as_int(ctx.query.get("page")) or 1)
    size = max(1, as_int(ctx.query.get("page_size")) or 500)
    chunk = matching[(page - 1) * size : page * size]
    return ok(
        {
            "voice_list": [P.voice_body(v, state) for v in chunk],
            "total": len(matching),
            "has_more": page * size < len(matching),
        }
    )


async def get_audio_config(ctx: Ctx) -> Result:
    """GET audio/config: emotions and voice tags."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    return ok(
        {
            "t2a_emotion": [
                {"label": e.title(), "value": e}
                for e in ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
            ],
            "voice_tag_accent": [
                {"language": "English", "tag_name": t}
                for t in ("US (General)", "English", "Indian")
            ],
            "voice_tag_age": [
                {"tag_name": t} for t in ("Young Adult", "Adult", "Middle-Aged", "Senior")
            ],
            "voice_tag_gender": [{"tag_name": "Male"}, {"tag_name": "Female"}],
            "voice_tag_language": [
                {"tag_name": t} for t in ("English", "Chinese", "Spanish", "French", "Italian")
            ],
        }
    )


async def list_audio(ctx: Ctx) -> Result:
    """GET audio: generated clips, newest first (``page``, ``page_size`` default 100)."""
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    clips = [c for c in ctx.state.audio.values() if c.account == acc.account and not c.deleted]
    clips.sort(key=lambda c: c.audio_id, reverse=True)
    page = max(1, as_int(ctx.query.get("page")) or 1)
    size = max(1, as_int(ctx.query.get("page_size")) or 100)
    chunk = clips[(page - 1) * size : page * size]
    return ok(
        {
            "audio_list": [P.audio_list_item(c, ctx.state) for c in chunk],
            "total": len(clips),
            "has_more": page * size < len(clips),
        }
    )


async def get_audio(ctx: Ctx) -> Result:
    """GET audio/{audio_id}: one clip with its voice and settings."""
    audio_id = ctx.params["audio_id"]
    if parse_id(audio_id) is None:
        return fail(400, f"Invalid audio_id {audio_id}")
    clip = ctx.state.audio.get(audio_id)
    if clip is None or clip.deleted:
        return Reply(status=404, body=dict(NOT_FOUND))
    return ok(P.audio_detail_body(clip, ctx.state))


async def delete_audio(ctx: Ctx) -> Result:
    """DELETE audio/{audio_id}: always 200."""
    clip = ctx.state.audio.get(ctx.params["audio_id"])
    if clip is not None:
        clip.deleted = True
    return Reply(status=200)


async def post_clone_voice(ctx: Ctx) -> Result:
    """POST audio/clone-voice: a cloned voice from uploaded samples (4 per account)."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    name = fields.text("voice_name")
    if not name:
        return fail(400, "Parameter voice_name is required")
    if len(name) > 30:
        return fail(400, "Parameter voice_name is longer than 30 characters")
    language = fields.text("language_tag")
    if not language:
        return fail(400, "Parameter language_tag is required")
    files = [f.strip() for f in (fields.text("files") or "").split(",") if f.strip()]
    if not files or len(files) > 10:
        return fail(400, "Parameter files must list 1 to 10 fileID values")
    for file_id in files:
        bad = _check_file_id(file_id, "files")
        if bad is not None:
            return bad
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    mine = [v for v in state.voices.values() if v.account == acc.account and not v.deleted]
    if len(mine) >= 4:
        return fail(400, "No free slots for cloned voices (4 per account)")
    voice = Voice(
        voice_id=state.make_id(acc.account, "audio", state.number()),
        account=acc.account,
        name=name,
        language_tag=language,
        file_ids=files,
        created_wall=state.clock.wall(),
    )
    state.voices[voice.voice_id] = voice
    return ok(P.cloned_voice_body(voice, state))


async def post_upload_sample(ctx: Ctx) -> Result:
    """POST audio/upload-sample: raw mp3/wav body -> ``ossPath`` and ``fileID``."""
    return await _receive_upload(ctx, SAMPLE_TYPES, "samples", sample=True)


async def post_delete_voice(ctx: Ctx) -> Result:
    """POST audio/delete-voice: always 200."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    voice_id = fields.text("voice_id")
    if not voice_id:
        return fail(400, "Parameter voice_id is required")
    voice = ctx.state.voices.get(voice_id)
    if voice is not None:
        voice.deleted = True
    return Reply(status=200)


# ---------------------------------------------------------------------------------------------
# Media
# ---------------------------------------------------------------------------------------------

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


async def get_media(ctx: Ctx) -> Result:
    """GET /media/{path}: files served by the emulator, with Range (206) and HEAD support."""
    state = ctx.state
    path = ctx.params["path"]
    blob = state.media.get(path)
    if blob is None and path.startswith(("audio/voice-", "templates/")):
        if path.endswith(".mp3"):
            blob_data, ctype = mp3_bytes(), "audio/mpeg"
        elif path.endswith(".mp4"):
            blob_data, ctype = mp4_bytes(1280, 720, 1), "video/mp4"
        else:
            blob_data, ctype = png_bytes(), "image/png"
        state.put_media(path, blob_data, ctype)
        blob = state.media[path]
    if blob is None:
        return Reply(status=404, body=dict(NOT_FOUND))
    data = blob.data
    headers = {"Accept-Ranges": "bytes", "ETag": blob.etag, "Cache-Control": "max-age=3600"}
    header = ctx.request.headers.get("Range")
    if_range = ctx.request.headers.get("If-Range")
    if header and (if_range is None or if_range == blob.etag):
        match = _RANGE_RE.match(header.strip())
        size = len(data)
        start: int | None = None
        end: int | None = None
        if match and (match[1] or match[2]):
            if match[1]:
                start = int(match[1])
                end = int(match[2]) if match[2] else size - 1
            else:
                suffix = int(match[2])
                start, end = max(0, size - suffix), size - 1
        if start is None or end is None or start >= size or end < start:
            headers["Content-Range"] = f"bytes */{size}"
            return Reply(status=416, raw=b"", content_type=blob.content_type, headers=headers)
        end = min(end, size - 1)
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Reply(
            status=206, raw=data[start : end + 1], content_type=blob.content_type, headers=headers
        )
    return Reply(status=200, raw=data, content_type=blob.content_type, headers=headers)


# ---------------------------------------------------------------------------------------------
# The application
# ---------------------------------------------------------------------------------------------


def build_router() -> Router:
    r = Router()
    r.add("GET", "/accounts", get_accounts)
    r.add("GET", "/accounts/{account}", get_account)
    r.add("POST", "/accounts", post_accounts)
    r.add("DELETE", "/accounts/{account}", delete_account)
    r.add("GET", "/features", get_features)
    r.add("POST", "/files", post_files)
    r.add("GET", "/files", get_files)
    r.add("DELETE", "/files/{fileID}", delete_file)
    r.add("POST", "/videos/create", post_videos_create)
    r.add("POST", "/videos/cancel", post_videos_cancel)
    r.add("POST", "/videos/agent-create", post_agent_create)
    r.add("GET", "/videos/characters", get_characters)
    r.add("GET", "/videos/agent-templates", get_agent_templates)
    r.add("GET", "/videos/agent-templates/{templateId}", get_agent_templates)
    r.add("GET", "/videos/{videoId}", get_video)
    r.add("GET", "/videos", list_videos)
    r.add("DELETE", "/videos/{videoId}", delete_video)
    r.add("POST", "/images/create", post_images_create)
    r.add("GET", "/images/{imageId}", get_image)
    r.add("GET", "/images", list_images)
    r.add("DELETE", "/images/{imageId}", delete_image)
    r.add("POST", "/agent", post_agent)
    r.add("GET", "/agent/jobs", get_agent_jobs)
    r.add("GET", "/agent/{jobId}", get_agent_job)
    r.add("GET", "/scheduler", get_scheduler)
    r.add("GET", "/scheduler/available", get_scheduler_available)
    r.add("DELETE", "/scheduler/{id}", delete_scheduler)
    r.add("POST", "/llm", post_llm)
    r.add("GET", "/llm", list_llm)
    r.add("GET", "/llm/{chatID}", get_llm_chat)
    r.add("DELETE", "/llm", delete_llm)
    r.add("POST", "/audio/create-mp3", post_audio_create_mp3)
    r.add("POST", "/audio/create-stream", post_audio_create_stream)
    r.add("GET", "/audio/wss", audio_wss, public=True)
    r.add("GET", "/audio/voices", get_audio_voices)
    r.add("GET", "/audio/config", get_audio_config)
    r.add("GET", "/audio", list_audio)
    r.add("GET", "/audio/{audio_id}", get_audio)
    r.add("DELETE", "/audio/{audio_id}", delete_audio)
    r.add("POST", "/audio/clone-voice", post_clone_voice)
    r.add("POST", "/audio/upload-sample", post_upload_sample)
    r.add("POST", "/audio/delete-voice", post_delete_voice)
    r.add("GET", "/music/create", get_music_create)
    r.add("GET", "/music/styles", get_music_styles)
    r.add("GET", "/music/{musicId}", get_music)
    r.add("GET", "/music", list_music)
    return r


def create_app(app_ctx: AppContext) -> web.Application:
    """The aiohttp application serving the API under ``/v1/minimax`` and media under ``/media``."""
    media = Router()
    media.add("GET", "/media/{path}", get_media, public=True)
    dispatch = make_dispatcher(app_ctx, build_router(), media)
    app = web.Application(client_max_size=64 * 1024**2)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app


# ---------------------------------------------------------------------------------------------
# replyUrl callbacks
# ---------------------------------------------------------------------------------------------


def callback_payload(job: Video | Image | AgentJob, state: EmulatorState) -> dict[str, Any]:
    if isinstance(job, AgentJob):
        return P.agent_job_body(job, state)
    body = P.video_body(job, state) if isinstance(job, Video) else P.image_body(job, state)
    body["replyUrl"] = job.reply_url
    body["replyRef"] = job.reply_ref
    return body


async def callback_loop(app_ctx: AppContext, session: aiohttp.ClientSession) -> None:
    """POST each job's final state to its ``replyUrl`` once it ends (one task for all jobs)."""
    state = app_ctx.state
    clock = state.clock
    while not app_ctx.closing.is_set():
        wake = state.wake_event()
        changed = clock.changed_event()
        now = clock.now()
        due_jobs = []
        for job in list(state.callback_candidates()):
            ends = job.ends_at if isinstance(job, AgentJob) else job.life.ends_at
            if ends <= now:
                job.notified = True
                due_jobs.append(job)
        if due_jobs:
            await asyncio.gather(*(_post_callback(session, state, job) for job in due_jobs))
            continue
        due = state.next_callback_due()
        timeout = None if due is None else clock.real_delay(due)
        # Named like the emulator's other tasks, so leak checks can tell them from the SDK's.
        loop = asyncio.get_running_loop()
        waiters = [
            loop.create_task(event.wait(), name="minimax-emulator-callbacks-wait")
            for event in (wake, changed, app_ctx.closing)
        ]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        if wake.is_set():
            state._wake = None


async def _post_callback(
    session: aiohttp.ClientSession, state: EmulatorState, job: Video | Image | AgentJob
) -> None:
    payload = callback_payload(job, state)
    job_id = (
        job.job_id
        if isinstance(job, AgentJob)
        else job.video_id
        if isinstance(job, Video)
        else job.image_id
    )
    record = CallbackRecord(url=job.reply_url, payload=payload, job_id=job_id)
    state.callbacks.append(record)
    try:
        async with session.post(
            job.reply_url, json=payload, timeout=aiohttp.ClientTimeout(total=10)
        ) as resp:
            await resp.read()
            record.status = resp.status
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
        record.error = f"{type(exc).__name__}: {exc}"
