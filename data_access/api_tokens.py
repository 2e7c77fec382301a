"""Open-API integration tokens (开放接口令牌): made and revoked by admins, presented by other systems.

A token reads ``pdk_<public id>_<secret>``. Only the SHA-256 of the secret is kept (it is 256 random bits, so a
fast hash is as safe as a slow one and costs nothing per call); the whole token is shown once, when it is made.
A token acts as the ``integration`` role (:mod:`data_access.policy`), narrowed to its region when it has one,
and may do only what its scopes say: ``read``, ``write_observations``, ``write_milestones``.

:func:`authenticate` is the one door: it finds the token by its public id, compares the secret in constant
time, refuses a revoked or expired token, and in the same UPDATE stamps ``last_used_at`` and counts the call in
the token's current minute, so that every API worker on every host shares one rate limit through the database.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, case, select, update
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import transaction
from data_access.errors import DataAccessError, ValidationError
from data_access.models import TOKEN_SCOPES, ApiToken, ImportBatch, Region, User
from data_access.policy import Action, Role, Viewer, require
from data_access.scope import checked_id, refusal, scope_key_of

PREFIX = "pdk"
TOKEN_PATTERN = re.compile(r"pdk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
NAME_PATTERN = re.compile(r"[^\x00-\x1f\x7f]{1,80}")
MAX_EXPIRY_DAYS = 730
DEFAULT_EXPIRY_DAYS = 365
DEFAULT_RATE_PER_MINUTE = 600
PUSH_DAYS = 30  # how far back the admins' page lists what tokens pushed
MAX_RATE_PER_MINUTE = 100_000


class TokenRefused(DataAccessError):
    """The presented token is missing, unknown, wrong, revoked or expired (HTTP 401)."""


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: ``secret`` is the whole token, shown once and never stored."""

    id: int
    name: str
    secret: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class TokenActor:
    """An authenticated call: who (``viewer``, audited as ``api:<name>``), what it may do, and its rate count."""

    token_id: int
    name: str
    scopes: frozenset[str]
    viewer: Viewer
    rate_per_minute: int
    calls_this_minute: int
    window_start: dt.datetime

    @property
    def over_limit(self) -> bool:
        return self.calls_this_minute > self.rate_per_minute

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds until the next minute's window opens (at least 1)."""
        elapsed = (dt.datetime.now(dt.UTC) - self.window_start).total_seconds()
        return max(1, int(60 - elapsed + 0.999))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _checked_scopes(scopes: Iterable[str]) -> str:
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in TOKEN_SCOPES]
    if unknown or not chosen:
        raise ValidationError(f"Scopes must be some of {', '.join(TOKEN_SCOPES)}",
                              message_zh="权限须从“读取、写入月度数据、写入里程碑进度”中至少选择一项")
    return ",".join(chosen)


def _whole(value: object, low: int, high: int, english: str, chinese: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{english} must be a whole number from {low} to {high}",
                              message_zh=f"{chinese}须为 {low} 到 {high} 之间的整数")
    return value


def create_token(engine: Engine, actor: Viewer, *, name: str, region_id: int | None, scopes: Iterable[str],
                 expires_in_days: int = DEFAULT_EXPIRY_DAYS, rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
                 now: dt.datetime | None = None) -> IssuedToken:
    """Make a token (admins); the returned secret is the only copy there will ever be."""
    require(actor, Action.MANAGE_INTEGRATIONS)
    name = name.strip() if isinstance(name, str) else ""
    if not NAME_PATTERN.fullmatch(name):
        raise ValidationError("The name must be 1 to 80 characters without control characters",
                              message_zh="名称须为 1 到 80 个字符，且不含控制字符")
    stored_scopes = _checked_scopes(scopes)
    days = _whole(expires_in_days, 1, MAX_EXPIRY_DAYS, "Days until expiry", "有效天数")
    rate = _whole(rate_per_minute, 1, MAX_RATE_PER_MINUTE, "Requests per minute", "每分钟请求上限")
    now = now or dt.datetime.now(dt.UTC)
    public_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction(engine) as session:
        if region_id is not None and session.get(Region, checked_id(region_id, "region")) is None:
            raise refusal("region")
        if session.execute(select(ApiToken.id).where(ApiToken.name == name)).first() is not None:
            raise ValidationError(f"A token named {name!r} exists already", message_zh=f"已有名为“{name}”的令牌")
        token = ApiToken(name=name, public_id=public_id, secret_sha256=_digest(secret), region_id=region_id,
                         scopes=stored_scopes, rate_per_minute=rate, created_by=actor.person_id, created_at=now,
                         expires_at=now + dt.timedelta(days=days), window_count=0)
        session.add(token)
        session.flush()
        audit.append(session, actor=actor, action="api_token.create", entity="api_token", entity_id=token.id,
                     after={"name": name, "region_id": region_id, "scopes": stored_scopes, "rate_per_minute": rate,
                            "expires_at": token.expires_at}, now=now)
        return IssuedToken(token.id, name, f"{PREFIX}_{public_id}_{secret}", token.expires_at)


def revoke_token(engine: Engine, actor: Viewer, token_id: int, *, now: dt.datetime | None = None) -> None:
    """Revoke a token at once (admins): its next call is refused. Revoking twice changes nothing."""
    require(actor, Action.MANAGE_INTEGRATIONS)
    token_id = checked_id(token_id, "api token")
    now = now or dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        token = session.get(ApiToken, token_id, with_for_update=True)
        if token is None:
            raise refusal("api token")
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = now, actor.person_id
            audit.append(session, actor=actor, action="api_token.revoke", entity="api_token", entity_id=token_id,
                         before={"name": token.name}, now=now)


