"""What the emulator keeps per account, job, file and request (its state's records).

Job states are never advanced by timers: each job stores when it was created and how long
each phase lasts (:class:`Lifecycle`), and its status is computed from the clock whenever it
is looked at.
"""

from __future__ import annotations

import hashlib
from typing import Any

import attrs

from ._clock import iso

__all__ = [
    "Account",
    "AgentJob",
    "AudioClip",
    "CallbackRecord",
    "Chat",
    "FileRecord",
    "Image",
    "Lifecycle",
    "MediaBlob",
    "Music",
    "RecordedRequest",
    "StreamTicket",
    "Video",
    "Voice",
]


@attrs.define(eq=False, kw_only=True)
class Account:
    """A configured MiniMax account (as POST accounts stores it)."""

    account: str
    url: str = "https://hailuoai.video/v3/api/multimodal/video/my/cursor"
    token: str = ""
    max_jobs: int = 3
    credits: int = 1_000_000
    hold: bool = False
    image_queue_length: int = 5
    agent_capacity: int = 5
    support_video: bool = True
    support_chat: bool = True
    support_audio: bool = True
    support_music: bool = True
    created_wall: float = 0.0


@attrs.define(eq=False, kw_only=True)
class MediaBlob:
    data: bytes
    content_type: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.data).hexdigest()[:20] + '"'


@attrs.define(eq=False, kw_only=True)
class Lifecycle:
    """Phases of a job on the virtual clock: queued (11), pending (0), processing, final."""

    created: float
    created_wall: float
    queued_for: float
    pending_for: float
    processing_for: float
    final_status: int = 2
    processing_status: int = 1
    queued_status: int = 11
    pending_status: int = 0
    remove_when_final: bool = False
    cancelled_at: float | None = None
    started_iso: str = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.started_iso = iso(self.created_wall)

    @property
    def natural_end(self) -> float:
        return self.created + self.queued_for + self.pending_for + self.processing_for

    @property
    def ends_at(self) -> float:
        if self.cancelled_at is not None and self.cancelled_at < self.natural_end:
            return self.cancelled_at
        return self.natural_end

    def is_final(self, now: float) -> bool:
        return now >= self.ends_at

    def is_removed(self, now: float) -> bool:
        return self.remove_when_final and self.cancelled_at is None and self.is_final(now)

    def _percent(self, at: float) -> int:
        start = self.created + self.queued_for + self.pending_for
        if at <= start or self.processing_for <= 0:
            return 0 if at <= start else 99
        done = (at - start) / self.processing_for
        return max(1, min(99, 1 + int(98 * done)))

    def phase(self, now: float) -> tuple[int, int, str]:
        """``(status, percent, message)`` at virtual time ``now``."""
        cancelled = self.cancelled_at
        if cancelled is not None and cancelled <= now and cancelled < self.natural_end:
            return 3, self._percent(cancelled), "Cancelled"
        elapsed = now - self.created
        if elapsed < self.queued_for:
            return self.queued_status, 0, "In queue"
        if elapsed < self.queued_for + self.pending_for:
            return self.pending_status, 0, "Pending"
        if now < self.natural_end:
            return self.processing_status, self._percent(now), "Generating"
        if self.final_status == 2:
            return 2, 100, ""
        if self.final_status == 3:
            return 3, 99, "Generation failed"
        return self.final_status, 99, "Content moderated"


@attrs.define(eq=False, kw_only=True)
class Video:
    """A video job (``videos/create`` or ``videos/agent-create``)."""

    video_id: str
    id: str
    account: str
    prompt: str
    model: str
    options: str
    batch_id: str
    life: Lifecycle
    width: int
    height: int
    file_id: str | None = None
    end_frame_file_id: str | None = None
    reply_url: str = ""
    reply_ref: str = ""
    source: str = "videos/create"
    prompt_optimization: bool = False
    extra: dict[str, Any] = attrs.field(factory=dict)
    deleted: bool = False
    untracked: bool = False
    notified: bool = False

    def running(self, now: float) -> bool:
        return not (self.deleted or self.untracked or self.life.is_final(now))


