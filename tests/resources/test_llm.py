"""``mm.llm`` (decommissioned upstream): POST llm as JSON, GET llm, GET llm/{chatID}, DELETE llm."""

from __future__ import annotations

import re
import warnings

import pytest

from minimax_async import Chat, ChatPage, ChatResult

from ._http import (
    BAD_IDS,
    BEARER,
    all_sent,
    file_parts,
    form_parts,
    route,
    sample,
    sent,
    text_fields,
)

# Request-shape tests do not care about the deprecation; TestDeprecation records it explicitly.
pytestmark = pytest.mark.filterwarnings(r"ignore:.* is decommissioned upstream:DeprecationWarning")

CHAT_ID = "471639820571230486"
ANSWER = sample("post-minimax-llm/200")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


class TestChat:
    async def test_posts_multipart_form(self, mm, mocked):
        """``chat`` posts a multipart form with the documented names and no ``stream`` field."""
        mocked.post(route("llm"), payload=ANSWER)
        await mm.llm.chat(
            prompt="tell me a joke",
            model="mm-01",
            search_web=True,
            chat_id=CHAT_ID,
            account="123456",
        )
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", "llm", {})
        assert request.headers["Authorization"] == BEARER
        assert "json" not in request.kwargs
        assert "Content-Type" not in request.headers  # aiohttp sets it with the boundary
        parts = await form_parts(request.data)
        assert text_fields(parts) == {
            "prompt": "tell me a joke",
            "model": "mm-01",
            "searchWeb": "true",
            "chatID": CHAT_ID,
            "account": "123456",
        }
        assert file_parts(parts) == []

    async def test_leaves_out_unset_fields(self, mm, mocked):
        """Only the given fields are sent; ``search_web=False`` is sent as ``false``."""
        mocked.post(route("llm"), payload=ANSWER)
        await mm.llm.chat(prompt="hi", search_web=False)
        fields = text_fields(await form_parts(sent(mocked).data))
        assert fields == {"prompt": "hi", "searchWeb": "false"}

    async def test_returns_chat_result(self, mm, mocked):
        """The JSON answer is a ``ChatResult`` with the reply and the chat id; it round-trips."""
        mocked.post(route("llm"), payload=ANSWER)
        result = await mm.llm.chat(prompt="tell me a joke")
        assert isinstance(result, ChatResult)
        assert result.request.send_result.chat_id == CHAT_ID
        assert result.response.message_result.content.startswith("Sure, here's a light-hearted")
        assert result.response.message_result.can_retry is True
        assert result.to_dict() == ANSWER

    async def test_sends_files(self, mm, mocked, tmp_path):
        """Files go out as repeated ``file`` parts; documents keep a type from their name."""
        notes = tmp_path / "Notes.txt"
        notes.write_bytes(b"buy milk\n")
        design = tmp_path / "Design.docx"
        design.write_bytes(b"PK\x03\x04" + bytes(20))
        mocked.post(route("llm"), payload=ANSWER)
        await mm.llm.chat(prompt="summarise", files=[notes, design, PNG])
        files = file_parts(await form_parts(sent(mocked).data))
        assert [(f.name, f.filename, f.content_type, f.value) for f in files] == [
            ("file", "Notes.txt", "text/plain", b"buy milk\n"),
            (
                "file",
                "Design.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK\x03\x04" + bytes(20),
            ),
            ("file", "file3", "image/png", PNG),
        ]

    async def test_waits_long_for_answer(self, mm, mocked):
        """A non-streamed answer may take minutes: 600 s read timeout, no total limit."""
        mocked.post(route("llm"), payload=ANSWER)
        await mm.llm.chat(prompt="hi")
        timeout = sent(mocked).kwargs["timeout"]
        assert (timeout.sock_read, timeout.total) == (600.0, None)

    async def test_extra_body_is_merged_last(self, mm, mocked):
        """``extra_body`` adds form fields and overrides the SDK's own."""
        mocked.post(route("llm"), payload=ANSWER)
        await mm.llm.chat(prompt="hi", model="mm-m1", extra_body={"model": "mm-02", "x": 1})
        fields = text_fields(await form_parts(sent(mocked).data))
        assert (fields["model"], fields["x"]) == ("mm-02", "1")

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default is sent; an explicit one wins."""
        mocked.post(route("llm"), payload=ANSWER)
        mocked.post(route("llm"), payload=ANSWER)
        await mm_acc.llm.chat(prompt="hi")
        await mm_acc.llm.chat(prompt="hi", account="other")
        accounts = [text_fields(await form_parts(r.data))["account"] for r in all_sent(mocked)]
        assert accounts == ["acc1", "other"]

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"prompt": " "}, "prompt"),
            ({"model": ""}, "model"),
            ({"search_web": "yes"}, "search_web"),
            ({"chat_id": ""}, "chat_id"),
            ({"files": [PNG] * 11}, "files"),
            ({"files": ["setup.exe"]}, r"files\[0\]"),
            ({"files": "notes.txt"}, "files"),
            ({"account": ".."}, "account"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, kwargs, parameter):
        """Invalid input raises ValueError naming the parameter before anything is sent."""
        with pytest.raises(ValueError, match=parameter):
            await mm.llm.chat(**{"prompt": "hi", **kwargs})
        assert not mocked.requests


class TestList:
    async def test_gets_chat_page(self, mm, mocked):
        """``list()`` sends ``GET llm`` and returns a ``ChatPage`` that round-trips."""
        body = sample("get-minimax-llm/200")
        mocked.get(route("llm"), payload=body)
        page = await mm.llm.list()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "llm", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(page, ChatPage)
        assert (page.has_more, page.limit) == (True, 2)
        assert [c.model for c in page.items] == ["mm-01", "mm-m1"]
        assert page.items[0].robot_avatar.small.startswith("https://")
        assert page.to_dict() == body

    async def test_sends_documented_query(self, mm, mocked):
        """``limit``, ``last_chat_id`` and ``account`` go out as ``limit``/``lastChatID``."""
        mocked.get(route("llm"), payload={})
        await mm.llm.list(limit=2, last_chat_id=CHAT_ID, account="123456")
        assert sent(mocked).query == {"limit": "2", "lastChatID": CHAT_ID, "account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.get(route("llm"), payload={})
        await mm_acc.llm.list()
        assert sent(mocked).query == {"account": "acc1"}

    async def test_refuses_invalid_limit(self, mm, mocked):
        """A limit below 1 is refused before sending."""
        with pytest.raises(ValueError, match="limit"):
            await mm.llm.list(limit=0)
        assert not mocked.requests


class TestRetrieve:
    async def test_gets_chat(self, mm, mocked):
        """``retrieve(chat_id)`` sends ``GET llm/{chatID}`` and returns a ``Chat``."""
        body = sample("get-minimax-llm-chatID/200")
        mocked.get(route(f"llm/{CHAT_ID}"), payload=body)
        chat = await mm.llm.retrieve(CHAT_ID)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", f"llm/{CHAT_ID}", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(chat, Chat)
        assert (chat.title, chat.model) == ("hola", "mm-01")
        assert [m.msg_type for m in chat.messages] == ["user", "system"]
        assert chat.to_dict() == body

    async def test_account(self, mm_acc, mocked):
        """The client's default account is sent as a query parameter; an explicit one wins."""
        mocked.get(route(f"llm/{CHAT_ID}"), payload={})
        mocked.get(route(f"llm/{CHAT_ID}"), payload={})
        await mm_acc.llm.retrieve(CHAT_ID)
        await mm_acc.llm.retrieve(CHAT_ID, account="other")
        assert [r.query for r in all_sent(mocked)] == [{"account": "acc1"}, {"account": "other"}]

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid chat id is refused before anything is sent."""
        with pytest.raises(ValueError, match="chat_id"):
            await mm.llm.retrieve(bad)
        assert not mocked.requests


class TestDelete:
    async def test_deletes_chats_and_messages(self, mm, mocked):
        """``delete`` sends comma-joined ``chatIDs`` and ``msgIDs`` as the query of DELETE llm."""
        mocked.delete(route("llm"), status=200)
        assert (
            await mm.llm.delete(chat_ids=["111", "222"], msg_ids=["333"], account="123456") is None
        )
        request = sent(mocked)
        assert (request.method, request.path) == ("DELETE", "llm")
        assert request.headers["Authorization"] == BEARER
        assert request.query == {"chatIDs": "111,222", "msgIDs": "333", "account": "123456"}

    async def test_deletes_all_chats(self, mm, mocked):
        """``chat_ids="all"`` deletes every chat of the account."""
        mocked.delete(route("llm"), status=200)
        await mm.llm.delete(chat_ids="all")
        assert sent(mocked).query == {"chatIDs": "all"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.delete(route("llm"), status=200)
        await mm_acc.llm.delete(msg_ids=["333"])
        assert sent(mocked).query == {"msgIDs": "333", "account": "acc1"}

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({}, "chat_ids"),
            ({"chat_ids": ["1,2"]}, "chat_ids"),
            ({"chat_ids": ["a/b"]}, "chat_ids"),
            ({"chat_ids": [""]}, "chat_ids"),
            ({"msg_ids": ["a b"]}, "msg_ids"),
            ({"chat_ids": "all", "account": "a?b"}, "account"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, kwargs, parameter):
        """Missing or invalid ids raise ValueError naming the parameter before sending."""
        with pytest.raises(ValueError, match=parameter):
            await mm.llm.delete(**kwargs)
        assert not mocked.requests


CASES = {
    "chat": (lambda mm: mm.llm.chat(prompt="hi"), "post", "llm", ANSWER, "POST llm"),
    "list": (lambda mm: mm.llm.list(), "get", "llm", {}, "GET llm"),
    "retrieve": (
        lambda mm: mm.llm.retrieve(CHAT_ID),
        "get",
        f"llm/{CHAT_ID}",
        {},
        "GET llm/{chatID}",
    ),
    "delete": (lambda mm: mm.llm.delete(chat_ids="all"), "delete", "llm", None, "DELETE llm"),
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

    async def test_each_endpoint_warns_on_its_own(self, mm, mocked):
        """Having warned for ``GET llm`` does not silence ``GET llm/{chatID}``."""
        mocked.get(route("llm"), payload={})
        mocked.get(route(f"llm/{CHAT_ID}"), payload={})
        with pytest.warns(DeprecationWarning, match="^GET llm is"):
            await mm.llm.list()
        with pytest.warns(DeprecationWarning, match=re.escape("GET llm/{chatID}")):
            await mm.llm.retrieve(CHAT_ID)
