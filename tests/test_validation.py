"""Tests for request validation: every documented limit accepts valid calls and rejects bad ones."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minimax_async import _validation as v
from minimax_async._validation import _rules as rules

FILE_A = "user:1234-minimax:987654321-file:111"
FILE_B = "user:1234-minimax:987654321-file:222"
OTHER_ACCOUNT_FILE = "user:1234-minimax:555-file:333"


def assert_rejected(
    func: Callable[..., Any], kwargs: Mapping[str, Any], name: str, value: str, allowed: str
) -> None:
    """Call ``func`` and check the message names the parameter, the value and an allowed value."""
    with pytest.raises(ValueError, match=re.escape(f"{name}=")) as info:
        func(**kwargs)
    message = str(info.value)
    assert f"{name}=" in message, message
    assert value in message, message
    assert allowed in message, message


# --------------------------------------------------------------------------------------------
# ids
# --------------------------------------------------------------------------------------------

VALID_IDS = [
    "user:1234-minimax:987654321-video:998877665544332211",
    "a@b.c",
    "123456",
    "p123456789-u12345-a67890-bot:minimax",
    "x" * 300,
    "a.b",
]
INVALID_IDS = [
    ("", "''"),
    ("a/b", "'a/b'"),
    ("..", "'..'"),
    (".", "'.'"),
    ("a?b", "'a?b'"),
    ("a#b", "'a#b'"),
    ("a b", "'a b'"),
    ("a\nb", "'a\\nb'"),
    ("a\x00b", "'a\\x00b'"),
    ("a%2Fb", "'a%2Fb'"),
    ("a\\b", "'a\\\\b'"),
    ("a\tb", "'a\\tb'"),
    ("a\x7fb", "'a\\x7fb'"),
    ("a\u2028b", "'a\\u2028b'"),
    ("a\u2029b", "'a\\u2029b'"),
    ("a\u200bb", "'a\\u200bb'"),
    ("a\u00a0b", "'a\\xa0b'"),
    ("a\x85b", "'a\\x85b'"),
    ("../etc", "'../etc'"),
]
FORBIDDEN_CHARS = {"/", "?", "#", "%", "\\"}


def _is_control(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp", "Zs"}


class TestCheckId:
    """Ids go into URL paths, so anything that changes the path is rejected."""

    @pytest.mark.parametrize("value", VALID_IDS)
    def test_valid_id_is_returned(self, value: str) -> None:
        """A valid id comes back unchanged."""
        assert v.check_id("video_id", value) == value

    @pytest.mark.parametrize(("value", "shown"), INVALID_IDS)
    def test_invalid_id_is_rejected(self, value: str, shown: str) -> None:
        """An id that would change the URL path raises, naming the parameter and the value."""
        assert_rejected(
            v.check_id, {"name": "video_id", "value": value}, "video_id", shown, "':' and '@'"
        )

    @pytest.mark.parametrize("value", [None, 123, b"abc"])
    def test_non_str_is_rejected(self, value: object) -> None:
        """A non-string id raises ValueError, not TypeError."""
        assert_rejected(
            v.check_id, {"name": "file_id", "value": value}, "file_id", repr(value), "non-empty"
        )

    def test_long_value_is_truncated_in_message(self) -> None:
        """A long id is shortened in the message, with its length."""
        with pytest.raises(ValueError, match="video_id=") as info:
            v.check_id("video_id", "a/" + "b" * 500)
        assert "502 characters" in str(info.value)
        assert len(str(info.value)) < 400

    @pytest.mark.parametrize("value", ["123456", "a@b.c"])
    def test_account_valid(self, value: str) -> None:
        """A valid account name comes back unchanged."""
        assert v.check_account(value) == value

    @pytest.mark.parametrize(("value", "shown"), INVALID_IDS)
    def test_account_invalid(self, value: str, shown: str) -> None:
        """Account names follow the id rules and the message names ``account``."""
        assert_rejected(v.check_account, {"value": value}, "account", shown, "'/'")

    @given(st.one_of(st.text(), st.text(alphabet="ab/.?#%:@ \n\x00\x7f\u2028\\")))
    def test_accepts_only_safe_values(self, value: str) -> None:
        """check_id only raises ValueError, and what it accepts has no forbidden character."""
        try:
            result = v.check_id("video_id", value)
        except ValueError:
            return
        assert result == value
        assert value
        assert ".." not in value
        assert not FORBIDDEN_CHARS & set(value)
        assert not any(_is_control(char) for char in value)

    @given(st.one_of(st.none(), st.integers(), st.binary(), st.floats(), st.lists(st.text())))
    def test_non_str_only_raises_value_error(self, value: object) -> None:
        """Any non-string input raises ValueError and nothing else."""
        with pytest.raises(ValueError, match="video_id="):
            v.check_id("video_id", value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# videos/create
# --------------------------------------------------------------------------------------------

# One minimal valid call per known model.
VALID_VIDEO_CALLS: list[dict[str, Any]] = [
    {"prompt": "a cat playing piano"},
    {"file_id": FILE_A},
    {"model": "T2V-01", "prompt": "a cat"},
    {"model": "T2V-01-Director", "prompt": "[Pan left] a cat"},
    {"model": "I2V-01", "file_id": FILE_A},
    {"model": "I2V-01-live", "file_id": FILE_A},
    {"model": "I2V-01-Director", "file_id": FILE_A, "prompt": "[Zoom in]"},
    {"model": "S2V-01", "file_id": FILE_A, "prompt": "a hero"},
    {"model": "02", "prompt": "a cat"},
    {"model": "02", "options": "512p-10sec", "file_id": FILE_A},
    {"model": "02", "options": "1080p-6sec", "file_id": FILE_A, "end_frame_file_id": FILE_B},
    {"model": "02", "file_id": FILE_A, "end_frame_file_id": FILE_B},
    {"model": "T2V-2.3", "prompt": "a cat", "options": "768p-10sec"},
    {"model": "I2V-2.3", "file_id": FILE_A, "options": "1080p-6sec"},
    {"model": "I2V-2.3-Fast", "file_id": FILE_A},
    {"model": "Sora-2", "prompt": "a cat", "options": "720p-12sec"},
    {"model": "Veo-3.1", "prompt": "a cat", "options": "veo-1080p-8sec"},
    {"model": "Veo-3.1", "file_id": FILE_A, "end_frame_file_id": FILE_B},
    {"model": "Veo-3.1-Fast", "file_id": FILE_A, "end_frame_file_id": FILE_B},
    {"model": "Veo-3.1-S2V", "file_id": FILE_A, "options": "veo-720p-8sec"},
    # The documents call Veo-3.1-S2V only "Subject Reference"; fileID "is optional".
    {"model": "Veo-3.1-S2V"},
    {"model": "Veo-3.1-S2V", "prompt": "a cat", "options": "veo-1080p-8sec"},
    {
        "prompt": "x" * 10_000,
        "prompt_optimization": True,
        "reply_url": "https://webhook.site/" + "a" * 1003,
        "reply_ref": "r" * 1024,
        "max_jobs": 10,
    },
    {"max_jobs": 1, "prompt_optimization": False},
]


def _valid_option_calls() -> list[dict[str, Any]]:
    return [
        {"model": model, "options": option, "file_id": FILE_A}
        for model, options in v.VIDEO_MODEL_OPTIONS.items()
        for option in options
    ]


# (kwargs, parameter, value shown, an allowed value shown)
INVALID_VIDEO_CALLS: list[tuple[dict[str, Any], str, str, str]] = [
    ({"model": "02", "options": "1080p-10sec"}, "options", "'1080p-10sec'", "'768p-10sec'"),
    ({"model": "T2V-2.3", "options": "512p-6sec"}, "options", "'512p-6sec'", "'768p-6sec'"),
    (
        {"model": "I2V-2.3", "file_id": FILE_A, "options": "720p-4sec"},
        "options",
        "'720p-4sec'",
        "'1080p-6sec'",
    ),
    ({"model": "Sora-2", "options": "768p-6sec"}, "options", "'768p-6sec'", "'720p-8sec'"),
    ({"model": "Veo-3.1", "options": "720p-8sec"}, "options", "'720p-8sec'", "'veo-720p-8sec'"),
    ({"model": "Veo-3.1-Fast", "options": "veo-4k"}, "options", "'veo-4k'", "'veo-1080p-8sec'"),
    ({"model": "T2V-01", "options": "768p-6sec"}, "options", "'768p-6sec'", "'02'"),
    (
        {"model": "S2V-01", "file_id": FILE_A, "options": "768p-6sec"},
        "options",
        "'768p-6sec'",
        "'Veo-3.1'",
    ),
    ({"options": "768p-6sec"}, "options", "'768p-6sec'", "'T2V-2.3'"),
    ({"model": "02", "options": 768}, "options", "768", "'768p-6sec'"),
    ({"model": "02", "options": "512p-6sec"}, "file_id", "None", "file id"),
    ({"model": "02", "options": "512p-10sec", "prompt": "x"}, "file_id", "None", "file id"),
    ({"model": "I2V-01"}, "file_id", "None", "file id"),
    ({"model": "I2V-01-live", "prompt": "x"}, "file_id", "None", "file id"),
    ({"model": "I2V-01-Director"}, "file_id", "None", "file id"),
    ({"model": "S2V-01"}, "file_id", "None", "file id"),
    ({"model": "I2V-2.3"}, "file_id", "None", "file id"),
    ({"model": "I2V-2.3-Fast", "options": "768p-6sec"}, "file_id", "None", "file id"),
    ({"file_id": ""}, "file_id", "''", "file id"),
    (
        {"model": "02", "options": "512p-6sec", "file_id": FILE_A, "end_frame_file_id": FILE_B},
        "end_frame_file_id",
        repr(FILE_B),
        "'768p-6sec'",
    ),
    ({"model": "T2V-2.3", "end_frame_file_id": FILE_B}, "end_frame_file_id", repr(FILE_B), "'02'"),
    (
        {"model": "Sora-2", "file_id": FILE_A, "end_frame_file_id": FILE_B},
        "end_frame_file_id",
        repr(FILE_B),
        "'Veo-3.1'",
    ),
    (
        {"model": "Veo-3.1-S2V", "file_id": FILE_A, "end_frame_file_id": FILE_B},
        "end_frame_file_id",
        repr(FILE_B),
        "'Veo-3.1-Fast'",
    ),
    (
        {"model": "I2V-01", "file_id": FILE_A, "end_frame_file_id": FILE_B},
        "end_frame_file_id",
        repr(FILE_B),
        "'02'",
    ),
    ({"file_id": FILE_A, "end_frame_file_id": FILE_B}, "end_frame_file_id", repr(FILE_B), "'02'"),
    (
        {"model": "02", "file_id": FILE_A, "end_frame_file_id": FILE_A},
        "end_frame_file_id",
        repr(FILE_A),
        "different file id",
    ),
    (
        {"model": "Hailuo-9", "file_id": FILE_A, "end_frame_file_id": FILE_A},
        "end_frame_file_id",
        repr(FILE_A),
        "different file id",
    ),
    ({"prompt": 42}, "prompt", "42", "a string"),
    ({"model": ""}, "model", "''", "'T2V-01'"),
    ({"prompt_optimization": "yes"}, "prompt_optimization", "'yes'", "True"),
    ({"reply_url": "https://x/" + "a" * 1015}, "reply_url", "1025 characters", "1024"),
    ({"reply_ref": "r" * 1025}, "reply_ref", "1025 characters", "1024"),
    ({"reply_ref": 5}, "reply_ref", "5", "string"),
    ({"max_jobs": 0}, "max_jobs", "0", "from 1 to 10"),
    ({"max_jobs": 11}, "max_jobs", "11", "from 1 to 10"),
    ({"max_jobs": True}, "max_jobs", "True", "from 1 to 10"),
    ({"max_jobs": 2.0}, "max_jobs", "2.0", "from 1 to 10"),
]


class TestVideoCreate:
    """The model x options x end-frame matrix of POST videos/create."""

    @pytest.mark.parametrize("kwargs", VALID_VIDEO_CALLS)
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """A documented combination passes."""
        v.validate_video_create(**kwargs)

    @pytest.mark.parametrize("kwargs", _valid_option_calls())
    def test_every_documented_option_passes(self, kwargs: dict[str, Any]) -> None:
        """Every option listed for a model passes with that model."""
        v.validate_video_create(**kwargs)

    @pytest.mark.parametrize(("kwargs", "name", "value", "allowed"), INVALID_VIDEO_CALLS)
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A combination the docs rule out raises a message naming parameter, value and choices."""
        assert_rejected(v.validate_video_create, kwargs, name, value, allowed)

    @pytest.mark.parametrize("options", ["4k-30sec", "768p-6sec", "anything"])
    def test_unknown_model_passes_any_options(self, options: str) -> None:
        """A model the SDK does not know is passed through with any options and end frame."""
        v.validate_video_create(
            model="Seedance-2", options=options, file_id=FILE_A, end_frame_file_id=FILE_B
        )

    def test_unknown_model_still_checks_generic_limits(self) -> None:
        """Generic limits apply to unknown models too."""
        assert_rejected(
            v.validate_video_create,
            {"model": "Seedance-2", "max_jobs": 20},
            "max_jobs",
            "20",
            "from 1 to 10",
        )

    def test_text_to_video_model_without_prompt_passes(self) -> None:
        """The docs mark prompt optional for every model, so its absence is not rejected."""
        v.validate_video_create(model="T2V-2.3")

    def test_tables_are_consistent(self) -> None:
        """Defaults and end-frame options are drawn from each model's own options."""
        assert set(v.VIDEO_DEFAULT_OPTIONS) == set(v.VIDEO_MODEL_OPTIONS)
        for model, default in v.VIDEO_DEFAULT_OPTIONS.items():
            assert default in v.VIDEO_MODEL_OPTIONS[model]
        for model, options in v.VIDEO_END_FRAME_OPTIONS.items():
            assert options <= set(v.VIDEO_MODEL_OPTIONS[model])
        assert not v.VIDEO_MODELS_WITHOUT_OPTIONS & set(v.VIDEO_MODEL_OPTIONS)


