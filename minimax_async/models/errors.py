"""The body of an error response."""

from __future__ import annotations

import attrs

from ._shared import Model, StatusInfo
from .agent import AgentJobError
from .videos import RunningVideo

__all__ = ["ErrorBody"]


@attrs.frozen(kw_only=True, repr=False)
class ErrorBody(Model):
    """A useapi.net error response (any 4xx/5xx JSON body).

    ``error`` is usually a message; agent job failures (500/504 of ``POST agent``) send the whole
    failed job, whose ``error`` is an object; read :attr:`message` for the text in every case.
    A capacity 429 of ``videos/create`` lists the jobs holding the slots in ``running_videos``.
    """

    error: str | AgentJobError | None = None
    error_details: str | None = None
    code: int | None = None
    status_info: StatusInfo | None = None
    running_videos: dict[str, list[RunningVideo]] | None = None

    @property
    def message(self) -> str | None:
        """The first non-empty text of ``error``, ``error.message`` and ``status_info.message``."""
        if isinstance(self.error, AgentJobError):
            if self.error.message:
                return self.error.message
        elif self.error:
            return self.error
        if self.status_info is not None and self.status_info.message:
            return self.status_info.message
        return self.error if isinstance(self.error, str) else None
