"""Every response has the status code and the keys of the documents' examples."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from minimax_async.testing import Emulator, run_emulator
from minimax_async.testing._state import fake_jwt

from ._helpers import DOC_EXAMPLES, Api, assert_shape

CODE = frozenset({"code"})


def doc(name: str) -> Any:
    return DOC_EXAMPLES[name]


async def test_accounts(api: Api, emu: Emulator) -> None:
    account = next(iter(emu.state.accounts))
    status, body = await api.get("/accounts")
    assert status == 200
    assert_shape(doc("GET accounts"), body)
    assert list(body) == [account]
    status, body = await api.get(f"/accounts/{account}")
    assert status == 200
    assert_shape(doc("GET accounts/{account}"), body)
    assert body["jwt"]["token"].count("secured") == 1
    assert emu.state.accounts[account].token not in str(body)

    status, body = await api.post(
        "/accounts", json={"url": "https://hailuoai.video/x", "token": "tok-en", "maxJobs": 2}
    )
    assert status == 201
    assert_shape(doc("POST accounts"), body)
    assert body["maxJobs"] == 2
    status, _ = await api.post("/accounts", json={"url": "u", "token": "t", "maxJobs": 11})
    assert status == 400
    status, _ = await api.delete(f"/accounts/{body['account']}")
    assert status == 204
    status, _ = await api.get(f"/accounts/{body['account']}")
    assert status == 404
    status, _ = await api.delete("/accounts/123")
    assert status == 404


async def test_account_id_from_jwt(api: Api) -> None:
    body = {"url": "https://hailuoai.video", "token": fake_jwt("31337", 0), "maxJobs": 1}
    status, body = await api.post("/accounts", json=body)
    assert status == 201
    assert body["account"] == "31337"


async def test_features(api: Api) -> None:
    status, body = await api.get("/features")
    assert status == 200
    assert_shape(doc("GET features"), body)


async def test_files(api: Api) -> None:
    uploaded = await api.upload_png()
    assert_shape(doc("POST files"), uploaded)
    status, body = await api.get("/files", params={"limit": "5"})
    assert status == 200
    assert_shape(doc("GET files"), body)
    assert body[0]["file_id"] == uploaded["fileID"]
    status, body = await api.delete(f"/files/{uploaded['fileID']}")
    assert (status, body) == (200, None)
    status, body = await api.get("/files")
    assert body == []


async def test_video_create_get_and_list(api: Api, emu: Emulator) -> None:
    file_id = (await api.upload_png())["fileID"]
    status, created = await api.post(
        "/videos/create",
        json={"prompt": "a cat on a piano", "fileID": file_id, "replyRef": "ref-1"},
    )
    assert status == 200
    assert_shape(doc("POST videos/create"), created)
    assert created["replyRef"] == "ref-1"
    video_id = created["videoId"]

    status, running = await api.get("/videos")
    assert status == 200
    assert_shape(doc("GET videos")[0], running[0])  # the processing example
    emu.advance(200)
    status, body = await api.get(f"/videos/{video_id}")
    assert status == 200
    assert_shape(doc("GET videos/{videoId}"), body)
    assert body["originFiles"][0]["id"] == file_id
    status, listed = await api.get("/videos")
    assert_shape(doc("GET videos")[1], listed[0])  # the completed example


async def test_not_found_and_unauthorized(api: Api, emu: Emulator) -> None:
    status, body = await api.get("/videos/user:1-minimax:2-video:3")
    assert status == 404
    assert body == doc("GET videos/{videoId} 404")
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.get(api.url("/videos")) as resp,
    ):
        assert resp.status == 401
        assert await resp.json() == doc("401")


async def test_errors_400(api: Api) -> None:
    status, body = await api.post("/videos/create", json={"prompt": "x" * 10, "model": "nope"})
    assert status == 400
    assert set(body) == {"error", "code"}
    assert body["code"] == 400


async def test_characters_and_templates(api: Api) -> None:
    status, body = await api.get("/videos/characters")
    assert status == 200
    assert_shape(doc("GET videos/characters"), body)
    status, body = await api.get("/videos/agent-templates", params={"limit": "2"})
    assert status == 200
    assert_shape(doc("GET videos/agent-templates"), body)
    assert body["hasNext"] is True
    template_id = body["videoList"][0]["id"]
    status, detail = await api.get("/videos/agent-templates", params={"templateId": template_id})
    assert status == 200
    assert_shape(doc("GET videos/agent-templates?templateId"), detail)
    status, same = await api.get(f"/videos/agent-templates/{template_id}")
    assert same == detail
    status, body = await api.get("/videos/agent-templates", params={"templateId": "999"})
    assert status == 404
    assert_shape(doc("GET videos/agent-templates 404"), body, extra_ok=CODE)


async def test_images(api: Api, emu: Emulator) -> None:
    status, created = await api.post(
        "/images/create",
        json={"prompt": "a red fox in snow", "quantity": 4, "replyRef": "img"},
    )
    assert status == 200
    assert_shape(doc("POST images/create"), created)
    assert len(created["imageIds"]) == 4
    assert len(set(created["imageIds"])) == 4
    emu.advance(60)
    status, body = await api.get(f"/images/{created['imageIds'][0]}")
    assert status == 200
    assert_shape(doc("GET images/{imageId}"), body)
    assert body["status"] == 2
    status, page = await api.get("/images", params={"limit": "2"})
    assert status == 200
    assert_shape(doc("GET images"), page)
    assert (page["total"], page["hasNext"], len(page["images"])) == (4, True, 2)
    status, nxt = await api.get(
        "/images", params={"limit": "2", "lastImageId": page["images"][-1]["imageId"]}
    )
    assert [i["imageId"] for i in nxt["images"]] == sorted(created["imageIds"], reverse=True)[2:]
    # Soft delete: gone from the list, still retrievable.
    await api.delete(f"/images/{created['imageIds'][0]}")
    status, page = await api.get("/images")
    assert page["total"] == 3
    status, _ = await api.get(f"/images/{created['imageIds'][0]}")
    assert status == 200


async def test_scheduler(api: Api) -> None:
    await api.create_video(replyRef="v-ref", replyUrl="http://127.0.0.1:9/cb")
    await api.post("/images/create", json={"prompt": "an image please", "replyRef": "i-ref"})
    status, body = await api.get("/scheduler")
    assert status == 200
    assert_shape(doc("GET scheduler"), body, extra_ok=frozenset({"imageId"}))
    assert [e["replyRef"] for e in body] == ["v-ref", "i-ref"]
    assert "imageId" in body[1]
    status, body = await api.get("/scheduler/available")
    assert status == 200
    assert_shape(doc("GET scheduler/available"), body, extra_ok=frozenset({"imageId"}))
    assert body["available"][0]["executing"] == 1  # images do not count
    status, body = await api.delete("/scheduler/user:1-minimax:2-video:3")
    assert status == 404
    assert_shape(doc("DELETE scheduler/{id} 404"), body, extra_ok=CODE)


async def test_agent_sync_async_and_jobs(api: Api, emu: Emulator) -> None:
    form = {
        "prompt": "Generate a video of a cat playing piano",
        "models": "hailuo-2.3,nano-banana-2",
        "replyUrl": "http://127.0.0.1:9/cb",
        "replyRef": "my-task-123",
    }
    status, started = await api.post("/agent", data={**form, "async": "true"})
    assert status == 201
    assert_shape(doc("POST agent 201"), started)
    job_id = started["jobId"]
    status, body = await api.get(f"/agent/{job_id}")
    assert_shape(
        doc("GET agent/{jobId} started"), body, extra_ok=frozenset({"replyUrl", "replyRef"})
    )
    status, jobs = await api.get("/agent/jobs")
    assert status == 200
    assert_shape(doc("GET agent/jobs"), jobs)
    assert jobs["summary"][started["request"]["account"]]["executing"] == 1
    emu.advance(500)
    status, body = await api.get(f"/agent/{job_id}")
    assert body["status"] == "completed"
    assert_shape(
        doc("GET agent/{jobId} completed"),
        body,
        extra_ok=frozenset({"async", "replyUrl", "replyRef"}),
    )
    status, body = await api.get("/agent/p1-u2-a3-bot:minimax")
    assert status == 404
    assert body == doc("GET agent/{jobId} 404")
    status, _ = await api.get("/agent/not-a-job")
    assert status == 400


async def test_agent_sync_mode_waits_for_the_job() -> None:
    async with run_emulator(speed=1000, seed=5) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            form = {
                "prompt": "Generate a video of a cat playing piano",
                "models": "hailuo-2.3,nano-banana-2",
                "replyUrl": "http://127.0.0.1:9/cb",
                "replyRef": "my-task-123",
            }
            status, body = await api.post("/agent", data=form)
            assert status == 200
            assert_shape(doc("POST agent 200"), body)
            status, body = await api.post(
                "/agent", data={"prompt": "make it [fail]", "models": "hailuo-2.3"}
            )
            assert status == 500
            assert_shape(doc("POST agent 500"), body, extra_ok=frozenset({"account"}))


async def test_music(api: Api, emu: Emulator) -> None:
    status, styles = await api.get("/music/styles")
    assert status == 200
    assert_shape(doc("GET music/styles"), styles)
    style_id = styles[0]["styles"][0]["styleId"]
    status, created = await api.get(
        "/music/create", params={"prompt": "la la la\nsing along", "styleId": style_id}
    )
    assert status == 200
    assert_shape(doc("GET music/create"), created)
    status, body = await api.get(f"/music/{created['musicId']}")
    assert body["status"] in (0, 1)
    status, busy = await api.get(
        "/music/create", params={"prompt": "another one", "styleId": style_id}
    )
    assert status == 429
    assert_shape(doc("GET music/create 429"), busy, extra_ok=CODE)
    emu.advance(60)
    status, body = await api.get(f"/music/{created['musicId']}")
    assert status == 200
    assert_shape(doc("GET music/{musicId}"), body)
    assert (body["status"], body["statusFinal"]) == (2, True)
    status, songs = await api.get("/music")
    assert_shape(doc("GET music"), songs)
    status, body = await api.get(
        "/music/create", params={"prompt": "[reject] words", "styleId": style_id}
    )
    assert status == 422
    assert_shape(doc("GET music/create 422"), body, extra_ok=CODE)


async def test_llm(api: Api) -> None:
    status, body = await api.post("/llm", data={"prompt": "tell me a joke", "model": "mm-01"})
    assert status == 200
    assert_shape(doc("POST llm"), body)
    chat_id = body["request"]["sendResult"]["chatID"]
    status, chats = await api.get("/llm")
    assert status == 200
    assert_shape(doc("GET llm"), chats)
    status, chat = await api.get(f"/llm/{chat_id}")
    assert status == 200
    assert_shape(doc("GET llm/{chatID}"), chat)
    assert [m["msgType"] for m in chat["messages"]] == ["user", "system"]
    status, _ = await api.delete("/llm", params={"chatIDs": chat_id})
    assert status == 200
    status, _ = await api.get(f"/llm/{chat_id}")
    assert status == 404


async def test_audio(api: Api) -> None:
    text = {"text": "Hello there, this is a test.", "voice_id": "209533299589184"}
    status, clip = await api.post("/audio/create-mp3", json=text)
    assert status == 200
    assert_shape(doc("POST audio/create-mp3"), clip)
    status, body = await api.get(f"/audio/{clip['audio_id']}")
    assert status == 200
    assert_shape(doc("GET audio/{audio_id}"), body)
    status, body = await api.get("/audio")
    assert_shape(doc("GET audio"), body)
    status, body = await api.post("/audio/create-stream", json=text)
    assert status == 200
    assert_shape(doc("POST audio/create-stream"), body)
    status, body = await api.get("/audio/voices", params={"tag_list": "Italian,Female"})
    assert_shape(doc("GET audio/voices"), body)
    assert [v["voice_name"] for v in body["voice_list"]] == ["Diligent Leader"]
    status, body = await api.get("/audio/config")
    assert_shape(doc("GET audio/config"), body)
    status, sample = await api.post(
        "/audio/upload-sample", data=b"RIFF....WAVE", headers={"Content-Type": "audio/wave"}
    )
    assert status == 200
    assert_shape(doc("POST audio/upload-sample"), sample)
    status, voice = await api.post(
        "/audio/clone-voice",
        json={"files": sample["fileID"], "voice_name": "Doctor Who", "language_tag": "English"},
    )
    assert status == 200
    assert_shape(doc("POST audio/clone-voice"), voice)
    status, _ = await api.post("/audio/delete-voice", json={"voice_id": voice["voice_id"]})
    assert status == 200
    status, _ = await api.delete(f"/audio/{clip['audio_id']}")
    assert status == 200


@pytest.mark.parametrize(
    ("trigger", "name", "status"),
    [
        ("[no-credits]", "POST videos/create 412", 412),
        ("[hold]", "POST videos/create 596", 596),
    ],
)
async def test_video_refusals_match_docs(api: Api, trigger: str, name: str, status: int) -> None:
    got, body = await api.post("/videos/create", json={"prompt": f"a long prompt {trigger}"})
    assert got == status
    assert_shape(doc(name), body, extra_ok=CODE)
    assert body["error"] == doc(name)["error"]


async def test_short_prompt_422(api: Api) -> None:
    status, body = await api.post("/videos/create", json={"prompt": "hi"})
    assert status == 422
    assert body["error"] == doc("POST videos/create 422")["error"]
    status, body = await api.post("/images/create", json={"prompt": "hi"})
    assert status == 422
    assert body["error"] == doc("POST videos/create 422")["error"]


async def test_capacity_429_body(emu: Emulator, api: Api) -> None:
    for _ in range(3):
        await api.create_video(replyRef="r")
    status, body = await api.post("/videos/create", json={"prompt": "one too many"})
    assert status == 429
    assert_shape(doc("POST videos/create 429"), body, extra_ok=CODE)
    account = next(iter(emu.state.accounts))
    assert len(body["runningVideos"][account]) == 3
