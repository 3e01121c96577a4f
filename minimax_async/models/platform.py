"""Models of the official MiniMax platform API (``POST /minimax/v1/files/upload``)."""

from __future__ import annotations

import attrs

from ._shared import Model

__all__ = ["BaseResp", "PlatformFile", "PlatformUploadResponse"]


@attrs.frozen(kw_only=True, repr=False)
class BaseResp(Model):
    """The platform's outcome block: ``status_code`` 0 is success, anything else an error.

    Known codes: 1002 rate limited, 1004 authentication failed, 1008 insufficient balance,
    1026 sensitive content, 2013 invalid parameters, 2049 invalid API key.
    """

    status_code: int | None = None
    status_msg: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class PlatformFile(Model):
    """A file stored on the MiniMax platform."""

    # Documented as an integer; the gateway example shows a string.
    file_id: int | str | None = None
    bytes: int | None = None
    created_at: int | None = None
    filename: str | None = None
    purpose: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class PlatformUploadResponse(Model):
    """The body of ``POST files/upload``: the stored file and the outcome block."""

    file: PlatformFile | None = None
    base_resp: BaseResp | None = None
