"""The sqlite journal groups its writes (issue 18) and keeps its promise: a request's ``sending``
row is committed before its POST is sent, and every write is on disk when it returns."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
import pytest

from minimax_async import AsyncMiniMax
from minimax_async._batch import _Item, _Journal
from minimax_async.testing import Emulator

from .test_batch import collect, emu, journal_rows, mm, requests_for

__all__ = ["emu", "mm"]  # fixtures, imported to be used here


def read_row(path: Path, reply_ref: str) -> tuple[str, str] | None:
    """The (key, state) of the row for ``reply_ref``, read by a connection of its own."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT key, state FROM batch_jobs WHERE reply_ref = ?", (reply_ref,)
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else (row[0], row[1])


async def test_every_sending_row_is_committed_when_the_server_receives_its_post(
    emu: Emulator, mm: AsyncMiniMax, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator reads the journal file (another connection: only committed rows show)
    at the moment each create arrives, in dispatch rounds of several requests at once."""
    path = tmp_path / "run.sqlite"
    seen: dict[str, tuple[str, str] | None] = {}
    state_class = type(emu.state)
    create_video = state_class.create_video

    def create_and_look(self: Any, **kwargs: Any) -> Any:
        seen[kwargs["reply_ref"]] = read_row(path, kwargs["reply_ref"])
        return create_video(self, **kwargs)

    monkeypatch.setattr(state_class, "create_video", create_and_look)
    results = await collect(mm.generate_videos(requests_for(14), journal=path))
    assert all(r.ok for r in results)
    assert len(seen) == 14
    by_ref = {r.reply_ref: r.key for r in results}
    assert seen == {ref: (key, "sending") for ref, key in by_ref.items()}
    assert {state for state, _ in journal_rows(path).values()} == {"done"}


def make_item(i: int) -> _Item:
    return _Item(
        index=i,
        key=f"k{i}",
        params={"prompt": f"p{i}"},
        canonical=f'{{"prompt":"p{i}"}}',
        pin=None,
        reply_ref=f"ref-{i}",
    )


async def test_writes_of_one_moment_share_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.sqlite"
    commits: list[int] = []
    apply = _Journal._apply

    def counting(self: _Journal, writes: list[Any]) -> None:
        commits.append(len(writes))
        apply(self, writes)

    monkeypatch.setattr(_Journal, "_apply", counting)
    journal = await _Journal.open(path)
    try:
        # Durable when it returns: sqlite syncs the write-ahead log at every commit.
        assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        async with anyio.create_task_group() as tg:
            for i in range(50):
                tg.start_soon(journal.before, make_item(i), "video")
        assert sum(commits) == 50
        assert len(commits) < 5  # not one transaction (and one fdatasync) per write
        rows = journal_rows(path)
        assert {key: state for key, (state, _) in rows.items()} == {
            f"k{i}": "sending" for i in range(50)
        }
    finally:
        await journal.close()


async def test_a_failing_write_fails_only_its_caller(tmp_path: Path) -> None:
    path = tmp_path / "run.sqlite"
    journal = await _Journal.open(path)
    outcomes: dict[int, BaseException | None] = {}

    async def before(i: int) -> None:
        try:
            # kind NULL breaks the NOT NULL constraint: this write alone fails.
            await journal.before(make_item(i), None if i == 3 else "video")  # type: ignore[arg-type]
        except sqlite3.IntegrityError as exc:
            outcomes[i] = exc
        else:
            outcomes[i] = None

    try:
        async with anyio.create_task_group() as tg:
            for i in range(8):
                tg.start_soon(before, i)
    finally:
        await journal.close()
    assert isinstance(outcomes.pop(3), sqlite3.IntegrityError)
    assert outcomes == dict.fromkeys(outcomes)  # all None
    assert sorted(journal_rows(path)) == sorted(f"k{i}" for i in range(8) if i != 3)


async def test_a_write_whose_caller_was_cancelled_is_still_applied(tmp_path: Path) -> None:
    path = tmp_path / "run.sqlite"
    journal = await _Journal.open(path)
    try:
        with anyio.CancelScope() as scope:
            scope.cancel()  # cancelled at its first checkpoint, before any commit
            await journal.before(make_item(0), "video")
        assert scope.cancelled_caught
    finally:
        await journal.close()
    assert journal_rows(path) == {"k0": ("sending", [])}
