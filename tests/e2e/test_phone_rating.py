"""An expert on a phone (390×844): from the list of ratings owed to a submitted rating, in one column with nothing
wider than the screen, and the scores stored shown back."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from data_access import create_database_engine
from tests.e2e.conftest import log_in, running_server, screenshot, wait_until_idle
from tests.e2e.test_phone_report import PHONE

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_server(seeded_sqlite_file: Path, tmp_path: Path):
    """A server over a private copy of the demo database (this test stores a rating)."""
    database = tmp_path / "rating.sqlite3"
    shutil.copy(seeded_sqlite_file, database)
    with running_server(database) as url:
        yield url, create_database_engine(f"sqlite:///{database}")


def test_an_expert_rates_a_project_from_a_phone_and_sees_the_stored_scores(browser, own_server):
    url, engine = own_server
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(url)
        log_in(page, "expert01")
        page.goto(f"{url}/rate")
        page.get_by_role("heading", name="评分", exact=True).first.wait_for()
        wait_until_idle(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        card = page.locator("a[href*='rate?round=']", has_text="开始评分").first
        link = card.get_attribute("href") or ""
        round_id = int(link.split("round=")[1].split("&")[0])
        project_id = int(link.split("project=")[1].split("&")[0])
        card.tap()
        page.get_by_role("button", name="提交评分").first.wait_for()
        wait_until_idle(page)
        scores = page.locator("[data-testid='stNumberInput'] input")
        expect(scores).to_have_count(3, timeout=30_000)  # the form may still be drawing after the button shows
        for index, score in enumerate(("86", "81", "92.5")):
            scores.nth(index).tap()
            scores.nth(index).fill(score)
        page.locator("textarea").fill("现场整洁")  # leaving the last score commits it, as a thumb would
        page.get_by_role("button", name="提交评分").tap()
        page.get_by_text("评分已保存：进度达成度 86 · 质量达标率 81 · 用户满意度 92.5").wait_for(timeout=30_000)
        wait_until_idle(page)
        # still there: it can be changed until the deadline
        page.get_by_role("button", name="提交评分").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "phone-rating")
        with engine.connect() as connection:
            stored = dict(connection.execute(text(
                "SELECT r.dimension, r.score FROM ratings r JOIN users u ON u.id = r.rater_id "
                "WHERE u.username = 'expert01' AND r.round_id = :r AND r.project_id = :p"),
                {"r": round_id, "p": project_id}).all())
        assert stored == {"progress": 86.0, "quality": 81.0, "satisfaction": 92.5}
    finally:
        context.close()
        engine.dispose()
