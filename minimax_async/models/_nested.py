"""Reading a JSON key named ``extra``, which the base model's ``extra`` dict shadows."""

from __future__ import annotations

from typing import Any, TypeVar

from ._shared import Model

__all__ = ["json_extra"]

M = TypeVar("M", bound=Model)


def json_extra(model: Model, tp: type[M]) -> M | None:
    """The object the API sent under the JSON key ``extra``, as ``tp``.

    ``Model.extra`` holds the keys the SDK does not know, so a JSON key literally named ``extra``
    cannot become an attribute and is kept there verbatim; this builds the typed view on demand.
    """
    value: Any = model.extra.get("extra")
    if not isinstance(value, dict):
        return None
    from .._converter import structure

    return structure(value, tp)
