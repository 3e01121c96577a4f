"""``AsyncMiniMax``: configuration, lifecycle, resources and job helpers."""

from __future__ import annotations

import contextlib
import os
import pathlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
import attrs

from . import _jobs
from ._base_client import DEFAULT_MAX_RESPONSE_BYTES, SessionHolder
from ._client_config import from_environment
from ._client_resources import ClientResources
from ._downloads import download as _download
from ._logs import logging_from_env
from ._polling import VideoWaitOptions, WaitOptions, WatchVideoOptions, wake_registry
from ._streams import AgentStream, open_agent_stream
from ._types import NOT_GIVEN, NotGiven, ProgressCallback, Timeout
from ._watcher import SharedWatcher, scheduler_ids

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

    # Loaded where they are used, not here: the batch methods import sqlite3 and the journal;
    # each resource, with its models, is built on first use (``_client_resources.py``; building
    # every model class was most of the import time: "Speed-ups" in docs/architecture.md).
    from .batch import Batch, BatchOptions, BatchRequest
    from .models.agent import AgentJob
    from .models.images import Image
    from .models.music import Music
    from .models.videos import Video
    from .postgres import PostgresCoordinator
    from .resources.images import ImageCreateParams
    from .resources.videos import VideoCreateParams

    class GenerateVideoParams(VideoCreateParams, VideoWaitOptions, total=False):
        """``generate_video``'s keywords: the create call's and the wait's."""

    class GenerateImagesParams(ImageCreateParams, WaitOptions["Image"], total=False):
        """``generate_images``'s keywords: the create call's and the wait's."""


__all__ = ["DEFAULT_BASE_URL", "AsyncMiniMax"]

DEFAULT_BASE_URL = "https://api.useapi.net/v1/minimax"

#: The longest a shared watcher's scheduler read may take (seconds), retries included.
SCHEDULER_READ_LIMIT = 30.0


