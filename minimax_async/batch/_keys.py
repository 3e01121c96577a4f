"""The key of each request of a batch: canonical parameters plus the occurrence number among
identical requests (``BatchRequest.key`` wins), never its position: inserting, removing or
reordering requests never re-creates a finished one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .._bodies import new_reply_ref
from .._journal_protocol import _Item
from ._results import BatchRequest


def _canonical(params: Mapping[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)


def _make_items(kind: str, requests: Iterable[Mapping[str, Any] | BatchRequest]) -> list[_Item]:
    items: list[_Item] = []
    seen: set[str] = set()
    occurrences: dict[str, int] = {}
    for index, request in enumerate(requests):
        given_key = None
        if isinstance(request, BatchRequest):
            given_key, request = request.key, request.params
        if not isinstance(request, Mapping):
            raise TypeError(
                f"request {index} is a {type(request).__name__}; allowed: a mapping of "
                f"{kind}s.create arguments, or a BatchRequest"
            )
        params = dict(request)
        canonical = _canonical(params)
        legacy_key = None
        if given_key is None:
            # The parameters and the how-many-th identical request this is: never the position,
            # so inserting, removing or reordering requests keeps every other request's key.
            occurrence = occurrences.get(canonical, 0)
            occurrences[canonical] = occurrence + 1
            digest = hashlib.sha256(f"{kind}\n{canonical}\n{occurrence}".encode()).hexdigest()
            key = f"{digest[:24]}-{occurrence}"
            old = hashlib.sha256(f"{kind}\n{index}\n{canonical}".encode()).hexdigest()
            legacy_key = f"{index}-{old[:24]}"
        elif isinstance(given_key, str) and given_key:
            key = given_key
        else:
            raise ValueError(f"request {index}: key={given_key!r} is not a non-empty string")
        if key in seen:
            raise ValueError(f"request {index}: key {key!r} is used twice in the batch")
        seen.add(key)
        pin = params.pop("account", None)
        reply_ref = params.pop("reply_ref", None) or new_reply_ref()
        items.append(
            _Item(
                index=index,
                key=key,
                params=params,
                canonical=canonical,
                pin=pin if isinstance(pin, str) and pin else None,
                reply_ref=reply_ref,
                legacy_key=legacy_key,
            )
        )
    return items


def _parsed(canonical: str) -> Mapping[str, Any]:
    try:
        value = json.loads(canonical)
    except ValueError:
        return {"request": canonical}
    return value if isinstance(value, dict) else {"request": value}
