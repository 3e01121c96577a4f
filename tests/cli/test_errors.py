"""Exit codes, one-line errors, the token never shown, Ctrl-C, and running without ``rich``."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from minimax_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    GenerationFailedError,
    GenerationModeratedError,
    ModerationError,
    StreamIdleTimeoutError,
    StreamTruncatedError,
    WaitTimeoutError,
)
from minimax_async.cli import main
from minimax_async.cli._errors import CliError, describe, exit_code_for
from minimax_async.testing import Emulator

from .conftest import TOKEN, scrubbed_env


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("minimax-async: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


class TestExitCodes:
    """Each kind of failure has its own exit code and a one-line message naming it."""

    def test_validation_error_is_2_and_sends_nothing(
        self, cli: Any, api: list[str], emu: Emulator
    ) -> None:
        before = len(emu.state.requests)
        run = cli(*api, "video", "create", "a cat", "--model", "02", "--options", "1080p-10sec")
        assert run.code == 2
        line = _one_error_line(run.err)
        assert "options='1080p-10sec'" in line
        assert "'02'" in line
        assert len(emu.state.requests) == before

    def test_missing_image_for_image_to_video_is_2(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "video", "create", "a cat", "--model", "I2V-01")
        assert run.code == 2
        assert "file_id" in _one_error_line(run.err)

    def test_missing_file_is_2(self, cli: Any, api: list[str], tmp_path: pathlib.Path) -> None:
        run = cli(*api, "upload", str(tmp_path / "nope.png"))
        assert run.code == 2
        assert "no such file" in _one_error_line(run.err)

    def test_usage_errors_are_2(self, cli: Any) -> None:
        assert cli("video").code == 2
        assert cli("video", "create", "x", "--timeout", "-1").code == 2
        assert cli("no-such-command").code == 2

    def test_missing_token_is_2(self, cli: Any) -> None:
        run = cli("accounts")
        assert run.code == 2
        line = _one_error_line(run.err)
        assert "USEAPI_TOKEN" in line
        assert "demo" in line

    def test_moderated_video_is_4_with_its_last_snapshot(self, cli: Any, api: list[str]) -> None:
        run = cli(
            *api, "--json", "video", "create", "a red balloon over the city [moderate7]",
            "--wait", "--poll-interval", "0.05",
        )  # fmt: skip
        assert run.code == 4
        assert run.json()["status"] == 7
        line = _one_error_line(run.err)
        assert "moderated" in line
        assert line.endswith("was moderated")  # no trailing "(status 7)"

    def test_failed_video_is_4(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "video", "create", "a boat [fail]", "--wait", "--poll-interval", "0.05")
        assert run.code == 4
        assert "failed" in _one_error_line(run.err)

    def test_rejected_prompt_is_4(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "video", "create", "something [reject]")
        assert run.code == 4
        assert "422" in _one_error_line(run.err)

    def test_wrong_token_is_3_and_no_token_is_shown(self, cli: Any, emu: Emulator) -> None:
        wrong = "wrong-token-9876543210"
        run = cli("--base-url", emu.base_url, "--token", wrong, "accounts")
        assert run.code == 3
        line = _one_error_line(run.err)
        assert "401" in line
        assert "AuthenticationError" in line
        assert wrong not in run.out + run.err
        assert TOKEN not in run.out + run.err

    def test_unknown_video_is_3(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "video", "get", "user:1-minimax:900000001-video:1")
        assert run.code == 3
        _one_error_line(run.err)

    def test_unknown_template_is_3(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "agent", "stream", "9999999999999999", "--prompt", "a city")
        assert run.code == 3
        assert "404" in _one_error_line(run.err)

    def test_wait_timeout_is_5_and_names_the_video(self, cli: Any, frozen_emu: Emulator) -> None:
        run = cli(
            "--base-url", frozen_emu.base_url, "--token", TOKEN, "video", "create",
            "a job that never ends", "--wait", "--timeout", "0.3", "--poll-interval", "0.05",
        )  # fmt: skip
        assert run.code == 5
        line = _one_error_line(run.err)
        assert "timed out" in line
        assert "minimax-async video get" in line

    def test_connection_refused_is_3(self, cli: Any) -> None:
        run = cli("--base-url", "http://127.0.0.1:9/v1/minimax", "--token", TOKEN, "capacity")
        assert run.code == 3
        assert "connection" in _one_error_line(run.err)
        assert TOKEN not in run.err

    def test_every_error_class_maps_to_its_code(self) -> None:
        cases = [
            (ValueError("bad"), 2),
            (ConfigurationError("no token"), 2),
            (FileNotFoundError(2, "No such file", "x.png"), 2),
            (CliError("usage"), 2),
            (AuthenticationError("Unauthorized", status_code=401), 3),
            (APIConnectionError("refused"), 3),
            (StreamTruncatedError("cut"), 3),
            (ModerationError("moderated", status_code=422), 4),
            (GenerationFailedError("failed"), 4),
            (GenerationModeratedError("moderated"), 4),
            (WaitTimeoutError("late"), 5),
            (APITimeoutError("slow"), 5),
            (StreamIdleTimeoutError("idle"), 5),
            (RuntimeError("bug"), 1),
        ]
        for exc, code in cases:
            assert exit_code_for(exc) == code, exc
            assert "\n" not in describe(exc)

    def test_describe_removes_the_token(self) -> None:
        exc = RuntimeError(f"boom {TOKEN}\nsecond line")
        text = describe(exc, [TOKEN])
        assert TOKEN not in text
        assert "\n" not in text
        assert "--debug" in text


class TestWithoutRich:
    """Importing the CLI and ``--help`` never need ``rich``; displays say when it is missing."""

    @pytest.fixture
    def no_rich(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in list(sys.modules):
            if name == "rich" or name.startswith("rich."):
                monkeypatch.delitem(sys.modules, name)
        for name in ("rich", "rich.console", "rich.progress", "rich.table"):
            monkeypatch.setitem(sys.modules, name, None)  # makes `import rich` fail

    @pytest.mark.usefixtures("no_rich")
    def test_help_works(self, cli: Any) -> None:
        run = cli("--help")
        assert run.code == 0
        assert "demo" in run.out
        assert "exit codes" in run.out

    @pytest.mark.usefixtures("no_rich")
    def test_progress_needs_rich_and_nothing_is_sent(
        self, cli: Any, api: list[str], emu: Emulator
    ) -> None:
        before = len(emu.state.requests)
        run = cli(*api, "video", "create", "a cat playing piano", "--wait")
        assert run.code == 2
        line = _one_error_line(run.err)
        assert "rich" in line
        assert "minimax-async[cli]" in line
        assert len(emu.state.requests) == before

    @pytest.mark.usefixtures("no_rich")
    def test_json_and_no_progress_work_without_rich(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "--json", "capacity")
        assert run.code == 0, run.err
        run = cli(
            *api, "--no-progress", "video", "create", "a cat", "--wait", "--poll-interval", "0.05"
        )
        assert run.code == 0, run.err

    def test_import_does_not_load_rich(self) -> None:
        code = (
            "import sys, minimax_async.cli\n"
            "assert 'rich' not in sys.modules, 'rich imported'\n"
            "from minimax_async.cli._parser import build_parser\n"
            "build_parser()\n"
            "assert 'rich' not in sys.modules, 'rich imported by the parser'\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
        )
        assert proc.returncode == 0, proc.stderr


class TestInterrupt:
    """Ctrl-C ends a wait with exit code 130, one line and no traceback."""

    def test_sigint_while_waiting(self, frozen_emu: Emulator) -> None:
        env = scrubbed_env()
        env["USEAPI_TOKEN"] = TOKEN
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "minimax_async.cli", "--base-url", frozen_emu.base_url,
                "video", "create", "a job that never ends", "--wait",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        try:
            deadline = time.monotonic() + 20
            seen = ""
            while "created video" not in seen and time.monotonic() < deadline:
                seen += proc.stderr.readline()
            assert "created video" in seen
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 130
        err = seen + err
        assert "Traceback" not in err
        assert "interrupted" in _one_error_line(err)
        assert "minimax-async video get" in err
        assert TOKEN not in out + err


def test_main_returns_an_int_for_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("minimax-async ")
