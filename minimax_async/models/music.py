"""Models of the (decommissioned upstream) music endpoints."""

from __future__ import annotations

from typing import Final

import attrs

from ._shared import Model
from ._status import is_final_status

__all__ = ["Music", "MusicJob", "MusicStatus", "MusicStyle", "MusicStyleGroup"]


class MusicStatus:
    """Values of :attr:`Music.status` (plain ints; unknown values are tolerated)."""

    PENDING: Final = 0
    PROCESSING: Final = 1
    COMPLETED: Final = 2
    MODERATED: Final = 4
    RUNNING_STATES: Final = frozenset({PENDING, PROCESSING})
    MODERATED_STATES: Final = frozenset({MODERATED})
    FINAL_STATES: Final = frozenset({COMPLETED, MODERATED})


@attrs.frozen(kw_only=True, repr=False)
class MusicJob(Model):
    """The result of ``GET music/create``: the song's id, URL and length in seconds."""

    music_id: str
    audio_url: str | None = None
    duration: float | None = None
    # Listed by the docs' model; only error bodies carry them.
    error: str | None = None
    code: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class Music(Model):
    """A song and its state (``GET music/{musicId}``, ``GET music``).

    A song moderated after generation gets status 4 and its ``audio_url`` stops working.
    """

    title: str | None = None
    lyrics: str | None = None
    style: str | None = None
    cover_url: str | None = None
    audio_url: str | None = None
    status: int
    status_label: str | None = None
    status_final: bool | None = None
    create_time: int | None = None
    duration: float | None = None
    music_id: str

    @property
    def is_final(self) -> bool:
        """True for completed and moderated songs, and for an unknown status the server marks
        ``statusFinal``."""
        return is_final_status(
            self.status,
            self.status_final,
            final=MusicStatus.FINAL_STATES,
            running=MusicStatus.RUNNING_STATES,
        )

    @property
    def is_completed(self) -> bool:
        """True when the song is ready (status 2)."""
        return self.status == MusicStatus.COMPLETED

    @property
    def is_moderated(self) -> bool:
        """True when moderation removed the song (status 4)."""
        return self.status in MusicStatus.MODERATED_STATES

    @property
    def is_failed(self) -> bool:
        """True only for an unknown status the server marks final: songs have no failed state."""
        return self.is_final and not self.is_completed and not self.is_moderated


@attrs.frozen(kw_only=True, repr=False)
class MusicStyle(Model):
    """A style to pass as ``style_id`` to ``music.create``, with a sample ``url``."""

    url: str | None = None
    style_id: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class MusicStyleGroup(Model):
    """A named group of music styles (``GET music/styles`` returns a list of these)."""

    name: str | None = None
    styles: list[MusicStyle] | None = None
