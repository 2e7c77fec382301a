"""Demo mode says what it is on every page, hides its hint in production and serves this machine only."""
import os
import subprocess
from pathlib import Path

import pytest

import webapp.demo_guard
from webapp.demo_guard import is_local_visitor

ROOT = Path(__file__).resolve().parents[2]
BANNER = "演示模式 · 密钥公开，仅限本机试用，请勿用于生产"
HINT = "演示账号见 README（如 leader / Demo@2026）。"


def _html(at) -> str:
    return " ".join(element.proto.body for element in at.get("html"))


def _production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFDASH_DEMO", "0")
    monkeypatch.setenv("PERFDASH_COOKIE_KEY", "k" * 48)
    monkeypatch.setenv("PERFDASH_AUDIT_KEY", "a" * 48)


def test_the_demo_login_page_carries_the_banner_and_the_demo_hint(new_app):
    at = new_app().run()
    assert BANNER in _html(at)
    assert HINT in [caption.value for caption in at.caption]


@pytest.mark.parametrize("page", ["views/overview.py", "views/big_screen.py", "views/users.py"])
def test_every_page_of_a_demo_server_carries_the_banner(logged_in, page):
    assert BANNER in _html(logged_in("admin", page))


def test_a_production_login_page_shows_neither_the_demo_password_nor_the_banner(new_app, monkeypatch):
    _production(monkeypatch)
    at = new_app().run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]
    assert "Demo@2026" not in " ".join(c.value for c in at.caption)
    assert BANNER not in _html(at)


@pytest.mark.parametrize("address, local", [(None, True), ("127.0.0.1", True), ("::1", True), ("127.8.9.1", True),
                                            ("192.168.1.20", False), ("10.0.0.5", False), ("2001:db8::1", False),
                                            ("not-an-ip", False)])
def test_only_loopback_visitors_count_as_local(address, local):
    assert is_local_visitor(address) is local


def test_a_demo_server_listening_everywhere_turns_away_a_remote_visitor(new_app, monkeypatch):
    monkeypatch.setattr(webapp.demo_guard, "is_local_visitor", lambda _ip: False)
    at = new_app().run()
    assert [e.value for e in at.error] == [
        "演示模式的密钥是公开的，因此只接受本机访问。"
        "正式部署请设置 PERFDASH_COOKIE_KEY、PERFDASH_AUDIT_KEY 并关闭 PERFDASH_DEMO。"]
    assert not at.text_input  # no login form for them


def test_a_production_server_serves_remote_visitors(new_app, monkeypatch):
    _production(monkeypatch)
    monkeypatch.setattr(webapp.demo_guard, "is_local_visitor", lambda _ip: False)
    at = new_app().run()
    assert [w.label for w in at.text_input] == ["用户名", "密码"]


def _make_run_command(*overrides: str) -> str:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PERFDASH_")}
    dry_run = subprocess.run(["make", "-n", "run", *overrides], cwd=ROOT, env=environment, capture_output=True,
                             text=True, check=True)
    return next(line for line in dry_run.stdout.splitlines() if line.startswith(".venv/bin/python -m streamlit run"))


def test_make_run_binds_the_demo_to_this_machine_unless_an_address_is_given():
    assert "--server.address 127.0.0.1" in _make_run_command()
    assert "--server.address 0.0.0.0" in _make_run_command("ADDRESS=0.0.0.0")
    assert "--server.address" not in _make_run_command("PERFDASH_DEMO=0")
