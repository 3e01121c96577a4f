"""``mm.audio`` (decommissioned upstream): the JSON endpoints and ``upload_sample``."""

from __future__ import annotations

import re
import warnings

import pytest
from aioresponses import CallbackResult

from minimax_async import (
    AudioClip,
    AudioConfig,
    AudioPage,
    AudioStreamTicket,
    UploadedFile,
    Voice,
    VoicePage,
)

from ._http import BAD_IDS, BEARER, all_sent, drain, route, sample, sent

# Request-shape tests do not care about the deprecation; TestDeprecation records it explicitly.
pytestmark = pytest.mark.filterwarnings(r"ignore:.* is decommissioned upstream:DeprecationWarning")

AUDIO_ID = "user:1234-minimax:987654321-audio:5566"
VOICE_ID = "209533299589184"
FILE_1 = "user:1234-minimax:987654321-file:1"
FILE_2 = "user:1234-minimax:987654321-file:2"
CLIP = sample("post-minimax-audio-create-mp3/200")
TICKET = sample("post-minimax-audio-create-stream/200")
SAMPLE_UPLOADED = sample("post-minimax-audio-upload-sample/200")
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(64)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)

EVERY_SETTING = {
    "model": "speech-02-hd",
    "language_boost": "English",
    "emotion": "happy",
    "vol": 1.5,
    "speed": 1.25,
    "pitch": -2,
    "deepen_lighten": 10,
    "stronger_softer": -10,
    "nasal_crisp": 5,
    "spacious_echo": True,
    "lofi_telephone": False,
    "robotic": False,
    "auditorium_echo": True,
}


@pytest.fixture(params=["create_mp3", "create_stream"])
def speech(request):
    """Both text-to-speech creates: same body, different path and answer."""
    if request.param == "create_mp3":
        return "create_mp3", "audio/create-mp3", CLIP
    return "create_stream", "audio/create-stream", TICKET


class TestSpeech:
    """``create_mp3`` and ``create_stream`` take the same documented body."""

    async def test_posts_documented_body(self, mm, mocked, speech):
        """Every setting is sent under its documented (snake_case) JSON name."""
        method, path, answer = speech
        mocked.post(route(path), payload=answer)
        await getattr(mm.audio, method)(
            text="Hello <#0.5#> world", voice_id=VOICE_ID, account="123456", **EVERY_SETTING
        )
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", path, {})
        assert request.headers["Authorization"] == BEARER
        assert request.json == {
            "account": "123456",
            "text": "Hello <#0.5#> world",
            "voice_id": VOICE_ID,
            **EVERY_SETTING,
        }

    async def test_leaves_out_unset_fields(self, mm, mocked, speech):
        """Only ``text`` and ``voice_id`` are sent when nothing else is given."""
        method, path, answer = speech
        mocked.post(route(path), payload=answer)
        await getattr(mm.audio, method)(text="Hello", voice_id=VOICE_ID)
        assert sent(mocked).json == {"text": "Hello", "voice_id": VOICE_ID}

    async def test_extra_body_is_merged_last(self, mm, mocked, speech):
        """``extra_body`` adds fields and overrides the SDK's own."""
        method, path, answer = speech
        mocked.post(route(path), payload=answer)
        await getattr(mm.audio, method)(
            text="Hello", voice_id=VOICE_ID, speed=1.0, extra_body={"speed": 1.1, "new": "x"}
        )
        assert sent(mocked).json == {
            "text": "Hello",
            "voice_id": VOICE_ID,
            "speed": 1.1,
            "new": "x",
        }

    async def test_client_default_account(self, mm_acc, mocked, speech):
        """Without ``account=`` the client's default is sent; an explicit one wins."""
        method, path, answer = speech
        mocked.post(route(path), payload=answer)
        mocked.post(route(path), payload=answer)
        await getattr(mm_acc.audio, method)(text="Hello", voice_id=VOICE_ID)
        await getattr(mm_acc.audio, method)(text="Hello", voice_id=VOICE_ID, account="other")
        assert [r.json["account"] for r in all_sent(mocked)] == ["acc1", "other"]

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"text": ""}, "text"),
            ({"text": "x" * 5001}, "text"),
            ({"voice_id": ""}, "voice_id"),
            ({"speed": 2.5}, "speed"),
            ({"pitch": 13}, "pitch"),
            ({"nasal_crisp": -101}, "nasal_crisp"),
            ({"emotion": "ecstatic"}, "emotion"),
            ({"robotic": "no"}, "robotic"),
            ({"account": "a/b"}, "account"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, speech, kwargs, parameter):
        """Documented ranges are checked before anything is sent."""
        method = speech[0]
        with pytest.raises(ValueError, match=parameter):
            await getattr(mm.audio, method)(**{"text": "Hello", "voice_id": VOICE_ID, **kwargs})
        assert not mocked.requests


