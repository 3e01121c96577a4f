"""The base of every response model, and the small shared shapes."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Model", "StatusInfo"]


@attrs.frozen(kw_only=True)
class Model:
    """Base of every response model.

    Attributes are the snake_case names of the JSON keys (see ``_converter``). Keys the SDK does
    not know are kept in ``extra`` under their original names, and :meth:`to_dict` gives back the
    JSON the model was built from.
    """

    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)
    # (json key, attribute name) for every known key present in the source JSON, in order.
    # Private: lets ``to_dict`` reproduce the exact keys (``fileID`` vs ``file_id``) and nulls.
    _json_keys: tuple[tuple[str, str], ...] = attrs.field(
        default=(), repr=False, eq=False, alias="_json_keys"
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object this model stands for, with the API's own key names."""
        from .._converter import unstructure_model

        return unstructure_model(self)


@attrs.frozen(kw_only=True)
class StatusInfo(Model):
    """The upstream ``statusInfo`` block some responses carry."""

    code: int | None = None
    http_code: int | None = None
    message: str | None = None
    service_time: int | None = None
    request_id: str | None = None
    debug_info: str | None = None
    server_alert: int | None = None
