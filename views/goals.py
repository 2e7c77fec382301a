"""目标分解 Targets & OKRs: the target tree coloured by progress, its indented table and, for the roles that
maintain it, the form to add, edit or delete a node."""
import datetime as dt

import streamlit as st

from components.goal_tree import goal_table, goal_treemap
from components.tables import download_buttons
from data_access.policy import Action, allowed
from services.goals import branch, filter_tree
from webapp import data
from webapp.goals import (
    CHART_KEY,
    FLASH_KEY,
    FOCUS_KEY,
    WHOLE_TREE,
    apply_chart_click,
    goal_form,
    goal_tree,
    region_path,
)
from webapp.i18n import current_language, name_column, t
from webapp.session import current_viewer, stop_on_data_error

viewer = current_viewer()
lang = current_language()
st.title(t("page.goals"))
if FLASH_KEY in st.session_state:
    st.success(st.session_state.pop(FLASH_KEY))
with stop_on_data_error():
    tree = goal_tree(viewer, dt.date.today())
    regions = data.regions(viewer)

mine_column, focus_column = st.columns([1, 2], vertical_alignment="bottom")
mine = mine_column.toggle(t("goals.mine"), key="goals_mine")
shown = filter_tree(tree, owner_id=viewer.user_id if mine else None, region_path=region_path(regions))
parents = shown[shown["id"].isin(shown["parent_id"])]
focus_names = {WHOLE_TREE: t("goals.whole_tree")} | dict(zip(parents["id"], parents[name_column("title")],
                                                             strict=True))
apply_chart_click(set(parents["id"]))
focus = focus_column.selectbox(t("goals.focus"), list(focus_names), format_func=focus_names.__getitem__,
                               key=FOCUS_KEY)
if focus != WHOLE_TREE:
    shown = branch(shown, focus)

if shown.empty:
    st.info(t("goals.empty"))
else:
    st.plotly_chart(goal_treemap(shown, lang), key=CHART_KEY, width="stretch", on_select="rerun",
                    selection_mode="points")
    st.caption(t("goals.legend"))
    st.subheader(t("goals.table"))
    table = goal_table(shown, lang)
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        t("goals.progress"): st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f %%")})
    download_buttons(table, "goals", "goals_download", lang=lang)

if allowed(viewer, Action.MANAGE_GOALS):
    with st.expander(t("goals.manage")):
        goal_form(viewer, tree)
