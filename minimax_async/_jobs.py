"""One implementation of the wait / watch / generate helpers, parameterised by job kind.

``AsyncMiniMax.wait_for_video``, ``wait_for_image(s)``, ``wait_for_music``,
``wait_for_agent_job``, ``watch_video``, ``generate_video`` and ``generate_images`` are thin
typed wrappers over the functions here; what differs between the kinds (how a job is fetched,
cancelled, named, whether the shared watcher and webhook wake-ups see it) is a :class:`JobKind`.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

import anyio
import attrs

from ._exceptions import (
    GenerationError,
    GenerationFailedError,
    GenerationModeratedError,
    RateLimitError,
    WaitTimeoutError,
)
from ._polling import (
    JobSpec,
    Outcome,
    PollOptions,
    VideoWaitOptions,
    WaitOptions,
    check_job_kind,
    check_wait_args,
    poll_snapshots,
    wait_until_final,
    wake_registry,
)
from ._session import SessionHolder
from ._types import NotGiven, Timeout
from ._validation import check_id
from ._watcher import SharedWatcher
from .models._status import GenerationStatus
from .resources._base import check_keywords

if TYPE_CHECKING:
    # The models load on first use, as everywhere (building every model class was most of
    # the import time): each kind below names its model through a function.
    from .models.agent import AgentJob
    from .models.images import Image, ImageJob
    from .models.music import Music
    from .models.videos import Video, VideoJob
    from .resources.agent import Agent
    from .resources.images import Images
    from .resources.music import Music_
    from .resources.videos import Videos

__all__ = ["AGENT_JOB", "IMAGE", "MUSIC", "VIDEO", "JobKind", "JobsClient"]

J = TypeVar("J", "Video", "Image", "Music", "AgentJob")
T = TypeVar("T")


class JobsClient(Protocol):
    """What the job helpers use of the client (``AsyncMiniMax`` is one)."""

    # Read-only: the client builds each resource on first use (a cached property).
    @property
    def videos(self) -> Videos: ...

    @property
    def images(self) -> Images: ...

    @property
    def music(self) -> Music_: ...

    @property
    def agent(self) -> Agent: ...

    _holder: SessionHolder
    _sleep: Callable[[float], Awaitable[None]]

    @property
    def timeout(self) -> Timeout: ...

    @property
    def _waits_watcher(self) -> SharedWatcher | None: ...

    def with_options(self, *, timeout: float | Timeout | NotGiven | None = ...) -> JobsClient: ...


def outcome(job: Video | Image | Music | AgentJob) -> Outcome:
    """Classify a snapshot with the model's own status rules (one place decides: the models)."""
    if job.is_completed:
        return "completed"
    if job.is_moderated:
        return "moderated"
    # A known running status, or an unknown one the API does not mark final, keeps polling.
    return "failed" if job.is_final else "running"


def _progress_key(job: Any) -> Hashable:
    return (getattr(job, "status", None), getattr(job, "percent", None))


def _removed(job: T) -> T:
    """The last snapshot of a job that now answers 404: marked final, labelled ``removed``."""
    changes = {
        name: value
        for name, value in (("status_final", True), ("status_label", "removed"))
        if hasattr(job, name)
    }
    return attrs.evolve(job, **changes) if changes else job  # type: ignore[misc]


@attrs.frozen
class JobKind(Generic[J]):
    """What differs between the kinds of job a helper waits for."""

    #: The job's model class (a function: the model's module loads on first use).
    model: Callable[[], type[J]]
    #: The job in messages ("video 123").
    noun: str
    fetch: Callable[[JobsClient, str], Awaitable[J]]
    #: The wait helpers' default ``timeout`` (seconds) for this kind.
    timeout: float
    #: The keywords its wait helper takes (a TypedDict: :class:`WaitOptions` or a subclass).
    options: Any = WaitOptions
    #: The kind ``check_job_kind`` refuses the other kind's ids for (None: no such check).
    id_kind: Literal["video", "image"] | None = None
    #: A bare pending snapshot of a job ``GET scheduler`` lists (videos, images): such jobs are
    #: watched by the shared watcher and woken by ``notify_job_update``. None: polled alone.
    placeholder: Callable[[str], J] | None = None
    cancel: Callable[[JobsClient, str], Awaitable[None]] | None = None
    change_key: Callable[[J], Hashable] = _progress_key
    #: The attribute naming the job in a failure's message (else ``id``).
    id_field: str = "id"
    #: Its create call, for a ``generate_*`` helper (None: the kind has none).
    create: Callable[[JobsClient, dict[str, Any]], Awaitable[Any]] | None = None

    def check(self, name: str, job_id: str) -> None:
        """Refuse a malformed id (or the other kind's) before anything is sent."""
        check_id(name, job_id)
        if self.id_kind is not None:
            check_job_kind(name, job_id, self.id_kind)

    def spec(self, client: JobsClient, job_id: str) -> JobSpec[J]:
        """The poll loop's description of one job."""
        watched = self.placeholder is not None
        cancel = self.cancel
        return JobSpec(
            name=f"{self.noun} {job_id}",
            fetch=lambda: self.fetch(client, job_id),
            outcome=outcome,
            change_key=self.change_key,
            removed=_removed,
            cancel=None if cancel is None else lambda: cancel(client, job_id),
            wake=wake_registry(client._holder).get(job_id) if watched else None,
            watch_id=job_id if watched else None,
            placeholder=(
                None if self.placeholder is None else lambda: self.placeholder(job_id)  # type: ignore[misc]
            ),
        )

    def watcher(self, client: JobsClient) -> SharedWatcher | None:
        return client._waits_watcher if self.placeholder is not None else None

    def poll_args(
        self, client: JobsClient, method: str, options: Mapping[str, Any], allowed: Any = None
    ) -> dict[str, Any]:
        """The poll loop's keywords from a helper's ``options`` (checked against ``allowed``,
        default :attr:`options`, as Python checks an explicit signature), with the defaults."""
        check_keywords(method, options, allowed or self.options)
        return {
            "timeout": self.timeout,
            **options,
            "sleep": client._sleep,
            "watcher": self.watcher(client),
        }


