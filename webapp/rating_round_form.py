"""The form that opens a rating round (评分管理 → 发起评分): projects by district, category or one by one, the
criteria in an editable table, the rater groups' weights, peers, experts, deadline, anonymity, the leniency
correction and the KPI the result feeds. Every widget is keyed, so a refused round keeps what was entered."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.rating_charts import BEIJING, group_label
from data_access import DataAccessError, Viewer
from data_access.ratings import RATEABLE_STATUSES
from scoring.periods import first_of_month, recent_months
from services.rating_rounds import DEFAULT_CRITERIA, Criterion, RoundSpec, open_round
from webapp import data
from webapp.i18n import name_column, t
from webapp.session import shared_engine, show_data_error

OPENED_KEY = "rating_round_opened"  # the round just opened: (id, projects), confirmed on the next run
DEFAULT_GROUP_WEIGHTS = {"superior": 0.5, "peer": 0.3, "self": 0.2, "expert": 0.3}  # expert: only with experts
DEFAULT_FED_KPI = "RESIDENT_SAT"
DEFAULT_DEADLINE_DAYS = 10
PERIOD_CHOICES = 24  # months back a round may rate (default: last month)
SCORE_UNIT_ZH = "分"  # a round's result is a 0–100 score: only KPIs in 分 can take it


def _criteria_frame(kind: str) -> pd.DataFrame:
    """The criteria table the editor starts from: the seed's three, or one overall score."""
    criteria = DEFAULT_CRITERIA if kind == "default" else [Criterion("overall", "综合评价", "Overall", 1.0)]
    return pd.DataFrame({t("rating_rounds.criterion_code"): [c.code for c in criteria],
                         t("rating_rounds.criterion_zh"): [c.name_zh for c in criteria],
                         t("rating_rounds.criterion_en"): [c.name_en for c in criteria],
                         t("rating_rounds.criterion_weight"): [c.weight * 100 for c in criteria]})


def _criteria_from(table: pd.DataFrame) -> list[Criterion]:
    """The edited table as criteria (weights typed in %); wholly empty rows are dropped, the rest are checked by
    the data layer, which names the row that is wrong."""
    rows = table.dropna(how="all")
    return [Criterion(*(None if pd.isna(value) else value for value in row[:3]),
                      weight=float(row[3]) / 100 if pd.notna(row[3]) else float("nan"))
            for row in rows.itertuples(index=False)]


def _chosen_projects(viewer: Viewer) -> list[int]:
    """Projects by district and category (empty: any), then every one of them or a pick among them."""
    projects = data.projects(viewer)
    projects = projects[projects["status"].isin(RATEABLE_STATUSES)]
    regions = data.regions(viewer)
    districts = regions[regions["level"] == "district"].set_index("id")[name_column()]
    categories = data.categories(viewer).set_index("code")[name_column()]
    left, right = st.columns(2)
    in_districts = left.multiselect(t("rating_rounds.districts"), list(districts.index), format_func=districts.get,
                                    placeholder=t("rating_rounds.any"), key="round_districts")
    in_categories = right.multiselect(t("rating_rounds.categories"), list(categories.index),
                                      format_func=categories.get, placeholder=t("rating_rounds.any"),
                                      key="round_categories")
    matching = projects[(projects["district_id"].isin(in_districts) | (not in_districts))
                        & (projects["category_code"].isin(in_categories) | (not in_categories))]
    if st.toggle(t("rating_rounds.all_matching", n=len(matching)), key="round_all_matching"):
        return [int(p) for p in matching["id"]]
    labels = dict(zip(matching["id"], matching["code"] + " " + matching[name_column()], strict=True))
    return [int(p) for p in st.multiselect(t("rating_rounds.projects"), list(labels), format_func=labels.get,
                                           placeholder=t("rating_rounds.pick"), key="round_projects")]


def _group_weights(with_experts: bool, lang: str) -> dict[str, float]:
    columns = st.columns(4)
    weights = {group: column.number_input(group_label(group, lang), value=weight, step=0.05,
                                          key=f"round_weight_{group}", disabled=group == "expert" and not with_experts)
               for column, (group, weight) in zip(columns, DEFAULT_GROUP_WEIGHTS.items(), strict=True)}
    st.caption(t("rating_rounds.weights_hint"))
    return {group: weight for group, weight in weights.items() if group != "expert" or with_experts}


