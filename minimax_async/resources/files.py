"""``mm.files``: reference media uploads (images, audio, video)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .._types import FileSource, ProgressCallback, RequestOptions
from .._validation import validate_paging
from ..models.files import FileRecord, UploadedFile
from ._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = ["Files"]


class Files(Resource):
    """Upload, list and delete reference media."""

    async def upload(
        self,
        source: FileSource,
        *,
        content_type: str | None = None,
        account: str | None = None,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> UploadedFile:
        """Upload an image (png, jpeg, webp), audio (mp3, wav) or video (mp4) up to 5 GB.

        ``source`` is a path, bytes, a binary file object or an async iterable of bytes; files
        are streamed from disk. The Content-Type is sniffed from the first bytes unless
        ``content_type`` is given. ``on_progress(sent, total)`` may be sync or async.
        """
        return await self._upload_raw(
            "files",
            source,
            content_type=content_type,
            account=account,
            on_progress=on_progress,
            options=options,
        )

    async def list(
        self,
        *,
        limit: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[FileRecord]:
        """Files uploaded to an account, newest first (``GET files``)."""
        validate_paging("GET files", limit=limit)
        params = {"limit": limit, "account": self._account(account)}
        return await self._get("files", builtins.list[FileRecord], params, account, options)

    def iter(
        self,
        *,
        limit: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FileRecord]:
        """Every file ``GET files`` lists (the endpoint has no cursor: one page of ``limit``)."""
        return self._pages(
            account,
            lambda acc, _: self.list(limit=limit, account=acc, **options),
            items=lambda page: page,
            key=lambda record: record.file_id,
        )

    async def delete(self, file_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete an uploaded file (``DELETE files/{fileID}``)."""
        await self._delete("files", "file_id", file_id, options)
