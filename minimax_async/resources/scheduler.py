"""``mm.scheduler``: jobs the API is tracking and the accounts' free capacity."""

from __future__ import annotations

import builtins
import math
from typing import TYPE_CHECKING

from .._reconcile import RECONCILE_SPAN
from .._types import RequestOptions
from ..models.scheduler import ScheduledJob, SchedulerCapacity
from ._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = ["Scheduler"]


class Scheduler(Resource):
    """The API's view of running video and image jobs."""

    async def list(self, **options: Unpack[RequestOptions]) -> builtins.list[ScheduledJob]:
        """Video and image jobs the API is running, with their ``replyRef`` (``GET scheduler``)."""
        return await self._client.request(
            "GET", "scheduler", cast_to=builtins.list[ScheduledJob], options=options
        )

    async def available(self, **options: Unpack[RequestOptions]) -> SchedulerCapacity:
        """Running jobs and each account's free video capacity (``GET scheduler/available``)."""
        return await self._client.request(
            "GET", "scheduler/available", cast_to=SchedulerCapacity, options=options
        )

    async def delete(self, job_id: str, **options: Unpack[RequestOptions]) -> None:
        """Stop tracking a video or image job (``DELETE scheduler/{id}``)."""
        await self._delete("scheduler", "job_id", job_id, options)

    async def find_by_reply_ref(
        self,
        reply_ref: str,
        *,
        checks: int | None = None,
        interval: float = 3.0,
        span: float = RECONCILE_SPAN,
    ) -> builtins.list[ScheduledJob]:
        """The scheduled jobs carrying ``reply_ref``, looking ``interval`` seconds apart for
        ``span`` seconds (``checks`` looks instead, when given).

        Used after an ambiguous create: a request held up on its way may reach upstream (and
        be listed) well after its answer failed. An empty list means the scheduler was read and
        the job was not in it, the last check included; a check that fails is not "not found".
        A job's id is read under ``videoId`` or ``imageId`` (both are documented).

        Raises:
            APIError: the last check could not read the scheduler (the job may be there).
        """
        from .._exceptions import APIError

        if checks is None:
            checks = 1 + math.ceil(span / interval)
        failure: APIError | None = None
        for attempt in range(checks):
            if attempt:
                await self._client._sleep(interval)
            try:
                jobs = await self.list()
            except APIError as exc:
                failure = exc
                continue
            failure = None
            found = [job for job in jobs if job.reply_ref == reply_ref and job.job_id]
            if found:
                return found
        if failure is not None:
            raise failure
        return []