# --------------------------------------------------------------------------------------------
# images/create
# --------------------------------------------------------------------------------------------

VALID_IMAGE_CALLS: list[dict[str, Any]] = [
    {"prompt": "a cat"},
    {"prompt": "a cat", "character_file_id": FILE_A, "aspect_ratio": "21:9", "resolution": "HD"},
    {"prompt": "x" * 1250, "model": "image-01", "quantity": 4},
    {"prompt": "x" * 5000, "model": "nano-banana-pro", "resolution": "4K", "aspect_ratio": "auto"},
    {"prompt": "a cat", "model": "nano-banana-pro", "reference_file_ids": [FILE_A] * 14},
    {"prompt": "x" * 1250, "model": "gpt-image-1.5", "aspect_ratio": "3:2", "resolution": "1K"},
    {"prompt": "a cat", "model": "gpt-image-1.5", "reference_file_ids": (FILE_A, FILE_B, FILE_A)},
    {"prompt": "a cat", "model": "seedream-4.5", "resolution": "2K", "aspect_ratio": "4:5"},
    {"prompt": "a cat", "model": "seedream-4.5", "reference_file_ids": [FILE_A, FILE_B]},
    {
        "prompt": "a cat",
        "quantity": 1,
        "prompt_optimization": False,
        "reply_url": "https://webhook.site/abc",
        "reply_ref": "r" * 1024,
        "max_jobs": 3,
    },
    # ids without the documented shape are not compared by account
    {"prompt": "a cat", "model": "nano-banana-pro", "reference_file_ids": ["f1", "f2"]},
    {"prompt": "a cat", "reference_file_ids": None},
    {"prompt": "a cat", "model": "seedream-4.5", "reference_file_ids": None},
]


