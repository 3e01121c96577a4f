"""``mm.videos``: create, retrieve, list/iter, delete, cancel, characters, agent templates."""

from __future__ import annotations

import pytest

from minimax_async import (
    AgentTemplate,
    AgentTemplatePage,
    Character,
    Video,
    VideoJob,
)
from minimax_async.resources import _base

from ._http import BAD_IDS, BEARER, GENERATED_REPLY_REF, VIDEO_ID, all_sent, route, sample, sent

FILE_1 = "user:1234-minimax:987654321-file:111"
FILE_2 = "user:1234-minimax:987654321-file:222"
CREATED = sample("post-minimax-videos-create/200")


def video(n: int) -> dict[str, object]:
    return {"id": f"v{n}", "status": 2, "videoId": f"user:1-minimax:2-video:v{n}"}


class TestCreate:
    async def test_posts_documented_body(self, mm, mocked):
        """Every argument is sent under its documented JSON name to ``POST videos/create``."""
        mocked.post(route("videos/create"), payload=CREATED)
        await mm.videos.create(
            prompt="a cat playing piano",
            model="02",
            options="768p-6sec",
            file_id=FILE_1,
            end_frame_file_id=FILE_2,
            prompt_optimization=True,
            reply_url="https://webhook.site/abc",
            reply_ref="my-ref",
            max_jobs=3,
            account="987654321",
        )
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", "videos/create", {})
        assert request.headers["Authorization"] == BEARER
        assert request.json == {
            "account": "987654321",
            "prompt": "a cat playing piano",
            "model": "02",
            "options": "768p-6sec",
            "fileID": FILE_1,
            "end_frame_fileID": FILE_2,
            "promptOptimization": True,
            "replyUrl": "https://webhook.site/abc",
            "replyRef": "my-ref",
            "maxJobs": 3,
        }

    async def test_returns_video_job(self, mm, mocked):
        """The answer is a ``VideoJob`` with the new ``video_id`` that round-trips."""
        mocked.post(route("videos/create"), payload=CREATED)
        job = await mm.videos.create(prompt="a cat", model="T2V-2.3", options="768p-6sec")
        assert isinstance(job, VideoJob)
        assert job.video_id == VIDEO_ID
        assert job.task.batch_id == "998877665544332211"
        assert job.task.video_ids == ["1122334455667798899"]
        assert job.reply_url == "https://webhook.site/abc"
        assert job.to_dict() == CREATED

    async def test_leaves_out_unset_fields(self, mm, mocked):
        """Only the given fields are sent, plus the ``replyRef`` the SDK always sends."""
        mocked.post(route("videos/create"), payload=CREATED)
        await mm.videos.create(prompt="a cat")
        body = sent(mocked).json
        assert set(body) == {"prompt", "replyRef"}
        assert body["prompt"] == "a cat"

    async def test_generates_reply_ref(self, mm, mocked):
        """Without ``reply_ref`` each call sends a fresh ``mma-<uuid4>``."""
        mocked.post(route("videos/create"), payload=CREATED)
        mocked.post(route("videos/create"), payload=CREATED)
        await mm.videos.create(prompt="one")
        await mm.videos.create(prompt="two")
        refs = [request.json["replyRef"] for request in all_sent(mocked)]
        assert all(GENERATED_REPLY_REF.match(ref) for ref in refs), refs
        assert refs[0] != refs[1]

    async def test_keeps_callers_reply_ref(self, mm, mocked):
        """A caller's ``reply_ref`` is sent unchanged."""
        mocked.post(route("videos/create"), payload=CREATED)
        await mm.videos.create(prompt="a cat", reply_ref="order-42")
        assert sent(mocked).json["replyRef"] == "order-42"

    async def test_extra_body_is_merged_last(self, mm, mocked):
        """``extra_body`` adds unknown fields and overrides the SDK's own.

        A file id in it (Seedance ``videoFileID1``) also pins the job to that file's account.
        """
        mocked.post(route("videos/create"), payload=CREATED)
        await mm.videos.create(
            prompt="a cat",
            model="Seedance-2",
            extra_body={"videoFileID1": FILE_1, "model": "Seedance-2-Pro", "replyRef": "x"},
        )
        assert sent(mocked).json == {
            "account": "987654321",
            "prompt": "a cat",
            "model": "Seedance-2-Pro",
            "videoFileID1": FILE_1,
            "replyRef": "x",
        }

    async def test_unknown_model_passes_through(self, mm, mocked):
        """A model the SDK does not know is sent with its options unchecked."""
        mocked.post(route("videos/create"), payload=CREATED)
        await mm.videos.create(prompt="a cat", model="Seedance-2", options="seed-1080p-5sec")
        body = sent(mocked).json
        assert (body["model"], body["options"]) == ("Seedance-2", "seed-1080p-5sec")

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent in the body."""
        mocked.post(route("videos/create"), payload=CREATED)
        await mm_acc.videos.create(prompt="a cat")
        assert sent(mocked).json["account"] == "acc1"

    async def test_explicit_account_wins(self, mm_acc, mocked):
        """An explicit ``account=`` wins over the client's default."""
        mocked.post(route("videos/create"), payload=CREATED)
        await mm_acc.videos.create(prompt="a cat", account="other")
        assert sent(mocked).json["account"] == "other"

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"model": "T2V-2.3", "options": "720p-4sec"}, "options"),
            ({"options": "768p-6sec"}, "options"),
            (
                {"model": "02", "file_id": FILE_1, "end_frame_file_id": FILE_1},
                "end_frame_file_id",
            ),
            ({"model": "T2V-2.3", "end_frame_file_id": FILE_2}, "end_frame_file_id"),
            ({"model": "I2V-2.3"}, "file_id"),
            ({"model": "02", "options": "512p-6sec"}, "file_id"),
            ({"max_jobs": 11}, "max_jobs"),
            ({"max_jobs": 0}, "max_jobs"),
            ({"reply_url": "https://x/" + "a" * 1024}, "reply_url"),
            ({"reply_ref": "r" * 1025}, "reply_ref"),
            ({"prompt_optimization": "yes"}, "prompt_optimization"),
            ({"file_id": ""}, "file_id"),
            ({"account": "a/b"}, "account"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, kwargs, parameter):
        """Invalid combinations and limits raise ValueError naming the parameter, unsent."""
        with pytest.raises(ValueError, match=parameter):
            await mm.videos.create(**{"prompt": "a cat", **kwargs})
        assert not mocked.requests


