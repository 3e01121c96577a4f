"""Stopping the emulator with work in flight: prompt, no task or session left behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import aiohttp

from minimax_async.testing import Emulator


async def test_close_with_streams_sockets_and_waits_in_flight() -> None:
    emu = Emulator(speed=0, seed=8)
    await emu.start()
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        emu.faults.add("POST /videos/agent-create", "stall_sse")
        agent = {"templateId": "1122334455667788", "prompt": "Futuristic sports car"}
        stream = await session.post(emu.base_url + "/videos/agent-create", json=agent)
        first = await stream.content.readline()
        assert json.loads(first[6:])["status"] == "created"

        async def sync_agent() -> int:
            async with session.post(
                emu.base_url + "/agent", data={"prompt": "a long job", "models": "qwen"}
            ) as resp:
                return resp.status

        waiting = asyncio.create_task(sync_agent())
        async with session.post(
            emu.base_url + "/audio/create-stream",
            json={"text": "hello there friend", "voice_id": "1"},
        ) as resp:
            ticket = await resp.json()
        ws = await session.ws_connect(
            emu.base_url.replace("http", "ws") + "/audio/wss", params={"token": ticket["token"]}
        )
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await emu.close()
        assert time.monotonic() - started < 3
        with contextlib.suppress(aiohttp.ClientError):
            await stream.read()
        stream.release()
        results = await asyncio.gather(waiting, return_exceptions=True)
        assert isinstance(results[0], aiohttp.ClientError)
        await ws.close()
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert pending == []
