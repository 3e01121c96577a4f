"""Small, valid media files generated in memory (no binary assets shipped).

* PNG: a gradient built with :mod:`zlib` and :mod:`struct` (real IHDR/IDAT/IEND chunks, CRCs).
* MP4: an ISO BMFF file with ``ftyp``, a complete ``moov`` (one ``avc1`` video track with
  ``stts/stsc/stsz/stco`` tables) and an ``mdat`` holding one sample; the box structure is
  complete and consistent (sizes, chunk offset), the sample itself is a placeholder.
* MP3: MPEG-1 Layer III frames (header ``FF FB E8 C4``: 320 kbit/s, 32 kHz, mono) whose zeroed
  side information decodes as silence.

The audio WebSocket sends MP3 chunks the way the documented player expects them: every chunk
starts at a frame boundary and its hex string omits the leading ``fffbe8c4`` frame header, which
the player prepends (``MP3_CHUNK_PREFIX``).
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib

__all__ = [
    "MP3_CHUNK_PREFIX",
    "MP3_FRAME_HEADER",
    "mp3_bytes",
    "mp3_frames",
    "mp4_bytes",
    "png_bytes",
    "sniff_content_type",
]

MP3_FRAME_HEADER = bytes.fromhex("fffbe8c4")
MP3_CHUNK_PREFIX = MP3_FRAME_HEADER.hex()
_MP3_FRAME_LEN = 144 * 320_000 // 32_000  # 1440 bytes, no padding
_MP3_SIDE_INFO_LEN = 17  # MPEG-1 mono


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


@functools.lru_cache(maxsize=256)
def png_bytes(width: int = 64, height: int = 36, seed: int = 0) -> bytes:
    """A ``width`` x ``height`` RGB gradient PNG whose colours depend on ``seed``."""
    base = hashlib.sha256(str(seed).encode()).digest()
    r0, g0, b0 = base[0], base[1], base[2]
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type 0
        for x in range(width):
            row += bytes(
                (
                    (r0 + x * 4) & 0xFF,
                    (g0 + y * 4) & 0xFF,
                    (b0 + (x + y) * 2) & 0xFF,
                )
            )
        rows.append(bytes(row))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", ihdr),
            _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)),
            _png_chunk(b"IEND", b""),
        )
    )


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return _box(kind, bytes((version,)) + flags.to_bytes(3, "big") + payload)


_MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)
# Placeholder H.264 parameter sets for the avcC box.
_SPS = bytes.fromhex("6742c00dda0507ec0440000003004000000c83c50a9c")
_PPS = bytes.fromhex("68ce3c80")


def _moov(width: int, height: int, sample_size: int, chunk_offset: int) -> bytes:
    timescale, duration = 1000, 1000
    mvhd = _full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, timescale, duration)
        + struct.pack(">IH", 0x00010000, 0x0100)
        + bytes(10)
        + _MATRIX
        + bytes(24)
        + struct.pack(">I", 2),
    )
    tkhd = _full_box(
        b"tkhd",
        0,
        3,
        struct.pack(">IIIII", 0, 0, 1, 0, duration)
        + bytes(8)
        + struct.pack(">hhhH", 0, 0, 0, 0)
        + _MATRIX
        + struct.pack(">II", width << 16, height << 16),
    )
    mdhd = _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0))
    hdlr = _full_box(
        b"hdlr", 0, 0, struct.pack(">I", 0) + b"vide" + bytes(12) + b"VideoHandler\x00"
    )
    vmhd = _full_box(b"vmhd", 0, 1, struct.pack(">HHHH", 0, 0, 0, 0))
    dref = _full_box(b"dref", 0, 0, struct.pack(">I", 1) + _full_box(b"url ", 0, 1, b""))
    dinf = _box(b"dinf", dref)
    avcc = _box(
        b"avcC",
        bytes((1, 0x42, 0xC0, 0x0D, 0xFF, 0xE1))
        + struct.pack(">H", len(_SPS))
        + _SPS
        + bytes((1,))
        + struct.pack(">H", len(_PPS))
        + _PPS,
    )
    avc1 = _box(
        b"avc1",
        bytes(6)
        + struct.pack(">H", 1)
        + bytes(16)
        + struct.pack(">HH", width, height)
        + struct.pack(">II", 0x00480000, 0x00480000)
        + bytes(4)
        + struct.pack(">H", 1)
        + bytes(32)
        + struct.pack(">Hh", 0x0018, -1)
        + avcc,
    )
    stsd = _full_box(b"stsd", 0, 0, struct.pack(">I", 1) + avc1)
    stts = _full_box(b"stts", 0, 0, struct.pack(">III", 1, 1, duration))
    stsc = _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1))
    stsz = _full_box(b"stsz", 0, 0, struct.pack(">III", 0, 1, sample_size))
    stco = _full_box(b"stco", 0, 0, struct.pack(">II", 1, chunk_offset))
    stbl = _box(b"stbl", stsd + stts + stsc + stsz + stco)
    minf = _box(b"minf", vmhd + dinf + stbl)
    mdia = _box(b"mdia", mdhd + hdlr + minf)
    trak = _box(b"trak", tkhd + mdia)
    return _box(b"moov", mvhd + trak)


@functools.lru_cache(maxsize=512)
def mp4_bytes(
    width: int = 1280, height: int = 720, seed: int = 0, watermark: bool = False
) -> bytes:
    """A minimal valid MP4 (``ftyp`` + ``moov`` + ``mdat``); bytes differ by seed and watermark."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    tag = hashlib.sha256(f"{seed}:{int(watermark)}".encode()).digest()
    # One length-prefixed IDR NAL unit (type 5) carrying a few bytes of payload.
    nal = b"\x65\x88\x84" + tag + (b"WATERMARK" if watermark else b"ORIGINAL")
    sample = struct.pack(">I", len(nal)) + nal
    placeholder = _moov(width, height, len(sample), 0)
    offset = len(ftyp) + len(placeholder) + 8
    moov = _moov(width, height, len(sample), offset)
    return ftyp + moov + _box(b"mdat", sample)


def mp3_frames(count: int) -> list[bytes]:
    """``count`` silent MPEG-1 Layer III frames (1440 bytes each)."""
    frame = MP3_FRAME_HEADER + bytes(_MP3_FRAME_LEN - len(MP3_FRAME_HEADER))
    assert len(frame) == _MP3_FRAME_LEN
    assert _MP3_SIDE_INFO_LEN < _MP3_FRAME_LEN
    return [frame] * max(1, count)


@functools.lru_cache(maxsize=64)
def mp3_bytes(frames: int = 28) -> bytes:
    """About one second (28 frames of 36 ms) of silent MP3."""
    return b"".join(mp3_frames(frames))


def sniff_content_type(head: bytes) -> str | None:
    """The media type announced by the first bytes of a file, if recognised."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None