class TestRetrieve:
    async def test_gets_video(self, mm, mocked):
        """``retrieve(id)`` sends ``GET videos/{videoId}`` with ``:`` kept literal."""
        body = sample("get-minimax-videos-videoId/200")
        mocked.get(route(f"videos/{VIDEO_ID}"), payload=body)
        result = await mm.videos.retrieve(VIDEO_ID)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", f"videos/{VIDEO_ID}", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(result, Video)
        assert (result.status, result.status_label, result.percent) == (2, "completed", 100)
        assert result.origin_files[0].type == "png"
        assert result.video_id == "user:user_id-minimax:account-video:id"
        assert result.to_dict() == body

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An id that is not one path segment is refused before anything is sent."""
        with pytest.raises(ValueError, match="video_id"):
            await mm.videos.retrieve(bad)
        assert not mocked.requests


class TestItemUrls:
    """Polls reuse the URL of an id checked once (``Resource._item_url``); nothing else changes."""

    async def test_repeated_calls_reuse_the_checked_url(self, mm, mocked):
        """Three retrieves and a delete of one id: the same URL each time, one cache entry per
        group; a bad id is refused every time it is asked, never cached."""
        body = sample("get-minimax-videos-videoId/200")
        mocked.get(route(f"videos/{VIDEO_ID}"), payload=body, repeat=True)
        mocked.delete(route(f"videos/{VIDEO_ID}"), status=204)
        for _ in range(3):
            assert (await mm.videos.retrieve(VIDEO_ID)).status == 2
        await mm.videos.delete(VIDEO_ID)
        assert [(r.method, r.path) for r in all_sent(mocked)] == [
            ("GET", f"videos/{VIDEO_ID}")
        ] * 3 + [("DELETE", f"videos/{VIDEO_ID}")]
        assert list(mm.videos._item_urls) == [("videos", VIDEO_ID)]
        for _ in range(2):
            with pytest.raises(ValueError, match="video_id"):
                await mm.videos.retrieve("a/b")
        assert list(mm.videos._item_urls) == [("videos", VIDEO_ID)]

    async def test_options_still_apply(self, mm, mocked):
        """Per-call options take ``request``'s way (headers sent), cached URL or not."""
        body = sample("get-minimax-videos-videoId/200")
        mocked.get(route(f"videos/{VIDEO_ID}"), payload=body, repeat=True)
        await mm.videos.retrieve(VIDEO_ID)
        await mm.videos.retrieve(VIDEO_ID, extra_headers={"X-Trace": "t1"})
        last = all_sent(mocked)[-1]
        assert last.headers["X-Trace"] == "t1"
        assert last.headers["Authorization"] == BEARER

    async def test_the_cache_is_bounded(self, mm, mocked, monkeypatch):
        """At the bound the oldest id is dropped: a client polling for days stays small."""
        monkeypatch.setattr(_base, "_ITEM_URLS", 3)
        ids = [f"{VIDEO_ID}{i}" for i in range(5)]
        body = sample("get-minimax-videos-videoId/200")
        for video_id in ids:
            mocked.get(route(f"videos/{video_id}"), payload=body)
            await mm.videos.retrieve(video_id)
        assert [v for _, v in mm.videos._item_urls] == ids[-3:]


