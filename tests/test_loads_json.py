"""``loads_json``: ``json.loads`` with a fast path, same results and same errors."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from minimax_async._base_client import loads_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
blank = st.text(alphabet=" \t\n\r", max_size=3)


def outcome(raw: bytes) -> tuple[str, Any]:
    """What ``json.loads`` does with ``raw``: ("ok", canonical JSON) or ("error", type)."""
    try:
        return "ok", json.dumps(json.loads(raw), sort_keys=True)
    except ValueError as exc:
        return "error", type(exc).__name__


def ours(raw: bytes) -> tuple[str, Any]:
    try:
        return "ok", json.dumps(loads_json(raw), sort_keys=True)
    except ValueError as exc:
        return "error", type(exc).__name__


@given(
    value=json_values,
    before=blank,
    after=blank,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]),
)
def test_valid_bodies(value: Any, before: str, after: str, encoding: str) -> None:
    """Any JSON value, with whitespace around it, in any encoding ``json.loads`` detects."""
    raw = (before + json.dumps(value, ensure_ascii=False) + after).encode(encoding)
    assert ours(raw) == outcome(raw) == ("ok", json.dumps(value, sort_keys=True))


@given(raw=st.binary(max_size=40))
def test_any_bytes(raw: bytes) -> None:
    """Arbitrary bytes: the same value or the same kind of error as ``json.loads``."""
    assert ours(raw) == outcome(raw)


@given(value=json_values, tail=st.text(min_size=1, max_size=5))
def test_trailing_data(value: Any, tail: str) -> None:
    """Something after the value is an error exactly when ``json.loads`` says so."""
    raw = (json.dumps(value) + tail).encode()
    assert ours(raw) == outcome(raw)
