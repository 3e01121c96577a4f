"""Running jobs by account (``testing._live.LiveJobs``): counts, pruning, early leavers."""

from __future__ import annotations

import aiohttp
import attrs

from minimax_async.testing import Emulator, run_emulator
from minimax_async.testing._live import LiveJobs

from ._helpers import Api


@attrs.define
class Job:
    account: str
    ends: float
    gone: bool = False

    def running(self, now: float) -> bool:
        return not self.gone and now < self.ends


def live_jobs(*jobs: tuple[str, Job]) -> LiveJobs[Job]:
    live: LiveJobs[Job] = LiveJobs(lambda job: job.ends)
    for key, job in jobs:
        live.add(key, job)
    return live


class TestLiveJobs:
    def test_jobs_that_ended_leave_by_the_clock(self) -> None:
        """A job is counted until its end time, then dropped without a scan."""
        live = live_jobs(("a1", Job("a", 10)), ("a2", Job("a", 20)), ("b1", Job("b", 5)))
        assert (live.count("a", 0), live.count("b", 0)) == (2, 1)
        assert (live.count("a", 10), live.count("b", 10)) == (1, 0)
        assert live.running(20) == []

    def test_count_is_an_upper_bound_and_running_is_exact(self) -> None:
        """A job that left early (deleted, untracked) is still counted, never returned."""
        early = Job("a", 100)
        live = live_jobs(("a1", early), ("a2", Job("a", 100)))
        early.gone = True
        assert live.count("a", 1) == 2
        assert [j.ends for j in live.running(1, "a")] == [100]
        assert live.count("a", 1) == 1  # the exact look dropped it

    def test_running_keeps_creation_order_across_accounts(self) -> None:
        """All accounts' jobs come back in the order they were added."""
        jobs = [("b1", Job("b", 9)), ("a1", Job("a", 8)), ("b2", Job("b", 7)), ("a2", Job("a", 6))]
        live = live_jobs(*jobs)
        assert live.running(0) == [job for _, job in jobs]
        assert live.running(0, "a") == [jobs[1][1], jobs[3][1]]

    def test_a_job_whose_end_moved_later_is_looked_at_again(self) -> None:
        """The heap entry is refreshed, so the job still leaves when it really ends."""
        job = Job("a", 10)
        live = live_jobs(("a1", job))
        job.ends = 30
        assert live.count("a", 15) == 1
        assert live.count("a", 30) == 0


async def test_cancel_and_delete_free_capacity_at_once() -> None:
    """Capacity counts see a cancelled or deleted video leave before its end time."""
    async with run_emulator(speed=0, accounts=1, max_jobs=2) as emu:
        headers = {"Authorization": f"Bearer {emu.token}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            api = Api(emu, session)
            first = await api.create_video("the first job")
            second = await api.create_video("the second job")
            status, _ = await api.post("/videos/create", json={"prompt": "no room"})
            assert status == 429
            status, _ = await api.post("/videos/cancel", json={"videoId": first})
            assert status == 200
            await api.create_video("fits after a cancel")
            status, _ = await api.delete(f"/videos/{second}")
            assert status in (200, 204)
            await api.create_video("fits after a delete")
            status, _ = await api.post("/videos/create", json={"prompt": "full again"})
            assert status == 429
            emu.advance(1000)
            assert emu.state.running_videos() == []
            await api.create_video("fits once the others ended")


async def test_load_balancing_spreads_over_accounts(emu: Emulator) -> None:
    """With several accounts, a create without one goes to an account with room."""
    emu.state.accounts.clear()
    for name in ("111", "222"):
        emu.add_account(name, max_jobs=1)
    headers = {"Authorization": f"Bearer {emu.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        api = Api(emu, session)
        made = [await api.create_video(f"job number {n}") for n in range(2)]
        assert sorted(v.split("-minimax:")[1].split("-")[0] for v in made) == ["111", "222"]
        status, _ = await api.post("/videos/create", json={"prompt": "nowhere"})
        assert status == 429
