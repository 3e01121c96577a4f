"""Every response body printed in the docs structures into its model and round-trips exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import minimax_async.models as models_pkg
from minimax_async._converter import MissingFieldError, structure
from minimax_async.models import (
    AGENT_EVENT_TYPES,
    Account,
    AccountCapacity,
    AgentConnectedEvent,
    AgentCreatedEvent,
    AgentEvent,
    AgentFileDetails,
    AgentFinishedEvent,
    AgentHeartbeatEvent,
    AgentJob,
    AgentJobError,
    AgentJobStatus,
    AgentProgressEvent,
    AgentTemplate,
    AgentTemplatePage,
    AudioClip,
    AudioConfig,
    AudioPage,
    AudioStreamTicket,
    Character,
    Chat,
    ChatEvent,
    ChatEventType,
    ChatMessageExtra,
    ChatPage,
    ChatResult,
    ErrorBody,
    Features,
    FileRecord,
    Image,
    ImageExtra,
    ImageJob,
    ImagePage,
    ImageStatus,
    Model,
    Music,
    MusicJob,
    MusicStatus,
    MusicStyleGroup,
    PlatformUploadResponse,
    RunningAgentJobs,
    RunningVideo,
    ScheduledJob,
    SchedulerCapacity,
    UploadedFile,
    Video,
    VideoJob,
    VideoStatus,
    Voice,
    VoicePage,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# A stream: checked against the event payload files next to it, not structured as one body.
SSE = "text/event-stream"

# Every sample file -> the type its body structures into. Error statuses not listed here are
# ``ErrorBody``; a new file under tests/samples must be added (see ``test_every_sample_is_mapped``).
TABLE: dict[str, Any] = {
    "get-minimax-accounts/200.json": dict[str, Account],
    "get-minimax-accounts-account/200.json": Account,
    "post-minimax-accounts-account/201.json": Account,
    "get-minimax-features/200.json": Features,
    "post-minimax-files/200.json": UploadedFile,
    "post-minimax-files-2024/200.json": UploadedFile,
    "post-minimax-files-2026/200.json": UploadedFile,
    "get-minimax-files/200.json": list[FileRecord],
    "post-minimax-videos-create/200.json": VideoJob,
    "post-minimax-videos-create-2024/200.json": VideoJob,
    "get-minimax-videos-videoId/200.json": Video,
    "get-minimax-videos/200.json": list[Video],
    "get-minimax-videos-characters/200.json": list[Character],
    "get-minimax-videos-agent-templates/200_list.json": AgentTemplatePage,
    "get-minimax-videos-agent-templates/200_details.json": AgentTemplate,
    "post-minimax-videos-agent-create/200.sse": SSE,
    "post-minimax-videos-agent-create/200_event_01_created.json": AgentCreatedEvent,
    "post-minimax-videos-agent-create/200_event_02_connected.json": AgentConnectedEvent,
    "post-minimax-videos-agent-create/200_event_03_heartbeat.json": AgentHeartbeatEvent,
    "post-minimax-videos-agent-create/200_event_04_progress.json": AgentProgressEvent,
    "post-minimax-videos-agent-create/200_event_05_progress.json": AgentProgressEvent,
    "post-minimax-videos-agent-create/200_event_06_progress.json": AgentProgressEvent,
    "post-minimax-videos-agent-create/200_event_07_progress.json": AgentProgressEvent,
    "post-minimax-videos-agent-create/200_event_08_progress.json": AgentProgressEvent,
    "post-minimax-videos-agent-create/200_event_09_progress.json": AgentProgressEvent,
    "post-minimax-videos-agent-create/200_event_10_progress.json": AgentProgressEvent,
    "post-minimax-videos-agent-create/200_event_11_finished.json": AgentFinishedEvent,
    "post-minimax-images-create/200.json": ImageJob,
    "get-minimax-images-imageId/200.json": Image,
    "get-minimax-images/200.json": ImagePage,
    "post-minimax-agent/200.json": AgentJob,
    "post-minimax-agent/201.json": AgentJob,
    # The failed job itself is the body of these two errors.
    "post-minimax-agent/500.json": AgentJob,
    "post-minimax-agent/504.json": AgentJob,
    "get-minimax-agent-jobId/200_started.json": AgentJob,
    "get-minimax-agent-jobId/200_completed.json": AgentJob,
    "get-minimax-agent-jobId/200_failed.json": AgentJob,
    "get-minimax-agent-jobs/200.json": RunningAgentJobs,
    "get-minimax-scheduler/200.json": list[ScheduledJob],
    "get-minimax-scheduler-available/200.json": SchedulerCapacity,
    "post-minimax-llm/200.json": ChatResult,
    "post-minimax-llm/200_stream.sse": SSE,
    "post-minimax-llm/200_stream_event_01_send_result.json": ChatEvent,
    "post-minimax-llm/200_stream_event_02_message_result.json": ChatEvent,
    "post-minimax-llm/200_stream_event_03_message_result.json": ChatEvent,
    "post-minimax-llm/200_stream_event_04_message_result.json": ChatEvent,
    "post-minimax-llm/200_stream_event_05_message_result.json": ChatEvent,
    "post-minimax-llm/200_stream_event_06_close_chunk.json": ChatEvent,
    "get-minimax-llm/200.json": ChatPage,
    "get-minimax-llm-chatID/200.json": Chat,
    "post-minimax-audio-create-mp3/200.json": AudioClip,
    "post-minimax-audio-create-stream/200.json": AudioStreamTicket,
    "get-minimax-audio-voices/200.json": VoicePage,
    "get-minimax-audio-config/200.json": AudioConfig,
    "get-minimax-audio/200.json": AudioPage,
    "get-minimax-audio_audio_id/200.json": AudioClip,
    "post-minimax-audio-clone-voice/200.json": Voice,
    "post-minimax-audio-upload-sample/200.json": UploadedFile,
    "get-minimax-music-create/200.json": MusicJob,
    "get-minimax-music-musicId/200.json": Music,
    "get-minimax-music-styles/200.json": list[MusicStyleGroup],
    "get-minimax-music/200.json": list[Music],
    "platform-files-upload/200.json": PlatformUploadResponse,
}

# JSON keys that cannot become attributes: ``async`` is a Python keyword. It stays in
# ``model_extra`` (and has a typed accessor).
UNMAPPABLE_KEYS = {"async"}


def _ids(cls: type[Video] | type[Image]) -> dict[str, str]:
    """The id a video or image body always carries (bodies without one are refused)."""
    return {"videoId": "v"} if cls is Video else {"imageId": "i"}


def _status(path: str) -> int:
    return int(Path(path).name.split(".")[0].split("_")[0])


def _all_samples() -> list[str]:
    return sorted(
        p.relative_to(SAMPLES).as_posix()
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.suffix in (".json", ".sse")
    )


def _model_type(path: str) -> Any:
    return TABLE.get(path, ErrorBody if _status(path) >= 400 else None)


def _load(path: str) -> Any:
    return json.loads((SAMPLES / path).read_text(encoding="utf-8"))


def _unstructure(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [_unstructure(v) for v in value]
    if isinstance(value, dict):
        return {k: _unstructure(v) for k, v in value.items()}
    return value


def _models_in(value: Any) -> list[Model]:
    """Every model nested in ``value``, including the typed views of JSON ``extra`` objects."""
    found: list[Model] = []
    if isinstance(value, Model):
        found.append(value)
        for field in attrs.fields(type(value)):
            if field.name not in ("model_extra", "_json_keys"):
                found += _models_in(getattr(value, field.name))
    elif isinstance(value, (list, tuple)):
        for v in value:
            found += _models_in(v)
    elif isinstance(value, dict):
        for v in value.values():
            found += _models_in(v)
    return found


JSON_SAMPLES = [p for p in _all_samples() if p.endswith(".json")]
SUCCESS_SAMPLES = [p for p in JSON_SAMPLES if _status(p) < 400]
ERROR_SAMPLES = [p for p in JSON_SAMPLES if _status(p) >= 400]
SSE_SAMPLES = [p for p in _all_samples() if p.endswith(".sse")]


class TestSampleTable:
    """The table and the sample directory agree."""

    def test_every_sample_is_mapped(self) -> None:
        """Each sample file has a model: success bodies and streams explicitly in TABLE."""
        unmapped = [p for p in _all_samples() if _model_type(p) is None]
        assert unmapped == []

    def test_table_has_no_stale_entries(self) -> None:
        """Every TABLE entry names a file that exists."""
        missing = sorted(set(TABLE) - set(_all_samples()))
        assert missing == []

    def test_samples_cover_every_page(self) -> None:
        """The samples exist at all (guards against a wrong SAMPLES path)."""
        assert len(SUCCESS_SAMPLES) > 50
        assert len(ERROR_SAMPLES) > 80
        assert len(SSE_SAMPLES) == 2


class TestRoundTrip:
    """Structure then ``to_dict()`` gives back the documented JSON exactly."""

    @pytest.mark.parametrize("path", SUCCESS_SAMPLES + [p for p in ERROR_SAMPLES if p in TABLE])
    def test_sample_round_trips(self, path: str) -> None:
        """The body structures into its model and unstructures to the same JSON."""
        data = _load(path)
        result = structure(data, _model_type(path))
        assert _unstructure(result) == data

    @pytest.mark.parametrize("path", SUCCESS_SAMPLES + [p for p in ERROR_SAMPLES if p in TABLE])
    def test_no_documented_key_is_unknown(self, path: str) -> None:
        """Every key of the example is a declared attribute somewhere in the model tree."""
        result = structure(_load(path), _model_type(path))
        leftovers = {
            f"{type(m).__name__}.{key}"
            for m in _models_in(result)
            for key in m.model_extra
            if key not in UNMAPPABLE_KEYS
        }
        assert leftovers == set()

    @pytest.mark.parametrize("path", ERROR_SAMPLES)
    def test_error_sample_round_trips_as_error_body(self, path: str) -> None:
        """Every 4xx/5xx body structures into ErrorBody and round-trips."""
        data = _load(path)
        body = structure(data, ErrorBody)
        assert body.to_dict() == data
        if path not in TABLE:
            assert body.model_extra == {}

    @pytest.mark.parametrize("path", ERROR_SAMPLES)
    def test_error_body_has_a_message_or_is_blank(self, path: str) -> None:
        """``ErrorBody.message`` is a string for every documented error body."""
        body = structure(_load(path), ErrorBody)
        assert isinstance(body.message, str)


class TestStreams:
    """The stream samples and their per-event payload files agree."""

    @staticmethod
    def _data_lines(path: str) -> list[str]:
        text = (SAMPLES / path).read_text(encoding="utf-8")
        return [
            line[len("data:") :].strip() for line in text.splitlines() if line.startswith("data:")
        ]

    def test_agent_stream_events_match_payload_files(self) -> None:
        """Each ``data:`` line of the agent stream is the matching 200_event_NN file."""
        payloads = [
            json.loads(d) for d in self._data_lines("post-minimax-videos-agent-create/200.sse")
        ]
        files = sorted(p for p in JSON_SAMPLES if "/200_event_" in p)
        assert payloads == [_load(p) for p in files]

    def test_llm_stream_events_match_payload_files(self) -> None:
        """Each ``data:`` line of the llm stream is the matching 200_stream_event_NN file."""
        payloads = [json.loads(d) for d in self._data_lines("post-minimax-llm/200_stream.sse")]
        files = sorted(p for p in JSON_SAMPLES if "/200_stream_event_" in p)
        assert payloads == [_load(p) for p in files]

    def test_streams_separate_events_with_blank_lines(self) -> None:
        """Every event, the last included, ends with a blank line."""
        for path in SSE_SAMPLES:
            text = (SAMPLES / path).read_text(encoding="utf-8")
            assert text.endswith("\n\n")
            assert text.count("data:") == text.count("\n\n")

    def test_agent_event_types_follow_status(self) -> None:
        """AGENT_EVENT_TYPES picks the event class from ``status``; unknown stays AgentEvent."""
        for path in (p for p in JSON_SAMPLES if "/200_event_" in p):
            data = _load(path)
            cls = AGENT_EVENT_TYPES.get(data["status"], AgentEvent)
            assert cls is TABLE[path]
            assert issubclass(cls, AgentEvent)
        assert AGENT_EVENT_TYPES.get("paused", AgentEvent) is AgentEvent

    def test_agent_events_expose_video_id_and_files(self) -> None:
        """The created event carries the video id, a progress event the attachment URL."""
        created = structure(
            _load("post-minimax-videos-agent-create/200_event_01_created.json"), AgentCreatedEvent
        )
        assert created.video_id == "user:1234-minimax:1234567-video:7654321"
        assert created.message is not None
        assert created.message.msg_type == 1
        done = structure(
            _load("post-minimax-videos-agent-create/200_event_09_progress.json"), AgentEvent
        )
        assert done.message is not None
        assert done.message.attachment_info is not None
        attachments = done.message.attachment_info.attachments
        assert attachments is not None
        assert attachments[0].file is not None
        assert attachments[0].file.file_url == "https://cdn.hailuoai.video/moss/prod/.../final.mp4"
        assert attachments[0].status == 3
        recs = structure(
            _load("post-minimax-videos-agent-create/200_event_10_progress.json"), AgentEvent
        )
        assert recs.is_finished is True
        assert recs.rec_template_list is not None
        assert recs.rec_template_list[0].name == "Vlog Interview"

    def test_llm_events_expose_text_and_type(self) -> None:
        """Message events carry the answer so far; the close event only its type."""
        last = structure(
            _load("post-minimax-llm/200_stream_event_05_message_result.json"), ChatEvent
        )
        assert last.type == ChatEventType.MESSAGE_RESULT
        assert last.data is not None
        assert last.data.message_result is not None
        assert last.data.message_result.content is not None
        assert last.data.message_result.content.endswith("feel free to let me know.")
        assert last.status_info is not None
        assert last.status_info.code == 0
        close = structure(_load("post-minimax-llm/200_stream_event_06_close_chunk.json"), ChatEvent)
        assert close.type == ChatEventType.CLOSE_CHUNK
        assert close.data is None


class TestSecrets:
    """Tokens never appear in ``repr``."""

    def test_account_token_not_in_repr(self) -> None:
        """An account's JWT stays out of its repr, and out of the repr of the accounts dict."""
        data = _load("get-minimax-accounts-account/200.json")
        account = structure(data, Account)
        token = data["jwt"]["token"]
        assert account.jwt is not None
        assert account.jwt.token == token
        assert token not in repr(account)
        accounts = structure(_load("get-minimax-accounts/200.json"), dict[str, Account])
        for item in accounts.values():
            assert item.jwt is not None
            assert item.jwt.token is not None
            assert item.jwt.token not in repr(accounts)

    def test_stream_ticket_token_not_in_repr(self) -> None:
        """The WebSocket token of an audio stream ticket stays out of its repr."""
        data = _load("post-minimax-audio-create-stream/200.json")
        ticket = structure(data, AudioStreamTicket)
        assert ticket.token == data["token"]
        assert data["token"] not in repr(ticket)
        assert ticket.to_dict() == data


