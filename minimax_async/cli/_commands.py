"""The commands run against a configured API (``USEAPI_TOKEN``/``--token``, ``--base-url``)."""

from __future__ import annotations

import argparse
import os
import pathlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import anyio

from .._client import AsyncMiniMax
from .._exceptions import ConfigurationError, GenerationFailedError
from .._validation import validate_video_create
from ..models.agent import AgentJob
from ..models.files import UploadedFile
from ..models.images import Image
from ..models.video_agent import AgentEvent
from ..models.videos import Video
from ._errors import EXIT_OK, EXIT_USAGE, CliError
from ._output import Output, human_bytes
from ._status import status_text

T = TypeVar("T")

__all__ = [
    "cmd_accounts",
    "cmd_agent_run",
    "cmd_agent_stream",
    "cmd_capacity",
    "cmd_image_create",
    "cmd_upload",
    "cmd_video_create",
    "cmd_video_get",
    "download_target",
    "download_with_progress",
    "existing_file",
    "file_size",
    "make_client",
    "status_text",
    "upload_with_progress",
    "video_rows",
    "wait_video_with_progress",
]

NO_TOKEN = (
    "no API token: set USEAPI_TOKEN or pass --token "
    "(or run `minimax-async demo` to try the bundled emulator without one)"
)


def make_client(args: argparse.Namespace) -> AsyncMiniMax:
    """The SDK client from ``--token``/``--base-url``/``--account`` or the environment."""
    try:
        return AsyncMiniMax(args.token, base_url=args.base_url, account=args.account)
    except ConfigurationError:
        raise CliError(NO_TOKEN, EXIT_USAGE) from None


def unreachable_text(error: Exception) -> str:
    """The progress line while a wait's polls fail: the wait goes on, but says why."""
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    status = getattr(error, "status_code", None)
    if status is not None:
        reason = f"{status} {reason}"
    return f"unreachable, retrying: {reason}"


def _percent(job: Video | Image) -> float:
    if job.is_completed:
        return 100.0
    return float(job.percent or 0)


async def existing_file(raw: str) -> pathlib.Path:
    """``raw`` as a path to an existing regular file, or a usage error naming it."""
    path = await anyio.Path(raw).expanduser()
    if not await path.is_file():
        raise CliError(f"no such file: {raw}", EXIT_USAGE)
    return pathlib.Path(path)


async def download_target(
    raw: str, *, directory: bool = False, mkdir: bool = False
) -> pathlib.Path:
    """Where to download, checked before any job is created (and billed).

    An existing directory, or (unless ``directory``) a file that does not exist yet in an
    existing directory. Nothing is created unless ``mkdir`` (``--mkdir``), and an existing
    file is never overwritten.

    Raises:
        CliError: (exit 2) naming the path and what is wrong with it.
    """
    path = await anyio.Path(raw).expanduser()
    wants_directory = directory or raw.endswith(("/", os.sep))
    if await path.is_dir():
        return pathlib.Path(path)
    if await path.exists():
        what = "is a file, not a directory" if wants_directory else "already exists"
        raise CliError(f"--download {raw}: {what} (choose another path)", EXIT_USAGE)
    missing = path if wants_directory else path.parent
    if not await missing.is_dir():
        if not mkdir:
            raise CliError(
                f"--download {raw}: directory {missing} does not exist "
                "(create it, or pass --mkdir)",
                EXIT_USAGE,
            )
        await missing.mkdir(parents=True, exist_ok=True)
    return pathlib.Path(path)


async def file_size(path: pathlib.Path) -> int:
    """The size of a file in bytes."""
    return (await anyio.Path(path).stat()).st_size


def _job_rows(
    noun: str, job: Video | Image, job_id: str | None, *, message: bool
) -> list[tuple[str, Any]]:
    size = f"{job.width}x{job.height}" if job.width and job.height else None
    rows = [
        (noun, job_id or job.id),
        ("status", f"{job.status} ({status_text(job)})"),
        ("size", size),
    ]
    if message:
        rows.append(("message", job.message))
    return [*rows, ("url", job.download_url or job.video_url)]


def video_rows(video: Video) -> list[tuple[str, Any]]:
    """The human summary of a video."""
    return _job_rows("video", video, video.video_id, message=True)


def image_rows(image: Image) -> list[tuple[str, Any]]:
    """The human summary of an image."""
    return _job_rows("image", image, image.image_id, message=False)


# ---- shared steps ------------------------------------------------------------------------


