"""Upload sources: type sniffing, size limits, progress, replayability and flat memory."""

from __future__ import annotations

import io
import os
import re
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import AsyncMiniMax, ServerError, UploadedFile
from minimax_async._uploads import (
    AUDIO_VIDEO_IMAGE_TYPES,
    CHUNK_SIZE,
    MAX_UPLOAD_BYTES,
    PreparedUpload,
    prepare_upload,
    sniff_content_type,
)

from .conftest import TOKEN, SleepRecorder

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(48)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(48)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(48)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(48)
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(48)
MP3_SYNC = b"\xff\xfb\x90\x64" + bytes(48)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(48)
UNKNOWN = b"just some text, not media" + bytes(48)
PREFIX = "/v1/minimax"
UPLOADED = {"fileID": "user:1-minimax:2-file:f1", "ossPath": "https://cdn.test/f1"}


async def drain(upload: PreparedUpload) -> bytes:
    """Everything one request body of ``upload`` would send."""
    out = bytearray()
    async for chunk in upload._counted():
        out += chunk
    return bytes(out)


async def chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


class TestSniffing:
    @pytest.mark.parametrize(
        ("head", "expected"),
        [
            (PNG, "image/png"),
            (JPEG, "image/jpeg"),
            (WEBP, "image/jpeg"),
            (WAV, "audio/wav"),
            (MP3_ID3, "audio/mpeg"),
            (MP3_SYNC, "audio/mpeg"),
            (b"\xff\xf3\x64\xc4" + bytes(12), "audio/mpeg"),
            (MP4, "video/mp4"),
            (UNKNOWN, None),
            (b"", None),
            (b"\xff", None),
            (b"RIFF\x24\x00\x00\x00AVI LIST", None),
        ],
        ids=[
            "png",
            "jpeg",
            "webp",
            "wav",
            "mp3-id3",
            "mp3-sync",
            "mp3-sync-mpeg2",
            "mp4",
            "text",
            "empty",
            "one-byte",
            "avi",
        ],
    )
    def test_magic_bytes(self, head: bytes, expected: str | None) -> None:
        """Each supported format is told from its first bytes; webp goes as image/jpeg."""
        assert sniff_content_type(head[:16]) == expected

    @pytest.mark.parametrize(
        ("data", "expected"),
        [(PNG, "image/png"), (WEBP, "image/jpeg"), (MP3_SYNC, "audio/mpeg"), (MP4, "video/mp4")],
    )
    async def test_bytes_source(self, data: bytes, expected: str) -> None:
        """Bytes are sniffed and sized."""
        upload = await prepare_upload(data)
        assert upload.content_type == expected
        assert upload.size == len(data)
        assert upload.headers() == {"Content-Type": expected, "Content-Length": str(len(data))}
        assert await drain(upload) == data

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("clip.mp4", "video/mp4"),
            ("PHOTO.JPG", "image/jpeg"),
            ("pic.jpeg", "image/jpeg"),
            ("pic.webp", "image/jpeg"),
            ("a.png", "image/png"),
            ("song.mp3", "audio/mpeg"),
            ("voice.wav", "audio/wav"),
        ],
    )
    async def test_extension_fallback(self, tmp_path: Path, name: str, expected: str) -> None:
        """Unrecognised bytes fall back to the file's extension."""
        path = tmp_path / name
        path.write_bytes(UNKNOWN)
        upload = await prepare_upload(path)
        assert upload.content_type == expected
        assert upload.filename == name

    async def test_unknown_raises_naming_allowed_types(self, tmp_path: Path) -> None:
        """Unknown bytes and no usable extension raise ValueError naming the allowed types."""
        path = tmp_path / "notes.bin"
        path.write_bytes(UNKNOWN)
        with pytest.raises(ValueError, match="content_type=") as info:
            await prepare_upload(path)
        for allowed in AUDIO_VIDEO_IMAGE_TYPES:
            assert allowed in str(info.value)
        assert "notes.bin" in str(info.value)

    async def test_unknown_bytes_raise(self) -> None:
        """Unknown bytes without a name raise ValueError naming the allowed types."""
        with pytest.raises(ValueError, match="image/png"):
            await prepare_upload(UNKNOWN)

    async def test_known_but_unsupported_extension(self, tmp_path: Path) -> None:
        """An extension the API does not take (``.m4a``) is refused, naming what it takes."""
        path = tmp_path / "a.m4a"
        path.write_bytes(UNKNOWN)
        with pytest.raises(ValueError, match=r"audio/mp4.*allowed: image/png"):
            await prepare_upload(path)

    async def test_explicit_content_type_wins(self, tmp_path: Path) -> None:
        """An explicit ``content_type`` beats both the magic bytes and the extension."""
        path = tmp_path / "a.png"
        path.write_bytes(PNG)
        upload = await prepare_upload(path, content_type="video/mp4")
        assert upload.content_type == "video/mp4"
        assert (await prepare_upload(UNKNOWN, content_type="audio/wav")).content_type == (
            "audio/wav"
        )

    async def test_explicit_unsupported_content_type(self) -> None:
        """An explicit type the API does not take is refused, naming the allowed ones."""
        with pytest.raises(ValueError, match=r"'image/gif'.*allowed: image/png"):
            await prepare_upload(PNG, content_type="image/gif")

    async def test_async_iterable_sniffed_across_small_chunks(self) -> None:
        """The first 16 bytes are gathered from several small chunks before sniffing."""
        data = MP4 + bytes(100)
        upload = await prepare_upload(chunks_of(data, 5))
        assert upload.content_type == "video/mp4"
        assert upload.size is None
        assert "Content-Length" not in upload.headers()
        assert await drain(upload) == data


