"""``AsyncMiniMaxPlatform``: the official MiniMax platform API (``POST /v1/files/upload``).

A second, separate API from useapi.net's. It shares the SDK's request path (lifecycle, retries,
timeouts, converter, error classes); what differs is that it reports errors inside HTTP 200
bodies as ``base_resp.status_code != 0``, which :meth:`AsyncMiniMaxPlatform._check_body`
turns into the same exceptions as HTTP errors:

=====================  ==========================  ========
``base_resp`` code     exception                   retried
=====================  ==========================  ========
1002                   RateLimitError              yes
1004, 2049             AuthenticationError         no
1008                   InsufficientCreditsError    no
1026, 1027             ModerationError             no
2013                   BadRequestError             no
1000, 1001, 1024, 1033 ServerError                 yes
any other              APIStatusError              no
=====================  ==========================  ========

Each error carries the platform code (``.code``), ``status_msg`` (``.message``) and the
``Trace-Id`` response header (``.request_id``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import aiohttp

from .._base_client import BaseClient, SessionHolder
from .._client_config import from_environment
from .._exceptions import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    ModerationError,
    RateLimitError,
    ServerError,
    scrub,
)
from .._types import NOT_GIVEN, FileSource, NotGiven, ProgressCallback, Timeout
from .._uploads import prepare_upload
from ..models.platform import PlatformFile, PlatformUploadResponse
from ..resources._base import UPLOAD_TIMEOUT, MultipartFactory

__all__ = ["DEFAULT_PLATFORM_URL", "AsyncMiniMaxPlatform", "PlatformFiles", "PlatformPurpose"]

DEFAULT_PLATFORM_URL = "https://api.minimax.io"

#: The documented purposes; any other string is sent as given.
PlatformPurpose = Literal["voice_clone", "prompt_audio", "t2a_async_input", "video_understanding"]

_BY_CODE: dict[int, type[APIStatusError]] = {
    1002: RateLimitError,
    1004: AuthenticationError,
    2049: AuthenticationError,
    1008: InsufficientCreditsError,
    1026: ModerationError,
    1027: ModerationError,
    2013: BadRequestError,
    1000: ServerError,
    1001: ServerError,
    1024: ServerError,
    1033: ServerError,
}


def platform_error(
    code: int,
    status_msg: str,
    *,
    http_status: int,
    body: Any,
    headers: Mapping[str, str],
    method: str,
    url: str,
) -> APIStatusError:
    """The exception for a platform ``base_resp`` error code."""
    cls = _BY_CODE.get(code, APIStatusError)
    return cls(
        f"MiniMax platform error {code}: {status_msg or 'no message'}",
        status_code=http_status,
        body=body,
        request_id=headers.get("Trace-Id"),
        method=method,
        url=url,
        headers=headers,
        code=code,
    )


class PlatformFiles:
    """``platform.files``: upload files for voice cloning, audio prompts and more."""

    def __init__(self, client: AsyncMiniMaxPlatform) -> None:
        self._client = client

    async def upload(
        self,
        source: FileSource,
        *,
        purpose: PlatformPurpose | str,
        content_type: str | None = None,
        filename: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> PlatformFile:
        """Upload ``source`` (path, bytes, binary file or async iterable) as multipart.

        ``purpose``: ``voice_clone``, ``prompt_audio``, ``t2a_async_input``,
        ``video_understanding`` or another value the platform accepts.
        """
        if not isinstance(purpose, str) or not purpose.strip():
            raise ValueError(
                f"purpose={purpose!r} is not valid; allowed: 'voice_clone', 'prompt_audio', "
                "'t2a_async_input', 'video_understanding' or another non-empty string"
            )
        name = filename or _name_of(source)
        upload = await prepare_upload(
            source,
            content_type=content_type,
            allowed_types=None,
            on_progress=on_progress,
            filename=name,
            fallback_type="application/octet-stream",
        )
        form = MultipartFactory({"purpose": purpose}, [upload], field="file", default_name=name)
        result = await self._client.request(
            "POST",
            "v1/files/upload",
            cast_to=PlatformUploadResponse,
            body=form,
            kind="idempotent",
            replayable=upload.replayable,
            timeout=UPLOAD_TIMEOUT,
        )
        if result.file is None:
            raise BadRequestError(
                "the platform answered without a file", status_code=200, body=result.to_dict()
            )
        return result.file


def _name_of(source: FileSource) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return os.path.basename(os.fspath(source))
    name = getattr(source, "name", None)
    return os.path.basename(name) if isinstance(name, str) else None


class AsyncMiniMaxPlatform(BaseClient):
    """An async session with the official MiniMax platform API.

    Args:
        api_key: else ``MINIMAX_API_KEY``.
        base_url: else ``MINIMAX_BASE_URL``, else ``https://api.minimax.io``; paths such as
            ``/v1/files/upload`` are appended, so a gateway prefix works
            (``https://gateway.example/minimax``).
        timeout, max_retries, session, default_headers: as for ``AsyncMiniMax``.

    Raises:
        ConfigurationError: no key was given nor found in ``MINIMAX_API_KEY``.
    """

    files: PlatformFiles

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int = 2,
        session: aiohttp.ClientSession | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            api_token=from_environment("api_key", api_key, "MINIMAX_API_KEY", "API key"),
            base_url=from_environment(
                "base_url", base_url or None, "MINIMAX_BASE_URL", "base URL", DEFAULT_PLATFORM_URL
            ),
            timeout=timeout,
            max_retries=max_retries,
            holder=SessionHolder(session),
            default_headers=default_headers,
        )
        self.files = PlatformFiles(self)

    def __repr__(self) -> str:
        return f"AsyncMiniMaxPlatform(base_url={self.base_url!r}, max_retries={self.max_retries})"

    async def aclose(self) -> None:
        """Close the HTTP session if this client created it."""
        await self._holder.aclose()

    async def __aenter__(self) -> AsyncMiniMaxPlatform:
        return self

    async def close(self) -> None:
        """The same as :meth:`aclose` (openai-python's name)."""
        await self.aclose()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    _checks_body = True

    def _check_body(self, decoded: Any, response: aiohttp.ClientResponse) -> None:
        base = decoded.get("base_resp") if isinstance(decoded, dict) else None
        if not isinstance(base, dict):
            return
        code = base.get("status_code")
        if type(code) is int and code != 0:
            # The platform may echo the key back (``invalid api key sk-...``): never keep it.
            raise platform_error(
                code,
                str(scrub(self._redact(str(base.get("status_msg") or "")))),
                http_status=response.status,
                body=self._redact_body(decoded),
                headers=response.headers,
                method=response.method,
                url=str(response.url),
            )

    def _redact_body(self, value: Any) -> Any:
        """A copy of a decoded body with every occurrence of the key replaced by ``***``."""
        if isinstance(value, dict):
            return {k: self._redact_body(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._redact_body(v) for v in value]
        if isinstance(value, str):
            return self._redact(value)
        return value
