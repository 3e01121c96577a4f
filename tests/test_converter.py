"""The single converter: snake_case keys, unknown and wrong-typed values kept, exact round trips."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minimax_async import (
    Account,
    AgentJob,
    AgentJobError,
    Image,
    ImageJob,
    ImagePage,
    Music,
    MusicJob,
    UploadedFile,
    Video,
    VideoJob,
)
from minimax_async._converter import (
    MissingFieldError,
    converter,
    structure,
    to_camel,
    to_snake,
)
from minimax_async.models import Model

SAMPLES = Path(__file__).parent / "samples"


def canonical(value: Any) -> str:
    """JSON text that tells ``1``, ``1.0`` and ``True`` apart and ignores key order."""
    return json.dumps(value, sort_keys=True)


def sample(case: str, name: str) -> Any:
    return json.loads((SAMPLES / case / name).read_text(encoding="utf-8"))


class TestKeyNames:
    @pytest.mark.parametrize(
        ("key", "name"),
        [
            ("videoURL", "video_url"),
            ("fileID", "file_id"),
            ("statusFinal", "status_final"),
            ("videoIDs", "video_ids"),
            ("userIDStr", "user_id_str"),
            ("end_frame_fileID", "end_frame_file_id"),
            ("videoId", "video_id"),
            ("coverURL", "cover_url"),
            ("batchID", "batch_id"),
            ("iat_Issued", "iat_issued"),
            ("maxJobs", "max_jobs"),
            ("imageURLs", "image_urls"),
            ("msgID", "msg_id"),
            ("ID", "id"),
            ("already_snake", "already_snake"),
            ("status", "status"),
        ],
    )
    def test_to_snake(self, key: str, name: str) -> None:
        """JSON keys map to the contract's snake_case names, plural acronyms included."""
        assert to_snake(key) == name

    @pytest.mark.parametrize(
        ("name", "key"),
        [
            ("video_url", "videoURL"),
            ("file_id", "fileID"),
            ("video_ids", "videoIDs"),
            ("status_final", "statusFinal"),
            ("status", "status"),
            ("video_id", "videoId"),
            ("reply_url", "replyUrl"),
            ("video_urls", "videoURLs"),
            ("voice_id", "voice_id"),
            ("base_resp", "base_resp"),
        ],
    )
    def test_to_camel(self, name: str, key: str) -> None:
        """Hand-built models guess the API's key spelling."""
        assert to_camel(name) == key

    def test_to_camel_matches_documented_keys(self) -> None:
        """For every key in the documented bodies, the guess is a spelling the docs use."""
        spellings: dict[str, set[str]] = {}

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    if "<" not in key:  # placeholders such as "<MiniMax account>"
                        spellings.setdefault(to_snake(key), set()).add(key)
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        for path in SAMPLES.rglob("*.json"):
            walk(json.loads(path.read_text(encoding="utf-8")))
        assert len(spellings) > 100
        wrong = {n: (to_camel(n), k) for n, k in spellings.items() if to_camel(n) not in k}
        assert wrong == {}


