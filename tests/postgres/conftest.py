"""A real PostgreSQL for the tests in this folder: one server per session, one fresh schema per
test that asks for ``pg_dsn`` (its DSN sets ``search_path``, so tables and rows never leak
between tests; a schema is instant where a database takes a second to create)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from ._server import TestServer, start_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def pg_dsn(pg_server: TestServer) -> AsyncIterator[str]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(pg_server.dsn)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()
    # asyncpg passes unknown DSN parameters on as server settings.
    yield f"{pg_server.dsn}&search_path={schema}"
    admin = await asyncpg.connect(pg_server.dsn)
    try:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await admin.close()
