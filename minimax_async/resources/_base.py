"""What every resource shares: the client it talks through, account defaults, body building."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp

from .._uploads import PreparedUpload
from .._validation import check_id

if TYPE_CHECKING:
    from .._client import AsyncMiniMax

__all__ = [
    "MultipartFactory",
    "Resource",
    "body_of",
    "new_reply_ref",
    "path_id",
    "warn_decommissioned",
]

_warned: set[str] = set()


def warn_decommissioned(endpoint: str) -> None:
    """Emit one DeprecationWarning per process for a decommissioned ``endpoint``."""
    if endpoint in _warned:
        return
    _warned.add(endpoint)
    warnings.warn(
        f"{endpoint} is decommissioned upstream (useapi.net MiniMax API v1); it still works "
        "but may stop at any time",
        DeprecationWarning,
        stacklevel=4,
    )


def path_id(name: str, value: str) -> str:
    """``value`` checked for use as one URL path segment; ``:`` and ``@`` stay literal."""
    return quote(check_id(name, value), safe=":@-._~!$&'()*+,;=")


def new_reply_ref() -> str:
    """A fresh ``replyRef`` that lets the SDK find a job after an ambiguous create."""
    return f"mma-{uuid.uuid4()}"


def body_of(fields: Mapping[str, Any], extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON body from ``fields`` (``None`` values left out), ``extra_body`` merged last."""
    body = {k: v for k, v in fields.items() if v is not None}
    if extra_body:
        body.update(extra_body)
    return body


class Resource:
    """One API group (``mm.videos``, ``mm.images`` ...): builds requests, the client sends."""

    def __init__(self, client: AsyncMiniMax) -> None:
        self._client = client

    def _account(self, account: str | None) -> str | None:
        """The call's account, else the client's default account (may be None)."""
        chosen = account if account is not None else self._client.account
        if chosen is not None:
            check_id("account", chosen)
        return chosen


class MultipartFactory:
    """Builds a fresh multipart body per attempt (aiohttp forms are single-use).

    Text ``fields`` first, then each upload as a ``field`` part (``file`` by default).
    """

    def __init__(
        self,
        fields: dict[str, str],
        uploads: list[PreparedUpload],
        *,
        field: str = "file",
        default_name: str | None = None,
    ) -> None:
        self.fields = fields
        self.uploads = uploads
        self.field = field
        self.default_name = default_name

    def __call__(self) -> aiohttp.FormData:
        data = aiohttp.FormData()
        for key, value in self.fields.items():
            data.add_field(key, value)
        for i, upload in enumerate(self.uploads):
            data.add_field(
                self.field,
                upload.payload(),
                filename=upload.filename or self.default_name or f"file{i + 1}",
                content_type=upload.content_type,
            )
        return data
