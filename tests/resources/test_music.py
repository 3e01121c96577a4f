"""``mm.music`` (decommissioned upstream): music/create, music/{musicId}, music/styles, music."""

from __future__ import annotations

import re
import warnings

import pytest

from minimax_async import Music, MusicJob, MusicStyleGroup

from ._http import BAD_IDS, BEARER, all_sent, route, sample, sent

# Request-shape tests do not care about the deprecation; TestDeprecation records it explicitly.
pytestmark = pytest.mark.filterwarnings(r"ignore:.* is decommissioned upstream:DeprecationWarning")

MUSIC_ID = "user:1234-minimax:987654321-music:998877665544332211"
CREATED = sample("get-minimax-music-create/200")
LYRICS = "[verse]\nHello from the other side & all that = 100%"


class TestCreate:
    async def test_gets_with_documented_query(self, mm, mocked):
        """``create`` is a GET of ``music/create`` with ``prompt``, ``styleId``, ``title``."""
        mocked.get(route("music/create"), payload=CREATED)
        await mm.music.create(prompt=LYRICS, style_id="Popular-1", title="Hi", account="123456")
        request = sent(mocked)
        assert (request.method, request.path) == ("GET", "music/create")
        assert request.headers["Authorization"] == BEARER
        assert request.query == {
            "prompt": LYRICS,
            "styleId": "Popular-1",
            "title": "Hi",
            "account": "123456",
        }
        assert "json" not in request.kwargs

    async def test_returns_music_job(self, mm, mocked):
        """The answer is a ``MusicJob`` with the ``music_id`` to poll; it round-trips."""
        mocked.get(route("music/create"), payload=CREATED)
        job = await mm.music.create(prompt=LYRICS, style_id="Popular-1")
        assert isinstance(job, MusicJob)
        assert job.music_id == MUSIC_ID
        assert job.duration == 55
        assert job.to_dict() == CREATED

    async def test_leaves_out_unset_fields(self, mm, mocked):
        """Without ``title`` or an account only ``prompt`` and ``styleId`` are sent."""
        mocked.get(route("music/create"), payload=CREATED)
        await mm.music.create(prompt="la la", style_id="1")
        assert sent(mocked).query == {"prompt": "la la", "styleId": "1"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default is sent; an explicit one wins."""
        mocked.get(route("music/create"), payload=CREATED)
        mocked.get(route("music/create"), payload=CREATED)
        await mm_acc.music.create(prompt="la", style_id="1")
        await mm_acc.music.create(prompt="la", style_id="1", account="other")
        assert [r.query["account"] for r in all_sent(mocked)] == ["acc1", "other"]

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"prompt": ""}, "prompt"),
            ({"prompt": "l" * 601}, "prompt"),
            ({"style_id": ""}, "style_id"),
            ({"title": 7}, "title"),
            ({"account": "a b"}, "account"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, kwargs, parameter):
        """Lyrics over 600 characters or a missing style are refused before sending."""
        with pytest.raises(ValueError, match=parameter):
            await mm.music.create(**{"prompt": "la la", "style_id": "1", **kwargs})
        assert not mocked.requests


class TestRetrieve:
    async def test_gets_song(self, mm, mocked):
        """``retrieve(id)`` sends ``GET music/{musicId}`` with ``:`` kept literal."""
        body = sample("get-minimax-music-musicId/200")
        mocked.get(route(f"music/{MUSIC_ID}"), payload=body)
        song = await mm.music.retrieve(MUSIC_ID)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", f"music/{MUSIC_ID}", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(song, Music)
        assert (song.status, song.status_final, song.style) == (2, True, "Popular")
        assert song.to_dict() == body

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="music_id"):
            await mm.music.retrieve(bad)
        assert not mocked.requests


class TestStyles:
    async def test_gets_styles(self, mm, mocked):
        """``styles()`` sends ``GET music/styles`` and returns ``MusicStyleGroup``s."""
        body = sample("get-minimax-music-styles/200")
        mocked.get(route("music/styles"), payload=body)
        groups = await mm.music.styles()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "music/styles", {})
        assert request.headers["Authorization"] == BEARER
        assert all(isinstance(g, MusicStyleGroup) for g in groups)
        assert [g.name for g in groups] == ["Classical", "World"]
        assert groups[1].styles[1].url == "https://cdn.hailuoai.com/samle_3.mp3"
        assert [g.to_dict() for g in groups] == body

    async def test_account(self, mm_acc, mocked):
        """The client's default account is sent; an explicit one wins."""
        mocked.get(route("music/styles"), payload=[])
        mocked.get(route("music/styles"), payload=[])
        await mm_acc.music.styles()
        await mm_acc.music.styles(account="other")
        assert [r.query for r in all_sent(mocked)] == [{"account": "acc1"}, {"account": "other"}]


class TestList:
    async def test_gets_songs(self, mm, mocked):
        """``list()`` sends ``GET music`` and returns ``Music`` that round-trips."""
        body = sample("get-minimax-music/200")
        mocked.get(route("music"), payload=body)
        songs = await mm.music.list()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "music", {})
        assert request.headers["Authorization"] == BEARER
        assert all(isinstance(s, Music) for s in songs)
        assert [s.duration for s in songs] == [45, 38]
        assert [s.to_dict() for s in songs] == body

    async def test_sends_documented_query(self, mm, mocked):
        """``limit``, ``last_music_id`` and ``account`` go out as ``limit``/``lastMusicId``."""
        mocked.get(route("music"), payload=[])
        await mm.music.list(limit=5, last_music_id=MUSIC_ID, account="123456")
        assert sent(mocked).query == {"limit": "5", "lastMusicId": MUSIC_ID, "account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.get(route("music"), payload=[])
        await mm_acc.music.list()
        assert sent(mocked).query == {"account": "acc1"}

    async def test_refuses_invalid_limit(self, mm, mocked):
        """A limit below 1 is refused before sending."""
        with pytest.raises(ValueError, match="limit"):
            await mm.music.list(limit=0)
        assert not mocked.requests


CASES = {
    "create": (
        lambda mm: mm.music.create(prompt="la", style_id="1"),
        "music/create",
        CREATED,
        "GET music/create",
    ),
    "retrieve": (
        lambda mm: mm.music.retrieve(MUSIC_ID),
        f"music/{MUSIC_ID}",
        {"musicId": MUSIC_ID, "status": 2},
        "GET music/{musicId}",
    ),
    "styles": (lambda mm: mm.music.styles(), "music/styles", [], "GET music/styles"),
    "list": (lambda mm: mm.music.list(), "music", [], "GET music"),
}


class TestDeprecation:
    @pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
    async def test_warns_once_naming_endpoint(self, mm, mocked, case):
        """The first call warns once, naming the endpoint and pointing at the caller's line."""
        call, path, body, endpoint = case
        mocked.get(route(path), payload=body, repeat=True)
        with pytest.warns(DeprecationWarning, match=rf"^{re.escape(endpoint)} is decomm") as got:
            await call(mm)
        assert len(got) == 1
        assert got[0].filename == __file__
        with warnings.catch_warnings(record=True) as again:
            warnings.simplefilter("always")
            await call(mm)
        assert again == []

    async def test_each_endpoint_warns_on_its_own(self, mm, mocked):
        """Having warned for ``GET music`` does not silence ``GET music/styles``."""
        mocked.get(route("music"), payload=[])
        mocked.get(route("music/styles"), payload=[])
        with pytest.warns(DeprecationWarning, match="^GET music is"):
            await mm.music.list()
        with pytest.warns(DeprecationWarning, match="^GET music/styles is"):
            await mm.music.styles()