class TestCreateMp3:
    async def test_returns_clip(self, mm, mocked):
        """The answer is an ``AudioClip`` with the mp3 URL; it round-trips."""
        mocked.post(route("audio/create-mp3"), payload=CLIP)
        clip = await mm.audio.create_mp3(text="Hello", voice_id=VOICE_ID)
        assert isinstance(clip, AudioClip)
        assert clip.audio_id == "user:user_id-minimax:account_id-audio:audio_id"
        assert (clip.audio_format, clip.audio_sample_rate) == ("mp3", 32000)
        assert clip.to_dict() == CLIP

    async def test_refuses_text_over_500(self, mm, mocked):
        """create-mp3 takes at most 500 characters of text."""
        with pytest.raises(ValueError, match="text"):
            await mm.audio.create_mp3(text="x" * 501, voice_id=VOICE_ID)
        assert not mocked.requests


class TestCreateStream:
    async def test_returns_ticket(self, mm, mocked):
        """The answer is an ``AudioStreamTicket`` with the WebSocket token and payload."""
        mocked.post(route("audio/create-stream"), payload=TICKET)
        ticket = await mm.audio.create_stream(text="Hello", voice_id=VOICE_ID)
        assert isinstance(ticket, AudioStreamTicket)
        assert ticket.token == "token for WSS WebSocket endpoint"
        assert ticket.payload.payload.voice_setting.voice_id == "123456789"
        assert ticket.payload.payload.stream is True
        assert ticket.to_dict() == TICKET

    async def test_takes_text_up_to_5000(self, mm, mocked):
        """create-stream takes up to 5000 characters (ten times create-mp3)."""
        mocked.post(route("audio/create-stream"), payload=TICKET)
        await mm.audio.create_stream(text="x" * 5000, voice_id=VOICE_ID)
        assert len(sent(mocked).json["text"]) == 5000


class TestVoices:
    async def test_gets_voices(self, mm, mocked):
        """``voices()`` sends ``GET audio/voices`` and returns a ``VoicePage``."""
        body = sample("get-minimax-audio-voices/200")
        mocked.get(route("audio/voices"), payload=body)
        page = await mm.audio.voices()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "audio/voices", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(page, VoicePage)
        assert (page.total, page.has_more) == (1, False)
        assert page.voice_list[0].uniq_id == "Italian_DiligentLeader"
        assert page.to_dict() == body

    async def test_sends_documented_query(self, mm, mocked):
        """Tags are comma-joined; ``is_system``, paging and account use the documented names."""
        mocked.get(route("audio/voices"), payload={})
        await mm.audio.voices(
            tag_list=["Italian", "Female"], is_system=False, page=2, page_size=50, account="1"
        )
        assert sent(mocked).query == {
            "tag_list": "Italian,Female",
            "is_system": "false",
            "page": "2",
            "page_size": "50",
            "account": "1",
        }

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.get(route("audio/voices"), payload={})
        await mm_acc.audio.voices()
        assert sent(mocked).query == {"account": "acc1"}

    @pytest.mark.parametrize(
        ("kwargs", "parameter"), [({"page": 0}, "page"), ({"page_size": 0}, "page_size")]
    )
    async def test_refuses_invalid_paging(self, mm, mocked, kwargs, parameter):
        """A page or page size below 1 is refused before sending."""
        with pytest.raises(ValueError, match=parameter):
            await mm.audio.voices(**kwargs)
        assert not mocked.requests


