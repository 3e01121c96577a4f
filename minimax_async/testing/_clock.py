"""The emulator's virtual clock and the time formats of its bodies.

The clock is monotonic, scaled by ``speed`` and shifted by :meth:`Clock.advance`.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import time

__all__ = ["Clock", "iso", "mmss"]


class Clock:
    """Virtual time: ``monotonic() * speed + advanced offset``, in seconds since start.

    ``speed=0`` freezes time; only :meth:`advance` moves it then.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self.speed = float(speed)
        self._start = time.monotonic()
        self._wall_start = time.time()
        self._offset = 0.0
        self._changed: asyncio.Event | None = None

    def now(self) -> float:
        """Virtual seconds since the emulator started."""
        return (time.monotonic() - self._start) * self.speed + self._offset

    def wall(self, at: float | None = None) -> float:
        """Epoch seconds (as shown in timestamps) for virtual time ``at`` (default: now)."""
        return self._wall_start + (self.now() if at is None else at)

    def advance(self, seconds: float) -> None:
        """Move the clock forward instantly and wake everything waiting on it."""
        if seconds < 0:
            raise ValueError("cannot move the clock backwards")
        self._offset += seconds
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def changed_event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def real_delay(self, until: float) -> float | None:
        """Real seconds until virtual time ``until`` (None: never, the clock is frozen)."""
        remaining = until - self.now()
        if remaining <= 0:
            return 0.0
        if self.speed == 0:
            return None
        return remaining / self.speed


def iso(wall: float) -> str:
    stamp = _dt.datetime.fromtimestamp(wall, tz=_dt.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
