"""Prompt trigger words, account switches, capacity 429s, load balancing and the scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from minimax_async.testing import TRIGGER_WORDS, Emulator, run_emulator

from ._helpers import Api


async def final_video(api: Api, emu: Emulator, prompt: str) -> tuple[int, object]:
    video_id = await api.create_video(prompt)
    emu.advance(1000)
    return await api.get(f"/videos/{video_id}")


@pytest.mark.parametrize("status", [5, 7, 14])
async def test_moderation_ends_in_status(api: Api, emu: Emulator, status: int) -> None:
    code, body = await final_video(api, emu, f"a dancing robot [moderate{status}]")
    assert code == 200
    assert isinstance(body, dict)
    assert (body["status"], body["statusLabel"], body["statusFinal"]) == (
        status,
        "moderated",
        True,
    )
    assert body["videoURL"] == ""


async def test_moderate_404(api: Api, emu: Emulator) -> None:
    video_id = await api.create_video("a dancing robot [MODERATE-404]")
    status, body = await api.get(f"/videos/{video_id}")
    assert (status, body["status"]) == (200, 11)
    emu.advance(60)
    status, body = await api.get(f"/videos/{video_id}")
    assert status == 200
    emu.advance(1000)
    status, body = await api.get(f"/videos/{video_id}")
    assert (status, body) == (404, {"error": "Not found.", "code": 404})
    status, listed = await api.get("/videos")
    assert listed == []


async def test_fail(api: Api, emu: Emulator) -> None:
    status, body = await final_video(api, emu, "please [fail] now")
    assert isinstance(body, dict)
    assert (status, body["status"], body["statusLabel"]) == (200, 3, "failed")


@pytest.mark.parametrize(
    ("word", "status"),
    [("[no-credits]", 412), ("[hold]", 596), ("[reject]", 422), ("[queue-full]", 429)],
)
async def test_create_refusals(api: Api, emu: Emulator, word: str, status: int) -> None:
    got, body = await api.post("/videos/create", json={"prompt": f"a nice prompt {word}"})
    assert got == status
    assert "runningVideos" not in body
    got, body = await api.post("/images/create", json={"prompt": f"a nice prompt {word}"})
    assert got == status
    assert emu.state.videos == {}
    assert emu.state.images == {}


async def test_image_and_music_triggers(api: Api, emu: Emulator) -> None:
    status, created = await api.post(
        "/images/create", json={"prompt": "two images [moderate7]", "quantity": 2}
    )
    assert status == 200
    emu.advance(100)
    for image_id in created["imageIds"]:
        status, body = await api.get(f"/images/{image_id}")
        assert body["status"] == 7
    status, song = await api.get(
        "/music/create", params={"prompt": "lyrics [moderate14]", "styleId": "1001"}
    )
    assert status == 200
    emu.advance(100)
    status, body = await api.get(f"/music/{song['musicId']}")
    assert (body["status"], body["statusLabel"]) == (4, "moderated")
    status, songs = await api.get("/music")
    assert songs == []  # moderated songs only via GET music/{musicId}


async def test_agent_triggers(api: Api, emu: Emulator) -> None:
    status, job = await api.post(
        "/agent", data={"prompt": "x [timeout]", "models": "hailuo-2.3", "async": "true"}
    )
    assert status == 201
    emu.advance(14 * 60)
    status, body = await api.get(f"/agent/{job['jobId']}")
    assert body["status"] == "started"
    emu.advance(60)
    status, body = await api.get(f"/agent/{job['jobId']}")
    assert (body["status"], body["error"]["status"]) == ("failed", 504)
    status, _ = await api.post("/agent", data={"prompt": "x [hold]", "models": "qwen"})
    assert status == 596
    status, _ = await api.post("/agent", data={"prompt": "x [reject]", "models": "qwen"})
    assert status == 422
    status, _ = await api.post("/agent", data={"prompt": "x", "models": "gpt-5"})
    assert status == 400


def test_trigger_words_are_documented() -> None:
    import minimax_async.testing as testing

    assert testing.__doc__ is not None
    for word in TRIGGER_WORDS:
        assert word in testing.__doc__


async def test_account_switches(api: Api, emu: Emulator) -> None:
    account = emu.state.accounts[next(iter(emu.state.accounts))]
    account.hold = True
    status, _ = await api.post("/videos/create", json={"prompt": "held account"})
    assert status == 596
    account.hold = False
    account.credits = 10
    status, _ = await api.post("/videos/create", json={"prompt": "no money"})
    assert status == 412
    account.credits = 1000
    status, features = await api.get("/features")
    assert features["totalCredits"] == 1000
    await api.create_video()
    status, features = await api.get("/features")
    assert features["totalCredits"] == 970


@pytest.fixture
async def three_accounts() -> AsyncIterator[tuple[Emulator, Api]]:
    async with run_emulator(speed=0, accounts=3, max_jobs=2, seed=11) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            yield emu, Api(emu, session)


async def test_load_balancing_fills_every_account(
    three_accounts: tuple[Emulator, Api],
) -> None:
    emu, api = three_accounts
    ids = [await api.create_video(f"job {i}", replyRef=f"ref-{i}") for i in range(6)]
    per_account: dict[str, int] = {}
    for video_id in ids:
        account = video_id.split("-minimax:")[1].split("-")[0]
        per_account[account] = per_account.get(account, 0) + 1
    assert per_account == dict.fromkeys(emu.state.accounts, 2)
    status, body = await api.post("/videos/create", json={"prompt": "the seventh job"})
    assert status == 429
    running = body["runningVideos"]
    assert set(running) == set(emu.state.accounts)
    assert sorted(v["videoId"] for vs in running.values() for v in vs) == sorted(ids)
    assert sorted(v["replyRef"] for vs in running.values() for v in vs) == sorted(
        f"ref-{i}" for i in range(6)
    )
    # scheduler agrees with the 429
    status, scheduler = await api.get("/scheduler")
    assert sorted(e["videoId"] for e in scheduler) == sorted(ids)
    status, available = await api.get("/scheduler/available")
    assert all(a["available"] == 0 and a["executing"] == 2 for a in available["available"])
    # freeing one slot by untracking a job lets the next create through on that account
    status, _ = await api.delete(f"/scheduler/{ids[0]}")
    assert status == 204
    status, _ = await api.delete(f"/scheduler/{ids[0]}")
    assert status == 404
    created = await api.create_video("fits again")
    assert created.split("-video:")[0] == ids[0].split("-video:")[0]
    # once jobs end, capacity comes back everywhere
    emu.advance(1000)
    status, available = await api.get("/scheduler/available")
    assert [a["available"] for a in available["available"]] == [2, 2, 2]
    status, scheduler = await api.get("/scheduler")
    assert scheduler == []


async def test_explicit_account_and_max_jobs_override(
    three_accounts: tuple[Emulator, Api],
) -> None:
    emu, api = three_accounts
    account = list(emu.state.accounts)[2]
    await api.create_video(account=account)
    status, body = await api.post(
        "/videos/create", json={"prompt": "override", "account": account, "maxJobs": 1}
    )
    assert status == 429
    assert body["error"] == f"Account {account} is busy executing 1 videos"
    assert list(body["runningVideos"]) == [account]
    await api.create_video(account=account, maxJobs=3)
    status, body = await api.post("/videos/create", json={"prompt": "full", "account": account})
    assert status == 429
    assert len(body["runningVideos"][account]) == 2


async def test_image_queue_limit(api: Api, emu: Emulator) -> None:
    for _ in range(5):
        status, _ = await api.post("/images/create", json={"prompt": "queue me up"})
        assert status == 200
    status, _body = await api.post("/images/create", json={"prompt": "queue me up"})
    assert status == 429
    emu.advance(100)
    status, _ = await api.post("/images/create", json={"prompt": "queue me up"})
    assert status == 200
