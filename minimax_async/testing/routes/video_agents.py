"""Routes of ``videos.agent_templates`` / ``videos.agent_create``: the templates and the
agent-create SSE stream."""

from __future__ import annotations

from typing import Any

from .. import _payloads as P
from .._catalog import AGENT_TEMPLATES
from .._http import (
    Ctx,
    Fields,
    Reply,
    Result,
    RouteTable,
    SseEvent,
    SseStream,
    as_int,
    fail,
    ok,
)
from .._media import png_bytes
from .._state import (
    Account,
    EmulatorState,
    Video,
    parse_triggers,
)
from ._common import (
    check_file_id,
    check_reply_fields,
    query_account,
    requires_field,
    upstream_checks,
)
from .videos import VIDEO_COST, pick_video_account

api = RouteTable()


def _template(template_id: str) -> dict[str, Any] | None:
    return next((t for t in AGENT_TEMPLATES if t["id"] == template_id), None)


TEMPLATE_NOT_FOUND = (
    "The video or template you are trying to use does not exist or has been deleted."
)


@api.get("/videos/agent-templates")
@api.get("/videos/agent-templates/{templateId}")
@query_account
async def get_agent_templates(ctx: Ctx, acc: Account) -> Result:
    """GET videos/agent-templates: the template list (``limit``, ``lastId``) or one template
    with ``templateId`` (also ``GET videos/agent-templates/{templateId}``)."""
    template_id = ctx.params.get("templateId") or ctx.query.get("templateId")
    if template_id:
        template = _template(template_id)
        if template is None:
            return fail(404, TEMPLATE_NOT_FOUND)
        return ok(P.template_detail(template, ctx.state))
    templates = list(AGENT_TEMPLATES)
    last = ctx.query.get("lastId")
    if last:
        ids = [t["id"] for t in templates]
        if last not in ids:
            return fail(400, f"Unknown lastId {last}")
        templates = templates[ids.index(last) + 1 :]
    limit = as_int(ctx.query.get("limit")) or 30
    page = templates[:limit]
    return ok(
        {
            "videoList": [P.template_list_item(t, ctx.state) for t in page],
            "hasPre": bool(last),
            "hasNext": len(templates) > limit,
        }
    )


@api.post("/videos/agent-create")
@requires_field("templateId")
async def post_agent_create(ctx: Ctx, fields: Fields, template_id: str) -> Result:
    """POST videos/agent-create: creates the video, then streams the documented SSE sequence
    (created, connected, heartbeats every ~10 virtual seconds, progress 1/2/3, finished)."""
    state = ctx.state
    template = _template(template_id)
    if template is None:
        return fail(404, TEMPLATE_NOT_FOUND)
    prompt = fields.text("prompt") or ""
    file_id = fields.text("fileID") or None
    oss_path = fields.text("ossPath") or None
    if oss_path and not file_id:
        return fail(400, "Parameter ossPath cannot be provided without fileID")
    if file_id and not oss_path:
        return fail(400, "Parameter ossPath is required when using fileID")
    bad = check_file_id(file_id, "fileID") or check_reply_fields(fields)
    if bad is not None:
        return bad
    if template["requirePrompt"] and not prompt:
        return fail(400, "This template requires a prompt")
    if template["requireImage"] and not file_id:
        return fail(400, "This template requires fileID and ossPath")
    acc = pick_video_account(ctx, fields)
    if isinstance(acc, Reply):
        return acc
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt or None, VIDEO_COST)
    if refusal is not None:
        return refusal
    acc.credits -= VIDEO_COST
    video = state.create_video(
        account=acc,
        prompt=prompt,
        model="agent",
        options=f"template:{template_id}",
        size=(1280, 720),
        triggers=triggers,
        file_id=file_id,
        reply_url=fields.text("replyUrl") or "",
        reply_ref=fields.text("replyRef") or "",
        source="videos/agent-create",
    )
    return SseStream(
        _agent_create_events(state, video, prompt),
        keep=2,
        heartbeat=10.0,
        on_heartbeat=lambda at: {"status": "heartbeat", "timestamp": state.wall_ms(at)},
    )


def _agent_create_events(state: EmulatorState, video: Video, prompt: str) -> list[SseEvent]:
    t0 = video.life.created
    end = video.life.natural_end
    project, chat = state.short_number(), state.short_number()
    n = video.id
    image_url = state.put_media(
        f"agent/{n}/image.png", png_bytes(64, 36, int(n) % 997), "image/png"
    )
    video_url = state.media_url(f"videos/{n}/watermark.mp4")
    ident = {"videoId": video.video_id, "projectID": project, "chatID": chat}

    def ev(offset: float, data: dict[str, Any], *, at: float | None = None) -> SseEvent:
        due = t0 + offset if at is None else at
        data = dict(data)
        data["timestamp"] = state.wall_ms(due)
        return SseEvent(due=due, data=data)

    user_message = {"msgContent": prompt, "msgType": 1}
    events = [
        ev(0.0, {"status": "created", **ident, "message": user_message, "code": 200}),
        ev(0.0, {"status": "connected", **ident, "code": 200}),
        ev(
            13.0,
            {
                "status": "progress",
                "type": 1,
                "message": {"msgContent": "Generating image...", "msgType": 2},
            },
        ),
        ev(
            15.0,
            {
                "status": "progress",
                "type": 2,
                "message": {
                    "attachmentInfo": {
                        "attachments": [{"file": {"fileName": "processing"}, "status": 2}]
                    }
                },
            },
        ),
        ev(
            23.0,
            {
                "status": "progress",
                "type": 2,
                "message": {
                    "attachmentInfo": {
                        "attachments": [
                            {"file": {"fileName": "image.png", "fileUrl": image_url}, "status": 3}
                        ]
                    }
                },
            },
        ),
        ev(
            24.0,
            {
                "status": "progress",
                "type": 1,
                "message": {"msgContent": "Generating video...", "msgType": 2},
            },
        ),
        ev(
            26.0,
            {
                "status": "progress",
                "type": 2,
                "message": {
                    "attachmentInfo": {
                        "type": 3,
                        "attachments": [{"file": {"fileName": "processing"}, "status": 2}],
                    }
                },
            },
        ),
    ]
    final = video.life.final_status
    if final == 2:
        events.append(
            ev(
                0.0,
                {
                    "status": "progress",
                    "type": 2,
                    "message": {
                        "attachmentInfo": {
                            "type": 3,
                            "attachments": [
                                {
                                    "file": {"fileName": "final_video.mp4", "fileUrl": video_url},
                                    "status": 3,
                                }
                            ],
                        }
                    },
                },
                at=end,
            )
        )
    else:
        message = "Video generation failed" if final == 3 else "Content moderated"
        events.append(
            ev(
                0.0,
                {
                    "status": "progress",
                    "type": 1,
                    "errCode": 1500002 if final == 3 else 1500005,
                    "errMsg": message,
                    "message": {"msgContent": message, "msgType": 2},
                },
                at=end,
            )
        )
    events.append(
        ev(
            0.0,
            {
                "status": "progress",
                "type": 3,
                "isFinished": True,
                "recTemplateList": [
                    {"id": t["id"], "name": t["name"]} for t in AGENT_TEMPLATES[:2]
                ],
            },
            at=end + 1.0,
        )
    )
    events.append(
        ev(
            0.0,
            {"status": "finished", **ident, "message": user_message, "code": 200},
            at=end + 2.0,
        )
    )
    return events
