"""Where the CLI writes: results on stdout (text or JSON), progress and errors on stderr.

``rich`` is imported only here and only when a progress bar or a table is shown, so
``import minimax_async.cli`` and ``--help`` work without it.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

from ._errors import EXIT_USAGE, CliError

__all__ = ["Output", "Tracker", "human_bytes", "load_rich"]

PROG = "minimax-async"

RICH_MISSING = (
    "the progress bar and tables need the 'rich' package: "
    "pip install 'minimax-async[cli]' (or pass --json or --no-progress)"
)


def load_rich() -> ModuleType:
    """The ``rich`` package with the parts the CLI uses, or a :class:`CliError` saying so."""
    try:
        import rich
        import rich.console
        import rich.progress
        import rich.table
    except ImportError:
        raise CliError(RICH_MISSING, EXIT_USAGE) from None
    return rich


def human_bytes(size: float | None) -> str:
    """``1.5 MB``-style size (decimal units, as rich shows them)."""
    if size is None:
        return "?"
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


class Tracker:
    """Shows the progress of one or more tasks (jobs in percent, transfers in bytes).

    This base shows nothing (``--json`` mode); a display overrides :meth:`add` and :meth:`_show`.
    """

    def add(self, description: str, total: float | None = 100.0, status: str = "") -> int:
        """Start showing a task; returns its handle."""
        return 0

    def update(
        self,
        task: int,
        *,
        completed: float | None = None,
        total: float | None = None,
        status: str | None = None,
    ) -> None:
        """Move a task forward and/or change its status text (None: unchanged)."""
        changes = {"completed": completed, "total": total, "status": status}
        self._show(task, {name: value for name, value in changes.items() if value is not None})

    def _show(self, task: int, changes: dict[str, Any]) -> None:
        """Show what changed of a task (only the values given to :meth:`update`)."""


class LineTracker(Tracker):
    """Prints one stderr line per status change (``--no-progress``, or no ``rich``)."""

    def __init__(self) -> None:
        self._tasks: list[str] = []
        self._last: dict[int, str] = {}

    def add(self, description: str, total: float | None = 100.0, status: str = "") -> int:
        self._tasks.append(description)
        return len(self._tasks) - 1

    def _show(self, task: int, changes: dict[str, Any]) -> None:
        status = changes.get("status")
        if status is None or self._last.get(task) == status:
            return
        self._last[task] = status
        print(f"{self._tasks[task]}: {status}", file=sys.stderr, flush=True)


class RichTracker(Tracker):
    """A live ``rich.progress`` display on stderr."""

    def __init__(self, progress: Any) -> None:
        self._progress = progress

    def add(self, description: str, total: float | None = 100.0, status: str = "") -> int:
        return int(self._progress.add_task(description, total=total, status=status))

    def _show(self, task: int, changes: dict[str, Any]) -> None:
        self._progress.update(task, **changes)


class Output:
    """The CLI's writer: ``--json`` results, human text, progress displays and error lines."""

    def __init__(
        self, *, json_mode: bool = False, progress: bool = True, secrets: Sequence[str] = ()
    ) -> None:
        self.json_mode = json_mode
        self.progress = progress
        # Very short "tokens" (test values) would mangle output; real tokens are long.
        self.secrets = tuple(s for s in secrets if len(s) >= 6)
        #: Said on Ctrl-C or a timeout: what keeps running remotely and how to look at it.
        self.hint: str | None = None

    # ---- checks --------------------------------------------------------------------------

    def require_display(self, *, table: bool = False) -> None:
        """Fail now (before anything is sent or billed) if a needed display lacks ``rich``."""
        if self.json_mode or (not table and not self.progress):
            return
        load_rich()

    # ---- writing -------------------------------------------------------------------------

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def json(self, data: Any, *, indent: int | None = 2) -> None:
        """One JSON document on stdout."""
        text = json.dumps(data, indent=indent, ensure_ascii=False, default=str)
        print(self._clean(text), flush=True)

    def say(self, text: str) -> None:
        """A line of human output on stdout."""
        print(self._clean(text), flush=True)

    def note(self, text: str) -> None:
        """A line of commentary on stderr (not in ``--json`` mode)."""
        if not self.json_mode:
            print(self._clean(text), file=sys.stderr, flush=True)

    def error(self, text: str) -> None:
        """The one-line error on stderr."""
        print(f"{PROG}: error: {self._clean(text)}", file=sys.stderr, flush=True)

    def fields(self, rows: Sequence[tuple[str, Any]]) -> None:
        """Aligned ``name  value`` lines on stdout; ``None`` values are left out."""
        shown = [(name, value) for name, value in rows if value is not None and value != ""]
        width = max((len(name) for name, _ in shown), default=0)
        for name, value in shown:
            self.say(f"{name:<{width}}  {value}")

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A rich table on stdout."""
        rich = load_rich()
        console = rich.console.Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
        table = rich.table.Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column, no_wrap=True, overflow="fold")
        for row in rows:
            table.add_row(*("" if cell is None else self._clean(str(cell)) for cell in row))
        console.print(table)

    @contextlib.contextmanager
    def tracker(self) -> Iterator[Tracker]:
        """A progress display for the ``with`` block: rich bars, status lines or nothing."""
        if self.json_mode:
            yield Tracker()
            return
        if not self.progress:
            yield LineTracker()
            return
        rich = load_rich()
        p = rich.progress
        console = rich.console.Console(file=sys.stderr)
        progress = p.Progress(
            p.SpinnerColumn(),
            p.TextColumn("[bold]{task.description}"),
            p.BarColumn(),
            p.TaskProgressColumn(),
            p.TextColumn("{task.fields[status]}"),
            p.TimeElapsedColumn(),
            console=console,
        )
        with progress:
            yield RichTracker(progress)
