"""Models of the multi-model agent endpoints (``POST agent``, ``GET agent/...``).

The attachment models are shared with the ``videos/agent-create`` stream events.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from ._shared import Model

__all__ = [
    "AgentAccountSummary",
    "AgentAttachment",
    "AgentAttachmentFile",
    "AgentCoverInfo",
    "AgentFileDetails",
    "AgentJob",
    "AgentJobError",
    "AgentJobRequest",
    "AgentJobResponse",
    "AgentJobStatus",
    "AgentNode",
    "AgentNodeFile",
    "AgentRequestFile",
    "RunningAgentJob",
    "RunningAgentJobs",
]


class AgentJobStatus:
    """Values of :attr:`AgentJob.status`; any other string is tolerated and keeps polling."""

    STARTED: Final = "started"
    COMPLETED: Final = "completed"
    FAILED: Final = "failed"
    RUNNING_STATES: Final = frozenset({STARTED})
    FINAL_STATES: Final = frozenset({COMPLETED, FAILED})


@attrs.frozen(kw_only=True, repr=False)
class AgentFileDetails(Model):
    """Media metadata of a generated file (the JSON ``file.extra`` object).

    Video files carry sizes and the ``no_watermark_url``; images the model name, aspect ratio and
    resolution the agent actually used; speech the format and character count.
    """

    height: str | None = None
    width: str | None = None
    duration: str | None = None
    fps: str | None = None
    # A JSON string of frame URLs in stream events, a count in job results.
    frames: str | None = None
    no_watermark_url: str | None = None
    watermark_url: str | None = None
    thumbnail_url: str | None = None
    url: str | None = None
    path: str | None = None
    task_id: str | None = None
    vendor: str | None = None
    subtitle_path: str | None = None
    model_aspect_ratio: str | None = None
    model_name: str | None = None
    model_resolution: str | None = None
    format: str | None = None
    type: str | None = None
    model_speech_count: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentAttachmentFile(Model):
    """A file generated (or received) by the agent; ``file_url`` may carry a watermark."""

    file_name: str | None = None
    file_url: str | None = None
    poster_url: str | None = None
    type: str | None = None
    reference_type: int | None = None
    #: The JSON ``extra`` object: ``no_watermark_url``, sizes, the model used.
    extra: AgentFileDetails | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentCoverInfo(Model):
    """The cover image of a timeline file."""

    cover_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentNodeFile(Model):
    """The file placed on a timeline node (alternative download URLs)."""

    id: str | None = None
    name: str | None = None
    url: str | None = None
    cover_info: AgentCoverInfo | None = None
    no_watermark_url: str | None = None
    duration: float | None = None
    relative_path: str | None = None
    thumbnail_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentNode(Model):
    """Where an attachment sits on the agent's timeline."""

    node_id: str | None = None
    x_start: float | None = None
    y_start: float | None = None
    width: float | None = None
    height: float | None = None
    layer: int | None = None
    node_type: int | None = None
    agent_file: AgentNodeFile | None = None
    status: int | None = None
    play_width: float | None = None
    play_height: float | None = None
    logo_type: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentAttachment(Model):
    """A generated file; ``status`` 3 is complete, 2 still processing."""

    attachment_id: str | None = None
    type: int | None = None
    status: int | None = None
    file: AgentAttachmentFile | None = None
    text: str | None = None
    node: AgentNode | None = None
    sub_attachments: list[Any] | None = None
    #: The JSON ``extra`` record (undocumented: kept as sent).
    extra: dict[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentRequestFile(Model):
    """Metadata of a file sent with the agent request (the content is not echoed)."""

    name: str | None = None
    size: int | None = None
    type: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentJobRequest(Model):
    """The request an agent job was created from, as echoed by the API."""

    account: str | None = None
    prompt: str | None = None
    file: list[AgentRequestFile] | None = None
    models: list[str] | None = None
    reply_url: str | None = None
    reply_ref: str | None = None

    @property
    def async_(self) -> bool | None:
        """The JSON ``async`` flag (a Python keyword, so it is kept in :attr:`model_extra`)."""
        value = self.model_extra.get("async")
        return value if isinstance(value, bool) else None


@attrs.frozen(kw_only=True, repr=False)
class AgentJobResponse(Model):
    """The agent's answer: its message and the generated attachments."""

    project_id: str | None = None
    section_id: str | None = None
    chat_id: str | None = None
    msg_content: str | None = None
    timestamp: int | None = None
    elapsed_time: str | None = None
    attachments: list[AgentAttachment] | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentJobError(Model):
    """Why an agent job failed; ``status`` is an HTTP status code."""

    message: str | None = None
    status: int | None = None
    details: Any = None


@attrs.frozen(kw_only=True, repr=False)
class AgentJob(Model):
    """An agent job (``POST agent``, ``GET agent/{jobId}``, and the ``replyUrl`` callback)."""

    job_id: str
    status: str
    created: str | None = None
    code: int | None = None
    request: AgentJobRequest | None = None
    response: AgentJobResponse | None = None
    error: str | AgentJobError | None = None

    @property
    def is_final(self) -> bool:
        """True once the job is ``completed`` or ``failed``; an unknown status is not final."""
        return self.status in AgentJobStatus.FINAL_STATES

    @property
    def is_completed(self) -> bool:
        """True when the job is ``completed``."""
        return self.status == AgentJobStatus.COMPLETED

    @property
    def is_failed(self) -> bool:
        """True when the job is ``failed``."""
        return self.status == AgentJobStatus.FAILED

    @property
    def is_moderated(self) -> bool:
        """Always False: agent moderation arrives as an HTTP 422, never as a job status."""
        return False


@attrs.frozen(kw_only=True, repr=False)
class AgentAccountSummary(Model):
    """How many agent jobs one account is executing."""

    executing: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class RunningAgentJob(Model):
    """An agent job being executed, with its elapsed time (``mm:ss``)."""

    job_id: str | None = None
    elapsed: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class RunningAgentJobs(Model):
    """The agent jobs running now, grouped by account (``GET agent/jobs``)."""

    accounts: list[str] | None = None
    summary: dict[str, AgentAccountSummary] | None = None
    executing: dict[str, list[RunningAgentJob]] | None = None
