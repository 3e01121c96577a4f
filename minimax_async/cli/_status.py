"""The CLI's words for a video or image status (``processing 40%``), shared by its commands and
its error messages (its own module: the error messages sit below the commands)."""

from __future__ import annotations

from ..models.images import Image
from ..models.videos import Video

__all__ = ["status_text"]

_STATUS_LABELS = {
    0: "pending",
    1: "processing",
    2: "completed",
    3: "failed",
    5: "moderated",
    7: "moderated",
    11: "queued",
    12: "processing",
    14: "moderated",
}


def status_text(job: Video | Image) -> str:
    """``processing 40%``-style text for a video or image snapshot."""
    label = job.status_label or _STATUS_LABELS.get(job.status or -1, f"status {job.status}")
    if job.percent is not None and not job.is_final:
        return f"{label} {job.percent:g}%"
    return label