class TestList:
    async def test_gets_videos(self, mm, mocked):
        """``list()`` sends ``GET videos`` and returns ``Video``s that round-trip."""
        body = sample("get-minimax-videos/200")
        mocked.get(route("videos"), payload=body)
        videos = await mm.videos.list()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "videos", {})
        assert request.headers["Authorization"] == BEARER
        assert all(isinstance(v, Video) for v in videos)
        assert [v.status for v in videos] == [1, 2]
        assert videos[1].video_id == "user:user_id-minimax:account-video:video_id_#2"
        assert [v.to_dict() for v in videos] == body

    async def test_sends_documented_query(self, mm, mocked):
        """``limit``, ``last_video_id`` and ``account`` go out as ``limit``/``lastVideoId``."""
        mocked.get(route("videos"), payload=[])
        await mm.videos.list(limit=10, last_video_id=VIDEO_ID, account="123456")
        assert sent(mocked).query == {
            "limit": "10",
            "lastVideoId": VIDEO_ID,
            "account": "123456",
        }

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default is sent; an explicit one wins."""
        mocked.get(route("videos"), payload=[])
        mocked.get(route("videos"), payload=[])
        await mm_acc.videos.list()
        await mm_acc.videos.list(account="other")
        assert [r.query["account"] for r in all_sent(mocked)] == ["acc1", "other"]

    @pytest.mark.parametrize("limit", [0, -5, 1.5])
    async def test_refuses_invalid_limit(self, mm, mocked, limit):
        """A limit that is not a positive int is refused before sending."""
        with pytest.raises(ValueError, match="limit"):
            await mm.videos.list(limit=limit)
        assert not mocked.requests


class TestIter:
    async def test_walks_pages_until_short_page(self, mm, mocked):
        """``iter(limit=2)`` follows ``lastVideoId`` page after page and stops at a short page."""
        for page in ([video(1), video(2)], [video(3), video(4)], [video(5)]):
            mocked.get(route("videos"), payload=page)
        ids = [v.id async for v in mm.videos.iter(limit=2, account="123456")]
        assert ids == ["v1", "v2", "v3", "v4", "v5"]
        queries = [r.query for r in all_sent(mocked)]
        assert queries == [
            {"limit": "2", "account": "123456"},
            {"limit": "2", "lastVideoId": "user:1-minimax:2-video:v2", "account": "123456"},
            {"limit": "2", "lastVideoId": "user:1-minimax:2-video:v4", "account": "123456"},
        ]

    async def test_walks_pages_until_empty_page(self, mm, mocked):
        """Without a limit it keeps fetching until a page comes back empty."""
        for page in ([video(1), video(2), video(3)], [video(4)], []):
            mocked.get(route("videos"), payload=page)
        ids = [v.id async for v in mm.videos.iter()]
        assert ids == ["v1", "v2", "v3", "v4"]
        assert len(all_sent(mocked)) == 3

    async def test_does_not_repeat_ids(self, mm, mocked):
        """A video that shows up on two pages is yielded once."""
        for page in ([video(1), video(2)], [video(2), video(3)], [video(3)]):
            mocked.get(route("videos"), payload=page)
        ids = [v.id async for v in mm.videos.iter(limit=2)]
        assert ids == ["v1", "v2", "v3"]

    async def test_stops_when_server_ignores_cursor(self, mm, mocked):
        """A server that answers the same page again ends the walk instead of looping."""
        for page in ([video(1), video(2)], [video(1), video(2)], [video(9)]):
            mocked.get(route("videos"), payload=page)
        ids = [v.id async for v in mm.videos.iter(limit=2)]
        assert ids == ["v1", "v2"]
        assert len(all_sent(mocked)) == 2

    async def test_uses_client_default_account(self, mm_acc, mocked):
        """Every page request carries the client's default account."""
        for page in ([video(1)], []):
            mocked.get(route("videos"), payload=page)
        [v async for v in mm_acc.videos.iter()]
        assert {r.query["account"] for r in all_sent(mocked)} == {"acc1"}


