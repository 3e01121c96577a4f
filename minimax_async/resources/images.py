"""``mm.images``: image generation jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._accounts import Route, file_refs, with_account
from .._converter import structure
from .._validation import image_reference_fields, validate_image_create, validate_paging
from ..models.images import Image, ImageJob, ImagePage
from ._base import Resource, body_of, new_reply_ref, path_id

__all__ = ["IMAGE_RECONCILE_WINDOW", "Images"]

#: Seconds a new image job surely stays in ``GET scheduler`` (running jobs only): images take
#: about 20 s. A create whose answer failed later than this is not resent when its replyRef is
#: not found: the images may have finished before the first look.
IMAGE_RECONCILE_WINDOW = 15.0


class Images(Resource):
    """Image generation jobs (image-01, nano-banana-pro, gpt-image-1.5, seedream-4.5)."""

    async def create(
        self,
        *,
        prompt: str,
        model: str | None = None,
        aspect_ratio: str | None = None,
        resolution: str | None = None,
        character_file_id: str | None = None,
        reference_file_ids: Sequence[str] = (),
        quantity: int | None = None,
        prompt_optimization: bool | None = None,
        reply_url: str | None = None,
        reply_ref: str | None = None,
        account: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ImageJob:
        """Start an image job of ``quantity`` images; returns their ids (``image_ids``).

        ``reference_file_ids`` are sent as ``referenceFileId1..14``. Like ``videos.create``,
        always sends a ``replyRef`` and reconciles ambiguous failures through the scheduler.
        """
        if isinstance(reference_file_ids, str):
            reference_file_ids = (reference_file_ids,)
        validate_image_create(
            prompt=prompt,
            model=model,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            character_file_id=character_file_id,
            reference_file_ids=reference_file_ids,
            quantity=quantity,
            prompt_optimization=prompt_optimization,
            reply_url=reply_url,
            reply_ref=reply_ref,
            max_jobs=None,
        )
        ref = reply_ref if reply_ref is not None else new_reply_ref()
        body = body_of(
            {
                "account": self._account(account),
                "prompt": prompt,
                "model": model,
                "aspectRatio": aspect_ratio,
                "resolution": resolution,
                "characterFileId": character_file_id,
                **image_reference_fields(reference_file_ids),
                "quantity": quantity,
                "promptOptimization": prompt_optimization,
                "replyUrl": reply_url,
                "replyRef": ref,
            },
            extra_body,
        )

        async def reconcile(span: float) -> ImageJob | None:
            found = await self._client.scheduler.find_by_reply_ref(ref, span=span)
            if not found:
                return None
            return structure(
                {
                    # Listed under ``imageId`` or ``videoId``: the documents show both.
                    "imageIds": [job.job_id for job in found],
                    "replyRef": ref,
                    "replyUrl": found[0].reply_url,
                },
                ImageJob,
            )

        # Several accounts: the references' account, else the one with the most free slots.
        route = Route("POST images/create", account, refs=file_refs(body), pick="video")
        return await self._routed(
            route,
            lambda chosen: self._client.request(
                "POST",
                "images/create",
                cast_to=ImageJob,
                json_body=with_account(body, chosen),
                kind="create",
                reconcile=reconcile,
                reconcile_window=IMAGE_RECONCILE_WINDOW,
                reply_ref=ref,
            ),
        )

    async def retrieve(self, image_id: str) -> Image:
        """An image's status and, once completed, its URLs (``GET images/{imageId}``)."""
        return await self._client.request(
            "GET", f"images/{path_id('image_id', image_id)}", cast_to=Image
        )

    async def list(
        self,
        *,
        limit: int | None = None,
        last_image_id: str | None = None,
        account: str | None = None,
    ) -> ImagePage:
        """One page of the account's images (``GET images``)."""
        validate_paging("GET images", limit=limit)
        params = {"limit": limit, "lastImageId": last_image_id, "account": self._account(account)}
        return await self._routed(
            Route("GET images", account),
            lambda chosen: self._client.request(
                "GET", "images", cast_to=ImagePage, params=with_account(params, chosen)
            ),
        )

    async def delete(self, image_id: str) -> None:
        """Delete an image (``DELETE images/{imageId}``)."""
        await self._client.request("DELETE", f"images/{path_id('image_id', image_id)}")
