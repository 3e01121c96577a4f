"""``mm.files``: raw-body uploads (POST files), GET files, DELETE files/{fileID}."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aioresponses import CallbackResult

from minimax_async import FileRecord, UploadedFile
from minimax_async._uploads import CHUNK_SIZE

from ._http import BAD_IDS, BEARER, drain, route, sample, sent

UPLOADED = sample("post-minimax-files-2026/200")
FILE_ID = "user:1234-minimax:987654321-file:1122334455"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64)
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(64)
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(64)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(64)
GIF = b"GIF89a" + bytes(64)


class Captured:
    """A mock answer for ``POST files`` that reads the streamed body as a server would."""

    def __init__(self, body: object = UPLOADED) -> None:
        self.body = body
        self.received: list[bytes] = []

    async def respond(self, url: object, **kwargs: object) -> CallbackResult:
        self.received.append(await drain(kwargs["data"]))  # type: ignore[arg-type]
        return CallbackResult(status=200, payload=self.body)  # type: ignore[arg-type]


async def chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


class TestUpload:
    async def test_posts_raw_body(self, mm, mocked):
        """``upload(bytes)`` posts the bytes as the raw body of ``POST files`` with its type."""
        answer = Captured()
        mocked.post(route("files"), callback=answer.respond)
        uploaded = await mm.files.upload(PNG)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", "files", {})
        assert request.headers["Authorization"] == BEARER
        assert request.headers["Content-Type"] == "image/png"
        assert request.headers["Content-Length"] == str(len(PNG))
        assert "json" not in request.kwargs
        assert answer.received == [PNG]
        assert isinstance(uploaded, UploadedFile)
        assert uploaded.file_id == "user:user_id-minimax:account-file:file_id"
        assert uploaded.oss_path == "<file url>"
        assert uploaded.to_dict() == UPLOADED

    async def test_streams_from_path(self, mm, mocked, tmp_path):
        """A path is streamed from disk with its size as Content-Length."""
        path = tmp_path / "frame.jpg"
        data = JPEG + bytes(3 * CHUNK_SIZE // 2)
        path.write_bytes(data)
        answer = Captured()
        mocked.post(route("files"), callback=answer.respond)
        await mm.files.upload(path)
        request = sent(mocked)
        assert request.headers["Content-Type"] == "image/jpeg"
        assert request.headers["Content-Length"] == str(len(data))
        assert answer.received == [data]

    async def test_accepts_str_path(self, mm, mocked, tmp_path):
        """A path given as ``str`` works like a ``Path``."""
        path = tmp_path / "voice.mp3"
        path.write_bytes(MP3_ID3)
        answer = Captured()
        mocked.post(route("files"), callback=answer.respond)
        await mm.files.upload(str(path))
        assert sent(mocked).headers["Content-Type"] == "audio/mpeg"
        assert answer.received == [MP3_ID3]

    async def test_type_from_extension_when_bytes_say_nothing(self, mm, mocked, tmp_path):
        """A file whose first bytes are not recognised gets its type from its extension."""
        path = tmp_path / "clip.wav"
        path.write_bytes(b"not a riff header" + bytes(32))
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(path)
        assert sent(mocked).headers["Content-Type"] == "audio/wav"

    async def test_reads_file_object(self, mm, mocked, tmp_path):
        """A binary file object is read from its current position to the end."""
        path = tmp_path / "movie.mp4"
        path.write_bytes(MP4)
        answer = Captured()
        mocked.post(route("files"), callback=answer.respond)
        with path.open("rb") as f:
            await mm.files.upload(f)
        request = sent(mocked)
        assert request.headers["Content-Type"] == "video/mp4"
        assert request.headers["Content-Length"] == str(len(MP4))
        assert answer.received == [MP4]

    async def test_reads_bytesio(self, mm, mocked):
        """An in-memory ``BytesIO`` is a file object too."""
        answer = Captured()
        mocked.post(route("files"), callback=answer.respond)
        await mm.files.upload(io.BytesIO(WAV))
        assert sent(mocked).headers["Content-Type"] == "audio/wav"
        assert answer.received == [WAV]

    async def test_streams_async_iterable(self, mm, mocked):
        """An async iterable is streamed chunk by chunk, without a Content-Length."""
        data = MP4 + bytes(1000)
        answer = Captured()
        mocked.post(route("files"), callback=answer.respond)
        await mm.files.upload(chunks_of(data, 64))
        request = sent(mocked)
        assert request.headers["Content-Type"] == "video/mp4"
        assert "Content-Length" not in request.headers
        assert answer.received == [data]

    async def test_sniffs_async_iterable_with_small_first_chunk(self, mm, mocked):
        """The type is sniffed from the first 16 bytes even when they arrive in small chunks."""
        data = MP4 + bytes(100)
        answer = Captured()
        mocked.post(route("files"), callback=answer.respond)
        await mm.files.upload(chunks_of(data, 7))
        assert sent(mocked).headers["Content-Type"] == "video/mp4"
        assert answer.received == [data]

    @pytest.mark.parametrize(
        ("data", "content_type"),
        [
            (PNG, "image/png"),
            (JPEG, "image/jpeg"),
            (WEBP, "image/jpeg"),
            (MP3_ID3, "audio/mpeg"),
            (MP3_FRAME, "audio/mpeg"),
            (WAV, "audio/wav"),
            (MP4, "video/mp4"),
        ],
        ids=["png", "jpeg", "webp", "mp3-id3", "mp3-frame", "wav", "mp4"],
    )
    async def test_sniffs_content_type(self, mm, mocked, data, content_type):
        """The Content-Type comes from the magic bytes; webp goes up as image/jpeg."""
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(data)
        assert sent(mocked).headers["Content-Type"] == content_type

    async def test_explicit_content_type_wins(self, mm, mocked):
        """``content_type=`` is sent even when the bytes look like something else."""
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(PNG, content_type="image/jpeg")
        assert sent(mocked).headers["Content-Type"] == "image/jpeg"

    async def test_explicit_content_type_for_unknown_bytes(self, mm, mocked):
        """Bytes the SDK cannot recognise are sent with the caller's ``content_type``."""
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(b"\x00\x01\x02" * 10, content_type="video/mp4")
        assert sent(mocked).headers["Content-Type"] == "video/mp4"

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"source": GIF}, "content_type"),
            ({"source": PNG, "content_type": "image/gif"}, "content_type"),
            ({"source": b""}, "source"),
            ({"source": 12345}, "source"),
        ],
        ids=["gif-bytes", "gif-type", "empty", "not-a-source"],
    )
    async def test_refuses_unsupported_source(self, mm, mocked, kwargs, parameter):
        """An unsupported, unrecognisable or empty source is refused before sending."""
        with pytest.raises(ValueError, match=parameter):
            await mm.files.upload(**kwargs)
        assert not mocked.requests

    async def test_refuses_unsupported_extension(self, mm, mocked, tmp_path):
        """A file the API does not take (by its bytes and extension) is refused before sending."""
        path = tmp_path / "song.ogg"
        path.write_bytes(b"OggS" + bytes(32))
        with pytest.raises(ValueError, match=r"source='song\.ogg' is 'audio/ogg'"):
            await mm.files.upload(path)
        assert not mocked.requests

    async def test_sync_progress(self, mm, mocked):
        """A plain ``on_progress`` sees increasing counts that end at the size."""
        data = PNG + bytes(2 * CHUNK_SIZE + 1234)
        calls: list[tuple[int, int | None]] = []
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(data, on_progress=lambda done, total: calls.append((done, total)))
        counts = [done for done, _ in calls]
        assert counts == sorted(counts)
        assert len(set(counts)) == len(counts) >= 3
        assert counts[-1] == len(data)
        assert {total for _, total in calls} == {len(data)}

    async def test_async_progress(self, mm, mocked, tmp_path):
        """An async ``on_progress`` is awaited with increasing counts that end at the size."""
        path = tmp_path / "big.mp4"
        data = MP4 + bytes(CHUNK_SIZE + 10)
        path.write_bytes(data)
        calls: list[tuple[int, int | None]] = []

        async def progress(done: int, total: int | None) -> None:
            calls.append((done, total))

        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(path, on_progress=progress)
        counts = [done for done, _ in calls]
        assert counts == sorted(counts)
        assert len(set(counts)) == len(counts) >= 2
        assert counts[-1] == len(data)
        assert {total for _, total in calls} == {len(data)}

    async def test_progress_of_async_iterable_has_no_total(self, mm, mocked):
        """For a stream of unknown size the total is None and the counts end at the bytes sent."""
        data = JPEG + bytes(500)
        calls: list[tuple[int, int | None]] = []
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(chunks_of(data, 100), on_progress=lambda d, t: calls.append((d, t)))
        counts = [done for done, _ in calls]
        assert counts == sorted(counts)
        assert counts[-1] == len(data)
        assert {total for _, total in calls} == {None}

    async def test_upload_timeout_has_no_total(self, mm, mocked):
        """Uploads have no total time limit, only a 300 s read-gap limit."""
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(PNG)
        timeout = sent(mocked).kwargs["timeout"]
        assert timeout.total is None
        assert timeout.sock_read == 300.0

    async def test_explicit_account(self, mm, mocked):
        """``account=`` is sent as the ``account`` query parameter."""
        mocked.post(route("files"), callback=Captured().respond)
        await mm.files.upload(PNG, account="123456")
        assert sent(mocked).query == {"account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.post(route("files"), callback=Captured().respond)
        await mm_acc.files.upload(PNG)
        assert sent(mocked).query == {"account": "acc1"}

    async def test_explicit_account_wins(self, mm_acc, mocked):
        """An explicit ``account=`` wins over the client's default."""
        mocked.post(route("files"), callback=Captured().respond)
        await mm_acc.files.upload(PNG, account="other")
        assert sent(mocked).query == {"account": "other"}

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_account(self, mm, mocked, bad):
        """An invalid account is refused before anything is sent."""
        with pytest.raises(ValueError, match="account"):
            await mm.files.upload(PNG, account=bad)
        assert not mocked.requests


class TestList:
    async def test_gets_files(self, mm, mocked):
        """``list()`` sends ``GET files`` and returns ``FileRecord``s that round-trip."""
        body = sample("get-minimax-files/200")
        mocked.get(route("files"), payload=body)
        files = await mm.files.list()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "files", {})
        assert request.headers["Authorization"] == BEARER
        assert all(isinstance(f, FileRecord) for f in files)
        assert [f.file_type for f in files] == ["jpeg", "png"]
        assert files[0].file_id == "user:user_id-minimax:account-file:file_id_#1"
        assert [f.to_dict() for f in files] == body

    async def test_sends_limit_and_account(self, mm, mocked):
        """``limit`` and ``account`` are sent as query parameters."""
        mocked.get(route("files"), payload=[])
        await mm.files.list(limit=5, account="123456")
        assert sent(mocked).query == {"limit": "5", "account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent; explicit wins."""
        mocked.get(route("files"), payload=[])
        mocked.get(route("files"), payload=[])
        await mm_acc.files.list()
        await mm_acc.files.list(account="other")
        accounts = [call.kwargs["params"]["account"] for call in _calls(mocked)]
        assert accounts == ["acc1", "other"]

    @pytest.mark.parametrize("limit", [0, -1, True, "5"])
    async def test_refuses_invalid_limit(self, mm, mocked, limit):
        """A limit that is not a positive int is refused before sending."""
        with pytest.raises(ValueError, match="limit"):
            await mm.files.list(limit=limit)
        assert not mocked.requests


class TestDelete:
    async def test_deletes_file(self, mm, mocked):
        """``delete(file_id)`` sends ``DELETE files/{fileID}`` with ``:`` kept literal."""
        mocked.delete(route(f"files/{FILE_ID}"), status=200)
        assert await mm.files.delete(FILE_ID) is None
        request = sent(mocked)
        assert (request.method, request.path) == ("DELETE", f"files/{FILE_ID}")
        assert request.headers["Authorization"] == BEARER

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An id that is not one path segment is refused before anything is sent."""
        with pytest.raises(ValueError, match="file_id"):
            await mm.files.delete(bad)
        assert not mocked.requests


def _calls(mocked):
    return [call for calls in mocked.requests.values() for call in calls]
