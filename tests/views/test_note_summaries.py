"""The scorecard's notes in brief: keywords as chips and the two central sentences of the month's notes, shown
as plain text (a note's markup is data), for a project and for its district; nothing written says so."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from components.text import plain
from data_access.db import create_database_engine
from data_access.models import Project, Region, Report, ReportValue
from services.note_summary import is_chinese, summarise
from tests.conftest import without_demo_notes

OCTOBER, SEPTEMBER = dt.date(2026, 10, 1), dt.date(2026, 9, 1)
GULOU = 4
NOTE = ("**路面**摊铺完成[点我](http://evil.invalid)。受连续降雨影响，路面摊铺延误三天。"
        "雨季期间路面摊铺改为夜间施工。食堂已启用。")


def _noted_project(app_env: Path) -> tuple[int, int]:
    """A Longting project given an October report with ``NOTE``, the month's only text (the demo's notes
    dropped); (project id, district id)."""
    engine = create_database_engine(f"sqlite:///{app_env}")
    without_demo_notes(engine, OCTOBER)
    with Session(engine) as session, session.begin():
        reported = select(Report.project_id).where(Report.period == OCTOBER)
        project_id, district_id = session.execute(select(Project.id, Region.id).join(Region).where(
            Region.code == "410202", Project.status == "active", Project.id.not_in(reported))
            .order_by(Project.id)).first()
        session.add(Report(project_id=project_id, period=OCTOBER, status="accepted", note=NOTE,
                           created_at=dt.datetime(2026, 11, 3, tzinfo=dt.UTC)))
    engine.dispose()
    return project_id, district_id


def _open(logged_in, **params: str):
    at = logged_in("official_longting", "views/scorecards.py")
    at.query_params.update({**params, "period": "2026-10"})
    at.run()
    assert not at.exception and not at.error
    return at


def test_the_project_scorecard_shows_the_months_keywords_and_two_central_sentences_as_plain_text(logged_in,
                                                                                                app_env):
    project_id, _ = _noted_project(app_env)
    at = _open(logged_in, project=str(project_id))
    assert "本月文字记录摘要" in [header.value for header in at.subheader]
    quoted = [element.value for element in at.markdown if element.value.startswith("> ")]
    assert quoted == ["> \\*\\*路面\\*\\*摊铺完成\\[点我\\](http\u2060\\://evil.invalid)。",
                      "> 受连续降雨影响，路面摊铺延误三天。"]
    chips = [element.value for element in at.markdown if ":blue-badge[" in element.value]
    assert chips[:2] == [":blue-badge[路面]", ":blue-badge[摊铺]"]
    assert "摘自 1 条月报说明、数值原因、整改方案与佐证（两句中心句，按原顺序）。" in [c.value for c in at.caption]


def test_the_district_scorecard_summarises_its_projects_and_a_quiet_month_says_so(logged_in, app_env):
    _, district_id = _noted_project(app_env)
    at = _open(logged_in, region=str(district_id))
    assert "> 受连续降雨影响，路面摊铺延误三天。" in [element.value for element in at.markdown]
    engine = create_database_engine(f"sqlite:///{app_env}")
    without_demo_notes(engine, SEPTEMBER)  # nor the month before, which a quiet month would show instead
    engine.dispose()
    at = logged_in("leader", "views/scorecards.py")
    at.query_params.update({"region": str(GULOU), "period": "2026-10"})  # nothing written there
    at.run()
    assert "本月没有文字记录。" in [caption.value for caption in at.caption]


def test_a_month_not_reported_on_yet_shows_the_month_before_named_as_such(logged_in, app_env):
    project_id, _ = _noted_project(app_env)  # October written, November (the latest month) not yet
    at = logged_in("official_longting", "views/scorecards.py")
    at.query_params.update({"project": str(project_id), "period": "2026-11"})
    at.run()
    assert not at.exception and not at.error
    assert "本月尚无文字记录；以下摘自2026年10月。" in [caption.value for caption in at.caption]
    assert [element.value for element in at.markdown if element.value.startswith("> ")][-1] \
        == "> 受连续降雨影响，路面摊铺延误三天。"


def test_on_the_demo_an_official_reads_a_projects_latest_month_summarised_in_chinese(logged_in, app_env):
    """The seeded demo's own notes: a Longting project's October report (the latest month) and its values'
    reasons give the scorecard's keywords and two sentences, escaped."""
    engine = create_database_engine(f"sqlite:///{app_env}")
    with Session(engine) as session:
        project_id, note = session.execute(select(Report.project_id, Report.note).join(Project).join(Region).where(
            Region.code == "410202", Report.period == OCTOBER, Report.note.is_not(None))
            .order_by(Report.project_id)).first()
        reasons = session.execute(select(ReportValue.reason).join(Report).where(
            Report.project_id == project_id, Report.period == OCTOBER, ReportValue.reason.is_not(None))
            .order_by(ReportValue.id)).scalars().all()
    engine.dispose()
    expected = summarise([note, *reasons])
    assert len(expected.sentences) == 2 and all(is_chinese(sentence) for sentence in expected.sentences)
    at = _open(logged_in, project=str(project_id))
    quoted = [element.value for element in at.markdown if element.value.startswith("> ")]
    assert quoted == [f"> {plain(sentence)}" for sentence in expected.sentences]
    chips = [element.value for element in at.markdown if ":blue-badge[" in element.value]
    assert chips == [f":blue-badge[{plain(word)}]" for word in expected.keywords] and len(chips) == 5
    assert "本月没有文字记录。" not in [caption.value for caption in at.caption]
