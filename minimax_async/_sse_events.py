"""What the SSE decoder yields and raises: :class:`ServerSentEvent` and :class:`SSEProtocolError`.

Kept apart from the decoder (:mod:`._sse_decoder`) so that its module stays about one thing;
both are re-exported by :mod:`._sse`.
"""

from __future__ import annotations

import json
from typing import Any, Final

import attrs

__all__ = ["SSEProtocolError", "ServerSentEvent"]


class SSEProtocolError(ValueError):
    """The byte stream cannot be decoded as an event stream: a line or an event is longer than
    the decoder's limit (``limit``, in bytes)."""

    def __init__(self, message: str, *, limit: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit


@attrs.frozen
class ServerSentEvent:
    """One dispatched event.

    Attributes:
        event: The event type; ``"message"`` when the stream named none.
        data: The data lines of the event joined with ``"\\n"``.
        id: The stream's last event ID at dispatch time (it persists across events, as the
            spec says); ``None`` if the stream has not sent any ``id`` field yet.
        retry: The reconnection time in milliseconds if this event's block carried a valid
            ``retry`` field, else ``None``.
    """

    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        """Parse :attr:`data` as JSON.

        Returns:
            The decoded JSON value.

        Raises:
            json.JSONDecodeError: If the data is not valid JSON.
        """
        return json.loads(self.data)


# The hot loops build events without ``ServerSentEvent.__init__``: attrs' frozen ``__init__``
# sets each field through ``object.__setattr__``, and calling the slots' descriptors directly
# costs a third less, which shows at 100k+ events/s. Sound because the fields are plain (no
# validator, converter or factory): tests compare every event with one built normally.
_new_event: Final = object.__new__
_set_type: Final[Any] = ServerSentEvent.__dict__["event"].__set__
_set_data: Final[Any] = ServerSentEvent.__dict__["data"].__set__
_set_id: Final[Any] = ServerSentEvent.__dict__["id"].__set__
_set_retry: Final[Any] = ServerSentEvent.__dict__["retry"].__set__
