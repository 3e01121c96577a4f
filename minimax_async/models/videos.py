"""Models of the video endpoints, including the ``videos/agent-create`` stream events."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from ._shared import Model, StatusInfo
from ._status import GenerationStatus, VideoLikeStatus
from .agent import AgentAttachment, AgentAttachmentFile

__all__ = [
    "AGENT_EVENT_TYPES",
    "AgentAttachmentInfo",
    "AgentConnectedEvent",
    "AgentCreatedEvent",
    "AgentEvent",
    "AgentEventMessage",
    "AgentEventStatus",
    "AgentFinishedEvent",
    "AgentHeartbeatEvent",
    "AgentProgressEvent",
    "AgentTemplate",
    "AgentTemplatePage",
    "AgentToolCall",
    "Character",
    "CharacterFile",
    "GenerationTask",
    "OriginFile",
    "RecommendedTemplate",
    "RunningVideo",
    "Tag",
    "TemplateAuthor",
    "TemplateInput",
    "TemplateLikes",
    "TemplateVideoAsset",
    "Video",
    "VideoJob",
    "VideoJobData",
    "VideoStatus",
]


class VideoStatus(GenerationStatus):
    """Values of :attr:`Video.status` (plain ints; unknown values are tolerated)."""


@attrs.frozen(kw_only=True, repr=False)
class GenerationTask(Model):
    """The upstream batch a create call started (video and image creation)."""

    batch_id: str | None = None
    video_ids: list[str] | None = None


@attrs.frozen(kw_only=True, repr=False)
class VideoJobData(Model):
    """The upstream ``data`` block of older ``videos/create`` responses."""

    id: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class RunningVideo(Model):
    """A video occupying one of an account's ``maxJobs`` slots (429 ``runningVideos``)."""

    account: str | None = None
    id: str | None = None
    scheduled_video: str | None = None
    video_id: str | None = None
    started: str | None = None
    reply_url: str | None = None
    reply_ref: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class VideoJob(Model):
    """The result of ``POST videos/create``: poll :attr:`video_id` for the video."""

    id: str | None = None
    task: GenerationTask | None = None
    video_id: str
    reply_url: str | None = None
    reply_ref: str | None = None
    data: VideoJobData | None = None
    status_info: StatusInfo | None = None
    code: int | None = None
    # Listed by the docs' model; only error bodies carry them (see ``ErrorBody``).
    error: str | None = None
    running_videos: dict[str, list[RunningVideo]] | None = None


@attrs.frozen(kw_only=True, repr=False)
class OriginFile(Model):
    """An input file a video was generated from."""

    id: str | None = None
    url: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Video(VideoLikeStatus, Model):
    """A video and its generation state (``GET videos/{videoId}``, ``GET videos``).

    ``status`` stays a plain int (see :class:`VideoStatus`); ``message`` and ``percent`` report
    progress while it runs. ``download_url`` has no watermark (paid accounts).
    """

    id: str | None = None
    desc: str | None = None
    cover_url: str | None = None
    video_url: str | None = None
    download_url: str | None = None
    status: int
    status_label: str | None = None
    status_final: bool | None = None
    message: str | None = None
    percent: float | None = None
    width: int | None = None
    height: int | None = None
    origin_files: list[OriginFile] | None = None
    can_appeal: bool | None = None
    can_retry: bool | None = None
    video_id: str


@attrs.frozen(kw_only=True, repr=False)
class CharacterFile(Model):
    """The upload a character was made from: ``cdn_url`` the original, ``prompt_img_url`` the
    detected face."""

    file_id: str | None = None
    cdn_url: str | None = None
    prompt_img_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Character(Model):
    """A character usable as a subject reference (``GET videos/characters``)."""

    character_id: str
    character_type: int | None = None
    file: CharacterFile | None = None


@attrs.frozen(kw_only=True, repr=False)
class Tag(Model):
    """A label shown on a generated video or image."""

    type: str | None = None
    tag_icon: str | None = None
    tag_text: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class TemplateVideoAsset(Model):
    """The sample video of an agent template."""

    id: str | None = None
    desc: str | None = None
    cover_url: str | None = None
    video_url: str | None = None
    status: int | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    resolution: int | None = None
    title: str | None = None
    agent_template_id: str | None = None
    agent_template_name: str | None = None
    download_url: str | None = None
    has_voice: bool | None = None
    model_id: str | None = None
    use_origin_prompt: bool | None = None
    is_bookmarked: bool | None = None
    disable_generate_similar: bool | None = None
    post_status: int | None = None
    user_id: int | None = None
    create_type: int | None = None
    prompt_img_url: str | None = None
    aspect_ratio: str | None = None
    tags: list[Tag] | None = None
    human_check_status: int | None = None
    user_id_str: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class TemplateLikes(Model):
    """Like count of an agent template."""

    likes: int | None = None
    like_status: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class TemplateAuthor(Model):
    """Who published an agent template."""

    user_id: str | None = None
    name: str | None = None
    avatar: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class TemplateInput(Model):
    """An input a template needs: ``type`` is ``"text"`` or ``"image"``."""

    name: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentTemplate(Model):
    """An agent video template; the details fields (``credits`` ... ``inputs``) are only filled
    when one template is requested by id."""

    id: str | None = None
    create_time: int | None = None
    video_asset: TemplateVideoAsset | None = None
    like: TemplateLikes | None = None
    author: TemplateAuthor | None = None
    card_type: int | None = None
    tab_id: str | None = None
    credits: int | None = None
    require_prompt: bool | None = None
    require_image: bool | None = None
    prompt: str | None = None
    inputs: list[TemplateInput] | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentTemplatePage(Model):
    """One page of agent templates (``GET videos/agent-templates``); the list is ``video_list``."""

    video_list: list[AgentTemplate] | None = None
    has_pre: bool | None = None
    has_next: bool | None = None


