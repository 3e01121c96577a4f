"""Every fault kind on every job-creating route: one job and its id, or none and a typed error.

Each case runs the SDK against the emulator with injected faults (``emu.faults``) and then
counts the jobs upstream (``emu.state``). The invariant, for every route and every kind:

* the call returned: exactly one job exists upstream and the call returned its id(s);
* the call raised a typed SDK error: at most one job exists upstream, and when one exists the
  error carries the ``reply_ref`` it was created with (found in ``emu.state`` by that ref).
  ``music/create`` and ``audio/create-mp3`` take no replyRef: there the error is
  :class:`JobCreationUnknownError` with ``reply_ref=None`` and the job is listed by the SDK's
  own ``music.list()`` / ``audio.list()`` (so its id is never out of reach).

The outcome of each case (``expected``) and how many times the create was sent are pinned
too, so a change of policy shows up here. The client's ``_sleep`` seam records and returns at
once, so back-offs, 429 waits and the scheduler checks cost nothing.
"""

from __future__ import annotations

import asyncio
import pathlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import pytest

from minimax_async import (
    AsyncMiniMax,
    JobCreationUnknownError,
    MiniMaxError,
    RateLimitError,
    ServerError,
    StreamError,
    StreamIdleTimeoutError,
    StreamTruncatedError,
    Video,
)
from minimax_async import _downloads as downloads
from minimax_async.resources import agent as agent_module
from minimax_async.testing import FAULT_KINDS, Emulator, run_emulator

from ._support import FAST, acquired, fast_client, ticking, wait_until

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # music, audio


class Upstream(NamedTuple):
    """One job as the emulator holds it: its id(s) and the replyRef it was created with."""

    ids: tuple[str, ...]
    reply_ref: str | None


Call = Callable[[AsyncMiniMax, Emulator, str], Awaitable[list[str]]]
Listed = Callable[[AsyncMiniMax], Awaitable[set[str]]]


class Creator(NamedTuple):
    name: str
    route: str
    call: Call
    upstream: Callable[[Emulator], list[Upstream]]
    #: Whether the SDK looks the job up by replyRef after an ambiguous outcome.
    reconciles: bool
    #: For routes without a replyRef: the ids the SDK lists for the account.
    listed: Listed | None = None
    stream: bool = False


# -- the calls --------------------------------------------------------------------------------


async def create_video(mm: AsyncMiniMax, emu: Emulator, ref: str) -> list[str]:
    job = await mm.videos.create(prompt="a cat playing the piano", reply_ref=ref)
    assert job.video_id
    return [job.video_id]


async def create_images(mm: AsyncMiniMax, emu: Emulator, ref: str) -> list[str]:
    job = await mm.images.create(prompt="a red fox in the snow", quantity=2, reply_ref=ref)
    assert job.image_ids
    return sorted(job.image_ids)


async def agent_run(mm: AsyncMiniMax, emu: Emulator, ref: str) -> list[str]:
    job = await mm.agent.run(prompt="a poster of a cat", models=["nano-banana-2"], reply_ref=ref)
    assert job.job_id
    assert job.status == "completed"
    return [job.job_id]


async def agent_submit(mm: AsyncMiniMax, emu: Emulator, ref: str) -> list[str]:
    job = await mm.agent.submit(prompt="a poster of a cat", models=["nano-banana-2"], reply_ref=ref)
    assert job.job_id
    return [job.job_id]


async def agent_create(mm: AsyncMiniMax, emu: Emulator, ref: str) -> list[str]:
    async with (
        ticking(emu),
        mm.stream_agent(
            template_id="1122334455667788",
            prompt="a neon city at night",
            reply_ref=ref,
            idle_timeout=0.5,
        ) as stream,
    ):
        async for _ in stream:
            pass
    assert stream.finished
    assert stream.video_id
    return [stream.video_id]


async def create_music(mm: AsyncMiniMax, emu: Emulator, ref: str) -> list[str]:
    job = await mm.music.create(prompt="la la la, the sun is out", style_id="1001")
    assert job.music_id
    return [job.music_id]