@attrs.define(eq=False, kw_only=True)
class Image:
    """One image of an ``images/create`` batch."""

    image_id: str
    id: str
    account: str
    prompt: str
    model: str
    aspect_ratio: str
    resolution: str
    batch_id: str
    life: Lifecycle
    width: int
    height: int
    character_file_id: str | None = None
    reference_file_ids: list[str] = attrs.field(factory=list)
    reply_url: str = ""
    reply_ref: str = ""
    prompt_optimization: bool = True
    deleted: bool = False
    untracked: bool = False
    notified: bool = False

    def running(self, now: float) -> bool:
        return not (self.untracked or self.life.is_final(now))


@attrs.define(eq=False, kw_only=True)
class FileRecord:
    """An uploaded file (``POST files`` or ``POST audio/upload-sample``)."""

    file_id: str
    id: str
    account: str
    content_type: str
    size: int
    created_wall: float
    media_path: str
    stored: bool = True
    deleted: bool = False
    sample: bool = False


@attrs.define(eq=False, kw_only=True)
class AgentJob:
    """A ``POST agent`` job (sync or async)."""

    job_id: str
    account: str
    prompt: str
    models: list[str]
    files: list[dict[str, Any]]
    async_mode: bool
    created: float
    created_wall: float
    duration: float
    outcome: str  # "completed" | "failed" | "timeout"
    project_id: str
    section_id: str
    chat_id: str
    attachments: list[dict[str, Any]]
    reply_url: str = ""
    reply_ref: str = ""
    notified: bool = False

    @property
    def ends_at(self) -> float:
        return self.created + self.duration

    def running(self, now: float) -> bool:
        return now < self.ends_at

    def status(self, now: float) -> str:
        if now < self.ends_at:
            return "started"
        return "completed" if self.outcome == "completed" else "failed"


@attrs.define(eq=False, kw_only=True)
class Music:
    """A ``music/create`` song: status 0 -> 1 -> 2 (or 4, moderated)."""

    music_id: str
    id: str
    account: str
    lyrics: str
    style_id: str
    style: str
    title: str
    duration: int
    life: Lifecycle
    deleted: bool = False


@attrs.define(eq=False, kw_only=True)
class Chat:
    """An LLM chat with its messages."""

    chat_id: str
    account: str
    title: str
    model: str
    created_wall: float
    updated_wall: float
    messages: list[dict[str, Any]] = attrs.field(factory=list)
    deleted: bool = False


@attrs.define(eq=False, kw_only=True)
class AudioClip:
    """A text-to-speech clip (``audio/create-mp3`` or the audio WebSocket)."""

    audio_id: str
    account: str
    text: str
    voice_id: str
    created_wall: float
    media_path: str
    settings: dict[str, Any] = attrs.field(factory=dict)
    size: int = 0
    deleted: bool = False


@attrs.define(eq=False, kw_only=True)
class Voice:
    """A voice cloned with ``audio/clone-voice``."""

    voice_id: str
    account: str
    name: str
    language_tag: str
    file_ids: list[str]
    created_wall: float
    deleted: bool = False


@attrs.define(eq=False, kw_only=True)
class StreamTicket:
    """A token issued by ``audio/create-stream`` for the audio WebSocket."""

    token: str
    account: str
    payload: dict[str, Any]
    used: int = 0


@attrs.define(eq=False, kw_only=True)
class RecordedRequest:
    """One request as the emulator received it (``path`` is relative to the API base)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body_bytes_len: int = 0
    route: str | None = None
    status: int | None = None
    fault: str | None = None


@attrs.define(eq=False, kw_only=True)
class CallbackRecord:
    """A ``replyUrl`` callback the emulator POSTed."""

    url: str
    payload: dict[str, Any]
    job_id: str
    status: int | None = None
    error: str | None = None
