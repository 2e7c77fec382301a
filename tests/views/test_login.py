"""The login itself, through the real form: success, the one failure message, lockout, logout, keys."""
import datetime as dt

from sqlalchemy import create_engine, text

from tests.views.conftest import login

FAILED = "用户名或密码错误，或账户已被临时锁定。"


def _audit_actions(db_path):
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT action FROM audit_log ORDER BY id"))]


def test_logged_out_visitor_sees_only_the_login_form(new_app):
    at = new_app().run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert not at.metric and not at.get("plotly_chart")


def test_login_success_opens_the_overview_with_the_roles_sidebar(new_app, app_env):
    at = login(new_app().run(), "leader")
    assert at.session_state["authentication_status"] is True
    assert {m.label for m in at.metric} >= {"项目总数", "平均得分"}
    assert "张敏（市领导） · 领导" in [c.value for c in at.sidebar.caption]
    assert _audit_actions(app_env)[-1] == "auth.login"


def test_wrong_password_and_unknown_user_get_the_same_message(new_app, app_env):
    wrong = login(new_app().run(), "leader", "not-the-password")
    unknown = login(new_app().run(), "no_such_user", "whatever")
    assert [e.value for e in wrong.error] == [e.value for e in unknown.error] == [FAILED]
    assert wrong.session_state["authentication_status"] is not True
    assert _audit_actions(app_env)[-2:] == ["auth.failure", "auth.failure"]


def test_five_failures_lock_the_account_even_for_the_right_password(new_app, app_env):
    for _ in range(5):
        at = login(new_app().run(), "analyst", "wrong-password")
    assert [e.value for e in at.error] == [FAILED]
    locked = login(new_app().run(), "analyst")  # the right password, but locked
    assert locked.session_state["authentication_status"] is not True
    assert [e.value for e in locked.error] == [FAILED]
    actions = _audit_actions(app_env)
    assert actions.count("auth.lockout") == 1 and actions[-1] == "auth.failure"
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        locked_until = connection.execute(text("SELECT locked_until FROM users WHERE username = 'analyst'")).scalar()
    assert locked_until is not None


def test_logout_returns_to_the_login_form_and_ends_the_session_on_the_server(logged_in, app_env):
    at = logged_in("leader")
    at.sidebar.button(key="logout_button").click().run()
    assert at.session_state["authentication_status"] is None
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        valid_after = connection.execute(text(
            "SELECT sessions_valid_after FROM users WHERE username = 'leader'")).scalar()
    assert valid_after is not None
    assert _audit_actions(app_env)[-1] == "auth.logout"


def test_a_session_ended_on_the_server_is_refused_at_the_next_rerun(logged_in, app_env):
    at = logged_in("official_longting")
    engine = create_engine(f"sqlite:///{app_env}")
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with engine.begin() as connection:  # what a password reset or deactivation by an admin does
        connection.execute(text("UPDATE users SET sessions_valid_after = :t WHERE username = 'official_longting'"),
                           {"t": later})
    at.run()
    assert at.session_state["authentication_status"] is None
    assert "您的会话已结束，请重新登录。" in [w.value for w in at.warning]
    assert not at.metric


def test_outside_demo_mode_a_missing_cookie_key_stops_the_app(new_app, monkeypatch):
    monkeypatch.delenv("PERFDASH_DEMO")
    monkeypatch.delenv("PERFDASH_COOKIE_KEY", raising=False)
    at = new_app().run()
    assert "PERFDASH_COOKIE_KEY" in at.error[0].value
    assert not at.text_input  # no login form without a key


def test_outside_demo_mode_a_proper_cookie_key_lets_users_in(new_app, monkeypatch):
    monkeypatch.delenv("PERFDASH_DEMO")
    monkeypatch.setenv("PERFDASH_COOKIE_KEY", "x" * 48)
    at = login(new_app().run(), "leader")
    assert at.session_state["authentication_status"] is True


def test_language_switch_is_remembered_for_the_user(logged_in, new_app):
    at = logged_in("leader")
    at.sidebar.segmented_control(key="language_choice").set_value("en").run()
    assert {m.label for m in at.metric} >= {"Projects", "Mean score"}
    again = login(new_app().run(), "leader")  # a new browser session
    assert {m.label for m in again.metric} >= {"Projects", "Mean score"}


def test_a_password_of_26_chinese_characters_is_a_failed_login_not_a_traceback(new_app, app_env):
    password = "项目绩效管理看板登录密码可以很长但不能超过七十二字节"  # 26 characters, 78 bytes
    at = login(new_app().run(), "analyst", password)
    assert not at.exception
    assert at.session_state["authentication_status"] is not True
    assert [e.value for e in at.error] == [FAILED]
    assert _audit_actions(app_env)[-1] == "auth.failure"
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT failed_logins FROM users WHERE username = 'analyst'")).scalar() == 1


def test_the_login_cookie_is_recorded_on_the_server_and_logout_ends_that_record(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    query = text("SELECT s.ended_at FROM login_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'leader'")
    at = logged_in("leader")
    with engine.connect() as connection:
        assert connection.execute(query).scalars().all() == [None]  # one live record of the cookie just written
    at.sidebar.button(key="logout_button").click().run()
    with engine.connect() as connection:
        ended = connection.execute(query).scalars().all()
    assert len(ended) == 1 and ended[0] is not None
