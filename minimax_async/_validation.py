"""Request validation: the documented limits, checked before anything is sent.

Every function here is pure (no I/O, no SDK imports) and raises :class:`ValueError` whose message
names the parameter (the snake_case name the caller passed), shows the offending value (``repr``,
shortened; the length instead of the text for prompts; never a secret) and says what is allowed::

    options='1080p-10sec' is not supported by model '02'; allowed: '512p-6sec', '512p-10sec', ...

``None`` always means "not sent" and is fine unless the docs mark the field required. A model the
SDK does not know is passed through without model-specific checks (the API grows faster than the
SDK); the generic limits (string lengths, numeric ranges, counts) still apply.

The tables below are copied from the API reference
(``/work/shared/api-reference/003_990f89d9b277973e.txt``, "docs" below; line numbers in the
comments) so the rules can be read, tested and updated in one place.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final, Literal, NamedTuple, NoReturn

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
    "VIDEO_OPTIONS_REQUIRING_FILE_ID",
    "ListLimit",
    "check_account",
    "check_id",
    "image_reference_fields",
    "validate_account_config",
    "validate_agent",
    "validate_agent_create",
    "validate_audio_text",
    "validate_clone_voice",
    "validate_image_create",
    "validate_limit",
    "validate_llm",
    "validate_music_create",
    "validate_video_create",
]

# --------------------------------------------------------------------------------------------
# Generic limits
# --------------------------------------------------------------------------------------------

#: ``replyUrl`` / ``replyRef``: "Maximum length 1024 characters" (docs 5215, 5218, 6591, 6594,
#: 7229, 7231, 7683, 7686).
REPLY_MAX_LENGTH: Final = 1024

#: ``maxJobs``: "Valid range: 1…10" (docs 5001, 7233, 7688).
MAX_JOBS_RANGE: Final = (1, 10)

# --------------------------------------------------------------------------------------------
# POST videos/create (docs 7564-7690)
# --------------------------------------------------------------------------------------------

#: Legacy models: "Options: -", "End Frame: No" (matrix, docs 7586-7601).
VIDEO_MODELS_WITHOUT_OPTIONS: Final = frozenset(
    {"T2V-01", "T2V-01-Director", "I2V-01", "I2V-01-live", "I2V-01-Director", "S2V-01"}
)

#: ``options`` per model, in the docs' order (docs 7659-7681).
VIDEO_MODEL_OPTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "02": ("512p-6sec", "512p-10sec", "768p-6sec", "768p-10sec", "1080p-6sec"),
        "T2V-2.3": ("768p-6sec", "768p-10sec", "1080p-6sec"),
        "I2V-2.3": ("768p-6sec", "768p-10sec", "1080p-6sec"),
        "I2V-2.3-Fast": ("768p-6sec", "768p-10sec", "1080p-6sec"),
        "Sora-2": ("720p-4sec", "720p-8sec", "720p-12sec"),
        "Veo-3.1": ("veo-720p-8sec", "veo-1080p-8sec"),
        "Veo-3.1-Fast": ("veo-720p-8sec", "veo-1080p-8sec"),
        "Veo-3.1-S2V": ("veo-720p-8sec", "veo-1080p-8sec"),
    }
)

#: The option a model uses when ``options`` is not sent (docs 7663, 7666, 7669).
VIDEO_DEFAULT_OPTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "02": "768p-6sec",
        "T2V-2.3": "768p-6sec",
        "I2V-2.3": "768p-6sec",
        "I2V-2.3-Fast": "768p-6sec",
        "Sora-2": "720p-4sec",
        "Veo-3.1": "veo-720p-8sec",
        "Veo-3.1-Fast": "veo-720p-8sec",
        "Veo-3.1-S2V": "veo-720p-8sec",
    }
)

#: Models and options that accept ``end_frame_fileID``: ``02`` with 768p/1080p only, ``Veo-3.1``
#: and ``Veo-3.1-Fast`` ("End Frame: Yes", docs 7586-7601, 7635, 7673-7681).
VIDEO_END_FRAME_OPTIONS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "02": frozenset({"768p-6sec", "768p-10sec", "1080p-6sec"}),
        "Veo-3.1": frozenset({"veo-720p-8sec", "veo-1080p-8sec"}),
        "Veo-3.1-Fast": frozenset({"veo-720p-8sec", "veo-1080p-8sec"}),
    }
)

#: "512p-6sec / 512p-10sec (only for model 02, image-to-video only, fileID is required)"
#: (docs 7661-7662).
VIDEO_OPTIONS_REQUIRING_FILE_ID: Final = frozenset({"512p-6sec", "512p-10sec"})

#: Models whose type is Image-to-Video or Subject Reference: the image (``fileID``) is their
#: input (matrix "Type", docs 7586-7601; "model for image-to-video with optional prompt",
#: docs 7643-7645).
VIDEO_MODELS_REQUIRING_FILE_ID: Final = frozenset(
    {"I2V-01", "I2V-01-live", "I2V-01-Director", "S2V-01", "I2V-2.3", "I2V-2.3-Fast", "Veo-3.1-S2V"}
)

# --------------------------------------------------------------------------------------------
# POST images/create (docs 6504-6595)
# --------------------------------------------------------------------------------------------

#: "`image-01` (default)" (docs 6565).
IMAGE_DEFAULT_MODEL: Final = "image-01"

#: ``resolution`` per model (docs 6569-6573).
IMAGE_RESOLUTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "image-01": ("HD",),
        "nano-banana-pro": ("1K", "2K", "4K"),
        "gpt-image-1.5": ("1K", "2K", "4K"),
        "seedream-4.5": ("2K", "4K"),
    }
)

_WIDE_RATIOS = ("auto", "16:9", "5:4", "4:3", "3:2", "1:1", "2:3", "3:4", "4:5", "9:16", "21:9")

#: ``aspectRatio`` per model (docs 6574-6578).
IMAGE_ASPECT_RATIOS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "image-01": ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9"),
        "nano-banana-pro": _WIDE_RATIOS,
        "gpt-image-1.5": ("auto", "1:1", "3:2", "2:3"),
        "seedream-4.5": _WIDE_RATIOS,
    }
)

#: Maximum ``referenceFileId1..N`` per model; ``image-01`` takes none ("use characterFileId
#: instead") (docs 6521-6527, 6582-6587).
IMAGE_MAX_REFERENCES: Final[Mapping[str, int]] = MappingProxyType(
    {"image-01": 0, "nano-banana-pro": 14, "gpt-image-1.5": 3, "seedream-4.5": 14}
)

#: ``referenceFileId1`` … ``referenceFileId14``: the most the API has fields for (docs 6582).
IMAGE_REFERENCE_FIELDS_MAX: Final = 14

#: ``characterFileId`` is "only for `image-01`" (docs 6579-6581).
IMAGE_CHARACTER_MODELS: Final = frozenset({"image-01"})

#: ``prompt`` maximum length per model (docs 6560).
IMAGE_PROMPT_MAX_LENGTH: Final[Mapping[str, int]] = MappingProxyType(
    {"image-01": 1250, "nano-banana-pro": 5000, "gpt-image-1.5": 1250, "seedream-4.5": 1250}
)

#: ``quantity``: "Supported range: 1…4" (docs 6588).
IMAGE_QUANTITY_RANGE: Final = (1, 4)

# --------------------------------------------------------------------------------------------
# POST agent (docs 5136-5219)
# --------------------------------------------------------------------------------------------

#: ``models`` the docs list (docs 5187-5208). Others are passed through.
AGENT_MODELS: Final = (
    "hailuo-2.3",
    "hailuo-2.3-fast",
    "hailuo-02",
    "veo-3.1",
    "veo-3.1-fast",
    "sora-2",
    "nano-banana-2",
    "nano-banana",
    "seedream",
    "kontext",
    "qwen",
    "kolors",
    "speech-2.5-hd-preview",
    "speech-2.5-turbo-preview",
    "minimax-music-2.0",
)

# --------------------------------------------------------------------------------------------
# GET music/create (docs 3429-3462), decommissioned upstream
# --------------------------------------------------------------------------------------------

#: ``prompt`` (lyrics): "Maximum length 600 characters" (docs 3460).
MUSIC_PROMPT_MAX_LENGTH: Final = 600

# --------------------------------------------------------------------------------------------
# POST audio/create-mp3, audio/create-stream (docs 5757-5835, 5954-6033), decommissioned
# --------------------------------------------------------------------------------------------

#: ``text`` maximum length per endpoint: "500 characters / 30 seconds" (docs 5804) and
#: "5000 characters" (docs 6003). The WebSocket stream uses a create-stream payload.
AUDIO_TEXT_MAX_LENGTH: Final[Mapping[str, int]] = MappingProxyType(
    {"create-mp3": 500, "create-stream": 5000}
)

#: ``model``: "speech-02-hd (default), speech-01-hd, speech-02-turbo, speech-01-turbo"
#: (docs 5808, 6006). Others are passed through.
AUDIO_MODELS: Final = ("speech-02-hd", "speech-01-hd", "speech-02-turbo", "speech-01-turbo")

#: ``emotion``: default ``Auto`` plus "happy, sad, angry, fearful, disgusted, surprised, neutral"
#: (docs 5780, 5811-5812). Compared case-insensitively (GET audio/config gives lower case).
AUDIO_EMOTIONS: Final = (
    "Auto",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgusted",
    "surprised",
    "neutral",
)

#: Numeric voice settings, inclusive (docs 5816-5824, 6014-6022). ``vol`` has no documented range.
AUDIO_RANGES: Final[Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        "speed": (0.5, 2.0),
        "pitch": (-12.0, 12.0),
        "deepen_lighten": (-100.0, 100.0),
        "stronger_softer": (-100.0, 100.0),
        "nasal_crisp": (-100.0, 100.0),
    }
)

# --------------------------------------------------------------------------------------------
# POST audio/clone-voice (docs 5599-5643), decommissioned
# --------------------------------------------------------------------------------------------

#: ``voice_name``: "Maximum length: 30 characters" (docs 5638).
CLONE_VOICE_NAME_MAX_LENGTH: Final = 30

#: ``files``: "up to 10 comma-separated fileID values" (docs 5640).
CLONE_VOICE_MAX_FILES: Final = 10

# --------------------------------------------------------------------------------------------
# POST llm (docs 6742-6806), decommissioned
# --------------------------------------------------------------------------------------------

#: ``model``: "mm-m1 (default), mm-01" (docs 6795-6798). Others are passed through.
LLM_MODELS: Final = ("mm-m1", "mm-01")

#: ``file``: "up to 10 files", these extensions, "maximum file size is 100MB" (docs 6804).
LLM_MAX_FILES: Final = 10
LLM_FILE_EXTENSIONS: Final = (
    "txt",
    "docx",
    "doc",
    "pdf",
    "ppt",
    "pptx",
    "xls",
    "xlsx",
    "png",
    "jpeg",
    "jpg",
    "webp",
    "svg",
    "heif",
    "tiff",
)
LLM_MAX_FILE_SIZE: Final = 100 * 1024 * 1024

# --------------------------------------------------------------------------------------------
# List endpoints
# --------------------------------------------------------------------------------------------


class ListLimit(NamedTuple):
    """A paging parameter of a list endpoint: its documented default and accepted range."""

    default: int
    low: int = 1
    #: ``None``: the docs give no maximum, the server decides.
    high: int | None = None


#: Paging parameters per list endpoint (snake_case names). The docs give defaults only, no
#: maximum; a count or page number below 1 is meaningless.
LIST_LIMITS: Final[Mapping[str, Mapping[str, ListLimit]]] = MappingProxyType(
    {
        "GET files": {"limit": ListLimit(default=10)},  # docs 2413
        "GET images": {"limit": ListLimit(default=30)},  # docs 2767
        "GET videos": {"limit": ListLimit(default=30)},  # docs 4826
        "GET videos/agent-templates": {"limit": ListLimit(default=30)},  # docs 4250
        "GET videos/characters": {  # docs 4547-4548
            "page": ListLimit(default=1),
            "page_size": ListLimit(default=50),
        },
        "GET llm": {"limit": ListLimit(default=20)},  # docs 3263
        "GET music": {"limit": ListLimit(default=20)},  # docs 3858
        "GET audio": {  # docs 1842-1843 (default page not documented)
            "page": ListLimit(default=1),
            "page_size": ListLimit(default=100),
        },
        "GET audio/voices": {  # docs 1680-1681 (default page not documented)
            "page": ListLimit(default=1),
            "page_size": ListLimit(default=500),
        },
    }
)

# --------------------------------------------------------------------------------------------
# Message helpers
# --------------------------------------------------------------------------------------------

_SHOW_MAX = 80


def _show(value: object) -> str:
    """``repr`` of a value, shortened to about 80 characters for long strings."""
    if isinstance(value, str) and len(value) > _SHOW_MAX:
        return f"{value[: _SHOW_MAX - 3]!r}... ({len(value)} characters)"
    text = repr(value)
    if len(text) > _SHOW_MAX:
        return text[: _SHOW_MAX - 3] + "..."
    return text


def _show_text(value: object) -> str:
    """A prompt is shown by its length, never by its text."""
    if isinstance(value, str):
        return f"<{len(value)} characters>"
    return _show(value)


def _choices(values: Sequence[object] | frozenset[str]) -> str:
    items = sorted(values) if isinstance(values, frozenset) else list(values)
    return ", ".join(repr(v) for v in items)


def _fail(name: str, shown: str, problem: str, allowed: str) -> NoReturn:
    raise ValueError(f"{name}={shown} {problem}; allowed: {allowed}")


# --------------------------------------------------------------------------------------------
# Generic checks
# --------------------------------------------------------------------------------------------


def _check_str(
    name: str,
    value: object,
    *,
    required: bool = False,
    max_length: int | None = None,
    text: bool = False,
    what: str = "",
) -> None:
    """A string field: required means present and not blank; ``text`` shows only the length."""
    show = _show_text if text else _show
    limit = f" of at most {max_length} characters" if max_length is not None else ""
    allowed = f"a non-empty string{limit}" if required else f"a string{limit} or None"
    if value is None:
        if required:
            _fail(name, "None", "is required", allowed)
        return
    if not isinstance(value, str):
        _fail(name, show(value), "must be a str", allowed)
    if required and not value.strip():
        _fail(name, show(value), "must not be empty", allowed)
    if max_length is not None and len(value) > max_length:
        _fail(
            name,
            show(value),
            f"is too long{what} ({len(value)} > {max_length})",
            f"at most {max_length} characters",
        )


def _check_file_id(name: str, value: object, *, required: bool = False) -> None:
    """A file id sent in a body: a non-empty string."""
    allowed = "a file id such as 'user:1234-minimax:987654321-file:1122334455'"
    if value is None:
        if required:
            _fail(name, "None", "is required", allowed)
        return
    if not isinstance(value, str):
        _fail(name, _show(value), "must be a str", allowed)
    if not value.strip():
        _fail(name, _show(value), "must not be empty", allowed)


def _check_int(name: str, value: object, low: int, high: int | None, *, required: bool) -> None:
    allowed = f"an int from {low} to {high}" if high is not None else f"an int >= {low}"
    if value is None:
        if required:
            _fail(name, "None", "is required", allowed)
        return
    # bool is an int subclass; True would silently mean 1.
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(name, _show(value), "must be an int", allowed)
    if value < low or (high is not None and value > high):
        _fail(name, _show(value), "is out of range", allowed)


def _check_number(name: str, value: object, low: float | None, high: float | None) -> None:
    if low is not None and high is not None:
        allowed = f"a number from {low:g} to {high:g}"
    else:
        allowed = "a finite number"
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(name, _show(value), "must be a number", allowed)
    if not math.isfinite(value):
        _fail(name, _show(value), "must be finite", allowed)
    if (low is not None and value < low) or (high is not None and value > high):
        _fail(name, _show(value), "is out of range", allowed)


def _check_bool(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        _fail(name, _show(value), "must be a bool", "True, False or None")


def _check_replies(reply_url: object, reply_ref: object) -> None:
    _check_str("reply_url", reply_url, max_length=REPLY_MAX_LENGTH)
    _check_str("reply_ref", reply_ref, max_length=REPLY_MAX_LENGTH)


def _check_max_jobs(value: object, *, required: bool = False) -> None:
    _check_int("max_jobs", value, *MAX_JOBS_RANGE, required=required)


def _check_sequence(name: str, value: object, allowed: str) -> Sequence[object]:
    """A list-like argument (None: empty); a bare str/bytes would be iterated per character."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        _fail(name, _show(value), "must be a sequence (list or tuple)", allowed)
    return value