class TestDelete:
    async def test_deletes_video(self, mm, mocked):
        """``delete(id)`` sends ``DELETE videos/{videoId}`` and returns None."""
        mocked.delete(route(f"videos/{VIDEO_ID}"), status=200)
        assert await mm.videos.delete(VIDEO_ID) is None
        request = sent(mocked)
        assert (request.method, request.path) == ("DELETE", f"videos/{VIDEO_ID}")
        assert request.headers["Authorization"] == BEARER

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="video_id"):
            await mm.videos.delete(bad)
        assert not mocked.requests


class TestCancel:
    async def test_posts_video_id(self, mm, mocked):
        """``cancel(id)`` posts ``{"videoId": id}`` to ``videos/cancel``."""
        mocked.post(route("videos/cancel"), status=200)
        assert await mm.videos.cancel(VIDEO_ID) is None
        request = sent(mocked)
        assert (request.method, request.path) == ("POST", "videos/cancel")
        assert request.headers["Authorization"] == BEARER
        assert request.json == {"videoId": VIDEO_ID}

    async def test_body_carries_id_unescaped(self, mm, mocked):
        """The id goes into the JSON body as given, not percent-encoded for a URL."""
        mocked.post(route("videos/cancel"), status=200)
        await mm.videos.cancel("user:1-minimax:2-video:3|é")
        assert sent(mocked).json == {"videoId": "user:1-minimax:2-video:3|é"}

    async def test_extra_body_is_merged_last(self, mm, mocked):
        """``extra_body`` adds fields to the body."""
        mocked.post(route("videos/cancel"), status=200)
        await mm.videos.cancel(VIDEO_ID, extra_body={"account": "123456"})
        assert sent(mocked).json == {"videoId": VIDEO_ID, "account": "123456"}

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="video_id"):
            await mm.videos.cancel(bad)
        assert not mocked.requests


