"""Streaming, atomic, resumable downloads of generated media.

Bytes go to this call's own ``<dest>.<random>.part`` through anyio and the file is renamed to
``dest`` only once it is proven complete (its size checked, as it is written, against
Content-Length or Content-Range), so ``dest`` never holds a partial or mixed file. An
interrupted download is left as ``<dest>.part`` with its validator (ETag or Last-Modified)
beside it and resumed with ``Range`` + ``If-Range``, so a ``.part`` of another file is never
continued. The API token is never sent to a media host.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import pathlib
import posixpath
import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import anyio

from ._exceptions import APIConnectionError, APIError, APIStatusError, ResponseTooLargeError
from ._types import TIMEOUT_ERRORS, ProgressCallback, Timeout
from ._uploads import call_progress

if TYPE_CHECKING:
    from ._base_client import BaseClient

__all__ = ["DOWNLOAD_TIMEOUT", "download", "media_url"]

#: No total limit (videos can be large), but a 300 s limit on any gap between reads.
DOWNLOAD_TIMEOUT = Timeout(connect=10.0, read=300.0, total=None)
_CHUNK = 256 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def media_url(result: Any, *, watermark: bool = False) -> tuple[str, str | None]:
    """(URL, id) of the media a result points to; ``watermark=False`` prefers the clean copy.

    Videos and images prefer ``downloadURL`` (no watermark) over ``videoURL``; agent
    attachments prefer ``extra.no_watermark_url``; music and speech use ``audioURL``.
    """
    if isinstance(result, str):
        return result, None
    ident = _first_attr(
        result, "video_id", "image_id", "music_id", "audio_id", "attachment_id", "id"
    )
    file = getattr(result, "file", None)
    if file is not None and hasattr(file, "file_url"):  # an agent attachment
        extra = getattr(file, "model_extra", None) or {}
        nested = extra.get("extra") if isinstance(extra, dict) else None
        options = nested if isinstance(nested, dict) else extra
        clean = options.get("no_watermark_url") if isinstance(options, dict) else None
        marked = options.get("watermark_url") if isinstance(options, dict) else None
        # ``AgentAttachmentFile.extra`` is the typed JSON ``extra`` object (AgentFileDetails).
        extra_model = (
            getattr(file, "extra", None)
            or getattr(file, "file_extra", None)
            or getattr(file, "extra_info", None)
        )
        if extra_model is not None:
            clean = clean or getattr(extra_model, "no_watermark_url", None)
            marked = marked or getattr(extra_model, "watermark_url", None)
        order = [marked, file.file_url, clean] if watermark else [clean, file.file_url, marked]
    else:
        clean = getattr(result, "download_url", None)
        marked = getattr(result, "video_url", None) or getattr(result, "image_url", None)
        audio = getattr(result, "audio_url", None)
        order = [marked, clean, audio] if watermark else [clean, marked, audio]
    for url in order:
        if isinstance(url, str) and url:
            return url, ident
    raise ValueError(
        f"{type(result).__name__} has no media URL to download (is the job completed?)"
    )


def _first_attr(obj: Any, *names: str) -> str | None:
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _file_name(url: str, ident: str | None, content_type: str | None) -> str:
    path_name = posixpath.basename(urlsplit(url).path)
    ext = posixpath.splitext(path_name)[1]
    if not ext and content_type:
        ext = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    if ident:
        return _UNSAFE.sub("_", ident.replace(":", "_")) + ext
    return _UNSAFE.sub("_", path_name) or f"download{ext}"


async def download(
    client: BaseClient,
    result_or_url: Any,
    dest: str | os.PathLike[str],
    *,
    watermark: bool = False,
    on_progress: ProgressCallback | None = None,
    max_retries: int = 2,
    max_bytes: int | None = None,
) -> pathlib.Path:
    """Download the media of a result (or a URL) to ``dest``; return the final path.

    ``dest`` may be a directory: the file is named after the job id (``:`` replaced).
    ``max_bytes``: the most bytes written (besides the answer's own length, always enforced).
    """
    url, ident = media_url(result_or_url, watermark=watermark)
    if max_bytes is not None and (
        isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1
    ):
        raise ValueError(f"max_bytes={max_bytes!r} is not valid; allowed: None or bytes >= 1")
    target = anyio.Path(os.fspath(dest))
    final: anyio.Path | None = None
    if await target.is_dir():
        _check_name(_file_name(url, ident, None), "the file name taken from the URL", url)
    else:
        _check_name(target.name, "dest", os.fspath(dest))
        final = target
    part = _Part()
    try:
        return await _download_to(
            client, url, ident, target, final, part, on_progress, max_retries, max_bytes
        )
    finally:
        part.park()


async def _download_to(
    client: BaseClient,
    url: str,
    ident: str | None,
    target: anyio.Path,
    final: anyio.Path | None,
    part: _Part,
    on_progress: ProgressCallback | None,
    max_retries: int,
    max_bytes: int | None,
) -> pathlib.Path:
    attempt = 0
    while True:
        attempt += 1
        # The bytes as stored: a compressed transfer would defeat the size check and Range.
        headers: dict[str, str] = {"Accept": "*/*", "Accept-Encoding": "identity"}
        if final is not None:
            part.claim(final)
            have = part.size()
            if have and part.validator is not None:
                headers["Range"] = f"bytes={have}-"
                # The server sends the rest only if the file is still the one the .part
                # began (else the whole file, with 200): never splice two files together.
                headers["If-Range"] = part.validator
        try:
            response = await client.open_stream(
                "GET", url, headers=headers, timeout=DOWNLOAD_TIMEOUT
            )
        except APIStatusError as exc:
            if exc.status_code != 416 or final is None or "Range" not in headers:
                raise
            # 416: the .part is not shorter than the file. Complete (a crash came before the
            # rename): keep it; otherwise it is stale: drop it and start over.
            if _unsatisfied_size(exc.headers) == part.size():
                return part.finish()
            part.discard()
            attempt -= 1  # no Range is sent next time, so this cannot repeat
            continue
        try:
            if final is None:
                name = _file_name(url, ident, response.headers.get("Content-Type"))
                _check_name(name, "the file name taken from the URL", url)
                final = target / name
                # A part parked by an earlier call is taken over (and its sidecar removed),
                # then overwritten: no Range was asked this time.
                part.claim(final)
            offset, total = _resume_point(response, headers)
            if not offset:
                part.validator = _validator(response.headers)
            limit = total if max_bytes is None else min(total or max_bytes, max_bytes)
            await _write_body(response, part, offset, total, limit, on_progress, url)
        except _GiveUp as stop:
            response.release()
            raise stop.error from None
        except (aiohttp.ClientError, *TIMEOUT_ERRORS, APIConnectionError) as exc:
            response.release()
            if attempt > max_retries:
                if isinstance(exc, APIError):
                    raise
                raise APIConnectionError(
                    f"download interrupted: {type(exc).__name__}", method="GET", url=url
                ) from exc
            continue  # the .part is kept: the next attempt resumes it
        except BaseException:
            response.release()
            raise
        response.release()
        return part.finish()


async def _write_body(
    response: aiohttp.ClientResponse,
    part: _Part,
    offset: int,
    total: int | None,
    limit: int | None,
    on_progress: ProgressCallback | None,
    url: str,
) -> None:
    """Append the body to the part (from ``offset``), counting bytes as they are written."""
    done = offset
    await call_progress(on_progress, done, total)
    # Unbuffered, and closed synchronously: an awaited close can be cut short by a
    # cancellation, leaving the file to the garbage collector.
    out = await anyio.open_file(part.path(), "ab" if offset else "wb", buffering=0)
    try:
        if not offset:
            await out.truncate(0)
        async for chunk in response.content.iter_chunked(_CHUNK):
            if limit is not None and done + len(chunk) > limit:
                # E.g. a host that compresses despite ``identity``: stop before the disk fills.
                out.wrapped.close()
                part.discard()
                raise ResponseTooLargeError(
                    f"the media server sent more than {limit} bytes "
                    f"({'its announced length' if limit == total else 'max_bytes'}); "
                    "the partial file was removed",
                    limit=limit,
                    status_code=response.status,
                    method="GET",
                    url=url,
                )
            await out.write(chunk)
            done += len(chunk)
            await call_progress(on_progress, done, total)
    finally:
        out.wrapped.close()
    if total is not None and done != total:
        raise APIConnectionError(
            f"download ended after {done} of {total} bytes", method="GET", url=url
        )
    if total is None and not _chunked(response):
        # Neither a length nor chunked framing: a cut connection looks like the end.
        part.discard()
        raise _GiveUp(
            APIConnectionError(
                "the media server sent neither Content-Length nor a chunked body: the download "
                "cannot be proven complete, so it is not reported as done",
                method="GET",
                url=url,
            )
        )


class _GiveUp(Exception):
    """Carries a download failure the same answer would repeat: raised without retrying."""

    def __init__(self, error: APIConnectionError) -> None:
        super().__init__(error.message)
        self.error = error


def _chunked(response: aiohttp.ClientResponse) -> bool:
    return "chunked" in response.headers.get("Transfer-Encoding", "").lower()


def _validator(headers: Mapping[str, str]) -> str | None:
    """What ``If-Range`` may carry to prove a resumed file is the same: a strong ETag, else
    Last-Modified (weak ETags are not allowed in If-Range)."""
    etag = headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("Last-Modified") or None


#: Longest file name most file systems take (NAME_MAX), in bytes.
_NAME_MAX = 255
#: What a download adds to the final name for its own temporary file.
_TEMP_SUFFIX_BYTES = len(".0123456789abcdef.part")


def _check_name(name: str, what: str, value: str) -> None:
    """Refuse, before downloading, a file name that cannot be written where it belongs."""
    if not name or name.strip(".") == "" or "/" in name or "\0" in name:
        raise ValueError(
            f"{what} {value!r} gives the file name {name!r}, which cannot be written; "
            "allowed: a plain file name (not '.', '..' or empty)"
        )
    size = len(os.fsencode(name))
    if size + _TEMP_SUFFIX_BYTES > _NAME_MAX:
        raise ValueError(
            f"{what} {value[:80]!r}... gives a file name of {size} bytes; allowed: at most "
            f"{_NAME_MAX - _TEMP_SUFFIX_BYTES} bytes (the file system's limit of {_NAME_MAX}, "
            "less room for the download's temporary name)"
        )


class _Part:
    """This call's own temporary file beside the destination, and its resume validator.

    Each call writes its own ``<dest>.<random>.part``, so concurrent downloads to one
    destination never interleave; the finished file is renamed over ``dest`` atomically. An
    interrupted download is *parked* as ``<dest>.part`` with its validator beside it in
    ``<dest>.part.validator``; a later call *claims* both by renaming (atomic: one call wins)
    and resumes with ``If-Range``. A ``.part`` without a validator is started afresh.

    File-system calls here are synchronous on purpose: each is one metadata operation, and
    :meth:`park` must complete even in a task being cancelled.
    """

    def __init__(self) -> None:
        self.final: str | None = None
        self.own: str | None = None
        self.validator: str | None = None

    def path(self) -> str:
        assert self.own is not None
        return self.own

    def claim(self, final: anyio.Path) -> None:
        """Take this call's temporary name for ``final``, and any part parked there."""
        if self.own is not None:
            return
        self.final = os.fspath(final)
        self.own = f"{self.final}.{secrets.token_hex(8)}.part"
        parked = f"{self.final}.part"
        try:
            os.rename(parked, self.own)
        except OSError:
            return  # nothing parked, or another call claimed it first: start from zero
        try:
            with open(f"{parked}.validator", encoding="utf-8") as f:
                self.validator = f.read().strip() or None
            os.unlink(f"{parked}.validator")
        except OSError:
            self.validator = None

    def size(self) -> int:
        try:
            return os.stat(self.path()).st_size
        except OSError:
            return 0

    def discard(self) -> None:
        if self.own is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.own)
        self.validator = None

    def finish(self) -> pathlib.Path:
        assert self.final is not None
        os.replace(self.path(), self.final)
        self.own = None
        return pathlib.Path(self.final)

    def park(self) -> None:
        """Leave an unfinished part for a later call to resume (or remove it if it cannot be)."""
        if self.own is None or self.final is None:
            return
        own, self.own = self.own, None
        if self.validator is None or not os.path.exists(own):
            with contextlib.suppress(OSError):
                os.unlink(own)
            return
        parked = f"{self.final}.part"
        try:
            with open(f"{parked}.validator", "w", encoding="utf-8") as f:
                f.write(self.validator)
            os.replace(own, parked)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(own)


