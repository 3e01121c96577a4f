"""Waits coordinated across processes through PostgreSQL: shared wake-ups, one scheduler reader.

* Wake-ups: ``AsyncMiniMax.notify_job_update(job_id)`` (what a ``replyUrl`` callback calls)
  also sends ``NOTIFY`` on the coordinator's channel; every process ``LISTEN``s and wakes its
  own waits on that id, which then fetch the job once (the GET decides, never the hint).
* Scheduler reads: one process at a time holds a session advisory lock (the *leader*). When its
  shared watcher needs a round it reads ``GET scheduler``, stores the listing in
  ``minimax_scheduler_listing`` and ``NOTIFY``s the ids that left it since its last read, so the
  waits on them in every process fetch their job at once. The other processes' watchers use the
  stored listing while it is younger than ``max_age`` seconds and read nothing. A leader that
  dies loses the lock with its connection; the next process that finds the listing stale takes
  the lock over. A listing stale while the leader lives (it has no waits of its own) is read by
  the process that needs it, and stored for the others.
* Losing the database (or never reaching it) degrades to per-process behaviour (each process
  reads the scheduler for its own waits, wake-ups stay local), with a WARNING; the coordinator
  tries to reconnect after :data:`RECONNECT_AFTER` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable, Collection, Coroutine
from typing import Any

from .._validation import check_seconds
from ._connect import asyncpg_module, check_dsn, check_name, redact

__all__ = ["RECONNECT_AFTER", "PostgresCoordinator"]

log = logging.getLogger("minimax_async")

#: Seconds between reconnection attempts after the database was lost.
RECONNECT_AFTER = 30.0
_SCHEMA_VERSION = 1
_MIGRATION_LOCK = 0x6D6D_6A02
#: NOTIFY payloads must stay under 8000 bytes; ids are short, this leaves room for many.
_NOTIFY_BATCH = 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS minimax_scheduler_listing (
    name TEXT PRIMARY KEY,
    ids TEXT NOT NULL,
    read_at TIMESTAMPTZ NOT NULL,
    reader TEXT NOT NULL
);
"""


