"""Streaming, atomic, resumable downloads of generated media.

Bytes go to ``<dest>.part`` through anyio and the file is renamed to ``dest`` only once it is
complete (its size checked against Content-Length), so ``dest`` never holds a partial file. A
``.part`` left by an interrupted download is resumed with a ``Range`` request where the server
supports it. The API token is never sent to a media host.
"""

from __future__ import annotations

import mimetypes
import os
import pathlib
import posixpath
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import anyio

from ._exceptions import APIConnectionError, APIError, APIStatusError
from ._types import ProgressCallback, Timeout
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
) -> pathlib.Path:
    """Download the media of a result (or a URL) to ``dest``; return the final path.

    ``dest`` may be a directory: the file is named after the job id (``:`` replaced).
    """
    url, ident = media_url(result_or_url, watermark=watermark)
    target = anyio.Path(os.fspath(dest))
    is_dir = await target.is_dir()
    attempt = 0
    while True:
        attempt += 1
        final_path = target  # resolved below when dest is a directory
        # The bytes as stored: a compressed transfer would defeat the size check and Range.
        headers: dict[str, str] = {"Accept": "*/*", "Accept-Encoding": "identity"}
        part: anyio.Path | None = None
        have = 0
        if not is_dir:
            part = anyio.Path(f"{target}.part")
            if await part.exists():
                have = (await part.stat()).st_size
                if have:
                    headers["Range"] = f"bytes={have}-"
        try:
            response = await client.open_stream(
                "GET", url, headers=headers, timeout=DOWNLOAD_TIMEOUT
            )
        except APIStatusError as exc:
            if exc.status_code != 416 or part is None or "Range" not in headers:
                raise
            # 416: the .part is not shorter than the file. Complete (a crash came before the
            # rename): keep it; otherwise it is stale: drop it and start over.
            if _unsatisfied_size(exc.headers) == have:
                await part.replace(final_path)
                return pathlib.Path(final_path)
            await part.unlink(missing_ok=True)
            attempt -= 1  # no Range is sent next time, so this cannot repeat
            continue
        try:
            if is_dir:
                name = _file_name(url, ident, response.headers.get("Content-Type"))
                final_path = target / name
                part = anyio.Path(f"{final_path}.part")
                if await part.exists():
                    await part.unlink()  # no Range was asked: restart it
            assert part is not None
            offset, total = _resume_point(response, headers)
            done = offset
            await call_progress(on_progress, done, total)
            async with await anyio.open_file(part, "ab" if offset else "wb") as out:
                if not offset:
                    await out.truncate(0)
                async for chunk in response.content.iter_chunked(_CHUNK):
                    await out.write(chunk)
                    done += len(chunk)
                    await call_progress(on_progress, done, total)
            if total is not None and done != total:
                raise APIConnectionError(
                    f"download ended after {done} of {total} bytes", method="GET", url=url
                )
        except (aiohttp.ClientError, TimeoutError, APIConnectionError) as exc:
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
        await part.replace(final_path)
        return pathlib.Path(final_path)


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
    if response.status == 206 and "Range" in sent_headers:
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
