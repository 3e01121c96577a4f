"""Deadlines of in-flight API calls, served by one event-loop timer instead of one per call.

aiohttp enforces ``sock_read`` with an event-loop timer per response that is re-armed as data
arrives (two ``call_later`` + ``cancel`` per call), and ``total`` with another: at thousands of
calls a second these timers are a large share of the client's CPU time (about 9 µs of 70 per
``videos.retrieve`` on loopback, see ``benchmarks/retrieve_throughput.py``). The request path
instead registers each attempt here: an attempt is filed in a bucket by its deadline (rounded
*up* to :data:`GRANULARITY`), finishing removes it (two dict operations), and a single timer
armed for the earliest bucket cancels the tasks still in it when it fires. A timeout is
therefore late by at most :data:`GRANULARITY` seconds, never early.

The cancellation is delivered like ``asyncio.timeout`` delivers its own: the timer cancels the
task while it waits inside the attempt (an attempt is registered only while its task is
suspended inside it, and is removed synchronously when it ends), and the request path turns
that ``CancelledError`` back into a timeout (:meth:`Watch.claim`), unless somebody else
cancelled the task too (3.11+: ``Task.cancelling``).
"""

from __future__ import annotations

import asyncio
import heapq
import math
import sys
import time
from collections.abc import Callable
from typing import Any

__all__ = ["GRANULARITY", "Deadlines", "Watch"]

#: Seconds: deadlines are rounded up to a multiple of this (timeouts fire this much late at most).
GRANULARITY = 0.025


class Watch:
    """One attempt's deadline; ``expired`` once the timer has cancelled its task for it."""

    __slots__ = ("bucket", "connecting", "expired", "later", "owner", "read", "task", "until")

    def __init__(
        self, owner: Deadlines, task: asyncio.Task[Any], read: float | None, until: float | None
    ) -> None:
        self.owner = owner
        self.task = task
        self.read = read
        self.until = until
        #: Still waiting for a connection (only ``until`` runs: the read clock has not started).
        self.connecting = False
        self.bucket: int | None = None  # None: no deadline (yet)
        # A later deadline set since filing: applied when the timer reaches ``bucket`` (moving
        # the attempt between buckets on every call would cost more than the timer saves).
        self.later: int | None = None
        self.expired = False

    def restart(self, read: float | None = None, until: float | None = None) -> None:
        """The read clock starts again now; ``read``/``until`` replace the watch's own when
        given. See :meth:`Deadlines.restart`."""
        if read is not None:
            self.read = read
        if until is not None:
            self.until = until
        self.owner.restart(self)

    def stop(self) -> None:
        """See :meth:`Deadlines.stop`."""
        self.owner.stop(self)

    def claim(self) -> bool:
        """Called with a ``CancelledError`` in hand: True when it is this deadline's doing (and
        only this deadline's), so the caller raises a timeout instead of the cancellation."""
        if not self.expired:
            return False
        if sys.version_info >= (3, 11):
            # Somebody else cancelled the task as well: their cancellation wins.
            return self.task.uncancel() == 0
        return True  # pragma: no cover - 3.10 cannot tell two cancellations apart


