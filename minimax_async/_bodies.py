"""The JSON body of a call and its ``replyRef``: shared by resources, streams and batches.

Below all three (it imports nothing of the SDK), so the agent-create stream and the batch build
bodies and reply references exactly as ``videos.create`` does without importing the resources.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["body_of", "new_reply_ref", "reply_ref_or_new"]


def new_reply_ref() -> str:
    """A fresh ``replyRef`` that lets the SDK find a job after an ambiguous create."""
    return f"mma-{uuid.uuid4()}"


def reply_ref_or_new(given: str | None) -> str:
    """The caller's ``replyRef``, else a fresh one (a create always sends one)."""
    return given if given is not None else new_reply_ref()


def body_of(fields: Mapping[str, Any], extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON body from ``fields`` (``None`` values left out), ``extra_body`` merged last."""
    body = {k: v for k, v in fields.items() if v is not None}
    if extra_body:
        body.update(extra_body)
    return body
