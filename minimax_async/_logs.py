"""Where the SDK logs, and switching that on without writing logging code.

Everything logs to the ``minimax_async`` logger (requests and answers at DEBUG: method, URL,
status, attempt, time; retries, the shared watcher and batches at INFO/WARNING). Tokens are
never logged. ``MINIMAX_ASYNC_LOG=debug`` (or ``info``) in the environment, the CLI's
``--debug``, or :func:`enable_logging` print those records on stderr, as ``OPENAI_LOG`` does
for openai-python.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Final

__all__ = ["LOG_ENV", "LOGGER_NAME", "enable_logging", "logging_from_env"]

#: The one logger the SDK writes to (child loggers, if any, start with this name).
LOGGER_NAME: Final = "minimax_async"
#: ``debug`` or ``info``: print the SDK's log records of that level and above on stderr.
LOG_ENV: Final = "MINIMAX_ASYNC_LOG"

_LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO}


#: The name of the handler this module installs (recognised so it is installed once).
_HANDLER_NAME: Final = "minimax_async.stderr"


def enable_logging(level: str = "debug") -> None:
    """Print the SDK's log records of ``level`` (``"debug"`` or ``"info"``) on stderr.

    Installs one stderr handler on the ``minimax_async`` logger (again: only the level
    changes) and leaves the root logger alone.

    Raises:
        ValueError: ``level`` is not ``"debug"`` or ``"info"``.
    """
    chosen = _LEVELS.get(level.lower()) if isinstance(level, str) else None
    if chosen is None:
        raise ValueError(f"level={level!r} is not valid; allowed: 'debug', 'info'")
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(chosen)
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def logging_from_env() -> None:
    """Apply ``MINIMAX_ASYNC_LOG`` (called by every new client; unset or empty: nothing).

    An unknown value is ignored rather than failing the client: it only asks for logs.
    """
    value = os.environ.get(LOG_ENV, "").strip().lower()
    if value in _LEVELS:
        enable_logging(value)
