"""README's Python blocks and the typed usage file pass ``mypy --strict``; misuse does not.

One mypy run (a subprocess, so its cache and global state stay out of the test process) checks
every block of README.md, ``usage.py`` and ``misuse.py`` together: the first two must be clean
without ``assert ... is not None`` or ``type: ignore``, the last must give exactly the errors
its lines announce.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
# Free names README fragments use, and what they are.
_FRAGMENT_HEADER = (
    "from minimax_async import AsyncMiniMax\n\n\nasync def _fragment(mm: AsyncMiniMax) -> None:\n"
)
_NOT_NONE = re.compile(r"assert\s+.+\s+is\s+not\s+None")


def readme_blocks() -> list[str]:
    return _BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def as_module(code: str) -> str:
    """A block as a module mypy can check: fragments (top-level ``await``, ``async with``)
    become the body of an ``async def`` taking the client they use as ``mm``."""
    try:
        compile(code, "<readme>", "exec")
    except SyntaxError:
        return _FRAGMENT_HEADER + textwrap.indent(code, "    ")
    return code


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """File name -> mypy's error lines for it, from one run over every checked file."""
    work = tmp_path_factory.mktemp("typing")
    for n, code in enumerate(readme_blocks()):
        (work / f"readme_block_{n:02d}.py").write_text(as_module(code), encoding="utf-8")
    for name in ("usage.py", "misuse.py"):
        (work / name).write_text((HERE / name).read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
         "--cache-dir", str(ROOT / ".mypy_cache"), "--config-file", "",
         *sorted(p.name for p in work.glob("*.py"))],
        cwd=work, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr  # 2: mypy itself failed
    report: dict[str, list[str]] = {p.name: [] for p in work.glob("*.py")}
    for line in result.stdout.splitlines():
        name = line.split(":", 1)[0]
        if ": error:" in line:
            report.setdefault(name, []).append(line)
    return report


class TestStrict:
    def test_readme_has_blocks(self) -> None:
        """The README's examples are found (a changed fence would check nothing)."""
        assert len(readme_blocks()) >= 8

    def test_no_escape_hatches(self) -> None:
        """Neither the README's blocks nor usage.py need ``is not None`` asserts or ignores."""
        for code in [*readme_blocks(), (HERE / "usage.py").read_text(encoding="utf-8")]:
            assert not _NOT_NONE.search(code)
            assert "type: ignore" not in code

    def test_readme_blocks_pass(self, mypy_report: dict[str, list[str]]) -> None:
        """Every ```python block of README.md is clean under ``mypy --strict``."""
        errors = [
            e for name, lines in mypy_report.items() if name.startswith("readme_") for e in lines
        ]
        assert errors == []
        assert sum(name.startswith("readme_") for name in mypy_report) == len(readme_blocks())

    def test_usage_passes(self, mypy_report: dict[str, list[str]]) -> None:
        """The typed usage file (ids, helpers, batches, errors) is clean."""
        assert mypy_report["usage.py"] == []

    def test_misuse_is_caught(self, mypy_report: dict[str, list[str]]) -> None:
        """Each misuse line gives the error it announces, and nothing else errs."""
        source = (HERE / "misuse.py").read_text(encoding="utf-8").splitlines()
        expected = {
            (n, m.group(1))
            for n, line in enumerate(source, 1)
            if (m := re.search(r"# error: ([\w-]+)$", line))
        }
        got = set()
        for line in mypy_report["misuse.py"]:
            m = re.match(r"misuse\.py:(\d+): error: .*\[([\w-]+)\]$", line)
            assert m, line
            got.add((int(m.group(1)), m.group(2)))
        assert got == expected
