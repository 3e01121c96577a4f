"""The errors ``minimax_async`` raises, and the one function mapping a response to an error.

::

    MiniMaxError
      ConfigurationError
      APIError
        APIConnectionError
          APITimeoutError
        APIStatusError            .status_code .message .body .error .request_id .method .url
          BadRequestError         400 (and platform 2013)
          AuthenticationError     401 (and platform 1004, 2049)
          NotFoundError           404
          InsufficientCreditsError 412 (and platform 1008)
          ModerationError         422 (and platform 1026, 1027)
          RateLimitError          429 (.running_videos, .retry_after; platform 1002)
          ServerError             5xx
          AccountOnHoldError      596
        ResponseDecodeError       body is not the JSON the endpoint promises (.raw_body)
          ResponseTooLargeError   body longer than ``max_response_bytes`` (.limit)
        JobCreationUnknownError   a create may or may not have made a job (.reply_ref)
      StreamError
        StreamTruncatedError, StreamIdleTimeoutError
        StreamEventTooLargeError  one event (or line) over the stream's limit (.limit)
      GenerationError             .result (last snapshot)
        GenerationFailedError, GenerationModeratedError
        WaitTimeoutError          (also TimeoutError)

No message, attribute or ``repr`` of these carries the API token or an account JWT: URLs are
stored without their query's secrets; bodies are scrubbed of ``token``/``jwt`` values after JSON
decoding (a token written with ``\\u`` escapes is caught too), and so are response headers
(``Authorization`` or ``Set-Cookie`` echoed by a server).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from multidict import CIMultiDict, CIMultiDictProxy

if TYPE_CHECKING:
    from .models.errors import ErrorBody

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AccountOnHoldError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "GenerationError",
    "GenerationFailedError",
    "GenerationModeratedError",
    "InsufficientCreditsError",
    "JobCreationUnknownError",
    "MiniMaxError",
    "ModerationError",
    "NotFoundError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ServerError",
    "StreamError",
    "StreamEventTooLargeError",
    "StreamIdleTimeoutError",
    "StreamTruncatedError",
    "WaitTimeoutError",
    "make_status_error",
    "redact_url",
    "scrub",
    "scrub_bytes",
    "scrub_headers",
]

_EXCERPT = 200
_SECRET_KEYS = frozenset({"token", "jwt", "authorization", "api_key", "apikey", "access_token"})
#: Response headers whose whole value is a credential when a server echoes or sets one.
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
_SECRET_QUERY = re.compile(r"([?&](?:token|api_key|apikey|access_token)=)[^&#]*", re.IGNORECASE)
# Everything up to whitespace or a delimiter: useapi.net tokens contain ``:`` (``user:1234-...``).
_BEARER = re.compile(r"(bearer\s+)[^\s\"'<>\\,;]+", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters (``token=``...) replaced by ``***``."""
    return _SECRET_QUERY.sub(r"\1***", url)


