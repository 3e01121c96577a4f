"""Models of the image endpoints."""

from __future__ import annotations

from typing import Any

import attrs

from ._shared import Model
from ._status import GenerationStatus, VideoLikeStatus
from .videos import GenerationTask, Tag

__all__ = ["Image", "ImageExtra", "ImageJob", "ImagePage", "ImageStatus", "ImageUrls"]


class ImageStatus(GenerationStatus):
    """Values of :attr:`Image.status` (the same states as videos; unknown values tolerated)."""


@attrs.frozen(kw_only=True, repr=False)
class ImageJob(Model):
    """The result of ``POST images/create``: poll each of :attr:`image_ids`."""

    id: str | None = None
    task: GenerationTask | None = None
    is_first_generate: bool | None = None
    image_ids: list[str]
    reply_url: str | None = None
    reply_ref: str | None = None
    code: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class ImageExtra(Model):
    """The JSON ``extra`` object of an image."""

    camera_motions: list[Any] | None = None
    prompt_struct: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class ImageUrls(Model):
    """Alternative URLs of an image (``videoURLs``)."""

    feed_url: str | None = None
    download_url_with_watermark: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Image(VideoLikeStatus, Model):
    """An image and its generation state (``GET images/{imageId}``).

    The picture is at ``video_url`` (the API reuses the video shape); ``download_url`` has no
    watermark (paid accounts). ``status`` stays a plain int (see :class:`ImageStatus`).
    """

    id: str | None = None
    desc: str | None = None
    cover_url: str | None = None
    video_url: str | None = None
    status: int
    message: str | None = None
    percent: float | None = None
    can_retry: bool | None = None
    width: int | None = None
    height: int | None = None
    origin_files: list[Any] | None = None
    can_appeal: bool | None = None
    download_url: str | None = None
    has_voice: bool | None = None
    model_id: str | None = None
    use_origin_prompt: bool | None = None
    is_bookmarked: bool | None = None
    disable_generate_similar: bool | None = None
    create_time: int | None = None
    post_status: int | None = None
    user_id: int | None = None
    create_type: int | None = None
    prompt_img_url: str | None = None
    is_visitor: bool | None = None
    video_urls: ImageUrls | None = None
    priority: int | None = None
    generator_type: int | None = None
    is_in_folder: bool | None = None
    batch_id: str | None = None
    aspect_ratio: str | None = None
    file_id: str | None = None
    tags: list[Tag] | None = None
    duration: float | None = None
    resolution: int | None = None
    human_check_status: int | None = None
    user_id_str: str | None = None
    status_label: str | None = None
    status_final: bool | None = None
    image_id: str
    extra: ImageExtra | None = None


@attrs.frozen(kw_only=True, repr=False)
class ImagePage(Model):
    """One page of images (``GET images``); the list is ``images``."""

    images: list[Image] | None = None
    has_pre: bool | None = None
    has_next: bool | None = None
    processing: bool | None = None
    total: int | None = None
