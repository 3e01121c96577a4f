"""``mm.music``: songs from lyrics (decommissioned upstream)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .._accounts import Route
from .._types import RequestOptions
from .._validation import validate_music_create, validate_paging
from ..models.music import Music, MusicJob, MusicStyleGroup
from ._base import Resource, warn_decommissioned

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = ["Music_"]


class Music_(Resource):
    """Songs up to 60 seconds from lyrics and a style (hailuoai.com/music accounts)."""

    async def create(
        self,
        *,
        prompt: str,
        style_id: str,
        title: str | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> MusicJob:
        """Compose a song from the lyrics in ``prompt`` (``GET music/create``)."""
        warn_decommissioned("GET music/create")
        validate_music_create(prompt=prompt, style_id=style_id, title=title)
        params = {
            "prompt": prompt,
            "styleId": style_id,
            "title": title,
            "account": self._account(account),
        }
        route = Route("GET music/create", account, pick="music")
        # A GET, but it starts a billed job: never resent on an ambiguous failure.
        return await self._send(
            route, "GET", "music/create", MusicJob, params=params, kind="create", options=options
        )

    async def retrieve(self, music_id: str, **options: Unpack[RequestOptions]) -> Music:
        """A song's status and URLs (``GET music/{musicId}``)."""
        warn_decommissioned("GET music/{musicId}")
        return await self._retrieve("music", "music_id", music_id, Music, options)

    async def styles(
        self, *, account: str | None = None, **options: Unpack[RequestOptions]
    ) -> list[MusicStyleGroup]:
        """The styles a song can take (``GET music/styles``)."""
        warn_decommissioned("GET music/styles")
        params = {"account": self._account(account)}
        return await self._get("music/styles", list[MusicStyleGroup], params, account, options)

    async def list(
        self,
        *,
        limit: int | None = None,
        last_music_id: str | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> builtins.list[Music]:
        """One page of the account's songs (``GET music``)."""
        warn_decommissioned("GET music")
        validate_paging("GET music", limit=limit)
        params = {"limit": limit, "lastMusicId": last_music_id, "account": self._account(account)}
        return await self._get("music", builtins.list[Music], params, account, options)

    def iter(
        self,
        *,
        limit: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Music]:
        """Every song of the account, page after page (``limit`` per page)."""
        return self._pages(
            account,
            lambda acc, last: self.list(limit=limit, last_music_id=last, account=acc, **options),
            items=lambda page: page,
            key=lambda song: song.music_id,
            next_cursor=lambda got, _: got[-1].music_id,
            size=limit,
        )
