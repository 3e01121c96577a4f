"""``minimax-async demo``: the README's first command, end to end, with and without a token."""

from __future__ import annotations

import pathlib
import subprocess
import sys
from typing import Any

import pytest

from minimax_async.testing import Emulator

from .conftest import TOKEN, scrubbed_env


def _mp4s(directory: pathlib.Path) -> list[pathlib.Path]:
    return sorted(directory.glob("*.mp4"))


def _assert_mp4(path: pathlib.Path) -> None:
    data = path.read_bytes()
    assert len(data) > 8
    assert data[4:8] == b"ftyp"


class TestDemoSubprocess:
    """The demo run as a real process with no token configured."""

    def test_demo_runs_on_the_emulator_and_saves_an_mp4(self, tmp_path: pathlib.Path) -> None:
        out_dir = tmp_path / "videos"
        proc = subprocess.run(
            [sys.executable, "-m", "minimax_async.cli", "demo", "--output", str(out_dir)],
            env=scrubbed_env(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        files = _mp4s(out_dir)
        assert len(files) == 1
        _assert_mp4(files[0])
        assert "demo complete (emulator)" in proc.stdout
        for field in ("video", "status", "size", "path", "elapsed"):
            assert any(line.startswith(field) for line in proc.stdout.splitlines()), field
        assert "2 (completed)" in proc.stdout
        assert str(files[0].name) in proc.stdout
        assert "emulator" in proc.stderr
        assert "Traceback" not in proc.stderr


class TestDemoInProcess:
    """The demo through ``main()``: JSON summary, refusal with a token, and ``--real``."""

    def test_json_summary(self, cli: Any, tmp_path: pathlib.Path) -> None:
        run = cli("--json", "demo", "--output", str(tmp_path), "--speed", "400")
        assert run.code == 0, run.err
        summary = run.json()
        assert summary["status"] == 2
        assert summary["emulator"] is True
        path = pathlib.Path(summary["path"])
        assert path.parent == tmp_path
        assert summary["bytes"] == path.stat().st_size
        assert summary["video_id"] == summary["video"]["videoId"]
        _assert_mp4(path)
        assert run.err == ""  # --json: no progress, no commentary

    def test_refuses_to_spend_credits_when_a_token_is_set(
        self, cli: Any, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("USEAPI_TOKEN", TOKEN)
        out_dir = tmp_path / "never"
        run = cli("demo", "--output", str(out_dir))
        assert run.code == 2
        assert "--real" in run.err
        assert "billed" in run.err
        assert len(run.err.strip().splitlines()) == 1
        assert not out_dir.exists()
        assert TOKEN not in run.out + run.err

    def test_refuses_with_a_token_option_too(self, cli: Any, tmp_path: pathlib.Path) -> None:
        run = cli("--token", TOKEN, "demo", "--output", str(tmp_path))
        assert run.code == 2
        assert "--real" in run.err

    def test_real_runs_against_the_configured_api(
        self, cli: Any, tmp_path: pathlib.Path, emu: Emulator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("USEAPI_TOKEN", TOKEN)
        monkeypatch.setenv("USEAPI_BASE_URL", emu.base_url)
        run = cli("demo", "--real", "--output", str(tmp_path), "--poll-interval", "0.05")
        assert run.code == 0, run.err
        # Not useapi.net: the note names the server the credits would be spent on.
        assert f"running against {emu.base_url} (--real; not api.useapi.net" in run.err
        assert "demo complete" in run.out
        assert "(emulator)" not in run.out
        (video,) = _mp4s(tmp_path)
        _assert_mp4(video)
        assert TOKEN not in run.out + run.err
