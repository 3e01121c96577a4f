"""Import time: ``import minimax_async`` vs ``import aiohttp``, in fresh interpreters.

Each measurement is a new ``python -c`` process that times one import statement with
``time.perf_counter()`` (interpreter start-up excluded; nothing imported before it but what
``python -c`` itself loads). Statements alternate, ``--repeat`` times each; the best (lowest)
time of each counts. Rows:

* ``import aiohttp``: the baseline;
* ``import minimax_async``: the package itself (names load on first use);
* ``from minimax_async import AsyncMiniMax``: what a program using the client imports
  (aiohttp, attrs, anyio, the models and resources);
* ``import minimax_async.testing``: the emulator, for reference.

Goal: ``import minimax_async`` <= 1.2x ``import aiohttp``.

Run from the repository root::

    .venv/bin/python benchmarks/import_time.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STATEMENTS = {
    "aiohttp": "import aiohttp",
    "package": "import minimax_async",
    "client": "from minimax_async import AsyncMiniMax",
    "testing": "import minimax_async.testing",
}

PROBE = """
import time
started = time.perf_counter()
{statement}
print(time.perf_counter() - started)
"""


def measure(statement: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    ).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for statement in STATEMENTS.values():
        measure(statement)  # warm the OS file cache and the bytecode caches
    runs: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for _ in range(args.repeat):
        for name, statement in STATEMENTS.items():
            runs[name].append(measure(statement))
    base = min(runs["aiohttp"])
    print(f"CPython {platform.python_version()}; best of {args.repeat} fresh processes each")
    print()
    print("| statement | best ms | median ms | vs `import aiohttp` |")
    print("| --- | ---: | ---: | ---: |")
    for name, statement in STATEMENTS.items():
        best, median = min(runs[name]) * 1000, statistics.median(runs[name]) * 1000
        print(f"| `{statement}` | {best:.1f} | {median:.1f} | {min(runs[name]) / base:.2f}x |")
    print()
    ratio = min(runs["package"]) / base
    verdict = "ok" if ratio <= 1.2 else "OVER GOAL"
    print(f"import minimax_async = {ratio:.2f}x import aiohttp (goal <= 1.2: {verdict}); from "
          f"minimax_async import "
          f"AsyncMiniMax = {min(runs['client']) / base:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
