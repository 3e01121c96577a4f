"""The shared watcher's round in slices (issue 18): the scheduler list is parsed an entry at a
time and the registrations judged a slice at a time, with the loop getting turns in between;
the ids read are exactly what a one-shot parse reads (``videoId`` and ``imageId``)."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minimax_async._watcher as watcher_module
from minimax_async._watcher import Notice, SharedWatcher, scheduler_ids


def reference_ids(items: list[Any]) -> set[str]:
    ids = set()
    for item in items:
        if isinstance(item, dict):
            for key in ("videoId", "imageId"):
                if isinstance(item.get(key), str):
                    ids.add(item[key])
    return ids


values = st.one_of(
    st.text(max_size=8), st.integers(), st.none(), st.lists(st.integers(), max_size=2)
)
entries = st.one_of(
    st.dictionaries(st.sampled_from(["videoId", "imageId", "elapsed", "replyRef"]), values),
    values,
)


@given(
    items=st.lists(entries, max_size=30),
    indent=st.sampled_from([None, 0, 2]),
    pad=st.sampled_from(["", " ", "\n\t "]),
)
async def test_the_ids_are_those_of_a_one_shot_parse(
    items: list[Any], indent: int | None, pad: str
) -> None:
    body = (pad + json.dumps(items, indent=indent, ensure_ascii=False) + pad).encode()
    assert await scheduler_ids(body) == reference_ids(items)


async def test_a_bom_or_utf16_body_is_still_read() -> None:
    items = [{"videoId": "v1"}, {"imageId": "i1", "videoId": "i1"}]
    assert await scheduler_ids(json.dumps(items).encode("utf-16")) == {"v1", "i1"}
    assert await scheduler_ids(b"\xef\xbb\xbf" + json.dumps(items).encode()) == {"v1", "i1"}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<html>busy</html>", ValueError),
        (b'{"videoId": "v1"}', TypeError),
        (b'[{"videoId": "v1"}', ValueError),
        (b'[{"videoId": "v1"},]', ValueError),
        (b'[{"videoId": "v1"} {"videoId": "v2"}]', ValueError),
        (b'[{"videoId": "v1"}] []', ValueError),
        (b"", ValueError),
    ],
)
async def test_anything_but_a_json_list_is_refused(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        await scheduler_ids(body)


async def test_a_long_list_gives_the_loop_turns_while_it_is_parsed() -> None:
    items = [{"videoId": f"user:1-minimax:2-video:{i}", "elapsed": "00:10"} for i in range(3000)]
    body = json.dumps(items).encode()
    assert len(body) > 2 * watcher_module._PARSE_SLICE
    turns = 0

    async def ticker() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = turns
    ids = await scheduler_ids(body)
    task.cancel()
    assert ids == reference_ids(items)
    assert turns - before >= 2


async def test_the_walk_yields_and_skips_waits_that_ended_meanwhile() -> None:
    n = 3 * watcher_module._WALK_SLICE
    job_ids = [f"job-{i}" for i in range(n)]
    log: list[Any] = []
    reads = 0
    helper_done = asyncio.Event()
    tasks: list[asyncio.Task[Notice]] = []

    async def fetch_ids() -> set[str]:
        nonlocal reads
        reads += 1
        if reads == 1:
            asyncio.get_running_loop().call_soon(end_the_last_waits)
            return set(job_ids)
        return set()  # every job left: the remaining waits are told so

    def end_the_last_waits() -> None:
        # Runs at the first turn the round gives the loop: mid-walk.
        log.append("helper")
        for task in tasks[-10:]:
            task.cancel()
        helper_done.set()

    async def sleep(delay: float) -> None:
        await asyncio.sleep(0)

    watcher = SharedWatcher(fetch_ids, sleep)

    def schedule(i: int) -> Any:
        def delays() -> float:
            if reads:
                log.append(i)  # judged "still running" by a round
            return 0.0

        return delays

    regs = [watcher.register(job, schedule(i), math.inf, False) for i, job in enumerate(job_ids)]
    tasks.extend(asyncio.create_task(reg.wait()) for reg in regs)
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for reg in regs:
        await watcher.release(reg)
    assert helper_done.is_set()
    where = log.index("helper")
    assert 0 < where < n - 10  # the walk had judged some, not all, when the loop got a turn
    judged = [i for i in log if i != "helper"]
    assert sorted(judged) == list(range(n - 10))  # the ended waits were skipped, none twice
    assert outcomes[: n - 10] == ["left"] * (n - 10)
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes[n - 10 :])
    assert not watcher.running
