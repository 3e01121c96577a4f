"""Instructions a process executes, counted by valgrind's cachegrind: a figure noise cannot move.

On a shared VM a timing swings by 10-20 % between two runs of the same code; the number of
(user-space) machine instructions a process executes does not (it repeats to within about 1 %:
the only variation left is how many events each pass of the event loop finds ready). It leaves
out what the kernel does for the process (system calls, page faults) and cache misses, so it is
a proxy for CPU time, used next to the timings, not instead of them.

Needs ``valgrind`` on ``PATH`` (Debian: ``apt install valgrind``); about 50x slower than a
plain run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence

__all__ = ["available", "count"]

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def available() -> bool:
    return shutil.which("valgrind") is not None


def count(argv: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | None = None) -> int:
    """Machine instructions ``argv`` executes (user space, the whole process)."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            *argv,
        ],
        capture_output=True,
        text=True,
        env=None if env is None else dict(env),
        cwd=cwd,
        check=False,
    )
    found = _REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(
            f"{argv[:3]} under valgrind failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    return int(found.group(1).replace(",", ""))
