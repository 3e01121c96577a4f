"""Upload sources (path, bytes, binary file object, async iterable), type sniffing, progress.

Files are streamed from disk through anyio in chunks and never read whole, so uploading a
multi-gigabyte video keeps memory flat. The Content-Type comes from an explicit
``content_type=``, else the file's magic bytes, else its extension.

Bytes and names give the same answer: each recognises the documented types *and* the look-alikes
that are not them (m4a and QuickTime share mp4's ``ftyp`` box), so a look-alike is refused with
the allowed types named, whether it was told by its header or by its name.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import mimetypes
import os
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Collection
from typing import IO

import aiohttp
import anyio
import attrs
from aiohttp.abc import AbstractStreamWriter

from ._types import FileSource, ProgressCallback

__all__ = [
    "AUDIO_VIDEO_IMAGE_TYPES",
    "CHUNK_SIZE",
    "MAX_UPLOAD_BYTES",
    "PreparedUpload",
    "call_progress",
    "prepare_upload",
    "sniff_content_type",
]

#: Read size for files; large enough for throughput, small enough to keep memory flat.
CHUNK_SIZE = 1024 * 1024
#: "Upload media ... up to 5GB in size" (POST files): GB as the documents write it, 5 * 10^9
#: bytes (they never say GiB). Refused before sending.
MAX_UPLOAD_BYTES = 5 * 10**9
#: Content types ``POST files`` accepts (May 2026 revision, 000_e42040e8fa48e633.txt): png,
#: jpeg (also .webp, "uploads via Content-Type: image/jpeg"), mp3, wav, mp4.
AUDIO_VIDEO_IMAGE_TYPES = ("image/png", "image/jpeg", "audio/mpeg", "audio/wav", "video/mp4")

#: Names -> types: the documented extensions, and look-alikes under their own (refused) types.
_BY_EXTENSION = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/jpeg",  # the API takes webp uploaded as image/jpeg
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".m4a": "audio/mp4",
    ".m4b": "audio/mp4",
    ".aac": "audio/aac",
    ".mov": "video/quicktime",
    ".qt": "video/quicktime",
    ".3gp": "video/3gpp",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".webm": "video/webm",
}

# ISO base media files all start with an ``ftyp`` box; its major brand (bytes 8-12) says what
# the file is. Only these brands are mp4 video; m4a audio (``M4A ``), QuickTime (``qt  ``),
# HEIF/AVIF images and 3GP are other types the API does not take as video/mp4.
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9", b"mp41", b"mp42"}
    | {b"avc1", b"dash", b"mmp4", b"MSNV", b"NDAS", b"NDSC", b"NDSH", b"NDXC", b"f4v "}
)
_FTYP_OTHER = {
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"M4P ": "audio/mp4",
    b"M4V ": "video/x-m4v",
    b"M4VH": "video/x-m4v",
    b"M4VP": "video/x-m4v",
    b"qt  ": "video/quicktime",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
    b"3gp6": "video/3gpp",
    b"3g2a": "video/3gpp2",
}


def sniff_content_type(head: bytes) -> str | None:
    """The Content-Type of a file starting with ``head`` (16 bytes suffice), or None if unknown.

    Gives the documented upload types and the look-alikes' own types (``audio/mp4`` for m4a,
    ``video/quicktime`` ...), which the upload then refuses. webp is ``image/jpeg``, as the
    documents ask.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _MP4_BRANDS:
            return "video/mp4"
        return _FTYP_OTHER.get(brand, "application/octet-stream")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # MPEG audio frame sync; layer bits 00 are AAC's ADTS header, not mp3.
        return "audio/mpeg" if head[1] & 0x06 else "audio/aac"
    return None


async def call_progress(callback: ProgressCallback | None, done: int, total: int | None) -> None:
    """Call a plain or async progress callback."""
    if callback is None:
        return
    result = callback(done, total)
    if inspect.isawaitable(result):
        await result


