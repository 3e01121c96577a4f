"""Streams as async iterators: ``videos/agent-create`` and ``llm`` over SSE, audio over WebSocket.

Every stream closes its HTTP response (or WebSocket) as soon as the consumer stops: breaking
out of ``async for``, an exception in the loop body, cancellation or leaving ``async with``.
No bytes for ``idle_timeout`` seconds raises :class:`StreamIdleTimeoutError`; a stream that
ends before its final event raises :class:`StreamTruncatedError`. Both carry what had been
seen (the agent's ``video_id`` and completed attachment URLs), so nothing the server reported
is lost.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import aiohttp
import anyio

from ._accounts import Route, balanced_account, file_refs
from ._bodies import body_of, reply_ref_or_new
from ._client_core import ClientCore
from ._converter import structure
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    ResponseDecodeError,
    StreamError,
    StreamEventTooLargeError,
    StreamIdleTimeoutError,
    StreamTruncatedError,
)
from ._sse import ServerSentEvent, SSEProtocolError, SSEReader
from ._types import TIMEOUT_ERRORS
from ._validation import validate_agent_create

if TYPE_CHECKING:
    from .models.audio import AudioStreamTicket
    from .models.llm import ChatEvent
    from .models.video_agent import AgentEvent

__all__ = [
    "AgentStream",
    "ChatStream",
    "iter_audio_stream",
    "iter_chat_events",
    "open_agent_stream",
]

#: Heartbeats arrive about every 10 s; 90 s of silence means the stream is dead.
DEFAULT_IDLE_TIMEOUT = 90.0
#: The documents' audio player prepends this MP3 frame header to every hex chunk it decodes.
MP3_FRAME_HEADER = bytes.fromhex("fffbe8c4")


async def _next_event(reader: SSEReader, idle_timeout: float | None) -> ServerSentEvent | None:
    """The next event, or None at the end of the body; raises one of ``TIMEOUT_ERRORS`` when
    idle (anyio's own, or aiohttp's ``sock_read`` of the response)."""
    if idle_timeout is None:
        return await reader.next_event()
    with anyio.fail_after(idle_timeout):
        return await reader.next_event()


_S = TypeVar("_S", bound="_ResponseStream[Any]")
_E = TypeVar("_E")


class _ResponseStream(Generic[_E]):
    """What the SSE streams share: the response is opened on first use and closed as soon as
    the consumer stops (``break``, an exception, cancellation, ``aclose`` or ``async with``).

    ``__anext__`` is a plain coroutine, not a generator: a generator would hold ``self`` in a
    reference cycle, and a bare ``async for ... break`` could then not free the connection at
    once (``__del__`` does, when the last reference goes). Subclasses say how an event is read
    (``_read``) and what it becomes (``_parse``; None: skipped).
    """

    def __init__(
        self,
        open_response: Callable[[], Awaitable[aiohttp.ClientResponse]],
        *,
        idle_timeout: float | None,
    ) -> None:
        self._open = open_response
        self._idle_timeout = idle_timeout
        self._response: aiohttp.ClientResponse | None = None
        self._reader: SSEReader | None = None
        self.events = 0
        self.finished = False

    async def __aenter__(self: _S) -> _S:
        await self._ensure_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self: _S) -> _S:
        return self

    async def aclose(self) -> None:
        """Close the HTTP response now; further iteration ends at once."""
        self.finished = True
        self._close_response()

    def __del__(self) -> None:
        # A stream dropped without ``aclose`` (e.g. ``break`` out of a bare ``async for``)
        # still frees its connection: ClientResponse.close() is synchronous.
        self._close_response()

    def _close_response(self) -> None:
        if self._response is not None and not self._response.closed:
            self._response.close()

    async def _ensure_open(self) -> aiohttp.ClientResponse:
        if self._response is None:
            self._response = await self._open()
        return self._response

    async def _sse_reader(self) -> SSEReader:
        if self._reader is None:
            self._reader = SSEReader(await self._ensure_open())
        return self._reader

    async def _read(self, reader: SSEReader) -> ServerSentEvent:
        raise NotImplementedError

    def _parse(self, sse: ServerSentEvent) -> _E | None:
        raise NotImplementedError

    async def __anext__(self) -> _E:
        if self.finished:
            self._close_response()
            raise StopAsyncIteration
        try:
            reader = await self._sse_reader()
            while True:
                event = self._parse(await self._read(reader))
                if event is not None:
                    self.events += 1
                    return event
        except BaseException:
            self._close_response()
            raise


# (The event types are quoted: their models load on first use, not with this module.)
class AgentStream(_ResponseStream["AgentEvent"]):
    """The live event stream of one ``videos/agent-create`` job.

    Use it as ``async with mm.stream_agent(template_id=...) as s: async for ev in s: ...``
    (plain ``async for`` works too). Events are :class:`AgentCreatedEvent`,
    :class:`AgentConnectedEvent`, :class:`AgentHeartbeatEvent`, :class:`AgentProgressEvent`,
    :class:`AgentFinishedEvent`, or a plain :class:`AgentEvent` for anything else (``.raw``).

    Attributes:
        video_id: set by the first event that carries one.
        attachments: every completed attachment URL seen, in order.
        events: how many events were received.
        finished: whether the ``finished`` event arrived.
    """

    def __init__(
        self,
        open_response: Callable[[], Awaitable[aiohttp.ClientResponse]],
        *,
        idle_timeout: float | None,
        reply_ref: str | None,
    ) -> None:
        super().__init__(open_response, idle_timeout=idle_timeout)
        self.reply_ref = reply_ref
        self.video_id: str | None = None
        self.attachments: list[str] = []

    def __repr__(self) -> str:
        return (
            f"AgentStream(video_id={self.video_id!r}, events={self.events}, "
            f"finished={self.finished}, attachments={len(self.attachments)})"
        )

    def _seen(self) -> dict[str, Any]:
        return {
            "attachments": list(self.attachments),
            "events": self.events,
            "reply_ref": self.reply_ref,
        }

    async def _read(self, reader: SSEReader) -> ServerSentEvent:
        try:
            sse = await _next_event(reader, self._idle_timeout)
        except TIMEOUT_ERRORS:
            raise StreamIdleTimeoutError(
                f"no data on the agent stream for {self._idle_timeout:g} s",
                video_id=self.video_id,
                **self._seen(),
            ) from None
        except SSEProtocolError as exc:
            raise _too_large("agent", exc, video_id=self.video_id, **self._seen()) from None
        except aiohttp.ClientError as exc:
            raise StreamTruncatedError(
                f"the agent stream broke: {type(exc).__name__}",
                video_id=self.video_id,
                **self._seen(),
            ) from exc
        if sse is None:
            raise StreamTruncatedError(
                "the agent stream ended before its 'finished' event",
                video_id=self.video_id,
                **self._seen(),
            )
        return sse

    def _parse(self, sse: ServerSentEvent) -> AgentEvent | None:
        # Imported here: the models of a group load when first used (docs/architecture.md).
        from .models.video_agent import AGENT_EVENT_TYPES, AgentEvent

        if not sse.data.strip():
            return None
        try:
            payload = json.loads(sse.data)
        except ValueError:
            raise StreamError(
                f"the agent stream sent an event that is not JSON: {sse.data[:80]!r}",
                video_id=self.video_id,
                **self._seen(),
            ) from None
        if not isinstance(payload, dict):
            return structure({"raw": payload}, AgentEvent)
        status = payload.get("status")
        event_type = (
            AGENT_EVENT_TYPES.get(status, AgentEvent) if isinstance(status, str) else (AgentEvent)
        )
        event = structure(payload, event_type)
        if self.video_id is None and event.video_id:
            self.video_id = event.video_id
        self._collect_attachments(event)
        if event.err_code:
            raise StreamError(
                f"the agent reported error {event.err_code}: {event.err_msg or 'no message'}",
                video_id=self.video_id,
                **self._seen(),
            )
        if status == "finished":
            self.finished = True
        return event

    def _collect_attachments(self, event: AgentEvent) -> None:
        info = event.message.attachment_info if event.message is not None else None
        for attachment in (info.attachments or []) if info is not None else []:
            file = attachment.file
            url = file.file_url if file is not None else None
            if attachment.status == 3 and url and url not in self.attachments:
                self.attachments.append(url)


def open_agent_stream(
    client: ClientCore,
    *,
    template_id: str,
    prompt: str | None = None,
    file_id: str | None = None,
    oss_path: str | None = None,
    reply_url: str | None = None,
    reply_ref: str | None = None,
    max_jobs: int | None = None,
    account: str | None = None,
    extra_body: Mapping[str, Any] | None = None,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
) -> AgentStream:
    """Validate the request now and return an :class:`AgentStream` that sends it when entered."""
    validate_agent_create(
        template_id=template_id,
        prompt=prompt,
        file_id=file_id,
        oss_path=oss_path,
        reply_url=reply_url,
        reply_ref=reply_ref,
        max_jobs=max_jobs,
    )
    ref = reply_ref_or_new(reply_ref)
    # Load-balanced by the API, except that a job must run on its file's account.
    chosen = balanced_account(
        Route("POST videos/agent-create", account, refs=(file_id or "", *file_refs(extra_body))),
        client.account,
    )
    body = body_of(
        {
            "account": chosen,
            "templateId": template_id,
            "prompt": prompt,
            "fileID": file_id,
            "ossPath": oss_path,
            "replyUrl": reply_url,
            "replyRef": ref,
            "maxJobs": max_jobs,
        },
        extra_body,
    )

    async def open_response() -> aiohttp.ClientResponse:
        return await client.open_stream(
            "POST",
            "videos/agent-create",
            json_body=body,
            kind="create",
            reply_ref=ref,
            headers={"Accept": "text/event-stream"},
        )

    return AgentStream(open_response, idle_timeout=idle_timeout, reply_ref=ref)


def _too_large(name: str, exc: SSEProtocolError, **seen: Any) -> StreamEventTooLargeError:
    """The error of a stream whose line or event went over the decoder's limit."""
    return StreamEventTooLargeError(
        f"the {name} stream sent an event over the limit: {exc}",
        limit=exc.limit or 0,
        **seen,
    )


