"""``minimax-async demo``: the SDK's main job end to end, against the bundled emulator.

Upload a generated picture, turn it into a video (image-to-video), follow its progress, download
the mp4 and summarise. Without a token it runs on a local emulator and costs nothing; with a
token configured it refuses unless ``--real`` is given, since that spends credits.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import yarl

from .._client import DEFAULT_BASE_URL, AsyncMiniMax
from ._commands import (
    download_target,
    download_with_progress,
    file_size,
    make_client,
    status_text,
    upload_with_progress,
    wait_video_with_progress,
)
from ._errors import EXIT_OK, EXIT_USAGE, CliError
from ._output import Output, human_bytes

__all__ = ["DEMO_MODEL", "DEMO_PROMPT", "cmd_demo"]

DEMO_MODEL = "I2V-01"
DEMO_PROMPT = "the picture comes alive: a slow dolly-in across a glowing gradient sky"

REFUSE_REAL = (
    "an API token is configured (USEAPI_TOKEN or --token): `demo` would create a real, billed "
    "video on your useapi.net account. Pass --real to do that, or unset USEAPI_TOKEN to run the "
    "demo against the bundled local emulator for free"
)


@asynccontextmanager
async def _demo_client(
    args: argparse.Namespace, out: Output
) -> AsyncIterator[tuple[AsyncMiniMax, bool]]:
    """The client to run the demo with, and whether it talks to the local emulator."""
    if args.token or os.environ.get("USEAPI_TOKEN"):
        if not args.real:
            raise CliError(REFUSE_REAL, EXIT_USAGE)
        async with make_client(args) as mm:
            out.note(_real_server_note(mm.base_url))
            yield mm, False
        return
    from ..testing import run_emulator  # the server side is only loaded for the demo

    async with run_emulator(speed=args.speed) as emu:
        out.note(
            f"no USEAPI_TOKEN set: running against the bundled emulator at {emu.base_url} "
            f"({args.speed:g}x real time, nothing is billed)"
        )
        # The emulator's own account: a USEAPI_MINIMAX_ACCOUNT meant for the real API is ignored.
        account = next(iter(emu.state.accounts), None)
        async with AsyncMiniMax(emu.token, base_url=emu.base_url, account=account) as mm:
            yield mm, True


def _real_server_note(base_url: str) -> str:
    """Which server ``demo --real`` talks to: a --base-url / USEAPI_BASE_URL elsewhere than
    useapi.net is named, so a leftover setting cannot go unnoticed."""
    host = yarl.URL(base_url).host or base_url
    if host == yarl.URL(DEFAULT_BASE_URL).host:
        return f"running against the real API at {base_url} (--real): this spends credits"
    return (
        f"running against {base_url} (--real; not {yarl.URL(DEFAULT_BASE_URL).host}, set by "
        "--base-url or USEAPI_BASE_URL): jobs there may be billed by that server"
    )


def _demo_picture() -> bytes:
    """A 640x360 gradient PNG built in memory (zlib + struct)."""
    from ..testing._media import png_bytes

    return png_bytes(640, 360, seed=7)


async def cmd_demo(args: argparse.Namespace, out: Output) -> int:
    """``demo``: upload, image-to-video, live progress, download, summary."""
    out.require_display()
    start = time.monotonic()
    async with _demo_client(args, out) as (mm, emulated):
        target = await download_target(args.output, directory=True, mkdir=True)
        uploaded = await upload_with_progress(mm, out, _demo_picture(), "demo.png")
        job = await mm.videos.create(prompt=DEMO_PROMPT, model=DEMO_MODEL, file_id=uploaded.file_id)
        video_id = job.video_id
        out.note(f"created video {video_id} ({DEMO_MODEL}, image-to-video)")
        if not emulated:
            out.hint = (
                f"video {video_id} keeps running remotely: minimax-async video get {video_id}"
            )
        video = await wait_video_with_progress(
            mm,
            out,
            video_id,
            timeout=args.timeout,
            poll_interval=args.poll_interval or (0.25 if emulated else None),
        )
        out.hint = None
        path = await download_with_progress(mm, out, video, target)
    size = await file_size(path)
    elapsed = time.monotonic() - start
    if out.json_mode:
        out.json(
            {
                "video_id": video.video_id or video_id,
                "status": video.status,
                "width": video.width,
                "height": video.height,
                "path": str(path),
                "bytes": size,
                "elapsed_seconds": round(elapsed, 3),
                "emulator": emulated,
                "video": video.to_dict(),
            }
        )
        return EXIT_OK
    out.say("")
    out.say("demo complete" + (" (emulator)" if emulated else ""))
    out.fields(
        [
            ("video", video.video_id or video_id),
            ("status", f"{video.status} ({status_text(video)})"),
            ("resolution", f"{video.width}x{video.height}" if video.width else None),
            ("size", human_bytes(size) + (f" ({size} bytes)" if size >= 1000 else "")),
            ("path", path),
            ("elapsed", f"{elapsed:.1f} s"),
        ]
    )
    return EXIT_OK
