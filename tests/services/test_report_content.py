"""What a report says, on the small demo set: the engine's numbers, the builder's scope, both languages, every kind,
the same digest for the same data, and the workbook that carries its tables."""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, update

from data_access import list_regions
from data_access.alerts import list_alerts
from data_access.audit import chain_head
from data_access.db import data_version
from data_access.errors import NotFound, PermissionDenied
from data_access.models import Project, Rectification
from data_access.writes import record_observation
from services.alerts import evaluate
from services.demo_story import tell
from services.portfolio import budget_execution_rate, headline, on_time_milestone_rate, peer_standing, portfolio
from services.report_center.assemble import SECTIONS_OF_KIND, assemble
from services.report_center.blocks import ReportContent, ReportRequest, content_digest
from services.report_center.facts import BadReportRequest
from services.report_center.workbook import workbook_bytes
from tests.conftest import as_viewer

OCTOBER = dt.date(2026, 10, 1)
LONGTING, GULOU, KAIFENG = 2, 4, 1


def _section(content: ReportContent, key: str):
    return next(section for section in content.sections if section.key == key)


def _table(content: ReportContent, key: str) -> pd.DataFrame:
    return next(table.frame for table in content.tables() if table.key == key)


@dataclass(frozen=True)
class Built:
    """A report as ``assemble`` returned it and the progress steps it reported on the way."""

    content: ReportContent
    steps: list[tuple[float, str]]


@pytest.fixture(scope="module")
def built() -> Callable[[Engine, str, ReportRequest], Built]:
    """``assemble`` on a shared read-only database as a user, once per module for each database, user and request:
    a report several tests read is assembled once (assembling is what this module spends its time on), and each
    test still checks it in full."""
    reports: dict[tuple[Engine, str, ReportRequest], Built] = {}

    def build(engine: Engine, username: str, request: ReportRequest) -> Built:
        if (engine, username, request) not in reports:
            steps: list[tuple[float, str]] = []
            content = assemble(engine, as_viewer(engine, username), request,
                               progress=lambda fraction, step: steps.append((fraction, step)))
            reports[engine, username, request] = Built(content, steps)
        return reports[engine, username, request]
    return build


def test_the_summary_states_the_portfolios_mean_score_and_project_count(shared_seeded_engine, built):
    leader = as_viewer(shared_seeded_engine, "leader")
    content = built(shared_seeded_engine, "leader", ReportRequest("monthly", "2026-10")).content
    figures = headline(portfolio(shared_seeded_engine, leader, OCTOBER))
    highlights = {h.label: h for h in _section(content, "summary").highlights}
    assert highlights["纳入评价项目"].value == str(int(figures["projects"]))
    assert highlights["平均得分"].value.startswith(f"{figures['mean_score']:.1f}（")
    assert f"平均得分 {figures['mean_score']:.1f} 分" in _section(content, "summary").paragraphs[0]
    frame = portfolio(shared_seeded_engine, leader, OCTOBER)
    on_time = on_time_milestone_rate(shared_seeded_engine, leader, frame.index, dt.date(2026, 10, 31))
    assert highlights["里程碑按期完成率"].value == f"{on_time:.1f} %"
    assert highlights["预算执行率"].value == f"{budget_execution_rate(frame):.1f} %"
    assert highlights["红色预警（在办）"].value == str(int(figures["warnings_red"]))


def test_a_running_period_states_its_newest_month_and_counts_milestones_only_to_it(shared_seeded_engine, built):
    leader = as_viewer(shared_seeded_engine, "leader")
    content = built(shared_seeded_engine, "leader", ReportRequest("white_paper_year", "2026")).content
    november = portfolio(shared_seeded_engine, leader, dt.date(2026, 11, 1))
    assert content.extra["scored_month"] == "2026-11"
    assert _table(content, "ranking_all")["得分"].notna().sum() == november["total"].notna().sum() > 0
    on_time = on_time_milestone_rate(shared_seeded_engine, leader, november.index, dt.date(2026, 11, 30))
    highlights = {h.label: h for h in _section(content, "summary").highlights}
    assert highlights["里程碑按期完成率"].value == f"{on_time:.1f} %"


