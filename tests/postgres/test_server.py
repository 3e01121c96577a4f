"""The test server itself: it starts, and each test gets its own empty database."""

from __future__ import annotations

import asyncpg


class TestServer:
    async def test_fresh_database_per_test(self, pg_dsn: str) -> None:
        """A test's database is reachable and has no tables of ours."""
        conn = await asyncpg.connect(pg_dsn)
        try:
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
            version = await conn.fetchval("SHOW server_version_num")
        finally:
            await conn.close()
        assert tables == []
        assert int(version) >= 120000
