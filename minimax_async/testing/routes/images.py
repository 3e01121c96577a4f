"""Routes of ``resources/images.py``: create (queue capacity), retrieve, list, delete."""

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
)
from .._media import png_bytes
from .._state import (
    Account,
    Image,
    parse_triggers,
)
from ._common import (
    check_file_id,
    job_account,
    listed,
    older_than,
    query_account,
    requires_field,
    retrieve,
    soft_delete,
    upstream_checks,
)

api = RouteTable()

IMAGE_MODELS: dict[str, dict[str, Any]] = {
    "image-01": {
        "resolutions": ("HD",),
        "ratios": ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9"),
        "refs": 0,
        "max_prompt": 1250,
    },
    "nano-banana-pro": {
        "resolutions": ("1K", "2K", "4K"),
        "ratios": ("auto", "16:9", "5:4", "4:3", "3:2", "1:1", "2:3", "3:4", "4:5", "9:16", "21:9"),
        "refs": 14,
        "max_prompt": 5000,
    },
    "gpt-image-1.5": {
        "resolutions": ("1K", "2K", "4K"),
        "ratios": ("auto", "1:1", "3:2", "2:3"),
        "refs": 3,
        "max_prompt": 1250,
    },
    "seedream-4.5": {
        "resolutions": ("2K", "4K"),
        "ratios": ("auto", "16:9", "5:4", "4:3", "3:2", "1:1", "2:3", "3:4", "4:5", "9:16", "21:9"),
        "refs": 14,
        "max_prompt": 1250,
    },
}


@api.post("/images/create")
@requires_field("prompt")
async def post_images_create(ctx: Ctx, fields: Fields, prompt: str) -> Result:
    """POST images/create: one job per image (``quantity`` 1-4), ids in ``imageIds``."""
    state = ctx.state
    model = fields.text("model") or "image-01"
    spec = IMAGE_MODELS.get(model)
    if spec is None:
        return fail(400, f"Unsupported model {model}; supported: {', '.join(IMAGE_MODELS)}")
    if len(prompt) > spec["max_prompt"]:
        return fail(400, f"Parameter prompt is longer than {spec['max_prompt']} characters")
    ratio = fields.text("aspectRatio") or spec["ratios"][0]
    if ratio not in spec["ratios"]:
        return fail(400, f"Model {model} supports aspectRatio: {', '.join(spec['ratios'])}")
    resolution = fields.text("resolution") or spec["resolutions"][0]
    if resolution not in spec["resolutions"]:
        return fail(400, f"Model {model} supports resolution: {', '.join(spec['resolutions'])}")
    quantity = as_int(fields.values.get("quantity")) if fields.has("quantity") else 1
    if quantity is None or not 1 <= quantity <= 4:
        return fail(400, "Parameter quantity must be between 1 and 4")
    character = fields.text("characterFileId") or None
    if character and model != "image-01":
        return fail(400, "characterFileId is only supported by model image-01")
    refs = []
    for index in range(1, 15):
        value = fields.text(f"referenceFileId{index}")
        if value:
            if index > spec["refs"]:
                return fail(400, f"Model {model} does not support referenceFileId{index}")
            refs.append(value)
    for name, value in [("characterFileId", character)] + [("referenceFileId", r) for r in refs]:
        bad = check_file_id(value, name)
        if bad is not None:
            return bad
    acc = job_account(ctx, fields)
    if isinstance(acc, Reply):
        return acc
    if state.running_image_batches(acc.account) >= acc.image_queue_length:
        return fail(
            429,
            "There are currently multiple tasks in the queue, and only can be generated at once",
        )
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt, quantity)
    if refusal is not None:
        return refusal
    acc.credits -= quantity
    batch = state.number()
    width, height = _image_size(ratio)
    images = []
    for _ in range(quantity):
        n = state.number()
        life = state.lifecycle(state.image_phases, triggers)
        image = Image(
            image_id=state.make_id(acc.account, "image", n),
            id=n,
            account=acc.account,
            prompt=prompt,
            model=model,
            aspect_ratio=ratio,
            resolution=resolution,
            batch_id=batch,
            life=life,
            width=width,
            height=height,
            character_file_id=character,
            reference_file_ids=refs,
            reply_url=fields.text("replyUrl") or "",
            reply_ref=fields.text("replyRef") or "",
            prompt_optimization=as_bool(fields.values.get("promptOptimization"), True),
        )
        seed = int(n) % 64
        state.put_job_media(
            f"images/{n}",
            "png",
            png_bytes(64, 36, seed),
            png_bytes(64, 36, seed + 1),
            png_bytes(32, 18, seed),
        )
        state.add_image(image)
        images.append(image)
    return ok(
        {
            "id": batch,
            "task": {"batchID": batch, "videoIDs": [i.id for i in images]},
            "isFirstGenerate": False,
            "imageIds": [i.image_id for i in images],
            "replyUrl": images[0].reply_url,
            "replyRef": images[0].reply_ref,
            "code": 200,
        }
    )


def _image_size(ratio: str) -> tuple[int, int]:
    if ratio == "auto":
        return 1024, 1024
    w, h = (int(x) for x in ratio.split(":"))
    scale = 1024 / max(w, h)
    return int(w * scale), int(h * scale)


@api.get("/images/{imageId}")
async def get_image(ctx: Ctx) -> Result:
    """GET images/{imageId}: status from the clock; soft-deleted images are still returned."""
    return retrieve(ctx, "imageId", ctx.state.images.get, P.image_body, deleted_shown=True)


@api.get("/images")
@query_account
async def list_images(ctx: Ctx, acc: Account) -> Result:
    """GET images: ``{"images", "hasPre", "hasNext", "processing", "total"}``."""
    state = ctx.state
    now = state.now()
    every = listed(state.images.values(), acc, now)
    images = older_than(ctx, every, "lastImageId")
    if isinstance(images, Reply):
        return images
    limit = as_int(ctx.query.get("limit")) or 30
    return ok(
        {
            "images": [P.image_body(i, state) for i in images[:limit]],
            "hasPre": bool(ctx.query.get("lastImageId")),
            "hasNext": len(images) > limit,
            "processing": any(not i.life.is_final(now) for i in every),
            "total": len(every),
        }
    )


@api.delete("/images/{imageId}")
async def delete_image(ctx: Ctx) -> Result:
    """DELETE images/{imageId}: always 200; soft delete (gone from GET images only)."""
    return soft_delete(ctx.state.images.get(ctx.params["imageId"]))