class TestVideoStatus:
    """``Video`` status properties follow the documented states and tolerate unknown ones."""

    @pytest.mark.parametrize(
        ("status", "final", "completed", "failed", "moderated"),
        [
            (VideoStatus.PENDING, False, False, False, False),
            (VideoStatus.PROCESSING, False, False, False, False),
            (VideoStatus.COMPLETED, True, True, False, False),
            (VideoStatus.FAILED, True, False, True, False),
            (VideoStatus.MODERATED_5, True, False, False, True),
            (VideoStatus.MODERATED_7, True, False, False, True),
            (VideoStatus.QUEUED, False, False, False, False),
            (VideoStatus.PROCESSING_12, False, False, False, False),
            (VideoStatus.MODERATED_14, True, False, False, True),
        ],
    )
    @pytest.mark.parametrize("cls", [Video, Image])
    def test_known_status(
        self,
        cls: type[Video] | type[Image],
        status: int,
        final: bool,
        completed: bool,
        failed: bool,
        moderated: bool,
    ) -> None:
        """Each documented status maps to one outcome, whatever ``statusFinal`` says."""
        for status_final in (None, True, False):
            item = structure({**_ids(cls), "status": status, "statusFinal": status_final}, cls)
            assert item.status == status
            assert (item.is_final, item.is_completed, item.is_failed, item.is_moderated) == (
                final,
                completed,
                failed,
                moderated,
            )

    @pytest.mark.parametrize("cls", [Video, Image])
    def test_unknown_status_keeps_polling(self, cls: type[Video] | type[Image]) -> None:
        """An unknown status without ``statusFinal: true`` is not final."""
        for extra in ({}, {"statusFinal": False}):
            item = structure({**_ids(cls), "status": 42, **extra}, cls)
            assert item.status == 42
            assert not item.is_final
            assert not item.is_completed
            assert not item.is_failed
            assert not item.is_moderated

    @pytest.mark.parametrize("cls", [Video, Image])
    def test_unknown_final_status_counts_as_failed(self, cls: type[Video] | type[Image]) -> None:
        """An unknown status with ``statusFinal: true`` is final and reported as failed."""
        item = structure({**_ids(cls), "status": 42, "statusFinal": True}, cls)
        assert item.is_final
        assert item.is_failed
        assert not item.is_completed
        assert not item.is_moderated

    def test_missing_or_odd_status_is_refused(self) -> None:
        """A video without a usable status is useless to a wait: the answer is refused,
        naming the field (the API always sends it on success)."""
        for data in ({"videoId": "v"}, {"videoId": "v", "status": "2", "statusFinal": True}):
            with pytest.raises(MissingFieldError, match=r"Video\.status"):
                structure(data, Video)

    def test_image_constants_match_video_constants(self) -> None:
        """Images use the same status values as videos."""
        for name in ("FINAL_STATES", "RUNNING_STATES", "MODERATED_STATES"):
            assert getattr(ImageStatus, name) == getattr(VideoStatus, name)

    def test_samples_report_their_state(self) -> None:
        """The documented examples read as completed / processing."""
        video = structure(_load("get-minimax-videos-videoId/200.json"), Video)
        assert video.is_final
        assert video.is_completed
        listed = structure(_load("get-minimax-videos/200.json"), list[Video])
        assert [v.is_final for v in listed] == [False, True]
        image = structure(_load("get-minimax-images-imageId/200.json"), Image)
        assert image.is_completed


