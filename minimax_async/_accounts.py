"""Which account a call runs on when the caller names none.

The API takes ``account`` as optional with one account configured and *requires* it with
several (``400 Parameter account is required when more than one account is configured``), except
for the load-balanced ``videos/create`` and ``videos/agent-create``. The SDK fills it in:

* ids carry their account (``user:<id>-minimax:<account>-<kind>:<id>``, agent jobs
  ``p<project>-u<user>-a<account>-bot:minimax``): a call referencing uploaded files runs on
  their account (two accounts in one call is a ``ValueError``, a load-balanced create must never
  land next to its files);
* a create or upload with nothing to follow goes to the account with the most free video slots
  (``GET scheduler/available``), spreading ties round-robin;
* a one-page list or a settings read cannot be guessed: :class:`AccountRequiredError` names the
  accounts and how to pass one; the ``iter()`` walks go over every account
  (:func:`each_account`).

Single-account users pay nothing: the account list is only read once the API answered that an
account is required (a 400 that created nothing), and the call is then resent once. The list is
remembered for :data:`ACCOUNTS_TTL` seconds, shared by a client and its ``with_options`` copies.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import anyio
import attrs

from ._client_core import ClientCore
from ._exceptions import APIError, BadRequestError, NotFoundError

if TYPE_CHECKING:
    from .models.accounts import Account
    from .models.scheduler import AccountCapacity

__all__ = [
    "ACCOUNTS_TTL",
    "AccountRequiredError",
    "AccountRouter",
    "Route",
    "account_of",
    "balanced_account",
    "each_account",
    "file_refs",
    "free_slots",
    "route_call",
    "router_for",
    "with_account",
]

T = TypeVar("T")

#: Seconds the account list read after a "required" answer is trusted.
ACCOUNTS_TTL = 300.0

#: Slots assumed for an account ``GET scheduler/available`` does not describe.
_DEFAULT_SLOTS = 1

#: What the API answers (status 400) when several accounts exist and none was named.
_REQUIRED_TEXT = "parameter account is required"

# ``user:1234-minimax:98765-video:1122``: the account is between ``-minimax:`` and ``-<kind>:``.
_RESOURCE_ID = re.compile(r"-minimax:(?P<account>.+?)-[A-Za-z_]+:")
# Agent jobs: ``p123456789-u12345-a67890-bot:minimax``.
_AGENT_JOB_ID = re.compile(r"p[^-]+-u[^-]+-a(?P<account>.+)-bot:minimax")

#: Result attributes holding an id, in the order :func:`account_of` looks at them.
_ID_FIELDS = ("file_id", "video_id", "image_id", "job_id", "music_id", "audio_id", "id")

#: Which ``Account.support_*`` flag a kind of call needs.
Need = Literal["video", "chat", "audio", "music"]


def account_of(value: object) -> str | None:
    """The account an id, or a result carrying ids, belongs to; None when it does not say.

    Takes a string (``"user:1-minimax:98765-file:42"`` -> ``"98765"``, agent job ids too) or a
    returned model (``UploadedFile``, ``VideoJob``, ``ImageJob``, ``AgentJob``, ``Video`` ...):
    this is how a result says which account a routed create or upload used.

    .. versionadded:: 0.2
    """
    if isinstance(value, str):
        match = _RESOURCE_ID.search(value)
        if match is None:
            match = _AGENT_JOB_ID.fullmatch(value)
        return match.group("account") if match and match.group("account") else None
    if value is None:
        return None
    for name in _ID_FIELDS:
        field = getattr(value, name, None)
        found = account_of(field) if isinstance(field, str) else None
        if found:
            return found
    ids = getattr(value, "image_ids", None) or getattr(value, "video_ids", None)
    if isinstance(ids, (list, tuple)) and ids and isinstance(ids[0], str):
        return account_of(ids[0])
    return None


def file_refs(body: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The uploaded-file ids a request body references (every ``*fileID*`` field, ``files``).

    Scanning the body (``extra_body`` merged) finds the fields the SDK names (``fileID``,
    ``end_frame_fileID``, ``characterFileId``, ``referenceFileIdN``) and those it does not type
    yet (Seedance ``videoFileID1``, ``audioFileID1`` ...) alike.
    """
    if not body:
        return ()
    refs: list[str] = []
    for key, value in body.items():
        if not isinstance(value, str) or not value:
            continue
        if "fileid" in key.lower():
            refs.append(value)
        elif key == "files":  # clone-voice: comma-separated sample ids
            refs.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(refs)


def with_account(fields: Mapping[str, T], account: str | None) -> dict[str, T | str]:
    """A copy of ``fields`` (a body or a query) sending ``account`` (None: no ``account``)."""
    out: dict[str, T | str] = {k: v for k, v in fields.items() if k != "account"}
    if account is not None:
        out["account"] = account
    return out


