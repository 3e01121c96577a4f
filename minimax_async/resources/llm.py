"""``mm.llm``: chat with the MiniMax LLM (decommissioned upstream, still served)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

import aiohttp

from .._accounts import Route, with_account
from .._types import FileSource, RequestOptions, Timeout
from .._uploads import prepare_upload
from .._validation import (
    LLM_MAX_FILE_SIZE,
    llm_delete_ids,
    validate_llm,
    validate_paging,
)
from ..models.llm import Chat, ChatPage, ChatResult, ChatSummary
from ._base import (
    MultipartFactory,
    Resource,
    check_keywords,
    form_fields,
    form_file_type,
    options_of,
    path_id,
    warn_decommissioned,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

    from .._streams import ChatStream

__all__ = ["ChatParams", "Llm"]

#: A non-streamed answer can take minutes (MiniMax-M1, web search).
LLM_TIMEOUT = Timeout(connect=10.0, read=600.0, total=None)


class _ChatPrompt(TypedDict):
    prompt: str


class ChatParams(_ChatPrompt, total=False):
    """The keywords of ``llm.chat`` and ``llm.stream`` (``prompt`` required)."""

    model: str | None
    search_web: bool | None
    chat_id: str | None
    files: Sequence[FileSource]
    account: str | None
    extra_body: Mapping[str, Any] | None


class _ChatCreateCall(ChatParams, RequestOptions, total=False):
    """``llm.chat``'s keywords: :class:`ChatParams` and the per-call options."""


class Llm(Resource):
    """Chats with the MiniMax LLM (``mm-m1``, ``mm-01``)."""

    async def chat(self, **params: Unpack[_ChatCreateCall]) -> ChatResult:
        """Send ``prompt`` and return the whole answer (``POST llm``, JSON form).

        Keywords: :class:`ChatParams` and the per-call options.
        """
        check_keywords("llm.chat", params, _ChatCreateCall)
        warn_decommissioned("POST llm")
        form = await self._form(params, stream=False)
        route = _chat_route(params.get("account"), params.get("chat_id"), form)
        return await self._send(
            route,
            "POST",
            "llm",
            ChatResult,
            form=form,
            kind="once",
            timeout=LLM_TIMEOUT,
            options=options_of(params),
        )

    def stream(self, *, idle_timeout: float = 90.0, **params: Unpack[ChatParams]) -> ChatStream:
        """Send ``prompt`` and iterate the answer as it is written (``POST llm``, SSE form).

        Keywords: :class:`ChatParams`, and ``idle_timeout`` (seconds without an event).
        The :class:`ChatStream` is an async iterator of :class:`ChatEvent` and an async
        context manager; leaving the loop (even a bare ``break``) closes the response at once.
        """
        from .._streams import iter_chat_events

        check_keywords("llm.stream", params, ChatParams)
        warn_decommissioned("POST llm")

        async def open_response() -> aiohttp.ClientResponse:
            form = await self._form(params, stream=True)
            return await self._routed(
                _chat_route(params.get("account"), params.get("chat_id"), form),
                lambda chosen: self._client.open_stream(
                    "POST",
                    "llm",
                    body=form.with_account(chosen),
                    kind="once",
                    headers={"Accept": "text/event-stream"},
                ),
            )

        return iter_chat_events(open_response, idle_timeout=idle_timeout)

    async def list(
        self,
        *,
        limit: int | None = None,
        last_chat_id: str | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ChatPage:
        """One page of chats (``GET llm``)."""
        warn_decommissioned("GET llm")
        validate_paging("GET llm", limit=limit)
        params = {"limit": limit, "lastChatID": last_chat_id, "account": self._account(account)}
        return await self._get("llm", ChatPage, params, account, options)

    def iter(
        self,
        *,
        limit: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[ChatSummary]:
        """Every chat, page after page (``limit`` per page; ``GET llm``)."""
        return self._pages(
            account,
            lambda acc, last: self.list(limit=limit, last_chat_id=last, account=acc, **options),
            items=lambda page: page.items,
            key=lambda chat: chat.chat_id,
            next_cursor=lambda got, _: got[-1].chat_id,
            has_more=lambda page: page.has_more,
            size=limit,
        )

    async def retrieve(
        self, chat_id: str, *, account: str | None = None, **options: Unpack[RequestOptions]
    ) -> Chat:
        """The messages of one chat (``GET llm/{chatID}``)."""
        warn_decommissioned("GET llm/{chatID}")
        path = f"llm/{path_id('chat_id', chat_id)}"
        params = {"account": self._account(account)}
        return await self._get(path, Chat, params, account, options, what="GET llm/{chatID}")

    async def delete(
        self,
        *,
        chat_ids: Sequence[str] | str | None = None,
        msg_ids: Sequence[str] | str | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Delete chats (``chat_ids``; ``"all"``: every chat) and/or messages (``DELETE llm``).

        Each takes a list of ids or the documents' comma-separated string (``"id1,id2"``).
        """
        warn_decommissioned("DELETE llm")
        if chat_ids is None and msg_ids is None:
            raise ValueError("chat_ids=None and msg_ids=None: give at least one of them")
        params = {
            "chatIDs": _joined("chat_ids", chat_ids),
            "msgIDs": _joined("msg_ids", msg_ids),
            "account": self._account(account),
        }
        await self._routed(
            Route("DELETE llm", account),
            lambda chosen: self._client.request(
                "DELETE", "llm", params=with_account(params, chosen), options=options
            ),
        )

    async def _form(self, params: Mapping[str, Any], *, stream: bool) -> MultipartFactory:
        prompt: str = params["prompt"]
        model: str | None = params.get("model")
        search_web: bool | None = params.get("search_web")
        chat_id: str | None = params.get("chat_id")
        files: Sequence[FileSource] = params.get("files", ())
        validate_llm(
            prompt=prompt, model=model, search_web=search_web, chat_id=chat_id, files=files
        )
        uploads = [
            await prepare_upload(
                f,
                content_type=form_file_type(f),
                allowed_types=None,
                parameter=f"files[{i}]",
                max_bytes=LLM_MAX_FILE_SIZE,
            )
            for i, f in enumerate(files)
        ]
        fields = {
            "prompt": prompt,
            "model": model,
            "searchWeb": None if search_web is None else ("true" if search_web else "false"),
            "chatID": chat_id,
            "stream": "true" if stream else None,
            "account": self._account(params.get("account")),
        }
        return MultipartFactory(form_fields(fields, params.get("extra_body")), uploads)


def _chat_route(account: str | None, chat_id: str | None, form: MultipartFactory) -> Route:
    # A new chat may start on any chat account; a chat goes on where it started (its id does
    # not say where: the caller names the account).
    resendable = all(upload.replayable for upload in form.uploads)
    return Route(
        "POST llm", account, pick="chat" if chat_id is None else None, resendable=resendable
    )


def _joined(name: str, ids: Sequence[str] | str | None) -> str | None:
    if ids is None:
        return None
    return ",".join(llm_delete_ids(name, ids))