def _unsatisfied_size(headers: Mapping[str, str]) -> int | None:
    """The full size a 416 answer gives in ``Content-Range: bytes */<size>``, if any."""
    value = next((v for k, v in headers.items() if k.lower() == "content-range"), "")
    match = re.fullmatch(r"bytes \*/(\d+)", value.strip())
    return int(match.group(1)) if match else None


def _resume_point(
    response: aiohttp.ClientResponse, sent_headers: dict[str, str]
) -> tuple[int, int | None]:
    """(bytes already on disk to keep, expected total size) for this response."""
    length = response.headers.get("Content-Length")
    size = int(length) if length and length.isdigit() else None
    if response.status == 206 and "Range" not in sent_headers:
        # Partial content nobody asked for: the whole file only if Content-Range says so.
        match = re.fullmatch(
            r"bytes 0-(\d+)/(\d+)", response.headers.get("Content-Range", "").strip()
        )
        if match and int(match.group(1)) + 1 == int(match.group(2)):
            return 0, int(match.group(2))
        raise _GiveUp(
            APIConnectionError(
                "the media server answered 206 (partial content) to a request without Range, "
                f"Content-Range {response.headers.get('Content-Range')!r}: not the whole file",
                method="GET",
                url=str(response.url),
            )
        )
    if response.status == 206:
        match = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", response.headers.get("Content-Range", ""))
        asked = int(sent_headers["Range"][6:-1])
        if match and int(match.group(1)) == asked:
            total = int(match.group(3)) if match.group(3) != "*" else None
            return asked, total if total is not None else (
                asked + size if size is not None else None
            )
        raise APIConnectionError(
            "the media server answered a Range request with a range we did not ask for",
            method="GET",
            url=str(response.url),
        )
    return 0, size
