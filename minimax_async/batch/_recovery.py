"""After a crash: journal rows no request claims, results replayed from the journal, and the
``sending`` rows (recorded before the create, not after) looked for before anything is resent."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from .._exceptions import (
    APIError,
    JobCreationUnknownError,
)
from .._journal_protocol import _Item, _Row
from ._capacity import _EngineBase
from ._keys import _parsed
from ._kinds import _Listed
from ._results import UnmatchedRow

T = TypeVar("T")
log = logging.getLogger("minimax_async")

#: Seconds a listed job's creation time may precede its row's mark (server vs local clock).
_CLOCK_SKEW = 5.0


def _unverified(item: _Item, cause: BaseException) -> JobCreationUnknownError:
    return JobCreationUnknownError(
        f"request {item.index} may have been created before the previous run stopped, and it "
        f"could not be looked for ({type(cause).__name__}: {cause}); not sending it again "
        f"(replyRef {item.reply_ref!r})",
        reply_ref=item.reply_ref,
        cause=cause,
    )


class _Recovery(_EngineBase[T]):
    """The crash window of a batch run (see the module)."""

    def _report_unmatched(self, rows: Mapping[str, _Row]) -> None:
        """Journal rows no request of this run claims: kept as they are, but never silent."""
        used = {item.key for item in self._items}
        unmatched = tuple(
            UnmatchedRow(
                key=row.key,
                state=row.state,
                request=_parsed(row.request),
                reply_ref=row.reply_ref,
                job_ids=row.job_ids,
                account=row.account,
            )
            for key, row in rows.items()
            if key not in used
        )
        self.report.unmatched_rows = unmatched
        if unmatched:
            states = sorted({row.state for row in unmatched})
            log.warning(
                "batch: %d journal row(s) match no request of this run (states: %s); left as "
                "they are, listed in Batch.unmatched_rows",
                len(unmatched),
                ", ".join(states),
            )

    def _replayed(self, row: _Row) -> tuple[Any, Exception | None]:
        if row.error_type:
            error = self._kind.rebuild_error(
                row.error_type, row.error_message or row.error_type, row.result
            )
            return None, error
        return self._kind.load(row.result), None

    async def _find_unsure(
        self, unsure: list[tuple[_Item, _Row]], claimed: set[str]
    ) -> list[_Item]:
        """Rows marked ``sending`` (recorded "before" but not "after"): found ones come back
        (submitted), surely absent ones are queued to be sent again with the same replyRef, and
        the rest fail with :class:`JobCreationUnknownError` (never resent, never guessed)."""
        found: list[_Item] = []
        try:
            scheduled = await self._mm.scheduler.list()
        except APIError as exc:
            for item, _ in unsure:
                await self._emit(item, None, _unverified(item, exc))
            return found
        by_ref: dict[str, list[str]] = {}
        for job in scheduled:
            if job.reply_ref and job.job_id:
                by_ref.setdefault(job.reply_ref, []).append(job.job_id)
        left: list[tuple[_Item, _Row]] = []
        for item, row in unsure:
            ids = self._kind.scheduled_ids(by_ref.get(item.reply_ref, []))
            if ids:
                item.job_ids = ids
                claimed.update(ids)
                found.append(item)
            else:
                left.append((item, row))
        if left:
            recent: list[_Listed] = []
            names: set[str | None] = {n for n in self._accounts if n is not None}
            names |= {i.account for i, _ in left if i.account is not None}
            try:
                for name in sorted(names, key=str) or [None]:
                    recent += await self._kind.recent(self._mm, name)
            except APIError as exc:
                for item, _ in left:
                    await self._emit(item, None, _unverified(item, exc))
                left = []
            for item, row in left:
                verdict = self._judge(item, row, recent, claimed)
                if isinstance(verdict, tuple):
                    item.job_ids = verdict
                    claimed.update(verdict)
                    found.append(item)
                elif verdict is None:
                    log.info(
                        "batch: replyRef %s was not found upstream; sending it again",
                        item.reply_ref,
                    )
                    self._queue(item)
                else:
                    await self._emit(item, None, verdict)
        if self._journal is not None:
            for item in found:
                await self._journal.submitted(item)
        return found

    def _judge(
        self, item: _Item, row: _Row, recent: list[_Listed], claimed: set[str]
    ) -> tuple[str, ...] | JobCreationUnknownError | None:
        """The job ids to adopt, None (surely never created: resend), or the error to report."""
        wanted = self._kind.file_ids(item.params)
        alike = [
            listed
            for listed in recent
            if listed.matches(item.params, wanted) and not set(listed.ids) & claimed
        ]
        marked = row.updated_at - _CLOCK_SKEW
        new = [a for a in alike if a.created is not None and a.created >= marked]
        unknown_age = [a for a in alike if a.created is None]
        if not new and not unknown_age:
            return None
        if len(new) == 1 and not unknown_age:
            return new[0].ids
        shown = ", ".join(a.ids[0] for a in (new + unknown_age)[:5])
        why = (
            f"{len(new)} jobs created since"
            if len(new) > 1
            else "jobs whose creation time the listing does not show"
        )
        return JobCreationUnknownError(
            f"request {item.index} may have been created before the previous run stopped: its "
            f"replyRef {item.reply_ref!r} is no longer in GET scheduler, and the recent list has "
            f"{why} with the same parameters ({shown}); not sending it again and not guessing "
            "which one is it",
            reply_ref=item.reply_ref,
        )
