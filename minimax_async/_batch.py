"""The old private home of the batch, kept as a re-export: the batch is the ``batch`` package now
(``batch/_keys.py``, ``_journal.py``, ``_kinds.py``, ``_capacity.py``, ``_recovery.py``,
``_engine.py``; ``batch/__init__.py`` the public :class:`Batch`). Imported by the public names'
loader and by tests that patch the journal and the kinds."""

from __future__ import annotations

from ._journal_protocol import _Item
from .batch import (
    Batch,
    BatchFailure,
    BatchOutcome,
    BatchRequest,
    BatchResult,
    BatchSuccess,
    JournalInUseError,
    UnmatchedRow,
    image_kind,
    new_batch,
    video_kind,
)
from .batch._journal import _Journal
from .batch._keys import _make_items
from .batch._kinds import _ImageKind, _VideoKind

__all__ = [
    "Batch",
    "BatchFailure",
    "BatchOutcome",
    "BatchRequest",
    "BatchResult",
    "BatchSuccess",
    "JournalInUseError",
    "UnmatchedRow",
    "_ImageKind",
    "_Item",
    "_Journal",
    "_VideoKind",
    "_make_items",
    "image_kind",
    "new_batch",
    "video_kind",
]
