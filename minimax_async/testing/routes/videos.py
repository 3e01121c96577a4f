"""Routes of ``resources/videos.py`` (except agent-create, see ``video_agents.py``):
create with capacity and load balancing, retrieve, list, delete, cancel, characters."""

from __future__ import annotations

from typing import Any

from .. import _payloads as P
from .._http import (
    Ctx,
    Fields,
    Reply,
    Result,
    RouteTable,
    as_bool,
    as_int,
    fail,
    ok,
    read_fields,
)
from .._media import png_bytes
from .._state import (
    Account,
    parse_id,
    parse_triggers,
)
from ._common import (
    check_file_id,
    check_reply_fields,
    listed,
    older_than,
    query_account,
    requires_field,
    resolve_account,
    retrieve,
    soft_delete,
    upstream_checks,
)

api = RouteTable()

VIDEO_MODELS: dict[str, tuple[str, ...]] = {
    "T2V-01": (),
    "T2V-01-Director": (),
    "I2V-01": (),
    "I2V-01-live": (),
    "I2V-01-Director": (),
    "S2V-01": (),
    "02": ("512p-6sec", "512p-10sec", "768p-6sec", "768p-10sec", "1080p-6sec"),
    "T2V-2.3": ("768p-6sec", "768p-10sec", "1080p-6sec"),
    "I2V-2.3": ("768p-6sec", "768p-10sec", "1080p-6sec"),
    "I2V-2.3-Fast": ("768p-6sec", "768p-10sec", "1080p-6sec"),
    "Sora-2": ("720p-4sec", "720p-8sec", "720p-12sec"),
    "Veo-3.1": ("veo-720p-8sec", "veo-1080p-8sec"),
    "Veo-3.1-Fast": ("veo-720p-8sec", "veo-1080p-8sec"),
    "Veo-3.1-S2V": ("veo-720p-8sec", "veo-1080p-8sec"),
}
IMAGE_REQUIRED_MODELS = frozenset({"I2V-01", "I2V-01-live", "I2V-01-Director", "S2V-01"})
#: Seedance omni references (``POST files``, May 2026): field -> the upload types it takes.
OMNI_REFERENCE_TYPES: dict[str, frozenset[str]] = {
    **{f"audioFileID{n}": frozenset({"audio/mpeg", "audio/wav"}) for n in (1, 2, 3)},
    **{f"videoFileID{n}": frozenset({"video/mp4"}) for n in (1, 2, 3)},
}
END_FRAME_MODELS = frozenset({"02", "Veo-3.1", "Veo-3.1-Fast"})
VIDEO_COST = 30


def busy_reply(ctx: Ctx, accounts: list[Account], max_jobs: int | None) -> Reply:
    state = ctx.state
    running: dict[str, list[dict[str, Any]]] = {acc.account: [] for acc in accounts}
    for video in state.running_videos():
        if video.account in running:
            running[video.account].append(P.running_video_entry(video, state))
    if len(accounts) == 1:
        acc = accounts[0]
        message = f"Account {acc.account} is busy executing {max_jobs or acc.max_jobs} videos"
    else:
        message = "All accounts are busy executing videos: " + ", ".join(
            f"{a.account} ({len(running[a.account])})" for a in accounts
        )
    return fail(429, message, runningVideos=running)


def pick_video_account(ctx: Ctx, fields: Fields) -> Account | Reply:
    """The account a video create runs on: the body's ``account`` (429 when it is full) or a
    random one with free capacity (load balancing), counting ``maxJobs`` (1-10) when sent."""
    max_jobs = as_int(fields.values.get("maxJobs"))
    if fields.has("maxJobs") and (max_jobs is None or not 1 <= max_jobs <= 10):
        return fail(400, "Parameter maxJobs must be between 1 and 10")
    state, name = ctx.state, fields.text("account")
    if name or len(state.accounts) <= 1:
        acc = resolve_account(ctx, name)
        if isinstance(acc, Reply):
            return acc
        if not state.has_capacity(acc, max_jobs):
            return busy_reply(ctx, [acc], max_jobs)
        return acc
    free = state.free_accounts(max_jobs)
    if not free:
        return busy_reply(ctx, [a for a in state.accounts.values() if a.support_video], max_jobs)
    return state.rng.choice(free)


def check_omni_references(ctx: Ctx, fields: Fields, acc: Account) -> Reply | None:
    """Each ``audioFileID1..3`` / ``videoFileID1..3`` names a file uploaded to ``acc`` (the
    account the job runs on: MiniMax looks its files up there) of the field's type."""
    for name, types in OMNI_REFERENCE_TYPES.items():
        file_id = fields.text(name) or None
        if file_id is None:
            continue
        bad = check_file_id(file_id, name)
        if bad is not None:
            return bad
        record = ctx.state.files.get(file_id)
        if record is None or record.deleted or record.sample or record.account != acc.account:
            return fail(400, f"Unable to locate {name} {file_id} on account {acc.account}")
        if record.content_type not in types:
            return fail(
                400,
                f"Parameter {name} must be a {' or '.join(sorted(types))} file, "
                f"{file_id} is {record.content_type}",
            )
    return None


def _video_size(model: str, options: str) -> tuple[int, int]:
    if "1080p" in options:
        return 1920, 1080
    if "720p" in options:
        return 1280, 720
    if "512p" in options:
        return 912, 512
    if model in ("T2V-01", "T2V-01-Director", "I2V-01", "I2V-01-live", "I2V-01-Director", "S2V-01"):
        return 1280, 720
    return 1366, 768


