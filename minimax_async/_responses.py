"""Reading an answer: its size limit, JSON decoding, and how a failed read or a URL is shown.

The request path (``_base_client``) calls these for every answer it reads whole.
"""

from __future__ import annotations

import json
import json.scanner
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import yarl

from ._exceptions import APIConnectionError, APIError, APITimeoutError, redact_url
from ._types import TIMEOUT_ERRORS

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "UNREADABLE",
    "excerpt",
    "loads_json",
    "log_response",
    "read_capped",
    "read_failure",
    "shown_url",
]

log = logging.getLogger("minimax_async")

# ``json.loads`` minus its encoding sniffing and whitespace regexes (see ``loads_json``).
_SCAN_JSON: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed types the argument oddly
)
#: Default ``max_response_bytes``: far above the largest documented answer (a 1000-item list
#: page is a few MiB), low enough that a broken or hostile server cannot exhaust memory.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: How much of a body over the limit is kept, for the error's excerpt.
_KEPT_WHEN_CUT = 4096


async def read_capped(response: aiohttp.ClientResponse, limit: int) -> tuple[bytes, bool]:
    """(body, whole): the body of ``response`` as aiohttp decompresses it, read up to ``limit``
    bytes. When it is longer, ``whole`` is False, the rest is left unread and ``body`` is only
    its first bytes (enough for an excerpt; a ``Content-Length`` over ``limit`` is refused
    before reading anything)."""
    length = response.content_length
    if length is not None and length > limit:
        return b"", False
    content = response.content
    first = await content.readany()
    if len(first) > limit:
        return first[:_KEPT_WHEN_CUT], False
    if not first or content.at_eof():  # the usual small answer: one chunk, no copy
        return first, True
    body = bytearray(first)
    while chunk := await content.readany():
        body += chunk
        if len(body) > limit:
            return bytes(body[:_KEPT_WHEN_CUT]), False
    return bytes(body), True


#: ``BaseClient._json_answer``'s marker for a body that is not JSON (``None`` is a JSON value).
UNREADABLE: Any = object()


def excerpt(raw: bytes) -> str:
    text = raw[:120].decode("utf-8", "replace")
    return text + ("…" if len(raw) > 120 else "")


def loads_json(raw: bytes) -> Any:
    """``json.loads(raw)``, faster for the usual body: UTF-8 (as RFC 8259 requires on the wire)
    starting with its value. Anything else (a BOM, UTF-16, leading whitespace, an error) goes
    through ``json.loads`` itself, so the results and errors are the same."""
    try:
        text = raw.decode()
        value, end = _SCAN_JSON(text, 0)
    except (ValueError, StopIteration):
        return json.loads(raw)
    if end != len(text) and text[end:].strip(" \t\n\r"):
        return json.loads(raw)  # raises: extra data after the value
    return value


def shown_url(url: yarl.URL, query: Mapping[str, str] | None) -> str:
    """The URL as errors show it. Only a query can carry a secret (``?token=``); ids in paths
    are checked before anything is sent."""
    return redact_url(str(url.with_query(query))) if query else str(url)


def log_response(
    method: str,
    url: yarl.URL,
    status: int,
    attempt: int,
    response: aiohttp.ClientResponse,
    started: float,
) -> None:
    """Log one answer at DEBUG (the caller has checked that DEBUG is enabled)."""
    log.debug(
        "%s %s -> %d (attempt %d, %.0f ms, request_id=%s)",
        method,
        url.path,
        status,
        attempt,
        (time.monotonic() - started) * 1000,
        response.headers.get("X-Request-Id") or response.headers.get("Trace-Id"),
    )


def read_failure(exc: BaseException, method: str, url: str) -> APIError:
    if isinstance(exc, TIMEOUT_ERRORS):
        return APITimeoutError("timed out reading the answer", method=method, url=url)
    return APIConnectionError(
        f"connection lost while reading the answer: {type(exc).__name__}", method=method, url=url
    )
