"""``mm.agent``: POST agent (run/submit, multipart), GET agent/{jobId}, GET agent/jobs."""

from __future__ import annotations

import pytest

from minimax_async import AgentJob, AgentJobError, RunningAgentJobs

from ._http import (
    BAD_IDS,
    BEARER,
    GENERATED_REPLY_REF,
    all_sent,
    file_parts,
    form_parts,
    route,
    sample,
    sent,
    text_fields,
)

JOB_ID = "p123456789-u12345-a67890-bot:minimax"
COMPLETED = sample("post-minimax-agent/200")
STARTED = sample("post-minimax-agent/201")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0" + bytes(40)


@pytest.fixture(params=["run", "submit"])
def mode(request):
    """Both ways to post an agent job; they differ only in ``async`` and the timeout."""
    return request.param


def post(mm, mode, **kwargs):
    return getattr(mm.agent, mode)(**kwargs)


class TestRun:
    async def test_posts_multipart_form(self, mm, mocked):
        """``run`` posts multipart/form-data (even without files), documented names, no async."""
        mocked.post(route("agent"), payload=COMPLETED)
        await mm.agent.run(
            prompt="Generate a video of a cat playing piano",
            models=["hailuo-2.3", "nano-banana-2"],
            account="67890",
            reply_url="https://webhook.site/your-webhook-id",
            reply_ref="my-task-123",
        )
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", "agent", {})
        assert request.headers["Authorization"] == BEARER
        assert "json" not in request.kwargs
        assert "Content-Type" not in request.headers  # aiohttp sets it with the boundary
        parts = await form_parts(request.data)
        assert text_fields(parts) == {
            "prompt": "Generate a video of a cat playing piano",
            "models": "hailuo-2.3,nano-banana-2",
            "account": "67890",
            "replyUrl": "https://webhook.site/your-webhook-id",
            "replyRef": "my-task-123",
        }
        assert file_parts(parts) == []

    async def test_returns_completed_job(self, mm, mocked):
        """The synchronous answer is the completed ``AgentJob`` with its attachments."""
        mocked.post(route("agent"), payload=COMPLETED)
        job = await mm.agent.run(prompt="p", models="hailuo-2.3")
        assert isinstance(job, AgentJob)
        assert (job.job_id, job.status) == (JOB_ID, "completed")
        assert job.request.reply_ref == "my-task-123"
        attachment = job.response.attachments[0]
        assert attachment.file.extra.no_watermark_url.endswith("/no_watermark.mp4")
        assert job.to_dict() == COMPLETED

    async def test_waits_up_to_sixteen_minutes(self, mm, mocked):
        """A synchronous run may take 15 minutes upstream, so its timeout is 16 minutes."""
        mocked.post(route("agent"), payload=COMPLETED)
        await mm.agent.run(prompt="p", models="hailuo-2.3")
        assert sent(mocked).kwargs["timeout"].sock_read == 16 * 60


class TestSubmit:
    async def test_posts_async_true(self, mm, mocked):
        """``submit`` adds ``async=true`` to the same form."""
        mocked.post(route("agent"), payload=STARTED, status=201)
        await mm.agent.submit(prompt="p", models=["hailuo-2.3"], reply_ref="my-task-456")
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("POST", "agent", {})
        assert request.headers["Authorization"] == BEARER
        fields = text_fields(await form_parts(request.data))
        assert fields == {
            "prompt": "p",
            "models": "hailuo-2.3",
            "async": "true",
            "replyRef": "my-task-456",
        }

    async def test_returns_started_job(self, mm, mocked):
        """The 201 answer is an ``AgentJob`` in status ``started``."""
        mocked.post(route("agent"), payload=STARTED, status=201)
        job = await mm.agent.submit(prompt="p", models=["hailuo-2.3"])
        assert isinstance(job, AgentJob)
        assert (job.job_id, job.status) == ("p987654321-u12345-a67890-bot:minimax", "started")
        assert job.response.chat_id == "456789012"
        assert job.to_dict() == STARTED

    async def test_uses_default_timeout(self, mm, mocked):
        """A background job answers at once: the client's normal read timeout applies."""
        mocked.post(route("agent"), payload=STARTED, status=201)
        await mm.agent.submit(prompt="p", models=["hailuo-2.3"])
        assert sent(mocked).kwargs["timeout"].sock_read == mm.timeout.read


