"""Account routing: several accounts and no ``account=`` (the emulator, and a scripted server)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from minimax_async import (
    AccountRequiredError,
    AsyncMiniMax,
    BadRequestError,
    UploadedFile,
    account_of,
)
from minimax_async._accounts import AccountRouter, Route, each_account, file_refs, router_for
from minimax_async.testing import Emulator, run_emulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REQUIRED = "Parameter account is required when more than one account is configured"


@pytest.fixture
async def emu3() -> AsyncIterator[Emulator]:
    async with run_emulator(speed=0, seed=7, accounts=3, max_jobs=5) as emulator:
        yield emulator


@pytest.fixture
async def mm3(emu3: Emulator) -> AsyncIterator[AsyncMiniMax]:
    async with AsyncMiniMax(emu3.token, base_url=emu3.base_url, account=None) as client:
        yield client


def sent(emu: Emulator, since: int = 0) -> list[tuple[str, str, int | None]]:
    """The requests the emulator received after the ``since``-th: (method, path, status)."""
    return [(r.method, r.path.lstrip("/"), r.status) for r in emu.state.requests[since:]]


class TestAccountOf:
    @pytest.mark.parametrize(
        ("value", "account"),
        [
            ("user:1234-minimax:987654321-file:1122", "987654321"),
            ("user:1234-minimax:987654321-video:998877665544332211", "987654321"),
            ("user:user_id-minimax:account-image:inN", "account"),
            ("user:1234-minimax:987654321-music:998877665544332211", "987654321"),
            ("p123456789-u12345-a67890-bot:minimax", "67890"),
            ("user:-minimax:-image:", None),
            ("460283175649302817", None),
            ("", None),
        ],
    )
    def test_ids(self, value: str, account: str | None) -> None:
        """The account is read from every documented id shape; ids without one give None."""
        assert account_of(value) == account

    def test_models(self) -> None:
        """A returned model says its account through its id."""
        uploaded = UploadedFile(file_id="user:1-minimax:42-file:7")
        assert account_of(uploaded) == "42"
        assert account_of(object()) is None

    def test_file_refs_scans_every_file_field(self) -> None:
        """Typed and extra_body file fields, and clone-voice's comma list, are references."""
        body = {
            "fileID": "a",
            "end_frame_fileID": "b",
            "referenceFileId3": "c",
            "videoFileID1": "d",
            "files": "e, f",
            "prompt": "fileID in a prompt is not a reference",
            "account": "x",
        }
        assert file_refs(body) == ("a", "b", "c", "d", "e", "f")