def _check_model_name(name: str, value: object, known: Sequence[str]) -> None:
    """A model is a string; unknown names pass (the API grows faster than the SDK)."""
    if value is not None and (not isinstance(value, str) or not value.strip()):
        _fail(name, _show(value), "must be a non-empty str", _choices(known) + " (or a newer one)")


# --------------------------------------------------------------------------------------------
# Ids in URL paths
# --------------------------------------------------------------------------------------------

# Each would change which resource the path names: a segment separator, a query or fragment
# start, a percent escape that the server decodes, or a backslash that some proxies treat as '/'.
_ID_FORBIDDEN_SUBSTRINGS: Final = ("/", "\\", "..", "?", "#", "%")
# Control, format (zero-width, bidi), surrogate, and separator characters.
_ID_FORBIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
_ID_ALLOWED: Final = (
    "a non-empty string without '/', '\\', '..', '?', '#', '%', whitespace or control "
    "characters (':' and '@' are fine), e.g. 'user:1234-minimax:987654321-video:998877665544'"
)


def _id_problem(value: str) -> str | None:
    if not value:
        return "is empty"
    if value == ".":
        return "is a relative path segment"
    for bad in _ID_FORBIDDEN_SUBSTRINGS:
        if bad in value:
            return f"contains {bad!r}"
    if value.isascii() and value.isprintable():
        # Printable ASCII has no control or separator character but the space (fast path).
        return "contains whitespace ' '" if " " in value else None
    for char in value:
        if char.isspace():
            return f"contains whitespace {char!r}"
        if unicodedata.category(char) in _ID_FORBIDDEN_CATEGORIES:
            return f"contains control character {char!r}"
    return None


