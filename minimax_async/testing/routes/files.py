"""Routes of ``resources/files.py``: raw-body uploads, the file list, deletes."""

from __future__ import annotations

from collections.abc import Mapping

from .. import _payloads as P
from .._http import (
    Ctx,
    Reply,
    Result,
    RouteTable,
    as_int,
    drain,
    fail,
    ok,
)
from .._state import (
    Account,
    FileRecord,
)
from ._common import (
    query_account,
    resolve_account,
    soft_delete,
)

api = RouteTable()

#: "up to 5GB" (POST files): 5 * 10^9 bytes, GB as the documents write it.
MAX_UPLOAD = 5 * 10**9
#: Uploaded files up to this size are kept and served back at their ``ossPath``.
MAX_STORED_UPLOAD = 16 * 1024**2
UPLOAD_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "video/mp4": "mp4",
}


async def receive_upload(
    ctx: Ctx, allowed: Mapping[str, str], prefix: str, *, sample: bool = False
) -> Result:
    ctype = ctx.request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if ctype not in allowed:
        await drain(ctx)
        return fail(
            400,
            f"Unsupported Content-Type {ctype or '(none)'}; use one of: {', '.join(allowed)}",
        )
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        await drain(ctx)
        return acc
    length = ctx.request.content_length
    if length is not None and length > MAX_UPLOAD:
        await drain(ctx)
        return fail(400, "File is larger than 5GB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in ctx.request.content.iter_any():
        size += len(chunk)
        if size <= MAX_STORED_UPLOAD:
            chunks.append(chunk)
        else:
            chunks.clear()
    ctx.record.body_bytes_len = size
    if size == 0:
        return fail(400, "Request body is empty, POST the raw file content")
    state = ctx.state
    n = state.number()
    file_id = state.make_id(acc.account, "file", n)
    path = f"{prefix}/{n}.{allowed[ctype]}"
    stored = size <= MAX_STORED_UPLOAD
    if stored:
        state.put_media(path, b"".join(chunks), ctype)
    state.files[file_id] = FileRecord(
        file_id=file_id,
        id=n,
        account=acc.account,
        content_type=ctype,
        size=size,
        created_wall=state.clock.wall(),
        media_path=path,
        stored=stored,
        sample=sample,
    )
    return ok({"ossPath": state.media_url(path), "fileID": file_id})


@api.post("/files")
async def post_files(ctx: Ctx) -> Result:
    """POST files: raw-body upload (png, jpeg, mp3, wav, mp4) -> ``ossPath`` and ``fileID``."""
    return await receive_upload(ctx, UPLOAD_TYPES, "files")


@api.get("/files")
@query_account
async def get_files(ctx: Ctx, acc: Account) -> Result:
    """GET files: uploaded files of an account, newest first (``limit``, default 10)."""
    limit = as_int(ctx.query.get("limit")) or 10
    records = [
        r
        for r in ctx.state.files.values()
        if r.account == acc.account and not r.deleted and not r.sample
    ]
    records.sort(key=lambda r: int(r.id), reverse=True)
    return ok([P.file_record_body(r, ctx.state) for r in records[:limit]])


@api.delete("/files/{fileID}")
async def delete_file(ctx: Ctx) -> Result:
    """DELETE files/{fileID}: always 200 (also for unknown or already deleted files)."""
    return soft_delete(ctx.state.files.get(ctx.params["fileID"]))
