"""Issue 15: the documented forms of every parameter, each reproduced.

Wire format against a scripted aiohttp server (what exactly is sent), behaviour against the
emulator with several accounts (what the API does with it).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    APIStatusError,
    AsyncMiniMax,
    BadRequestError,
    ErrorBody,
    ModerationError,
    RateLimitError,
    account_of,
)
from minimax_async._validation import LIST_LIMITS
from minimax_async.testing import Emulator, run_emulator

pytestmark = pytest.mark.filterwarnings(r"ignore:.* is decommissioned upstream:DeprecationWarning")

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(256)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(64)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
FILE_A = "user:1-minimax:acc1-file:101"
FILE_B = "user:1-minimax:acc1-file:102"


# -- a scripted server recording what arrives -----------------------------------------------


class Recorder:
    """A real aiohttp server answering every path with a scripted body; keeps each request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: tuple[int, Any] = (200, {})

    async def handle(self, request: web.Request) -> web.Response:
        seen: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
        }
        if request.content_type == "application/json":
            seen["json"] = await request.json()
        elif request.content_type == "multipart/form-data":
            form = await request.post()
            seen["form"] = {k: v for k, v in form.items() if isinstance(v, str)}
        else:
            await request.read()
        self.requests.append(seen)
        status, body = self.answer
        return web.json_response(body, status=status)


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, AsyncMiniMax]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    async with TestServer(app, port=0) as server:
        base = str(server.make_url("/v1/minimax"))
        async with AsyncMiniMax("t0ken", base_url=base, account="acc1", max_retries=0) as mm:
            yield rec, mm


class TestCommaSeparatedWire:
    """Every parameter the documents take as one comma-separated string."""

    @pytest.mark.parametrize(
        "models",
        ["hailuo-2.3,nano-banana-2", ["hailuo-2.3", "nano-banana-2"], " hailuo-2.3, nano-banana-2"],
    )
    async def test_agent_models(self, recorder: tuple[Recorder, AsyncMiniMax], models: Any) -> None:
        """The documents' own ``models="hailuo-2.3,nano-banana-2"`` is split on commas."""
        rec, mm = recorder
        rec.answer = (200, {"jobId": "p1-u2-a3-bot:minimax", "status": "started"})
        await mm.agent.submit(prompt="a cat and a poster", models=models)
        assert rec.requests[-1]["form"]["models"] == "hailuo-2.3,nano-banana-2"

    async def test_agent_run_takes_the_string_too(
        self, recorder: tuple[Recorder, AsyncMiniMax]
    ) -> None:
        rec, mm = recorder
        rec.answer = (200, {"jobId": "p1-u2-a3-bot:minimax", "status": "completed"})
        await mm.agent.run(prompt="a poster", models="nano-banana-2")
        assert rec.requests[-1]["form"]["models"] == "nano-banana-2"

    @pytest.mark.parametrize(
        "tags", ["Italian,Female", ["Italian", "Female"], ("Italian", "Female")]
    )
    async def test_voices_tag_list(
        self, recorder: tuple[Recorder, AsyncMiniMax], tags: Any
    ) -> None:
        """``tag_list="Italian,Female"`` goes as is, never ``I,t,a,l,i,a,n,,,F...``."""
        rec, mm = recorder
        rec.answer = (200, {"voice_list": [], "has_more": False})
        await mm.audio.voices(tag_list=tags)
        assert rec.requests[-1]["query"]["tag_list"] == "Italian,Female"

    @pytest.mark.parametrize("files", [f"{FILE_A},{FILE_B}", [FILE_A, FILE_B]])
    async def test_clone_voice_files(
        self, recorder: tuple[Recorder, AsyncMiniMax], files: Any
    ) -> None:
        rec, mm = recorder
        rec.answer = (200, {"voice_id": "v1", "voice_name": "me"})
        await mm.audio.clone_voice(voice_name="me", language_tag="English", files=files)
        assert rec.requests[-1]["json"]["files"] == f"{FILE_A},{FILE_B}"

    @pytest.mark.parametrize(
        ("kwargs", "query"),
        [
            ({"chat_ids": "c1,c2"}, {"chatIDs": "c1,c2"}),
            (
                {"chat_ids": ["c1", "c2"], "msg_ids": "m1,m2"},
                {"chatIDs": "c1,c2", "msgIDs": "m1,m2"},
            ),
            ({"chat_ids": "all"}, {"chatIDs": "all"}),
        ],
    )
    async def test_llm_delete_ids(
        self, recorder: tuple[Recorder, AsyncMiniMax], kwargs: dict[str, Any], query: dict[str, str]
    ) -> None:
        """``chatIDs`` / ``msgIDs`` are comma-separated lists too (the same normaliser)."""
        rec, mm = recorder
        await mm.llm.delete(**kwargs)
        sent = rec.requests[-1]["query"]
        assert {k: v for k, v in sent.items() if k != "account"} == query

    @pytest.mark.parametrize(
        ("call", "name"),
        [
            (lambda mm, v: mm.agent.submit(prompt="p", models=v), "models"),
            (lambda mm, v: mm.audio.voices(tag_list=v), "tag_list"),
            (
                lambda mm, v: mm.audio.clone_voice(voice_name="n", language_tag="t", files=v),
                "files",
            ),
            (lambda mm, v: mm.llm.delete(chat_ids=v), "chat_ids"),
        ],
    )
    @pytest.mark.parametrize("value", ["a,,b", ["a", "b,c"], [1], b"a,b", ","])
    async def test_bad_forms_raise_before_sending(
        self, recorder: tuple[Recorder, AsyncMiniMax], call: Any, name: str, value: Any
    ) -> None:
        """An empty item, an item with a comma, a non-str item or bytes: ValueError naming
        the parameter and the allowed forms; nothing is sent."""
        rec, mm = recorder
        with pytest.raises(ValueError, match=rf"^{name}") as info:
            await call(mm, value)
        assert "comma-separated" in str(info.value) or "without ','" in str(info.value)
        assert rec.requests == []

    async def test_clone_voice_more_than_ten_in_a_string(
        self, recorder: tuple[Recorder, AsyncMiniMax]
    ) -> None:
        rec, mm = recorder
        with pytest.raises(ValueError, match="1 to 10 file ids"):
            await mm.audio.clone_voice(
                voice_name="n", language_tag="t", files=",".join([FILE_A] * 11)
            )
        assert rec.requests == []