def check_id(name: str, value: str) -> str:
    """Return ``value`` if it is safe as one URL path segment, else raise ``ValueError``.

    Args:
        name: The parameter name to put in the message (``video_id``, ``file_id``, ...).
        value: The id, e.g. ``user:1234-minimax:987654321-video:998877665544332211``.
    """
    if not isinstance(value, str):
        _fail(name, _show(value), "must be a str", _ID_ALLOWED)
    problem = _id_problem(value)
    if problem is not None:
        _fail(name, _show(value), f"is not a valid id: it {problem}", _ID_ALLOWED)
    return value


def check_account(value: str) -> str:
    """Return the account name if it is safe in a URL path (same rules as :func:`check_id`)."""
    return check_id("account", value)


# --------------------------------------------------------------------------------------------
# POST videos/create
# --------------------------------------------------------------------------------------------

_OPTION_MODELS = _choices(tuple(VIDEO_MODEL_OPTIONS))


def validate_video_create(
    *,
    prompt: str | None = None,
    model: str | None = None,
    options: str | None = None,
    file_id: str | None = None,
    end_frame_file_id: str | None = None,
    prompt_optimization: bool | None = None,
    reply_url: str | None = None,
    reply_ref: str | None = None,
    max_jobs: int | None = None,
) -> None:
    """Check a ``POST videos/create`` request against the model x options x end-frame matrix."""
    _check_str("prompt", prompt, text=True)
    _check_model_name("model", model, (*sorted(VIDEO_MODELS_WITHOUT_OPTIONS), *VIDEO_MODEL_OPTIONS))
    if options is not None and not isinstance(options, str):
        _fail("options", _show(options), "must be a str", "a str such as '768p-6sec'")
    _check_file_id("file_id", file_id)
    _check_file_id("end_frame_file_id", end_frame_file_id)
    _check_bool("prompt_optimization", prompt_optimization)
    _check_replies(reply_url, reply_ref)
    _check_max_jobs(max_jobs)

    if end_frame_file_id is not None and end_frame_file_id == file_id:
        _fail(
            "end_frame_file_id",
            _show(end_frame_file_id),
            "is the same as file_id (docs: they cannot be the same, re-upload the end frame)",
            "a different file id than file_id",
        )

    # No model: the server picks T2V-01 (text) or I2V-01 (image); neither takes options.
    shown_model = repr(model) if model is not None else "None (default 'T2V-01'/'I2V-01')"
    if model is None or model in VIDEO_MODELS_WITHOUT_OPTIONS:
        if options is not None:
            _fail(
                "options",
                _show(options),
                f"is not supported by model {shown_model}, which takes no options",
                f"None, or a model that takes options: {_OPTION_MODELS}",
            )
        if end_frame_file_id is not None:
            _fail(
                "end_frame_file_id",
                _show(end_frame_file_id),
                f"is not supported by model {shown_model}",
                f"None, or model {_choices(tuple(VIDEO_END_FRAME_OPTIONS))}",
            )
        if model is not None and model in VIDEO_MODELS_REQUIRING_FILE_ID and file_id is None:
            _fail(
                "file_id",
                "None",
                f"is required by image-to-video model {model!r}",
                "a file id from files.upload()",
            )
        return

    allowed_options = VIDEO_MODEL_OPTIONS.get(model)
    if allowed_options is None:
        return  # unknown model: passed through

    if options is not None and options not in allowed_options:
        _fail(
            "options",
            _show(options),
            f"is not supported by model {model!r}",
            _choices(allowed_options),
        )
    effective = options if options is not None else VIDEO_DEFAULT_OPTIONS[model]

    if effective in VIDEO_OPTIONS_REQUIRING_FILE_ID and file_id is None:
        _fail(
            "file_id",
            "None",
            f"is required with options={effective!r} (image-to-video only)",
            "a file id from files.upload()",
        )
    if model in VIDEO_MODELS_REQUIRING_FILE_ID and file_id is None:
        _fail(
            "file_id",
            "None",
            f"is required by image-to-video model {model!r}",
            "a file id from files.upload()",
        )
    if end_frame_file_id is not None:
        end_frame_options = VIDEO_END_FRAME_OPTIONS.get(model)
        if end_frame_options is None:
            _fail(
                "end_frame_file_id",
                _show(end_frame_file_id),
                f"is not supported by model {model!r}",
                f"None, or model {_choices(tuple(VIDEO_END_FRAME_OPTIONS))}",
            )
        if effective not in end_frame_options:
            _fail(
                "end_frame_file_id",
                _show(end_frame_file_id),
                f"is not supported by model {model!r} with options={effective!r}",
                f"options {_choices(tuple(o for o in allowed_options if o in end_frame_options))}",
            )


