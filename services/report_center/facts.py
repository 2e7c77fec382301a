"""What a report is built from, read once: the request checked, the scope narrowed, both periods' portfolios.

Every section builder takes these :class:`Facts` and reads nothing for the scores themselves: the numbers are
:mod:`services.portfolio`'s (the overview's), so a report never states a figure the dashboard computes
differently. Scores are monthly: a report states the scores of its period's last month
(:attr:`ReportPeriod.last_month`; the newest month with data while the period is still running) and compares
them with the month as far before (a week's report with the month before, a quarter's with the month three
months earlier, a year's with the month twelve months earlier).
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

import scoring
from components.i18n import name_suffix
from data_access import latest_period, list_regions
from data_access.alerts import list_alerts
from data_access.errors import ValidationError
from data_access.models import REPORT_KINDS, REPORT_LANGUAGES
from data_access.policy import Action, Viewer, require
from data_access.report_reads import ReportScope, report_viewer
from scoring.periods import add_months
from scoring.report_periods import BadPeriod, ReportPeriod, parse
from services.portfolio import portfolio
from services.report_center.blocks import ReportRequest
from services.scores import ScoringModel, load_model

MONTHS_BEFORE = {"week": 1, "month": 1, "quarter": 3, "year": 12}  # the comparison month, before the stated one
PERIOD_FORMS_ZH = {"week": "年-W周（如 2026-W44）", "month": "年-月（如 2026-10）", "quarter": "年-Q季度（如 2026-Q3）",
                   "year": "四位年份（如 2026）"}


class BadReportRequest(ValidationError):
    """A report request that names no report: an unknown kind or language, or a period label of the wrong form."""


@dataclass(frozen=True)
class Facts:
    """A checked request and what every section reads: the builder narrowed to the report's region
    (``viewer``), the regions it sees, the stated month's and the comparison month's portfolios (filtered to the
    request's category and department)."""

    engine: Engine
    request: ReportRequest
    builder: Viewer  # who asked, unnarrowed: a leader's district report still frames the district among its peers
    scope: ReportScope
    period: ReportPeriod
    month: dt.date
    previous_month: dt.date
    regions: pd.DataFrame
    current: pd.DataFrame
    previous: pd.DataFrame

    @property
    def viewer(self) -> Viewer:
        return self.scope.viewer

    @functools.cached_property
    def model(self) -> ScoringModel:
        """The scoring model (library, default scheme, targets) as the report's scope reads it, read once."""
        return load_model(self.engine, self.viewer)

    @functools.cached_property
    def alerts(self) -> pd.DataFrame:
        """Every warning of the report's projects (any status; opened_at and closed_at as UTC times), read once."""
        alerts = list_alerts(self.engine, self.viewer)
        alerts = alerts[alerts["project_id"].isin(self.current.index)].copy()
        for column in ("opened_at", "closed_at"):
            alerts[column] = pd.to_datetime(alerts[column], utc=True)
        return alerts

    @property
    def as_of(self) -> dt.date:
        """The day the report's milestone figures are counted to: the period's last day, or the stated month's
        last day if earlier (a running period is not judged on milestones not yet due)."""
        return min(self.period.end, add_months(self.month, 1) - dt.timedelta(days=1))

    @property
    def previous_as_of(self) -> dt.date:
        """The comparison month's last day."""
        return add_months(self.previous_month, 1) - dt.timedelta(days=1)

    @property
    def lang(self) -> str:
        return self.request.language

    @property
    def name_column(self) -> str:
        return f"name_{name_suffix(self.lang)}"


def checked_period(request: ReportRequest) -> ReportPeriod:
    """The request's period, or :class:`BadReportRequest` saying what a good label looks like."""
    if request.kind not in REPORT_KINDS:
        raise BadReportRequest(f"Unknown report kind {request.kind!r:.40}; use one of {', '.join(REPORT_KINDS)}",
                               message_zh=f"未知的报告类型，可选：{'、'.join(REPORT_KINDS)}")
    if request.language not in REPORT_LANGUAGES:
        raise BadReportRequest(f"A report is written in one of {', '.join(REPORT_LANGUAGES)}",
                               message_zh=f"报告语言须为以下之一：{'、'.join(REPORT_LANGUAGES)}")
    try:
        return parse(request.kind, str(request.period))
    except BadPeriod as exc:
        raise BadReportRequest(str(exc), message_zh=f"报告期“{str(request.period)[:20]}”格式不对，应为"
                                                    f"{PERIOD_FORMS_ZH[exc.length]}") from None


def narrowed(frame: pd.DataFrame, request: ReportRequest) -> pd.DataFrame:
    """The portfolio limited to the request's category and department; ranks re-counted among what is left (the
    rank of a category report is the rank within the category)."""
    if request.category is None and request.department_id is None:
        return frame
    keep = pd.Series(True, index=frame.index)
    if request.category is not None:
        keep &= frame["category_code"] == request.category
    if request.department_id is not None:
        keep &= frame["department_id"] == request.department_id
    result = frame[keep.fillna(False).astype(bool)].copy()
    result["rank"] = scoring.rank(result["total"])
    result.attrs = frame.attrs
    return result


def gather(engine: Engine, viewer: Viewer, request: ReportRequest) -> Facts:
    """Check the request (kind, period, region in scope, the right to build reports) and read the portfolios."""
    require(viewer, Action.BUILD_REPORTS)
    period = checked_period(request)
    scope = report_viewer(engine, viewer, request.region_id)
    month = period.last_month
    latest = latest_period(engine, scope.viewer)
    if latest is not None and period.start <= latest < month:  # a period still running states its newest month
        month = latest
    previous_month = add_months(month, -MONTHS_BEFORE[period.length])
    current = narrowed(portfolio(engine, scope.viewer, month), request)
    previous = narrowed(portfolio(engine, scope.viewer, previous_month), request)
    return Facts(engine=engine, request=request, builder=viewer, scope=scope, period=period, month=month,
                 previous_month=previous_month, regions=list_regions(engine, scope.viewer), current=current,
                 previous=previous)
