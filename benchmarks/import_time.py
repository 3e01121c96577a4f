"""Import time: ``minimax_async`` vs ``aiohttp``, in fresh interpreters.

Each measurement is a new ``python -c`` process that times its statement with
``time.perf_counter()`` (interpreter start-up excluded; nothing imported before it but what
``python -c`` itself loads). Statements alternate, ``--repeat`` times each; the best (lowest)
time of each counts. Rows:

* ``import aiohttp``: the baseline;
* ``import minimax_async``: the package itself (names load on first use);
* ``from minimax_async import AsyncMiniMax``: what a program using the client imports;
* ``import minimax_async.testing``: the emulator, for reference;
* ``aiohttp: import + session + first GET``: ``import aiohttp``, a ``ClientSession``, one GET
  of the documented video JSON from a loopback server, ``json()``;
* ``import + client + first retrieve``: the same with ``AsyncMiniMax`` and
  ``mm.videos.retrieve`` (the model built): the whole cost of a program's first call.

Bytecode caches are on, as in an installed package (``pip`` compiles them): the environment's
``PYTHONDONTWRITEBYTECODE`` is dropped and the caches go to a temporary ``PYTHONPYCACHEPREFIX``,
warmed by one run of every statement first. ``--source`` measures without them instead (every
module of this checkout compiled from source each time, aiohttp still from its caches).

``--before PATH`` also runs every ``minimax_async`` statement against another checkout (e.g. a
``git archive`` of main), interleaved with this one, for before/after figures.

``--instructions`` counts each statement's machine instructions under valgrind instead
(``_instructions``: one run each, start-up of ``python -c pass`` subtracted): the same ratios,
without the VM's noise.

Goal: ``from minimax_async import AsyncMiniMax`` and the first request each <= 1.2x aiohttp.

Run from the repository root::

    .venv/bin/python benchmarks/import_time.py [--repeat 15] [--before /tmp/main-tree]
    .venv/bin/python benchmarks/import_time.py --instructions [--before /tmp/main-tree]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _instructions
from _server import subprocess_server

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "samples" / "get-minimax-videos-videoId" / "200.json"
VIDEO_ID = "user:1234-minimax:987654321-video:998877665544332211"

FIRST_GET = """
import asyncio
import aiohttp
async def first():
    async with aiohttp.ClientSession() as session:
        async with session.get({url!r} + "/v1/minimax/videos/" + {video!r}) as response:
            await response.json()
asyncio.run(first())
"""

FIRST_RETRIEVE = """
import asyncio
from minimax_async import AsyncMiniMax
async def first():
    async with AsyncMiniMax("bench-token", base_url={url!r} + "/v1/minimax") as mm:
        await mm.videos.retrieve({video!r})