async def upload_with_progress(
    mm: AsyncMiniMax, out: Output, source: pathlib.Path | bytes, name: str
) -> UploadedFile:
    """Upload ``source`` showing a byte progress bar; returns the uploaded file."""
    total = len(source) if isinstance(source, bytes) else await file_size(source)
    with out.tracker() as tracker:
        task = tracker.add(f"upload {name}", total=total, status="")

        def on_progress(sent: int, size: int | None) -> None:
            tracker.update(task, completed=sent, total=size, status=human_bytes(sent))

        uploaded = await mm.files.upload(source, on_progress=on_progress)
        tracker.update(task, status="uploaded")
    out.note(f"uploaded {name}: {uploaded.file_id}")
    return uploaded


async def wait_video_with_progress(
    mm: AsyncMiniMax,
    out: Output,
    video_id: str,
    *,
    timeout: float | None,
    poll_interval: float | None,
) -> Video:
    """Wait for a video showing its percent and status; raises for failed/moderated videos."""
    with out.tracker() as tracker:
        task = tracker.add("video", total=100.0, status="submitted")

        def on_progress(video: Video) -> None:
            tracker.update(task, completed=_percent(video), status=status_text(video))

        def on_error(error: Exception) -> None:
            tracker.update(task, status=unreachable_text(error))

        return await mm.wait_for_video(
            video_id,
            timeout=timeout,
            poll_interval=poll_interval,
            on_progress=on_progress,
            on_error=on_error,
        )


async def download_with_progress(
    mm: AsyncMiniMax, out: Output, result: Any, dest: pathlib.Path
) -> pathlib.Path:
    """Download a completed result's media to ``dest`` (file or directory) with a byte bar."""
    with out.tracker() as tracker:
        task = tracker.add("download", total=None, status="")

        def on_progress(done: int, total: int | None) -> None:
            tracker.update(task, completed=done, total=total, status=human_bytes(done))

        path = await mm.download(result, dest, on_progress=on_progress)
        tracker.update(task, status="saved")
    return path


# ---- video ---------------------------------------------------------------------------------


async def cmd_video_create(args: argparse.Namespace, out: Output) -> int:
    """``video create PROMPT``: start a video; ``--wait`` for it; ``--download`` it."""
    wait = args.wait or args.download is not None
    # Everything checkable is checked before anything is uploaded, created or billed.
    if not args.prompt and not (args.file or args.file_id):
        raise CliError(
            "video create: a PROMPT is required for text-to-video (only image-to-video, with "
            "--file or --file-id, may leave it out)",
            EXIT_USAGE,
        )
    validate_video_create(
        prompt=args.prompt,
        model=args.model,
        options=args.options,
        file_id="file-to-upload" if args.file else args.file_id,
    )
    source = await existing_file(args.file) if args.file else None
    target = None
    if args.download is not None:
        target = await download_target(args.download, mkdir=args.mkdir)
    if wait or source is not None:
        out.require_display()
    async with make_client(args) as mm:
        file_id = args.file_id
        if source is not None:
            file_id = (await upload_with_progress(mm, out, source, source.name)).file_id
        job = await mm.videos.create(
            prompt=args.prompt, model=args.model, options=args.options, file_id=file_id
        )
        video_id = job.video_id
        if not wait:
            if out.json_mode:
                out.json(job.to_dict())
            else:
                out.fields([("video", video_id), ("replyRef", job.reply_ref)])
                out.note(f"follow it with: minimax-async video get {video_id}")
            return EXIT_OK
        # The hint first: a Ctrl-C right after the note must still say how to follow the video.
        out.hint = f"video {video_id} keeps running remotely: minimax-async video get {video_id}"
        out.note(f"created video {video_id}")
        video = await wait_video_with_progress(
            mm, out, video_id, timeout=args.timeout, poll_interval=args.poll_interval
        )
        out.hint = None
        path = None
        if target is not None:
            path = await download_with_progress(mm, out, video, target)
    if out.json_mode:
        if path is None:
            out.json(video.to_dict())
        else:
            out.json({"video": video.to_dict(), "path": str(path), "bytes": await file_size(path)})
    else:
        size = await file_size(path) if path else 0
        saved = [("file", f"{path} ({human_bytes(size)})")] if path else []
        out.fields(video_rows(video) + saved)
    return EXIT_OK


async def cmd_video_get(args: argparse.Namespace, out: Output) -> int:
    """``video get ID``: a video's status, progress and URLs."""
    async with make_client(args) as mm:
        video = await mm.videos.retrieve(args.video_id)
    if out.json_mode:
        out.json(video.to_dict())
    else:
        out.fields(video_rows(video))
    return EXIT_OK