def _fed_kpi(viewer: Viewer) -> str | None:
    library = data.indicators(viewer)
    kpis = library[(library["level"] == 3) & library["scored"].astype(bool) & library["retired_at"].isna()
                   & (library["unit_zh"] == SCORE_UNIT_ZH)].set_index("code")[name_column()]
    options: list[str | None] = [None, *kpis.index]
    return st.selectbox(t("rating_rounds.fed_kpi"), options, key="round_fed_kpi",
                        index=options.index(DEFAULT_FED_KPI) if DEFAULT_FED_KPI in options else 0,
                        format_func=lambda c: t("rating_rounds.no_kpi") if c is None else f"{kpis[c]}（{c}）")


def open_round_form(viewer: Viewer, lang: str) -> None:
    """Fill in a round and open it; a refusal is shown above the button with every input kept."""
    today = dt.date.today()
    left, right = st.columns(2)
    name_zh = left.text_input(t("rating_rounds.name_zh"), key="round_name_zh")
    name_en = right.text_input(t("rating_rounds.name_en"), key="round_name_en")
    months = recent_months(first_of_month(today), PERIOD_CHOICES)
    period = st.selectbox(t("rating_rounds.period"), months, index=1, key="round_period",
                          format_func=lambda d: f"{d:%Y-%m}")
    st.markdown(f"**{t('rating_rounds.which_projects')}**")
    project_ids = _chosen_projects(viewer)
    st.caption(t("rating_rounds.chosen", n=len(project_ids)))

    st.markdown(f"**{t('rating_rounds.criteria')}**")
    kind = st.radio(t("rating_rounds.criteria_kind"), ["default", "overall"], horizontal=True, key="round_kind",
                    format_func=lambda k: t("rating_rounds.criteria_default") if k == "default"
                    else t("rating_rounds.criteria_overall"))
    criteria = st.data_editor(_criteria_frame(kind), num_rows="dynamic", hide_index=True, width="stretch",
                              key=f"round_criteria_{kind}")

    st.markdown(f"**{t('rating_rounds.raters')}**")
    experts = data.experts(viewer)
    names = dict(zip(experts["id"], experts["display_name"] + "（" + experts["username"] + "）", strict=True))
    chosen_experts = st.multiselect(t("rating_rounds.experts"), list(names), format_func=names.get,
                                    placeholder=t("rating_rounds.pick"), key="round_experts")
    weights = _group_weights(bool(chosen_experts), lang)
    peers = st.number_input(t("rating_rounds.peers"), value=3, step=1, key="round_peers")

    st.markdown(f"**{t('rating_rounds.rules')}**")
    left, right = st.columns(2)
    day = left.date_input(t("rating_rounds.deadline_day"), value=today + dt.timedelta(days=DEFAULT_DEADLINE_DAYS),
                          key="round_deadline_day")
    hour = right.time_input(t("rating_rounds.deadline_time"), value=dt.time(18, 0), key="round_deadline_time")
    anonymous = st.checkbox(t("rating_rounds.anonymous"), value=True, key="round_anonymous")
    leniency = st.checkbox(t("rating_rounds.leniency"), value=False, key="round_leniency",
                           help=t("rating_rounds.leniency_help"))
    fed = _fed_kpi(viewer)
    if not st.button(t("rating_rounds.open"), type="primary", width="stretch", key="round_open"):
        return
    spec = RoundSpec(name_zh=name_zh, name_en=name_en, period=period, criteria=_criteria_from(criteria),
                     project_ids=project_ids, deadline=dt.datetime.combine(day, hour, tzinfo=BEIJING),
                     group_weights=weights, experts={p: list(chosen_experts) for p in project_ids},
                     peers_per_project=int(peers), anonymous=anonymous, correct_leniency=leniency,
                     indicator_code=fed)
    try:
        round_id = open_round(shared_engine(), viewer, spec)
    except DataAccessError as error:
        show_data_error(error)
    else:
        st.session_state[OPENED_KEY] = (round_id, len(project_ids))
        st.rerun()
