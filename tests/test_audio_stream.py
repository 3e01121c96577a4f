"""audio.stream over the emulator's WebSocket: mp3 chunks as the documents' player decodes them."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator

import pytest

from minimax_async import AsyncMiniMax, StreamTruncatedError
from minimax_async.resources import _base as resources_base
from minimax_async.testing import run_emulator
from minimax_async.testing._emulator import Emulator

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=1000) as emulator:
        yield emulator


class TestAudioStream:
    """The WebSocket half of text-to-speech."""

    async def test_chunks_are_mp3_frames(self, emu: Emulator) -> None:
        """Every yielded chunk starts with an MP3 frame header; the stream ends on status 2."""
        async with AsyncMiniMax(emu.token, base_url=emu.base_url) as mm:
            voices = await mm.audio.voices()
            voice = (voices.voice_list or [])[0].voice_id
            assert voice
            chunks = [c async for c in mm.audio.stream(text="Hello there, world.", voice_id=voice)]
        assert chunks
        for chunk in chunks:
            assert chunk[:4] == bytes.fromhex("fffbe8c4")
            assert len(chunk) > 4

    async def test_warns_once_naming_the_websocket(self, emu: Emulator) -> None:
        """The stream warns as the decommissioned WSS endpoint, pointing at the caller."""
        resources_base._warned.clear()
        async with AsyncMiniMax(emu.token, base_url=emu.base_url) as mm:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                stream = mm.audio.stream(text="Hi there", voice_id="v1")
            assert any("audio/wss" in str(w.message) for w in caught)
            assert all(w.filename == __file__ for w in caught if "audio/wss" in str(w.message))
            await stream.aclose()  # type: ignore[attr-defined]

    async def test_truncated_socket(self, emu: Emulator) -> None:
        """A socket dropped before the final message raises StreamTruncatedError."""
        emu.faults.add("GET /audio/wss", "truncate_sse")
        async with AsyncMiniMax(emu.token, base_url=emu.base_url) as mm:
            voices = await mm.audio.voices()
            voice = (voices.voice_list or [])[0].voice_id
            assert voice
            with pytest.raises(StreamTruncatedError):
                async for _ in mm.audio.stream(text="Hello there, world.", voice_id=voice):
                    pass
