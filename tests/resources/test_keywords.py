"""Methods taking ``**params: Unpack[SomeParams]`` refuse what Python refuses for an explicit
signature (a misspelt or missing keyword), naming the method, before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from minimax_async import AsyncMiniMax
from minimax_async.testing import Emulator


@pytest.fixture
async def mm() -> Any:
    async with Emulator() as emu, AsyncMiniMax("emulator-token", base_url=emu.base_url) as client:
        yield client, emu


async def test_speech_agent_and_chat_keywords(mm: Any) -> None:
    client, emu = mm
    with pytest.raises(
        TypeError, match=r"audio\.create_mp3\(\) got an unexpected keyword argument 'voice'"
    ):
        await client.audio.create_mp3(text="hi", voice="x")
    with pytest.raises(
        TypeError, match=r"audio\.create_stream\(\) missing required keyword argument 'voice_id'"
    ):
        await client.audio.create_stream(text="hi")
    with pytest.raises(TypeError, match=r"audio\.stream\(\) got an unexpected keyword argument"):
        client.audio.stream(text="hi", voice_id="v", speeed=1.0)
    with pytest.raises(
        TypeError, match=r"agent\.run\(\) missing required keyword argument 'models'"
    ):
        await client.agent.run(prompt="a cat")
    with pytest.raises(
        TypeError, match=r"agent\.submit\(\) got an unexpected keyword argument 'model'; allowed: "
    ):
        await client.agent.submit(prompt="a cat", model="x")
    with pytest.raises(TypeError, match=r"llm\.chat\(\) got an unexpected keyword argument 'text'"):
        await client.llm.chat(text="hello")
    with pytest.raises(
        TypeError, match=r"llm\.stream\(\) missing required keyword argument 'prompt'"
    ):
        client.llm.stream(model="mm-01")
    assert emu.state.requests == []
