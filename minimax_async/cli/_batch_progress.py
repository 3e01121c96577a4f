"""The ``batch`` command's live display: done / running / queued / failed, per account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anyio

from ..batch import Batch, BatchResult
from ._output import Tracker

__all__ = ["Board", "redraw_forever"]

#: Seconds between redraws of the per-account counts (what is running changes between results).
_REDRAW = 0.5


def _account_label(account: str | None) -> str:
    return account or "any account"


class Board:
    """The live counts: done / running / queued / failed, in total and per account."""

    def __init__(self, tracker: Tracker, total: int) -> None:
        self._tracker = tracker
        self._total = total
        #: key -> (ok, account) of its latest result.
        self._latest: dict[str, tuple[bool, str | None]] = {}
        self._all = tracker.add("requests", total=float(total), status="")
        self._rows: dict[str | None, int] = {}

    def record(self, result: BatchResult[Any]) -> None:
        self._latest[result.key] = (result.ok, result.account)

    @property
    def failed(self) -> int:
        return sum(1 for ok, _ in self._latest.values() if not ok)

    @property
    def done(self) -> int:
        return sum(1 for ok, _ in self._latest.values() if ok)

    def redraw(self, running: Mapping[str | None, int]) -> None:
        done, failed = self.done, self.failed
        busy = sum(running.values())
        queued = max(0, self._total - done - failed - busy)
        self._tracker.update(
            self._all,
            completed=float(done + failed),
            status=f"done {done} · running {busy} · queued {queued} · failed {failed}",
        )
        per: dict[str | None, list[int]] = {}
        for ok, account in self._latest.values():
            per.setdefault(account, [0, 0])[0 if ok else 1] += 1
        for account in sorted({*per, *running}, key=lambda a: a or ""):
            row = self._rows.get(account)
            if row is None:
                row = self._tracker.add(_account_label(account), total=None, status="")
                self._rows[account] = row
            ok_count, bad = per.get(account, [0, 0])
            self._tracker.update(
                row,
                status=f"done {ok_count} · running {running.get(account, 0)} · failed {bad}",
            )


async def redraw_forever(board: Board, batch: Batch[Any]) -> None:
    while True:
        board.redraw(batch.running())
        await anyio.sleep(_REDRAW)
