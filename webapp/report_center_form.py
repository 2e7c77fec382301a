"""The 报告中心 page's choices: kind, period (the last closed one first), scope, category, department and language.

An official's scope is fixed to their district (the selectbox shows it, disabled); whoever sees everything picks
everything, a city or a district. The choices become a :class:`ReportRequest`; building checks the scope again.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.i18n import LANGUAGE_NAMES
from data_access import Viewer
from data_access.models import REPORT_KINDS
from scoring.report_periods import ReportPeriod, last_closed
from services.report_center.blocks import ReportRequest
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.report_center_data import departments

PERIODS_OFFERED = {"week": 12, "month": 12, "quarter": 8, "year": 3}  # how far back the period list goes
EVERY = 0  # the option "every region / category / department" (a selectbox shows None as nothing chosen)
DEFAULT_KIND = "monthly"


def recent_periods(kind: str, today: dt.date) -> list[ReportPeriod]:
    """The last closed period of ``kind`` and those before it, newest first."""
    periods = [last_closed(kind, today)]
    for _ in range(PERIODS_OFFERED[periods[0].length] - 1):
        periods.append(periods[-1].previous())
    return periods


def scope_choices(viewer: Viewer, regions: pd.DataFrame) -> dict[int, str]:
    """Region id → label: an official's own region only; otherwise everything (:data:`EVERY`), each city and its
    districts."""
    names = regions.set_index("id")[name_column()]
    if not viewer.sees_everything:
        own = viewer.region_id or EVERY
        return {own: str(names.get(own, ""))}
    shown = regions[regions["level"].isin(["city", "district"])].sort_values("path")
    choices: dict[int, str] = {EVERY: t("report_center.scope_all")}
    for row in shown.itertuples():
        choices[int(row.id)] = ("　" if row.level == "district" else "") + str(names[row.id])
    return choices


def report_request(viewer: Viewer, today: dt.date) -> ReportRequest:
    """The report the widgets describe (the build button is the page's)."""
    lang = current_language()
    kind_column, period_column, language_column = st.columns(3)
    kind_names = {kind: t(f"report_center.kind.{kind}") for kind in REPORT_KINDS}
    kind = kind_column.selectbox(t("report_center.kind"), REPORT_KINDS, key="report_center_kind",
                                 index=REPORT_KINDS.index(DEFAULT_KIND), placeholder=t("common.choose"),
                                 format_func=kind_names.__getitem__)
    periods = {period.label: period for period in recent_periods(kind, today)}
    period = period_column.selectbox(t("report_center.period"), list(periods), key=f"report_center_period_{kind}",
                                     help=t("report_center.period_help"), placeholder=t("common.choose"))
    language = language_column.radio(t("report_center.language"), list(LANGUAGE_NAMES), horizontal=True,
                                     index=list(LANGUAGE_NAMES).index(lang),
                                     format_func=LANGUAGE_NAMES.__getitem__, key="report_center_language")
    scope_column, category_column, department_column = st.columns(3)
    scopes = scope_choices(viewer, data.regions(viewer))
    region_id = scope_column.selectbox(t("report_center.scope"), list(scopes), format_func=scopes.__getitem__,
                                       key="report_center_scope", disabled=len(scopes) == 1,
                                       placeholder=t("common.choose"))
    categories = data.categories(viewer)
    category_names = {"": t("report_center.every_category"),
                      **dict(zip(categories["code"], categories[name_column()], strict=True))}
    category = category_column.selectbox(t("report_center.category"), list(category_names),
                                         key="report_center_category", format_func=category_names.__getitem__,
                                         placeholder=t("common.choose"))
    department_names = {EVERY: t("report_center.every_department")}
    if region_id:
        found = departments(viewer, region_id)
        department_names.update(zip(found["id"].astype(int), found[name_column()], strict=True))
    department_id = department_column.selectbox(
        t("report_center.department"), list(department_names), key=f"report_center_department_{region_id}",
        format_func=department_names.__getitem__, disabled=len(department_names) == 1,
        placeholder=t("common.choose"))
    return ReportRequest(kind, period or "", region_id=region_id or None,
                         language=language, category=category or None,
                         department_id=department_id or None)