# --------------------------------------------------------------------------------------------
# POST images/create
# --------------------------------------------------------------------------------------------

# Ids look like ``user:1234-minimax:987654321-file:…``; the account is the ``minimax:`` part.
_ACCOUNT_IN_ID: Final = re.compile(r"-minimax:([^-:]+)-")


def _check_reference_ids(reference_file_ids: object, maximum: int, model_note: str) -> None:
    refs = _check_sequence(
        "reference_file_ids", reference_file_ids, f"a sequence of at most {maximum} file ids"
    )
    if len(refs) > maximum:
        _fail(
            "reference_file_ids",
            f"<{len(refs)} file ids>",
            f"has too many reference images{model_note}",
            f"at most {maximum}",
        )
    for index, ref in enumerate(refs):
        _check_file_id(f"reference_file_ids[{index}]", ref, required=True)


def image_reference_fields(reference_file_ids: Sequence[str] | None) -> dict[str, str]:
    """Return the ``{"referenceFileId1": ..., ...}`` body fields for the reference images."""
    _check_reference_ids(reference_file_ids, IMAGE_REFERENCE_FIELDS_MAX, "")
    refs = reference_file_ids or ()
    return {f"referenceFileId{n}": ref for n, ref in enumerate(refs, start=1)}


def validate_image_create(
    *,
    prompt: str | None = None,
    model: str | None = None,
    aspect_ratio: str | None = None,
    resolution: str | None = None,
    character_file_id: str | None = None,
    reference_file_ids: Sequence[str] | None = (),
    quantity: int | None = None,
    prompt_optimization: bool | None = None,
    reply_url: str | None = None,
    reply_ref: str | None = None,
    max_jobs: int | None = None,
) -> None:
    """Check a ``POST images/create`` request against the per-model tables."""
    effective = model if model is not None else IMAGE_DEFAULT_MODEL
    _check_model_name("model", model, tuple(IMAGE_RESOLUTIONS))
    known = effective in IMAGE_RESOLUTIONS
    prompt_max = IMAGE_PROMPT_MAX_LENGTH.get(effective)
    _check_str(
        "prompt",
        prompt,
        required=True,
        max_length=prompt_max,
        text=True,
        what=f" for model {effective!r}",
    )
    for name, value in (("aspect_ratio", aspect_ratio), ("resolution", resolution)):
        if value is not None and not isinstance(value, str):
            _fail(name, _show(value), "must be a str", "a str such as '16:9' or '2K'")
    _check_file_id("character_file_id", character_file_id)
    _check_int("quantity", quantity, *IMAGE_QUANTITY_RANGE, required=False)
    _check_bool("prompt_optimization", prompt_optimization)
    _check_replies(reply_url, reply_ref)
    _check_max_jobs(max_jobs)

    max_refs = IMAGE_MAX_REFERENCES.get(effective, IMAGE_REFERENCE_FIELDS_MAX)
    if known and max_refs == 0:
        refs = _check_sequence("reference_file_ids", reference_file_ids, "a sequence of file ids")
        if refs:
            with_refs = tuple(m for m, n in IMAGE_MAX_REFERENCES.items() if n)
            _fail(
                "reference_file_ids",
                _show(list(refs)),
                f"is not supported by model {effective!r} (use character_file_id)",
                f"an empty sequence, or model {_choices(with_refs)}",
            )
    else:
        note = f" for model {effective!r}" if known else ""
        _check_reference_ids(reference_file_ids, max_refs, note)
        # "All reference files must belong to the same account" (docs 6586); only checked
        # when every id has the documented shape.
        matches = [_ACCOUNT_IN_ID.search(ref) for ref in reference_file_ids or ()]
        owners = sorted({m.group(1) for m in matches if m is not None})
        if len(owners) > 1 and all(m is not None for m in matches):
            _fail(
                "reference_file_ids",
                _show(list(reference_file_ids or ())),
                f"mixes files of accounts {_choices(owners)}",
                "reference files that all belong to the same account",
            )

    if not known:
        return  # unknown model: passed through

    if resolution is not None and resolution not in IMAGE_RESOLUTIONS[effective]:
        _fail(
            "resolution",
            _show(resolution),
            f"is not supported by model {effective!r}",
            _choices(IMAGE_RESOLUTIONS[effective]),
        )
    if aspect_ratio is not None and aspect_ratio not in IMAGE_ASPECT_RATIOS[effective]:
        _fail(
            "aspect_ratio",
            _show(aspect_ratio),
            f"is not supported by model {effective!r}",
            _choices(IMAGE_ASPECT_RATIOS[effective]),
        )
    if character_file_id is not None and effective not in IMAGE_CHARACTER_MODELS:
        _fail(
            "character_file_id",
            _show(character_file_id),
            f"is not supported by model {effective!r} (use reference_file_ids)",
            f"None, or model {_choices(IMAGE_CHARACTER_MODELS)}",
        )


