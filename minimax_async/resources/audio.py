"""``mm.audio``: text-to-speech, voices and voice cloning (decommissioned upstream)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict, TypeVar

from .._accounts import Route, file_refs, with_account
from .._types import FileSource, ProgressCallback, RequestOptions
from .._validation import (
    check_id,
    clone_voice_files,
    validate_audio_text,
    validate_clone_voice,
    validate_paging,
    voice_tags,
)
from ..models.audio import (
    AudioClip,
    AudioConfig,
    AudioPage,
    AudioStreamTicket,
    Voice,
    VoicePage,
)
from ..models.files import UploadedFile
from ._base import (
    Resource,
    body_of,
    check_keywords,
    next_number,
    options_of,
    warn_decommissioned,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = ["Audio", "SpeechParams"]

_T = TypeVar("_T")

#: The Content-Types ``POST audio/upload-sample`` documents (mp3, wav).
_SAMPLE_TYPES = ("audio/mpeg", "audio/wav", "audio/wave")


class _Speech(TypedDict):
    text: str
    voice_id: str


class SpeechParams(_Speech, total=False):
    """The keywords of ``audio.create_mp3`` and ``audio.create_stream`` (and ``audio.stream``):
    ``text`` and ``voice_id`` are required; ``None`` leaves a field out of the request."""

    model: str | None
    language_boost: str | None
    emotion: str | None
    vol: float | None
    speed: float | None
    pitch: int | None
    deepen_lighten: int | None
    stronger_softer: int | None
    nasal_crisp: int | None
    spacious_echo: bool | None
    lofi_telephone: bool | None
    robotic: bool | None
    auditorium_echo: bool | None
    account: str | None
    extra_body: Mapping[str, Any] | None


class _SpeechCreateCall(SpeechParams, RequestOptions, total=False):
    """A speech call's keywords: :class:`SpeechParams` and the per-call options."""


#: Speech keywords that are not fields of the request body.
_NOT_SPEECH_FIELDS = frozenset({"account", "extra_body"})


