"""Response models: attrs classes built by the converter from the API's JSON.

Each group's models (one module per API group) load on first use, through this module's
``__getattr__``: attrs generates and compiles ``__init__``, ``__eq__`` and ``__hash__`` for
every class it builds, and building all ~110 models made up most of
``from minimax_async import AsyncMiniMax`` (``benchmarks/import_time.py``). A program that only
makes videos never builds the llm or audio models.

The public names are each group module's own ``__all__``; this package's ``__all__`` (and
``minimax_async.__all__``) is their union. Type checkers read the group modules' ``__all__``
through the imports below; at run time ``_GROUPS`` says which module a name lives in without
importing any (``tests/test_public_api.py`` checks it against the modules' ``__all__``).
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from . import (
        _shared,
        accounts,
        agent,
        audio,
        errors,
        files,
        images,
        llm,
        music,
        platform,
        scheduler,
        video_agent,
        videos,
    )
    from ._shared import *  # noqa: F403
    from .accounts import *  # noqa: F403
    from .agent import *  # noqa: F403
    from .audio import *  # noqa: F403
    from .errors import *  # noqa: F403
    from .files import *  # noqa: F403
    from .images import *  # noqa: F403
    from .llm import *  # noqa: F403
    from .music import *  # noqa: F403
    from .platform import *  # noqa: F403
    from .scheduler import *  # noqa: F403
    from .video_agent import *  # noqa: F403
    from .videos import *  # noqa: F403

#: group module -> its ``__all__`` (checked equal by the tests), for loading on first use.
_GROUPS: dict[str, tuple[str, ...]] = {
    "_shared": (
        "Model",
        "StatusInfo",
    ),
    "accounts": (
        "Account",
        "AccountJwt",
        "AccountUser",
        "AudioCredits",
        "AudioSubCredit",
        "CreditExpiry",
        "Features",
        "ModelControl",
    ),
    "agent": (
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
    ),
    "audio": (
        "AudioClip",
        "AudioConfig",
        "AudioEffects",
        "AudioEmotion",
        "AudioPage",
        "AudioStreamChunk",
        "AudioStreamInfo",
        "AudioStreamMessage",
        "AudioStreamPayload",
        "AudioStreamTicket",
        "TtsPayload",
        "Voice",
        "VoiceClone",
        "VoiceCloneFile",
        "VoicePage",
        "VoiceSetting",
        "VoiceTag",
    ),
    "errors": ("ErrorBody",),
    "files": (
        "FileRecord",
        "UploadedFile",
    ),
    "images": (
        "Image",
        "ImageExtra",
        "ImageJob",
        "ImagePage",
        "ImageStatus",
        "ImageUrls",
    ),
    "llm": (
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
    ),
    "music": (
        "Music",
        "MusicJob",
        "MusicStatus",
        "MusicStyle",
        "MusicStyleGroup",
    ),
    "platform": (
        "BaseResp",
        "PlatformFile",
        "PlatformUploadResponse",
    ),
    "scheduler": (
        "AccountCapacity",
        "ScheduledJob",
        "SchedulerCapacity",
    ),
    "video_agent": (
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
    ),
    "videos": (
        "Character",
        "CharacterFile",
        "GenerationTask",
        "OriginFile",
        "RunningVideo",
        "Tag",
        "Video",
        "VideoJob",
        "VideoJobData",
        "VideoStatus",
    ),
}
_WHERE = {name: group for group, names in _GROUPS.items() for name in names}

__all__: list[str] = []
if _typing.TYPE_CHECKING:
    __all__ += _shared.__all__
    __all__ += accounts.__all__
    __all__ += agent.__all__
    __all__ += audio.__all__
    __all__ += errors.__all__
    __all__ += files.__all__
    __all__ += images.__all__
    __all__ += llm.__all__
    __all__ += music.__all__
    __all__ += platform.__all__
    __all__ += scheduler.__all__
    __all__ += video_agent.__all__
    __all__ += videos.__all__
else:
    __all__ += sorted(_WHERE)

    def __getattr__(name: str) -> _typing.Any:
        group = _WHERE.get(name)
        if group is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(f".{group}", __name__), name)
        globals()[name] = value  # next time a plain module attribute
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