# ---- image ---------------------------------------------------------------------------------


async def cmd_image_create(args: argparse.Namespace, out: Output) -> int:
    """``image create PROMPT``: start images; ``--wait`` for them; ``--download`` them."""
    wait = args.wait or args.download is not None
    target = None
    if args.download is not None:  # checked before the images are created (and billed)
        target = await download_target(args.download, directory=True, mkdir=args.mkdir)
    if wait:
        out.require_display()
    async with make_client(args) as mm:
        job = await mm.images.create(
            prompt=args.prompt,
            model=args.model,
            aspect_ratio=args.aspect_ratio,
            resolution=args.resolution,
            quantity=args.quantity,
        )
        ids = list(job.image_ids)
        if not wait or not ids:
            if out.json_mode:
                out.json(job.to_dict())
            else:
                out.fields([("image", image_id) for image_id in ids])
            return EXIT_OK
        out.note(f"created {len(ids)} image(s)")
        out.hint = "the images keep running remotely"
        with out.tracker() as tracker:
            tasks = {i: tracker.add(f"image {n}", status="submitted") for n, i in enumerate(ids, 1)}

            def on_progress(image: Image) -> None:
                task = tasks.get(image.image_id or "")
                if task is not None:
                    tracker.update(task, completed=_percent(image), status=status_text(image))

            def on_error(error: Exception) -> None:
                for task in tasks.values():  # the error names no image: every line says it
                    tracker.update(task, status=unreachable_text(error))

            images = await mm.wait_for_images(
                ids,
                timeout=args.timeout,
                poll_interval=args.poll_interval,
                on_progress=on_progress,
                on_error=on_error,
            )
        out.hint = None
        paths: list[pathlib.Path] = []
        if target is not None:
            for image in images:
                paths.append(await download_with_progress(mm, out, image, target))
    if out.json_mode:
        data = [image.to_dict() for image in images]
        out.json({"images": data, "paths": [str(p) for p in paths]} if paths else data)
    else:
        for n, image in enumerate(images):
            out.fields(image_rows(image) + ([("file", paths[n])] if paths else []))
    return EXIT_OK


# ---- files ---------------------------------------------------------------------------------


async def cmd_upload(args: argparse.Namespace, out: Output) -> int:
    """``upload PATH``: upload reference media; prints its file id."""
    source = await existing_file(args.path)
    out.require_display()
    async with make_client(args) as mm:
        uploaded = await upload_with_progress(mm, out, source, source.name)
    if out.json_mode:
        out.json(uploaded.to_dict())
    else:
        out.fields([("file", uploaded.file_id), ("ossPath", uploaded.oss_path)])
    return EXIT_OK


# ---- agent ---------------------------------------------------------------------------------


def _agent_rows(job: AgentJob) -> list[tuple[str, Any]]:
    response = job.response
    rows: list[tuple[str, Any]] = [
        ("job", job.job_id),
        ("status", job.status),
        ("elapsed", response.elapsed_time if response else None),
        ("message", response.msg_content if response else None),
    ]
    for attachment in (response.attachments or []) if response else []:
        file = attachment.file
        if file is not None and file.file_url:
            rows.append(("attachment", f"{file.file_name or '-'} {file.file_url}"))
    return rows


async def cmd_agent_run(args: argparse.Namespace, out: Output) -> int:
    """``agent run PROMPT --models m1,m2``: run the multi-model agent and print its result."""
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    files = [await existing_file(f) for f in args.file]
    out.require_display()
    async with make_client(args) as mm:
        with out.tracker() as tracker:
            task = tracker.add("agent", total=None, status="running")
            job = await mm.agent.run(prompt=args.prompt, models=models, files=files)
            tracker.update(task, total=1, completed=1, status=job.status or "")
    if out.json_mode:
        out.json(job.to_dict())
    else:
        out.fields(_agent_rows(job))
    if job.is_failed:
        error = job.error
        reason = error.message if error is not None and not isinstance(error, str) else error
        raise GenerationFailedError(
            f"agent job {job.job_id} failed: {reason or 'no reason given'}", result=job
        )
    return EXIT_OK