def list_tokens(engine: Engine, actor: Viewer, *, now: dt.datetime | None = None) -> pd.DataFrame:
    """Every token with its region, scopes, expiry, last use and ``state`` (active / expired / revoked)."""
    require(actor, Action.MANAGE_INTEGRATIONS)
    now = now or dt.datetime.now(dt.UTC)
    creator = aliased(User)
    with Session(engine) as session:
        rows = session.execute(
            select(ApiToken.id, ApiToken.name, ApiToken.public_id, ApiToken.region_id,
                   Region.name_zh.label("region_zh"), Region.name_en.label("region_en"), ApiToken.scopes,
                   ApiToken.rate_per_minute, creator.username.label("created_by"), ApiToken.created_at,
                   ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at)
            .outerjoin(Region, Region.id == ApiToken.region_id)
            .outerjoin(creator, creator.id == ApiToken.created_by)
            .order_by(ApiToken.id)).all()
    frame = pd.DataFrame([row._asdict() for row in rows], columns=[
        "id", "name", "public_id", "region_id", "region_zh", "region_en", "scopes", "rate_per_minute", "created_by",
        "created_at", "expires_at", "revoked_at", "last_used_at"])
    frame["state"] = [
        "revoked" if pd.notna(revoked) else "expired" if _utc(expires) <= now else "active"
        for revoked, expires in zip(frame["revoked_at"], frame["expires_at"], strict=True)]
    return frame


def list_pushes(engine: Engine, actor: Viewer, *, days: int = PUSH_DAYS, now: dt.datetime | None = None
                ) -> pd.DataFrame:
    """What tokens pushed in the last ``days`` (admins): each API batch with its token, kind, counts and status,
    newest first."""
    require(actor, Action.MANAGE_INTEGRATIONS)
    since = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)
    with Session(engine) as session:
        rows = session.execute(
            select(ImportBatch.id, ApiToken.id.label("token_id"), ApiToken.name.label("token_name"),
                   ImportBatch.kind, ImportBatch.idempotency_key, ImportBatch.row_count, ImportBatch.new_rows,
                   ImportBatch.changed_rows, ImportBatch.unchanged_rows, ImportBatch.status, ImportBatch.uploaded_at)
            .join(ApiToken, ApiToken.id == ImportBatch.api_token_id)
            .where(ImportBatch.uploaded_at >= since)
            .order_by(ImportBatch.uploaded_at.desc(), ImportBatch.id.desc())).all()
    return pd.DataFrame([row._asdict() for row in rows], columns=[
        "id", "token_id", "token_name", "kind", "idempotency_key", "row_count", "new_rows", "changed_rows",
        "unchanged_rows", "status", "uploaded_at"])


def _refused(english: str, chinese: str) -> TokenRefused:
    return TokenRefused(english, message_zh=chinese)


def authenticate(engine: Engine, presented: str | None, *, now: dt.datetime | None = None) -> TokenActor:
    """The token's actor, with this call counted in its minute; :class:`TokenRefused` otherwise.

    Unknown and wrong secrets get the same answer. A revoked or expired token is named as such only to someone
    who holds its secret. The count is a fixed one-minute window kept on the token's row.
    """
    match = TOKEN_PATTERN.fullmatch((presented or "").strip())
    if match is None:
        raise _refused("Missing or malformed token: send Authorization: Bearer pdk_…",
                       "缺少令牌或格式不正确：请以 Authorization: Bearer pdk_… 发送")
    public_id, secret = match.groups()
    now = now or dt.datetime.now(dt.UTC)
    minute = now.replace(second=0, microsecond=0)
    with transaction(engine, account_activity=True) as session:
        row = session.execute(
            select(ApiToken, Region.path).outerjoin(Region, Region.id == ApiToken.region_id)
            .where(ApiToken.public_id == public_id)).one_or_none()
        if row is None or not hmac.compare_digest(row.ApiToken.secret_sha256, _digest(secret)):
            raise _refused("Invalid token", "令牌无效")
        token, path = row.ApiToken, row.path
        if token.revoked_at is not None:
            raise _refused("This token has been revoked", "该令牌已被吊销")
        if _utc(token.expires_at) <= now:
            raise _refused("This token has expired", "该令牌已过期")
        count = session.execute(
            update(ApiToken).where(ApiToken.id == token.id)
            .values(last_used_at=now,
                    window_count=case((ApiToken.window_start == minute, ApiToken.window_count + 1), else_=1),
                    window_start=minute)
            .returning(ApiToken.window_count)).scalar_one()
    viewer = Viewer(user_id=0, username=f"api:{token.name}", role=Role.INTEGRATION, region_id=token.region_id,
                    region_path=path, scope_key=scope_key_of(Role.INTEGRATION, path, ()))
    return TokenActor(token.id, token.name, frozenset(token.scopes.split(",")), viewer, token.rate_per_minute,
                      count, minute)


def record_call(engine: Engine, actor: TokenActor, call: dict[str, object], *, now: dt.datetime | None = None) -> None:
    """One ``api.call`` audit entry for an authenticated call (method, path, status, Idempotency-Key, batch, items),
    named ``api:<token name>``. Account activity: it moves no data version, so no page's cache is emptied."""
    with transaction(engine, account_activity=True) as session:
        audit.append(session, actor=actor.viewer, action="api.call", entity="api_token", entity_id=actor.token_id,
                     after=call, now=now)
