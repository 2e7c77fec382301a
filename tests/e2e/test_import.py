"""Real browser, real server: an official uploads monthly figures, sees the preview, confirms, and finds the batch."""
import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.e2e.conftest import log_in, running_server, screenshot, wait_until_idle
from tests.spreadsheets import header_rows, xlsx_bytes

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_official_uploads_figures_sees_the_preview_confirms_and_finds_the_batch(browser, seeded_sqlite_file,
                                                                                  tmp_path):
    database = tmp_path / "import.sqlite3"  # the import writes: a private copy, not the shared server's
    shutil.copy(seeded_sqlite_file, database)
    rows = [["P410202-00007", "PROG_ACTUAL", "2026-10", 40], ["P410202-00007", "PROG_ACTUAL", "2026-12", 50]]
    upload = {"name": "十月进度.xlsx", "mimeType": XLSX,
              "buffer": xlsx_bytes(rows, header=header_rows("observations"), sheet="月度数据")}
    with running_server(database) as url:
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        page = context.new_page()
        page.goto(url)
        log_in(page, "official_longting")
        page.goto(f"{url}/import")
        wait_until_idle(page)
        page.get_by_text("月度数据", exact=True).click()
        wait_until_idle(page)
        page.locator(".st-key-import_upload [data-testid='stFileUploaderDropzoneInput']").set_input_files(upload)
        page.get_by_text("未发现问题。确认后才会写入数据。").wait_for(timeout=30_000)
        wait_until_idle(page)
        # the preview's grid mounts a moment after the script finishes: expect() waits for it, a count would not
        expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1, timeout=30_000)
        # one new month, one changed, none unchanged, no problems
        expect(page.locator("[data-testid='stMetricValue']")).to_have_text(["1", "1", "0", "0"])
        screenshot(page, "import-preview")

        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("已导入批次").wait_for(timeout=30_000)
        wait_until_idle(page)
        engine = create_engine(f"sqlite:///{database}")
        with engine.connect() as connection:
            batch = connection.execute(text(
                "SELECT id, new_rows, changed_rows FROM import_batches WHERE filename = '十月进度.xlsx'")).one()
        engine.dispose()
        assert (batch.new_rows, batch.changed_rows) == (1, 1)
        assert page.get_by_text(f"已导入批次 {batch.id}：新增 1 行，修改 1 行，不变 0 行。").count() == 1
        expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1, timeout=30_000)  # the history
        screenshot(page, "import-result")
        rollback_choice = page.locator("[data-testid='stSelectbox']").filter(has_text="回退批次")
        assert rollback_choice.locator("input").input_value() == ""  # no batch is chosen beforehand
        rollback_choice.click()
        expect(page.get_by_role("option", name=f"{batch.id} · 十月进度.xlsx")).to_have_count(1)
        context.close()