def _event_line(event: AgentEvent) -> str:
    status = event.status or "event"
    parts: list[str] = []
    if event.video_id and status in ("created", "connected", "finished"):
        parts.append(f"video {event.video_id}")
    message = event.message
    if message is not None:
        if message.msg_content:
            parts.append(" ".join(message.msg_content.split()))
        if message.tool_call is not None and message.tool_call.tool_name:
            parts.append(f"tool {message.tool_call.tool_name}")
        info = message.attachment_info
        for attachment in (info.attachments or []) if info is not None else []:
            file = attachment.file
            done = attachment.status == 3
            name = (file.file_name if file else None) or "attachment"
            url = file.file_url if file and done else None
            if url:
                parts.append(f"{name} ready {url}")
            else:
                parts.append("attachment processing" if name == "processing" else f"{name} ...")
    for template in event.rec_template_list or []:
        parts.append(f"suggested template {template.id} {template.name or ''}".strip())
    return f"{status:<10} {'; '.join(parts)}".rstrip()


async def cmd_agent_stream(args: argparse.Namespace, out: Output) -> int:
    """``agent stream TEMPLATE_ID``: start a template video and print its events as they come."""
    source = await existing_file(args.file) if args.file else None
    if source is not None:
        out.require_display()
    async with make_client(args) as mm:
        file_id, oss_path = args.file_id, args.oss_path
        if source is not None:
            uploaded = await upload_with_progress(mm, out, source, source.name)
            file_id, oss_path = uploaded.file_id, uploaded.oss_path
        out.hint = "the template video keeps running remotely"
        async with mm.stream_agent(
            template_id=args.template_id, prompt=args.prompt, file_id=file_id, oss_path=oss_path
        ) as stream:
            async for event in stream:
                if stream.video_id:
                    out.hint = (
                        f"video {stream.video_id} keeps running remotely: "
                        f"minimax-async video get {stream.video_id}"
                    )
                if out.json_mode:
                    out.json(event.to_dict(), indent=None)
                else:
                    out.say(_event_line(event))
        out.hint = None
    if not out.json_mode:
        out.fields(
            [("video", stream.video_id), ("events", stream.events)]
            + [("attachment", url) for url in stream.attachments]
        )
    return EXIT_OK


# ---- accounts and capacity -----------------------------------------------------------------


async def _table_source(
    args: argparse.Namespace, out: Output, fetch: Callable[[AsyncMiniMax], Awaitable[T]]
) -> T:
    """What a table command shows; a missing ``rich`` is said before anything is sent."""
    out.require_display(table=True)
    async with make_client(args) as mm:
        return await fetch(mm)


def _without_jwt_token(data: dict[str, Any]) -> dict[str, Any]:
    jwt = data.get("jwt")
    if isinstance(jwt, dict) and jwt.get("token"):
        data = {**data, "jwt": {**jwt, "token": "***"}}
    return data


async def cmd_accounts(args: argparse.Namespace, out: Output) -> int:
    """``accounts``: the configured MiniMax accounts (account session tokens are masked)."""
    accounts = await _table_source(args, out, lambda mm: mm.accounts.list())
    if out.json_mode:
        out.json({name: _without_jwt_token(a.to_dict()) for name, a in accounts.items()})
        return EXIT_OK

    def yes(flag: bool | None) -> str:
        return "yes" if flag else "-"

    rows: list[Sequence[Any]] = []
    for name, account in accounts.items():
        jwt = account.jwt
        rows.append(
            (
                account.account or name,
                account.max_jobs,
                yes(account.support_video),
                yes(account.support_chat),
                yes(account.support_audio),
                yes(account.support_music),
                jwt.exp_expire if jwt is not None else None,
            )
        )
    out.table(
        f"{len(rows)} account(s)",
        ("account", "max jobs", "video", "chat", "audio", "music", "session expires"),
        rows,
    )
    return EXIT_OK


async def cmd_capacity(args: argparse.Namespace, out: Output) -> int:
    """``capacity``: free job slots per account and the jobs running now."""
    capacity = await _table_source(args, out, lambda mm: mm.scheduler.available())
    if out.json_mode:
        out.json(capacity.to_dict())
        return EXIT_OK
    out.table(
        "capacity",
        ("account", "max jobs", "executing", "available"),
        [(a.account, a.max_jobs, a.executing, a.available) for a in capacity.available or []],
    )
    executing = capacity.executing or []
    if executing:
        out.table(
            f"{len(executing)} running job(s)",
            ("job", "started", "elapsed", "replyRef"),
            [(j.video_id or j.image_id, j.started, j.elapsed, j.reply_ref) for j in executing],
        )
    else:
        out.say("no running jobs")
    return EXIT_OK
