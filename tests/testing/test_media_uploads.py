"""Raw-body uploads and the media files the emulator serves (valid bytes, Range, HEAD)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import pytest

from minimax_async.testing import Emulator
from minimax_async.testing._media import (
    MP3_FRAME_HEADER,
    mp3_bytes,
    mp4_bytes,
    png_bytes,
    sniff_content_type,
)

from ._helpers import Api


@pytest.mark.parametrize(
    "content_type",
    ["image/png", "image/jpeg", "audio/mpeg", "audio/wav", "video/mp4", "IMAGE/PNG; q=1"],
)
async def test_accepted_content_types(api: Api, emu: Emulator, content_type: str) -> None:
    status, body = await api.post(
        "/files", data=b"0123456789", headers={"Content-Type": content_type}
    )
    assert status == 200, body
    assert set(body) == {"ossPath", "fileID"}
    assert body["fileID"].startswith(f"user:{emu.state.user_id}-minimax:")
    assert "-file:" in body["fileID"]
    async with api.session.get(body["ossPath"]) as resp:
        assert await resp.read() == b"0123456789"
        assert resp.headers["Content-Type"] == content_type.split(";")[0].lower()


@pytest.mark.parametrize(
    "content_type", ["image/gif", "application/octet-stream", "text/plain", "image/webp"]
)
async def test_rejected_content_types(api: Api, emu: Emulator, content_type: str) -> None:
    status, body = await api.post("/files", data=b"abc", headers={"Content-Type": content_type})
    assert status == 400
    assert set(body) == {"error", "code"}
    assert emu.state.files == {}


async def test_upload_needs_a_body_and_accepts_chunked(api: Api, emu: Emulator) -> None:
    status, _ = await api.post("/files", data=b"", headers={"Content-Type": "image/png"})
    assert status == 400

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"x" * 65536

    status, body = await api.post("/files", data=chunks(), headers={"Content-Type": "video/mp4"})
    assert status == 200
    record = emu.state.files[body["fileID"]]
    assert record.size == 64 * 65536
    assert emu.state.requests[-1].body_bytes_len == 64 * 65536


async def test_upload_sample_types(api: Api) -> None:
    for ctype, expected in (("audio/wave", 200), ("audio/mpeg", 200), ("image/png", 400)):
        status, _ = await api.post(
            "/audio/upload-sample", data=b"RIFF", headers={"Content-Type": ctype}
        )
        assert status == expected, ctype


async def test_range_requests(api: Api) -> None:
    url = (await api.upload_png())["ossPath"]
    data = png_bytes()
    session = api.session
    async with session.get(url) as resp:
        assert resp.status == 200
        assert resp.headers["Accept-Ranges"] == "bytes"
        assert int(resp.headers["Content-Length"]) == len(data)
        etag = resp.headers["ETag"]
        assert await resp.read() == data
    async with session.get(url, headers={"Range": "bytes=0-9"}) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Range"] == f"bytes 0-9/{len(data)}"
        assert resp.headers["Content-Length"] == "10"
        assert await resp.read() == data[:10]
    async with session.get(url, headers={"Range": "bytes=10-"}) as resp:
        assert resp.status == 206
        assert await resp.read() == data[10:]
    async with session.get(url, headers={"Range": "bytes=-5"}) as resp:
        assert resp.status == 206
        assert await resp.read() == data[-5:]
    async with session.get(url, headers={"Range": f"bytes={len(data)}-"}) as resp:
        assert resp.status == 416
        assert resp.headers["Content-Range"] == f"bytes */{len(data)}"
    async with session.get(url, headers={"Range": "bytes=5-", "If-Range": etag}) as resp:
        assert resp.status == 206
    async with session.get(url, headers={"Range": "bytes=5-", "If-Range": '"stale"'}) as resp:
        assert resp.status == 200
        assert await resp.read() == data
    async with session.head(url) as resp:
        assert resp.status == 200
        assert int(resp.headers["Content-Length"]) == len(data)
        assert await resp.read() == b""
    async with session.get(api.emu.media_url("does/not/exist.png")) as resp:
        assert resp.status == 404


async def test_media_needs_no_auth(api: Api, emu: Emulator) -> None:
    import aiohttp

    url = (await api.upload_png())["ossPath"]
    assert url.startswith(emu.url + "/media/")
    async with aiohttp.ClientSession() as anonymous, anonymous.get(url) as resp:
        assert resp.status == 200


def test_png_is_valid() -> None:
    data = png_bytes(16, 8, seed=3)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        tag = data[offset + 4 : offset + 8]
        payload = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(tag + payload) & 0xFFFFFFFF == crc
        chunks.append((tag, payload))
        offset += 12 + length
    assert [t for t, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, color = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth, color) == (16, 8, 8, 2)
    assert len(zlib.decompress(chunks[1][1])) == height * (1 + 3 * width)
    assert sniff_content_type(data) == "image/png"


def _boxes(data: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    found = {}
    offset = start
    while offset < end:
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        assert size >= 8
        found[kind] = (offset + 8, offset + size)
        offset += size
    assert offset == end
    return found


def test_mp4_is_well_formed() -> None:
    data = mp4_bytes(640, 360, seed=1)
    top = _boxes(data, 0, len(data))
    assert list(top) == [b"ftyp", b"moov", b"mdat"]
    moov = _boxes(data, *top[b"moov"])
    assert list(moov) == [b"mvhd", b"trak"]
    trak = _boxes(data, *moov[b"trak"])
    mdia = _boxes(data, *trak[b"mdia"])
    minf = _boxes(data, *mdia[b"minf"])
    stbl = _boxes(data, *minf[b"stbl"])
    assert set(stbl) == {b"stsd", b"stts", b"stsc", b"stsz", b"stco"}
    stco_start, _ = stbl[b"stco"]
    (chunk_offset,) = struct.unpack(">I", data[stco_start + 8 : stco_start + 12])
    assert chunk_offset == top[b"mdat"][0]
    stsz_start, _ = stbl[b"stsz"]
    (sample_size,) = struct.unpack(">I", data[stsz_start + 12 : stsz_start + 16])
    assert chunk_offset + sample_size == len(data)
    _tkhd_start, tkhd_end = trak[b"tkhd"]
    width, height = struct.unpack(">II", data[tkhd_end - 8 : tkhd_end])
    assert (width >> 16, height >> 16) == (640, 360)
    assert mp4_bytes(640, 360, 1, True) != data
    assert sniff_content_type(data) == "video/mp4"


def test_mp3_frames() -> None:
    data = mp3_bytes(10)
    assert len(data) == 10 * 1440
    for offset in range(0, len(data), 1440):
        assert data[offset : offset + 4] == MP3_FRAME_HEADER
    header = int.from_bytes(MP3_FRAME_HEADER, "big")
    assert header >> 21 == 0x7FF  # frame sync
    assert (header >> 19) & 3 == 3  # MPEG-1
    assert (header >> 17) & 3 == 1  # Layer III
    assert sniff_content_type(data) == "audio/mpeg"


async def test_media_on_another_host_name(api: Api, emu: Emulator) -> None:
    emu.state.media_origin = emu.url.replace("127.0.0.1", "localhost")
    video_id = await api.create_video()
    emu.advance(1000)
    _, video = await api.get(f"/videos/{video_id}")
    assert video["downloadURL"].startswith(emu.state.media_origin + "/media/")
    import aiohttp

    async with aiohttp.ClientSession() as plain, plain.get(video["downloadURL"]) as resp:
        assert resp.status == 200
    assert "Authorization" not in emu.state.requests[-1].headers
