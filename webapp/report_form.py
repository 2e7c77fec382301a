"""The monthly report form (进度填报) of one project and month: one column a thumb fills on a phone.

The form keeps the sheet it was opened with: that is the ``seen`` of the next save, so a report saved by
someone else in between comes back as a conflict to decide value by value, never overwritten. A value that
needs a reason gets a reason field under it; what a save stored is shown back exactly as stored.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from components.formatting import date, figure, month, percent
from components.i18n import name_suffix
from components.text import plain
from data_access import DataAccessError, Viewer
from data_access.errors import NeedsReason, ReportConflict
from data_access.reports import MilestoneEntry, ReportSheet, SavedReport, open_report
from scoring.periods import add_months
from services.paper.layout import NOTE
from services.reports import submit_report
from webapp.i18n import current_language, t
from webapp.paper_intake import attach_scan, prefill, read_codes, read_from_paper, scan_suffix
from webapp.photo_upload import photo_gallery, photo_inputs, store_photos
from webapp.session import shared_engine, show_data_error
from webapp.voice_note import voice_input

SHEET_KEY = "report_sheet"  # the sheet the form on screen was opened with
OUTCOME_KEY = "report_outcome"  # what the last save stored, shown after the rerun
QUESTION_KEY = "report_question"  # the values that need a reason, or the conflict to decide
MARKERS = ("note", "review_comment", "resolve")  # an input of the form, of the review, of the conflict panel
STATUS_WORDS = {None: "report.status.none", "draft": "report.status.draft",
                "submitted": "report.status.submitted", "returned": "report.status.returned",
                "accepted": "report.status.accepted"}
PLAN_WORDS = {"plan": "report.plan", "target": "report.target"}  # the sheet's plan_kind: this month's plan or target


@dataclass(frozen=True)
class Draft:
    """What the user asked to save, kept while a conflict about it is decided."""

    values: dict[str, float]
    milestones: dict[int, MilestoneEntry]
    note: str | None
    reasons: dict[str, str]
    correction_reason: str | None
    submit: bool
    photos: list[UploadedFile] = field(default_factory=list)
    voice: UploadedFile | None = None


@dataclass(frozen=True)
class Outcome:
    """A save that went through: what is stored now, and what else the user must know about it."""

    project_id: int
    period: dt.date
    saved: SavedReport
    warnings_evaluated: bool
    warning_error: DataAccessError | None
    photo_problems: list[str]


def widget_key(sheet: ReportSheet, name: str) -> str:
    """A key of this sheet's inputs: a new version (after a save) opens fresh inputs with the stored values."""
    return f"report_{sheet.project_id}_{sheet.period:%Y%m}_v{sheet.version}{scan_suffix(sheet)}_{name}"


def opened_sheet(viewer: Viewer, project_id: int, period: dt.date) -> ReportSheet:
    """The sheet as the form on screen was opened; read anew when the form is opened anew.

    The form, the review and the conflict panel each always have one of the ``MARKERS`` inputs: when none is
    left (another project, month or page, or a save that changed the version), the sheet is read again.
    """
    held: ReportSheet | None = st.session_state.get(SHEET_KEY)
    if held is None or (held.project_id, held.period) != (project_id, period) \
            or not any(widget_key(held, marker) in st.session_state for marker in MARKERS):
        held = open_report(shared_engine(), viewer, project_id=project_id, period=period)
        st.session_state[SHEET_KEY] = held
    return held


def status_word(status: str | None) -> str:
    return t(STATUS_WORDS[status])


def kpi_label(kpi: Any, lang: str) -> str:
    """``累计完成投资（万元）``: the KPI's name and unit (library data, so escaped)."""
    name, unit = getattr(kpi, f"name_{name_suffix(lang)}"), getattr(kpi, f"unit_{name_suffix(lang)}")
    return t("report.kpi_label", name=plain(name), unit=plain(unit)) if unit else plain(name)


def kpi_reference(kpi: Any, period: dt.date, lang: str) -> str:
    """``计划 80 · 上月 72.5``: this month's plan (or the project's target) and the latest value before it."""
    parts = []
    if kpi.plan_kind in PLAN_WORDS:
        parts.append(f"{t(PLAN_WORDS[kpi.plan_kind])} {figure(kpi.plan, lang)}")
    if as_number(kpi.last_value) is not None:
        when = t("report.last_month") if kpi.last_period == add_months(period, -1) else month(kpi.last_period, lang)
        parts.append(f"{when} {figure(kpi.last_value, lang)}")
    return " · ".join(parts)


