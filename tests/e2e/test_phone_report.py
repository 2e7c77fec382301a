"""A project manager on a phone (390×844): from My tasks to a submitted monthly report with a site photo, in one
column with nothing wider than the screen, and the values stored shown back."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from components.formatting import figure
from data_access import create_database_engine
from data_access.reports import open_report
from tests.conftest import as_viewer
from tests.e2e.conftest import log_in, running_server, screenshot, wait_until_idle
from tests.photos import photo

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
         "locale": "zh-CN"}


@pytest.fixture
def own_server(seeded_sqlite_file: Path, tmp_path: Path):
    """A server over a private copy of the demo database (this test writes a report and stores a photo)."""
    database = tmp_path / "phone.sqlite3"
    shutil.copy(seeded_sqlite_file, database)
    with running_server(database, PERFDASH_UPLOAD_DIR=str(tmp_path / "uploads")) as url:
        yield url, create_database_engine(f"sqlite:///{database}")


def _no_sideways_scrolling(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_manager_reports_the_month_from_a_phone_with_a_site_photo(browser, own_server, tmp_path):
    url, engine = own_server
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(url)
        log_in(page, "pm_kaifeng1")  # at the app's address: a manager lands on My tasks
        page.get_by_role("heading", name="我的待办").first.wait_for()
        wait_until_idle(page)
        _no_sideways_scrolling(page)
        page.locator("a[href*='report?project=']").first.click()
        page.get_by_role("heading", name="进度填报").first.wait_for()
        wait_until_idle(page)
        project_id = int(page.url.split("project=")[1].split("&")[0])
        period = dt.date.fromisoformat(page.url.split("period=")[1][:7] + "-01")
        sheet = open_report(engine, as_viewer(engine, "pm_kaifeng1"), project_id=project_id, period=period)
        kpis = sheet.kpis
        quiet = kpis[~kpis["cumulative"] & (kpis["plan_kind"] != "plan") & kpis["stored"].notna()].iloc[0]
        label, value = f"{quiet['name_zh']}（{quiet['unit_zh']}）", round(float(quiet["stored"]) + 0.5, 2)
        page.locator("[data-testid='stExpander'] summary", has_text=str(quiet["dimension_zh"])).tap()  # folded
        field = page.get_by_label(label, exact=True)
        field.fill(str(value))
        field.press("Enter")
        wait_until_idle(page)

        with engine.connect() as connection:
            lat, lon = connection.execute(text("SELECT lat, lon FROM projects WHERE id = :p"), {"p": project_id}).one()
        site_photo = tmp_path / "site.jpg"
        site_photo.write_bytes(photo(taken=dt.datetime.combine(period.replace(day=20), dt.time(10)), offset="+08:00",
                                     lat=lat, lon=lon))
        photo_input = page.locator("[class*='photos_files'] [data-testid='stFileUploaderDropzoneInput']")
        photo_input.set_input_files(str(site_photo))  # the photos' uploader, not the paper sheet's
        page.get_by_text("site.jpg").first.wait_for()
        wait_until_idle(page)
        _no_sideways_scrolling(page)

        page.get_by_role("button", name="提交", exact=True).tap()
        page.get_by_text("已保存，状态：已提交待审核。").wait_for(timeout=30_000)
        wait_until_idle(page)
        saved = page.locator("[data-testid='stMarkdownContainer']", has_text="已保存的数值：")
        assert f"{label}：{figure(value)}" in saved.inner_text()
        _no_sideways_scrolling(page)
        screenshot(page, "phone-report")
        with engine.connect() as connection:
            stored = connection.execute(text(
                "SELECT r.status, v.value FROM reports r JOIN report_values v ON v.report_id = r.id "
                "JOIN indicators i ON i.id = v.indicator_id WHERE r.project_id = :p AND r.period = :period "
                "AND i.code = :code"), {"p": project_id, "period": period, "code": quiet["code"]}).one()
            photos = connection.execute(text(
                "SELECT a.filename, a.finding FROM attachments a JOIN reports r ON r.id = a.report_id "
                "WHERE r.project_id = :p AND r.period = :period AND a.filename = 'site.jpg'"),
                {"p": project_id, "period": period}).all()
        assert tuple(stored) == ("submitted", value)
        assert [tuple(row) for row in photos] == [("site.jpg", "ok")]  # at the site, in the month: checked in
    finally:
        context.close()
        engine.dispose()
