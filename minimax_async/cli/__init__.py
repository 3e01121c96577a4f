"""``minimax-async``: the command line of the SDK (``pip install 'minimax-async[cli]'``).

``minimax-async demo`` runs the main job end to end on the bundled emulator; the other commands
(``video``, ``image``, ``upload``, ``agent``, ``accounts``, ``capacity``) talk to the API set by
``USEAPI_TOKEN``/``--token`` and ``--base-url``. Every call goes through the async SDK.

Exit codes: 0 success, 2 usage or invalid request (``ValueError``, no token, missing file),
3 API error, 4 generation failed or moderated, 5 timeout, 130 Ctrl-C, 141 stdout closed (a
pipe reader such as ``head`` quit), 1 anything unexpected.
Errors are one line on stderr and never contain the API token. ``rich`` (the ``cli`` extra) is
imported only to draw progress bars and tables.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence

from ._errors import (
    EXIT_API,
    EXIT_FAILURE,
    EXIT_GENERATION,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    describe,
    exit_code_for,
)
from ._output import Output

# Ctrl-C as a cancellation of the command at its next ``await`` (asyncio.Runner, 3.11+), not a
# KeyboardInterrupt raised at whatever line runs (3.10's asyncio.run): cleanups and the
# "keeps running remotely" hint then never depend on where the signal lands.
if sys.version_info >= (3, 11):
    from asyncio import Runner
else:  # pragma: no cover - exercised by the suite on 3.10
    from backports.asyncio.runner import Runner

#: stdout was closed by the reader (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141

__all__ = [
    "EXIT_API",
    "EXIT_FAILURE",
    "EXIT_GENERATION",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "main",
]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace | int:
    from ._parser import build_parser

    try:
        return build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse already printed
        code = exc.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``minimax-async`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    args = _parse(argv)
    if isinstance(args, int):
        return args
    token = args.token or os.environ.get("USEAPI_TOKEN") or ""
    out = Output(json_mode=args.json, progress=not args.no_progress, secrets=(token,))
    if args.debug:
        from .._logs import enable_logging

        enable_logging("debug")  # every request on stderr (the SDK never logs the token)
    try:
        with Runner() as runner:
            code = int(runner.run(args.handler(args, out)))
            # On 3.10 (no ``Task.uncancel``) an anyio task group can take the cancellation
            # Ctrl-C sent for its own, and the command then returns as if it had finished: the
            # runner counted the interrupt all the same (``_interrupt_count``, in the stdlib
            # Runner and its backport alike), so it is still an interrupt (exit 130, the hint).
            if getattr(runner, "_interrupt_count", 0):
                raise KeyboardInterrupt
            return code
    except BrokenPipeError:  # e.g. `minimax-async ... | head`: stop quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        out.error("interrupted" + (f"; {out.hint}" if out.hint else ""))
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:  # the traceback too, then the same line and exit code as without
            _print_traceback(exc, out.secrets)
        to_dict = getattr(getattr(exc, "result", None), "to_dict", None)
        if out.json_mode and callable(to_dict):
            out.json(to_dict())  # the last snapshot of a failed, moderated or late job
        hint = f"; {out.hint}" if out.hint and exit_code_for(exc) == EXIT_TIMEOUT else ""
        out.error(describe(exc, out.secrets) + hint)
        return exit_code_for(exc)
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()


def _print_traceback(exc: BaseException, secrets: Sequence[str]) -> None:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    sys.stderr.write(text)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
