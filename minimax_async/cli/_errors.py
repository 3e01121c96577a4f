"""Exit codes and the one-line description of every error the CLI reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from .._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    GenerationError,
    GenerationModeratedError,
    JobCreationUnknownError,
    ModerationError,
    RateLimitError,
    StreamError,
    StreamIdleTimeoutError,
    WaitTimeoutError,
)
from .._types import TIMEOUT_ERRORS
from ..models.images import Image
from ..models.videos import Video
from ._status import status_text

__all__ = [
    "EXIT_API",
    "EXIT_FAILURE",
    "EXIT_GENERATION",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "CliError",
    "describe",
    "exit_code_for",
]

EXIT_OK: Final = 0
#: An unexpected error (a bug): reported in one line, ``--debug`` shows the traceback.
EXIT_FAILURE: Final = 1
#: Bad usage or input: argparse errors, ``ValueError`` from validation, missing token or file.
EXIT_USAGE: Final = 2
#: The API refused or failed the call (HTTP status, connection, undecodable answer, stream).
EXIT_API: Final = 3
#: The job ran but failed or was moderated (also a 422 moderation of the prompt or file).
EXIT_GENERATION: Final = 4
#: A deadline passed: waiting for a job, an idle stream, or a call's own timeout.
EXIT_TIMEOUT: Final = 5
#: Interrupted with Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED: Final = 130


class CliError(Exception):
    """An error the CLI reports as is, with its own exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def exit_code_for(exc: BaseException) -> int:
    """The process exit code for an error that ended a command."""
    if isinstance(exc, CliError):
        return exc.code
    # Timeouts first: WaitTimeoutError is also a GenerationError, TimeoutError an OSError.
    timeouts = (WaitTimeoutError, StreamIdleTimeoutError, APITimeoutError, *TIMEOUT_ERRORS)
    if isinstance(exc, timeouts):
        return EXIT_TIMEOUT
    if isinstance(exc, (GenerationError, ModerationError)):
        return EXIT_GENERATION
    if isinstance(exc, (APIError, StreamError)):
        return EXIT_API
    if isinstance(exc, (ValueError, ConfigurationError, OSError)):
        return EXIT_USAGE
    return EXIT_FAILURE


def _status_of(result: object, message: str) -> str:
    """The last known state of a job still running, in words (``last seen: processing 40%``);
    nothing for a job that ended (the message says how)."""
    if result is None or getattr(result, "is_final", False) or "removed" in message:
        return ""  # a failed, moderated or removed job: the message already says how it ended
    status = getattr(result, "status", None)
    if status is None:
        return ""
    if isinstance(result, (Video, Image)):
        return f" (last seen: {status_text(result)})"
    return f" (last seen: {getattr(result, 'status_label', None) or status})"


def describe(exc: BaseException, secrets: Sequence[str] = ()) -> str:
    """One line naming the problem; never contains one of ``secrets`` (the API token)."""
    if isinstance(exc, CliError):
        text = exc.message
    elif isinstance(exc, WaitTimeoutError):
        text = f"timed out: {exc.message}{_status_of(exc.result, exc.message)}"
    elif isinstance(exc, GenerationError):
        text = f"generation {_kind(exc)}: {exc.message}{_status_of(exc.result, exc.message)}"
    elif isinstance(exc, RateLimitError):
        busy = ", ".join(sorted(exc.running_videos)) if exc.running_videos else ""
        text = f"API error {exc}" + (f"; busy accounts: {busy}" if busy else "")
    elif isinstance(exc, APIStatusError):
        text = f"API error {exc} [{type(exc).__name__}]"
    elif isinstance(exc, JobCreationUnknownError):
        text = f"API error: {exc.message} (look for replyRef {exc.reply_ref} before retrying)"
    elif isinstance(exc, APIConnectionError):
        text = f"{'timeout' if isinstance(exc, APITimeoutError) else 'connection'} error: {exc}"
    elif isinstance(exc, APIError):
        text = f"API error: {exc}"
    elif isinstance(exc, StreamError):
        video = f" (video {exc.video_id})" if exc.video_id else ""
        text = f"stream error: {exc.message}{video}"
    elif isinstance(exc, ConfigurationError):
        text = str(exc)
    elif isinstance(exc, ValueError):
        text = f"invalid request: {exc}"
    elif isinstance(exc, OSError):
        name = f": {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror or type(exc).__name__}{name}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())


def _kind(exc: GenerationError) -> str:
    return "moderated" if isinstance(exc, GenerationModeratedError) else "failed"