# --------------------------------------------------------------------------------------------
# POST agent, POST videos/agent-create
# --------------------------------------------------------------------------------------------


def validate_agent(
    *,
    prompt: str | None = None,
    models: Sequence[str] | str | None = None,
    files: Sequence[object] | None = (),
    reply_url: str | None = None,
    reply_ref: str | None = None,
) -> None:
    """Check a ``POST agent`` request: prompt and at least one model are required.

    ``models`` is a sequence of model names or the comma-separated string the API takes.
    """
    _check_str("prompt", prompt, required=True, text=True)
    known = _choices(AGENT_MODELS)
    if models is None:
        _fail("models", "None", "is required", f"one or more of {known}")
    if isinstance(models, str):
        names: Sequence[object] = models.split(",")
    else:
        names = _check_sequence("models", models, f"a sequence of model names from {known}")
    if not names or (isinstance(models, str) and not models.strip()):
        _fail("models", _show(models), "must name at least one model", f"one or more of {known}")
    for name in names:
        if not isinstance(name, str) or not name.strip() or "," in name:
            _fail(
                "models",
                _show(models),
                f"contains an invalid model name {_show(name)}",
                f"non-empty names without ',' such as {known}",
            )
    _check_sequence("files", files, "a sequence of files (paths, bytes or file objects)")
    _check_replies(reply_url, reply_ref)


