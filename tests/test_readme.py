"""The README's marked examples run as written (against the bundled emulator)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"<!-- readme-test: (?P<name>[\w-]+) -->\s*```python\n(?P<code>.*?)```", re.S)


def _examples() -> dict[str, str]:
    return {m["name"]: m["code"] for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))}


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("USEAPI_", "MINIMAX_"))}
    env["PYTHONPATH"] = str(README.parent)
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestReadme:
    """Each marked README example runs without error and does what it says."""

    def test_examples_are_found(self) -> None:
        """The marked examples exist (a renamed marker would silently skip them)."""
        assert set(_examples()) >= {"quickstart", "helpers", "service"}

    @pytest.mark.parametrize("name", ["quickstart", "helpers", "service"])
    def test_example_runs(self, name: str, tmp_path: Path) -> None:
        """The example exits 0, prints its results and writes the files it names."""
        result = _run(_examples()[name], tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        if name == "service":
            accepted, refused = result.stdout.splitlines()
            assert accepted.startswith("202 user:")
            assert refused.startswith("503 429 ")
            assert "capacity comes back when one of them ends" in refused
        elif name == "quickstart":
            assert "saved cat.mp4" in result.stdout
            data = (tmp_path / "cat.mp4").read_bytes()
            assert data[4:8] == b"ftyp"
            assert not list(tmp_path.glob("*.part"))
        else:
            assert "moderated: 7" in result.stdout
            assert list(tmp_path.glob("user_*.mp4"))