class Deadlines:
    """The deadlines of one event loop's in-flight attempts."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        #: ``loop.time``; the stdlib loop's is ``time.monotonic`` in a Python method, called
        #: directly here (twice per call). Any other loop (uvloop, a test clock) keeps its own.
        self._now: Callable[[], float] = (
            time.monotonic if type(loop).time is asyncio.BaseEventLoop.time else loop.time
        )
        # bucket number -> the attempts due in it (a dict: insertion and removal are O(1)).
        self._buckets: dict[int, dict[Watch, None]] = {}
        # Bucket numbers not reached yet, each once: an emptied bucket is dropped from
        # ``_buckets`` at once (a dict that held hundreds of attempts is big) but stays queued
        # here until the timer passes it, so that refilling it pushes nothing.
        self._heap: list[int] = []
        self._queued: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_bucket: int | None = None
        # Attempts waiting for a connection, by task (see :meth:`connected`).
        self._connecting: dict[asyncio.Task[Any], Watch] = {}

    def __len__(self) -> int:
        return sum(len(b) for b in self._buckets.values()) + sum(
            1 for w in self._connecting.values() if w.bucket is None
        )

    def start(
        self, read: float | None, until: float | None = None, *, connecting: bool = False
    ) -> Watch:
        """Watch the current task: ``read`` seconds from now (or, with ``connecting``, from
        :meth:`connected`), but no later than the loop time ``until``."""
        task = asyncio.current_task(self.loop)
        if task is None:  # pragma: no cover - the request path always runs in a task
            raise RuntimeError("an API call must run inside an asyncio task")
        watch = Watch(self, task, read, until)
        if connecting:
            watch.connecting = True
            self._connecting[task] = watch
            if until is not None:
                watch.bucket = math.ceil(until / GRANULARITY)
                self._file(watch)
        else:
            self._clock(watch)
        return watch

    # ``connected``, ``restart`` and ``stop`` run for every JSON call: each does its work inline
    # (``_clock`` / ``_unfile`` in the usual case) rather than through one more call.

    def connected(self, task: asyncio.Task[Any] | None) -> None:
        """``task``'s attempt has its connection and is being sent: its read clock starts."""
        watch = self._connecting.pop(task, None) if task is not None else None
        if watch is None or watch.expired:
            return
        watch.connecting = False
        if watch.read is None or watch.bucket is not None:
            self._clock(watch)
            return
        # The usual case: a read limit, no deadline filed yet (``_clock``, inline).
        when = self._now() + watch.read
        if watch.until is not None and watch.until < when:
            when = watch.until
        watch.bucket = bucket = math.ceil(when / GRANULARITY)
        members = self._buckets.get(bucket)
        if members is not None:  # under load calls share buckets (``_file``, inline)
            members[watch] = None
        else:
            self._file(watch)

    def restart(self, watch: Watch) -> None:
        """``watch``'s read clock starts again now (its ``until`` still applies)."""
        if watch.connecting or watch.expired:
            return
        if watch.read is None or watch.bucket is None:
            self._clock(watch)
            return
        # ``_clock`` for the usual case, inline: the new deadline is as late or later.
        when = self._now() + watch.read
        if watch.until is not None and watch.until < when:
            when = watch.until
        bucket = math.ceil(when / GRANULARITY)
        if bucket >= watch.bucket:
            watch.later = bucket if bucket > watch.bucket else None
        else:
            self._clock(watch)

    def stop(self, watch: Watch) -> None:
        """The attempt ended (any way): forget its deadline."""
        if watch.connecting and self._connecting.get(watch.task) is watch:
            del self._connecting[watch.task]
        bucket = watch.bucket
        if not watch.expired and bucket is not None:
            members = self._buckets.get(bucket)  # ``_unfile``, inline
            if members is not None:
                members.pop(watch, None)
                if not members:
                    del self._buckets[bucket]

    # -- internals -------------------------------------------------------------------------

    def _clock(self, watch: Watch) -> None:
        """(Re)start ``watch``'s read clock: due ``read`` seconds from now or at ``until``,
        whichever is earlier. A later deadline is only noted (see ``Watch.later``)."""
        when = watch.until
        read = watch.read
        if read is not None:
            when = self._now() + read
            if watch.until is not None and watch.until < when:
                when = watch.until
        if when is None:
            return
        bucket = math.ceil(when / GRANULARITY)
        if watch.bucket is None:
            watch.bucket = bucket
            self._file(watch)
        elif bucket >= watch.bucket:
            watch.later = bucket if bucket > watch.bucket else None
        else:
            watch.later = None
            self._unfile(watch)
            watch.bucket = bucket
            self._file(watch)

    def _file(self, watch: Watch) -> None:
        bucket = watch.bucket
        assert bucket is not None
        members = self._buckets.get(bucket)
        if members is not None:  # the usual case under load: calls share buckets
            members[watch] = None
            return
        self._buckets[bucket] = {watch: None}
        if bucket not in self._queued:
            self._queued.add(bucket)
            heapq.heappush(self._heap, bucket)
        if self._timer_bucket is None or bucket < self._timer_bucket:
            self._arm(bucket)

    def _unfile(self, watch: Watch) -> None:
        bucket = watch.bucket
        members = self._buckets.get(bucket) if bucket is not None else None
        if members is not None:
            members.pop(watch, None)
            if not members:
                del self._buckets[bucket]  # type: ignore[arg-type]

    def _arm(self, bucket: int) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_bucket = bucket
        self._timer = self.loop.call_at(bucket * GRANULARITY, self._fire)

    def _fire(self) -> None:
        self._timer = self._timer_bucket = None
        now = self.loop.time()  # the clock ``call_at`` fired by
        heap = self._heap
        while heap and heap[0] * GRANULARITY <= now:
            bucket = heapq.heappop(heap)
            self._queued.discard(bucket)
            for watch in self._buckets.pop(bucket, None) or ():
                if watch.later is not None:
                    watch.bucket, watch.later = watch.later, None
                    self._file(watch)
                    continue
                watch.expired = True
                watch.task.cancel()
        # The next bucket that still has attempts in it (emptied ones are passed here).
        while heap and heap[0] not in self._buckets:
            self._queued.discard(heapq.heappop(heap))
        if heap:
            self._arm(heap[0])
