"""JSON bodies of the audio group (voices, cloned voices, clips), key for key like the
documents' examples (the rest of the emulator's bodies are in ``_payloads``)."""

from __future__ import annotations

from typing import Any

from ._catalog import VOICES
from ._state import AudioClip, EmulatorState, Voice


def voice_body(voice: dict[str, Any], state: EmulatorState) -> dict[str, Any]:
    return {
        "voice_id": voice["voice_id"],
        "parent_voice_id": "0",
        "voice_name": voice["voice_name"],
        "tag_list": list(voice["tag_list"]),
        "file_id": "",
        "cover_url": state.media_url("audio/voice-cover.png"),
        "create_time": 1732711650948,
        "update_time": 1732711650948,
        "collected": False,
        "voice_status": 2,
        "sample_audio": state.media_url("audio/voice-sample.mp3"),
        "uniq_id": voice["uniq_id"],
        "group_id": "0",
    }


def cloned_voice_body(voice: Voice, state: EmulatorState) -> dict[str, Any]:
    created = int(voice.created_wall * 1000)
    return {
        "voice_id": voice.voice_id,
        "parent_voice_id": "0",
        "voice_name": voice.name,
        "tag_list": [voice.language_tag],
        "file_id": voice.file_ids[0].rsplit(":", 1)[-1] if voice.file_ids else "",
        "cover_url": state.media_url("audio/voice-cover.png"),
        "create_time": created,
        "update_time": created,
        "collected": False,
        "voice_status": 2,
        "sample_audio": state.media_url("audio/voice-sample.mp3"),
        "uniq_id": "",
        "group_id": "",
    }


def audio_list_item(clip: AudioClip, state: EmulatorState) -> dict[str, Any]:
    return {
        "audio_id": clip.audio_id,
        "audio_review": 0,
        "user_id": int(state.user_id),
        "audio_title": "",
        "audio_url": state.media_url(clip.media_path),
        "update_time": int(clip.created_wall * 1000),
    }


def audio_effects(settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "deepen_lighten": settings.get("deepen_lighten", 0),
        "stronger_softer": settings.get("stronger_softer", 0),
        "nasal_crisp": settings.get("nasal_crisp", 0),
        "spacious_echo": settings.get("spacious_echo", False),
        "lofi_telephone": settings.get("lofi_telephone", False),
        "robotic": settings.get("robotic", False),
        "auditorium_echo": settings.get("auditorium_echo", False),
    }


def audio_detail_body(clip: AudioClip, state: EmulatorState) -> dict[str, Any]:
    voice = next((v for v in VOICES if v["voice_id"] == clip.voice_id), VOICES[0])
    created = int(clip.created_wall * 1000)
    return {
        "audio_id": clip.audio_id,
        "audio_review": 0,
        "voice_info": voice_body(voice, state),
        "text": clip.text,
        "audio_url": state.media_url(clip.media_path),
        "audio_title": "",
        "create_time": created,
        "emotion": clip.settings.get("emotion", "Auto"),
        "language_boost": clip.settings.get("language_boost", "Auto"),
        "speed": clip.settings.get("speed", 1),
        "pitch": clip.settings.get("pitch", 0),
        "update_time": 0,
        "effects": audio_effects(clip.settings),
    }


def audio_extra_info(size: int, text: str) -> dict[str, Any]:
    return {
        "audio_length": int(size / 40_000 * 1000),
        "audio_sample_rate": 32000,
        "audio_size": size,
        "bitrate": 320000,
        "word_count": len(text.split()),
        "invisible_character_ratio": 0,
        "usage_characters": len(text),
        "audio_format": "mp3",
        "audio_channel": 1,
    }