def validate_agent_create(
    *,
    template_id: str | None = None,
    prompt: str | None = None,
    file_id: str | None = None,
    oss_path: str | None = None,
    reply_url: str | None = None,
    reply_ref: str | None = None,
    max_jobs: int | None = None,
) -> None:
    """Check a ``POST videos/agent-create`` request: ``file_id`` and ``oss_path`` go together."""
    _check_str("template_id", template_id, required=True)
    _check_str("prompt", prompt, text=True)
    _check_file_id("file_id", file_id)
    _check_str("oss_path", oss_path)
    if file_id is not None and oss_path is None:
        _fail(
            "oss_path",
            "None",
            "is required when file_id is given",
            "the ossPath returned by files.upload() with that file_id",
        )
    if oss_path is not None and file_id is None:
        _fail(
            "oss_path",
            _show(oss_path),
            "cannot be given without file_id",
            "None, or together with file_id",
        )
    if oss_path is not None and not oss_path.strip():
        _fail("oss_path", _show(oss_path), "must not be empty", "the ossPath from files.upload()")
    _check_replies(reply_url, reply_ref)
    _check_max_jobs(max_jobs)


# --------------------------------------------------------------------------------------------
# Decommissioned upstream: music, audio, llm
# --------------------------------------------------------------------------------------------


