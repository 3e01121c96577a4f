"""The API commands against an emulator via ``--base-url``/``--token``, human and ``--json``."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from minimax_async.testing import Emulator
from minimax_async.testing._media import png_bytes

from .conftest import TOKEN

TEMPLATE_WITH_PROMPT = "1122334455667788"  # the emulator's "Futuristic Showcase": prompt only
TEMPLATE_WITH_IMAGE = "1122334455667790"  # "Transformers": an image, no prompt


@pytest.fixture
def picture(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "picture.png"
    path.write_bytes(png_bytes(64, 36, seed=3))
    return path


class TestVideo:
    """``video create`` (with ``--file``, ``--wait``, ``--download``) and ``video get``."""

    def test_create_wait_download(self, cli: Any, api: list[str], tmp_path: pathlib.Path) -> None:
        target = tmp_path / "out" / "cat.mp4"
        run = cli(
            *api,
            "video",
            "create",
            "a cat playing piano",
            "--model",
            "T2V-2.3",
            "--options",
            "768p-6sec",
            "--wait",
            "--download",
            str(target),
            "--mkdir",
            "--poll-interval",
            "0.05",
        )
        assert run.code == 0, run.err
        assert target.read_bytes()[4:8] == b"ftyp"
        assert "2 (completed)" in run.out
        assert str(target) in run.out
        assert "created video" in run.err

    def test_create_json_then_get(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "--json", "video", "create", "waves at dusk, slow pan")
        assert run.code == 0, run.err
        job = run.json()
        video_id = job["videoId"]
        assert video_id.startswith("user:")
        assert job["replyRef"].startswith("mma-")

        got = cli(*api, "video", "get", video_id, "--json")  # global option after the command
        assert got.code == 0, got.err
        assert got.json()["videoId"] == video_id

        human = cli(*api, "video", "get", video_id)
        assert human.code == 0
        assert human.out.split()[:2] == ["video", video_id]

    def test_wait_download_json(self, cli: Any, api: list[str], tmp_path: pathlib.Path) -> None:
        run = cli(
            *api,
            "--json",
            "video",
            "create",
            "a lighthouse in a storm",
            "--download",
            str(tmp_path),
            "--poll-interval",
            "0.05",
        )
        assert run.code == 0, run.err
        data = run.json()
        assert data["video"]["status"] == 2
        path = pathlib.Path(data["path"])
        assert path.parent == tmp_path
        assert data["bytes"] == path.stat().st_size > 0

    def test_create_from_a_file_uploads_it_first(
        self, cli: Any, api: list[str], picture: pathlib.Path, emu: Emulator
    ) -> None:
        run = cli(
            *api,
            "--json",
            "video",
            "create",
            "the picture comes alive",
            "--model",
            "I2V-01",
            "--file",
            str(picture),
            "--wait",
            "--poll-interval",
            "0.05",
        )
        assert run.code == 0, run.err
        video = run.json()
        assert video["status"] == 2
        (origin,) = video["originFiles"]
        assert origin["id"].startswith("user:")
        assert origin["id"].split("-file:")[0] in video["videoId"]

    def test_no_progress_prints_status_lines(self, cli: Any, api: list[str]) -> None:
        run = cli(
            *api, "--no-progress", "video", "create", "a quiet forest", "--wait",
            "--poll-interval", "0.05",
        )  # fmt: skip
        assert run.code == 0, run.err
        assert "video: completed" in run.err.splitlines()


class TestImage:
    """``image create`` with ``--wait`` and ``--download``."""

    def test_create_wait_json(self, cli: Any, api: list[str]) -> None:
        run = cli(
            *api,
            "--json",
            "image",
            "create",
            "a cat on a hat",
            "--quantity",
            "2",
            "--aspect-ratio",
            "16:9",
            "--wait",
            "--poll-interval",
            "0.05",
        )
        assert run.code == 0, run.err
        images = run.json()
        assert [image["status"] for image in images] == [2, 2]
        assert len({image["imageId"] for image in images}) == 2

    def test_create_download(self, cli: Any, api: list[str], tmp_path: pathlib.Path) -> None:
        target = tmp_path / "images"
        run = cli(
            *api, "image", "create", "a red fox in snow", "--download", str(target), "--mkdir",
            "--poll-interval", "0.05",
        )  # fmt: skip
        assert run.code == 0, run.err
        (path,) = target.iterdir()
        assert path.read_bytes().startswith(b"\x89PNG")
        assert "2 (completed)" in run.out

    def test_create_without_wait_prints_the_ids(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "image", "create", "a tiny robot", "--quantity", "2")
        assert run.code == 0, run.err
        assert len([line for line in run.out.splitlines() if line.startswith("image")]) == 2


class TestUpload:
    """``upload PATH``."""

    def test_upload_json(self, cli: Any, api: list[str], picture: pathlib.Path) -> None:
        run = cli(*api, "--json", "upload", str(picture))
        assert run.code == 0, run.err
        uploaded = run.json()
        assert uploaded["fileID"].startswith("user:")
        assert uploaded["ossPath"].endswith(".png")

    def test_upload_human(self, cli: Any, api: list[str], picture: pathlib.Path) -> None:
        run = cli(*api, "upload", str(picture))
        assert run.code == 0, run.err
        assert run.out.startswith("file ")
        assert "uploaded picture.png" in run.err


class TestAgent:
    """``agent run`` and ``agent stream``."""

    def test_run_json(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "--json", "agent", "run", "a poster of a cat", "--models", "nano-banana-2")
        assert run.code == 0, run.err
        job = run.json()
        assert job["status"] == "completed"
        assert job["request"]["models"] == ["nano-banana-2"]

    def test_run_human_with_a_file(self, cli: Any, api: list[str], picture: pathlib.Path) -> None:
        run = cli(
            *api, "agent", "run", "restyle this picture", "--models", "nano-banana-2,qwen",
            "--file", str(picture),
        )  # fmt: skip
        assert run.code == 0, run.err
        assert "status      completed" in run.out
        assert "attachment" in run.out

    def test_stream_prints_events(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "agent", "stream", TEMPLATE_WITH_PROMPT, "--prompt", "a neon city")
        assert run.code == 0, run.err
        lines = run.out.splitlines()
        assert lines[0].startswith("created")
        assert any(line.startswith("finished") for line in lines)
        assert any("ready http" in line for line in lines)
        assert any(line.startswith("video ") for line in lines)

    def test_stream_json_lines(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "--json", "agent", "stream", TEMPLATE_WITH_PROMPT, "--prompt", "a city")
        assert run.code == 0, run.err
        events = run.json_lines()
        assert events[0]["status"] == "created"
        assert events[-1]["status"] == "finished"
        assert events[-1]["videoId"] == events[0]["videoId"]

    def test_stream_with_an_uploaded_image(
        self, cli: Any, api: list[str], picture: pathlib.Path
    ) -> None:
        run = cli(*api, "--json", "agent", "stream", TEMPLATE_WITH_IMAGE, "--file", str(picture))
        assert run.code == 0, run.err
        assert run.json_lines()[-1]["status"] == "finished"


class TestAccountsAndCapacity:
    """``accounts`` and ``capacity``, as tables and as JSON."""

    def test_accounts_json_masks_session_tokens(self, cli: Any, api: list[str]) -> None:
        run = cli(*api, "--json", "accounts")
        assert run.code == 0, run.err
        accounts = run.json()
        assert accounts
        for name, account in accounts.items():
            assert account["account"] == name
            assert account["jwt"]["token"] == "***"

    def test_accounts_table(self, cli: Any, api: list[str], emu: Emulator) -> None:
        run = cli(*api, "accounts")
        assert run.code == 0, run.err
        for name in emu.state.accounts:
            assert name in run.out

    def test_capacity_json(self, cli: Any, api: list[str], emu: Emulator) -> None:
        run = cli(*api, "--json", "capacity")
        assert run.code == 0, run.err
        capacity = run.json()
        assert {a["account"] for a in capacity["available"]} == set(emu.state.accounts)
        assert isinstance(capacity["executing"], list)

    def test_capacity_table_lists_running_jobs(self, cli: Any, frozen_emu: Emulator) -> None:
        frozen = ["--base-url", frozen_emu.base_url, "--token", TOKEN]
        created = cli(*frozen, "--json", "video", "create", "a queued job")
        assert created.code == 0, created.err
        run = cli(*frozen, "capacity")
        assert run.code == 0, run.err
        assert "capacity" in run.out
        assert "running job(s)" in run.out
        assert created.json()["replyRef"] in run.out
