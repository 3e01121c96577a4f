"""The single cattrs converter: JSON keys <-> snake_case attributes, unknown keys kept.

Every response model derives from :class:`~minimax_async.models._shared.Model`. Structuring
maps each JSON key to an attribute by :func:`to_snake`; a key with no attribute, or a value whose
type does not fit the attribute, is kept verbatim in ``model_extra`` so nothing the server sent is
lost and ``to_dict()`` round-trips the original JSON exactly. Response models never reject data
with two exceptions, both turned into :class:`~minimax_async.ResponseDecodeError` by the base
client: a body that is not a JSON object where one is expected, and an object without one of the
few fields declared without a default (the id of what a call returns, a job's status), which
the API always sends on success (:class:`MissingFieldError`).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, Union

import attrs

from .models._keys import to_camel, to_snake
from .models._shared import Model, unstructure_model

if typing.TYPE_CHECKING:
    import cattrs

__all__ = [
    "MissingFieldError",
    "check_buildable",
    "converter",
    "structure",
    "to_camel",
    "to_snake",
    "unstructure_model",
]

T = TypeVar("T")


class _Unfit(Exception):
    """A value does not fit the declared type (kept in ``model_extra`` instead)."""


class MissingFieldError(ValueError):
    """A success body lacks a field its model requires (or sent it with an unusable value)."""

    def __init__(self, cls: type, name: str) -> None:
        self.model = cls.__name__
        self.field = name
        self.key = to_camel(name)
        super().__init__(
            f"the answer has no usable {self.key!r} ({self.model}.{self.field}), which the API "
            "always sends on success"
        )


@functools.cache
def _required(cls: Any) -> tuple[str, ...]:
    """Attribute names of ``cls`` declared without a default (they must come from the JSON)."""
    return tuple(f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING)


_StructureFn = Callable[[Any], Any]


#: The Python types a JSON value may have for each plain declared type: exactly these (``True``
#: is no ``int``: cattrs' coercion would break the round trip), a float may arrive as an int.
_EXACT_TYPES: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    type(None): (type(None),),
    # ``request(cast_to=dict)``: the JSON as is, shape checked.
    dict: (dict,),
    list: (list,),
}
_PRIMITIVES = (str, int, float, bool)


def _exact(allowed: tuple[type, ...]) -> _StructureFn:
    """The structurer of a plain type: the value itself when its type is one of ``allowed``."""

    def exact(v: Any) -> Any:
        if type(v) not in allowed:
            raise _Unfit
        return v

    return exact


#: The origins structured from a JSON array.
_SEQUENCES = (list, tuple, typing.Sequence, Sequence)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


def _make_structurer(tp: Any, nullable: bool = False) -> _StructureFn:
    """A strict function turning JSON into ``tp``; raises :class:`_Unfit` when it does not fit.

    Strict on purpose: cattrs' default ``str`` hook would turn ``1`` into ``"1"`` and break the
    round trip; here a mismatch moves the raw value to ``model_extra`` instead. ``nullable``:
    ``None`` is accepted as well (``list[X] | None``, ``Model | None``: tested inside the one
    function, after the usual case, rather than by a wrapper around it).
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
            return _exact((*_EXACT_TYPES[non_null[0]], type(None)))
        if nullable and len(non_null) == 1:
            single = non_null[0]
            if _is_model(single) or typing.get_origin(single) in _SEQUENCES:
                return _make_structurer(single, nullable=True)
            only = _make_structurer(single)

            def optional(v: Any) -> Any:
                return None if v is None else only(v)

            return optional
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
    if tp in _EXACT_TYPES:
        return _exact(_EXACT_TYPES[tp])
    if origin in _SEQUENCES:
        item = _make_structurer(args[0]) if args else (lambda v: v)
        as_tuple = origin is tuple

        def sequence(v: Any) -> Any:
            if type(v) is not list:
                if v is None and nullable:
                    return None
                raise _Unfit
            items = list(map(item, v))  # no comprehension frame (3.11)
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
        shapes = _shape_table(tp)

        def model(v: Any) -> Any:
            if type(v) is not dict:
                if v is None and nullable:
                    return None
                raise _Unfit
            # ``_structure_model`` inlined: this runs for every object of every answer.
            shape = tuple(v)
            build = shapes.get(shape)
            if build is None:
                return _structure_model(v, tp)
            try:
                return build(v)
            except (_Unfit, RecursionError):
                return _structure_model_slow(v, tp)

        return model
    raise TypeError(f"no structuring rule for {tp!r}")  # a bug in a model declaration


@functools.cache
def _field_table(cls: Any) -> dict[str, tuple[str, _StructureFn]]:
    """snake_case attribute name -> (attribute name, structurer) for one model class."""
    hints = _hints(cls)
    return {name: (name, _make_structurer(tp)) for name, tp in hints.items()}