def _valid_table_calls() -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    for model, resolutions in v.IMAGE_RESOLUTIONS.items():
        calls += [{"prompt": "p", "model": model, "resolution": r} for r in resolutions]
    for model, ratios in v.IMAGE_ASPECT_RATIOS.items():
        calls += [{"prompt": "p", "model": model, "aspect_ratio": r} for r in ratios]
    return calls


INVALID_IMAGE_CALLS: list[tuple[dict[str, Any], str, str, str]] = [
    ({}, "prompt", "None", "non-empty"),
    ({"prompt": "   "}, "prompt", "<3 characters>", "non-empty"),
    ({"prompt": "x" * 1251}, "prompt", "1251", "1250"),
    ({"prompt": "x" * 1251, "model": "image-01"}, "prompt", "1251", "1250"),
    ({"prompt": "x" * 1251, "model": "gpt-image-1.5"}, "prompt", "1251", "1250"),
    ({"prompt": "x" * 1251, "model": "seedream-4.5"}, "prompt", "1251", "1250"),
    ({"prompt": "x" * 5001, "model": "nano-banana-pro"}, "prompt", "5001", "5000"),
    ({"prompt": "p", "resolution": "2K"}, "resolution", "'2K'", "'HD'"),
    ({"prompt": "p", "model": "nano-banana-pro", "resolution": "HD"}, "resolution", "'HD'", "'1K'"),
    ({"prompt": "p", "model": "gpt-image-1.5", "resolution": "8K"}, "resolution", "'8K'", "'4K'"),
    ({"prompt": "p", "model": "seedream-4.5", "resolution": "1K"}, "resolution", "'1K'", "'2K'"),
    ({"prompt": "p", "aspect_ratio": "auto"}, "aspect_ratio", "'auto'", "'16:9'"),
    ({"prompt": "p", "model": "image-01", "aspect_ratio": "5:4"}, "aspect_ratio", "'5:4'", "'4:3'"),
    (
        {"prompt": "p", "model": "gpt-image-1.5", "aspect_ratio": "16:9"},
        "aspect_ratio",
        "'16:9'",
        "'3:2'",
    ),
    (
        {"prompt": "p", "model": "nano-banana-pro", "aspect_ratio": "16:10"},
        "aspect_ratio",
        "'16:10'",
        "'21:9'",
    ),
    (
        {"prompt": "p", "model": "seedream-4.5", "aspect_ratio": "1:2"},
        "aspect_ratio",
        "'1:2'",
        "'auto'",
    ),
    (
        {"prompt": "p", "model": "nano-banana-pro", "character_file_id": FILE_A},
        "character_file_id",
        repr(FILE_A),
        "'image-01'",
    ),
    (
        {"prompt": "p", "model": "gpt-image-1.5", "character_file_id": FILE_A},
        "character_file_id",
        repr(FILE_A),
        "'image-01'",
    ),
    (
        {"prompt": "p", "model": "seedream-4.5", "character_file_id": FILE_A},
        "character_file_id",
        repr(FILE_A),
        "'image-01'",
    ),
    (
        {"prompt": "p", "reference_file_ids": [FILE_A]},
        "reference_file_ids",
        repr(FILE_A),
        "'nano-banana-pro'",
    ),
    (
        {"prompt": "p", "model": "image-01", "reference_file_ids": [FILE_A]},
        "reference_file_ids",
        repr(FILE_A),
        "'seedream-4.5'",
    ),
    (
        {"prompt": "p", "model": "gpt-image-1.5", "reference_file_ids": [FILE_A] * 4},
        "reference_file_ids",
        "4 file ids",
        "at most 3",
    ),
    (
        {"prompt": "p", "model": "nano-banana-pro", "reference_file_ids": [FILE_A] * 15},
        "reference_file_ids",
        "15 file ids",
        "at most 14",
    ),
    (
        {"prompt": "p", "model": "seedream-4.5", "reference_file_ids": [FILE_A] * 15},
        "reference_file_ids",
        "15 file ids",
        "at most 14",
    ),
    (
        {"prompt": "p", "model": "seedream-4.5", "reference_file_ids": FILE_A},
        "reference_file_ids",
        repr(FILE_A),
        "sequence",
    ),
    (
        {"prompt": "p", "model": "seedream-4.5", "reference_file_ids": [FILE_A, ""]},
        "reference_file_ids[1]",
        "''",
        "file id",
    ),
    (
        {
            "prompt": "p",
            "model": "nano-banana-pro",
            "reference_file_ids": [FILE_A, OTHER_ACCOUNT_FILE],
        },
        "reference_file_ids",
        repr(OTHER_ACCOUNT_FILE),
        "same account",
    ),
    ({"prompt": "p", "quantity": 0}, "quantity", "0", "from 1 to 4"),
    ({"prompt": "p", "quantity": 5}, "quantity", "5", "from 1 to 4"),
    ({"prompt": "p", "quantity": True}, "quantity", "True", "from 1 to 4"),
    ({"prompt": "p", "prompt_optimization": 1}, "prompt_optimization", "1", "True"),
    ({"prompt": "p", "reply_url": "u" * 1025}, "reply_url", "1025 characters", "1024"),
    ({"prompt": "p", "reply_ref": "r" * 1025}, "reply_ref", "1025 characters", "1024"),
    ({"prompt": "p", "max_jobs": 11}, "max_jobs", "11", "from 1 to 10"),
    ({"prompt": "p", "character_file_id": ""}, "character_file_id", "''", "file id"),
    ({"prompt": "p", "resolution": 2}, "resolution", "2", "'2K'"),
]


