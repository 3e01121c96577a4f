"""The shared batch journal on PostgreSQL: rows leased to one worker at a time.

Same rows and states as the sqlite journal (``pending``, ``sending``, ``submitted``, ``done``,
``rejected``), namespaced by ``name`` in one shared table, plus who works on a row:

* ``owner`` / ``lease_until``: the worker holding the row and until when; every worker renews
  its leases every ``lease / 3`` seconds while it lives. A worker that dies (SIGKILL, a lost
  machine) stops renewing, and ``lease`` seconds later its rows are claimable again: the next
  worker treats them as a resumed sqlite run does (``submitted`` is waited for, ``sending`` is
  looked for by ``replyRef`` before anything is sent again, ``done`` is never redone).
* ``settled_at``: when a worker last yielded the row's outcome without finishing it (a refused
  create, a wait that timed out, an unverifiable create). Workers that started before that do
  not take it again (it is settled for this run); a worker started later does, as a re-run of a
  sqlite journal would.

Claims are ``SELECT ... FOR UPDATE SKIP LOCKED`` in one statement with the update, so two
workers never get the same row, and none waits for another's lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from typing import Any

import attrs

from .._journal_protocol import _Item, _Row
from .._validation import check_seconds
from ._connect import asyncpg_module, check_dsn, check_name, redact

__all__ = ["LeaseLostError", "PostgresJournal"]

log = logging.getLogger("minimax_async")

#: The schema this version writes; a database with a newer one is refused.
SCHEMA_VERSION = 1
#: Serialises migrations of concurrently starting workers (an arbitrary fixed advisory key).
_MIGRATION_LOCK = 0x6D6D_6A01

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE minimax_batch_jobs (
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        position INTEGER NOT NULL,
        request TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        reply_ref TEXT NOT NULL,
        account TEXT,
        job_ids TEXT NOT NULL DEFAULT '[]',
        result TEXT,
        error_type TEXT,
        error_message TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        lease_until TIMESTAMPTZ,
        settled_at TIMESTAMPTZ,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (name, key)
    );
    -- the claim query: a batch's unfinished rows in request order
    CREATE INDEX minimax_batch_jobs_open ON minimax_batch_jobs (name, position)
        WHERE state <> 'done';
    -- lease renewal and release: a worker's rows
    CREATE INDEX minimax_batch_jobs_owner ON minimax_batch_jobs (owner) WHERE owner IS NOT NULL;
    """,
}

_ROW_COLUMNS = (
    "key, kind, position, request, state, reply_ref, account, job_ids, result, error_type, "
    "error_message"
)


class LeaseLostError(RuntimeError):
    """This worker's lease on a request ran out before it was sent (another worker has it)."""