def validate_music_create(
    *, prompt: str | None = None, style_id: str | None = None, title: str | None = None
) -> None:
    """Check a ``GET music/create`` request: lyrics of at most 600 characters and a style."""
    _check_str("prompt", prompt, required=True, max_length=MUSIC_PROMPT_MAX_LENGTH, text=True)
    _check_str("style_id", style_id, required=True)
    _check_str("title", title)


def validate_audio_text(
    *,
    text: str | None = None,
    voice_id: str | None = None,
    model: str | None = None,
    language_boost: str | None = None,
    emotion: str | None = None,
    vol: float | None = None,
    speed: float | None = None,
    pitch: float | None = None,
    deepen_lighten: float | None = None,
    stronger_softer: float | None = None,
    nasal_crisp: float | None = None,
    spacious_echo: bool | None = None,
    lofi_telephone: bool | None = None,
    robotic: bool | None = None,
    auditorium_echo: bool | None = None,
    endpoint: Literal["create-mp3", "create-stream"] = "create-mp3",
) -> None:
    """Check a text-to-speech request (``audio/create-mp3`` or ``audio/create-stream``)."""
    max_length = AUDIO_TEXT_MAX_LENGTH[endpoint]
    _check_str(
        "text", text, required=True, max_length=max_length, text=True, what=f" for {endpoint}"
    )
    _check_str("voice_id", voice_id, required=True)
    _check_model_name("model", model, AUDIO_MODELS)
    _check_str("language_boost", language_boost)
    if emotion is not None:
        allowed = _choices(AUDIO_EMOTIONS)
        if not isinstance(emotion, str):
            _fail("emotion", _show(emotion), "must be a str", allowed)
        if emotion.lower() not in {e.lower() for e in AUDIO_EMOTIONS}:
            _fail("emotion", _show(emotion), "is not a documented emotion", allowed)
    _check_number("vol", vol, None, None)
    numbers = {
        "speed": speed,
        "pitch": pitch,
        "deepen_lighten": deepen_lighten,
        "stronger_softer": stronger_softer,
        "nasal_crisp": nasal_crisp,
    }
    for name, value in numbers.items():
        _check_number(name, value, *AUDIO_RANGES[name])
    flags = {
        "spacious_echo": spacious_echo,
        "lofi_telephone": lofi_telephone,
        "robotic": robotic,
        "auditorium_echo": auditorium_echo,
    }
    for name, flag in flags.items():
        _check_bool(name, flag)


