"""A newcomer's first day, in a real browser and from the UI alone (issue 12's definition of done).

A district official downloads the projects template, fills in two new projects of their district and imports
them; downloads the monthly-figures template, fills in twelve months, is refused for one cell written in Chinese
numerals, fixes it and imports; then the overview counts the two projects and their scorecards show scores.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from scoring.periods import add_months
from tests.conftest import DEMO_UNTIL
from tests.e2e.conftest import log_in, running_server, screenshot, wait_until_idle
from tests.spreadsheets import filled_template

pytestmark = pytest.mark.e2e
NEW_PROJECTS = [
    ["P410202-90001", "龙亭古城文旅提升工程", "Longting old town tourism upgrade", "culture_tourism", "410202",
     None, None, 1200, "2025-12-01", "2027-06-30", "active", None, None, "新手导入"],
    ["P410202-90002", "龙亭湖滨步道", "Longting lakeside walk", "culture_tourism", "410202", None, None, "860.5",
     "2025年12月1日", "2027/3/31", "active", None, None, None],
]
MONTHS = [add_months(DEMO_UNTIL, -k) for k in range(11, -1, -1)]  # the demo's last twelve months


def _monthly_rows() -> list[list[object]]:
    """Twelve months of the progress pair and a few scored KPIs for each new project."""
    rows: list[list[object]] = []
    for project_index, project in enumerate(NEW_PROJECTS):
        for step, period in enumerate(MONTHS, start=1):
            progress = round(step * 100 / 18, 1)
            values = {"PROG_PLAN": progress, "PROG_ACTUAL": progress - project_index * 3,
                      "PROG_RATIO": 100 - project_index * 8, "QUALITY_PASS": 98,
                      "RESIDENT_SAT": 88 + project_index, "BUDGET_EXEC": 96, "MS_ONTIME": 100, "SCHED_DELAY": 0,
                      "COST_VAR": 1.5, "FUND_ARRIVAL": 95, "FIRST_ACCEPT": 93, "HAZARD_FIX": 97}
            rows += [[project[0], code, f"{period:%Y-%m}", value] for code, value in values.items()]
    return rows


def _filled(template: Path, rows: list[list[object]]) -> dict:
    """The downloaded template with ``rows`` typed under its header rows, as an upload payload."""
    return {"name": f"{template.stem}-已填.xlsx", "buffer": filled_template(template.read_bytes(), rows),
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _template(page, kind_label: str, tmp_path: Path) -> Path:
    page.get_by_test_id("stRadioGroup").get_by_text(kind_label, exact=True).click()
    wait_until_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name=f"{kind_label}导入模板.xlsx").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


CLEAN = "未发现问题。确认后才会写入数据。"


def _upload(page, payload: dict, outcome: str = CLEAN) -> None:
    """Upload ``payload`` and wait for the check's ``outcome`` banner (the previous file's is gone by then)."""
    page.locator(".st-key-import_upload [data-testid='stFileUploaderDropzoneInput']").set_input_files(payload)
    page.get_by_text(outcome, exact=True).wait_for(timeout=60_000)
    wait_until_idle(page)


def _expect_counts(page, counts: list[str]) -> None:
    """The check's four counts (new, changed, unchanged, problems), waited for: on a slow machine a rerun can
    still be redrawing them when the banner is already up."""
    expect(page.locator("[data-testid='stMetricValue']")).to_have_text(counts, timeout=60_000)


def _confirm(page) -> None:
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入批次").wait_for(timeout=60_000)
    wait_until_idle(page)


def _project_count(page, url: str) -> int:
    page.goto(f"{url}/overview")
    wait_until_idle(page)
    page.locator("[data-testid='stMetricValue']").first.wait_for(timeout=30_000)
    return int(page.locator("[data-testid='stMetricValue']").first.inner_text().replace(",", ""))


def test_a_newcomer_creates_projects_imports_a_year_fixes_a_refused_file_and_sees_the_dashboard_fill(
        browser, seeded_sqlite_file, tmp_path):
    database = tmp_path / "newcomer.sqlite3"
    shutil.copy(seeded_sqlite_file, database)
    with running_server(database) as url:
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        page.goto(url)
        log_in(page, "official_longting")
        projects_before = _project_count(page, url)

        page.goto(f"{url}/import")
        wait_until_idle(page)
        _upload(page, _filled(_template(page, "项目", tmp_path), NEW_PROJECTS))
        _expect_counts(page, ["2", "0", "0", "0"])
        _confirm(page)

        page.goto(f"{url}/import")
        wait_until_idle(page)
        figures = _template(page, "月度数据", tmp_path)
        rows = _monthly_rows()
        refused = [row.copy() for row in rows]
        refused[5][2] = "二〇二六年三月"
        _upload(page, _filled(figures, refused), "发现 1 处问题，请修改文件后重新上传。未写入任何数据。")
        expect(page.get_by_role("button", name="确认导入")).to_be_disabled()
        screenshot(page, "newcomer-refused")

        _upload(page, _filled(figures, rows))
        _expect_counts(page, [f"{len(rows)}", "0", "0", "0"])
        _confirm(page)
        screenshot(page, "newcomer-imported")

        assert _project_count(page, url) == projects_before + 2
        engine = create_engine(f"sqlite:///{database}")
        with engine.connect() as connection:
            ids = connection.execute(text("SELECT id FROM projects WHERE code LIKE 'P410202-9000%' ORDER BY code")
                                     ).scalars().all()
        engine.dispose()
        for project_id in ids:
            page.goto(f"{url}/scorecards?project={project_id}")
            wait_until_idle(page)
            score = page.locator("[data-testid='stMetricValue']").first
            score.wait_for(timeout=30_000)
            screenshot(page, f"newcomer-scorecard-{project_id}")
            assert any(character.isdigit() for character in score.inner_text())
        screenshot(page, "newcomer-scorecard")
        context.close()
