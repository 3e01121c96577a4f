"""The one request path: URL, auth, timeouts, retries, error mapping, structuring.

Resources build a request and call :meth:`BaseClient.request`; all policy lives here.

Retry rules (ARCHITECTURE "Retries and timeouts"):

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

import asyncio
import json
import json.scanner
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, TypeVar, overload

import aiohttp
import anyio
import yarl
from aiohttp.connector import Connection

from ._converter import check_buildable, structure
from ._deadlines import Deadlines, Watch
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    JobCreationUnknownError,
    RateLimitError,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    make_status_error,
    parse_retry_after,
    redact_url,
    scrub,
    scrub_bytes,
)
from ._types import NOT_GIVEN, TIMEOUT_ERRORS, NotGiven, RequestOptions, Timeout
from ._version import __version__

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RECONCILE_SPAN",
    "BaseClient",
    "RetryKind",
    "SessionHolder",
    "check_encodable",
]

T = TypeVar("T")
RetryKind = Literal["idempotent", "create", "once"]
BodyFactory = Callable[[], Any]

log = logging.getLogger("minimax_async")

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_AMBIGUOUS_STATUSES = frozenset({502, 504})
# How many URLs ``url_for`` keeps (a poll asks for the same one every few seconds).
_URL_CACHE_SIZE = 1024
#: Methods aiohttp resends by itself once when the connection drops (RFC 9110 idempotent).
_SILENTLY_RESENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
# ``json.loads`` minus its encoding sniffing and whitespace regexes (see ``loads_json``).
_SCAN_JSON: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed types the argument oddly
)
#: Methods retried by default after any failure.
_IDEMPOTENT = frozenset({"GET", "DELETE", "HEAD"})
_MAX_RETRY_AFTER = 120.0
_CREATE_429_MIN, _CREATE_429_MAX = 10.0, 30.0
#: Seconds an ambiguous create is looked for at least (its attempt's read timeout when longer):
#: a request held up in transit can reach upstream, and be listed, long after its answer failed.
RECONCILE_SPAN = 30.0
#: Default ``max_response_bytes``: far above the largest documented answer (a 1000-item list
#: page is a few MiB), low enough that a broken or hostile server cannot exhaust memory.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: How much of a body over the limit is kept, for the error's excerpt.
_KEPT_WHEN_CUT = 4096


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, telling the holder's ``Deadlines`` when a request has its connection
    (the moment aiohttp's own ``sock_read`` clock would start, too)."""

    def __init__(self, holder: SessionHolder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._holder = holder

    async def connect(self, req: aiohttp.ClientRequest, *args: Any, **kwargs: Any) -> Connection:
        connection = await super().connect(req, *args, **kwargs)
        deadlines = self._holder._deadlines
        if deadlines is not None:
            deadlines.connected(asyncio.current_task())
        return connection


class SessionHolder:
    """The aiohttp session shared by a client and its ``with_options`` copies."""

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        self.session = session
        self.owned = session is None
        self.closed = False
        self._deadlines: Deadlines | None = None

    def deadlines(self) -> Deadlines:
        """The deadlines of this client's calls on the running event loop."""
        loop = asyncio.get_running_loop()
        made = self._deadlines
        if made is None or made.loop is not loop:
            made = self._deadlines = Deadlines(loop)
        return made

    def get(self) -> aiohttp.ClientSession:
        if self.closed:
            raise RuntimeError("this client was closed; create a new AsyncMiniMax")
        if self.session is None:
            self.session = aiohttp.ClientSession(
                connector=_Connector(self, limit=100, limit_per_host=0),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self.session

    async def aclose(self) -> None:
        self.closed = True
        if self.owned and self.session is not None and not self.session.closed:
            await self.session.close()


class _SentOnce(aiohttp.ClientConnectionError):
    """A lost connection aiohttp must not answer by silently resending the request."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def _no_silent_resend(
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
        raise _SentOnce(exc) from exc


class BaseClient:
    """Configuration and the request path shared by :class:`AsyncMiniMax` and the platform client.

    Args:
        api_token: sent as ``Authorization: Bearer`` to ``base_url``'s host only.
        base_url: the API root; paths are appended to it.
        timeout: default per-call :class:`Timeout` (or seconds).
        max_retries: how many times a failed call may be retried.
        max_response_bytes: the longest body read whole (JSON answers and error bodies),
            counted after decompression; checked against ``Content-Length`` first.
    """

    #: How the API signals failure inside a 2xx body (the platform's ``base_resp``); overridden.
    def _check_body(self, decoded: Any, response: aiohttp.ClientResponse) -> None:
        return None

    def __init__(
        self,
        *,
        api_token: str,
        base_url: str,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 2,
        holder: SessionHolder,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries={max_retries!r} is not valid; allowed: an int >= 0")
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1
        ):
            raise ValueError(
                f"max_response_bytes={max_response_bytes!r} is not valid; allowed: an int >= 1"
            )
        self._max_response_bytes = max_response_bytes
        self.__token = api_token
        self._base_url = base_url.rstrip("/")
        self._origin = yarl.URL(self._base_url).origin()
        self._timeout = Timeout() if isinstance(timeout, NotGiven) else Timeout.coerce(timeout)
        self._max_retries = max_retries
        self._holder = holder
        self._default_headers = dict(default_headers or {})
        #: What every request starts from (built once: this is on the hot path).
        self._base_headers = {
            "User-Agent": f"minimax-async/{__version__}",
            "Accept": "application/json",
            **{k: v for k, v in self._default_headers.items() if k.lower() != "authorization"},
        }
        #: The same with the token, for the API's own host (never modified: aiohttp copies it).
        self._api_headers = {**self._base_headers, **self._auth_headers()}
        # Hot-path caches, both bounded: a poll asks for the same URL over and over, and most
        # calls use one of a few timeouts.
        self._urls: dict[str, yarl.URL] = {}
        self._client_timeouts: dict[tuple[Timeout, bool], aiohttp.ClientTimeout] = {}
        self._default_client_timeouts: list[aiohttp.ClientTimeout | None] = [None, None]
        self._sleep: Callable[[float], Awaitable[None]] = anyio.sleep

    # -- configuration -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root every path is appended to."""
        return self._base_url

    @property
    def timeout(self) -> Timeout:
        """The default :class:`Timeout` of this client."""
        return self._timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed call may be retried."""
        return self._max_retries

    @property
    def max_response_bytes(self) -> int:
        """The longest answer body read whole, in bytes (after decompression)."""
        return self._max_response_bytes

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.__token}"}

    def _redact(self, text: str) -> str:
        return text.replace(self.__token, "***") if self.__token else text

    def _scrub_body(self, raw: bytes) -> bytes:
        # Error pages sometimes echo request headers: errors must never carry the token.
        return scrub_bytes(raw, (self.__token,))

    def _secrets(self) -> tuple[str, ...]:
        return (self.__token,)

    def _shown_body(self, raw: bytes, decoded: Any = None) -> bytes:
        """``raw`` as an error may keep it: scrubbed, and when it is JSON, scrubbed after
        decoding (a token written with ``\\u`` escapes is not in the raw bytes)."""
        if decoded is None:
            return self._scrub_body(raw)
        cleaned = scrub(decoded, (self.__token,))
        if cleaned == decoded:
            return self._scrub_body(raw)
        return json.dumps(cleaned, ensure_ascii=False).encode()

    def _is_api_url(self, url: yarl.URL) -> bool:
        origin = self._origin
        return (url.scheme, url.host, url.port) == (origin.scheme, origin.host, origin.port)

    def url_for(self, path: str) -> yarl.URL:
        """The absolute URL of ``path`` (already quoted; ``:`` and ``@`` stay literal)."""
        urls = self._urls
        try:
            return urls[path]
        except KeyError:
            pass
        url = yarl.URL(f"{self._base_url}/{path.lstrip('/')}", encoded=True)
        if len(urls) >= _URL_CACHE_SIZE:
            del urls[next(iter(urls))]  # the oldest: polls of finished jobs stop asking
        urls[path] = url
        return url

    def _client_timeout(
        self, limits: Timeout, total: float | None, coarse: bool
    ) -> aiohttp.ClientTimeout:
        """aiohttp's timeout for one attempt; ``coarse``: reads are timed by ``Deadlines``.

        ``sock_connect``, not ``connect``: that would also count the wait for a free pooled
        connection, failing busy-but-healthy clients with "timed out connecting".
        """
        if total is None:
            if limits is self._timeout:  # the common case, without hashing a Timeout
                made = self._default_client_timeouts[coarse]
                if made is not None:
                    return made
            made = self._client_timeouts.get((limits, coarse))
            if made is not None:
                return made
        made = aiohttp.ClientTimeout(
            total=total, sock_connect=limits.connect, sock_read=None if coarse else limits.read
        )
        if total is None and len(self._client_timeouts) < 64:
            self._client_timeouts[(limits, coarse)] = made
            if limits is self._timeout:
                self._default_client_timeouts[coarse] = made
        return made

    # -- the request path ----------------------------------------------------------------

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Mapping[str, Any] | None = ...,
        json_body: Any = ...,
        body: BodyFactory | None = ...,
        headers: Mapping[str, str] | None = ...,
        kind: RetryKind | None = ...,
        timeout: float | Timeout | NotGiven | None = ...,
        reconcile: Callable[[float], Awaitable[T | None]] | None = ...,
        reconcile_window: float | None = ...,
        reply_ref: str | None = ...,
        replayable: bool = ...,
        options: RequestOptions | None = ...,
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: None = ...,
        params: Mapping[str, Any] | None = ...,
        json_body: Any = ...,
        body: BodyFactory | None = ...,
        headers: Mapping[str, str] | None = ...,
        kind: RetryKind | None = ...,
        timeout: float | Timeout | NotGiven | None = ...,
        reconcile: None = ...,
        reconcile_window: float | None = ...,
        reply_ref: str | None = ...,
        replayable: bool = ...,
        options: RequestOptions | None = ...,
    ) -> None: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        headers: Mapping[str, str] | None = None,
        kind: RetryKind | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        reconcile: Callable[[float], Awaitable[Any]] | None = None,
        reconcile_window: float | None = None,
        reply_ref: str | None = None,
        replayable: bool = True,
        options: RequestOptions | None = None,
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
            timeout, headers, params = _apply_options(options, timeout, headers, params)
        if cast_to is not None and cast_to is not bytes:  # bytes: the raw body, unparsed
            check_buildable(cast_to)  # a ValueError now, not after the call was made (billed)

        return await self._run(
            method,
            self.url_for(path),
            params=params,
            json_body=json_body,
            body=body,
            headers=headers,
            kind=kind or ("idempotent" if method in _IDEMPOTENT else "once"),
            timeout=timeout,
            cast_to=cast_to,
            reconcile=reconcile,
            reconcile_window=reconcile_window,
            reply_ref=reply_ref,
            replayable=replayable,
            api=True,
        )

    async def _read_json(self, response: aiohttp.ClientResponse, cast_to: Any, method: str) -> Any:
        """A 2xx answer's body structured as ``cast_to`` (None: read and dropped)."""
        raw, whole = await read_capped(response, self._max_response_bytes)
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
            decoded = _UNREADABLE
        if decoded is _UNREADABLE:
            shown_raw = self._scrub_body(raw)
            raise ResponseDecodeError(
                f"the {response.status} answer is not valid JSON: {_excerpt(shown_raw)!r}",
                raw_body=shown_raw,
                status_code=response.status,
                method=method,
                url=str(response.url),
            )
        self._check_body(decoded, response)
        problem = None
        try:
            return structure(decoded, cast_to)
        except ValueError as exc:
            problem = str(scrub(str(exc), (self.__token,)))
        raise ResponseDecodeError(
            problem,
            raw_body=self._shown_body(raw, decoded),
            status_code=response.status,
            method=method,
            url=str(response.url),
        )

    async def open_stream(
        self,
        method: str,
        url: str | yarl.URL,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        headers: Mapping[str, str] | None = None,
        kind: RetryKind | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        reply_ref: str | None = None,
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

        async def keep(response: aiohttp.ClientResponse) -> aiohttp.ClientResponse:
            return response

        result: aiohttp.ClientResponse = await self._run(
            method,
            target,
            params=params,
            json_body=json_body,
            body=body,
            headers=headers,
            kind=kind or ("idempotent" if method in _IDEMPOTENT else "once"),
            timeout=timeout,
            handle=keep,
            reconcile=None,
            reply_ref=reply_ref,
            stream=True,
        )
        return result

    async def _run(
        self,
        method: str,
        url: yarl.URL,
        *,
        params: Mapping[str, Any] | None,
        json_body: Any,
        body: BodyFactory | None,
        headers: Mapping[str, str] | None,
        kind: RetryKind,
        timeout: float | Timeout | NotGiven | None,
        reconcile: Callable[[float], Awaitable[Any]] | None,
        reply_ref: str | None,
        handle: Callable[[aiohttp.ClientResponse], Awaitable[Any]] | None = None,
        cast_to: Any = None,
        reconcile_window: float | None = None,
        stream: bool = False,
        replayable: bool = True,
        api: bool | None = None,
    ) -> Any:
        """The request path. ``handle`` reads a 2xx answer (default: its JSON as ``cast_to``);
        ``api``: whether ``url`` is on the API's host (None: find out)."""
        limits = self._timeout if isinstance(timeout, NotGiven) else Timeout.coerce(timeout)
        # The call's own deadline is cheap to know; an enclosing anyio/asyncio deadline costs a
        # lookup per call, so it is looked up only when a retry or a reconcile is considered
        # (a first attempt is cancelled by that enclosing scope by itself anyway).
        own_deadline = None if limits.total is None else anyio.current_time() + limits.total
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
            {k: _query_value(k, v) for k, v in params.items() if v is not None} if params else None
        )
        if json_body is not None:
            check_encodable("json_body", json_body)
        session = self._holder.get()
        # Only the SDK's own connector reports when a request has its connection.
        coarse = not stream and body is None and self._holder.owned
        deadlines = self._holder.deadlines() if coarse else None
        attempt = 0
        # A create attempt whose outcome is unknown: once set, any final failure of this call
        # must say that a job may exist (raising the later error alone invites a duplicate).
        unsure: APIError | None = None
        while True:
            attempt += 1
            if attempt > 1 and not enclosing_known:
                deadline, enclosing_known = _deadline(own_deadline), True
            remaining = None if deadline is None else deadline - anyio.current_time()
            if remaining is not None and remaining <= 0:
                if unsure is not None:
                    raise _creation_unknown(
                        unsure, reply_ref, method, _shown(url, query), looked=reconcile is not None
                    ) from unsure
                raise APITimeoutError(
                    "the call's deadline passed", method=method, url=_shown(url, query)
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
                    "timeout": self._client_timeout(
                        limits, None if stream or coarse else remaining, coarse
                    ),
                }
                if query:
                    kwargs["params"] = query
                if body is not None:
                    kwargs["data"] = body()
                elif json_body is not None:
                    kwargs["json"] = json_body
                if kind == "create" and method in _SILENTLY_RESENT:
                    kwargs["middlewares"] = (
                        _no_silent_resend,
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
                            url=_shown(url, query),
                        )
                    else:
                        error = APITimeoutError(
                            "timed out waiting for the answer",
                            method=method,
                            url=_shown(url, query),
                        )
                        ambiguous = True
                except aiohttp.ClientConnectorError as exc:
                    # Could not connect: nothing reached the server, any kind may retry.
                    error = APIConnectionError(
                        f"could not connect: {self._redact(str(exc))}",
                        method=method,
                        url=_shown(url, query),
                    )
                except aiohttp.ConnectionTimeoutError:
                    error = APITimeoutError(
                        "timed out connecting", method=method, url=_shown(url, query)
                    )
                except TIMEOUT_ERRORS:  # incl. aiohttp's ServerTimeoutError
                    error = APITimeoutError(
                        "timed out waiting for the answer", method=method, url=_shown(url, query)
                    )
                    ambiguous = True
                except aiohttp.ClientError as exc:
                    cause = exc.cause if isinstance(exc, _SentOnce) else exc
                    error = APIConnectionError(
                        f"connection failed: {type(cause).__name__}: {self._redact(str(cause))}",
                        method=method,
                        url=_shown(url, query),
                    )
                    ambiguous = True
                else:
                    if watch is not None:  # The headers are in: ``read`` starts again for the body.
                        watch.owner.restart(watch)
                    keep_open = False
                    try:
                        status = response.status
                        _log_response(method, url, status, attempt, response, started)
                        if status < 400:
                            try:
                                if handle is None:
                                    result = await self._read_json(response, cast_to, method)
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
                                error = _read_failure(exc, method, _shown(url, query))
                            else:
                                keep_open = stream
                                return result
                        else:
                            error = await self._status_error(response, method, _shown(url, query))
                            ambiguous = status in _AMBIGUOUS_STATUSES
                    except asyncio.CancelledError:
                        if watch is None or not watch.claim():
                            raise
                        error = _read_failure(TimeoutError(), method, _shown(url, query))
                        ambiguous = True
                    except (*TIMEOUT_ERRORS, aiohttp.ClientError) as exc:
                        error = _read_failure(exc, method, _shown(url, query))
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
                    log.info(
                        "%s %s: outcome unknown (%s); looking for replyRef %s before resending",
                        method,
                        url.path,
                        type(error).__name__,
                        reply_ref,
                    )
                    found = None
                    # A job is listed only while it runs: how long it had to end unseen.
                    failed_after = time.monotonic() - started
                    try:
                        # The lookup is part of the call: it ends at the call's deadline too.
                        with anyio.move_on_at(math.inf if deadline is None else deadline):
                            # A request held up in transit may reach upstream late: look for
                            # as long as the attempt itself could have waited (30 s at least).
                            found = await reconcile(max(limits.read or 0.0, RECONCILE_SPAN))
                    except APIError as exc:
                        # Could not look: the job may exist, so it must not be resent.
                        log.info(
                            "%s %s: could not look for replyRef %s (%s); not resending",
                            method,
                            url.path,
                            reply_ref,
                            type(exc).__name__,
                        )
                        raise _creation_unknown(
                            error, reply_ref, method, _shown(url, query), looked=False
                        ) from exc
                    if found is not None:
                        return found
                    if reconcile_window is not None and failed_after > reconcile_window:
                        # A job made by that attempt may have ended before the first look.
                        log.info(
                            "%s %s: replyRef %s not found, but the attempt failed after "
                            "%.1fs (> %.0fs): a job it made may have ended unseen; not "
                            "resending",
                            method,
                            url.path,
                            reply_ref,
                            failed_after,
                            reconcile_window,
                        )
                        raise _creation_unknown(
                            error, reply_ref, method, _shown(url, query), looked=True, late=True
                        ) from error
                    out_of_time = deadline is not None and anyio.current_time() >= deadline
                    if attempt <= self._max_retries and replayable and not out_of_time:
                        continue  # Not found: safe to resend with the same replyRef.
                raise _creation_unknown(
                    error, reply_ref, method, _shown(url, query), looked=reconcile is not None
                ) from error
            delay = self._retry_delay(error, kind, ambiguous, attempt)
            if (
                delay is None
                or attempt > self._max_retries
                or not replayable
                or (deadline is not None and anyio.current_time() + delay >= deadline)
            ):
                if unsure is not None:
                    raise _creation_unknown(
                        error, reply_ref, method, _shown(url, query), looked=reconcile is not None
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

    def _retry_delay(
        self, error: APIError, kind: RetryKind, ambiguous: bool, attempt: int
    ) -> float | None:
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


def _apply_options(
    options: RequestOptions,
    timeout: float | Timeout | NotGiven | None,
    headers: Mapping[str, str] | None,
    params: Mapping[str, Any] | None,
) -> tuple[float | Timeout | NotGiven | None, Mapping[str, str] | None, Mapping[str, Any] | None]:
    """The call's timeout, headers and query with the caller's per-call options applied.

    Raises:
        TypeError: a keyword that is no per-call option (a misspelt argument of the method
            that collected it), before anything is sent.
    """
    unknown = sorted(set(options) - RequestOptions.__optional_keys__)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument {unknown[0]!r}; allowed besides the method's own "
            f"parameters: {', '.join(sorted(RequestOptions.__optional_keys__))}"
        )
    if "timeout" in options:
        timeout = options["timeout"]  # the caller's choice beats the method's default
    extra_headers = options.get("extra_headers")
    if extra_headers:
        headers = {**(headers or {}), **extra_headers}
    extra_query = options.get("extra_query")
    if extra_query:
        params = {**(params or {}), **extra_query}
    return timeout, headers, params


def _creation_unknown(
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


def _read_failure(exc: BaseException, method: str, url: str) -> APIError:
    if isinstance(exc, TIMEOUT_ERRORS):
        return APITimeoutError("timed out reading the answer", method=method, url=url)
    return APIConnectionError(
        f"connection lost while reading the answer: {type(exc).__name__}", method=method, url=url
    )


def _deadline(own: float | None) -> float | None:
    """The earlier of the call's own deadline and the enclosing cancel scope's (None: none)."""
    outer = float(anyio.current_effective_deadline())
    if math.isinf(outer):
        return own
    return outer if own is None else min(own, outer)


def _query_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if not text.isascii():
        check_encodable(name, text)
    return text


def check_encodable(name: str, value: Any) -> None:
    """Raise ``ValueError`` naming ``name`` when a text in ``value`` (a str, or the strings of
    a JSON-like body) cannot be sent as UTF-8: a lone surrogate would otherwise be dropped
    from a query or sent as an escape no server can read as text."""
    if isinstance(value, str):
        if value.isascii():
            return
        try:
            value.encode()
        except UnicodeEncodeError as exc:
            bad = value[exc.start : exc.end]
            raise ValueError(
                f"{name}={value[:80]!r} contains {bad!r}, which cannot be encoded as UTF-8; "
                "allowed: text without lone surrogates"
            ) from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_encodable(f"{name}[{key!r}]", key)
            check_encodable(f"{name}[{key!r}]", item)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_encodable(f"{name}[{i}]", item)


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


#: ``_read_json``'s marker for a body that is not JSON (``None`` is a JSON value).
_UNREADABLE: Any = object()


def _excerpt(raw: bytes) -> str:
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


def _shown(url: yarl.URL, query: Mapping[str, str] | None) -> str:
    """The URL as errors show it. Only a query can carry a secret (``?token=``); ids in paths
    are checked before anything is sent."""
    return redact_url(str(url.with_query(query))) if query else str(url)


def _log_response(
    method: str,
    url: yarl.URL,
    status: int,
    attempt: int,
    response: aiohttp.ClientResponse,
    started: float,
) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s %s -> %d (attempt %d, %.0f ms, request_id=%s)",
            method,
            url.path,
            status,
            attempt,
            (time.monotonic() - started) * 1000,
            response.headers.get("X-Request-Id") or response.headers.get("Trace-Id"),
        )
