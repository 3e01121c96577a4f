"""Routes of ``resources/music.py`` (decommissioned upstream): create, retrieve, list, styles."""

from __future__ import annotations

import attrs

from .. import _payloads as P
from .._catalog import MUSIC_STYLES
from .._http import (
    Ctx,
    Reply,
    Result,
    RouteTable,
    as_int,
    fail,
    ok,
)
from .._media import mp3_bytes, png_bytes
from .._state import (
    Account,
    Music,
    parse_triggers,
)
from ._common import (
    listed,
    older_than,
    query_account,
    resolve_account,
    retrieve,
    upstream_checks,
)

api = RouteTable()


def _style(style_id: str) -> str | None:
    for group in MUSIC_STYLES:
        for style in group["styles"]:
            if style["styleId"] == style_id:
                return str(style["name"])
    return None


@api.get("/music/create")
async def get_music_create(ctx: Ctx) -> Result:
    """GET music/create: start a song (one at a time per account); 0/1 -> 2 (or 4)."""
    state = ctx.state
    prompt = ctx.query.get("prompt")
    if not prompt:
        return fail(400, "Parameter prompt is required")
    if len(prompt) > 600:
        return fail(400, "Parameter prompt is longer than 600 characters")
    style_id = ctx.query.get("styleId")
    if not style_id:
        return fail(400, "Parameter styleId is required")
    style = _style(style_id)
    if style is None:
        return fail(400, f"Unknown styleId {style_id}")
    acc = resolve_account(ctx, ctx.query.get("account"))
    if isinstance(acc, Reply):
        return acc
    if state.running_music(acc.account):
        return fail(429, "The previous request has not been completed yet. Please try again later.")
    triggers = parse_triggers(prompt)
    if triggers.reject:
        return fail(422, "Moderated prompt")
    refusal = upstream_checks(ctx, acc, attrs.evolve(triggers, reject=False), None, 1)
    if refusal is not None:
        return refusal
    acc.credits -= 1
    life = state.lifecycle(state.music_phases, triggers)
    life.queued_status = 0
    if life.final_status != 2:
        life.final_status = 4
    n = state.number()
    song = Music(
        music_id=state.make_id(acc.account, "music", n),
        id=n,
        account=acc.account,
        lyrics=prompt,
        style_id=style_id,
        style=style,
        title=ctx.query.get("title") or "",
        duration=30 + int(n) % 30,
        life=life,
    )
    state.put_media(f"music/{n}/song.mp3", mp3_bytes(), "audio/mpeg")
    state.put_media(f"music/{n}/cover.png", png_bytes(48, 48, int(n) % 1000), "image/png")
    state.music[song.music_id] = song
    return ok(
        {
            "musicId": song.music_id,
            "audioURL": state.media_url(f"music/{n}/song.mp3"),
            "duration": song.duration,
        }
    )


@api.get("/music/{musicId}")
async def get_music(ctx: Ctx) -> Result:
    """GET music/{musicId}: status 0/1 running, 2 completed, 4 moderated."""
    return retrieve(ctx, "musicId", ctx.state.music.get, P.music_body)


@api.get("/music")
@query_account
async def list_music(ctx: Ctx, acc: Account) -> Result:
    """GET music: the account's songs (moderated ones excluded), ``limit``, ``lastMusicId``."""
    state = ctx.state
    now = state.now()
    shown = [s for s in listed(state.music.values(), acc, now) if s.life.phase(now)[0] != 4]
    songs = older_than(ctx, shown, "lastMusicId", bare_number=False)
    if isinstance(songs, Reply):
        return songs
    limit = as_int(ctx.query.get("limit")) or 20
    return ok([P.music_body(s, state) for s in songs[:limit]])


@api.get("/music/styles")
@query_account
async def get_music_styles(ctx: Ctx, acc: Account) -> Result:
    """GET music/styles: style groups with sample URLs and ``styleId`` values."""
    state = ctx.state
    if "music/sample.mp3" not in state.media:
        state.put_media("music/sample.mp3", mp3_bytes(), "audio/mpeg")
    return ok(
        [
            {
                "name": group["name"],
                "styles": [
                    {
                        "url": state.media_url("music/sample.mp3"),
                        "styleId": s["styleId"],
                        "name": s["name"],
                    }
                    for s in group["styles"]
                ],
            }
            for group in MUSIC_STYLES
        ]
    )
