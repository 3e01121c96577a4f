"""Models of the (decommissioned upstream) text-to-speech endpoints."""

from __future__ import annotations

from typing import Any

import attrs

from ._shared import Model
from .platform import BaseResp

__all__ = [
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
]


@attrs.frozen(kw_only=True, repr=False)
class VoiceCloneFile(Model):
    """A sample a cloned voice was made from."""

    file_id: str | None = None
    file_name: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class VoiceClone(Model):
    """How a cloned voice was made."""

    voice_name: str | None = None
    language_tag: str | None = None
    need_noise_reduction: bool | None = None
    files: list[VoiceCloneFile] | None = None


@attrs.frozen(kw_only=True, repr=False)
class Voice(Model):
    """A text-to-speech voice (``GET audio/voices`` items, ``POST audio/clone-voice``)."""

    voice_id: str
    parent_voice_id: str | None = None
    voice_name: str | None = None
    tag_list: list[str] | None = None
    file_id: str | None = None
    cover_url: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    collected: bool | None = None
    voice_status: int | None = None
    sample_audio: str | None = None
    uniq_id: str | None = None
    group_id: str | None = None
    managed_by_api: bool | None = None
    is_expired: bool | None = None
    refresh_count: int | None = None
    cloned_id: str | None = None
    clone: VoiceClone | None = None


@attrs.frozen(kw_only=True, repr=False)
class VoicePage(Model):
    """Voices matching a query (``GET audio/voices``); the list is ``voice_list``."""

    voice_list: list[Voice] | None = None
    total: int | None = None
    has_more: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioEffects(Model):
    """Voice effects applied to speech."""

    deepen_lighten: float | None = None
    stronger_softer: float | None = None
    nasal_crisp: float | None = None
    spacious_echo: bool | None = None
    lofi_telephone: bool | None = None
    robotic: bool | None = None
    auditorium_echo: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioClip(Model):
    """A generated speech clip.

    ``POST audio/create-mp3`` fills the encoding fields, ``GET audio/{audio_id}`` the voice and
    settings, ``GET audio`` lists the common ones; download from ``audio_url``.
    """

    audio_id: str
    audio_length: int | None = None
    audio_sample_rate: int | None = None
    audio_size: int | None = None
    bitrate: int | None = None
    word_count: int | None = None
    invisible_character_ratio: float | None = None
    usage_characters: int | None = None
    audio_format: str | None = None
    audio_channel: int | None = None
    input_sensitive: bool | None = None
    trace_id: str | None = None
    chunks: int | None = None
    audio_review: int | None = None
    user_id: int | None = None
    audio_title: str | None = None
    audio_url: str | None = None
    update_time: int | None = None
    voice_info: Voice | None = None
    text: str | None = None
    create_time: int | None = None
    emotion: str | None = None
    language_boost: str | None = None
    speed: float | None = None
    pitch: float | None = None
    effects: AudioEffects | None = None
    # Listed by the docs' model; only error bodies carry it.
    error: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioPage(Model):
    """Generated clips (``GET audio``); the list is ``audio_list``."""

    audio_list: list[AudioClip] | None = None
    total: int | None = None
    has_more: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioEmotion(Model):
    """An emotion accepted by text-to-speech."""

    label: str | None = None
    value: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class VoiceTag(Model):
    """A tag usable in ``tag_list`` to filter voices."""

    language: str | None = None
    tag_name: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioConfig(Model):
    """Emotions and voice tags (``GET audio/config``)."""

    t2a_emotion: list[AudioEmotion] | None = None
    voice_tag_accent: list[VoiceTag] | None = None
    voice_tag_age: list[VoiceTag] | None = None
    voice_tag_gender: list[VoiceTag] | None = None
    voice_tag_language: list[VoiceTag] | None = None


@attrs.frozen(kw_only=True, repr=False)
class VoiceSetting(Model):
    """Voice, speed, volume, pitch and emotion of a speech request."""

    speed: float | None = None
    vol: float | None = None
    pitch: float | None = None
    voice_id: str | None = None
    emotion: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class TtsPayload(Model):
    """The validated text-to-speech request."""

    model: str | None = None
    text: str | None = None
    voice_setting: VoiceSetting | None = None
    audio_setting: dict[str, Any] | None = None
    effects: AudioEffects | None = None
    er_weights: list[Any] | None = None
    language_boost: str | None = None
    stream: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioStreamPayload(Model):
    """The message to send over the audio WebSocket (send ``to_dict()`` verbatim)."""

    msg_id: str | None = None
    payload: TtsPayload | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioStreamTicket(Model):
    """The result of ``POST audio/create-stream``: a 24 h WebSocket ``token`` (never shown in
    ``repr``) and the ``payload`` to send."""

    token: str | None = attrs.field(default=None, repr=False)
    payload: AudioStreamPayload | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioStreamChunk(Model):
    """One piece of streamed speech; ``status`` 1 progress, 2 completed."""

    # Encoded mp3 bytes.
    audio: str | None = None
    status: int | None = None
    ced: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioStreamInfo(Model):
    """Encoding details sent with the last WebSocket message."""

    audio_length: int | None = None
    audio_sample_rate: int | None = None
    audio_size: int | None = None
    bitrate: int | None = None
    word_count: int | None = None
    invisible_character_ratio: float | None = None
    usage_characters: int | None = None
    audio_format: str | None = None
    audio_channel: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioStreamMessage(Model):
    """One JSON message received on the audio WebSocket (``wss audio/wss``)."""

    data: AudioStreamChunk | None = None
    extra_info: AudioStreamInfo | None = None
    input_sensitive: bool | None = None
    trace_id: str | None = None
    base_resp: BaseResp | None = None
