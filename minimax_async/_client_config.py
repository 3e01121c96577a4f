"""What a client is configured with (token, base URL, timeouts, retries, response size limit),
and what the request path derives from it once: headers, URLs and aiohttp timeouts (cached: this
is the hot path), and the one place the API token is kept and scrubbed from what is shown."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import anyio
import yarl

from ._exceptions import ConfigurationError, scrub, scrub_bytes
from ._responses import DEFAULT_MAX_RESPONSE_BYTES
from ._session import SessionHolder
from ._types import NOT_GIVEN, NotGiven, Timeout
from ._validation import check_count
from ._version import __version__

__all__ = ["ClientConfig", "from_environment"]

# How many URLs ``url_for`` keeps (a poll asks for the same one every few seconds).
_URL_CACHE_SIZE = 1024


def from_environment(
    keyword: str, given: str | None, variable: str, what: str, default: str | None = None
) -> str:
    """A client setting: ``given``, else the environment ``variable``, else ``default``.

    Raises:
        ConfigurationError: none of them (a secret has no default), naming both ways to give it.
    """
    value = given if given is not None else os.environ.get(variable)
    if value:
        return value
    if default is not None:
        return default
    raise ConfigurationError(
        f"no {what}: pass {keyword}=... or set the {variable} environment variable"
    )


class ClientConfig:
    """What a client is configured with, and what the request path derives from it once.

    Args:
        api_token: sent as ``Authorization: Bearer`` to ``base_url``'s host only.
        base_url: the API root; paths are appended to it.
        timeout: default per-call :class:`Timeout` (or seconds).
        max_retries: how many times a failed call may be retried.
        max_response_bytes: the longest body read whole (JSON answers and error bodies),
            counted after decompression; checked against ``Content-Length`` first.
    """

    #: Whether :meth:`_check_body` is overridden (checked first: a call fewer per answer).
    _checks_body = False

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
        check_count("max_retries", max_retries, 0, "an int >= 0")
        check_count("max_response_bytes", max_response_bytes, 1, "an int >= 1")
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
