"""HTTP requests per SDK call with one account and with several, no ``account=`` given.

Starts the emulator with 1 and with 3 accounts and runs the same workload with a fresh client
(``account=None``): ``--calls`` uploads, as many image creates, as many video creates from the
uploaded files, then one walk of ``videos.iter()``. Requests are counted in the emulator's
request log, per kind of call, and printed as a table: with one account every call must cost
exactly one request; with several, the list of accounts is learnt once (from the API's
"account is required" answer), creates with nothing to follow read ``GET scheduler/available``
to choose, and creates from a file follow its id at no cost.

Run from the repository root::

    .venv/bin/python benchmarks/account_requests.py [--calls 5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minimax_async import AsyncMiniMax
from minimax_async.testing import run_emulator
from minimax_async.testing._media import png_bytes


async def measure(accounts: int, calls: int) -> dict[str, tuple[int, int]]:
    """Per phase: (SDK calls, HTTP requests)."""
    out: dict[str, tuple[int, int]] = {}
    async with (
        run_emulator(speed=0, seed=1, accounts=accounts, max_jobs=calls) as emu,
        AsyncMiniMax(emu.token, base_url=emu.base_url, account=None) as mm,
    ):
        log = emu.state.requests
        picture = png_bytes(64, 36, seed=1)

        mark = len(log)
        files = [await mm.files.upload(picture) for _ in range(calls)]
        out["files.upload"] = (calls, len(log) - mark)

        mark = len(log)
        for _ in range(calls):
            await mm.images.create(prompt="a red fox in snow")
        out["images.create"] = (calls, len(log) - mark)

        mark = len(log)
        for uploaded in files:
            await mm.videos.create(prompt="alive", model="I2V-01", file_id=uploaded.file_id)
        out["videos.create(file_id=)"] = (calls, len(log) - mark)

        mark = len(log)
        seen = [video async for video in mm.videos.iter(limit=10)]
        out[f"videos.iter ({len(seen)} videos)"] = (1, len(log) - mark)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calls",
        type=int,
        default=5,
        help="calls per kind (at most 5: an account queues 5 image jobs)",
    )
    args = parser.parse_args()
    print("| accounts | call | SDK calls | HTTP requests | per call |")
    print("| --- | --- | ---: | ---: | ---: |")
    for accounts in (1, 3):
        for name, (calls, requests) in asyncio.run(measure(accounts, args.calls)).items():
            print(f"| {accounts} | `{name}` | {calls} | {requests} | {requests / calls:.2f} |")


if __name__ == "__main__":
    main()
