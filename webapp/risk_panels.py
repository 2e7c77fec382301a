"""Risk prediction on pages (风险预测): the overview's ten projects most likely to slip, the big screen's few, a
project's risk on its scorecard, and, where there is no usable model, why."""
from __future__ import annotations

from typing import Any

import streamlit as st

from components.colours import risk_level
from components.risk_charts import risk_trend
from components.risk_text import delay_text, probability, reasons_text, why_sentence
from components.text import plain
from components.wall_html import RiskLine, panel_head, risk_list
from data_access import Viewer
from data_access.config import risk_settings
from services import risk
from services.reporting_calendar import today
from webapp import data
from webapp.drill import SCORECARDS, scorecard_params
from webapp.filters import in_city
from webapp.i18n import current_language, name_column, t
from webapp.risk_data import outlook, trend

TOP = 10


def absence_text(result: risk.Outlook) -> str:
    """Why no risk is shown (no model, stale, too few projects, not better than the rule), in the user's language."""
    detail = result.detail
    if result.state == "stale":
        return t("risk.state.stale", age=detail["age_days"], max=detail["max_age_days"])
    if result.state == "too_few":
        return t("risk.state.too_few", projects=detail.get("projects", 0),
                 min_projects=detail.get("min_projects", 0), min_per_class=detail.get("min_per_class", 0))
    return t("risk.state.not_better" if result.state == "not_better" else "risk.state.missing")


def current_outlook(viewer: Viewer) -> risk.Outlook:
    """The viewer's risk as of today (China time), cached per scope, data version and day."""
    return outlook(viewer, today())


def _section(viewer: Viewer, title_key: str) -> risk.Outlook | None:
    """A risk section's heading and the viewer's outlook, or, without a usable model, why (and None)."""
    st.subheader(t(title_key))
    result = current_outlook(viewer)
    if result.state != risk.READY:
        st.info(absence_text(result))
        return None
    return result


def _line(row: Any, lang: str) -> str:
    return t("risk.line", p=probability(row.p_late), overrun=probability(row.p_overrun),
             delay=delay_text(row.delay_days, row.delay_low, row.delay_high, lang))


def most_likely_to_slip(viewer: Viewer) -> None:
    """The ten active projects in the viewer's scope most likely to finish late, each with a link to its
    scorecard and the sentence on why."""
    lang = current_language()
    result = _section(viewer, "risk.title")
    if result is None:
        return
    held_out = result.detail
    st.caption(t("risk.caption", days=risk_settings().late_days, trained=f"{held_out['trained_at']:%Y-%m-%d}",
                 n=held_out["test_projects"], auc=f"{held_out['model_auc']:.2f}",
                 rule_auc=f"{held_out['rule_auc']:.2f}", brier=f"{held_out['model_brier']:.3f}",
                 rule_brier=f"{held_out['rule_brier']:.3f}"))
    if result.predictions.empty:
        st.info(t("risk.no_projects"))
        return
    region = name_column("region")
    for rank, row in enumerate(result.predictions.head(TOP).itertuples(), start=1):
        name = getattr(row, name_column())
        st.page_link(SCORECARDS, query_params=scorecard_params(project=int(row.project_id)),
                     label=f"{rank}. {plain(row.code)} {plain(name)} · {plain(getattr(row, region))} · "
                           f"{_line(row, lang)}")
        st.caption(why_sentence(result.reasons, int(row.project_id), lang))


def project_risk(viewer: Viewer, project_id: int) -> None:
    """A project's risk on its scorecard: the probabilities, the expected delay and every main reason."""
    lang = current_language()
    result = _section(viewer, "risk.scorecard")
    if result is None:
        return
    mine = result.predictions[result.predictions["project_id"] == project_id]
    if mine.empty:  # not under way: planned, completed or archived
        st.caption(t("risk.no_projects"))
        return
    row = next(mine.itertuples())
    cards = st.columns(3)
    cards[0].metric(t("risk.p_late", days=risk_settings().late_days), probability(row.p_late))
    cards[1].metric(t("risk.p_overrun"), probability(row.p_overrun))
    cards[2].metric(t("risk.expected_delay"), delay_text(row.delay_days, row.delay_low, row.delay_high, lang))
    st.markdown(f"**{t('risk.reasons')}**")
    sentences = reasons_text(result.reasons, project_id, lang)
    st.markdown("\n".join(f"- {sentence}" for sentence in sentences) if sentences else t("risk.no_reason"))
    history = trend(viewer, project_id, today())
    if len(history) >= 2:
        st.markdown(f"**{t('risk.trend')}**")
        st.plotly_chart(risk_trend(history, lang, risk_settings().late_days), width="stretch",
                        key="project_risk_trend")



def wall_list(viewer: Viewer, city: int | None, top: int) -> str:
    """The big screen's panel of the ``top`` projects most likely to slip in its city (None: the viewer's whole
    scope) as HTML (escaped): its heading, then rank, name, district, P(late) and the main reason of each; without a
    usable model, why there is none."""
    head = panel_head(t("wall.risk_title"), t("wall.risk_note", days=risk_settings().late_days))
    result = current_outlook(viewer)
    if result.state != risk.READY:
        return head + risk_list([], absence_text(result))
    lang = current_language()
    table = result.predictions
    if city is not None:
        table = table[table["region_id"].isin(in_city(data.regions(viewer), viewer, city, path_column="path")["id"])]
    region = name_column("region")
    return head + risk_list([RiskLine(rank, str(getattr(row, name_column())), str(getattr(row, region)),
                                      probability(row.p_late), risk_level(row.p_late),
                                      why_sentence(result.reasons, int(row.project_id), lang, most=1))
                             for rank, row in enumerate(table.head(top).itertuples(), start=1)],
                            t("risk.no_projects"))
