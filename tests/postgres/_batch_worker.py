"""One batch worker process for the multi-process tests: runs ``generate_videos`` on a shared
journal against an emulator and prints one JSON line per result it yields.

``python -m tests.postgres._batch_worker BASE_URL TOKEN DSN COUNT LEASE SPEED``
"""

from __future__ import annotations

import asyncio
import json
import sys

import anyio

from minimax_async import AsyncMiniMax
from minimax_async.postgres import PostgresJournal


def requests_for(count: int) -> list[dict[str, object]]:
    return [
        {"prompt": f"a night train through snow, take {i}", "model": "T2V-01"} for i in range(count)
    ]


async def main(base_url: str, token: str, dsn: str, count: int, lease: float, speed: float) -> None:
    async def scaled_sleep(delay: float) -> None:
        await anyio.sleep(delay / speed)

    journal = PostgresJournal(dsn, name="multi", lease=lease)
    async with AsyncMiniMax(token, base_url=base_url) as mm:
        mm._sleep = scaled_sleep  # type: ignore[method-assign]
        async for result in mm.generate_videos(requests_for(count), journal=journal):
            line = {
                "index": result.index,
                "ok": result.ok,
                "job_ids": list(result.job_ids),
                "error": None if result.ok else repr(result.error),
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    url, token, dsn, count, lease, speed = sys.argv[1:7]
    asyncio.run(main(url, token, dsn, int(count), float(lease), float(speed)))