class TestImageCreate:
    """The per-model tables of POST images/create."""

    @pytest.mark.parametrize("kwargs", VALID_IMAGE_CALLS)
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """A documented combination passes."""
        v.validate_image_create(**kwargs)

    @pytest.mark.parametrize("kwargs", _valid_table_calls())
    def test_every_documented_value_passes(self, kwargs: dict[str, Any]) -> None:
        """Every resolution and aspect ratio listed for a model passes with that model."""
        v.validate_image_create(**kwargs)

    @pytest.mark.parametrize(("kwargs", "name", "value", "allowed"), INVALID_IMAGE_CALLS)
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A value the docs rule out raises a message naming parameter, value and choices."""
        assert_rejected(v.validate_image_create, kwargs, name, value, allowed)

    def test_prompt_text_is_not_in_message(self) -> None:
        """A rejected prompt is shown by its length, never its text."""
        with pytest.raises(ValueError, match="prompt=") as info:
            v.validate_image_create(prompt="secret " * 300)
        assert "secret" not in str(info.value)

    def test_unknown_model_passes_any_values(self) -> None:
        """A model the SDK does not know is passed through."""
        v.validate_image_create(
            prompt="x" * 9000,
            model="imagen-5",
            resolution="16K",
            aspect_ratio="7:3",
            character_file_id=FILE_A,
            reference_file_ids=[FILE_A] * 14,
        )

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({"reference_file_ids": [FILE_A] * 15}, "reference_file_ids", "15 file ids", "14"),
            ({"quantity": 9}, "quantity", "9", "from 1 to 4"),
            ({"reply_url": "u" * 2000}, "reply_url", "2000 characters", "1024"),
        ],
    )
    def test_unknown_model_still_checks_generic_limits(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """Generic limits apply to unknown models too."""
        assert_rejected(
            v.validate_image_create,
            {"prompt": "p", "model": "imagen-5", **kwargs},
            name,
            value,
            allowed,
        )

    def test_tables_cover_the_same_models(self) -> None:
        """Every per-model table lists the same four models."""
        models = set(v.IMAGE_RESOLUTIONS)
        assert models == set(v.IMAGE_ASPECT_RATIOS) == set(v.IMAGE_MAX_REFERENCES)
        assert models == set(v.IMAGE_PROMPT_MAX_LENGTH)
        assert v.IMAGE_DEFAULT_MODEL in models


class TestImageReferenceFields:
    """Reference image ids become referenceFileId1..N body fields."""

    def test_fields_are_numbered_from_one(self) -> None:
        """The keys use the docs' exact spelling and order."""
        assert v.image_reference_fields([FILE_A, FILE_B]) == {
            "referenceFileId1": FILE_A,
            "referenceFileId2": FILE_B,
        }

    @pytest.mark.parametrize("refs", [(), [], None])
    def test_empty_gives_no_fields(self, refs: list[str] | None) -> None:
        """No references (or None), no fields."""
        assert v.image_reference_fields(refs) == {}

    def test_fourteen_is_the_most(self) -> None:
        """Fourteen references fill referenceFileId1..14; fifteen are rejected."""
        assert list(v.image_reference_fields([FILE_A] * 14))[-1] == "referenceFileId14"
        assert_rejected(
            v.image_reference_fields,
            {"reference_file_ids": [FILE_A] * 15},
            "reference_file_ids",
            "15 file ids",
            "at most 14",
        )

    def test_single_string_is_rejected(self) -> None:
        """A bare string is not split into characters."""
        assert_rejected(
            v.image_reference_fields,
            {"reference_file_ids": FILE_A},
            "reference_file_ids",
            repr(FILE_A),
            "sequence",
        )


