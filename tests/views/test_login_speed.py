"""What a logged-out page load costs: no pause and no cookie component before the login form.

streamlit-authenticator's cookie manager drew a component on every run to read all cookies; its first answer
reran the script, so each new browser session ran twice before the form settled (each run with a 0.7 s pause).
Cookies are read from the request instead; the component is drawn only to write or delete the login cookie.
"""
import json

from webapp.login import COOKIE_NAME
from webapp.settings import login_sleep_seconds


def _cookie_components(at) -> list[tuple[str, str]]:
    """(method, cookie) of every cookie component the last run drew."""
    return [(args["method"], args.get("cookie", "")) for args in
            (json.loads(element.proto.json_args) for element in at.get("component_instance"))]


def test_a_logged_out_run_draws_the_form_and_no_cookie_component(new_app):
    at = new_app().run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert _cookie_components(at) == []
    assert _cookie_components(at.run()) == []


def test_the_login_cookie_is_written_once_and_deleted_at_logout(logged_in):
    at = logged_in("leader")  # the run after the login writes the cookie
    assert _cookie_components(at) == [("set", COOKIE_NAME)]
    assert _cookie_components(at.run()) == []
    at.sidebar.button(key="logout_button").click().run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert _cookie_components(at) == [("delete", COOKIE_NAME)]


def test_no_login_pause_unless_configured(monkeypatch):
    monkeypatch.delenv("PERFDASH_LOGIN_SLEEP", raising=False)
    assert login_sleep_seconds() == 0
    monkeypatch.setenv("PERFDASH_LOGIN_SLEEP", "0.7")
    assert login_sleep_seconds() == 0.7
