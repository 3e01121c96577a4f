"""The argparse command tree of ``minimax-async``."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Final

from .._validation import (
    AGENT_MODELS,
    IMAGE_ASPECT_RATIOS,
    VIDEO_MODEL_OPTIONS,
    VIDEO_MODELS_WITHOUT_OPTIONS,
)
from .._version import __version__
from ._errors import EXIT_API, EXIT_GENERATION, EXIT_INTERRUPTED, EXIT_TIMEOUT, EXIT_USAGE

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ._output import Output

    #: What runs a command: its arguments and the writer in, the exit code out.
    Handler = Callable[[argparse.Namespace, Output], Awaitable[int]]

__all__ = ["build_parser"]

PROG = "minimax-async"

_DESCRIPTION = """\
The command line of minimax_async, the asyncio SDK for the useapi.net MiniMax API v1.

Try it without an account: `minimax-async demo` runs the whole image-to-video job against the
bundled local emulator. Other commands need USEAPI_TOKEN (or --token); --base-url points them
at another server, e.g. an emulator started with `python -m minimax_async.testing`.
"""

_EPILOG = f"""\
exit codes: 0 success; {EXIT_USAGE} usage or invalid request; {EXIT_API} API error; \
{EXIT_GENERATION} generation failed or moderated; {EXIT_TIMEOUT} timeout; \
{EXIT_INTERRUPTED} interrupted (Ctrl-C). The token is never printed.
"""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


#: The options accepted before and after the command: (flag, metavar or None for a switch, help).
_GLOBAL_OPTIONS: Final = (
    (
        "--json",
        None,
        "machine-readable output: the API objects as JSON on stdout (no progress bars)",
    ),
    ("--token", "TOKEN", "useapi.net API token (default: $USEAPI_TOKEN; prefer the variable)"),
    (
        "--base-url",
        "URL",
        "API base URL (default: $USEAPI_BASE_URL or https://api.useapi.net/v1/minimax)",
    ),
    (
        "--account",
        "ACCOUNT",
        "MiniMax account to use (default: $USEAPI_MINIMAX_ACCOUNT, else the API chooses)",
    ),
    ("--no-progress", None, "print status lines instead of live progress bars"),
    ("--debug", None, "log every request on stderr and show tracebacks (exit codes are unchanged)"),
)


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The options accepted before and after the command (``top``: with their defaults)."""

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    for flag, metavar, text in _GLOBAL_OPTIONS:
        if metavar is None:  # a switch
            group.add_argument(flag, action="store_true", default=default(False), help=text)
        else:
            group.add_argument(flag, default=default(None), metavar=metavar, help=text)


def _wait_options(parser: argparse.ArgumentParser, timeout: float) -> None:
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=timeout,
        metavar="SECONDS",
        help=f"how long to wait for the result (default: {timeout:g})",
    )
    parser.add_argument(
        "--poll-interval",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="fixed seconds between polls (default: 2 s growing to 10 s)",
    )


#: The models the CLI accepts (the SDK itself passes unknown names through: the API grows
#: faster than the SDK, but a command line typo should not create a billed job).
VIDEO_MODELS: Final = (*sorted(VIDEO_MODELS_WITHOUT_OPTIONS), *VIDEO_MODEL_OPTIONS)
IMAGE_MODELS: Final = tuple(IMAGE_ASPECT_RATIOS)


def _agent_models(raw: str) -> str:
    unknown = [m for m in (part.strip() for part in raw.split(",")) if m not in AGENT_MODELS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown model {unknown[0]!r} (choose from {', '.join(AGENT_MODELS)})"
        )
    return raw


def _result_options(
    parser: argparse.ArgumentParser,
    *,
    what: str,
    download: tuple[str, str],
    timeout: float,
) -> None:
    """``--wait``/``--download``/``--mkdir`` and the wait options of a command that starts a job
    (``download``: the metavar and help of ``--download``)."""
    parser.add_argument("--wait", action="store_true", help=f"wait for {what}")
    metavar, text = download
    parser.add_argument("--download", metavar=metavar, help=text)
    parser.add_argument(
        "--mkdir",
        action="store_true",
        help="create the --download directory (and its parents) if it does not exist",
    )
    _wait_options(parser, timeout)


