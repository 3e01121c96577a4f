"""``POST accounts``: the configuration check (the token never appears in a message)."""

from __future__ import annotations

from ._rules import (
    check_max_jobs,
    fail,
    show,
)


def validate_account_config(
    *, url: str | None = None, token: str | None = None, max_jobs: int | None = None
) -> None:
    """Check a ``POST accounts`` request: ``url``, ``token`` and ``max_jobs`` 1..10 are required.

    The token is a credential: it never appears in a message.
    """
    url_allowed = "the http(s) request URL copied from the browser (see Setup MiniMax)"
    if url is None:
        fail("url", "None", "is required", url_allowed)
    if not isinstance(url, str):
        fail("url", show(url), "must be a str", url_allowed)
    if not url.startswith(("https://", "http://")):
        fail("url", show(url), "is not an http(s) URL", url_allowed)
    token_allowed = "a non-empty str (the Token request header copied from the browser)"
    if token is None:
        fail("token", "None", "is required", token_allowed)
    if not isinstance(token, str):
        fail("token", f"<{type(token).__name__}>", "must be a str", token_allowed)
    if not token.strip():
        fail("token", "<hidden>", "must not be empty", token_allowed)
    check_max_jobs(max_jobs, required=True)
