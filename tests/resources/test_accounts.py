"""``mm.accounts``: GET/POST/DELETE accounts and GET features."""

from __future__ import annotations

import pytest

from minimax_async import Account, Features

from ._http import BAD_IDS, BEARER, route, sample, sent


class TestList:
    async def test_gets_accounts(self, mm, mocked):
        """``list()`` sends ``GET accounts`` with the bearer token and no query."""
        mocked.get(route("accounts"), payload=sample("get-minimax-accounts/200"))
        await mm.accounts.list()
        request = sent(mocked)
        assert request.method == "GET"
        assert request.path == "accounts"
        assert request.query == {}
        assert request.headers["Authorization"] == BEARER

    async def test_returns_accounts_by_id(self, mm, mocked):
        """The answer is a dict of ``Account`` keyed by account id that round-trips."""
        body = sample("get-minimax-accounts/200")
        mocked.get(route("accounts"), payload=body)
        accounts = await mm.accounts.list()
        assert list(accounts) == ["123456", "78910"]
        assert all(isinstance(a, Account) for a in accounts.values())
        assert accounts["78910"].jwt.host == "hailuoai.com"
        assert accounts["123456"].max_jobs == 1
        assert {k: a.to_dict() for k, a in accounts.items()} == body


class TestRetrieve:
    async def test_gets_one_account(self, mm, mocked):
        """``retrieve(account)`` sends ``GET accounts/{account}`` and returns an ``Account``."""
        body = sample("get-minimax-accounts-account/200")
        mocked.get(route("accounts/123456"), payload=body)
        account = await mm.accounts.retrieve("123456")
        request = sent(mocked)
        assert (request.method, request.path) == ("GET", "accounts/123456")
        assert request.headers["Authorization"] == BEARER
        assert isinstance(account, Account)
        assert account.account == "123456"
        assert account.support_video is True
        assert account.to_dict() == body

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_account(self, mm, mocked, bad):
        """An account that is not one path segment is refused before anything is sent."""
        with pytest.raises(ValueError, match="account"):
            await mm.accounts.retrieve(bad)
        assert not mocked.requests


class TestConfigure:
    async def test_posts_documented_body(self, mm, mocked):
        """``configure`` posts ``url``, ``token`` and ``maxJobs`` to ``accounts``."""
        body = sample("post-minimax-accounts-account/201")
        mocked.post(route("accounts"), payload=body, status=201)
        account = await mm.accounts.configure(
            url="https://hailuoai.video/v3/api/x?a=1", token="jwt-token", max_jobs=3
        )
        request = sent(mocked)
        assert (request.method, request.path) == ("POST", "accounts")
        assert request.json == {
            "url": "https://hailuoai.video/v3/api/x?a=1",
            "token": "jwt-token",
            "maxJobs": 3,
        }
        assert request.headers["Authorization"] == BEARER
        assert isinstance(account, Account)
        assert account.jwt.user.device_id == "123456789"
        assert account.to_dict() == body

    async def test_extra_body_is_merged_last(self, mm, mocked):
        """``extra_body`` adds fields and overrides the ones the SDK built."""
        mocked.post(route("accounts"), payload=sample("post-minimax-accounts-account/201"))
        await mm.accounts.configure(
            url="https://hailuoai.video/x",
            token="t",
            max_jobs=2,
            extra_body={"maxJobs": 4, "supportMusic": True},
        )
        assert sent(mocked).json == {
            "url": "https://hailuoai.video/x",
            "token": "t",
            "maxJobs": 4,
            "supportMusic": True,
        }

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"max_jobs": 0}, "max_jobs"),
            ({"max_jobs": 11}, "max_jobs"),
            ({"max_jobs": True}, "max_jobs"),
            ({"url": "hailuoai.video/x"}, "url"),
            ({"token": " "}, "token"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, kwargs, parameter):
        """Documented limits are checked before anything is sent."""
        args = {"url": "https://hailuoai.video/x", "token": "t", "max_jobs": 1, **kwargs}
        with pytest.raises(ValueError, match=parameter):
            await mm.accounts.configure(**args)
        assert not mocked.requests

    async def test_token_never_in_message(self, mm, mocked):
        """A refused configuration does not echo the account token."""
        with pytest.raises(ValueError, match="max_jobs") as caught:
            await mm.accounts.configure(
                url="https://hailuoai.video/x", token="secret-jwt", max_jobs=99
            )
        assert "secret-jwt" not in str(caught.value)


class TestDelete:
    async def test_deletes_account(self, mm, mocked):
        """``delete(account)`` sends ``DELETE accounts/{account}`` and returns None on 204."""
        mocked.delete(route("accounts/123456"), status=204)
        assert await mm.accounts.delete("123456") is None
        request = sent(mocked)
        assert (request.method, request.path) == ("DELETE", "accounts/123456")
        assert request.headers["Authorization"] == BEARER

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_account(self, mm, mocked, bad):
        """An invalid account is refused before anything is sent."""
        with pytest.raises(ValueError, match="account"):
            await mm.accounts.delete(bad)
        assert not mocked.requests


class TestFeatures:
    async def test_gets_features(self, mm, mocked):
        """``features()`` sends ``GET features`` and returns ``Features`` that round-trip."""
        body = sample("get-minimax-features/200")
        mocked.get(route("features"), payload=body)
        features = await mm.accounts.features()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "features", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(features, Features)
        assert features.total_credits == 100
        assert features.model_control[0].model_id == "image-01"
        assert features.to_dict() == body

    async def test_explicit_account(self, mm, mocked):
        """``account=`` is sent as the ``account`` query parameter."""
        mocked.get(route("features"), payload=sample("get-minimax-features/200"))
        await mm.accounts.features(account="123456")
        assert sent(mocked).query == {"account": "123456"}

    async def test_client_default_account(self, mm_acc, mocked):
        """Without ``account=`` the client's default account is sent."""
        mocked.get(route("features"), payload=sample("get-minimax-features/200"))
        await mm_acc.accounts.features()
        assert sent(mocked).query == {"account": "acc1"}

    async def test_explicit_account_wins(self, mm_acc, mocked):
        """An explicit ``account=`` wins over the client's default."""
        mocked.get(route("features"), payload=sample("get-minimax-features/200"))
        await mm_acc.accounts.features(account="other")
        assert sent(mocked).query == {"account": "other"}

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_account(self, mm, mocked, bad):
        """An invalid account is refused before anything is sent."""
        with pytest.raises(ValueError, match="account"):
            await mm.accounts.features(account=bad)
        assert not mocked.requests