def test_the_full_ranking_has_the_portfolios_scores_and_ranks_exactly(shared_seeded_engine, built):
    official = as_viewer(shared_seeded_engine, "official_longting")
    content = built(shared_seeded_engine, "official_longting", ReportRequest("monthly", "2026-10")).content
    frame = portfolio(shared_seeded_engine, official, OCTOBER)
    ranking = _table(content, "ranking_all").set_index("项目编号")
    expected = frame.set_index("code")
    assert sorted(ranking.index) == sorted(expected.index)
    scored = expected[expected["total"].notna()]
    assert ranking.loc[scored.index, "得分"].tolist() == scored["total"].astype(float).tolist()
    assert ranking.loc[scored.index, "排名"].astype(int).tolist() == scored["rank"].astype(int).tolist()
    assert set(ranking["参评项目数"]) == {len(scored)}
    printed = _table(content, "ranking")
    best = scored.sort_values("rank").iloc[0]
    assert printed.iloc[0]["排名"] == f"第 1 / {len(scored)} 名"
    assert printed.iloc[0]["得分"] == round(float(best["total"]), 1)


def test_a_large_ranking_prints_the_best_fifteen_and_the_last_five_and_keeps_every_project(shared_seeded_engine,
                                                                                           built):
    leader = as_viewer(shared_seeded_engine, "leader")
    content = built(shared_seeded_engine, "leader", ReportRequest("monthly", "2026-10")).content
    every = _table(content, "ranking_all")
    scored = every[every["得分"].notna()]
    printed = _table(content, "ranking")
    assert len(scored) > 20 and len(every) == len(portfolio(shared_seeded_engine, leader, OCTOBER))
    assert printed["排名"].tolist() == [f"第 {r} / {len(scored)} 名" for r in
                                       [*scored["排名"].head(15), *scored["排名"].tail(5)]]


