"""The test server itself: it starts, and each test gets its own empty database."""

from __future__ import annotations

import asyncpg


class TestServer:
    async def test_fresh_schema_per_test(self, pg_dsn: str) -> None:
        """A test's schema is reachable, first on the search path, and empty."""
        conn = await asyncpg.connect(pg_dsn)
        try:
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
            schema = await conn.fetchval("SELECT current_schema()")
            version = await conn.fetchval("SHOW server_version_num")
        finally:
            await conn.close()
        assert tables == []
        assert schema.startswith("t_")
        assert int(version) >= 120000
