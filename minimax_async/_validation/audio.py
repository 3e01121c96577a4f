"""Text to speech and voice cloning (decommissioned upstream): the limits and the checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final, Literal

from ._rules import (
    check_bool,
    check_model_name,
    check_number,
    check_str,
    choices,
    comma_list,
    fail,
    show,
)

# --------------------------------------------------------------------------------------------
# POST audio/create-mp3, audio/create-stream (docs 5757-5835, 5954-6033)
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
# POST audio/clone-voice (docs 5599-5643)
# --------------------------------------------------------------------------------------------

#: ``voice_name``: "Maximum length: 30 characters" (docs 5638).
CLONE_VOICE_NAME_MAX_LENGTH: Final = 30

#: ``files``: "up to 10 comma-separated fileID values" (docs 5640).
CLONE_VOICE_MAX_FILES: Final = 10


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


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
    check_str(
        "text", text, required=True, max_length=max_length, text=True, what=f" for {endpoint}"
    )
    check_str("voice_id", voice_id, required=True)
    check_model_name("model", model, AUDIO_MODELS)
    check_str("language_boost", language_boost)
    if emotion is not None:
        allowed = choices(AUDIO_EMOTIONS)
        if not isinstance(emotion, str):
            fail("emotion", show(emotion), "must be a str", allowed)
        if emotion.lower() not in {e.lower() for e in AUDIO_EMOTIONS}:
            fail("emotion", show(emotion), "is not a documented emotion", allowed)
    check_number("vol", vol, None, None)
    numbers = {
        "speed": speed,
        "pitch": pitch,
        "deepen_lighten": deepen_lighten,
        "stronger_softer": stronger_softer,
        "nasal_crisp": nasal_crisp,
    }
    for name, value in numbers.items():
        check_number(name, value, *AUDIO_RANGES[name])
    flags = {
        "spacious_echo": spacious_echo,
        "lofi_telephone": lofi_telephone,
        "robotic": robotic,
        "auditorium_echo": auditorium_echo,
    }
    for name, flag in flags.items():
        check_bool(name, flag)


def clone_voice_files(files: object) -> tuple[str, ...]:
    """The sample ids of ``files``: a sequence or the documents' comma-separated string
    (``"f1,f2"``, docs 5640), 1 to 10 of them."""
    return comma_list(
        "files",
        files,
        what="file ids",
        hint=" from audio.upload_sample()",
        required=True,
        max_items=CLONE_VOICE_MAX_FILES,
    )


def voice_tags(tag_list: object) -> tuple[str, ...]:
    """The tags of ``tag_list``: a sequence or the documents' comma-separated string
    (``"Italian,Female,Adult,Calm"``, docs 1678-1679)."""
    return comma_list("tag_list", tag_list, what="tags", hint=" from audio.config()")


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
    check_str("voice_name", voice_name, required=True, max_length=CLONE_VOICE_NAME_MAX_LENGTH)
    check_str("language_tag", language_tag, required=True)
    clone_voice_files(files)
    check_bool("need_noise_reduction", need_noise_reduction)
