"""The official MiniMax platform's file upload, ``POST /minimax/v1/files/upload``, as an API
gateway exposes it (``002_cc210c52afffbd3c.txt``): a second API next to useapi.net's, served at
the root (``emu.platform_url`` is ``<origin>/minimax``), so ``AsyncMiniMaxPlatform`` can be
tried without a MiniMax key.

Multipart ``purpose`` + ``file``; the answer is ``{"file": {...}, "base_resp": {...}}`` and,
as on the platform, errors come inside an HTTP 200 as ``base_resp.status_code``:

====  =================================================================================
1004  no ``Authorization: Bearer`` key ("account authentication failed")
2049  a key other than the emulator's token (when it was given one)
2013  not multipart, no ``purpose``, an undocumented purpose, no ``file`` part, empty file
====  =================================================================================

Faults name the route ``"POST /minimax/v1/files/upload"``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader

from .._http import (
    Ctx,
    Reply,
    Result,
    RouteTable,
    authorized,
    drain,
    ok,
)

api = RouteTable()

#: Where the gateway serves the platform: ``AsyncMiniMaxPlatform(base_url=origin + this)``.
PLATFORM_PREFIX = "/minimax"

#: The purposes the platform documents for uploads (the SDK's ``PlatformPurpose``).
PLATFORM_PURPOSES = ("voice_clone", "prompt_audio", "t2a_async_input", "video_understanding")

_MESSAGES = {
    1004: "login fail: Please carry the API secret key in the 'Authorization' field of the "
    "request header",
    2049: "invalid api key",
}


def base_fail(code: int, message: str | None = None) -> Reply:
    """A platform error: HTTP 200, ``base_resp.status_code`` != 0."""
    return ok({"base_resp": {"status_code": code, "status_msg": message or _MESSAGES[code]}})


@api.post(PLATFORM_PREFIX + "/v1/files/upload", public=True)
async def post_platform_files_upload(ctx: Ctx) -> Result:
    """POST /minimax/v1/files/upload: multipart ``purpose`` + ``file`` -> ``file`` record."""
    header = ctx.request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        await drain(ctx)
        return base_fail(1004)
    if not authorized(ctx):
        await drain(ctx)
        return base_fail(2049)
    if ctx.request.content_type != "multipart/form-data":
        await drain(ctx)
        return base_fail(2013, "invalid params, the body must be multipart/form-data")
    form = await _read_form(ctx)
    if isinstance(form, Reply):
        return form
    purpose, filename, size = form
    if not purpose:
        return base_fail(2013, "invalid params, purpose is required")
    if purpose not in PLATFORM_PURPOSES:
        return base_fail(
            2013, f"invalid params, purpose {purpose} is not one of {', '.join(PLATFORM_PURPOSES)}"
        )
    if filename is None:
        return base_fail(2013, "invalid params, file is required")
    if size == 0:
        return base_fail(2013, "invalid params, file is empty")
    state = ctx.state
    file_id = int(state.number())
    record: dict[str, Any] = {
        "file_id": file_id,
        "bytes": size,
        "created_at": int(state.clock.wall()),
        "filename": filename,
        "purpose": purpose,
    }
    state.platform_files[file_id] = record
    return ok({"file": dict(record), "base_resp": {"status_code": 0, "status_msg": "success"}})


async def _read_form(ctx: Ctx) -> tuple[str | None, str | None, int] | Reply:
    """(purpose, file name, file size) of the multipart body, the file streamed (not kept)."""
    try:
        reader = await ctx.request.multipart()
        purpose: str | None = None
        filename: str | None = None
        size = 0
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue  # a nested multipart: not part of the documented form
            if part.name == "purpose" and part.filename is None:
                purpose = (await part.text()).strip()
            elif part.name == "file" and filename is None:
                filename = part.filename or "file"
                while chunk := await part.read_chunk():
                    size += len(chunk)
            else:
                await part.release()
    except ValueError as exc:
        await drain(ctx)
        return base_fail(2013, f"invalid params, unreadable multipart body: {exc}")
    ctx.record.body_bytes_len = max(ctx.record.body_bytes_len, size)
    return purpose, filename, size