class TestStructure:
    def test_known_keys(self) -> None:
        """Known keys become attributes under their snake_case names."""
        video = structure(
            {"videoId": "v1", "videoURL": "https://x/v.mp4", "status": 2, "statusFinal": True},
            Video,
        )
        assert video.video_id == "v1"
        assert video.video_url == "https://x/v.mp4"
        assert video.status == 2
        assert video.status_final is True
        assert video.model_extra == {}

    @pytest.mark.parametrize(
        ("value", "built", "extra"),
        [
            (None, None, {}),
            ([], [], {}),
            ("not a list", None, {"originFiles": "not a list"}),
            (
                [{"id": "f", "type": "png"}, None],
                None,
                {"originFiles": [{"id": "f", "type": "png"}, None]},
            ),
        ],
    )
    def test_nullable_list_of_models(self, value: Any, built: Any, extra: Any) -> None:
        """``list[Model] | None``: null is None, a list is built item by item, anything else
        (or a list with an item that is no object) is kept whole in ``model_extra``."""
        data = {"videoId": "v1", "status": 1, "originFiles": value}
        video = structure(data, Video)
        assert video.origin_files == built
        assert video.model_extra == extra
        assert canonical(video.to_dict()) == canonical(data)

    @pytest.mark.parametrize("jwt", [None, {"host": "h", "exp": 1.5}, "text", 3])
    def test_nullable_model(self, jwt: Any) -> None:
        """``Model | None``: null is None, an object is built, anything else stays raw."""
        data = {"account": "a1", "jwt": jwt}
        account = structure(data, Account)
        if isinstance(jwt, dict):
            assert account.jwt is not None
            assert (account.jwt.host, account.jwt.exp) == ("h", 1.5)
            assert account.model_extra == {}
        else:
            assert account.jwt is None
            assert account.model_extra == ({} if jwt is None else {"jwt": jwt})
        assert canonical(account.to_dict()) == canonical(data)

    def test_unknown_keys_kept_and_round_tripped(self) -> None:
        """Keys the model does not know go to ``model_extra`` and come back from ``to_dict``."""
        data = {"videoId": "v1", "status": 1, "brandNew": {"nested": [1, 2]}, "another": None}
        video = structure(data, Video)
        assert video.model_extra == {"brandNew": {"nested": [1, 2]}, "another": None}
        assert canonical(video.to_dict()) == canonical(data)

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("percent", "50%"),
            ("videoURL", 123),
            ("statusFinal", 1),
            ("originFiles", "not a list"),
            ("originFiles", [1, 2]),
            ("width", [640]),
        ],
    )
    def test_wrong_type_kept_in_extra(self, key: str, value: Any) -> None:
        """A value of the wrong type is kept verbatim in ``model_extra``, never raising."""
        data = {"videoId": "v1", "status": 1, key: value}
        video = structure(data, Video)
        assert getattr(video, to_snake(key)) is None
        assert video.model_extra == {key: value}
        assert canonical(video.to_dict()) == canonical(data)

    def test_int_for_float_kept_exactly(self) -> None:
        """An int where a float is declared is accepted and stays an int."""
        data = {"videoId": "v1", "status": 1, "percent": 50}
        video = structure(data, Video)
        assert video.percent == 50
        assert canonical(video.to_dict()) == canonical(data)

    def test_nulls_round_trip(self) -> None:
        """Explicit nulls stay nulls in ``to_dict``; absent keys stay absent."""
        data = {"videoId": "v1", "status": 2, "videoURL": None, "downloadURL": None}
        video = structure(data, Video)
        assert video.video_url is None
        assert video.to_dict() == data
        assert "coverURL" not in video.to_dict()

    def test_original_spelling_kept(self) -> None:
        """A key spelled unusually maps to its attribute and is given back as spelled."""
        data = {"video_url": "https://x", "VideoId": "v1", "STATUS": 2}
        video = structure(data, Video)
        assert (video.video_url, video.video_id) == ("https://x", "v1")
        assert video.to_dict() == data

    def test_duplicate_spellings(self) -> None:
        """Two keys for one attribute: the first wins, the second is kept in ``model_extra``."""
        data = {"videoId": "v1", "status": 2, "videoURL": "a", "video_url": "b"}
        video = structure(data, Video)
        assert video.video_url == "a"
        assert video.model_extra == {"video_url": "b"}
        assert video.to_dict() == data

    def test_nested_models(self) -> None:
        """Nested objects and lists of objects become nested models and round-trip."""
        data = sample("post-minimax-videos-create", "200.json")
        job = structure(data, VideoJob)
        assert job.task is not None
        assert job.task.video_ids == ["1122334455667798899"]
        assert job.task.batch_id == "998877665544332211"
        assert canonical(job.to_dict()) == canonical(data)

    def test_dict_of_models(self) -> None:
        """``dict[str, Account]`` structures each value and keeps the JWT's keys."""
        data = sample("get-minimax-accounts", "200.json")
        accounts = structure(data, dict[str, Account])
        assert set(accounts) == {"123456", "78910"}
        assert accounts["123456"].jwt is not None
        assert accounts["123456"].jwt.user is not None
        assert accounts["123456"].jwt.user.device_id == "123456789"
        assert {k: canonical(v.to_dict()) for k, v in accounts.items()} == {
            k: canonical(v) for k, v in data.items()
        }

    @pytest.mark.parametrize(
        ("error", "expected"),
        [
            ("boom", "boom"),
            ({"message": "Agent connection error", "status": 500}, AgentJobError),
        ],
    )
    def test_union_members(self, error: Any, expected: Any) -> None:
        """``str | AgentJobError`` takes a string or an object, whichever was sent."""
        job = structure({"jobId": "j", "status": "failed", "error": error}, AgentJob)
        if expected is AgentJobError:
            assert isinstance(job.error, AgentJobError)
            assert job.error.status == 500
        else:
            assert job.error == expected
        assert canonical(job.to_dict()) == canonical(
            {"jobId": "j", "status": "failed", "error": error}
        )

    def test_unknown_status_tolerated(self) -> None:
        """An undocumented status is kept as is and is not final unless the API says so."""
        assert structure({"videoId": "v", "status": 99}, Video).is_final is False
        final = structure({"videoId": "v", "status": 99, "statusFinal": True}, Video)
        assert final.is_final is True

    @pytest.mark.parametrize("data", [[], "x", 1, None, True, [{"videoId": "v"}]])
    def test_not_an_object_raises_value_error(self, data: Any) -> None:
        """A body that is not an object where one is promised raises ValueError."""
        with pytest.raises(ValueError, match="Video"):
            structure(data, Video)

    @pytest.mark.parametrize(
        "data", [{}, {"a": 1}, [1], [{"videoId": "v", "status": 1}, "x"], None]
    )
    def test_list_shape_enforced(self, data: Any) -> None:
        """``list[Video]`` needs a list of objects."""
        with pytest.raises(ValueError, match="shape"):
            structure(data, list[Video])

    def test_models_are_frozen(self) -> None:
        """Structured models are immutable values."""
        video = structure({"videoId": "v1", "status": 0}, Video)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            video.video_id = "v2"  # type: ignore[misc]