class TestMusicStatus:
    """``Music`` status properties: 0/1 running, 2 completed, 4 moderated."""

    @pytest.mark.parametrize(
        ("status", "final", "completed", "moderated"),
        [
            (MusicStatus.PENDING, False, False, False),
            (MusicStatus.PROCESSING, False, False, False),
            (MusicStatus.COMPLETED, True, True, False),
            (MusicStatus.MODERATED, True, False, True),
        ],
    )
    def test_known_status(self, status: int, final: bool, completed: bool, moderated: bool) -> None:
        """Each documented status maps to one outcome; songs never report failure."""
        music = structure({"musicId": "m", "status": status}, Music)
        assert (music.is_final, music.is_completed, music.is_moderated) == (
            final,
            completed,
            moderated,
        )
        assert not music.is_failed

    def test_unknown_status(self) -> None:
        """An unknown status is final only with ``statusFinal: true``."""
        assert not structure({"musicId": "m", "status": 3}, Music).is_final
        assert not structure({"musicId": "m", "status": 3, "statusFinal": False}, Music).is_final
        final = structure({"musicId": "m", "status": 3, "statusFinal": True}, Music)
        assert final.is_final
        assert final.is_failed


class TestAgentJobStatus:
    """``AgentJob`` status properties: ``started`` running, ``completed``, ``failed``."""

    @pytest.mark.parametrize(
        ("status", "final", "completed", "failed"),
        [
            (AgentJobStatus.STARTED, False, False, False),
            (AgentJobStatus.COMPLETED, True, True, False),
            (AgentJobStatus.FAILED, True, False, True),
            ("queued", False, False, False),
        ],
    )
    def test_status(self, status: str, final: bool, completed: bool, failed: bool) -> None:
        """Known statuses map to one outcome; unknown ones keep polling; none is moderated."""
        job = structure({"jobId": "j", "status": status}, AgentJob)
        assert (job.is_final, job.is_completed, job.is_failed) == (final, completed, failed)
        assert not job.is_moderated

    def test_samples_report_their_state(self) -> None:
        """The documented started / completed / failed jobs read as such."""
        started = structure(_load("get-minimax-agent-jobId/200_started.json"), AgentJob)
        assert not started.is_final
        assert started.request is not None
        assert started.request.async_ is True
        done = structure(_load("get-minimax-agent-jobId/200_completed.json"), AgentJob)
        assert done.is_completed
        assert done.request is not None
        assert done.request.async_ is None
        failed = structure(_load("get-minimax-agent-jobId/200_failed.json"), AgentJob)
        assert failed.is_failed
        assert isinstance(failed.error, AgentJobError)
        assert failed.error.status == 504

    def test_error_may_be_a_string(self) -> None:
        """``error`` is either a message or an object."""
        data = {"jobId": "j", "status": "failed", "error": "boom"}
        job = structure(data, AgentJob)
        assert job.error == "boom"
        assert job.to_dict() == data


