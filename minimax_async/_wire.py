"""What a call's arguments become on the wire: per-call options applied, query values as text,
strings checked to be sendable as UTF-8 (a ``ValueError`` naming the parameter, before sending).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._types import NotGiven, RequestOptions, Timeout

__all__ = ["apply_options", "check_encodable", "query_value"]


def apply_options(
    options: RequestOptions,
    timeout: float | Timeout | NotGiven | None,
    headers: Mapping[str, str] | None,
    params: Mapping[str, Any] | None,
) -> tuple[float | Timeout | NotGiven | None, Mapping[str, str] | None, Mapping[str, Any] | None]:
    """The call's timeout, headers and query with the caller's per-call options applied.

    Raises:
        TypeError: a keyword that is no per-call option (a misspelt argument of the method
            that collected it), before anything is sent.
    """
    unknown = sorted(set(options) - RequestOptions.__optional_keys__)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument {unknown[0]!r}; allowed besides the method's own "
            f"parameters: {', '.join(sorted(RequestOptions.__optional_keys__))}"
        )
    if "timeout" in options:
        timeout = options["timeout"]  # the caller's choice beats the method's default
    extra_headers = options.get("extra_headers")
    if extra_headers:
        headers = {**(headers or {}), **extra_headers}
    extra_query = options.get("extra_query")
    if extra_query:
        params = {**(params or {}), **extra_query}
    return timeout, headers, params


def query_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if not text.isascii():
        check_encodable(name, text)
    return text


def check_encodable(name: str, value: Any) -> None:
    """Raise ``ValueError`` naming ``name`` when a text in ``value`` (a str, or the strings of
    a JSON-like body) cannot be sent as UTF-8: a lone surrogate would otherwise be dropped
    from a query or sent as an escape no server can read as text."""
    if isinstance(value, str):
        if value.isascii():
            return
        try:
            value.encode()
        except UnicodeEncodeError as exc:
            bad = value[exc.start : exc.end]
            raise ValueError(
                f"{name}={value[:80]!r} contains {bad!r}, which cannot be encoded as UTF-8; "
                "allowed: text without lone surrogates"
            ) from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_encodable(f"{name}[{key!r}]", key)
            check_encodable(f"{name}[{key!r}]", item)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_encodable(f"{name}[{i}]", item)