async def migrate(conn: Any) -> None:
    """Create or upgrade the schema (one transaction, serialised between workers)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS minimax_schema "
            "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
        version = await conn.fetchval(
            "SELECT version FROM minimax_schema WHERE component = 'batch'"
        )
        current = 0 if version is None else int(version)
        if current > SCHEMA_VERSION:
            raise ValueError(
                f"the database has minimax_async batch schema {current}; this version of "
                f"minimax_async knows schema {SCHEMA_VERSION} at most"
            )
        for step in range(current + 1, SCHEMA_VERSION + 1):
            await conn.execute(_MIGRATIONS[step])
        if current == 0:
            await conn.execute(
                "INSERT INTO minimax_schema (component, version) VALUES ('batch', $1)",
                SCHEMA_VERSION,
            )
        elif current < SCHEMA_VERSION:
            await conn.execute(
                "UPDATE minimax_schema SET version = $1 WHERE component = 'batch'",
                SCHEMA_VERSION,
            )


def _check_lease(lease: object) -> float:
    return check_seconds("lease", lease)


@attrs.frozen(repr=False)
class PostgresJournal:
    """A batch journal in PostgreSQL that any number of workers share.

    Pass it as ``journal=`` to ``generate_videos`` / ``generate_images_batch`` (or the DSN
    string itself, for ``name="default"``). Every worker running the same requests with the
    same journal takes its share: each request is claimed by one live worker, renewed while
    it lives, and taken over ``lease`` seconds after it dies. Each worker yields the results
    of the requests it finished. The tables are created on first use.

    Args:
        dsn: ``postgresql://user[:password]@host[:port]/database`` (never shown in a repr,
            log line or error).
        name: namespaces one batch's rows in the shared tables.
        lease: seconds a dead worker's requests stay claimed before others take them over.

    .. versionadded:: 0.x
    """

    dsn: str = attrs.field(converter=check_dsn)
    name: str = attrs.field(default="default", kw_only=True, converter=check_name)
    lease: float = attrs.field(default=60.0, kw_only=True, converter=_check_lease)

    def __repr__(self) -> str:
        return f"PostgresJournal(name={self.name!r}, lease={self.lease!r})"

    async def open_worker(self) -> _Worker:
        """Connect one worker (the batch engine does this per run)."""
        asyncpg = asyncpg_module()
        try:
            pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=4)
        except (OSError, asyncpg.PostgresError) as exc:
            raise ConnectionError(
                f"could not connect to the journal database {redact(self.dsn)!r}: "
                f"{type(exc).__name__}"
            ) from None
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
                started = await conn.fetchval("SELECT clock_timestamp()")
        except BaseException:
            await pool.close()
            raise
        worker = _Worker(self, pool, started)
        worker.start_renewing()
        return worker


def _owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Worker:
    """One worker's connection to the shared journal (implements ``SharedJournal``)."""

    def __init__(self, config: PostgresJournal, pool: Any, started: Any) -> None:
        self._config = config
        self._pool = pool
        self._started = started
        self.owner = _owner_id()
        self._renewer: asyncio.Task[None] | None = None
        #: Keys of the namespace this worker's requests do not have (another worker's list
        #: is longer): never claimed by it, nor counted as its outstanding work.
        self._foreign: set[str] = set()

    # -- leases --------------------------------------------------------------------------

    def start_renewing(self) -> None:
        self._renewer = asyncio.get_running_loop().create_task(
            self._renew_forever(), name="minimax-journal-lease"
        )

    async def _renew_forever(self) -> None:
        every = self._config.lease / 3
        while True:
            await asyncio.sleep(every)
            try:
                await self.renew()
            except Exception as exc:  # the next round tries again; the lease is 3 rounds
                log.warning("journal: could not renew the leases (%s)", type(exc).__name__)

    async def renew(self) -> int:
        """Push the expiry of every row this worker holds ``lease`` seconds ahead."""
        status = await self._pool.execute(
            "UPDATE minimax_batch_jobs SET lease_until = now() + make_interval(secs => $3) "
            "WHERE name = $1 AND owner = $2",
            self._config.name,
            self.owner,
            self._config.lease,
        )
        return int(status.split()[-1])

    async def close(self) -> None:
        """Stop renewing and give every row still held back (claimable at once)."""
        if self._pool.is_closing():
            return
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        try:
            await self._pool.execute(
                "UPDATE minimax_batch_jobs SET owner = NULL, lease_until = NULL "
                "WHERE name = $1 AND owner = $2",
                self._config.name,
                self.owner,
            )
        except Exception as exc:  # the leases run out by themselves
            log.warning("journal: could not release the leases (%s)", type(exc).__name__)
        finally:
            await self._pool.close()

    # -- the shared part -----------------------------------------------------------------

    async def register(self, items: Sequence[_Item], kind: str) -> None:
        name = self._config.name
        keys = [i.key for i in items]
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO minimax_batch_jobs (name, key, kind, position, request, reply_ref) "
                "SELECT $1, k, $2, p, r, rr "
                "FROM unnest($3::text[], $4::int[], $5::text[], $6::text[]) AS t(k, p, r, rr) "
                "ON CONFLICT (name, key) DO NOTHING",
                name,
                kind,
                keys,
                [i.index for i in items],
                [i.canonical for i in items],
                [i.reply_ref for i in items],
            )
            recorded = await conn.fetch(
                "SELECT key, kind, request FROM minimax_batch_jobs "
                "WHERE name = $1 AND key = ANY($2::text[])",
                name,
                keys,
            )
        by_key = {r["key"]: r for r in recorded}
        for item in items:
            row = by_key[item.key]
            if row["kind"] != kind:
                raise ValueError(
                    f"journal key {item.key!r} was recorded for a {row['kind']} request, "
                    f"not a {kind}"
                )
            if row["request"] != item.canonical:
                raise ValueError(
                    f"journal key {item.key!r} was recorded for another request: "
                    f"{row['request']} (now {item.canonical})"
                )

    async def claim(
        self, keys: Sequence[str], limit: int, *, in_flight: bool = False
    ) -> list[_Row]:
        # The key list is not sent with every claim (thousands of keys per statement made a
        # claim cost ~30 ms): rows are picked by namespace, and a row of a key this worker
        # does not know is given back and left out of its claims from then on.
        mine = set(keys)
        while True:
            records = await self._pool.fetch(
                "WITH picked AS ("
                "  SELECT key FROM minimax_batch_jobs"
                "  WHERE name = $1 AND state <> 'done' AND NOT (key = ANY($2::text[]))"
                "    AND (owner IS NULL OR lease_until < now())"
                "    AND (settled_at IS NULL OR settled_at < $3)"
                "    AND (NOT $7 OR (owner IS NOT NULL AND state IN ('sending', 'submitted')))"
                "  ORDER BY position LIMIT $4"
                "  FOR UPDATE SKIP LOCKED"
                ") "
                "UPDATE minimax_batch_jobs AS j SET owner = $5, "
                "  lease_until = now() + make_interval(secs => $6) "
                "FROM picked WHERE j.name = $1 AND j.key = picked.key "
                f"RETURNING {', '.join('j.' + c.strip() for c in _ROW_COLUMNS.split(','))}",
                self._config.name,
                list(self._foreign),
                self._started,
                limit,
                self.owner,
                self._config.lease,
                in_flight,
            )
            rows = [_to_row(r) for r in records]
            foreign = [r.key for r in rows if r.key not in mine]
            if not foreign:
                return sorted(rows, key=lambda r: r.position)
            self._foreign.update(foreign)
            for key in foreign:
                await self.release(key, settled=False)
            if len(foreign) < len(rows):
                return sorted((r for r in rows if r.key in mine), key=lambda r: r.position)

    async def release(self, key: str, *, settled: bool) -> None:
        await self._pool.execute(
            "UPDATE minimax_batch_jobs SET owner = NULL, lease_until = NULL, "
            "settled_at = CASE WHEN $4 THEN clock_timestamp() ELSE settled_at END "
            "WHERE name = $1 AND key = $2 AND owner = $3",
            self._config.name,
            key,
            self.owner,
            settled,
        )

    async def outstanding(self, keys: Sequence[str]) -> int:
        # By namespace, as claims are (``keys`` only matters through ``_foreign``).
        del keys
        count = await self._pool.fetchval(
            "SELECT count(*) FROM minimax_batch_jobs "
            "WHERE name = $1 AND NOT (key = ANY($2::text[])) AND state <> 'done' "
            "  AND (settled_at IS NULL OR settled_at < $3) AND owner IS DISTINCT FROM $4",
            self._config.name,
            list(self._foreign),
            self._started,
            self.owner,
        )
        return int(count)

    # -- the journal every batch has -----------------------------------------------------

    async def load(self) -> dict[str, _Row]:
        records = await self._pool.fetch(
            f"SELECT {_ROW_COLUMNS} FROM minimax_batch_jobs WHERE name = $1", self._config.name
        )
        return {r["key"]: _to_row(r) for r in records}

    async def before(self, item: _Item, kind: str) -> None:
        """The request is about to be sent (``sending``), if this worker still holds it."""
        status = await self._pool.execute(
            "UPDATE minimax_batch_jobs SET state = 'sending', reply_ref = $3, account = $4, "
            "attempts = attempts + 1, error_type = NULL, error_message = NULL, "
            "updated_at = now() WHERE name = $1 AND key = $2 AND owner = $5 "
            "AND lease_until > now()",
            self._config.name,
            item.key,
            item.reply_ref,
            item.account,
            self.owner,
        )
        if status.split()[-1] == "0":
            raise LeaseLostError(
                f"request {item.index} (key {item.key!r}) is no longer held by this worker "
                f"(lease of {self._config.lease:g} s ran out); not sending it"
            )

    async def submitted(self, item: _Item) -> None:
        await self._update(
            "state = 'submitted', job_ids = $3, account = $4",
            item.key,
            json.dumps(list(item.job_ids)),
            item.account,
        )

    async def unsent(self, item: _Item, error: BaseException | None, state: str) -> None:
        # Only while held: a worker whose lease ran out (LeaseLostError) must not overwrite
        # the state the row's new holder is writing.
        await self._pool.execute(
            "UPDATE minimax_batch_jobs SET state = $3, error_type = $4, error_message = $5, "
            "updated_at = now() WHERE name = $1 AND key = $2 AND owner = $6",
            self._config.name,
            item.key,
            state,
            type(error).__name__ if error else None,
            str(error) if error else None,
            self.owner,
        )

    async def finished(self, item: _Item, result: Any, error: BaseException | None) -> None:
        await self._update(
            "state = 'done', result = $3, error_type = $4, error_message = $5",
            item.key,
            json.dumps(result),
            type(error).__name__ if error else None,
            str(error) if error else None,
        )

    async def note(self, item: _Item, error: BaseException) -> None:
        await self._update(
            "error_type = $3, error_message = $4", item.key, type(error).__name__, str(error)
        )

    async def _update(self, assignments: str, key: str, *values: Any) -> None:
        await self._pool.execute(
            f"UPDATE minimax_batch_jobs SET {assignments}, updated_at = now() "
            "WHERE name = $1 AND key = $2",
            self._config.name,
            key,
            *values,
        )


def _to_row(record: Any) -> _Row:
    return _Row(
        key=record["key"],
        kind=record["kind"],
        position=record["position"],
        request=record["request"],
        state=record["state"],
        reply_ref=record["reply_ref"],
        account=record["account"],
        job_ids=tuple(json.loads(record["job_ids"] or "[]")),
        result=json.loads(record["result"]) if record["result"] else None,
        error_type=record["error_type"],
        error_message=record["error_message"],
    )
