"""In a real browser, a project manager's Markdown/HTML in project and milestone names shows as text: no image
or link to the outside in the DOM (Markdown, labels, plotly SVG), and the browser asks that host for nothing."""
import shutil

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import log_in, running_server, wait_until_idle

pytestmark = pytest.mark.e2e

PAYLOAD = '![x](http://elsewhere.invalid/x.png) <a href="http://elsewhere.invalid">x</a> <img src=x>'
SHOWN = '<a href="http://elsewhere.invalid">x</a>'  # the characters, as a user reads them
# any element with an attribute that could load or link it (href, src, xlink:href, srcset, style …); plotly keeps
# the label's source text in data-unformatted, which is inert
POINTING_OUTSIDE = """() => [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(
    a => !a.name.startsWith('data-') && a.value.includes('elsewhere.invalid'))).map(e => e.outerHTML.slice(0, 200))"""


def _main_text_shows(page, expected: str) -> bool:
    """The page's main text (minus the invisible word joiner) shows ``expected`` within 15 s."""
    for _ in range(60):
        if expected in page.inner_text("[data-testid='stMain']").replace("\u2060", ""):
            return True
        page.wait_for_timeout(250)
    return False


def test_markup_in_project_and_milestone_names_shows_as_text_and_loads_nothing(browser, seeded_sqlite_file, tmp_path):
    database = tmp_path / "payload.sqlite3"
    shutil.copy(seeded_sqlite_file, database)
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE projects SET name_zh = :p || name_zh"), {"p": PAYLOAD})
        connection.execute(text("UPDATE milestones SET name_zh = :p || name_zh"), {"p": PAYLOAD})
        project = connection.execute(text(
            "SELECT p.id FROM projects p WHERE EXISTS (SELECT 1 FROM milestones m WHERE m.project_id = p.id) "
            "ORDER BY p.id LIMIT 1")).scalar_one()
    engine.dispose()

    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    with running_server(database) as url:
        page.goto(url)
        log_in(page, "leader")
        for path, charts in ((f"/projects?project={project}", 0), (f"/scorecards?project={project}", 1)):
            page.goto(f"{url}{path}")
            wait_until_idle(page)
            if charts:  # the scorecard's Gantt chart, with milestone names as tick labels, drawn as SVG
                page.locator(".js-plotly-plot .ytick").first.wait_for(timeout=30_000)
            assert _main_text_shows(page, SHOWN) and _main_text_shows(page, "![x]("), path  # as characters
            assert page.evaluate(POINTING_OUTSIDE) == [], path
            assert page.locator("img[src='x'], img[src$='/x']").count() == 0, path
    context.close()
    assert not [address for address in asked if "elsewhere.invalid" in address]
