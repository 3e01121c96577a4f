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
JSON object naming a ``videoId`` / ``imageId``; 405 not a POST; 413 the body is larger than
``max_body``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from ._client import AsyncMiniMax

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_PATH",
    "HANDLER_KEY",
    "WebhookHandler",
    "make_webhook_app",
]

DEFAULT_PATH = "/minimax/callback"
#: Callback bodies are a job's JSON (a few KiB); anything much larger is refused (413).
DEFAULT_MAX_BODY = 64 * 1024
_ID_FIELDS = ("videoId", "imageId")
_MAX_ID_LENGTH = 512


class WebhookHandler:
    """An :mod:`aiohttp.web` handler for ``replyUrl`` callbacks: route ``POST`` to :meth:`handle`.

    Args:
        client: the :class:`~minimax_async.AsyncMiniMax` whose waits the callbacks wake.
        max_body: the largest body accepted, in bytes (413 beyond).

    Counters: ``received`` (well-formed callbacks), ``woken`` (those that woke a wait),
    ``ignored`` (no wait on that id), ``refused`` (400, 405 and 413 answers).
    """

    def __init__(self, client: AsyncMiniMax, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1:
            raise ValueError(f"max_body={max_body!r} is not valid; allowed: bytes >= 1")
        self._client = client
        self.max_body = max_body
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
        ids = _job_ids(data)
        if ids is None:
            return self._refuse(400, "body is not a JSON object with a videoId or imageId")
        self.received += 1
        woke = False
        for job_id in ids:
            woke = self._client.notify_job_update(job_id) or woke
        if woke:
            self.woken += 1
            return web.json_response({"ok": True, "woke": True}, status=200)
        self.ignored += 1
        return web.json_response({"ok": True, "woke": False}, status=202)

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
    client: AsyncMiniMax, *, path: str = DEFAULT_PATH, max_body: int = DEFAULT_MAX_BODY
) -> web.Application:
    """An :mod:`aiohttp.web` application answering ``POST path`` with a :class:`WebhookHandler`.

    The handler is ``app[HANDLER_KEY]`` (its counters tell what came in).
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"path={path!r} is not valid; allowed: a path starting with '/'")
    handler = WebhookHandler(client, max_body=max_body)
    app = web.Application(client_max_size=max_body)
    app[HANDLER_KEY] = handler
    app.router.add_route("*", path, handler.handle)
    return app