class TestJsonExtra:
    """JSON objects named ``extra`` are ordinary typed attributes (unknown keys live in
    ``model_extra``)."""

    def test_agent_file_details(self) -> None:
        """The no-watermark URL of an agent video is reachable through ``file.extra``."""
        job = structure(_load("post-minimax-agent/200.json"), AgentJob)
        assert job.response is not None
        assert job.response.attachments is not None
        video, image = job.response.attachments
        assert video.file is not None
        assert image.file is not None
        details = video.file.extra
        assert isinstance(details, AgentFileDetails)
        assert details.no_watermark_url == "https://cdn.hailuoai.video/.../no_watermark.mp4"
        assert image.file.extra is not None
        assert image.file.extra.model_name == "banana_2"
        assert "extra" not in video.file.model_extra

    def test_image_and_chat_extra(self) -> None:
        """Image and chat message ``extra`` objects are typed; absent ones give None."""
        image = structure(_load("get-minimax-images-imageId/200.json"), Image)
        assert isinstance(image.extra, ImageExtra)
        assert image.extra.camera_motions == []
        assert image.model_extra == {}
        assert Image(image_id="i", status=2).extra is None
        chat = structure(_load("get-minimax-llm-chatID/200.json"), Chat)
        assert chat.messages is not None
        extra = chat.messages[0].extra
        assert isinstance(extra, ChatMessageExtra)
        assert extra.net_search_status is not None
        assert extra.net_search_status.final_status is not None
        assert extra.net_search_status.final_status.status_code == 0


