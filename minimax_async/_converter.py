"""The single cattrs converter: JSON keys <-> snake_case attributes, unknown keys kept.

Every response model derives from :class:`~minimax_async.models._shared.Model`. Structuring
maps each JSON key to an attribute by :func:`to_snake`; a key with no attribute, or a value whose
type does not fit the attribute, is kept verbatim in ``extra`` so nothing the server sent is lost
and ``to_dict()`` round-trips the original JSON exactly. Response models never reject data: the
only failure is a body that is not a JSON object where one is expected, which the base client
turns into :class:`~minimax_async.ResponseDecodeError`.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union

import attrs

from .models._shared import Model

if typing.TYPE_CHECKING:
    import cattrs

__all__ = ["converter", "structure", "to_camel", "to_snake", "unstructure_model"]

T = TypeVar("T")

# A plural acronym (``videoIDs``) would otherwise split as ``video_i_ds``.
_PLURAL_ACRONYM = re.compile(r"([A-Z]{2,})s(?=[A-Z_]|$)")
_ACRONYM_RUN = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LOWER_UPPER = re.compile(r"([a-z\d])([A-Z])")

# Acronyms the API writes in capitals inside camelCase keys (``videoURL``, ``fileID``). Used only
# for models built by hand, which have no source JSON to copy key names from.
_ACRONYMS = {"id": "ID", "url": "URL", "ids": "IDs"}


@functools.lru_cache(maxsize=4096)
def to_snake(key: str) -> str:
    """``videoURL`` -> ``video_url``, ``end_frame_fileID`` -> ``end_frame_file_id``."""
    key = _PLURAL_ACRONYM.sub(r"\1S", key)
    return _LOWER_UPPER.sub(r"\1_\2", _ACRONYM_RUN.sub(r"\1_\2", key)).lower()


# The API is not consistent (``videoId`` but ``fileID``; MiniMax's own blocks are snake_case).
# Spellings the documented bodies use where the camelCase rule below would guess wrong; only for
# models built by hand, as above.
_SPELLED = {
    "exp_expire": "exp_Expire",
    "file_url": "fileUrl",
    "iat_issued": "iat_Issued",
    "image_id": "imageId",
    "image_ids": "imageIds",
    "job_id": "jobId",
    "music_id": "musicId",
    "reply_url": "replyUrl",
    "style_id": "styleId",
    "video_id": "videoId",
    "video_urls": "videoURLs",
}
_SNAKE_KEYS = frozenset(
    {
        "audio_channel", "audio_format", "audio_id", "audio_length", "audio_list",
        "audio_review", "audio_sample_rate", "audio_setting", "audio_size", "audio_title",
        "auditorium_echo", "base_resp", "cdn_url", "coin_type", "created_at", "credit_type",
        "deepen_lighten", "er_weights", "file_scene", "file_status", "file_type", "group_id",
        "input_sensitive", "invisible_character_ratio", "language_boost", "lofi_telephone",
        "model_aspect_ratio", "model_name", "model_resolution", "nasal_crisp",
        "no_watermark_url", "parent_voice_id", "sample_audio", "spacious_echo", "status_msg",
        "stronger_softer", "sub_credits", "t2a_emotion", "tag_list", "tag_name",
        "thumbnail_url", "total_credit", "trace_id", "uniq_id", "usage_characters", "voice_id",
        "voice_info", "voice_list", "voice_name", "voice_setting", "voice_status",
        "voice_tag_accent", "voice_tag_age", "voice_tag_gender", "voice_tag_language",
        "watermark_url", "word_count",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=1024)
def to_camel(name: str) -> str:
    """Best guess at the JSON key for an attribute: ``video_url`` -> ``videoURL``.

    Uses the documented spelling where the docs show one (``video_id`` -> ``videoId``,
    ``voice_id`` stays ``voice_id``).
    """
    if name in _SPELLED:
        return _SPELLED[name]
    if name in _SNAKE_KEYS:
        return name
    head, *rest = name.split("_")
    return head + "".join(_ACRONYMS.get(part, part.capitalize()) for part in rest)


class _Unfit(Exception):
    """A value does not fit the declared type (kept in ``extra`` instead)."""


_StructureFn = Callable[[Any], Any]


_PRIMITIVES = (str, int, float, bool)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


def _make_structurer(tp: Any) -> _StructureFn:
    """A strict function turning JSON into ``tp``; raises :class:`_Unfit` when it does not fit.

    Strict on purpose: cattrs' default ``str`` hook would turn ``1`` into ``"1"`` and break the
    round trip; here a mismatch moves the raw value to ``extra`` instead.
    """
    if tp is Any or tp is object:
        return lambda v: v
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union or origin is types.UnionType:
        non_null = [a for a in args if a is not type(None)]
        nullable = type(None) in args
        if nullable and len(non_null) == 1 and non_null[0] in _PRIMITIVES:
            # The hot case (``str | None`` ...): one exact type test, no nested call.
            exact = non_null[0]
            widen = (int, float) if exact is float else (exact,)

            def optional_primitive(v: Any) -> Any:
                if v is None or type(v) in widen:
                    return v
                raise _Unfit

            return optional_primitive
        members = [_make_structurer(a) for a in non_null]

        def union(v: Any) -> Any:
            if v is None:
                if nullable:
                    return None
                raise _Unfit
            for fn in members:
                try:
                    return fn(v)
                except _Unfit:
                    continue
            raise _Unfit

        return union
    if tp is type(None):

        def none(v: Any) -> Any:
            if v is not None:
                raise _Unfit
            return None

        return none
    if tp is bool:

        def boolean(v: Any) -> Any:
            if type(v) is not bool:
                raise _Unfit
            return v

        return boolean
    if tp is int:

        def integer(v: Any) -> Any:
            if type(v) is not int:
                raise _Unfit
            return v

        return integer
    if tp is float:

        def number(v: Any) -> Any:
            if type(v) not in (int, float):
                raise _Unfit
            return v

        return number
    if tp is str:

        def string(v: Any) -> Any:
            if type(v) is not str:
                raise _Unfit
            return v

        return string
    if origin in (list, tuple, typing.Sequence, _abc_sequence()):
        item = _make_structurer(args[0]) if args else (lambda v: v)
        as_tuple = origin is tuple

        def sequence(v: Any) -> Any:
            if type(v) is not list:
                raise _Unfit
            items = [item(x) for x in v]
            return tuple(items) if as_tuple else items

        return sequence
    if origin in (dict, typing.Mapping, Mapping):
        value = _make_structurer(args[1]) if len(args) == 2 else (lambda v: v)

        def mapping(v: Any) -> Any:
            if type(v) is not dict:
                raise _Unfit
            return {k: value(x) for k, x in v.items()}

        return mapping
    if _is_model(tp):

        def model(v: Any) -> Any:
            if type(v) is not dict:
                raise _Unfit
            return _structure_model(v, tp)

        return model
    raise TypeError(f"no structuring rule for {tp!r}")  # a bug in a model declaration


def _abc_sequence() -> Any:
    import collections.abc

    return collections.abc.Sequence


@functools.cache
def _field_table(cls: Any) -> dict[str, tuple[str, _StructureFn]]:
    """snake_case attribute name -> (attribute name, structurer) for one model class."""
    hints = typing.get_type_hints(cls)
    table: dict[str, tuple[str, _StructureFn]] = {}
    for field in attrs.fields(cls):
        if field.name in ("extra", "_json_keys"):
            continue
        table[field.name] = (field.name, _make_structurer(hints[field.name]))
    return table


@functools.cache
def _key_table(cls: Any) -> dict[str, tuple[str, _StructureFn] | None]:
    """JSON key -> (attribute name, structurer), filled as keys are met (one dict lookup a key
    on the hot path instead of ``to_snake`` + a lookup)."""
    return {}


def _structure_model(data: Mapping[str, Any], cls: Any) -> Any:
    by_key = _key_table(cls)
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    keys: list[tuple[str, str]] = []
    for key, value in data.items():
        try:
            entry = by_key[key]
        except KeyError:
            entry = _field_table(cls).get(to_snake(key)) if isinstance(key, str) else None
            if isinstance(key, str) and len(by_key) < 1024:  # bounded: keys come from servers
                by_key[key] = entry
        except TypeError:  # an unhashable key cannot come from JSON, but stay total
            entry = None
        if entry is None or entry[0] in kwargs:
            extra[key] = value
            continue
        name, fn = entry
        try:
            kwargs[name] = fn(value)
        except (_Unfit, RecursionError):
            extra[key] = value
            continue
        keys.append((key, name))
    return cls(extra=extra, _json_keys=tuple(keys), **kwargs)


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
    for name in _field_table(typing.cast(Any, type(model))):
        if name in seen:
            continue
        value = getattr(model, name)
        if value is not None:
            out[to_camel(name)] = _unstructure_value(value)
    out.update(model.extra)
    return out


@functools.cache
def _cattrs_converter() -> cattrs.Converter:
    import cattrs  # only when asked for: the SDK's own path never needs it

    made = cattrs.Converter()
    made.register_structure_hook_factory(
        _is_model, lambda cls: functools.partial(_structure_from_converter, cls=cls)
    )
    made.register_unstructure_hook_factory(_is_model, lambda cls: unstructure_model)
    return made


if typing.TYPE_CHECKING:
    #: A cattrs converter with the same rules (built on first use: importing cattrs is slow).
    converter: cattrs.Converter
else:

    def __getattr__(name: str) -> Any:
        if name == "converter":
            return _cattrs_converter()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _structure_from_converter(data: Any, _tp: Any, *, cls: type[Model]) -> Model:
    if not isinstance(data, dict):
        raise _NotAnObject(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
    model: Model = _structure_model(data, cls)
    return model


class _NotAnObject(ValueError):
    """The body is not the JSON object the endpoint promises."""


def structure(data: Any, tp: type[T]) -> T:
    """Build ``tp`` (a model, ``list[Model]``, ``dict[str, Model]`` ...) from decoded JSON.

    Raises:
        ValueError: ``data`` does not have the outer shape ``tp`` needs (not an object, not a
            list); inner mismatches never raise, they are kept in ``extra``.
    """
    try:
        return typing.cast(T, _top_level(typing.cast(Any, tp))(data))
    except _Unfit:
        raise _NotAnObject(f"response does not have the shape of {_type_name(tp)}") from None


@functools.cache
def _top_level(tp: Any) -> _StructureFn:
    return _make_structurer(tp)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or repr(tp)
