"""Every fault kind: what the client sees and whether the job was created."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from minimax_async.testing import FAULT_KINDS, Emulator

from ._helpers import Api

CREATE = "POST /videos/create"
BODY = {"prompt": "a cat playing the piano", "replyRef": "ref-fault"}


async def create_raw(api: Api, **kwargs: object) -> tuple[int, str, bytes]:
    async with api.session.post(api.url("/videos/create"), json=BODY, **kwargs) as resp:  # type: ignore[arg-type]
        return resp.status, resp.headers.get("Content-Type", ""), await resp.read()


async def scheduled_refs(api: Api) -> list[str]:
    status, body = await api.get("/scheduler")
    assert status == 200
    return [entry["replyRef"] for entry in body]


@pytest.mark.parametrize(("kind", "created"), [("reset", 0), ("reset_after_accept", 1)])
async def test_reset(api: Api, emu: Emulator, kind: str, created: int) -> None:
    emu.faults.add(CREATE, kind)
    with pytest.raises(aiohttp.ClientConnectionError):
        await create_raw(api)
    assert len(emu.state.videos) == created
    assert await scheduled_refs(api) == ["ref-fault"] * created
    assert emu.state.requests[-2].fault == kind
    # the rule is used up: the next call works
    status, _, _ = await create_raw(api)
    assert status == 200


@pytest.mark.parametrize(
    ("kind", "status", "ctype", "created"),
    [
        ("502_after_accept", 502, "text/html", 1),
        ("504_after_accept", 504, "application/json", 1),
        ("502", 502, "text/html", 0),
        ("504", 504, "application/json", 0),
        ("html_error", 500, "text/html", 0),
        ("429", 429, "application/json", 0),
    ],
)
async def test_error_statuses(
    api: Api, emu: Emulator, kind: str, status: int, ctype: str, created: int
) -> None:
    emu.faults.add(CREATE, kind)
    got, content_type, body = await create_raw(api)
    assert got == status
    assert content_type.startswith(ctype)
    if ctype == "text/html":
        assert body.lstrip().lower().startswith(b"<!doctype html")
    else:
        parsed = json.loads(body)
        assert parsed["code"] == status
        if kind == "429":
            assert "runningVideos" in parsed
    assert len(emu.state.videos) == created
    assert await scheduled_refs(api) == ["ref-fault"] * created


async def test_malformed_json(api: Api, emu: Emulator) -> None:
    emu.faults.add(CREATE, "malformed_json")
    status, ctype, body = await create_raw(api)
    assert (status, ctype.split(";")[0]) == (200, "application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert len(emu.state.videos) == 1


async def test_truncated_body(api: Api, emu: Emulator) -> None:
    emu.faults.add(CREATE, "truncate_sse")
    with pytest.raises(aiohttp.ClientPayloadError):
        await create_raw(api)
    assert len(emu.state.videos) == 1


async def test_stalled_body(api: Api, emu: Emulator) -> None:
    emu.faults.add(CREATE, "stall_sse")
    with pytest.raises(asyncio.TimeoutError):
        await create_raw(api, timeout=aiohttp.ClientTimeout(sock_read=0.3))
    assert len(emu.state.videos) == 1


async def test_slow_body(api: Api, emu: Emulator) -> None:
    emu.faults.add(CREATE, "slow_body", delay=0.05)
    started = time.monotonic()
    status, _, body = await create_raw(api)
    elapsed = time.monotonic() - started
    assert status == 200
    assert json.loads(body)["replyRef"] == "ref-fault"
    assert elapsed >= 0.05 * (emu.faults.slow_body_pieces - 1) * 0.9
    assert len(emu.state.videos) == 1


async def test_slow_body_times_out_a_tight_reader(api: Api, emu: Emulator) -> None:
    emu.faults.add(CREATE, "slow_body", delay=1.0)
    with pytest.raises(asyncio.TimeoutError):
        await create_raw(api, timeout=aiohttp.ClientTimeout(sock_read=0.2))
    assert len(emu.state.videos) == 1


async def test_faults_on_get_routes(api: Api, emu: Emulator) -> None:
    video_id = await api.create_video()
    emu.faults.add("GET /videos/{id}", "502", times=2)
    for _ in range(2):
        status, _ = await api.get(f"/videos/{video_id}")
        assert status == 502
    status, _ = await api.get(f"/videos/{video_id}")
    assert status == 200
    # reset on a GET: aiohttp may retry an idempotent request once by itself
    emu.faults.add("GET /videos/{videoId}", "reset", times=3)
    with pytest.raises(aiohttp.ClientConnectionError):
        for _ in range(3):
            await api.get(f"/videos/{video_id}")
    emu.faults.clear()
    status, _ = await api.get(f"/videos/{video_id}")
    assert status == 200


async def test_truncated_download_can_resume_with_range(api: Api, emu: Emulator) -> None:
    video_id = await api.create_video()
    emu.advance(1000)
    _status, video = await api.get(f"/videos/{video_id}")
    url = video["downloadURL"]
    expected = emu.state.media[url.split("/media/", 1)[1]].data
    emu.faults.add("GET /media/{path}", "truncate_sse")
    received = b""
    with pytest.raises(aiohttp.ClientPayloadError):
        async with api.session.get(url) as resp:
            assert int(resp.headers["Content-Length"]) == len(expected)
            async for chunk in resp.content.iter_any():
                received += chunk
    assert 0 < len(received) < len(expected)
    async with api.session.get(url, headers={"Range": f"bytes={len(received)}-"}) as resp:
        assert resp.status == 206
        received += await resp.read()
    assert received == expected


async def test_literal_path_wildcards_and_probability(api: Api, emu: Emulator) -> None:
    emu.faults.add("* *", "504", times=None, probability=0.5)
    statuses = [(await api.get("/scheduler"))[0] for _ in range(60)]
    assert set(statuses) == {200, 504}
    assert 10 < statuses.count(504) < 50
    emu.faults.clear()
    emu.faults.add("GET /v1/minimax/scheduler/available/", "html_error")
    assert (await api.get("/scheduler"))[0] == 200
    assert (await api.get("/scheduler/available"))[0] == 500
    assert len(emu.faults) == 0


def test_fault_validation(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        emu.faults.add(CREATE, "explode")
    with pytest.raises(ValueError, match="times"):
        emu.faults.add(CREATE, "502", times=0)
    with pytest.raises(ValueError, match="probability"):
        emu.faults.add(CREATE, "502", probability=0)
    assert len(FAULT_KINDS) == 12


AGENT = {"templateId": "1122334455667788", "prompt": "Futuristic sports car"}


async def read_sse(resp: aiohttp.ClientResponse, into: list[str]) -> None:
    async for line in resp.content:
        if line.startswith(b"data:"):
            into.append(line.decode())


@pytest.mark.parametrize(
    "kind", ["reset_after_accept", "502_after_accept", "504_after_accept", "reset", "502"]
)
async def test_agent_create_accept_faults(api: Api, emu: Emulator, kind: str) -> None:
    emu.faults.add("POST /videos/agent-create", kind)
    try:
        async with api.session.post(api.url("/videos/agent-create"), json=AGENT) as resp:
            assert resp.status in (502, 504)
    except aiohttp.ClientConnectionError:
        assert kind.startswith("reset")
    assert len(emu.state.videos) == (0 if kind in ("reset", "502") else 1)


async def test_agent_create_truncated(api: Api, emu: Emulator) -> None:
    emu.faults.add("POST /videos/agent-create", "truncate_sse")
    chunks: list[bytes] = []
    with pytest.raises(aiohttp.ClientPayloadError):
        async with api.session.post(api.url("/videos/agent-create"), json=AGENT) as resp:
            assert resp.status == 200
            async for chunk in resp.content.iter_any():
                chunks.append(chunk)
    events = b"".join(chunks).decode().split("\n\n")
    statuses = [json.loads(event[5:])["status"] for event in events[:2]]
    assert statuses == ["created", "connected"]
    video_id = json.loads(events[0][5:])["videoId"]
    assert video_id in emu.state.videos
    assert len(events) == 3  # the third event is cut mid-way
    assert events[2].startswith("data: {")
    with pytest.raises(json.JSONDecodeError):
        json.loads(events[2][5:])


async def test_agent_create_stalled(api: Api, emu: Emulator) -> None:
    emu.faults.add("POST /videos/agent-create", "stall_sse")
    lines: list[str] = []
    emu.advance(0)
    with pytest.raises(asyncio.TimeoutError):
        async with api.session.post(
            api.url("/videos/agent-create"),
            json=AGENT,
            timeout=aiohttp.ClientTimeout(sock_read=0.3),
        ) as resp:
            emu.advance(500)  # events are due, but the stream stays silent
            await read_sse(resp, lines)
    assert [json.loads(line[5:])["status"] for line in lines] == ["created", "connected"]


async def test_agent_create_malformed_first_event(api: Api, emu: Emulator) -> None:
    emu.faults.add("POST /videos/agent-create", "malformed_json")
    emu.advance(0)
    lines: list[str] = []
    async with api.session.post(api.url("/videos/agent-create"), json=AGENT) as resp:
        emu.advance(500)
        await read_sse(resp, lines)
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[0][5:])
    assert json.loads(lines[-1][5:])["status"] == "finished"


async def test_llm_stream_truncated(api: Api, emu: Emulator) -> None:
    emu.faults.add("POST /llm", "truncate_sse")
    chunks: list[bytes] = []
    with pytest.raises(aiohttp.ClientPayloadError):
        async with api.session.post(
            api.url("/llm"), data={"prompt": "tell me a joke", "stream": "true"}
        ) as resp:
            async for chunk in resp.content.iter_any():
                chunks.append(chunk)
    text = b"".join(chunks).decode()
    assert text.startswith("event:send_result\ndata:")
    assert text.count("event:") == 2