class TestSourcesAndLimits:
    async def test_path_streamed_in_chunks(self, tmp_path: Path) -> None:
        """A path is read in CHUNK_SIZE pieces and sent unchanged."""
        data = MP4 + os.urandom(CHUNK_SIZE * 2 + 10)
        path = tmp_path / "v.mp4"
        path.write_bytes(data)
        upload = await prepare_upload(str(path))
        chunks = [c async for c in upload._counted()]
        assert [len(c) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE, len(data) - 2 * CHUNK_SIZE]
        assert b"".join(chunks) == data
        assert upload.size == len(data)
        assert upload.replayable

    async def test_file_object_from_its_position(self) -> None:
        """A seekable binary file object is sent from its current position, replayably."""
        buffer = io.BytesIO(b"skip" + PNG)
        buffer.seek(4)
        upload = await prepare_upload(buffer)
        assert upload.content_type == "image/png"
        assert upload.size == len(PNG)
        assert upload.replayable
        assert await drain(upload) == PNG
        assert await drain(upload) == PNG  # a second attempt resends the same bytes

    async def test_too_large_path_refused(self, tmp_path: Path) -> None:
        """A file over 5 GB is refused with ValueError before any of it is sent."""
        path = tmp_path / "huge.mp4"
        with path.open("wb") as f:
            f.write(MP4)
            f.truncate(MAX_UPLOAD_BYTES + 1)
        with pytest.raises(ValueError, match=str(MAX_UPLOAD_BYTES + 1)):
            await prepare_upload(path)

    async def test_too_large_file_object_refused(self, tmp_path: Path) -> None:
        """An open file over 5 GB (5 * 10^9 bytes, as the documents write GB) is refused."""
        path = tmp_path / "huge.mp4"
        with path.open("wb") as f:
            f.write(MP4)
            f.truncate(MAX_UPLOAD_BYTES + 1)
        with path.open("rb") as f, pytest.raises(ValueError, match="5000000001 bytes"):
            await prepare_upload(f)

    async def test_exactly_the_limit_accepted(self, tmp_path: Path) -> None:
        """A file of exactly the limit is accepted."""
        path = tmp_path / "edge.mp4"
        with path.open("wb") as f:
            f.write(MP4)
            f.truncate(MAX_UPLOAD_BYTES)
        upload = await prepare_upload(path)
        assert upload.size == MAX_UPLOAD_BYTES

    @pytest.mark.parametrize("kind", ["bytes", "path", "fileobj", "iterable"])
    async def test_empty_refused(self, tmp_path: Path, kind: str) -> None:
        """An empty source of any kind raises ValueError."""
        path = tmp_path / "empty.mp4"
        path.write_bytes(b"")
        sources: dict[str, Any] = {
            "bytes": b"",
            "path": path,
            "fileobj": io.BytesIO(b""),
            "iterable": chunks_of(b"", 1),
        }
        with pytest.raises(ValueError, match="empty"):
            await prepare_upload(sources[kind])

    async def test_text_mode_file_refused(self, tmp_path: Path) -> None:
        """A file opened in text mode is refused, asking for binary mode."""
        path = tmp_path / "a.png"
        path.write_bytes(PNG)
        with path.open("r", encoding="latin-1") as f, pytest.raises(ValueError, match="'rb'"):
            await prepare_upload(f)
        with pytest.raises(ValueError, match="binary"):
            await prepare_upload(io.StringIO("hello"))

    async def test_directory_refused(self, tmp_path: Path) -> None:
        """A directory is not an upload source."""
        with pytest.raises(ValueError, match="not a regular file"):
            await prepare_upload(tmp_path)

    async def test_missing_path(self, tmp_path: Path) -> None:
        """A path that does not exist raises FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            await prepare_upload(tmp_path / "nope.mp4")

    async def test_unsupported_source_type(self) -> None:
        """A source of another type is refused, naming the accepted kinds."""
        with pytest.raises(ValueError, match="async iterable"):
            await prepare_upload(12345)  # type: ignore[arg-type]

    async def test_async_iterable_not_replayable(self) -> None:
        """An async iterable can be sent only once."""
        upload = await prepare_upload(chunks_of(PNG, 8))
        assert upload.replayable is False

    async def test_non_seekable_file_not_replayable(self) -> None:
        """A file object that cannot seek is sent once, its first bytes included."""

        class Pipe(io.RawIOBase):
            def __init__(self, data: bytes) -> None:
                self._data = io.BytesIO(data)

            def readable(self) -> bool:
                return True

            def seekable(self) -> bool:
                return False

            def readinto(self, buffer: Any) -> int:
                chunk = self._data.read(len(buffer))
                buffer[: len(chunk)] = chunk
                return len(chunk)

        upload = await prepare_upload(io.BufferedReader(Pipe(MP4)))
        assert upload.replayable is False
        assert upload.size is None
        assert upload.content_type == "video/mp4"
        assert await drain(upload) == MP4


class TestProgress:
    async def test_sync_callback(self) -> None:
        """A plain callback gets (0, total), then the running count after every chunk."""
        calls: list[tuple[int, int | None]] = []
        data = PNG + bytes(CHUNK_SIZE + 5)
        upload = await prepare_upload(
            data, on_progress=lambda done, total: calls.append((done, total))
        )
        await drain(upload)
        assert calls == [(0, len(data)), (CHUNK_SIZE, len(data)), (len(data), len(data))]

    async def test_async_callback(self) -> None:
        """An async callback is awaited."""
        calls: list[tuple[int, int | None]] = []

        async def on_progress(done: int, total: int | None) -> None:
            calls.append((done, total))

        upload = await prepare_upload(chunks_of(MP4, 20), on_progress=on_progress)
        await drain(upload)
        assert calls[0] == (0, None)
        assert calls[-1] == (len(MP4), None)
        assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.fixture
async def upload_server(
    sleeps: SleepRecorder,
) -> AsyncIterator[tuple[dict[str, Any], AsyncMiniMax]]:
    """A server that streams ``POST files`` bodies to nowhere, counting bytes."""
    seen: dict[str, Any] = {"hits": 0, "bytes": [], "headers": [], "fail_first": 0}

    async def files(request: web.Request) -> web.StreamResponse:
        seen["hits"] += 1
        seen["headers"].append(dict(request.headers))
        count = 0
        async for chunk in request.content.iter_any():
            count += len(chunk)
        seen["bytes"].append(count)
        if seen["hits"] <= seen["fail_first"]:
            return web.json_response({"error": "busy"}, status=503)
        return web.json_response(UPLOADED)

    app = web.Application()
    app.router.add_post(f"{PREFIX}/files", files)
    server = TestServer(app)
    await server.start_server()
    client = AsyncMiniMax(TOKEN, base_url=str(server.make_url(PREFIX)))
    client._sleep = sleeps
    try:
        yield seen, client
    finally:
        await client.aclose()
        await server.close()


class TestUploadRequests:
    async def test_large_file_streams_with_flat_memory(
        self, tmp_path: Path, upload_server: tuple[dict[str, Any], AsyncMiniMax]
    ) -> None:
        """A 200 MB file is streamed with a Content-Length and well under 20 MB of memory."""
        seen, client = upload_server
        size = 200 * 1024 * 1024
        path = tmp_path / "big.mp4"
        with path.open("wb") as f:
            f.write(MP4)
            f.truncate(size)
        progress: list[int] = []
        tracemalloc.start()
        try:
            result = await client.files.upload(
                path, on_progress=lambda done, total: progress.append(done)
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert isinstance(result, UploadedFile)
        assert result.file_id == UPLOADED["fileID"]
        assert seen["bytes"] == [size]
        headers = seen["headers"][0]
        assert headers["Content-Length"] == str(size)
        assert "Transfer-Encoding" not in headers
        assert headers["Content-Type"] == "video/mp4"
        assert progress[-1] == size
        assert peak < 20 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"

    async def test_path_upload_retried_with_whole_body(
        self, tmp_path: Path, upload_server: tuple[dict[str, Any], AsyncMiniMax]
    ) -> None:
        """A path upload answered 503 is sent again, whole."""
        seen, client = upload_server
        seen["fail_first"] = 1
        path = tmp_path / "a.png"
        path.write_bytes(PNG * 100)
        await client.files.upload(path)
        assert seen["bytes"] == [len(PNG) * 100] * 2

    async def test_async_iterable_upload_not_retried(
        self, upload_server: tuple[dict[str, Any], AsyncMiniMax], sleeps: SleepRecorder
    ) -> None:
        """An async iterable upload answered 503 is not retried (it cannot be replayed)."""
        seen, client = upload_server
        seen["fail_first"] = 5
        with pytest.raises(ServerError):
            await client.files.upload(chunks_of(PNG * 100, 64))
        assert seen["hits"] == 1
        assert sleeps.delays == []
        assert "Content-Length" not in seen["headers"][0]

    async def test_bad_source_sends_nothing(
        self, tmp_path: Path, upload_server: tuple[dict[str, Any], AsyncMiniMax]
    ) -> None:
        """A refused source (too large, empty, unknown type) never reaches the server."""
        seen, client = upload_server
        huge = tmp_path / "huge.mp4"
        with huge.open("wb") as f:
            f.truncate(MAX_UPLOAD_BYTES + 1)
        for source in (huge, b"", UNKNOWN):
            with pytest.raises(ValueError, match="source"):
                await client.files.upload(source)
        assert seen["hits"] == 0


# -- only the documented types go up, told by bytes or by name alike (issue 15) ---------------

FTYP_M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + bytes(48)
FTYP_QT = b"\x00\x00\x00\x14ftypqt  \x20\x05\x03\x00" + bytes(48)
FTYP_HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + bytes(48)
ADTS_AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(48)
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(48)
OGG = b"OggS\x00\x02" + bytes(48)

ALLOWED_LIST = "image/png, image/jpeg, audio/mpeg, audio/wav, video/mp4"


class TestDocumentedTypesOnly:
    """``POST files`` takes png, jpeg (webp as jpeg), mp3, wav and mp4 (May 2026 page)."""

    @pytest.mark.parametrize(
        ("head", "real_type"),
        [
            (FTYP_M4A, "audio/mp4"),
            (FTYP_QT, "video/quicktime"),
            (FTYP_HEIC, "image/heic"),
            (ADTS_AAC, "audio/aac"),
            (OGG, "audio/ogg"),
        ],
    )
    async def test_look_alike_bytes_are_refused(self, head: bytes, real_type: str) -> None:
        """m4a and QuickTime share mp4's ``ftyp`` box but are not mp4: refused, never sent as
        video/mp4, with the allowed types named."""
        with pytest.raises(ValueError, match=re.escape(ALLOWED_LIST)) as info:
            await prepare_upload(head)
        assert real_type in str(info.value)

    @pytest.mark.parametrize(
        ("name", "head", "real_type"),
        [
            ("a.m4a", FTYP_M4A, "audio/mp4"),
            ("a.mov", FTYP_QT, "video/quicktime"),
            ("a.heic", FTYP_HEIC, "image/heic"),
            ("a.aac", ADTS_AAC, "audio/aac"),
        ],
    )
    async def test_bytes_and_name_agree(
        self, tmp_path: Path, name: str, head: bytes, real_type: str
    ) -> None:
        """The same file is refused the same way told by its header or only by its name."""
        by_bytes = tmp_path / ("by-bytes" + name[1:].replace(".", "-"))
        by_bytes.write_bytes(head)
        by_name = tmp_path / name
        by_name.write_bytes(UNKNOWN)
        for path in (by_bytes, by_name):
            with pytest.raises(ValueError, match=re.escape(ALLOWED_LIST)) as info:
                await prepare_upload(path)
            assert real_type in str(info.value), path

    async def test_look_alike_named_mp4_is_still_refused(self, tmp_path: Path) -> None:
        """The header wins over a misleading name: an m4a renamed ``.mp4`` does not go up."""
        path = tmp_path / "song.mp4"
        path.write_bytes(FTYP_M4A)
        with pytest.raises(ValueError, match="audio/mp4"):
            await prepare_upload(path)

    @pytest.mark.parametrize(
        ("head", "expected"),
        [
            (MP4, "video/mp4"),
            (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + bytes(48), "video/mp4"),
            (MP3_FRAME, "audio/mpeg"),
            (b"ID3\x04" + bytes(48), "audio/mpeg"),
        ],
    )
    async def test_documented_types_still_go_up(self, head: bytes, expected: str) -> None:
        """mp4 (isom, mp42 brands) and mp3 (ID3 or a layer-III frame) are still recognised."""
        upload = await prepare_upload(head)
        assert upload.content_type == expected

    async def test_look_alike_is_never_sent(self) -> None:
        """Against a real server: the refused m4a upload sends nothing."""
        from minimax_async.testing import run_emulator

        async with (
            run_emulator() as emu,
            AsyncMiniMax(api_token=emu.token, base_url=emu.base_url) as mm,
        ):
            with pytest.raises(ValueError, match="audio/mp4"):
                await mm.files.upload(FTYP_M4A)
            assert not [r for r in emu.state.requests if r.path.startswith("/files")]