def free_slots(entry: AccountCapacity, unknown: int = _DEFAULT_SLOTS) -> int:
    """Free video slots of one ``GET scheduler/available`` entry (``unknown``: what to assume
    when the entry says neither ``available`` nor ``maxJobs`` and ``executing``)."""
    if entry.available is not None:
        return max(0, entry.available)
    if entry.max_jobs is not None and entry.executing is not None:
        return max(0, entry.max_jobs - entry.executing)
    return unknown


class AccountRequiredError(BadRequestError, ValueError):
    """Several accounts are configured and this call cannot choose one: pass ``account=``.

    Raised before sending when the SDK already knows the accounts, else in place of the API's
    400. Also a ``ValueError`` (a usage problem). ``accounts`` lists the configured accounts.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        what: str,
        accounts: Iterable[str] = (),
        *,
        cause: BadRequestError | None = None,
    ) -> None:
        self.accounts: tuple[str, ...] = tuple(accounts)
        listed = ", ".join(self.accounts) or "(unknown)"
        super().__init__(
            f"{what} needs an account: several are configured ({listed}); pass account=... "
            "(CLI: --account, environment: USEAPI_MINIMAX_ACCOUNT)",
            status_code=400,
            body=cause.body if cause is not None else None,
            request_id=cause.request_id if cause is not None else None,
            method=cause.method if cause is not None else None,
            url=cause.url if cause is not None else None,
            headers=cause.headers if cause is not None else None,
            code=cause.code if cause is not None else None,
        )


def _is_required_answer(error: BaseException) -> bool:
    return isinstance(error, BadRequestError) and _REQUIRED_TEXT in error.message.lower()


@attrs.frozen
class Route:
    """How one call chooses its account when the caller names none.

    ``account``: the caller's own ``account=`` argument. ``refs``: ids the call must follow.
    ``pick``: a create or upload that may go to any account with free capacity (the account
    kind it needs); None: a read that cannot choose (lists, settings). ``balanced``: the API
    load-balances the call itself (``videos/create``), so only ``refs`` decide. ``resendable``:
    False for a one-shot body (an async iterable): when the API wants an account, the accounts
    are learnt (later calls are routed) but the body cannot be sent again.
    """

    what: str
    account: str | None = None
    refs: tuple[str, ...] = ()
    pick: Need | None = None
    balanced: bool = False
    resendable: bool = True


def _refs_account(route: Route) -> str | None:
    """The one account of ``route.refs``; ValueError when they span several."""
    found: dict[str, str] = {}
    for ref in route.refs:
        acc = account_of(ref)
        if acc is not None:
            found.setdefault(acc, ref)
    if len(found) > 1:
        listed = ", ".join(f"{ref!r} (account {acc})" for acc, ref in found.items())
        raise ValueError(
            f"{route.what}: the files must all belong to one account, got {listed}; "
            "upload them to the same account"
        )
    if found and route.account is not None and route.account not in found:
        acc, ref = next(iter(found.items()))
        raise ValueError(
            f"{route.what}: account={route.account!r}, but {ref!r} belongs to account {acc}; "
            "a job runs on the account of its files (leave account unset to follow them)"
        )
    return next(iter(found), None)


def balanced_account(route: Route, default: str | None) -> str | None:
    """The account of a call the API load-balances: the caller's, its files', else ``default``.

    Needs no request: the API itself places a load-balanced call named no account.
    """
    from_refs = _refs_account(route)
    if route.account is not None:
        return route.account
    return from_refs if from_refs is not None else default


@attrs.define(eq=False)
class AccountRouter:
    """The accounts one client (and its copies) knows about, and the choice among them."""

    ttl: float = ACCOUNTS_TTL
    _accounts: dict[str, Account] | None = None
    _read_at: float = 0.0
    _turn: int = 0
    _lock: anyio.Lock | None = None

    def known(self) -> tuple[str, ...] | None:
        """The configured accounts, if read (even if older than ``ttl``); else None."""
        return None if self._accounts is None else tuple(self._accounts)

    def fresh(self) -> bool:
        """Whether the account list was read less than ``ttl`` seconds ago."""
        return self._accounts is not None and anyio.current_time() - self._read_at < self.ttl

    async def refresh(self, mm: ClientCore, *, newer_than: float | None = None) -> tuple[str, ...]:
        """The configured accounts (``GET accounts``), read at most once per ``ttl``.

        ``newer_than``: a time (``anyio.current_time()``) the list must have been read after,
        for a call the API refused although the list said one account: many such calls
        refused together share one read.
        """
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            stale = not self.fresh() or (newer_than is not None and self._read_at < newer_than)
            if stale:
                try:
                    accounts = await mm.accounts.list()
                except NotFoundError:  # "Configuration not found": no account at all
                    accounts = {}
                self._accounts = dict(accounts)
                self._read_at = anyio.current_time()
        return tuple(self._accounts or {})

    async def account_for(self, mm: ClientCore, route: Route) -> str | None:
        """The account to send (None: send none and let the API decide)."""
        if route.balanced or route.account is not None or mm.account is not None:
            return balanced_account(route, mm.account)
        from_refs = _refs_account(route)
        if from_refs is not None:
            return from_refs
        names = self.known()
        if names is None or len(names) < 2:
            return None  # one account (or not known yet): the API needs none, no request spent
        if not self.fresh():
            names = await self.refresh(mm)
            if len(names) < 2:
                return None
        return await self.choose(mm, route, names)

    async def choose(
        self,
        mm: ClientCore,
        route: Route,
        names: tuple[str, ...],
        cause: BadRequestError | None = None,
    ) -> str:
        """An account of ``names`` for ``route``, or :class:`AccountRequiredError`."""
        if route.pick is None:
            raise AccountRequiredError(route.what, names, cause=cause)
        accounts = self._accounts or {}
        flag = f"support_{route.pick}"
        able = [n for n in names if getattr(accounts.get(n), flag, None) is not False]
        candidates = able or list(names)
        if len(candidates) == 1:
            return candidates[0]
        scores = await self._scores(mm, candidates) if route.pick == "video" else {}
        best = max(scores.get(n, 0) for n in candidates)
        tied = [n for n in candidates if scores.get(n, 0) == best]
        self._turn += 1
        return tied[self._turn % len(tied)]

    async def _scores(self, mm: ClientCore, names: list[str]) -> dict[str, int]:
        """Free video slots per account, less its other running jobs (images count too)."""
        try:
            capacity = await mm.scheduler.available()
        except APIError:
            return {}  # no capacity known: spread round-robin
        running = Counter(
            account_of(job.video_id or job.image_id or "") for job in capacity.executing or ()
        )
        scores: dict[str, int] = {}
        for entry in capacity.available or ():
            if entry.account in names:
                # Primary: free video slots; secondary: fewer jobs of any kind running there.
                scores[entry.account] = free_slots(entry) * 1000 - running[entry.account]
        return scores


_ROUTERS: weakref.WeakKeyDictionary[Any, AccountRouter] = weakref.WeakKeyDictionary()


def router_for(mm: ClientCore) -> AccountRouter:
    """The router of ``mm``, shared with its ``with_options`` copies (one session holder)."""
    owner = mm._holder
    router = _ROUTERS.get(owner)
    if router is None:
        router = _ROUTERS[owner] = AccountRouter()
    return router


async def route_call(mm: ClientCore, route: Route, send: Callable[[str | None], Awaitable[T]]) -> T:
    """``send(account)`` on the account ``route`` leads to; resent once if the API wanted one.

    The resend follows only a 400 "account is required", which the API answers before doing
    anything: nothing was created, so it can never bill twice.
    """
    router = router_for(mm)
    account = await router.account_for(mm, route)
    sent_at = anyio.current_time()
    try:
        return await send(account)
    except BadRequestError as exc:
        if account is not None or not _is_required_answer(exc):
            raise
        names = await router.refresh(mm, newer_than=sent_at)
        if len(names) < 2:
            raise
        if not route.resendable:
            what = f"{route.what} (a one-shot body, which cannot be sent twice)"
            raise AccountRequiredError(what, names, cause=exc) from exc
        chosen = await router.choose(mm, route, names, cause=exc)
    return await send(chosen)


async def each_account(
    mm: ClientCore,
    account: str | None,
    pages: Callable[[str | None], AsyncIterator[T]],
) -> AsyncIterator[T]:
    """Every item of ``pages(account)``, or of every account when several and none is named.

    ``pages`` is a per-account walk (e.g. one endpoint's page-after-page loop). With one
    account nothing extra is sent; with several the walk goes account after account (in the
    order ``GET accounts`` gives), learning them from the API's "account is required" answer.
    """
    chosen = account if account is not None else mm.account
    router = router_for(mm)
    names = None if chosen is not None else router.known()
    if names is not None and len(names) > 1 and not router.fresh():
        names = await router.refresh(mm)
    if names is None or len(names) < 2:
        yielded = False
        sent_at = anyio.current_time()
        try:
            async for item in pages(chosen):
                yielded = True
                yield item
            return
        except BadRequestError as exc:
            if (
                chosen is not None
                or yielded
                or not (isinstance(exc, AccountRequiredError) or _is_required_answer(exc))
            ):
                raise
            names = await router.refresh(mm, newer_than=sent_at)
            if len(names) < 2:
                raise
    for name in names:
        async for item in pages(name):
            yield item
