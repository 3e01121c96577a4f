"""Every README command against an emulator with three accounts and no ``--account``."""

from __future__ import annotations

import pathlib
import shlex
from collections.abc import Iterator
from typing import Any

import pytest

from minimax_async import AccountRequiredError, account_of
from minimax_async.cli._errors import EXIT_API, describe, exit_code_for
from minimax_async.testing import Emulator
from minimax_async.testing._media import png_bytes

from .conftest import TOKEN, ThreadedEmulator


@pytest.fixture(scope="module")
def emu3() -> Iterator[Emulator]:
    with ThreadedEmulator(speed=500, token=TOKEN, seed=5, accounts=3) as emulator:
        yield emulator


@pytest.fixture
def api3(emu3: Emulator) -> list[str]:
    return ["--base-url", emu3.base_url, "--token", TOKEN, "--no-progress"]


@pytest.fixture
def photo(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "photo.png"
    path.write_bytes(png_bytes(64, 36, seed=3))
    return path


# The README's "Command line" block (PHOTO and DIR stand for a picture and a temporary folder).
README_COMMANDS = [
    "video create 'a cat playing piano' --model T2V-2.3 --options 768p-6sec --wait "
    "--download DIR/cat.mp4",
    "video create 'the photo comes alive' --model I2V-01 --file PHOTO --wait",
    "image create 'a red fox in snow' --quantity 2 --download DIR/images/ --mkdir",
    "upload PHOTO",
    "agent run 'a poster and a jingle' --models nano-banana-2,minimax-music-2.0",
    "agent stream 1122334455667788 --prompt 'a neon city'",
    "accounts",
    "--json capacity",
]


class TestReadmeCommands:
    @pytest.mark.parametrize("command", README_COMMANDS)
    def test_works_without_account(
        self,
        cli: Any,
        api3: list[str],
        photo: pathlib.Path,
        tmp_path: pathlib.Path,
        command: str,
    ) -> None:
        """The command succeeds although the API requires ``account`` with three accounts."""
        argv = [
            arg.replace("PHOTO", str(photo)).replace("DIR", str(tmp_path))
            for arg in shlex.split(command)
        ]
        run = cli(*api3, *argv)
        assert run.code == 0, run.err

    def test_video_from_a_file_runs_on_the_files_account(
        self, cli: Any, api3: list[str], photo: pathlib.Path, emu3: Emulator
    ) -> None:
        """``video create --file`` uploads to a free account and the video follows the file."""
        for _ in range(3):
            run = cli(
                *api3,
                "--json",
                "video",
                "create",
                "alive",
                "--model",
                "I2V-01",
                "--file",
                str(photo),
            )
            assert run.code == 0, run.err
            video = emu3.state.videos[run.json()["videoId"]]
            assert account_of(video.file_id) == video.account


class TestAccountError:
    def test_names_the_cli_option(self) -> None:
        """The error for a call that needs an account names ``--account`` (and exits 3)."""
        error = AccountRequiredError("GET files", ["a", "b"])
        text = describe(error, secrets=[TOKEN])
        assert "--account" in text
        assert "a, b" in text
        assert exit_code_for(error) == EXIT_API
