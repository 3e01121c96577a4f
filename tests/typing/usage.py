"""How people use the SDK, written for ``mypy --strict`` with no escape hatch (no asserts
that a value is set, no ignored errors). Type-checked by ``tests/typing/test_mypy.py``; never
imported or run."""

from __future__ import annotations

from typing import Any

from minimax_async import (
    AsyncMiniMax,
    BatchOutcome,
    GenerationError,
    GenerationModeratedError,
    Image,
    ImageCreateParams,
    Video,
    VideoCreateParams,
)


async def create_then_wait(mm: AsyncMiniMax) -> str:
    job = await mm.videos.create(prompt="a cat", model="T2V-01")
    video = await mm.wait_for_video(job.video_id)
    status: int = video.status
    print(status, video.video_url)
    images = await mm.images.create(prompt="a fox", quantity=2)
    first: str = images.image_ids[0]
    image = await mm.wait_for_image(first)
    return image.image_id


async def ids_are_plain(mm: AsyncMiniMax) -> list[str]:
    uploaded = await mm.files.upload(b"\x89PNG...")
    agent = await mm.agent.submit(prompt="p", models="hailuo-2.3")
    done = await mm.wait_for_agent_job(agent.job_id)
    state: str = done.status
    return [uploaded.file_id, agent.job_id, state]


async def helpers(mm: AsyncMiniMax) -> tuple[Video, list[Image]]:
    video = await mm.generate_video(prompt="waves", model="T2V-01", timeout=600)
    images = await mm.generate_images(prompt="a fox", aspect_ratio="16:9", timeout=60)
    params: VideoCreateParams = {"prompt": "a boat", "model": "T2V-01"}
    again = await mm.generate_video(**params, poll_interval=1.0)
    image_params: ImageCreateParams = {"prompt": "a tree", "quantity": 1}
    more = await mm.generate_images(**image_params)
    return (video if again.is_completed else again), images + more


async def batches(mm: AsyncMiniMax) -> list[str]:
    ids: list[str] = []
    async for result in mm.generate_videos([{"prompt": "x"}]):
        if result.ok:
            ids.append(result.result.video_id)
        else:
            print(type(result.error).__name__, result.error)
    async for outcome in mm.generate_images_batch([{"prompt": "y"}]):
        keep: BatchOutcome[list[Image]] = outcome
        if keep.ok:
            ids.extend(image.image_id for image in keep.result)
    return ids


async def errors(mm: AsyncMiniMax) -> int | None:
    try:
        await mm.wait_for_video("user:1-minimax:2-video:3")
    except GenerationModeratedError as exc:
        return int(exc.result.status)
    except GenerationError as exc:
        failed: GenerationError[Video] = exc
        return failed.result.status
    return None


def model_extra(video: Video, image: Image) -> dict[str, Any]:
    if image.extra is not None:
        print(image.extra.prompt_struct)
    print(repr(video))
    return video.model_extra
