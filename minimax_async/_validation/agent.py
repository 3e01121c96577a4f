"""``POST agent`` and ``POST videos/agent-create``: the documented models and the checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ._rules import (
    check_file_id,
    check_max_jobs,
    check_replies,
    check_sequence,
    check_str,
    choices,
    comma_list,
    fail,
    show,
)

# --------------------------------------------------------------------------------------------
# Limits (docs 5136-5219)
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
# Checks
# --------------------------------------------------------------------------------------------


def agent_models(models: object) -> tuple[str, ...]:
    """The model names of ``models``: a sequence or the documents' comma-separated string
    (``"hailuo-2.3,nano-banana-2"``, docs 5186); at least one is required."""
    return comma_list(
        "models",
        models,
        what="model names",
        hint=f" such as {choices(AGENT_MODELS)}",
        required=True,
    )


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
    check_str("prompt", prompt, required=True, text=True)
    agent_models(models)
    check_sequence("files", files, "a sequence of files (paths, bytes or file objects)")
    check_replies(reply_url, reply_ref)


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
    check_str("template_id", template_id, required=True)
    check_str("prompt", prompt, text=True)
    check_file_id("file_id", file_id)
    check_str("oss_path", oss_path)
    if file_id is not None and oss_path is None:
        fail(
            "oss_path",
            "None",
            "is required when file_id is given",
            "the ossPath returned by files.upload() with that file_id",
        )
    if oss_path is not None and file_id is None:
        fail(
            "oss_path",
            show(oss_path),
            "cannot be given without file_id",
            "None, or together with file_id",
        )
    if oss_path is not None and not oss_path.strip():
        fail("oss_path", show(oss_path), "must not be empty", "the ossPath from files.upload()")
    check_replies(reply_url, reply_ref)
    check_max_jobs(max_jobs)