class TestErrorBody:
    """Error bodies expose their message, status info and running videos."""

    def test_running_videos(self) -> None:
        """A capacity 429 lists the videos holding each account's slots."""
        body = structure(_load("post-minimax-videos-create/429_running_videos.json"), ErrorBody)
        assert body.running_videos is not None
        (jobs,) = body.running_videos.values()
        assert all(isinstance(j, RunningVideo) for j in jobs)
        assert [j.id for j in jobs] == ["id1", "idN"]

    def test_message_sources(self) -> None:
        """``message`` comes from ``error``, the failed job's error, or ``statusInfo``."""
        queue = structure(_load("post-minimax-videos-create-2024/429_status_info.json"), ErrorBody)
        assert queue.message == "YOU CAN QUEUE 3 JOBS AT ONCE"
        assert queue.status_info is not None
        assert queue.status_info.code == 1500006
        failed = structure(_load("post-minimax-agent/504.json"), ErrorBody)
        assert failed.message == "Timeout waiting for assistant response"
        blank = structure(_load("post-minimax-videos-create/400.json"), ErrorBody)
        assert blank.message == ""
        moderated = structure(_load("post-minimax-videos-create-2024/422.json"), ErrorBody)
        assert moderated.message == "Your prompt is too short, please provide more details"
        assert structure({}, ErrorBody).message is None


