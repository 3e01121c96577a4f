"""Fault injection: per-route rules consumed by matching requests.

``emu.faults.add("POST /videos/create", "502_after_accept", times=1)`` makes the next matching
request misbehave. Routes are matched by method and route template; placeholder names do not
matter (``GET /videos/{id}`` and ``GET /videos/{videoId}`` are the same route). A literal path
(``GET /media/videos/1/watermark.mp4``) or ``*`` (any route; also ``* *``, ``GET *``) work too.

Kinds. "The handler runs" means the request has its normal effect (a create creates its
job) before the fault shows; the job-creating routes are ``videos/create``,
``videos/agent-create``, ``images/create``, ``agent``, ``music/create`` and the audio creates.

* ``reset``: the request body is read, then the connection is closed without an answer; the
  handler does not run (no job).
* ``reset_after_accept``: the handler runs (job created), then the connection is closed
  without an answer.
* ``502_after_accept`` / ``504_after_accept``: the handler runs (job created), then 502 with
  an HTML page / 504 with a JSON error body.
* ``502`` / ``504``: the same answers, the handler does not run (no job).
* ``429``: the route's documented 429 body (``runningVideos`` on video creates); no job.
* ``html_error``: 500 with an HTML page; no job.
* ``malformed_json``: the handler runs; its JSON body is cut in half (same status, correct
  Content-Length); on SSE routes the first event's JSON is broken, the rest is sent as usual.
* ``truncate_sse``: the handler runs; an SSE stream sends its first events (agent-create:
  ``created`` and ``connected``; llm: ``send_result``), then half of the next one and closes
  the connection; any other body announces its full Content-Length, sends half, then closes
  (the audio WebSocket: one chunk, then the connection drops).
* ``stall_sse``: the handler runs; the same first events (or half the body), then nothing
  while the connection stays open (until the client leaves or the emulator stops).
* ``slow_body``: the handler runs; the body (each SSE event) trickles out in up to
  :attr:`Faults.slow_body_pieces` pieces, ``delay`` real seconds apart (default
  :attr:`Faults.slow_body_delay`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import attrs

__all__ = [
    "AFTER_HANDLER_KINDS",
    "FAULT_KINDS",
    "BEFORE_HANDLER_KINDS",
    "FaultRule",
    "Faults",
    "normalize_route",
]

BEFORE_HANDLER_KINDS = frozenset({"reset", "502", "504", "429", "html_error"})
AFTER_ACCEPT_KINDS = frozenset({"reset_after_accept", "502_after_accept", "504_after_accept"})
BODY_KINDS = frozenset({"malformed_json", "truncate_sse", "stall_sse", "slow_body"})
AFTER_HANDLER_KINDS = AFTER_ACCEPT_KINDS | BODY_KINDS
FAULT_KINDS = BEFORE_HANDLER_KINDS | AFTER_HANDLER_KINDS

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def normalize_route(route: str) -> tuple[str, str]:
    """``"get /videos/{videoId}/"`` -> ``("GET", "/videos/{}")``."""
    parts = route.strip().split(None, 1)
    if len(parts) == 1:
        method, path = "*", parts[0]
    else:
        method, path = parts[0].upper(), parts[1].strip()
    if path == "*":
        return method, "*"
    path = path.split("?", 1)[0]
    for prefix in ("/v1/minimax", "v1/minimax"):
        if path.startswith(prefix + "/") or path == prefix:
            path = path[len(prefix) :]
    if not path.startswith("/"):
        path = "/" + path
    if len(path) > 1:
        path = path.rstrip("/")
    return method, _PLACEHOLDER.sub("{}", path)


@attrs.define(eq=False, kw_only=True)
class FaultRule:
    """One ``faults.add`` rule; ``remaining=None`` means unlimited."""

    method: str
    path: str
    kind: str
    remaining: int | None
    probability: float = 1.0
    delay: float | None = None
    fired: int = 0

    def matches(self, method: str, template: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        if self.path == "*":
            return True
        return self.path in (template, path)


class Faults:
    """The fault rules of one emulator (``emu.faults``)."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._rng = rng or random.Random()
        #: Real seconds between the pieces of a ``slow_body`` response.
        self.slow_body_delay = 0.1
        #: Number of pieces a ``slow_body`` response is cut into (at most).
        self.slow_body_pieces = 20

    def add(
        self,
        route: str,
        kind: str,
        times: int | None = 1,
        *,
        probability: float = 1.0,
        delay: float | None = None,
    ) -> FaultRule:
        """Make the next ``times`` requests to ``route`` fail with ``kind``.

        ``times=None`` keeps the rule forever; ``probability`` < 1 makes each matching request
        fail only with that chance (seeded by the emulator's ``seed``).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        if not 0.0 < probability <= 1.0:
            raise ValueError("probability must be in (0, 1]")
        method, path = normalize_route(route)
        rule = FaultRule(
            method=method,
            path=path,
            kind=kind,
            remaining=times,
            probability=probability,
            delay=delay,
        )
        self._rules.append(rule)
        return rule

    def clear(self) -> None:
        self._rules.clear()

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)

    def take(self, method: str, template: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (its count is consumed)."""
        _, template = normalize_route(f"{method} {template}")
        _, path = normalize_route(f"{method} {path}")
        for rule in self._rules:
            if not rule.matches(method, template, path):
                continue
            if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                continue
            rule.fired += 1
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
            return rule
        return None