class TestConfig:
    async def test_gets_config(self, mm, mocked):
        """``config()`` sends ``GET audio/config`` and returns an ``AudioConfig``."""
        body = sample("get-minimax-audio-config/200")
        mocked.get(route("audio/config"), payload=body)
        config = await mm.audio.config()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "audio/config", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(config, AudioConfig)
        assert config.t2a_emotion[0].value == "happy"
        assert config.voice_tag_accent[0].tag_name == "US (General)"
        assert config.to_dict() == body

    async def test_account(self, mm_acc, mocked):
        """The client's default account is sent; an explicit one wins."""
        mocked.get(route("audio/config"), payload={})
        mocked.get(route("audio/config"), payload={})
        await mm_acc.audio.config()
        await mm_acc.audio.config(account="other")
        assert [r.query for r in all_sent(mocked)] == [{"account": "acc1"}, {"account": "other"}]


class TestList:
    async def test_gets_clips(self, mm, mocked):
        """``list()`` sends ``GET audio`` and returns an ``AudioPage``."""
        body = sample("get-minimax-audio/200")
        mocked.get(route("audio"), payload=body)
        page = await mm.audio.list()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "audio", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(page, AudioPage)
        assert (page.total, page.has_more) == (2025, True)
        assert page.audio_list[1].audio_title == "Audio title"
        assert page.to_dict() == body

    async def test_sends_documented_query(self, mm, mocked):
        """``page``, ``page_size`` and ``account`` use the documented names."""
        mocked.get(route("audio"), payload={})
        await mm.audio.list(page=3, page_size=100, account="123456")
        assert sent(mocked).query == {"page": "3", "page_size": "100", "account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.get(route("audio"), payload={})
        await mm_acc.audio.list()
        assert sent(mocked).query == {"account": "acc1"}


class TestRetrieve:
    async def test_gets_clip(self, mm, mocked):
        """``retrieve(audio_id)`` sends ``GET audio/{audio_id}`` with ``:`` kept literal."""
        body = sample("get-minimax-audio_audio_id/200")
        mocked.get(route(f"audio/{AUDIO_ID}"), payload=body)
        clip = await mm.audio.retrieve(AUDIO_ID)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", f"audio/{AUDIO_ID}", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(clip, AudioClip)
        assert clip.voice_info.voice_name == "Calm Woman"
        assert clip.effects.spacious_echo is True
        assert clip.to_dict() == body

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="audio_id"):
            await mm.audio.retrieve(bad)
        assert not mocked.requests


class TestDelete:
    async def test_deletes_clip(self, mm, mocked):
        """``delete(audio_id)`` sends ``DELETE audio/{audio_id}`` and returns None."""
        mocked.delete(route(f"audio/{AUDIO_ID}"), status=200)
        assert await mm.audio.delete(AUDIO_ID) is None
        request = sent(mocked)
        assert (request.method, request.path) == ("DELETE", f"audio/{AUDIO_ID}")
        assert request.headers["Authorization"] == BEARER

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="audio_id"):
            await mm.audio.delete(bad)
        assert not mocked.requests


class TestCloneVoice:
    async def test_posts_documented_body(self, mm, mocked):
        """``clone_voice`` posts the comma-joined sample ids and the documented names."""
        body = sample("post-minimax-audio-clone-voice/200")
        mocked.post(route("audio/clone-voice"), payload=body)
        voice = await mm.audio.clone_voice(
            voice_name="Doctor Who",
            language_tag="English",
            files=[FILE_1, FILE_2],
            need_noise_reduction=False,
            account="987654321",
        )
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", "audio/clone-voice", {})
        assert request.headers["Authorization"] == BEARER
        assert request.json == {
            "account": "987654321",
            "voice_name": "Doctor Who",
            "language_tag": "English",
            "files": f"{FILE_1},{FILE_2}",
            "need_noise_reduction": False,
        }
        assert isinstance(voice, Voice)
        assert voice.voice_id == "user:user_id-minimax:account_id-audio:voice_id"
        assert voice.tag_list == ["English"]
        assert voice.to_dict() == body

    async def test_extra_body_and_default_account(self, mm_acc, mocked):
        """``extra_body`` is merged last; the samples' account beats the client's default."""
        mocked.post(route("audio/clone-voice"), payload={"voice_id": VOICE_ID})
        await mm_acc.audio.clone_voice(
            voice_name="V", language_tag="English", files=FILE_1, extra_body={"files": FILE_2}
        )
        assert sent(mocked).json == {
            "account": "987654321",
            "voice_name": "V",
            "language_tag": "English",
            "files": FILE_2,
        }

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"voice_name": "v" * 31}, "voice_name"),
            ({"language_tag": ""}, "language_tag"),
            ({"files": []}, "files"),
            ({"files": [FILE_1] * 11}, "files"),
            ({"need_noise_reduction": "true"}, "need_noise_reduction"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, kwargs, parameter):
        """Documented limits are checked before anything is sent."""
        args = {"voice_name": "V", "language_tag": "English", "files": [FILE_1], **kwargs}
        with pytest.raises(ValueError, match=parameter):
            await mm.audio.clone_voice(**args)
        assert not mocked.requests


