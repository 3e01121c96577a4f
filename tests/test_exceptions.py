"""The error hierarchy and ``make_status_error``, the pure response -> exception mapping."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

import minimax_async
from minimax_async import (
    AccountOnHoldError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    GenerationError,
    GenerationFailedError,
    GenerationModeratedError,
    InsufficientCreditsError,
    JobCreationUnknownError,
    MiniMaxError,
    ModerationError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    RunningVideo,
    ServerError,
    StreamError,
    StreamIdleTimeoutError,
    StreamTruncatedError,
    WaitTimeoutError,
)
from minimax_async._exceptions import make_status_error, parse_retry_after, redact_url, scrub

SAMPLES = Path(__file__).parent / "samples"
TOKEN = "user:1234-Zk9qT3stT0tlbjAxMjM0NTY3ODk"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkhhaWx1byJ9"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def sample(case: str, name: str) -> bytes:
    return (SAMPLES / case / name).read_bytes()


def error_for(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    return make_status_error(status, headers or {}, raw, method="POST", url="https://api.test/x")


class TestStatusToClass:
    @pytest.mark.parametrize(
        ("status", "cls"),
        [
            (400, BadRequestError),
            (401, AuthenticationError),
            (403, AuthenticationError),
            (404, NotFoundError),
            (412, InsufficientCreditsError),
            (422, ModerationError),
            (429, RateLimitError),
            (500, ServerError),
            (502, ServerError),
            (503, ServerError),
            (504, ServerError),
            (596, AccountOnHoldError),
            (418, APIStatusError),
        ],
    )
    def test_status_maps_to_class(self, status: int, cls: type[APIStatusError]) -> None:
        """Each documented status gives its own class, and the class carries the status."""
        exc = error_for(status, {"error": "boom"})
        assert type(exc) is cls
        assert exc.status_code == status
        assert exc.message == "boom"
        assert exc.method == "POST"
        assert exc.url == "https://api.test/x"

    def test_596_is_not_a_server_error(self) -> None:
        """596 (account on hold) is its own class, not a retryable 5xx ServerError."""
        assert not isinstance(error_for(596, {"error": "x"}), ServerError)

    def test_unknown_status_is_plain_status_error(self) -> None:
        """An undocumented 4xx is an APIStatusError and nothing more specific."""
        exc = error_for(418, {"error": "teapot"})
        assert type(exc) is APIStatusError
        assert str(exc).startswith("418 teapot")


class TestMessage:
    def test_message_from_error_string(self) -> None:
        """A string ``error`` is the message."""
        exc = make_status_error(412, {}, sample("post-minimax-videos-create", "412.json"))
        assert exc.message.startswith("Insufficient credits.")

    def test_message_from_error_object(self) -> None:
        """An ``error`` object (the agent's 500 body) gives its ``message``."""
        exc = make_status_error(500, {}, sample("post-minimax-agent", "500.json"))
        assert type(exc) is ServerError
        assert exc.message == "Agent connection error"
        assert exc.body["jobId"] == "p123456789-u12345-a67890-bot:minimax"

    def test_message_from_status_info(self) -> None:
        """Without ``error``, ``statusInfo.message`` is the message; ``requestID`` the id."""
        exc = make_status_error(
            429, {}, sample("post-minimax-videos-create-2024", "429_status_info.json")
        )
        assert exc.message == "YOU CAN QUEUE 3 JOBS AT ONCE"
        assert exc.request_id == "3b12c24d-a645-4e9b-8772-5da959d90b02"
        assert exc.code == 1500006
        assert "request_id=3b12c24d-a645-4e9b-8772-5da959d90b02" in str(exc)

    def test_error_string_wins_over_status_info(self) -> None:
        """The useapi.net ``error`` wins over the upstream ``statusInfo.message``."""
        exc = make_status_error(422, {}, sample("post-minimax-videos-create-2024", "422.json"))
        assert type(exc) is ModerationError
        assert exc.message == "Your prompt is too short, please provide more details"
        assert exc.request_id == "3b12c24d-a645-4e9b-8772-5da959d90b02"

    def test_empty_error_falls_back_to_reason(self) -> None:
        """The docs' 400 body ``{"error": ""}`` gives the HTTP reason, not an empty message."""
        exc = make_status_error(400, {}, sample("post-minimax-videos-create", "400.json"))
        assert exc.message == "Bad Request"

    def test_platform_base_resp(self) -> None:
        """The platform's ``base_resp`` gives the message and ``code``."""
        body = {"base_resp": {"status_code": 1004, "status_msg": "login fail"}}
        exc = error_for(401, body, {"Trace-Id": "t-1"})
        assert type(exc) is AuthenticationError
        assert exc.message == "login fail"
        assert exc.code == 1004
        assert exc.request_id == "t-1"

    def test_status_info_code(self) -> None:
        """``statusInfo.code`` is the error's ``code``; a body without one has None."""
        assert error_for(422, {"statusInfo": {"code": 1500001}}).code == 1500001
        assert error_for(422, {"error": "x"}).code is None

    def test_request_id_from_header(self) -> None:
        """Without ``statusInfo.requestID`` the request id comes from ``X-Request-Id``."""
        exc = error_for(500, {"error": "x"}, {"X-Request-Id": "rid-1"})
        assert exc.request_id == "rid-1"

    def test_empty_body(self) -> None:
        """An empty body gives the HTTP reason and no body."""
        exc = make_status_error(502, {}, b"")
        assert type(exc) is ServerError
        assert exc.message == "Bad Gateway"
        assert exc.body is None

    def test_html_body_gives_short_excerpt_without_tags(self) -> None:
        """An HTML error page gives a short excerpt of its text, tags stripped."""
        page = (
            b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
            b"<h1>Cloudflare</h1><p>The origin is unreachable.</p>"
            + b"<div>"
            + b"padding text " * 200
            + b"</div></body></html>"
        )
        exc = make_status_error(502, {"Content-Type": "text/html"}, page)
        assert type(exc) is ServerError
        assert "Cloudflare" in exc.message
        assert "The origin is unreachable." in exc.message
        assert "<" not in exc.message
        assert ">" not in exc.message
        assert len(exc.message) <= 230
        assert isinstance(exc.body, str)
        assert len(exc.body) <= 210

    def test_non_utf8_body(self) -> None:
        """A body that is not UTF-8 maps by status and does not raise."""
        exc = make_status_error(503, {}, b"\xff\xfe\xfa bad \x80 bytes")
        assert type(exc) is ServerError
        assert exc.message.startswith("Service Unavailable")
        assert "bad" in exc.message

    def test_json_that_is_not_an_object(self) -> None:
        """A JSON list or string body still maps by status."""
        assert error_for(404, ["x"]).message == "Not Found"
        assert error_for(401, "nope").message == "Unauthorized"


class TestRateLimit:
    @pytest.mark.parametrize(
        ("case", "account"),
        [
            ("post-minimax-videos-create", ""),
            ("post-minimax-videos-create-2024", "<MiniMax account>"),
        ],
    )
    def test_running_videos_structured(self, case: str, account: str) -> None:
        """``runningVideos`` from the docs' 429 becomes ``{account: [RunningVideo, ...]}``."""
        exc = make_status_error(429, {}, sample(case, "429_running_videos.json"))
        assert isinstance(exc, RateLimitError)
        assert list(exc.running_videos) == [account]
        jobs = exc.running_videos[account]
        assert [type(j) for j in jobs] == [RunningVideo, RunningVideo]
        assert [j.video_id for j in jobs] == [
            "user:user_id-minimax:account-video:id1",
            "user:user_id-minimax:account-video:idN",
        ]
        assert jobs[0].started == "2024-09-25T01:55:16.128Z"
        assert exc.message.startswith("Account")
        assert exc.retry_after is None

    def test_queue_limit_has_no_running_videos(self) -> None:
        """MiniMax's own 429 has an empty ``running_videos``."""
        raw = sample("post-minimax-videos-create", "429_queue_limit.json")
        exc = make_status_error(429, {}, raw)
        assert isinstance(exc, RateLimitError)
        assert exc.running_videos == {}
        assert exc.message == "YOU CAN QUEUE 3 JOBS AT ONCE"

    def test_malformed_running_videos_kept_raw(self) -> None:
        """An account whose entry is not a list of objects is kept as sent, never raising."""
        exc = error_for(429, {"runningVideos": {"a": "weird"}})
        assert exc.running_videos == {"a": "weird"}

    def test_retry_after_seconds(self) -> None:
        """``Retry-After: 17`` gives ``retry_after == 17.0``."""
        exc = error_for(429, {"error": "slow down"}, {"Retry-After": "17"})
        assert exc.retry_after == 17.0

    def test_retry_after_http_date(self) -> None:
        """``Retry-After`` as an HTTP date gives the seconds until then."""
        when = datetime.now(timezone.utc) + timedelta(seconds=90)
        exc = error_for(429, {"error": "x"}, {"Retry-After": format_datetime(when, usegmt=True)})
        assert exc.retry_after is not None
        assert 80 <= exc.retry_after <= 91

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("0", 0.0), ("2.5", 2.5), ("-3", 0.0), ("soon", None), ("", None), (None, None)],
    )
    def test_parse_retry_after(self, value: str | None, expected: float | None) -> None:
        """Unparseable values give None, negative ones zero."""
        assert parse_retry_after(value) == expected

    def test_past_http_date_is_zero(self) -> None:
        """A date in the past means "now", never a negative wait."""
        assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


