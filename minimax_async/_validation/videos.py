"""``POST videos/create``: the model x options x end-frame matrix and its check."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ._rules import (
    check_bool,
    check_file_id,
    check_max_jobs,
    check_model_name,
    check_replies,
    check_sequence,
    check_str,
    choices,
    fail,
    show,
)

# --------------------------------------------------------------------------------------------
# Limits (docs 7564-7690)
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

#: Models the documents call image-to-video only: the image (``fileID``) is their input
#: (matrix "Type: Image-to-Video", docs 7586-7601; "model for image-to-video (Subject
#: Reference)" for ``S2V-01``, docs 7643-7646). ``Veo-3.1-S2V`` is not here: the documents call it
#: only "Subject Reference • character/subject consistency" (docs 7601, 7657) and ``fileID`` "is
#: optional" (docs 7622), so the server decides.
VIDEO_MODELS_REQUIRING_FILE_ID: Final = frozenset(
    {"I2V-01", "I2V-01-live", "I2V-01-Director", "S2V-01", "I2V-2.3", "I2V-2.3-Fast"}
)

#: Seedance omni references (``POST files`` May 2026 revision, 000_e42040e8fa48e633.txt):
#: parameter -> (body field prefix, most fields, what ``POST files`` Content-Types they are).
#: ``audioFileID1..3`` are ``audio/mpeg`` / ``audio/wav`` uploads (``@Audio1..3`` in the
#: prompt), ``videoFileID1..3`` are ``video/mp4`` uploads (``@Video1..3``). Sent for any model.
VIDEO_OMNI_REFERENCES: Final[Mapping[str, tuple[str, int, str]]] = MappingProxyType(
    {
        "audio_file_ids": ("audioFileID", 3, "audio (mp3, wav)"),
        "video_file_ids": ("videoFileID", 3, "video (mp4)"),
    }
)


# --------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------

_OPTION_MODELS = choices(tuple(VIDEO_MODEL_OPTIONS))


# ``user:1234-minimax:98765-file:1122``: the kind of object an id names.
_ID_KIND: Final = re.compile(r"-minimax:.+?-(?P<kind>[A-Za-z_]+):[^:]*$")


def omni_reference_fields(name: str, ids: object) -> dict[str, str]:
    """The ``{"audioFileID1": ..., ...}`` body fields of ``audio_file_ids`` / ``video_file_ids``.

    At most 3 of each; each a file id of an upload (``...-file:...``, not a video or image id).
    """
    prefix, most, kind = VIDEO_OMNI_REFERENCES[name]
    allowed = f"a list or tuple of at most {most} file ids of {kind} uploads from files.upload()"
    items = check_sequence(name, ids, allowed)
    if len(items) > most:
        fail(name, f"<{len(items)} file ids>", f"has too many references (max {most})", allowed)
    for index, item in enumerate(items):
        check_file_id(f"{name}[{index}]", item, required=True)
        match = _ID_KIND.search(str(item))
        if match is not None and match.group("kind") != "file":
            fail(
                f"{name}[{index}]",
                show(item),
                f"is a {match.group('kind')} id, not an uploaded file",
                allowed,
            )
    if len(set(items)) != len(items):
        fail(name, show(list(items)), "names a file twice", allowed)
    return {f"{prefix}{n}": str(item) for n, item in enumerate(items, start=1)}


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
    audio_file_ids: object = (),
    video_file_ids: object = (),
) -> None:
    """Check a ``POST videos/create`` request against the model x options x end-frame matrix
    (and the Seedance omni references, which any model may be sent)."""
    check_str("prompt", prompt, text=True)
    omni_reference_fields("audio_file_ids", audio_file_ids)
    omni_reference_fields("video_file_ids", video_file_ids)
    check_model_name("model", model, (*sorted(VIDEO_MODELS_WITHOUT_OPTIONS), *VIDEO_MODEL_OPTIONS))
    if options is not None and not isinstance(options, str):
        fail("options", show(options), "must be a str", "a str such as '768p-6sec'")
    check_file_id("file_id", file_id)
    check_file_id("end_frame_file_id", end_frame_file_id)
    check_bool("prompt_optimization", prompt_optimization)
    check_replies(reply_url, reply_ref)
    check_max_jobs(max_jobs)

    if end_frame_file_id is not None and end_frame_file_id == file_id:
        fail(
            "end_frame_file_id",
            show(end_frame_file_id),
            "is the same as file_id (docs: they cannot be the same, re-upload the end frame)",
            "a different file id than file_id",
        )

    # No model: the server picks T2V-01 (text) or I2V-01 (image); neither takes options.
    shown_model = repr(model) if model is not None else "None (default 'T2V-01'/'I2V-01')"
    if model is None or model in VIDEO_MODELS_WITHOUT_OPTIONS:
        if options is not None:
            fail(
                "options",
                show(options),
                f"is not supported by model {shown_model}, which takes no options",
                f"None, or a model that takes options: {_OPTION_MODELS}",
            )
        if end_frame_file_id is not None:
            fail(
                "end_frame_file_id",
                show(end_frame_file_id),
                f"is not supported by model {shown_model}",
                f"None, or model {choices(tuple(VIDEO_END_FRAME_OPTIONS))}",
            )
        if model is not None and model in VIDEO_MODELS_REQUIRING_FILE_ID and file_id is None:
            fail(
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
        fail(
            "options",
            show(options),
            f"is not supported by model {model!r}",
            choices(allowed_options),
        )
    effective = options if options is not None else VIDEO_DEFAULT_OPTIONS[model]

    if effective in VIDEO_OPTIONS_REQUIRING_FILE_ID and file_id is None:
        fail(
            "file_id",
            "None",
            f"is required with options={effective!r} (image-to-video only)",
            "a file id from files.upload()",
        )
    if model in VIDEO_MODELS_REQUIRING_FILE_ID and file_id is None:
        fail(
            "file_id",
            "None",
            f"is required by image-to-video model {model!r}",
            "a file id from files.upload()",
        )
    if end_frame_file_id is not None:
        end_frame_options = VIDEO_END_FRAME_OPTIONS.get(model)
        if end_frame_options is None:
            fail(
                "end_frame_file_id",
                show(end_frame_file_id),
                f"is not supported by model {model!r}",
                f"None, or model {choices(tuple(VIDEO_END_FRAME_OPTIONS))}",
            )
        if effective not in end_frame_options:
            fail(
                "end_frame_file_id",
                show(end_frame_file_id),
                f"is not supported by model {model!r} with options={effective!r}",
                f"options {choices(tuple(o for o in allowed_options if o in end_frame_options))}",
            )
