"""What several route groups check the same way: the account a call runs on, MiniMax's own
refusals (596, 412, 422, its 429) and the reply/file fields of a create."""

from __future__ import annotations

from .. import _payloads as P
from .._http import (
    Ctx,
    Fields,
    Reply,
    fail,
)
from .._state import (
    Account,
    Triggers,
    parse_id,
)

HOLD_MESSAGE = (
    "Unusual account activities detected. Please contact customer support at contact@hailuoai.com"
)
CREDITS_MESSAGE = "Insufficient credits. Please recharge to get more credits or try again next day."
SHORT_PROMPT_MESSAGE = "Your prompt is too short, please provide more details"


def resolve_account(
    ctx: Ctx, name: str | None, *, required_if_many: bool = True
) -> Account | Reply:
    """The account a call runs on, as the documents describe ``account``."""
    accounts = ctx.state.accounts
    if not accounts:
        return fail(400, "No MiniMax accounts configured, use POST accounts first")
    if name:
        acc = accounts.get(name)
        if acc is None:
            return fail(400, f"Account {name} is not configured")
        return acc
    if len(accounts) == 1 or not required_if_many:
        return next(iter(accounts.values()))
    return fail(400, "Parameter account is required when more than one account is configured")


def upstream_checks(
    ctx: Ctx, acc: Account, triggers: Triggers, prompt: str | None, cost: int
) -> Reply | None:
    """What MiniMax itself answers once the job reaches it: 596, 412, 422, upstream 429."""
    if acc.hold or triggers.hold:
        return fail(596, HOLD_MESSAGE)
    if triggers.no_credits or acc.credits < cost:
        return fail(412, CREDITS_MESSAGE)
    if triggers.reject:
        return fail(
            422,
            "Your prompt contains content that violates our policies",
            statusInfo=P.status_info(1500002, "Content moderated", ctx.state),
        )
    if prompt is not None and prompt.strip() and len(prompt.strip()) < ctx.state.min_prompt_chars:
        return fail(
            422,
            SHORT_PROMPT_MESSAGE,
            statusInfo=P.status_info(
                1500001,
                "An error occurred while generating the content, please try again",
                ctx.state,
            ),
        )
    if triggers.queue_full:
        return fail(
            429,
            "YOU CAN QUEUE 3 JOBS AT ONCE",
            statusInfo=P.status_info(1500006, "YOU CAN QUEUE 3 JOBS AT ONCE", ctx.state),
        )
    return None


def check_reply_fields(fields: Fields) -> Reply | None:
    for name in ("replyUrl", "replyRef"):
        value = fields.text(name)
        if value is not None and len(value) > 1024:
            return fail(400, f"Parameter {name} is longer than 1024 characters")
    url = fields.text("replyUrl")
    if url and not url.startswith(("http://", "https://")):
        return fail(400, "Parameter replyUrl must be an http(s) URL")
    return None


def check_file_id(value: str | None, name: str) -> Reply | None:
    if value is None:
        return None
    parsed = parse_id(value)
    if parsed is None or parsed[2] not in ("file", "image"):
        return fail(400, f"Parameter {name} has an invalid format: {value}")
    return None