async def _cancel_video(client: JobsClient, video_id: str) -> None:
    await client.videos.cancel(video_id)


def _video() -> type[Video]:
    from .models.videos import Video

    return Video


def _image() -> type[Image]:
    from .models.images import Image

    return Image


def _music() -> type[Music]:
    from .models.music import Music

    return Music


def _agent_job() -> type[AgentJob]:
    from .models.agent import AgentJob

    return AgentJob


VIDEO: JobKind[Video] = JobKind(
    model=_video,
    noun="video",
    id_field="video_id",
    fetch=lambda client, job_id: client.videos.retrieve(job_id),
    timeout=1800.0,
    options=VideoWaitOptions,
    id_kind="video",
    # Only running jobs are listed by the scheduler: pending is what was last known.
    placeholder=lambda job_id: _video()(video_id=job_id, status=GenerationStatus.PENDING),
    cancel=_cancel_video,
    create=lambda client, args: client.videos.create(**args),
)
IMAGE: JobKind[Image] = JobKind(
    model=_image,
    noun="image",
    id_field="image_id",
    fetch=lambda client, job_id: client.images.retrieve(job_id),
    timeout=600.0,
    id_kind="image",
    placeholder=lambda job_id: _image()(image_id=job_id, status=GenerationStatus.PENDING),
    create=lambda client, args: client.images.create(**args),
)
MUSIC: JobKind[Music] = JobKind(
    model=_music,
    noun="music",
    fetch=lambda client, job_id: client.music.retrieve(job_id),
    timeout=300.0,
)
AGENT_JOB: JobKind[AgentJob] = JobKind(
    model=_agent_job,
    noun="agent job",
    fetch=lambda client, job_id: client.agent.retrieve(job_id),
    timeout=1200.0,
    change_key=lambda job: job.status,
)


async def wait(
    kind: JobKind[J],
    client: JobsClient,
    method: str,
    name: str,
    job_id: str,
    options: Mapping[str, Any],
) -> J:
    """Poll one job until it is final (``method``/``name``: the caller's, for its errors)."""
    args = kind.poll_args(client, method, options)
    kind.check(name, job_id)  # refused now, not after the first poll delay
    return await wait_until_final(kind.spec(client, job_id), **args)


async def watch(
    kind: JobKind[J], client: JobsClient, method: str, name: str, job_id: str, options: PollOptions
) -> AsyncGenerator[J, None]:
    """Each new snapshot of one job, ending at the final one (never raises for failures)."""
    from ._polling import WatchVideoOptions

    args = kind.poll_args(client, method, options, WatchVideoOptions)
    kind.check(name, job_id)
    snapshots = poll_snapshots(kind.spec(client, job_id), **args)
    async with contextlib.aclosing(snapshots):
        async for snapshot in snapshots:
            yield snapshot


def failure_for(kind: JobKind[J], job: J) -> GenerationError:
    """The error a failed or moderated job of a :func:`wait_many` is raised as."""
    label = f"{kind.noun} {getattr(job, kind.id_field, None) or getattr(job, 'id', None)}"
    if outcome(job) == "moderated":
        return GenerationModeratedError(f"{label} was moderated", result=job)
    return GenerationFailedError(f"{label} failed", result=job)


