"""The one request path: URL, auth, timeouts, attempts, error mapping, structuring.

Resources build a request and call :meth:`BaseClient.request`. What a failed attempt leads to
(the retry table, back-off, reconcile-before-resend) is decided in ``_reconcile``; reading an
answer (size limit, JSON) is ``_responses``; the shared aiohttp session is ``_session``; the
configuration, secrets and hot-path caches are ``_client_config``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, overload

import aiohttp
import anyio
import yarl

from ._client_config import ClientConfig
from ._converter import BUILDABLE, _NotAnObject, _Unfit, check_buildable, structurer_of
from ._deadlines import Watch
from ._exceptions import (
    APIError,
    APIStatusError,
    APITimeoutError,
    ResponseDecodeError,
    ResponseTooLargeError,
    make_status_error,
    scrub,
)
from ._reconcile import (
    AMBIGUOUS_STATUSES,
    RECONCILE_SPAN,
    SILENTLY_RESENT,
    RetryKind,
    attempt_failure,
    creation_unknown,
    look_for_job,
    no_silent_resend,
    retry_delay,
)
from ._responses import (
    DEFAULT_MAX_RESPONSE_BYTES,
    UNREADABLE,
    excerpt,
    loads_json,
    log_response,
    read_capped,
    read_failure,
    shown_url,
)
from ._session import SessionHolder
from ._types import NOT_GIVEN, TIMEOUT_ERRORS, NotGiven, RequestOptions, Timeout
from ._wire import apply_options, check_encodable, query_value

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RECONCILE_SPAN",
    "BaseClient",
    "RequestCall",
    "RetryKind",
    "SessionHolder",
    "StreamCall",
    "check_encodable",
    "loads_json",
]

T = TypeVar("T")
BodyFactory = Callable[[], Any]

log = logging.getLogger("minimax_async")

#: Methods retried by default after any failure.
_IDEMPOTENT = frozenset({"GET", "DELETE", "HEAD"})


class StreamCall(TypedDict, total=False):
    """What :meth:`BaseClient.open_stream` sends (each as for :meth:`BaseClient.request`)."""

    params: Mapping[str, Any] | None
    json_body: Any
    body: BodyFactory | None
    headers: Mapping[str, str] | None
    kind: RetryKind | None
    timeout: float | Timeout | NotGiven | None
    reply_ref: str | None


class RequestCall(StreamCall, total=False):
    """What :meth:`BaseClient.request` sends besides ``cast_to``, ``reconcile``, ``options``."""

    reconcile_window: float | None
    replayable: bool


async def _keep_open(response: aiohttp.ClientResponse) -> aiohttp.ClientResponse:
    """A streamed call's ``handle``: the response itself, for the caller to read."""
    return response


