"""The checking code every group shares: messages, generic field checks and path ids.

Each check raises :class:`ValueError` naming the parameter, showing the value (shortened;
a prompt by its length; never a secret) and saying what is allowed.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final, NoReturn

__all__ = [
    "show_text",
    "show",
    "choices",
    "fail",
    "check_str",
    "check_file_id",
    "check_int",
    "check_number",
    "check_bool",
    "check_replies",
    "check_max_jobs",
    "check_sequence",
    "comma_list",
    "check_model_name",
    "MAX_JOBS_RANGE",
    "REPLY_MAX_LENGTH",
    "check_account",
    "check_id",
    "check_count",
    "check_seconds",
]


# --------------------------------------------------------------------------------------------
# Generic limits
# --------------------------------------------------------------------------------------------

#: ``replyUrl`` / ``replyRef``: "Maximum length 1024 characters" (docs 5215, 5218, 6591, 6594,
#: 7229, 7231, 7683, 7686).
REPLY_MAX_LENGTH: Final = 1024

#: ``maxJobs``: "Valid range: 1…10" (docs 5001, 7233, 7688).
MAX_JOBS_RANGE: Final = (1, 10)


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------

_SHOW_MAX = 80


def show(value: object) -> str:
    """``repr`` of a value, shortened to about 80 characters for long strings."""
    if isinstance(value, str) and len(value) > _SHOW_MAX:
        return f"{value[: _SHOW_MAX - 3]!r}... ({len(value)} characters)"
    text = repr(value)
    if len(text) > _SHOW_MAX:
        return text[: _SHOW_MAX - 3] + "..."
    return text


def show_text(value: object) -> str:
    """A prompt is shown by its length, never by its text."""
    if isinstance(value, str):
        return f"<{len(value)} characters>"
    return show(value)


def choices(values: Sequence[object] | frozenset[str]) -> str:
    items = sorted(values) if isinstance(values, frozenset) else list(values)
    return ", ".join(repr(v) for v in items)


def fail(name: str, shown: str, problem: str, allowed: str) -> NoReturn:
    raise ValueError(f"{name}={shown} {problem}; allowed: {allowed}")


# --------------------------------------------------------------------------------------------
# Generic checks
# --------------------------------------------------------------------------------------------


def _given(name: str, value: object, required: bool, allowed: str) -> bool:
    """Whether there is a value to check: None is "not sent", an error when ``required``."""
    if value is None:
        if required:
            fail(name, "None", "is required", allowed)
        return False
    return True


def _string(
    name: str, value: object, shown: Callable[[object], str], allowed: str, *, nonblank: bool
) -> str:
    """``value`` if it is a str (and, with ``nonblank``, not only whitespace)."""
    if not isinstance(value, str):
        fail(name, shown(value), "must be a str", allowed)
    if nonblank and not value.strip():
        fail(name, shown(value), "must not be empty", allowed)
    return value


def check_str(
    name: str,
    value: object,
    *,
    required: bool = False,
    max_length: int | None = None,
    text: bool = False,
    what: str = "",
) -> None:
    """A string field: required means present and not blank; ``text`` shows only the length."""
    shown = show_text if text else show
    limit = f" of at most {max_length} characters" if max_length is not None else ""
    allowed = f"a non-empty string{limit}" if required else f"a string{limit} or None"
    if not _given(name, value, required, allowed):
        return
    value = _string(name, value, shown, allowed, nonblank=required)
    if max_length is not None and len(value) > max_length:
        fail(
            name,
            shown(value),
            f"is too long{what} ({len(value)} > {max_length})",
            f"at most {max_length} characters",
        )


def check_file_id(name: str, value: object, *, required: bool = False) -> None:
    """A file id sent in a body: a non-empty string."""
    allowed = "a file id such as 'user:1234-minimax:987654321-file:1122334455'"
    if _given(name, value, required, allowed):
        _string(name, value, show, allowed, nonblank=True)


def check_int(name: str, value: object, low: int, high: int | None, *, required: bool) -> None:
    allowed = f"an int from {low} to {high}" if high is not None else f"an int >= {low}"
    if not _given(name, value, required, allowed):
        return
    # bool is an int subclass; True would silently mean 1.
    if isinstance(value, bool) or not isinstance(value, int):
        fail(name, show(value), "must be an int", allowed)
    if value < low or (high is not None and value > high):
        fail(name, show(value), "is out of range", allowed)


def check_number(name: str, value: object, low: float | None, high: float | None) -> None:
    if low is not None and high is not None:
        allowed = f"a number from {low:g} to {high:g}"
    else:
        allowed = "a finite number"
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(name, show(value), "must be a number", allowed)
    if not math.isfinite(value):
        fail(name, show(value), "must be finite", allowed)
    if (low is not None and value < low) or (high is not None and value > high):
        fail(name, show(value), "is out of range", allowed)


def check_bool(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        fail(name, show(value), "must be a bool", "True, False or None")


def check_replies(reply_url: object, reply_ref: object) -> None:
    check_str("reply_url", reply_url, max_length=REPLY_MAX_LENGTH)
    check_str("reply_ref", reply_ref, max_length=REPLY_MAX_LENGTH)


def check_max_jobs(value: object, *, required: bool = False) -> None:
    check_int("max_jobs", value, *MAX_JOBS_RANGE, required=required)


def check_sequence(name: str, value: object, allowed: str) -> Sequence[object]:
    """A list-like argument (None: empty); a bare str/bytes would be iterated per character."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, bytearray)) or not isinstance(value, Sequence):
        fail(name, show(value), "must be a sequence (list or tuple)", allowed)
    return value


