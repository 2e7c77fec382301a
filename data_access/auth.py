"""Password checks with lockout, and server-side session validity.

streamlit-authenticator draws the login form and keeps the signed cookie; the decision whether a password
is accepted is made here, so that:
- the lockout is checked before any password is compared, and counted in the database (every server
  process shares it), not in the login widget's memory;
- an unknown or inactive username costs the same bcrypt time as a real one, so timing reveals nothing;
- every failure gives the caller the same answer;
- logout, password reset, deactivation and role changes end existing sessions at once: a session is only
  valid if it started after the user's ``sessions_valid_after``;
- a remembered login (the browser cookie) is recorded in ``login_sessions`` when perfdash writes the cookie,
  and a cookie is accepted only while its record is live: its issue time is the recorded one, never one
  inferred from the cookie, and logout ends the records, whatever cookie the browser kept.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

import bcrypt
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.config import audit_key
from data_access.db import transaction
from data_access.errors import ValidationError
from data_access.models import LoginSession, User
from data_access.scope import Viewer, viewer_from_row, viewer_select

BCRYPT_ROUNDS = 12
BCRYPT_MAX_BYTES = 72  # bcrypt 5 raises ValueError beyond this
LANGUAGES = ("zh", "en", "vi", "th")  # components.i18n.LANGUAGE_NAMES (tests/test_catalog.py checks)


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_minutes: float = 15.0

    @classmethod
    def from_environment(cls) -> LockoutPolicy:
        """``PERFDASH_LOCKOUT_ATTEMPTS`` (default 5) and ``PERFDASH_LOCKOUT_MINUTES`` (default 15)."""
        return cls(int(os.environ.get("PERFDASH_LOCKOUT_ATTEMPTS", "5")),
                   float(os.environ.get("PERFDASH_LOCKOUT_MINUTES", "15")))


@lru_cache(maxsize=1)
def _decoy_hash() -> bytes:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return bcrypt.hashpw(b"perfdash-decoy-password", bcrypt.gensalt(BCRYPT_ROUNDS))


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def unknown_actor_name(username: str) -> str:
    """How an attempted username that matches no user is audited: a keyed hash and the length.

    People type passwords into the username box; the audit log must not keep them readable. The HMAC (audit
    key) still lets an auditor see that the same unknown name was tried again, and nobody without the key
    can test guesses against it.
    """
    digest = hmac.new(audit_key(), username.encode(), hashlib.sha256).hexdigest()[:12]
    return f"unknown:{digest}:len={len(username)}"


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Stored timestamps are UTC; SQLite hands them back without a zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def check_password(
    engine: Engine,
    username: str,
    password: str,
    *,
    policy: LockoutPolicy | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """True when ``username`` may log in with ``password``; counts failures and locks the account.

    Failures, lockouts and successes are audited in the same transaction as the counter change.
    """
    policy = policy or LockoutPolicy.from_environment()
    now = now or dt.datetime.now(dt.UTC)
    username = (username or "").strip().lower()
    with transaction(engine, account_activity=True) as session:
        user = session.execute(select(User).where(User.username == username).with_for_update()).scalar_one_or_none()
        usable = user is not None and user.is_active
        if usable and user.locked_until is not None and _utc(user.locked_until) <= now:
            user.failed_logins, user.locked_until = 0, None  # an expired lock starts a fresh count
        locked = usable and user.locked_until is not None
        stored = user.password_hash.encode() if usable else _decoy_hash()
        candidate = (password or "").encode()
        too_long = len(candidate) > BCRYPT_MAX_BYTES
        # always spend the bcrypt time; an over-long password is compared as an empty one and never matches
        matches = bcrypt.checkpw(b"" if too_long else candidate, stored) and not too_long
        actor = Viewer(user.id, user.username, user.role) if user is not None else None
        if usable and matches and not locked:
            user.failed_logins, user.locked_until = 0, None
            audit.append(session, actor=actor, action="auth.login", entity="user", entity_id=user.id, now=now)
            return True
        reason = "locked" if locked else "inactive" if user is not None and not usable else \
            "unknown_user" if user is None else "password_too_long" if too_long else "wrong_password"
        actor_name = user.username if user is not None else unknown_actor_name(username) if username else "(empty)"
        audit.append(session, actor=actor, actor_name=actor_name, action="auth.failure",
                     entity="user", entity_id=user.id if user else None, after={"reason": reason}, now=now)
        if usable and not locked:
            user.failed_logins += 1
            if user.failed_logins >= policy.max_failures:
                user.locked_until = now + dt.timedelta(minutes=policy.lock_minutes)
                audit.append(session, actor=actor, action="auth.lockout", entity="user", entity_id=user.id,
                             after={"locked_until": user.locked_until, "failures": user.failed_logins}, now=now)
    return False


def _cookie_key(cookie_exp_date: float) -> str:
    """The cookie's signed ``exp_date`` as stored: ``repr`` round-trips a float exactly."""
    return repr(float(cookie_exp_date))