@functools.cache
def _hints(cls: Any) -> dict[str, Any]:
    """Attribute name -> declared type of every JSON-backed attribute of ``cls``."""
    hints = typing.get_type_hints(cls)
    return {
        field.name: hints[field.name]
        for field in attrs.fields(cls)
        if field.name not in ("model_extra", "_json_keys")
    }


@functools.cache
def _key_table(cls: Any) -> dict[str, tuple[str, _StructureFn] | None]:
    """JSON key -> (attribute name, structurer), filled as keys are met (one dict lookup a key
    on the hot path instead of ``to_snake`` + a lookup)."""
    return {}


def _entry(cls: Any, key: Any) -> tuple[str, _StructureFn] | None:
    """The (attribute name, structurer) a JSON key of ``cls`` maps to, or None (-> extras)."""
    by_key = _key_table(cls)
    try:
        return by_key[key]
    except KeyError:
        entry = _field_table(cls).get(to_snake(key)) if isinstance(key, str) else None
        if isinstance(key, str) and len(by_key) < 1024:  # bounded: keys come from servers
            by_key[key] = entry
        return entry
    except TypeError:  # an unhashable key cannot come from JSON, but stay total
        return None


def _structure_model_slow(data: Mapping[str, Any], cls: Any) -> Any:
    """Key by key: what does not fit its attribute goes to ``model_extra``."""
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    keys: list[tuple[str, str]] = []
    for key, value in data.items():
        entry = _entry(cls, key)
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
    for name in _required(cls):
        if name not in kwargs:
            raise MissingFieldError(cls, name)
    return cls(model_extra=extra, _json_keys=tuple(keys), **kwargs)


# -- the fast path: one compiled builder per (model class, sequence of JSON keys) ---------------
#
# A given endpoint answers with the same keys in the same order almost every time, so the work
# of mapping keys to attributes is done once per such "shape": a small function is generated
# (as attrs generates ``__init__``) that unpacks the values, tests the primitive ones inline and
# calls the model's constructor. Any value that does not fit raises ``_Unfit`` and the call goes
# the slow way above, which keeps it in ``model_extra`` - the result is the same either way. A
# shape without a required key "compiles" to the slow path (which raises ``MissingFieldError``).
# Only key *positions* and attribute names (Python identifiers from the model declarations)
# appear in the generated source; the keys themselves, which come from servers, stay data.

_MAX_SHAPES = 64  # per model class: shapes come from servers, so the table is bounded
_MAX_SHAPE_KEYS = 200  # wider objects are rare: the slow path is fine for them

_Builder = Callable[[Mapping[str, Any]], Any]


def _inline_test(tp: Any, var: str) -> str | None:
    """A Python expression true when ``var`` fits ``tp`` as is, for the primitive cases."""
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    nullable = False
    if origin is Union or origin is types.UnionType:
        non_null = [a for a in args if a is not type(None)]
        if len(non_null) != 1:
            return None
        nullable, tp = type(None) in args, non_null[0]
    if tp is float:
        test = f"type({var}) is float or type({var}) is int"
    elif tp in _PRIMITIVES:
        test = f"type({var}) is {tp.__name__}"
    else:
        return None
    return f"({var} is None or {test})" if nullable else f"({test})"


@functools.cache
def _shape_table(cls: Any) -> dict[tuple[Any, ...], _Builder]:
    return {}


