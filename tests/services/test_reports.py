"""Saving and reviewing a monthly report re-evaluates the project's warnings exactly when values were accepted."""
from __future__ import annotations

import pytest

from data_access import reports as report_data
from data_access.errors import DatabaseUnavailable
from services import reports
from tests.conftest import as_viewer
from tests.data_access.test_reports import PERIOD, _craft, _observations


@pytest.fixture
def evaluations(monkeypatch):
    """The project ids each warning evaluation was asked for."""
    calls: list[list[int]] = []
    monkeypatch.setattr(reports, "evaluate", lambda _engine, *, project_ids: calls.append(list(project_ids)))
    return calls


def _submit(engine, viewer, project_id, values, *, submit):
    seen = report_data.open_report(engine, viewer, project_id=project_id, period=PERIOD)
    return reports.submit_report(engine, viewer, project_id=project_id, period=PERIOD, values=values, milestones={},
                                 note=None, reasons={}, seen=seen, submit=submit)


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_a_draft_is_not_evaluated_and_an_accepted_submission_is(seeded_engine, evaluations):
    project_id = _craft(seeded_engine, review=False)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    draft = _submit(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=False)
    assert (draft.saved.status, draft.warnings_evaluated, evaluations) == ("draft", False, [])
    result = _submit(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=True)
    assert (result.saved.status, result.warnings_evaluated, result.warning_error) == ("accepted", True, None)
    assert evaluations == [[project_id]]


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_a_failing_evaluation_leaves_the_accepted_report_stored_and_says_why(seeded_engine, monkeypatch):
    project_id = _craft(seeded_engine, review=False)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")

    def unavailable(_engine, *, project_ids):  # noqa: ARG001 - the evaluation's signature
        raise DatabaseUnavailable("down", message_zh="数据库不可用")

    monkeypatch.setattr(reports, "evaluate", unavailable)
    result = _submit(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=True)
    assert (result.saved.accepted, result.warnings_evaluated) == (True, False)
    assert result.warning_error.message_zh == "数据库不可用"
    assert _observations(seeded_engine, project_id) == {"PROG_ACTUAL": (26.0, "report", manager.user_id)}


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_review_evaluates_after_an_acceptance_only(seeded_engine, evaluations):
    project_id = _craft(seeded_engine, review=True)
    manager, official = as_viewer(seeded_engine, "pm_kaifeng1"), as_viewer(seeded_engine, "official_longting")
    submitted = _submit(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=True).saved
    assert reports.review(seeded_engine, official, report_id=submitted.report_id, version=submitted.version,
                          accept=False, comment="请补充说明") is None
    assert evaluations == []
    again = _submit(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=True).saved
    assert reports.review(seeded_engine, official, report_id=again.report_id, version=again.version, accept=True,
                          comment=None) is None
    assert evaluations == [[project_id]]


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_the_real_evaluation_runs_after_an_accepted_report(seeded_engine):
    project_id = _craft(seeded_engine, review=False)
    result = _submit(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1"), project_id, {"PROG_ACTUAL": 26.0},
                     submit=True)
    assert (result.warnings_evaluated, result.warning_error) == (True, None)
