"""``mm.scheduler``: GET scheduler, GET scheduler/available, DELETE scheduler/{id}."""

from __future__ import annotations

import pytest

from minimax_async import ScheduledJob, SchedulerCapacity

from ._http import BAD_IDS, BEARER, VIDEO_ID, all_sent, route, sample, sent

IMAGE_ID = "user:1234-minimax:987654321-image:5566778899"


class TestList:
    async def test_gets_scheduled_jobs(self, mm, mocked):
        """``list()`` sends ``GET scheduler`` and returns ``ScheduledJob``s that round-trip."""
        body = sample("get-minimax-scheduler/200")
        mocked.get(route("scheduler"), payload=body)
        jobs = await mm.scheduler.list()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "scheduler", {})
        assert request.headers["Authorization"] == BEARER
        assert all(isinstance(job, ScheduledJob) for job in jobs)
        assert jobs[0].video_id == "user:user_id-minimax:account-video:id1"
        assert [job.elapsed for job in jobs] == ["03:57", "00:35"]
        assert [job.to_dict() for job in jobs] == body


class TestAvailable:
    async def test_gets_capacity(self, mm, mocked):
        """``available()`` sends ``GET scheduler/available`` and returns the capacity."""
        body = sample("get-minimax-scheduler-available/200")
        mocked.get(route("scheduler/available"), payload=body)
        capacity = await mm.scheduler.available()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == (
            "GET",
            "scheduler/available",
            {},
        )
        assert request.headers["Authorization"] == BEARER
        assert isinstance(capacity, SchedulerCapacity)
        assert len(capacity.executing) == 2
        assert [a.available for a in capacity.available] == [5, 2, 1]
        assert capacity.available[1].max_jobs == 5
        assert capacity.to_dict() == body


class TestDelete:
    @pytest.mark.parametrize("job_id", [VIDEO_ID, IMAGE_ID])
    async def test_deletes_tracked_job(self, mm, mocked, job_id):
        """``delete(id)`` sends ``DELETE scheduler/{id}`` (video or image id, ``:`` literal)."""
        mocked.delete(route(f"scheduler/{job_id}"), status=204)
        assert await mm.scheduler.delete(job_id) is None
        request = sent(mocked)
        assert (request.method, request.path) == ("DELETE", f"scheduler/{job_id}")
        assert request.headers["Authorization"] == BEARER

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid id is refused before anything is sent."""
        with pytest.raises(ValueError, match="job_id"):
            await mm.scheduler.delete(bad)
        assert not mocked.requests


class TestFindByReplyRef:
    async def test_finds_job_after_a_few_looks(self, mm, mocked, sleeps):
        """The job carrying the ``replyRef`` is found once the scheduler lists it."""
        listed = {"videoId": VIDEO_ID, "replyRef": "mma-1", "started": "2024-09-25T01:55:16Z"}
        mocked.get(route("scheduler"), payload=[])
        mocked.get(route("scheduler"), payload=[{"videoId": "other", "replyRef": "x"}, listed])
        found = await mm.scheduler.find_by_reply_ref("mma-1", interval=2.0)
        assert [job.video_id for job in found] == [VIDEO_ID]
        assert len(all_sent(mocked)) == 2
        assert sleeps.delays == [2.0]

    async def test_gives_up_after_checks(self, mm, mocked, sleeps):
        """Nothing found after ``checks`` looks gives an empty list."""
        for _ in range(3):
            mocked.get(route("scheduler"), payload=[])
        assert await mm.scheduler.find_by_reply_ref("mma-1", checks=3, interval=1.0) == []
        assert sleeps.delays == [1.0, 1.0]