def build_parser() -> argparse.ArgumentParser:
    """The ``minimax-async`` parser; each command sets ``handler`` (an async function)."""
    from ._commands import (
        cmd_accounts,
        cmd_agent_run,
        cmd_agent_stream,
        cmd_capacity,
        cmd_image_create,
        cmd_upload,
        cmd_video_create,
        cmd_video_get,
    )
    from ._demo import cmd_demo

    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, top=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, top=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        group: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        text: str,
        handler: Handler | None = None,
    ) -> argparse.ArgumentParser:
        """A (sub)command; ``handler``: what runs it (None: it has subcommands)."""
        parser = group.add_parser(name, parents=[common], help=text, description=text)
        if handler is not None:
            parser.set_defaults(handler=handler)
        return parser

    demo = command(
        commands,
        "demo",
        "run the main job end to end: upload a picture, image-to-video with live progress, "
        "download the mp4 (on the local emulator unless --real)",
        cmd_demo,
    )
    demo.add_argument(
        "--output",
        "-o",
        default=".",
        metavar="DIR",
        help="where to save the mp4 (default: .; created if missing)",
    )
    demo.add_argument(
        "--real",
        action="store_true",
        help="with a token configured, really run it on the API (spends credits)",
    )
    demo.add_argument(
        "--speed",
        type=_positive_float,
        default=50.0,
        help="emulator speed, x real time (default: 50)",
    )
    _wait_options(demo, 600.0)

    video = command(commands, "video", "create and inspect videos")
    video_commands = video.add_subparsers(dest="video_command", metavar="ACTION", required=True)
    create = command(
        video_commands, "create", "start a video (text- or image-to-video)", cmd_video_create
    )
    create.add_argument("prompt", nargs="?", default=None, metavar="PROMPT")
    create.add_argument(
        "--model",
        choices=VIDEO_MODELS,
        metavar="MODEL",
        help=f"one of {', '.join(VIDEO_MODELS)}",
    )
    create.add_argument("--options", help="resolution and duration, e.g. 768p-6sec")
    source = create.add_mutually_exclusive_group()
    source.add_argument("--file", metavar="PATH", help="upload this image first and use it")
    source.add_argument("--file-id", metavar="ID", help="an already uploaded file id")
    _result_options(
        create,
        what="the video, showing progress",
        download=("PATH", "wait, then save the video: an existing directory, or a new file in one"),
        timeout=1800.0,
    )

    get = command(video_commands, "get", "a video's status, progress and URLs", cmd_video_get)
    get.add_argument("video_id", metavar="ID")

    image = command(commands, "image", "create images")
    image_commands = image.add_subparsers(dest="image_command", metavar="ACTION", required=True)
    icreate = command(image_commands, "create", "start images from a prompt", cmd_image_create)
    icreate.add_argument("prompt", metavar="PROMPT")
    icreate.add_argument(
        "--model",
        choices=IMAGE_MODELS,
        metavar="MODEL",
        help=f"one of {', '.join(IMAGE_MODELS)} (default: image-01)",
    )
    icreate.add_argument("--aspect-ratio", metavar="RATIO", help="e.g. 16:9")
    icreate.add_argument("--resolution", help="e.g. 2K (models that take one)")
    icreate.add_argument("--quantity", type=int, metavar="N", help="how many images")
    _result_options(
        icreate,
        what="the images",
        download=("DIR", "wait, then save the images in DIR (must exist)"),
        timeout=600.0,
    )

    upload = command(
        commands, "upload", "upload an image, audio or video file; prints its id", cmd_upload
    )
    upload.add_argument("path", metavar="PATH")

    agent = command(commands, "agent", "the multi-model agent and agent templates")
    agent_commands = agent.add_subparsers(dest="agent_command", metavar="ACTION", required=True)
    run = command(agent_commands, "run", "run the agent and wait for its result", cmd_agent_run)
    run.add_argument("prompt", metavar="PROMPT")
    run.add_argument(
        "--models",
        required=True,
        type=_agent_models,
        metavar="M1,M2",
        help=f"comma-separated, from: {', '.join(AGENT_MODELS)}",
    )
    run.add_argument(
        "--file", action="append", default=[], metavar="PATH", help="attach a file (repeatable)"
    )

    stream = command(
        agent_commands,
        "stream",
        "start a template video, print events as they come",
        cmd_agent_stream,
    )
    stream.add_argument("template_id", metavar="TEMPLATE_ID")
    stream.add_argument("--prompt")
    image_source = stream.add_mutually_exclusive_group()
    image_source.add_argument("--file", metavar="PATH", help="upload this image first and use it")
    image_source.add_argument(
        "--file-id", metavar="ID", help="an uploaded file id (with --oss-path)"
    )
    stream.add_argument("--oss-path", metavar="PATH", help="the uploaded file's ossPath")

    command(commands, "accounts", "the configured MiniMax accounts", cmd_accounts)

    command(commands, "capacity", "free job slots per account and running jobs", cmd_capacity)

    from ._batch_command import add_batch_command

    add_batch_command(commands, common, _positive_float)
    return parser
