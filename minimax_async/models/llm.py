"""Models of the (decommissioned upstream) LLM chat endpoints, including the stream events."""

from __future__ import annotations

from typing import Any, Final

import attrs

from ._shared import Model, StatusInfo

__all__ = [
    "Chat",
    "ChatAttachment",
    "ChatEvent",
    "ChatEventData",
    "ChatEventType",
    "ChatForm",
    "ChatMessage",
    "ChatMessageExtra",
    "ChatMessageResult",
    "ChatPage",
    "ChatResult",
    "ChatResultRequest",
    "ChatResultResponse",
    "ChatSendResult",
    "ChatSendResultExtra",
    "ChatStatusInfo",
    "ChatSummary",
    "NetSearchFinalStatus",
    "NetSearchStatus",
    "OtherAgentAnswer",
    "RobotAvatar",
]


class ChatEventType:
    """Values of :attr:`ChatEvent.type` in the ``POST llm`` stream."""

    SEND_RESULT: Final = 1
    MESSAGE_RESULT: Final = 2
    CLOSE_CHUNK: Final = 8


@attrs.frozen(kw_only=True, repr=False)
class ChatForm(Model):
    """A file or form item attached to a chat message."""

    form_type: int | None = None
    content: str | None = None
    path: str | None = None
    file_id: str | None = None
    height: int | None = None
    width: int | None = None
    status: int | None = None
    file_byte: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class NetSearchFinalStatus(Model):
    """Outcome of the web search behind an answer."""

    status: str | None = None
    status_code: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class NetSearchStatus(Model):
    """Web search state of an answer."""

    final_status: NetSearchFinalStatus | None = None
    link_detail: list[Any] | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatMessageExtra(Model):
    """The JSON ``extra`` object of a chat message or message result."""

    parsed_question: list[Any] | None = None
    msg_title: str | None = None
    links: list[Any] | None = None
    audio_url: str | None = None
    chat_bot_list: list[Any] | None = None
    form: list[ChatForm] | None = None
    copilot_table: list[Any] | None = None
    copilot_handled: bool | None = None
    copilot_text_limit: int | None = None
    net_search_status: NetSearchStatus | None = None
    feedback_status: dict[str, Any] | None = None
    response_type: str | None = None
    follow_up_questions: list[Any] | None = None
    url_status: dict[str, Any] | None = None
    generate_image: list[Any] | None = None
    reply_msg_type: str | None = None
    generate_process: str | None = None
    ci_call_results: list[Any] | None = None
    is_user_stopped: bool | None = None
    warning_text: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatSendResultExtra(Model):
    """The JSON ``extra`` object of a send result."""

    form: list[ChatForm] | None = None
    long_cut_copy_writing: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatSendResult(Model):
    """The accepted user message: ids of the chat and of both messages."""

    user_msg_id: str | None = None
    chat_id: str | None = None
    system_msg_id: str | None = None
    msg_content: str | None = None
    word_spread_rate: int | None = None
    chat_title: str | None = None
    can_search: bool | None = None
    can_edit: bool | None = None
    is_pre_send_result: bool | None = None
    #: The JSON ``extra`` object.
    extra: ChatSendResultExtra | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatMessageResult(Model):
    """The model's answer (so far, in a stream: each event repeats the whole text)."""

    msg_id: str | None = None
    chat_id: str | None = None
    msg_type: str | None = None
    content: str | None = None
    request_status: int | None = None
    is_end: int | None = None
    msg_sub_type: int | None = None
    parent_msg_id: str | None = None
    can_retry: bool | None = None
    #: The JSON ``extra`` object.
    extra: ChatMessageExtra | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatResultRequest(Model):
    """The ``request`` half of a chat result."""

    send_result: ChatSendResult | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatResultResponse(Model):
    """The ``response`` half of a chat result."""

    message_result: ChatMessageResult | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatResult(Model):
    """The result of ``POST llm`` without streaming: the message sent and the answer."""

    request: ChatResultRequest | None = None
    response: ChatResultResponse | None = None
    error: StatusInfo | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatEventData(Model):
    """The ``data`` of a stream event: a send result (type 1) or a message result (type 2)."""

    send_result: ChatSendResult | None = None
    message_result: ChatMessageResult | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatEvent(Model):
    """The JSON payload of one ``POST llm`` stream event; a non-zero ``status_info.code`` is an
    error. See :class:`ChatEventType`."""

    type: int | None = None
    data: ChatEventData | None = None
    status_info: StatusInfo | None = None


@attrs.frozen(kw_only=True, repr=False)
class OtherAgentAnswer(Model):
    """Answer of another bot, if any."""

    bot_info: Any = None


@attrs.frozen(kw_only=True, repr=False)
class ChatMessage(Model):
    """One message of a chat (``msg_type`` ``"user"`` or ``"system"``)."""

    msg_id: str | None = None
    create_time: int | None = None
    content: str | None = None
    msg_type: str | None = None
    # The API's spelling.
    feadback_type: int | None = None
    request_status: int | None = None
    is_end: int | None = None
    chat_id: str | None = None
    msg_subtype: int | None = None
    chat_style: str | None = None
    parent_msg_id: str | None = None
    other_agent_answer: OtherAgentAnswer | None = None
    failed_text: str | None = None
    can_edit: bool | None = None
    #: The JSON ``extra`` object.
    extra: ChatMessageExtra | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatStatusInfo(StatusInfo):
    """The upstream ``statusInfo`` of a chat, which may add an English ``message``."""

    message_english: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Chat(Model):
    """A chat with its messages (``GET llm/{chatID}``)."""

    messages: list[ChatMessage] | None = None
    title: str | None = None
    character_id: str | None = None
    can_search: bool | None = None
    model: str | None = None
    status_info: ChatStatusInfo | None = None


@attrs.frozen(kw_only=True, repr=False)
class RobotAvatar(Model):
    """Avatar image URLs of the chat bot."""

    small: str | None = None
    medium: str | None = None
    large: str | None = None
    oversize: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatAttachment(Model):
    """A file or link attached to a chat."""

    id: str | None = None
    type: str | None = None
    file_id: str | None = None
    file_type: str | None = None
    file_name: str | None = None
    img: str | None = None
    link: str | None = None
    scene_id: str | None = None
    text: str | None = None
    title: str | None = None
    content: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatSummary(Model):
    """A chat as listed by ``GET llm``."""

    chat_id: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    chat_title: str | None = None
    chat_description: str | None = None
    request_status: int | None = None
    is_top: bool | None = None
    chat_style: str | None = None
    robot_id: int | None = None
    robot_name: str | None = None
    robot_avatar: RobotAvatar | None = None
    is_phone_mode: bool | None = None
    type: int | None = None
    attachments: list[ChatAttachment] | None = None
    abstract_content: str | None = None
    can_search: bool | None = None
    favorite_status: int | None = None
    model: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class ChatPage(Model):
    """One page of chats (``GET llm``); the list is ``items``."""

    has_more: bool | None = None
    limit: int | None = None
    items: list[ChatSummary] | None = None
