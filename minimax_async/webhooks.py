"""Receive ``replyUrl`` callbacks with :mod:`aiohttp.web` and turn them into early polls.

useapi.net POSTs a job's JSON to its ``replyUrl`` when the job ends. The callback is unsigned,
so its body is never trusted: the job id it names only wakes the waits in flight on that id
(``wait_for_video``, ``wait_for_image(s)``, ``generate_video(s)`` ... of the client given
here), which then make one GET at once; that GET decides. Callbacks for jobs nobody is waiting
for are acknowledged and ignored.

A stand-alone app::

    from aiohttp import web
    from minimax_async.webhooks import make_webhook_app

    app = make_webhook_app(mm)                      # POST /minimax/callback
    runner = web.AppRunner(app); await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", 8080).start()
    await mm.generate_video(prompt=..., reply_url="https://example.com/minimax/callback")

or inside an existing app: ``app.router.add_post("/hooks/minimax", WebhookHandler(mm).handle)``.

Answers: 200 a wait was woken; 202 no wait on that id (nothing done); 400 the body is not a
JSON object naming a ``videoId`` / ``imageId`` (or nested too deeply to decode); 405 not a
POST; 413 the body is larger than ``max_body``.

Forged callbacks cost bounded work: a job id wakes its waits (one GET) at most once per
``min_wake_interval`` seconds (default 5). A callback inside that interval is logged at DEBUG
and delivered when the interval ends, once however many came, so a real callback is never lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._validation import check_count, check_seconds

if TYPE_CHECKING:
    from ._client import AsyncMiniMax

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_MIN_WAKE_INTERVAL",
    "DEFAULT_PATH",
    "HANDLER_KEY",
    "WebhookHandler",
    "make_webhook_app",
]

DEFAULT_PATH = "/minimax/callback"
#: Callback bodies are a job's JSON (a few KiB); anything much larger is refused (413).
DEFAULT_MAX_BODY = 64 * 1024
#: At most one early poll per job id per this many seconds, whatever a forger sends.
DEFAULT_MIN_WAKE_INTERVAL = 5.0
_ID_FIELDS = ("videoId", "imageId")
log = logging.getLogger("minimax_async.webhooks")
_MAX_ID_LENGTH = 512


class WebhookHandler:
    """An :mod:`aiohttp.web` handler for ``replyUrl`` callbacks: route ``POST`` to :meth:`handle`.

    Args:
        client: the :class:`~minimax_async.AsyncMiniMax` whose waits the callbacks wake.
        max_body: the largest body accepted, in bytes (413 beyond).
        min_wake_interval: seconds between two wake-ups of one job id; callbacks in between
            are merged into one wake-up at the end of the interval.

    Counters: ``received`` (well-formed callbacks), ``woken`` (those that woke a wait),
    ``ignored`` (no wait on that id), ``refused`` (400, 405 and 413 answers), ``deferred``
    (callbacks merged into a later wake-up by ``min_wake_interval``).
    """

    def __init__(
        self,
        client: AsyncMiniMax,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        min_wake_interval: float = DEFAULT_MIN_WAKE_INTERVAL,
    ) -> None:
        self._client = client
        self.max_body = check_count("max_body", max_body, 1, "bytes >= 1")
        self.min_wake_interval = check_seconds("min_wake_interval", min_wake_interval, zero=True)
        #: Job id -> monotonic time of its last wake-up (only ids that had a wait in flight).
        self._last_wake: dict[str, float] = {}
        #: Job ids with a merged wake-up scheduled.
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self.deferred = 0
        self.received = 0
        self.woken = 0
        self.ignored = 0
        self.refused = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one callback (the aiohttp.web handler)."""
        if request.method != "POST":
            return self._refuse(405, "use POST", headers={"Allow": "POST"})
        if request.content_length is not None and request.content_length > self.max_body:
            return self._refuse(413, f"body larger than {self.max_body} bytes")
        body = bytearray()
        while True:
            chunk = await request.content.read(self.max_body + 1 - len(body))
            if not chunk:
                break
            body += chunk
            if len(body) > self.max_body:
                return self._refuse(413, f"body larger than {self.max_body} bytes")
        try:
            data = json.loads(bytes(body))
        except (ValueError, UnicodeDecodeError):
            return self._refuse(400, "body is not JSON")
        except RecursionError:  # ``[[[[...]]]]``: 64 KiB of brackets is enough
            return self._refuse(400, "body is nested too deeply")
        ids = _job_ids(data)
        if ids is None:
            return self._refuse(400, "body is not a JSON object with a videoId or imageId")
        self.received += 1
        woke = False
        for job_id in ids:
            woke = self._wake(job_id) or woke
        if woke:
            self.woken += 1
            return web.json_response({"ok": True, "woke": True}, status=200)
        self.ignored += 1
        return web.json_response({"ok": True, "woke": False}, status=202)

    def _wake(self, job_id: str) -> bool:
        """Wake the waits on ``job_id`` now, or merge into the next allowed wake-up."""
        now = time.monotonic()
        last = self._last_wake.get(job_id)
        if last is not None and now - last < self.min_wake_interval:
            self.deferred += 1
            if job_id not in self._pending:
                delay = last + self.min_wake_interval - now
                log.debug("callback for %s within %.1fs of the last: merged", job_id, delay)
                loop = asyncio.get_running_loop()
                self._pending[job_id] = loop.call_later(delay, self._wake_later, job_id)
            else:
                log.debug("callback for %s: a wake-up is already scheduled", job_id)
            return True
        if not self._client.notify_job_update(job_id):
            return False
        if len(self._last_wake) >= 4096:  # forget ids whose interval is over
            self._last_wake = {
                k: t for k, t in self._last_wake.items() if now - t < self.min_wake_interval
            }
        self._last_wake[job_id] = now
        return True

    def _wake_later(self, job_id: str) -> None:
        del self._pending[job_id]
        if self._client.notify_job_update(job_id):
            self._last_wake[job_id] = time.monotonic()

    def _refuse(
        self, status: int, message: str, *, headers: dict[str, str] | None = None
    ) -> web.Response:
        self.refused += 1
        return web.json_response({"error": message}, status=status, headers=headers)


def _job_ids(data: Any) -> list[str] | None:
    if not isinstance(data, dict):
        return None
    ids: list[str] = []
    for field in _ID_FIELDS:
        value = data.get(field)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > _MAX_ID_LENGTH:
            return None
        if value not in ids:
            ids.append(value)
    return ids or None


#: Where :func:`make_webhook_app` keeps its handler: ``app[HANDLER_KEY].woken`` ...
HANDLER_KEY = web.AppKey("minimax_webhook", WebhookHandler)


def make_webhook_app(
    client: AsyncMiniMax,
    *,
    path: str = DEFAULT_PATH,
    max_body: int = DEFAULT_MAX_BODY,
    min_wake_interval: float = DEFAULT_MIN_WAKE_INTERVAL,
) -> web.Application:
    """An :mod:`aiohttp.web` application answering ``POST path`` with a :class:`WebhookHandler`.

    The handler is ``app[HANDLER_KEY]`` (its counters tell what came in).
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"path={path!r} is not valid; allowed: a path starting with '/'")
    handler = WebhookHandler(client, max_body=max_body, min_wake_interval=min_wake_interval)
    app = web.Application(client_max_size=max_body)
    app[HANDLER_KEY] = handler
    app.router.add_route("*", path, handler.handle)
    return app
