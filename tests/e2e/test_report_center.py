"""Real browser, real server: an analyst builds the city's monthly report, watches the progress bar finish, reads
the preview and downloads the PDF, which opens and names the city."""
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, running_server, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def test_an_analyst_builds_the_citys_monthly_report_and_downloads_its_pdf(browser, seeded_sqlite_file, tmp_path):
    database = tmp_path / "reports.sqlite3"  # building keeps the report: a private copy, not the shared server's
    shutil.copy(seeded_sqlite_file, database)
    with running_server(database) as url:
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        page = context.new_page()
        page.goto(url)
        log_in(page, "analyst")
        page.goto(f"{url}/report-center")
        wait_until_idle(page)
        page.locator(".st-key-report_center_scope").click()
        page.get_by_role("option", name="开封市", exact=True).click()
        wait_until_idle(page)
        page.get_by_role("button", name="生成报告").click()
        progress = page.locator("[data-testid='stProgress']").first
        expect(progress).to_be_visible(timeout=30_000)
        expect(page.get_by_text("报告已生成", exact=True).first).to_be_visible(timeout=180_000)
        wait_until_idle(page)
        expect(page.get_by_text("已生成并保存：").first).to_be_visible()
        expect(page.locator("h3").filter(has_text="开封市").first).to_be_visible()
        expect(page.locator("[data-testid='stMetric']").first).to_be_visible()
        screenshot(page, "report-center-built")
        with page.expect_download(timeout=60_000) as download_info:
            page.locator("[data-testid='stDownloadButton']").filter(has_text="下载 PDF").first.click()
        download = download_info.value
        assert download.suggested_filename.startswith("monthly-") and download.suggested_filename.endswith(".pdf")
        saved = tmp_path / "report.pdf"
        download.save_as(saved)
        text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
        assert "开封市" in text
        expect(page.locator("[data-testid='stDataFrame']").last).to_be_visible()  # the kept builds' list
        context.close()