class PostgresCoordinator:
    """Coordinates the waits of several processes (replicas, workers) through PostgreSQL.

    ``AsyncMiniMax(..., coordinator=PostgresCoordinator(dsn))`` (one coordinator per client;
    enter the client with ``async with`` so it listens from the start). Processes that use the
    same API token pass the same ``name``.

    Args:
        dsn: ``postgresql://...`` (never shown in a repr, log line or error).
        name: the scope shared by the cooperating processes (one channel, one leader).
        max_age: seconds a stored scheduler listing stands in for a read of one's own.

    Counters: ``reads`` (``GET scheduler`` reads this process made through it), ``shared``
    (rounds served from another process's read), ``published`` and ``received`` (wake-ups).

    .. versionadded:: 0.x
    """

    def __init__(self, dsn: str, *, name: str = "default", max_age: float = 15.0) -> None:
        self._dsn = check_dsn(dsn)
        self.name = check_name(name)
        self.max_age = check_seconds("max_age", max_age)
        self._channel = f"minimax_async_{zlib.crc32(name.encode()):08x}"
        self._lock_key = zlib.crc32(f"minimax_async scheduler {name}".encode())
        self._origin = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._conn: Any = None
        self._io = asyncio.Lock()
        self._on_update: Callable[[str], object] | None = None
        self._down_until = -float("inf")
        self._warned = False
        self._listed: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.leader = False
        self.reads = 0
        self.shared = 0
        self.published = 0
        self.received = 0

    def __repr__(self) -> str:
        return f"PostgresCoordinator(name={self.name!r}, max_age={self.max_age!r})"

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, on_update: Callable[[str], object]) -> None:
        """Connect and listen; ``on_update(job_id)`` wakes this process's waits on a job."""
        self._on_update = on_update
        await self._connection()

    async def aclose(self) -> None:
        """Stop listening and disconnect (a leader's lock goes with its connection)."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        await self._drop()

    async def _connection(self) -> Any:
        """The open connection, or None while the database is out of reach."""
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        if self._conn is not None:
            self._lost("connection closed")
            await self._drop()
        if self._closed or time.monotonic() < self._down_until:
            return None
        asyncpg = asyncpg_module()
        try:
            conn = await asyncpg.connect(self._dsn, timeout=10)
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as exc:
            self._lost(type(exc).__name__)
            return None
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
                await conn.execute(_SCHEMA)
            await conn.add_listener(self._channel, self._heard)
        except Exception as exc:
            await conn.close()
            self._lost(type(exc).__name__)
            return None
        conn.add_termination_listener(lambda _conn: self._lost("connection terminated"))
        if self._warned:
            log.warning("coordinator: the database is back; waits are coordinated again")
        self._conn, self._warned, self.leader = conn, False, False
        return conn

    def _lost(self, why: str) -> None:
        self._down_until = time.monotonic() + RECONNECT_AFTER
        self.leader = False
        if not self._warned and not self._closed:
            self._warned = True
            log.warning(
                "coordinator: lost the database %s (%s); waits run per process until it is back",
                redact(self._dsn).split("@")[-1].split("?")[0],
                why,
            )

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self.leader = False
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await conn.close(timeout=5)

    # -- wake-ups ------------------------------------------------------------------------

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        origin, _, ids = payload.partition("|")
        if origin == self._origin or self._on_update is None:
            return
        for job_id in ids.split(","):
            if job_id:
                self.received += 1
                self._on_update(job_id)

    def publish_update(self, job_id: str) -> None:
        """Tell the other processes ``job_id`` may have changed (sent in the background)."""
        self._spawn(self._publish([job_id]))

    async def _publish(self, ids: Collection[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), _NOTIFY_BATCH):
            chunk = ids[start : start + _NOTIFY_BATCH]
            payload = f"{self._origin}|{','.join(chunk)}"
            if not await self._execute("SELECT pg_notify($1, $2)", self._channel, payload):
                return
            self.published += len(chunk)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        if self._closed:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, query: str, *args: Any) -> bool:
        async with self._io:
            conn = await self._connection()
            if conn is None:
                return False
            try:
                await conn.execute(query, *args)
            except Exception as exc:
                self._lost(type(exc).__name__)
                await self._drop()
                return False
        return True

    # -- scheduler reads -----------------------------------------------------------------

    async def scheduler_ids(self, read: Callable[[], Awaitable[set[str]]]) -> set[str]:
        """The ids ``GET scheduler`` lists: another process's recent read, or ``read()``."""
        async with self._io:
            conn = await self._connection()
            stored: set[str] | None = None
            if conn is not None:
                try:
                    stored = await self._shared_listing(conn)
                except Exception as exc:
                    self._lost(type(exc).__name__)
                    await self._drop()
                    conn = None
        if stored is not None:
            self.shared += 1
            return stored
        ids = await read()
        self.reads += 1
        if conn is not None:
            self._spawn(self._store(ids))
        return ids

    async def _shared_listing(self, conn: Any) -> set[str] | None:
        """A listing to use instead of reading (None: this process reads, as the leader or
        because the stored one is stale)."""
        if not self.leader:
            self.leader = bool(
                await conn.fetchval("SELECT pg_try_advisory_lock($1)", self._lock_key)
            )
            if self.leader:
                log.info("coordinator: this process reads the scheduler for the others")
        if self.leader:
            return None
        row = await conn.fetchrow(
            "SELECT ids, extract(epoch FROM now() - read_at) AS age "
            "FROM minimax_scheduler_listing WHERE name = $1",
            self.name,
        )
        if row is None or row["age"] > self.max_age:
            return None
        return set(json.loads(row["ids"]))

    async def _store(self, ids: set[str]) -> None:
        left = self._listed - ids
        self._listed = set(ids)
        stored = await self._execute(
            "INSERT INTO minimax_scheduler_listing (name, ids, read_at, reader) "
            "VALUES ($1, $2, now(), $3) ON CONFLICT (name) DO UPDATE SET ids = excluded.ids, "
            "read_at = excluded.read_at, reader = excluded.reader",
            self.name,
            json.dumps(sorted(ids)),
            self._origin,
        )
        if stored and left:
            await self._publish(sorted(left))
