"""Models of the scheduler endpoints (the jobs useapi.net is tracking)."""

from __future__ import annotations

import attrs

from ._shared import Model

__all__ = ["AccountCapacity", "ScheduledJob", "SchedulerCapacity"]


@attrs.frozen(kw_only=True, repr=False)
class ScheduledJob(Model):
    """A video or image generation being tracked, with the caller's ``reply_ref``."""

    video_id: str | None = None
    image_id: str | None = None
    # An ISO 8601 string in the examples, a number in the docs' model.
    started: str | float | None = None
    elapsed: str | None = None
    reply_url: str | None = None
    reply_ref: str | None = None

    @property
    def job_id(self) -> str | None:
        """The job's id under either documented spelling: the docs' model lists images under
        ``imageId``, their example under ``videoId``; both are read, ``imageId`` first."""
        return self.image_id or self.video_id


@attrs.frozen(kw_only=True, repr=False)
class AccountCapacity(Model):
    """Free job slots of one account: ``available`` = ``max_jobs`` - ``executing``."""

    account: str | None = None
    max_jobs: int | None = None
    executing: int | None = None
    available: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class SchedulerCapacity(Model):
    """Running jobs and free slots per account (``GET scheduler/available``)."""

    executing: list[ScheduledJob] | None = None
    available: list[AccountCapacity] | None = None
    # Listed by the docs' model; only error bodies carry them.
    error: str | None = None
    code: int | None = None
