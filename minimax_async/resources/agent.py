"""``mm.agent``: the multi-model AI agent (video, image and audio models in one prompt)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from .._accounts import Route
from .._exceptions import APIStatusError, JobCreationUnknownError
from .._types import FileSource, RequestOptions, Timeout
from .._uploads import prepare_upload
from .._validation import agent_models, validate_agent
from ..models.agent import AgentJob, RunningAgentJob, RunningAgentJobs
from ._base import (
    MultipartFactory,
    Resource,
    check_keywords,
    form_fields,
    form_file_type,
    options_of,
    reply_ref_or_new,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack is 3.11+: only type checkers need it

__all__ = ["AGENT_RUN_TIMEOUT", "Agent", "AgentParams"]

#: ``agent.run`` waits for the whole job, which upstream may take up to 15 minutes.
AGENT_RUN_TIMEOUT = Timeout(connect=10.0, read=16 * 60.0, total=16 * 60.0)


class _AgentPrompt(TypedDict):
    prompt: str
    #: Model names as a list or the documents' comma-separated string (``"a,b"``).
    models: Sequence[str] | str


class AgentParams(_AgentPrompt, total=False):
    """The keywords of ``agent.run`` and ``agent.submit`` (``prompt`` and ``models`` required)."""

    files: Sequence[FileSource]
    account: str | None
    reply_url: str | None
    reply_ref: str | None
    extra_body: Mapping[str, Any] | None


class _AgentCreateCall(AgentParams, RequestOptions, total=False):
    """An agent call's keywords: :class:`AgentParams` and the per-call options."""


class Agent(Resource):
    """Run the MiniMax agent synchronously (``run``) or in the background (``submit``)."""

    async def run(self, **params: Unpack[_AgentCreateCall]) -> AgentJob:
        """Run the agent and wait for its result (up to 16 minutes; ``POST agent``).

        Keywords: :class:`AgentParams` and the per-call options.
        """
        return await self._post("agent.run", params, run_async=False)

    async def submit(self, **params: Unpack[_AgentCreateCall]) -> AgentJob:
        """Start the agent in the background; returns the job with status ``started``.

        Keywords as for :meth:`run`. Wait for it with ``mm.wait_for_agent_job(job.job_id)``.
        """
        return await self._post("agent.submit", params, run_async=True)

    async def retrieve(self, job_id: str, **options: Unpack[RequestOptions]) -> AgentJob:
        """An agent job's status and results (``GET agent/{jobId}``)."""
        return await self._retrieve("agent", "job_id", job_id, AgentJob, options)

    async def running(self, **options: Unpack[RequestOptions]) -> RunningAgentJobs:
        """Agent jobs executing now, by account (``GET agent/jobs``)."""
        return await self._client.request(
            "GET", "agent/jobs", cast_to=RunningAgentJobs, options=options
        )

    def iter(self, **options: Unpack[RequestOptions]) -> AsyncIterator[RunningAgentJob]:
        """Every agent job executing now, all accounts together (``GET agent/jobs``, which
        answers in one page)."""
        return self._pages(
            None,
            lambda _account, _cursor: self.running(**options),
            items=lambda page: [job for jobs in (page.executing or {}).values() for job in jobs],
            key=lambda job: job.job_id,
            every_account=False,
        )

    async def _post(self, method: str, params: Mapping[str, Any], *, run_async: bool) -> AgentJob:
        check_keywords(method, params, _AgentCreateCall)
        options = options_of(params)
        prompt: str = params["prompt"]
        models: Sequence[str] | str = params["models"]
        files: Sequence[FileSource] = params.get("files", ())
        account: str | None = params.get("account")
        reply_url: str | None = params.get("reply_url")
        reply_ref: str | None = params.get("reply_ref")
        extra_body: Mapping[str, Any] | None = params.get("extra_body")
        validate_agent(
            prompt=prompt, models=models, files=files, reply_url=reply_url, reply_ref=reply_ref
        )
        model_list = agent_models(models)  # "a,b" (the documents' form) or ["a", "b"]
        uploads = [
            await prepare_upload(
                f, content_type=form_file_type(f), allowed_types=None, parameter=f"files[{i}]"
            )
            for i, f in enumerate(files)
        ]
        ref = reply_ref_or_new(reply_ref)
        fields = form_fields(
            {
                "prompt": prompt,
                "models": ",".join(model_list),
                "account": self._account(account),
                "async": "true" if run_async else None,
                "replyUrl": reply_url,
                "replyRef": ref,
            },
            extra_body,
        )

        kwargs: dict[str, Any] = {}
        if not run_async:
            kwargs["timeout"] = AGENT_RUN_TIMEOUT
        form = MultipartFactory(fields, uploads)
        replayable = all(u.replayable for u in uploads)
        route = Route("POST agent", account, pick="video", resendable=replayable)
        try:
            return await self._send(
                route,
                "POST",
                "agent",
                AgentJob,
                form=form,
                kind="create",
                reply_ref=ref,
                replayable=replayable,
                **kwargs,
                options=options,
            )
        except JobCreationUnknownError as exc:
            # A 504 is ambiguous, unless it is the API's own answer for a job that timed out
            # upstream (documented: the job itself, ``status: failed``): then the outcome is
            # known, and it is raised like the 500 of a failed job, the job in ``.body``.
            cause = exc.cause
            if isinstance(cause, APIStatusError) and _is_failed_job(cause.body):
                raise cause from None
            raise


def _is_failed_job(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("jobId"), str)
        and bool(body["jobId"])
        and body.get("status") == "failed"
    )
