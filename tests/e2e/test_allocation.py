"""结果应用 in a real browser (issue 15's definition of done): an analyst moves the threshold and the allocation
moves — table cells and the district chart — saves the result as a proposal, and the leader approves it."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, running_server, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e
PROPOSAL = "门槛85分试算"
CHANGED = re.compile("[▲▼]")  # the "vs rule in force" column


def _open(browser, url, username):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    log_in(page, username)
    page.goto(f"{url}/allocation")
    wait_until_idle(page)
    return context, page


def test_an_analyst_moves_the_threshold_saves_a_proposal_and_the_leader_approves_it(browser, seeded_sqlite_file,
                                                                                        tmp_path):
    database = tmp_path / "allocation.sqlite3"
    shutil.copy(seeded_sqlite_file, database)
    with running_server(database) as url:
        context, page = _open(browser, url, "analyst")
        projects = page.locator("[data-testid='stDataFrame']", has_text="达到门槛").first
        districts = page.locator("[data-testid='stDataFrame']", has_text="参与项目").first
        expect(projects.locator("td").first).to_be_attached(timeout=60_000)
        expect(districts.locator("td", has_text=CHANGED)).to_have_count(0)  # the controls start at the rule in force
        eligible = page.locator("[data-testid='stMetric']", has_text="参与分配项目").first
        before_eligible = eligible.locator("[data-testid='stMetricValue']").inner_text()
        bar_labels = page.locator("[data-testid='stPlotlyChart'] .barlayer .point text")
        expect(bar_labels.first).to_be_attached(timeout=30_000)
        page.wait_for_timeout(500)  # plotly writes the labels just after the element mounts
        before = bar_labels.all_text_contents()

        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(25):  # 60 → 85
            slider.press("ArrowRight")
        expect(slider).to_have_attribute("aria-valuetext", "85", timeout=30_000)
        wait_until_idle(page)
        expect(districts.locator("td", has_text=CHANGED).first).to_be_attached(timeout=30_000)
        expect(eligible.locator("[data-testid='stMetricValue']")).not_to_have_text(before_eligible)
        for _ in range(60):  # plotly redraws the bars just after the rerun
            if bar_labels.all_text_contents() != before:
                break
            page.wait_for_timeout(500)
        assert bar_labels.all_text_contents() != before
        screenshot(page, "allocation_threshold_85")

        box = page.locator("[data-testid='stPlotlyChart'] .barlayer .point").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a district's bar
        expect(page.get_by_text(re.compile(r"^按项目分配 · ")).first).to_be_visible(timeout=30_000)

        page.get_by_label("方案名称", exact=True).fill(PROPOSAL)
        page.get_by_role("button", name="保存方案").click()
        expect(page.get_by_text(f"已保存方案“{PROPOSAL}”", exact=False).first).to_be_visible(timeout=30_000)
        context.close()

        context, page = _open(browser, url, "leader")
        page.get_by_role("tab", name="分配方案").click()
        listed = page.locator("[data-testid='stDataFrame']", has_text="状态").first
        expect(listed.locator("td", has_text=PROPOSAL).first).to_be_attached(timeout=30_000)
        expect(listed.locator("td", has_text="待批准").first).to_be_attached()
        page.get_by_role("button", name="批准方案").click()
        expect(page.get_by_text(f"已批准方案“{PROPOSAL}”", exact=False).first).to_be_visible(timeout=30_000)
        page.get_by_role("tab", name="分配方案").click()
        listed = page.locator("[data-testid='stDataFrame']", has_text="状态").first
        expect(listed.locator("td", has_text="已批准").first).to_be_attached(timeout=30_000)
        expect(listed.locator("td", has_text="张敏（市领导）").first).to_be_attached()
        screenshot(page, "allocation_approved")
        context.close()
