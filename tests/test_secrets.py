"""The API token and account JWTs never leak: not in errors, logs, reprs, nor to other hosts."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AsyncMiniMax,
    AuthenticationError,
    BadRequestError,
    ResponseDecodeError,
    ServerError,
    Timeout,
)

# useapi.net tokens look like ``user:<id>-<secret>``; the part after the colon is the secret.
TOKEN = "user:9876-SeCrEtToKeN0123456789abcdefXYZ"
SECRET = "SeCrEtToKeN0123456789"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJ1c2VyIjoiMTIzNDU2IiwiZGV2aWNlIjoiOTg3NjU0MzIxIn0"
    ".hAiLuOsEcReTsIgNaTuRe0123456789abcdefghijk"
)
JWT_SECRET = "hAiLuOsEcReTsIgNaTuRe0123456789"
PREFIX = "/v1/minimax"

ACCOUNT = {
    "account": "123456",
    "jwt": {
        "token": JWT,
        "user": {"deviceID": "123456789", "id": "123456", "isAnonymous": True},
        "exp": 1734858598.864,
        "host": "hailuoai.video",
    },
    "maxJobs": 1,
    "supportVideo": True,
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def leaks(text: Any) -> bool:
    """True when ``text`` (anything, stringified) carries the API token or the account JWT."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = text if isinstance(text, str) else repr(text)
    return any(s in text for s in (SECRET, JWT_SECRET, TOKEN, JWT))


def assert_clean_error(exc: BaseException) -> None:
    """No part of ``exc`` a user might print or log carries a secret."""
    assert not leaks(str(exc)), str(exc)
    assert not leaks(repr(exc)), repr(exc)
    for name in ("message", "url", "body", "raw_body", "headers", "running_videos"):
        value = getattr(exc, name, None)
        if value is not None:
            shown = json.dumps(value, default=str) if isinstance(value, (dict, list)) else value
            assert not leaks(shown), (name, value)
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        assert_clean_error(cause)