async def create_mp3(mm: AsyncMiniMax, emu: Emulator, ref: str) -> list[str]:
    clip = await mm.audio.create_mp3(text="Hello there, general", voice_id="209533299589184")
    assert clip.audio_id
    return [clip.audio_id]


# -- what is upstream -------------------------------------------------------------------------


def videos_from(source: str) -> Callable[[Emulator], list[Upstream]]:
    def upstream(emu: Emulator) -> list[Upstream]:
        return [
            Upstream((v.video_id,), v.reply_ref)
            for v in emu.state.videos.values()
            if v.source == source
        ]

    return upstream


def image_batches(emu: Emulator) -> list[Upstream]:
    batches: dict[str, list[Any]] = {}
    for image in emu.state.images.values():
        batches.setdefault(image.batch_id, []).append(image)
    return [
        Upstream(tuple(sorted(i.image_id for i in batch)), batch[0].reply_ref)
        for batch in batches.values()
    ]


def agent_jobs(emu: Emulator) -> list[Upstream]:
    return [Upstream((j.job_id,), j.reply_ref) for j in emu.state.agent_jobs.values()]


def songs(emu: Emulator) -> list[Upstream]:
    return [Upstream((m.music_id,), None) for m in emu.state.music.values()]


def clips(emu: Emulator) -> list[Upstream]:
    return [Upstream((c.audio_id,), None) for c in emu.state.audio.values()]


async def listed_music(mm: AsyncMiniMax) -> set[str]:
    return {song.music_id for song in await mm.music.list() if song.music_id}


async def listed_audio(mm: AsyncMiniMax) -> set[str]:
    page = await mm.audio.list()
    return {clip.audio_id for clip in page.audio_list or [] if clip.audio_id}


CREATORS = [
    Creator(
        "videos.create",
        "POST /videos/create",
        create_video,
        videos_from("videos/create"),
        reconciles=True,
    ),
    Creator("images.create", "POST /images/create", create_images, image_batches, reconciles=True),
    Creator("agent.run", "POST /agent", agent_run, agent_jobs, reconciles=False),
    Creator("agent.submit", "POST /agent", agent_submit, agent_jobs, reconciles=False),
    Creator(
        "stream_agent",
        "POST /videos/agent-create",
        agent_create,
        videos_from("videos/agent-create"),
        reconciles=False,
        stream=True,
    ),
    Creator(
        "music.create",
        "GET /music/create",
        create_music,
        songs,
        reconciles=False,
        listed=listed_music,
    ),
    Creator(
        "audio.create_mp3",
        "POST /audio/create-mp3",
        create_mp3,
        clips,
        reconciles=False,
        listed=listed_audio,
    ),
]
BY_NAME = {c.name: c for c in CREATORS}
KINDS = sorted(FAULT_KINDS)
#: Faults after which the job exists upstream (the handler ran) although the answer is bad.
JOB_THEN_FAULT = {
    "reset_after_accept",
    "502_after_accept",
    "504_after_accept",
    "malformed_json",
    "truncate_sse",
    "stall_sse",
}
#: Faults the request path cannot tell from a lost answer (no job was made, but maybe).
NO_JOB_AMBIGUOUS = {"reset", "502", "504"}


class Expected(NamedTuple):
    error: type[BaseException] | None  # None: the call returns the job
    job: bool  # a job exists upstream afterwards
    sends: int  # how many times the create request reached the emulator


def expected(creator: Creator, kind: str, persistent: bool) -> Expected:
    """What the SDK must do for ``kind`` on ``creator`` (once, or on every attempt)."""
    retries = 2  # the client's max_retries
    if kind == "html_error":  # a 500: raised, never resent (no job)
        return Expected(ServerError, False, 1)
    if kind == "slow_body":
        return Expected(None, True, 1)
    if kind == "429":  # create 429: waits 10-30 s (instantly here) and tries again
        if persistent:
            return Expected(RateLimitError, False, retries + 1)
        return Expected(None, True, 2)
    if creator.reconciles:
        if kind in JOB_THEN_FAULT:  # found by replyRef in GET scheduler, not resent
            return Expected(None, True, 1)
        # not found: resent with the same replyRef, until the retries run out
        if persistent:
            return Expected(JobCreationUnknownError, False, retries + 1)
        return Expected(None, True, 2)
    if creator.stream and kind in ("malformed_json", "truncate_sse", "stall_sse"):
        error = {
            "malformed_json": StreamError,
            "truncate_sse": StreamTruncatedError,
            "stall_sse": StreamIdleTimeoutError,
        }[kind]
        return Expected(error, True, 1)
    # No way to look the job up: never resent after an ambiguous outcome.
    return Expected(JobCreationUnknownError, kind in JOB_THEN_FAULT, 1)


