"""``POST llm`` (decommissioned upstream): models, file limits and the check."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Final

from ._rules import (
    check_bool,
    check_id,
    check_model_name,
    check_sequence,
    check_str,
    choices,
    comma_list,
    fail,
    show,
)

# --------------------------------------------------------------------------------------------
# Limits (docs 6742-6806)
# --------------------------------------------------------------------------------------------

#: ``model``: "mm-m1 (default), mm-01" (docs 6795-6798). Others are passed through.
LLM_MODELS: Final = ("mm-m1", "mm-01")

#: ``file``: "up to 10 files", these extensions, "maximum file size is 100MB" (docs 6804);
#: MB as the documents write it: 10^6 bytes (they never say MiB).
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
LLM_MAX_FILE_SIZE: Final = 100 * 10**6


# --------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------


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
    check_str("prompt", prompt, required=True, text=True)
    check_model_name("model", model, LLM_MODELS)
    check_bool("search_web", search_web)
    if chat_id is not None:
        check_str("chat_id", chat_id, required=True)
    items = check_sequence("files", files, f"a sequence of at most {LLM_MAX_FILES} files")
    if len(items) > LLM_MAX_FILES:
        fail("files", f"<{len(items)} files>", "has too many files", f"at most {LLM_MAX_FILES}")
    extensions = choices(LLM_FILE_EXTENSIONS)
    for index, item in enumerate(items):
        if isinstance(item, (bytes, bytearray, memoryview)) and len(item) > LLM_MAX_FILE_SIZE:
            fail(
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
            fail(
                f"files[{index}]",
                show(name),
                "does not have a supported file extension",
                extensions,
            )


def llm_delete_ids(name: str, ids: object) -> tuple[str, ...]:
    """``chat_ids`` / ``msg_ids`` of ``DELETE llm``: a sequence or the documents'
    comma-separated string (docs 487-488); ``chat_ids="all"`` deletes every chat. Given (not
    None), it must name at least one id."""
    items = comma_list(name, ids, what="ids", required=True)
    for index, item in enumerate(items):
        check_id(f"{name}[{index}]", item)
    return items