class TestRequiredFields:
    """Ids of what a call returns and job statuses are plain types; a body without them fails."""

    @pytest.mark.parametrize(
        ("data", "field", "key"),
        [
            ({"status": 2}, "video_id", "videoId"),
            ({"videoId": "v1"}, "status", "status"),
            ({"videoId": None, "status": 2}, "video_id", "videoId"),
            ({"videoId": 7, "status": 2}, "video_id", "videoId"),
            ({"videoId": "v1", "status": "2"}, "status", "status"),
        ],
    )
    def test_missing_or_unusable_field_is_named(
        self, data: dict[str, Any], field: str, key: str
    ) -> None:
        """Absent, null or mistyped: the error names the attribute and the JSON key."""
        for _ in range(2):  # the first call compiles the shape's builder, the second reuses it
            with pytest.raises(MissingFieldError) as raised:
                structure(data, Video)
            assert raised.value.field == field
            assert f"Video.{field}" in str(raised.value)
            assert repr(key) in str(raised.value)

    def test_inside_a_list(self) -> None:
        """One listed item without its id fails the whole answer (its id is what it is for)."""
        with pytest.raises(MissingFieldError, match=r"Image\.image_id"):
            structure({"images": [{"imageId": "i1", "status": 2}, {"status": 2}]}, ImagePage)

    @pytest.mark.parametrize(
        ("cls", "fields"),
        [
            (VideoJob, {"video_id": str}),
            (Video, {"video_id": str, "status": int}),
            (ImageJob, {"image_ids": list[str]}),
            (Image, {"image_id": str, "status": int}),
            (UploadedFile, {"file_id": str}),
            (AgentJob, {"job_id": str, "status": str}),
            (MusicJob, {"music_id": str}),
            (Music, {"music_id": str, "status": int}),
        ],
    )
    def test_declared_plain(self, cls: type[Model], fields: dict[str, Any]) -> None:
        """The issue's list: these attributes are declared without ``None``."""
        hints = typing.get_type_hints(cls)
        assert {name: hints[name] for name in fields} == fields
        required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
        assert set(fields) <= required


class TestHandBuilt:
    def test_to_dict_uses_api_keys(self) -> None:
        """A model built in code unstructures with the API's key spelling, nulls left out."""
        video = Video(video_id="v1", video_url="https://x", status=2)
        assert video.to_dict() == {"videoId": "v1", "videoURL": "https://x", "status": 2}

    def test_cattrs_converter_uses_the_same_rules(self) -> None:
        """The shared cattrs converter structures and unstructures models the same way."""
        data = {"videoId": "v1", "status": 0, "mystery": [1]}
        video = converter.structure(data, Video)
        assert isinstance(video, Video)
        assert video.model_extra == {"mystery": [1]}
        assert converter.unstructure(video) == data

    def test_cattrs_converter_rejects_non_objects(self) -> None:
        """Through cattrs too, a non-object raises ValueError."""
        with pytest.raises(ValueError, match="Video"):
            converter.structure([1], Video)


# -- properties ------------------------------------------------------------------------------

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
)


def _known_keys(cls: type[Model]) -> list[str]:
    """The JSON keys ``cls`` and its nested models know, in camelCase and snake_case."""
    keys: set[str] = set()
    for field in attrs.fields(cls):
        if field.name in ("model_extra", "_json_keys"):
            continue
        keys.update({to_camel(field.name), field.name})
    return sorted(keys)


def _keys_for(*classes: type[Model]) -> st.SearchStrategy[str]:
    known = sorted(
        {k for cls in classes for k in _known_keys(cls)} | {"model_extra", "_json_keys", "extra"}
    )
    return st.sampled_from(known) | st.text(max_size=8)


def _json(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        _LEAVES,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6)
        ),
        max_leaves=25,
    )


def _nested_models(cls: type[Model]) -> list[type[Model]]:
    import typing

    found: list[type[Model]] = [cls]
    pending = [cls]
    while pending:
        current = pending.pop()
        hints = typing.get_type_hints(current)
        for field in attrs.fields(current):
            stack = [hints.get(field.name)]
            while stack:
                tp = stack.pop()
                if isinstance(tp, type) and issubclass(tp, Model) and tp not in found:
                    found.append(tp)
                    pending.append(tp)
                stack.extend(typing.get_args(tp))
    return found


