"""The jobs that may still be running, by account, with ended ones pruned incrementally.

Capacity checks run on every create (``videos/create`` load-balances over every account), so
they must not scan every job ever made: a scan of every live video per create made creating
10,000 videos quadratic (``benchmarks/emulator_scale.py``: 30x the time of 2,000). Here the jobs
are grouped by account and ordered by the virtual time they end (a heap), so a check drops only
the jobs that ended since the last one and counts an account's jobs in O(1).

A job leaves the running set for good once it has ended, been deleted or been untracked (a job
never restarts). Ends in time are found by the heap; the other ways (a cancel, a delete, a test
setting ``video.untracked``) are not announced, so :meth:`LiveJobs.count` is an upper bound and
:meth:`LiveJobs.running` is exact: it re-checks the jobs it returns. A capacity check needs the
exact answer only when the bound says the account is full.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["LiveJobs"]


class _Job(Protocol):
    @property
    def account(self) -> str: ...

    def running(self, now: float) -> bool: ...


J = TypeVar("J", bound=_Job)


class LiveJobs(Generic[J]):
    """Jobs that may still be running, keyed by id, in creation order and by account."""

    def __init__(self, ends_at: Callable[[J], float]) -> None:
        self._ends_at = ends_at
        self._all: dict[str, J] = {}
        self._by_account: dict[str, dict[str, J]] = {}
        self._ends: list[tuple[float, int, str]] = []  # (ends at, tie-breaker, key)
        self._tie = itertools.count()

    def add(self, key: str, job: J) -> None:
        self._all[key] = job
        self._by_account.setdefault(job.account, {})[key] = job
        heapq.heappush(self._ends, (self._ends_at(job), next(self._tie), key))

    def count(self, account: str, now: float) -> int:
        """At least the number of running jobs of ``account`` (exact unless one left early)."""
        self._expire(now)
        return len(self._by_account.get(account, ()))

    def running(self, now: float, account: str | None = None) -> list[J]:
        """The running jobs (all, or those of ``account``) in creation order."""
        self._expire(now)
        live = self._all if account is None else self._by_account.get(account, {})
        jobs: list[J] = []
        for key, job in list(live.items()):
            if job.running(now):
                jobs.append(job)
            else:
                self._drop(key, job)
        return jobs

    def _expire(self, now: float) -> None:
        ends = self._ends
        while ends and ends[0][0] <= now:
            _, _, key = heapq.heappop(ends)
            job = self._all.get(key)
            if job is None:
                continue
            if not job.running(now):
                self._drop(key, job)
            elif (at := self._ends_at(job)) > now:
                # Its end moved later (a test changed its phases): look again then.
                heapq.heappush(ends, (at, next(self._tie), key))

    def _drop(self, key: str, job: J) -> None:
        del self._all[key]
        by_account = self._by_account[job.account]
        del by_account[key]
        if not by_account:
            del self._by_account[job.account]
