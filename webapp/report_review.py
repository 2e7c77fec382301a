"""Reviewing a submitted monthly report (月报审核): its values, reasons and site photos, then 采纳 or 退回; and the
district's switch that decides whether its reports are reviewed at all."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.formatting import date, figure, percent
from components.i18n import name_suffix
from components.text import plain
from data_access import DataAccessError, Viewer
from data_access.policy import Action, allowed
from data_access.reports import ReportSheet, set_review
from services.reports import review
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.photo_upload import photo_gallery
from webapp.report_form import SHEET_KEY, as_day, kpi_label, kpi_reference, widget_key
from webapp.session import shared_engine, show_data_error

REVIEWED_KEY = "report_reviewed"  # what a review did, shown at the top after its rerun
SWITCHED_KEY = "report_review_switched"  # the switch's new position, or its refusal, shown under it


def review_panel(viewer: Viewer, sheet: ReportSheet) -> None:
    """What the report states, one line a value, with the photos; then the comment and 采纳 / 退回."""
    lang = current_language()
    st.subheader(t("review.heading"))
    lines = []
    for kpi in sheet.kpis[sheet.kpis["entered"].notna()].itertuples():
        reference = kpi_reference(kpi, sheet.period, lang)
        lines.append(f"- {kpi_label(kpi, lang)}：**{figure(kpi.entered, lang)}**"
                     + (f" · {reference}" if reference else ""))
        if isinstance(kpi.reason, str):
            lines.append("  " + t("review.reason", reason=plain(kpi.reason)))
    for row in sheet.milestones[sheet.milestones["entered_percent"].notna()
                                | sheet.milestones["entered_start"].notna()
                                | sheet.milestones["entered_end"].notna()].itertuples():
        lines.append("- " + t("report.saved_milestone", name=plain(getattr(row, f"name_{name_suffix(lang)}")),
                              percent=percent(row.entered_percent, lang), start=date(as_day(row.entered_start), lang),
                              end=date(as_day(row.entered_end), lang)))
    st.markdown("\n".join(lines) if lines else t("review.no_values"))
    if sheet.note:
        st.markdown(t("review.note", note=plain(sheet.note)))
    photo_gallery(viewer, project_id=sheet.project_id, report_id=sheet.report_id, key=widget_key(sheet, "gallery"))
    comment = st.text_area(t("review.comment"), max_chars=1000, height=80, key=widget_key(sheet, "review_comment"))
    accept = st.button(t("review.accept"), type="primary", width="stretch", key=widget_key(sheet, "accept"))
    send_back = st.button(t("review.return"), width="stretch", key=widget_key(sheet, "return"))
    if accept or send_back:
        try:  # the data layer refuses a send-back without a comment, in both languages
            warning_error = review(shared_engine(), viewer, report_id=int(sheet.report_id or 0),
                                   version=sheet.version, accept=accept, comment=comment.strip() or None)
        except DataAccessError as error:
            show_data_error(error)
        else:
            st.session_state[REVIEWED_KEY] = (t("review.accepted" if accept else "review.returned"), warning_error)
            st.session_state.pop(SHEET_KEY, None)
            st.rerun()


def show_review_done() -> None:
    """What the review just did (and the warnings' evaluation error, when it failed after an acceptance)."""
    done = st.session_state.pop(REVIEWED_KEY, None)
    if done is not None:
        st.success(done[0])
        if done[1] is not None:
            show_data_error(done[1])


def review_switch(viewer: Viewer, project: pd.Series, sheet: ReportSheet) -> None:
    """For officials and admins: whether the reports of this project's district are reviewed (a toggle)."""
    if not allowed(viewer, Action.REVIEW_REPORTS):
        return
    district_id = _district_of(project["region_path"])
    regions = data.regions(viewer)
    names = dict(zip(regions["id"], regions[name_column()], strict=True))
    region = plain(names.get(district_id, project[name_column("region")]))
    key = f"report_review_switch_{district_id}"
    st.divider()
    st.toggle(t("review.switch", region=region), value=sheet.review_required, key=key, on_change=_switch,
              args=(viewer, district_id, region, key))
    switched = st.session_state.pop(SWITCHED_KEY, None)
    if isinstance(switched, DataAccessError):
        show_data_error(switched)
    elif switched:
        st.success(switched)


def _district_of(region_path: str) -> int:
    """The district in a region path ``/city/district[/street]/`` (a city-level project: the city)."""
    ids = [int(part) for part in region_path.strip("/").split("/")]
    return ids[1] if len(ids) > 1 else ids[0]


def _switch(viewer: Viewer, district_id: int, region: str, key: str) -> None:
    """Store the toggle's new position; a refusal puts the toggle back where it was."""
    enabled = bool(st.session_state[key])
    try:
        set_review(shared_engine(), viewer, region_id=district_id, enabled=enabled)
    except DataAccessError as error:
        st.session_state[key] = not enabled
        st.session_state[SWITCHED_KEY] = error
    else:
        st.session_state[SWITCHED_KEY] = t("review.switch_saved", region=region,
                                       state=t("review.switch_on" if enabled else "review.switch_off"))
        st.session_state.pop(SHEET_KEY, None)  # the form says whether submitting is accepting
