"""The one rule deciding whether a polled generation is final."""

from __future__ import annotations

from collections.abc import Container
from typing import ClassVar, Final

__all__ = ["GenerationStatus", "VideoLikeStatus", "is_final_status"]


def is_final_status(
    status: object,
    status_final: bool | None,
    *,
    final: Container[object],
    running: Container[object],
) -> bool:
    """Known final statuses end a wait, known running ones never; an unknown one ends it only
    when the server says ``statusFinal: true``."""
    if status in final:
        return True
    if status in running:
        return False
    return status_final is True


class GenerationStatus:
    """``status`` values of video and image jobs (plain ints; unknown values are tolerated)."""

    PENDING: Final = 0
    PROCESSING: Final = 1
    COMPLETED: Final = 2
    FAILED: Final = 3
    MODERATED_5: Final = 5
    MODERATED_7: Final = 7
    QUEUED: Final = 11
    PROCESSING_12: Final = 12
    MODERATED_14: Final = 14
    RUNNING_STATES: Final = frozenset({PENDING, PROCESSING, QUEUED, PROCESSING_12})
    MODERATED_STATES: Final = frozenset({MODERATED_5, MODERATED_7, MODERATED_14})
    FINAL_STATES: Final = frozenset({COMPLETED, FAILED}) | MODERATED_STATES


class VideoLikeStatus:
    """``is_final`` / ``is_completed`` / ``is_moderated`` / ``is_failed`` for jobs polled by
    ``status`` (+ ``statusFinal``): videos and images (:class:`GenerationStatus`, the default
    class variables), and songs (their own)."""

    __slots__ = ()

    _COMPLETED: ClassVar[int] = GenerationStatus.COMPLETED
    _FINAL: ClassVar[Container[object]] = GenerationStatus.FINAL_STATES
    _RUNNING: ClassVar[Container[object]] = GenerationStatus.RUNNING_STATES
    _MODERATED: ClassVar[Container[object]] = GenerationStatus.MODERATED_STATES

    status: int
    status_final: bool | None

    @property
    def is_final(self) -> bool:
        """True for completed, failed and moderated jobs, and for an unknown status the server
        marks ``statusFinal``."""
        return is_final_status(
            self.status, self.status_final, final=self._FINAL, running=self._RUNNING
        )

    @property
    def is_completed(self) -> bool:
        """True when the result is ready (status 2, ``COMPLETED``)."""
        return self.status == self._COMPLETED

    @property
    def is_moderated(self) -> bool:
        """True when moderation stopped the job (videos and images: status 5, 7 or 14; songs:
        4)."""
        return self.status in self._MODERATED

    @property
    def is_failed(self) -> bool:
        """True for status 3 (videos and images), and for any other final state that is neither
        completed nor moderated (an unknown status with ``statusFinal``)."""
        return self.is_final and not self.is_completed and not self.is_moderated
