"""Compatibility shim: aioresponses 0.7.9 on aiohttp >= 3.14.

aiohttp 3.14 (a security release we must not pin below) made ``stream_writer`` a required
keyword of ``ClientResponse.__init__``; aioresponses 0.7.9 builds responses without it and fails
with ``missing 1 required keyword-only argument: 'stream_writer'``. aioresponses resolves the
class through its module global ``ClientResponse`` at call time, so we swap in a subclass that
supplies a stand-in writer (the response is already "sent", so only ``output_size`` is read).
Remove this once aioresponses ships a release that supports aiohttp 3.14.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import aioresponses.core
import yarl


class _SentRequestWriter:
    """What ``ClientResponse`` reads from the writer of an already-sent request."""

    output_size = 0


class CompatClientResponse(aiohttp.ClientResponse):
    """A ClientResponse aioresponses can build on aiohttp 3.14."""

    def __init__(self, method: str, url: yarl.URL, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _SentRequestWriter())
        super().__init__(method, url, **kwargs)


def install() -> None:
    """Make aioresponses build :class:`CompatClientResponse` (idempotent)."""
    aioresponses.core.ClientResponse = CompatClientResponse  # type: ignore[misc]
