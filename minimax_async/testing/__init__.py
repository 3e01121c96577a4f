"""A local emulator of the useapi.net MiniMax API v1 (like stripe-mock for Stripe).

A real :mod:`aiohttp.web` server keeping its state in memory, for the SDK's tests and
benchmarks, for your own tests, and for demos without an account or network::

    from minimax_async.testing import run_emulator

    async with run_emulator(speed=60) as emu:      # 60x faster than real time
        emu.base_url   # "http://127.0.0.1:PORT/v1/minimax"
        emu.token      # a bearer token it accepts (any non-empty one, unless token= was given)
        emu.advance(120)                            # move the virtual clock (instant)
        emu.faults.add("POST /videos/create", "502_after_accept")
        emu.state.videos, emu.state.requests        # inspect what happened

From a shell: ``python -m minimax_async.testing --port 8787 [--speed S] [--token T]``.

What it emulates: auth (``Authorization: Bearer``), accounts with ``maxJobs`` and load
balancing when ``account`` is omitted, raw-body uploads with Content-Type checks, the video,
image, music and agent job lifecycles on a virtual clock (at ``speed=1`` a video takes about
two minutes: status 11 queued, 0 pending, 1 or 12 processing with ``percent``, 2 completed),
429 with ``runningVideos`` when an account is full, ``scheduler`` and ``scheduler/available``
listing running jobs with ``replyRef``, ``replyUrl`` callbacks POSTed when a job ends, the
``videos/agent-create`` and ``llm`` SSE streams, the audio WebSocket, media files (PNG, MP4,
MP3) served under ``/media/`` with Range requests, and fault injection
(:class:`~minimax_async.testing._faults.Faults`).

Prompt trigger words (:data:`TRIGGER_WORDS`, case-insensitive, anywhere in the prompt):

* ``[moderate5]``, ``[moderate7]``, ``[moderate14]`` -- the job runs, then ends in that status
  (music ends in 4).
* ``[moderate-404]`` -- the job runs, then is moderated and removed: GET answers 404.
* ``[fail]`` -- the job ends in status 3 (agent jobs: ``failed``).
* ``[timeout]`` -- agent jobs fail after 15 (virtual) minutes with error status 504.
* ``[reject]`` -- the create call answers 422.
* ``[no-credits]`` -- the create call answers 412.
* ``[hold]`` -- the create call answers 596.
* ``[queue-full]`` -- the create call answers MiniMax's own 429 (no ``runningVideos``).
* A prompt with fewer than ``state.min_prompt_chars`` (4) non-blank characters answers 422
  "Your prompt is too short, please provide more details".

Per-account switches: ``emu.state.accounts[id].hold = True`` (596 on every create),
``.credits = 0`` (412), ``.max_jobs``.

Audio WebSocket chunks: each ``data.audio`` is the hex of whole MP3 frames with the leading
4-byte frame header ``fffbe8c4`` left out, as the documented player (which prepends it)
expects: ``bytes.fromhex("fffbe8c4" + chunk)`` is valid MP3.

This package imports nothing from the SDK's client code, so it cannot drift along with it.
"""

from ._emulator import Emulator, run_emulator
from ._faults import FAULT_KINDS, Faults
from ._state import TRIGGER_WORDS, EmulatorState, RecordedRequest

__all__ = [
    "FAULT_KINDS",
    "TRIGGER_WORDS",
    "Emulator",
    "EmulatorState",
    "Faults",
    "RecordedRequest",
    "run_emulator",
]
