"""``mm.accounts``: configured hailuoai.video accounts and their features."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._types import RequestOptions
from .._validation import validate_account_config
from ..models.accounts import Account, Features
from ._base import Resource, body_of

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = ["Accounts"]


class Accounts(Resource):
    """Configure, list and remove the MiniMax accounts the API uses."""

    async def list(self, **options: Unpack[RequestOptions]) -> dict[str, Account]:
        """Every configured account, by account id (``GET accounts``)."""
        return await self._client.request(
            "GET", "accounts", cast_to=dict[str, Account], options=options
        )

    async def retrieve(self, account: str, **options: Unpack[RequestOptions]) -> Account:
        """One account's configuration (``GET accounts/{account}``)."""
        return await self._retrieve("accounts", "account", account, Account, options)

    async def configure(
        self,
        *,
        url: str,
        token: str,
        max_jobs: int,
        extra_body: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Account:
        """Create or update an account from its hailuoai.video ``url`` and ``token``."""
        validate_account_config(url=url, token=token, max_jobs=max_jobs)
        return await self._client.request(
            "POST",
            "accounts",
            cast_to=Account,
            json_body=body_of({"url": url, "token": token, "maxJobs": max_jobs}, extra_body),
            kind="idempotent",
            options=options,
        )

    async def delete(self, account: str, **options: Unpack[RequestOptions]) -> None:
        """Remove an account's configuration (``DELETE accounts/{account}``)."""
        await self._delete("accounts", "account", account, options)

    async def features(
        self, *, account: str | None = None, **options: Unpack[RequestOptions]
    ) -> Features:
        """Credits, plan and limits of an account (``GET features``)."""
        params = {"account": self._account(account)}
        return await self._get("features", Features, params, account, options)
