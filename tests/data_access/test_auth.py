import datetime as dt
import re
from unittest import mock

import bcrypt
import pytest
from sqlalchemy import select

from data_access import auth
from data_access.auth import LockoutPolicy, check_password, end_sessions, hash_password, session_viewer
from data_access.demo import DEMO_PASSWORD, build
from data_access.models import AuditEntry, User
from data_access.scope import scope_key_of
from tests.conftest import PRODUCTION_BCRYPT_ROUNDS, SMALL_DEMO, as_viewer

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
POLICY = LockoutPolicy(max_failures=5, lock_minutes=15)


def _actions(engine):
    with engine.connect() as connection:
        return list(connection.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def test_outside_the_suite_passwords_the_demo_and_the_decoy_are_hashed_at_cost_12(monkeypatch):
    """The suite hashes at bcrypt's lowest cost (tests/conftest.py); the app, the demo and the decoy an unknown
    username is checked against must all cost 12, alike, or timing would tell known names from unknown ones."""
    assert PRODUCTION_BCRYPT_ROUNDS == 12
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", PRODUCTION_BCRYPT_ROUNDS)
    stored = hash_password("Str0ng#Pass")
    assert stored.startswith("$2b$12$") and bcrypt.checkpw(b"Str0ng#Pass", stored.encode())
    assert auth._decoy_hash.__wrapped__().startswith(b"$2b$12$")
    (demo_hash,) = {row["password_hash"] for row in build(**SMALL_DEMO).tables["users"]}  # one for all users
    assert demo_hash.startswith("$2b$12$") and bcrypt.checkpw(DEMO_PASSWORD.encode(), demo_hash.encode())


def test_right_password_logs_in_and_is_audited(seeded_engine):
    assert check_password(seeded_engine, "leader", "Demo@2026", policy=POLICY, now=NOW)
    assert _actions(seeded_engine) == ["auth.login"]


def test_fifth_failure_locks_for_fifteen_minutes_then_unlocks(seeded_engine):
    for attempt in range(5):
        assert not check_password(seeded_engine, "analyst", "nope", policy=POLICY,
                                  now=NOW + dt.timedelta(seconds=attempt))
    assert _actions(seeded_engine).count("auth.lockout") == 1
    assert not check_password(seeded_engine, "analyst", "Demo@2026", policy=POLICY, now=NOW + dt.timedelta(minutes=14))
    assert check_password(seeded_engine, "analyst", "Demo@2026", policy=POLICY,
                          now=NOW + dt.timedelta(minutes=15, seconds=5))
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
        assert not check_password(seeded_engine, "expert06", "Demo@2026", policy=POLICY, now=NOW)  # inactive
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
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    assert session_viewer(seeded_engine, "leader", started) == viewer
    end_sessions(seeded_engine, viewer)
    assert session_viewer(seeded_engine, "leader", started) is None
    assert session_viewer(seeded_engine, "leader", dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == viewer


@pytest.mark.parametrize("language", ["en", "zh", "vi", "th"])
def test_language_is_remembered(seeded_engine, language):
    viewer = as_viewer(seeded_engine, "leader")
    auth.set_language(seeded_engine, viewer, language)
    assert auth.user_language(seeded_engine, viewer) == language


LONG_CHINESE = "项目绩效管理看板的登录密码可以很长但不能超过七十二字节呀"[:26]  # 26 × 3 = 78 bytes


def _failures(engine, username):
    with engine.connect() as connection:
        return connection.execute(select(User.failed_logins).where(User.username == username)).scalar_one()


def test_a_password_over_72_bytes_is_refused_and_counted_as_a_failure(seeded_engine):
    assert len(LONG_CHINESE) == 26 and len(LONG_CHINESE.encode()) == 78
    assert not check_password(seeded_engine, "analyst", LONG_CHINESE, policy=POLICY, now=NOW)
    assert not check_password(seeded_engine, "analyst", "Demo@2026" + "x" * 70, policy=POLICY, now=NOW)
    assert _failures(seeded_engine, "analyst") == 2
    with seeded_engine.connect() as connection:
        reasons = list(connection.execute(
            select(AuditEntry.after).where(AuditEntry.action == "auth.failure")).scalars())
    assert reasons == ['{"reason":"password_too_long"}'] * 2


def test_a_password_over_72_bytes_for_an_unknown_user_costs_one_bcrypt_check(seeded_engine):
    with mock.patch.object(auth.bcrypt, "checkpw", wraps=bcrypt.checkpw) as checkpw:
        assert not check_password(seeded_engine, "nobody_here", LONG_CHINESE, policy=POLICY, now=NOW)
    assert checkpw.call_count == 1


def test_after_a_lockout_expires_one_wrong_password_does_not_lock_again(seeded_engine):
    for attempt in range(5):
        check_password(seeded_engine, "analyst", "nope", policy=POLICY, now=NOW + dt.timedelta(seconds=attempt))
    later = NOW + dt.timedelta(minutes=16)
    assert not check_password(seeded_engine, "analyst", "nope", policy=POLICY, now=later)
    assert _failures(seeded_engine, "analyst") == 1
    assert check_password(seeded_engine, "analyst", "Demo@2026", policy=POLICY, now=later + dt.timedelta(seconds=1))
    assert _actions(seeded_engine).count("auth.lockout") == 1


def test_an_unknown_username_is_audited_as_a_keyed_hash_and_its_length_never_in_plain_text(seeded_engine):
    typed = "Secret#Pass2026xy"  # a password typed into the username box
    check_password(seeded_engine, typed, "whatever", policy=POLICY, now=NOW)
    check_password(seeded_engine, typed, "whatever", policy=POLICY, now=NOW)
    check_password(seeded_engine, "leader", "wrong", policy=POLICY, now=NOW)
    with seeded_engine.connect() as connection:
        names = list(connection.execute(select(AuditEntry.actor_name).where(AuditEntry.action == "auth.failure")
                                        .order_by(AuditEntry.id)).scalars())
    assert names[0] == names[1]  # the same attempt is recognisable across entries
    assert re.fullmatch(r"unknown:[0-9a-f]{12}:len=17", names[0])
    assert typed.lower() not in names[0] and typed not in names[0]
    assert names[2] == "leader"  # known usernames stay readable
    with seeded_engine.connect() as connection:
        stored = " ".join(str(value) for row in connection.execute(select(AuditEntry)).all() for value in row)
    assert typed.lower() not in stored.lower()


def test_a_recorded_cookie_is_accepted_until_logout_and_a_fresh_login_after_it_works(seeded_engine):
    viewer = as_viewer(seeded_engine, "leader")
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    exp_date = (issued + dt.timedelta(days=1)).timestamp()
    session_id = auth.start_login_session(seeded_engine, viewer, exp_date, now=issued)
    assert auth.cookie_session(seeded_engine, "leader", exp_date) == (session_id, issued)
    assert session_viewer(seeded_engine, "leader", issued, session_id) == viewer
    end_sessions(seeded_engine, viewer)
    assert auth.cookie_session(seeded_engine, "leader", exp_date) is None  # the cookie maps to nothing now
    assert session_viewer(seeded_engine, "leader", issued, session_id) is None  # nor does the open browser session
    fresh_issued = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    fresh_exp = (fresh_issued + dt.timedelta(days=1)).timestamp()
    fresh_id = auth.start_login_session(seeded_engine, viewer, fresh_exp, now=fresh_issued)
    assert auth.cookie_session(seeded_engine, "leader", fresh_exp) == (fresh_id, fresh_issued)
    assert session_viewer(seeded_engine, "leader", fresh_issued, fresh_id) == viewer


def test_a_browser_session_resting_on_another_users_login_record_or_on_none_is_refused(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    analysts_record = auth.start_login_session(seeded_engine, analyst, issued.timestamp() + 86400, now=issued)
    assert session_viewer(seeded_engine, "analyst", issued, analysts_record) == analyst
    assert session_viewer(seeded_engine, "leader", issued, analysts_record) is None
    assert session_viewer(seeded_engine, "leader", issued, analysts_record + 1000) is None  # no such record
    assert session_viewer(seeded_engine, "nobody", issued) is None


def test_a_session_viewer_carries_the_scope_of_a_managers_projects(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    assert manager.scope_key != scope_key_of(manager.role, manager.region_path, [])  # their projects are in it
    assert session_viewer(seeded_engine, "pm_kaifeng1", dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)) == manager
    with seeded_engine.begin() as connection:
        connection.execute(User.__table__.update().where(User.username == "pm_kaifeng1").values(is_active=False))
    assert session_viewer(seeded_engine, "pm_kaifeng1", dt.datetime.now(dt.UTC)) is None


def test_a_cookie_perfdash_did_not_record_or_of_another_user_maps_to_no_session(seeded_engine):
    exp_date = dt.datetime(2026, 11, 21, 9, 0, 0, 123456, tzinfo=dt.UTC).timestamp()
    auth.start_login_session(seeded_engine, as_viewer(seeded_engine, "leader"), exp_date, now=NOW)
    assert auth.cookie_session(seeded_engine, "leader", exp_date + 0.000001) is None  # e.g. written by the widget
    assert auth.cookie_session(seeded_engine, "analyst", exp_date) is None


def test_a_password_reset_after_the_cookie_was_issued_refuses_its_session(seeded_engine):
    viewer = as_viewer(seeded_engine, "leader")
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    session_id = auth.start_login_session(seeded_engine, viewer, issued.timestamp() + 86400, now=issued)
    with seeded_engine.begin() as connection:  # what a reset, deactivation or role change does
        connection.execute(User.__table__.update().where(User.username == "leader")
                           .values(sessions_valid_after=issued + dt.timedelta(minutes=1)))
    assert session_viewer(seeded_engine, "leader", issued, session_id) is None
