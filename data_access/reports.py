"""The monthly report (进度填报): open the form, save a draft or submit, review, correct, list.

A report holds its values (``report_values``) and milestone progress (``report_milestones``) until it is
accepted; acceptance writes them to ``observations`` (source ``report``, entered by the reporter) and
``milestones`` in the same transaction as the status change and the audit entries. Submission is acceptance
at once where the project's district does not review reports (``regions.report_review``; a street follows its
district).

Every save is checked before anything is written: the KPI belongs to the project's form, the value is a
number in its range, a cumulative series does not fall (:mod:`scoring.plausibility`), and a value that looks
implausible carries a reason (:class:`NeedsReason` lists every one at once). The form sends back the sheet it
opened with (``seen``); if the report or a value it shows changed since, :class:`ReportConflict` carries what
is stored now and nothing is overwritten.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import only_within_projects, transaction
from data_access.errors import (
    ConfigurationError,
    NeedsReason,
    PermissionDenied,
    ReportConflict,
    ValidationError,
    VersionConflict,
)
from data_access.models import (
    REPORT_STATUSES,
    Indicator,
    Milestone,
    Notification,
    Observation,
    Project,
    ProjectTarget,
    Region,
    Report,
    ReportMilestone,
    ReportValue,
    User,
)
from data_access.policy import Action, Viewer, allowed, require
from data_access.project_checks import check_version, is_date, number, require_scope_before_writing
from data_access.scope import checked_id, refusal, region_subtree_clause, require_project_in_scope, scoped_projects
from data_access.writes import MAX_VALUE, PLAN_SERIES, SERIES_RANGES, check_period, store_observations
from scoring.periods import first_of_month
from scoring.plausibility import ASKING, REFUSING, check_entries, is_cumulative, move_ratio, typical_moves

REPORTABLE_STATUSES = frozenset({"active", "suspended"})
PLAN_OF = {"PROG_ACTUAL": "PROG_PLAN", "SPEND_CUM": "SPEND_PLAN"}  # the plan series a KPI is reported against
RETURNED_KIND = "report.returned"  # the inbox message a reporter gets when their report is sent back
TEXT_LIMIT = 2000  # a note, a reason, a review comment: a few sentences, not a document
KPI_COLUMNS = ["indicator_id", "code", "name_zh", "name_en", "unit_zh", "unit_en", "dimension_zh", "dimension_en",
               "cumulative", "low", "high",
               "plan", "plan_kind", "last_value", "last_period", "next_value", "next_period", "typical_move",
               "stored", "entered", "reason"]
MILESTONE_COLUMNS = ["id", "seq", "name_zh", "name_en", "planned_start", "planned_end", "percent_complete",
                     "actual_start", "actual_end", "entered_percent", "entered_start", "entered_end"]


@dataclass(frozen=True)
class ReportSheet:
    """What the report form opens with: the report's state and one row per KPI and per milestone.

    ``kpis`` columns (library order): indicator_id, code, name_zh, name_en, unit_zh, unit_en, dimension_zh,
    dimension_en (the library's first level, which the form groups by), cumulative (may
    not fall), low, high (allowed range), plan (this period's plan series, else the project's target; NaN),
    plan_kind ("plan", "target" or None: only a period plan is checked for distance), last_value and
    last_period (latest stored value before the period), next_value and next_period (earliest stored after
    it), typical_move (usual month-to-month move; NaN with fewer than three), stored (this period's value in
    observations), entered and reason (the report's own). ``milestones`` columns: id, seq, name_zh, name_en,
    planned_start, planned_end, percent_complete, actual_start, actual_end (stored), entered_percent,
    entered_start, entered_end (the report's).
    """

    project_id: int
    period: dt.date
    report_id: int | None
    status: str | None
    version: int
    note: str | None
    review_comment: str | None
    correction_reason: str | None
    corrections: int
    review_required: bool
    kpis: pd.DataFrame
    milestones: pd.DataFrame
    submitted_by: int | None = None  # who submitted it: they may not review it themselves

    @property
    def correcting(self) -> bool:
        """Whether saving changes an accepted period (a correction needs a reason)."""
        return self.status == "accepted" or self.correction_reason is not None


@dataclass(frozen=True)
class MilestoneEntry:
    """A milestone's progress as the reporter states it; None: not stated."""

    percent_complete: float | None
    actual_start: dt.date | None
    actual_end: dt.date | None


@dataclass(frozen=True)
class SavedReport:
    """Exactly what the report now holds; ``accepted``: its values are in observations (the scores use them)."""

    report_id: int
    status: str
    version: int
    values: dict[str, float]
    milestones: dict[int, MilestoneEntry]
    accepted: bool


@dataclass(frozen=True)
class PlausibilityLimits:
    """``PERFDASH_PLAUSIBLE_JUMP`` (times the usual monthly move) and ``PERFDASH_PLAN_DEVIATION`` (share of plan)."""

    jump: float = 10.0
    plan_deviation: float = 0.5

    @classmethod
    def from_environment(cls) -> PlausibilityLimits:
        return cls(_positive_setting("PERFDASH_PLAUSIBLE_JUMP", cls.jump),
                   _positive_setting("PERFDASH_PLAN_DEVIATION", cls.plan_deviation))


def _positive_setting(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(f"{name} must be a positive number, got {raw!r}",
                                 message_zh=f"设置 {name} 须为正数")
    return value


# -- reading -----------------------------------------------------------------------------------------------------
def open_report(engine: Engine, viewer: Viewer, *, project_id: int, period: dt.date) -> ReportSheet:
    """The report form for a project and month: who may report or review it, in scope (audited refusal)."""
    if not allowed(viewer, Action.REVIEW_REPORTS):
        require(viewer, Action.REPORT_PROGRESS)
    period = _report_period(period)
    with Session(engine) as session:
        require_project_in_scope(session, viewer, project_id)
        return _sheet(session, session.get(Project, project_id), period)


def _report_period(period: object) -> dt.date:
    checked = check_period(period)
    if checked > first_of_month(dt.date.today()):
        raise ValidationError(f"{checked:%Y-%m} has not begun: a report is on a month that has started",
                              message_zh=f"{checked:%Y-%m} 尚未开始，不能填报")
    return checked


def review_required(session: Session, region_id: int) -> bool:
    """Whether reports of projects in this region wait for an official: the district's setting (a street
    follows its district; a region above districts uses its own)."""
    region = session.get(Region, region_id)
    ancestors = [int(part) for part in region.path.strip("/").split("/")]
    district = session.execute(select(Region.report_review).where(Region.id.in_(ancestors),
                                                                  Region.level == "district")).scalar()
    return bool(region.report_review if district is None else district)


def _library_kpis(session: Session, category_id: int) -> pd.DataFrame:
    """The KPIs a reporter enters for a category, in library order: level 3, not retired, for this category or
    every category, and not a plan series (plans are set by officials, never by the one measured)."""
    group, dimension = aliased(Indicator), aliased(Indicator)
    rows = session.execute(
        select(Indicator.id.label("indicator_id"), Indicator.code, Indicator.name_zh, Indicator.name_en,
               Indicator.unit_zh, Indicator.unit_en, Indicator.period_rollup,
               dimension.name_zh.label("dimension_zh"), dimension.name_en.label("dimension_en"))
        .join(group, group.id == Indicator.parent_id).join(dimension, dimension.id == group.parent_id)
        .where(Indicator.level == 3, Indicator.retired_at.is_(None), Indicator.code.not_in(list(PLAN_SERIES)),
               or_(Indicator.category_id.is_(None), Indicator.category_id == category_id))
        .order_by(dimension.sort_order, dimension.id, group.sort_order, group.id, Indicator.sort_order, Indicator.id)
    ).all()
    return pd.DataFrame([row._asdict() for row in rows],
                        columns=["indicator_id", "code", "name_zh", "name_en", "unit_zh", "unit_en", "period_rollup",
                                 "dimension_zh", "dimension_en"])


def _history(session: Session, project_id: int, codes: Sequence[str]) -> pd.DataFrame:
    rows = session.execute(
        select(Indicator.code, Observation.period, Observation.value)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Observation.project_id == project_id, Indicator.code.in_(list(codes)))
    ).all()
    return pd.DataFrame([row._asdict() for row in rows], columns=["code", "period", "value"])


def _kpis(session: Session, project: Project, period: dt.date, report_id: int | None) -> pd.DataFrame:
    kpis = _library_kpis(session, project.category_id)
    history = _history(session, project.id, [*kpis["code"], *PLAN_OF.values()])
    at = history[history["period"] == period].set_index("code")["value"]
    earlier = history[history["period"] < period].sort_values("period")
    later = history[history["period"] > period].sort_values("period")
    last = earlier.groupby("code").last()
    following = later.groupby("code").first()
    targets = dict(session.execute(select(ProjectTarget.indicator_id, ProjectTarget.target_value)
                                   .where(ProjectTarget.project_id == project.id)).all())
    entered: dict[int, tuple[float, str | None]] = {}
    if report_id is not None:
        entered = {row.indicator_id: (row.value, row.reason) for row in session.execute(
            select(ReportValue.indicator_id, ReportValue.value, ReportValue.reason)
            .where(ReportValue.report_id == report_id))}
    codes = kpis["code"]
    period_plan = codes.map(lambda code: at.get(PLAN_OF.get(code, ""), math.nan))
    target = kpis["indicator_id"].map(lambda i: targets.get(i, math.nan)).astype(float)
    ranges = codes.map(lambda code: SERIES_RANGES.get(code, (-MAX_VALUE, MAX_VALUE)))
    frame = kpis.assign(
        cumulative=[is_cumulative(c, r) for c, r in zip(codes, kpis["period_rollup"], strict=True)],
        low=[low for low, _ in ranges], high=[high for _, high in ranges],
        plan=period_plan.where(period_plan.notna(), target).astype(float),
        plan_kind=["plan" if pd.notna(p) else "target" if pd.notna(t) else None
                   for p, t in zip(period_plan, target, strict=True)],
        last_value=codes.map(last["value"]).astype(float), last_period=codes.map(last["period"]),
        next_value=codes.map(following["value"]).astype(float), next_period=codes.map(following["period"]),
        typical_move=codes.map(typical_moves(earlier)).astype(float),
        stored=codes.map(at).astype(float),
        entered=kpis["indicator_id"].map(lambda i: entered.get(i, (math.nan, None))[0]).astype(float),
        reason=kpis["indicator_id"].map(lambda i: entered.get(i, (math.nan, None))[1]),
    )
    frame = frame.astype({"last_period": object, "next_period": object})
    for column in ("last_period", "next_period", "reason"):
        frame[column] = frame[column].where(frame[column].notna(), None)
    return frame[KPI_COLUMNS].reset_index(drop=True)


def _milestones(session: Session, project_id: int, report_id: int | None) -> pd.DataFrame:
    rows = session.execute(
        select(Milestone.id, Milestone.seq, Milestone.name_zh, Milestone.name_en, Milestone.planned_start,
               Milestone.planned_end, Milestone.percent_complete, Milestone.actual_start, Milestone.actual_end,
               ReportMilestone.percent_complete.label("entered_percent"),
               ReportMilestone.actual_start.label("entered_start"), ReportMilestone.actual_end.label("entered_end"))
        .outerjoin(ReportMilestone, (ReportMilestone.milestone_id == Milestone.id)
                   & (ReportMilestone.report_id == report_id if report_id is not None else false()))
        .where(Milestone.project_id == project_id).order_by(Milestone.seq)
    ).all()
    return pd.DataFrame([row._asdict() for row in rows], columns=MILESTONE_COLUMNS)


def _sheet(session: Session, project: Project, period: dt.date) -> ReportSheet:
    report = session.execute(select(Report).where(Report.project_id == project.id, Report.period == period)
                             ).scalar_one_or_none()
    report_id = None if report is None else report.id
    return ReportSheet(
        project_id=project.id, period=period, report_id=report_id,
        status=None if report is None else report.status, version=0 if report is None else report.version,
        note=None if report is None else report.note,
        review_comment=None if report is None else report.review_comment,
        correction_reason=None if report is None or report.accepted_at is None else report.correction_reason,
        corrections=0 if report is None else report.corrections,
        review_required=review_required(session, project.region_id),
        kpis=_kpis(session, project, period, report_id), milestones=_milestones(session, project.id, report_id),
        submitted_by=None if report is None else report.submitted_by,
    )


def _state(sheet: ReportSheet) -> tuple[Any, ...]:
    """What a conflict compares: the report's version and status and every value the form showed."""
    def plain(value: Any) -> Any:
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    kpis = tuple(tuple(plain(v) for v in row) for row in sheet.kpis[["code", "stored", "entered"]].itertuples(
        index=False))
    milestones = tuple(tuple(plain(v) for v in row) for row in sheet.milestones[
        ["id", "percent_complete", "actual_start", "actual_end", "entered_percent", "entered_start", "entered_end"]
    ].itertuples(index=False))
    return sheet.version, sheet.status, kpis, milestones


# -- saving ------------------------------------------------------------------------------------------------------
def save_report(
    engine: Engine,
    viewer: Viewer,
    *,
    project_id: int,
    period: dt.date,
    values: Mapping[str, float | None],
    milestones: Mapping[int, MilestoneEntry],
    note: str | None,
    reasons: Mapping[str, str],
    seen: ReportSheet,
    submit: bool,
    correction_reason: str | None = None,
) -> SavedReport:
    """Save the report as a draft, or submit it (accepted at once where the district does not review).

    ``values``: {KPI code: value}; None is no value and is not stored. ``reasons``: {code: why} for values the
    plausibility check asks about. Correcting an accepted period needs ``correction_reason``. Raises
    ValidationError (refused values, all named), NeedsReason, ReportConflict, PermissionDenied, NotFound.
    """
    require(viewer, Action.REPORT_PROGRESS)
    period = _report_period(period)
    if not isinstance(seen, ReportSheet) or (seen.project_id, seen.period) != (project_id, period):
        raise ValidationError("The form's report is for another project or month; reload it",
                              message_zh="表单与所填项目或月份不一致，请刷新后重试")
    note = _text(note, "The note", "备注")
    correction_reason = _text(correction_reason, "The reason for the correction", "更正原因")
    reasons = _reasons(reasons)
    require_scope_before_writing(engine, viewer, project_id)
    try:
        with transaction(engine) as session:
            require_project_in_scope(session, viewer, project_id, audit_refusal=False)
            only_within_projects(session, [project_id])  # the project's month: its district's pages go stale
            project = session.get(Project, project_id)
            _require_reportable(project)
            current = _sheet(session, project, period)
            if _state(current) != _state(seen):
                raise ReportConflict(current)
            checked = _checked_values(current, values)
            entries = _checked_milestones(current, milestones)
            if submit and not checked and not entries:
                raise ValidationError("Nothing to submit: enter at least one value or milestone",
                                      message_zh="没有可提交的内容：请至少填写一项数值或里程碑进度")
            if current.correcting:
                correction_reason = correction_reason or (
                    current.correction_reason if current.status != "accepted" else None)
                if not correction_reason:
                    raise ValidationError(
                        f"{current.period:%Y-%m} was accepted: say why you correct it",
                        message_zh=f"{current.period:%Y-%m} 的月报已通过，更正须填写原因")
            kept_reasons = _plausible(current, checked, reasons, PlausibilityLimits.from_environment())
            return _write(session, viewer, project, current, checked, entries, kept_reasons, note,
                          correction_reason if current.correcting else None, submit)
    except (VersionConflict, IntegrityError):  # someone saved between our read and our write
        raise ReportConflict(open_report(engine, viewer, project_id=project_id, period=period)) from None


def _text(value: object, what: str, what_zh: str) -> str | None:
    """Optional free text: None or blank is none; otherwise text of at most :data:`TEXT_LIMIT` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text", message_zh=f"{what_zh}须为文字")
    value = value.strip()
    if len(value) > TEXT_LIMIT:
        raise ValidationError(f"{what} is longer than {TEXT_LIMIT} characters",
                              message_zh=f"{what_zh}超过 {TEXT_LIMIT} 字")
    return value or None


def _reasons(reasons: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(reasons, Mapping):
        raise ValidationError("Reasons must be given per KPI", message_zh="原因须按指标填写")
    checked = {code: _text(reason, f"The reason for {code!s:.30}", f"{code!s:.30} 的原因")
               for code, reason in reasons.items()}
    return {code: reason for code, reason in checked.items() if reason}


def _require_reportable(project: Project) -> None:
    if project.status not in REPORTABLE_STATUSES:
        raise ValidationError(f"The project is {project.status}: only active or suspended projects report",
                              message_zh="只有在建或暂停的项目可以填报月报（该项目当前状态不可填报）")


def _kpi_names(current: ReportSheet) -> dict[str, tuple[str, str, str, str]]:
    return {row.code: (row.name_en, row.name_zh, row.unit_en, row.unit_zh) for row in current.kpis.itertuples()}


def _checked_values(current: ReportSheet, values: Mapping[str, float | None]) -> dict[str, float]:
    """The given values as numbers, None left out; a code not on the form or a non-number is refused."""
    if not isinstance(values, Mapping):
        raise ValidationError("Values must be given per KPI", message_zh="数值须按指标填写")
    names = _kpi_names(current)
    unknown = [code for code in values if code not in names]
    if unknown:
        raise ValidationError(f"{unknown[0]!s:.40} is not a KPI this project reports",
                              message_zh=f"{unknown[0]!s:.40} 不是本项目月报的指标")
    return {code: number(value, f"{names[code][0]}:", f"{names[code][1]}：")
            for code, value in values.items() if value is not None}


def _checked_milestones(current: ReportSheet, milestones: Mapping[int, MilestoneEntry]
                        ) -> dict[int, MilestoneEntry]:
    """Stated milestone progress: the project's milestones, percent 0–100, dates in order; empty ones dropped."""
    if not isinstance(milestones, Mapping):
        raise ValidationError("Milestones must be given per milestone", message_zh="里程碑须逐项填写")
    names = {int(row.id): (row.name_en, row.name_zh) for row in current.milestones.itertuples()}
    checked = {}
    for milestone_id, entry in milestones.items():
        if milestone_id not in names or not isinstance(entry, MilestoneEntry):
            raise refusal("milestone", ValidationError)
        english, chinese = names[milestone_id]
        percent = None
        if entry.percent_complete is not None:
            percent = number(entry.percent_complete, f"Percent complete of {english}", f"{chinese}的完成百分比")
            if not 0 <= percent <= 100:
                raise ValidationError(f"{english}: percent complete must be between 0 and 100, got {percent:g}",
                                      message_zh=f"{chinese}：完成百分比须在 0 到 100 之间（填写的是 {percent:g}）")
        for day in (entry.actual_start, entry.actual_end):
            if day is not None and not is_date(day):
                raise ValidationError(f"{english}: {day!r:.40} is not a date", message_zh=f"{chinese}：日期无效")
            if day is not None and day > dt.date.today():
                raise ValidationError(f"{english}: {day} is in the future", message_zh=f"{chinese}：{day} 尚未到来")
        if entry.actual_start and entry.actual_end and entry.actual_end < entry.actual_start:
            raise ValidationError(f"{english}: finished {entry.actual_end} before it started {entry.actual_start}",
                                  message_zh=f"{chinese}：实际完成日期 {entry.actual_end} 早于实际开始日期 "
                                             f"{entry.actual_start}")
        if percent is not None or entry.actual_start or entry.actual_end:
            checked[milestone_id] = MilestoneEntry(percent, entry.actual_start, entry.actual_end)
    return checked


def _plausible(current: ReportSheet, values: dict[str, float], reasons: dict[str, str],
               limits: PlausibilityLimits) -> dict[str, str]:
    """Refuse implausible values (every one named), ask for the reasons still missing; returns the reasons kept.

    A value already stored for the period is data already (a form shows it filled in): it is neither refused nor
    asked about again; nor is a value entered before with its reason.
    """
    kpis = current.kpis.set_index("code")
    entries = kpis.loc[list(values)].reset_index().assign(value=list(values.values()))
    entries["plan"] = entries["plan"].where(entries["plan_kind"] == "plan")
    findings = check_entries(entries, jump=limits.jump, plan_deviation=limits.plan_deviation)
    findings = findings[findings["value"] != findings["code"].map(kpis["stored"])]
    names = _kpi_names(current)
    refused = findings[findings["rule"].isin(REFUSING)]
    if not refused.empty:
        messages = [_message(row.rule, names[row.code], row.value, row.reference, kpis.loc[row.code])
                    for row in refused.itertuples()]
        raise ValidationError("; ".join(en for en, _ in messages), message_zh="；".join(zh for _, zh in messages))
    kept = {}
    for code, value in values.items():
        earlier_reason = kpis.at[code, "reason"] if kpis.at[code, "entered"] == value else None
        if reasons.get(code) or earlier_reason:
            kept[code] = reasons.get(code) or earlier_reason
    asking = findings[findings["rule"].isin(ASKING) & ~findings["code"].isin(list(kept))]
    if not asking.empty:
        missing: dict[str, list[tuple[str, str]]] = {}
        for row in asking.itertuples():
            missing.setdefault(row.code, []).append(
                _message(row.rule, names[row.code], row.value, row.reference, kpis.loc[row.code]))
        raise NeedsReason({code: ("; ".join(en for en, _ in found), "；".join(zh for _, zh in found))
                           for code, found in missing.items()})
    return kept


def _message(rule: str, names: tuple[str, str, str, str], value: float, reference: float,
             kpi: pd.Series) -> tuple[str, str]:
    """Why a value is refused or needs a reason, in English and Chinese, naming the KPI and the numbers."""
    english, chinese, unit_en, unit_zh = names
    new_en, new_zh = f"{value:,.15g} {unit_en}".strip(), f"{value:,.15g} {unit_zh}".strip()
    ref_en, ref_zh = f"{reference:,.15g} {unit_en}".strip(), f"{reference:,.15g} {unit_zh}".strip()
    if rule == "falls":
        month = f"{kpi['last_period']:%Y-%m}"
        return (f"{english} cannot fall: {new_en} is below the {ref_en} stored for {month}",
                f"{chinese}为累计值，不能减少：{new_zh} 低于 {month} 已有的 {ref_zh}")
    if rule == "above_later":
        month = f"{kpi['next_period']:%Y-%m}"
        return (f"{english} cannot fall afterwards: {new_en} is above the {ref_en} stored for {month}",
                f"{chinese}为累计值，不能高于之后 {month} 已有的 {ref_zh}（填写的是 {new_zh}）")
    if rule == "out_of_range":
        low, high = kpi["low"], kpi["high"]
        return (f"{english} must be between {low:,.15g} and {high:,.15g}, got {value:,.15g}",
                f"{chinese}须在 {low:,.15g} 到 {high:,.15g} 之间（填写的是 {value:,.15g}）")
    last = float(kpi["last_value"])
    if rule == "jump":
        times = move_ratio(value, last, reference)
        return (f"{english} moves from {last:,.15g} to {new_en}, {times:.1f} times its usual monthly move "
                f"({reference:,.15g})",
                f"{chinese}由 {last:,.15g} 变为 {new_zh}，是通常月度变化（{reference:,.15g}）的 {times:.1f} 倍")
    share = abs(value - reference) / abs(reference)
    return (f"{english} {new_en} is {share:.0%} away from this month's plan {ref_en}",
            f"{chinese} {new_zh} 偏离本月计划 {ref_zh} {share:.0%}")


def _write(session: Session, viewer: Viewer, project: Project, current: ReportSheet, values: dict[str, float],
           milestones: dict[int, MilestoneEntry], reasons: dict[str, str], note: str | None,
           correction_reason: str | None, submit: bool) -> SavedReport:
    """Store the report, its values and milestones; accept it at once when submitted without review."""
    now = dt.datetime.now(dt.UTC)
    status = ("submitted" if current.review_required else "accepted") if submit else "draft"
    fields: dict[str, Any] = {"status": status, "note": note, "correction_reason": correction_reason,
                              "review_comment": current.review_comment, "updated_by": viewer.person_id,
                              "updated_at": now}
    if submit:
        fields |= {"submitted_by": viewer.person_id, "submitted_at": now}
    if current.report_id is None:
        report = Report(project_id=project.id, period=current.period, created_by=viewer.person_id, created_at=now,
                        version=1, corrections=0, **fields)
        session.add(report)
        session.flush()
        report_id, version = report.id, 1
    else:
        report_id, version = current.report_id, current.version + 1
        check_version(session, Report, report_id, current.version, fields)
    ids = dict(zip(current.kpis["code"], current.kpis["indicator_id"].astype(int), strict=True))
    session.execute(delete(ReportValue).where(ReportValue.report_id == report_id))
    session.execute(delete(ReportMilestone).where(ReportMilestone.report_id == report_id))
    session.add_all([ReportValue(report_id=report_id, indicator_id=ids[code], value=value, reason=reasons.get(code))
                     for code, value in values.items()])
    session.add_all([ReportMilestone(report_id=report_id, milestone_id=milestone_id, **asdict(entry))
                     for milestone_id, entry in milestones.items()])
    session.flush()
    audit.append(session, actor=viewer, action="report.submit" if submit else "report.save", entity="report",
                 entity_id=report_id,
                 before=None if current.report_id is None else {"status": current.status,
                                                                "values": _entered(current)},
                 after={"status": status, "period": current.period, "project_id": project.id, "values": values,
                        "reasons": reasons, "milestones": {str(k): asdict(v) for k, v in milestones.items()},
                        "note": note, "correction_reason": correction_reason})
    if status == "accepted":
        version = _accept(session, viewer, report_id, version, entered_by=viewer.person_id)
    return SavedReport(report_id=report_id, status=status, version=version, values=values, milestones=milestones,
                       accepted=status == "accepted")


def _entered(sheet: ReportSheet) -> dict[str, float]:
    entered = sheet.kpis[sheet.kpis["entered"].notna()]
    return dict(zip(entered["code"], entered["entered"].astype(float), strict=True))


def _accept(session: Session, actor: Viewer, report_id: int, version: int, *, entered_by: int | None,
            review: Mapping[str, Any] | None = None) -> int:
    """Write the report's values to observations and its milestones to milestones; returns the new version.

    A report accepted before is a correction: it counts, and the audit entries carry what it replaced.
    ``review``: the reviewer's fields, set in the same update.
    """
    report = session.execute(select(Report).where(Report.id == report_id)
                             .execution_options(populate_existing=True)).scalar_one()
    correction = report.accepted_at is not None
    check_version(session, Report, report_id, version,
                  {"status": "accepted", "accepted_at": dt.datetime.now(dt.UTC),
                   "corrections": report.corrections + int(correction), **(review or {})})
    rows = session.execute(select(Indicator.code, Indicator.id, ReportValue.value)
                           .join(ReportValue, ReportValue.indicator_id == Indicator.id)
                           .where(ReportValue.report_id == report_id)).all()
    store_observations(session, actor, project_id=report.project_id, period=report.period,
                       values={row.code: row.value for row in rows}, indicator_ids={row.code: row.id for row in rows},
                       source="report", entered_by=entered_by)
    for stated in session.execute(select(ReportMilestone).where(ReportMilestone.report_id == report_id)).scalars():
        milestone = session.get(Milestone, stated.milestone_id)
        changes = {field: getattr(stated, field) for field in ("percent_complete", "actual_start", "actual_end")
                   if getattr(stated, field) is not None}
        before = {field: getattr(milestone, field) for field in changes}
        check_version(session, Milestone, milestone.id, milestone.version, changes)
        audit.append(session, actor=actor, action="milestone.update", entity="milestone", entity_id=milestone.id,
                     before=before, after=changes)
    audit.append(session, actor=actor, action="report.accept", entity="report", entity_id=report_id,
                 after={"values": {row.code: row.value for row in rows}, "correction": correction,
                        "correction_reason": report.correction_reason if correction else None})
    return version + 1


# -- review ------------------------------------------------------------------------------------------------------
def review_report(engine: Engine, viewer: Viewer, *, report_id: int, version: int, accept: bool,
                  comment: str | None) -> int:
    """Accept a submitted report (its values go to observations) or send it back with a comment (required).

    For admins and the district officials of the project's region, never for the person who submitted it.
    A stale ``version`` raises ReportConflict with the report as it is now. Returns the report's project id.
    """
    require(viewer, Action.REVIEW_REPORTS)
    report_id = checked_id(report_id, "report")
    comment = _text(comment, "The comment", "审核意见")
    if not accept and not comment:
        raise ValidationError("Say why the report goes back: a comment is required",
                              message_zh="退回月报须填写审核意见")
    with Session(engine) as session:
        project_id, period = _scoped_report(session, viewer, report_id)
    try:
        with transaction(engine) as session:
            _scoped_report(session, viewer, report_id, audit_refusal=False)
            only_within_projects(session, [project_id])
            report = session.get(Report, report_id)
            if report.submitted_by == viewer.user_id:
                raise PermissionDenied("You submitted this report: another official reviews it",
                                       message_zh="您是该月报的提交人，须由其他人审核")
            if report.status != "submitted":
                raise ValidationError(f"Only a submitted report can be reviewed; this one is {report.status}",
                                      message_zh="只有已提交的月报可以审核")
            review = {"review_comment": comment, "reviewed_by": viewer.person_id,
                      "reviewed_at": dt.datetime.now(dt.UTC)}
            audit.append(session, actor=viewer, action="report.review", entity="report", entity_id=report_id,
                         before={"status": "submitted"},
                         after={"status": "accepted" if accept else "returned", "comment": comment})
            if accept:
                _accept(session, viewer, report_id, version, entered_by=report.submitted_by, review=review)
            else:
                check_version(session, Report, report_id, version, {"status": "returned", **review})
                _tell_returned(session, report, comment or "", version + 1)
    except VersionConflict:
        raise ReportConflict(open_report(engine, viewer, project_id=project_id, period=period)) from None
    return project_id


def _tell_returned(session: Session, report: Report, comment: str, version: int) -> None:
    """The submitter's inbox says their report came back and why (in the review's transaction: never lost)."""
    if report.submitted_by is None:
        return
    project = session.get(Project, report.project_id)
    month = f"{report.period:%Y-%m}"
    session.add(Notification(
        user_id=report.submitted_by, created_at=dt.datetime.now(dt.UTC), kind=RETURNED_KIND,
        topic=f"{RETURNED_KIND}/{report.id}/{version}", email_attempts=0,
        subject_zh=f"{month} 月报被退回：{project.code}"[:200],
        subject_en=f"{month} report sent back: {project.code}"[:300],
        body_zh=f"{project.code} {project.name_zh} 的 {month} 月报被退回，请修改后重新提交。审核意见：{comment}",
        body_en=f"The {month} report of {project.code} {project.name_en} was sent back; please change it and "
                f"submit it again. Comment: {comment}"))


def may_review(viewer: Viewer, sheet: ReportSheet) -> bool:
    """Whether the form shows this viewer the review buttons: a reviewer's role, a submitted report, and not
    their own submission (the sheet was opened in the viewer's scope; review_report checks everything again)."""
    return (allowed(viewer, Action.REVIEW_REPORTS) and sheet.status == "submitted"
            and sheet.submitted_by != viewer.user_id)


def _scoped_report(session: Session, viewer: Viewer, report_id: int, *, audit_refusal: bool = True
                   ) -> tuple[int, dt.date]:
    """The report's project and month, or the one refusal for an unknown report and one out of scope."""
    row = session.execute(select(Report.project_id, Report.period).where(Report.id == report_id)).one_or_none()
    if row is None:
        raise refusal("report")
    require_project_in_scope(session, viewer, row.project_id, audit_refusal=audit_refusal, kind="report")
    return row.project_id, row.period


def set_review(engine: Engine, viewer: Viewer, *, region_id: int, enabled: bool) -> None:
    """Switch review of monthly reports on or off for a district (admins; an official for their own)."""
    require(viewer, Action.REVIEW_REPORTS)
    region_id = checked_id(region_id, "region")
    if not isinstance(enabled, bool):
        raise ValidationError("Review is on or off", message_zh="审核设置须为开启或关闭")
    with transaction(engine) as session:
        region = session.execute(select(Region).where(Region.id == region_id,
                                                      region_subtree_clause(viewer, Region.path))).scalar()
        if region is None:
            raise refusal("region")
        if region.level != "district":
            raise ValidationError("Review is set per district (a street follows its district)",
                                  message_zh="审核按区县设置（街道随所在区县）")
        before = region.report_review
        region.report_review = enabled
        audit.append(session, actor=viewer, action="region.report_review", entity="region", entity_id=region_id,
                     before={"report_review": before}, after={"report_review": enabled})


def list_reports(engine: Engine, viewer: Viewer, *, period: dt.date | None = None,
                 statuses: Sequence[str] | None = None, project_id: int | None = None) -> pd.DataFrame:
    """Reports of the projects in scope (or of one of them), newest month first.

    Columns: report_id, project_id, code, name_zh, name_en, region_zh, region_en, period, status, submitted_at,
    submitted_by_name, corrections, correction_reason, review_comment, version.
    """
    if statuses is not None and (isinstance(statuses, str) or not set(statuses) <= set(REPORT_STATUSES)):
        raise ValidationError(f"Unknown report status in {statuses!r:.60}", message_zh="未知的月报状态")
    submitter = aliased(User)
    statement = (
        scoped_projects(viewer, Report.id.label("report_id"), Project.id.label("project_id"), Project.code,
                        Project.name_zh, Project.name_en, Region.name_zh.label("region_zh"),
                        Region.name_en.label("region_en"), Report.period, Report.status, Report.submitted_at,
                        submitter.display_name.label("submitted_by_name"), Report.corrections,
                        Report.correction_reason, Report.review_comment, Report.version, include_archived=True)
        .join(Report, Report.project_id == Project.id)
        .outerjoin(submitter, submitter.id == Report.submitted_by)
        .order_by(Report.period.desc(), Project.code)
    )
    if period is not None:
        statement = statement.where(Report.period == check_period(period))
    if statuses is not None:
        statement = statement.where(Report.status.in_(list(statuses)))
    if project_id is not None:
        statement = statement.where(Project.id == checked_id(project_id, "project"))
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
