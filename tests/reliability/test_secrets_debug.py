"""A whole workload at DEBUG: the API token and the account JWTs never show anywhere.

One client runs creates, waits, downloads, uploads, streams, the accounts endpoints (which
return the accounts' hailuoai.video JWTs) and every kind of failure against the emulator,
with ``minimax_async`` and ``aiohttp`` logging at DEBUG. Afterwards no log record, exception
text, traceback or repr may contain the token or a JWT, and no request to the media host (the
emulator's ``media_origin``, another host name) may carry the token.
"""

from __future__ import annotations

import json
import logging
import pathlib
import traceback
from collections.abc import Awaitable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
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
    StreamIdleTimeoutError,
    StreamTruncatedError,
    Timeout,
    WaitTimeoutError,
)
from minimax_async._exceptions import AccountOnHoldError
from minimax_async.testing import Emulator, run_emulator
from minimax_async.testing._media import png_bytes
from minimax_async.testing._state import fake_jwt

from ._support import InstantSleep

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TOKEN = "user:4242-DeBuGsEcReT0123456789abcdefghijklmn"
SECRETS_IN_TOKEN = ("DeBuGsEcReT0123456789", TOKEN)
WRONG_TOKEN = "user:4242-WrOnGsEcReT9876543210zyxwvutsrq"
NEW_JWT = fake_jwt("777000111", 1_700_000_000.0)


class AdvancingSleep:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    async def __call__(self, delay: float) -> None:
        self.emu.advance(delay)


