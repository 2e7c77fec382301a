"""The knowledge base in a real browser: a district official of another district searches 加装电梯, opens the
case from its card and lands on ``?case=<id>`` with what was done and the figures before → after."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e


def test_an_official_searches_for_elevator_retrofits_and_opens_the_case(page, server):
    page.goto(server)
    log_in(page, "official_gulou")
    page.goto(f"{server}/knowledge")
    wait_until_idle(page)
    search = page.get_by_label("搜索经验案例", exact=True)
    expect(search).to_be_visible(timeout=30_000)
    search.fill("加装电梯")
    search.press("Enter")
    wait_until_idle(page)
    expect(page.get_by_text("共找到", exact=False).first).to_be_visible(timeout=30_000)
    cards = page.locator("[class*='st-key-knowledge_card_']")
    expect(cards.first).to_contain_text("老旧小区加装电梯经验", timeout=30_000)  # title matches rank first
    cards.filter(has_text="老旧小区加装电梯经验").first.get_by_role("link", name="查看案例").click()
    expect(page).to_have_url(re.compile(r".*/knowledge\?case=\d+"), timeout=30_000)
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="老旧小区加装电梯经验").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("主要做法").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"进度计划完成率：.* → .*（2026年4月 → 2026年10月）")).first).to_be_visible()
    expect(page.get_by_text("修改案例")).to_have_count(0)  # another district's case: read, not edited
    screenshot(page, "knowledge_case")
