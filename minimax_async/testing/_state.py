"""In-memory state of the emulator: accounts, jobs, the virtual clock and the request log.

The records themselves are in :mod:`._records` and the clock in :mod:`._clock` (both names are
importable from here too); this module holds :class:`EmulatorState`, trigger words and ids.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
import re
from collections.abc import Iterable
from typing import Any, TypeVar

import attrs

from ._clock import Clock, iso, mmss
from ._live import LiveJobs
from ._media import mp4_bytes, png_bytes
from ._records import (
    Account,
    AgentJob,
    AudioClip,
    CallbackRecord,
    Chat,
    FileRecord,
    Image,
    Lifecycle,
    MediaBlob,
    Music,
    RecordedRequest,
    StreamTicket,
    Video,
    Voice,
)

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
    "fake_jwt",
    "iso",
    "jwt_user_id",
    "mmss",
    "parse_id",
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
#: The media types of a job's files by their ending (:meth:`EmulatorState.put_job_media`).
_JOB_MEDIA_TYPES = {"mp4": "video/mp4", "png": "image/png"}
#: The jobs the state counts as running and sends ``replyUrl`` callbacks for.
_Tracked = TypeVar("_Tracked", Video, Image, AgentJob)
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
    #: Files uploaded to the official platform's ``POST /minimax/v1/files/upload``, by file_id.
    platform_files: dict[int, dict[str, Any]] = attrs.field(factory=dict)
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
    _live_videos: LiveJobs[Video] = attrs.field(factory=lambda: LiveJobs(_life_end))
    _live_images: LiveJobs[Image] = attrs.field(factory=lambda: LiveJobs(_life_end))
    _live_agents: LiveJobs[AgentJob] = attrs.field(factory=lambda: LiveJobs(_agent_end))
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

    def put_job_media(
        self, folder: str, ext: str, clean: bytes, watermarked: bytes, cover: bytes
    ) -> None:
        """A video's or image's three files, where its body's URLs point:
        ``<folder>/nowatermark.<ext>``, ``<folder>/watermark.<ext>``, ``<folder>/cover.png``."""
        content_type = _JOB_MEDIA_TYPES[ext]
        self.put_media(f"{folder}/nowatermark.{ext}", clean, content_type)
        self.put_media(f"{folder}/watermark.{ext}", watermarked, content_type)
        self.put_media(f"{folder}/cover.png", cover, "image/png")

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

    def running_videos(self, account: str | None = None) -> list[Video]:
        return self._live_videos.running(self.now(), account)

    def running_images(self, account: str | None = None) -> list[Image]:
        return self._live_images.running(self.now(), account)

    def add_image(self, image: Image) -> None:
        self.images[image.image_id] = image
        self._track(image.image_id, image, self._live_images)

    def add_agent_job(self, job: AgentJob) -> None:
        self.agent_jobs[job.job_id] = job
        self._track(job.job_id, job, self._live_agents)

    def _track(self, key: str, job: _Tracked, live: LiveJobs[_Tracked]) -> None:
        """Count a new job as running on its account until it ends and, when it has a
        ``replyUrl``, as owed a callback (the sender is woken to plan it)."""
        live.add(key, job)
        if job.reply_url:
            self._callback_jobs[key] = job
            self.wake()

    def running_image_batches(self, account: str) -> int:
        return len({i.batch_id for i in self.running_images(account)})

    def running_agent_jobs(self, account: str | None = None) -> list[AgentJob]:
        return self._live_agents.running(self.now(), account)

    def running_music(self, account: str) -> list[Music]:
        now = self.now()
        return [
            m
            for m in self.music.values()
            if m.account == account and not m.life.is_final(now) and not m.deleted
        ]

    def free_accounts(self, max_jobs: int | None = None) -> list[Account]:
        """Accounts that can take one more video (``max_jobs`` overrides their ``maxJobs``)."""
        return [
            acc
            for acc in self.accounts.values()
            if acc.support_video and self.has_capacity(acc, max_jobs)
        ]

    def has_capacity(self, account: Account, max_jobs: int | None = None) -> bool:
        limit = max_jobs or account.max_jobs
        name, now = account.account, self.now()
        # The count is an upper bound: only a full-looking account needs the exact look.
        live = self._live_videos
        return live.count(name, now) < limit or len(live.running(now, name)) < limit

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
        self.put_job_media(
            f"videos/{n}",
            "mp4",
            mp4_bytes(*size, seed, False),
            mp4_bytes(*size, seed, True),
            png_bytes(64, 36, seed),
        )
        self.videos[video.video_id] = video
        self._track(video.video_id, video, self._live_videos)
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


def _life_end(job: Video | Image) -> float:
    return job.life.ends_at


def _agent_end(job: AgentJob) -> float:
    return job.ends_at
