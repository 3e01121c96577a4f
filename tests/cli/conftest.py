"""Fixtures for the CLI tests: emulators on a background loop, and ``main()`` run in-process.

``main()`` calls ``asyncio.run`` itself, so the emulator it talks to must run elsewhere: each
one gets its own event loop in a daemon thread, reachable from ``main()`` and from subprocesses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from minimax_async.cli import main
from minimax_async.testing import Emulator, run_emulator

TOKEN = "cli-test-token-0123456789"


class ThreadedEmulator:
    """One emulator served by its own event loop in a background thread."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._context: contextlib.AbstractAsyncContextManager[Emulator] | None = None
        self.emu: Emulator | None = None

    def __enter__(self) -> Emulator:
        self._thread.start()
        self._context = run_emulator(**self._options)
        future = asyncio.run_coroutine_threadsafe(self._context.__aenter__(), self._loop)
        self.emu = future.result(timeout=10)
        return self.emu

    def __exit__(self, *exc_info: object) -> None:
        assert self._context is not None
        future = asyncio.run_coroutine_threadsafe(
            self._context.__aexit__(None, None, None), self._loop
        )
        future.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@attrs.frozen
class Run:
    """What one ``main()`` call returned and printed."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("USEAPI_TOKEN", "USEAPI_BASE_URL", "USEAPI_MINIMAX_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    """A fast emulator (a video takes about 0.25 s) accepting only :data:`TOKEN`."""
    with ThreadedEmulator(speed=500, token=TOKEN, seed=42) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def frozen_emu() -> Iterator[Emulator]:
    """An emulator whose clock never moves: jobs stay queued forever."""
    with ThreadedEmulator(speed=0, token=TOKEN, seed=7) as emulator:
        yield emulator


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """``cli(*argv)`` runs ``main()`` in-process and returns a :class:`Run`."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def api(emu: Emulator) -> list[str]:
    """The global options pointing ``main()`` at :func:`emu`."""
    return ["--base-url", emu.base_url, "--token", TOKEN]


def scrubbed_env() -> dict[str, str]:
    """The environment without any useapi.net configuration."""
    return {k: v for k, v in os.environ.items() if not k.startswith("USEAPI_")}