class TestListLimits:
    """The documents give defaults, no maximum: one rule, an int >= 1, read from LIST_LIMITS."""

    @pytest.mark.parametrize(
        ("call", "endpoint", "param"),
        [
            (lambda mm, n: mm.videos.list(limit=n), "GET videos", "limit"),
            (lambda mm, n: mm.files.list(limit=n), "GET files", "limit"),
            (lambda mm, n: mm.images.list(limit=n), "GET images", "limit"),
            (
                lambda mm, n: mm.videos.agent_templates(limit=n),
                "GET videos/agent-templates",
                "limit",
            ),
            (lambda mm, n: mm.videos.characters(page_size=n), "GET videos/characters", "page_size"),
            (lambda mm, n: mm.llm.list(limit=n), "GET llm", "limit"),
            (lambda mm, n: mm.music.list(limit=n), "GET music", "limit"),
            (lambda mm, n: mm.audio.list(page_size=n), "GET audio", "page_size"),
            (lambda mm, n: mm.audio.voices(page_size=n), "GET audio/voices", "page_size"),
        ],
    )
    async def test_large_limit_is_sent_and_zero_refused(
        self, recorder: tuple[Recorder, AsyncMiniMax], call: Any, endpoint: str, param: str
    ) -> None:
        rec, mm = recorder
        assert LIST_LIMITS[endpoint][param].high is None  # the documents give no maximum
        rec.answer = (200, [])
        if endpoint in (
            "GET images",
            "GET llm",
            "GET audio",
            "GET audio/voices",
            "GET videos/agent-templates",
        ):
            rec.answer = (200, {})
        await call(mm, 5000)
        wire = (
            {"page_size": "pageSize"}.get(param, param)
            if endpoint == "GET videos/characters"
            else param
        )
        assert rec.requests[-1]["query"][wire] == "5000"
        with pytest.raises(ValueError, match=rf"^{param}=0 is out of range; allowed: an int >= 1"):
            await call(mm, 0)
        assert len(rec.requests) == 1


class TestOmniReferencesWire:
    async def test_fields_are_sent_for_any_model(
        self, recorder: tuple[Recorder, AsyncMiniMax]
    ) -> None:
        """``audio_file_ids`` / ``video_file_ids`` go as ``audioFileID1..3`` / ``videoFileID1..3``,
        whatever the model (T2V-01 here)."""
        rec, mm = recorder
        rec.answer = (200, {"videoId": "user:1-minimax:acc1-video:9"})
        audio = ["user:1-minimax:acc1-file:1", "user:1-minimax:acc1-file:2"]
        video = ["user:1-minimax:acc1-file:3"]
        await mm.videos.create(
            prompt="@Video1 with @Audio2",
            model="T2V-01",
            audio_file_ids=audio,
            video_file_ids=video,
        )
        body = rec.requests[-1]["json"]
        assert {k: v for k, v in body.items() if "FileID" in k} == {
            "audioFileID1": audio[0],
            "audioFileID2": audio[1],
            "videoFileID1": video[0],
        }

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"audio_file_ids": [FILE_A] * 4}, "audio_file_ids=<4 file ids> has too many"),
            ({"video_file_ids": [FILE_A, FILE_B, FILE_A + "1", FILE_B + "1"]}, "video_file_ids="),
            ({"audio_file_ids": FILE_A}, "audio_file_ids=.*must be a sequence"),
            ({"video_file_ids": [""]}, r"video_file_ids\[0\]="),
            ({"video_file_ids": [FILE_A, FILE_A]}, "names a file twice"),
            (
                {"audio_file_ids": ["user:1-minimax:acc1-video:55"]},
                r"audio_file_ids\[0\]=.*is a video id, not an uploaded file",
            ),
        ],
    )
    async def test_bad_references_raise_before_sending(
        self, recorder: tuple[Recorder, AsyncMiniMax], kwargs: dict[str, Any], match: str
    ) -> None:
        rec, mm = recorder
        with pytest.raises(ValueError, match=match):
            await mm.videos.create(prompt="a cat", **kwargs)
        assert rec.requests == []