class Audio(Resource):
    """Text-to-speech on minimax.io/audio accounts."""

    async def create_mp3(self, **params: Unpack[_SpeechCreateCall]) -> AudioClip:
        """Speak ``text`` (up to 500 characters) with ``voice_id``; returns the mp3 clip.

        Keywords: :class:`SpeechParams` and the per-call options.
        """
        check_keywords("audio.create_mp3", params, _SpeechCreateCall)
        warn_decommissioned("POST audio/create-mp3")
        return await self._speak("create-mp3", AudioClip, params)

    async def create_stream(self, **params: Unpack[_SpeechCreateCall]) -> AudioStreamTicket:
        """The token and payload to stream speech of ``text`` over ``audio/wss``.

        Keywords: :class:`SpeechParams` and the per-call options.
        """
        check_keywords("audio.create_stream", params, _SpeechCreateCall)
        warn_decommissioned("POST audio/create-stream")
        return await self._speak("create-stream", AudioStreamTicket, params)

    def stream(self, **params: Unpack[_SpeechCreateCall]) -> AsyncIterator[bytes]:
        """Speak ``text`` and iterate the mp3 bytes as they arrive over the WebSocket.

        Takes the arguments of :meth:`create_stream`.
        """
        from .._streams import iter_audio_stream

        check_keywords("audio.stream", params, _SpeechCreateCall)
        warn_decommissioned("WSS audio/wss")
        return iter_audio_stream(self._client, lambda: self.create_stream(**params))

    async def voices(
        self,
        *,
        tag_list: Sequence[str] | str | None = None,
        is_system: bool | None = None,
        page: int | None = None,
        page_size: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> VoicePage:
        """System and cloned voices (``GET audio/voices``); page on while ``has_more``.

        ``tag_list``: tags from :meth:`config`, as a list or the documents' comma-separated
        string (``"Italian,Female"``).
        """
        warn_decommissioned("GET audio/voices")
        validate_paging("GET audio/voices", page=page, page_size=page_size)
        tags = voice_tags(tag_list)
        params = {
            "tag_list": ",".join(tags) if tags else None,
            "is_system": is_system,
            "page": page,
            "page_size": page_size,
            "account": self._account(account),
        }
        return await self._get("audio/voices", VoicePage, params, account, options)

    async def config(
        self, *, account: str | None = None, **options: Unpack[RequestOptions]
    ) -> AudioConfig:
        """Languages, emotions and other speech settings (``GET audio/config``)."""
        warn_decommissioned("GET audio/config")
        params = {"account": self._account(account)}
        return await self._get("audio/config", AudioConfig, params, account, options)

    async def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AudioPage:
        """Speech clips generated on the account (``GET audio``); page on while ``has_more``."""
        warn_decommissioned("GET audio")
        validate_paging("GET audio", page=page, page_size=page_size)
        params = {"page": page, "page_size": page_size, "account": self._account(account)}
        return await self._get("audio", AudioPage, params, account, options)

    def iter(
        self,
        *,
        page_size: int | None = None,
        account: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[AudioClip]:
        """Every speech clip of the account, page after page (``GET audio``)."""
        return self._pages(
            account,
            lambda acc, number: self.list(
                page=number or 1, page_size=page_size, account=acc, **options
            ),
            items=lambda page: page.audio_list,
            key=lambda clip: clip.audio_id,
            next_cursor=next_number,
            has_more=lambda page: page.has_more,
            size=page_size,
        )

    async def retrieve(self, audio_id: str, **options: Unpack[RequestOptions]) -> AudioClip:
        """One speech clip (``GET audio/{audio_id}``)."""
        warn_decommissioned("GET audio/{audio_id}")
        return await self._retrieve("audio", "audio_id", audio_id, AudioClip, options)

    async def delete(self, audio_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a speech clip (``DELETE audio/{audio_id}``)."""
        warn_decommissioned("DELETE audio/{audio_id}")
        await self._delete("audio", "audio_id", audio_id, options)

    async def clone_voice(
        self,
        *,
        voice_name: str,
        language_tag: str,
        files: Sequence[str] | str,
        need_noise_reduction: bool | None = None,
        account: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Voice:
        """Clone a voice from up to 10 uploaded samples (``files``: file ids, as a list or the
        documents' comma-separated string ``"f1,f2"``)."""
        warn_decommissioned("POST audio/clone-voice")
        validate_clone_voice(
            voice_name=voice_name,
            language_tag=language_tag,
            files=files,
            need_noise_reduction=need_noise_reduction,
        )
        file_ids = clone_voice_files(files)
        body = body_of(
            {
                "account": self._account(account),
                "voice_name": voice_name,
                "language_tag": language_tag,
                "files": ",".join(file_ids),
                "need_noise_reduction": need_noise_reduction,
            },
            extra_body,
        )
        # The samples' account (ids carry it), else a free audio account.
        route = Route("POST audio/clone-voice", account, refs=file_refs(body), pick="audio")
        return await self._send(
            route,
            "POST",
            "audio/clone-voice",
            Voice,
            json_body=body,
            kind="create",
            options=options,
        )

    async def upload_sample(
        self,
        source: FileSource,
        *,
        content_type: str | None = None,
        account: str | None = None,
        on_progress: ProgressCallback | None = None,
        **options: Unpack[RequestOptions],
    ) -> UploadedFile:
        """Upload an audio sample for :meth:`clone_voice` (``POST audio/upload-sample``)."""
        warn_decommissioned("POST audio/upload-sample")
        return await self._upload_raw(
            "audio/upload-sample",
            source,
            content_type=content_type,
            allowed_types=_SAMPLE_TYPES,
            account=account,
            on_progress=on_progress,
            options=options,
        )

    async def delete_voice(
        self,
        voice_id: str,
        *,
        account: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Delete a cloned voice (``POST audio/delete-voice``)."""
        warn_decommissioned("POST audio/delete-voice")
        # A body field, not a path: checked, but sent as given (never percent-encoded).
        body = body_of(
            {"account": self._account(account), "voice_id": check_id("voice_id", voice_id)},
            extra_body,
        )
        await self._routed(
            Route("POST audio/delete-voice", account, refs=(voice_id,)),
            lambda chosen: self._client.request(
                "POST",
                "audio/delete-voice",
                json_body=with_account(body, chosen),
                kind="idempotent",
                options=options,
            ),
        )

    async def _speak(
        self,
        endpoint: Literal["create-mp3", "create-stream"],
        cast_to: type[_T],
        params: Mapping[str, Any],
    ) -> _T:
        """``POST audio/{endpoint}`` from the speech method's keywords."""
        options = options_of(params)
        account = params.get("account")
        fields = {
            k: v for k, v in params.items() if k not in options and k not in _NOT_SPEECH_FIELDS
        }
        validate_audio_text(**fields, endpoint=endpoint)
        body = body_of({"account": self._account(account), **fields}, params.get("extra_body"))
        # A cloned voice lives on one account (its id says which); system voices are everywhere.
        route = Route(f"POST audio/{endpoint}", account, refs=(params["voice_id"],), pick="audio")
        return await self._send(
            route,
            "POST",
            f"audio/{endpoint}",
            cast_to,
            json_body=body,
            kind="create",
            options=options,
        )