class Captured:
    """A mock answer for the upload that reads the streamed body as a server would."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def respond(self, url: object, **kwargs: object) -> CallbackResult:
        self.received.append(await drain(kwargs["data"]))  # type: ignore[arg-type]
        return CallbackResult(status=200, payload=SAMPLE_UPLOADED)


class TestUploadSample:
    async def test_posts_raw_body(self, mm, mocked):
        """The sample is the raw body of ``POST audio/upload-sample`` with its audio type."""
        answer = Captured()
        mocked.post(route("audio/upload-sample"), callback=answer.respond)
        uploaded = await mm.audio.upload_sample(MP3)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == (
            "POST",
            "audio/upload-sample",
            {},
        )
        assert request.headers["Authorization"] == BEARER
        assert request.headers["Content-Type"] == "audio/mpeg"
        assert request.headers["Content-Length"] == str(len(MP3))
        assert answer.received == [MP3]
        assert isinstance(uploaded, UploadedFile)
        assert uploaded.file_id == "user:user_id-minimax:account-file:file_id"
        assert uploaded.to_dict() == SAMPLE_UPLOADED

    async def test_uploads_wav_file(self, mm, mocked, tmp_path):
        """A wav file on disk is streamed as ``audio/wav``."""
        path = tmp_path / "sample.wav"
        path.write_bytes(WAV)
        answer = Captured()
        mocked.post(route("audio/upload-sample"), callback=answer.respond)
        await mm.audio.upload_sample(path)
        assert sent(mocked).headers["Content-Type"] == "audio/wav"
        assert answer.received == [WAV]

    async def test_accepts_documented_wave_type(self, mm, mocked):
        """``audio/wave``, listed in the docs, is accepted as an explicit type."""
        mocked.post(route("audio/upload-sample"), callback=Captured().respond)
        await mm.audio.upload_sample(WAV, content_type="audio/wave")
        assert sent(mocked).headers["Content-Type"] == "audio/wave"

    @pytest.mark.parametrize(
        ("source", "content_type"),
        [(PNG, None), (MP3, "image/png"), (MP3, "audio/ogg")],
        ids=["png", "explicit-image", "undocumented-ogg"],
    )
    async def test_refuses_other_types(self, mm, mocked, source, content_type):
        """Only the documented audio types (mpeg, wav, wave) are uploaded."""
        with pytest.raises(ValueError, match="content_type"):
            await mm.audio.upload_sample(source, content_type=content_type)
        assert not mocked.requests

    async def test_progress(self, mm, mocked):
        """``on_progress`` sees increasing counts that end at the size."""
        calls: list[tuple[int, int | None]] = []
        mocked.post(route("audio/upload-sample"), callback=Captured().respond)
        await mm.audio.upload_sample(MP3, on_progress=lambda d, t: calls.append((d, t)))
        assert calls[-1] == (len(MP3), len(MP3))
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)

    async def test_account(self, mm_acc, mocked):
        """The client's default account is the query; an explicit one wins."""
        mocked.post(route("audio/upload-sample"), callback=Captured().respond)
        mocked.post(route("audio/upload-sample"), callback=Captured().respond)
        await mm_acc.audio.upload_sample(MP3)
        await mm_acc.audio.upload_sample(MP3, account="other")
        assert [r.query for r in all_sent(mocked)] == [{"account": "acc1"}, {"account": "other"}]