@api.post("/videos/create")
async def post_videos_create(ctx: Ctx) -> Result:
    """POST videos/create: validate, pick an account with capacity, create the video job."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    state = ctx.state
    prompt = fields.text("prompt")
    file_id = fields.text("fileID") or None
    end_frame = fields.text("end_frame_fileID") or None
    model = fields.text("model") or ("I2V-01" if file_id else "T2V-01")
    if model == "Sora 2":
        model = "Sora-2"
    if model not in VIDEO_MODELS:
        return fail(400, f"Unsupported model {model}; supported: {', '.join(VIDEO_MODELS)}")
    allowed_options = VIDEO_MODELS[model]
    options = fields.text("options") or (allowed_options[0] if allowed_options else "")
    if model in ("02", "T2V-2.3", "I2V-2.3", "I2V-2.3-Fast") and not fields.text("options"):
        options = "768p-6sec"
    if options and allowed_options and options not in allowed_options:
        return fail(400, f"Model {model} supports options: {', '.join(allowed_options)}")
    if options and not allowed_options:
        return fail(400, f"Model {model} does not support options")
    if not prompt and not file_id:
        return fail(400, "Parameter prompt or fileID is required")
    for name, value in (("fileID", file_id), ("end_frame_fileID", end_frame)):
        bad = check_file_id(value, name)
        if bad is not None:
            return bad
    if model in IMAGE_REQUIRED_MODELS and not file_id:
        return fail(400, f"Model {model} requires fileID")
    if options.startswith("512p") and not file_id:
        return fail(400, f"Options {options} require fileID")
    if end_frame is not None:
        if model not in END_FRAME_MODELS or options.startswith("512p"):
            return fail(400, f"Model {model} with options {options} does not support end frames")
        if end_frame == file_id:
            return fail(400, "end_frame_fileID and fileID cannot be the same")
    bad = check_reply_fields(fields)
    if bad is not None:
        return bad
    acc = pick_video_account(ctx, fields)
    if isinstance(acc, Reply):
        return acc
    bad = check_omni_references(ctx, fields, acc)
    if bad is not None:
        return bad
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt, VIDEO_COST)
    if refusal is not None:
        return refusal
    acc.credits -= VIDEO_COST
    known = {
        "account",
        "prompt",
        "promptOptimization",
        "fileID",
        "end_frame_fileID",
        "model",
        "options",
        "replyUrl",
        "replyRef",
        "maxJobs",
    }
    video = state.create_video(
        account=acc,
        prompt=prompt or "",
        model=model,
        options=options,
        size=_video_size(model, options),
        triggers=triggers,
        file_id=file_id,
        end_frame_file_id=end_frame,
        reply_url=fields.text("replyUrl") or "",
        reply_ref=fields.text("replyRef") or "",
        prompt_optimization=as_bool(fields.values.get("promptOptimization")),
        extra={k: v for k, v in fields.values.items() if k not in known},
    )
    return ok(
        {
            "id": video.id,
            "task": {"batchID": video.batch_id, "videoIDs": [video.id]},
            "videoId": video.video_id,
            "replyUrl": video.reply_url,
            "replyRef": video.reply_ref,
        }
    )


@api.get("/videos/{videoId}")
async def get_video(ctx: Ctx) -> Result:
    """GET videos/{videoId}: status computed from the clock (404 once moderated-and-removed)."""
    return retrieve(ctx, "videoId", ctx.state.find_video, P.video_body)


@api.get("/videos")
@query_account
async def list_videos(ctx: Ctx, acc: Account) -> Result:
    """GET videos: an account's videos, newest first, paged by ``limit`` and ``lastVideoId``."""
    state = ctx.state
    limit = as_int(ctx.query.get("limit")) or 30
    videos = older_than(ctx, listed(state.videos.values(), acc, state.now()), "lastVideoId")
    if isinstance(videos, Reply):
        return videos
    return ok([P.video_body(v, state, for_list=True) for v in videos[:limit]])


@api.delete("/videos/{videoId}")
async def delete_video(ctx: Ctx) -> Result:
    """DELETE videos/{videoId}: always 200; the video disappears (GET answers 404)."""
    video = ctx.state.find_video(ctx.params["videoId"])
    if video is not None:
        video.untracked = True
    return soft_delete(video)


@api.post("/videos/cancel")
@requires_field("videoId")
async def post_videos_cancel(ctx: Ctx, fields: Fields, video_id: str) -> Result:
    """POST videos/cancel: a running video ends now in status 3 and frees its slot."""
    if parse_id(video_id) is None:
        return fail(400, f"Invalid videoId {video_id}")
    video = ctx.state.find_video(video_id)
    if video is None or video.deleted:
        return fail(400, f"Unable to locate video {video_id}")
    now = ctx.state.now()
    if not video.life.is_final(now):
        video.life.cancelled_at = now
        ctx.state.wake()
    return Reply(status=200)


@api.get("/videos/characters")
@query_account
async def get_characters(ctx: Ctx, acc: Account) -> Result:
    """GET videos/characters: the account's reference characters (``page``, ``pageSize``)."""
    state = ctx.state
    page = max(1, as_int(ctx.query.get("page")) or 1)
    size = max(1, as_int(ctx.query.get("pageSize")) or 50)
    items = []
    for index in range(3):
        n = str(500_000_000_000_000_000 + index)
        path = f"characters/{acc.account}-{index}.png"
        if path not in state.media:
            state.put_media(path, png_bytes(48, 48, 1000 + index), "image/png")
        items.append(
            {
                "characterID": str(1234567890 + index),
                "characterType": 1,
                "file": {
                    "fileID": state.make_id(acc.account, "file", n),
                    "cdnUrl": state.media_url(path),
                    "promptImgUrl": state.media_url(path),
                },
            }
        )
    return ok(items[(page - 1) * size : page * size])
