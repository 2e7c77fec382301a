"""我的待办 My tasks: everything a viewer owes on one day, gathered once for the page.

Each group is one scoped read (``data_access.tasks``); a group the viewer's role has no part in is None,
so the page leaves it out instead of saying "nothing to do" about work that is never theirs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from data_access import Viewer
from data_access import alerts as alert_store
from data_access import tasks as task_store
from data_access.policy import Action, Role, allowed
from data_access.ratings import BEIJING, my_rating_tasks
from data_access.reports import list_reports
from services.reporting_calendar import current_period, due_date

OVERDUE_MONTHS = 6  # earlier unreported months shown as overdue; older ones are the district's business
MILESTONE_DAYS = 30
LATEST_MESSAGES = 3


@dataclass(frozen=True)
class MyTasks:
    """A viewer's to-do on ``today``. Frames are sorted most urgent first; None: not the viewer's kind of work."""

    today: dt.date
    period: dt.date  # the month to report on today
    due: dt.date  # when that report is due
    reports: pd.DataFrame | None  # their projects' unreported months, + due, days_late (> 0: overdue)
    rectifications: pd.DataFrame | None  # 整改 they own, + days_left (< 0: overdue)
    milestones: pd.DataFrame | None  # their milestones ending within MILESTONE_DAYS, + days_left
    district_missing: pd.DataFrame | None  # reports missing for ``period`` in their district (officials)
    to_review: pd.DataFrame | None  # submitted reports waiting for their acceptance (officials)
    ratings: pd.DataFrame | None  # ratings they owe in open rounds, + days_left to the deadline (Beijing date)
    rounds: pd.DataFrame | None  # open rounds they run, with how many raters responded (analysts)
    unread: int
    messages: pd.DataFrame  # the newest unread messages (data_access.alerts.inbox columns)


def _days_until(dates: pd.Series, today: dt.date) -> pd.Series:
    return (pd.to_datetime(dates) - pd.Timestamp(today)).dt.days.astype("Int64")


def my_tasks(engine: Engine, viewer: Viewer, today: dt.date) -> MyTasks:
    """Gather the viewer's to-do for ``today`` (each group one scoped read)."""
    period, due = current_period(today)
    reports = rectifications = milestones = district_missing = to_review = ratings = rounds = None
    if viewer.role == Role.PROJECT_MANAGER:
        reports = task_store.reports_due(engine, viewer, period=period, overdue_months=OVERDUE_MONTHS)
        reports["due"] = [due_date(month) for month in reports["period"]]
        reports["days_late"] = -_days_until(reports["due"], today)
        reports = reports.sort_values(["days_late", "code"], ascending=[False, True], kind="stable")
    if allowed(viewer, Action.OWN_RECTIFICATION):
        rectifications = task_store.my_rectifications(engine, viewer)
        rectifications["days_left"] = _days_until(rectifications["due_date"], today)
    if allowed(viewer, Action.OWN_MILESTONE):
        milestones = task_store.milestones_due(engine, viewer, today=today, days=MILESTONE_DAYS)
        milestones["days_left"] = _days_until(milestones["planned_end"], today)
    if allowed(viewer, Action.REVIEW_REPORTS):
        district_missing = task_store.missing_reports(engine, viewer, period=period)
        to_review = list_reports(engine, viewer, statuses=["submitted"]).sort_values(
            ["submitted_at", "code"], kind="stable", na_position="last").reset_index(drop=True)
    if allowed(viewer, Action.RATE_PROJECTS):
        ratings = my_rating_tasks(engine, viewer)
        ratings = ratings[~ratings["rated"]].reset_index(drop=True)
        ratings["days_left"] = _days_until(ratings["deadline"].map(lambda moment: moment.astimezone(BEIJING).date()),
                                           today)
    if allowed(viewer, Action.MANAGE_RATING_ROUNDS):
        rounds = task_store.open_round_progress(engine, viewer)
    messages = alert_store.inbox(engine, viewer, unread_only=True, limit=LATEST_MESSAGES)
    return MyTasks(today=today, period=period, due=due, reports=reports, rectifications=rectifications,
                   milestones=milestones, district_missing=district_missing, to_review=to_review, ratings=ratings,
                   rounds=rounds,
                   unread=alert_store.unread_count(engine, viewer), messages=messages)
