"""asyncpg, imported only when a connection is opened, and the DSN kept out of every message."""

from __future__ import annotations

import re
from typing import Any

_PASSWORD = re.compile(r"(://[^:/@?#]*:)[^@/?#]*@")


def asyncpg_module() -> Any:
    """The asyncpg module, or an ImportError that names the extra to install."""
    try:
        import asyncpg  # type: ignore[import-untyped]  # no stubs; used via Any
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise ImportError(
            "minimax_async.postgres needs asyncpg: pip install 'minimax-async[postgres]'"
        ) from exc
    return asyncpg


def redact(dsn: str) -> str:
    """``dsn`` with its password (if any) replaced by ``***``."""
    return _PASSWORD.sub(r"\1***@", dsn)


def check_name(name: object) -> str:
    """The name a journal or coordinator shares its rows by: a non-empty string."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name={name!r} is not valid; allowed: a non-empty string")
    return name


def check_dsn(dsn: object, parameter: str = "dsn") -> str:
    if not isinstance(dsn, str) or not dsn.startswith(("postgresql://", "postgres://")):
        shown = redact(dsn) if isinstance(dsn, str) else repr(dsn)
        raise ValueError(
            f"{parameter}={shown!r} is not valid; allowed: a PostgreSQL URL "
            "'postgresql://user[:password]@host[:port]/database'"
        )
    return dsn
