"""The import pipeline end to end on both databases: check (read → validate → plan), commit, duplicates, rollback.

The small demo (seed 7) has the Longting (龙亭区) project P410202-00007, active from 2025-07 to 2028-07, with
PROG_ACTUAL 38.779 and SPEND_CUM 3853.479 in 2026-10 and nothing yet for 2026-12; P410204-00004 is in Gulou
(鼓楼区), outside Longting's official's scope.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text

from data_access import PermissionDenied, ValidationError
from services.importing.pipeline import DuplicateImport, check_file, commit_file, refresh_warnings, roll_back
from tests.conftest import as_viewer
from tests.db_checksum import changed_tables, table_checksums

HEADER = "项目编码,指标编码,月份,数值"
GOOD_ROWS = ["P410202-00007,PROG_ACTUAL,2026-10,40",  # changed: 38.779 before
             "P410202-00007,SPEND_CUM,2026年10月,3853.479",  # unchanged
             "P410202-00007,PROG_ACTUAL,2026/12,50"]  # new
BAD_ROWS = ["P410202-00007,PROG_ACTUAL,2026-10,abc",  # not a number
            "P410204-00004,PROG_ACTUAL,2026-10,40",  # Gulou: outside the official's scope
            "P410202-00007,NO_SUCH_KPI,2026-10,40"]


def csv_file(*rows: str) -> bytes:
    return "\r\n".join([HEADER, *rows, ""]).encode("utf-8-sig")


def stored(engine: Engine, code: str, indicator: str, period: str) -> float | None:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT o.value FROM observations o JOIN projects p ON p.id = o.project_id "
            "JOIN indicators i ON i.id = o.indicator_id WHERE p.code = :p AND i.code = :i AND o.period = :d"),
            {"p": code, "i": indicator, "d": dt.date.fromisoformat(period)}).scalar()


def test_a_good_file_is_planned_then_committed_and_its_projects_warnings_reevaluated(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    stages: list[tuple[float, str]] = []
    checked = check_file(seeded_engine, official, "figures.csv", csv_file(*GOOD_ROWS), "observations",
                         progress=lambda fraction, stage: stages.append((fraction, stage)))
    assert checked.problems == [] and checked.committable and checked.duplicate_of is None
    assert dict(checked.plan.counts) == {"new": 1, "changed": 1, "unchanged": 1}
    assert checked.plan.rows["change"].to_dict() == {2: "changed", 3: "unchanged", 4: "new"}  # csv lines
    assert [stage for _, stage in stages] == ["read", "validate", "plan", "done"]
    assert [fraction for fraction, _ in stages] == sorted(fraction for fraction, _ in stages)
    assert stored(seeded_engine, "P410202-00007", "PROG_ACTUAL", "2026-10-01") == pytest.approx(38.779)

    result = commit_file(seeded_engine, official, checked)
    assert dict(result.counts) == {"new": 1, "changed": 1, "unchanged": 1}
    assert stored(seeded_engine, "P410202-00007", "PROG_ACTUAL", "2026-10-01") == 40
    assert stored(seeded_engine, "P410202-00007", "PROG_ACTUAL", "2026-12-01") == 50
    assert refresh_warnings(seeded_engine, result.project_ids) == 1


def test_the_same_file_again_is_reported_and_refused_unless_asked(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    content = csv_file(*GOOD_ROWS)
    first = commit_file(seeded_engine, analyst, check_file(seeded_engine, analyst, "a.csv", content, "observations"))
    again = check_file(seeded_engine, analyst, "renamed.csv", content, "observations")
    assert again.duplicate_of is not None and again.duplicate_of["id"] == first.batch_id
    before = table_checksums(seeded_engine)
    with pytest.raises(DuplicateImport, match=f"batch {first.batch_id}") as refused:
        commit_file(seeded_engine, analyst, again)
    assert f"批次 {first.batch_id}" in refused.value.message_zh
    assert changed_tables(before, table_checksums(seeded_engine)) == []
    second = commit_file(seeded_engine, analyst, again, again=True)
    assert dict(second.counts) == {"new": 0, "changed": 0, "unchanged": 3}


def test_every_problem_is_reported_in_row_order_and_nothing_is_written(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    before = table_checksums(seeded_engine)
    checked = check_file(seeded_engine, official, "bad.csv", csv_file(*BAD_ROWS), "observations")
    assert [(p.row, p.column) for p in checked.problems] == [(2, "value"), (3, "project_code"),
                                                             (4, "indicator_code")]
    assert {p.sheet for p in checked.problems} == {"csv"}
    assert checked.problems[0].value == "abc"
    assert checked.problems[1].value == "P410204-00004"
    assert not checked.committable
    with pytest.raises(ValidationError, match="3 problem"):
        commit_file(seeded_engine, official, checked)
    assert changed_tables(before, table_checksums(seeded_engine)) == []


def test_a_missing_required_column_stops_before_planning(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    content = "项目编码,指标编码,数值\r\nP410202-00007,PROG_ACTUAL,40\r\n".encode()
    checked = check_file(seeded_engine, analyst, "no-month.csv", content, "observations")
    assert checked.plan is None and not checked.committable
    assert [(p.row, p.column) for p in checked.problems] == [(None, "period")]


def test_a_role_that_may_not_import_is_refused_before_the_file_is_read(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    with pytest.raises(PermissionDenied):
        check_file(seeded_engine, manager, "a.csv", csv_file(*GOOD_ROWS), "observations")


def test_a_batch_rolls_back_to_the_values_before_it(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    result = commit_file(seeded_engine, admin, check_file(seeded_engine, admin, "a.csv", csv_file(*GOOD_ROWS),
                                                          "observations"))
    assert roll_back(seeded_engine, admin, result.batch_id) == result.project_ids  # their warnings follow
    assert stored(seeded_engine, "P410202-00007", "PROG_ACTUAL", "2026-10-01") == pytest.approx(38.779)
    assert stored(seeded_engine, "P410202-00007", "PROG_ACTUAL", "2026-12-01") is None


def test_a_row_with_a_bad_optional_cell_still_hears_that_its_project_is_unknown_and_is_not_counted(seeded_engine):
    from services.importing.report import counts

    analyst = as_viewer(seeded_engine, "analyst")
    content = ("项目编码,序号,里程碑名称,计划开始日期,计划完成日期,完成百分比\r\n"
               "P999999-00001,1,开工,2026-03-01,2026-04-01,一半\r\n"
               "P410202-00007,9,验收,2026-03-01,2026-04-01,一半\r\n").encode()
    checked = check_file(seeded_engine, analyst, "m.csv", content, "milestones")
    assert [(p.row, p.column) for p in checked.problems] == [(2, "project_code"), (2, "percent_complete"),
                                                             (3, "percent_complete")]
    assert counts(checked) == {"new": 0, "changed": 0, "unchanged": 0}  # a row with a problem is never counted
