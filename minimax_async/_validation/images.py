"""``POST images/create``: the per-model tables and the check."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from ._rules import (
    check_bool,
    check_file_id,
    check_int,
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
# Limits (docs 6504-6595)
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
# Check
# --------------------------------------------------------------------------------------------

# Ids look like ``user:1234-minimax:987654321-file:…``; the account is the ``minimax:`` part.
_ACCOUNT_IN_ID: Final = re.compile(r"-minimax:([^-:]+)-")


def _check_reference_ids(reference_file_ids: object, maximum: int, model_note: str) -> None:
    refs = check_sequence(
        "reference_file_ids", reference_file_ids, f"a sequence of at most {maximum} file ids"
    )
    if len(refs) > maximum:
        fail(
            "reference_file_ids",
            f"<{len(refs)} file ids>",
            f"has too many reference images{model_note}",
            f"at most {maximum}",
        )
    for index, ref in enumerate(refs):
        check_file_id(f"reference_file_ids[{index}]", ref, required=True)


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
    check_model_name("model", model, tuple(IMAGE_RESOLUTIONS))
    known = effective in IMAGE_RESOLUTIONS
    prompt_max = IMAGE_PROMPT_MAX_LENGTH.get(effective)
    check_str(
        "prompt",
        prompt,
        required=True,
        max_length=prompt_max,
        text=True,
        what=f" for model {effective!r}",
    )
    for name, value in (("aspect_ratio", aspect_ratio), ("resolution", resolution)):
        if value is not None and not isinstance(value, str):
            fail(name, show(value), "must be a str", "a str such as '16:9' or '2K'")
    check_file_id("character_file_id", character_file_id)
    check_int("quantity", quantity, *IMAGE_QUANTITY_RANGE, required=False)
    check_bool("prompt_optimization", prompt_optimization)
    check_replies(reply_url, reply_ref)
    check_max_jobs(max_jobs)

    max_refs = IMAGE_MAX_REFERENCES.get(effective, IMAGE_REFERENCE_FIELDS_MAX)
    if known and max_refs == 0:
        refs = check_sequence("reference_file_ids", reference_file_ids, "a sequence of file ids")
        if refs:
            with_refs = tuple(m for m, n in IMAGE_MAX_REFERENCES.items() if n)
            fail(
                "reference_file_ids",
                show(list(refs)),
                f"is not supported by model {effective!r} (use character_file_id)",
                f"an empty sequence, or model {choices(with_refs)}",
            )
    else:
        note = f" for model {effective!r}" if known else ""
        _check_reference_ids(reference_file_ids, max_refs, note)
        # "All reference files must belong to the same account" (docs 6586); only checked
        # when every id has the documented shape.
        matches = [_ACCOUNT_IN_ID.search(ref) for ref in reference_file_ids or ()]
        owners = sorted({m.group(1) for m in matches if m is not None})
        if len(owners) > 1 and all(m is not None for m in matches):
            fail(
                "reference_file_ids",
                show(list(reference_file_ids or ())),
                f"mixes files of accounts {choices(owners)}",
                "reference files that all belong to the same account",
            )

    if not known:
        return  # unknown model: passed through

    for name, value, table in (
        ("resolution", resolution, IMAGE_RESOLUTIONS),
        ("aspect_ratio", aspect_ratio, IMAGE_ASPECT_RATIOS),
    ):
        if value is not None and value not in table[effective]:
            fail(
                name,
                show(value),
                f"is not supported by model {effective!r}",
                choices(table[effective]),
            )
    if character_file_id is not None and effective not in IMAGE_CHARACTER_MODELS:
        fail(
            "character_file_id",
            show(character_file_id),
            f"is not supported by model {effective!r} (use reference_file_ids)",
            f"None, or model {choices(IMAGE_CHARACTER_MODELS)}",
        )