def error_reply_ref(exc: BaseException) -> str | None:
    if isinstance(exc, JobCreationUnknownError):
        return exc.reply_ref
    if isinstance(exc, StreamError):
        ref = exc.seen.get("reply_ref")
        return ref if isinstance(ref, str) else None
    return None


class Case(NamedTuple):
    outcome: Any  # the returned ids, or the raised SDK error
    jobs: list[Upstream]
    ref: str
    sends: int
    listed: set[str]


async def run_case(
    creator: Creator,
    faults: list[tuple[str, str, int | None]],
) -> Case:
    ref = f"matrix-{creator.name}-{'-'.join(kind for _, kind, _ in faults)}"
    async with run_emulator(speed=0, seed=7, accounts=1, max_jobs=10) as emu:
        emu.state.agent_durations = (0.0, 0.0)  # sync agent answers at once on a frozen clock
        emu.faults.slow_body_delay = 0.002
        for route, kind, times in faults:
            emu.faults.add(route, kind, times=times)
        async with fast_client(emu) as mm:
            outcome: Any
            try:
                outcome = await creator.call(mm, emu, ref)
            except MiniMaxError as exc:
                outcome = exc
            emu.faults.clear()
            listed = await creator.listed(mm) if creator.listed is not None else set()
        sends = sum(1 for r in emu.state.requests if r.route == creator.route)
        return Case(outcome, creator.upstream(emu), ref, sends, listed)


def check_invariant(creator: Creator, case: Case) -> None:
    """One job and its id returned, or at most one job and a typed error that finds it."""
    outcome, jobs = case.outcome, case.jobs
    assert len(jobs) <= 1, f"duplicate jobs upstream: {jobs}"
    if not isinstance(outcome, BaseException):
        assert len(jobs) == 1, "the call returned but no job exists upstream"
        assert list(jobs[0].ids) == outcome, "the call returned another job's id"
        if creator.listed is None:
            assert jobs[0].reply_ref == case.ref
        return
    assert isinstance(outcome, MiniMaxError)
    if not jobs:
        return
    # A job exists and the call raised: the error must lead to it.
    if creator.listed is None:
        found = error_reply_ref(outcome)
        assert found == case.ref, f"job {jobs[0].ids} upstream but {outcome!r} lacks its ref"
        assert [j for j in jobs if j.reply_ref == found] == jobs
    else:
        assert isinstance(outcome, JobCreationUnknownError)
        assert outcome.reply_ref is None
        assert "takes no replyRef" in str(outcome)
        assert set(jobs[0].ids) <= case.listed, "the job is not even in the account's list"


def check_expected(creator: Creator, case: Case, want: Expected) -> None:
    if want.error is None:
        assert not isinstance(case.outcome, BaseException), repr(case.outcome)
    else:
        assert isinstance(case.outcome, want.error), repr(case.outcome)
        if want.error is StreamError:
            assert type(case.outcome) is StreamError
    assert bool(case.jobs) == want.job
    assert case.sends == want.sends


@pytest.fixture(autouse=True)
def _short_agent_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # agent.run waits up to 16 minutes by default; a stalled body must end quickly here.
    monkeypatch.setattr(agent_module, "AGENT_RUN_TIMEOUT", FAST)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("creator", CREATORS, ids=[c.name for c in CREATORS])
async def test_one_fault(creator: Creator, kind: str) -> None:
    """The next request to the route misbehaves once."""
    case = await run_case(creator, [(creator.route, kind, 1)])
    check_invariant(creator, case)
    check_expected(creator, case, expected(creator, kind, persistent=False))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("creator", CREATORS, ids=[c.name for c in CREATORS])