class TestHierarchy:
    @pytest.mark.parametrize(
        ("cls", "bases"),
        [
            (ConfigurationError, (MiniMaxError,)),
            (APIError, (MiniMaxError,)),
            (APIConnectionError, (APIError,)),
            (APITimeoutError, (APIConnectionError, APIError)),
            (APIStatusError, (APIError,)),
            (BadRequestError, (APIStatusError,)),
            (AuthenticationError, (APIStatusError,)),
            (NotFoundError, (APIStatusError,)),
            (InsufficientCreditsError, (APIStatusError,)),
            (ModerationError, (APIStatusError,)),
            (RateLimitError, (APIStatusError,)),
            (ServerError, (APIStatusError,)),
            (AccountOnHoldError, (APIStatusError,)),
            (ResponseDecodeError, (APIError,)),
            (JobCreationUnknownError, (APIError,)),
            (StreamError, (MiniMaxError,)),
            (StreamTruncatedError, (StreamError,)),
            (StreamIdleTimeoutError, (StreamError,)),
            (GenerationError, (MiniMaxError,)),
            (GenerationFailedError, (GenerationError,)),
            (GenerationModeratedError, (GenerationError,)),
            (WaitTimeoutError, (GenerationError, TimeoutError)),
        ],
    )
    def test_subclass_of(self, cls: type[Exception], bases: tuple[type, ...]) -> None:
        """Each class sits where the ARCHITECTURE tree puts it."""
        for base in bases:
            assert issubclass(cls, base)

    def test_status_errors_are_not_connection_errors(self) -> None:
        """A status error and a decode error are not connection errors (no blind retry)."""
        assert not issubclass(APIStatusError, APIConnectionError)
        assert not issubclass(ResponseDecodeError, APIStatusError)

    def test_wait_timeout_caught_as_timeout_error(self) -> None:
        """``except TimeoutError`` catches a WaitTimeoutError and keeps its snapshot."""
        with pytest.raises(TimeoutError) as info:
            raise WaitTimeoutError("too slow", result="snapshot")
        assert info.value.result == "snapshot"

    def test_every_error_is_exported(self) -> None:
        """Every exception class defined in ``_exceptions`` is importable from the package."""
        from minimax_async import _exceptions

        for name in dir(_exceptions):
            obj = getattr(_exceptions, name)
            if (
                isinstance(obj, type)
                and issubclass(obj, MiniMaxError)
                and obj.__module__ == _exceptions.__name__
            ):
                assert getattr(minimax_async, name) is obj
                assert name in minimax_async.__all__

    def test_job_creation_unknown_carries_reply_ref(self) -> None:
        """JobCreationUnknownError keeps the ``replyRef`` to look for and its cause."""
        cause = ServerError("Bad Gateway", status_code=502)
        exc = JobCreationUnknownError("unknown", reply_ref="mma-1", cause=cause)
        assert exc.reply_ref == "mma-1"
        assert exc.cause is cause


