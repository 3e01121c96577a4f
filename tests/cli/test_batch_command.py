"""``minimax-async batch``: the CLI run as a real process against the emulator.

Interrupted runs (SIGINT, SIGKILL) are driven by a frozen emulator clock the test moves on
itself: which jobs exist when the process is stopped is decided by the test, never by timing.
"""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from minimax_async.cli._batch_io import ResultsFile, parse_requests
from minimax_async.cli._errors import CliError
from minimax_async.testing import Emulator

from .conftest import TOKEN, ThreadedEmulator, scrubbed_env

WAIT = 30.0


def creates(emu: Emulator, kind: str = "videos") -> int:
    return sum(
        1
        for r in list(emu.state.requests)
        if r.method == "POST" and r.path.rstrip("/").endswith(f"{kind}/create") and r.status == 200
    )


def write_requests(path: pathlib.Path, count: int) -> None:
    lines = [json.dumps({"prompt": f"a lighthouse at dusk, take {i}"}) for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def result_lines(path: pathlib.Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def media_files(directory: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in directory.iterdir() if ".part" not in p.name)


def until(condition: Callable[[], bool], what: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the batch ended ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def batch_argv(emu: Emulator, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "minimax_async.cli", "--base-url", emu.base_url, "--no-progress",
        "batch", *args, "--poll-interval", "0.05",
    ]  # fmt: skip


def start(emu: Emulator, *args: str) -> subprocess.Popen[str]:
    env = scrubbed_env()
    env["USEAPI_TOKEN"] = TOKEN
    return subprocess.Popen(
        batch_argv(emu, *args),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def run(emu: Emulator, *args: str) -> tuple[int, str, str]:
    return finish(start(emu, *args))


class FrozenEmulator:
    """An emulator whose clock moves only when the test says so (from the test's thread)."""

    def __init__(self, threaded: ThreadedEmulator, emu: Emulator) -> None:
        self._threaded = threaded
        self.emu = emu

    def advance(self, seconds: float) -> None:
        loop = self._threaded._loop
        loop.call_soon_threadsafe(self.emu.advance, seconds)


@pytest.fixture
def fast_emu() -> Iterator[Emulator]:
    """A fresh emulator per test (its request log counts this test's creates only)."""
    with ThreadedEmulator(speed=500, token=TOKEN, seed=3, accounts=2, max_jobs=3) as emulator:
        yield emulator


@pytest.fixture
def frozen() -> Iterator[FrozenEmulator]:
    threaded = ThreadedEmulator(speed=0, token=TOKEN, seed=5, accounts=2, max_jobs=2)
    with threaded as emulator:
        yield FrozenEmulator(threaded, emulator)


# ---- the input ---------------------------------------------------------------------------


class TestParseRequests:
    def test_blank_lines_are_skipped_and_numbers_kept(self) -> None:
        lines = parse_requests(
            '{"prompt": "a"}\n\n{"prompt": "b", "model": "T2V-01"}\n', "video", "f"
        )
        assert [(line.number, line.params["prompt"]) for line in lines] == [(1, "a"), (3, "b")]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('{"prompt": "a"}\n{"prompt": "b"\n', "f line 2: not valid JSON"),
            ('{"prompt": "a"}\n["b"]\n', "f line 2: a list is not a request"),
            ('{"promt": "a"}\n', "f line 1: invalid request: unknown parameter 'promt'"),
            ('{"prompt": "a", "options": "768p-6sec"}\n', "f line 1: invalid request: options="),
            ('{"prompt": "a", "account": "../x"}\n', "f line 1: invalid request: account="),
            ('{"prompt": "a", "extra_body": 3}\n', "f line 1: invalid request: extra_body=3"),
            ("\n\n", "f: no requests"),
        ],
    )
    def test_bad_lines_name_the_line_and_the_parameter(self, text: str, expected: str) -> None:
        with pytest.raises(CliError) as info:
            parse_requests(text, "video", "f")
        assert info.value.code == 2
        assert info.value.message.startswith(expected)

    def test_image_requests_are_checked_as_images(self) -> None:
        assert parse_requests('{"prompt": "a", "quantity": 2}\n', "image", "f")
        with pytest.raises(CliError, match="line 1: invalid request: quantity=99"):
            parse_requests('{"prompt": "a", "quantity": 99}\n', "image", "f")
        with pytest.raises(CliError, match=r"unknown parameter 'options' of images\.create"):
            parse_requests('{"prompt": "a", "options": "768p-6sec"}\n', "image", "f")


class TestResultsFile:
    async def test_same_outcome_is_written_once_and_a_torn_line_is_skipped(
        self, tmp_path: pathlib.Path
    ) -> None:
        path = tmp_path / "r.jsonl"
        path.write_bytes(b'{"key": "a", "ok": true, "job_ids": ["1"]}\n{"key": "b", "ok"')
        results = ResultsFile(path)
        await results.load()
        assert results.keys == {"a"}
        assert not await results.append("a", {"key": "a", "ok": True, "job_ids": ["1"]})
        assert await results.append("b", {"key": "b", "ok": False, "job_ids": []})
        # A new outcome of a key (a retried request now done) is its new last line.
        assert await results.append("b", {"key": "b", "ok": True, "job_ids": ["2"]})
        lines = path.read_text().splitlines()
        assert [json.loads(line)["key"] for line in (lines[0], *lines[2:])] == ["a", "b", "b"]
        assert lines[1] == '{"key": "b", "ok"'  # the torn line is left, and ended

    async def test_appends_of_another_writer_are_seen(self, tmp_path: pathlib.Path) -> None:
        path = tmp_path / "r.jsonl"
        first, second = ResultsFile(path), ResultsFile(path)
        await first.load()
        await second.load()
        assert await first.append("k", {"key": "k", "ok": True, "job_ids": ["1"]})
        assert not await second.append("k", {"key": "k", "ok": True, "job_ids": ["1"]})
        assert len(path.read_text().splitlines()) == 1


# ---- whole runs ----------------------------------------------------------------------------


class TestBatchRuns:
    def test_every_line_gets_a_result_and_a_download(
        self, fast_emu: Emulator, tmp_path: pathlib.Path
    ) -> None:
        source = tmp_path / "requests.jsonl"
        write_requests(source, 7)
        code, out, err = run(fast_emu, str(source), "--download", str(tmp_path / "out"), "--mkdir")
        assert code == 0, err
        lines = result_lines(tmp_path / "requests.results.jsonl")
        assert sorted(line["line"] for line in lines) == list(range(1, 8))
        assert all(line["ok"] and len(line["files"]) == 1 for line in lines)
        files = media_files(tmp_path / "out")
        assert len(files) == 7
        assert {pathlib.Path(line["files"][0]).name for line in lines} == {f.name for f in files}
        assert creates(fast_emu) == 7
        assert (tmp_path / "requests.journal.sqlite").exists()
        assert "done       7" in out
        assert TOKEN not in out + err

        # The same command again: everything is replayed, nothing sent, written or fetched.
        before = len(fast_emu.state.requests)
        mtimes = {f.name: f.stat().st_mtime_ns for f in files}
        code, out, err = run(fast_emu, str(source), "--download", str(tmp_path / "out"), "--mkdir")
        assert code == 0, err
        assert len(result_lines(tmp_path / "requests.results.jsonl")) == 7
        assert {f.name: f.stat().st_mtime_ns for f in media_files(tmp_path / "out")} == mtimes
        new = fast_emu.state.requests[before:]
        assert not [r for r in new if r.method == "POST" or "/media/" in r.path]

    def test_failures_are_results_and_exit_4(
        self, fast_emu: Emulator, tmp_path: pathlib.Path
    ) -> None:
        source = tmp_path / "in.jsonl"
        source.write_text('{"prompt": "fine"}\n{"prompt": "broken [fail]"}\n', encoding="utf-8")
        results = tmp_path / "elsewhere" / "res.jsonl"
        results.parent.mkdir()
        code, _, err = run(
            fast_emu, str(source), "--results", str(results), "--journal", str(tmp_path / "j.db")
        )
        assert code == 4, err
        by_line = {line["line"]: line for line in result_lines(results)}
        assert by_line[1]["ok"]
        assert not by_line[2]["ok"]
        assert by_line[2]["error"]["type"] == "GenerationFailedError"
        assert by_line[2]["error"]["result"]["status"] == 3  # the last snapshot is kept
        assert by_line[2]["job_ids"]
        assert "line 2: generation failed" in err

    def test_images_with_json_output(self, fast_emu: Emulator, tmp_path: pathlib.Path) -> None:
        source = tmp_path / "img.jsonl"
        source.write_text(
            '{"prompt": "a red kite", "quantity": 2}\n{"prompt": "a blue kite"}\n',
            encoding="utf-8",
        )
        env = scrubbed_env()
        env["USEAPI_TOKEN"] = TOKEN
        argv = batch_argv(fast_emu, str(source), "--kind", "image", "--download", str(tmp_path))
        argv.insert(argv.index("batch"), "--json")
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=WAIT)
        assert proc.returncode == 0, proc.stderr
        printed = [json.loads(line) for line in proc.stdout.splitlines()]
        written = result_lines(tmp_path / "img.results.jsonl")
        assert sorted(p["key"] for p in printed) == sorted(w["key"] for w in written)
        for line in written:
            assert len(line["files"]) == len(line["result"])  # one file per image
        assert len(next(w for w in written if w["line"] == 1)["files"]) == 2
        saved = [p for p in tmp_path.iterdir() if p.suffix == ".png"]
        assert len(saved) == sum(len(w["files"]) for w in written)
        assert creates(fast_emu, "images") == 2

    def test_a_bad_line_exits_2_before_any_request(
        self, fast_emu: Emulator, tmp_path: pathlib.Path
    ) -> None:
        source = tmp_path / "bad.jsonl"
        source.write_text(
            '{"prompt": "fine"}\n{"prompt": "x", "model": "T2V-01", "options": "768p-6sec"}\n',
            encoding="utf-8",
        )
        before = len(fast_emu.state.requests)
        code, _, err = run(fast_emu, str(source), "--download", str(tmp_path / "out"), "--mkdir")
        assert code == 2
        assert "bad.jsonl line 2: invalid request: options='768p-6sec'" in err
        assert "Traceback" not in err
        assert len(fast_emu.state.requests) == before
        assert not (tmp_path / "bad.results.jsonl").exists()
        assert not (tmp_path / "bad.journal.sqlite").exists()
        assert not (tmp_path / "out").exists()

    def test_a_missing_download_folder_exits_2_before_any_request(
        self, fast_emu: Emulator, tmp_path: pathlib.Path
    ) -> None:
        source = tmp_path / "in.jsonl"
        write_requests(source, 2)
        before = len(fast_emu.state.requests)
        code, _, err = run(fast_emu, str(source), "--download", str(tmp_path / "nowhere"))
        assert code == 2
        assert "does not exist (create it, or pass --mkdir)" in err
        assert len(fast_emu.state.requests) == before


class TestResume:
    """Stopped mid-run, then the same command: no job twice, only the missing results."""

    @pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL])
    def test_stopped_and_resumed(
        self, frozen: FrozenEmulator, tmp_path: pathlib.Path, stop: signal.Signals
    ) -> None:
        emu = frozen.emu
        source = tmp_path / "requests.jsonl"
        write_requests(source, 6)
        results = tmp_path / "requests.results.jsonl"
        out_dir = tmp_path / "out"
        proc = start(emu, str(source), "--download", str(out_dir), "--mkdir")
        try:
            # 2 accounts x 2 slots: 4 jobs are created, 2 wait for a slot.
            until(lambda: creates(emu) == 4, "4 creates", proc)
            frozen.advance(1000)  # those 4 complete
            until(lambda: results.exists() and len(result_lines(results)) == 4, "4 results", proc)
            until(lambda: creates(emu) == 6, "the last 2 creates", proc)
            proc.send_signal(stop)  # the last 2 are running upstream
            code, _, err = finish(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        if stop == signal.SIGINT:
            assert code == 130, err
            assert "interrupted; resume with the same command" in err
            assert "Traceback" not in err
        first = results.read_text(encoding="utf-8")
        assert len(result_lines(results)) == 4

        frozen.advance(1000)  # the 2 jobs left running finish while nobody watches
        code, _, err = run(emu, str(source), "--download", str(out_dir))
        assert code == 0, err
        assert creates(emu) == 6  # the 2 submitted jobs were waited for, not created again
        text = results.read_text(encoding="utf-8")
        assert text.startswith(first)  # earlier lines kept, only the missing ones appended
        lines = result_lines(results)
        assert sorted(line["line"] for line in lines) == list(range(1, 7))
        assert len(media_files(out_dir)) == 6
