"""The converter's compiled per-shape builders give exactly what the key-by-key path gives."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minimax_async import Account, AgentJob, Image, Video, VideoJob, _converter
from minimax_async._converter import (
    _MAX_SHAPES,
    MissingFieldError,
    _shape_table,
    _slot_setters,
    _structure_model_slow,
    structure,
)
from minimax_async.models import Model

SAMPLES = Path(__file__).parent / "samples"
MODELS: list[type[Model]] = [Video, VideoJob, AgentJob, Image, Account]


def same(a: Any, b: Any) -> None:
    """Two results are the same value down to ``extra``, the kept key order and the types."""
    assert type(a) is type(b)
    if isinstance(a, Model):
        assert a == b
        assert a.model_extra == b.model_extra
        assert a._json_keys == b._json_keys
        for field in attrs.fields(type(a)):
            same(getattr(a, field.name), getattr(b, field.name))
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            same(x, y)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            same(a[key], b[key])
    else:
        assert a == b


def json_keys_of(cls: type[Model]) -> list[str]:
    """The JSON spellings of ``cls``'s attributes (camelCase), plus a few oddities."""
    return [_converter.to_camel(f.name) for f in attrs.fields(cls) if f.name != "_json_keys"]


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=5)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def objects(draw: st.DrawFn, cls: type[Model]) -> dict[str, Any]:
    keys = draw(
        st.lists(
            st.one_of(
                st.sampled_from(json_keys_of(cls)),
                st.sampled_from(["video_url", "VideoId", "model_extra", "_json_keys", "a'b\n", ""]),
                st.text(max_size=6),
            ),
            max_size=12,
            unique=True,
        )
    )
    return {key: draw(values) for key in keys}


class TestSameAsKeyByKey:
    @pytest.mark.parametrize("cls", MODELS)
    @settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_any_object(self, cls: type[Model], data: st.DataObject) -> None:
        """For any object (known keys, unknown keys, wrong types, nesting), the compiled
        builder's model equals the key-by-key one, on first use and from the cache."""
        obj = data.draw(objects(cls))
        try:
            expected = _structure_model_slow(obj, cls)
        except MissingFieldError as exc:  # both paths name the same missing field
            missing = (exc.model, exc.field)
        else:
            missing = None
        if missing is not None:
            for attempt in (obj, json.loads(json.dumps(obj))):
                with pytest.raises(MissingFieldError) as raised:
                    structure(attempt, cls)
                assert (raised.value.model, raised.value.field) == missing
            return
        first = structure(obj, cls)
        again = structure(json.loads(json.dumps(obj)), cls)
        same(first, expected)
        same(again, expected)
        assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(obj, sort_keys=True)

    @pytest.mark.parametrize(
        ("case", "cls"),
        [
            ("get-minimax-videos-videoId", Video),
            ("post-minimax-videos-create", VideoJob),
        ],
    )
    def test_documented_samples(self, case: str, cls: type[Model]) -> None:
        """The documented answers build the same model both ways, nested lists included."""
        obj = json.loads((SAMPLES / case / "200.json").read_text(encoding="utf-8"))
        same(structure(obj, cls), _structure_model_slow(obj, cls))

    def test_unfit_value_after_a_fitting_shape(self) -> None:
        """A shape first seen with fitting values, then with a value of the wrong type: the
        second goes to ``model_extra`` exactly as the key-by-key path puts it."""
        structure({"videoId": "v1", "status": 2, "originFiles": []}, Video)
        for odd in ({"videoId": "v1", "status": 2, "originFiles": [3]},
                    {"videoId": "v1", "status": 2, "originFiles": "x"}):  # fmt: skip
            video = structure(odd, Video)
            same(video, _structure_model_slow(odd, Video))
            assert video.model_extra  # the unfit value is kept, not dropped

    def test_absent_attributes_get_their_defaults(self) -> None:
        """Attributes not in the object are None, like the constructor's defaults."""
        video = structure({"videoId": "v1", "status": 1}, Video)
        assert video == Video(video_id="v1", status=1)
        assert video.model_extra == {}
        assert repr(video) == repr(Video(video_id="v1", status=1))


class TestBuiltModels:
    def test_frozen_and_picklable(self) -> None:
        """A model filled slot by slot is still frozen, and pickles like a constructed one."""
        video = structure(
            {"videoId": "v1", "status": 1, "originFiles": [{"id": "f", "type": "png"}]}, Video
        )
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            video.video_id = "v2"  # type: ignore[misc]
        copy = pickle.loads(pickle.dumps(video))
        same(copy, video)
        assert attrs.evolve(video, status=2).status == 2

    def test_slot_setters_only_for_plain_models(self) -> None:
        """Models with an ``__attrs_post_init__`` or a validator are built by ``__init__``."""

        @attrs.frozen(kw_only=True)
        class Checked(Model):
            size: int | None = attrs.field(default=None, validator=attrs.validators.ge(0))

        @attrs.frozen(kw_only=True)
        class Hooked(Model):
            name: str | None = None
            seen: list[str] = attrs.field(factory=list)

            def __attrs_post_init__(self) -> None:
                self.seen.append("init")

        assert _slot_setters(Video) is not None
        assert _slot_setters(Checked) is None
        assert _slot_setters(Hooked) is None
        with pytest.raises(ValueError, match="size"):
            structure({"size": -1}, Checked)
        assert structure({"name": "x"}, Hooked).seen == ["init"]

    def test_factory_defaults_are_fresh(self) -> None:
        """An absent attribute with a factory default gets a new value per model."""

        @attrs.frozen(kw_only=True)
        class Tagged(Model):
            name: str | None = None
            tags: list[str] = attrs.field(factory=list)

        a = structure({"name": "a"}, Tagged)
        b = structure({"name": "b"}, Tagged)
        assert a.tags == []
        assert b.tags == []
        assert a.tags is not b.tags


class TestShapes:
    def test_keys_are_data_not_code(self) -> None:
        """Keys a server sends never become source text: quotes, newlines and Python in a key
        are kept in ``model_extra`` verbatim."""
        hostile = {
            "videoId": "v1",
            "status": 2,
            "'); import os; os._exit(3); ('": 1,
            'x"}\nraise SystemExit\n{"': 2,
            "__import__('os')": 3,
        }
        video = structure(hostile, Video)
        assert video.video_id == "v1"
        assert video.to_dict() == hostile

    def test_shape_table_is_bounded(self) -> None:
        """Every new key order compiles a builder only up to a bound; later shapes still
        structure correctly (key by key)."""

        @attrs.frozen(kw_only=True)
        class Small(Model):
            a: int | None = None

        for n in range(_MAX_SHAPES + 40):
            obj = {"a": n, f"k{n}": n}
            same(structure(obj, Small), _structure_model_slow(obj, Small))
        assert len(_shape_table(Small)) == _MAX_SHAPES

    def test_one_builder_per_shape(self) -> None:
        """The same keys in the same order reuse one builder; another order compiles another."""

        @attrs.frozen(kw_only=True)
        class Pair(Model):
            a: int | None = None
            b: str | None = None

        structure({"a": 1, "b": "x"}, Pair)
        structure({"a": 2, "b": "y"}, Pair)
        assert len(_shape_table(Pair)) == 1
        swapped = structure({"b": "z", "a": 3}, Pair)
        assert len(_shape_table(Pair)) == 2
        assert swapped.to_dict() == {"b": "z", "a": 3}