class TestPostForm:
    """What ``run`` and ``submit`` share."""

    async def test_generates_reply_ref(self, mm, mocked, mode):
        """Without ``reply_ref`` each call sends a fresh ``mma-<uuid4>`` form field."""
        mocked.post(route("agent"), payload=STARTED)
        mocked.post(route("agent"), payload=STARTED)
        await post(mm, mode, prompt="p", models="hailuo-2.3")
        await post(mm, mode, prompt="p", models="hailuo-2.3")
        refs = [text_fields(await form_parts(r.data))["replyRef"] for r in all_sent(mocked)]
        assert all(GENERATED_REPLY_REF.match(r) for r in refs), refs
        assert refs[0] != refs[1]

    async def test_sends_files_as_file_parts(self, mm, mocked, mode, tmp_path):
        """Each file becomes one ``file`` part with its name, type and bytes."""
        path = tmp_path / "Reference.jpg"
        path.write_bytes(JPEG)
        mocked.post(route("agent"), payload=STARTED)
        with path.open("rb") as opened:
            await post(mm, mode, prompt="p", models="nano-banana-2", files=[path, PNG, opened])
            # The form streams the files when it is sent: read it while the file is open.
            files = file_parts(await form_parts(sent(mocked).data))
        assert [(f.name, f.filename, f.content_type, f.value) for f in files] == [
            ("file", "Reference.jpg", "image/jpeg", JPEG),
            ("file", "file2", "image/png", PNG),
            ("file", "Reference.jpg", "image/jpeg", JPEG),
        ]

    async def test_sends_document_files(self, mm, mocked, mode, tmp_path):
        """A reference file whose type cannot be sniffed (a PDF) is still attached."""
        path = tmp_path / "brief.pdf"
        path.write_bytes(b"%PDF-1.7\n" + bytes(40))
        mocked.post(route("agent"), payload=STARTED)
        await post(mm, mode, prompt="p", models="hailuo-2.3", files=[path])
        (part,) = file_parts(await form_parts(sent(mocked).data))
        assert (part.filename, part.content_type) == ("brief.pdf", "application/pdf")

    async def test_file_type_from_name_or_bytes(self, mm, mocked, mode, tmp_path):
        """An unknown extension goes up as octet-stream; a name without one is sniffed."""
        odt = tmp_path / "notes.odt"
        odt.write_bytes(b"PK\x03\x04" + bytes(20))
        bare = tmp_path / "photo"
        bare.write_bytes(PNG)
        mocked.post(route("agent"), payload=STARTED)
        await post(mm, mode, prompt="p", models="hailuo-2.3", files=[odt, bare])
        files = file_parts(await form_parts(sent(mocked).data))
        assert [(f.filename, f.content_type) for f in files] == [
            ("notes.odt", "application/octet-stream"),
            ("photo", "image/png"),
        ]

    async def test_extra_body_is_merged_last(self, mm, mocked, mode):
        """``extra_body`` adds form fields and overrides the SDK's own."""
        mocked.post(route("agent"), payload=STARTED)
        await post(
            mm,
            mode,
            prompt="p",
            models="hailuo-2.3",
            extra_body={"models": "veo-3.1", "newFlag": True, "count": 2},
        )
        fields = text_fields(await form_parts(sent(mocked).data))
        assert (fields["models"], fields["newFlag"], fields["count"]) == ("veo-3.1", "true", "2")

    async def test_client_default_account(self, mm_acc, mocked, mode):
        """Without ``account=`` the client's default is sent; an explicit one wins."""
        mocked.post(route("agent"), payload=STARTED)
        mocked.post(route("agent"), payload=STARTED)
        await post(mm_acc, mode, prompt="p", models="hailuo-2.3")
        await post(mm_acc, mode, prompt="p", models="hailuo-2.3", account="other")
        accounts = [text_fields(await form_parts(r.data))["account"] for r in all_sent(mocked)]
        assert accounts == ["acc1", "other"]

    @pytest.mark.parametrize(
        ("kwargs", "parameter"),
        [
            ({"prompt": ""}, "prompt"),
            ({"models": []}, "models"),
            ({"models": ""}, "models"),
            ({"models": ["hailuo-2.3,veo-3.1"]}, "models"),
            ({"files": "photo.png"}, "files"),
            ({"files": [b""]}, r"files\[0\]"),
            ({"reply_url": "u" * 1025}, "reply_url"),
            ({"reply_ref": "r" * 1025}, "reply_ref"),
            ({"account": "a?b"}, "account"),
        ],
    )
    async def test_refuses_invalid_input(self, mm, mocked, mode, kwargs, parameter):
        """Invalid input raises ValueError naming the parameter before anything is sent."""
        with pytest.raises(ValueError, match=parameter):
            await post(mm, mode, **{"prompt": "p", "models": ["hailuo-2.3"], **kwargs})
        assert not mocked.requests


class TestRetrieve:
    @pytest.mark.parametrize("state", ["started", "completed", "failed"])
    async def test_gets_job(self, mm, mocked, state):
        """``retrieve(id)`` sends ``GET agent/{jobId}`` (``:`` literal) for every job state."""
        body = sample(f"get-minimax-agent-jobId/200_{state}")
        mocked.get(route(f"agent/{JOB_ID}"), payload=body)
        job = await mm.agent.retrieve(JOB_ID)
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", f"agent/{JOB_ID}", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(job, AgentJob)
        assert (job.job_id, job.status) == (JOB_ID, state)
        assert job.to_dict() == body

    async def test_failed_job_carries_error(self, mm, mocked):
        """A failed job's ``error`` object is structured."""
        mocked.get(route(f"agent/{JOB_ID}"), payload=sample("get-minimax-agent-jobId/200_failed"))
        job = await mm.agent.retrieve(JOB_ID)
        assert isinstance(job.error, AgentJobError)
        assert (job.error.status, job.error.message) == (
            504,
            "Timeout waiting for assistant response",
        )

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_refuses_invalid_id(self, mm, mocked, bad):
        """An invalid job id is refused before anything is sent."""
        with pytest.raises(ValueError, match="job_id"):
            await mm.agent.retrieve(bad)
        assert not mocked.requests


class TestRunning:
    async def test_gets_running_jobs(self, mm, mocked):
        """``running()`` sends ``GET agent/jobs`` and returns ``RunningAgentJobs``."""
        body = sample("get-minimax-agent-jobs/200")
        mocked.get(route("agent/jobs"), payload=body)
        running = await mm.agent.running()
        request = sent(mocked)
        assert (request.method, request.path, request.query) == ("GET", "agent/jobs", {})
        assert request.headers["Authorization"] == BEARER
        assert isinstance(running, RunningAgentJobs)
        assert running.accounts == ["67890", "54321"]
        assert running.summary["67890"].executing == 2
        assert running.executing["54321"][0].elapsed == "00:45"
        assert running.to_dict() == body
