"""Models of the video agent: agent templates and the ``videos/agent-create`` stream events.

Apart from :mod:`.videos` so that a program that only makes and fetches videos never builds
them (nor the :mod:`.agent` models they use).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from ._shared import Model
from .agent import AgentAttachment, AgentAttachmentFile
from .videos import Tag

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
    "RecommendedTemplate",
    "TemplateAuthor",
    "TemplateInput",
    "TemplateLikes",
    "TemplateVideoAsset",
]


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