def assert_clean_logs(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "expected DEBUG records to check"
    for record in caplog.records:
        assert not leaks(record.getMessage()), record.getMessage()
        assert not leaks(record.args), record.args


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
async def gate() -> AsyncIterator[asyncio.Event]:
    event = asyncio.Event()
    yield event
    event.set()


@pytest.fixture
async def serve(gate: asyncio.Event) -> AsyncIterator[Callable[..., Awaitable[TestServer]]]:
    """``await serve({("GET", "/path"): handler})`` -> a started TestServer (closed after)."""
    servers: list[TestServer] = []

    async def start(routes: dict[tuple[str, str], Handler]) -> TestServer:
        app = web.Application()
        for (method, path), handler in routes.items():
            app.router.add_route(method, path, handler)
        server = TestServer(app)
        await server.start_server()
        servers.append(server)
        return server

    yield start
    gate.set()
    for server in servers:
        await server.close()


@pytest.fixture
async def client_for() -> AsyncIterator[Callable[..., AsyncMiniMax]]:
    clients: list[AsyncMiniMax] = []

    def make(base_url: str, **options: Any) -> AsyncMiniMax:
        client = AsyncMiniMax(TOKEN, base_url=base_url, **options)

        async def no_sleep(delay: float) -> None:
            return None

        client._sleep = no_sleep
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def echo_page(status: int, content_type: str = "text/html") -> Handler:
    """An error page echoing the request's Authorization header, and the bare token too."""

    async def handler(request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        bare = auth.removeprefix("Bearer ")
        text = (
            f"<html><head><title>{status}</title></head><body><h1>Error</h1>"
            f"<pre>Authorization: {auth}</pre><p>token={bare}</p><p>key {bare}</p></body></html>"
        )
        return web.Response(status=status, text=text, content_type=content_type)

    return handler


def echo_json(status: int) -> Handler:
    """A JSON error echoing the token in a message string, under a key and bare."""

    async def handler(request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        bare = auth.removeprefix("Bearer ")
        body = {
            "error": f"invalid token {bare}",
            "headers": {"authorization": auth},
            "detail": [f"got {auth}"],
        }
        return web.json_response(body, status=status)

    return handler


class TestErrors:
    async def test_401_echoing_token(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A 401 whose JSON body echoes the token keeps none of it."""
        server = await serve({("GET", f"{PREFIX}/videos/v1"): echo_json(401)})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(AuthenticationError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert_clean_logs(debug_logs)

    async def test_500_html_echoing_authorization(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A 500 HTML page echoing the Authorization header keeps none of the token."""
        server = await serve({("GET", f"{PREFIX}/videos/v1"): echo_page(500)})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(ServerError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert_clean_logs(debug_logs)

    async def test_create_error_echoing_token(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A create refused with a body echoing the token keeps none of it."""
        server = await serve({("POST", f"{PREFIX}/videos/create"): echo_json(400)})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(BadRequestError) as info:
            await mm.videos.create(prompt="a cat playing the piano on a rainy evening")
        assert_clean_error(info.value)
        assert_clean_logs(debug_logs)

    async def test_decode_error_echoing_token(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A 200 HTML page (not JSON) echoing the token gives a clean ResponseDecodeError."""
        server = await serve({("GET", f"{PREFIX}/videos/v1"): echo_page(200)})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(ResponseDecodeError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert info.value.raw_body  # still there, for debugging, minus the token
        assert_clean_logs(debug_logs)

    async def test_connection_error(
        self, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A refused connection's error carries no token."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        mm = client_for(f"http://127.0.0.1:{port}{PREFIX}")
        with pytest.raises(APIConnectionError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert_clean_logs(debug_logs)

    async def test_connection_dropped(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A connection cut mid-request gives an error without the token."""

        async def drop(request: web.Request) -> web.StreamResponse:
            assert request.transport is not None
            request.transport.close()
            return web.Response()

        server = await serve({("GET", f"{PREFIX}/videos/v1"): drop})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(APIConnectionError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert_clean_logs(debug_logs)

    async def test_timeout(
        self,
        serve: Any,
        client_for: Any,
        gate: asyncio.Event,
        debug_logs: pytest.LogCaptureFixture,
    ) -> None:
        """A read timeout's error carries no token."""

        async def hang(request: web.Request) -> web.StreamResponse:
            await gate.wait()
            return web.json_response({})

        server = await serve({("GET", f"{PREFIX}/videos/v1"): hang})
        mm = client_for(
            str(server.make_url(PREFIX)), timeout=Timeout(connect=5, read=0.1), max_retries=0
        )
        debug_logs.set_level(logging.DEBUG)
        with pytest.raises(APITimeoutError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        for record in debug_logs.records:
            assert not leaks(record.getMessage())

    async def test_ambiguous_create(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """JobCreationUnknownError (and its cause) carry no token."""
        server = await serve(
            {
                ("POST", f"{PREFIX}/videos/create"): echo_page(502),
                ("GET", f"{PREFIX}/scheduler"): echo_json(500),
            }
        )
        mm = client_for(str(server.make_url(PREFIX)), max_retries=0)
        with pytest.raises(APIError) as info:
            await mm.videos.create(prompt="a cat playing the piano on a rainy evening")
        assert_clean_error(info.value)
        assert_clean_logs(debug_logs)


class TestAccounts:
    async def test_list_and_retrieve_hide_jwt(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """Account models show no JWT in ``repr``, yet keep it for ``to_dict``."""

        async def listing(request: web.Request) -> web.StreamResponse:
            return web.json_response({"123456": ACCOUNT})

        async def one(request: web.Request) -> web.StreamResponse:
            return web.json_response(ACCOUNT)

        server = await serve(
            {("GET", f"{PREFIX}/accounts"): listing, ("GET", f"{PREFIX}/accounts/123456"): one}
        )
        mm = client_for(str(server.make_url(PREFIX)))
        accounts = await mm.accounts.list()
        account = await mm.accounts.retrieve("123456")
        for shown in (repr(accounts), str(accounts), repr(account), str(account)):
            assert not leaks(shown), shown
        assert account.jwt is not None
        assert not leaks(repr(account.jwt))
        assert account.jwt.token == JWT
        assert account.to_dict()["jwt"]["token"] == JWT
        assert_clean_logs(debug_logs)

    async def test_configure_hides_both_secrets(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """``accounts.configure`` sends the JWT but neither it nor the token shows anywhere."""
        received: list[Any] = []

        async def configure(request: web.Request) -> web.StreamResponse:
            received.append(await request.json())
            return web.json_response(ACCOUNT, status=201)

        server = await serve({("POST", f"{PREFIX}/accounts"): configure})
        mm = client_for(str(server.make_url(PREFIX)))
        account = await mm.accounts.configure(
            url="https://hailuoai.video/api?device_id=1", token=JWT, max_jobs=1
        )
        assert received[0]["token"] == JWT
        assert not leaks(repr(account))
        assert_clean_logs(debug_logs)

    async def test_configure_error_echoing_jwt(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A refused configure whose body echoes the account JWT keeps none of it."""

        async def refuse(request: web.Request) -> web.StreamResponse:
            sent = await request.json()
            body = {"error": f"token {sent['token']} is expired", "request": sent}
            return web.json_response(body, status=400)

        server = await serve({("POST", f"{PREFIX}/accounts"): refuse})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(APIStatusError) as info:
            await mm.accounts.configure(url="https://hailuoai.video/", token=JWT, max_jobs=1)
        assert_clean_error(info.value)
        assert_clean_logs(debug_logs)

    async def test_truncated_accounts_body(
        self, serve: Any, client_for: Any, debug_logs: pytest.LogCaptureFixture
    ) -> None:
        """A cut-off accounts body (not JSON) gives a decode error without the JWT."""

        async def truncated(request: web.Request) -> web.StreamResponse:
            text = json.dumps({"123456": ACCOUNT})
            return web.Response(text=text[: text.index(JWT) + len(JWT) + 5])

        server = await serve({("GET", f"{PREFIX}/accounts"): truncated})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(ResponseDecodeError) as info:
            await mm.accounts.list()
        assert_clean_error(info.value)
        assert b"123456" in bytes(info.value.raw_body)
        assert_clean_logs(debug_logs)


class TestOtherHosts:
    async def test_token_not_sent_to_other_host(self, serve: Any, client_for: Any) -> None:
        """``open_stream`` to another host sends no Authorization header there."""
        seen: list[dict[str, str]] = []

        async def media(request: web.Request) -> web.StreamResponse:
            seen.append(dict(request.headers))
            return web.Response(body=b"\x00" * 10, content_type="video/mp4")

        api = await serve({})
        cdn = await serve({("GET", "/media/v.mp4"): media})
        mm = client_for(str(api.make_url(PREFIX)))
        response = await mm.open_stream("GET", str(cdn.make_url("/media/v.mp4")))
        try:
            assert await response.read() == b"\x00" * 10
        finally:
            response.release()
        assert len(seen) == 1
        assert "Authorization" not in seen[0]
        assert not any(leaks(v) for v in seen[0].values())

    async def test_token_sent_to_api_host(self, serve: Any, client_for: Any) -> None:
        """The same call to the API's own host does carry the token (the contrast)."""
        seen: list[dict[str, str]] = []

        async def media(request: web.Request) -> web.StreamResponse:
            seen.append(dict(request.headers))
            return web.Response(body=b"ok")

        api = await serve({("GET", "/media/v.mp4"): media})
        mm = client_for(str(api.make_url(PREFIX)))
        response = await mm.open_stream("GET", str(api.make_url("/media/v.mp4")))
        response.release()
        assert seen[0]["Authorization"] == f"Bearer {TOKEN}"

    async def test_same_host_other_port_is_another_host(self, serve: Any, client_for: Any) -> None:
        """Same hostname, different port: a different origin, so no token."""
        seen: list[dict[str, str]] = []

        async def media(request: web.Request) -> web.StreamResponse:
            seen.append(dict(request.headers))
            return web.Response(body=b"ok")

        api = await serve({})
        other = await serve({("GET", "/x"): media})
        assert api.host == other.host
        mm = client_for(str(api.make_url(PREFIX)))
        response = await mm.open_stream("GET", str(other.make_url("/x")))
        response.release()
        assert "Authorization" not in seen[0]

    async def test_default_authorization_header_never_leaves_for_other_hosts(
        self, serve: Any, client_for: Any
    ) -> None:
        """An ``authorization`` default header (any case) is not sent to another host either."""
        seen: list[list[tuple[str, str]]] = []

        async def record(request: web.Request) -> web.StreamResponse:
            seen.append([(k.lower(), v) for k, v in request.headers.items()])
            return web.json_response({"videoId": "v1", "status": 2})

        api = await serve({("GET", f"{PREFIX}/videos/v1"): record})
        cdn = await serve({("GET", "/x"): record})
        mm = client_for(
            str(api.make_url(PREFIX)), default_headers={"authorization": f"Bearer {TOKEN}"}
        )
        response = await mm.open_stream("GET", str(cdn.make_url("/x")))
        response.release()
        await mm.videos.retrieve("v1")
        cdn_headers, api_headers = seen
        assert [v for k, v in cdn_headers if k == "authorization"] == []
        assert [v for k, v in api_headers if k == "authorization"] == [f"Bearer {TOKEN}"]

    async def test_redirect_to_other_host_drops_token(self, serve: Any, client_for: Any) -> None:
        """An API redirect to another host (a media CDN) does not carry the token along."""
        seen: list[dict[str, str]] = []

        async def media(request: web.Request) -> web.StreamResponse:
            seen.append(dict(request.headers))
            return web.Response(body=b"media")

        cdn = await serve({("GET", "/media/v.mp4"): media})

        async def redirect(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(str(cdn.make_url("/media/v.mp4")))

        api = await serve({("GET", f"{PREFIX}/download/v1"): redirect})
        mm = client_for(str(api.make_url(PREFIX)))
        response = await mm.open_stream("GET", "download/v1")
        try:
            assert await response.read() == b"media"
        finally:
            response.release()
        assert len(seen) == 1
        assert "Authorization" not in seen[0]


class TestRepr:
    def test_client_repr_has_no_token(self) -> None:
        """``repr(mm)`` shows the configuration but not the token."""
        mm = AsyncMiniMax(TOKEN, base_url="https://api.test/v1/minimax", account="123456")
        assert not leaks(repr(mm))
        assert not leaks(str(mm))
        assert not leaks(repr(mm.with_options(max_retries=0)))
        assert "123456" in repr(mm)


def escaped(text: str) -> str:
    """``text`` as a JSON string literal whose letters are all ``\\u`` escapes: the raw bytes
    then hold none of the secret, only the decoded value does."""
    return '"' + "".join(f"\\u{ord(c):04x}" if c.isalpha() else c for c in text) + '"'


class TestEchoedSecrets:
    """A server that echoes credentials in headers or hides them behind JSON escapes."""

    async def test_headers_echoing_authorization_and_cookies(
        self, serve: Any, client_for: Any
    ) -> None:
        """``APIStatusError.headers`` is scrubbed like the body."""

        async def echo(request: web.Request) -> web.StreamResponse:
            auth = request.headers["Authorization"]
            return web.json_response(
                {"error": "nope"},
                status=401,
                headers={
                    "Authorization": auth,
                    "Set-Cookie": f"session={JWT}; HttpOnly",
                    "X-Debug": f"got {auth}",
                    "X-Request-Id": "rid-1",
                },
            )

        server = await serve({("GET", f"{PREFIX}/videos/v1"): echo})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(AuthenticationError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert info.value.headers["X-Request-Id"] == "rid-1"  # harmless headers are kept
        assert info.value.headers["Set-Cookie"] == "***"

    @pytest.mark.parametrize("status", [400, 500])
    async def test_json_escaped_token_in_an_error_body(
        self, serve: Any, client_for: Any, status: int
    ) -> None:
        """A token written with ``\\u`` escapes is caught after decoding: ``str(exc)``,
        ``.body`` and the traceback are clean."""

        async def echo(request: web.Request) -> web.StreamResponse:
            body = (
                f'{{"error": "bad token " + {escaped(TOKEN)}, "echo": {escaped(TOKEN)}, '
                f'"jwt_here": {escaped(JWT)}}}'
            ).replace('" + "', "")
            assert SECRET not in body
            return web.Response(status=status, text=body, content_type="application/json")

        server = await serve({("GET", f"{PREFIX}/videos/v1"): echo})
        mm = client_for(str(server.make_url(PREFIX)), max_retries=0)
        with pytest.raises(APIStatusError) as info:
            await mm.videos.retrieve("v1")
        assert "bad token" in str(info.value)  # decoded, then scrubbed
        assert_clean_error(info.value)
        assert not leaks("".join(traceback.format_exception(info.value)))

    async def test_decode_error_keeps_no_unscrubbed_context(
        self, serve: Any, client_for: Any
    ) -> None:
        """A 200 answer that is broken JSON with the token in it: the ``JSONDecodeError``
        (whose ``.doc`` is the whole body) is not reachable from the error."""

        async def broken(request: web.Request) -> web.StreamResponse:
            return web.Response(text=f'{{"videoId": "{TOKEN}", ', content_type="application/json")

        server = await serve({("GET", f"{PREFIX}/videos/v1"): broken})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(ResponseDecodeError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert info.value.__context__ is None
        assert info.value.__cause__ is None
        assert not leaks("".join(traceback.format_exception(info.value)))

    async def test_decode_error_with_an_escaped_token(self, serve: Any, client_for: Any) -> None:
        """A 200 JSON body of the wrong shape holding an escaped token: ``raw_body`` decodes to
        nothing secret either."""

        async def wrong_shape(request: web.Request) -> web.StreamResponse:
            return web.Response(text=f"[{escaped(TOKEN)}]", content_type="application/json")

        server = await serve({("GET", f"{PREFIX}/videos/v1"): wrong_shape})
        mm = client_for(str(server.make_url(PREFIX)))
        with pytest.raises(ResponseDecodeError) as info:
            await mm.videos.retrieve("v1")
        assert_clean_error(info.value)
        assert not leaks(json.loads(info.value.raw_body))
        assert info.value.__context__ is None

    def test_cli_debug_traceback(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``minimax-async --debug`` shows the traceback of an error whose body hid the token
        behind escapes: the traceback holds none of it."""
        from minimax_async.cli import main

        async def echo(request: web.Request) -> web.StreamResponse:
            text = f'{{"error": "no " + {escaped(TOKEN)}}}'.replace('" + "', "")
            return web.Response(status=400, text=text, content_type="application/json")

        with threaded_server({("GET", f"{PREFIX}/videos/v1"): echo}) as base:
            code = main(["video", "get", "v1", "--debug", "--token", TOKEN, "--base-url", base])
        captured = capsys.readouterr()
        shown = captured.out + captured.err
        assert code == 3  # --debug keeps the documented exit code of an API error
        assert "Traceback" in shown
        assert "no ***" in shown
        assert not leaks(shown)


@contextlib.contextmanager
def threaded_server(routes: dict[tuple[str, str], Handler]) -> Iterator[str]:
    """An aiohttp app on its own loop in a thread (the CLI runs ``asyncio.run`` itself)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    app = web.Application()
    for (method, path), handler in routes.items():
        app.router.add_route(method, path, handler)
    runner = web.AppRunner(app)

    async def start() -> str:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}{PREFIX}"

    try:
        yield asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
