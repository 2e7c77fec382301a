"""评分管理 Rating rounds (analysts and admins): the rounds with how many ratings are in, one round's raters and
its closing, a closed round's results (downloadable), and the form that opens a round.

``?round=<id>`` opens that round's detail.
"""
import pandas as pd
import streamlit as st

from components.i18n import stored_text
from components.rating_charts import (
    agreement_table,
    beijing_time,
    group_label,
    method_text,
    response_counts,
    results_table,
    rounds_table,
)
from components.tables import download_buttons
from components.text import plain
from data_access.errors import DataAccessError
from services.rating_rounds import close_round
from webapp import data
from webapp.i18n import current_language, name_column, t
from webapp.params import id_param
from webapp.rating_round_form import OPENED_KEY, open_round_form
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

CLOSED_KEY = "rating_round_closed"  # the round just closed (were warnings re-evaluated?), confirmed on the next run


def rounds_list(rounds: pd.DataFrame) -> None:
    table = rounds_table(rounds, lang)
    progress = t("rating_rounds.col_progress")
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={progress: st.column_config.ProgressColumn(progress, min_value=0.0, max_value=1.0,
                                                                          format="percent")})


def raters(round_id: int) -> None:
    """Ratings given and owed by group; the raters by name (the people who run rounds may see them)."""
    assignments = data.round_assignments(viewer, round_id)
    st.dataframe(response_counts(assignments, lang), hide_index=True, width="stretch")
    with st.expander(t("rating_rounds.rater_list")):
        per_rater = (assignments.assign(group=[group_label(g, lang) for g in assignments["rater_type"]])
                     .groupby(["rater_name", "group"], sort=False)["rated"].agg(["sum", "size"]).reset_index())
        st.dataframe(pd.DataFrame({
            t("rating_rounds.col_rater"): per_rater["rater_name"], t("rating_rounds.col_group"): per_rater["group"],
            t("rating_rounds.col_counts"): [f"{int(r)} / {int(n)}" for r, n in zip(per_rater["sum"], per_rater["size"],
                                                                                    strict=True)]}),
            hide_index=True, width="stretch")


def closing(chosen: pd.Series) -> None:
    """Close the round now (confirmed): results are computed and, when it feeds a KPI, stored as its figures."""
    confirmed = st.checkbox(t("rating_rounds.close_confirm"), key=f"close_confirm_{chosen['id']}")
    if st.button(t("rating_rounds.close"), key=f"close_{chosen['id']}", disabled=not confirmed):
        try:
            closed = close_round(shared_engine(), viewer, round_id=int(chosen["id"]), version=int(chosen["version"]))
        except DataAccessError as error:
            show_data_error(error)
        else:
            st.session_state[CLOSED_KEY] = closed.warnings_evaluated
            st.rerun()


def results(round_id: int) -> None:
    """Per project: the score, each group's mean, the self-rating gap (⚑ above the margin), the leniency effect
    and who rated; then how far each group agrees, in plain words."""
    outcome = data.round_results(viewer, round_id)
    table = results_table(outcome.projects.assign(name=outcome.projects[name_column()]), lang)
    st.dataframe(table, hide_index=True, width="stretch")
    download_buttons(table, f"rating_round_{round_id}", key=f"round_results_{round_id}", lang=lang)
    names = {c.code: stored_text(lang, c.name_zh, c.name_en) for c in outcome.criteria}
    st.caption(plain(method_text(outcome.method, names, lang)))
    st.markdown(f"**{t('rating_rounds.agreement')}**")
    agreement = outcome.agreement.assign(reading=outcome.agreement[name_column("reading")].fillna(
        t("rating_rounds.too_few")))
    st.dataframe(agreement_table(agreement, lang), hide_index=True, width="stretch")


def round_detail(chosen: pd.Series) -> None:
    st.subheader(plain(chosen[name_column()]))
    counts = f"{int(chosen['responded'])} / {int(chosen['assigned'])}"
    st.caption(" · ".join([t(f"rating_rounds.status.{chosen['status']}"),
                           t("rating_rounds.deadline_at", when=beijing_time(chosen["deadline"])),
                           t("rating_rounds.rated_counts", counts=counts)]))
    raters(int(chosen["id"]))
    if chosen["status"] == "open":
        closing(chosen)
    else:
        results(int(chosen["id"]))


viewer = current_viewer()
lang = current_language()
st.title(t("page.rating_rounds"))
if (opened := st.session_state.pop(OPENED_KEY, None)) is not None:
    st.success(t("rating_rounds.opened", n=opened[1]))
if (evaluated := st.session_state.pop(CLOSED_KEY, None)) is not None:
    st.success(t("rating_rounds.closed") if evaluated else t("rating_rounds.closed_not_evaluated"))
chosen_id = id_param("round")
with stop_on_data_error():
    rounds = data.rating_rounds(viewer)
listed, opening = st.tabs([t("rating_rounds.tab_rounds"), t("rating_rounds.tab_open")])
with listed:
    if rounds.empty:
        st.info(t("rating_rounds.none"))
    else:
        rounds_list(rounds)
        ids = list(rounds["id"])
        names = dict(zip(rounds["id"], rounds[name_column()], strict=True))
        picked = st.selectbox(t("rating_rounds.choose"), ids, format_func=names.get, key="round_choice",
                              index=ids.index(chosen_id) if chosen_id in ids else 0)
        st.query_params["round"] = str(picked)
        with stop_on_data_error():
            round_detail(rounds[rounds["id"] == picked].iloc[0])
with opening:
    open_round_form(viewer, lang)