class AsyncMiniMax(ClientResources):
    """An async session with the useapi.net MiniMax API v1.

    Args:
        api_token: the useapi.net API token; else ``USEAPI_TOKEN``.
        base_url: else ``USEAPI_BASE_URL``, else ``https://api.useapi.net/v1/minimax``.
        account: default ``account`` for calls that take one; else ``USEAPI_MINIMAX_ACCOUNT``.
        timeout: default per-call :class:`Timeout` (a number is the total seconds per call).
        max_retries: retries of a failed call (see the retry rules in the README).
        session: an ``aiohttp.ClientSession`` to borrow (never closed by this client);
            otherwise one is created on first use and closed by :meth:`aclose`.
        default_headers: extra headers sent with every request.
        coordinator: coordinates waits with other processes (a
            :class:`~minimax_async.postgres.PostgresCoordinator`): webhook wake-ups reach
            every process, and one process reads ``GET scheduler`` for all.
        max_response_bytes: the longest answer read whole (JSON bodies and error bodies,
            counted after decompression; default 32 MiB). A longer one raises
            :class:`ResponseTooLargeError` and is not retried.

    Raises:
        ConfigurationError: no API token was given nor found in ``USEAPI_TOKEN``.

    Use it as ``async with AsyncMiniMax() as mm: ...`` or call :meth:`aclose` when done.
    """

    #: Private switch: False makes every wait poll its job on its own (benchmarks, debugging).
    _shared_watcher: bool = True

    def __init__(
        self,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        account: str | NotGiven | None = NOT_GIVEN,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 2,
        session: aiohttp.ClientSession | None = None,
        default_headers: Mapping[str, str] | None = None,
        coordinator: PostgresCoordinator | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        _holder: SessionHolder | None = None,
    ) -> None:
        logging_from_env()  # MINIMAX_ASYNC_LOG=debug: print the SDK's logs on stderr
        super().__init__(
            api_token=from_environment("api_token", api_token, "USEAPI_TOKEN", "API token"),
            base_url=from_environment(
                "base_url", base_url or None, "USEAPI_BASE_URL", "base URL", DEFAULT_BASE_URL
            ),
            timeout=timeout,
            max_retries=max_retries,
            holder=_holder or SessionHolder(session),
            default_headers=default_headers,
            max_response_bytes=max_response_bytes,
        )
        # An explicit ``account=None`` means "let the API choose", even when the variable is set.
        self._account_default: str | None = (
            os.environ.get("USEAPI_MINIMAX_ACCOUNT") or None
            if isinstance(account, NotGiven)
            else account
        )
        # One GET scheduler per poll interval for all video/image waits (shared with copies).
        self._watcher = SharedWatcher(self._watcher_ids, lambda delay: self._sleep(delay))
        self._coordinator = coordinator

    # -- configuration and lifecycle -----------------------------------------------------

    @property
    def account(self) -> str | None:
        """The default ``account`` for calls that take one (None: the API chooses)."""
        return self._account_default

    def with_options(
        self,
        *,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        account: str | NotGiven | None = NOT_GIVEN,
    ) -> AsyncMiniMax:
        """A copy with other defaults, sharing this client's token and HTTP session."""
        clone = AsyncMiniMax(
            self._ClientConfig__token,  # type: ignore[attr-defined]
            base_url=self.base_url,
            account=self._account_default if isinstance(account, NotGiven) else account,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=self._default_headers,
            max_response_bytes=self.max_response_bytes,
            _holder=self._holder,
        )
        clone._sleep = self._sleep
        clone._watcher = self._watcher
        clone._coordinator = self._coordinator
        clone._shared_watcher = self._shared_watcher
        return clone

    def __repr__(self) -> str:
        return (
            f"AsyncMiniMax(base_url={self.base_url!r}, account={self._account_default!r}, "
            f"max_retries={self.max_retries}, timeout={self.timeout!r})"
        )

    async def aclose(self) -> None:
        """Close the HTTP session if this client created it. The client cannot be reused."""
        await self._watcher.aclose()
        if self._coordinator is not None:
            await self._coordinator.aclose()
        await self._holder.aclose()

    async def close(self) -> None:
        """The same as :meth:`aclose` (openai-python's name)."""
        await self.aclose()

    async def __aenter__(self) -> AsyncMiniMax:
        if self._coordinator is not None:
            await self._coordinator.start(wake_registry(self._holder).notify)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- job helpers ---------------------------------------------------------------------

    @property
    def _waits_watcher(self) -> SharedWatcher | None:
        return self._watcher if self._shared_watcher else None

    async def _watcher_ids(self) -> set[str]:
        """A round of the shared watcher: through the coordinator when there is one."""
        if self._coordinator is not None:
            return await self._coordinator.scheduler_ids(self._scheduler_ids)
        return await self._scheduler_ids()

    async def _scheduler_ids(self) -> set[str]:
        """The ids ``GET scheduler`` lists (videos and images), for the shared watcher."""
        total = SCHEDULER_READ_LIMIT
        if self.timeout.total is not None:
            total = min(total, self.timeout.total)
        raw = await self.request(
            "GET",
            "scheduler",
            cast_to=bytes,  # parsed by the watcher a slice at a time; no models built
            timeout=attrs.evolve(self.timeout, total=total),
        )
        return await scheduler_ids(raw)

    async def wait_for_video(self, video_id: str, **options: Unpack[VideoWaitOptions]) -> Video:
        """Poll a video until it is final and return it once completed.

        Keywords (:class:`~minimax_async.VideoWaitOptions`): ``timeout`` seconds before
        :class:`WaitTimeoutError` (default 1800; None: wait forever); ``poll_interval`` fixed
        seconds between polls (default 2 s growing x1.5 to 10 s); ``on_progress`` called (sync
        or async) with each new snapshot; ``raise_on_failure`` False returns failed/moderated
        videos instead of raising; ``cancel_on_timeout`` on timeout, also make one bounded
        ``videos.cancel``; ``on_error`` called (sync or async) with the error of each failed
        poll the wait survives (the API unreachable, a 5xx...): the wait goes on, but not blind.

        Raises:
            ValueError: ``video_id`` is malformed or an image id (``-image:``); nothing sent.
            GenerationFailedError: status 3. GenerationModeratedError: 5, 7, 14 or removed.
            WaitTimeoutError: the deadline passed; ``.result`` is the last snapshot,
                ``.last_error`` the last failed poll's error when the polls were failing.
            AuthenticationError: the token was refused (the wait ends at once).
        """
        return await _jobs.wait(_jobs.VIDEO, self, "wait_for_video", "video_id", video_id, options)

    async def watch_video(
        self, video_id: str, **options: Unpack[WatchVideoOptions]
    ) -> AsyncIterator[Video]:
        """Yield each new snapshot of a video (status or percent changed), ending at the final.

        Does not raise for failed or moderated videos: the last snapshot tells. Keywords as
        for :meth:`wait_for_video` (``timeout`` default 1800, ``poll_interval``,
        ``cancel_on_timeout``, ``on_error``).
        """
        snapshots = _jobs.watch(_jobs.VIDEO, self, "watch_video", "video_id", video_id, options)
        async with contextlib.aclosing(snapshots):
            async for snapshot in snapshots:
                yield snapshot

    async def wait_for_image(self, image_id: str, **options: Unpack[WaitOptions[Image]]) -> Image:
        """Poll an image until it is final and return it once completed (states as videos).

        Refuses a video id (``-video:``) at once. Keywords as for :meth:`wait_for_video`
        (:class:`~minimax_async.WaitOptions`; ``timeout`` default 600).
        """
        return await _jobs.wait(_jobs.IMAGE, self, "wait_for_image", "image_id", image_id, options)

    async def wait_for_images(
        self, image_ids: Sequence[str], **options: Unpack[WaitOptions[Image]]
    ) -> list[Image]:
        """Wait for every image concurrently; results in the order of ``image_ids``.

        Every wait runs to its end before a failure is raised, so no result is lost: the
        raised error's ``.result`` is the first failed image, the rest are in
        ``error.results`` (all snapshots, in order). Keywords as for :meth:`wait_for_image`.
        """
        return await _jobs.wait_many(
            _jobs.IMAGE, self, "wait_for_images", "image_ids", image_ids, options
        )

    async def wait_for_music(self, music_id: str, **options: Unpack[WaitOptions[Music]]) -> Music:
        """Poll a song until it is final: 2 completed, 4 moderated (0 and 1 keep polling).

        Keywords as for :meth:`wait_for_image` (``timeout`` default 300).
        """
        return await _jobs.wait(_jobs.MUSIC, self, "wait_for_music", "music_id", music_id, options)

    async def wait_for_agent_job(
        self, job_id: str, **options: Unpack[WaitOptions[AgentJob]]
    ) -> AgentJob:
        """Poll an agent job (from ``agent.submit``) until ``completed`` or ``failed``.

        Keywords as for :meth:`wait_for_image` (``timeout`` default 1200).
        """
        return await _jobs.wait(
            _jobs.AGENT_JOB, self, "wait_for_agent_job", "job_id", job_id, options
        )

    async def generate_video(self, **params: Unpack[GenerateVideoParams]) -> Video:
        """Create a video (waiting for capacity on 429) and wait for it; ``timeout`` covers both.

        Takes every keyword of :meth:`Videos.create` (:class:`VideoCreateParams`) and of
        :meth:`wait_for_video` (``timeout`` default 1800), checked before anything is sent.
        """
        return await _jobs.generate_video(self, params)

    async def generate_images(self, **params: Unpack[GenerateImagesParams]) -> list[Image]:
        """Create images (waiting for capacity on 429) and wait for every one of them.

        Takes every keyword of :meth:`Images.create` (:class:`ImageCreateParams`) and of
        :meth:`wait_for_images` (``timeout`` default 600).
        """
        return await _jobs.generate_images(self, params)

    def stream_agent(self, **kwargs: Any) -> AgentStream:
        """Start a template video with ``videos/agent-create`` and stream its events.

        Returns an ``AgentStream`` (async iterator and async context manager).
        """
        return open_agent_stream(self, **kwargs)

    async def download(
        self,
        result_or_url: Any,
        dest: str | os.PathLike[str],
        *,
        watermark: bool = False,
        on_progress: ProgressCallback | None = None,
        max_bytes: int | None = None,
    ) -> pathlib.Path:
        """Download a completed result's media (or a URL) to ``dest`` atomically.

        Videos and images prefer ``downloadURL`` (no watermark); ``watermark=True`` prefers the
        watermarked copy. ``dest`` may be a directory. Interrupted downloads resume (only when
        the server proves, with ``If-Range``, that the file is the same). ``max_bytes`` bounds
        a download whose server gives no length; a given length is always enforced.
        """
        return await _download(
            self,
            result_or_url,
            dest,
            watermark=watermark,
            on_progress=on_progress,
            max_retries=self.max_retries,
            max_bytes=max_bytes,
        )

    # -- batches and webhooks (appended) -------------------------------------------------

    def generate_videos(
        self,
        requests: Iterable[Mapping[str, Any] | BatchRequest],
        **options: Unpack[BatchOptions],
    ) -> Batch[Video]:
        """Create many videos into free capacity; iterate their results as they finish.

        Args:
            requests: ``videos.create`` keyword arguments, one mapping per video (or a
                :class:`BatchRequest` with a key of your own). An ``account`` pins a request to
                that account; the others are spread over the accounts with free slots.
            options: ``concurrency``, ``journal``, ``timeout`` (default 1800),
                ``poll_interval``, ``reply_url``, ``hold_pause``: see
                :class:`~minimax_async.BatchOptions`.

        Returns:
            A :class:`Batch` of :class:`BatchResult` (``result`` a :class:`Video`, or
            ``error``), in completion order. Nothing is sent before the first iteration.
        """
        from .batch import new_batch, video_kind

        return new_batch(self, video_kind, requests, "generate_videos", options)

    def generate_images_batch(
        self,
        requests: Iterable[Mapping[str, Any] | BatchRequest],
        **options: Unpack[BatchOptions],
    ) -> Batch[list[Image]]:
        """:meth:`generate_videos` for ``images.create`` requests (``timeout`` default 600); each
        result is the list of images one request made (its ``quantity``)."""
        from .batch import image_kind, new_batch

        return new_batch(self, image_kind, requests, "generate_images_batch", options)

    def notify_job_update(self, job_id: str) -> bool:
        """Hint that a video or image may have changed (e.g. its ``replyUrl`` callback came).

        The waits on ``job_id`` in flight on this client (and its ``with_options`` copies)
        poll it at once; what that poll answers decides, never the hint. Returns True when
        such a wait was in flight, False otherwise (nothing happens).
        """
        if self._coordinator is not None:
            self._coordinator.publish_update(job_id)
        return wake_registry(self._holder).notify(job_id)