@attrs.define
class PreparedUpload:
    """An upload source ready to send: its type, size and a factory of one-shot bodies."""

    content_type: str
    size: int | None
    filename: str | None
    replayable: bool
    _chunks: Callable[[], AsyncGenerator[bytes, None]]
    _on_progress: ProgressCallback | None = None

    def payload(self) -> aiohttp.payload.Payload:
        """A fresh request body streaming the source (call once per attempt)."""
        return _UploadPayload(self)

    def headers(self) -> dict[str, str]:
        """Content-Type and, where known, Content-Length for a raw-body upload."""
        out = {"Content-Type": self.content_type}
        if self.size is not None:
            out["Content-Length"] = str(self.size)
        return out

    async def _counted(self) -> AsyncGenerator[bytes, None]:
        sent = 0
        await call_progress(self._on_progress, 0, self.size)
        # ``async for`` alone would leave the source (an open file) suspended when we stop early.
        async with contextlib.aclosing(self._chunks()) as chunks:
            async for chunk in chunks:
                if not chunk:
                    continue
                yield chunk
                sent += len(chunk)
                await call_progress(self._on_progress, sent, self.size)


class _UploadPayload(aiohttp.payload.Payload):
    """One attempt's body: streams a :class:`PreparedUpload` and always closes its source.

    aiohttp cancels the body writer once the response is in, and would otherwise leave the
    source generator (and the file it holds open) to the garbage collector.
    """

    _autoclose = True  # the source is closed by ``write_with_length`` itself

    def __init__(self, upload: PreparedUpload) -> None:
        super().__init__(upload, content_type=upload.content_type)
        self._upload = upload
        self._size = upload.size

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a streamed upload cannot be decoded")

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        self._consumed = True
        chunks = self._upload._counted()
        try:
            async for chunk in chunks:
                await writer.write(chunk)
        finally:
            # Closing runs the sources' ``finally`` blocks, which do not await: it completes
            # even in a task that is being cancelled.
            await chunks.aclose()


