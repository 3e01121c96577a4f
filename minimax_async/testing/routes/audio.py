"""Routes of ``resources/audio.py`` (decommissioned upstream): text to speech (mp3, stream
ticket, WebSocket), voices, config, clips, voice cloning and samples."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import aiohttp
import attrs
from aiohttp import web

from .. import _audio_payloads as A
from .._catalog import VOICES
from .._faults import FaultRule
from .._http import (
    Ctx,
    Fields,
    Reply,
    Result,
    RouteTable,
    Streamer,
    abort_prepared,
    as_bool,
    as_int,
    fail,
    ok,
    read_fields,
)
from .._media import MP3_CHUNK_PREFIX, mp3_bytes, mp3_frames
from .._state import (
    Account,
    AudioClip,
    EmulatorState,
    StreamTicket,
    Voice,
    parse_triggers,
)
from ._common import (
    check_file_id,
    query_account,
    requires_field,
    resolve_account,
    retrieve,
    soft_delete,
    upstream_checks,
)
from .files import receive_upload

api = RouteTable()

SAMPLE_TYPES = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/wave": "wav"}
TTS_MODELS = frozenset({"speech-02-hd", "speech-01-hd", "speech-02-turbo", "speech-01-turbo"})


_AUDIO_SETTINGS = (
    "model",
    "language_boost",
    "emotion",
    "vol",
    "speed",
    "pitch",
    "deepen_lighten",
    "stronger_softer",
    "nasal_crisp",
    "spacious_echo",
    "lofi_telephone",
    "robotic",
    "auditorium_echo",
)


@attrs.frozen
class _Speech:
    """A text-to-speech request that passed every check, and the account it runs on."""

    acc: Account
    text: str
    voice_id: str
    settings: dict[str, Any]


async def _read_speech(ctx: Ctx, max_text: int) -> _Speech | Reply:
    """The checks both text-to-speech creates make, in their order: the body, its fields,
    the account, then MiniMax's own refusals (the text is the prompt; speech costs no credit)."""
    fields = await read_fields(ctx)
    if isinstance(fields, Reply):
        return fields
    parsed = _tts_fields(fields, max_text)
    if isinstance(parsed, Reply):
        return parsed
    text, voice_id, settings = parsed
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    refusal = upstream_checks(ctx, acc, parse_triggers(text), None, 0)
    if refusal is not None:
        return refusal
    return _Speech(acc=acc, text=text, voice_id=voice_id, settings=settings)


def _tts_fields(fields: Fields, max_text: int) -> Reply | tuple[str, str, dict[str, Any]]:
    text = fields.text("text")
    if not text:
        return fail(400, "Parameter text is required")
    if len(text) > max_text:
        return fail(400, f"Parameter text is longer than {max_text} characters")
    voice_id = fields.text("voice_id")
    if not voice_id:
        return fail(400, "Parameter voice_id is required")
    model = fields.text("model") or "speech-02-hd"
    if model not in TTS_MODELS:
        return fail(400, f"Unsupported model {model}")
    settings = {k: fields.values[k] for k in _AUDIO_SETTINGS if k in fields.values}
    settings["model"] = model
    return text, voice_id, settings