# --------------------------------------------------------------------------------------------
# agent, agent-create
# --------------------------------------------------------------------------------------------


class TestAgent:
    """POST agent: prompt and models are required."""

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"prompt": "generate a video", "models": ["hailuo-2.3"]},
            {"prompt": "p", "models": "hailuo-2.3,nano-banana-2"},
            {"prompt": "p", "models": list(v.AGENT_MODELS)},
            {"prompt": "p", "models": ("brand-new-model",)},
            {"prompt": "p", "models": ["sora-2"], "files": [b"img", "ref.jpg"]},
            {"prompt": "p", "models": ["sora-2"], "files": None},
            {"prompt": "p", "models": ["seedream"], "reply_url": "u" * 1024, "reply_ref": "r"},
        ],
    )
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """A documented request passes; unknown model names are passed through."""
        v.validate_agent(**kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({"models": ["qwen"]}, "prompt", "None", "non-empty"),
            ({"prompt": "", "models": ["qwen"]}, "prompt", "<0 characters>", "non-empty"),
            ({"prompt": "p"}, "models", "None", "'hailuo-2.3'"),
            ({"prompt": "p", "models": []}, "models", "[]", "'hailuo-2.3'"),
            ({"prompt": "p", "models": ""}, "models", "''", "'kolors'"),
            ({"prompt": "p", "models": "qwen,,kolors"}, "models", "'qwen,,kolors'", "'qwen'"),
            ({"prompt": "p", "models": ["qwen,kolors"]}, "models", "'qwen,kolors'", "'kolors'"),
            ({"prompt": "p", "models": [1]}, "models", "1", "'hailuo-02'"),
            ({"prompt": "p", "models": ["qwen"], "files": "a.jpg"}, "files", "'a.jpg'", "sequence"),
            (
                {"prompt": "p", "models": ["qwen"], "reply_url": "u" * 1025},
                "reply_url",
                "1025 characters",
                "1024",
            ),
            (
                {"prompt": "p", "models": ["qwen"], "reply_ref": "r" * 1025},
                "reply_ref",
                "1025 characters",
                "1024",
            ),
        ],
    )
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A missing or malformed field raises a message naming it."""
        assert_rejected(v.validate_agent, kwargs, name, value, allowed)


class TestAgentCreate:
    """POST videos/agent-create: template_id required, file_id and oss_path go together."""

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"template_id": "1122334455667788"},
            {"template_id": "t", "prompt": "Futuristic sports car"},
            {"template_id": "t", "file_id": FILE_A, "oss_path": "https://cdn.example/a.png"},
            {"template_id": "t", "reply_url": "u", "reply_ref": "r", "max_jobs": 10},
        ],
    )
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """A documented request passes."""
        v.validate_agent_create(**kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({}, "template_id", "None", "non-empty"),
            ({"template_id": " "}, "template_id", "' '", "non-empty"),
            ({"template_id": "t", "file_id": FILE_A}, "oss_path", "None", "ossPath"),
            ({"template_id": "t", "oss_path": "https://x"}, "oss_path", "'https://x'", "file_id"),
            ({"template_id": "t", "file_id": FILE_A, "oss_path": ""}, "oss_path", "''", "ossPath"),
            ({"template_id": "t", "max_jobs": 0}, "max_jobs", "0", "from 1 to 10"),
            ({"template_id": "t", "reply_url": "u" * 1025}, "reply_url", "1025", "1024"),
            ({"template_id": "t", "reply_ref": "r" * 1025}, "reply_ref", "1025", "1024"),
        ],
    )
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A missing or mismatched field raises a message naming it."""
        assert_rejected(v.validate_agent_create, kwargs, name, value, allowed)


