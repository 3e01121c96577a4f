"""The one rule deciding whether a polled generation is final."""

from __future__ import annotations

from collections.abc import Container

__all__ = ["is_final_status"]


def is_final_status(
    status: object,
    status_final: bool | None,
    *,
    final: Container[object],
    running: Container[object],
) -> bool:
    """Known final statuses end a wait, known running ones never; an unknown one ends it only
    when the server says ``statusFinal: true``."""
    if status in final:
        return True
    if status in running:
        return False
    return status_final is True
