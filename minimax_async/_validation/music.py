"""``GET music/create`` (decommissioned upstream): the lyrics limit and the check."""

from __future__ import annotations

from typing import Final

from ._rules import (
    check_str,
)

# --------------------------------------------------------------------------------------------
# Limits (docs 3429-3462)
# --------------------------------------------------------------------------------------------

#: ``prompt`` (lyrics): "Maximum length 600 characters" (docs 3460).
MUSIC_PROMPT_MAX_LENGTH: Final = 600


# --------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------


def validate_music_create(
    *, prompt: str | None = None, style_id: str | None = None, title: str | None = None
) -> None:
    """Check a ``GET music/create`` request: lyrics of at most 600 characters and a style."""
    check_str("prompt", prompt, required=True, max_length=MUSIC_PROMPT_MAX_LENGTH, text=True)
    check_str("style_id", style_id, required=True)
    check_str("title", title)