class ChatStream(_ResponseStream["ChatEvent"]):
    """The events of a streamed ``POST llm`` answer, ending after ``close_chunk``.

    ``message_result`` events carry the cumulative content so far. A non-zero
    ``statusInfo.code`` raises :class:`StreamError`. Like :class:`AgentStream`, leaving the
    loop (even a bare ``break``) closes the response at once.
    """

    def __repr__(self) -> str:
        return f"ChatStream(events={self.events}, finished={self.finished})"

    async def _read(self, reader: SSEReader) -> ServerSentEvent:
        idle_timeout = self._idle_timeout
        try:
            sse = await _next_event(reader, idle_timeout)
        except TIMEOUT_ERRORS:
            raise StreamIdleTimeoutError(
                f"no data on the llm stream for {idle_timeout:g} s", events=self.events
            ) from None
        except SSEProtocolError as exc:
            raise _too_large("llm", exc, events=self.events) from None
        except aiohttp.ClientError as exc:
            raise StreamTruncatedError(
                f"the llm stream broke: {type(exc).__name__}", events=self.events
            ) from exc
        if sse is None:
            raise StreamTruncatedError(
                "the llm stream ended before its close_chunk event", events=self.events
            )
        return sse

    def _parse(self, sse: ServerSentEvent) -> ChatEvent | None:
        from .models.llm import ChatEvent  # loaded on first use, as above

        if not sse.data.strip():
            return None
        try:
            event = structure(json.loads(sse.data), ChatEvent)
        except ValueError:
            raise StreamError(
                f"the llm stream sent an event that is not a JSON object: {sse.data[:80]!r}",
                events=self.events,
            ) from None
        if event.status_info is not None and event.status_info.code:
            raise StreamError(
                f"the llm reported error {event.status_info.code}: "
                f"{event.status_info.message or 'no message'}",
                events=self.events,
            )
        if sse.event == "close_chunk" or event.type == 8:
            self.finished = True
        return event


