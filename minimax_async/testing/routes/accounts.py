"""Routes of ``resources/accounts.py``: accounts and features."""

from __future__ import annotations

import hashlib

from .. import _payloads as P
from .._http import (
    Ctx,
    Reply,
    Result,
    RouteTable,
    as_int,
    fail,
    ok,
    read_fields,
)
from .._state import (
    Account,
    jwt_user_id,
)
from ._common import (
    query_account,
)

api = RouteTable()


@api.get("/accounts")
async def get_accounts(ctx: Ctx) -> Result:
    """GET accounts: every configured account, keyed by account id (404 when none)."""
    if not ctx.state.accounts:
        return fail(404, "Configuration not found. To create configuration use POST /accounts")
    return ok({name: P.account_body(acc) for name, acc in ctx.state.accounts.items()})


@api.get("/accounts/{account}")
async def get_account(ctx: Ctx) -> Result:
    """GET accounts/{account}: one account's configuration, the JWT masked."""
    acc = ctx.state.accounts.get(ctx.params["account"])
    if acc is None:
        return fail(404, "Configuration not found. To create configuration use POST /accounts")
    return ok(P.account_body(acc))


@api.post("/accounts")
async def post_accounts(ctx: Ctx) -> Result:
    """POST accounts: create or update an account from ``url``, ``token``, ``maxJobs`` (201)."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    url, token = fields.text("url"), fields.text("token")
    if not url or not token:
        return fail(400, "Parameters url and token are required")
    max_jobs = as_int(fields.values.get("maxJobs"))
    if max_jobs is None or not 1 <= max_jobs <= 10:
        return fail(400, "Parameter maxJobs is required and must be between 1 and 10")
    account = jwt_user_id(token) or str(
        100_000_000 + int(hashlib.sha1(token.encode()).hexdigest(), 16) % 900_000_000
    )
    acc = ctx.state.add_account(account, max_jobs=max_jobs, token=token, url=url)
    return ok(P.account_body(acc), status=201)


@api.delete("/accounts/{account}")
async def delete_account(ctx: Ctx) -> Result:
    """DELETE accounts/{account}: 204, or 404 when it is not configured."""
    if ctx.state.accounts.pop(ctx.params["account"], None) is None:
        return fail(404, "Configuration not found")
    return Reply(status=204)


@api.get("/features")
@query_account
async def get_features(ctx: Ctx, acc: Account) -> Result:
    """GET features: credits, queue lengths and model costs of an account."""
    return ok(P.features_body(acc))