class Collected:
    """Every text a user could see: exception strings, reprs, tracebacks, results' reprs."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.errors: list[BaseException] = []

    def keep(self, value: Any) -> None:
        self.texts.append(repr(value))
        self.texts.append(str(value))

    def error(self, exc: BaseException) -> None:
        self.errors.append(exc)
        self.texts.extend([str(exc), repr(exc)])
        self.texts.append("".join(traceback.format_exception(exc)))
        for name, value in vars(exc).items():
            self.texts.append(f"{name}={json.dumps(value, default=repr)}")
        for linked in (exc.__cause__, exc.__context__, getattr(exc, "cause", None)):
            if isinstance(linked, BaseException) and linked is not exc:
                self.texts.extend([str(linked), repr(linked)])

    async def expect(
        self, kind: type[BaseException] | tuple[type[BaseException], ...], call: Awaitable[Any]
    ) -> BaseException:
        with pytest.raises(kind) as info:
            await call
        self.error(info.value)
        return info.value


def secrets_of(emu: Emulator) -> list[str]:
    jwts = [acc.token for acc in emu.state.accounts.values() if acc.token]
    # each JWT's signature alone is secret too
    return [*SECRETS_IN_TOKEN, WRONG_TOKEN, NEW_JWT, *jwts, *(j.split(".")[-1] for j in jwts)]


def leaked(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s and s in text]


async def workload(
    emu: Emulator, mm: AsyncMiniMax, seen: Collected, tmp_path: pathlib.Path
) -> None:
    # accounts: the answers carry the accounts' JWTs
    accounts = await mm.accounts.list()
    seen.keep(accounts)
    for name in accounts:
        seen.keep(await mm.accounts.retrieve(name))
    seen.keep(await mm.accounts.configure(url="https://hailuoai.video", token=NEW_JWT, max_jobs=2))
    seen.keep(await mm.accounts.features(account=next(iter(accounts))))
    await seen.expect(
        BadRequestError,
        mm.accounts.configure(
            url="https://hailuoai.video", token=NEW_JWT, max_jobs=2, extra_body={"maxJobs": 99}
        ),
    )
    account = next(iter(accounts))

    # upload, create, wait, download (media served from another host name)
    seen.keep(await mm.files.upload(png_bytes(32, 32), account=account))
    job = await mm.videos.create(prompt="a lighthouse in a storm", account=account)
    seen.keep(job)
    assert job.video_id is not None
    video = await mm.wait_for_video(job.video_id, timeout=60)
    seen.keep(video)
    seen.keep(await mm.download(video, tmp_path / "video.mp4"))
    images = await mm.generate_images(prompt="a red fox in snow", account=account, timeout=60)
    seen.keep(images)
    seen.keep(await mm.download(images[0], tmp_path))
    agent = await mm.agent.submit(
        prompt="a poster of a cat", models="nano-banana-2", account=account
    )
    seen.keep(await mm.wait_for_agent_job(str(agent.job_id), timeout=600))
    async with mm.stream_agent(
        template_id="1122334455667788", prompt="a neon city", account=account
    ) as stream:
        async for event in stream:
            seen.keep(event)
            emu.advance(30)
    seen.keep(stream)

    # refusals of every documented kind
    for trigger, kind in [
        ("[reject]", ModerationError),
        ("[no-credits]", InsufficientCreditsError),
        ("[hold]", AccountOnHoldError),
        ("[queue-full]", RateLimitError),
    ]:
        await seen.expect(kind, mm.videos.create(prompt=f"a cat {trigger}", account=account))
    await seen.expect(
        NotFoundError, mm.videos.retrieve(f"user:1-minimax:{account}-video:123456789")
    )
    await seen.expect((ValueError,), mm.videos.retrieve("bad id/with slash?"))

    # transport failures and broken answers
    emu.faults.add("GET /videos/{videoId}", "502", times=None)
    await seen.expect(ServerError, mm.videos.retrieve(job.video_id))
    emu.faults.clear()
    emu.faults.add("GET /videos/{videoId}", "malformed_json")
    await seen.expect(ResponseDecodeError, mm.videos.retrieve(job.video_id))
    emu.faults.add("GET /videos/{videoId}", "reset", times=None)
    await seen.expect(APIConnectionError, mm.videos.retrieve(job.video_id))
    emu.faults.clear()
    emu.faults.add("GET /videos/{videoId}", "stall_sse", times=None)
    await seen.expect(APITimeoutError, mm.videos.retrieve(job.video_id))
    emu.faults.clear()
    emu.faults.add("GET /videos/{videoId}", "html_error", times=None)
    await seen.expect(ServerError, mm.videos.retrieve(job.video_id))
    emu.faults.clear()
    emu.faults.add("POST /videos/create", "502", times=None)
    await seen.expect(JobCreationUnknownError, mm.videos.create(prompt="a cat", account=account))
    emu.faults.clear()
    emu.faults.add("POST /videos/create", "502_after_accept")
    emu.faults.add("GET /scheduler", "502", times=None)
    await seen.expect(JobCreationUnknownError, mm.videos.create(prompt="a cat", account=account))
    emu.faults.clear()
    emu.faults.add("POST /videos/agent-create", "truncate_sse")
    await seen.expect(
        StreamTruncatedError,
        drain(
            mm.stream_agent(template_id="1122334455667788", prompt="a neon city", account=account)
        ),
    )
    emu.faults.add("POST /videos/agent-create", "stall_sse")
    await seen.expect(
        StreamIdleTimeoutError,
        drain(
            mm.stream_agent(
                template_id="1122334455667788",
                prompt="a neon city",
                account=account,
                idle_timeout=0.2,
            )
        ),
    )
    emu.faults.add("GET /media/{path}", "truncate_sse", times=None)
    await seen.expect(APIConnectionError, mm.download(video, tmp_path / "again.mp4"))
    emu.faults.clear()
    emu.faults.add("GET /media/{path}", "502", times=None)
    await seen.expect(APIStatusError, mm.download(video, tmp_path / "again.mp4"))
    emu.faults.clear()
    fresh = await mm.videos.create(prompt="a slow one", account=account)
    assert fresh.video_id is not None
    mm._sleep = InstantSleep()  # the clock stops: the wait runs out
    await seen.expect(
        WaitTimeoutError, mm.wait_for_video(fresh.video_id, timeout=0.2, poll_interval=0.05)
    )


def drain(stream: Any) -> Awaitable[None]:
    async def run() -> None:
        async with stream as s:
            async for _ in s:
                pass

    return run()


async def test_no_secret_anywhere_at_debug(
    caplog: pytest.LogCaptureFixture, tmp_path: pathlib.Path
) -> None:
    caplog.set_level(logging.DEBUG, logger="minimax_async")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    seen = Collected()
    async with run_emulator(speed=0, token=TOKEN, accounts=2, max_jobs=10, seed=2) as emu:
        # Media under another host name: same server, different origin.
        emu.state.media_origin = f"http://localhost:{emu.port}"
        async with AsyncMiniMax(
            TOKEN, base_url=emu.base_url, timeout=Timeout(connect=5, read=0.5)
        ) as mm:
            mm._sleep = AdvancingSleep(emu)
            seen.keep(mm)
            seen.keep(mm.with_options(timeout=3))
            await workload(emu, mm, seen, tmp_path)
        async with AsyncMiniMax(WRONG_TOKEN, base_url=emu.base_url) as wrong:
            seen.keep(wrong)
            await seen.expect(AuthenticationError, wrong.videos.list())
            await seen.expect(AuthenticationError, wrong.accounts.list())
        secrets = secrets_of(emu)
        media = [r for r in emu.state.requests if r.path.startswith("/media/")]
        api = [r for r in emu.state.requests if not r.path.startswith("/media/")]

    assert len(seen.errors) >= 20
    for text in seen.texts:
        assert not leaked(text, secrets), text
    records = [r for r in caplog.records if r.name.startswith(("minimax_async", "aiohttp"))]
    assert any(r.levelno == logging.DEBUG and r.name == "minimax_async" for r in records)
    for record in records:
        shown = record.getMessage() + (record.exc_text or "")
        if record.exc_info and record.exc_info[1] is not None:
            shown += "".join(traceback.format_exception(record.exc_info[1]))
        assert not leaked(shown, secrets), shown
    # The token went to the API host only, never to the media host.
    assert media, "the workload downloaded nothing"
    for request in media:
        assert request.headers.get("Host", "").startswith("localhost")
        assert not any(k.lower() == "authorization" for k in request.headers), request.headers
        assert not leaked(json.dumps(request.headers), secrets)
    assert all(
        r.headers.get("Authorization") in (f"Bearer {TOKEN}", f"Bearer {WRONG_TOKEN}") for r in api
    )


async def test_redirects_never_carry_the_token_elsewhere(tmp_path: pathlib.Path) -> None:
    """An API answer redirecting to another host, and a media URL redirecting back to the API:
    the token is only ever sent to the API's host."""
    seen: list[tuple[str, str, str | None]] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append((request.host, request.path, request.headers.get("Authorization")))
        port = request.url.port
        if request.path.startswith("/v1/minimax/videos/"):
            raise web.HTTPFound(f"http://localhost:{port}/elsewhere/video.json")
        if request.path.startswith("/media/"):
            raise web.HTTPFound(f"http://127.0.0.1:{port}/v1/minimax/media-copy")
        if request.path.startswith("/elsewhere"):
            return web.json_response({"status": 2, "videoId": "user:1-minimax:2-video:3"})
        return web.Response(body=b"\x00" * 64, content_type="video/mp4")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with TestServer(app, host="127.0.0.1") as server:
        base = str(server.make_url("/v1/minimax"))
        async with AsyncMiniMax(TOKEN, base_url=base) as mm:
            video = await mm.videos.retrieve("user:1-minimax:2-video:3")
            assert video.status == 2
            await mm.download(f"http://localhost:{server.port}/media/v.mp4", tmp_path / "v.mp4")
    for host, path, auth in seen:
        on_api = host.startswith("127.0.0.1") and path.startswith("/v1/minimax/videos/")
        assert (auth == f"Bearer {TOKEN}") if on_api else auth is None, (host, path, auth)
    assert [p for _, p, _ in seen] == [
        "/v1/minimax/videos/user:1-minimax:2-video:3",
        "/elsewhere/video.json",
        "/media/v.mp4",
        "/v1/minimax/media-copy",
    ]