# --------------------------------------------------------------------------------------------
# music, audio, clone voice, llm
# --------------------------------------------------------------------------------------------


class TestMusicCreate:
    """GET music/create: lyrics up to 600 characters and a style are required."""

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"prompt": "la la la", "style_id": "pop"},
            {"prompt": "x" * 600, "style_id": "s", "title": "Song"},
        ],
    )
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """A documented request passes."""
        v.validate_music_create(**kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({"style_id": "s"}, "prompt", "None", "600"),
            ({"prompt": "x" * 601, "style_id": "s"}, "prompt", "601", "at most 600"),
            ({"prompt": "p"}, "style_id", "None", "non-empty"),
            ({"prompt": "p", "style_id": "s", "title": 3}, "title", "3", "string"),
        ],
    )
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A missing or too long field raises a message naming it."""
        assert_rejected(v.validate_music_create, kwargs, name, value, allowed)


class TestAudioText:
    """POST audio/create-mp3 and audio/create-stream voice settings."""

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"text": "hello", "voice_id": "123"},
            {"text": "x" * 500, "voice_id": "v", "endpoint": "create-mp3"},
            {"text": "x" * 5000, "voice_id": "v", "endpoint": "create-stream"},
            {
                "text": "Hi <#0.5#> there",
                "voice_id": "v",
                "model": "speech-01-turbo",
                "language_boost": "German",
                "emotion": "happy",
                "vol": 1,
                "speed": 0.5,
                "pitch": -12,
                "deepen_lighten": 100,
                "stronger_softer": -100,
                "nasal_crisp": 0.5,
                "spacious_echo": True,
                "lofi_telephone": False,
                "robotic": True,
                "auditorium_echo": False,
            },
            {"text": "t", "voice_id": "v", "speed": 2, "pitch": 12, "emotion": "Auto"},
            {"text": "t", "voice_id": "v", "model": "speech-03-hd", "emotion": "NEUTRAL"},
        ],
    )
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """Documented values, including the range ends, pass."""
        v.validate_audio_text(**kwargs)

    @pytest.mark.parametrize("emotion", v.AUDIO_EMOTIONS)
    def test_every_documented_emotion_passes(self, emotion: str) -> None:
        """Every documented emotion passes."""
        v.validate_audio_text(text="t", voice_id="v", emotion=emotion)

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({"voice_id": "v"}, "text", "None", "500"),
            ({"text": "x" * 501, "voice_id": "v"}, "text", "501", "at most 500"),
            (
                {"text": "x" * 5001, "voice_id": "v", "endpoint": "create-stream"},
                "text",
                "5001",
                "at most 5000",
            ),
            ({"text": "t"}, "voice_id", "None", "non-empty"),
            ({"text": "t", "voice_id": "v", "emotion": "bored"}, "emotion", "'bored'", "'happy'"),
            ({"text": "t", "voice_id": "v", "speed": 0.4}, "speed", "0.4", "from 0.5 to 2"),
            ({"text": "t", "voice_id": "v", "speed": 2.5}, "speed", "2.5", "from 0.5 to 2"),
            ({"text": "t", "voice_id": "v", "pitch": 13}, "pitch", "13", "from -12 to 12"),
            ({"text": "t", "voice_id": "v", "pitch": -13}, "pitch", "-13", "from -12 to 12"),
            (
                {"text": "t", "voice_id": "v", "deepen_lighten": 101},
                "deepen_lighten",
                "101",
                "from -100 to 100",
            ),
            (
                {"text": "t", "voice_id": "v", "stronger_softer": -101},
                "stronger_softer",
                "-101",
                "from -100 to 100",
            ),
            (
                {"text": "t", "voice_id": "v", "nasal_crisp": 200},
                "nasal_crisp",
                "200",
                "from -100 to 100",
            ),
            ({"text": "t", "voice_id": "v", "speed": True}, "speed", "True", "from 0.5 to 2"),
            (
                {"text": "t", "voice_id": "v", "pitch": float("nan")},
                "pitch",
                "nan",
                "from -12 to 12",
            ),
            ({"text": "t", "voice_id": "v", "vol": "loud"}, "vol", "'loud'", "finite number"),
            ({"text": "t", "voice_id": "v", "vol": float("inf")}, "vol", "inf", "finite number"),
            ({"text": "t", "voice_id": "v", "robotic": "true"}, "robotic", "'true'", "True"),
            ({"text": "t", "voice_id": "v", "spacious_echo": 1}, "spacious_echo", "1", "True"),
            ({"text": "t", "voice_id": "v", "lofi_telephone": 0}, "lofi_telephone", "0", "False"),
            (
                {"text": "t", "voice_id": "v", "auditorium_echo": "no"},
                "auditorium_echo",
                "'no'",
                "False",
            ),
            ({"text": "t", "voice_id": "v", "model": ""}, "model", "''", "'speech-02-hd'"),
        ],
    )
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A value outside the documented range raises a message naming it."""
        assert_rejected(v.validate_audio_text, kwargs, name, value, allowed)