def test_the_same_data_gives_the_same_digest_and_one_changed_value_another(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    request = ReportRequest("monthly", "2026-10", region_id=KAIFENG)
    first = assemble(seeded_engine, analyst, request, now=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    again = assemble(seeded_engine, analyst, request, now=dt.datetime(2026, 11, 3, tzinfo=dt.UTC))
    assert content_digest(first) == content_digest(again)
    project = int(portfolio(seeded_engine, analyst, OCTOBER).dropna(subset=["total"]).index[0])
    record_observation(seeded_engine, as_viewer(seeded_engine, "admin"), project_id=project,
                       indicator_code="PROG_ACTUAL", period=OCTOBER, value=3.0)
    changed = assemble(seeded_engine, analyst, request)
    assert content_digest(changed) != content_digest(first)


def test_an_officials_report_holds_only_their_district(shared_seeded_engine, built):
    content = built(shared_seeded_engine, "official_longting", ReportRequest("monthly", "2026-10")).content
    assert content.scope_name == "龙亭区"
    assert set(_table(content, "ranking_all")["所在区域"]) == {"龙亭区"}
    assert set(_table(content, "ranking_all")["项目编号"].str[:7]) == {"P410202"}


def test_an_official_asking_for_another_district_is_refused_and_an_unknown_region_is_not_found(shared_seeded_engine):
    official = as_viewer(shared_seeded_engine, "official_longting")
    with pytest.raises(PermissionDenied) as refused:
        assemble(shared_seeded_engine, official, ReportRequest("monthly", "2026-10", region_id=GULOU))
    assert refused.value.message_zh == "区域不存在或您无权访问"
    with pytest.raises(NotFound):
        assemble(shared_seeded_engine, official, ReportRequest("monthly", "2026-10", region_id=999_999))


def test_a_project_manager_may_not_build_reports(shared_seeded_engine):
    with pytest.raises(PermissionDenied):
        assemble(shared_seeded_engine, as_viewer(shared_seeded_engine, "pm_kaifeng1"),
                 ReportRequest("monthly", "2026-10"))


@pytest.mark.parametrize(("kind", "label", "form"), [
    ("monthly", "2026/10", "2026-10"), ("quarterly", "2026-10", "2026-Q3"), ("weekly", "2026-W60", "2026-W44"),
    ("white_paper_year", "26", "2026")])
def test_a_period_of_the_wrong_form_says_what_a_good_one_looks_like(shared_seeded_engine, kind, label, form):
    with pytest.raises(BadReportRequest) as refused:
        assemble(shared_seeded_engine, as_viewer(shared_seeded_engine, "leader"), ReportRequest(kind, label))
    assert form in refused.value.message_zh and form in str(refused.value)


def test_an_unknown_kind_is_refused_in_both_languages(shared_seeded_engine):
    with pytest.raises(BadReportRequest) as refused:
        assemble(shared_seeded_engine, as_viewer(shared_seeded_engine, "leader"), ReportRequest("daily", "2026-10"))
    assert "monthly" in refused.value.message_zh and "daily" in str(refused.value)


def test_chinese_and_english_reports_differ_in_words_and_agree_in_numbers(shared_seeded_engine, built):
    analyst = as_viewer(shared_seeded_engine, "analyst")
    chinese = built(shared_seeded_engine, "analyst", ReportRequest("monthly", "2026-10", region_id=KAIFENG)).content
    english = assemble(shared_seeded_engine, analyst, ReportRequest("monthly", "2026-10", region_id=KAIFENG,
                                                                    language="en"))
    assert [s.key for s in chinese.sections] == [s.key for s in english.sections]
    for zh, en in zip(chinese.sections, english.sections, strict=True):
        assert zh.heading != en.heading
    assert chinese.title == "开封市项目绩效月报" and english.title.startswith("Kaifeng")
    zh_all, en_all = _table(chinese, "ranking_all"), _table(english, "ranking_all")
    pd.testing.assert_series_equal(zh_all["得分"], en_all["Score"], check_names=False)
    pd.testing.assert_series_equal(zh_all["排名"], en_all["Rank"], check_names=False)


def test_the_provenance_names_the_default_scheme_the_data_version_and_the_audit_head(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    record_observation(seeded_engine, admin, project_id=1, indicator_code="PROG_ACTUAL", period=OCTOBER, value=40.0)
    content = assemble(seeded_engine, as_viewer(seeded_engine, "leader"), ReportRequest("monthly", "2026-10"))
    stated = content.provenance
    assert (stated.scheme_id, stated.scheme_name) == (1, "标准方案 Standard")
    assert stated.data_as_of == dt.date(2026, 11, 1) and stated.software_version.startswith("0.1.0")
    assert (stated.audit_entry_id, stated.audit_entry_hash) == chain_head(seeded_engine)
    assert stated.audit_entry_id is not None and stated.data_version == data_version(seeded_engine)
    table = _table(content, "provenance").set_index("事项")["内容"]
    assert table["数据版本"] == str(stated.data_version) and table["审计日志链头哈希"] == stated.audit_entry_hash
    cover = pd.read_excel(io.BytesIO(workbook_bytes(content)), sheet_name="report", engine="openpyxl")
    cover = cover.set_index("事项")["内容"]
    assert int(cover["数据版本"]) == stated.data_version and int(cover["审计日志链头序号"]) == stated.audit_entry_id
    assert cover["审计日志链头哈希"] == stated.audit_entry_hash
    assert cover["本报告所用评分月份"] == "2026-10" and cover["权重方案"] == "标准方案 Standard (#1)"


def test_the_workbook_has_a_cover_and_one_sheet_per_table_with_the_tables_values(shared_seeded_engine, built):
    content = built(shared_seeded_engine, "official_longting", ReportRequest("monthly", "2026-10")).content
    sheets = pd.read_excel(io.BytesIO(workbook_bytes(content)), sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["report", *[table.key for table in content.tables()]]
    assert sheets["report"].set_index("事项").loc["内容摘要值（SHA-256）", "内容"] == content_digest(content)
    every = _table(content, "ranking_all")
    assert sheets["ranking_all"]["得分"].tolist()[:4] == every["得分"].tolist()[:4]
    assert sheets["ranking_all"]["项目编号"].tolist() == every["项目编号"].tolist()


def test_a_project_named_like_a_formula_stays_text_in_the_workbook(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    project = int(portfolio(seeded_engine, official, OCTOBER).dropna(subset=["total"]).index[0])
    with seeded_engine.begin() as connection:
        connection.execute(update(Project).where(Project.id == project).values(name_zh="=cmd|' /C calc'!A0"))
    content = assemble(seeded_engine, official, ReportRequest("monthly", "2026-10"))
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(content)))
    cells = [cell for row in book["ranking_all"].iter_rows() for cell in row if cell.value == "=cmd|' /C calc'!A0"]
    assert cells and all(cell.data_type == "s" for cell in cells)
    scores = [row[5].value for row in book["ranking_all"].iter_rows(min_row=2) if row[5].value is not None]
    assert scores and all(isinstance(value, float) for value in scores)


EVALUATED = dt.datetime(2026, 11, 20, 1, tzinfo=dt.UTC)


def _warnings_with_a_story(engine) -> None:
    """The demo's warnings as of 20 Nov 2026, opened that day, a deterministic share moved along their 整改
    lifecycle (plans and evidence written): what the reports count and read."""
    evaluate(engine, as_of=EVALUATED.date(), now=EVALUATED)
    tell(engine, today=EVALUATED.date())


@pytest.mark.parametrize("kind", sorted(SECTIONS_OF_KIND))
@pytest.mark.parametrize(("user", "region"), [("analyst", KAIFENG), ("leader", LONGTING), ("official_longting", None)])
def test_every_kind_builds_for_a_city_and_a_district_with_its_sections_in_order(shared_seeded_engine, built, kind,
                                                                                user, region):
    label = {"weekly": "2026-W44", "monthly": "2026-10", "quarterly": "2026-Q3", "white_paper_quarter": "2026-Q3",
             "white_paper_year": "2026"}[kind]
    report = built(shared_seeded_engine, user, ReportRequest(kind, label, region_id=region))
    content, steps = report.content, report.steps
    assert [section.key for section in content.sections] == list(SECTIONS_OF_KIND[kind])
    assert content.scope_name == ("开封市" if region == KAIFENG else "龙亭区")
    assert [f for f, _ in steps] == sorted(f for f, _ in steps) and steps[-1] == (1.0, "报告内容已生成")
    assert [s for _, s in steps[:-1]] == [section.heading for section in content.sections]
    assert bool(content.publisher) == kind.startswith("white_paper")
    assert all(section.paragraphs for section in content.sections)


def test_a_city_map_has_one_polygon_per_district_and_a_district_map_its_city_with_itself_outlined(shared_seeded_engine,
                                                                                                 built):
    city = built(shared_seeded_engine, "analyst", ReportRequest("monthly", "2026-10", region_id=KAIFENG)).content
    (figure,) = _section(city, "map").figures
    assert figure.key == f"map_{KAIFENG}" and figure.caption == "开封市各区县平均得分等级分布"
    polygons = [trace for trace in figure.figure.data if trace.fill == "toself"]
    assert sorted(trace.name for trace in polygons) == sorted(
        ["龙亭区", "顺河回族区", "鼓楼区", "禹王台区", "祥符区", "杞县", "通许县", "尉氏县", "兰考县"])
    district = built(shared_seeded_engine, "official_longting", ReportRequest("monthly", "2026-10")).content
    (figure,) = _section(district, "map").figures
    polygons = [trace for trace in figure.figure.data if trace.fill == "toself"]
    assert len(polygons) == 9 and polygons[-1].name == "龙亭区" and polygons[-1].line.width == 3


def test_a_district_is_ranked_among_its_peers_as_the_overview_ranks_it(shared_seeded_engine, built):
    official = as_viewer(shared_seeded_engine, "official_longting")
    content = built(shared_seeded_engine, "official_longting", ReportRequest("monthly", "2026-10")).content
    standing = peer_standing(shared_seeded_engine, official, OCTOBER)
    peers = _table(content, "peers")
    assert peers["区县"].tolist() == standing.peers["name_zh"].tolist()
    assert peers["平均得分"].tolist() == standing.peers["mean_score"].astype(float).round(1).tolist()
    assert f"第 {standing.rank} / {standing.of} 名" in _section(content, "districts").paragraphs[0]
    leaders_view = built(shared_seeded_engine, "leader",
                         ReportRequest("monthly", "2026-10", region_id=LONGTING)).content
    pd.testing.assert_frame_equal(_table(leaders_view, "peers"), peers)


def test_the_city_league_has_the_overviews_district_means(shared_seeded_engine, built):
    analyst = as_viewer(shared_seeded_engine, "analyst")
    content = built(shared_seeded_engine, "analyst", ReportRequest("monthly", "2026-10", region_id=KAIFENG)).content
    city = portfolio(shared_seeded_engine, analyst, OCTOBER)
    city = city[city["city_id"] == KAIFENG]
    names = list_regions(shared_seeded_engine, analyst).set_index("id")["name_zh"]
    means = city.groupby("district_id")["total"].mean().round(1).rename(index=names)
    table = _table(content, "districts").set_index("区县")
    assert table["平均得分"].to_dict() == means.to_dict()
    assert table["项目数"].sum() == len(city)


def test_warnings_raised_and_closed_in_the_period_are_counted_by_severity(seeded_engine):
    _warnings_with_a_story(seeded_engine)
    leader = as_viewer(seeded_engine, "leader")
    alerts = list_alerts(seeded_engine, leader)
    november = assemble(seeded_engine, leader, ReportRequest("monthly", "2026-11"))
    counts = _table(november, "warnings").set_index("预警级别")
    expected = alerts["severity"].value_counts()
    assert counts["本期新发"].tolist() == [int(expected.get(s, 0)) for s in ("red", "orange", "yellow")]
    assert counts["本期新发"].sum() == len(alerts) > 0
    worst = _table(november, "warnings_worst")
    assert len(worst) == min(10, len(alerts)) and worst["预警级别"].iloc[0] == "红色预警"
    october = assemble(seeded_engine, leader, ReportRequest("monthly", "2026-10"))
    assert _table(october, "warnings")["本期新发"].sum() == 0


def test_an_overdue_rectification_is_listed_with_its_days_overdue_at_the_periods_end(seeded_engine):
    _warnings_with_a_story(seeded_engine)
    leader = as_viewer(seeded_engine, "leader")
    rectifying = list_alerts(seeded_engine, leader, statuses=["rectifying"]).sort_values("id").iloc[0]
    with seeded_engine.begin() as connection:
        connection.execute(update(Rectification).where(Rectification.alert_id == int(rectifying["id"]))
                           .values(due_date=dt.date(2026, 11, 10)))
    content = assemble(seeded_engine, leader, ReportRequest("monthly", "2026-11"),
                       now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    late = _table(content, "overdue")
    assert late.iloc[0][["项目", "整改期限", "逾期天数"]].tolist() == [rectifying["project_zh"], "2026-11-10", 20]
    assert "截至 2026-11-30" in _section(content, "overdue").paragraphs[0]


def test_the_frequent_problems_come_from_the_warning_rules_and_the_words_people_wrote(seeded_engine):
    _warnings_with_a_story(seeded_engine)
    leader = as_viewer(seeded_engine, "leader")
    content = assemble(seeded_engine, leader, ReportRequest("monthly", "2026-11"))
    rules = _table(content, "problems_rules")
    alerts = list_alerts(seeded_engine, leader)
    assert rules["预警数"].tolist() == alerts["rule_zh"].value_counts().head(5).tolist()
    words = _table(content, "problems_words")
    assert 0 < len(words) <= 5 and (words["出现条数"] > 0).all()
    written = " ".join(alerts["plan"].dropna())
    assert all(word in written or word in " ".join(alerts["evidence_note"].dropna()) for word in words["关键词"])


def test_a_report_without_cases_says_so(shared_seeded_engine):
    content = assemble(shared_seeded_engine, as_viewer(shared_seeded_engine, "leader"),
                       ReportRequest("monthly", "2026-09", language="en"))  # the demo's cases measure October
    assert _section(content, "practices").paragraphs == ("No case to cite for this period yet.",)


def test_the_white_paper_cites_the_knowledge_bases_cases_with_their_figures(shared_seeded_engine, built):
    content = built(shared_seeded_engine, "leader", ReportRequest("white_paper_year", "2026")).content
    cited = _table(content, "cases")
    assert "老旧小区加装电梯经验" in set(cited["案例"]) and len(cited) == len(_section(content, "cases").paragraphs)
    assert cited[["改进前", "改进后"]].notna().all().all()


def test_a_category_report_holds_only_that_categorys_projects_ranked_among_themselves(shared_seeded_engine):
    analyst = as_viewer(shared_seeded_engine, "analyst")
    frame = portfolio(shared_seeded_engine, analyst, OCTOBER)
    category = str(frame["category_code"].value_counts().index[0])
    content = assemble(shared_seeded_engine, analyst, ReportRequest("monthly", "2026-10", category=category))
    every = _table(content, "ranking_all")
    members = frame[frame["category_code"] == category]
    assert sorted(every["项目编号"]) == sorted(members["code"])
    scored = every.dropna(subset=["得分"])
    assert sorted(scored["排名"].astype(int)) == list(range(1, len(scored) + 1))
    assert content.scope_name.endswith(str(members["category_zh"].iloc[0]))


def test_a_department_report_holds_only_that_departments_projects(shared_seeded_engine):
    analyst = as_viewer(shared_seeded_engine, "analyst")
    frame = portfolio(shared_seeded_engine, analyst, OCTOBER).dropna(subset=["department_id"])
    department = int(frame["department_id"].value_counts().index[0])
    content = assemble(shared_seeded_engine, analyst, ReportRequest("monthly", "2026-10", department_id=department))
    members = frame[frame["department_id"] == department]
    assert sorted(_table(content, "ranking_all")["项目编号"]) == sorted(members["code"])
    assert content.scope_name.endswith(str(members["department_zh"].iloc[0]))
    projects = next(h for h in _section(content, "summary").highlights if h.label == "纳入评价项目")
    assert int(projects.value) == len(members)


@pytest.mark.parametrize(("region", "publisher"), [(None, "项目绩效管理办公室"), (KAIFENG, "开封市人民政府"),
                                                   (LONGTING, "龙亭区人民政府"), (24, "梅园新村街道办事处")])
def test_a_white_paper_is_published_by_its_regions_government(shared_seeded_engine, built, region, publisher):
    content = built(shared_seeded_engine, "leader",
                    ReportRequest("white_paper_quarter", "2026-Q3", region_id=region)).content
    assert content.publisher == publisher


def test_the_white_papers_foreword_states_the_districts_spread_the_warnings_and_the_work_ahead(seeded_engine):
    _warnings_with_a_story(seeded_engine)
    analyst = as_viewer(seeded_engine, "analyst")
    content = assemble(seeded_engine, analyst, ReportRequest("white_paper_quarter", "2026-Q4", region_id=KAIFENG))
    purpose, headline_words, findings, outlook, check = _section(content, "foreword").paragraphs
    districts = _table(content, "districts")
    assert f"最高的是{districts['区县'].iloc[0]}（{districts['平均得分'].iloc[0]:.1f} 分）" in findings
    alerts = list_alerts(seeded_engine, analyst, region_id=KAIFENG)
    assert f"新发预警 {len(alerts)} 条" in findings
    by_rule = alerts.groupby(["rule_id", "rule_zh"]).size().rename("n").reset_index()
    first = by_rule.sort_values(["n", "rule_id"], ascending=[False, True])["rule_zh"].iloc[0]
    assert outlook.startswith(f"下一步，将聚焦{first}")
    assert purpose.startswith("为全面反映开封市2026年第4季度") and "2026-11" in headline_words and "核验" in check