async def test_every_attempt_faulted(creator: Creator, kind: str) -> None:
    """Every request to the route misbehaves: retries run out without a duplicate."""
    case = await run_case(creator, [(creator.route, kind, None)])
    check_invariant(creator, case)
    check_expected(creator, case, expected(creator, kind, persistent=True))


@pytest.mark.parametrize("kind", ["truncate_sse", "stall_sse"])
async def test_stream_errors_carry_the_video_id(kind: str) -> None:
    """A truncated or stalled agent stream says which video was created."""
    case = await run_case(BY_NAME["stream_agent"], [("POST /videos/agent-create", kind, 1)])
    assert isinstance(case.outcome, StreamError)
    assert case.outcome.video_id == case.jobs[0].ids[0]
    assert case.outcome.seen["reply_ref"] == case.ref


# -- the scheduler itself misbehaving while the SDK looks ------------------------------------

RECONCILING = [c for c in CREATORS if c.reconciles]


@pytest.mark.parametrize("lookup", ["502", "reset", "malformed_json", "html_error", "truncate_sse"])
@pytest.mark.parametrize("creator", RECONCILING, ids=[c.name for c in RECONCILING])
async def test_scheduler_down_after_accept_is_not_resent(creator: Creator, lookup: str) -> None:
    """Job made, answer lost, scheduler unreadable: JobCreationUnknownError, never a resend."""
    case = await run_case(
        creator, [(creator.route, "502_after_accept", 1), ("GET /scheduler", lookup, None)]
    )
    check_invariant(creator, case)
    assert isinstance(case.outcome, JobCreationUnknownError)
    assert case.sends == 1
    assert len(case.jobs) == 1


@pytest.mark.parametrize("lookup", ["502", "reset", "malformed_json"])
@pytest.mark.parametrize("creator", RECONCILING, ids=[c.name for c in RECONCILING])
async def test_scheduler_down_without_job_is_not_resent(creator: Creator, lookup: str) -> None:
    """No job made, but nothing could tell: still an unknown outcome, not a blind resend."""
    case = await run_case(creator, [(creator.route, "502", 1), ("GET /scheduler", lookup, None)])
    check_invariant(creator, case)
    assert isinstance(case.outcome, JobCreationUnknownError)
    assert case.sends == 1
    assert case.jobs == []


@pytest.mark.parametrize("lookup", ["502", "504", "reset", "html_error", "slow_body"])
@pytest.mark.parametrize("creator", RECONCILING, ids=[c.name for c in RECONCILING])
async def test_scheduler_flaky_still_finds_the_job(creator: Creator, lookup: str) -> None:
    """A scheduler that fails a couple of times is retried and the job is found."""
    case = await run_case(
        creator, [(creator.route, "504_after_accept", 1), ("GET /scheduler", lookup, 2)]
    )
    check_invariant(creator, case)
    assert not isinstance(case.outcome, BaseException), repr(case.outcome)
    assert case.sends == 1


@pytest.mark.parametrize("creator", RECONCILING, ids=[c.name for c in RECONCILING])
async def test_mixed_faults_on_every_attempt(creator: Creator) -> None:
    """502, then a reset, then a 504 after accepting: the third attempt's job is found."""
    case = await run_case(
        creator,
        [
            (creator.route, "502", 1),
            (creator.route, "reset", 1),
            (creator.route, "504_after_accept", 1),
        ],
    )
    check_invariant(creator, case)
    assert not isinstance(case.outcome, BaseException), repr(case.outcome)
    assert case.sends == 3


# -- waits through faults -------------------------------------------------------------------

WAIT_KINDS = sorted(FAULT_KINDS)


