"""The sqlite journal of a batch (stdlib :mod:`sqlite3` in a worker thread) and the lock that
keeps it to one runner; :func:`_open_journal` picks the journal ``journal=`` names."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from typing import Any

import anyio
import anyio.lowlevel

from .._journal_protocol import BatchJournal, JournalFactory, _Item, _Row
from ._results import JournalInUseError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_jobs (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    reply_ref TEXT NOT NULL,
    account TEXT,
    job_ids TEXT NOT NULL DEFAULT '[]',
    result TEXT,
    error_type TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
"""


_SCHEMA_VERSION = "1"


def _try_lock(handle: Any) -> bool:
    """Lock an open file exclusively without waiting; False when someone else holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _hold_journal(path: str) -> Any:
    """Hold ``<path>.lock`` for the batch's life (closing the returned file releases it).

    A lock file, not sqlite's own locking: holding sqlite's exclusive lock for the whole batch
    would keep every journal write in one uncommitted transaction (a crash would lose them).
    Hand-written (stdlib ``fcntl``/``msvcrt``) rather than a dependency: the lock must also
    say who holds it. The OS releases it when the process dies: a crash never leaves it stuck.
    """
    handle = open(f"{path}.lock", "a+", encoding="utf-8")  # noqa: SIM115 - held until close
    try:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "holder unknown"
            raise JournalInUseError(
                f"journal {path!r} is in use by another batch runner ({holder}); one journal, "
                "one runner: wait for it to end, or give this batch another journal"
            )
        handle.seek(0)
        handle.truncate()
        when = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        handle.write(f"host {socket.gethostname()}, pid {os.getpid()}, since {when}")
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return handle


class _JournalWrite:
    """One statement waiting for the journal's next commit."""

    __slots__ = ("args", "done", "error", "sql")

    def __init__(self, sql: str, args: tuple[Any, ...]) -> None:
        self.sql = sql
        self.args = args
        self.done = False
        self.error: BaseException | None = None


