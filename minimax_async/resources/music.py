"""``mm.music``: songs from lyrics (decommissioned upstream)."""

from __future__ import annotations

from .._validation import validate_limit, validate_music_create
from ..models.music import Music, MusicJob, MusicPage, MusicStyles
from ._base import Resource, path_id, warn_decommissioned

__all__ = ["Music_"]


class Music_(Resource):  # noqa: N801 - ``Music`` is the model's name
    """Songs up to 60 seconds from lyrics and a style (hailuoai.com/music accounts)."""

    async def create(
        self,
        *,
        prompt: str,
        style_id: str,
        title: str | None = None,
        account: str | None = None,
    ) -> MusicJob:
        """Compose a song from the lyrics in ``prompt`` (``GET music/create``)."""
        warn_decommissioned("GET music/create")
        validate_music_create(prompt=prompt, style_id=style_id, title=title)
        return await self._client.request(
            "GET",
            "music/create",
            cast_to=MusicJob,
            params={
                "prompt": prompt,
                "styleId": style_id,
                "title": title,
                "account": self._account(account),
            },
            # A GET, but it starts a billed job: never resent on an ambiguous failure.
            kind="create",
        )

    async def retrieve(self, music_id: str) -> Music:
        """A song's status and URLs (``GET music/{musicId}``)."""
        warn_decommissioned("GET music/{musicId}")
        return await self._client.request(
            "GET", f"music/{path_id('music_id', music_id)}", cast_to=Music
        )

    async def styles(self, *, account: str | None = None) -> MusicStyles:
        """The styles a song can take (``GET music/styles``)."""
        warn_decommissioned("GET music/styles")
        return await self._client.request(
            "GET", "music/styles", cast_to=MusicStyles, params={"account": self._account(account)}
        )

    async def list(
        self,
        *,
        limit: int | None = None,
        last_music_id: str | None = None,
        account: str | None = None,
    ) -> MusicPage:
        """One page of the account's songs (``GET music``)."""
        warn_decommissioned("GET music")
        validate_limit("limit", limit, 1, 1000)
        return await self._client.request(
            "GET",
            "music",
            cast_to=MusicPage,
            params={
                "limit": limit,
                "lastMusicId": last_music_id,
                "account": self._account(account),
            },
        )