class BaseClient(ClientConfig):
    """The request path shared by :class:`AsyncMiniMax` and the platform client (its
    configuration, secrets, URL and timeout caches are :class:`ClientConfig`'s)."""

    # -- the request path ----------------------------------------------------------------

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        reconcile: Callable[[float], Awaitable[T | None]] | None = ...,
        options: RequestOptions | None = ...,
        **call: Unpack[RequestCall],
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        reconcile: None = ...,
        options: RequestOptions | None = ...,
        **call: Unpack[RequestCall],
    ) -> None: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any = None,
        reconcile: Callable[[float], Awaitable[Any]] | None = None,
        options: RequestOptions | None = None,
        **call: Unpack[RequestCall],
    ) -> Any:
        """Send one API call (with retries) and return its body structured as ``cast_to``.

        ``cast_to=None`` discards the body (for ``DELETE`` and the like). ``body`` is a factory
        called once per attempt (multipart forms and streamed uploads cannot be reused);
        ``replayable=False`` (a one-shot async iterable) allows no second attempt at all.
        ``reconcile_window``: how many seconds after it was sent a job this call made is
        surely still listed where ``reconcile`` looks (``GET scheduler`` lists running jobs
        only); an attempt that failed later than that is not resent when nothing is found.
        ``options``: the caller's per-call :class:`RequestOptions`, applied here only (the
        resource methods pass them through untouched).
        """
        if options:
            call["timeout"], call["headers"], call["params"] = apply_options(
                options, call.get("timeout", NOT_GIVEN), call.get("headers"), call.get("params")
            )
        _check_cast_to(cast_to)
        return await self._run(
            method, self.url_for(path), cast_to=cast_to, reconcile=reconcile, api=True, **call
        )

    def _call(self, method: str, url: yarl.URL, cast_to: Any) -> Awaitable[Any]:
        """:meth:`request` for a plain call to one of the API's URLs (no body, query, options or
        reconcile), as a function that returns the request path's coroutine: the resources'
        ``retrieve`` / ``delete`` (every poll of every wait) resume one coroutine fewer per
        step. ``cast_to`` is checked as ``request`` checks it."""
        _check_cast_to(cast_to)
        return self._run(method, url, cast_to=cast_to, api=True)

    def _json_answer(
        self, response: aiohttp.ClientResponse, raw: bytes, whole: bool, cast_to: Any, method: str
    ) -> Any:
        """A 2xx answer's body (as :func:`read_capped` read it) structured as ``cast_to``
        (None: dropped). A plain function, so that reading an answer is one coroutine deep."""
        if not whole:
            response.close()  # the rest stays unread: this connection cannot be reused
            if cast_to is None:
                return None  # the status said it all; the body was to be dropped anyway
            raise ResponseTooLargeError(
                f"the {response.status} answer is larger than max_response_bytes="
                f"{self._max_response_bytes}; not read further",
                limit=self._max_response_bytes,
                raw_body=self._scrub_body(raw[:120]),
                status_code=response.status,
                method=method,
                url=str(response.url),
            )
        if cast_to is None:
            return None
        if cast_to is bytes:  # the caller parses it (the shared watcher: a slice at a time)
            return raw
        # Errors are raised outside the ``except`` blocks: a ``JSONDecodeError`` kept as the
        # new error's ``__context__`` would hold the unscrubbed body (its ``.doc``).
        try:
            decoded = loads_json(raw)
        except ValueError:  # JSONDecodeError, UnicodeDecodeError
            decoded = UNREADABLE
        if decoded is UNREADABLE:
            shown_raw = self._scrub_body(raw)
            raise ResponseDecodeError(
                f"the {response.status} answer is not valid JSON: {excerpt(shown_raw)!r}",
                raw_body=shown_raw,
                status_code=response.status,
                method=method,
                url=str(response.url),
            )
        if self._checks_body:
            self._check_body(decoded, response)
        problem = None
        try:
            return structurer_of(cast_to)(decoded)  # ``structure``, a call fewer
        except _Unfit:
            problem = str(_NotAnObject.of(cast_to))
        except ValueError as exc:
            problem = str(scrub(str(exc), self._secrets()))
        raise ResponseDecodeError(
            problem,
            raw_body=self._shown_body(raw, decoded),
            status_code=response.status,
            method=method,
            url=str(response.url),
        )

    async def open_stream(
        self, method: str, url: str | yarl.URL, **call: Unpack[StreamCall]
    ) -> aiohttp.ClientResponse:
        """Open a response whose body the caller reads (SSE, downloads); the caller releases it.

        Retries and error mapping are as for :meth:`request` up to the response headers. A
        ``url`` on another host than the API's is sent without the API token.
        """
        target = (
            url
            if isinstance(url, yarl.URL)
            else (yarl.URL(url) if "://" in url else self.url_for(url))
        )
        result: aiohttp.ClientResponse = await self._run(
            method, target, handle=_keep_open, stream=True, **call
        )
        return result

    async def _run(
        self,
        method: str,
        url: yarl.URL,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        headers: Mapping[str, str] | None = None,
        kind: RetryKind | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        reconcile: Callable[[float], Awaitable[Any]] | None = None,
        reply_ref: str | None = None,
        handle: Callable[[aiohttp.ClientResponse], Awaitable[Any]] | None = None,
        cast_to: Any = None,
        reconcile_window: float | None = None,
        stream: bool = False,
        replayable: bool = True,
        api: bool | None = None,
    ) -> Any:
        """The request path. ``handle`` reads a 2xx answer (default: its JSON as ``cast_to``);
        ``api``: whether ``url`` is on the API's host (None: find out); ``kind`` None: by
        ``method``."""
        if kind is None:
            kind = "idempotent" if method in _IDEMPOTENT else "once"
        limits = self._timeout if isinstance(timeout, NotGiven) else Timeout.coerce(timeout)
        # The call's own deadline is cheap to know; an enclosing anyio/asyncio deadline costs a
        # lookup per call, so it is looked up only when a retry or a reconcile is considered
        # (a first attempt is cancelled by that enclosing scope by itself anyway).
        own_deadline = None if limits.total is None else _now() + limits.total
        deadline = own_deadline
        enclosing_known = False
        if api is None:
            api = self._is_api_url(url)
        # Header names are case-insensitive: every spelling of Authorization is dropped, then
        # ours is added for the API's host only (never hand the token to a media CDN).
        if not headers:
            send_headers = self._api_headers if api else self._base_headers
        else:
            send_headers = dict(self._base_headers)
            send_headers.update(headers)
            for name in [n for n in headers if n.lower() == "authorization"]:
                del send_headers[name]
            if api:
                send_headers.update(self._auth_headers())
        query = (
            {k: query_value(k, v) for k, v in params.items() if v is not None} if params else None
        )
        if json_body is not None:
            check_encodable("json_body", json_body)
        # Only the SDK's own connector reports when a request has its connection: ``deadlines``
        # is None for a session the caller gave.
        session, deadlines = self._holder.get_timed(not stream and body is None)
        coarse = deadlines is not None
        # aiohttp's timeout: the same for every attempt unless aiohttp keeps the total.
        fixed_total = stream or coarse
        aio_timeout = None
        if fixed_total and limits is self._timeout:
            aio_timeout = self._default_client_timeouts[coarse]  # None until first made
        attempt = 0
        # A create attempt whose outcome is unknown: once set, any final failure of this call
        # must say that a job may exist (raising the later error alone invites a duplicate).
        unsure: APIError | None = None
        while True:
            attempt += 1
            if attempt > 1 and not enclosing_known:
                deadline, enclosing_known = _deadline(own_deadline), True
            remaining = None if deadline is None else deadline - _now()
            if remaining is not None and remaining <= 0:
                if unsure is not None:
                    raise creation_unknown(
                        unsure,
                        reply_ref,
                        method,
                        shown_url(url, query),
                        looked=reconcile is not None,
                    ) from unsure
                raise APITimeoutError(
                    "the call's deadline passed", method=method, url=shown_url(url, query)
                )
            # An answer read whole to a small request (no body factory: JSON or nothing) has
            # its deadline kept by the loop-wide ``Deadlines`` (see ``_deadlines``); uploads and
            # streams keep aiohttp's own per-read timers.
            watch: Watch | None = None
            if deadlines is not None and (limits.read is not None or deadline is not None):
                # The read clock starts once a pooled connection is ours (``_Connector``):
                # waiting for one of them is not waiting for the answer.
                watch = deadlines.start(limits.read, deadline, connecting=True)
            try:
                kwargs: dict[str, Any] = {
                    "headers": send_headers,
                    "timeout": aio_timeout
                    or self._client_timeout(limits, None if fixed_total else remaining, coarse),
                }
                if query:
                    kwargs["params"] = query
                if body is not None:
                    kwargs["data"] = body()
                elif json_body is not None:
                    kwargs["json"] = json_body
                if kind == "create" and method in SILENTLY_RESENT:
                    kwargs["middlewares"] = (
                        no_silent_resend,
                        *(getattr(session, "_middlewares", None) or ()),
                    )
                error: APIError
                ambiguous = False
                started = time.monotonic()
                try:
                    response = await session.request(method, url, **kwargs)
                except asyncio.CancelledError:
                    if watch is None or not watch.claim():
                        raise
                    if watch.connecting:  # nothing was sent: the deadline passed in the queue
                        error = APITimeoutError(
                            "the call's deadline passed while waiting for a free connection",
                            method=method,
                            url=shown_url(url, query),
                        )
                    else:
                        error = APITimeoutError(
                            "timed out waiting for the answer",
                            method=method,
                            url=shown_url(url, query),
                        )
                        ambiguous = True
                except (*TIMEOUT_ERRORS, aiohttp.ClientError) as exc:
                    error, ambiguous = attempt_failure(
                        exc, method=method, url=shown_url(url, query), redact=self._redact
                    )
                else:
                    if watch is not None:  # The headers are in: ``read`` starts again for the body.
                        watch.owner.restart(watch)
                    keep_open = False
                    try:
                        status = response.status
                        if log.isEnabledFor(logging.DEBUG):  # checked here: a call fewer
                            log_response(method, url, status, attempt, response, started)
                        if status < 400:
                            try:
                                if handle is None:
                                    raw, whole = await read_capped(
                                        response, self._max_response_bytes
                                    )
                                    result = self._json_answer(
                                        response, raw, whole, cast_to, method
                                    )
                                else:
                                    result = await handle(response)
                            except ResponseDecodeError as exc:
                                if kind != "create":
                                    raise
                                ambiguous, error = True, exc
                            except APIStatusError as exc:  # an error inside a 2xx body (platform)
                                error = exc
                            except (*TIMEOUT_ERRORS, aiohttp.ClientError) as exc:
                                ambiguous = True
                                error = read_failure(exc, method, shown_url(url, query))
                            else:
                                keep_open = stream
                                return result
                        else:
                            error = await self._status_error(
                                response, method, shown_url(url, query)
                            )
                            ambiguous = status in AMBIGUOUS_STATUSES
                    except asyncio.CancelledError:
                        if watch is None or not watch.claim():
                            raise
                        error = read_failure(TimeoutError(), method, shown_url(url, query))
                        ambiguous = True
                    except (*TIMEOUT_ERRORS, aiohttp.ClientError) as exc:
                        error = read_failure(exc, method, shown_url(url, query))
                        ambiguous = True
                    finally:
                        if not keep_open:
                            response.release()
            finally:
                if watch is not None:
                    watch.owner.stop(watch)

            # -- decide: reconcile, retry or raise ---------------------------------------
            if not enclosing_known:
                deadline, enclosing_known = _deadline(own_deadline), True
            if kind == "create" and ambiguous:
                unsure = error
                if reconcile is not None:
                    found = await look_for_job(
                        reconcile,
                        error,
                        method=method,
                        url=url,
                        shown=shown_url(url, query),
                        reply_ref=reply_ref,
                        # A job is listed only while it runs: how long it had to end unseen.
                        failed_after=time.monotonic() - started,
                        deadline=deadline,
                        read_limit=limits.read,
                        window=reconcile_window,
                    )
                    if found is not None:
                        return found
                    out_of_time = deadline is not None and _now() >= deadline
                    if attempt <= self._max_retries and replayable and not out_of_time:
                        continue  # Not found: safe to resend with the same replyRef.
                raise creation_unknown(
                    error, reply_ref, method, shown_url(url, query), looked=reconcile is not None
                ) from error
            delay = retry_delay(error, kind, ambiguous, attempt)
            if (
                delay is None
                or attempt > self._max_retries
                or not replayable
                or (deadline is not None and _now() + delay >= deadline)
            ):
                if unsure is not None:
                    raise creation_unknown(
                        error,
                        reply_ref,
                        method,
                        shown_url(url, query),
                        looked=reconcile is not None,
                    ) from error
                raise error
            log.debug(
                "%s %s: retrying in %.1fs after %s (attempt %d)",
                method,
                url.path,
                delay,
                type(error).__name__,
                attempt,
            )
            await self._sleep(delay)

    async def _status_error(
        self, response: aiohttp.ClientResponse, method: str, url: str
    ) -> APIStatusError:
        """The typed error of an error answer, its body read up to ``max_response_bytes``."""
        raw, whole = await read_capped(response, self._max_response_bytes)
        note = ""
        if not whole:
            response.close()  # the rest stays unread: this connection cannot be reused
            note = f"error body larger than max_response_bytes={self._max_response_bytes}; cut"
        return make_status_error(
            response.status,
            response.headers,
            self._scrub_body(raw),
            method=method,
            url=url,
            secrets=self._secrets(),
            note=note,
        )


def _now() -> float:
    """``anyio.current_time()`` on asyncio (the only loop aiohttp runs on), without anyio's
    backend lookup; read only when a deadline or a retry needs it, not on every call."""
    return asyncio.get_running_loop().time()


def _check_cast_to(cast_to: Any) -> None:
    """A ValueError now for a ``cast_to`` no answer fits, not after the call was made (billed);
    ``None``: the body is dropped, ``bytes``: returned raw."""
    try:
        if cast_to in BUILDABLE:
            return
    except TypeError:  # unhashable: ``check_buildable`` says what is wrong with it
        pass
    check_buildable(cast_to)


def _deadline(own: float | None) -> float | None:
    """The earlier of the call's own deadline and the enclosing cancel scope's (None: none)."""
    outer = float(anyio.current_effective_deadline())
    if math.isinf(outer):
        return own
    return outer if own is None else min(own, outer)
