"""``AsyncMiniMaxPlatform`` against a real aiohttp server mounted under a gateway prefix.

The server lives at ``/minimax/v1/files/upload`` and the client is given
``base_url=<server>/minimax``, so every test also proves that the gateway prefix is kept. The
handler parses the multipart body for real (streaming the file part, never holding it whole) and
records what it saw; answers are scripted per test.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import AsyncMiniMaxPlatform
from minimax_async._exceptions import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InsufficientCreditsError,
    ModerationError,
    RateLimitError,
    ServerError,
)
from minimax_async.models.platform import PlatformFile

# aiohttp's own BodyPartReader.read_chunk calls its deprecated StreamReader.unread_data() when a
# short read straddles a chunk (aiohttp 3.14, multipart.py _read_chunk_from_stream); the fake
# server must not turn that internal warning into a 500.
pytestmark = pytest.mark.filterwarnings(r"ignore:unread_data\(\) is deprecated:DeprecationWarning")

KEY = "sk-platform-SECRET-7f3a9c0e5b2d4a61"
ROUTE = "/minimax/v1/files/upload"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40
DOCUMENTED_PURPOSES = ["voice_clone", "prompt_audio", "t2a_async_input", "video_understanding"]

# The documented mapping, written out independently of the SDK's table.
CODE_TABLE: list[tuple[int, type[APIStatusError]]] = [
    (1002, RateLimitError),
    (1004, AuthenticationError),
    (2049, AuthenticationError),
    (1008, InsufficientCreditsError),
    (1026, ModerationError),
    (1027, ModerationError),
    (2013, BadRequestError),
    (1000, ServerError),
    (1001, ServerError),
    (1024, ServerError),
    (1033, ServerError),
    (1039, APIStatusError),
    (42, APIStatusError),
    (-1, APIStatusError),
]
RETRIED_CODES = [1002, 1000, 1001, 1024, 1033]
NOT_RETRIED_CODES = [1004, 2049, 1008, 1026, 1027, 2013, 1039]


# -- the fake platform ---------------------------------------------------------------------


@attrs.define
class Part:
    """One multipart part as the server received it."""

    name: str | None
    filename: str | None
    content_type: str | None
    size: int
    sha256: str
    text: str | None


@attrs.define
class Hit:
    """One request as the server received it."""

    method: str
    path: str
    authorization: str | None
    content_type: str
    parts: list[Part]

    @property
    def purpose(self) -> str | None:
        return next((p.text for p in self.parts if p.name == "purpose"), None)

    @property
    def file(self) -> Part:
        files = [p for p in self.parts if p.name == "file"]
        assert len(files) == 1, self.parts
        return files[0]


@attrs.define
class Answer:
    """A scripted answer: HTTP status, body (JSON-able or raw text) and content type."""

    status: int = 200
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = attrs.field(factory=dict)


class FakePlatform:
    """Records every upload and answers from a script, then with success."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.script: list[Answer] = []
        self.file_id: Any = 205258526306433
        self.release = asyncio.Event()
        self.hold = False

    def error(self, code: int, msg: str = "", *, times: int = 1, status: int = 200) -> None:
        """Answer ``times`` times with ``base_resp.status_code == code``."""
        body = {"base_resp": {"status_code": code, "status_msg": msg or f"message for {code}"}}
        self.script.extend(Answer(status=status, body=body) for _ in range(times))

    async def handle(self, request: web.Request) -> web.Response:
        parts: list[Part] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, aiohttp.BodyPartReader)
            digest = hashlib.sha256()
            size = 0
            kept = bytearray()  # only text fields are kept; file parts are hashed and dropped
            while chunk := await part.read_chunk(64 * 1024):
                digest.update(chunk)
                size += len(chunk)
                if part.filename is None:
                    kept += chunk
                    assert size <= 4096, "a text field larger than 4 KiB"
            text = kept.decode() if part.filename is None else None
            parts.append(
                Part(
                    name=part.name,
                    filename=part.filename,
                    content_type=part.headers.get(aiohttp.hdrs.CONTENT_TYPE),
                    size=size,
                    sha256=digest.hexdigest(),
                    text=text,
                )
            )
        hit = Hit(
            method=request.method,
            path=request.path,
            authorization=request.headers.get("Authorization"),
            content_type=request.headers.get("Content-Type", ""),
            parts=parts,
        )
        self.hits.append(hit)
        if self.hold:
            await self.release.wait()
        trace = {"Trace-Id": f"trace-{len(self.hits)}"}
        if self.script:
            answer = self.script.pop(0)
            headers = {**trace, **answer.headers}
            if isinstance(answer.body, str):
                return web.Response(
                    status=answer.status,
                    text=answer.body,
                    content_type=answer.content_type,
                    headers=headers,
                )
            return web.json_response(answer.body, status=answer.status, headers=headers)
        file = next((p for p in parts if p.name == "file"), None)
        body = {
            "file": {
                "file_id": self.file_id,
                "bytes": file.size if file else 0,
                "created_at": 1700469398,
                "filename": file.filename if file else None,
                "purpose": hit.purpose,
            },
            "base_resp": {"status_code": 0, "status_msg": "success"},
        }
        return web.json_response(body, headers=trace)


