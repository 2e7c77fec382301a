import datetime as dt
from unittest import mock

import bcrypt
import pytest
from sqlalchemy import select

from data_access import auth
from data_access.auth import LockoutPolicy, check_password, end_sessions, session_viewer
from data_access.models import AuditEntry, User
from tests.conftest import as_viewer

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
POLICY = LockoutPolicy(max_failures=5, lock_minutes=15)


def _actions(engine):
    with engine.connect() as connection:
        return list(connection.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def test_right_password_logs_in_and_is_audited(seeded_engine):
    assert check_password(seeded_engine, "leader", "Demo@2026", policy=POLICY, now=NOW)
    assert _actions(seeded_engine) == ["auth.login"]


def test_fifth_failure_locks_for_fifteen_minutes_then_unlocks(seeded_engine):
    for attempt in range(5):
        assert not check_password(seeded_engine, "analyst", "nope", policy=POLICY, now=NOW + dt.timedelta(seconds=attempt))
    assert _actions(seeded_engine).count("auth.lockout") == 1
    assert not check_password(seeded_engine, "analyst", "Demo@2026", policy=POLICY, now=NOW + dt.timedelta(minutes=14))
    assert check_password(seeded_engine, "analyst", "Demo@2026", policy=POLICY, now=NOW + dt.timedelta(minutes=15, seconds=5))
    with seeded_engine.connect() as connection:
        user = connection.execute(select(User.failed_logins, User.locked_until).where(User.username == "analyst")).one()
    assert user.failed_logins == 0 and user.locked_until is None


def test_four_failures_do_not_lock(seeded_engine):
    for _ in range(4):
        check_password(seeded_engine, "analyst", "nope", policy=POLICY, now=NOW)
    assert check_password(seeded_engine, "analyst", "Demo@2026", policy=POLICY, now=NOW)


def test_unknown_and_inactive_users_cost_one_bcrypt_check_like_real_ones(seeded_engine):
    with mock.patch.object(auth.bcrypt, "checkpw", wraps=bcrypt.checkpw) as checkpw:
        assert not check_password(seeded_engine, "nobody_here", "x", policy=POLICY, now=NOW)
        assert not check_password(seeded_engine, "expert01", "Demo@2026", policy=POLICY, now=NOW)  # inactive
        assert not check_password(seeded_engine, "leader", "wrong", policy=POLICY, now=NOW)
    assert checkpw.call_count == 3
    reasons = []
    with seeded_engine.connect() as connection:
        for after in connection.execute(select(AuditEntry.after).where(AuditEntry.action == "auth.failure")).scalars():
            reasons.append(after)
    assert reasons == ['{"reason":"unknown_user"}', '{"reason":"inactive"}', '{"reason":"wrong_password"}']


def test_a_locked_account_is_refused_before_the_password_counts(seeded_engine):
    for _ in range(5):
        check_password(seeded_engine, "analyst", "nope", policy=POLICY, now=NOW)
    with seeded_engine.connect() as connection:
        failures = connection.execute(select(User.failed_logins).where(User.username == "analyst")).scalar()
    check_password(seeded_engine, "analyst", "nope", policy=POLICY, now=NOW)
    with seeded_engine.connect() as connection:
        assert connection.execute(select(User.failed_logins).where(User.username == "analyst")).scalar() == failures


def test_sessions_end_at_logout(seeded_engine):
    viewer = as_viewer(seeded_engine, "leader")
    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    assert session_viewer(seeded_engine, "leader", started) == viewer
    end_sessions(seeded_engine, viewer)
    assert session_viewer(seeded_engine, "leader", started) is None
    assert session_viewer(seeded_engine, "leader", dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)) == viewer


@pytest.mark.parametrize("language", ["en", "zh"])
def test_language_is_remembered(seeded_engine, language):
    viewer = as_viewer(seeded_engine, "leader")
    auth.set_language(seeded_engine, viewer, language)
    assert auth.user_language(seeded_engine, viewer) == language