async def prepare_upload(
    source: FileSource,
    *,
    content_type: str | None = None,
    allowed_types: Collection[str] | None = AUDIO_VIDEO_IMAGE_TYPES,
    on_progress: ProgressCallback | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    parameter: str = "source",
    filename: str | None = None,
    fallback_type: str | None = None,
) -> PreparedUpload:
    """Inspect ``source`` (without reading it whole) and return a :class:`PreparedUpload`.

    The type is ``content_type``, else sniffed from the first bytes, else guessed from the
    file name (``filename`` or the source's own), else ``fallback_type``.

    Raises:
        ValueError: unsupported type, too large, empty, or not a usable source; nothing is sent.
        FileNotFoundError: ``source`` is a path that does not exist.
    """
    given_name, filename = filename, None
    head = b""
    size: int | None
    replayable = True
    chunks: Callable[[], AsyncGenerator[bytes, None]]

    if isinstance(source, (str, os.PathLike)):
        path = anyio.Path(os.fspath(source))
        stat = await path.stat()
        if not await path.is_file():
            raise ValueError(f"{parameter}={os.fspath(source)!r} is not a regular file")
        size = stat.st_size
        filename = path.name
        f = await anyio.open_file(path, "rb")
        try:
            head = await f.read(16)
        finally:
            f.wrapped.close()  # synchronous: see ``from_path``

        async def from_path() -> AsyncGenerator[bytes, None]:
            f = await anyio.open_file(path, "rb")
            try:
                while chunk := await f.read(CHUNK_SIZE):
                    yield chunk
            finally:
                # Synchronous on purpose: an awaited close can be cut short by cancellation
                # (aiohttp cancels the body writer once the answer is in), leaking the file.
                f.wrapped.close()

        chunks = from_path
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        size, head = len(data), data[:16]

        async def from_bytes() -> AsyncGenerator[bytes, None]:
            for start in range(0, len(data), CHUNK_SIZE):
                yield data[start : start + CHUNK_SIZE]

        chunks = from_bytes
    elif isinstance(source, AsyncIterable):
        iterator = source.__aiter__()
        # Sniffing needs the first 16 bytes, which may arrive over several small chunks.
        pieces: list[bytes] = []
        buffered = 0
        async for piece in iterator:
            pieces.append(bytes(piece))
            buffered += len(pieces[-1])
            if buffered >= 16:
                break
        first = b"".join(pieces)
        head, size, replayable = first[:16], None, False

        async def from_iterable() -> AsyncGenerator[bytes, None]:
            yield first
            async for piece in iterator:
                yield bytes(piece)

        chunks = from_iterable
    elif hasattr(source, "read"):
        fileobj: IO[bytes] = source
        filename = os.path.basename(str(getattr(fileobj, "name", ""))) or None
        size, start, replayable = await anyio.to_thread.run_sync(_file_size, fileobj)
        head = await anyio.to_thread.run_sync(fileobj.read, 16)
        if not isinstance(head, bytes):
            raise ValueError(f"{parameter} must be opened in binary mode ('rb')")
        if replayable:
            await anyio.to_thread.run_sync(fileobj.seek, start)
            prefix = b""
        else:
            prefix = head

        async def from_fileobj() -> AsyncGenerator[bytes, None]:
            if replayable:
                await anyio.to_thread.run_sync(fileobj.seek, start)
            elif prefix:
                yield prefix
            while chunk := await anyio.to_thread.run_sync(fileobj.read, CHUNK_SIZE):
                yield chunk

        chunks = from_fileobj
    else:
        raise ValueError(
            f"{parameter} of type {type(source).__name__} is not supported; allowed: a path, "
            "bytes, a binary file object or an async iterable of bytes"
        )

    if size is not None and size > max_bytes:
        raise ValueError(
            f"{parameter} is {size} bytes; the API accepts files up to {max_bytes} bytes"
        )
    if size == 0 or (size is None and not head):
        raise ValueError(f"{parameter} is empty; the API needs a non-empty file")
    filename = given_name or filename
    resolved, told_by = content_type, "content_type"
    if resolved is None:
        resolved, told_by = sniff_content_type(head), f"first bytes {head[:12]!r}"
    if resolved is None and filename:
        extension = os.path.splitext(filename)[1].lower()
        told_by = f"name {filename!r}"
        resolved = _BY_EXTENSION.get(extension) or (
            mimetypes.guess_type(filename)[0] if allowed_types is None else None
        )
    resolved = resolved or fallback_type
    if resolved is None:
        raise ValueError(
            f"{parameter}: cannot tell the file type from its first bytes {head[:8]!r}"
            f"{f' or its name {filename!r}' if filename else ''}; pass content_type= "
            f"(allowed: {', '.join(allowed_types or ())})"
        )
    if allowed_types is not None and resolved not in allowed_types:
        allowed = ", ".join(allowed_types)
        if told_by == "content_type":
            raise ValueError(
                f"content_type={resolved!r} is not supported for this upload; allowed: {allowed}"
            )
        raise ValueError(
            f"{parameter}={filename or '<data>'!r} is {resolved!r} (by its {told_by}), which is "
            f"not supported for this upload; allowed: {allowed} (pass content_type= only if the "
            "file really is one of them)"
        )
    return PreparedUpload(
        content_type=resolved,
        size=size,
        filename=filename,
        replayable=replayable,
        chunks=chunks,
        on_progress=on_progress,
    )


def _file_size(fileobj: IO[bytes]) -> tuple[int | None, int, bool]:
    """(bytes left from the current position, that position, seekable) without reading."""
    try:
        if not fileobj.seekable():
            return None, 0, False
        start = fileobj.tell()
        end = fileobj.seek(0, io.SEEK_END)
        fileobj.seek(start)
        return end - start, start, True
    except (AttributeError, OSError, ValueError):
        return None, 0, False