class TestCloneVoice:
    """POST audio/clone-voice: name <= 30 characters, 1..10 samples."""

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"voice_name": "Doctor Who", "language_tag": "English", "files": [FILE_A]},
            {"voice_name": "x" * 30, "language_tag": "English", "files": f"{FILE_A},{FILE_B}"},
            {
                "voice_name": "n",
                "language_tag": "t",
                "files": [FILE_A] * 10,
                "need_noise_reduction": False,
            },
        ],
    )
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """A documented request passes."""
        v.validate_clone_voice(**kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({"language_tag": "t", "files": [FILE_A]}, "voice_name", "None", "30"),
            (
                {"voice_name": "x" * 31, "language_tag": "t", "files": [FILE_A]},
                "voice_name",
                "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'",
                "at most 30",
            ),
            ({"voice_name": "n", "files": [FILE_A]}, "language_tag", "None", "non-empty"),
            ({"voice_name": "n", "language_tag": "t"}, "files", "None", "1 to 10"),
            ({"voice_name": "n", "language_tag": "t", "files": []}, "files", "[]", "1 to 10"),
            (
                {"voice_name": "n", "language_tag": "t", "files": [FILE_A] * 11},
                "files",
                "11 file ids",
                "1 to 10",
            ),
            (
                {"voice_name": "n", "language_tag": "t", "files": ",".join([FILE_A] * 11)},
                "files",
                "11 file ids",
                "1 to 10",
            ),
            (
                {"voice_name": "n", "language_tag": "t", "files": [FILE_A, ""]},
                "files[1]",
                "''",
                "1 to 10",
            ),
            (
                {
                    "voice_name": "n",
                    "language_tag": "t",
                    "files": [FILE_A],
                    "need_noise_reduction": "yes",
                },
                "need_noise_reduction",
                "'yes'",
                "True",
            ),
        ],
    )
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A missing or too long field raises a message naming it."""
        assert_rejected(v.validate_clone_voice, kwargs, name, value, allowed)


class _NamedUpload:
    """A file object stand-in with a name."""

    def __init__(self, name: str) -> None:
        self.name = name


class TestLlm:
    """POST llm: prompt required, up to 10 files of the listed types."""

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"prompt": "tell me a joke"},
            {"prompt": "p", "files": None},
            {"prompt": "p", "model": "mm-01", "search_web": True, "chat_id": "460283175649302817"},
            {"prompt": "p", "model": "mm-m2"},
            {"prompt": "p", "files": [Path("Notes.TXT"), "Design.doc", _NamedUpload("a.pdf")]},
            {"prompt": "p", "files": [("Invoice.pdf", b"%PDF"), b"raw bytes"]},
            {
                "prompt": "p",
                "files": [f"f{n}.{ext}" for n, ext in enumerate(v.LLM_FILE_EXTENSIONS)][:10],
            },
        ],
    )
    def test_valid_call_passes(self, kwargs: dict[str, Any]) -> None:
        """A documented request passes; unknown models are passed through."""
        v.validate_llm(**kwargs)

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({}, "prompt", "None", "non-empty"),
            ({"prompt": "p", "files": ["a.txt"] * 11}, "files", "11 files", "at most 10"),
            ({"prompt": "p", "files": ["movie.mp4"]}, "files[0]", "'movie.mp4'", "'pdf'"),
            ({"prompt": "p", "files": ["a.txt", Path("noext")]}, "files[1]", "'noext'", "'txt'"),
            ({"prompt": "p", "files": [_NamedUpload("x.exe")]}, "files[0]", "'x.exe'", "'docx'"),
            ({"prompt": "p", "files": "a.txt"}, "files", "'a.txt'", "sequence"),
            ({"prompt": "p", "search_web": "true"}, "search_web", "'true'", "True"),
            ({"prompt": "p", "chat_id": ""}, "chat_id", "''", "non-empty"),
            ({"prompt": "p", "model": 1}, "model", "1", "'mm-m1'"),
        ],
    )
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A missing or unsupported value raises a message naming it."""
        assert_rejected(v.validate_llm, kwargs, name, value, allowed)

    def test_oversized_bytes_are_rejected(self) -> None:
        """A file over 100MB is rejected without reading anything."""
        big = bytes(v.LLM_MAX_FILE_SIZE + 1)
        assert_rejected(
            v.validate_llm, {"prompt": "p", "files": [big]}, "files[0]", "bytes", "100MB"
        )


# --------------------------------------------------------------------------------------------
# accounts, list limits
# --------------------------------------------------------------------------------------------

SECRET = "eyJhbGciOiJIUzI1NiJ9.secret.signature"


class TestAccountConfig:
    """POST accounts: url, token and max_jobs 1..10 are required; the token is never shown."""

    @pytest.mark.parametrize("max_jobs", [1, 3, 10])
    def test_valid_call_passes(self, max_jobs: int) -> None:
        """A documented request passes."""
        v.validate_account_config(
            url="https://hailuoai.video/v3/api/multimodal/video/my/cursor?type=next",
            token=SECRET,
            max_jobs=max_jobs,
        )

    @pytest.mark.parametrize(
        ("kwargs", "name", "value", "allowed"),
        [
            ({"token": SECRET, "max_jobs": 1}, "url", "None", "http(s)"),
            (
                {"url": "hailuoai.video/x", "token": SECRET, "max_jobs": 1},
                "url",
                "'hailuoai.video/x'",
                "http(s)",
            ),
            ({"url": "https://x", "max_jobs": 1}, "token", "None", "non-empty"),
            ({"url": "https://x", "token": " ", "max_jobs": 1}, "token", "<hidden>", "non-empty"),
            ({"url": "https://x", "token": 5, "max_jobs": 1}, "token", "<int>", "non-empty"),
            ({"url": "https://x", "token": SECRET}, "max_jobs", "None", "from 1 to 10"),
            ({"url": "https://x", "token": SECRET, "max_jobs": 0}, "max_jobs", "0", "from 1 to 10"),
            ({"url": "https://x", "token": SECRET, "max_jobs": 11}, "max_jobs", "11", "1 to 10"),
        ],
    )
    def test_invalid_call_is_rejected(
        self, kwargs: dict[str, Any], name: str, value: str, allowed: str
    ) -> None:
        """A missing or out-of-range field raises a message naming it, never the token."""
        assert_rejected(v.validate_account_config, kwargs, name, value, allowed)
        with pytest.raises(ValueError, match=re.escape(f"{name}=")) as info:
            v.validate_account_config(**kwargs)
        assert SECRET not in str(info.value)


