"""Fixtures for the emulator tests: a frozen-clock emulator and a raw aiohttp client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from minimax_async.testing import Emulator, run_emulator

from ._helpers import Api


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=0, seed=1234) as emulator:
        yield emulator


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[Api]:
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        yield Api(emu, session)
