"""In a real browser a misconfigured deployment shows a clear message and nothing secret."""
import pytest

from devtools.pg_cluster import _free_port
from tests.e2e.conftest import running_server, wait_until_idle

pytestmark = pytest.mark.e2e
SECRETS = ("pw-Secret-42", "ops_admin", "db.corp.example", "perfdash_prod", "Traceback")


@pytest.mark.parametrize("settings", [
    {"PERFDASH_DATABASE_URL": "postgresql+psycopg://ops_admin:pw-Secret-42@db.corp.example:54x2/perfdash_prod"},
    {"PERFDASH_DATABASE_URL": f"postgresql+psycopg://ops_admin:pw-Secret-42@127.0.0.1:{_free_port()}/perfdash_prod"},
], ids=["malformed", "unreachable"])
def test_a_visitor_sees_the_generic_database_message_and_no_detail(browser, tmp_path, settings):
    with running_server(tmp_path / "unused.sqlite3", **settings) as url:
        page = browser.new_page(locale="zh-CN")
        page.goto(url)
        wait_until_idle(page)
        text = page.locator("[data-testid='stApp']").inner_text()
        page.close()
    assert "数据库暂不可用，请联系管理员（详情见服务器日志）" in text
    for secret in SECRETS:
        assert secret not in text


def test_outside_demo_mode_a_short_audit_key_stops_the_app_with_a_message(browser, seeded_sqlite_file):
    with running_server(seeded_sqlite_file, PERFDASH_DEMO="0", PERFDASH_COOKIE_KEY="c" * 48,
                        PERFDASH_AUDIT_KEY="short") as url:
        page = browser.new_page(locale="zh-CN")
        page.goto(url)
        wait_until_idle(page)
        text = page.locator("[data-testid='stApp']").inner_text()
        logins = page.get_by_label("用户名", exact=True).count()
        page.close()
    assert "审计密钥无效或未设置：请将 PERFDASH_AUDIT_KEY 设置为至少 32 字节" in text
    assert "Traceback" not in text and logins == 0
