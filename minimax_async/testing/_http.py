"""The emulator's HTTP plumbing every route shares: replies, the request context, request
fields, auth, rendering with faults, and the SSE writer.

Handlers return a :class:`Reply` (rendered by the application, which applies the fault of the
request) or a :class:`Streamer` (SSE, WebSocket, long-running sync calls), which applies it
itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import attrs
from aiohttp import web

from . import _payloads as P
from ._faults import FaultRule, Faults
from ._state import (
    EmulatorState,
    RecordedRequest,
)

API_PREFIX = "/v1/minimax"
NOT_FOUND = {"error": "Not found.", "code": 404}

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
H = TypeVar("H", bound=Handler)


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
# Routes
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Route:
    """One documented route: ``template`` is the path as the documents write it (without
    ``/v1/minimax``); faults and the request log name routes ``"METHOD template"``."""

    method: str
    template: str
    handler: Handler
    #: No ``Authorization`` checked by the application (the audio WebSocket, media files; the
    #: platform route checks its own, answering ``base_resp`` errors).
    public: bool = False

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.template.strip("/").split("/") if s and not s.startswith("{"))


class RouteTable:
    """The routes of one API group, declared on their handlers (``@api.get("/videos")``).

    The application registers them on aiohttp's own router. This is not aiohttp's
    ``web.RouteTableDef`` because that one types handlers as ``(Request) -> StreamResponse``,
    while ours take a :class:`Ctx` and return a :class:`Reply` that the application renders
    with the request's fault.
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, method: str, template: str, *, public: bool = False) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.routes.append(Route(method, template, handler, public))
            return handler

        return register

    def get(self, template: str, *, public: bool = False) -> Callable[[H], H]:
        return self.route("GET", template, public=public)

    def post(self, template: str, *, public: bool = False) -> Callable[[H], H]:
        return self.route("POST", template, public=public)

    def delete(self, template: str) -> Callable[[H], H]:
        return self.route("DELETE", template)


# ---------------------------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------------------------


def authorized(ctx: Ctx) -> bool:
    header = ctx.request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value:
        return False
    expected = ctx.app.token
    return expected is None or secrets.compare_digest(value, expected)


async def drain(ctx: Ctx) -> None:
    total = 0
    with contextlib.suppress(Exception):
        async for chunk in ctx.request.content.iter_any():
            total += len(chunk)
    ctx.record.body_bytes_len = max(ctx.record.body_bytes_len, total)


# ---------------------------------------------------------------------------------------------
# Rendering with faults
# ---------------------------------------------------------------------------------------------


def abort(ctx: Ctx) -> web.StreamResponse:
    transport = ctx.request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=499)


def _corrupt(data: bytes) -> bytes:
    if len(data) < 2:
        return b'{"'
    return data[: max(1, len(data) // 2)]


def fault_reply(ctx: Ctx, kind: str) -> Reply:
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
        return abort(ctx)
    if kind in ("502_after_accept", "504_after_accept"):
        reply = fault_reply(ctx, kind)
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
            await trickle(ctx, resp, data, rule)
            return resp
        await resp.write(data[: len(data) // 2])
        if kind == "stall_sse":
            await ctx.hold_open()
    except ConnectionError:
        return resp
    return abort_prepared(ctx, resp)


def abort_prepared(ctx: Ctx, resp: web.StreamResponse) -> web.StreamResponse:
    transport = ctx.request.transport
    if transport is not None:
        transport.abort()
    return resp


async def trickle(ctx: Ctx, resp: web.StreamResponse, data: bytes, rule: FaultRule | None) -> None:
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
                        return abort_prepared(ctx, resp)
                    await ctx.hold_open()
                    return abort_prepared(ctx, resp)
                now = clock.now()
                if now >= event.due:
                    data = event.encode(broken=kind == "malformed_json" and index == 0)
                    if kind == "slow_body":
                        await trickle(ctx, resp, data, rule)
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
                    return abort_prepared(ctx, resp)
        except ConnectionError:
            return resp
        return resp
