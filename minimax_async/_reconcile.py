"""What follows a failed attempt: retry, reconcile a create, or raise (the exactly-once rules).

The request path (``_base_client.BaseClient._run``) makes the attempts; this module decides
what a failure leads to. Retry rules (ARCHITECTURE "Retries and timeouts"):

==================  =======================================  ==================================
kind                retried on                               never retried on
==================  =======================================  ==================================
``"idempotent"``    connection errors, timeouts,             400/401/404/412/422/596, decode
(GET, DELETE, ...)  408, 429, 500, 502, 503, 504             errors
``"create"``        connection failed before sending; 429    everything else. Ambiguous
(job-creating)      (at least 10 s apart)                    outcomes are reconciled, not resent
``"once"``          connection failed before sending         everything else (one-shot bodies)
==================  =======================================  ==================================

An *ambiguous* create outcome (502, 504, a read timeout, the connection lost after the request
was written, a 2xx whose body cannot be read) may have created a billed job upstream. When the
caller gave a ``reconcile`` coroutine (it looks for the request's ``replyRef`` in
``GET scheduler``), it runs first: a found job is returned as if the create had answered; only
when nothing is found is the request resent, with the same ``replyRef``, and only if the
attempt failed within ``reconcile_window`` seconds of being sent (the scheduler lists running
jobs only: a job made by a slower attempt may have ended unseen). A look-up that could not read
the scheduler, or no ``reconcile`` at all, raises :class:`JobCreationUnknownError` carrying the
``replyRef``. aiohttp's own silent resend of an idempotent method on a dropped connection is
turned off for creates (``GET music/create``). The README's "Retries, and why you never pay
twice" tables say the same per endpoint.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import aiohttp
import anyio
import yarl

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    JobCreationUnknownError,
    RateLimitError,
    ServerError,
    parse_retry_after,
)
from ._types import TIMEOUT_ERRORS

__all__ = [
    "AMBIGUOUS_STATUSES",
    "RECONCILE_SPAN",
    "SILENTLY_RESENT",
    "RetryKind",
    "SentOnce",
    "attempt_failure",
    "creation_unknown",
    "look_for_job",
    "no_silent_resend",
    "retry_delay",
]

RetryKind = Literal["idempotent", "create", "once"]

log = logging.getLogger("minimax_async")

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Statuses after which a create may or may not have made its job.
AMBIGUOUS_STATUSES = frozenset({502, 504})
#: Methods aiohttp resends by itself once when the connection drops (RFC 9110 idempotent).
SILENTLY_RESENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_MAX_RETRY_AFTER = 120.0
_CREATE_429_MIN, _CREATE_429_MAX = 10.0, 30.0
#: Seconds an ambiguous create is looked for at least (its attempt's read timeout when longer):
#: a request held up in transit can reach upstream, and be listed, long after its answer failed.
RECONCILE_SPAN = 30.0


def retry_delay(error: APIError, kind: RetryKind, ambiguous: bool, attempt: int) -> float | None:
    """Seconds to wait before retrying ``error``, or None when it must not be retried."""
    backoff = min(8.0, 0.5 * 2.0 ** (attempt - 1)) * random.uniform(0.75, 1.0)
    if isinstance(error, APIStatusError):
        status = error.status_code
        if isinstance(error, RateLimitError):
            status = 429  # also the platform's code 1002 inside an HTTP 200
        elif isinstance(error, ServerError) and status < 500:
            status = 500  # the platform's 1000/1001/1024/1033 inside an HTTP 200
        retry_after = (
            error.retry_after
            if isinstance(error, RateLimitError)
            else (parse_retry_after(error.headers.get("Retry-After")))
        )
        if status == 429 and kind == "create":
            wait = random.uniform(_CREATE_429_MIN, _CREATE_429_MAX)
            if retry_after is not None and retry_after <= _MAX_RETRY_AFTER:
                wait = max(_CREATE_429_MIN, retry_after)
            return wait
        if kind != "idempotent" or status not in _RETRY_STATUSES:
            return None
        if retry_after is not None and retry_after <= _MAX_RETRY_AFTER:
            return retry_after
        return backoff
    if isinstance(error, APIConnectionError):
        if kind == "idempotent" or not ambiguous:
            return backoff
        return None
    return None


def creation_unknown(
    error: APIError,
    reply_ref: str | None,
    method: str,
    url: str,
    *,
    looked: bool,
    late: bool = False,
) -> JobCreationUnknownError:
    if reply_ref is None:
        where = "this endpoint takes no replyRef: look for the job in the account's list"
    elif late:
        where = (
            f"replyRef {reply_ref!r}: not among the running jobs, but the answer failed so late "
            "that a job may already have ended; look for it in your replyUrl callbacks or "
            "the account's list"
        )
    elif looked:
        where = f"replyRef {reply_ref!r}: no job with it was found yet, it may still appear"
    else:
        where = f"replyRef {reply_ref!r}: look for it"
    return JobCreationUnknownError(
        f"{error.message}; the job may or may not have been created upstream ({where})",
        reply_ref=reply_ref,
        cause=error,
        method=method,
        url=url,
    )


class SentOnce(aiohttp.ClientConnectionError):
    """A lost connection aiohttp must not answer by silently resending the request."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def no_silent_resend(
    request: aiohttp.ClientRequest,
    handler: Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]],
) -> aiohttp.ClientResponse:
    """A client middleware for job-creating GETs (``music/create``).

    aiohttp resends an idempotent method (GET, DELETE, ...) once, unasked, when the connection
    drops before the answer: for a GET that starts a billed job that is a duplicate. Wrapping
    the drop in another ``ClientError`` makes aiohttp raise it instead; the request path then
    treats it as an ambiguous outcome like any other create. Failing to connect (nothing sent)
    is left alone.
    """
    try:
        return await handler(request)
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError):
        raise
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        raise SentOnce(exc) from exc


