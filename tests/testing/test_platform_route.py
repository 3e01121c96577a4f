"""The emulator's official-platform route, ``POST /minimax/v1/files/upload``, driven by
``AsyncMiniMaxPlatform`` through ``emu.platform_url`` (no MiniMax key needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from minimax_async import (
    AsyncMiniMaxPlatform,
    AuthenticationError,
    BadRequestError,
    ServerError,
)
from minimax_async.models.platform import PlatformFile
from minimax_async.testing import Emulator, run_emulator

# aiohttp's BodyPartReader.read_chunk may call its own deprecated unread_data() (aiohttp 3.14).
pytestmark = pytest.mark.filterwarnings(r"ignore:unread_data\(\) is deprecated:DeprecationWarning")

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 300
ROUTE = "POST /minimax/v1/files/upload"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=0, seed=3, token="emu-fixed-token") as emulator:
        yield emulator


async def test_platform_url_shape(emu: Emulator) -> None:
    assert emu.platform_url == emu.url + "/minimax"


@pytest.mark.parametrize("purpose", ["voice_clone", "prompt_audio", "t2a_async_input"])
async def test_upload_answers_the_documented_record(emu: Emulator, purpose: str) -> None:
    async with AsyncMiniMaxPlatform(api_key=emu.token, base_url=emu.platform_url) as platform:
        uploaded = await platform.files.upload(MP3, purpose=purpose, filename="sample.mp3")
    assert isinstance(uploaded, PlatformFile)
    assert uploaded.bytes == len(MP3)
    assert uploaded.filename == "sample.mp3"
    assert uploaded.purpose == purpose
    assert isinstance(uploaded.file_id, int)
    assert isinstance(uploaded.created_at, int)
    assert emu.state.platform_files[uploaded.file_id]["bytes"] == len(MP3)
    last = emu.state.requests[-1]
    assert (last.route, last.status) == (ROUTE, 200)


async def test_upload_from_a_path_streams_the_file(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    data = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(200_000)
    path.write_bytes(data)
    async with AsyncMiniMaxPlatform(api_key=emu.token, base_url=emu.platform_url) as platform:
        uploaded = await platform.files.upload(path, purpose="voice_clone")
    assert (uploaded.filename, uploaded.bytes) == ("voice.wav", len(data))


async def test_wrong_key_is_base_resp_2049(emu: Emulator) -> None:
    async with AsyncMiniMaxPlatform(api_key="sk-wrong-key", base_url=emu.platform_url) as p:
        with pytest.raises(AuthenticationError) as info:
            await p.files.upload(MP3, purpose="voice_clone", filename="a.mp3")
    assert info.value.code == 2049
    assert info.value.status_code == 200  # the platform answers its errors in an HTTP 200
    assert "sk-wrong-key" not in str(info.value)


async def test_missing_key_is_base_resp_1004(emu: Emulator) -> None:
    form = aiohttp.FormData()
    form.add_field("purpose", "voice_clone")
    form.add_field("file", MP3, filename="a.mp3", content_type="audio/mpeg")
    async with (
        aiohttp.ClientSession() as session,
        session.post(emu.platform_url + "/v1/files/upload", data=form) as resp,
    ):
        body = await resp.json()
    assert resp.status == 200
    assert body["base_resp"]["status_code"] == 1004
    assert "file" not in body


async def test_undocumented_purpose_is_2013(emu: Emulator) -> None:
    async with AsyncMiniMaxPlatform(api_key=emu.token, base_url=emu.platform_url) as platform:
        with pytest.raises(BadRequestError) as info:
            await platform.files.upload(MP3, purpose="holiday_photos", filename="a.mp3")
    assert info.value.code == 2013
    assert "purpose" in info.value.message


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"file": True}, "purpose is required"),
        ({"purpose": "voice_clone"}, "file is required"),
        ({"purpose": "voice_clone", "file": False}, "file is empty"),
    ],
)
async def test_incomplete_forms_are_2013(
    emu: Emulator, fields: dict[str, object], problem: str
) -> None:
    form = aiohttp.FormData(default_to_multipart=True)
    if "purpose" in fields:
        form.add_field("purpose", str(fields["purpose"]))
    if "file" in fields:
        form.add_field("file", MP3 if fields["file"] else b"", filename="a.mp3")
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.post(emu.platform_url + "/v1/files/upload", data=form) as resp,
    ):
        body = await resp.json()
    assert body["base_resp"] == {"status_code": 2013, "status_msg": f"invalid params, {problem}"}


async def test_json_body_is_2013(emu: Emulator) -> None:
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.post(emu.platform_url + "/v1/files/upload", json={"purpose": "x"}) as resp,
    ):
        body = await resp.json()
    assert body["base_resp"]["status_code"] == 2013


async def test_faults_apply_to_the_platform_route(emu: Emulator) -> None:
    """A 502 fault on the route is retried by the client (an upload is idempotent)."""
    emu.faults.add(ROUTE, "502", times=1)
    async with AsyncMiniMaxPlatform(api_key=emu.token, base_url=emu.platform_url) as platform:
        platform._sleep = _no_sleep
        uploaded = await platform.files.upload(MP3, purpose="prompt_audio", filename="a.mp3")
    assert uploaded.bytes == len(MP3)
    statuses = [r.status for r in emu.state.requests if r.route == ROUTE]
    assert statuses == [502, 200]


async def test_a_lasting_fault_surfaces(emu: Emulator) -> None:
    emu.faults.add(ROUTE, "502", times=None)
    async with AsyncMiniMaxPlatform(
        api_key=emu.token, base_url=emu.platform_url, max_retries=0
    ) as platform:
        with pytest.raises(ServerError):
            await platform.files.upload(MP3, purpose="prompt_audio", filename="a.mp3")


async def _no_sleep(_: float) -> None:
    return None


def test_readme_example_runs(tmp_path: Path) -> None:
    """The README's platform example runs against the emulator as written."""
    import os
    import re
    import subprocess
    import sys

    readme = Path(__file__).resolve().parents[2] / "README.md"
    block = re.search(
        r"<!-- readme-test: platform-emulator -->\s*```python\n(.*?)```",
        readme.read_text(encoding="utf-8"),
        re.S,
    )
    assert block is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("USEAPI_", "MINIMAX_"))}
    env["PYTHONPATH"] = str(readme.parent)
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", block.group(1)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    file_id, size, purpose = result.stdout.split()
    assert (int(file_id) > 0, size, purpose) == (True, "1027", "voice_clone")