class AdvancingSleep:
    """The client's sleep seam moving the emulator's clock instead of waiting."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        self.emu.advance(delay)


@pytest.mark.parametrize("kind", WAIT_KINDS)
async def test_wait_for_video_completes_through_faults(kind: str) -> None:
    """Three faulty polls in a row do not end the wait; the completed video comes back."""
    async with run_emulator(speed=0, seed=3) as emu, fast_client(emu) as mm:
        emu.faults.slow_body_delay = 0.002
        mm._sleep = AdvancingSleep(emu)
        job = await mm.videos.create(prompt="a lighthouse in a storm")
        assert job.video_id is not None
        emu.faults.add("GET /videos/{videoId}", kind, times=3)
        video = await mm.wait_for_video(job.video_id, timeout=30)
        assert isinstance(video, Video)
        assert video.status == 2
        assert video.video_id == job.video_id
        assert len(emu.state.videos) == 1
        polls = [r for r in emu.state.requests if r.route == "GET /videos/{videoId}"]
        assert sum(1 for r in polls if r.fault) == 3
        assert polls[-1].status == 200


@pytest.mark.parametrize("kind", ["502", "reset", "stall_sse", "malformed_json"])
async def test_generate_video_through_faults_everywhere(kind: str) -> None:
    """Create and wait with faults on both: one video upstream, completed and returned."""
    async with run_emulator(speed=0, seed=5) as emu, fast_client(emu) as mm:
        emu.faults.slow_body_delay = 0.002
        mm._sleep = AdvancingSleep(emu)
        emu.faults.add("POST /videos/create", kind, times=1)
        emu.faults.add("GET /videos/{videoId}", kind, times=2)
        video = await mm.generate_video(prompt="a lighthouse in a storm", timeout=60)
        assert video.status == 2
        assert [v.video_id for v in emu.state.videos.values()] == [video.video_id]


# -- a job that ends before the SDK can look ---------------------------------------------------


@pytest.mark.parametrize(
    ("creator", "window"),
    [
        (BY_NAME["videos.create"], "VIDEO_RECONCILE_WINDOW"),
        (BY_NAME["images.create"], "IMAGE_RECONCILE_WINDOW"),
    ],
    ids=["videos.create", "images.create"],
)
async def test_job_ended_before_the_look_is_not_resent(
    creator: Creator, window: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer stalls so long that the job has finished (and left ``GET scheduler``) when
    the SDK looks: "not found" proves nothing then, so the create is not resent."""
    from minimax_async.resources import images, videos

    module = videos if window.startswith("VIDEO") else images
    monkeypatch.setattr(module, window, 0.1)  # the read timeout (0.3 s) is longer
    ref = f"ended-{creator.name}"
    async with run_emulator(speed=0, seed=7, accounts=1, max_jobs=10) as emu:
        emu.faults.add(creator.route, "stall_sse")

        async def finish_jobs_once_created() -> None:
            await wait_until(lambda: bool(creator.upstream(emu)))
            emu.advance(3600)  # the job completes while the answer stalls

        async with fast_client(emu) as mm:
            finisher = asyncio.ensure_future(finish_jobs_once_created())
            with pytest.raises(JobCreationUnknownError) as info:
                await creator.call(mm, emu, ref)
            await finisher
        assert info.value.reply_ref == ref
        assert "may already have ended" in str(info.value)
        jobs = creator.upstream(emu)
        assert [j.reply_ref for j in jobs] == [ref]  # one job, found by the error's ref
        assert sum(1 for r in emu.state.requests if r.route == creator.route) == 1
        assert any(r.route == "GET /scheduler" for r in emu.state.requests)


async def test_agent_run_timed_out_upstream_is_a_known_failure() -> None:
    """The API's own 504 for an agent job that timed out carries the job: not "unknown"."""
    async with run_emulator(speed=0, seed=7) as emu, fast_client(emu) as mm, ticking(emu, 60):
        with pytest.raises(ServerError) as info:
            await mm.agent.run(
                prompt="a poster of a cat [timeout]", models=["nano-banana-2"], reply_ref="to"
            )
    assert not isinstance(info.value, JobCreationUnknownError)
    assert info.value.status_code == 504
    (job,) = emu.state.agent_jobs.values()
    assert info.value.body["jobId"] == job.job_id
    assert info.value.body["status"] == "failed"


async def test_gateway_504_on_agent_run_stays_unknown() -> None:
    """A gateway's 504 (no job in the body) is still an unknown outcome, never resent."""
    case = await run_case(BY_NAME["agent.run"], [("POST /agent", "504_after_accept", 1)])
    assert isinstance(case.outcome, JobCreationUnknownError)
    assert case.sends == 1


