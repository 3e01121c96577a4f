"""Shared fixtures: the aioresponses shim, a client wired for fast tests."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator

import pytest
from aioresponses import aioresponses
from hypothesis import settings

from minimax_async import AsyncMiniMax

from ._aioresponses_compat import install

# A suite started in the background by a shell without job control (``cmd &`` in a script)
# inherits SIGINT ignored, and so would every CLI the Ctrl-C tests start (an ignored signal
# stays ignored across exec, and Python then installs no KeyboardInterrupt handler). Those
# tests are about the CLI, not about how the suite was launched: give SIGINT its usual meaning.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

install()

# No per-example time limit (hypothesis's default is 200 ms): CI runs the suite on a shared,
# loaded machine, and a slow example is not a wrong one. Speed is measured in benchmarks/.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

BASE = "https://api.test/v1/minimax"
TOKEN = "test-token-0123456789abcdef"


class SleepRecorder:
    """Stands in for the client's sleep seam: records delays, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def mocked() -> aioresponses:
    with aioresponses() as m:
        yield m


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def mm(sleeps: SleepRecorder) -> AsyncIterator[AsyncMiniMax]:
    client = AsyncMiniMax(TOKEN, base_url=BASE)
    client._sleep = sleeps
    async with client:
        yield client