class TestDeleteVoice:
    async def test_posts_voice_id(self, mm, mocked):
        """``delete_voice`` posts ``voice_id`` (and the account) to ``audio/delete-voice``."""
        mocked.post(route("audio/delete-voice"), status=200)
        assert await mm.audio.delete_voice(VOICE_ID, account="123456") is None
        request = sent(mocked)
        assert (request.method, request.path) == ("POST", "audio/delete-voice")
        assert request.headers["Authorization"] == BEARER
        assert request.json == {"account": "123456", "voice_id": VOICE_ID}

    async def test_body_carries_id_unescaped(self, mm, mocked):
        """The voice id goes into the JSON body as given, not percent-encoded."""
        mocked.post(route("audio/delete-voice"), status=200)
        await mm.audio.delete_voice("voice|é")
        assert sent(mocked).json == {"voice_id": "voice|é"}

    async def test_extra_body_and_default_account(self, mm_acc, mocked):
        """The client's default account is sent and ``extra_body`` is merged last."""
        mocked.post(route("audio/delete-voice"), status=200)
        await mm_acc.audio.delete_voice(VOICE_ID, extra_body={"force": True})
        assert sent(mocked).json == {"account": "acc1", "voice_id": VOICE_ID, "force": True}

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid voice id is refused before anything is sent."""
        with pytest.raises(ValueError, match="voice_id"):
            await mm.audio.delete_voice(bad)
        assert not mocked.requests


CASES = {
    "create_mp3": (
        lambda mm: mm.audio.create_mp3(text="hi", voice_id=VOICE_ID),
        "post",
        "audio/create-mp3",
        CLIP,
        "POST audio/create-mp3",
    ),
    "create_stream": (
        lambda mm: mm.audio.create_stream(text="hi", voice_id=VOICE_ID),
        "post",
        "audio/create-stream",
        TICKET,
        "POST audio/create-stream",
    ),
    "voices": (lambda mm: mm.audio.voices(), "get", "audio/voices", {}, "GET audio/voices"),
    "config": (lambda mm: mm.audio.config(), "get", "audio/config", {}, "GET audio/config"),
    "list": (lambda mm: mm.audio.list(), "get", "audio", {}, "GET audio"),
    "retrieve": (
        lambda mm: mm.audio.retrieve(AUDIO_ID),
        "get",
        f"audio/{AUDIO_ID}",
        {"audio_id": AUDIO_ID},
        "GET audio/{audio_id}",
    ),
    "delete": (
        lambda mm: mm.audio.delete(AUDIO_ID),
        "delete",
        f"audio/{AUDIO_ID}",
        None,
        "DELETE audio/{audio_id}",
    ),
    "clone_voice": (
        lambda mm: mm.audio.clone_voice(voice_name="V", language_tag="English", files=[FILE_1]),
        "post",
        "audio/clone-voice",
        {"voice_id": VOICE_ID},
        "POST audio/clone-voice",
    ),
    "upload_sample": (
        lambda mm: mm.audio.upload_sample(MP3),
        "post",
        "audio/upload-sample",
        SAMPLE_UPLOADED,
        "POST audio/upload-sample",
    ),
    "delete_voice": (
        lambda mm: mm.audio.delete_voice(VOICE_ID),
        "post",
        "audio/delete-voice",
        None,
        "POST audio/delete-voice",
    ),
}


class TestDeprecation:
    @pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
    async def test_warns_once_naming_endpoint(self, mm, mocked, case):
        """The first call warns once, naming the endpoint and pointing at the caller's line."""
        call, method, path, body, endpoint = case
        getattr(mocked, method)(route(path), payload=body, repeat=True)
        with pytest.warns(DeprecationWarning, match=rf"^{re.escape(endpoint)} is decomm") as got:
            await call(mm)
        assert len(got) == 1
        assert got[0].filename == __file__
        with warnings.catch_warnings(record=True) as again:
            warnings.simplefilter("always")
            await call(mm)
        assert again == []