# -- downloads through faults -------------------------------------------------------------------


@pytest.mark.parametrize("times", [1, None], ids=["once", "always"])
@pytest.mark.parametrize("kind", KINDS)
async def test_download_through_faults(
    kind: str, times: int | None, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One fault: the file arrives whole (resumed where it broke). A fault on every attempt:
    a typed error, and never a partial file at the destination."""
    monkeypatch.setattr(downloads, "DOWNLOAD_TIMEOUT", FAST)
    async with run_emulator(speed=0, seed=9) as emu, fast_client(emu) as mm:
        emu.faults.slow_body_delay = 0.002
        job = await mm.videos.create(prompt="a lighthouse in a storm")
        assert job.video_id is not None
        emu.advance(3600)
        video = await mm.videos.retrieve(job.video_id)
        expected = emu.state.media[f"videos/{video.id}/nowatermark.mp4"].data
        emu.faults.add("GET /media/{path}", kind, times=times)
        dest = tmp_path / "video.mp4"
        try:
            path = await mm.download(video, dest)
        except MiniMaxError:
            assert times is None, f"one {kind} fault made the download fail"
            assert not dest.exists()
        else:
            assert path == dest
            assert dest.read_bytes() == expected
            assert not (tmp_path / "video.mp4.part").exists()
        assert acquired(mm) == 0


@pytest.mark.parametrize("kind", KINDS)
async def test_concurrent_waits_complete_through_faults(kind: str) -> None:
    """Several waits at once (the shared watcher reads ``GET scheduler`` for them): faults on
    the scheduler and on the videos' own GETs only delay them."""
    async with run_emulator(speed=0, seed=4, max_jobs=10) as emu, fast_client(emu) as mm:
        emu.faults.slow_body_delay = 0.002
        mm._sleep = AdvancingSleep(emu)
        ids = [
            str((await mm.videos.create(prompt=f"a lighthouse, take {i}")).video_id)
            for i in range(6)
        ]
        emu.faults.add("GET /scheduler", kind, times=4)
        emu.faults.add("GET /videos/{videoId}", kind, times=4)
        videos = await asyncio.gather(*(mm.wait_for_video(i, timeout=30) for i in ids))
        assert [v.video_id for v in videos] == ids
        assert all(v.status == 2 for v in videos)
        assert acquired(mm) == 0


# -- the replyRef itself ------------------------------------------------------------------------

UUID_REF = re.compile(r"mma-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


async def test_every_create_sends_a_generated_reply_ref_and_keeps_it() -> None:
    """Without ``reply_ref=`` each create sends its own ``mma-<uuid4>``; a resend reuses it."""
    async with run_emulator(speed=0, seed=8, max_jobs=10) as emu, fast_client(emu) as mm:
        emu.state.agent_durations = (0.0, 0.0)
        for route in ("POST /videos/create", "POST /images/create"):
            emu.faults.add(route, "502")  # resent after an empty look-up
        video = await mm.videos.create(prompt="a lighthouse in a storm")
        image = await mm.images.create(prompt="a red fox in snow")
        agent = await mm.agent.submit(prompt="a poster of a cat", models="nano-banana-2")
        async with (
            ticking(emu),
            mm.stream_agent(template_id="1122334455667788", prompt="a neon city") as stream,
        ):
            async for _ in stream:
                pass
        refs = {
            "video": [v.reply_ref for v in emu.state.videos.values() if v.model != "agent"],
            "image": [i.reply_ref for i in emu.state.images.values()],
            "agent": [j.reply_ref for j in emu.state.agent_jobs.values()],
            "agent-create": [v.reply_ref for v in emu.state.videos.values() if v.model == "agent"],
        }
        assert refs["video"] == [video.reply_ref]
        assert refs["image"] == [image.reply_ref]
        assert agent.request is not None
        assert refs["agent"] == [agent.request.reply_ref]
        assert refs["agent-create"] == [stream.reply_ref]
        every = [ref for found in refs.values() for ref in found]
        assert all(ref is not None and UUID_REF.fullmatch(ref) for ref in every), every
        assert len(set(every)) == len(every)
