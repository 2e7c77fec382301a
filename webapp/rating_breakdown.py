"""A project's rating on its scorecard: the latest closed round by rater group (mean, raters who rated of those
asked), the combined score and how it was computed, each group's agreement in words and the self-rating flag.
The raters' names and scores only where the round allows it: never for the rated team of an anonymous round."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.formatting import month
from components.i18n import stored_text
from components.rating_charts import SELF_FLAG, agreement_text, breakdown_bars, group_label, method_text
from components.text import plain
from data_access import Viewer
from webapp import data
from webapp.i18n import name_column, t


def rating_breakdown(viewer: Viewer, project_id: int, lang: str) -> None:
    """Show the project's latest closed round (nothing when it has none)."""
    breakdown = data.rating_breakdown(viewer, project_id)
    if breakdown is None:
        return
    st.subheader(t("scorecards.ratings"))
    st.caption(t("rating.round_line", round=plain(stored_text(lang, breakdown.name_zh, breakdown.name_en)),
                 month=month(breakdown.period, lang), rated=breakdown.responded, asked=breakdown.assigned))
    st.plotly_chart(breakdown_bars(breakdown.groups, breakdown.score, lang, self_flagged=breakdown.self_flagged),
                    width="stretch")
    outcome = data.round_results(viewer, breakdown.round_id)  # the round's criteria and method
    names = {c.code: stored_text(lang, c.name_zh, c.name_en) for c in outcome.criteria}
    if breakdown.self_flagged and breakdown.self_gap is not None:
        st.warning(t("rating.self_flagged", flag=SELF_FLAG, gap=f"{breakdown.self_gap:.1f}"))
    st.markdown(plain(t("rating.agreement", text=agreement_text(
        breakdown.groups.assign(reading=breakdown.groups[name_column("reading")]), lang))))
    criteria = breakdown.criteria
    st.caption(plain(" · ".join(f"{names.get(code, code)} {score:.1f}" for code, score
                                in zip(criteria["code"], criteria["score"], strict=True) if pd.notna(score))))
    st.caption(plain(method_text(outcome.method, names, lang)))
    if breakdown.names_hidden:
        st.caption(t("rating.anonymous"))
    elif len(breakdown.raters):
        with st.expander(t("rating.raters")):
            raters = breakdown.raters
            groups = [group_label(g, lang) for g in raters["rater_type"]]
            st.dataframe(pd.DataFrame({t("rating_rounds.col_rater"): raters["rater_name"],
                                       t("rating_rounds.col_group"): groups,
                                       t("rating.score"): raters["score"].astype(float).round(1),
                                       t("rating.comment"): raters["comment"]}), hide_index=True, width="stretch")
    if breakdown.names_hidden and breakdown.comments:
        with st.expander(t("rating.comments", n=len(breakdown.comments))):
            for comment in breakdown.comments:
                st.markdown(f"- {plain(comment)}")