class _Journal:
    """The sqlite journal: one connection, used from one worker thread at a time.

    Writes are *group-committed*: each write returns once it is durable (sqlite's default
    ``synchronous=FULL``: the WAL is synced at every commit), but the writes that arrive while a
    commit is under way, or in the same pass of the event loop (the ``sending`` marks of one
    dispatch round, the ``submitted`` marks of answers read together), share the next
    transaction: one thread hop and one ``fdatasync`` for all of them instead of one each. The
    promise is unchanged: ``before()`` returns only when its ``sending`` row is on disk, so the
    POST is never sent first.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._conn: Any = None
        self._lock = anyio.Lock()
        self._held: Any = None
        #: Writes not yet handed to a commit, in call order (the order they are applied in).
        self._pending: list[_JournalWrite] = []
        #: Set when the commit under way ends; None: no commit under way.
        self._committing: anyio.Event | None = None

    async def _run(self, fn: Any, *args: Any) -> Any:
        async with self._lock:
            return await anyio.to_thread.run_sync(fn, *args)

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> _Journal:
        journal = cls(path)
        await journal._run(journal._open)
        return journal

    def _open(self) -> None:
        import sqlite3

        self._held = _hold_journal(self._path)
        try:
            conn = sqlite3.connect(self._path, check_same_thread=False)
        except BaseException:
            self._release()
            raise
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:
                conn.executescript(_SCHEMA)
                row = conn.execute("SELECT value FROM batch_meta WHERE name = 'schema'").fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO batch_meta (name, value) VALUES ('schema', ?)",
                        (_SCHEMA_VERSION,),
                    )
                elif row[0] != _SCHEMA_VERSION:
                    raise ValueError(
                        f"journal {self._path!r} has schema {row[0]!r}; this version of "
                        f"minimax_async writes schema {_SCHEMA_VERSION!r}"
                    )
        except BaseException:
            conn.close()
            self._release()
            raise
        self._conn = conn

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.close()

    async def close(self) -> None:
        if self._conn is not None:
            # Writes whose callers were cancelled while waiting for a commit are still applied.
            while self._pending or self._committing is not None:
                await self._commit_pending()
            conn, self._conn = self._conn, None

            def close_both() -> None:
                try:
                    conn.close()
                finally:
                    self._release()

            await self._run(close_both)

    async def load(self) -> dict[str, _Row]:
        def read() -> dict[str, _Row]:
            rows = self._conn.execute(
                "SELECT key, kind, position, request, state, reply_ref, account, job_ids, "
                "result, error_type, error_message, updated_at FROM batch_jobs"
            ).fetchall()
            out = {}
            for r in rows:
                out[r[0]] = _Row(
                    key=r[0],
                    kind=r[1],
                    position=r[2],
                    request=r[3],
                    state=r[4],
                    reply_ref=r[5],
                    account=r[6],
                    job_ids=tuple(json.loads(r[7] or "[]")),
                    result=json.loads(r[8]) if r[8] else None,
                    error_type=r[9],
                    error_message=r[10],
                    updated_at=float(r[11] or 0.0),
                )
            return out

        return await self._run(read)  # type: ignore[no-any-return]

    async def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        """Apply one statement; return once it is committed (with whatever else was waiting)."""
        write = _JournalWrite(sql, args)
        self._pending.append(write)
        # One pass of the loop first: the other tasks woken with this one (a dispatch round,
        # answers read together) add their writes to the same transaction.
        await anyio.lowlevel.checkpoint()
        while not write.done:
            await self._commit_pending()
        if write.error is not None:
            raise write.error

    async def _commit_pending(self) -> None:
        """Commit every pending write in one transaction, or wait for the commit under way."""
        committing = self._committing
        if committing is not None:
            await committing.wait()
            return
        if not self._pending:
            return
        committing = self._committing = anyio.Event()
        writes, self._pending = self._pending, []
        try:
            # Shielded: the thread cannot be stopped anyway, and the writes of every task
            # waiting for this commit must be settled whatever happens to this one.
            with anyio.CancelScope(shield=True):
                try:
                    await self._run(self._apply, writes)
                except Exception as exc:
                    for write in writes:
                        write.error = exc
        finally:
            for write in writes:
                write.done = True
            self._committing = None
            committing.set()

    def _apply(self, writes: list[_JournalWrite]) -> None:
        conn = self._conn
        try:
            with conn:
                for write in writes:
                    conn.execute(write.sql, write.args)
            return
        except Exception:
            if len(writes) == 1:
                raise
        # One statement failed and took the transaction with it: apply them one by one, so
        # that only the failing write reports the error.
        for write in writes:
            try:
                with conn:
                    conn.execute(write.sql, write.args)
            except Exception as exc:
                write.error = exc

    async def before(self, item: _Item, kind: str) -> None:
        """The request is about to be sent (state ``sending``)."""
        await self._write(
            "INSERT INTO batch_jobs (key, kind, position, request, state, reply_ref, account, "
            "attempts, updated_at) VALUES (?, ?, ?, ?, 'sending', ?, ?, 1, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = 'sending', reply_ref = excluded.reply_ref, "
            "account = excluded.account, attempts = attempts + 1, "
            "error_type = NULL, error_message = NULL, updated_at = excluded.updated_at",
            (
                item.key,
                kind,
                item.index,
                item.canonical,
                item.reply_ref,
                item.account,
                time.time(),
            ),
        )

    async def submitted(self, item: _Item) -> None:
        """The create answered with the job ids (state ``submitted``)."""
        await self._write(
            "UPDATE batch_jobs SET state = 'submitted', job_ids = ?, account = ?, "
            "updated_at = ? WHERE key = ?",
            (json.dumps(list(item.job_ids)), item.account, time.time(), item.key),
        )

    async def unsent(self, item: _Item, error: BaseException | None, state: str) -> None:
        """Nothing was created: back to ``pending`` (retried) or ``rejected`` (refused)."""
        await self._write(
            "UPDATE batch_jobs SET state = ?, error_type = ?, error_message = ?, "
            "updated_at = ? WHERE key = ?",
            (
                state,
                type(error).__name__ if error else None,
                str(error) if error else None,
                time.time(),
                item.key,
            ),
        )

    async def finished(self, item: _Item, result: Any, error: BaseException | None) -> None:
        """The job is final (state ``done``): its last snapshot(s), and the error if any."""
        await self._write(
            "UPDATE batch_jobs SET state = 'done', result = ?, error_type = ?, "
            "error_message = ?, updated_at = ? WHERE key = ?",
            (
                json.dumps(result),
                type(error).__name__ if error else None,
                str(error) if error else None,
                time.time(),
                item.key,
            ),
        )

    async def note(self, item: _Item, error: BaseException) -> None:
        """The wait ended without a final state (timeout ...): the state stays as it is."""
        await self._write(
            "UPDATE batch_jobs SET error_type = ?, error_message = ?, updated_at = ? WHERE key = ?",
            (type(error).__name__, str(error), time.time(), item.key),
        )


async def _open_journal(journal: str | os.PathLike[str] | JournalFactory) -> BatchJournal:
    """The journal ``journal=`` names: a PostgreSQL URL or config (shared), else sqlite."""
    if isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://")):
        from ..postgres import PostgresJournal

        journal = PostgresJournal(journal)
    if isinstance(journal, JournalFactory):
        return await journal.open_worker()
    return await _Journal.open(journal)
