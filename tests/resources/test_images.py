"""``mm.images``: create, retrieve, list and delete image jobs."""

from __future__ import annotations

import pytest

from minimax_async import Image, ImageJob, ImagePage

from ._http import BAD_IDS, BEARER, GENERATED_REPLY_REF, all_sent, route, sample, sent

IMAGE_ID = "user:1234-minimax:987654321-image:5566778899"
CREATED = sample("post-minimax-images-create/200")


def ref(n: int, account: str = "987654321") -> str:
    return f"user:1234-minimax:{account}-file:{n}"


class TestCreate:
    async def test_posts_documented_body(self, mm, mocked):
        """Every argument is sent under its documented JSON name to ``POST images/create``."""
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(
            prompt="a lighthouse at dusk",
            model="nano-banana-pro",
            aspect_ratio="16:9",
            resolution="2K",
            reference_file_ids=[ref(1), ref(2), ref(3)],
            quantity=2,
            prompt_optimization=False,
            reply_url="https://webhook.site/abc",
            reply_ref="my-ref",
            account="987654321",
        )
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", "images/create", {})
        assert request.headers["Authorization"] == BEARER
        assert request.json == {
            "account": "987654321",
            "prompt": "a lighthouse at dusk",
            "model": "nano-banana-pro",
            "aspectRatio": "16:9",
            "resolution": "2K",
            "referenceFileId1": ref(1),
            "referenceFileId2": ref(2),
            "referenceFileId3": ref(3),
            "quantity": 2,
            "promptOptimization": False,
            "replyUrl": "https://webhook.site/abc",
            "replyRef": "my-ref",
        }

    async def test_sends_character_file_id(self, mm, mocked):
        """``character_file_id`` is sent as ``characterFileId`` (image-01)."""
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(prompt="a portrait", model="image-01", character_file_id=ref(7))
        body = sent(mocked).json
        assert body["characterFileId"] == ref(7)
        assert not [key for key in body if key.startswith("referenceFileId")]

    async def test_single_reference_as_str(self, mm, mocked):
        """One reference id given as a bare ``str`` is sent as ``referenceFileId1``."""
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(prompt="p", model="seedream-4.5", reference_file_ids=ref(1))
        body = sent(mocked).json
        assert body["referenceFileId1"] == ref(1)
        assert "referenceFileId2" not in body

    async def test_returns_image_job(self, mm, mocked):
        """The answer is an ``ImageJob`` carrying the ``image_ids`` to poll; it round-trips."""
        mocked.post(route("images/create"), payload=CREATED)
        job = await mm.images.create(prompt="a lighthouse")
        assert isinstance(job, ImageJob)
        assert job.image_ids == ["user:-minimax:-image:"] * 4
        assert job.reply_ref == "2025-03-11T17:23:05.795Z"
        assert job.code == 200
        assert job.to_dict() == CREATED

    async def test_leaves_out_unset_fields(self, mm, mocked):
        """Only the given fields are sent, plus the ``replyRef`` the SDK always sends."""
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(prompt="a lighthouse")
        assert set(sent(mocked).json) == {"prompt", "replyRef"}

    async def test_generates_reply_ref(self, mm, mocked):
        """Without ``reply_ref`` each call sends a fresh ``mma-<uuid4>``."""
        mocked.post(route("images/create"), payload=CREATED)
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(prompt="one")
        await mm.images.create(prompt="two")
        refs = [request.json["replyRef"] for request in all_sent(mocked)]
        assert all(GENERATED_REPLY_REF.match(r) for r in refs), refs
        assert refs[0] != refs[1]

    async def test_keeps_callers_reply_ref(self, mm, mocked):
        """A caller's ``reply_ref`` is sent unchanged."""
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(prompt="p", reply_ref="batch-7")
        assert sent(mocked).json["replyRef"] == "batch-7"

    async def test_extra_body_is_merged_last(self, mm, mocked):
        """``extra_body`` adds unknown fields and overrides the SDK's own."""
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(
            prompt="p", quantity=1, extra_body={"quantity": 3, "style": "watercolor"}
        )
        body = sent(mocked).json
        assert (body["quantity"], body["style"]) == (3, "watercolor")
        assert list(body)[-1] == "style"

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default is sent; an explicit one wins."""
        mocked.post(route("images/create"), payload=CREATED)
        mocked.post(route("images/create"), payload=CREATED)
        await mm_acc.images.create(prompt="p")
        await mm_acc.images.create(prompt="p", account="other")
        assert [r.json["account"] for r in all_sent(mocked)] == ["acc1", "other"]

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"prompt": ""}, "prompt"),
            ({"prompt": "p" * 1251}, "prompt"),
            ({"quantity": 5}, "quantity"),
            ({"quantity": 0}, "quantity"),
            ({"model": "gpt-image-1.5", "aspect_ratio": "16:9"}, "aspect_ratio"),
            ({"model": "image-01", "resolution": "4K"}, "resolution"),
            ({"model": "image-01", "reference_file_ids": [ref(1)]}, "reference_file_ids"),
            (
                {"model": "gpt-image-1.5", "reference_file_ids": [ref(n) for n in range(4)]},
                "reference_file_ids",
            ),
            (
                {"model": "nano-banana-pro", "reference_file_ids": [ref(1), ref(2, "other")]},
                "reference_file_ids",
            ),
            ({"model": "nano-banana-pro", "character_file_id": ref(1)}, "character_file_id"),
            ({"reply_url": "u" * 1025}, "reply_url"),
            ({"prompt_optimization": 1}, "prompt_optimization"),
            ({"account": "a b"}, "account"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, kwargs, parameter):
        """Per-model limits raise ValueError naming the parameter before anything is sent."""
        with pytest.raises(ValueError, match=parameter):
            await mm.images.create(**{"prompt": "a lighthouse", **kwargs})
        assert not mocked.requests

    async def test_long_prompt_allowed_for_nano_banana(self, mm, mocked):
        """``nano-banana-pro`` takes prompts up to 5000 characters."""
        mocked.post(route("images/create"), payload=CREATED)
        await mm.images.create(prompt="p" * 5000, model="nano-banana-pro")
        assert len(sent(mocked).json["prompt"]) == 5000


class TestRetrieve:
    async def test_gets_image(self, mm, mocked):
        """``retrieve(id)`` sends ``GET images/{imageId}`` with ``:`` kept literal."""
        body = sample("get-minimax-images-imageId/200")
        mocked.get(route(f"images/{IMAGE_ID}"), payload=body)
        image = await mm.images.retrieve(IMAGE_ID)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", f"images/{IMAGE_ID}", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(image, Image)
        assert (image.status, image.status_final) == (2, True)
        assert image.aspect_ratio == "9:16"
        assert image.video_urls.download_url_with_watermark == "https://cdn.hailuoai.video/....png"
        assert image.to_dict() == body

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="image_id"):
            await mm.images.retrieve(bad)
        assert not mocked.requests


class TestList:
    async def test_gets_image_page(self, mm, mocked):
        """``list()`` sends ``GET images`` and returns an ``ImagePage`` that round-trips."""
        body = sample("get-minimax-images/200")
        mocked.get(route("images"), payload=body)
        page = await mm.images.list()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "images", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(page, ImagePage)
        assert (page.has_next, page.total) == (True, 4135)
        assert isinstance(page.images[0], Image)
        assert page.images[0].model_id == "image-01"
        assert page.to_dict() == body

    async def test_sends_documented_query(self, mm, mocked):
        """``limit``, ``last_image_id`` and ``account`` go out as ``limit``/``lastImageId``."""
        mocked.get(route("images"), payload={"images": []})
        await mm.images.list(limit=3, last_image_id=IMAGE_ID, account="123456")
        assert sent(mocked).query == {"limit": "3", "lastImageId": IMAGE_ID, "account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default is sent; an explicit one wins."""
        mocked.get(route("images"), payload={"images": []})
        mocked.get(route("images"), payload={"images": []})
        await mm_acc.images.list()
        await mm_acc.images.list(account="other")
        assert [r.query["account"] for r in all_sent(mocked)] == ["acc1", "other"]

    async def test_refuses_invalid_limit(self, mm, mocked):
        """A limit below 1 is refused before sending."""
        with pytest.raises(ValueError, match="limit"):
            await mm.images.list(limit=0)
        assert not mocked.requests


class TestDelete:
    async def test_deletes_image(self, mm, mocked):
        """``delete(id)`` sends ``DELETE images/{imageId}`` and returns None."""
        mocked.delete(route(f"images/{IMAGE_ID}"), status=200)
        assert await mm.images.delete(IMAGE_ID) is None
        request = sent(mocked)
        assert (request.method, request.path) == ("DELETE", f"images/{IMAGE_ID}")
        assert request.headers["Authorization"] == BEARER

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="image_id"):
            await mm.images.delete(bad)
        assert not mocked.requests