class TestSeveralAccountsCreates:
    async def test_upload_and_image_create_pick_an_account(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """Without ``account`` an upload and an image create succeed and say their account."""
        uploaded = await mm3.files.upload(PNG)
        assert account_of(uploaded) in emu3.state.accounts
        job = await mm3.images.create(prompt="a red fox in snow")
        assert account_of(job) in emu3.state.accounts
        # Learnt once (GET accounts), then each create reads the capacity and is sent directly.
        before = len(emu3.state.requests)
        await mm3.images.create(prompt="another fox")
        assert sent(emu3, before) == [
            ("GET", "scheduler/available", 200),
            ("POST", "images/create", 200),
        ]

    async def test_the_refused_create_created_nothing(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """The 400 that triggers the resend bills nothing: one image job, one replyRef."""
        credits = {name: acc.credits for name, acc in emu3.state.accounts.items()}
        job = await mm3.images.create(prompt="a fox", reply_ref="once-only")
        statuses = [(m, p, s) for m, p, s in sent(emu3) if p == "images/create"]
        assert statuses == [("POST", "images/create", 400), ("POST", "images/create", 200)]
        made = [i for i in emu3.state.images.values() if i.reply_ref == "once-only"]
        assert {i.image_id for i in made} == set(job.image_ids or ())
        spent = {n: credits[n] - a.credits for n, a in emu3.state.accounts.items()}
        assert sorted(spent.values())[:-1] == [0] * (len(spent) - 1)  # one account billed

    async def test_creates_spread_over_free_accounts(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """Uploads go to the account with the most free video slots, ties taken in turn."""
        names = list(emu3.state.accounts)
        busy = names[0]
        for _ in range(5):  # fill the first account's slots
            await mm3.videos.create(prompt="a busy cat", account=busy)
        used = {account_of(await mm3.files.upload(PNG)) for _ in range(4)}
        assert used == set(names[1:])

    async def test_video_create_follows_its_file(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        """A load-balanced create with a file always runs on the file's account."""
        for name in emu3.state.accounts:
            uploaded = await mm3.files.upload(PNG, account=name)
            for _ in range(3):
                job = await mm3.videos.create(
                    prompt="the photo comes alive", model="I2V-01", file_id=uploaded.file_id
                )
                assert emu3.state.videos[job.video_id].account == name

    async def test_agent_create_stream_follows_its_file(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """``stream_agent(file_id=...)``, load-balanced by the API, runs on the file's account."""
        name = list(emu3.state.accounts)[1]
        uploaded = await mm3.files.upload(PNG, account=name)
        async with mm3.stream_agent(
            template_id="1122334455667790",
            file_id=uploaded.file_id,
            oss_path=uploaded.oss_path,
        ) as stream:
            async for _ in stream:
                if stream.video_id:
                    break
        assert account_of(stream.video_id) == name

    async def test_image_create_follows_its_references(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """Reference images pin the image job to their account, with no extra request."""
        name = list(emu3.state.accounts)[2]
        uploaded = await mm3.files.upload(PNG, account=name)
        assert uploaded.file_id is not None
        before = len(emu3.state.requests)
        job = await mm3.images.create(
            prompt="a fox like this one",
            model="nano-banana-pro",
            reference_file_ids=[uploaded.file_id],
        )
        assert account_of(job) == name
        assert [p for _, p, _ in sent(emu3, before)] == ["images/create"]

    async def test_files_of_two_accounts_refused_before_sending(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """Files on two accounts in one create, or an account= against the file: ValueError."""
        a, b, _ = emu3.state.accounts
        first = await mm3.files.upload(PNG, account=a)
        second = await mm3.files.upload(PNG, account=b)
        before = len(emu3.state.requests)
        with pytest.raises(ValueError, match="one account") as info:
            await mm3.videos.create(
                prompt="x",
                model="I2V-01-Director",
                file_id=first.file_id,
                extra_body={"end_frame_fileID": second.file_id},
            )
        assert a in str(info.value)
        assert b in str(info.value)
        with pytest.raises(ValueError, match=f"account='{b}'"):
            await mm3.videos.create(prompt="x", model="I2V-01", file_id=first.file_id, account=b)
        assert sent(emu3, before) == []

    async def test_agent_submit_without_account(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        """``agent.submit`` picks an account; the job id says which."""
        job = await mm3.agent.submit(prompt="a poster", models=["nano-banana-2"])
        assert account_of(job) in emu3.state.accounts

    @pytest.mark.filterwarnings("ignore::DeprecationWarning")
    async def test_decommissioned_creates_without_account(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """music, llm and audio creates pick an account of the kind they need."""
        styles = await mm3.music.styles(account=next(iter(emu3.state.accounts)))
        style_id = styles[0].styles[0].style_id if styles and styles[0].styles else "1"
        song = await mm3.music.create(prompt="la la la", style_id=str(style_id))
        assert account_of(song) in emu3.state.accounts
        chat = await mm3.llm.chat(prompt="hello")
        assert chat is not None
        clip = await mm3.audio.create_mp3(text="hello", voice_id="English_expressive_narrator")
        assert clip is not None


class TestSeveralAccountsLists:
    async def test_list_names_the_accounts_and_the_parameter(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """The API's 400 becomes AccountRequiredError; once the accounts are known, nothing
        is sent."""
        with pytest.raises(AccountRequiredError) as info:
            await mm3.files.list()
        message = str(info.value)
        for needed in ("account=", "--account", "USEAPI_MINIMAX_ACCOUNT", *emu3.state.accounts):
            assert needed in message
        assert info.value.accounts == tuple(emu3.state.accounts)
        assert isinstance(info.value, BadRequestError)
        assert isinstance(info.value, ValueError)
        before = len(emu3.state.requests)
        with pytest.raises(AccountRequiredError):
            await mm3.videos.list()
        assert sent(emu3, before) == []

    async def test_iter_covers_every_account(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        """``videos.iter()`` without account walks every account's videos."""
        made = set()
        for name in emu3.state.accounts:
            for _ in range(2):
                made.add((await mm3.videos.create(prompt="a cat", account=name)).video_id)
        seen = [v.video_id async for v in mm3.videos.iter(limit=1)]
        assert sorted(seen) == sorted(made)
        one = next(iter(emu3.state.accounts))
        mine = {v.video_id async for v in mm3.videos.iter(account=one)}
        assert mine == {v for v in made if account_of(v) == one}

    async def test_copies_share_what_was_learnt(self, emu3: Emulator, mm3: AsyncMiniMax) -> None:
        """``with_options`` copies share the account list (no second 400 to learn it)."""
        await mm3.files.upload(PNG)
        assert router_for(mm3.with_options(max_retries=0)) is router_for(mm3)
        before = len(emu3.state.requests)
        with pytest.raises(AccountRequiredError):
            await mm3.with_options(max_retries=0).files.list()
        assert sent(emu3, before) == []


class TestOneAccount:
    async def test_no_extra_request(self) -> None:
        """With one account every call is one request: nothing is read to route it."""
        async with (
            run_emulator(speed=0, seed=1) as emu,
            AsyncMiniMax(emu.token, base_url=emu.base_url, account=None) as mm,
        ):
            uploaded = await mm.files.upload(PNG)
            await mm.images.create(
                prompt="a fox", model="nano-banana-pro", reference_file_ids=[str(uploaded.file_id)]
            )
            await mm.images.create(prompt="a fox")
            await mm.videos.create(prompt="a cat")
            await mm.agent.submit(prompt="a poster", models=["nano-banana-2"])
            await mm.files.list()
            assert [r for r in sent(emu) if r[1] in ("accounts", "scheduler/available")] == []
            assert len(sent(emu)) == 6


class _Scripted:
    """A scripted API: answers ``routes[(method, path)]`` in turn and records every request."""

    def __init__(self, routes: dict[tuple[str, str], list[tuple[int, Any]]]) -> None:
        self.routes = routes
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path.split("/v1/minimax/", 1)[1]
        raw = await request.read()
        body = json.loads(raw) if raw and request.content_type == "application/json" else None
        self.seen.append((request.method, path, dict(request.query), body))
        status, payload = self.routes[(request.method, path)].pop(0)
        return web.json_response(payload, status=status)


@pytest.fixture
async def scripted() -> AsyncIterator[tuple[_Scripted, str]]:
    script = _Scripted({})
    app = web.Application()
    app.router.add_route("*", "/v1/minimax/{tail:.*}", script.handle)
    async with TestServer(app, port=0) as server:
        yield script, str(server.make_url("/v1/minimax"))


class TestWire:
    async def test_one_account_is_one_request(self, scripted: tuple[_Scripted, str]) -> None:
        """A create without account is sent once, without ``account``, and nothing else."""
        script, base = scripted
        script.routes[("POST", "images/create")] = [
            (200, {"imageIds": ["user:1-minimax:9-image:1"]})
        ]
        async with AsyncMiniMax("t0ken", base_url=base, account=None) as mm:
            job = await mm.images.create(prompt="a fox")
        assert [(m, p) for m, p, _, _ in script.seen] == [("POST", "images/create")]
        assert "account" not in script.seen[0][3]
        assert account_of(job) == "9"

    async def test_resent_once_with_the_same_reply_ref(
        self, scripted: tuple[_Scripted, str]
    ) -> None:
        """After "account is required": accounts read, capacity read, one resend, same ref."""
        script, base = scripted
        script.routes[("POST", "images/create")] = [
            (400, {"error": REQUIRED, "code": 400}),
            (200, {"imageIds": ["user:1-minimax:b-image:1"]}),
        ]
        script.routes[("GET", "accounts")] = [(200, {"a": {"account": "a"}, "b": {"account": "b"}})]
        script.routes[("GET", "scheduler/available")] = [
            (
                200,
                {
                    "executing": [],
                    "available": [
                        {"account": "a", "maxJobs": 3, "executing": 3, "available": 0},
                        {"account": "b", "maxJobs": 3, "executing": 1, "available": 2},
                    ],
                },
            )
        ]
        async with AsyncMiniMax("t0ken", base_url=base, account=None) as mm:
            await mm.images.create(prompt="a fox")
        assert [(m, p) for m, p, _, _ in script.seen] == [
            ("POST", "images/create"),
            ("GET", "accounts"),
            ("GET", "scheduler/available"),
            ("POST", "images/create"),
        ]
        first, resent = script.seen[0][3], script.seen[3][3]
        assert "account" not in first
        assert resent["account"] == "b"
        assert first["replyRef"] == resent["replyRef"]

    @pytest.mark.filterwarnings("ignore::DeprecationWarning")
    async def test_a_second_refusal_is_not_resent_again(
        self, scripted: tuple[_Scripted, str]
    ) -> None:
        """The resend happens once: a second 400 is raised."""
        script, base = scripted
        script.routes[("GET", "music/create")] = [
            (400, {"error": REQUIRED, "code": 400}),
            (400, {"error": "Account b is not configured", "code": 400}),
        ]
        script.routes[("GET", "accounts")] = [(200, {"a": {"account": "a"}, "b": {"account": "b"}})]
        async with AsyncMiniMax("t0ken", base_url=base, account=None) as mm:
            with pytest.raises(BadRequestError, match="not configured"):
                await mm.music.create(prompt="la", style_id="1")
        assert [(m, p) for m, p, _, _ in script.seen] == [
            ("GET", "music/create"),
            ("GET", "accounts"),
            ("GET", "music/create"),
        ]

    async def test_one_shot_upload_is_not_resent(self, scripted: tuple[_Scripted, str]) -> None:
        """A one-shot body cannot go twice: the error names the accounts; the next is routed."""
        script, base = scripted
        script.routes[("POST", "files")] = [
            (400, {"error": REQUIRED, "code": 400}),
            (200, {"fileID": "user:1-minimax:a-file:1"}),
        ]
        script.routes[("GET", "accounts")] = [(200, {"a": {"account": "a"}, "b": {"account": "b"}})]
        script.routes[("GET", "scheduler/available")] = [(200, {"available": []})]

        async def chunks() -> AsyncIterator[bytes]:
            yield PNG

        async with AsyncMiniMax("t0ken", base_url=base, account=None) as mm:
            with pytest.raises(AccountRequiredError, match="one-shot"):
                await mm.files.upload(chunks())
            uploaded = await mm.files.upload(chunks())
        assert account_of(uploaded) == "a"
        assert script.seen[-1][2]["account"] in ("a", "b")


class TestEachAccount:
    async def test_walks_accounts_learnt_from_the_refusal(
        self, emu3: Emulator, mm3: AsyncMiniMax
    ) -> None:
        """A per-account page walk is run once per account after the API's 400."""
        calls: list[str | None] = []

        async def pages(account: str | None) -> AsyncIterator[str]:
            calls.append(account)
            for record in await mm3.files.list(account=account):
                yield str(record.file_id)

        assert [x async for x in each_account(mm3, None, pages)] == []
        assert calls == [None, *emu3.state.accounts]

    async def test_route_without_capacity_spreads_in_turn(self) -> None:
        """With no capacity to read (chat accounts), the choice rotates over the accounts."""
        router = AccountRouter()
        router._accounts = {"a": None, "b": None}  # type: ignore[dict-item]
        route = Route("POST llm", pick="chat")
        picks = {await router.choose(None, route, ("a", "b")) for _ in range(4)}  # type: ignore[arg-type]
        assert picks == {"a", "b"}
