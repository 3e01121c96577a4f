"""``mm.images``: image generation jobs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from .._converter import structure
from .._types import RequestOptions
from .._validation import (
    image_reference_fields,
    validate_image_create,
    validate_paging,
)
from ..models.images import Image, ImageJob, ImagePage
from ._base import (
    Resource,
    body_of,
    check_keywords,
    reply_ref_or_new,
    request_fields,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = ["IMAGE_RECONCILE_WINDOW", "ImageCreateParams", "Images"]

#: Seconds a new image job surely stays in ``GET scheduler`` (running jobs only): images take
#: about 20 s. A create whose answer failed later than this is not resent when its replyRef is
#: not found: the images may have finished before the first look.
IMAGE_RECONCILE_WINDOW = 15.0


class _ImagePrompt(TypedDict):
    prompt: str


class ImageCreateParams(_ImagePrompt, total=False):
    """The keywords of ``images.create`` (``prompt`` required), shared by ``generate_images``
    and batch requests. ``None`` leaves a field out of the request."""

    model: str | None
    aspect_ratio: str | None
    resolution: str | None
    character_file_id: str | None
    reference_file_ids: Sequence[str]
    quantity: int | None
    prompt_optimization: bool | None
    reply_url: str | None
    reply_ref: str | None
    account: str | None
    extra_body: Mapping[str, Any] | None


class _ImageCreateCall(ImageCreateParams, RequestOptions, total=False):
    """``images.create``'s keywords: the request's fields and the per-call options."""


class Images(Resource):
    """Image generation jobs (image-01, nano-banana-pro, gpt-image-1.5, seedream-4.5)."""

    async def create(self, **params: Unpack[_ImageCreateCall]) -> ImageJob:
        """Start an image job of ``quantity`` images; returns their ids (``image_ids``).

        Takes the keywords of :class:`ImageCreateParams` (``prompt`` required) and the
        per-call options (``timeout``, ``extra_headers``, ``extra_query``).
        ``reference_file_ids`` are sent as ``referenceFileId1..14``. Like ``videos.create``,
        always sends a ``replyRef`` and reconciles ambiguous failures through the scheduler.
        """
        check_keywords("images.create", params, _ImageCreateCall)
        fields = request_fields(params)
        references = fields.get("reference_file_ids", ())
        if isinstance(references, str):
            fields["reference_file_ids"] = references = (references,)
        validate_image_create(**fields)
        ref = reply_ref_or_new(params.get("reply_ref"))
        body = body_of(
            {
                "account": self._account(params.get("account")),
                "prompt": params["prompt"],
                "model": params.get("model"),
                "aspectRatio": params.get("aspect_ratio"),
                "resolution": params.get("resolution"),
                "characterFileId": params.get("character_file_id"),
                **image_reference_fields(references),
                "quantity": params.get("quantity"),
                "promptOptimization": params.get("prompt_optimization"),
                "replyUrl": params.get("reply_url"),
                "replyRef": ref,
            },
            params.get("extra_body"),
        )
        # Several accounts: the references' account, else the one with the most free slots.
        return await self._create_job(
            "images/create",
            ImageJob,
            body,
            params,
            found_as=lambda jobs: structure(
                {
                    # Listed under ``imageId`` or ``videoId``: the documents show both.
                    "imageIds": [job.job_id for job in jobs],
                    "replyRef": ref,
                    "replyUrl": jobs[0].reply_url,
                },
                ImageJob,
            ),
            reconcile_window=IMAGE_RECONCILE_WINDOW,
            pick="video",
        )

    async def retrieve(self, image_id: str, **options: Unpack[RequestOptions]) -> Image:
        """An image's status and, once completed, its URLs (``GET images/{imageId}``)."""
        return await self._retrieve("images", "image_id", image_id, Image, options)

    async def list(
        self,
        *,
        limit: int | None = None,
        last_image_id: str | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ImagePage:
        """One page of the account's images (``GET images``)."""
        validate_paging("GET images", limit=limit)
        params = {"limit": limit, "lastImageId": last_image_id, "account": self._account(account)}
        return await self._get("images", ImagePage, params, account, options)

    def iter(
        self,
        *,
        limit: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Image]:
        """Every image of the account, page after page (``limit`` per page)."""
        return self._pages(
            account,
            lambda acc, last: self.list(limit=limit, last_image_id=last, account=acc, **options),
            items=lambda page: page.images,
            key=lambda image: image.image_id,
            next_cursor=lambda got, _: got[-1].image_id,
            has_more=lambda page: page.has_next,
            size=limit,
        )

    async def delete(self, image_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete an image (``DELETE images/{imageId}``)."""
        await self._delete("images", "image_id", image_id, options)
