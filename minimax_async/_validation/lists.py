"""List endpoints: the paging parameters (documented defaults, accepted ranges) and the check."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

from ._rules import (
    check_int,
)

# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------


class ListLimit(NamedTuple):
    """A paging parameter of a list endpoint: its documented default and accepted range."""

    default: int
    low: int = 1
    #: ``None``: the docs give no maximum, the server decides.
    high: int | None = None


#: Paging parameters per list endpoint (snake_case names). The docs give defaults only, never a
#: maximum, so the one rule is: an int of at least 1, no upper bound (the server decides how
#: many it returns); a count or page number below 1 is meaningless.
LIST_LIMITS: Final[Mapping[str, Mapping[str, ListLimit]]] = MappingProxyType(
    {
        "GET files": {"limit": ListLimit(default=10)},  # docs 2413
        "GET images": {"limit": ListLimit(default=30)},  # docs 2767
        "GET videos": {"limit": ListLimit(default=30)},  # docs 4826
        "GET videos/agent-templates": {"limit": ListLimit(default=30)},  # docs 4250
        "GET videos/characters": {  # docs 4547-4548
            "page": ListLimit(default=1),
            "page_size": ListLimit(default=50),
        },
        "GET llm": {"limit": ListLimit(default=20)},  # docs 3263
        "GET music": {"limit": ListLimit(default=20)},  # docs 3858
        "GET audio": {  # docs 1842-1843 (default page not documented)
            "page": ListLimit(default=1),
            "page_size": ListLimit(default=100),
        },
        "GET audio/voices": {  # docs 1680-1681 (default page not documented)
            "page": ListLimit(default=1),
            "page_size": ListLimit(default=500),
        },
    }
)


# --------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------


def validate_limit(name: str, value: int | None, low: int = 1, high: int | None = None) -> None:
    """Check a list endpoint's paging parameter (``limit``, ``page``, ``page_size``).

    ``None`` (not sent) is fine; see :data:`LIST_LIMITS` for each endpoint's documented range.
    """
    check_int(name, value, low, high, required=False)


def validate_paging(endpoint: str, **params: object) -> None:
    """Check the paging parameters of list ``endpoint`` (``"GET videos"``) against
    :data:`LIST_LIMITS`, the one table of their ranges.

    Raises:
        ValueError: a value out of its documented range (nothing is sent).
        KeyError: ``endpoint`` or a parameter is not in the table (a bug in the SDK).
    """
    limits = LIST_LIMITS[endpoint]
    for name, value in params.items():
        rule = limits[name]
        check_int(name, value, rule.low, rule.high, required=False)
