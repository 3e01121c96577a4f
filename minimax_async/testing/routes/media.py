"""``GET /media/{path}``: the files the emulator serves itself (no auth), with Range and HEAD."""

from __future__ import annotations

import re

from .._http import (
    NOT_FOUND,
    Ctx,
    Reply,
    Result,
    RouteTable,
)
from .._media import mp3_bytes, mp4_bytes, png_bytes

api = RouteTable()

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


@api.get("/media/{path}", public=True)
async def get_media(ctx: Ctx) -> Result:
    """GET /media/{path}: files served by the emulator, with Range (206) and HEAD support."""
    state = ctx.state
    path = ctx.params["path"]
    blob = state.media.get(path)
    if blob is None and path.startswith(("audio/voice-", "templates/")):
        if path.endswith(".mp3"):
            blob_data, ctype = mp3_bytes(), "audio/mpeg"
        elif path.endswith(".mp4"):
            blob_data, ctype = mp4_bytes(1280, 720, 1), "video/mp4"
        else:
            blob_data, ctype = png_bytes(), "image/png"
        state.put_media(path, blob_data, ctype)
        blob = state.media[path]
    if blob is None:
        return Reply(status=404, body=dict(NOT_FOUND))
    data = blob.data
    headers = {"Accept-Ranges": "bytes", "ETag": blob.etag, "Cache-Control": "max-age=3600"}
    header = ctx.request.headers.get("Range")
    if_range = ctx.request.headers.get("If-Range")
    if header and (if_range is None or if_range == blob.etag):
        match = _RANGE_RE.match(header.strip())
        size = len(data)
        start: int | None = None
        end: int | None = None
        if match and (match[1] or match[2]):
            if match[1]:
                start = int(match[1])
                end = int(match[2]) if match[2] else size - 1
            else:
                suffix = int(match[2])
                start, end = max(0, size - suffix), size - 1
        if start is None or end is None or start >= size or end < start:
            headers["Content-Range"] = f"bytes */{size}"
            return Reply(status=416, raw=b"", content_type=blob.content_type, headers=headers)
        end = min(end, size - 1)
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Reply(
            status=206, raw=data[start : end + 1], content_type=blob.content_type, headers=headers
        )
    return Reply(status=200, raw=data, content_type=blob.content_type, headers=headers)
