"""``minimax-async batch --journal postgresql://...`` from two processes at once (as from two
machines): every request is created once, each finished by one of them, and each process's
results file and downloads end complete (the rows the other one finished are taken from the
journal)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from minimax_async.testing import Emulator, run_emulator

COUNT = 12
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=200, accounts=2, max_jobs=3, seed=9) as emulator:
        emulator.state.video_phases = (2.0, 2.0, 30.0)
        yield emulator


def creates(emu: Emulator) -> int:
    return sum(
        1
        for r in emu.state.requests
        if r.method == "POST" and r.path.rstrip("/").endswith("videos/create") and r.status == 200
    )


async def run_cli(emu: Emulator, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("USEAPI_")}
    env["USEAPI_TOKEN"] = emu.token
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "minimax_async.cli", "--base-url", emu.base_url, "--no-progress",
        "batch", *args, "--poll-interval", "0.05",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, err.decode()


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


async def test_two_processes_share_a_postgresql_journal(
    emu: Emulator, pg_dsn: str, tmp_path: Path
) -> None:
    source = tmp_path / "requests.jsonl"
    source.write_text(
        "".join(json.dumps({"prompt": f"a glass harbour, take {i}"}) + "\n" for i in range(COUNT)),
        encoding="utf-8",
    )
    journal = ["--journal", pg_dsn, "--journal-name", "cli-campaign"]

    def worker(name: str) -> list[str]:
        return [
            str(source), *journal, "--results", str(tmp_path / f"{name}.jsonl"),
            "--download", str(tmp_path / name), "--mkdir",
        ]  # fmt: skip

    with anyio.fail_after(60):
        (code_a, err_a), (code_b, err_b) = await asyncio.gather(
            run_cli(emu, *worker("a")), run_cli(emu, *worker("b"))
        )
    assert (code_a, code_b) == (0, 0), err_a + err_b
    assert creates(emu) == COUNT

    a, b = lines_of(tmp_path / "a.jsonl"), lines_of(tmp_path / "b.jsonl")
    # Each request was finished (not replayed) by exactly one of the two processes.
    finished = Counter(line["key"] for line in a + b if not line["replayed"])
    assert len(finished) == COUNT
    assert set(finished.values()) == {1}
    # And each process's results and downloads are complete, every key once.
    for lines, folder in ((a, tmp_path / "a"), (b, tmp_path / "b")):
        assert sorted(line["line"] for line in lines) == list(range(1, COUNT + 1))
        assert all(line["ok"] and line["files"] for line in lines)
        assert len([p for p in folder.iterdir() if p.suffix == ".mp4"]) == COUNT
    assert pg_dsn.split("@")[0] not in err_a + err_b  # the DSN's credentials are never shown

    # The same command again: nothing is created, written or downloaded twice.
    code, err = await run_cli(emu, *worker("a"))
    assert code == 0, err
    assert creates(emu) == COUNT
    assert len(lines_of(tmp_path / "a.jsonl")) == COUNT


async def test_one_results_file_shared_by_two_processes(
    emu: Emulator, pg_dsn: str, tmp_path: Path
) -> None:
    """Two processes on one machine, one results file and one folder: each line once."""
    source = tmp_path / "requests.jsonl"
    source.write_text(
        "".join(json.dumps({"prompt": f"a tin robot, take {i}"}) + "\n" for i in range(COUNT)),
        encoding="utf-8",
    )
    args = [str(source), "--journal", pg_dsn, "--download", str(tmp_path / "out"), "--mkdir"]
    with anyio.fail_after(60):
        results = await asyncio.gather(run_cli(emu, *args), run_cli(emu, *args))
    assert [code for code, _ in results] == [0, 0], results
    assert creates(emu) == COUNT
    lines = lines_of(tmp_path / "requests.results.jsonl")
    assert sorted(line["line"] for line in lines) == list(range(1, COUNT + 1))
    out = tmp_path / "out"
    assert len([p for p in out.iterdir() if p.suffix == ".mp4"]) == COUNT
    assert not [p for p in out.iterdir() if ".part" in p.name]