class TestShapes:
    """Spot checks of fields whose types the docs leave open."""

    def test_scheduler_started_is_text_or_number(self) -> None:
        """``started`` is an ISO string in examples and a number in the model."""
        assert structure({"started": 1727229272}, ScheduledJob).started == 1727229272
        capacity = structure(_load("get-minimax-scheduler-available/200.json"), SchedulerCapacity)
        assert capacity.available is not None
        assert all(isinstance(a, AccountCapacity) for a in capacity.available)

    def test_platform_file_id_int_or_str(self) -> None:
        """The platform's ``file_id`` is an int per the schema, a string in the example."""
        upload = structure(_load("platform-files-upload/200.json"), PlatformUploadResponse)
        assert upload.file is not None
        assert upload.file.file_id == "${file_id}"
        assert upload.base_resp is not None
        assert upload.base_resp.status_code == 0
        as_int = structure({"file": {"file_id": 123}}, PlatformUploadResponse)
        assert as_int.file is not None
        assert as_int.file.file_id == 123

    def test_chat_status_info_message_english(self) -> None:
        """A chat's ``statusInfo`` keeps the documented ``messageEnglish``."""
        chat = structure({"statusInfo": {"code": 1, "messageEnglish": "Busy"}}, Chat)
        assert chat.status_info is not None
        assert chat.status_info.message_english == "Busy"
        assert chat.status_info.model_extra == {}

    def test_video_job_exposes_ids(self) -> None:
        """Both videos/create renderings give the video id; the new one the upstream task."""
        job = structure(_load("post-minimax-videos-create/200.json"), VideoJob)
        assert job.video_id == "user:1234-minimax:987654321-video:998877665544332211"
        assert job.task is not None
        assert job.task.video_ids == ["1122334455667798899"]
        old = structure(_load("post-minimax-videos-create-2024/200.json"), VideoJob)
        assert old.data is not None
        assert old.data.id == "998877665544332211"


class TestExports:
    """``minimax_async.models`` re-exports every public model."""

    def test_all_is_sorted_and_complete(self) -> None:
        """``__all__`` is sorted, and every Model subclass of the package is in it."""
        names = models_pkg.__all__
        assert names == sorted(names)
        for name in names:
            assert hasattr(models_pkg, name), name
        subclasses: set[str] = set()
        stack = [Model]
        while stack:
            cls = stack.pop()
            for sub in cls.__subclasses__():
                if sub.__module__.startswith("minimax_async.models"):
                    subclasses.add(sub.__name__)
                stack.append(sub)
        assert subclasses - set(names) == set()