def comma_list(
    name: str,
    value: object,
    *,
    what: str,
    hint: str = "",
    required: bool = False,
    max_items: int | None = None,
) -> tuple[str, ...]:
    """The items of a parameter the API takes as one comma-separated string.

    The documents' own form, ``"Italian,Female"``, is split on commas (items stripped); a list
    or tuple of strings is taken item by item. A ``str`` is never iterated character by
    character. ``None`` gives ``()`` (not sent) unless ``required``. Every item must be a
    non-empty string without ``','`` (it would split into two items upstream).

    Args:
        name: The parameter name for messages (``tag_list``, ``models`` ...).
        what: The items, plural, for messages (``"model names"``, ``"file ids"`` ...).
        hint: Where the items come from, for messages (``" from audio.config()"``).
        max_items: The documented maximum number of items, if any.
    """
    if max_items is not None:
        count = f"1 to {max_items} " if required else f"up to {max_items} "
    else:
        count = "one or more " if required else ""
    allowed = f"{count}{what}{hint} as a list or tuple, or one comma-separated str ('a,b')"
    if not _given(name, value, required, allowed):
        return ()
    if isinstance(value, str):
        items: Sequence[object] = [part.strip() for part in value.split(",")]
        if value.strip() == "":
            items = []
    else:
        items = check_sequence(name, value, allowed)
    if required and not items:
        fail(name, show(value), f"must name at least one of the {what}", allowed)
    if max_items is not None and len(items) > max_items:
        fail(name, f"<{len(items)} {what}>", f"has too many {what}", allowed)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip() or "," in item:
            fail(
                f"{name}[{index}]",
                show(item),
                f"is not valid (one of {name}={show(value)})",
                f"{count}non-empty {what}{hint} without ','",
            )
    return tuple(str(item).strip() for item in items)


def check_model_name(name: str, value: object, known: Sequence[str]) -> None:
    """A model is a string; unknown names pass (the API grows faster than the SDK)."""
    if value is not None and (not isinstance(value, str) or not value.strip()):
        fail(name, show(value), "must be a non-empty str", choices(known) + " (or a newer one)")


# --------------------------------------------------------------------------------------------
# Settings of the SDK's own objects (not sent): ``name=value is not valid; allowed: ...``
# --------------------------------------------------------------------------------------------


def _not_valid(name: str, value: object, allowed: str) -> NoReturn:
    raise ValueError(f"{name}={value!r} is not valid; allowed: {allowed}")


def check_count(name: str, value: object, low: int, allowed: str) -> int:
    """A count setting: an int >= ``low`` (a bool is refused: True would silently mean 1)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        _not_valid(name, value, allowed)
    return value


def check_seconds(name: str, value: object, *, zero: bool = False) -> float:
    """A duration setting: seconds > 0 (>= 0 with ``zero``); a bool or NaN is refused."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (value >= 0 if zero else value > 0)
    ):
        _not_valid(name, value, "seconds >= 0" if zero else "seconds > 0")
    return float(value)


# --------------------------------------------------------------------------------------------
# Ids in URL paths
# --------------------------------------------------------------------------------------------

# Each would change which resource the path names: a segment separator, a query or fragment
# start, a percent escape that the server decodes, or a backslash that some proxies treat as '/'.
_ID_FORBIDDEN_SUBSTRINGS: Final = ("/", "\\", "..", "?", "#", "%")
# Control, format (zero-width, bidi), surrogate, and separator characters.
_ID_FORBIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
_ID_ALLOWED: Final = (
    "a non-empty string without '/', '\\', '..', '?', '#', '%', whitespace or control "
    "characters (':' and '@' are fine), e.g. 'user:1234-minimax:987654321-video:998877665544'"
)


def _id_problem(value: str) -> str | None:
    if not value:
        return "is empty"
    if value == ".":
        return "is a relative path segment"
    for bad in _ID_FORBIDDEN_SUBSTRINGS:
        if bad in value:
            return f"contains {bad!r}"
    if value.isascii() and value.isprintable():
        # Printable ASCII has no control or separator character but the space (fast path).
        return "contains whitespace ' '" if " " in value else None
    for char in value:
        if char.isspace():
            return f"contains whitespace {char!r}"
        if unicodedata.category(char) in _ID_FORBIDDEN_CATEGORIES:
            return f"contains control character {char!r}"
    return None


def check_id(name: str, value: str) -> str:
    """Return ``value`` if it is safe as one URL path segment, else raise ``ValueError``.

    Args:
        name: The parameter name to put in the message (``video_id``, ``file_id``, ...).
        value: The id, e.g. ``user:1234-minimax:987654321-video:998877665544332211``.
    """
    if not isinstance(value, str):
        fail(name, show(value), "must be a str", _ID_ALLOWED)
    problem = _id_problem(value)
    if problem is not None:
        fail(name, show(value), f"is not a valid id: it {problem}", _ID_ALLOWED)
    return value


def check_account(value: str) -> str:
    """Return the account name if it is safe in a URL path (same rules as :func:`check_id`)."""
    return check_id("account", value)
