"""Models of the video endpoints: videos, video jobs, characters.

The agent templates and the ``videos/agent-create`` stream events are in :mod:`.video_agent`,
so that the first ``videos.retrieve`` builds only the models a video needs (``attrs`` compiles
methods for every class it builds; ``benchmarks/import_time.py``). Their names still resolve
from this module, loaded on first use, as they did when they were defined here.
"""

from __future__ import annotations

import importlib
from typing import Any

import attrs

from ._shared import Model, StatusInfo
from ._status import GenerationStatus, VideoLikeStatus

__all__ = [
    "Character",
    "CharacterFile",
    "GenerationTask",
    "OriginFile",
    "RunningVideo",
    "Tag",
    "Video",
    "VideoJob",
    "VideoJobData",
    "VideoStatus",
]


class VideoStatus(GenerationStatus):
    """Values of :attr:`Video.status` (plain ints; unknown values are tolerated)."""


@attrs.frozen(kw_only=True, repr=False)
class GenerationTask(Model):
    """The upstream batch a create call started (video and image creation)."""

    batch_id: str | None = None
    video_ids: list[str] | None = None


@attrs.frozen(kw_only=True, repr=False)
class VideoJobData(Model):
    """The upstream ``data`` block of older ``videos/create`` responses."""

    id: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class RunningVideo(Model):
    """A video occupying one of an account's ``maxJobs`` slots (429 ``runningVideos``)."""

    account: str | None = None
    id: str | None = None
    scheduled_video: str | None = None
    video_id: str | None = None
    started: str | None = None
    reply_url: str | None = None
    reply_ref: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class VideoJob(Model):
    """The result of ``POST videos/create``: poll :attr:`video_id` for the video."""

    id: str | None = None
    task: GenerationTask | None = None
    video_id: str
    reply_url: str | None = None
    reply_ref: str | None = None
    data: VideoJobData | None = None
    status_info: StatusInfo | None = None
    code: int | None = None
    # Listed by the docs' model; only error bodies carry them (see ``ErrorBody``).
    error: str | None = None
    running_videos: dict[str, list[RunningVideo]] | None = None


@attrs.frozen(kw_only=True, repr=False)
class OriginFile(Model):
    """An input file a video was generated from."""

    id: str | None = None
    url: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Video(VideoLikeStatus, Model):
    """A video and its generation state (``GET videos/{videoId}``, ``GET videos``).

    ``status`` stays a plain int (see :class:`VideoStatus`); ``message`` and ``percent`` report
    progress while it runs. ``download_url`` has no watermark (paid accounts).
    """

    id: str | None = None
    desc: str | None = None
    cover_url: str | None = None
    video_url: str | None = None
    download_url: str | None = None
    status: int
    status_label: str | None = None
    status_final: bool | None = None
    message: str | None = None
    percent: float | None = None
    width: int | None = None
    height: int | None = None
    origin_files: list[OriginFile] | None = None
    can_appeal: bool | None = None
    can_retry: bool | None = None
    video_id: str


@attrs.frozen(kw_only=True, repr=False)
class CharacterFile(Model):
    """The upload a character was made from: ``cdn_url`` the original, ``prompt_img_url`` the
    detected face."""

    file_id: str | None = None
    cdn_url: str | None = None
    prompt_img_url: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Character(Model):
    """A character usable as a subject reference (``GET videos/characters``)."""

    character_id: str
    character_type: int | None = None
    file: CharacterFile | None = None


@attrs.frozen(kw_only=True, repr=False)
class Tag(Model):
    """A label shown on a generated video or image."""

    type: str | None = None
    tag_icon: str | None = None
    tag_text: str | None = None


def __getattr__(name: str) -> Any:
    # The names that moved to .video_agent (its ``__all__``), resolved on first use (see the
    # module docstring); private probes (``__path__`` ...) never load it.
    if not name.startswith("_"):
        moved = importlib.import_module(".video_agent", __package__)
        if name in moved.__all__:
            return getattr(moved, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
