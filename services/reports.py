"""The monthly report as pages and commands use it: save or review, then re-evaluate the project's warnings.

Accepted values change what the scores and warnings see, so right after a report is accepted (on submission
where the district does not review, or by an official) the project's warnings are evaluated again. The report
is stored whatever the evaluation does; the result says whether it ran, and the error if it did not.

Pages take everything about the report from here (the data layer's reads and types are re-exported), so a view
imports no data_access command.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from sqlalchemy import Engine

from data_access.errors import DataAccessError
from data_access.policy import Viewer
from data_access.reports import (
    MilestoneEntry,
    ReportSheet,
    SavedReport,
    list_reports,
    may_review,
    open_report,
    review_report,
    save_report,
    set_review,
)
from services.alerts import evaluate

__all__ = ["MilestoneEntry", "ReportSheet", "SavedReport", "SubmitResult", "list_reports", "may_review",
           "open_report", "reevaluate_warnings", "review", "set_review", "submit_report"]


class SubmitResult(NamedTuple):
    """The saved report and whether warnings were re-evaluated (``warning_error``: why not, when they were due)."""

    saved: SavedReport
    warnings_evaluated: bool
    warning_error: DataAccessError | None = None


def submit_report(engine: Engine, viewer: Viewer, *, project_id: int, period: date,
                  values: Mapping[str, float | None], milestones: Mapping[int, MilestoneEntry], note: str | None,
                  reasons: Mapping[str, str], seen: ReportSheet, submit: bool,
                  correction_reason: str | None = None) -> SubmitResult:
    """:func:`data_access.reports.save_report`, then the warnings when the values were accepted."""
    saved = save_report(engine, viewer, project_id=project_id, period=period, values=values, milestones=milestones,
                        note=note, reasons=reasons, seen=seen, submit=submit, correction_reason=correction_reason)
    if not saved.accepted:
        return SubmitResult(saved, False)
    error = reevaluate_warnings(engine, project_id)
    return SubmitResult(saved, error is None, error)


def review(engine: Engine, viewer: Viewer, *, report_id: int, version: int, accept: bool,
           comment: str | None) -> DataAccessError | None:
    """Accept or send back a report; after an acceptance, re-evaluate the project's warnings.

    Returns None when all went through, or the evaluation's error (the review itself is stored either way).
    """
    project_id = review_report(engine, viewer, report_id=report_id, version=version, accept=accept, comment=comment)
    return reevaluate_warnings(engine, project_id) if accept else None


def reevaluate_warnings(engine: Engine, project_id: int) -> DataAccessError | None:
    """Evaluate one project's warnings; the error instead of raising it (the data it follows is stored)."""
    try:
        evaluate(engine, project_ids=[project_id])
    except DataAccessError as error:
        return error
    return None
