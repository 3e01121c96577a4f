"""PostgresJournal against a real server: schema, claims, leases, settling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest

from minimax_async import _batch as batch_module
from minimax_async._journal_protocol import JournalFactory, SharedJournal
from minimax_async.postgres import LeaseLostError, PostgresJournal
from minimax_async.postgres._journal import SCHEMA_VERSION, _Worker


def items(n: int) -> list[batch_module._Item]:
    return batch_module._make_items(
        "video", [{"prompt": f"a red kite over the dunes, take {i}"} for i in range(n)]
    )


@pytest.fixture
async def open_worker(pg_dsn: str) -> AsyncIterator[Callable[..., Any]]:
    opened: list[_Worker] = []

    async def open_one(**kwargs: Any) -> _Worker:
        worker = await PostgresJournal(pg_dsn, **kwargs).open_worker()
        opened.append(worker)
        return worker

    yield open_one
    for worker in opened:
        await worker.close()


class TestConfiguration:
    def test_repr_hides_the_dsn(self) -> None:
        """Neither the password nor the host is in the repr."""
        journal = PostgresJournal("postgresql://bob:s3cret@db.internal/x", name="c7", lease=5)
        assert "s3cret" not in repr(journal)
        assert "db.internal" not in repr(journal)
        assert repr(journal) == "PostgresJournal(name='c7', lease=5.0)"

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"dsn": "mysql://x/y"}, "dsn='mysql://x/y' is not valid"),
            ({"dsn": "postgresql://h/d", "name": ""}, "name='' is not valid"),
            ({"dsn": "postgresql://h/d", "lease": 0}, "lease=0 is not valid"),
            ({"dsn": "postgresql://h/d", "lease": True}, "lease=True is not valid"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], message: str) -> None:
        """A bad argument is a ValueError naming it, before any connection."""
        dsn = kwargs.pop("dsn")
        with pytest.raises(ValueError, match=message):
            PostgresJournal(dsn, **kwargs)

    def test_bad_dsn_hides_the_password(self) -> None:
        """The error about a wrong scheme does not repeat a password."""
        with pytest.raises(ValueError, match="allowed: a PostgreSQL URL") as caught:
            PostgresJournal("mysql://bob:s3cret@h/d")
        assert "s3cret" not in str(caught.value)

    def test_fits_the_protocols(self) -> None:
        """The engine recognises the configuration and the worker by their protocols."""
        assert isinstance(PostgresJournal("postgresql://h/d"), JournalFactory)

    async def test_unreachable_database(self, tmp_path: Any) -> None:
        """A database that is not there is a ConnectionError without the password."""
        journal = PostgresJournal(f"postgresql://bob:s3cret@/x?host={tmp_path}&port=1")
        with pytest.raises(ConnectionError) as caught:
            await journal.open_worker()
        assert "s3cret" not in str(caught.value)


class TestSchema:
    async def test_created_once_with_its_version(self, pg_dsn: str, open_worker: Any) -> None:
        """Concurrent first uses create the schema once and record its version."""
        workers = await asyncio.gather(*(open_worker() for _ in range(4)))
        assert isinstance(workers[0], SharedJournal)
        conn = await asyncpg.connect(pg_dsn)
        try:
            version = await conn.fetchval(
                "SELECT version FROM minimax_schema WHERE component = 'batch'"
            )
            indexes = await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'minimax_batch_jobs'"
            )
        finally:
            await conn.close()
        assert version == SCHEMA_VERSION
        assert {r["indexname"] for r in indexes} >= {"minimax_batch_jobs_open"}

    async def test_newer_schema_is_refused(self, pg_dsn: str, open_worker: Any) -> None:
        """A database migrated by a newer minimax_async is not written to."""
        await open_worker()
        conn = await asyncpg.connect(pg_dsn)
        try:
            await conn.execute("UPDATE minimax_schema SET version = 99")
        finally:
            await conn.close()
        with pytest.raises(ValueError, match="schema 99"):
            await PostgresJournal(pg_dsn).open_worker()


class TestClaims:
    async def test_concurrent_claims_are_exclusive(self, open_worker: Any) -> None:
        """Six workers claiming at once from 60 rows: every row goes to exactly one."""
        batch = items(60)
        keys = [i.key for i in batch]
        workers = [await open_worker() for _ in range(6)]
        await workers[0].register(batch, "video")

        async def drain(worker: _Worker) -> list[str]:
            got: list[str] = []
            while rows := await worker.claim(keys, 3):
                got += [r.key for r in rows]
            return got

        claimed = await asyncio.gather(*(drain(w) for w in workers))
        flat = [k for share in claimed for k in share]
        assert sorted(flat) == sorted(keys)
        assert len(set(flat)) == 60
        assert sum(1 for share in claimed if share) >= 2

    async def test_names_are_separate(self, open_worker: Any) -> None:
        """The same keys under two names are two sets of rows."""
        batch = items(2)
        a, b = await open_worker(name="a"), await open_worker(name="b")
        await a.register(batch, "video")
        await b.register(batch, "video")
        assert len(await a.claim([i.key for i in batch], 10)) == 2
        assert len(await b.claim([i.key for i in batch], 10)) == 2

    async def test_keys_of_a_longer_list_are_left_alone(self, open_worker: Any) -> None:
        """A worker with fewer requests than the namespace holds never claims the others."""
        batch = items(4)
        longer, shorter = await open_worker(), await open_worker()
        await longer.register(batch, "video")
        await shorter.register(batch[:2], "video")
        mine = [i.key for i in batch[:2]]
        got = await shorter.claim(mine, 10)
        got += await shorter.claim(mine, 10)
        assert sorted(r.key for r in got) == sorted(mine)
        assert len(await longer.claim([i.key for i in batch], 10)) == 2
        assert await shorter.outstanding(mine) == 0

    async def test_other_request_under_a_key_is_refused(self, open_worker: Any) -> None:
        """A key recorded for another request is a ValueError, as with sqlite."""
        worker = await open_worker()
        await worker.register(items(1), "video")
        other = batch_module._make_items(
            "video", [batch_module.BatchRequest({"prompt": "another"}, key=items(1)[0].key)]
        )
        with pytest.raises(ValueError, match="recorded for another request"):
            await worker.register(other, "video")
        with pytest.raises(ValueError, match="recorded for a video request, not a image"):
            await worker.register(items(1), "image")

    async def test_expired_lease_is_taken_over(self, open_worker: Any) -> None:
        """A row whose holder stops renewing is claimable after ``lease`` seconds, with its
        state and replyRef as the holder left them."""
        batch = items(1)
        dead = await open_worker(lease=0.3)
        alive = await open_worker(lease=0.3)
        await dead.register(batch, "video")
        [row] = await dead.claim([batch[0].key], 1)
        batch[0].reply_ref = row.reply_ref
        await dead.before(batch[0], "video")
        dead._renewer.cancel()  # the process "dies": nothing renews its lease
        assert await alive.claim([batch[0].key], 1) == []
        assert await alive.outstanding([batch[0].key]) == 1
        await asyncio.sleep(0.4)
        [taken] = await alive.claim([batch[0].key], 1)
        assert (taken.state, taken.reply_ref) == ("sending", row.reply_ref)
        with pytest.raises(LeaseLostError):
            await dead.before(batch[0], "video")

    async def test_renewed_lease_is_kept(self, open_worker: Any) -> None:
        """A living holder renews: its row is not taken over after ``lease`` seconds."""
        batch = items(1)
        holder = await open_worker(lease=0.3)
        other = await open_worker(lease=0.3)
        await holder.register(batch, "video")
        assert len(await holder.claim([batch[0].key], 1)) == 1
        await asyncio.sleep(0.7)
        assert await other.claim([batch[0].key], 1) == []

    async def test_done_is_never_claimed(self, open_worker: Any) -> None:
        """A finished row is not claimable, by this worker or a later one."""
        batch = items(1)
        worker = await open_worker()
        await worker.register(batch, "video")
        await worker.claim([batch[0].key], 1)
        await worker.finished(batch[0], {"id": "v1"}, None)
        await worker.release(batch[0].key, settled=True)
        later = await open_worker()
        assert await worker.claim([batch[0].key], 1) == []
        assert await later.claim([batch[0].key], 1) == []
        assert await later.outstanding([batch[0].key]) == 0

    async def test_settled_row_is_left_to_later_runs(self, open_worker: Any) -> None:
        """A refused request settled by one worker is not retried by workers that were
        already running, and is by a worker started afterwards (a re-run)."""
        batch = items(1)
        key = batch[0].key
        first, second = await open_worker(), await open_worker()
        await first.register(batch, "video")
        await first.claim([key], 1)
        await first.unsent(batch[0], ValueError("refused"), "rejected")
        await first.release(key, settled=True)
        assert await second.claim([key], 1) == []
        assert await second.outstanding([key]) == 0
        rerun = await open_worker()
        [row] = await rerun.claim([key], 1)
        assert (row.state, row.error_type) == ("rejected", "ValueError")

    async def test_close_gives_rows_back(self, open_worker: Any) -> None:
        """A worker that stops (Ctrl-C) releases its rows at once, not after the lease."""
        batch = items(2)
        keys = [i.key for i in batch]
        leaving = await open_worker()
        staying = await open_worker()
        await leaving.register(batch, "video")
        assert len(await leaving.claim(keys, 2)) == 2
        await leaving.close()
        assert len(await staying.claim(keys, 2)) == 2
