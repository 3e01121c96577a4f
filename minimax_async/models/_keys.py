"""JSON key names <-> attribute names: the one naming rule of the models and the converter.

Below both: :class:`~minimax_async.models._shared.Model` needs it to give back its JSON
(``to_dict``) and ``_converter`` to map keys to attributes, so neither imports the other.
"""

from __future__ import annotations

import functools
import re

__all__ = ["to_camel", "to_snake"]

# A plural acronym (``videoIDs``) would otherwise split as ``video_i_ds``.
_PLURAL_ACRONYM = re.compile(r"([A-Z]{2,})s(?=[A-Z_]|$)")
_ACRONYM_RUN = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LOWER_UPPER = re.compile(r"([a-z\d])([A-Z])")

# Acronyms the API writes in capitals inside camelCase keys (``videoURL``, ``fileID``). Used only
# for models built by hand, which have no source JSON to copy key names from.
_ACRONYMS = {"id": "ID", "url": "URL", "ids": "IDs"}


@functools.lru_cache(maxsize=4096)
def to_snake(key: str) -> str:
    """``videoURL`` -> ``video_url``, ``end_frame_fileID`` -> ``end_frame_file_id``."""
    key = _PLURAL_ACRONYM.sub(r"\1S", key)
    return _LOWER_UPPER.sub(r"\1_\2", _ACRONYM_RUN.sub(r"\1_\2", key)).lower()


# The API is not consistent (``videoId`` but ``fileID``; MiniMax's own blocks are snake_case).
# Spellings the documented bodies use where the camelCase rule below would guess wrong; only for
# models built by hand, as above.
_SPELLED = {
    "exp_expire": "exp_Expire",
    "file_url": "fileUrl",
    "iat_issued": "iat_Issued",
    "image_id": "imageId",
    "image_ids": "imageIds",
    "job_id": "jobId",
    "music_id": "musicId",
    "reply_url": "replyUrl",
    "style_id": "styleId",
    "video_id": "videoId",
    "video_urls": "videoURLs",
}
_SNAKE_KEYS = frozenset(
    {
        "audio_channel", "audio_format", "audio_id", "audio_length", "audio_list",
        "audio_review", "audio_sample_rate", "audio_setting", "audio_size", "audio_title",
        "auditorium_echo", "base_resp", "cdn_url", "coin_type", "created_at", "credit_type",
        "deepen_lighten", "er_weights", "file_scene", "file_status", "file_type", "group_id",
        "input_sensitive", "invisible_character_ratio", "language_boost", "lofi_telephone",
        "model_aspect_ratio", "model_name", "model_resolution", "nasal_crisp",
        "no_watermark_url", "parent_voice_id", "sample_audio", "spacious_echo", "status_msg",
        "stronger_softer", "sub_credits", "t2a_emotion", "tag_list", "tag_name",
        "thumbnail_url", "total_credit", "trace_id", "uniq_id", "usage_characters", "voice_id",
        "voice_info", "voice_list", "voice_name", "voice_setting", "voice_status",
        "voice_tag_accent", "voice_tag_age", "voice_tag_gender", "voice_tag_language",
        "watermark_url", "word_count",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=1024)
def to_camel(name: str) -> str:
    """Best guess at the JSON key for an attribute: ``video_url`` -> ``videoURL``.

    Uses the documented spelling where the docs show one (``video_id`` -> ``videoId``,
    ``voice_id`` stays ``voice_id``).
    """
    if name in _SPELLED:
        return _SPELLED[name]
    if name in _SNAKE_KEYS:
        return name
    head, *rest = name.split("_")
    return head + "".join(_ACRONYMS.get(part, part.capitalize()) for part in rest)
