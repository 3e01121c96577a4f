"""minimax_async: the asyncio-native SDK for the MiniMax (Hailuo) API served by useapi.net.

Everything public is importable from here; every other module is private.

Names are loaded on first use (module ``__getattr__``): ``import minimax_async`` stays
cheap, and ``from minimax_async import X`` imports only what ``X`` needs.
"""

import importlib as _importlib
import typing as _typing

from ._version import __version__
from .models import __all__ as _models_all

if _typing.TYPE_CHECKING:
    from ._accounts import AccountRequiredError, account_of
    from ._batch import (
        Batch,
        BatchFailure,
        BatchOutcome,
        BatchRequest,
        BatchResult,
        BatchSuccess,
        JournalInUseError,
        UnmatchedRow,
    )
    from ._client import DEFAULT_BASE_URL, AsyncMiniMax
    from ._exceptions import (
        AccountOnHoldError,
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        GenerationError,
        GenerationFailedError,
        GenerationModeratedError,
        InsufficientCreditsError,
        JobCreationUnknownError,
        MiniMaxError,
        ModerationError,
        NotFoundError,
        RateLimitError,
        ResponseDecodeError,
        ResponseTooLargeError,
        ServerError,
        StreamError,
        StreamEventTooLargeError,
        StreamIdleTimeoutError,
        StreamTruncatedError,
        WaitTimeoutError,
    )
    from ._polling import PollOptions, VideoWaitOptions, WaitOptions, WatchVideoOptions
    from ._streams import AgentStream
    from ._types import NOT_GIVEN, FileSource, NotGiven, ProgressCallback, Timeout
    from .batch import BatchOptions
    from .models import _shared as _shared_models
    from .models import accounts as _accounts_models
    from .models import agent as _agent_models
    from .models import audio as _audio_models
    from .models import errors as _errors_models
    from .models import files as _files_models
    from .models import images as _images_models
    from .models import llm as _llm_models
    from .models import music as _music_models
    from .models import platform as _platform_models
    from .models import scheduler as _scheduler_models
    from .models import video_agent as _video_agent_models
    from .models import videos as _videos_models
    from .models._shared import *  # noqa: F403
    from .models.accounts import *  # noqa: F403
    from .models.agent import *  # noqa: F403
    from .models.audio import *  # noqa: F403
    from .models.errors import *  # noqa: F403
    from .models.files import *  # noqa: F403
    from .models.images import *  # noqa: F403
    from .models.llm import *  # noqa: F403
    from .models.music import *  # noqa: F403
    from .models.platform import *  # noqa: F403
    from .models.scheduler import *  # noqa: F403
    from .models.video_agent import *  # noqa: F403
    from .models.videos import *  # noqa: F403
    from .platform import AsyncMiniMaxPlatform, PlatformPurpose
    from .resources.agent import AgentParams
    from .resources.audio import SpeechParams
    from .resources.images import ImageCreateParams
    from .resources.llm import ChatParams
    from .resources.videos import VideoCreateParams

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AccountOnHoldError",
    "AccountRequiredError",
    "AgentParams",
    "AgentStream",
    "AsyncMiniMax",
    "AsyncMiniMaxPlatform",
    "AuthenticationError",
    "BadRequestError",
    "Batch",
    "BatchFailure",
    "BatchOptions",
    "BatchOutcome",
    "BatchRequest",
    "BatchResult",
    "BatchSuccess",
    "ChatParams",
    "ConfigurationError",
    "DEFAULT_BASE_URL",
    "FileSource",
    "GenerationError",
    "GenerationFailedError",
    "GenerationModeratedError",
    "ImageCreateParams",
    "InsufficientCreditsError",
    "JobCreationUnknownError",
    "JournalInUseError",
    "MiniMaxError",
    "ModerationError",
    "NOT_GIVEN",
    "NotFoundError",
    "NotGiven",
    "PlatformPurpose",
    "PollOptions",
    "ProgressCallback",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "SpeechParams",
    "StreamError",
    "StreamEventTooLargeError",
    "StreamIdleTimeoutError",
    "StreamTruncatedError",
    "Timeout",
    "UnmatchedRow",
    "VideoCreateParams",
    "VideoWaitOptions",
    "WaitOptions",
    "WaitTimeoutError",
    "WatchVideoOptions",
    "__version__",
    "account_of",
]
# The models' names are the model modules' own ``__all__`` (see ``models/__init__.py``).
if _typing.TYPE_CHECKING:
    __all__ += _shared_models.__all__
    __all__ += _accounts_models.__all__
    __all__ += _agent_models.__all__
    __all__ += _audio_models.__all__
    __all__ += _errors_models.__all__
    __all__ += _files_models.__all__
    __all__ += _images_models.__all__
    __all__ += _llm_models.__all__
    __all__ += _music_models.__all__
    __all__ += _platform_models.__all__
    __all__ += _scheduler_models.__all__
    __all__ += _video_agent_models.__all__
    __all__ += _videos_models.__all__
else:
    __all__ = sorted([*__all__, *_models_all])

# Where each exported name lives; every other name of ``__all__`` is a model (``.models``).
_MODULES: dict[str, tuple[str, ...]] = {
    "._accounts": ("AccountRequiredError", "account_of"),
    "._batch": (
        "Batch",
        "BatchFailure",
        "BatchOutcome",
        "BatchRequest",
        "BatchResult",
        "BatchSuccess",
        "JournalInUseError",
        "UnmatchedRow",
    ),
    "._client": ("DEFAULT_BASE_URL", "AsyncMiniMax"),
    "._exceptions": (
        "AccountOnHoldError",
        "APIConnectionError",
        "APIError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ConfigurationError",
        "GenerationError",
        "GenerationFailedError",
        "GenerationModeratedError",
        "InsufficientCreditsError",
        "JobCreationUnknownError",
        "MiniMaxError",
        "ModerationError",
        "NotFoundError",
        "RateLimitError",
        "ResponseDecodeError",
        "ResponseTooLargeError",
        "ServerError",
        "StreamError",
        "StreamEventTooLargeError",
        "StreamIdleTimeoutError",
        "StreamTruncatedError",
        "WaitTimeoutError",
    ),
    "._polling": ("PollOptions", "VideoWaitOptions", "WaitOptions", "WatchVideoOptions"),
    "._streams": ("AgentStream",),
    ".batch": ("BatchOptions",),
    ".resources.agent": ("AgentParams",),
    ".resources.audio": ("SpeechParams",),
    ".resources.images": ("ImageCreateParams",),
    ".resources.llm": ("ChatParams",),
    ".resources.videos": ("VideoCreateParams",),
    "._types": ("NOT_GIVEN", "FileSource", "NotGiven", "ProgressCallback", "Timeout"),
    ".platform": ("AsyncMiniMaxPlatform", "PlatformPurpose"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}
_EXPORTED = frozenset(__all__)


if not _typing.TYPE_CHECKING:  # type checkers see the imports above, and no catch-all

    def __getattr__(name: str) -> _typing.Any:
        module = _WHERE.get(name) or (".models" if name in _EXPORTED else None)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(module, __name__), name)
        globals()[name] = value  # next time a plain module attribute
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
