"""报告中心 page: every role that builds reports opens it; an official's scope is their district on every entry
point (the scope choice, the list, ?build=<id>); building shows the preview and both files."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from data_access import report_builds
from data_access.auth import set_language
from data_access.policy import SYSTEM
from services.report_center import build
from tests.conftest import as_viewer
from tests.views.conftest import open_page_as

PAGE = "views/report_center.py"
pytestmark = pytest.mark.usefixtures("app_env")


def _keep(app_db: Path, scope: str | None, title: str) -> int:
    """A kept build of ``scope`` (None: everything), built by the analyst, with stand-in bytes."""
    engine = create_engine(f"sqlite:///{app_db}")
    analyst = as_viewer(engine, "analyst")
    region_id = None if scope is None else report_builds.find_region(engine, analyst, scope)
    build = report_builds.NewBuild(
        kind="monthly", period_label="2026-10", period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31),
        region_id=region_id, language="zh", title=title, pdf=b"%PDF", pdf_sha256="a" * 64, xlsx=b"PK",
        xlsx_sha256="b" * 64, content_digest="c" * 64, scheme_id=None, data_version=1, software_version="test",
        audit_entry_id=None, audit_entry_hash=None, built_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    build_id = report_builds.save_build(engine, analyst, build)
    engine.dispose()
    return build_id


@pytest.fixture
def kept(app_env: Path) -> dict[str, int]:
    return {"city": _keep(app_env, None, "全市十月月报"), "longting": _keep(app_env, "龙亭区", "龙亭区十月月报"),
            "gulou": _keep(app_env, "鼓楼区", "鼓楼区十月月报")}


@pytest.mark.parametrize("username", ["admin", "leader", "analyst", "auditor", "official_longting"])
def test_the_page_opens_for_every_role_that_builds_reports(username):
    at = open_page_as(username, PAGE)
    assert at.title[0].value == "报告中心"
    assert at.selectbox(key="report_center_kind").value == "monthly"
    assert at.selectbox(key="report_center_period_monthly").value == at.selectbox(
        key="report_center_period_monthly").options[0]
    assert len(at.button(key="report_center_build").proto.label) > 0


@pytest.mark.usefixtures("kept")
def test_an_official_sees_only_their_district():
    at = open_page_as("official_longting", PAGE)
    scope = at.selectbox(key="report_center_scope")
    assert scope.options == ["龙亭区"] and scope.disabled
    listed = at.dataframe(key="report_center_builds").value
    assert listed["标题"].tolist() == ["龙亭区十月月报"]
    analyst = open_page_as("analyst", PAGE)
    assert set(analyst.dataframe(key="report_center_builds").value["标题"]) == {
        "全市十月月报", "龙亭区十月月报", "鼓楼区十月月报"}
    assert "　龙亭区" in analyst.selectbox(key="report_center_scope").options


@pytest.mark.parametrize("other", ["gulou", "city"])
def test_an_official_opening_another_scopes_build_by_url_gets_a_clean_message(kept, other):
    at = open_page_as("official_longting", PAGE, build=kept[other])
    assert [e.value for e in at.error] == ["报告不存在或您无权访问"]
    assert not at.get("download_button") or all("十月月报" not in m.value for m in at.markdown)
    own = open_page_as("official_longting", PAGE, build=kept["longting"])
    assert not own.error
    assert any("龙亭区十月月报" in m.value for m in own.markdown)
    assert [b.proto.label for b in own.get("download_button")] == ["下载 PDF", "下载 Excel"]


def test_a_malformed_build_id_in_the_url_is_refused_cleanly():
    at = open_page_as("analyst", PAGE, build="²")
    assert at.error and not at.exception


def test_building_shows_the_progress_the_preview_and_both_files():
    at = open_page_as("official_longting", PAGE)
    at.selectbox(key="report_center_period_monthly").set_value("2026-10").run()  # not whichever month just closed
    at.button(key="report_center_build").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.success) == 1 and "龙亭区" in at.success[0].value
    assert [b.proto.label for b in at.get("download_button")] == ["下载 PDF", "下载 Excel"]
    assert at.subheader and len(at.get("plotly_chart")) + len(at.dataframe) >= 2  # the preview's blocks
    labels = {metric.label: metric for metric in at.metric}
    assert ":red[●] 红色预警（在办）" in labels and ":yellow[●] 黄色预警（在办）" in labels  # colour and word
    mean = labels["平均得分"]  # 92.6 against 94.4 the month before: worse, so red (Metric.RED = 0, GRAY = 2)
    assert mean.delta.startswith("▼") and mean.proto.color == 0
    listed = at.dataframe(key="report_center_builds").value
    assert len(listed) == 1 and listed["范围"].tolist() == ["龙亭区"]


def test_subscribing_and_unsubscribing_shows_the_next_delivery():
    at = open_page_as("analyst", PAGE)
    at.button(key="report_center_subscribe_quarterly").click().run()
    assert at.button(key="report_center_unsubscribe_quarterly")
    assert any("已订阅（中文）" in c.value for c in at.caption)
    at.button(key="report_center_unsubscribe_quarterly").click().run()
    assert at.button(key="report_center_subscribe_quarterly")


def test_a_vietnamese_reader_builds_the_report_in_vietnamese_and_a_thai_reader_subscribes_in_thai(app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    set_language(engine, as_viewer(engine, "official_longting"), "vi")  # the languages they chose before
    set_language(engine, as_viewer(engine, "analyst"), "th")
    at = open_page_as("official_longting", PAGE)
    assert at.radio(key="report_center_language").value == "vi"  # the reader's own language first
    at.button(key="report_center_build").click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    [language] = report_builds.list_builds(engine, as_viewer(engine, "official_longting"))["language"].tolist()
    assert language == "vi"
    assert "Tiếng Việt" in at.dataframe(key="report_center_builds").value.to_numpy().tolist()[0]
    thai = open_page_as("analyst", PAGE)
    thai.button(key="report_center_subscribe_monthly").click().run()
    assert any("(ไทย)" in caption.value for caption in thai.caption)
    assert {(row.kind, row.language) for row in report_builds.my_subscriptions(
        engine, as_viewer(engine, "analyst")).itertuples()} >= {("monthly", "th")}


def test_a_delivered_reports_inbox_message_links_to_the_kept_build(app_env, kept):
    engine = create_engine(f"sqlite:///{app_env}")
    [due] = [d for d in report_builds.due_deliveries(engine, SYSTEM, {"monthly": "2026-10"})
             if d.username == "official_longting"]
    report_builds.deliver_to_inbox(engine, SYSTEM, due, kept["longting"], subject=("【绩效月报】龙亭区 2026-10", "x"),
                                   body=("正文", "Body"))
    engine.dispose()
    at = open_page_as("official_longting", "views/inbox.py")
    [link] = [link for link in at.get("page_link") if link.proto.label == "打开报告"]
    assert link.proto.page.endswith("report_center.py") or "report-center" in link.proto.page
    assert f"build={kept['longting']}" in link.proto.query_string


def test_a_build_that_crashes_says_so_without_a_traceback(monkeypatch):

    def crash(_content):
        raise RuntimeError("chromium went away")

    monkeypatch.setattr(build, "pdf_bytes", crash)
    at = open_page_as("analyst", PAGE)
    at.button(key="report_center_build").click().run(timeout=300)
    assert not at.exception
    assert [e.value for e in at.error] == ["报告生成失败，请稍后重试；如仍失败请联系管理员（详情已记入日志）。"]
    assert [i.value for i in at.info] == ["暂无已生成的报告。"]  # nothing was kept