async def look_for_job(
    reconcile: Callable[[float], Awaitable[Any]],
    error: APIError,
    *,
    method: str,
    url: yarl.URL,
    shown: str,
    reply_ref: str | None,
    failed_after: float,
    deadline: float | None,
    read_limit: float | None,
    window: float | None,
) -> Any:
    """After an ambiguous create: the job ``reconcile`` finds by its ``replyRef``, or None when
    resending is safe.

    Raises:
        JobCreationUnknownError: the look-up could not read the scheduler, or nothing was found
            but the attempt failed later than ``window`` seconds after it was sent (a job it
            made may have ended unseen): either way it must not be resent.
    """
    log.info(
        "%s %s: outcome unknown (%s); looking for replyRef %s before resending",
        method,
        url.path,
        type(error).__name__,
        reply_ref,
    )
    found = None
    try:
        # The lookup is part of the call: it ends at the call's deadline too.
        with anyio.move_on_at(math.inf if deadline is None else deadline):
            # A request held up in transit may reach upstream late: look for as long as the
            # attempt itself could have waited (30 s at least).
            found = await reconcile(max(read_limit or 0.0, RECONCILE_SPAN))
    except APIError as exc:
        # Could not look: the job may exist, so it must not be resent.
        log.info(
            "%s %s: could not look for replyRef %s (%s); not resending",
            method,
            url.path,
            reply_ref,
            type(exc).__name__,
        )
        raise creation_unknown(error, reply_ref, method, shown, looked=False) from exc
    if found is None and window is not None and failed_after > window:
        # A job made by that attempt may have ended before the first look.
        log.info(
            "%s %s: replyRef %s not found, but the attempt failed after %.1fs (> %.0fs): a job "
            "it made may have ended unseen; not resending",
            method,
            url.path,
            reply_ref,
            failed_after,
            window,
        )
        raise creation_unknown(error, reply_ref, method, shown, looked=True, late=True) from error
    return found


def attempt_failure(
    exc: BaseException, *, method: str, url: str, redact: Callable[[str], str]
) -> tuple[APIError, bool]:
    """The error an attempt that got no answer raises, and whether its outcome is ambiguous
    (the request may have reached the server). ``redact`` takes secrets out of aiohttp's text."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        # Could not connect: nothing reached the server, any kind may retry.
        return APIConnectionError(
            f"could not connect: {redact(str(exc))}", method=method, url=url
        ), False
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return APITimeoutError("timed out connecting", method=method, url=url), False
    if isinstance(exc, TIMEOUT_ERRORS):  # incl. aiohttp's ServerTimeoutError
        return APITimeoutError("timed out waiting for the answer", method=method, url=url), True
    cause = exc.cause if isinstance(exc, SentOnce) else exc
    return APIConnectionError(
        f"connection failed: {type(cause).__name__}: {redact(str(cause))}", method=method, url=url
    ), True
