"""SSE streams, the audio WebSocket, replyUrl callbacks and the command line."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async.testing import Emulator, run_emulator
from minimax_async.testing._media import MP3_CHUNK_PREFIX, MP3_FRAME_HEADER

from ._helpers import DOC_EXAMPLES, Api, assert_shape

AGENT = {"templateId": "1122334455667788", "prompt": "Futuristic sports car"}


def event_name(event: dict[str, Any]) -> str:
    status = str(event["status"])
    return f"{status}:{event['type']}" if status == "progress" else status


async def test_agent_create_follows_the_documented_sequence(api: Api, emu: Emulator) -> None:
    documented = DOC_EXAMPLES["POST videos/agent-create events"]
    events: list[dict[str, Any]] = []
    async with api.session.post(api.url("/videos/agent-create"), json=AGENT) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/event-stream"
        assert resp.headers["Cache-Control"] == "no-cache"
        steps = iter([10.5, 2.5, 13.0, 100.0])  # heartbeat, first progress, ..., the end
        async for line in resp.content:
            if not line.startswith(b"data: "):
                continue
            events.append(json.loads(line[6:]))
            if events[-1]["status"] in ("connected", "heartbeat", "progress"):
                pending = {"connected": 1, "heartbeat": 1}.get(events[-1]["status"], 0)
                if pending or len(events) in (4, 8):
                    emu.advance(next(steps))
    assert [event_name(e) for e in events] == [event_name(e) for e in documented]
    for mine, doc in zip(events, documented, strict=True):
        assert_shape(doc, mine)
    video_id = events[0]["videoId"]
    assert events[-1]["videoId"] == video_id
    status, body = await api.get(f"/videos/{video_id}")
    assert (status, body["status"]) == (200, 2)
    final_url = events[-3]["message"]["attachmentInfo"]["attachments"][0]["file"]["fileUrl"]
    image_url = events[5]["message"]["attachmentInfo"]["attachments"][0]["file"]["fileUrl"]
    for url, prefix in ((final_url, b"\x00\x00\x00"), (image_url, b"\x89PNG")):
        async with api.session.get(url) as media:
            assert media.status == 200
            assert (await media.read()).startswith(prefix)


async def test_agent_create_heartbeats_on_real_time() -> None:
    async with run_emulator(speed=100, seed=2) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            names: list[str] = []
            async with session.post(emu.base_url + "/videos/agent-create", json=AGENT) as resp:
                async for line in resp.content:
                    if line.startswith(b"data: "):
                        names.append(event_name(json.loads(line[6:])))
            assert names[0] == "created"
            assert names[-1] == "finished"
            # ~122 virtual seconds with a heartbeat every 10 s when nothing else is sent
            assert 6 <= names.count("heartbeat") <= 12
            assert names.count("finished") == 1


async def test_agent_create_validation_and_capacity(api: Api, emu: Emulator) -> None:
    status, body = await api.post("/videos/agent-create", json={"templateId": "404"})
    assert (status, body["code"]) == (404, 404)
    status, _ = await api.post("/videos/agent-create", json={})
    assert status == 400
    image_template = {"templateId": "1122334455667790"}
    status, _ = await api.post("/videos/agent-create", json=image_template)
    assert status == 400
    status, _ = await api.post(
        "/videos/agent-create", json={**image_template, "fileID": "user:1-minimax:2-file:3"}
    )
    assert status == 400  # ossPath is required with fileID
    for _ in range(3):
        await api.create_video()
    status, body = await api.post("/videos/agent-create", json=AGENT)
    assert status == 429
    assert "runningVideos" in body


async def test_agent_create_failure_event(api: Api, emu: Emulator) -> None:
    events: list[dict[str, Any]] = []
    emu.advance(0)
    body = {**AGENT, "prompt": "Futuristic sports car [fail]"}
    async with api.session.post(api.url("/videos/agent-create"), json=body) as resp:
        emu.advance(1000)
        async for line in resp.content:
            if line.startswith(b"data: "):
                events.append(json.loads(line[6:]))
    assert any(e.get("errCode") for e in events)
    assert events[-1]["status"] == "finished"
    _status, video = await api.get(f"/videos/{events[0]['videoId']}")
    assert video["status"] == 3


async def test_llm_stream_matches_the_documents(api: Api, emu: Emulator) -> None:
    documented = DOC_EXAMPLES["POST llm stream"]
    async with api.session.post(
        api.url("/llm"), data={"prompt": "tell me a joke", "model": "mm-01", "stream": "true"}
    ) as resp:
        assert resp.headers["Content-Type"] == "text/event-stream"
        emu.advance(5)
        text = await resp.text()
    events = []
    for block in text.strip().split("\n\n"):
        name_line, data_line = block.split("\n")
        assert name_line.startswith("event:")
        assert data_line.startswith("data:")
        events.append({"event": name_line[6:], "data": json.loads(data_line[5:])})
    assert [e["event"] for e in events] == [e["event"] for e in documented]
    for mine, doc in zip(events, documented, strict=True):
        assert_shape(doc["data"], mine["data"])
    contents = [e["data"]["data"]["messageResult"]["content"] for e in events[1:-1]]
    assert all(b.startswith(a) for a, b in itertools.pairwise(contents))


async def test_audio_websocket(api: Api, emu: Emulator) -> None:
    text = "Hello there, this is the emulator speaking to you."
    status, ticket = await api.post(
        "/audio/create-stream", json={"text": text, "voice_id": "209533299589184"}
    )
    assert status == 200
    ws_url = api.url("/audio/wss").replace("http://", "ws://")
    messages: list[dict[str, Any]] = []
    async with api.session.ws_connect(ws_url, params={"token": ticket["token"]}) as ws:
        await ws.send_str(json.dumps(ticket["payload"]))
        async for msg in ws:
            assert msg.type == aiohttp.WSMsgType.TEXT
            messages.append(json.loads(msg.data))
            emu.advance(1)  # chunks are paced on the virtual clock
    statuses = [m["data"]["status"] for m in messages]
    assert statuses[-1] == 2
    assert set(statuses[:-1]) == {1}
    assert len(statuses) > 2
    audio = b""
    for message in messages[:-1]:
        assert set(message) == {"data", "input_sensitive", "trace_id", "base_resp"}
        chunk = message["data"]["audio"]
        assert not chunk.startswith(MP3_CHUNK_PREFIX)
        audio += bytes.fromhex(MP3_CHUNK_PREFIX + chunk)
    assert audio[:4] == MP3_FRAME_HEADER
    assert len(audio) % 1440 == 0
    assert messages[-1]["extra_info"]["audio_size"] == len(audio)
    status, clips = await api.get("/audio")
    assert clips["audio_list"][0]["audio_id"]
    async with api.session.get(clips["audio_list"][0]["audio_url"]) as resp:
        assert await resp.read() == audio


async def test_audio_websocket_rejects_bad_tokens(api: Api) -> None:
    ws_url = api.url("/audio/wss").replace("http://", "ws://")
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        async with api.session.ws_connect(ws_url, params={"token": "nope"}):
            pass
    assert info.value.status == 400


async def test_audio_websocket_truncated(api: Api, emu: Emulator) -> None:
    _status, ticket = await api.post(
        "/audio/create-stream", json={"text": "a b c " * 20, "voice_id": "209533299589184"}
    )
    emu.faults.add("GET /audio/wss", "truncate_sse")
    ws_url = api.url("/audio/wss").replace("http://", "ws://")
    received = []
    async with api.session.ws_connect(ws_url, params={"token": ticket["token"]}) as ws:
        await ws.send_str(json.dumps(ticket["payload"]))
        async for msg in ws:
            received.append(msg)
    assert len(received) == 1
    assert ws.close_code != 1000


async def test_reply_url_callbacks() -> None:
    received: list[dict[str, Any]] = []
    arrived = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    async with TestServer(app) as server, run_emulator(speed=0, seed=4) as emu:
        hook_url = str(server.make_url("/hook"))
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            video_id = await api.create_video(replyUrl=hook_url, replyRef="cb-ref")
            _status, images = await api.post(
                "/images/create",
                json={"prompt": "two more", "quantity": 2, "replyUrl": hook_url},
            )
            untracked = await api.create_video(replyUrl=hook_url, replyRef="dropped")
            await api.delete(f"/scheduler/{untracked}")
            await asyncio.sleep(0.05)
            assert received == []
            emu.advance(60)  # the images end
            for _ in range(100):
                if len(received) == 2:
                    break
                await asyncio.sleep(0.02)
            assert sorted(r["imageId"] for r in received) == sorted(images["imageIds"])
            emu.advance(100)  # the video ends
            for _ in range(100):
                if len(received) == 3:
                    break
                await asyncio.sleep(0.02)
            video = received[2]
            assert (video["videoId"], video["status"], video["replyRef"]) == (
                video_id,
                2,
                "cb-ref",
            )
            await asyncio.sleep(0.05)
            assert len(received) == 3  # one callback per job, none for untracked jobs
            assert [c.status for c in emu.state.callbacks] == [200, 200, 200]


async def test_agent_callback_and_unreachable_url() -> None:
    async with run_emulator(speed=0, seed=4) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            await api.post(
                "/agent",
                data={
                    "prompt": "make a picture",
                    "models": "qwen",
                    "async": "true",
                    "replyUrl": "http://127.0.0.1:9/unreachable",
                    "replyRef": "agent-ref",
                },
            )
            emu.advance(1000)
            for _ in range(200):
                if emu.state.callbacks and emu.state.callbacks[0].error:
                    break
                await asyncio.sleep(0.02)
            record = emu.state.callbacks[0]
            assert record.error is not None
            assert record.payload["status"] == "completed"
            assert record.payload["request"]["replyRef"] == "agent-ref"


ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_cli_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "minimax_async.testing", "--help"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    for option in ("--port", "--host", "--speed", "--token", "--accounts", "--max-jobs"):
        assert option in result.stdout
    assert "[moderate-404]" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics")
def test_cli_runs_and_stops_cleanly_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "minimax_async.testing", "--port", "0", "--token", "t0k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in first
        base_url = first.rsplit(" ", 1)[-1].strip()

        async def probe() -> int:
            async with (
                aiohttp.ClientSession() as session,
                session.get(
                    base_url + "/scheduler", headers={"Authorization": "Bearer t0k"}
                ) as resp,
            ):
                return resp.status

        assert asyncio.run(probe()) == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Traceback" not in err
    assert "stopped" in out
