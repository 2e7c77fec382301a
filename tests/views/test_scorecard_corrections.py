"""A corrected month is flagged on the project's scorecard with how often and why; the reason is user text."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from data_access.db import create_database_engine
from data_access.models import Project, Report


def _corrected_report(app_env: Path, reason: str) -> int:
    """The demo's corrected report, given ``reason``; returns its project."""
    engine = create_database_engine(f"sqlite:///{app_env}")
    with engine.begin() as connection:
        report_id, project_id = connection.execute(select(Report.id, Report.project_id)
                                                   .where(Report.corrections > 0)).one()
        connection.execute(update(Report).where(Report.id == report_id)
                           .values(corrections=2, correction_reason=reason, period=dt.date(2026, 9, 1)))
    engine.dispose()
    return project_id


def _uncorrected_project(app_env: Path) -> int:
    engine = create_database_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        project_id = connection.execute(select(Report.project_id).where(Report.corrections == 0)
                                        .where(Report.project_id.not_in(select(Report.project_id)
                                                                        .where(Report.corrections > 0)))
                                        .join(Project, Project.id == Report.project_id)
                                        .order_by(Report.project_id)).scalars().first()
    engine.dispose()
    return project_id


def test_the_scorecard_flags_a_corrected_month_with_its_count_and_escaped_reason(logged_in, app_env):
    project_id = _corrected_report(app_env, "发票金额录错 **加粗** [链接](x)")
    at = logged_in("admin", "views/scorecards.py")
    at.query_params["project"] = str(project_id)
    at.run()
    assert not at.exception
    flags = [warning.value for warning in at.warning if "已更正" in warning.value]
    assert flags == ["⚑ 2026年9月 的已采纳数据已更正 2 次（原因：发票金额录错 \\*\\*加粗\\*\\* \\[链接\\](x)）："
                     "本记分卡使用更正后的数值。"]


def test_a_project_whose_reports_were_never_corrected_shows_no_flag(logged_in, app_env):
    at = logged_in("admin", "views/scorecards.py")
    at.query_params["project"] = str(_uncorrected_project(app_env))
    at.run()
    assert not at.exception
    assert not [warning.value for warning in at.warning if "已更正" in warning.value]