@functools.cache
def _slot_setters(cls: Any) -> dict[str, Callable[[Any, Any], None]] | None:
    """Attribute name -> the slot's own setter, for classes a builder may fill directly.

    A frozen attrs ``__init__`` sets every attribute through ``object.__setattr__`` (the class's
    own ``__setattr__`` refuses); calling each slot descriptor's ``__set__`` does the same work
    in about a third of the time. Only for plain models: slotted, and with no validator,
    converter or ``__attrs_post_init__`` that ``__init__`` would run (None otherwise).
    """
    if any(hasattr(cls, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")):
        return None
    setters: dict[str, Callable[[Any, Any], None]] = {}
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None:
            return None
        slot = next((k.__dict__[field.name] for k in cls.__mro__ if field.name in k.__dict__), None)
        if type(slot) is not types.MemberDescriptorType:
            return None
        setters[field.name] = slot.__set__
    return setters


def _compile_shape(cls: Any, shape: tuple[Any, ...]) -> _Builder:
    hints = _hints(cls)
    names: set[str] = set()
    tests: list[str] = []
    values: dict[str, str] = {}  # attribute name -> expression of its value
    extra: list[str] = []
    json_keys: list[tuple[str, str]] = []
    scope: dict[str, Any] = {"cls": cls, "_Unfit": _Unfit, "K": shape, "type": type}
    for i, key in enumerate(shape):
        entry = _entry(cls, key)
        if entry is None or entry[0] in names:
            extra.append(f"K[{i}]: v{i}")
            continue
        name, fn = entry
        names.add(name)
        json_keys.append((key, name))
        test = _inline_test(hints[name], f"v{i}")
        if test is None:
            scope[f"f{i}"] = fn
            values[name] = f"f{i}(v{i})"
        else:
            tests.append(test)
            values[name] = f"v{i}"
    if any(name not in values for name in _required(cls)):
        # Always an error: the key-by-key path raises it, naming the same field it would.
        return functools.partial(_structure_model_slow, cls=cls)
    scope["J"] = tuple(json_keys)
    values["model_extra"] = "{" + ", ".join(extra) + "}"
    values["_json_keys"] = "J"
    lines = ["def build(data):"]
    if shape:
        lines.append(f"    {''.join(f'v{i}, ' for i in range(len(shape)))}= data.values()")
    if tests:
        lines.append(f"    if not ({' and '.join(tests)}):")
        lines.append("        raise _Unfit")
    setters = _slot_setters(cls)
    fields = attrs.fields(cls)
    if setters is not None and all(
        f.name in values or not isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
        for f in fields
    ):
        # What ``__init__`` would do, slot by slot (see ``_slot_setters``); absent attributes
        # get their (immutable: no factory) defaults.
        scope["new"] = object.__new__
        lines.append("    o = new(cls)")
        for n, field in enumerate(fields):
            scope[f"s{n}"] = setters[field.name]
            if field.name not in values:
                scope[f"d{n}"] = field.default
            lines.append(f"    s{n}(o, {values.get(field.name, f'd{n}')})")
        lines.append("    return o")
    else:
        lines.append(f"    return cls({', '.join(f'{k}={v}' for k, v in values.items())})")
    exec(compile("\n".join(lines), f"<minimax_async structure {cls.__name__}>", "exec"), scope)
    build: _Builder = scope["build"]
    return build


def _structure_model(data: Mapping[str, Any], cls: Any) -> Any:
    shapes = _shape_table(cls)
    shape = tuple(data)
    try:
        build = shapes[shape]
    except KeyError:
        if len(shapes) >= _MAX_SHAPES or len(shape) > _MAX_SHAPE_KEYS:
            return _structure_model_slow(data, cls)
        build = shapes[shape] = _compile_shape(cls, shape)
    try:
        return build(data)
    except (_Unfit, RecursionError):
        return _structure_model_slow(data, cls)


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

    @classmethod
    def of(cls, tp: Any) -> _NotAnObject:
        return cls(f"response does not have the shape of {_type_name(tp)}")


def structure(data: Any, tp: type[T]) -> T:
    """Build ``tp`` (a model, ``list[Model]``, ``dict[str, Model]`` ...) from decoded JSON.

    Raises:
        ValueError: ``data`` does not have the outer shape ``tp`` needs (not an object, not a
            list), or lacks a required field (:class:`MissingFieldError`); other mismatches
            never raise, they are kept in ``model_extra``.
    """
    try:
        built: T = structurer_of(tp)(data)  # no typing.cast: two calls fewer on every answer
        return built
    except _Unfit:
        raise _NotAnObject.of(tp) from None


@functools.cache
def _top_level(tp: Any) -> _StructureFn:
    return _make_structurer(tp)


#: The function :func:`structure` calls for ``tp`` (cached): it raises ``_Unfit`` where
#: ``structure`` raises ``_NotAnObject.of(tp)``. ``_top_level`` typed for any type (a
#: ``type[T]`` is hashable; mypy cannot tell).
structurer_of: Callable[[Any], _StructureFn] = _top_level


#: The ``cast_to`` types :func:`check_buildable` accepted: callers on the hot path test
#: membership here first (``tp in BUILDABLE``; a TypeError for an unhashable ``tp``).
BUILDABLE: set[Any] = {None, bytes}


def check_buildable(tp: Any) -> None:
    """Refuse a ``cast_to`` no JSON answer can be structured into (before a request is sent).

    Buildable: a model, ``dict``, ``list``, ``object`` / ``Any`` (the JSON as is), ``str``,
    ``int``, ``float``, ``bool``, and ``list[...]`` / ``dict[str, ...]`` / unions of those.

    Raises:
        ValueError: naming ``cast_to`` and what is allowed.
    """
    try:
        _top_level(tp)
        if len(BUILDABLE) < 256:  # bounded: ``cast_to`` may be anything a caller builds
            BUILDABLE.add(tp)
    except (TypeError, RecursionError):  # no rule for it, or not even hashable
        raise ValueError(
            f"cast_to={tp!r} is not valid; allowed: a response model, dict, list, object, a "
            "JSON scalar type, or list[...] / dict[str, ...] / unions of those"
        ) from None


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or repr(tp)