def validate_clone_voice(
    *,
    voice_name: str | None = None,
    language_tag: str | None = None,
    files: Sequence[str] | str | None = None,
    need_noise_reduction: bool | None = None,
) -> None:
    """Check a ``POST audio/clone-voice`` request: name <= 30 chars, 1..10 sample file ids.

    ``files`` is a sequence of file ids or the comma-separated string the API takes.
    """
    _check_str("voice_name", voice_name, required=True, max_length=CLONE_VOICE_NAME_MAX_LENGTH)
    _check_str("language_tag", language_tag, required=True)
    allowed = f"1 to {CLONE_VOICE_MAX_FILES} file ids from audio.upload_sample()"
    if files is None:
        _fail("files", "None", "is required", allowed)
    ids: Sequence[object] = (
        files.split(",") if isinstance(files, str) else _check_sequence("files", files, allowed)
    )
    if not ids or (isinstance(files, str) and not files.strip()):
        _fail("files", _show(files), "must contain at least one file id", allowed)
    if len(ids) > CLONE_VOICE_MAX_FILES:
        _fail("files", f"<{len(ids)} file ids>", "has too many audio samples", allowed)
    for index, file_id in enumerate(ids):
        if not isinstance(file_id, str) or not file_id.strip() or "," in file_id:
            _fail(f"files[{index}]", _show(file_id), "is not a valid file id", allowed)
    _check_bool("need_noise_reduction", need_noise_reduction)


def _file_name(item: object) -> str | None:
    """The file name of an upload source, when it has one (bytes have none)."""
    if isinstance(item, str):
        return item
    if isinstance(item, os.PathLike):
        path = os.fspath(item)
        return path if isinstance(path, str) else None
    if isinstance(item, tuple) and item and isinstance(item[0], str):
        return item[0]
    name = getattr(item, "name", None)
    return name if isinstance(name, str) else None


def validate_llm(
    *,
    prompt: str | None = None,
    model: str | None = None,
    search_web: bool | None = None,
    chat_id: str | None = None,
    files: Sequence[object] | None = (),
) -> None:
    """Check a ``POST llm`` request: prompt required, up to 10 files of the listed types."""
    _check_str("prompt", prompt, required=True, text=True)
    _check_model_name("model", model, LLM_MODELS)
    _check_bool("search_web", search_web)
    if chat_id is not None:
        _check_str("chat_id", chat_id, required=True)
    items = _check_sequence("files", files, f"a sequence of at most {LLM_MAX_FILES} files")
    if len(items) > LLM_MAX_FILES:
        _fail("files", f"<{len(items)} files>", "has too many files", f"at most {LLM_MAX_FILES}")
    extensions = _choices(LLM_FILE_EXTENSIONS)
    for index, item in enumerate(items):
        if isinstance(item, (bytes, bytearray, memoryview)) and len(item) > LLM_MAX_FILE_SIZE:
            _fail(
                f"files[{index}]",
                f"<{len(item)} bytes>",
                "is too large",
                f"at most {LLM_MAX_FILE_SIZE} bytes (100MB)",
            )
        name = _file_name(item)
        if name is None:
            continue
        extension = os.path.splitext(name)[1].lstrip(".").lower()
        if extension not in LLM_FILE_EXTENSIONS:
            _fail(
                f"files[{index}]",
                _show(name),
                "does not have a supported file extension",
                extensions,
            )


# --------------------------------------------------------------------------------------------
# POST accounts, list endpoints
# --------------------------------------------------------------------------------------------


def validate_account_config(
    *, url: str | None = None, token: str | None = None, max_jobs: int | None = None
) -> None:
    """Check a ``POST accounts`` request: ``url``, ``token`` and ``max_jobs`` 1..10 are required.

    The token is a credential: it never appears in a message.
    """
    url_allowed = "the http(s) request URL copied from the browser (see Setup MiniMax)"
    if url is None:
        _fail("url", "None", "is required", url_allowed)
    if not isinstance(url, str):
        _fail("url", _show(url), "must be a str", url_allowed)
    if not url.startswith(("https://", "http://")):
        _fail("url", _show(url), "is not an http(s) URL", url_allowed)
    token_allowed = "a non-empty str (the Token request header copied from the browser)"
    if token is None:
        _fail("token", "None", "is required", token_allowed)
    if not isinstance(token, str):
        _fail("token", f"<{type(token).__name__}>", "must be a str", token_allowed)
    if not token.strip():
        _fail("token", "<hidden>", "must not be empty", token_allowed)
    _check_max_jobs(max_jobs, required=True)


def validate_limit(name: str, value: int | None, low: int = 1, high: int | None = None) -> None:
    """Check a list endpoint's paging parameter (``limit``, ``page``, ``page_size``).

    ``None`` (not sent) is fine; see :data:`LIST_LIMITS` for each endpoint's documented range.
    """
    _check_int(name, value, low, high, required=False)
