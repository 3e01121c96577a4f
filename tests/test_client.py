"""``AsyncMiniMax`` configuration and lifecycle: token, URLs, account, sessions, with_options."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    DEFAULT_BASE_URL,
    NOT_GIVEN,
    AsyncMiniMax,
    ConfigurationError,
    ServerError,
    Timeout,
)

from .conftest import TOKEN, SleepRecorder

PREFIX = "/v1/minimax"
VIDEO = {"id": "v1", "videoId": "user:1-minimax:2-video:v1", "status": 2}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own configuration."""
    for name in ("USEAPI_TOKEN", "USEAPI_BASE_URL", "USEAPI_MINIMAX_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)


class Recorder:
    """A server answering every API path, recording method, path, query and headers."""

    def __init__(self) -> None:
        self.requests: list[web.Request] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        self.headers.append(dict(request.headers))
        if self.status != 200:
            return web.json_response({"error": "x"}, status=self.status)
        if request.path.endswith("/videos"):
            return web.json_response([VIDEO])
        return web.json_response(VIDEO)


@pytest.fixture
async def api() -> AsyncIterator[tuple[Recorder, str]]:
    recorder = Recorder()
    app = web.Application()
    app.router.add_route("*", PREFIX + "/{tail:.*}", recorder.handle)
    server = TestServer(app)
    await server.start_server()
    try:
        yield recorder, str(server.make_url(PREFIX))
    finally:
        await server.close()


class TestToken:
    def test_from_argument(self) -> None:
        """An explicit token is used."""
        mm = AsyncMiniMax("arg-token")
        assert mm._auth_headers() == {"Authorization": "Bearer arg-token"}

    def test_from_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without an argument the token comes from ``USEAPI_TOKEN``."""
        monkeypatch.setenv("USEAPI_TOKEN", "env-token")
        assert AsyncMiniMax()._auth_headers() == {"Authorization": "Bearer env-token"}

    def test_argument_beats_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An explicit token wins over ``USEAPI_TOKEN``."""
        monkeypatch.setenv("USEAPI_TOKEN", "env-token")
        assert AsyncMiniMax("arg-token")._auth_headers() == {"Authorization": "Bearer arg-token"}

    @pytest.mark.parametrize("env", [None, ""])
    def test_missing_raises_naming_variable(
        self, monkeypatch: pytest.MonkeyPatch, env: str | None
    ) -> None:
        """No token anywhere raises ConfigurationError naming USEAPI_TOKEN, at construction."""
        if env is not None:
            monkeypatch.setenv("USEAPI_TOKEN", env)
        with pytest.raises(ConfigurationError, match="USEAPI_TOKEN"):
            AsyncMiniMax()

    def test_empty_argument_raises(self) -> None:
        """An empty token is no token."""
        with pytest.raises(ConfigurationError, match="USEAPI_TOKEN"):
            AsyncMiniMax("")

    async def test_env_token_is_sent(
        self, monkeypatch: pytest.MonkeyPatch, api: tuple[Recorder, str]
    ) -> None:
        """The token from the environment is the one sent."""
        recorder, base_url = api
        monkeypatch.setenv("USEAPI_TOKEN", "env-token")
        async with AsyncMiniMax(base_url=base_url) as mm:
            await mm.videos.retrieve("v1")
        assert recorder.headers[0]["Authorization"] == "Bearer env-token"


class TestBaseUrlAndAccount:
    def test_default_base_url(self) -> None:
        """Without argument or env the base URL is useapi.net's MiniMax v1."""
        assert DEFAULT_BASE_URL == "https://api.useapi.net/v1/minimax"
        assert AsyncMiniMax(TOKEN).base_url == DEFAULT_BASE_URL

    def test_base_url_from_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``USEAPI_BASE_URL`` sets the base URL."""
        monkeypatch.setenv("USEAPI_BASE_URL", "http://localhost:8787/v1/minimax")
        assert AsyncMiniMax(TOKEN).base_url == "http://localhost:8787/v1/minimax"

    def test_base_url_argument_beats_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An explicit base URL wins, and a trailing slash is dropped."""
        monkeypatch.setenv("USEAPI_BASE_URL", "http://env/v1/minimax")
        assert AsyncMiniMax(TOKEN, base_url="http://arg/v1/minimax/").base_url == (
            "http://arg/v1/minimax"
        )

    def test_url_for_joins_paths(self) -> None:
        """Paths are appended to the base URL whether or not they start with a slash."""
        mm = AsyncMiniMax(TOKEN, base_url="https://api.test/v1/minimax/")
        assert str(mm.url_for("videos/x")) == "https://api.test/v1/minimax/videos/x"
        assert str(mm.url_for("/files")) == "https://api.test/v1/minimax/files"

    def test_account_from_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``USEAPI_MINIMAX_ACCOUNT`` is the default account; an argument wins."""
        monkeypatch.setenv("USEAPI_MINIMAX_ACCOUNT", "env-acc")
        assert AsyncMiniMax(TOKEN).account == "env-acc"
        assert AsyncMiniMax(TOKEN, account="arg-acc").account == "arg-acc"

    def test_explicit_none_overrides_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``account=None`` (constructor or ``with_options``) means "the API chooses"."""
        monkeypatch.setenv("USEAPI_MINIMAX_ACCOUNT", "env-acc")
        assert AsyncMiniMax(TOKEN, account=None).account is None
        assert AsyncMiniMax(TOKEN).with_options(account=None).account is None
        assert AsyncMiniMax(TOKEN).with_options(max_retries=0).account == "env-acc"

    def test_no_account(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without one, the account is None (an empty env var counts as unset)."""
        assert AsyncMiniMax(TOKEN).account is None
        monkeypatch.setenv("USEAPI_MINIMAX_ACCOUNT", "")
        assert AsyncMiniMax(TOKEN).account is None

    async def test_default_account_sent(self, api: tuple[Recorder, str]) -> None:
        """The default account goes with calls that take one; an explicit one wins."""
        recorder, base_url = api
        async with AsyncMiniMax(TOKEN, base_url=base_url, account="acc1") as mm:
            await mm.videos.list()
            await mm.videos.list(account="acc2")
        assert [r.query.get("account") for r in recorder.requests] == ["acc1", "acc2"]

    async def test_default_headers_sent(self, api: tuple[Recorder, str]) -> None:
        """``default_headers`` go with every request, and do not replace the token."""
        recorder, base_url = api
        async with AsyncMiniMax(
            TOKEN, base_url=base_url, default_headers={"X-Team": "video"}
        ) as mm:
            await mm.videos.retrieve("v1")
        assert recorder.headers[0]["X-Team"] == "video"
        assert recorder.headers[0]["Authorization"] == f"Bearer {TOKEN}"


class TestSessions:
    def test_constructed_without_a_loop_creates_no_session(self) -> None:
        """Construction is cheap and sync: the session is created on first use."""
        mm = AsyncMiniMax(TOKEN)
        assert mm._holder.session is None

    async def test_owned_session_closed_by_aclose(self, api: tuple[Recorder, str]) -> None:
        """A session the client created is closed by ``aclose``."""
        _, base_url = api
        mm = AsyncMiniMax(TOKEN, base_url=base_url)
        await mm.videos.retrieve("v1")
        session = mm._holder.session
        assert session is not None
        assert not session.closed
        await mm.aclose()
        assert session.closed

    async def test_owned_session_closed_by_async_with(self, api: tuple[Recorder, str]) -> None:
        """Leaving ``async with`` closes the client's own session."""
        _, base_url = api
        async with AsyncMiniMax(TOKEN, base_url=base_url) as mm:
            await mm.videos.retrieve("v1")
            session = mm._holder.session
        assert session is not None
        assert session.closed

    async def test_borrowed_session_not_closed(self, api: tuple[Recorder, str]) -> None:
        """A caller's session is used and left open by ``aclose``."""
        recorder, base_url = api
        async with aiohttp.ClientSession() as session:
            mm = AsyncMiniMax(TOKEN, base_url=base_url, session=session)
            await mm.videos.retrieve("v1")
            assert mm._holder.session is session
            await mm.aclose()
            assert not session.closed
            async with session.get(f"{base_url}/videos/v1") as response:
                assert response.status == 200
        assert len(recorder.requests) == 2

    async def test_closed_client_refuses_calls(self, api: tuple[Recorder, str]) -> None:
        """A closed client raises instead of silently opening a new session."""
        recorder, base_url = api
        mm = AsyncMiniMax(TOKEN, base_url=base_url)
        await mm.videos.retrieve("v1")
        await mm.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await mm.videos.retrieve("v1")
        assert len(recorder.requests) == 1

    async def test_closed_before_use_refuses_calls(self) -> None:
        """A client closed before its first call cannot be used either."""
        mm = AsyncMiniMax(TOKEN, base_url="http://127.0.0.1:9/v1/minimax")
        await mm.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await mm.videos.retrieve("v1")

    async def test_borrowed_closed_client_refuses_calls(self) -> None:
        """Closing a client that borrowed a session also ends the client (not the session)."""
        async with aiohttp.ClientSession() as session:
            mm = AsyncMiniMax(TOKEN, session=session)
            await mm.aclose()
            with pytest.raises(RuntimeError, match="closed"):
                await mm.videos.retrieve("v1")
            assert not session.closed

    async def test_aclose_twice(self) -> None:
        """``aclose`` may be called more than once."""
        mm = AsyncMiniMax(TOKEN)
        await mm.aclose()
        await mm.aclose()


class TestWithOptions:
    async def test_copy_shares_session(self, api: tuple[Recorder, str]) -> None:
        """A copy uses the same session and token as the original."""
        recorder, base_url = api
        async with AsyncMiniMax(TOKEN, base_url=base_url) as mm:
            copy = mm.with_options(max_retries=0)
            await mm.videos.retrieve("v1")
            await copy.videos.retrieve("v1")
            assert copy._holder is mm._holder
            assert copy._holder.session is mm._holder.session
        assert [h["Authorization"] for h in recorder.headers] == [f"Bearer {TOKEN}"] * 2

    def test_new_values_original_unchanged(self) -> None:
        """The copy has the new timeout/max_retries/account; the original keeps its own."""
        mm = AsyncMiniMax(TOKEN, account="a1", max_retries=2, default_headers={"X": "1"})
        copy = mm.with_options(timeout=Timeout(read=5.0), max_retries=7, account="a2")
        assert (copy.timeout, copy.max_retries, copy.account) == (Timeout(read=5.0), 7, "a2")
        assert (mm.timeout, mm.max_retries, mm.account) == (Timeout(), 2, "a1")
        assert copy is not mm
        assert copy.base_url == mm.base_url
        assert copy._default_headers == {"X": "1"}

    def test_unspecified_values_kept(self) -> None:
        """Options not given are copied from the original."""
        mm = AsyncMiniMax(TOKEN, account="a1", max_retries=5, timeout=30)
        copy = mm.with_options()
        assert (copy.timeout, copy.max_retries, copy.account) == (mm.timeout, 5, "a1")
        assert mm.with_options(account=NOT_GIVEN).account == "a1"

    def test_account_none_clears(self) -> None:
        """``account=None`` is an explicit "no default account", unlike not passing it."""
        mm = AsyncMiniMax(TOKEN, account="a1")
        assert mm.with_options(account=None).account is None

    def test_sleep_seam_copied(self, sleeps: SleepRecorder) -> None:
        """A copy keeps the original's sleep seam (tests rely on it)."""
        mm = AsyncMiniMax(TOKEN)
        mm._sleep = sleeps
        assert mm.with_options(max_retries=1)._sleep is sleeps

    async def test_copy_retry_count_used(
        self, api: tuple[Recorder, str], sleeps: SleepRecorder
    ) -> None:
        """Calls through the copy use its retry count; the original keeps its own."""
        recorder, base_url = api
        recorder.status = 503
        async with AsyncMiniMax(TOKEN, base_url=base_url, max_retries=1) as mm:
            mm._sleep = sleeps
            with pytest.raises(ServerError):
                await mm.with_options(max_retries=3).videos.retrieve("v1")
            assert len(recorder.requests) == 4
            with pytest.raises(ServerError):
                await mm.videos.retrieve("v1")
            assert len(recorder.requests) == 6

    @pytest.mark.parametrize("value", [-1, 1.5, True, "2", None])
    def test_invalid_max_retries(self, value: Any) -> None:
        """A max_retries that is not an int >= 0 raises ValueError, here and in with_options."""
        with pytest.raises(ValueError, match="max_retries"):
            AsyncMiniMax(TOKEN, max_retries=value)
        with pytest.raises(ValueError, match="max_retries"):
            AsyncMiniMax(TOKEN).with_options(max_retries=value)


class TestTimeouts:
    def test_default(self) -> None:
        """The default is 10 s to connect, 60 s between reads, no total."""
        assert AsyncMiniMax(TOKEN).timeout == Timeout(connect=10.0, read=60.0, total=None)

    def test_number_is_total(self) -> None:
        """A number bounds the whole call (and the connect/read gaps within it)."""
        assert AsyncMiniMax(TOKEN, timeout=30).timeout == Timeout(connect=10, read=30, total=30)
        assert AsyncMiniMax(TOKEN, timeout=2.5).timeout == Timeout(connect=2.5, read=2.5, total=2.5)

    def test_none_is_unlimited(self) -> None:
        """``timeout=None`` removes every limit."""
        assert AsyncMiniMax(TOKEN, timeout=None).timeout == Timeout(
            connect=None, read=None, total=None
        )

    def test_timeout_object_kept(self) -> None:
        """A Timeout is used as given."""
        limits = Timeout(connect=1, read=2, total=3)
        assert AsyncMiniMax(TOKEN, timeout=limits).timeout is limits

    @pytest.mark.parametrize("value", [0, -1, "10", True, [1]])
    def test_invalid(self, value: Any) -> None:
        """A timeout that is not a positive number, a Timeout or None raises ValueError."""
        with pytest.raises(ValueError, match="timeout"):
            AsyncMiniMax(TOKEN, timeout=value)
        with pytest.raises(ValueError, match="timeout"):
            AsyncMiniMax(TOKEN).with_options(timeout=value)


class TestRepr:
    def test_repr_has_no_token(self) -> None:
        """``repr`` names the configuration but never the token."""
        mm = AsyncMiniMax("sk-very-secret-token-1234", account="acc1")
        text = repr(mm)
        assert "very-secret" not in text
        assert "acc1" in text
        assert DEFAULT_BASE_URL in text
        assert text.startswith("AsyncMiniMax(")

    def test_repr_of_copy_has_no_token(self) -> None:
        """A copy's ``repr`` shows its own options and no token."""
        text = repr(AsyncMiniMax("sk-very-secret-token-1234").with_options(max_retries=9))
        assert "very-secret" not in text
        assert "max_retries=9" in text
