"""What differs between a batch of videos and one of images: how a job is created, waited for,
listed, stored in the journal and rebuilt from it (one :class:`_Kind` each)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

import attrs

from .._converter import structure
from .._exceptions import (
    APIError,
    GenerationError,
    GenerationFailedError,
    GenerationModeratedError,
)
from .._jobs import JobsClient
from ..models.images import Image, ImageJob
from ..models.videos import Video, VideoJob

if TYPE_CHECKING:
    from ..resources.accounts import Accounts
    from ..resources.scheduler import Scheduler

T = TypeVar("T")

#: Image batches per account when ``GET features`` does not say (``imageQueueLength``).
_DEFAULT_IMAGE_QUEUE = 5
#: Recent jobs looked through for a submission whose outcome a crash hid.
_RECENT_LIMIT = 100


class BatchClient(JobsClient, Protocol):
    """What a batch uses of the client (``AsyncMiniMax`` is one): never the client class. The
    job helpers' client, plus the accounts, the scheduler and the waits."""

    # Read-only: the client builds each resource on first use (a cached property).
    @property
    def accounts(self) -> Accounts: ...

    @property
    def scheduler(self) -> Scheduler: ...

    @property
    def account(self) -> str | None: ...

    async def wait_for_video(
        self, video_id: str, *, timeout: float | None = ..., poll_interval: float | None = ...
    ) -> Video: ...

    async def wait_for_images(
        self,
        image_ids: Sequence[str],
        *,
        timeout: float | None = ...,
        poll_interval: float | None = ...,
        raise_on_failure: bool = ...,
    ) -> list[Image]: ...


@attrs.frozen
class _Listed:
    """One recent job (or image batch) of an account's list, as far as the listing shows it."""

    ids: tuple[str, ...]
    prompt: str
    file_ids: frozenset[str]
    #: Unix seconds; None: the listing does not show it (``GET videos``).
    created: float | None = None
    model: str | None = None
    aspect_ratio: str | None = None

    def matches(self, params: Mapping[str, Any], file_ids: frozenset[str]) -> bool:
        """Every parameter the listing shows is the request's."""
        if self.prompt != (params.get("prompt") or "") or self.file_ids != file_ids:
            return False
        for name, shown in (("model", self.model), ("aspect_ratio", self.aspect_ratio)):
            if shown and params.get(name) and shown != params[name]:
                return False
        return True


def _origin_ids(files: Iterable[Any] | None) -> frozenset[str]:
    out = set()
    for f in files or ():
        value = f.get("id") if isinstance(f, Mapping) else getattr(f, "id", None)
        if isinstance(value, str) and value:
            out.add(value)
    return frozenset(out)


class _Kind(Generic[T]):
    """What differs between a batch of videos and one of images."""

    name: str
    #: True: ``GET scheduler/available`` counts this kind's slots (videos); False: only the
    #: batch's own jobs are counted against a per-account limit (images).
    sees_running: bool
    #: The error's text when the create call answers without the job's id(s).
    no_ids: str
    #: Seconds each job is waited for once created, when the batch gives no ``timeout``.
    timeout: float

    async def create(
        self, mm: BatchClient, params: dict[str, Any], account: str | None, reply_ref: str
    ) -> tuple[str, ...]:
        """Submit one request (on ``account``, tagged ``reply_ref``); the ids it created."""
        job = await self.submit(mm)(**{**params, "account": account, "reply_ref": reply_ref})
        ids = self.created_ids(job)
        if not ids:
            raise GenerationError(self.no_ids, result=job)
        return ids

    def submit(self, mm: BatchClient) -> Callable[..., Awaitable[Any]]:
        """The resource's ``create`` call."""
        raise NotImplementedError

    def created_ids(self, job: Any) -> tuple[str, ...]:
        """The job ids in ``create``'s answer (empty: none)."""
        raise NotImplementedError

    async def wait(
        self,
        mm: BatchClient,
        job_ids: tuple[str, ...],
        timeout: float | None,
        poll_interval: float | None,
    ) -> T:
        raise NotImplementedError

    async def limits(self, mm: BatchClient, accounts: Sequence[str]) -> dict[str, int]:
        """Per-account slot limits when the scheduler cannot count them (images)."""
        return {}

    async def recent(self, mm: BatchClient, account: str | None) -> list[_Listed]:
        """The account's recent jobs, newest first."""
        raise NotImplementedError

    def file_ids(self, params: Mapping[str, Any]) -> frozenset[str]:
        """The uploaded files a request uses (as the listing's ``originFiles`` shows them)."""
        raise NotImplementedError

    def scheduled_ids(self, ids: list[str]) -> tuple[str, ...]:
        return tuple(ids)

    def dump(self, value: Any) -> Any:
        raise NotImplementedError

    def load(self, data: Any) -> T:
        raise NotImplementedError

    def snapshot_of(self, error: GenerationError) -> Any:
        """The JSON-able last snapshot(s) a failure carries."""
        raise NotImplementedError

    def rebuild_error(self, type_name: str, message: str, data: Any) -> Exception:
        raise NotImplementedError