def as_number(value: object) -> float | None:
    """A frame cell as a float, None when missing (NaN, None, NA)."""
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def as_day(value: object) -> dt.date | None:
    """A frame cell as a date, None when missing (NaT, None)."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]


def sheet_values(sheet: ReportSheet) -> dict[str, float]:
    """The value each KPI shows: the report's own, else what is stored for the month (imported, accepted)."""
    values = {}
    for kpi in sheet.kpis.itertuples():
        value = as_number(kpi.entered)
        value = as_number(kpi.stored) if value is None else value
        if value is not None:
            values[kpi.code] = value
    return values


def _open_milestones(sheet: ReportSheet) -> pd.DataFrame:
    """Milestones not finished, or due in the month reported on, or whose progress the report already states."""
    frame = sheet.milestones
    next_month = add_months(sheet.period, 1)
    due = frame["planned_end"].map(lambda day: as_day(day) is not None and sheet.period <= as_day(day) < next_month)
    stated = frame[["entered_percent", "entered_start", "entered_end"]].notna().any(axis=1)
    return frame[frame["actual_end"].isna() | due | stated]


def _stored_entry(row: Any) -> MilestoneEntry:
    return MilestoneEntry(as_number(row.percent_complete), as_day(row.actual_start), as_day(row.actual_end))


def _shown_entry(row: Any) -> MilestoneEntry:
    entered = MilestoneEntry(as_number(row.entered_percent), as_day(row.entered_start), as_day(row.entered_end))
    stated = any(value is not None for value in (entered.percent_complete, entered.actual_start, entered.actual_end))
    return entered if stated else _stored_entry(row)


def report_form(viewer: Viewer, sheet: ReportSheet) -> None:
    """The form, or first the conflict to decide; after a save, what it stored."""
    question = st.session_state.get(QUESTION_KEY)
    if isinstance(question, tuple) and question[0] == widget_key(sheet, "conflict"):
        _conflict_panel(viewer, question[1], sheet)
        return
    needs = question[1] if isinstance(question, tuple) and question[0] == widget_key(sheet, "reasons") else {}
    _form(viewer, sheet, needs)
    show_outcome(sheet)


def _form(viewer: Viewer, sheet: ReportSheet, needs: Mapping[str, tuple[str, str]]) -> None:
    """Every input in one column (no ``st.form``: the photo picker's camera switch must answer at once)."""
    lang = current_language()
    shown = sheet_values(sheet)
    note_read = prefill(sheet, shown)
    from_paper = read_codes(sheet)
    values: dict[str, float | None] = {}
    reasons: dict[str, str] = {}
    if needs:
        st.warning(t("report.needs_reason"))
    monthly, groups = kpi_groups(sheet.kpis, lang)
    for kpi in monthly.itertuples():
        _kpi_input(sheet, kpi, shown, needs, values, reasons, lang)
    for dimension, group in groups:
        asking = bool(set(group["code"]) & (set(needs) | from_paper)) \
            or group["reason"].map(lambda r: isinstance(r, str)).any()
        label = t("report.group", name=plain(dimension), n=len(group),
                  filled=sum(code in shown for code in group["code"]))
        with st.expander(label, expanded=asking or monthly.empty and dimension == groups[0][0]):
            for kpi in group.itertuples():
                _kpi_input(sheet, kpi, shown, needs, values, reasons, lang)
    milestones = _milestone_inputs(sheet, lang)
    note = st.text_area(t("report.note"), value=note_read or sheet.note or "", max_chars=2000, height=80,
                        key=widget_key(sheet, "note"))
    read_from_paper(sheet, NOTE)
    voice = voice_input(widget_key(sheet, "voice"), widget_key(sheet, "note"))
    correction = None
    if sheet.correcting:
        st.info(t("report.accepted_note"))
        correction = st.text_input(t("report.correction_reason"), value=sheet.correction_reason or "",
                                   max_chars=500, key=widget_key(sheet, "correction"))
    st.markdown(f"**{t('photos.section')}**")
    if sheet.report_id is not None:  # what earlier saves attached, so nothing is attached twice
        photo_gallery(viewer, project_id=sheet.project_id, report_id=sheet.report_id,
                      key=widget_key(sheet, "gallery"))
    photos = photo_inputs(widget_key(sheet, "photos"))
    st.caption(t("report.submit_reviewed" if sheet.review_required else "report.submit_accepts"))
    draft = st.button(t("report.save_draft"), width="stretch", key=widget_key(sheet, "save_draft"))
    submit = st.button(t("report.submit"), type="primary", width="stretch", key=widget_key(sheet, "submit"))
    if draft or submit:
        filled = {code: value for code, value in values.items() if value is not None}
        if not filled and not milestones:
            st.error(t("report.empty"))
            return
        save(viewer, sheet, Draft(values=filled, milestones=milestones, note=note.strip() or None,
                                  reasons={code: text.strip() for code, text in reasons.items() if text.strip()},
                                  correction_reason=(correction or "").strip() or None, submit=submit,
                                  photos=list(photos), voice=voice))


