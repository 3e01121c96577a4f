"""The aiohttp application: every route of :mod:`.routes` on aiohttp's router.

Each route's handler is wrapped once (:func:`_handler`): it records the request in
``emu.state.requests``, checks auth, applies the fault armed for the route, runs the handler
and renders its reply. One middleware answers what no route takes (JSON 404 / 405, the index).

Every API route lives under ``/v1/minimax`` (a trailing slash is accepted; path segments are
percent-decoded, so ids with ``:`` and ``@`` work either way); media files are served under
``/media/`` without auth.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable

from aiohttp import web

from ._faults import AFTER_ACCEPT_KINDS, BEFORE_HANDLER_KINDS
from ._http import (
    API_PREFIX,
    NOT_FOUND,
    AppContext,
    Ctx,
    Reply,
    Route,
    Streamer,
    abort,
    authorized,
    drain,
    fail,
    fault_reply,
    ok,
    render,
)
from ._state import RecordedRequest
from .routes import API_ROUTES, MEDIA_ROUTES, PLATFORM_ROUTES

__all__ = ["create_app"]

_APP_CONTEXT = web.AppKey("app_context", AppContext)
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(app_ctx: AppContext) -> web.Application:
    """The aiohttp application serving the API under ``/v1/minimax``, media under ``/media`` and
    the official platform's upload under ``/minimax/v1``."""
    app = web.Application(client_max_size=64 * 1024**2, middlewares=[_unmatched])
    app[_APP_CONTEXT] = app_ctx
    # The route with the most literal segments wins where two match (``/videos/characters``
    # before ``/videos/{videoId}``), whatever the order of the tables.
    for route in sorted(API_ROUTES, key=lambda r: -r.literal_count):
        _register(app.router, route, API_PREFIX)
    for route in (*MEDIA_ROUTES, *PLATFORM_ROUTES):
        _register(app.router, route, "")
    return app


def _register(router: web.UrlDispatcher, route: Route, prefix: str) -> None:
    handler = _handler(route)
    # ``/media/{path}`` spans several segments.
    path = prefix + route.template.replace("{path}", "{path:.+}")
    methods = ("GET", "HEAD") if route.method == "GET" else (route.method,)
    # aiohttp's router has no "ignore a trailing slash" switch (normalize_path_middleware
    # answers with a redirect instead), so each route is also registered with one.
    for variant in (path, path + "/"):
        for method in methods:
            router.add_route(method, variant, handler)


def _start(request: web.Request) -> Ctx:
    """The request's context, recorded in ``emu.state.requests``."""
    app_ctx = request.app[_APP_CONTEXT]
    raw_path = request.rel_url.raw_path
    rel = _relative(raw_path) if _in_api(raw_path) else raw_path
    record = RecordedRequest(
        method=request.method,
        path=urllib.parse.unquote(rel),
        query=dict(request.query),
        headers=dict(request.headers),
        body_bytes_len=request.content_length or 0,
    )
    app_ctx.state.requests.append(record)
    return Ctx(request, app_ctx, dict(request.match_info), record)


def _in_api(raw_path: str) -> bool:
    return raw_path == API_PREFIX or raw_path.startswith(API_PREFIX + "/")


def _relative(raw_path: str) -> str:
    return raw_path[len(API_PREFIX) :] or "/"


@web.middleware
async def _unmatched(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Answer a path or method no route takes as the API does (JSON 404 / 405; the index)."""
    error = request.match_info.http_exception
    if error is None:
        return await handler(request)
    ctx = _start(request)
    raw_path = request.rel_url.raw_path
    response: web.StreamResponse
    if not _in_api(raw_path) and not raw_path.startswith("/media/"):
        reply = _index(ctx) if raw_path in ("", "/") else Reply(status=404, body=dict(NOT_FOUND))
        response = await render(ctx, reply, None)
    else:
        await drain(ctx)
        if error.status == 405:
            response = await render(ctx, fail(405, "Method not allowed"), None)
        else:
            response = await render(ctx, Reply(status=404, body=dict(NOT_FOUND)), None)
    ctx.record.status = response.status
    return response


def _handler(route: Route) -> _Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        ctx = _start(request)
        ctx.record.route = f"{route.method} {route.template}"
        response = await _answer(ctx, route)
        ctx.record.status = response.status
        return response

    return handle


async def _answer(ctx: Ctx, route: Route) -> web.StreamResponse:
    """Auth, then the request's fault (if one is armed for the route), then the handler."""
    if not route.public and not authorized(ctx):
        await drain(ctx)
        return await render(ctx, fail(401, "Unauthorized"), None)
    rule = ctx.app.faults.take(route.method, route.template, ctx.record.path)
    if rule is not None:
        ctx.record.fault = rule.kind
        if rule.kind in BEFORE_HANDLER_KINDS:
            await drain(ctx)
            if rule.kind == "reset":
                return abort(ctx)
            return await render(ctx, fault_reply(ctx, rule.kind), None)
    result = await route.handler(ctx)
    if isinstance(result, Streamer):
        if rule is not None and rule.kind in AFTER_ACCEPT_KINDS:
            return await render(ctx, Reply(), rule)
        return await result.run(ctx, rule)
    return await render(ctx, result, rule)


def _index(ctx: Ctx) -> Reply:
    return ok(
        {
            "emulator": "useapi.net MiniMax API v1",
            "baseUrl": f"{ctx.state.origin}{API_PREFIX}",
            "docs": "python -m minimax_async.testing --help",
        }
    )
