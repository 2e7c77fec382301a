"""Bad and foreign ids typed into the URL, in a real browser (issue 10, item 13): one clean message, no
traceback, and the same words for a foreign and an unknown project."""
import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def _alert_texts(page) -> list[str]:
    return [text.strip() for text in page.locator("[data-testid='stAlert']").all_inner_texts()]


def test_bad_foreign_and_unknown_project_ids_in_the_url_get_clean_identical_answers(page, server,
                                                                                     seeded_sqlite_file):
    with create_engine(f"sqlite:///{seeded_sqlite_file}").connect() as connection:
        foreign = connection.execute(text("SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id "
                                          "WHERE r.code = '410204' LIMIT 1")).scalar()
    page.goto(server)
    log_in(page, "official_longting")
    answers = {}
    for name, value in (("superscript", "²"), ("huge", "9" * 5000), ("foreign", str(foreign)),
                        ("unknown", "999999")):
        page.goto(f"{server}/projects?project={value}")
        wait_until_idle(page)
        page.locator("[data-testid='stAlert']").first.wait_for(timeout=30_000)
        answers[name] = _alert_texts(page)
        assert "Traceback" not in page.content() and "ValueError" not in page.content()
    screenshot(page, "bad-url-unknown-project")
    assert answers["superscript"] == answers["huge"] == ["链接中的编号无效。"]
    assert answers["foreign"] == answers["unknown"] == ["项目不存在或您无权访问"]
