"""``replyUrl`` callbacks: one task POSTs each job's final state once the job ends."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from . import _payloads as P
from ._http import AppContext
from ._state import AgentJob, CallbackRecord, EmulatorState, Image, Video

__all__ = ["callback_loop", "callback_payload"]


def callback_payload(job: Video | Image | AgentJob, state: EmulatorState) -> dict[str, Any]:
    if isinstance(job, AgentJob):
        return P.agent_job_body(job, state)
    body = P.video_body(job, state) if isinstance(job, Video) else P.image_body(job, state)
    body["replyUrl"] = job.reply_url
    body["replyRef"] = job.reply_ref
    return body


async def callback_loop(app_ctx: AppContext, session: aiohttp.ClientSession) -> None:
    """POST each job's final state to its ``replyUrl`` once it ends (one task for all jobs)."""
    state = app_ctx.state
    clock = state.clock
    while not app_ctx.closing.is_set():
        wake = state.wake_event()
        changed = clock.changed_event()
        now = clock.now()
        due_jobs = []
        for job in list(state.callback_candidates()):
            ends = job.ends_at if isinstance(job, AgentJob) else job.life.ends_at
            if ends <= now:
                job.notified = True
                due_jobs.append(job)
        if due_jobs:
            await asyncio.gather(*(_post_callback(session, state, job) for job in due_jobs))
            continue
        due = state.next_callback_due()
        timeout = None if due is None else clock.real_delay(due)
        # Named like the emulator's other tasks, so leak checks can tell them from the SDK's.
        loop = asyncio.get_running_loop()
        waiters = [
            loop.create_task(event.wait(), name="minimax-emulator-callbacks-wait")
            for event in (wake, changed, app_ctx.closing)
        ]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        if wake.is_set():
            state._wake = None


async def _post_callback(
    session: aiohttp.ClientSession, state: EmulatorState, job: Video | Image | AgentJob
) -> None:
    payload = callback_payload(job, state)
    job_id = (
        job.job_id
        if isinstance(job, AgentJob)
        else job.video_id
        if isinstance(job, Video)
        else job.image_id
    )
    record = CallbackRecord(url=job.reply_url, payload=payload, job_id=job_id)
    state.callbacks.append(record)
    try:
        async with session.post(
            job.reply_url, json=payload, timeout=aiohttp.ClientTimeout(total=10)
        ) as resp:
            await resp.read()
            record.status = resp.status
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
        record.error = f"{type(exc).__name__}: {exc}"
