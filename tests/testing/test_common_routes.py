"""The handler steps route groups share (``routes/_common.py``), seen through their endpoints:
page cursors, GET of one record, the one required body field, the query's account."""

from __future__ import annotations

import aiohttp

from minimax_async.testing import Emulator, run_emulator

from ._helpers import Api


async def test_video_and_image_cursors_take_a_full_id_or_its_number(api: Api) -> None:
    ids = [await api.create_video(f"a cat number {i}") for i in range(3)]
    newest_first = list(reversed(ids))
    for cursor in (newest_first[0], newest_first[0].rsplit(":", 1)[1]):
        status, body = await api.get("/videos", params={"lastVideoId": cursor})
        assert status == 200
        assert [v["videoId"] for v in body] == newest_first[1:]
    status, body = await api.get("/videos", params={"lastVideoId": "not-an-id"})
    assert (status, body) == (400, {"error": "Invalid lastVideoId not-an-id", "code": 400})

    status, created = await api.post("/images/create", json={"prompt": "a dog", "quantity": 2})
    assert status == 200
    first, second = created["imageIds"]
    status, body = await api.get("/images", params={"lastImageId": second.rsplit(":", 1)[1]})
    assert status == 200
    assert [i["imageId"] for i in body["images"]] == [first]
    assert (body["hasPre"], body["total"]) == (True, 2)


async def test_music_cursor_takes_only_a_full_id(api: Api, emu: Emulator) -> None:
    status, song = await api.get("/music/create", params={"prompt": "la la la", "styleId": "1001"})
    assert status == 200
    music_id = song["musicId"]
    status, body = await api.get("/music", params={"lastMusicId": music_id})
    assert (status, body) == (200, [])
    bare = music_id.rsplit(":", 1)[1]
    status, body = await api.get("/music", params={"lastMusicId": bare})
    assert (status, body) == (400, {"error": f"Invalid lastMusicId {bare}", "code": 400})


async def test_get_one_record_answers_400_404_and_keeps_deleted_images(api: Api) -> None:
    not_found = {"error": "Not found.", "code": 404}
    for path, param in (
        ("/videos/x", "videoId"),
        ("/images/x", "imageId"),
        ("/music/x", "musicId"),
    ):
        status, body = await api.get(path)
        assert (status, body) == (400, {"error": f"Invalid {param} x", "code": 400})
    video_id = await api.create_video()
    assert (await api.delete(f"/videos/{video_id}"))[0] == 200
    assert await api.get(f"/videos/{video_id}") == (404, not_found)

    status, created = await api.post("/images/create", json={"prompt": "a dog"})
    image_id = created["imageIds"][0]
    assert (await api.delete(f"/images/{image_id}"))[0] == 200
    status, body = await api.get(f"/images/{image_id}")
    assert (status, body["imageId"]) == (200, image_id)
    status, listing = await api.get("/images")
    assert listing["images"] == []

    status, clip = await api.post("/audio/create-mp3", json={"text": "hello", "voice_id": "v"})
    assert status == 200
    assert (await api.get(f"/audio/{clip['audio_id']}"))[0] == 200
    assert (await api.delete(f"/audio/{clip['audio_id']}"))[0] == 200
    assert await api.get(f"/audio/{clip['audio_id']}") == (404, not_found)


async def test_the_one_required_field_and_an_unreadable_body(api: Api) -> None:
    for path, name in (
        ("/images/create", "prompt"),
        ("/agent", "prompt"),
        ("/llm", "prompt"),
        ("/videos/cancel", "videoId"),
        ("/videos/agent-create", "templateId"),
        ("/audio/clone-voice", "voice_name"),
        ("/audio/delete-voice", "voice_id"),
    ):
        status, body = await api.post(path, json={name: ""})
        assert (status, body) == (400, {"error": f"Parameter {name} is required", "code": 400})
        status, body = await api.post(
            path, data="[1]", headers={"Content-Type": "application/json"}
        )
        assert (status, body) == (400, {"error": "Request body must be a JSON object", "code": 400})


async def test_query_account_refusals_on_every_decorated_route() -> None:
    async with run_emulator(speed=0, seed=5, accounts=2) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            for path in (
                "/features",
                "/files",
                "/videos",
                "/videos/characters",
                "/videos/agent-templates",
                "/images",
                "/llm",
                "/audio",
                "/audio/voices",
                "/audio/config",
                "/music",
                "/music/styles",
            ):
                status, body = await api.get(path)
                message = "Parameter account is required when more than one account is configured"
                assert (status, body) == (400, {"error": message, "code": 400}), path
                status, body = await api.get(path, params={"account": "nope"})
                assert (status, body) == (
                    400,
                    {"error": "Account nope is not configured", "code": 400},
                ), path
                account = next(iter(emu.state.accounts))
                status, _ = await api.get(path, params={"account": account})
                assert status == 200, path
