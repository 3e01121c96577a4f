"""Routes of ``resources/agent.py``: sync and async agent jobs, their retrieval, running jobs."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .. import _payloads as P
from .._faults import FaultRule
from .._http import (
    Ctx,
    Fields,
    Reply,
    Result,
    RouteTable,
    Streamer,
    abort,
    as_bool,
    fail,
    ok,
    render,
)
from .._media import mp3_bytes, mp4_bytes, png_bytes
from .._state import (
    AgentJob,
    EmulatorState,
    mmss,
    parse_triggers,
)
from ._common import (
    job_account,
    requires_field,
    upstream_checks,
)

api = RouteTable()

AGENT_VIDEO_MODELS = frozenset(
    {"hailuo-2.3", "hailuo-2.3-fast", "hailuo-02", "veo-3.1", "veo-3.1-fast", "sora-2"}
)
AGENT_IMAGE_MODELS = frozenset(
    {"nano-banana-2", "nano-banana", "seedream", "kontext", "qwen", "kolors"}
)
AGENT_AUDIO_MODELS = frozenset(
    {"speech-2.5-hd-preview", "speech-2.5-turbo-preview", "minimax-music-2.0"}
)
AGENT_MODELS = AGENT_VIDEO_MODELS | AGENT_IMAGE_MODELS | AGENT_AUDIO_MODELS


_JOB_ID_RE = re.compile(r"^p\d+-u[^-]+-a[^-]+-bot:minimax$")


class _SyncAgent(Streamer):
    """Answers a synchronous ``POST agent`` when the job ends on the virtual clock."""

    def __init__(self, job: AgentJob) -> None:
        self.job = job

    async def run(self, ctx: Ctx, rule: FaultRule | None) -> web.StreamResponse:
        if not await ctx.wait_virtual(self.job.ends_at):
            return abort(ctx)
        body = P.agent_job_body(self.job, ctx.state, include_account=True)
        status = {"completed": 200, "failed": 500, "timeout": 504}[self.job.outcome]
        return await render(ctx, ok(body, status=status), rule)


@api.post("/agent")
@requires_field("prompt")
async def post_agent(ctx: Ctx, fields: Fields, prompt: str) -> Result:
    """POST agent: sync (200/500/504 when done) or ``async`` (201, status ``started``)."""
    state = ctx.state
    raw_models = fields.values.get("models")
    if isinstance(raw_models, list):
        models = [str(m).strip() for m in raw_models if str(m).strip()]
    else:
        models = [m.strip() for m in (fields.text("models") or "").split(",") if m.strip()]
    if not models:
        return fail(400, "Parameter models is required")
    unknown = [m for m in models if m not in AGENT_MODELS]
    if unknown:
        return fail(400, f"Unsupported models: {', '.join(unknown)}")
    acc = job_account(ctx, fields)
    if isinstance(acc, Reply):
        return acc
    if len(state.running_agent_jobs(acc.account)) >= acc.agent_capacity:
        return fail(429, "Agent generation failed")
    triggers = parse_triggers(prompt)
    refusal = upstream_checks(ctx, acc, triggers, prompt, 10)
    if refusal is not None:
        return refusal
    acc.credits -= 10
    async_mode = as_bool(fields.values.get("async"))
    has_video = any(m in AGENT_VIDEO_MODELS for m in models)
    duration = state.agent_durations[1 if has_video else 0]
    outcome = "completed"
    if triggers.timeout:
        outcome, duration = "timeout", 15 * 60.0
    elif triggers.final_status != 2:
        outcome = "failed"
    now = state.now()
    project = state.short_number()
    job = AgentJob(
        job_id=f"p{project}-u{state.user_id}-a{acc.account}-bot:minimax",
        account=acc.account,
        prompt=prompt,
        models=models,
        files=fields.files,
        async_mode=async_mode,
        created=now,
        created_wall=state.clock.wall(now),
        duration=duration,
        outcome=outcome,
        project_id=project,
        section_id=state.short_number(),
        chat_id=state.short_number(),
        attachments=_agent_attachments(state, models),
        reply_url=fields.text("replyUrl") or "",
        reply_ref=fields.text("replyRef") or "",
    )
    state.add_agent_job(job)
    if async_mode:
        return ok(P.agent_job_body(job, state, include_account=True), status=201)
    return _SyncAgent(job)


def _agent_attachments(state: EmulatorState, models: list[str]) -> list[dict[str, Any]]:
    attachments: list[dict[str, Any]] = []
    n = state.number()
    seed = int(n) % 100_000
    if any(m in AGENT_VIDEO_MODELS for m in models):
        wm = state.put_media(
            f"agent/{n}/watermark.mp4", mp4_bytes(1280, 720, seed, True), "video/mp4"
        )
        clean = state.put_media(
            f"agent/{n}/no_watermark.mp4", mp4_bytes(1280, 720, seed, False), "video/mp4"
        )
        thumb = state.put_media(f"agent/{n}/thumb.png", png_bytes(64, 36, seed), "image/png")
        attachments.append(
            {
                "attachmentID": f"att_{n}1",
                "type": 1,
                "status": 3,
                "file": {
                    "fileName": "video.mp4",
                    "fileUrl": wm,
                    "type": "video/mp4",
                    "extra": {
                        "width": "1280",
                        "height": "720",
                        "duration": "5.0",
                        "fps": "24",
                        "no_watermark_url": clean,
                        "watermark_url": wm,
                        "thumbnail_url": thumb,
                    },
                },
            }
        )
    image_model = next((m for m in models if m in AGENT_IMAGE_MODELS), None)
    if image_model is not None:
        url = state.put_media(f"agent/{n}/image.png", png_bytes(64, 36, seed + 7), "image/png")
        attachments.append(
            {
                "attachmentID": f"att_{n}2",
                "type": 2,
                "status": 3,
                "file": {
                    "fileName": "image.png",
                    "fileUrl": url,
                    "type": "image/png",
                    "extra": {
                        "model_name": image_model.replace("nano-banana-2", "banana_2"),
                        "model_aspect_ratio": "16:9",
                        "model_resolution": "1K",
                    },
                },
            }
        )
    if any(m in AGENT_AUDIO_MODELS for m in models):
        url = state.put_media(f"agent/{n}/audio.mp3", mp3_bytes(), "audio/mpeg")
        attachments.append(
            {
                "attachmentID": f"att_{n}3",
                "type": 3,
                "status": 3,
                "file": {
                    "fileName": "audio.mp3",
                    "fileUrl": url,
                    "type": "audio/mpeg",
                    "extra": {"format": "mp3", "type": "audio"},
                },
            }
        )
    return attachments


@api.get("/agent/{jobId}")
async def get_agent_job(ctx: Ctx) -> Result:
    """GET agent/{jobId}: the job as started, completed or failed."""
    job_id = ctx.params["jobId"]
    if not _JOB_ID_RE.match(job_id):
        return fail(400, f"Invalid job ID format: {job_id}")
    job = ctx.state.agent_jobs.get(job_id)
    if job is None:
        return fail(404, "Job not found or expired after 31 days")
    return ok(P.agent_job_body(job, ctx.state))


@api.get("/agent/jobs")
async def get_agent_jobs(ctx: Ctx) -> Result:
    """GET agent/jobs: running agent jobs grouped by account."""
    state = ctx.state
    now = state.now()
    summary: dict[str, dict[str, int]] = {}
    executing: dict[str, list[dict[str, str]]] = {}
    for name in state.accounts:
        jobs = state.running_agent_jobs(name)
        summary[name] = {"executing": len(jobs)}
        executing[name] = [{"jobId": j.job_id, "elapsed": mmss(now - j.created)} for j in jobs]
    return ok({"accounts": list(state.accounts), "summary": summary, "executing": executing})
