"""The command line behaves like a tool people trust (issue 14): exit codes kept under
``--debug``, unknown models and missing prompts refused as usage errors, ``--download`` checked
before the job is created (and billed), the server of ``demo --real`` named, natural messages."""

from __future__ import annotations

import logging
import pathlib
from typing import Any

import pytest

from minimax_async._logs import LOGGER_NAME
from minimax_async.cli._demo import _real_server_note
from minimax_async.cli._errors import describe
from minimax_async.cli._parser import IMAGE_MODELS, VIDEO_MODELS
from minimax_async.models import Video
from minimax_async.testing import Emulator

from .conftest import TOKEN


def created_videos(emu: Emulator) -> int:
    return len(emu.state.videos)


@pytest.fixture
def restore_logger() -> Any:
    logger = logging.getLogger(LOGGER_NAME)
    before = (logger.level, list(logger.handlers))
    yield
    logger.setLevel(before[0])
    logger.handlers[:] = before[1]


class TestDebug:
    def test_debug_keeps_the_exit_code_and_adds_a_traceback(
        self, cli: Any, api: list[str], restore_logger: Any
    ) -> None:
        """A failed video is still exit 4 with ``--debug``; stderr has the traceback and the
        request log, never the token."""
        run = cli(*api, "--debug", "video", "create", "a boat [fail]", "--wait",
                  "--poll-interval", "0.05")  # fmt: skip
        assert run.code == 4
        assert "Traceback (most recent call last)" in run.err
        assert "GenerationFailedError" in run.err
        assert run.err.strip().splitlines()[-1].endswith(" failed")
        assert "error: generation failed: video" in run.err.strip().splitlines()[-1]
        assert TOKEN not in run.err

    def test_debug_usage_error_stays_2(self, cli: Any, api: list[str], restore_logger: Any) -> None:
        """A refused request stays a usage error (2) under ``--debug``."""
        run = cli(*api, "--debug", "video", "create", "x", "--model", "02", "--options", "9p")
        assert run.code == 2

    def test_debug_turns_on_the_sdk_logs(
        self, cli: Any, api: list[str], restore_logger: Any
    ) -> None:
        """``--debug`` sets the ``minimax_async`` logger to DEBUG (requests appear)."""
        run = cli(*api, "--debug", "accounts")
        assert run.code == 0, run.err
        assert logging.getLogger(LOGGER_NAME).level == logging.DEBUG


class TestModelsAndPrompt:
    def test_unknown_video_model_is_a_usage_error(
        self, cli: Any, api: list[str], emu: Emulator
    ) -> None:
        """``--model T2V-9`` exits 2 listing the allowed models; nothing is created."""
        before = created_videos(emu)
        run = cli(*api, "video", "create", "a cat", "--model", "T2V-9")
        assert run.code == 2
        assert "T2V-9" in run.err
        assert all(model in run.err for model in VIDEO_MODELS)
        assert created_videos(emu) == before

    def test_unknown_image_and_agent_models(self, cli: Any, api: list[str]) -> None:
        """Images and agent runs refuse unknown models the same way."""
        run = cli(*api, "image", "create", "a fox", "--model", "imagen-9")
        assert run.code == 2
        assert all(model in run.err for model in IMAGE_MODELS)
        run = cli(*api, "agent", "run", "p", "--models", "hailuo-2.3,nope")
        assert run.code == 2
        assert "'nope'" in run.err

    def test_text_to_video_needs_a_prompt(self, cli: Any, api: list[str], emu: Emulator) -> None:
        """No prompt and no image: refused before sending (image-to-video may omit it)."""
        before = created_videos(emu)
        run = cli(*api, "video", "create", "--model", "T2V-01")
        assert run.code == 2
        assert "PROMPT is required" in run.err
        assert created_videos(emu) == before


class TestDownloadChecked:
    @pytest.mark.parametrize("kind", ["video", "image"])
    def test_missing_directory_refused_before_creating(
        self, cli: Any, api: list[str], emu: Emulator, tmp_path: pathlib.Path, kind: str
    ) -> None:
        """A destination in a missing directory: exit 2 naming it, nothing created or billed,
        no directory made."""
        target = tmp_path / "missing" / ("cat.mp4" if kind == "video" else "")
        before = (created_videos(emu), len(emu.state.images))
        run = cli(*api, kind, "create", "a cat", "--download", str(target))
        assert run.code == 2
        assert "does not exist" in run.err
        assert "--mkdir" in run.err
        assert (created_videos(emu), len(emu.state.images)) == before
        assert not (tmp_path / "missing").exists()

    def test_existing_file_refused(
        self, cli: Any, api: list[str], emu: Emulator, tmp_path: pathlib.Path
    ) -> None:
        """An existing file is never overwritten: refused before the job is created."""
        target = tmp_path / "cat.mp4"
        target.write_bytes(b"keep me")
        before = created_videos(emu)
        run = cli(*api, "video", "create", "a cat", "--download", str(target))
        assert run.code == 2
        assert "already exists" in run.err
        assert target.read_bytes() == b"keep me"
        assert created_videos(emu) == before

    def test_mkdir_creates_when_asked(
        self, cli: Any, api: list[str], tmp_path: pathlib.Path
    ) -> None:
        """``--mkdir`` creates the missing directories, then downloads."""
        target = tmp_path / "a" / "b" / "cat.mp4"
        run = cli(*api, "video", "create", "a cat", "--download", str(target), "--mkdir",
                  "--poll-interval", "0.05")  # fmt: skip
        assert run.code == 0, run.err
        assert target.read_bytes()[4:8] == b"ftyp"


class TestMessages:
    def test_demo_real_names_the_server(self) -> None:
        """useapi.net is named as the real API; any other server is named as such."""
        real = _real_server_note("https://api.useapi.net/v1/minimax")
        assert "real API at https://api.useapi.net/v1/minimax" in real
        other = _real_server_note("http://127.0.0.1:8080/v1/minimax")
        assert "running against http://127.0.0.1:8080/v1/minimax" in other
        assert "not api.useapi.net" in other

    def test_removed_video_reads_naturally(self) -> None:
        """A job removed after moderation: no trailing ``(status 1)``."""
        from minimax_async import GenerationModeratedError

        last = Video(video_id="v", status=1, status_label="removed", status_final=True)
        text = describe(
            GenerationModeratedError(
                "video v was moderated and removed (404 after it was seen)", result=last
            )
        )
        assert text == (
            "generation moderated: video v was moderated and removed (404 after it was seen)"
        )
        assert "status 1" not in text

    def test_timeout_says_what_was_last_seen(self) -> None:
        """A late video tells its last state in words."""
        from minimax_async import WaitTimeoutError

        last = Video(video_id="v", status=1, percent=40)
        text = describe(WaitTimeoutError("video v not final after 60 s", result=last))
        assert text == "timed out: video v not final after 60 s (last seen: processing 40%)"