async def wait_many(
    kind: JobKind[J],
    client: JobsClient,
    method: str,
    name: str,
    job_ids: Sequence[str],
    options: Mapping[str, Any],
) -> list[J]:
    """Wait for every job concurrently; results in the order of ``job_ids``.

    Every wait runs to its end before a failure is raised, so no result is lost: the raised
    error's ``.result`` is the first failed job, ``error.results`` all snapshots, in order.
    """
    check_keywords(method, options, kind.options)
    if isinstance(job_ids, str):
        job_ids = [job_ids]
    for job_id in job_ids:
        kind.check(name, job_id)
    raise_on_failure = options.get("raise_on_failure", True)
    each = {**options, "raise_on_failure": False}
    results: list[J | BaseException | None] = [None] * len(job_ids)

    async def one(index: int, job_id: str) -> None:
        try:
            results[index] = await wait(kind, client, method, name, job_id, each)
        except (GenerationError, Exception) as exc:  # kept, raised after the others end
            results[index] = exc

    async with anyio.create_task_group() as tg:
        for index, job_id in enumerate(job_ids):
            tg.start_soon(one, index, job_id)
    jobs: list[J] = []
    first_error: BaseException | None = None
    for item in results:
        if isinstance(item, BaseException):
            first_error = first_error or item
            result = getattr(item, "result", None)
            if isinstance(result, kind.model()):
                jobs.append(result)
        elif item is not None:
            jobs.append(item)
            if raise_on_failure and first_error is None and outcome(item) != "completed":
                first_error = failure_for(kind, item)
    # With raise_on_failure=False only failed/moderated jobs are returned: a deadline or an
    # API error (never a failure: those came back as snapshots) is still raised.
    if first_error is not None:
        if isinstance(first_error, GenerationError):
            first_error.results = jobs  # type: ignore[attr-defined]
        raise first_error
    return jobs


async def generate(
    kind: JobKind[J],
    client: JobsClient,
    method: str,
    params: Mapping[str, Any],
    create_params: Any,
    then: Callable[[T, dict[str, Any]], Awaitable[Any]],
    *,
    what: str | None = None,
) -> Any:
    """A ``generate_*`` helper: ``kind.create`` (waiting for capacity on 429), then
    ``then(job, wait_options)`` with the time left as their ``timeout``: one deadline.

    ``params``: the helper's keywords, the create call's (checked against the TypedDict
    ``create_params``) and the wait's (``kind.options``), all checked before anything is sent.
    """
    create = kind.create
    assert create is not None, kind.noun
    wait_keys = kind.options.__optional_keys__
    create_args = {key: value for key, value in params.items() if key not in wait_keys}
    check_keywords(method, create_args, create_params)
    options = {key: value for key, value in params.items() if key in wait_keys}
    timeout: float | None = options.get("timeout", kind.timeout)
    check_wait_args(timeout, options.get("poll_interval"))  # before anything is billed
    start = anyio.current_time()
    job = await create_with_capacity(
        client, lambda mm: create(mm, create_args), timeout=timeout, what=what or kind.noun
    )
    left = None if timeout is None else max(0.001, timeout - (anyio.current_time() - start))
    return await then(job, {**options, "timeout": left})


async def generate_video(client: JobsClient, params: Mapping[str, Any]) -> Video:
    """``generate_video``: create (waiting for capacity on 429), then wait; one ``timeout``."""
    from .models.videos import Video
    from .resources.videos import VideoCreateParams

    async def then(job: VideoJob, options: dict[str, Any]) -> Video:
        try:
            return await wait(VIDEO, client, "generate_video", "video_id", job.video_id, options)
        except WaitTimeoutError as exc:
            if exc.result is None:  # never polled: still tell which video was created
                exc.result = Video(
                    id=job.id, video_id=job.video_id, status=GenerationStatus.PENDING
                )
            raise

    video: Video = await generate(VIDEO, client, "generate_video", params, VideoCreateParams, then)
    return video


async def generate_images(client: JobsClient, params: Mapping[str, Any]) -> list[Image]:
    """``generate_images``: create (waiting for capacity on 429), then wait for every image."""
    from .resources.images import ImageCreateParams

    async def then(job: ImageJob, options: dict[str, Any]) -> list[Image]:
        if not job.image_ids:
            raise GenerationError("images/create answered without imageIds", result=job)
        return await wait_many(
            IMAGE, client, "generate_images", "image_ids", job.image_ids, options
        )

    images: list[Image] = await generate(
        IMAGE, client, "generate_images", params, ImageCreateParams, then, what="images"
    )
    return images


async def create_with_capacity(
    client: JobsClient,
    create: Callable[[JobsClient], Awaitable[T]],
    *,
    timeout: float | None,
    what: str,
) -> T:
    """``create(client)``, retried 10-30 s apart while the accounts are full (429).

    Every wait ends inside ``timeout``, the client's own 429 retries included: the create
    call is made with the time left as its total timeout (an ambiguous outcome at the
    deadline is still reconciled by the request path, never silently dropped).
    """
    deadline = None if timeout is None else anyio.current_time() + timeout
    while True:
        current = client
        if deadline is not None:
            left = deadline - anyio.current_time()
            if left <= 0:
                raise WaitTimeoutError(
                    f"no capacity to create the {what} within {timeout:g} s", result=None
                )
            total = left if client.timeout.total is None else min(left, client.timeout.total)
            current = client.with_options(timeout=attrs.evolve(client.timeout, total=total))
        try:
            return await create(current)
        except RateLimitError as exc:
            pause = random.uniform(10.0, 30.0)
            if exc.retry_after is not None and exc.retry_after <= 120:
                pause = max(10.0, exc.retry_after)
            if deadline is not None and anyio.current_time() + pause >= deadline:
                raise WaitTimeoutError(
                    f"no capacity to create the {what} within {timeout:g} s: {exc.message}",
                    result=None,
                ) from exc
            await client._sleep(pause)