class TestSecrets:
    def test_scrub_secret_keys(self) -> None:
        """Values under token/jwt/authorization keys are replaced, at any depth."""
        body = {
            "account": "1",
            "jwt": {"token": "abc"},
            "nested": [{"Authorization": "Bearer x"}, {"api_key": "k", "keep": "v"}],
        }
        assert scrub(body) == {
            "account": "1",
            "jwt": "***",
            "nested": [{"Authorization": "***"}, {"api_key": "***", "keep": "v"}],
        }

    def test_scrub_does_not_change_input(self) -> None:
        """``scrub`` returns a copy."""
        body = {"token": "abc"}
        scrub(body)
        assert body == {"token": "abc"}

    def test_scrub_jwt_in_text(self) -> None:
        """A JWT inside free text is replaced."""
        text = f"session {JWT} expired"
        assert JWT not in scrub(text)
        assert scrub(text) == "session *** expired"

    @pytest.mark.parametrize(
        "token",
        [TOKEN, "abcDEF0123456789_-.~+/=", JWT],
    )
    def test_scrub_bearer_header_in_text(self, token: str) -> None:
        """Whatever the token's characters, ``Bearer <token>`` loses all of the token."""
        out = scrub(f"<p>Authorization: Bearer {token}</p>")
        assert token not in out
        assert not any(part in out for part in token.split(":") if len(part) > 4)
        assert "Bearer ***" in out

    def test_status_error_body_scrubbed(self) -> None:
        """An error body echoing secrets keeps none of them in body, message, str or repr."""
        body = {
            "error": f"bad header Authorization: Bearer {TOKEN}",
            "echo": {"jwt": {"token": JWT}, "headers": {"authorization": f"Bearer {TOKEN}"}},
        }
        exc = error_for(401, body)
        for text in (str(exc), repr(exc), json.dumps(exc.body), exc.message):
            assert "Zk9qT3stT0tlbjAx" not in text
            assert JWT not in text

    def test_html_echo_scrubbed(self) -> None:
        """An HTML page echoing the Authorization header keeps no token in the error."""
        page = f"<html><body><pre>Authorization: Bearer {TOKEN}</pre></body></html>".encode()
        exc = make_status_error(500, {}, page)
        for text in (str(exc), repr(exc), str(exc.body), exc.message):
            assert "Zk9qT3stT0tlbjAx" not in text

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("wss://api.test/audio/wss?token=abc", "wss://api.test/audio/wss?token=***"),
            ("https://h/p?a=1&token=s3cret&b=2", "https://h/p?a=1&token=***&b=2"),
            ("https://h/p?API_KEY=s3cret#frag", "https://h/p?API_KEY=***#frag"),
            ("https://h/p?access_token=x", "https://h/p?access_token=***"),
            ("https://h/p?tokens=1&mytoken=2", "https://h/p?tokens=1&mytoken=2"),
        ],
    )
    def test_redact_url(self, url: str, expected: str) -> None:
        """Secret query values are replaced; other parameters are left alone."""
        assert redact_url(url) == expected

    def test_api_error_url_redacted(self) -> None:
        """An APIError built with a token in its URL stores the URL without it."""
        exc = APIConnectionError("boom", method="GET", url="wss://h/audio/wss?token=s3cret")
        assert "s3cret" not in exc.url
