"""Models of the (decommissioned upstream) music endpoints."""

from __future__ import annotations

from collections.abc import Container
from typing import ClassVar, Final

import attrs

from ._shared import Model
from ._status import VideoLikeStatus

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
class Music(VideoLikeStatus, Model):
    """A song and its state (``GET music/{musicId}``, ``GET music``).

    A song moderated after generation gets status 4 and its ``audio_url`` stops working. Songs
    have no failed status: ``is_failed`` is true only for an unknown status the server marks
    final.
    """

    _COMPLETED: ClassVar[int] = MusicStatus.COMPLETED
    _FINAL: ClassVar[Container[object]] = MusicStatus.FINAL_STATES
    _RUNNING: ClassVar[Container[object]] = MusicStatus.RUNNING_STATES
    _MODERATED: ClassVar[Container[object]] = MusicStatus.MODERATED_STATES

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