class _VideoKind(_Kind[Video]):
    name = "video"
    sees_running = True
    timeout = 1800.0
    no_ids = "videos/create answered without a videoId"

    def submit(self, mm: BatchClient) -> Callable[..., Awaitable[VideoJob]]:
        return mm.videos.create

    def created_ids(self, job: VideoJob) -> tuple[str, ...]:
        return (job.video_id,) if job.video_id else ()

    async def wait(
        self,
        mm: BatchClient,
        job_ids: tuple[str, ...],
        timeout: float | None,
        poll_interval: float | None,
    ) -> Video:
        return await mm.wait_for_video(job_ids[0], timeout=timeout, poll_interval=poll_interval)

    async def recent(self, mm: BatchClient, account: str | None) -> list[_Listed]:
        videos = await mm.videos.list(limit=_RECENT_LIMIT, account=account)
        return [
            _Listed(ids=(v.video_id,), prompt=v.desc or "", file_ids=_origin_ids(v.origin_files))
            for v in videos
            if v.video_id
        ]

    def file_ids(self, params: Mapping[str, Any]) -> frozenset[str]:
        names = ("file_id", "end_frame_file_id")
        return frozenset(str(params[n]) for n in names if params.get(n))

    def scheduled_ids(self, ids: list[str]) -> tuple[str, ...]:
        return tuple(ids[:1])

    def dump(self, value: Any) -> Any:
        return value.to_dict() if isinstance(value, Video) else None

    def load(self, data: Any) -> Video:
        return structure(data, Video)

    def snapshot_of(self, error: GenerationError) -> Any:
        return self.dump(error.result)

    def rebuild_error(self, type_name: str, message: str, data: Any) -> Exception:
        snapshot = self.load(data) if isinstance(data, dict) else None
        cls = _GENERATION_ERRORS.get(type_name, GenerationError)
        return cls(message, result=snapshot)


class _ImageKind(_Kind[list[Image]]):
    name = "image"
    sees_running = False
    timeout = 600.0
    no_ids = "images/create answered without imageIds"

    def submit(self, mm: BatchClient) -> Callable[..., Awaitable[ImageJob]]:
        return mm.images.create

    def created_ids(self, job: ImageJob) -> tuple[str, ...]:
        return tuple(job.image_ids)

    async def wait(
        self,
        mm: BatchClient,
        job_ids: tuple[str, ...],
        timeout: float | None,
        poll_interval: float | None,
    ) -> list[Image]:
        images = await mm.wait_for_images(
            list(job_ids), timeout=timeout, poll_interval=poll_interval, raise_on_failure=False
        )
        for image in images:
            if image.is_completed:
                continue
            name = f"image {image.image_id or image.id}"
            error: GenerationError
            if image.is_moderated or image.status_label == "removed":
                error = GenerationModeratedError(f"{name} was moderated", result=image)
            else:
                error = GenerationFailedError(f"{name} failed", result=image)
            cast(Any, error).results = images  # all of them, as wait_for_images does
            raise error
        return images

    async def limits(self, mm: BatchClient, accounts: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for account in accounts:
            try:
                features = await mm.accounts.features(account=account)
                queue = features.image_queue_length
            except APIError:
                queue = None
            out[account] = queue if isinstance(queue, int) and queue > 0 else _DEFAULT_IMAGE_QUEUE
        return out

    async def recent(self, mm: BatchClient, account: str | None) -> list[_Listed]:
        page = await mm.images.list(limit=_RECENT_LIMIT, account=account)
        batches: dict[str, list[Image]] = {}
        for image in page.images or []:
            if image.image_id:
                batches.setdefault(str(image.batch_id or image.image_id), []).append(image)
        out = []
        for group in batches.values():
            first = group[0]
            times = [i.create_time for i in group if isinstance(i.create_time, (int, float))]
            out.append(
                _Listed(
                    ids=tuple(str(i.image_id) for i in group),
                    prompt=first.desc or "",
                    file_ids=_origin_ids(first.origin_files),
                    created=min(times) / 1000 if times else None,
                    model=first.model_id,
                    aspect_ratio=first.aspect_ratio,
                )
            )
        return out

    def file_ids(self, params: Mapping[str, Any]) -> frozenset[str]:
        refs = params.get("reference_file_ids") or ()
        if isinstance(refs, str):
            refs = (refs,)
        given = [params.get("character_file_id"), *refs]
        return frozenset(str(f) for f in given if f)

    def dump(self, value: Any) -> Any:
        if isinstance(value, list):
            return [i.to_dict() for i in value if isinstance(i, Image)]
        return None

    def load(self, data: Any) -> list[Image]:
        return [structure(d, Image) for d in data]

    def snapshot_of(self, error: GenerationError) -> Any:
        results = getattr(error, "results", None)
        if results is None and isinstance(error.result, Image):
            results = [error.result]
        return self.dump(results)

    def rebuild_error(self, type_name: str, message: str, data: Any) -> Exception:
        images = self.load(data) if isinstance(data, list) else []
        bad = next((i for i in images if not i.is_completed), images[0] if images else None)
        cls = _GENERATION_ERRORS.get(type_name, GenerationError)
        error = cls(message, result=bad)
        error.results = images  # type: ignore[attr-defined]
        return error


_GENERATION_ERRORS: dict[str, type[GenerationError]] = {
    "GenerationFailedError": GenerationFailedError,
    "GenerationModeratedError": GenerationModeratedError,
}


video_kind = _VideoKind()


image_kind = _ImageKind()
