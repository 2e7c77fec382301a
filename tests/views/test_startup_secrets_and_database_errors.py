"""What a logged-out visitor sees when the deployment is misconfigured: a clear message, never a secret or a trace."""
import logging

import pytest

from devtools.pg_cluster import _free_port


def _production(monkeypatch: pytest.MonkeyPatch, audit_key: str | None) -> None:
    monkeypatch.delenv("PERFDASH_DEMO")
    monkeypatch.setenv("PERFDASH_COOKIE_KEY", "c" * 48)
    if audit_key is None:
        monkeypatch.delenv("PERFDASH_AUDIT_KEY", raising=False)
    else:
        monkeypatch.setenv("PERFDASH_AUDIT_KEY", audit_key)


@pytest.mark.parametrize("audit_key", [None, "x", "perfdash-demo-audit-key-not-for-production-use"])
def test_outside_demo_mode_the_app_refuses_to_start_without_a_proper_audit_key(new_app, monkeypatch, audit_key):
    _production(monkeypatch, audit_key)
    at = new_app().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "审计密钥无效或未设置：请将 PERFDASH_AUDIT_KEY 设置为至少 32 字节、"
        "且不是演示值的随机字符串；演示可使用 PERFDASH_DEMO=1"]
    assert not at.text_input  # no login form


def test_outside_demo_mode_a_proper_audit_key_lets_users_in(new_app, monkeypatch):
    _production(monkeypatch, "a" * 32)
    at = new_app().run()
    assert not at.error
    assert len(at.text_input) == 2


@pytest.mark.parametrize("kind", ["malformed", "unreachable"])
def test_a_broken_database_url_shows_visitors_a_generic_message_and_logs_the_details_masked(
        new_app, monkeypatch, caplog, kind):
    port = str(_free_port())
    raw = {"malformed": "postgresql+psycopg://ops_admin:pw-Secret-42@db.corp.example:54x2/perfdash_prod",
           "unreachable": f"postgresql+psycopg://ops_admin:pw-Secret-42@127.0.0.1:{port}/perfdash_prod"}[kind]
    monkeypatch.setenv("PERFDASH_DATABASE_URL", raw)
    with caplog.at_level(logging.ERROR, logger="perfdash.database"):
        at = new_app().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["数据库暂不可用，请联系管理员（详情见服务器日志）"]
    page = " ".join(str(element.value) for element in at.main if hasattr(element, "value"))
    assert "数据库暂不可用" in page and at.title[0].value in page
    for detail in ("pw-Secret-42", "ops_admin", "db.corp.example", "127.0.0.1", "54x2", port, "perfdash_prod"):
        assert detail not in page
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "ops_admin:***@" in logged and "perfdash_prod" in logged
    assert ("db.corp.example:54x2" if kind == "malformed" else f"127.0.0.1:{port}") in logged
    assert "pw-Secret-42" not in logged
