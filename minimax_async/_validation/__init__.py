"""Request validation: the documented limits, checked before anything is sent.

Every function here is pure (no I/O, no SDK imports) and raises :class:`ValueError` whose message
names the parameter (the snake_case name the caller passed), shows the offending value (``repr``,
shortened; the length instead of the text for prompts; never a secret) and says what is allowed::

    options='1080p-10sec' is not supported by model '02'; allowed: '512p-6sec', '512p-10sec', ...

``None`` always means "not sent" and is fine unless the docs mark the field required. A model the
SDK does not know is passed through without model-specific checks (the API grows faster than the
SDK); the generic limits (string lengths, numeric ranges, counts) still apply.

The tables are copied from the API reference
(``/work/shared/api-reference/003_990f89d9b277973e.txt``, "docs" below; line numbers in the
comments) so the rules can be read, tested and updated in one place.

Layout: the checking code lives once in :mod:`._rules` (messages, generic field checks,
ids in URL paths, :func:`._rules.comma_list` for every parameter the API takes as one
comma-separated string); each API group has one module with its documented limits as data and the
check of its requests (:mod:`.videos`, :mod:`.images`, :mod:`.agent`, :mod:`.audio`,
:mod:`.music`, :mod:`.llm`, :mod:`.accounts`, :mod:`.lists`). This package re-exports the
names the rest of the SDK imports.
"""

from ._rules import (
    MAX_JOBS_RANGE,
    REPLY_MAX_LENGTH,
    check_account,
    check_count,
    check_id,
    check_seconds,
)
from .accounts import validate_account_config
from .agent import AGENT_MODELS, agent_models, validate_agent, validate_agent_create
from .audio import (
    AUDIO_EMOTIONS,
    AUDIO_MODELS,
    AUDIO_RANGES,
    AUDIO_TEXT_MAX_LENGTH,
    CLONE_VOICE_MAX_FILES,
    CLONE_VOICE_NAME_MAX_LENGTH,
    clone_voice_files,
    validate_audio_text,
    validate_clone_voice,
    voice_tags,
)
from .images import (
    IMAGE_ASPECT_RATIOS,
    IMAGE_CHARACTER_MODELS,
    IMAGE_DEFAULT_MODEL,
    IMAGE_MAX_REFERENCES,
    IMAGE_PROMPT_MAX_LENGTH,
    IMAGE_QUANTITY_RANGE,
    IMAGE_REFERENCE_FIELDS_MAX,
    IMAGE_RESOLUTIONS,
    image_reference_fields,
    validate_image_create,
)
from .lists import LIST_LIMITS, ListLimit, validate_limit, validate_paging
from .llm import (
    LLM_FILE_EXTENSIONS,
    LLM_MAX_FILE_SIZE,
    LLM_MAX_FILES,
    LLM_MODELS,
    llm_delete_ids,
    validate_llm,
)
from .music import MUSIC_PROMPT_MAX_LENGTH, validate_music_create
from .videos import (
    VIDEO_DEFAULT_OPTIONS,
    VIDEO_END_FRAME_OPTIONS,
    VIDEO_MODEL_OPTIONS,
    VIDEO_MODELS_REQUIRING_FILE_ID,
    VIDEO_MODELS_WITHOUT_OPTIONS,
    VIDEO_OMNI_REFERENCES,
    VIDEO_OPTIONS_REQUIRING_FILE_ID,
    omni_reference_fields,
    validate_video_create,
)

__all__ = [
    "AGENT_MODELS",
    "AUDIO_EMOTIONS",
    "AUDIO_MODELS",
    "AUDIO_RANGES",
    "AUDIO_TEXT_MAX_LENGTH",
    "CLONE_VOICE_MAX_FILES",
    "CLONE_VOICE_NAME_MAX_LENGTH",
    "IMAGE_ASPECT_RATIOS",
    "IMAGE_CHARACTER_MODELS",
    "IMAGE_DEFAULT_MODEL",
    "IMAGE_MAX_REFERENCES",
    "IMAGE_PROMPT_MAX_LENGTH",
    "IMAGE_QUANTITY_RANGE",
    "IMAGE_REFERENCE_FIELDS_MAX",
    "IMAGE_RESOLUTIONS",
    "LIST_LIMITS",
    "LLM_FILE_EXTENSIONS",
    "LLM_MAX_FILES",
    "LLM_MAX_FILE_SIZE",
    "LLM_MODELS",
    "MAX_JOBS_RANGE",
    "MUSIC_PROMPT_MAX_LENGTH",
    "REPLY_MAX_LENGTH",
    "VIDEO_DEFAULT_OPTIONS",
    "VIDEO_END_FRAME_OPTIONS",
    "VIDEO_MODELS_REQUIRING_FILE_ID",
    "VIDEO_MODELS_WITHOUT_OPTIONS",
    "VIDEO_MODEL_OPTIONS",
    "VIDEO_OMNI_REFERENCES",
    "VIDEO_OPTIONS_REQUIRING_FILE_ID",
    "ListLimit",
    "agent_models",
    "check_account",
    "check_count",
    "check_id",
    "check_seconds",
    "clone_voice_files",
    "image_reference_fields",
    "llm_delete_ids",
    "omni_reference_fields",
    "validate_account_config",
    "validate_agent",
    "validate_agent_create",
    "validate_audio_text",
    "validate_clone_voice",
    "validate_image_create",
    "validate_limit",
    "validate_llm",
    "validate_music_create",
    "validate_paging",
    "validate_video_create",
    "voice_tags",
]
