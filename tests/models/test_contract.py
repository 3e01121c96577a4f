"""Plain-typed ids and statuses, ``model_extra``, and readable reprs (issue 14)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import minimax_async.models as models_pkg
from minimax_async import AsyncMiniMax, ResponseDecodeError
from minimax_async._converter import structure
from minimax_async.models import Account, AudioStreamTicket, Image, ImagePage, Model, Video

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TOKEN = "sk-test-token-0123456789"


def _load(path: str) -> Any:
    return json.loads((SAMPLES / path).read_text(encoding="utf-8"))


def _all_models() -> list[type[Model]]:
    found: list[type[Model]] = []
    pending: list[type[Model]] = [Model]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("minimax_async.")]


class TestRepr:
    """A model's repr shows the fields that are set, never secrets."""

    def test_every_model_uses_the_short_repr(self) -> None:
        """No model class brings back attrs' repr of every field (each declares repr=False)."""
        assert len(_all_models()) > 60
        wrong = [cls.__name__ for cls in _all_models() if cls.__repr__ is not Model.__repr__]
        assert wrong == []
        assert {name for name in models_pkg.__all__ if "Job" in name} <= {
            cls.__name__ for cls in _all_models()
        } | {"AgentJobStatus"}

    def test_only_set_fields(self) -> None:
        """None fields and ``model_extra`` stay out; set ones appear in declaration order."""
        video = structure({"videoId": "v1", "status": 2, "videoURL": None, "odd": 1}, Video)
        assert repr(video) == "Video(status=2, video_id='v1')"

    def test_documented_image_is_short(self) -> None:
        """The documented image (38 keys, many empty) no longer floods a notebook cell."""
        page = structure(_load("get-minimax-images/200.json"), ImagePage)
        assert page.images
        text = repr(page.images[0])
        assert "None" not in text
        assert text.startswith("Image(id=")
        assert "image_id=" in text

    def test_secrets_never_shown(self) -> None:
        """JWTs and stream tokens stay out, however the model is nested."""
        data = _load("get-minimax-accounts-account/200.json")
        account = structure(data, Account)
        assert data["jwt"]["token"] not in repr(account)
        assert "token=" not in repr(account)
        ticket = structure(_load("post-minimax-audio-create-stream/200.json"), AudioStreamTicket)
        assert ticket.token is not None
        assert ticket.token not in repr(ticket)


class TestModelExtra:
    """Unknown keys live in ``model_extra``; the API's own ``extra`` is an attribute."""

    def test_unknown_keys(self) -> None:
        """An unknown key, and a key named ``model_extra``, are kept verbatim."""
        data = {"imageId": "i", "status": 2, "brandNew": [1], "model_extra": {"x": 1}}
        image = structure(data, Image)
        assert image.model_extra == {"brandNew": [1], "model_extra": {"x": 1}}
        assert image.to_dict() == data

    def test_api_extra_is_typed(self) -> None:
        """``extra`` sent by the API is a typed attribute; a mistyped one is kept, not lost."""
        good = structure({"imageId": "i", "status": 2, "extra": {"promptStruct": "p"}}, Image)
        assert good.extra is not None
        assert good.extra.prompt_struct == "p"
        odd = structure({"imageId": "i", "status": 2, "extra": "text"}, Image)
        assert odd.extra is None
        assert odd.model_extra == {"extra": "text"}


@pytest.fixture
async def client() -> AsyncIterator[AsyncMiniMax]:
    """A client against a server whose ``GET videos/{id}`` omits ``videoId``."""

    async def video(request: web.Request) -> web.Response:
        return web.json_response({"id": "1", "status": 2, "videoURL": "https://x/v.mp4"})

    app = web.Application()
    app.router.add_get("/v1/minimax/videos/{video_id}", video)
    server = TestServer(app)
    await server.start_server()
    mm = AsyncMiniMax(TOKEN, base_url=str(server.make_url("/v1/minimax")), max_retries=0)
    try:
        yield mm
    finally:
        await mm.aclose()
        await server.close()


class TestThroughTheClient:
    async def test_missing_id_is_a_decode_error(self, client: AsyncMiniMax) -> None:
        """A success body without the id raises ResponseDecodeError naming the field, with the
        body kept (nothing the server said is dropped)."""
        with pytest.raises(ResponseDecodeError) as raised:
            await client.videos.retrieve("user:1-minimax:2-video:3")
        assert "videoId" in str(raised.value)
        assert "Video.video_id" in str(raised.value)
        assert raised.value.raw_body is not None
        assert b"https://x/v.mp4" in raised.value.raw_body
        assert TOKEN not in str(raised.value)