class TestCharacters:
    async def test_gets_characters(self, mm, mocked):
        """``characters()`` sends ``GET videos/characters`` and returns ``Character``s."""
        body = sample("get-minimax-videos-characters/200")
        mocked.get(route("videos/characters"), payload=body)
        characters = await mm.videos.characters()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "videos/characters", {})
        assert request.headers["Authorization"] == BEARER
        assert all(isinstance(c, Character) for c in characters)
        assert characters[0].character_id == "1234567890"
        assert characters[0].file.file_id == "user:user_id-minimax:account-file:file_id"
        assert [c.to_dict() for c in characters] == body

    async def test_sends_documented_query(self, mm, mocked):
        """``page``, ``page_size`` and ``account`` go out as ``page``/``pageSize``/``account``."""
        mocked.get(route("videos/characters"), payload=[])
        await mm.videos.characters(page=2, page_size=20, account="123456")
        assert sent(mocked).query == {"page": "2", "pageSize": "20", "account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.get(route("videos/characters"), payload=[])
        await mm_acc.videos.characters()
        assert sent(mocked).query == {"account": "acc1"}

    @pytest.mark.parametrize(
        ("kwargs", "parameter"), [({"page": 0}, "page"), ({"page_size": 0}, "page_size")]
    )
    async def test_refuses_invalid_paging(self, mm, mocked, kwargs, parameter):
        """A page or page size below 1 is refused before sending."""
        with pytest.raises(ValueError, match=parameter):
            await mm.videos.characters(**kwargs)
        assert not mocked.requests


class TestAgentTemplates:
    async def test_gets_template_page(self, mm, mocked):
        """``agent_templates()`` sends ``GET videos/agent-templates`` and returns a page."""
        body = sample("get-minimax-videos-agent-templates/200_list")
        mocked.get(route("videos/agent-templates"), payload=body)
        page = await mm.videos.agent_templates()
        request = sent(mocked)
        assert (request.method, request.path) == ("GET", "videos/agent-templates")
        assert request.query == {}
        assert request.headers["Authorization"] == BEARER
        assert isinstance(page, AgentTemplatePage)
        assert page.has_next is True
        assert page.video_list[0].video_asset.agent_template_id == "1122334455667788"
        assert page.to_dict() == body

    async def test_sends_documented_query(self, mm, mocked):
        """``limit``, ``last_id`` and ``account`` go out as ``limit``/``lastId``/``account``."""
        mocked.get(route("videos/agent-templates"), payload={"videoList": []})
        await mm.videos.agent_templates(limit=5, last_id="1122", account="123456")
        assert sent(mocked).query == {"limit": "5", "lastId": "1122", "account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.get(route("videos/agent-templates"), payload={"videoList": []})
        await mm_acc.videos.agent_templates()
        assert sent(mocked).query == {"account": "acc1"}

    async def test_refuses_invalid_limit(self, mm, mocked):
        """A limit below 1 is refused before sending."""
        with pytest.raises(ValueError, match="limit"):
            await mm.videos.agent_templates(limit=0)
        assert not mocked.requests


class TestAgentTemplate:
    async def test_gets_template_details(self, mm, mocked):
        """``agent_template(id)`` sends ``templateId`` and returns an ``AgentTemplate``."""
        body = sample("get-minimax-videos-agent-templates/200_details")
        mocked.get(route("videos/agent-templates"), payload=body)
        template = await mm.videos.agent_template("1122334455667788")
        request = sent(mocked)
        assert (request.method, request.path) == ("GET", "videos/agent-templates")
        assert request.query == {"templateId": "1122334455667788"}
        assert request.headers["Authorization"] == BEARER
        assert isinstance(template, AgentTemplate)
        assert template.credits == 100
        assert [i.type for i in template.inputs] == ["text", "image"]
        assert template.to_dict() == body

    async def test_query_carries_id_unescaped(self, mm, mocked):
        """The template id is sent as given (the query encoder escapes it once)."""
        mocked.get(route("videos/agent-templates"), payload={})
        await mm.videos.agent_template("tmpl|é")
        assert sent(mocked).query == {"templateId": "tmpl|é"}

    async def test_account(self, mm_acc, mocked):
        """The client's default account is sent; an explicit one wins."""
        mocked.get(route("videos/agent-templates"), payload={})
        mocked.get(route("videos/agent-templates"), payload={})
        await mm_acc.videos.agent_template("11")
        await mm_acc.videos.agent_template("11", account="other")
        assert [r.query["account"] for r in all_sent(mocked)] == ["acc1", "other"]

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid template id is refused before anything is sent."""
        with pytest.raises(ValueError, match="template_id"):
            await mm.videos.agent_template(bad)
        assert not mocked.requests
