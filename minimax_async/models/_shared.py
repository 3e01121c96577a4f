"""The base of every response model, and the small shared shapes."""

from __future__ import annotations

import functools
import typing
from typing import Any

import attrs

from ._keys import to_camel

__all__ = ["Model", "StatusInfo"]


@attrs.frozen(kw_only=True, repr=False)
class Model:
    """Base of every response model.

    Attributes are the snake_case names of the JSON keys (see ``_keys``). Keys the SDK does
    not know are kept in ``model_extra`` under their original names (pydantic's name: the API
    itself sends keys named ``extra``, which are ordinary attributes), and :meth:`to_dict` gives
    back the JSON the model was built from.

    Every model class is declared with ``repr=False`` so that this class's ``__repr__`` (only
    the fields that are set) is the one used; ``tests/models`` checks that none forgets.
    """

    model_extra: dict[str, Any] = attrs.field(factory=dict, repr=False)
    # (json key, attribute name) for every known key present in the source JSON, in order.
    # Private: lets ``to_dict`` reproduce the exact keys (``fileID`` vs ``file_id``) and nulls.
    _json_keys: tuple[tuple[str, str], ...] = attrs.field(
        default=(), repr=False, eq=False, alias="_json_keys"
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this model stands for, with the API's own key names."""
        return unstructure_model(self)

    def __repr__(self) -> str:
        # A model has up to 50 optional fields, mostly None: showing only what is set keeps a
        # listing readable. Fields declared ``repr=False`` (tokens) are never shown, and
        # neither is ``model_extra`` (unknown keys may carry anything, secrets included).
        shown = ", ".join(
            f"{field.name}={value!r}"
            for field in attrs.fields(type(self))
            if field.repr is not False and (value := getattr(self, field.name)) is not None
        )
        return f"{type(self).__name__}({shown})"


# -- back to JSON: here, not in ``_converter``, so that no model imports the converter ----------


@functools.cache
def _json_fields(cls: Any) -> tuple[str, ...]:
    """Attribute names of every JSON-backed attribute of ``cls``, in declaration order."""
    return tuple(f.name for f in attrs.fields(cls) if f.name not in ("model_extra", "_json_keys"))


def _unstructure_value(value: Any) -> Any:
    if isinstance(value, Model):
        return unstructure_model(value)
    if isinstance(value, (list, tuple)):
        return [_unstructure_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _unstructure_value(v) for k, v in value.items()}
    return value


def unstructure_model(model: Model) -> dict[str, Any]:
    """The JSON object for ``model``: source key names and nulls where it came from JSON."""
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for key, name in model._json_keys:
        out[key] = _unstructure_value(getattr(model, name))
        seen.add(name)
    for name in _json_fields(typing.cast(Any, type(model))):
        if name in seen:
            continue
        value = getattr(model, name)
        if value is not None:
            out[to_camel(name)] = _unstructure_value(value)
    out.update(model.model_extra)
    return out


@attrs.frozen(kw_only=True, repr=False)
class StatusInfo(Model):
    """The upstream ``statusInfo`` block some responses carry."""

    code: int | None = None
    http_code: int | None = None
    message: str | None = None
    service_time: int | None = None
    request_id: str | None = None
    debug_info: str | None = None
    server_alert: int | None = None
