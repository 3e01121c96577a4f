"""Mistakes ``mypy --strict`` must catch (each line marked ``# error: <code>``).

Type-checked by ``tests/typing/test_mypy.py``, which expects exactly these errors."""

from __future__ import annotations

from minimax_async import AsyncMiniMax


async def misuse(mm: AsyncMiniMax) -> None:
    await mm.generate_video(promt="a cat")  # error: call-arg
    await mm.generate_images(model="image-01")  # error: call-arg
    await mm.videos.create(prompt=42)  # error: arg-type
    await mm.generate_video(prompt="a cat", quantity=2)  # error: call-arg
    async for result in mm.generate_videos([{"prompt": "x"}]):
        print(result.result.video_id)  # error: union-attr
    await mm.wait_for_music("m1", cancel_on_timeout=True)  # error: call-arg
    await mm.wait_for_video("v1", on_progress=lambda video: video.nope)  # error: attr-defined
    await mm.wait_for_images(["i1"], timeout="soon")  # error: arg-type