class AgentEventStatus:
    """Values of :attr:`AgentEvent.status` in the ``videos/agent-create`` stream."""

    CREATED: Final = "created"
    CONNECTED: Final = "connected"
    HEARTBEAT: Final = "heartbeat"
    PROGRESS: Final = "progress"
    FINISHED: Final = "finished"


@attrs.frozen(kw_only=True, repr=False)
class AgentToolCall(Model):
    """A tool the agent runs; ``tool_call_status`` 1 started, 2 finished."""

    tool_name: str | None = None
    tool_call_status: int | None = None
    # The arguments as a JSON string.
    tool_call_args: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentAttachmentInfo(Model):
    """Media being generated; ``type`` 1 image, 2 video, 3 final composite."""

    attachment_info_id: str | None = None
    type: int | None = None
    attachments: list[AgentAttachment] | None = None
    create_time: int | None = None
    attachment_info_url: str | None = None
    status: int | None = None
    #: The JSON ``extra`` record (undocumented: kept as sent).
    extra: dict[str, Any] | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentEventMessage(Model):
    """The message of a stream event; ``msg_type`` 1 user, 2 system."""

    msg_id: str | None = None
    parent_msg_id: str | None = None
    msg_type: int | None = None
    is_quota: bool | None = None
    timestamp: int | None = None
    msg_content: str | None = None
    files: list[AgentAttachmentFile] | None = None
    tool_call: AgentToolCall | None = None
    attachment_info: AgentAttachmentInfo | None = None


@attrs.frozen(kw_only=True, repr=False)
class RecommendedTemplate(Model):
    """A template the agent suggests after finishing."""

    id: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AgentEvent(Model):
    """The JSON payload of one ``videos/agent-create`` stream event.

    ``type`` (progress events): 1 text/tool, 2 attachment, 3 recommendations. ``video_id``
    arrives with ``created``, ``connected`` and ``finished``.
    """

    status: str | None = None
    video_id: str | None = None
    timestamp: int | None = None
    project_id: str | None = None
    section_id: str | None = None
    chat_id: str | None = None
    code: int | None = None
    type: int | None = None
    need_user_input: bool | None = None
    is_finished: bool | None = None
    err_code: int | None = None
    err_msg: str | None = None
    message: AgentEventMessage | None = None
    rec_template_list: list[RecommendedTemplate] | None = None

    @property
    def raw(self) -> dict[str, Any]:
        """The event's JSON payload exactly as received."""
        return self.to_dict()


@attrs.frozen(kw_only=True, repr=False)
class AgentCreatedEvent(AgentEvent):
    """The job was created upstream; carries ``video_id``."""


@attrs.frozen(kw_only=True, repr=False)
class AgentConnectedEvent(AgentEvent):
    """The stream is connected to the agent."""


@attrs.frozen(kw_only=True, repr=False)
class AgentHeartbeatEvent(AgentEvent):
    """Keep-alive; carries only a timestamp."""


@attrs.frozen(kw_only=True, repr=False)
class AgentProgressEvent(AgentEvent):
    """Text, tool, attachment or recommendation progress."""


@attrs.frozen(kw_only=True, repr=False)
class AgentFinishedEvent(AgentEvent):
    """The agent is done; carries ``video_id``."""


# ``status`` -> event class; any other status is structured as the plain :class:`AgentEvent`.
AGENT_EVENT_TYPES: Final[Mapping[str, type[AgentEvent]]] = MappingProxyType(
    {
        AgentEventStatus.CREATED: AgentCreatedEvent,
        AgentEventStatus.CONNECTED: AgentConnectedEvent,
        AgentEventStatus.HEARTBEAT: AgentHeartbeatEvent,
        AgentEventStatus.PROGRESS: AgentProgressEvent,
        AgentEventStatus.FINISHED: AgentFinishedEvent,
    }
)
