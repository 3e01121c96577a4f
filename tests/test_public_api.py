"""The public surface: a flat, sorted ``__all__``, every error exported, nothing private."""

from __future__ import annotations

import ast
import importlib
import importlib.resources
import inspect
import pkgutil
import re
import subprocess
import sys
import types

import grimp
import pytest

import minimax_async
from minimax_async import _exceptions, models
from minimax_async._version import __version__ as source_version

#: Names the ARCHITECTURE contract promises at the top level.
CONTRACT = [
    "AsyncMiniMax",
    "AsyncMiniMaxPlatform",
    "AgentStream",
    "Timeout",
    "NOT_GIVEN",
    "NotGiven",
    "FileSource",
    "ProgressCallback",
    # errors
    "MiniMaxError",
    "ConfigurationError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "NotFoundError",
    "InsufficientCreditsError",
    "ModerationError",
    "RateLimitError",
    "ServerError",
    "AccountOnHoldError",
    "ResponseDecodeError",
    "JobCreationUnknownError",
    "StreamError",
    "StreamTruncatedError",
    "StreamIdleTimeoutError",
    "GenerationError",
    "GenerationFailedError",
    "GenerationModeratedError",
    "WaitTimeoutError",
    # models named by the endpoint table
    "Account",
    "Features",
    "UploadedFile",
    "FileRecord",
    "VideoJob",
    "Video",
    "Character",
    "AgentTemplatePage",
    "AgentTemplate",
    "AgentEvent",
    "ImageJob",
    "Image",
    "ImagePage",
    "AgentJob",
    "RunningAgentJobs",
    "RunningVideo",
    "ScheduledJob",
    "SchedulerCapacity",
    "ChatResult",
    "ChatEvent",
    "ChatPage",
    "Chat",
    "AudioClip",
    "AudioStreamTicket",
    "Music",
    "PlatformFile",
]