VIDEO_JSON = _json(_keys_for(*_nested_models(Video)))
VIDEO_JOB_JSON = _json(_keys_for(*_nested_models(VideoJob)))
AGENT_JOB_JSON = _json(_keys_for(*_nested_models(AgentJob)))

PROPERTY = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


# What a value of each required field's type looks like (the oracle of the properties below).
_FITS: dict[Any, Any] = {
    str: lambda v: type(v) is str,
    int: lambda v: type(v) is int,
    list[str]: lambda v: type(v) is list and all(type(x) is str for x in v),
}


def _missing_required(data: dict[str, Any], cls: type[Model]) -> str | None:
    """The first required attribute no key of ``data`` fills with a fitting value, or None."""
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        if field.default is not attrs.NOTHING:
            continue
        fits = _FITS[hints[field.name]]
        if not any(to_snake(k) == field.name and fits(v) for k, v in data.items()):
            return field.name
    return None


def _with_required(cls: type[Model], rest: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Objects that start with fitting values for ``cls``'s required fields, then ``rest``'s
    keys (which may replace them with unfit ones)."""
    hints = typing.get_type_hints(cls)
    leaves = {str: st.text(max_size=6), int: st.integers(0, 20), list[str]: st.lists(st.text())}
    required = st.fixed_dictionaries(
        {
            to_camel(f.name): leaves[hints[f.name]]
            for f in attrs.fields(cls)
            if f.default is attrs.NOTHING
        }
    )
    return st.builds(
        lambda head, tail: {**head, **tail} if isinstance(tail, dict) else tail, required, rest
    )


def _check_model(data: Any, cls: type[Model]) -> None:
    if not isinstance(data, dict):
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError is the contract
            structure(data, cls)
        return
    missing = _missing_required(data, cls)
    if missing is not None:
        with pytest.raises(MissingFieldError) as raised:
            structure(data, cls)
        assert raised.value.field == missing
        assert raised.value.model == cls.__name__
        return
    model = structure(data, cls)
    assert isinstance(model, cls)
    assert canonical(model.to_dict()) == canonical(data)


class TestProperties:
    def test_helpers_reach_nested_models(self) -> None:
        """The generators know the nested models' keys (so they exercise nesting)."""
        names = {cls.__name__ for cls in _nested_models(VideoJob)}
        assert {"VideoJob", "GenerationTask", "StatusInfo", "RunningVideo"} <= names
        assert "AgentJobError" in {cls.__name__ for cls in _nested_models(AgentJob)}

    @PROPERTY
    @given(
        data=_with_required(
            Video, VIDEO_JSON | st.dictionaries(_keys_for(*_nested_models(Video)), VIDEO_JSON)
        )
    )
    def test_video(self, data: Any) -> None:
        """Any JSON value gives a Video that round-trips exactly, or (non-objects) ValueError."""
        _check_model(data, Video)

    @PROPERTY
    @given(
        data=_with_required(
            VideoJob,
            VIDEO_JOB_JSON | st.dictionaries(_keys_for(*_nested_models(VideoJob)), VIDEO_JOB_JSON),
        )
    )
    def test_video_job(self, data: Any) -> None:
        """Any JSON value gives a VideoJob that round-trips exactly, or ValueError."""
        _check_model(data, VideoJob)

    @PROPERTY
    @given(
        data=_with_required(
            AgentJob,
            AGENT_JOB_JSON | st.dictionaries(_keys_for(*_nested_models(AgentJob)), AGENT_JOB_JSON),
        )
    )
    def test_agent_job(self, data: Any) -> None:
        """Any JSON value gives an AgentJob that round-trips exactly, or ValueError."""
        _check_model(data, AgentJob)

    @PROPERTY
    @given(
        data=VIDEO_JSON
        | st.lists(_with_required(Video, st.dictionaries(_keys_for(Video), VIDEO_JSON)), max_size=4)
    )
    def test_list_of_videos(self, data: Any) -> None:
        """``list[Video]`` succeeds exactly for lists of objects, each round-tripping."""
        shaped = isinstance(data, list) and all(isinstance(item, dict) for item in data)
        if not shaped:
            with pytest.raises(ValueError):  # noqa: PT011 - any ValueError is the contract
                structure(data, list[Video])
            return
        missing = [_missing_required(item, Video) for item in data]
        if any(missing):
            with pytest.raises(MissingFieldError):
                structure(data, list[Video])
            return
        videos = structure(data, list[Video])
        assert [canonical(v.to_dict()) for v in videos] == [canonical(item) for item in data]
