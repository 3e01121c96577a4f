"""In-memory state of the emulator: accounts, jobs, the virtual clock and the request log.

Job states are never advanced by timers: each job stores when it was created and how long
each phase lasts, and its status is computed from the clock whenever it is looked at. The
clock is monotonic, scaled by ``speed`` and shifted by :meth:`Clock.advance`.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as _dt
import hashlib
import json
import random
import re
import time
from collections.abc import Iterable
from typing import Any

import attrs

from ._media import mp4_bytes, png_bytes

__all__ = [
    "Account",
    "AgentJob",
    "AudioClip",
    "CallbackRecord",
    "Chat",
    "Clock",
    "EmulatorState",
    "FileRecord",
    "Image",
    "MediaBlob",
    "Music",
    "RecordedRequest",
    "StreamTicket",
    "TRIGGER_WORDS",
    "Triggers",
    "Video",
    "Voice",
    "parse_triggers",
]

#: Words that, found anywhere in a prompt (case-insensitive), steer the emulated outcome.
TRIGGER_WORDS: dict[str, str] = {
    "[moderate5]": "the job runs its course, then ends in status 5 (moderated); music ends in 4",
    "[moderate7]": "the job runs its course, then ends in status 7 (moderated); music ends in 4",
    "[moderate14]": "the job runs its course, then ends in status 14 (moderated); music ends in 4",
    "[moderate-404]": (
        "the job runs its course, then is moderated and removed: GET answers 404 "
        '{"error": "Not found.", "code": 404} and list endpoints drop it'
    ),
    "[fail]": "the job ends in status 3 (failed); an agent job ends 'failed' (sync mode: 500)",
    "[timeout]": "agent only: the job fails after 15 minutes with error status 504",
    "[reject]": "the create call answers 422 (moderated prompt)",
    "[no-credits]": "the create call answers 412 (insufficient credits)",
    "[hold]": "the create call answers 596 (account on hold)",
    "[queue-full]": (
        "the create call answers 429 as relayed from MiniMax "
        '({"error": "YOU CAN QUEUE 3 JOBS AT ONCE", ...}, no runningVideos)'
    ),
}

_STATUS_LABELS = {
    0: "pending",
    1: "processing",
    2: "completed",
    3: "failed",
    4: "moderated",
    5: "moderated",
    7: "moderated",
    11: "queued",
    12: "processing",
    14: "moderated",
}
VIDEO_FINAL = frozenset({2, 3, 5, 7, 14})
MUSIC_FINAL = frozenset({2, 4})


def status_label(status: int) -> str:
    return _STATUS_LABELS.get(status, "unknown")


@attrs.frozen
class Triggers:
    """What a prompt asks the emulator to do (see :data:`TRIGGER_WORDS`)."""

    final_status: int = 2
    remove: bool = False
    timeout: bool = False
    reject: bool = False
    no_credits: bool = False
    hold: bool = False
    queue_full: bool = False


def parse_triggers(prompt: str | None) -> Triggers:
    text = (prompt or "").lower()
    final = 2
    for word, status in (("[moderate5]", 5), ("[moderate7]", 7), ("[moderate14]", 14)):
        if word in text:
            final = status
    remove = "[moderate-404]" in text
    if remove:
        final = 7
    if "[fail]" in text:
        final = 3
    return Triggers(
        final_status=final,
        remove=remove,
        timeout="[timeout]" in text,
        reject="[reject]" in text,
        no_credits="[no-credits]" in text,
        hold="[hold]" in text,
        queue_full="[queue-full]" in text,
    )


class Clock:
    """Virtual time: ``monotonic() * speed + advanced offset``, in seconds since start.

    ``speed=0`` freezes time; only :meth:`advance` moves it then.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self.speed = float(speed)
        self._start = time.monotonic()
        self._wall_start = time.time()
        self._offset = 0.0
        self._changed: asyncio.Event | None = None

    def now(self) -> float:
        """Virtual seconds since the emulator started."""
        return (time.monotonic() - self._start) * self.speed + self._offset

    def wall(self, at: float | None = None) -> float:
        """Epoch seconds (as shown in timestamps) for virtual time ``at`` (default: now)."""
        return self._wall_start + (self.now() if at is None else at)

    def advance(self, seconds: float) -> None:
        """Move the clock forward instantly and wake everything waiting on it."""
        if seconds < 0:
            raise ValueError("cannot move the clock backwards")
        self._offset += seconds
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def changed_event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def real_delay(self, until: float) -> float | None:
        """Real seconds until virtual time ``until`` (None: never, the clock is frozen)."""
        remaining = until - self.now()
        if remaining <= 0:
            return 0.0
        if self.speed == 0:
            return None
        return remaining / self.speed