_BEARER_BYTES = re.compile(rb"(bearer\s+)[^\s\"'<>\\,;]+", re.IGNORECASE)
_JWT_BYTES = re.compile(rb"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


def scrub_bytes(raw: bytes, secrets: tuple[str, ...] = ()) -> bytes:
    """``raw`` (a response body) with ``secrets``, bearer credentials and JWTs replaced."""
    for secret in secrets:
        if secret:
            raw = raw.replace(secret.encode(), b"***")
    return _JWT_BYTES.sub(b"***", _BEARER_BYTES.sub(rb"\1***", raw))


def scrub(value: Any, secrets: tuple[str, ...] = ()) -> Any:
    """A copy of a decoded JSON body (or text) with ``secrets``, tokens and JWTs replaced by
    ``"***"``. Run it on decoded values: a secret written with JSON escapes only shows there."""
    if isinstance(value, Mapping):
        return {
            k: ("***" if isinstance(k, str) and k.lower() in _SECRET_KEYS else scrub(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            if secret:
                value = value.replace(secret, "***")
        return _JWT.sub("***", _BEARER.sub(r"\1***", value))
    return value


def scrub_headers(
    headers: Mapping[str, str], secrets: tuple[str, ...] = ()
) -> CIMultiDictProxy[str]:
    """``headers`` (case-insensitive, repeated names kept) with credential headers
    (``Authorization``, ``Set-Cookie``...) masked and ``secrets``, bearer tokens and JWTs
    replaced in the others."""
    return CIMultiDictProxy(
        CIMultiDict(
            (name, "***" if name.lower() in _SECRET_HEADERS else scrub(value, secrets))
            for name, value in headers.items()
        )
    )


class MiniMaxError(Exception):
    """Base of every error ``minimax_async`` raises on purpose."""


class ConfigurationError(MiniMaxError):
    """The client is missing configuration (e.g. no API token)."""


class APIError(MiniMaxError):
    """A call to the API did not give a usable answer."""

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = redact_url(url) if url is not None else None


class APIConnectionError(APIError):
    """The request could not be sent, or its answer could not be read (network, DNS, reset)."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting or waiting for the answer)."""


class APIStatusError(APIError):
    """The API answered with an error status (or a platform ``base_resp`` error code)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        code: int | None = None,
    ):
        super().__init__(message, method=method, url=url)
        self.status_code = status_code
        self.body = scrub(body)
        self.request_id = request_id
        #: The API's own error code where it gives one (``statusInfo.code``, platform code).
        self.code = code
        #: The answer's headers, credentials masked (a server may echo ``Authorization``).
        self.headers: Mapping[str, str] = scrub_headers(headers or {})

    @functools.cached_property
    def error(self) -> ErrorBody | None:
        """The error body as the typed :class:`~minimax_async.models.ErrorBody`: ``error``,
        ``code``, ``status_info`` (``code``, ``message``, ``service_time``, ``request_id``,
        ``debug_info`` ...), ``running_videos``; unknown keys in ``.model_extra``. None when the
        body is not a JSON object (an HTML page, an empty body). Built on first access from
        :attr:`body`, which stays the raw (scrubbed) JSON.
        """
        if not isinstance(self.body, Mapping):
            return None
        from ._converter import structure
        from .models.errors import ErrorBody

        return structure(self.body, ErrorBody)

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        rid = f" [request_id={self.request_id}]" if self.request_id else ""
        return f"{self.status_code} {self.message}{where}{rid}"


class BadRequestError(APIStatusError):
    """400: the API refused the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: the API token (or the platform key) is wrong, or the account is suspended."""


class NotFoundError(APIStatusError):
    """404: no such object (for a video: most often moderated and removed)."""


class InsufficientCreditsError(APIStatusError):
    """412: the account has no credits left."""


class ModerationError(APIStatusError):
    """422: the prompt or file was moderated (or, for a too-short prompt, refused)."""


class RateLimitError(APIStatusError):
    """429: the account is busy (``running_videos``) or rate limited (``retry_after``)."""

    def __init__(
        self,
        message: str,
        *,
        running_videos: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
        **kwargs: Any,
    ):
        note = _capacity_note(running_videos or {})
        super().__init__(f"{message}; {note}" if note else message, **kwargs)
        #: ``{account: [RunningVideo, ...]}`` from the 429 body, empty when the API gave none.
        self.running_videos: Mapping[str, Any] = running_videos or {}
        #: Seconds the server asked us to wait (``Retry-After``), if it said.
        self.retry_after = retry_after


def _capacity_note(running: Mapping[str, Any]) -> str:
    """When capacity is expected back, from a 429's ``runningVideos``: a slot frees when one
    of the running videos ends (the API gives no time; the oldest is the likeliest first)."""
    import datetime as _dt

    jobs = [job for group in running.values() if isinstance(group, list) for job in group]
    if not jobs:
        return ""
    starts = sorted(s for s in (getattr(job, "started", None) for job in jobs) if s)
    oldest = ""
    if starts:
        try:
            when = _dt.datetime.fromisoformat(str(starts[0]).replace("Z", "+00:00"))
            age = (_dt.datetime.now(_dt.timezone.utc) - when).total_seconds()
            oldest = f", the oldest started {starts[0]} ({max(0, age):.0f} s ago)"
        except (TypeError, ValueError):
            oldest = f", the oldest started {starts[0]}"
    accounts = ", ".join(sorted(str(name) for name in running))
    count = len(jobs)
    return (
        f"{count} video{'s' if count != 1 else ''} running on {accounts}{oldest}; "
        "capacity comes back when one of them ends (videos take a few minutes)"
    )


class ServerError(APIStatusError):
    """5xx: the API or MiniMax behind it failed."""


class AccountOnHoldError(APIStatusError):
    """596: the hailuoai.video account is on hold for a few hours; pause work on it."""


class ResponseDecodeError(APIError):
    """The body is not the JSON the endpoint promises."""

    def __init__(
        self,
        message: str,
        *,
        raw_body: bytes | str = b"",
        status_code: int | None = None,
        method: str | None = None,
        url: str | None = None,
    ):
        super().__init__(message, method=method, url=url)
        self.raw_body = raw_body
        self.status_code = status_code


class ResponseTooLargeError(ResponseDecodeError):
    """The body is longer than the client's ``max_response_bytes`` (``limit``); it was not read
    further and its connection was closed. Not retried: the same answer would come again.
    """

    def __init__(self, message: str, *, limit: int, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.limit = limit


class JobCreationUnknownError(APIError):
    """A job-creating call had an ambiguous outcome and the job could not be found.

    The request may or may not have created a (billed) job upstream. Look for ``reply_ref``
    in ``scheduler.list()`` or your ``replyUrl`` callbacks before creating it again.
    """

    def __init__(
        self, message: str, *, reply_ref: str | None, cause: BaseException | None = None, **kw: Any
    ):
        super().__init__(message, **kw)
        self.reply_ref = reply_ref
        self.cause = cause


class StreamError(MiniMaxError):
    """A server-sent event stream failed; carries what had been seen (``video_id``...)."""

    def __init__(self, message: str, *, video_id: str | None = None, **seen: Any):
        super().__init__(message)
        self.message = message
        self.video_id = video_id
        self.seen = seen


class StreamTruncatedError(StreamError):
    """The stream ended before its final event."""


class StreamIdleTimeoutError(StreamError):
    """No bytes arrived on the stream for ``idle_timeout`` seconds."""


class StreamEventTooLargeError(StreamError):
    """One event (or one line) of the stream is larger than the stream's limit (``limit``
    bytes); the stream was closed. Carries what had been seen, like every :class:`StreamError`.
    """

    def __init__(self, message: str, *, limit: int, video_id: str | None = None, **seen: Any):
        super().__init__(message, video_id=video_id, **seen)
        self.limit = limit


if TYPE_CHECKING:
    # A default (PEP 696) keeps a bare ``GenerationError`` valid under ``mypy --strict``;
    # only type checkers need it, so typing_extensions is not a run-time dependency.
    from typing_extensions import TypeVar as _TypeVarWithDefault

    R = _TypeVarWithDefault("R", default=Any)
else:
    R = TypeVar("R")


class GenerationError(MiniMaxError, Generic[R]):
    """A job ended without a usable result; ``result`` is the last snapshot of the job.

    Generic in what the wait returns: ``wait_for_video`` raises ``GenerationError[Video]``,
    ``wait_for_images`` ``GenerationError[Image]`` (the first failed image; all of them in
    ``results``), ``generate_video`` ``WaitTimeoutError[Video | None]`` (None: never polled).
    """

    @overload
    def __init__(self: GenerationError[None], message: str) -> None: ...

    @overload
    def __init__(self, message: str, *, result: R) -> None: ...

    def __init__(self, message: str, *, result: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.result: R = result


class GenerationFailedError(GenerationError[R]):
    """The job ended in a failed state (video/image status 3, agent ``failed``)."""


class GenerationModeratedError(GenerationError[R]):
    """The job was moderated (status 5, 7, 14; music 4; or removed: 404 after being seen)."""


class WaitTimeoutError(GenerationError[R], TimeoutError):
    """The wait's deadline passed before the job was final; ``result`` is the last snapshot.

    ``last_error``: when the polls were failing at the deadline (a dead server, not a slow
    job), the last of those errors (also chained as ``__cause__``); None when the last poll
    answered.
    """

    def __init__(self, message: str, *, result: Any = None, last_error: Exception | None = None):
        super().__init__(message, result=result)
        self.last_error = last_error


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    412: InsufficientCreditsError,
    422: ModerationError,
    429: RateLimitError,
    596: AccountOnHoldError,
}


def _excerpt(text: str) -> str:
    text = re.sub(r"<[^>]*>", " ", text) if "<" in text else text
    text = " ".join(text.split())
    return text[:_EXCERPT] + ("…" if len(text) > _EXCERPT else "")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import datetime as _dt

        when = parsedate_to_datetime(value)
        return max(0.0, (when - _dt.datetime.now(when.tzinfo)).total_seconds())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _message_from(body: Any, fallback: str) -> str:
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            error = error.get("message") or error.get("error")
        if isinstance(error, str) and error:
            return error
        info = body.get("statusInfo")
        if isinstance(info, Mapping) and isinstance(info.get("message"), str):
            return str(info["message"])
        base = body.get("base_resp")  # the official MiniMax platform
        if isinstance(base, Mapping) and isinstance(base.get("status_msg"), str):
            return str(base["status_msg"])
        for key in ("message", "status_msg", "msg"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    return fallback


def _request_id_from(body: Any, headers: Mapping[str, str]) -> str | None:
    if isinstance(body, Mapping):
        info = body.get("statusInfo")
        if isinstance(info, Mapping) and isinstance(info.get("requestID"), str):
            return str(info["requestID"])
    for name in ("X-Request-Id", "Trace-Id", "CF-Ray"):
        if name in headers:
            return headers[name]
    return None


def make_status_error(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str | None = None,
    url: str | None = None,
    secrets: tuple[str, ...] = (),
    note: str = "",
) -> APIStatusError:
    """The exception for an error response. Pure: no I/O, testable on its own.

    ``secrets`` (the API token) are removed from the decoded body, the message and the
    headers; ``note`` is appended to the message (e.g. that the body was cut).

    JSON bodies give the message (``error``, ``statusInfo.message``), the request id
    (``statusInfo.requestID``) and, for 429, ``runningVideos``. HTML or other non-JSON bodies map
    by status with a short excerpt of the text.
    """
    parsed: Any
    reason = _REASONS.get(status, "HTTP error")
    try:
        parsed = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if parsed is None and body:
        text = body.decode("utf-8", "replace")
        message = f"{reason}: {_excerpt(str(scrub(text, secrets)))}" if text.strip() else reason
        shown: Any = _excerpt(str(scrub(text, secrets)))
    else:
        parsed = scrub(parsed, secrets)
        message = str(scrub(_message_from(parsed, reason), secrets))
        shown = parsed
    if note:
        message = f"{message} ({note})"
    code = None
    if isinstance(parsed, Mapping):
        info = parsed.get("statusInfo")
        base = parsed.get("base_resp")
        if isinstance(info, Mapping) and type(info.get("code")) is int:
            code = info["code"]
        elif isinstance(base, Mapping) and type(base.get("status_code")) is int:
            code = base["status_code"] or None
    cls = _BY_STATUS.get(status) or (ServerError if 500 <= status < 600 else APIStatusError)
    common: dict[str, Any] = {
        "status_code": status,
        "body": shown,
        "request_id": _request_id_from(parsed, headers),
        "method": method,
        "url": url,
        "headers": scrub_headers(headers, secrets),
        "code": code,
    }
    if cls is RateLimitError:
        running: Any = parsed.get("runningVideos") if isinstance(parsed, Mapping) else None
        return RateLimitError(
            message,
            running_videos=_running_videos(running),
            retry_after=parse_retry_after(headers.get("Retry-After")),
            **common,
        )
    return cls(message, **common)


def _running_videos(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {}
    from ._converter import structure
    from .models.videos import RunningVideo

    out: dict[str, Any] = {}
    for account, jobs in raw.items():
        try:
            out[str(account)] = structure(jobs, list[RunningVideo])
        except ValueError:
            out[str(account)] = jobs
    return out


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    412: "Insufficient credits",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    596: "Account on hold",
}