class TestLimit:
    """List endpoints' paging parameters."""

    @pytest.mark.parametrize(
        ("endpoint", "param"),
        [(endpoint, param) for endpoint, params in v.LIST_LIMITS.items() for param in params],
    )
    def test_documented_default_passes(self, endpoint: str, param: str) -> None:
        """Each endpoint's documented default is inside its range."""
        limit = v.LIST_LIMITS[endpoint][param]
        v.validate_limit(param, limit.default, limit.low, limit.high)

    @pytest.mark.parametrize("value", [None, 1, 30, 1000])
    def test_valid_value_passes(self, value: int | None) -> None:
        """None (not sent) and positive ints pass when there is no documented maximum."""
        v.validate_limit("limit", value, 1, None)

    @pytest.mark.parametrize(
        ("args", "value", "allowed"),
        [
            (("limit", 0, 1, None), "0", ">= 1"),
            (("limit", -5, 1, None), "-5", ">= 1"),
            (("limit", 51, 1, 50), "51", "from 1 to 50"),
            (("limit", True, 1, None), "True", ">= 1"),
            (("limit", "10", 1, None), "'10'", ">= 1"),
        ],
    )
    def test_invalid_value_is_rejected(
        self, args: tuple[Any, ...], value: str, allowed: str
    ) -> None:
        """A non-int or out-of-range value raises a message naming it."""
        name, val, low, high = args
        assert_rejected(
            v.validate_limit,
            {"name": name, "value": val, "low": low, "high": high},
            name,
            value,
            allowed,
        )

    def test_every_list_endpoint_is_listed(self) -> None:
        """The table covers each list endpoint of the docs."""
        assert set(v.LIST_LIMITS) == {
            "GET files",
            "GET images",
            "GET videos",
            "GET videos/agent-templates",
            "GET videos/characters",
            "GET llm",
            "GET music",
            "GET audio",
            "GET audio/voices",
        }


class TestModule:
    """The module's public surface."""

    def test_all_names_exist(self) -> None:
        """Every name in __all__ is defined, and __all__ is sorted."""
        for name in v.__all__:
            assert hasattr(v, name), name
        assert v.__all__ == sorted(v.__all__, key=lambda n: (not n.isupper(), n))


class TestCommaList:
    """The one normaliser of parameters the API takes as a comma-separated string."""

    @pytest.mark.parametrize(
        ("value", "items"),
        [
            ("Italian,Female", ("Italian", "Female")),
            (" Italian , Female ", ("Italian", "Female")),
            ("Italian", ("Italian",)),
            (["Italian", "Female"], ("Italian", "Female")),
            (("Italian",), ("Italian",)),
            (None, ()),
            ("", ()),
            ([], ()),
        ],
    )
    def test_forms(self, value: Any, items: tuple[str, ...]) -> None:
        assert rules.comma_list("tag_list", value, what="tags") == items

    @pytest.mark.parametrize(
        ("value", "name"),
        [
            ("a,,b", "tag_list[1]"),
            ("a,", "tag_list[1]"),
            (["a,b"], "tag_list[0]"),
            ([""], "tag_list[0]"),
            ([1], "tag_list[0]"),
            (b"a,b", "tag_list"),
            ({"a", "b"}, "tag_list"),
        ],
    )
    def test_bad_forms(self, value: Any, name: str) -> None:
        with pytest.raises(ValueError, match=re.escape(f"{name}=")) as info:
            rules.comma_list("tag_list", value, what="tags")
        assert "comma-separated" in str(info.value) or "without ','" in str(info.value)

    def test_required_and_maximum(self) -> None:
        with pytest.raises(ValueError, match="models=None is required"):
            rules.comma_list("models", None, what="model names", required=True)
        with pytest.raises(ValueError, match="models=' ' must name at least one"):
            rules.comma_list("models", " ", what="model names", required=True)
        with pytest.raises(ValueError, match="files=<3 file ids> has too many"):
            rules.comma_list("files", "a,b,c", what="file ids", max_items=2)


class TestPaging:
    @pytest.mark.parametrize(
        ("endpoint", "param"),
        [(endpoint, param) for endpoint, params in v.LIST_LIMITS.items() for param in params],
    )
    def test_every_entry_has_no_maximum_and_takes_large_values(
        self, endpoint: str, param: str
    ) -> None:
        """The documents give defaults only: one rule, an int >= 1, however large."""
        assert v.LIST_LIMITS[endpoint][param].high is None
        v.validate_paging(endpoint, **{param: 5000})
        v.validate_paging(endpoint, **{param: 10**9})
        with pytest.raises(ValueError, match=rf"^{param}=0 is out of range"):
            v.validate_paging(endpoint, **{param: 0})

    def test_unknown_parameter_is_a_bug(self) -> None:
        with pytest.raises(KeyError):
            v.validate_paging("GET videos", page_size=5)


class TestOmniReferences:
    def test_fields(self) -> None:
        ids = [FILE_A, FILE_B]
        assert v.omni_reference_fields("video_file_ids", ids) == {
            "videoFileID1": FILE_A,
            "videoFileID2": FILE_B,
        }
        assert v.omni_reference_fields("audio_file_ids", ()) == {}
        assert v.VIDEO_OMNI_REFERENCES["audio_file_ids"][:2] == ("audioFileID", 3)
