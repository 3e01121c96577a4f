"""Job lifecycles on the virtual clock, paging, deletion, cancellation, routing details."""

from __future__ import annotations

import asyncio
import urllib.parse

import aiohttp

from minimax_async.testing import Emulator, run_emulator

from ._helpers import Api

FILE_ID = "user:1-minimax:2-file:3"


async def test_video_lifecycle_statuses_and_percent(api: Api, emu: Emulator) -> None:
    video_id = await api.create_video()
    seen: list[tuple[int, int]] = []
    for _ in range(30):
        status, body = await api.get(f"/videos/{video_id}")
        assert status == 200
        seen.append((body["status"], body["percent"]))
        if body["statusFinal"]:
            break
        emu.advance(5)
    statuses = [s for s, _ in seen]
    assert statuses[0] == 11
    assert 0 in statuses
    assert any(s in (1, 12) for s in statuses)
    assert statuses[-1] == 2
    # statuses only move forward, percent never goes down
    order = {11: 0, 0: 1, 1: 2, 12: 2, 2: 3}
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses)
    percents = [p for _, p in seen]
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert 0 < percents[-2] < 100
    # about two minutes at speed 1
    assert 100 <= emu.clock.now() <= 140


async def test_video_lifecycle_on_real_time_with_speed() -> None:
    async with run_emulator(speed=600, seed=3) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            video_id = await api.create_video()
            await asyncio.sleep(0.25)  # 150 virtual seconds
            status, body = await api.get(f"/videos/{video_id}")
            assert (status, body["status"], body["percent"]) == (200, 2, 100)
            assert body["videoURL"] != body["downloadURL"]
            for url in (body["videoURL"], body["downloadURL"], body["coverURL"]):
                async with session.get(url) as resp:
                    assert resp.status == 200
                    assert len(await resp.read()) == int(resp.headers["Content-Length"])


async def test_ids_with_colon_and_at_in_paths(api: Api, emu: Emulator) -> None:
    video_id = await api.create_video()
    encoded = urllib.parse.quote(video_id, safe="")
    assert "%3A" in encoded
    status, body = await api.get(f"/videos/{encoded}")
    assert (status, body["videoId"]) == (200, video_id)
    status, body = await api.get(f"/videos/{video_id}/")  # trailing slash
    assert status == 200
    status, body = await api.get("/videos/user:1@x-minimax:2-video:3")
    assert status == 404
    status, body = await api.get("/videos/user:1%40x-minimax:2-video:3")
    assert status == 404
    status, body = await api.get("/videos/not-an-id")
    assert status == 400
    status, body = await api.get("/nope")
    assert status == 404
    status, body = await api.call("PUT", "/videos/create")
    assert status == 405


async def test_videos_list_paging(api: Api, emu: Emulator) -> None:
    emu.state.accounts[next(iter(emu.state.accounts))].max_jobs = 10
    ids = [await api.create_video(f"video number {i}") for i in range(5)]
    status, page = await api.get("/videos", params={"limit": "2"})
    assert status == 200
    assert [v["videoId"] for v in page] == ids[::-1][:2]
    status, page2 = await api.get(
        "/videos", params={"limit": "2", "lastVideoId": page[-1]["videoId"]}
    )
    assert [v["videoId"] for v in page2] == ids[::-1][2:4]
    status, page3 = await api.get("/videos/", params={"lastVideoId": page2[-1]["id"]})
    assert [v["videoId"] for v in page3] == ids[:1]


async def test_delete_and_cancel(api: Api, emu: Emulator) -> None:
    first, second = await api.create_video(), await api.create_video()
    status, _ = await api.delete(f"/videos/{first}")
    assert status == 200
    status, _ = await api.get(f"/videos/{first}")
    assert status == 404
    status, _ = await api.delete(f"/videos/{first}")  # always succeeds
    assert status == 200
    emu.advance(30)
    status, _ = await api.post("/videos/cancel", json={"videoId": second})
    assert status == 200
    status, body = await api.get(f"/videos/{second}")
    assert (body["status"], body["statusFinal"], body["canRetry"]) == (3, True, True)
    status, scheduler = await api.get("/scheduler")
    assert scheduler == []
    status, _ = await api.post("/videos/cancel", json={})
    assert status == 400


