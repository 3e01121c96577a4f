"""``mm.videos``: create, fetch, list, delete and cancel videos; characters; agent templates."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from .._converter import structure
from .._types import RequestOptions
from .._validation import (
    check_id,
    omni_reference_fields,
    validate_paging,
    validate_video_create,
)
from ..models.videos import Character, Video, VideoJob
from ._base import (
    Resource,
    body_of,
    check_keywords,
    next_number,
    reply_ref_or_new,
    request_fields,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

    from .._streams import AgentStream
    from ..models.video_agent import AgentTemplate, AgentTemplatePage

__all__ = ["VIDEO_RECONCILE_WINDOW", "VideoCreateParams", "Videos"]

#: Seconds a new video surely stays in ``GET scheduler`` (which lists running jobs only): the
#: quickest videos take a few minutes. A create whose answer failed later than this is not
#: resent when its replyRef is not found: the video may have finished before the first look.
VIDEO_RECONCILE_WINDOW = 90.0


class VideoCreateParams(TypedDict, total=False):
    """The keywords of ``videos.create``, shared by ``generate_video`` and batch requests.

    Every key is optional (``None`` leaves the field out of the request); see the README for
    the model x options matrix checked before anything is sent.
    """

    prompt: str | None
    model: str | None
    options: str | None
    file_id: str | None
    end_frame_file_id: str | None
    prompt_optimization: bool | None
    reply_url: str | None
    reply_ref: str | None
    max_jobs: int | None
    audio_file_ids: Sequence[str]
    video_file_ids: Sequence[str]
    account: str | None
    extra_body: Mapping[str, Any] | None


class _VideoCreateCall(VideoCreateParams, RequestOptions, total=False):
    """``videos.create``'s keywords: the request's fields and the per-call options."""


class Videos(Resource):
    """Video generation jobs."""

    async def create(self, **params: Unpack[_VideoCreateCall]) -> VideoJob:
        """Start a video job; returns at once with its ``video_id`` (``POST videos/create``).

        Takes the keywords of :class:`VideoCreateParams` (all optional; ``None`` leaves a
        field out): ``prompt``, ``model``, ``options``, ``file_id``, ``end_frame_file_id``,
        ``prompt_optimization``, ``reply_url``, ``reply_ref``, ``max_jobs``,
        ``audio_file_ids``, ``video_file_ids``, ``account``, ``extra_body``; and the per-call
        options (``timeout``, ``extra_headers``, ``extra_query``).

        Never creates a duplicate job on retries: a ``replyRef`` is always sent (yours, or a
        generated ``mma-<uuid>``) and an ambiguous failure (502, 504, lost connection) is
        resolved by finding that ``replyRef`` in ``GET scheduler`` before anything is resent.

        ``audio_file_ids`` / ``video_file_ids``: Seedance omni references, up to 3 uploaded
        mp3/wav and up to 3 mp4 files, sent as ``audioFileID1..3`` / ``videoFileID1..3``
        (``@Audio1..3`` / ``@Video1..3`` in the prompt) whatever the model. The job runs on
        their account.

        Raises:
            ValueError: an invalid model/options/end-frame combination or limit; nothing sent.
            RateLimitError: the accounts are busy (``running_videos``) after the retries.
            JobCreationUnknownError: the outcome stayed unknown; carries the ``reply_ref``.
        """
        check_keywords("videos.create", params, _VideoCreateCall)
        validate_video_create(**request_fields(params))
        ref = reply_ref_or_new(params.get("reply_ref"))
        body = body_of(
            {
                "account": self._account(params.get("account")),
                "prompt": params.get("prompt"),
                "model": params.get("model"),
                "options": params.get("options"),
                "fileID": params.get("file_id"),
                "end_frame_fileID": params.get("end_frame_file_id"),
                "promptOptimization": params.get("prompt_optimization"),
                "replyUrl": params.get("reply_url"),
                "replyRef": ref,
                "maxJobs": params.get("max_jobs"),
                **omni_reference_fields("audio_file_ids", params.get("audio_file_ids", ())),
                **omni_reference_fields("video_file_ids", params.get("video_file_ids", ())),
            },
            params.get("extra_body"),
        )
        # The API load-balances a create without account: with files, it must follow them.
        return await self._create_job(
            "videos/create",
            VideoJob,
            body,
            params,
            found_as=lambda jobs: structure(
                {"videoId": jobs[0].job_id, "replyRef": ref, "replyUrl": jobs[0].reply_url},
                VideoJob,
            ),
            reconcile_window=VIDEO_RECONCILE_WINDOW,
            balanced=True,
        )

    async def retrieve(self, video_id: str, **options: Unpack[RequestOptions]) -> Video:
        """A video's current status, progress and, once completed, its URLs."""
        return await self._retrieve("videos", "video_id", video_id, Video, options)

    async def list(
        self,
        *,
        limit: int | None = None,
        last_video_id: str | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[Video]:
        """One page of the account's videos, newest first (``GET videos``)."""
        validate_paging("GET videos", limit=limit)
        params = {"limit": limit, "lastVideoId": last_video_id, "account": self._account(account)}
        return await self._get("videos", builtins.list[Video], params, account, options)

    def iter(
        self,
        *,
        limit: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Video]:
        """Every video, fetching page after page (``limit`` per page).

        ``async for video in mm.videos.iter(): ...``; the per-call options apply to each page.
        With several accounts and no ``account`` (argument or client default), every account's
        videos, account after account.
        """
        return self._pages(
            account,
            lambda acc, last: self.list(limit=limit, last_video_id=last, account=acc, **options),
            items=lambda page: page,
            key=lambda video: video.video_id,
            next_cursor=lambda got, _: got[-1].video_id,
            size=limit,
        )

    async def delete(self, video_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a video (``DELETE videos/{videoId}``)."""
        await self._delete("videos", "video_id", video_id, options)

    async def cancel(
        self,
        video_id: str,
        *,
        extra_body: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Cancel a queued or running video (``POST videos/cancel``)."""
        # A body field, not a path: checked, but sent as given (never percent-encoded).
        body = body_of({"videoId": check_id("video_id", video_id)}, extra_body)
        await self._client.request(
            "POST", "videos/cancel", json_body=body, kind="idempotent", options=options
        )

    async def characters(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[Character]:
        """Characters detected in uploaded images (``GET videos/characters``)."""
        validate_paging("GET videos/characters", page=page, page_size=page_size)
        params = {"page": page, "pageSize": page_size, "account": self._account(account)}
        return await self._get(
            "videos/characters", builtins.list[Character], params, account, options
        )

    async def agent_templates(
        self,
        *,
        limit: int | None = None,
        last_id: str | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AgentTemplatePage:
        """One page of agent video templates (``GET videos/agent-templates``)."""
        # Imported here: the agent models load on first use (models/videos.py says why).
        from ..models.video_agent import AgentTemplatePage

        validate_paging("GET videos/agent-templates", limit=limit)
        params = {"limit": limit, "lastId": last_id, "account": self._account(account)}
        return await self._get(
            "videos/agent-templates", AgentTemplatePage, params, account, options
        )

    def iter_characters(
        self,
        *,
        page_size: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Character]:
        """Every character of the account, page after page (``videos.characters``)."""
        return self._pages(
            account,
            lambda acc, number: self.characters(
                page=number or 1, page_size=page_size, account=acc, **options
            ),
            items=lambda page: page,
            key=lambda character: character.character_id,
            next_cursor=next_number,
            size=page_size,
        )

    def iter_agent_templates(
        self,
        *,
        limit: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[AgentTemplate]:
        """Every agent template, page after page (``videos.agent_templates``)."""
        return self._pages(
            account,
            lambda acc, last: self.agent_templates(
                limit=limit, last_id=last, account=acc, **options
            ),
            items=lambda page: page.video_list,
            key=lambda template: template.id,
            next_cursor=lambda got, _: got[-1].id,
            has_more=lambda page: page.has_next,
            size=limit,
            every_account=False,
        )

    async def agent_template(
        self, template_id: str, *, account: str | None = None, **options: Unpack[RequestOptions]
    ) -> AgentTemplate:
        """One agent template with its inputs (``GET videos/agent-templates?templateId=``)."""
        from ..models.video_agent import AgentTemplate  # on first use, as in agent_templates

        params = {
            # A query value: aiohttp encodes it, so it must not be percent-encoded here.
            "templateId": check_id("template_id", template_id),
            "account": self._account(account),
        }
        return await self._get("videos/agent-templates", AgentTemplate, params, account, options)

    def agent_create(self, **kwargs: Any) -> AgentStream:
        """Start an agent-template video and stream its progress (same as ``mm.stream_agent``)."""
        from .._streams import open_agent_stream

        return open_agent_stream(self._client, **kwargs)