def start_login_session(engine: Engine, viewer: Viewer, cookie_exp_date: float,
                        *, now: dt.datetime | None = None) -> int:
    """Record the login cookie just written for ``viewer`` (identified by its signed ``exp_date``); its id."""
    now = now or dt.datetime.now(dt.UTC)
    with transaction(engine, account_activity=True) as session:
        record = LoginSession(user_id=viewer.user_id, cookie_exp_date=_cookie_key(cookie_exp_date), issued_at=now)
        session.add(record)
        session.flush()
        return record.id


def cookie_session(engine: Engine, username: str, cookie_exp_date: float) -> tuple[int, dt.datetime] | None:
    """The live login session a signed cookie belongs to, as (id, real issue time); None if it has none.

    A cookie perfdash did not record (e.g. one written by the login widget on its own) or whose session was
    ended by a logout maps to nothing and must be refused.
    """
    with Session(engine) as session:
        row = session.execute(
            select(LoginSession.id, LoginSession.issued_at).join(User, User.id == LoginSession.user_id)
            .where(User.username == username, LoginSession.cookie_exp_date == _cookie_key(cookie_exp_date),
                   LoginSession.ended_at.is_(None))).one_or_none()
    return None if row is None else (row.id, _utc(row.issued_at))


def session_viewer(engine: Engine, username: str, session_started: dt.datetime,
                   login_session_id: int | None = None) -> Viewer | None:
    """The viewer for a logged-in session, or None when the session has been ended on the server.

    ``login_session_id`` names the recorded login the browser session rests on (if any): it must be live too.
    """
    # One statement (every page run of every session asks): the user, their region and the login record.
    statement = viewer_select(User.is_active, User.sessions_valid_after, LoginSession.id.label("login_session"),
                              LoginSession.ended_at).outerjoin(
        LoginSession, (LoginSession.id == login_session_id) & (LoginSession.user_id == User.id)
    ).where(User.username == username)
    with engine.connect() as connection:
        row = connection.execute(statement).one_or_none()
        if row is None or not row.is_active:
            return None
        if row.sessions_valid_after is not None and _utc(row.sessions_valid_after) > session_started:
            return None
        if login_session_id is not None and (row.login_session is None or row.ended_at is not None):
            return None
        return viewer_from_row(connection, row)


def end_sessions(engine: Engine, viewer: Viewer, *, reason: str = "auth.logout") -> None:
    """End every session of ``viewer`` (logout): cookies issued before now stop working."""
    now = dt.datetime.now(dt.UTC)
    with transaction(engine, account_activity=True) as session:
        session.execute(update(User).where(User.id == viewer.user_id).values(sessions_valid_after=now))
        session.execute(update(LoginSession).where(LoginSession.user_id == viewer.user_id,
                                                   LoginSession.ended_at.is_(None)).values(ended_at=now))
        audit.append(session, actor=viewer, action=reason, entity="user", entity_id=viewer.user_id, now=now)


def user_language(engine: Engine, viewer: Viewer) -> str:
    with Session(engine) as session:
        return session.execute(select(User.language).where(User.id == viewer.user_id)).scalar_one()


def set_language(engine: Engine, viewer: Viewer, language: str) -> None:
    """Remember the viewer's interface language."""
    if language not in LANGUAGES:
        raise ValidationError(f"Unknown language {language!r}", message_zh=f"不支持的语言 {language!r}")
    remember_for_user(engine, viewer, "language", language, action="user.language")


def remember_for_user(engine: Engine, viewer: Viewer, field: str, value: str, *, action: str) -> None:
    """Store one of the viewer's own settings (the language, the last seen release notes) with its audit entry;
    an unchanged value writes nothing. Account activity: no page's cached data depends on it."""
    column = getattr(User, field)
    with transaction(engine, account_activity=True) as session:
        before = session.execute(select(column).where(User.id == viewer.user_id)).scalar_one()
        if before == value:
            return
        session.execute(update(User).where(User.id == viewer.user_id).values({field: value}))
        audit.append(session, actor=viewer, action=action, entity="user", entity_id=viewer.user_id,
                     before={field: before}, after={field: value})
