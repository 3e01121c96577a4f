"""What the per-endpoint tests share: documented samples, URL routes, the recorded request."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path
from typing import Any

import aiohttp
import attrs
import yarl
from aioresponses import aioresponses

from tests.conftest import BASE, TOKEN

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PREFIX = yarl.URL(BASE).path + "/"

#: Ids that must never reach a URL path: empty, a separator, a query start, ``..``, whitespace.
BAD_IDS = ["", "a/b", "a?b", "..", "a b"]
#: A documented id: ``:`` and ``-`` stay literal in the path.
VIDEO_ID = "user:1234-minimax:987654321-video:998877665544332211"
#: A generated ``replyRef``: ``mma-`` and a uuid4.
GENERATED_REPLY_REF = re.compile(
    r"^mma-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
BEARER = f"Bearer {TOKEN}"


def sample(name: str) -> Any:
    """The body the docs print, ``tests/samples/<name>.json``."""
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def route(path: str) -> re.Pattern[str]:
    """The API URL of ``path`` with any query; the test checks the query it recorded."""
    return re.compile(re.escape(f"{BASE}/{path}") + r"(\?.*)?$")


@attrs.frozen
class Sent:
    """One request the client sent, as aioresponses recorded it."""

    method: str
    url: yarl.URL
    kwargs: dict[str, Any]

    @property
    def path(self) -> str:
        """The raw (still percent-encoded) path after the API root."""
        assert self.url.raw_path.startswith(PREFIX), self.url
        return self.url.raw_path[len(PREFIX) :]

    @property
    def query(self) -> dict[str, str]:
        return dict(self.url.query)

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.kwargs.get("headers") or {})

    @property
    def json(self) -> Any:
        return self.kwargs.get("json")

    @property
    def data(self) -> Any:
        return self.kwargs.get("data")


def all_sent(mocked: aioresponses) -> list[Sent]:
    """Every recorded request, grouped by URL in the order each URL was first used."""
    return [
        Sent(method, url, call.kwargs)
        for (method, url), calls in mocked.requests.items()
        for call in calls
    ]


def sent(mocked: aioresponses) -> Sent:
    """The one request sent (fails if there were none or several)."""
    requests = all_sent(mocked)
    assert len(requests) == 1, requests
    return requests[0]


class _Sink:
    """Collects what a payload writes (stands in for aiohttp's stream writer)."""

    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, chunk: bytes) -> None:
        self.data += chunk

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.data += chunk

    def enable_compression(self, *args: Any, **kwargs: Any) -> None:
        return None

    def enable_chunking(self) -> None:
        return None


async def drain(payload: aiohttp.payload.Payload) -> bytes:
    """The bytes a request body payload streams (runs its progress callbacks)."""
    sink = _Sink()
    await payload.write(sink)  # type: ignore[arg-type]
    return bytes(sink.data)


@attrs.frozen
class Part:
    """One part of a multipart/form-data body."""

    name: str | None
    filename: str | None
    content_type: str
    value: bytes


async def form_parts(form: aiohttp.FormData) -> list[Part]:
    """The parts of a multipart form, serialized as aiohttp would send it, then parsed back."""
    writer = form()
    assert isinstance(writer, aiohttp.MultipartWriter), type(writer)
    body = await drain(writer)
    head = f"Content-Type: {writer.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + body, policy=email.policy.HTTP)
    assert message.is_multipart()
    return [
        Part(
            name=part.get_param("name", header="content-disposition"),
            filename=part.get_filename(),
            content_type=part.get_content_type(),
            value=part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    ]


def text_fields(parts: list[Part]) -> dict[str, str]:
    """The non-file fields of a form, by name."""
    return {p.name or "": p.value.decode() for p in parts if p.filename is None}


def file_parts(parts: list[Part]) -> list[Part]:
    """The file fields of a form, in order."""
    return [p for p in parts if p.filename is not None]