async def test_image_lifecycle(api: Api, emu: Emulator) -> None:
    status, created = await api.post("/images/create", json={"prompt": "a lighthouse at dusk"})
    assert status == 200
    image_id = created["imageIds"][0]
    statuses = []
    while True:
        status, body = await api.get(f"/images/{image_id}")
        statuses.append(body["status"])
        if body["statusFinal"]:
            break
        emu.advance(2)
    assert statuses[0] == 11
    assert statuses[-1] == 2
    async with api.session.get(body["downloadURL"]) as resp:
        assert resp.headers["Content-Type"] == "image/png"
        assert (await resp.read()).startswith(b"\x89PNG")


async def test_image_validation(api: Api) -> None:
    cases = [
        {},
        {"prompt": "a b c d", "model": "dall-e"},
        {"prompt": "a b c d", "quantity": 5},
        {"prompt": "a b c d", "model": "image-01", "aspectRatio": "5:4"},
        {"prompt": "a b c d", "model": "seedream-4.5", "resolution": "1K"},
        {"prompt": "a b c d", "model": "image-01", "referenceFileId1": FILE_ID},
        {"prompt": "a b c d", "model": "gpt-image-1.5", "characterFileId": FILE_ID},
    ]
    for body in cases:
        status, answer = await api.post("/images/create", json=body)
        assert status == 400, (body, answer)
    status, _ = await api.post(
        "/images/create",
        json={
            "prompt": "a b c d",
            "model": "nano-banana-pro",
            "resolution": "4K",
            "aspectRatio": "21:9",
            "referenceFileId1": "user:1-minimax:2-file:3",
        },
    )
    assert status == 200


async def test_video_validation(api: Api) -> None:
    cases = [
        {},
        {"prompt": "a long enough prompt", "model": "T2V-9"},
        {"prompt": "a long enough prompt", "model": "T2V-2.3", "options": "720p-4sec"},
        {"prompt": "a long enough prompt", "model": "T2V-01", "options": "768p-6sec"},
        {"prompt": "a long enough prompt", "model": "I2V-01"},
        {"prompt": "a long enough prompt", "fileID": "garbage"},
        {"prompt": "a long enough prompt", "maxJobs": 11},
        {"prompt": "a long enough prompt", "replyRef": "x" * 1025},
        {
            "prompt": "a long enough prompt",
            "model": "02",
            "fileID": "user:1-minimax:2-file:3",
            "end_frame_fileID": "user:1-minimax:2-file:3",
        },
    ]
    for body in cases:
        status, answer = await api.post("/videos/create", json=body)
        assert status == 400, (body, answer)
    status, created = await api.post(
        "/videos/create",
        data={"prompt": "multipart works too", "model": "Veo-3.1", "options": "veo-1080p-8sec"},
    )
    assert status == 200, created


async def test_accounts_required_when_many() -> None:
    async with run_emulator(speed=0, accounts=2, seed=9) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            status, body = await api.get("/videos")
            assert status == 400
            assert "account" in body["error"]
            account = list(emu.state.accounts)[1]
            status, _ = await api.get("/videos", params={"account": account})
            assert status == 200
            status, _ = await api.get("/videos", params={"account": "42"})
            assert status == 400
            # videos/create balances instead
            status, _created = await api.post("/videos/create", json={"prompt": "balanced job"})
            assert status == 200


async def test_no_accounts() -> None:
    async with run_emulator(speed=0, accounts=0) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            status, _ = await api.get("/accounts")
            assert status == 404
            status, _ = await api.post("/videos/create", json={"prompt": "nowhere to go"})
            assert status == 400


async def test_fixed_token_is_the_only_one_accepted() -> None:
    async with run_emulator(speed=0, token="secret-token") as emu:
        assert emu.token == "secret-token"
        async with aiohttp.ClientSession() as session:
            for header, expected in (
                ("Bearer secret-token", 200),
                ("Bearer other", 401),
                ("Bearer ", 401),
                ("secret-token", 401),
            ):
                async with session.get(
                    emu.base_url + "/scheduler", headers={"Authorization": header}
                ) as resp:
                    assert resp.status == expected, header


async def test_any_token_when_none_configured(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(
            emu.base_url + "/scheduler", headers={"Authorization": "Bearer whatever"}
        ) as resp:
            assert resp.status == 200
        async with session.get(emu.base_url + "/scheduler") as resp:
            assert resp.status == 401


async def test_request_log(api: Api, emu: Emulator) -> None:
    await api.create_video()
    await api.get("/scheduler")
    record = emu.state.requests[-1]
    assert (record.method, record.path, record.route, record.status) == (
        "GET",
        "/scheduler",
        "GET /scheduler",
        200,
    )
    create = emu.state.requests[-2]
    assert create.route == "POST /videos/create"
    assert create.body_bytes_len > 0
    assert create.headers["Authorization"].startswith("Bearer ")
