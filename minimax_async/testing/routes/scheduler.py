"""Routes of ``resources/scheduler.py``: what the API tracks, its capacity, untracking.

One entry is rendered by :func:`minimax_async.testing._payloads.scheduler_entry` (both
``GET scheduler`` and ``GET scheduler/available`` use it)."""

from __future__ import annotations

from .. import _payloads as P
from .._http import (
    Ctx,
    Reply,
    Result,
    RouteTable,
    fail,
    ok,
)
from .._state import (
    EmulatorState,
    Image,
    Video,
    parse_id,
)

api = RouteTable()


def _tracked(state: EmulatorState) -> list[Video | Image]:
    jobs: list[Video | Image] = [*state.running_videos(), *state.running_images()]
    jobs.sort(key=lambda j: j.life.created)
    return jobs


@api.get("/scheduler")
async def get_scheduler(ctx: Ctx) -> Result:
    """GET scheduler: videos and images the API is tracking (running), with ``replyRef``."""
    return ok([P.scheduler_entry(j, ctx.state) for j in _tracked(ctx.state)])


@api.get("/scheduler/available")
async def get_scheduler_available(ctx: Ctx) -> Result:
    """GET scheduler/available: running jobs plus per-account video capacity."""
    state = ctx.state
    available = []
    for acc in state.accounts.values():
        executing = len(state.running_videos(acc.account))
        available.append(
            {
                "account": acc.account,
                "maxJobs": acc.max_jobs,
                "executing": executing,
                "available": max(0, acc.max_jobs - executing),
            }
        )
    return ok(
        {
            "executing": [P.scheduler_entry(j, state) for j in _tracked(state)],
            "available": available,
        }
    )


@api.delete("/scheduler/{id}")
async def delete_scheduler(ctx: Ctx) -> Result:
    """DELETE scheduler/{id}: stop tracking a running video/image (frees capacity): 204/404."""
    job_id = ctx.params["id"]
    if parse_id(job_id) is None:
        return fail(400, f"Invalid id {job_id}")
    state = ctx.state
    now = state.now()
    job: Video | Image | None = state.find_video(job_id) or state.images.get(job_id)
    if job is None or not job.running(now):
        return fail(404, f"Unable to locate running {job_id}")
    job.untracked = True
    return Reply(status=204)
