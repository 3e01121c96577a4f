"""What several route groups do the same way: the account a call runs on (also as a handler
decorator), a body's required field, MiniMax's own refusals (596, 412, 422, its 429), the
reply/file fields of a create, GET of one record, list pages of jobs and soft deletes."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from .. import _payloads as P
from .._http import (
    NOT_FOUND,
    Ctx,
    Fields,
    Handler,
    Reply,
    Result,
    as_int,
    fail,
    ok,
    read_fields,
)
from .._state import (
    Account,
    AudioClip,
    EmulatorState,
    Image,
    Music,
    Triggers,
    Video,
    parse_id,
)

AccountHandler = Callable[[Ctx, Account], Awaitable[Result]]
FieldsHandler = Callable[[Ctx, Fields, str], Awaitable[Result]]
#: The jobs list endpoints page through (each has ``id``, ``account``, ``deleted``, ``life``).
Listed = TypeVar("Listed", Video, Image, Music)
#: The records a GET of one id answers with.
Retrieved = TypeVar("Retrieved", Video, Image, Music, AudioClip)

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


def query_account(handler: AccountHandler) -> Handler:
    """Runs ``handler`` for the account the query's ``account`` names (see
    :func:`resolve_account`), or answers the refusal when there is none to run on."""

    @functools.wraps(handler)
    async def handle(ctx: Ctx) -> Result:
        acc = resolve_account(ctx, ctx.query.get("account"))
        if isinstance(acc, Reply):
            return acc
        return await handler(ctx, acc)

    return handle


def requires_field(name: str) -> Callable[[FieldsHandler], Handler]:
    """Runs the decorated handler with the request's fields and the value of ``name``, the one
    field the call cannot do without (400 ``Parameter <name> is required`` when it is missing
    or empty); a body that cannot be read is answered as :func:`read_fields` answers it."""

    def decorate(handler: FieldsHandler) -> Handler:
        @functools.wraps(handler)
        async def handle(ctx: Ctx) -> Result:
            fields = await read_fields(ctx)
            if isinstance(fields, Reply):
                return fields
            value = fields.text(name)
            if not value:
                return fail(400, f"Parameter {name} is required")
            return await handler(ctx, fields, value)

        return handle

    return decorate


def job_account(ctx: Ctx, fields: Fields) -> Account | Reply:
    """The account a job-creating call runs on (the body's ``account``), once the job's
    ``replyUrl`` / ``replyRef`` are found well formed."""
    bad = check_reply_fields(fields)
    if bad is not None:
        return bad
    return resolve_account(ctx, fields.text("account"))


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


def retrieve(
    ctx: Ctx,
    param: str,
    lookup: Callable[[str], Retrieved | None],
    body: Callable[[Retrieved, EmulatorState], dict[str, Any]],
    *,
    deleted_shown: bool = False,
) -> Reply:
    """A GET of the record named by path parameter ``param``: its ``body``; 400 for an id of
    the wrong form, 404 for an unknown, deleted (unless the endpoint still shows those) or
    moderated-and-removed one."""
    record_id = ctx.params[param]
    if parse_id(record_id) is None:
        return fail(400, f"Invalid {param} {record_id}")
    record = lookup(record_id)
    if record is None or (record.deleted and not deleted_shown):
        return Reply(status=404, body=dict(NOT_FOUND))
    if not isinstance(record, AudioClip) and record.life.is_removed(ctx.state.now()):
        return Reply(status=404, body=dict(NOT_FOUND))
    return ok(body(record, ctx.state))


def listed(jobs: Iterable[Listed], acc: Account, now: float) -> list[Listed]:
    """``acc``'s jobs as list endpoints show them: newest first, without the deleted ones and
    the moderated-and-removed ones."""
    shown = [
        job
        for job in jobs
        if job.account == acc.account and not job.deleted and not job.life.is_removed(now)
    ]
    shown.sort(key=lambda job: int(job.id), reverse=True)
    return shown


def older_than(
    ctx: Ctx, jobs: list[Listed], param: str, *, bare_number: bool = True
) -> list[Listed] | Reply:
    """``jobs`` (newest first) after the page cursor in query ``param``: a full id, or (where
    the endpoint takes one, ``bare_number``) the number at its end. No cursor: all of them."""
    last = ctx.query.get(param)
    if not last:
        return jobs
    parsed = parse_id(last)
    if parsed is not None and parsed[3].isdigit():
        last_n: int | None = int(parsed[3])
    else:
        last_n = as_int(last) if bare_number else None
    if last_n is None:
        return fail(400, f"Invalid {param} {last}")
    return [job for job in jobs if int(job.id) < last_n]


class _SoftDeletable(Protocol):
    deleted: bool


def soft_delete(record: _SoftDeletable | None) -> Reply:
    """What the DELETE calls answer: always 200, for unknown ids too; a known record is only
    marked deleted (the endpoints that still show deleted records rely on it)."""
    if record is not None:
        record.deleted = True
    return Reply(status=200)
