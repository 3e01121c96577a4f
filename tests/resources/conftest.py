"""Fixtures of the per-endpoint tests: a client with a default account, fresh warning state."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from minimax_async import AsyncMiniMax
from minimax_async.resources import _base
from tests.conftest import BASE, TOKEN, SleepRecorder


@pytest.fixture(autouse=True)
def fresh_deprecations() -> Iterator[None]:
    """Every test starts as a new process would: no decommissioned endpoint has warned yet."""
    saved = set(_base._warned)
    _base._warned.clear()
    yield
    _base._warned.clear()
    _base._warned.update(saved)


@pytest.fixture
async def mm_acc(sleeps: SleepRecorder) -> AsyncIterator[AsyncMiniMax]:
    """A client whose default account is ``acc1``."""
    client = AsyncMiniMax(TOKEN, base_url=BASE, account="acc1")
    client._sleep = sleeps
    async with client:
        yield client