def iter_chat_events(
    open_response: Callable[[], Awaitable[aiohttp.ClientResponse]],
    *,
    idle_timeout: float | None,
) -> ChatStream:
    """A :class:`ChatStream` over the response ``open_response`` opens on first use."""
    return ChatStream(open_response, idle_timeout=idle_timeout)


async def iter_audio_stream(
    client: ClientCore, create_ticket: Callable[[], Awaitable[AudioStreamTicket]]
) -> AsyncIterator[bytes]:
    """Speak text over the audio WebSocket, yielding mp3 bytes as they arrive.

    Each ``data.audio`` of a ``data.status == 1`` message is hex; like the documents' player,
    the SDK prepends the 4-byte MP3 frame header ``fffbe8c4`` the server leaves out, so each
    chunk decodes on its own and the concatenation is a playable mp3. ``status == 2`` ends
    the stream; a message without ``data.status`` whose ``statusInfo.code`` is non-zero raises.
    """
    from .models.audio import AudioStreamMessage  # loaded on first use, as above

    ticket: AudioStreamTicket = await create_ticket()
    if not ticket.token or ticket.payload is None:
        raise ResponseDecodeError("audio/create-stream answered without token and payload")
    url = client.url_for("audio/wss").with_query({"token": ticket.token})
    url = url.with_scheme("wss" if url.scheme == "https" else "ws")
    session = client._holder.get()
    try:
        ws = await session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_receive=90.0))
    except aiohttp.WSServerHandshakeError as exc:
        raise APIStatusError(
            f"the audio WebSocket refused the connection: {exc.message}",
            status_code=exc.status,
            method="GET",
            url=str(url),
        ) from None
    except aiohttp.ClientError as exc:
        raise APIConnectionError(
            f"could not open the audio WebSocket: {type(exc).__name__}", method="GET", url=str(url)
        ) from exc
    async with ws:
        await ws.send_json(ticket.payload.to_dict())
        async for msg in ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                if msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSED):
                    break
                continue
            try:
                raw = json.loads(msg.data)
                message = structure(raw, AudioStreamMessage)
            except ValueError:
                raise StreamError(
                    f"the audio stream sent a non-JSON message: {msg.data[:80]!r}"
                ) from None
            data = message.data
            if data is None or data.status is None:
                info = raw.get("statusInfo") if isinstance(raw, dict) else None
                code = info.get("code") if isinstance(info, dict) else None
                base = message.base_resp
                if code or (base is not None and base.status_code):
                    text = (info or {}).get("message") if isinstance(info, dict) else None
                    raise StreamError(
                        f"the audio stream failed ({code or base.status_code if base else code}): "
                        f"{text or (base.status_msg if base else '') or 'no message'}"
                    )
                continue
            if data.status == 1 and data.audio:
                try:
                    yield MP3_FRAME_HEADER + bytes.fromhex(data.audio)
                except ValueError:
                    raise StreamError("the audio stream sent a chunk that is not hex") from None
            if data.status == 2:
                return
        raise StreamTruncatedError("the audio stream closed before its final message")