class TestVeoS2V:
    async def test_no_file_id_is_sent(self, recorder: tuple[Recorder, AsyncMiniMax]) -> None:
        """The documents call Veo-3.1-S2V "Subject Reference" and keep ``fileID`` optional: the
        SDK sends it without one and lets the server decide."""
        rec, mm = recorder
        rec.answer = (200, {"videoId": "user:1-minimax:acc1-video:9"})
        await mm.videos.create(prompt="the same hero, now at sea", model="Veo-3.1-S2V")
        assert "fileID" not in rec.requests[-1]["json"]
        assert rec.requests[-1]["json"]["model"] == "Veo-3.1-S2V"


class TestTypedErrorBody:
    """``APIStatusError.error`` is the typed ``ErrorBody``; ``.body`` stays the raw dict."""

    async def test_status_info_is_typed(self, recorder: tuple[Recorder, AsyncMiniMax]) -> None:
        rec, mm = recorder
        body = {
            "statusInfo": {
                "code": 1500001,
                "httpCode": 0,
                "message": "An error occurred while generating the content, please try again",
                "serviceTime": 1727229272,
                "requestID": "3b12c24d-a645-4e9b-8772-5da959d90b02",
                "debugInfo": "1500001",
            }
        }
        rec.answer = (422, body)
        with pytest.raises(ModerationError) as info:
            await mm.videos.create(prompt="hi")
        error = info.value.error
        assert isinstance(error, ErrorBody)
        assert error.status_info is not None
        assert error.status_info.debug_info == "1500001"
        assert error.status_info.service_time == 1727229272
        assert error.status_info.request_id == "3b12c24d-a645-4e9b-8772-5da959d90b02"
        assert error.message == body["statusInfo"]["message"]
        assert info.value.body == body

    async def test_running_videos_are_typed(self, recorder: tuple[Recorder, AsyncMiniMax]) -> None:
        rec, mm = recorder
        running = {
            "acc1": [
                {
                    "account": "acc1",
                    "id": "id1",
                    "videoId": "user:1-minimax:acc1-video:id1",
                    "started": "2024-09-25T01:55:16.128Z",
                }
            ]
        }
        rec.answer = (
            429,
            {
                "error": "Account acc1 is busy executing 1 videos",
                "runningVideos": running,
                "code": 429,
            },
        )
        fast = mm.with_options(max_retries=0)
        with pytest.raises(RateLimitError) as info:
            await fast.videos.retrieve("user:1-minimax:acc1-video:id1")
        error = info.value.error
        assert error is not None
        assert error.code == 429
        assert error.running_videos is not None
        assert error.running_videos["acc1"][0].video_id == "user:1-minimax:acc1-video:id1"

    async def test_not_json_gives_none(self, recorder: tuple[Recorder, AsyncMiniMax]) -> None:
        rec, mm = recorder
        rec.answer = (400, ["not", "an", "object"])
        with pytest.raises(BadRequestError) as info:
            await mm.files.list()
        assert info.value.error is None
        assert info.value.body == ["not", "an", "object"]

    def test_secrets_never_reach_the_typed_body(self) -> None:
        from minimax_async._exceptions import make_status_error

        raw = json.dumps({"error": "bad token Bearer sekrit-123", "token": "sekrit-123"}).encode()
        exc = make_status_error(400, {}, raw, secrets=("sekrit-123",))
        assert exc.error is not None
        assert "sekrit-123" not in repr(exc.error.to_dict())


# -- the emulator with several accounts -----------------------------------------------------


@pytest.fixture
async def emu3() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=0, seed=11, accounts=3, max_jobs=5) as emulator:
        yield emulator


@pytest.fixture
async def mm3(emu3: Emulator) -> AsyncIterator[AsyncMiniMax]:
    async with AsyncMiniMax(emu3.token, base_url=emu3.base_url, account=None) as client:
        yield client


