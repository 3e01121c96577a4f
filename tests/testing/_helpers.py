"""Helpers for the emulator tests: a raw aiohttp client and the documents' example shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

from minimax_async.testing import Emulator
from minimax_async.testing._media import png_bytes

DOC_EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "doc_examples.json").read_text(encoding="utf-8")
)


class Api:
    """Raw aiohttp calls against an emulator (``path`` relative to ``emu.base_url``)."""

    def __init__(self, emu: Emulator, session: aiohttp.ClientSession) -> None:
        self.emu = emu
        self.session = session

    def url(self, path: str) -> str:
        return self.emu.base_url + path

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.session.request(method, self.url(path), **kwargs) as resp:
            raw = await resp.read()
            if not raw:
                return resp.status, None
            try:
                return resp.status, json.loads(raw)
            except ValueError:
                return resp.status, raw.decode(errors="replace")

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("POST", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.call("DELETE", path, **kwargs)

    async def create_video(self, prompt: str = "a cat playing the piano", **body: Any) -> str:
        status, data = await self.post("/videos/create", json={"prompt": prompt, **body})
        assert status == 200, data
        return str(data["videoId"])

    async def upload_png(self, account: str | None = None) -> dict[str, Any]:
        params = {"account": account} if account else {}
        status, data = await self.post(
            "/files",
            data=png_bytes(),
            headers={"Content-Type": "image/png"},
            params=params,
        )
        assert status == 200, data
        return dict(data)


def is_map(doc: dict[str, Any]) -> bool:
    """A documented object keyed by ids (accounts, ...) rather than by field names."""
    return bool(doc) and all(k == "" or k.isdigit() or k.startswith("<") for k in doc)


def assert_shape(
    doc: Any, actual: Any, path: str = "$", *, extra_ok: frozenset[str] = frozenset()
) -> None:
    """``actual`` has the documented example's keys, recursively (list items pairwise)."""
    if isinstance(doc, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        if is_map(doc):
            sample = next(iter(doc.values()))
            for key, value in actual.items():
                assert_shape(sample, value, f"{path}[{key!r}]", extra_ok=extra_ok)
            return
        missing = set(doc) - set(actual)
        unexpected = set(actual) - set(doc) - extra_ok
        assert not missing, f"{path}: missing keys {sorted(missing)}"
        assert not unexpected, f"{path}: keys not in the documents {sorted(unexpected)}"
        for key in doc:
            assert_shape(doc[key], actual[key], f"{path}.{key}", extra_ok=extra_ok)
    elif isinstance(doc, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        if doc and isinstance(doc[0], (dict, list)):
            for index, item in enumerate(actual):
                example = doc[min(index, len(doc) - 1)]
                assert_shape(example, item, f"{path}[{index}]", extra_ok=extra_ok)
    elif isinstance(doc, bool):
        assert isinstance(actual, bool), f"{path}: expected a boolean, got {actual!r}"
    elif isinstance(doc, (int, float)):
        assert not isinstance(actual, bool), f"{path}: expected a number, got {actual!r}"
        assert isinstance(actual, (int, float)), f"{path}: expected a number, got {actual!r}"
    elif isinstance(doc, str):
        assert isinstance(actual, str), f"{path}: expected a string, got {actual!r}"
