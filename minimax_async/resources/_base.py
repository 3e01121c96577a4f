"""What every resource shares: the client it talks through, account defaults, body building."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

import aiohttp

from .._accounts import Need, Route, each_account, file_refs, route_call, with_account
from .._bodies import body_of, reply_ref_or_new
from .._client_core import ClientCore
from .._types import FileSource, ProgressCallback, RequestOptions, Timeout
from .._uploads import AUDIO_VIDEO_IMAGE_TYPES, PreparedUpload, prepare_upload
from .._validation import check_id
from ..models.files import UploadedFile

if TYPE_CHECKING:
    import yarl

    from ..models.scheduler import ScheduledJob

__all__ = [
    "MultipartFactory",
    "Resource",
    "body_of",
    "check_keywords",
    "form_fields",
    "form_file_type",
    "more_pages",
    "next_number",
    "options_of",
    "path_id",
    "reply_ref_or_new",
    "request_fields",
    "warn_decommissioned",
]

T = TypeVar("T")

_warned: set[str] = set()

#: Uploads have no total limit (about a minute per GB upstream), only a 300 s read gap limit.
UPLOAD_TIMEOUT = Timeout(connect=10.0, read=300.0, total=None)


def warn_decommissioned(endpoint: str) -> None:
    """Emit one DeprecationWarning per process for a decommissioned ``endpoint``."""
    if endpoint in _warned:
        return
    _warned.add(endpoint)
    warnings.warn(
        f"{endpoint} is decommissioned upstream (useapi.net MiniMax API v1); it still works "
        "but may stop at any time",
        DeprecationWarning,
        # 1: here, 2: the resource method, 3: the caller's line (what the warning points at).
        stacklevel=3,
    )


#: Item URLs a resource keeps (``Resource._item_url``), like the client's URL cache.
_ITEM_URLS = 1024

# Ids as the API makes them (``user:1234-minimax:98765-video:1122``): valid, nothing to quote.
_PLAIN_ID = re.compile(r"[A-Za-z0-9:@_\-]+")


def path_id(name: str, value: str) -> str:
    """``value`` checked for use as one URL path segment; ``:`` and ``@`` stay literal."""
    if type(value) is str and _PLAIN_ID.fullmatch(value):
        return value  # the common case, on every poll: no checks or quoting left to do
    return quote(check_id(name, value), safe=":@-._~!$&'()*+,;=")


def options_of(given: Mapping[str, Any]) -> RequestOptions:
    """The per-call options among a method's keywords (the rest are the request's fields)."""
    return cast(
        RequestOptions, {k: v for k, v in given.items() if k in RequestOptions.__optional_keys__}
    )


#: A create's keywords that are not fields of its request (``request_fields``).
_NOT_FIELDS = frozenset({"account", "extra_body", *RequestOptions.__optional_keys__})


def request_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    """The request's own fields among a create's keywords (for its validator): not the
    ``account``, ``extra_body`` or per-call options."""
    return {k: v for k, v in given.items() if k not in _NOT_FIELDS}


def check_keywords(method: str, given: Mapping[str, object], params: Any) -> None:
    """Refuse what Python refuses for an explicit signature, for methods taking
    ``**kwargs: Unpack[SomeParams]`` (``params`` a TypedDict): unknown and missing keywords.

    Raises:
        TypeError: naming the keyword and the allowed ones; nothing has been sent.
    """
    required: frozenset[str] = params.__required_keys__
    allowed = required | params.__optional_keys__
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise TypeError(
            f"{method}() got an unexpected keyword argument {unknown[0]!r}; allowed: "
            + ", ".join(sorted(allowed))
        )
    missing = sorted(required - set(given))
    if missing:
        raise TypeError(f"{method}() missing required keyword argument {missing[0]!r}")


_C = TypeVar("_C")
_I = TypeVar("_I")
_P = TypeVar("_P")


def more_pages(flag: bool | None, got: int, size: int | None) -> bool:
    """Whether a page is followed by another: the API's own flag (``has_next``, ``has_more``)
    when it sends one, else a full page (``size`` items) or, with no size asked, any items."""
    if flag is not None:
        return flag
    return got == size if size is not None else got > 0


def next_number(items: Sequence[object], number: int | None) -> int:
    """The next page's number (a ``next_cursor`` for ``Resource._pages``), for endpoints that
    number their pages from 1 (``page``)."""
    return (number or 1) + 1


def form_fields(
    fields: Mapping[str, str | None], extra_body: Mapping[str, Any] | None
) -> dict[str, str]:
    """Text fields of a multipart form (``None`` left out), ``extra_body`` merged last.

    Form values are text: ``True``/``False`` become ``"true"``/``"false"``, numbers their
    ``str``; an ``extra_body`` value of ``None`` removes the field.
    """
    merged: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    merged.update(extra_body or {})
    return {
        key: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for key, value in merged.items()
        if value is not None
    }


# Form file parts (agent, llm) may be documents the upload sniffer does not know; their type
# comes from the name. The table is fixed (no ``mimetypes``: it reads system files on first use).
_FORM_FILE_TYPES = {
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".heif": "image/heif",
    ".heic": "image/heic",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".gif": "image/gif",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
}


def form_file_type(source: FileSource) -> str | None:
    """The Content-Type of a form file part, from its name's extension; None: sniff its bytes.

    A source named with an extension always gets a type, so documents the upload sniffer cannot
    recognise (pdf, docx ...) are sent (unknown extensions as ``application/octet-stream``)
    instead of refused. Bytes, async iterables and names without an extension are sniffed.
    """
    name: object = None
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
    elif not isinstance(source, (bytes, bytearray, memoryview)):
        name = getattr(source, "name", None)
    if not isinstance(name, str):
        return None
    extension = os.path.splitext(name)[1].lower()
    if not extension:
        return None
    return _FORM_FILE_TYPES.get(extension, "application/octet-stream")


class Resource:
    """One API group (``mm.videos``, ``mm.images`` ...): builds requests, the client sends."""

    def __init__(self, client: ClientCore) -> None:
        self._client = client
        # (group, id) -> the item's URL, for ids already checked (see ``_item_url``).
        self._item_urls: dict[tuple[str, str], yarl.URL] = {}

    def _account(self, account: str | None) -> str | None:
        """The call's account, else the client's default account (may be None)."""
        chosen = account if account is not None else self._client.account
        if chosen is not None:
            check_id("account", chosen)
        return chosen

    async def _routed(self, route: Route, send: Callable[[str | None], Awaitable[T]]) -> T:
        """``send(account)`` on the account ``route`` leads to (see ``_accounts``)."""
        return await route_call(self._client, route, send)

    async def _send(
        self,
        route: Route,
        method: str,
        path: str,
        cast_to: type[T],
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        form: MultipartFactory | None = None,
        options: RequestOptions | None,
        **request: Any,
    ) -> T:
        """``method path`` on the account ``route`` leads to, that account sent in the ``form``,
        else in the ``json_body``, else in the query (``params``); ``request``: the rest of
        ``ClientCore.request``'s keywords (``kind``, ``timeout`` ...)."""

        def attempt(chosen: str | None) -> Awaitable[T]:
            sent: dict[str, Any] = {**request, "params": params}
            if form is not None:
                sent["body"] = form.with_account(chosen)
            elif json_body is not None:
                sent["json_body"] = with_account(json_body, chosen)
            else:
                sent["params"] = with_account(params or {}, chosen)
            return self._client.request(method, path, cast_to=cast_to, options=options, **sent)

        return await self._routed(route, attempt)

    # Plain functions returning the request's coroutine, not coroutines of their own: every
    # poll of every wait goes through ``_retrieve``, and a frame fewer is resumed per call.
    def _retrieve(
        self, group: str, name: str, value: str, cast_to: type[T], options: RequestOptions
    ) -> Awaitable[T]:
        """``GET group/{value}``: one item of ``group`` by its id (``name``: its parameter)."""
        if options:
            path = f"{group}/{path_id(name, value)}"
            return self._client.request("GET", path, cast_to=cast_to, options=options)
        return self._client._call("GET", self._item_url(group, name, value), cast_to)

    def _delete(
        self, group: str, name: str, value: str, options: RequestOptions
    ) -> Awaitable[None]:
        """``DELETE group/{value}``: one item of ``group`` by its id (``name``: its parameter)."""
        if options:
            path = f"{group}/{path_id(name, value)}"
            return self._client.request("DELETE", path, options=options)
        return self._client._call("DELETE", self._item_url(group, name, value), None)

    def _item_url(self, group: str, name: str, value: str) -> yarl.URL:
        """The URL of ``group/{value}``, ``value`` checked by :func:`path_id` the first time:
        a wait asks for the same one on every poll (one dict lookup instead of the check, the
        path and the client's URL lookup)."""
        urls = self._item_urls
        if type(value) is str:  # anything else is refused by ``path_id``, with its message
            url = urls.get((group, value))
            if url is not None:
                return url
        url = self._client.url_for(f"{group}/{path_id(name, value)}")
        if len(urls) >= _ITEM_URLS:
            del urls[next(iter(urls))]  # the oldest: polls of finished jobs stop asking
        urls[(group, value)] = url
        return url

    async def _get(
        self,
        path: str,
        cast_to: type[T],
        params: Mapping[str, Any],
        account: str | None,
        options: RequestOptions | None,
        *,
        what: str | None = None,
    ) -> T:
        """``GET path`` on the account routing leads to (``params`` get its ``account``);
        ``what``: the route's name in errors when not ``GET path`` (a path with an id in it)."""
        route = Route(what or f"GET {path}", account)
        return await self._send(route, "GET", path, cast_to, params=params, options=options)

    async def _create_job(
        self,
        path: str,
        cast_to: type[T],
        body: Mapping[str, Any],
        params: Mapping[str, Any],
        *,
        found_as: Callable[[Sequence[ScheduledJob]], T],
        reconcile_window: float,
        pick: Need | None = None,
        balanced: bool = False,
    ) -> T:
        """A job-creating JSON ``POST path`` (``params``: the create's keywords, for its
        ``account`` and per-call options), on the account of the files ``body`` references,
        else the one routing picks (``pick``, ``balanced``: see ``Route``).

        Never resent blindly: an ambiguous failure first looks for the body's ``replyRef`` in
        ``GET scheduler`` (see ``_reconcile``); the jobs found are the answer, as ``found_as``
        makes them.
        """
        ref: str = body["replyRef"]

        async def reconcile(span: float) -> T | None:
            found = await self._client.scheduler.find_by_reply_ref(ref, span=span)
            return found_as(found) if found else None

        account = params.get("account")
        route = Route(f"POST {path}", account, refs=file_refs(body), pick=pick, balanced=balanced)
        return await self._send(
            route,
            "POST",
            path,
            cast_to,
            json_body=body,
            kind="create",
            reconcile=reconcile,
            reconcile_window=reconcile_window,
            reply_ref=ref,
            options=options_of(params),
        )

    async def _upload_raw(
        self,
        path: str,
        source: FileSource,
        *,
        content_type: str | None,
        allowed_types: tuple[str, ...] = AUDIO_VIDEO_IMAGE_TYPES,
        account: str | None,
        on_progress: ProgressCallback | None,
        options: RequestOptions | None = None,
    ) -> UploadedFile:
        """POST ``source`` as the raw request body (``files``, ``audio/upload-sample``)."""
        upload = await prepare_upload(
            source, content_type=content_type, allowed_types=allowed_types, on_progress=on_progress
        )
        self._account(account)  # checked before anything is sent
        # Uploads are later referenced by creates, which run on the file's account: a free one.
        route = Route(
            f"POST {path}",
            account,
            pick="audio" if path.startswith("audio") else "video",
            resendable=upload.replayable,
        )
        return await self._send(
            route,
            "POST",
            path,
            UploadedFile,
            body=upload.payload,
            headers=upload.headers(),
            kind="idempotent",
            replayable=upload.replayable,
            timeout=UPLOAD_TIMEOUT,
            options=options,
        )

    def _pages(
        self,
        account: str | None,
        fetch: Callable[[str | None, _C | None], Awaitable[_P]],
        *,
        items: Callable[[_P], Sequence[_I] | None],
        key: Callable[[_I], Hashable | None],
        next_cursor: Callable[[Sequence[_I], _C | None], _C | None] | None = None,
        has_more: Callable[[_P], bool | None] | None = None,
        size: int | None = None,
        every_account: bool = True,
    ) -> AsyncIterator[_I]:
        """Every item of a paged list endpoint, page after page (the ``iter`` methods).

        ``fetch(account, cursor)`` gets one page (``cursor`` None: the first); after a page
        that ``more_pages`` says is followed (``has_more(page)``: the API's flag; ``size``: the
        page size asked), ``next_cursor(items, cursor)`` says where the next starts (None, or
        no ``next_cursor``: that was the last). Items already yielded (same ``key``; a None key
        is never a repeat) are skipped, and a page with nothing new ends the walk: a server
        that ignores the cursor cannot make this loop forever. With several accounts and no
        ``account`` named, every account's items, account after account (``each_account``);
        ``every_account=False``: the one walk on ``account`` as given.
        """

        async def walk(acc: str | None) -> AsyncIterator[_I]:
            cursor: _C | None = None
            seen: set[Hashable] = set()
            while True:
                page = await fetch(acc, cursor)
                batch = items(page) or ()
                fresh = False
                for item in batch:
                    ident = key(item)
                    if ident is not None:
                        if ident in seen:
                            continue
                        seen.add(ident)
                    fresh = True
                    yield item
                flag = has_more(page) if has_more is not None else None
                if not fresh or next_cursor is None or not more_pages(flag, len(batch), size):
                    return
                cursor = next_cursor(batch, cursor)
                if cursor is None:
                    return

        return each_account(self._client, account, walk) if every_account else walk(account)


class MultipartFactory:
    """Builds a fresh multipart body per attempt (aiohttp forms are single-use).

    Text ``fields`` first, then each upload as a ``field`` part (``file`` by default).
    """

    def __init__(
        self,
        fields: dict[str, str],
        uploads: list[PreparedUpload],
        *,
        field: str = "file",
        default_name: str | None = None,
    ) -> None:
        self.fields = fields
        self.uploads = uploads
        self.field = field
        self.default_name = default_name

    def with_account(self, account: str | None) -> MultipartFactory:
        """The same form sending ``account`` (None: no ``account`` field)."""
        return MultipartFactory(
            with_account(self.fields, account),
            self.uploads,
            field=self.field,
            default_name=self.default_name,
        )

    def __call__(self) -> aiohttp.FormData:
        # The API takes multipart/form-data only; without files aiohttp would urlencode.
        data = aiohttp.FormData(default_to_multipart=True)
        for key, value in self.fields.items():
            data.add_field(key, value)
        for i, upload in enumerate(self.uploads):
            data.add_field(
                self.field,
                upload.payload(),
                filename=upload.filename or self.default_name or f"file{i + 1}",
                content_type=upload.content_type,
            )
        return data