class TestEmulatorSeveralAccounts:
    async def test_agent_models_string(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        job = await mm3.agent.submit(prompt="a poster of a cat", models="hailuo-2.3,nano-banana-2")
        assert job.job_id
        recorded = [j for j in emu3.state.agent_jobs.values()]
        assert [list(j.models) for j in recorded] == [["hailuo-2.3", "nano-banana-2"]]

    async def test_voices_tag_list_filters(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        accounts = list(emu3.state.accounts)
        page = await mm3.audio.voices(tag_list="Italian,Female", account=accounts[0])
        voices = page.voice_list or []
        assert voices, "the emulator has Italian female voices"
        for voice in voices:
            assert {"Italian", "Female"} <= set(voice.tag_list or [])
        as_list = await mm3.audio.voices(tag_list=["Italian", "Female"], account=accounts[0])
        assert [v.voice_id for v in as_list.voice_list or []] == [v.voice_id for v in voices]

    async def test_clone_voice_string_follows_the_samples(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        target = list(emu3.state.accounts)[2]
        one = await mm3.audio.upload_sample(MP3, account=target)
        two = await mm3.audio.upload_sample(WAV, account=target)
        voice = await mm3.audio.clone_voice(
            voice_name="me", language_tag="English", files=f"{one.file_id},{two.file_id}"
        )
        assert voice.voice_id
        clone = [r for r in emu3.state.requests if r.path == "/audio/clone-voice"]
        assert clone[-1].status == 200

    async def test_large_list_limit(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        account = next(iter(emu3.state.accounts))
        await mm3.files.upload(PNG, account=account)
        files = await mm3.files.list(limit=5000, account=account)
        assert len(files) == 1

    async def test_omni_references_run_on_their_account(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """Typed omni references are followed like every ``*fileID*`` field: a load-balanced
        create without ``account`` lands on the files' account, and the emulator accepts it."""
        target = list(emu3.state.accounts)[1]
        audio = await mm3.files.upload(MP3, account=target)
        video = await mm3.files.upload(MP4, account=target)
        for _ in range(4):  # random load balancing would miss the account now and then
            job = await mm3.videos.create(
                prompt="@Video1 dancing to @Audio1",
                model="T2V-2.3",
                audio_file_ids=[audio.file_id],
                video_file_ids=[video.file_id],
            )
            assert account_of(job) == target

    async def test_emulator_checks_the_type_of_each_reference(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        target = next(iter(emu3.state.accounts))
        image = await mm3.files.upload(PNG, account=target)
        with pytest.raises(BadRequestError, match="audioFileID1 must be a audio/mpeg or audio/wav"):
            await mm3.videos.create(prompt="a song", audio_file_ids=[image.file_id])
        audio = await mm3.files.upload(MP3, account=target)
        with pytest.raises(BadRequestError, match="videoFileID1 must be a video/mp4 file"):
            await mm3.videos.create(prompt="a clip", video_file_ids=[audio.file_id])

    async def test_emulator_refuses_files_of_another_account(self, emu3: Emulator) -> None:
        """The SDK never sends such a call (ValueError); sent raw, the emulator looks each file
        up on the account the job runs on, as MiniMax does, and refuses a stranger's file."""
        first, second = list(emu3.state.accounts)[:2]
        async with AsyncMiniMax(emu3.token, base_url=emu3.base_url, account=None) as mm:
            audio = await mm.files.upload(MP3, account=first)
            with pytest.raises(ValueError, match=f"belongs to account {first}"):
                await mm.videos.create(
                    prompt="a song", account=second, audio_file_ids=[audio.file_id]
                )
        headers = {"Authorization": f"Bearer {emu3.token}"}
        missing = audio.file_id.replace("-file:", "-file:9")
        async with aiohttp.ClientSession(headers=headers) as session:
            for account, file_id in ((second, audio.file_id), (first, missing)):
                body = {"prompt": "a song", "account": account, "audioFileID1": file_id}
                async with session.post(f"{emu3.base_url}/videos/create", json=body) as resp:
                    assert resp.status == 400
                    answer = await resp.json()
                assert (
                    answer["error"]
                    == f"Unable to locate audioFileID1 {file_id} on account {account}"
                )

    async def test_veo_s2v_without_file(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        job = await mm3.videos.create(prompt="the same hero at sea", model="Veo-3.1-S2V")
        assert job.video_id

    async def test_typed_error_body_from_the_emulator(self, mm3: AsyncMiniMax) -> None:
        with pytest.raises(ModerationError) as info:
            await mm3.videos.create(prompt="a cat [reject]")
        error = info.value.error
        assert error is not None
        assert error.status_info is not None
        assert error.status_info.code == 1500002
        assert isinstance(error.status_info.service_time, int)
        assert isinstance(info.value, APIStatusError)