class SleepRecorder:
    """The client's sleep seam: records each delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
async def platform() -> AsyncIterator[tuple[FakePlatform, TestServer]]:
    fake = FakePlatform()
    app = web.Application()
    app.router.add_post(ROUTE, fake.handle)
    server = TestServer(app)
    await server.start_server()
    try:
        yield fake, server
    finally:
        fake.release.set()
        await server.close()


@pytest.fixture
def fake(platform: tuple[FakePlatform, TestServer]) -> FakePlatform:
    return platform[0]


@pytest.fixture
def gateway_url(platform: tuple[FakePlatform, TestServer]) -> str:
    return str(platform[1].make_url("/minimax"))


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def client(gateway_url: str, sleeps: SleepRecorder) -> AsyncIterator[AsyncMiniMaxPlatform]:
    async with AsyncMiniMaxPlatform(KEY, base_url=gateway_url) as c:
        c._sleep = sleeps
        yield c


@pytest.fixture
def mp3_file(tmp_path: Path) -> Path:
    path = tmp_path / "voice.mp3"
    path.write_bytes(MP3)
    return path


@pytest.fixture
def opened_mp3(mp3_file: Path) -> Iterator[io.BufferedReader]:
    with mp3_file.open("rb") as f:
        yield f


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def assert_upload_shape(hit: Hit, *, purpose: str, filename: str, content_type: str) -> None:
    """The documented multipart: ``purpose`` then ``file``, to the gateway path, with Bearer."""
    assert hit.method == "POST"
    assert hit.path == ROUTE
    assert hit.authorization == f"Bearer {KEY}"
    assert hit.content_type.startswith("multipart/form-data; boundary=")
    assert [p.name for p in hit.parts] == ["purpose", "file"]
    assert hit.parts[0].filename is None
    assert hit.purpose == purpose
    assert hit.file.filename == filename
    assert hit.file.content_type == content_type
    assert hit.file.size == len(MP3)
    assert hit.file.sha256 == sha(MP3)


# -- tests ---------------------------------------------------------------------------------


class TestMultipartShape:
    """Every source kind is sent as the documented ``purpose`` + ``file`` multipart."""

    async def test_path(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, mp3_file: Path
    ) -> None:
        result = await client.files.upload(mp3_file, purpose="voice_clone")
        assert len(fake.hits) == 1
        assert_upload_shape(
            fake.hits[0], purpose="voice_clone", filename="voice.mp3", content_type="audio/mpeg"
        )
        assert isinstance(result, PlatformFile)
        assert result.file_id == fake.file_id
        assert result.bytes == len(MP3)
        assert result.created_at == 1700469398
        assert result.filename == "voice.mp3"
        assert result.purpose == "voice_clone"

    async def test_path_as_str(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, mp3_file: Path
    ) -> None:
        await client.files.upload(str(mp3_file), purpose="prompt_audio")
        assert_upload_shape(
            fake.hits[0], purpose="prompt_audio", filename="voice.mp3", content_type="audio/mpeg"
        )

    async def test_bytes(self, client: AsyncMiniMaxPlatform, fake: FakePlatform) -> None:
        result = await client.files.upload(MP3, purpose="prompt_audio", filename="clip.mp3")
        assert_upload_shape(
            fake.hits[0], purpose="prompt_audio", filename="clip.mp3", content_type="audio/mpeg"
        )
        assert result.filename == "clip.mp3"

    async def test_bytes_without_a_name_still_has_a_filename(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        await client.files.upload(bytearray(MP3), purpose="prompt_audio")
        part = fake.hits[0].file
        assert part.filename  # a file part without a filename is a text field to the server
        assert part.size == len(MP3)
        assert part.sha256 == sha(MP3)

    async def test_binary_file_object(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, opened_mp3: io.BufferedReader
    ) -> None:
        await client.files.upload(opened_mp3, purpose="t2a_async_input")
        assert_upload_shape(
            fake.hits[0],
            purpose="t2a_async_input",
            filename="voice.mp3",
            content_type="audio/mpeg",
        )

    async def test_in_memory_file_object(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        await client.files.upload(io.BytesIO(MP3), purpose="voice_clone", filename="memory.mp3")
        assert_upload_shape(
            fake.hits[0], purpose="voice_clone", filename="memory.mp3", content_type="audio/mpeg"
        )

    async def test_async_iterable(self, client: AsyncMiniMaxPlatform, fake: FakePlatform) -> None:
        result = await client.files.upload(
            chunks(MP3), purpose="video_understanding", filename="stream.mp3"
        )
        assert_upload_shape(
            fake.hits[0],
            purpose="video_understanding",
            filename="stream.mp3",
            content_type="audio/mpeg",
        )
        assert result.bytes == len(MP3)

    async def test_explicit_content_type_wins(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, mp3_file: Path
    ) -> None:
        await client.files.upload(mp3_file, purpose="voice_clone", content_type="audio/x-custom")
        assert fake.hits[0].file.content_type == "audio/x-custom"

    async def test_unknown_type_is_octet_stream(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, tmp_path: Path
    ) -> None:
        path = tmp_path / "notes.unknownext"
        path.write_bytes(b"\x00\x01 plain data")
        await client.files.upload(path, purpose="voice_clone")
        assert fake.hits[0].file.content_type == "application/octet-stream"
        assert fake.hits[0].file.filename == "notes.unknownext"

    async def test_nameless_bytes_are_sniffed(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        """Bytes with no file name get their type from their first bytes, not octet-stream."""
        await client.files.upload(MP3, purpose="prompt_audio")
        assert fake.hits[0].file.content_type == "audio/mpeg"

    async def test_progress_from_disk(self, client: AsyncMiniMaxPlatform, mp3_file: Path) -> None:
        seen: list[tuple[int, int | None]] = []
        await client.files.upload(
            mp3_file, purpose="voice_clone", on_progress=lambda d, t: seen.append((d, t))
        )
        assert seen[0] == (0, len(MP3))
        assert seen[-1] == (len(MP3), len(MP3))
        assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    async def test_async_progress_from_iterable(self, client: AsyncMiniMaxPlatform) -> None:
        seen: list[tuple[int, int | None]] = []

        async def record(done: int, total: int | None) -> None:
            seen.append((done, total))

        await client.files.upload(
            chunks(MP3, 500), purpose="voice_clone", filename="s.mp3", on_progress=record
        )
        assert seen[0] == (0, None)
        assert seen[-1] == (len(MP3), None)
        assert len(seen) > 2

    async def test_empty_source_is_refused_before_sending(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        with pytest.raises(ValueError, match="empty"):
            await client.files.upload(b"", purpose="voice_clone")
        assert fake.hits == []

    async def test_trailing_slash_gateway(
        self, gateway_url: str, fake: FakePlatform, mp3_file: Path
    ) -> None:
        async with AsyncMiniMaxPlatform(KEY, base_url=gateway_url + "/") as c:
            await c.files.upload(mp3_file, purpose="voice_clone")
        assert fake.hits[0].path == ROUTE


class TestPurposes:
    """Documented purposes and custom ones are sent as given; empty ones never leave."""

    @pytest.mark.parametrize("purpose", [*DOCUMENTED_PURPOSES, "my_custom_purpose"])
    async def test_purpose_is_sent(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, purpose: str
    ) -> None:
        result = await client.files.upload(MP3, purpose=purpose, filename="a.mp3")
        assert fake.hits[0].purpose == purpose
        assert result.purpose == purpose

    @pytest.mark.parametrize("purpose", ["", "   ", None, 3])
    async def test_empty_purpose_is_refused_before_sending(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, purpose: Any
    ) -> None:
        with pytest.raises(ValueError, match="purpose"):
            await client.files.upload(MP3, purpose=purpose)
        assert fake.hits == []


class TestFileId:
    """``file_id`` is kept as the integer or string the platform sent."""

    @pytest.mark.parametrize("file_id", [205258526306433, 7, "file-abc123", "205258526306433"])
    async def test_file_id(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, file_id: int | str
    ) -> None:
        fake.file_id = file_id
        result = await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert result.file_id == file_id
        assert type(result.file_id) is type(file_id)

    async def test_success_without_file_raises(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        fake.script.append(Answer(body={"base_resp": {"status_code": 0, "status_msg": "ok"}}))
        with pytest.raises(BadRequestError, match="without a file"):
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert len(fake.hits) == 1


class TestErrorCodes:
    """Every ``base_resp.status_code`` in an HTTP 200 maps to its documented exception."""

    def test_table_covers_every_documented_code(self) -> None:
        documented = {1002, 1004, 2049, 1008, 1026, 1027, 2013, 1000, 1001, 1024, 1033}
        assert documented <= {code for code, _ in CODE_TABLE}

    @pytest.mark.parametrize(("code", "cls"), CODE_TABLE)
    async def test_code_maps_to_exception(
        self,
        gateway_url: str,
        fake: FakePlatform,
        code: int,
        cls: type[APIStatusError],
    ) -> None:
        fake.error(code, f"status message {code}")
        async with AsyncMiniMaxPlatform(KEY, base_url=gateway_url, max_retries=0) as c:
            with pytest.raises(APIStatusError) as info:
                await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        exc = info.value
        assert type(exc) is cls
        assert exc.code == code
        assert f"status message {code}" in exc.message
        assert exc.request_id == "trace-1"
        assert exc.status_code == 200
        assert exc.method == "POST"
        assert exc.url is not None
        assert exc.url.endswith(ROUTE)
        assert exc.body["base_resp"]["status_code"] == code
        assert len(fake.hits) == 1

    async def test_success_code_zero_is_not_an_error(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        result = await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert result.file_id == fake.file_id

    async def test_empty_status_msg(self, gateway_url: str, fake: FakePlatform) -> None:
        fake.script.append(Answer(body={"base_resp": {"status_code": 2013}}))
        async with AsyncMiniMaxPlatform(KEY, base_url=gateway_url, max_retries=0) as c:
            with pytest.raises(BadRequestError) as info:
                await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert info.value.code == 2013
        assert "2013" in info.value.message


class TestRetries:
    """1002 and the server codes are retried like 429/5xx; the others are raised at once."""

    @pytest.mark.parametrize("code", RETRIED_CODES)
    async def test_retried_once_then_success(
        self,
        client: AsyncMiniMaxPlatform,
        fake: FakePlatform,
        sleeps: SleepRecorder,
        mp3_file: Path,
        code: int,
    ) -> None:
        fake.error(code)
        result = await client.files.upload(mp3_file, purpose="voice_clone")
        assert len(fake.hits) == 2
        assert result.file_id == fake.file_id
        assert len(sleeps.delays) == 1
        assert 0 < sleeps.delays[0] <= 8
        # The retry sends the whole file again, not what was left of a used-up stream.
        assert fake.hits[1].file.size == len(MP3)
        assert fake.hits[1].file.sha256 == sha(MP3)
        assert fake.hits[1].purpose == "voice_clone"

    @pytest.mark.parametrize("code", NOT_RETRIED_CODES)
    async def test_not_retried(
        self,
        client: AsyncMiniMaxPlatform,
        fake: FakePlatform,
        sleeps: SleepRecorder,
        code: int,
    ) -> None:
        fake.error(code)
        with pytest.raises(APIStatusError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert info.value.code == code
        assert len(fake.hits) == 1
        assert sleeps.delays == []

    async def test_retries_exhausted(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, sleeps: SleepRecorder
    ) -> None:
        fake.error(1002, "slow down", times=10)
        with pytest.raises(RateLimitError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert client.max_retries == 2
        assert len(fake.hits) == 3
        assert len(sleeps.delays) == 2
        assert info.value.request_id == "trace-3"

    async def test_max_retries_zero(
        self, gateway_url: str, fake: FakePlatform, sleeps: SleepRecorder
    ) -> None:
        fake.error(1000)
        async with AsyncMiniMaxPlatform(KEY, base_url=gateway_url, max_retries=0) as c:
            c._sleep = sleeps
            with pytest.raises(ServerError):
                await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert len(fake.hits) == 1
        assert sleeps.delays == []

    async def test_one_shot_iterable_is_not_resent(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, sleeps: SleepRecorder
    ) -> None:
        fake.error(1002)
        with pytest.raises(RateLimitError):
            await client.files.upload(chunks(MP3), purpose="voice_clone", filename="s.mp3")
        assert len(fake.hits) == 1
        assert sleeps.delays == []

    async def test_seekable_file_object_is_resent_whole(
        self,
        client: AsyncMiniMaxPlatform,
        fake: FakePlatform,
        opened_mp3: io.BufferedReader,
    ) -> None:
        fake.error(1002)
        await client.files.upload(opened_mp3, purpose="voice_clone")
        assert len(fake.hits) == 2
        assert [h.file.sha256 for h in fake.hits] == [sha(MP3), sha(MP3)]


class TestHttpErrors:
    """HTTP error statuses map like the main client's."""

    async def test_401_with_base_resp_body(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, sleeps: SleepRecorder
    ) -> None:
        fake.error(1004, "login fail: please check your api key", status=401)
        with pytest.raises(AuthenticationError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        exc = info.value
        assert exc.status_code == 401
        assert "login fail: please check your api key" in exc.message
        assert exc.request_id == "trace-1"
        assert len(fake.hits) == 1
        assert sleeps.delays == []

    async def test_401_with_base_resp_body_carries_platform_code(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        fake.error(1004, "login fail", status=401)
        with pytest.raises(AuthenticationError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert info.value.code == 1004

    async def test_500_html(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, sleeps: SleepRecorder
    ) -> None:
        html = "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
        fake.script.extend(
            Answer(status=500, body=html, content_type="text/html") for _ in range(3)
        )
        with pytest.raises(ServerError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        exc = info.value
        assert exc.status_code == 500
        assert "502 Bad Gateway" in exc.message
        assert "<h1>" not in exc.message
        assert exc.request_id == "trace-3"
        assert len(fake.hits) == 3  # 5xx is retried for uploads, as in files.upload
        assert len(sleeps.delays) == 2

    async def test_500_then_success(self, client: AsyncMiniMaxPlatform, fake: FakePlatform) -> None:
        fake.script.append(Answer(status=500, body="oops", content_type="text/plain"))
        result = await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert result.file_id == fake.file_id
        assert len(fake.hits) == 2

    async def test_429_with_retry_after(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, sleeps: SleepRecorder
    ) -> None:
        body = {"base_resp": {"status_code": 1002, "status_msg": "rate limited"}}
        fake.script.append(Answer(status=429, body=body, headers={"Retry-After": "3"}))
        await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert len(fake.hits) == 2
        assert sleeps.delays == [3.0]

    async def test_200_that_is_not_json(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        from minimax_async._exceptions import ResponseDecodeError

        fake.script.append(Answer(body="<html>login</html>", content_type="text/html"))
        with pytest.raises(ResponseDecodeError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert info.value.status_code == 200
        assert len(fake.hits) == 1


class TestConfiguration:
    """The key and URL come from arguments, else ``MINIMAX_API_KEY``/``MINIMAX_BASE_URL``."""

    async def test_env(
        self, monkeypatch: pytest.MonkeyPatch, gateway_url: str, fake: FakePlatform
    ) -> None:
        monkeypatch.setenv("MINIMAX_API_KEY", "env-key-123")
        monkeypatch.setenv("MINIMAX_BASE_URL", gateway_url)
        async with AsyncMiniMaxPlatform() as c:
            assert c.base_url == gateway_url
            await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert fake.hits[0].authorization == "Bearer env-key-123"
        assert fake.hits[0].path == ROUTE

    async def test_arguments_beat_env(
        self, monkeypatch: pytest.MonkeyPatch, gateway_url: str, fake: FakePlatform
    ) -> None:
        monkeypatch.setenv("MINIMAX_API_KEY", "env-key-123")
        monkeypatch.setenv("MINIMAX_BASE_URL", "http://127.0.0.1:9/nowhere")
        async with AsyncMiniMaxPlatform(KEY, base_url=gateway_url) as c:
            await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert fake.hits[0].authorization == f"Bearer {KEY}"

    async def test_default_base_url(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("MINIMAX_BASE_URL", raising=False)
        async with AsyncMiniMaxPlatform(KEY) as c:
            assert c.base_url == "https://api.minimax.io"
            assert str(c.url_for("v1/files/upload")) == "https://api.minimax.io/v1/files/upload"

    @pytest.mark.parametrize("value", [None, ""])
    def test_missing_key(self, monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
        else:
            monkeypatch.setenv("MINIMAX_API_KEY", value)
        monkeypatch.setenv("USEAPI_TOKEN", "a-useapi-token")  # the other API's key is not used
        with pytest.raises(ConfigurationError, match="MINIMAX_API_KEY"):
            AsyncMiniMaxPlatform()

    def test_bad_max_retries(self) -> None:
        with pytest.raises(ValueError, match="max_retries"):
            AsyncMiniMaxPlatform(KEY, max_retries=-1)

    async def test_default_headers_are_sent(self, gateway_url: str) -> None:
        seen: list[str | None] = []

        async def handler(request: web.Request) -> web.Response:
            seen.append(request.headers.get("X-Extra"))
            await request.read()
            return web.json_response({"file": {"file_id": 1}, "base_resp": {"status_code": 0}})

        app = web.Application()
        app.router.add_post(ROUTE, handler)
        async with TestServer(app) as server:
            url = str(server.make_url("/minimax"))
            async with AsyncMiniMaxPlatform(
                KEY, base_url=url, default_headers={"X-Extra": "yes"}
            ) as c:
                result = await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert seen == ["yes"]
        assert result.file_id == 1


class TestLifecycle:
    """The client owns the session it creates and never closes a borrowed one."""

    async def test_closed_client_refuses(self, gateway_url: str, fake: FakePlatform) -> None:
        c = AsyncMiniMaxPlatform(KEY, base_url=gateway_url)
        await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        session = c._holder.session
        assert session is not None
        await c.aclose()
        assert session.closed
        with pytest.raises(RuntimeError, match="closed"):
            await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert len(fake.hits) == 1

    async def test_borrowed_session_stays_open(self, gateway_url: str, fake: FakePlatform) -> None:
        async with aiohttp.ClientSession() as session:
            async with AsyncMiniMaxPlatform(KEY, base_url=gateway_url, session=session) as c:
                await c.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
            assert not session.closed
            assert len(fake.hits) == 1

    async def test_outer_deadline_bounds_the_upload(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        fake.hold = True
        started = anyio.current_time()
        # aiohttp's per-attempt limit (the remaining time) and the scope race: either may win.
        with pytest.raises((APITimeoutError, TimeoutError)), anyio.fail_after(0.5):
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        assert anyio.current_time() - started < 3
        assert len(fake.hits) == 1


class TestSecrets:
    """The key never shows in reprs, exceptions or logs."""

    def test_repr(self) -> None:
        c = AsyncMiniMaxPlatform(KEY, base_url="https://gateway.example/minimax")
        assert KEY not in repr(c)
        assert KEY not in str(c)
        assert "gateway.example" in repr(c)

    async def test_exceptions(self, client: AsyncMiniMaxPlatform, fake: FakePlatform) -> None:
        fake.error(1004, "invalid api key")
        with pytest.raises(AuthenticationError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        exc = info.value
        for text in (repr(exc), str(exc), exc.message, repr(exc.body), repr(exc.headers)):
            assert KEY not in text
        assert exc.url is not None
        assert KEY not in exc.url

    @pytest.mark.parametrize("echo", [f"invalid api key {KEY}", f"bad header Bearer {KEY}"])
    async def test_echoed_key_is_redacted(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, echo: str
    ) -> None:
        fake.error(2049, echo)
        with pytest.raises(AuthenticationError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        exc = info.value
        assert "invalid api key" in exc.message or "bad header" in exc.message
        for text in (str(exc), repr(exc), exc.message, json.dumps(exc.body)):
            assert KEY not in text

    async def test_echoed_key_in_http_error_is_redacted(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform
    ) -> None:
        fake.error(1004, f"invalid api key {KEY}", status=401)
        with pytest.raises(AuthenticationError) as info:
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        exc = info.value
        for text in (str(exc), exc.message, json.dumps(exc.body)):
            assert KEY not in text

    async def test_debug_logs(
        self,
        client: AsyncMiniMaxPlatform,
        fake: FakePlatform,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        fake.error(1002)
        fake.error(1004)
        caplog.set_level(logging.DEBUG)
        with pytest.raises(AuthenticationError):
            await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        await client.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
        sdk = [r for r in caplog.records if r.name.startswith("minimax_async")]
        assert len(sdk) >= 4  # three responses and one retry were logged
        assert "trace-1" in caplog.text
        assert KEY not in caplog.text
        for record in caplog.records:
            assert KEY not in record.getMessage()
            assert KEY not in repr(record.args)


class TestMemory:
    """A large upload is streamed from disk, never held in memory."""

    async def test_50_mb_from_disk(
        self, client: AsyncMiniMaxPlatform, fake: FakePlatform, tmp_path: Path
    ) -> None:
        size = 50 * 1024 * 1024
        block = bytes(range(256)) * 4096  # 1 MiB
        digest = hashlib.sha256()
        path = tmp_path / "big.mp4"
        with path.open("wb") as f:
            for _ in range(size // len(block)):
                f.write(block)
                digest.update(block)
        del block
        tracemalloc.start()
        try:
            result = await client.files.upload(path, purpose="video_understanding")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert result.bytes == size
        assert fake.hits[0].file.size == size
        assert fake.hits[0].file.sha256 == digest.hexdigest()
        assert fake.hits[0].file.content_type == "video/mp4"
        assert peak < size / 5, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"