asyncio.run(first())
"""

#: name -> (statement, runs against a minimax_async checkout)
STATEMENTS = {
    "aiohttp": ("import aiohttp", False),
    "package": ("import minimax_async", True),
    "client": ("from minimax_async import AsyncMiniMax", True),
    "testing": ("import minimax_async.testing", True),
    "first GET": (FIRST_GET, False),
    "first retrieve": (FIRST_RETRIEVE, True),
}
LABELS = {
    "first GET": "aiohttp: import + session + first GET",
    "first retrieve": "import + `AsyncMiniMax` + first `videos.retrieve`",
}
BASELINE = {"first retrieve": "first GET"}  # else `import aiohttp`

PROBE = """
import time
started = time.perf_counter()
{statement}
print(time.perf_counter() - started)
"""


def serve(port: int) -> None:
    from aiohttp import web

    body = SAMPLE.read_bytes()

    async def video(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/v1/minimax/videos/{id}", video)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def measure(statement: str, root: Path, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "PYTHONPATH": str(root)},
        cwd=root,
    ).stdout
    return float(out.strip().splitlines()[-1])


def instructions(statement: str, root: Path, env: dict[str, str]) -> int:
    """Machine instructions of ``python -c statement`` (start-up included; see
    ``_instructions``)."""
    return _instructions.count(
        [sys.executable, "-c", statement], env={**env, "PYTHONPATH": str(root)}, cwd=str(root)
    )


def environment(cache_dir: str, source: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


async def run(args: argparse.Namespace) -> dict[str, list[float]]:
    roots = {"": ROOT} | ({" (before)": args.before.resolve()} if args.before else {})
    async with subprocess_server(__file__) as origin:
        cases = {
            name + suffix: (statement.format(url=origin, video=VIDEO_ID), root)
            for name, (statement, ours) in STATEMENTS.items()
            for suffix, root in (roots.items() if ours else [("", ROOT)])
        }
        with tempfile.TemporaryDirectory(prefix="import-time-pycache-") as cache_dir:
            env = environment(cache_dir, args.source)
            for statement, root in cases.values():
                measure(statement, root, env)  # warm the OS file cache and bytecode caches
            if args.instructions:
                # Each statement's count minus the interpreter's own start-up (``pass``).
                start_up = instructions("pass", ROOT, env)
                return {
                    name: [instructions(statement, root, env) - start_up]
                    for name, (statement, root) in cases.items()
                }
            runs: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.repeat):
                for name, (statement, root) in cases.items():
                    runs[name].append(measure(statement, root, env))
    return runs


def report_instructions(runs: dict[str, list[float]]) -> None:
    print(
        f"CPython {platform.python_version()}; machine instructions (valgrind cachegrind) of "
        "each statement in a fresh process, minus `python -c pass`; bytecode caches"
    )
    print()
    print("| statement | million instructions | vs aiohttp |")
    print("| --- | ---: | ---: |")
    for name, (count,) in runs.items():
        plain = name.split(" (")[0]
        base = runs[BASELINE.get(plain, "aiohttp")][0]
        label = (LABELS.get(plain) or f"`{STATEMENTS[plain][0]}`") + name[len(plain) :]
        print(f"| {label} | {count / 1e6:,.1f} | {count / base:.2f}x |")
    print()
    client = runs["client"][0] / runs["aiohttp"][0]
    first = runs["first retrieve"][0] / runs["first GET"][0]
    verdict = "ok" if max(client, first) <= 1.2 else "OVER GOAL"
    print(f"from minimax_async import AsyncMiniMax = {client:.2f}x import aiohttp; first retrieve "
          f"= {first:.2f}x first GET, in instructions (goal <= 1.2: {verdict})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--source", action="store_true", help="no bytecode caches")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count machine instructions under valgrind (once each) instead of timing",
    )
    args = parser.parse_args()
    if args.instructions and not _instructions.available():
        parser.error("--instructions needs valgrind on PATH")
    runs = asyncio.run(run(args))
    if args.instructions:
        report_instructions(runs)
        return
    caches = "no bytecode caches" if args.source else "bytecode caches"
    print(f"CPython {platform.python_version()}; best of {args.repeat} fresh processes each, "
          f"interleaved; {caches}")  # fmt: skip
    print()
    print("| statement | best ms | median ms | vs aiohttp (best) |")
    print("| --- | ---: | ---: | ---: |")
    for name, times in runs.items():
        base = min(runs[BASELINE.get(name.split(" (")[0], "aiohttp")])
        plain = name.split(" (")[0]
        label = LABELS.get(plain) or f"`{STATEMENTS[plain][0]}`"
        label += name[len(plain) :]
        best, median = min(times) * 1000, statistics.median(times) * 1000
        print(f"| {label} | {best:.1f} | {median:.1f} | {min(times) / base:.2f}x |")
    print()
    client = min(runs["client"]) / min(runs["aiohttp"])
    first = min(runs["first retrieve"]) / min(runs["first GET"])
    verdict = "ok" if max(client, first) <= 1.2 else "OVER GOAL"
    print(f"from minimax_async import AsyncMiniMax = {client:.2f}x import aiohttp; first retrieve "
          f"= {first:.2f}x first GET (goal <= 1.2: {verdict})")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        main()
