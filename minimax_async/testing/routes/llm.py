"""Routes of ``resources/llm.py`` (decommissioned upstream): chat (SSE), list, retrieve, delete."""

from __future__ import annotations

from typing import Any

from .. import _payloads as P
from .._http import (
    NOT_FOUND,
    Ctx,
    Fields,
    Reply,
    Result,
    RouteTable,
    SseEvent,
    SseStream,
    as_bool,
    as_int,
    fail,
    ok,
)
from .._state import (
    Account,
    Chat,
    parse_triggers,
)
from ._common import (
    query_account,
    requires_field,
    resolve_account,
)

api = RouteTable()

_JOKE = (
    "Sure, here's a light-hearted joke for you:\n\nWhy don't scientists trust atoms?\n\n"
    "Because they make up everything!\n\nI hope that brought a smile to your face! If you have "
    "any other requests or topics you'd like to discuss, feel free to let me know."
)


def _message_result(
    msg_id: str, chat_id: str, parent: str, content: str, *, final: bool
) -> dict[str, Any]:
    extra: dict[str, Any] = {"netSearchStatus": {"finalStatus": {"statusCode": 0}}}
    if final:
        extra.update({"feedbackStatus": {}, "replyMsgType": "text"})
    extra["warningText"] = ""
    return {
        "msgID": msg_id,
        "chatID": chat_id,
        "msgType": "system",
        "content": content,
        "requestStatus": 1 if final else 6,
        "isEnd": 0 if final else 1,
        "msgSubType": 0,
        "parentMsgID": parent,
        "extra": extra,
        "canRetry": final,
    }


@api.post("/llm")
@requires_field("prompt")
async def post_llm(ctx: Ctx, fields: Fields, prompt: str) -> Result:
    """POST llm: chat completion as JSON, or ``stream=true`` as the documented SSE events."""
    state = ctx.state
    model = fields.text("model") or "mm-m1"
    if model not in ("mm-m1", "mm-01"):
        return fail(400, f"Unsupported model {model}; supported: mm-m1, mm-01")
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    if len(fields.files) > 10:
        return fail(400, "Up to 10 files are supported")
    triggers = parse_triggers(prompt)
    if triggers.reject:
        return fail(422, "Invalid file. Please try another one")
    wall = state.clock.wall()
    chat_id = fields.text("chatID")
    if chat_id:
        chat = state.chats.get(chat_id)
        if chat is None or chat.deleted:
            return fail(400, f"Unknown chatID {chat_id}")
    else:
        chat = Chat(
            chat_id=state.number(),
            account=acc.account,
            title=prompt[:40],
            model=model,
            created_wall=wall,
            updated_wall=wall,
        )
        state.chats[chat.chat_id] = chat
    user_id, system_id = state.number(), state.number()
    content = _JOKE if "joke" in prompt.lower() else f"You said: {prompt}"
    parent = chat.messages[-1]["msgID"] if chat.messages else "0"
    ms = int(wall * 1000)
    # The question, then the answer to it, 27 ms later.
    turn = ((user_id, prompt, "user", parent, ms), (system_id, content, "system", user_id, ms + 27))
    chat.messages.extend(
        P.chat_message(
            msg_id=msg_id,
            chat_id=chat.chat_id,
            content=text,
            msg_type=msg_type,
            parent=parent_id,
            created_ms=created_ms,
        )
        for msg_id, text, msg_type, parent_id, created_ms in turn
    )
    chat.updated_wall = wall
    send_result = {
        "userMsgID": user_id,
        "chatID": chat.chat_id,
        "systemMsgID": system_id,
        "msgContent": prompt,
        "wordSpreadRate": 11,
        "chatTitle": chat.title,
        "canSearch": as_bool(fields.values.get("searchWeb")),
        "canEdit": True,
        "extra": {"longCutCopyWriting": ""},
        "isPreSendResult": False,
    }
    if not as_bool(fields.values.get("stream")):
        return ok(
            {
                "request": {"sendResult": send_result},
                "response": {
                    "messageResult": _message_result(
                        system_id, chat.chat_id, user_id, content, final=True
                    )
                },
            }
        )
    now = state.now()
    events = [
        SseEvent(
            due=now,
            event="send_result",
            data={
                "type": 1,
                "data": {"sendResult": send_result},
                "statusInfo": {"code": 0, "message": "Success"},
            },
        )
    ]
    cuts = [len(content) // 4, len(content) // 2, 3 * len(content) // 4, len(content)]
    for index, cut in enumerate(cuts):
        final = index == len(cuts) - 1
        events.append(
            SseEvent(
                due=now + 0.4 * (index + 1),
                event="message_result",
                data={
                    "type": 2,
                    "data": {
                        "messageResult": _message_result(
                            system_id, chat.chat_id, user_id, content[:cut], final=final
                        )
                    },
                    "statusInfo": {"code": 0, "message": "success"},
                },
            )
        )
    events.append(SseEvent(due=now + 2.0, event="close_chunk", data={"type": 8}))
    return SseStream(events, keep=1)


@api.get("/llm")
@query_account
async def list_llm(ctx: Ctx, acc: Account) -> Result:
    """GET llm: the account's chats, newest first (``limit``, ``lastChatID``)."""
    chats = [c for c in ctx.state.chats.values() if c.account == acc.account and not c.deleted]
    chats.sort(key=lambda c: int(c.chat_id), reverse=True)
    last = ctx.query.get("lastChatID")
    if last:
        last_n = as_int(last)
        if last_n is None:
            return fail(400, f"Invalid lastChatID {last}")
        chats = [c for c in chats if int(c.chat_id) < last_n]
    limit = as_int(ctx.query.get("limit")) or 20
    return ok(
        {
            "hasMore": len(chats) > limit,
            "limit": limit,
            "items": [P.chat_item_body(c) for c in chats[:limit]],
        }
    )


@api.get("/llm/{chatID}")
async def get_llm_chat(ctx: Ctx) -> Result:
    """GET llm/{chatID}: the chat's messages."""
    chat = ctx.state.chats.get(ctx.params["chatID"])
    if chat is None or chat.deleted:
        return Reply(status=404, body=dict(NOT_FOUND))
    return ok(
        {
            "messages": chat.messages,
            "title": chat.title,
            "characterID": "1",
            "canSearch": True,
            "model": chat.model,
        }
    )


@api.delete("/llm")
@query_account
async def delete_llm(ctx: Ctx, acc: Account) -> Result:
    """DELETE llm: remove chats (``chatIDs``, ``all``) and/or messages (``msgIDs``): 200."""
    chat_ids = [c for c in (ctx.query.get("chatIDs") or "").split(",") if c]
    msg_ids = {m for m in (ctx.query.get("msgIDs") or "").split(",") if m}
    if not chat_ids and not msg_ids:
        return fail(400, "Parameter chatIDs or msgIDs is required")
    for chat in ctx.state.chats.values():
        if chat.account != acc.account:
            continue
        if "all" in chat_ids or chat.chat_id in chat_ids:
            chat.deleted = True
        if msg_ids:
            chat.messages = [m for m in chat.messages if m["msgID"] not in msg_ids]
    return Reply(status=200)
