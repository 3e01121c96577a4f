"""Models of the accounts and features endpoints."""

from __future__ import annotations

from typing import Any

import attrs

from ._shared import Model
from .platform import BaseResp

__all__ = [
    "Account",
    "AccountJwt",
    "AccountUser",
    "AudioCredits",
    "AudioSubCredit",
    "CreditExpiry",
    "Features",
    "ModelControl",
]


@attrs.frozen(kw_only=True, repr=False)
class AccountUser(Model):
    """The hailuoai.video user the account's token belongs to."""

    device_id: str | None = None
    id: str | None = None
    is_anonymous: bool | None = None
    name: str | None = None
    avatar: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class AccountJwt(Model):
    """The decoded hailuoai.video session of an account; ``token`` never shows in ``repr``."""

    token: str | None = attrs.field(default=None, repr=False)
    user: AccountUser | None = None
    exp: float | None = None
    iat: float | None = None
    host: str | None = None
    search_params: str | None = None
    iat_issued: str | None = None
    exp_expire: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class Account(Model):
    """A configured MiniMax account (``GET/POST accounts``)."""

    account: str | None = None
    jwt: AccountJwt | None = None
    max_jobs: int | None = None
    support_video: bool | None = None
    support_chat: bool | None = None
    support_audio: bool | None = None
    support_music: bool | None = None


@attrs.frozen(kw_only=True, repr=False)
class CreditExpiry(Model):
    """An amount of credits and when it expires (milliseconds since the epoch)."""

    credit: int | None = None
    end_time: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class ModelControl(Model):
    """Cost and limits of one generation model for this account."""

    model_id: str | None = None
    video_cost: int | None = None
    is_member: bool | None = None
    free_count: int | None = None
    durations: list[Any] | None = None
    resolutions: list[Any] | None = None
    modes: list[Any] | None = None
    video_costs: list[Any] | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioSubCredit(Model):
    """One batch of minimax.io/audio credits."""

    credit_type: int | None = None
    end_time: int | None = None
    credit: int | None = None
    text: str | None = None
    record: list[CreditExpiry] | None = None
    coin_type: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class AudioCredits(Model):
    """The minimax.io/audio credit balance."""

    total_credit: int | None = None
    sub_credits: list[AudioSubCredit] | None = None
    base_resp: BaseResp | None = None


@attrs.frozen(kw_only=True, repr=False)
class Features(Model):
    """Credits, queue sizes and model costs of an account (``GET features``)."""

    privilege_type: int | None = None
    total_credits: int | None = None
    expire_text: str | None = None
    video_cost: int | None = None
    queue_length: int | None = None
    member_text: str | None = None
    member_hover_text: str | None = None
    expire_time: int | None = None
    is_new_user: bool | None = None
    question_text: str | None = None
    trial_expire_time: int | None = None
    # A number in the docs, although the name suggests text.
    trial_text: int | str | None = None
    member_name: str | None = None
    new_user_version: int | None = None
    credit_expire_text: list[CreditExpiry] | None = None
    model_control: list[ModelControl] | None = None
    support_modes: list[Any] | None = None
    image_queue_length: int | None = None
    total_credits_str: str | None = None
    is_paid_subscription: bool | None = None
    can_manage_plan: bool | None = None
    audio: AudioCredits | None = None