def iso(wall: float) -> str:
    stamp = _dt.datetime.fromtimestamp(wall, tz=_dt.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


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


def fake_jwt(user_id: str, wall: float) -> str:
    def enc(obj: dict[str, Any]) -> str:
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = enc({"alg": "HS256", "typ": "JWT"})
    payload = enc(
        {
            "exp": int(wall) + 30 * 86400,
            "user": {"id": user_id, "name": "emulator", "avatar": "", "deviceID": ""},
        }
    )
    sig = hashlib.sha256(f"{header}.{payload}".encode()).hexdigest()[:43]
    return f"{header}.{payload}.{sig}"


def jwt_user_id(token: str) -> str | None:
    """The ``user.id`` claim of a JWT, if it can be read (no signature check)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
        user = claims.get("user") if isinstance(claims, dict) else None
        uid = user.get("id") if isinstance(user, dict) else None
    except (ValueError, TypeError):
        return None
    return str(uid) if isinstance(uid, (str, int)) and str(uid).isdigit() else None


_ID_RE = re.compile(r"^user:(?P<user>[^-]*)-minimax:(?P<account>[^-]*)-(?P<kind>[a-z]+):(?P<n>.+)$")


def parse_id(value: str) -> tuple[str, str, str, str] | None:
    """Split ``user:<uid>-minimax:<account>-<kind>:<n>`` into its four parts."""
    match = _ID_RE.match(value)
    if match is None:
        return None
    return match["user"], match["account"], match["kind"], match["n"]


@attrs.define(eq=False, kw_only=True)
class EmulatorState:
    """Everything the emulator knows; mappings are keyed by the full documented ids."""

    clock: Clock
    rng: random.Random
    user_id: str
    accounts: dict[str, Account] = attrs.field(factory=dict)
    files: dict[str, FileRecord] = attrs.field(factory=dict)
    videos: dict[str, Video] = attrs.field(factory=dict)
    images: dict[str, Image] = attrs.field(factory=dict)
    agent_jobs: dict[str, AgentJob] = attrs.field(factory=dict)
    music: dict[str, Music] = attrs.field(factory=dict)
    chats: dict[str, Chat] = attrs.field(factory=dict)
    audio: dict[str, AudioClip] = attrs.field(factory=dict)
    voices: dict[str, Voice] = attrs.field(factory=dict)
    stream_tickets: dict[str, StreamTicket] = attrs.field(factory=dict)
    media: dict[str, MediaBlob] = attrs.field(factory=dict)
    requests: list[RecordedRequest] = attrs.field(factory=list)
    callbacks: list[CallbackRecord] = attrs.field(factory=list)
    #: Prompts with fewer non-blank characters than this get 422 "too short".
    min_prompt_chars: int = 4
    #: (queued, pending, processing) virtual seconds: about 2 minutes for a video.
    video_phases: tuple[float, float, float] = (10.0, 10.0, 100.0)
    image_phases: tuple[float, float, float] = (2.0, 2.0, 16.0)
    music_phases: tuple[float, float, float] = (0.0, 3.0, 27.0)
    #: Agent job durations (virtual seconds) without / with a video model.
    agent_durations: tuple[float, float] = (45.0, 120.0)
    #: Probability that a video is reported with processing status 12 instead of 1.
    status12_ratio: float = 0.25
    #: Where ``GET scheduler`` puts an image's id: ``"both"`` (default), ``"videoId"`` only
    #: (the docs' example) or ``"imageId"`` only (the docs' model).
    scheduler_image_field: str = attrs.field(
        default="both", validator=attrs.validators.in_(("both", "videoId", "imageId"))
    )
    #: Set by the server once it knows its address, e.g. ``http://127.0.0.1:8787``.
    origin: str = ""
    #: Origin used in media URLs (default: ``origin``). Set it to another name of the same
    #: server (``http://localhost:PORT``) to check that a client keeps its API token to the
    #: API's host.
    media_origin: str = ""
    _counter: int = 0
    _wake: asyncio.Event | None = None
    _live_videos: dict[str, Video] = attrs.field(factory=dict)
    _live_images: dict[str, Image] = attrs.field(factory=dict)
    _live_agents: dict[str, AgentJob] = attrs.field(factory=dict)
    _callback_jobs: dict[str, Video | Image | AgentJob] = attrs.field(factory=dict)

    # ---- ids and time -------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def wall_ms(self, at: float | None = None) -> int:
        return int(self.clock.wall(at) * 1000)

    def number(self) -> str:
        """A fresh, increasing 18-digit number used as the last part of ids."""
        if self._counter == 0:
            self._counter = 400_000_000_000_000_000 + self.rng.randrange(10**16)
        self._counter += self.rng.randrange(1, 10_000)
        return str(self._counter)

    def short_number(self, digits: int = 9) -> str:
        return str(self.rng.randrange(10 ** (digits - 1), 10**digits))

    def make_id(self, account: str, kind: str, n: str | None = None) -> str:
        return f"user:{self.user_id}-minimax:{account}-{kind}:{n or self.number()}"

    def media_url(self, path: str) -> str:
        return f"{self.media_origin or self.origin}/media/{path.lstrip('/')}"

    def put_media(self, path: str, data: bytes, content_type: str) -> str:
        path = path.lstrip("/")
        self.media[path] = MediaBlob(data=data, content_type=content_type)
        return self.media_url(path)

    # ---- wake-ups for the callback sender ------------------------------------------------

    def wake_event(self) -> asyncio.Event:
        if self._wake is None:
            self._wake = asyncio.Event()
        return self._wake

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    # ---- accounts and capacity -----------------------------------------------------------

    def add_account(
        self,
        account: str | None = None,
        *,
        max_jobs: int = 3,
        token: str | None = None,
        url: str | None = None,
    ) -> Account:
        if account is None:
            account = str(900_000_001 + len(self.accounts))
            while account in self.accounts:
                account = str(int(account) + 1)
        existing = self.accounts.get(account)
        wall = self.clock.wall()
        acc = existing or Account(account=account, created_wall=wall)
        acc.max_jobs = max_jobs
        acc.agent_capacity = max(acc.agent_capacity, max_jobs)
        acc.token = token or acc.token or fake_jwt(account, wall)
        if url:
            acc.url = url
        self.accounts[account] = acc
        return acc

    def _prune(self, live: dict[str, Any], now: float) -> list[Any]:
        """The still-running jobs of ``live``; ended ones are dropped (they never restart)."""
        running = []
        for key, job in list(live.items()):
            if job.running(now):
                running.append(job)
            else:
                del live[key]
        return running

    def running_videos(self, account: str | None = None) -> list[Video]:
        jobs: list[Video] = self._prune(self._live_videos, self.now())
        return [v for v in jobs if account is None or v.account == account]

    def running_images(self, account: str | None = None) -> list[Image]:
        jobs: list[Image] = self._prune(self._live_images, self.now())
        return [i for i in jobs if account is None or i.account == account]

    def add_image(self, image: Image) -> None:
        self.images[image.image_id] = image
        self._live_images[image.image_id] = image
        if image.reply_url:
            self._callback_jobs[image.image_id] = image
            self.wake()

    def add_agent_job(self, job: AgentJob) -> None:
        self.agent_jobs[job.job_id] = job
        self._live_agents[job.job_id] = job
        if job.reply_url:
            self._callback_jobs[job.job_id] = job
            self.wake()

    def running_image_batches(self, account: str) -> int:
        return len({i.batch_id for i in self.running_images(account)})

    def running_agent_jobs(self, account: str | None = None) -> list[AgentJob]:
        jobs: list[AgentJob] = self._prune(self._live_agents, self.now())
        return [j for j in jobs if account is None or j.account == account]

    def running_music(self, account: str) -> list[Music]:
        now = self.now()
        return [
            m
            for m in self.music.values()
            if m.account == account and not m.life.is_final(now) and not m.deleted
        ]

    def free_accounts(self, max_jobs: int | None = None) -> list[Account]:
        counts: dict[str, int] = {}
        for v in self.running_videos():
            counts[v.account] = counts.get(v.account, 0) + 1
        return [
            acc
            for acc in self.accounts.values()
            if acc.support_video and counts.get(acc.account, 0) < (max_jobs or acc.max_jobs)
        ]

    def has_capacity(self, account: Account, max_jobs: int | None = None) -> bool:
        return len(self.running_videos(account.account)) < (max_jobs or account.max_jobs)

    # ---- job factories -------------------------------------------------------------------

    def lifecycle(self, phases: tuple[float, float, float], triggers: Triggers) -> Lifecycle:
        now = self.now()
        queued, pending, processing = phases
        return Lifecycle(
            created=now,
            created_wall=self.clock.wall(now),
            queued_for=queued,
            pending_for=pending,
            processing_for=processing,
            final_status=triggers.final_status,
            remove_when_final=triggers.remove,
        )

    def create_video(
        self,
        *,
        account: Account,
        prompt: str,
        model: str,
        options: str,
        size: tuple[int, int],
        triggers: Triggers,
        file_id: str | None = None,
        end_frame_file_id: str | None = None,
        reply_url: str = "",
        reply_ref: str = "",
        source: str = "videos/create",
        prompt_optimization: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> Video:
        n = self.number()
        life = self.lifecycle(self.video_phases, triggers)
        if self.rng.random() < self.status12_ratio:
            life.processing_status = 12
        video = Video(
            video_id=self.make_id(account.account, "video", n),
            id=n,
            account=account.account,
            prompt=prompt,
            model=model,
            options=options,
            batch_id=self.number(),
            life=life,
            width=size[0],
            height=size[1],
            file_id=file_id,
            end_frame_file_id=end_frame_file_id,
            reply_url=reply_url,
            reply_ref=reply_ref,
            source=source,
            prompt_optimization=prompt_optimization,
            extra=dict(extra or {}),
        )
        seed = int(n) % 64
        self.put_media(f"videos/{n}/nowatermark.mp4", mp4_bytes(*size, seed, False), "video/mp4")
        self.put_media(f"videos/{n}/watermark.mp4", mp4_bytes(*size, seed, True), "video/mp4")
        self.put_media(f"videos/{n}/cover.png", png_bytes(64, 36, seed), "image/png")
        self.videos[video.video_id] = video
        self._live_videos[video.video_id] = video
        if reply_url:
            self._callback_jobs[video.video_id] = video
            self.wake()
        return video

    def find_video(self, video_id: str) -> Video | None:
        video = self.videos.get(video_id)
        if video is None:
            parsed = parse_id(video_id)
            if parsed is not None and parsed[2] == "video":
                for candidate in self.videos.values():
                    if candidate.id == parsed[3] and candidate.account == parsed[1]:
                        return candidate
        return video

    # ---- callbacks -----------------------------------------------------------------------

    def callback_candidates(self) -> Iterable[Video | Image | AgentJob]:
        """Jobs with a ``replyUrl`` whose callback is still to be sent."""
        for key, job in list(self._callback_jobs.items()):
            if job.notified or (not isinstance(job, AgentJob) and job.untracked):
                del self._callback_jobs[key]
            else:
                yield job

    def next_callback_due(self) -> float | None:
        due: float | None = None
        for job in self.callback_candidates():
            at = job.ends_at if isinstance(job, AgentJob) else job.life.ends_at
            if due is None or at < due:
                due = at
        return due