class TestAll:
    def test_sorted_and_unique(self) -> None:
        """``__all__`` is sorted and lists each name once."""
        names = minimax_async.__all__
        assert names == sorted(names)
        assert len(names) == len(set(names))

    @pytest.mark.parametrize("name", minimax_async.__all__)
    def test_every_name_resolves(self, name: str) -> None:
        """Every name in ``__all__`` is importable from the package."""
        assert hasattr(minimax_async, name)

    def test_star_import(self) -> None:
        """``from minimax_async import *`` binds exactly ``__all__``."""
        namespace: dict[str, object] = {}
        exec("from minimax_async import *", namespace)
        namespace.pop("__builtins__")
        assert sorted(namespace) == sorted(minimax_async.__all__)

    def test_no_private_names(self) -> None:
        """No underscore name is exported, except ``__version__``."""
        private = [n for n in minimax_async.__all__ if n.startswith("_")]
        assert private == ["__version__"]

    def test_every_public_attribute_listed(self) -> None:
        """Every public, non-module attribute of the package is in ``__all__``."""
        unlisted = [
            name
            for name in dir(minimax_async)
            if not name.startswith("_")
            and not isinstance(getattr(minimax_async, name), types.ModuleType)
            and name not in minimax_async.__all__
        ]
        assert unlisted == []

    @pytest.mark.parametrize("name", CONTRACT)
    def test_contract_names_exported(self, name: str) -> None:
        """Every name the ARCHITECTURE contract promises is exported."""
        assert name in minimax_async.__all__

    def test_every_model_exported(self) -> None:
        """Every public model is re-exported flat, as the same object."""
        for name in models.__all__:
            assert name in minimax_async.__all__, name
            assert getattr(minimax_async, name) is getattr(models, name)

    def test_exported_objects_are_ours(self) -> None:
        """Exported classes and functions come from this package, not a dependency."""
        for name in minimax_async.__all__:
            obj = getattr(minimax_async, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                assert obj.__module__.startswith("minimax_async"), (name, obj.__module__)

    def test_exported_classes_documented(self) -> None:
        """Every exported class has a docstring of its own."""
        for name in minimax_async.__all__:
            obj = getattr(minimax_async, name)
            if inspect.isclass(obj):
                assert "__doc__" in vars(obj), name
                assert (obj.__doc__ or "").strip(), name


class TestErrors:
    def test_every_exception_class_exported(self) -> None:
        """Every exception class in ``_exceptions.__all__`` is exported from the package."""
        classes = [
            name
            for name in _exceptions.__all__
            if inspect.isclass(getattr(_exceptions, name))
            and issubclass(getattr(_exceptions, name), BaseException)
        ]
        assert len(classes) >= 23
        for name in classes:
            assert name in minimax_async.__all__, name
            assert getattr(minimax_async, name) is getattr(_exceptions, name)

    def test_every_error_subclass_exported(self) -> None:
        """Every subclass of MiniMaxError the package defines is exported."""
        seen: list[type] = []
        pending: list[type] = [minimax_async.MiniMaxError]
        while pending:
            cls = pending.pop()
            seen.append(cls)
            pending.extend(cls.__subclasses__())
        for cls in seen:
            if cls.__module__.startswith("minimax_async") and not cls.__module__.startswith(
                "minimax_async.testing"
            ):
                assert getattr(minimax_async, cls.__name__, None) is cls, cls

    def test_helpers_stay_private(self) -> None:
        """The mapping helpers are not part of the public surface."""
        for name in ("make_status_error", "scrub", "redact_url", "parse_retry_after"):
            assert name not in minimax_async.__all__


class TestPackage:
    def test_version_is_a_string(self) -> None:
        """``__version__`` is a PEP 440-looking string, the one ``_version`` defines."""
        assert isinstance(minimax_async.__version__, str)
        assert minimax_async.__version__ == source_version
        assert re.fullmatch(
            r"\d+\.\d+(\.\d+)?((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", source_version
        )

    def test_py_typed_shipped(self) -> None:
        """The package carries a ``py.typed`` marker (PEP 561)."""
        marker = importlib.resources.files("minimax_async") / "py.typed"
        assert marker.is_file()


class TestOneListOfNames:
    """The model names are listed once: each group module's ``__all__``; the packages' lists
    are built from those, and the lazy index agrees with them."""

    def test_lazy_index_is_the_group_modules_all(self) -> None:
        """``models._GROUPS`` (read without importing a group) equals each module's ``__all__``."""
        for group, names in models._GROUPS.items():
            module = importlib.import_module(f"minimax_async.models.{group}")
            assert list(names) == list(module.__all__), group

    def test_every_group_module_listed(self) -> None:
        """No model module with public names is left out of the index."""
        listed = set(models._GROUPS)
        for info in pkgutil.iter_modules(models.__path__):
            module = importlib.import_module(f"minimax_async.models.{info.name}")
            public = [n for n in getattr(module, "__all__", []) if n in models.__all__]
            if info.name not in listed:
                assert public == [], info.name
        assert listed <= {info.name for info in pkgutil.iter_modules(models.__path__)}

    def test_each_model_name_once_and_resolves(self) -> None:
        """Each model name is in ``models.__all__`` and ``minimax_async.__all__`` exactly once,
        and resolves to the class its group module defines."""
        for group, names in models._GROUPS.items():
            module = importlib.import_module(f"minimax_async.models.{group}")
            for name in names:
                assert models.__all__.count(name) == 1, name
                assert minimax_async.__all__.count(name) == 1, name
                assert getattr(models, name) is getattr(module, name)
                assert getattr(minimax_async, name) is getattr(module, name)
        assert sorted(models.__all__) == sorted(n for ns in models._GROUPS.values() for n in ns)

    def test_unknown_model_name_raises(self) -> None:
        with pytest.raises(AttributeError, match="NoSuchModel"):
            models.NoSuchModel  # noqa: B018

    def test_groups_load_on_first_use(self) -> None:
        """A fresh program making videos never builds the llm or audio models."""
        script = (
            "import sys\n"
            "from minimax_async import AsyncMiniMax\n"
            "def loaded():\n"
            "    return sorted(m for m in sys.modules if m.startswith('minimax_async.models.'))\n"
            "print(loaded())\n"
            "mm = AsyncMiniMax('token', base_url='http://127.0.0.1:9')\n"
            "mm.videos\n"
            "print(loaded())\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        at_import, after_videos = (ast.literal_eval(line) for line in out)
        groups = {f"minimax_async.models.{g}" for g in models._GROUPS if g != "_shared"}
        assert not (set(at_import) & groups - {"minimax_async.models.files"}), at_import
        assert "minimax_async.models.videos" in after_videos
        # Nor the agent templates / stream events (and the agent models they use).
        for other in ("llm", "audio", "music", "accounts", "platform", "video_agent", "agent"):
            assert f"minimax_async.models.{other}" not in after_videos, other

    def test_moved_video_agent_names_still_resolve_from_videos(self) -> None:
        """The agent templates and events moved to ``models.video_agent``; the old module path
        still gives the same classes (loaded on first use), and nothing else."""
        from minimax_async.models import video_agent, videos

        for name in video_agent.__all__:
            assert getattr(videos, name) is getattr(video_agent, name), name
        with pytest.raises(AttributeError, match="NoSuchModel"):
            videos.NoSuchModel  # noqa: B018


class TestNoCycle:
    def test_models_never_import_the_converter(self) -> None:
        """``_converter`` imports the models; no model module imports it back (any import,
        ``TYPE_CHECKING`` ones included: grimp reads every import statement)."""
        graph = grimp.build_graph("minimax_async")
        assert not graph.chain_exists(
            importer="minimax_async.models",
            imported="minimax_async._converter",
            as_packages=True,
        )