def _tts_frames(text: str) -> int:
    return max(5, min(250, len(text) // 2))


@api.post("/audio/create-mp3")
async def post_audio_create_mp3(ctx: Ctx) -> Result:
    """POST audio/create-mp3: synthesises an mp3 (silent frames) and stores the clip."""
    speech = await _read_speech(ctx, 500)
    if isinstance(speech, Reply):
        return speech
    state, text = ctx.state, speech.text
    clip = _store_clip(
        state, speech.acc, text, speech.voice_id, speech.settings, mp3_bytes(_tts_frames(text))
    )
    return ok(
        {
            "audio_id": clip.audio_id,
            **{k: v for k, v in A.audio_extra_info(clip.size, text).items()},
            "input_sensitive": False,
            "trace_id": secrets.token_hex(16),
            "chunks": len(clip.text),
            "audio_review": 0,
            "user_id": int(state.user_id),
            "audio_title": "",
            "audio_url": state.media_url(clip.media_path),
            "update_time": int(clip.created_wall * 1000),
        }
    )


def _store_clip(
    state: EmulatorState,
    acc: Account,
    text: str,
    voice_id: str,
    settings: dict[str, Any],
    data: bytes,
) -> AudioClip:
    n = state.number()
    path = f"audio/{n}.mp3"
    state.put_media(path, data, "audio/mpeg")
    clip = AudioClip(
        audio_id=state.make_id(acc.account, "audio", n),
        account=acc.account,
        text=text,
        voice_id=voice_id,
        created_wall=state.clock.wall(),
        media_path=path,
        settings=settings,
        size=len(data),
    )
    state.audio[clip.audio_id] = clip
    return clip


@api.post("/audio/create-stream")
async def post_audio_create_stream(ctx: Ctx) -> Result:
    """POST audio/create-stream: a ``token`` and ``payload`` for the audio WebSocket."""
    speech = await _read_speech(ctx, 5000)
    if isinstance(speech, Reply):
        return speech
    settings = speech.settings
    msg = secrets.token_hex(14)
    payload = {
        "msg_id": f"{msg[:5]}-{msg[5:10]}-{msg[10:15]}-{msg[15:20]}-{msg[20:26]}-{msg[26:]}",
        "payload": {
            "model": settings.get("model", ""),
            "text": speech.text,
            "voice_setting": {
                "speed": settings.get("speed", 1),
                "vol": settings.get("vol", 1),
                "pitch": settings.get("pitch", 0),
                "voice_id": speech.voice_id,
                "emotion": settings.get("emotion", "happy"),
            },
            "audio_setting": {},
            "effects": A.audio_effects(settings),
            "er_weights": [],
            "language_boost": settings.get("language_boost", "Auto"),
            "stream": True,
        },
    }
    token = secrets.token_urlsafe(24)
    ctx.state.stream_tickets[token] = StreamTicket(
        token=token, account=speech.acc.account, payload=payload
    )
    return ok({"token": token, "payload": payload})


class _AudioSocket(Streamer):
    """WSS audio/wss: receives the payload, sends hex mp3 chunks (status 1), then status 2.

    Each chunk starts at a frame boundary and, as the documented player expects (it prepends
    ``fffbe8c4``), its hex string omits the leading 4-byte MP3 frame header.
    """

    frames_per_chunk = 4

    def __init__(self, ticket: StreamTicket) -> None:
        self.ticket = ticket

    async def run(self, ctx: Ctx, rule: FaultRule | None) -> web.StreamResponse:
        kind = rule.kind if rule is not None else None
        ws = web.WebSocketResponse(heartbeat=None, timeout=2.0)
        await ws.prepare(ctx.request)
        state = ctx.state
        try:
            received = await self._receive(ctx, ws)
            if received is None:
                return ws
            text = received.get("payload", {}).get("text") if isinstance(received, dict) else None
            if not isinstance(text, str) or not text:
                await ws.send_json(
                    {"statusInfo": {"code": 1002, "message": "Invalid payload: text is required"}}
                )
                await ws.close()
                return ws
            trace = secrets.token_hex(16)
            frames = mp3_frames(_tts_frames(text))
            base = {"input_sensitive": False, "trace_id": trace}
            ok_resp = {"status_code": 0, "status_msg": ""}
            now = state.now()
            for index in range(0, len(frames), self.frames_per_chunk):
                chunk = b"".join(frames[index : index + self.frames_per_chunk]).hex()
                assert chunk.startswith(MP3_CHUNK_PREFIX)
                message = {
                    "data": {"audio": chunk[len(MP3_CHUNK_PREFIX) :], "status": 1, "ced": ""},
                    **base,
                    "base_resp": ok_resp,
                }
                await ws.send_str(json.dumps(message))
                if index == 0 and kind == "truncate_sse":
                    abort_prepared(ctx, ws)
                    return ws
                if index == 0 and kind == "stall_sse":
                    await ctx.hold_open()
                    return abort_prepared(ctx, ws)
                now += 0.2
                if not await ctx.wait_virtual(now):
                    return abort_prepared(ctx, ws)
            data = b"".join(frames)
            acc = state.accounts.get(self.ticket.account)
            if acc is not None:
                settings = dict(self.ticket.payload.get("payload", {}).get("voice_setting", {}))
                voice_id = str(settings.pop("voice_id", ""))
                _store_clip(state, acc, text, voice_id, settings, data)
            await ws.send_str(
                json.dumps(
                    {
                        "data": {"audio": "", "status": 2, "ced": ""},
                        "extra_info": A.audio_extra_info(len(data), text),
                        **base,
                        "base_resp": {"status_code": 0, "status_msg": "success"},
                    }
                )
            )
            await ws.close()
        except ConnectionError:
            pass
        return ws

    async def _receive(self, ctx: Ctx, ws: web.WebSocketResponse) -> Any:
        while not ctx.app.closing.is_set():
            try:
                msg = await ws.receive(timeout=0.25)
            except asyncio.TimeoutError:
                continue
            if msg.type == aiohttp.WSMsgType.TEXT:
                try:
                    return json.loads(msg.data)
                except ValueError:
                    await ws.send_json(
                        {"statusInfo": {"code": 1002, "message": "Payload is not valid JSON"}}
                    )
                    await ws.close()
                    return None
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.ERROR,
            ):
                return None
        abort_prepared(ctx, ws)  # the emulator stops: no closing handshake
        return None


@api.get("/audio/wss", public=True)
async def audio_wss(ctx: Ctx) -> Result:
    """WSS audio/wss?token=: the TTS WebSocket (token from POST audio/create-stream)."""
    token = ctx.query.get("token", "")
    ticket = ctx.state.stream_tickets.get(token)
    if ticket is None:
        return Reply(status=400, body={"error": "Invalid or expired token"})
    if ctx.request.headers.get("Upgrade", "").lower() != "websocket":
        return Reply(status=400, body={"error": "WebSocket upgrade expected"})
    ticket.used += 1
    return _AudioSocket(ticket)


@api.get("/audio/voices")
@query_account
async def get_audio_voices(ctx: Ctx, acc: Account) -> Result:
    """GET audio/voices: system voices filtered by ``tag_list`` (or cloned: ``is_system=false``)."""
    state = ctx.state
    if not as_bool(ctx.query.get("is_system"), True):
        voices = [
            A.cloned_voice_body(v, state)
            for v in state.voices.values()
            if v.account == acc.account and not v.deleted
        ]
        return ok({"voice_list": voices, "total": len(voices), "has_more": False})
    tags = [t.strip() for t in (ctx.query.get("tag_list") or "").split(",") if t.strip()]
    matching = [v for v in VOICES if all(t in v["tag_list"] for t in tags)]
    page = max(1, as_int(ctx.query.get("page")) or 1)
    size = max(1, as_int(ctx.query.get("page_size")) or 500)
    chunk = matching[(page - 1) * size : page * size]
    return ok(
        {
            "voice_list": [A.voice_body(v, state) for v in chunk],
            "total": len(matching),
            "has_more": page * size < len(matching),
        }
    )


@api.get("/audio/config")
@query_account
async def get_audio_config(ctx: Ctx, acc: Account) -> Result:
    """GET audio/config: emotions and voice tags."""
    return ok(
        {
            "t2a_emotion": [
                {"label": e.title(), "value": e}
                for e in ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
            ],
            "voice_tag_accent": [
                {"language": "English", "tag_name": t}
                for t in ("US (General)", "English", "Indian")
            ],
            "voice_tag_age": [
                {"tag_name": t} for t in ("Young Adult", "Adult", "Middle-Aged", "Senior")
            ],
            "voice_tag_gender": [{"tag_name": "Male"}, {"tag_name": "Female"}],
            "voice_tag_language": [
                {"tag_name": t} for t in ("English", "Chinese", "Spanish", "French", "Italian")
            ],
        }
    )


@api.get("/audio")
@query_account
async def list_audio(ctx: Ctx, acc: Account) -> Result:
    """GET audio: generated clips, newest first (``page``, ``page_size`` default 100)."""
    clips = [c for c in ctx.state.audio.values() if c.account == acc.account and not c.deleted]
    clips.sort(key=lambda c: c.audio_id, reverse=True)
    page = max(1, as_int(ctx.query.get("page")) or 1)
    size = max(1, as_int(ctx.query.get("page_size")) or 100)
    chunk = clips[(page - 1) * size : page * size]
    return ok(
        {
            "audio_list": [A.audio_list_item(c, ctx.state) for c in chunk],
            "total": len(clips),
            "has_more": page * size < len(clips),
        }
    )


@api.get("/audio/{audio_id}")
async def get_audio(ctx: Ctx) -> Result:
    """GET audio/{audio_id}: one clip with its voice and settings."""
    return retrieve(ctx, "audio_id", ctx.state.audio.get, A.audio_detail_body)


@api.delete("/audio/{audio_id}")
async def delete_audio(ctx: Ctx) -> Result:
    """DELETE audio/{audio_id}: always 200."""
    return soft_delete(ctx.state.audio.get(ctx.params["audio_id"]))


@api.post("/audio/clone-voice")
@requires_field("voice_name")
async def post_clone_voice(ctx: Ctx, fields: Fields, name: str) -> Result:
    """POST audio/clone-voice: a cloned voice from uploaded samples (4 per account)."""
    if len(name) > 30:
        return fail(400, "Parameter voice_name is longer than 30 characters")
    language = fields.text("language_tag")
    if not language:
        return fail(400, "Parameter language_tag is required")
    files = [f.strip() for f in (fields.text("files") or "").split(",") if f.strip()]
    if not files or len(files) > 10:
        return fail(400, "Parameter files must list 1 to 10 fileID values")
    for file_id in files:
        bad = check_file_id(file_id, "files")
        if bad is not None:
            return bad
    acc = resolve_account(ctx, fields.text("account"))
    if isinstance(acc, Reply):
        return acc
    state = ctx.state
    mine = [v for v in state.voices.values() if v.account == acc.account and not v.deleted]
    if len(mine) >= 4:
        return fail(400, "No free slots for cloned voices (4 per account)")
    voice = Voice(
        voice_id=state.make_id(acc.account, "audio", state.number()),
        account=acc.account,
        name=name,
        language_tag=language,
        file_ids=files,
        created_wall=state.clock.wall(),
    )
    state.voices[voice.voice_id] = voice
    return ok(A.cloned_voice_body(voice, state))


@api.post("/audio/upload-sample")
async def post_upload_sample(ctx: Ctx) -> Result:
    """POST audio/upload-sample: raw mp3/wav body -> ``ossPath`` and ``fileID``."""
    return await receive_upload(ctx, SAMPLE_TYPES, "samples", sample=True)


@api.post("/audio/delete-voice")
@requires_field("voice_id")
async def post_delete_voice(ctx: Ctx, fields: Fields, voice_id: str) -> Result:
    """POST audio/delete-voice: always 200."""
    return soft_delete(ctx.state.voices.get(voice_id))
