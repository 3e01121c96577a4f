"""Models of the files endpoints."""

from __future__ import annotations

import attrs

from ._shared import Model

__all__ = ["FileRecord", "UploadedFile"]


@attrs.frozen(kw_only=True, repr=False)
class UploadedFile(Model):
    """The result of ``POST files`` (and ``POST audio/upload-sample``): the new file's id."""

    oss_path: str | None = None
    file_id: str
    # Listed by the docs' model; only error bodies carry them.
    error: str | None = None
    code: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class FileRecord(Model):
    """A previously uploaded file (``GET files``)."""

    file_id: str
    file_name: str | None = None
    file_type: str | None = None
    cdn_url: str | None = None
    oss_path: str | None = None
    file_scene: int | None = None
    file_status: int | None = None
