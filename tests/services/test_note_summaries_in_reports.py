"""The monthly report's frequent problems from what people wrote: the two-sentence summary, the TOP5 problem
types with counts, each district's keywords and summary — and an official's report never draws on another
district's note."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access.models import Project, Region, Report
from services.note_summary import is_chinese
from services.report_center.activity_sections import problems
from services.report_center.blocks import ReportRequest
from services.report_center.facts import gather
from tests.conftest import as_viewer, sqlite_only, without_demo_notes

OCTOBER = dt.date(2026, 10, 1)
LONGTING_NOTE = "受连续降雨影响，基坑土方外运延误三天。基坑监测数据正常，雨季期间已加密基坑监测。食堂已启用。"
GULOU_NOTE = "资金拨付滞后，材料款未结清。Payment for steel is late."


def _note(engine: Engine, district_code: str, note: str) -> int:
    """Give the district's first active project without an October report one, with ``note``; its id."""
    with Session(engine) as session, session.begin():
        reported = select(Report.project_id).where(Report.period == OCTOBER)
        project_id = session.execute(select(Project.id).join(Region).where(
            Region.code == district_code, Project.status == "active", Project.id.not_in(reported))
            .order_by(Project.id)).scalars().first()
        session.add(Report(project_id=project_id, period=OCTOBER, status="accepted", note=note,
                           created_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC)))
    return int(project_id)


def _table(section, key: str) -> pd.DataFrame:
    return next(table.frame for table in section.tables if table.key == key)


@pytest.fixture
def notes(seeded_engine: Engine) -> Engine:
    without_demo_notes(seeded_engine, OCTOBER)
    _note(seeded_engine, "410202", LONGTING_NOTE)
    _note(seeded_engine, "410204", GULOU_NOTE)
    return seeded_engine


def test_an_officials_report_summarises_only_their_districts_notes(notes: Engine) -> None:
    facts = gather(notes, as_viewer(notes, "official_longting"), ReportRequest("monthly", "2026-10"))
    section = problems(facts)
    assert "文字记录摘要：受连续降雨影响，基坑土方外运延误三天。 基坑监测数据正常，雨季期间已加密基坑监测。" in \
        section.paragraphs
    everything = " ".join(section.paragraphs) + " ".join(
        " ".join(map(str, table.frame.to_numpy().ravel())) for table in section.tables)
    assert "资金" not in everything and "Payment" not in everything
    assert "problems_districts" not in {table.key for table in section.tables}  # one district: no district table
    types = _table(section, "problems_types")
    assert types.to_dict("list") == {"问题类型": ["进度滞后", "天气影响"], "出现条数": [1, 1], "项目数": [1, 1]}


@sqlite_only
def test_a_city_report_lists_each_districts_keywords_and_summary(notes: Engine) -> None:
    facts = gather(notes, as_viewer(notes, "leader"), ReportRequest("monthly", "2026-10", language="en"))
    section = problems(facts)
    districts = _table(section, "problems_districts").set_index("District")
    assert districts.loc["Longting District", "Summary"] == \
        "受连续降雨影响，基坑土方外运延误三天。 基坑监测数据正常，雨季期间已加密基坑监测。"
    assert districts.loc["Gulou District", "Summary"] == "资金拨付滞后，材料款未结清。 Payment for steel is late."
    assert districts.loc["Gulou District", "Keywords"] == "材料, 资金, 滞后, 拨付, 结清"
    types = _table(section, "problems_types")
    assert types.to_dict("list") == {"Problem type": ["Schedule slippage", "Funding and payments",
                                                      "Materials and equipment", "Weather"],
                                     "Texts mentioning it": [2, 1, 1, 1], "Projects": [2, 1, 1, 1]}


def test_on_the_demo_the_city_leaders_monthly_report_counts_the_managers_notes_by_problem_type(
        seeded_engine: Engine) -> None:
    section = problems(gather(seeded_engine, as_viewer(seeded_engine, "leader"), ReportRequest("monthly", "2026-10")))
    types = _table(section, "problems_types")
    assert types.to_dict("list") == {"问题类型": ["安全质量", "审批手续", "进度滞后", "材料设备", "资金拨付"],
                                     "出现条数": [15, 8, 7, 7, 6], "项目数": [15, 8, 7, 6, 6]}
    summary = next(paragraph for paragraph in section.paragraphs if paragraph.startswith("文字记录摘要："))
    assert is_chinese(summary) and summary.count("。") == 2
