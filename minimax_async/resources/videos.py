"""``mm.videos``: create, fetch, list, delete and cancel videos; characters; agent templates."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._accounts import Route, each_account, file_refs, with_account
from .._converter import structure
from .._validation import (
    check_id,
    omni_reference_fields,
    validate_paging,
    validate_video_create,
)
from ..models.videos import AgentTemplate, AgentTemplatePage, Character, Video, VideoJob
from ._base import Resource, body_of, new_reply_ref, path_id

if TYPE_CHECKING:
    from .._streams import AgentStream

__all__ = ["VIDEO_RECONCILE_WINDOW", "Videos"]

#: Seconds a new video surely stays in ``GET scheduler`` (which lists running jobs only): the
#: quickest videos take a few minutes. A create whose answer failed later than this is not
#: resent when its replyRef is not found: the video may have finished before the first look.
VIDEO_RECONCILE_WINDOW = 90.0


class Videos(Resource):
    """Video generation jobs."""

    async def create(
        self,
        *,
        prompt: str | None = None,
        model: str | None = None,
        options: str | None = None,
        file_id: str | None = None,
        end_frame_file_id: str | None = None,
        prompt_optimization: bool | None = None,
        reply_url: str | None = None,
        reply_ref: str | None = None,
        max_jobs: int | None = None,
        audio_file_ids: Sequence[str] = (),
        video_file_ids: Sequence[str] = (),
        account: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> VideoJob:
        """Start a video job; returns at once with its ``video_id`` (``POST videos/create``).

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
        validate_video_create(
            prompt=prompt,
            model=model,
            options=options,
            file_id=file_id,
            end_frame_file_id=end_frame_file_id,
            prompt_optimization=prompt_optimization,
            reply_url=reply_url,
            reply_ref=reply_ref,
            max_jobs=max_jobs,
            audio_file_ids=audio_file_ids,
            video_file_ids=video_file_ids,
        )
        ref = reply_ref if reply_ref is not None else new_reply_ref()
        body = body_of(
            {
                "account": self._account(account),
                "prompt": prompt,
                "model": model,
                "options": options,
                "fileID": file_id,
                "end_frame_fileID": end_frame_file_id,
                "promptOptimization": prompt_optimization,
                "replyUrl": reply_url,
                "replyRef": ref,
                "maxJobs": max_jobs,
                **omni_reference_fields("audio_file_ids", audio_file_ids),
                **omni_reference_fields("video_file_ids", video_file_ids),
            },
            extra_body,
        )

        async def reconcile(span: float) -> VideoJob | None:
            found = await self._client.scheduler.find_by_reply_ref(ref, span=span)
            if not found:
                return None
            job = found[0]
            return structure(
                {"videoId": job.job_id, "replyRef": ref, "replyUrl": job.reply_url}, VideoJob
            )

        # The API load-balances a create without account: with files, it must follow them.
        route = Route("POST videos/create", account, refs=file_refs(body), balanced=True)
        return await self._routed(
            route,
            lambda chosen: self._client.request(
                "POST",
                "videos/create",
                cast_to=VideoJob,
                json_body=with_account(body, chosen),
                kind="create",
                reconcile=reconcile,
                reconcile_window=VIDEO_RECONCILE_WINDOW,
                reply_ref=ref,
            ),
        )

    async def retrieve(self, video_id: str) -> Video:
        """A video's current status, progress and, once completed, its URLs."""
        return await self._client.request(
            "GET", f"videos/{path_id('video_id', video_id)}", cast_to=Video
        )

    async def list(
        self,
        *,
        limit: int | None = None,
        last_video_id: str | None = None,
        account: str | None = None,
    ) -> builtins.list[Video]:
        """One page of the account's videos, newest first (``GET videos``)."""
        validate_paging("GET videos", limit=limit)
        params = {"limit": limit, "lastVideoId": last_video_id, "account": self._account(account)}
        return await self._routed(
            Route("GET videos", account),
            lambda chosen: self._client.request(
                "GET", "videos", cast_to=builtins.list[Video], params=with_account(params, chosen)
            ),
        )

    def iter(self, *, limit: int | None = None, account: str | None = None) -> AsyncIterator[Video]:
        """Every video, fetching page after page (``limit`` per page).

        With several accounts and no ``account`` (argument or client default), every account's
        videos, account after account.
        """
        return each_account(
            self._client, account, lambda acc: self._iter_account(limit=limit, account=acc)
        )

    async def _iter_account(
        self, *, limit: int | None, account: str | None
    ) -> AsyncIterator[Video]:
        last: str | None = None
        seen: set[str] = set()
        while True:
            page = await self.list(limit=limit, last_video_id=last, account=account)
            fresh = [v for v in page if (v.video_id or v.id) not in seen]
            for video in fresh:
                seen.add(str(video.video_id or video.id))
                yield video
            if not fresh or (limit is not None and len(page) < limit):
                return
            last = page[-1].video_id or page[-1].id

    async def delete(self, video_id: str) -> None:
        """Delete a video (``DELETE videos/{videoId}``)."""
        await self._client.request("DELETE", f"videos/{path_id('video_id', video_id)}")

    async def cancel(self, video_id: str, *, extra_body: Mapping[str, Any] | None = None) -> None:
        """Cancel a queued or running video (``POST videos/cancel``)."""
        # A body field, not a path: checked, but sent as given (never percent-encoded).
        body = body_of({"videoId": check_id("video_id", video_id)}, extra_body)
        await self._client.request("POST", "videos/cancel", json_body=body, kind="idempotent")

    async def characters(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        account: str | None = None,
    ) -> builtins.list[Character]:
        """Characters detected in uploaded images (``GET videos/characters``)."""
        validate_paging("GET videos/characters", page=page, page_size=page_size)
        params = {"page": page, "pageSize": page_size, "account": self._account(account)}
        return await self._routed(
            Route("GET videos/characters", account),
            lambda chosen: self._client.request(
                "GET",
                "videos/characters",
                cast_to=builtins.list[Character],
                params=with_account(params, chosen),
            ),
        )

    async def agent_templates(
        self,
        *,
        limit: int | None = None,
        last_id: str | None = None,
        account: str | None = None,
    ) -> AgentTemplatePage:
        """One page of agent video templates (``GET videos/agent-templates``)."""
        validate_paging("GET videos/agent-templates", limit=limit)
        params = {"limit": limit, "lastId": last_id, "account": self._account(account)}
        return await self._routed(
            Route("GET videos/agent-templates", account),
            lambda chosen: self._client.request(
                "GET",
                "videos/agent-templates",
                cast_to=AgentTemplatePage,
                params=with_account(params, chosen),
            ),
        )

    async def agent_template(
        self, template_id: str, *, account: str | None = None
    ) -> AgentTemplate:
        """One agent template with its inputs (``GET videos/agent-templates?templateId=``)."""
        params = {
            # A query value: aiohttp encodes it, so it must not be percent-encoded here.
            "templateId": check_id("template_id", template_id),
            "account": self._account(account),
        }
        return await self._routed(
            Route("GET videos/agent-templates", account),
            lambda chosen: self._client.request(
                "GET",
                "videos/agent-templates",
                cast_to=AgentTemplate,
                params=with_account(params, chosen),
            ),
        )

    def agent_create(self, **kwargs: Any) -> AgentStream:
        """Start an agent-template video and stream its progress (same as ``mm.stream_agent``)."""
        return self._client.stream_agent(**kwargs)