def kpi_groups(kpis: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[tuple[str, pd.DataFrame]]]:
    """The month's essentials (KPIs with a plan for the month: progress, spend), shown open, and the other KPIs
    by dimension, in library order, each folded: a phone shows a short form, and every KPI is one tap away."""
    monthly = kpis[kpis["plan_kind"] == "plan"]
    rest = kpis.drop(monthly.index)
    return monthly, [(str(name), group) for name, group in rest.groupby(f"dimension_{name_suffix(lang)}", sort=False)]


def _kpi_input(sheet: ReportSheet, kpi: Any, shown: Mapping[str, float], needs: Mapping[str, tuple[str, str]],
               values: dict[str, float | None], reasons: dict[str, str], lang: str) -> None:
    """One KPI's number input with its plan and last value under it, and its reason field when one is needed."""
    values[kpi.code] = st.number_input(kpi_label(kpi, lang), value=shown.get(kpi.code), step=1.0,
                                       key=widget_key(sheet, f"kpi_{kpi.code}"))
    reference = kpi_reference(kpi, sheet.period, lang)
    if reference:
        st.caption(reference)
    read_from_paper(sheet, kpi.code)
    if kpi.code in needs or isinstance(kpi.reason, str):
        if kpi.code in needs:
            english, chinese = needs[kpi.code]
            st.warning(plain(chinese if lang == "zh" else english))
        reasons[kpi.code] = st.text_input(
            t("report.reason", name=plain(getattr(kpi, f"name_{name_suffix(lang)}"))),
            value=kpi.reason if isinstance(kpi.reason, str) else "", max_chars=500,
            key=widget_key(sheet, f"reason_{kpi.code}"))


def _milestone_inputs(sheet: ReportSheet, lang: str) -> dict[int, MilestoneEntry]:
    """Percent complete and actual dates of the open milestones; returns those that differ from what is stored."""
    rows = _open_milestones(sheet)
    if rows.empty:
        return {}
    st.markdown(f"**{t('report.milestones')}**")
    changed = {}
    for row in rows.itertuples():
        shown = _shown_entry(row)
        st.markdown(t("report.milestone_label", name=plain(getattr(row, f"name_{name_suffix(lang)}")),
                      end=date(as_day(row.planned_end), lang)))
        entry = MilestoneEntry(
            st.number_input(t("report.percent"), value=shown.percent_complete, step=5.0,
                            key=widget_key(sheet, f"ms_{row.id}_percent")),
            st.date_input(t("report.actual_start"), value=shown.actual_start, format="YYYY-MM-DD",
                          key=widget_key(sheet, f"ms_{row.id}_start")),
            st.date_input(t("report.actual_end"), value=shown.actual_end, format="YYYY-MM-DD",
                          key=widget_key(sheet, f"ms_{row.id}_end")))
        if entry != _stored_entry(row):
            changed[int(row.id)] = entry
    return changed


def save(viewer: Viewer, sheet: ReportSheet, draft: Draft) -> None:
    """Save ``draft`` over ``sheet`` (one transaction), then its photos and voice note; questions are asked on the
    rerun."""
    try:
        result = submit_report(
            shared_engine(), viewer, project_id=sheet.project_id, period=sheet.period, values=draft.values,
            milestones=draft.milestones, note=draft.note, reasons=draft.reasons, seen=sheet, submit=draft.submit,
            correction_reason=draft.correction_reason)
    except NeedsReason as question:
        st.session_state[QUESTION_KEY] = (widget_key(sheet, "reasons"), question.codes)
        st.rerun()
    except ReportConflict as conflict:
        st.session_state[QUESTION_KEY] = (widget_key(conflict.theirs, "conflict"), draft)
        st.session_state[SHEET_KEY] = conflict.theirs
        st.rerun()
    except DataAccessError as error:
        show_data_error(error)
        return
    problems = store_photos(viewer, project_id=sheet.project_id, report_id=result.saved.report_id,
                            period=sheet.period, files=draft.photos) if draft.photos else []
    if draft.voice is not None:
        problems += store_photos(viewer, project_id=sheet.project_id, report_id=result.saved.report_id,
                                 period=sheet.period, files=[draft.voice], voice=True)
    problems += attach_scan(viewer, sheet, result.saved.report_id)
    st.session_state[OUTCOME_KEY] = Outcome(sheet.project_id, sheet.period, result.saved, result.warnings_evaluated,
                                            result.warning_error, problems)
    st.session_state.pop(QUESTION_KEY, None)
    st.session_state.pop(SHEET_KEY, None)
    st.rerun()


