"""``mm.files``: reference media uploads (images, audio, video)."""

from __future__ import annotations

import builtins

from .._accounts import Route, with_account
from .._types import FileSource, ProgressCallback
from .._validation import validate_paging
from ..models.files import FileRecord, UploadedFile
from ._base import Resource, path_id

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
    ) -> UploadedFile:
        """Upload an image (png, jpeg, webp), audio (mp3, wav) or video (mp4) up to 5 GB.

        ``source`` is a path, bytes, a binary file object or an async iterable of bytes; files
        are streamed from disk. The Content-Type is sniffed from the first bytes unless
        ``content_type`` is given. ``on_progress(sent, total)`` may be sync or async.
        """
        return await self._upload_raw(
            "files", source, content_type=content_type, account=account, on_progress=on_progress
        )

    async def list(
        self, *, limit: int | None = None, account: str | None = None
    ) -> builtins.list[FileRecord]:
        """Files uploaded to an account, newest first (``GET files``)."""
        validate_paging("GET files", limit=limit)
        params = {"limit": limit, "account": self._account(account)}
        return await self._routed(
            Route("GET files", account),
            lambda chosen: self._client.request(
                "GET",
                "files",
                cast_to=builtins.list[FileRecord],
                params=with_account(params, chosen),
            ),
        )

    async def delete(self, file_id: str) -> None:
        """Delete an uploaded file (``DELETE files/{fileID}``)."""
        await self._client.request("DELETE", f"files/{path_id('file_id', file_id)}")