def _conflict_panel(viewer: Viewer, draft: Draft, theirs: ReportSheet) -> None:
    """Both versions of each KPI that differs; the user keeps one of each and saves over what is stored now."""
    lang = current_language()
    st.warning(t("report.conflict"))
    stored = sheet_values(theirs)
    chosen = dict(draft.values)
    for kpi in theirs.kpis.itertuples():
        mine, saved = draft.values.get(kpi.code), stored.get(kpi.code)
        if mine == saved:
            continue
        options = {"mine": t("report.conflict_mine", value=figure(mine, lang)),
                   "theirs": t("report.conflict_theirs", value=figure(saved, lang))}
        pick = st.radio(kpi_label(kpi, lang), list(options), format_func=options.__getitem__,
                        key=widget_key(theirs, f"choose_{kpi.code}"))
        if pick == "theirs":
            chosen.pop(kpi.code, None)
            if saved is not None:
                chosen[kpi.code] = saved
    milestones = _choose_milestones(theirs, draft, lang)
    if st.button(t("report.conflict_save"), type="primary", width="stretch", key=widget_key(theirs, "resolve")):
        save(viewer, theirs, Draft(values=chosen, milestones=milestones, note=draft.note,
                                   reasons=draft.reasons, correction_reason=draft.correction_reason,
                                   submit=draft.submit, photos=draft.photos, voice=draft.voice))


def _choose_milestones(theirs: ReportSheet, draft: Draft, lang: str) -> dict[int, MilestoneEntry]:
    """The milestones as the user keeps them: a choice for each that the two versions state differently (saving
    replaces the report's milestones, so theirs must not drop out unseen)."""
    kept = dict(draft.milestones)
    for row in theirs.milestones.itertuples():
        stored, saved = _stored_entry(row), _shown_entry(row)
        mine = draft.milestones.get(int(row.id), stored)
        if mine == saved:
            continue
        options = {"mine": t("report.conflict_mine", value=_entry_text(mine, lang)),
                   "theirs": t("report.conflict_theirs", value=_entry_text(saved, lang))}
        pick = st.radio(plain(getattr(row, f"name_{name_suffix(lang)}")), list(options),
                        format_func=options.__getitem__,
                        key=widget_key(theirs, f"choose_ms_{row.id}"))
        chosen = mine if pick == "mine" else saved
        if chosen == stored:
            kept.pop(int(row.id), None)
        else:
            kept[int(row.id)] = chosen
    return kept


def _entry_text(entry: MilestoneEntry, lang: str) -> str:
    return (f"{percent(entry.percent_complete, lang)} · "
            f"{date(entry.actual_start, lang)} – {date(entry.actual_end, lang)}")


def show_outcome(sheet: ReportSheet) -> None:
    """What the last save of this project and month stored, value by value, with its status."""
    outcome: Outcome | None = st.session_state.get(OUTCOME_KEY)
    if outcome is None or (outcome.project_id, outcome.period) != (sheet.project_id, sheet.period):
        return
    lang = current_language()
    order = {kpi.code: (index, kpi_label(kpi, lang)) for index, kpi in enumerate(sheet.kpis.itertuples())}
    lines = [f"- {order[code][1] if code in order else plain(code)}：{figure(value, lang)}" for code, value in
             sorted(outcome.saved.values.items(), key=lambda item: order.get(item[0], (len(order), ""))[0])]
    names = {int(row.id): getattr(row, f"name_{name_suffix(lang)}") for row in sheet.milestones.itertuples()}
    lines += ["- " + t("report.saved_milestone", name=plain(names.get(milestone_id, milestone_id)),
                       percent=percent(entry.percent_complete, lang), start=date(entry.actual_start, lang),
                       end=date(entry.actual_end, lang))
              for milestone_id, entry in outcome.saved.milestones.items()]
    st.success(t("report.saved", status=status_word(outcome.saved.status)))
    st.markdown(f"**{t('report.saved_values')}**\n\n" + ("\n".join(lines) if lines else t("report.saved_no_values")))
    if outcome.saved.accepted:
        st.caption(t("report.reevaluated" if outcome.warnings_evaluated else "report.not_reevaluated"))
    if outcome.warning_error is not None:
        show_data_error(outcome.warning_error)
    for problem in outcome.photo_problems:
        st.warning(problem)  # already Markdown-safe (store_photos escapes the file's name)
