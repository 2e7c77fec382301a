"""The 结果应用 page's tabs: the allocation with its what-if controls, proposals (save, compare, export,
approve), the budget-priority list and the obligations. Each takes what it shows as an :class:`AllocationView`.

The what-if controls start at the rule in force; the allocation under them is computed on every move
(``services.allocation``, no database round trip once the scores are cached) next to the one under the rule in
force, so the change shows in its own column.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import allocation_views as views
from components.allocation_views import FEN_PER_WAN
from components.colours import GRADE_ORDER, grade_label
from components.formatting import date, month
from components.tables import download_buttons
from components.text import plain
from data_access import DataAccessError, Viewer
from data_access import allocation as allocation_store
from data_access.allocation import RuleSet
from data_access.policy import Action, allowed
from scoring.allocation import AllocationRules
from services import allocation
from webapp import allocation_data, data, whatif_data
from webapp.drill import picked_customdata
from webapp.filters import chosen_city
from webapp.i18n import name_column, t
from webapp.session import shared_engine, show_data_error

FLASH_KEY = "allocation_flash"
TABLE_HEIGHT = 420
STATUS_KEYS = {"draft": "allocation.status.draft", "approved": "allocation.status.approved",
               "withdrawn": "allocation.status.withdrawn"}


@dataclass(frozen=True)
class AllocationView:
    """What the page shows, read once per run."""

    viewer: Viewer
    lang: str
    period: dt.date | None  # the sidebar's month (None: the latest with data)
    rule_set: RuleSet | None
    rules: AllocationRules  # in force, or the defaults when none is
    district_names: pd.Series  # region id → name in the page's language

    @property
    def computes(self) -> bool:
        """Whether the viewer may compute allocations (a pool spans a whole city)."""
        return allowed(self.viewer, Action.READ_ALL_REGIONS)


def flash(message: str) -> None:
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    if FLASH_KEY in st.session_state:
        st.success(st.session_state.pop(FLASH_KEY))


def _wan(fen: int | None) -> float | None:
    return None if fen is None else fen / FEN_PER_WAN


def _fen(wan: float | None) -> int | None:
    return None if wan is None else int(round(wan * FEN_PER_WAN))


# -- the allocation and its what-if ---------------------------------------------------------------------------

def _controls(view: AllocationView) -> tuple[AllocationRules, int | None]:
    """The what-if controls, starting at the rule in force; returns the rules they describe and the scheme."""
    rules, tag = view.rules, view.rule_set.version if view.rule_set else 0
    schemes = whatif_data.schemes(view.viewer)
    ids = [int(i) for i in schemes["id"]]
    default = int(schemes.loc[schemes["is_default"].astype(bool), "id"].iloc[0])
    labels = {int(r["id"]): f"{r['name']} v{r['version']}" for _, r in schemes.iterrows()}
    top = st.columns([2, 3, 3])
    pool = top[0].number_input(t("allocation.pool"), min_value=0.0, max_value=1e9, value=_wan(rules.pool_fen),
                               step=10.0, format="%.2f", key=f"allocation_pool_{tag}")
    threshold = top[1].slider(t("allocation.threshold"), 0, 100, int(round(rules.threshold)), step=1,
                              key=f"allocation_threshold_{tag}")
    scheme_id = top[2].selectbox(t("allocation.scheme"), ids, index=ids.index(default), format_func=labels.get,
                                 key="allocation_scheme")
    row = st.columns(6)
    coefficients = {grade: row[k].number_input(
        t("allocation.coefficient", grade=grade_label(grade, view.lang)), min_value=0.0, max_value=10.0,
        value=float(rules.coefficients.get(grade, 0.0)), step=0.1, format="%.2f", key=f"allocation_coef_{k}_{tag}")
        for k, grade in enumerate(GRADE_ORDER)}
    project_cap = row[4].number_input(t("allocation.project_cap"), min_value=0.0, max_value=1e9,
                                      value=_wan(rules.project_cap_fen), step=10.0, format="%.2f",
                                      placeholder=t("allocation.no_cap_hint"), key=f"allocation_project_cap_{tag}")
    district_cap = row[5].number_input(t("allocation.district_cap"), min_value=0.0, max_value=1e9,
                                       value=_wan(rules.district_cap_fen), step=10.0, format="%.2f",
                                       placeholder=t("allocation.no_cap_hint"), key=f"allocation_district_cap_{tag}")
    chosen = dataclasses.replace(rules, pool_fen=_fen(pool) or 0, threshold=float(threshold),
                                 coefficients=coefficients, project_cap_fen=_fen(project_cap),
                                 district_cap_fen=_fen(district_cap))
    return chosen, (None if int(scheme_id) == default else int(scheme_id))


def _headline(view: AllocationView, result: allocation.Allocation) -> None:
    lines = result.lines
    figures = st.columns(4)
    figures[0].metric(t("allocation.pool_short"), views.fen_money(result.rules.pool_fen, view.lang))
    figures[1].metric(t("allocation.allocated"), views.fen_money(int(lines["final_fen"].sum()), view.lang))
    figures[2].metric(t("allocation.unallocated"), views.fen_money(result.unallocated_fen, view.lang))
    figures[3].metric(t("allocation.eligible"), f"{int(lines['eligible'].sum()):,} / {len(lines):,}")
    if not lines["eligible"].any():
        st.warning(t("allocation.nobody_eligible", threshold=f"{result.rules.threshold:g}"))
    elif result.unallocated_fen:
        st.info(t("allocation.rest_unallocated", rest=views.fen_money(result.unallocated_fen, view.lang)))


def allocation_tab(view: AllocationView) -> None:
    """The what-if controls, the allocation per district (chart and table) and per project, and saving it."""
    city = chosen_city(view.viewer, "allocation_city")  # a pool is one city's
    st.caption(t("allocation.whatif_hint"))
    rules, scheme_id = _controls(view)
    regions = data.regions(view.viewer)
    base_projects = allocation.in_city(allocation_data.scored_projects(view.viewer, view.period, None), city)
    projects = base_projects if scheme_id is None else \
        allocation.in_city(allocation_data.scored_projects(view.viewer, view.period, scheme_id), city)
    base = allocation.compute(base_projects, regions, view.rules)
    moved = allocation.what_if(base, allocation.compute(projects, regions, rules))
    result = moved.new
    _headline(view, result)
    chart_column, table_column = st.columns(2, gap="large")
    with chart_column:
        st.markdown(f"**{t('allocation.by_district')}**")
        event = st.plotly_chart(views.district_chart(result.districts, rules.district_cap_fen, view.lang),
                                on_select="rerun", selection_mode="points", key="allocation_district_chart",
                                config={"displayModeBar": False})
    picked = [int(row[0]) for row in picked_customdata(event)]
    with table_column:
        st.dataframe(views.district_table(result.districts, moved.district_change, view.lang), hide_index=True,
                     width="stretch", height=min(36 * len(result.districts) + 40, TABLE_HEIGHT + 60),
                     key="allocation_district_table")
    lines = result.lines[result.lines["district_id"].isin(picked)] if picked else result.lines
    st.markdown(f"**{t('allocation.by_project')}**" + (f" · {plain(view.district_names.get(picked[0], ''))}"
                                                         if picked else ""))
    table = views.project_table(lines, moved.project_change, view.lang)
    st.dataframe(table, hide_index=True, width="stretch", height=TABLE_HEIGHT, key="allocation_project_table")
    download_buttons(views.export_frame(lines, view.lang), "allocation", "allocation_download", lang=view.lang)
    if allowed(view.viewer, Action.PROPOSE_ALLOCATION):
        _save_form(view, result, scheme_id, base_projects.attrs.get("period"), city)


def _save_form(view: AllocationView, result: allocation.Allocation, scheme_id: int | None,
               period: dt.date | None, city: int | None) -> None:
    with st.form("allocation_save", clear_on_submit=True, border=True):
        st.markdown(f"**{t('allocation.save_title')}**")
        name = st.text_input(t("allocation.proposal_name"), max_chars=200, key="allocation_proposal_name")
        if st.form_submit_button(t("allocation.save"), type="primary"):
            if period is None:
                st.error(t("allocation.no_period"))
                return
            try:
                saved = allocation_store.save_proposal(
                    shared_engine(), view.viewer, name=name, period=period, params=result.rules.to_params(),
                    lines=result.lines, unallocated_fen=result.unallocated_fen, scheme_id=scheme_id, region_id=city)
            except DataAccessError as error:
                show_data_error(error)
                return
            flash(t("allocation.saved", name=plain(name.strip()), id=saved))
            st.rerun()


# -- proposals ------------------------------------------------------------------------------------------------

def _proposal_label(proposals: pd.DataFrame, view: AllocationView) -> dict[int, str]:
    return {int(row["id"]): f"#{row['id']} {plain(row['name'])} · {month(row['period'], view.lang)}"
            for _, row in proposals.iterrows()}


def proposals_tab(view: AllocationView) -> None:
    """The saved proposals: list, one opened with its lines, export, approve or withdraw; two compared."""
    proposals = allocation_data.proposals(view.viewer)
    if proposals.empty:
        st.info(t("allocation.no_proposals"))
        return
    if not view.computes:
        st.caption(t("allocation.own_lines_only"))
    listed = pd.DataFrame({
        t("allocation.col.proposal"): [f"#{i} {n}" for i, n in zip(proposals["id"], proposals["name"], strict=True)],
        t("allocation.col.period"): [month(p, view.lang) for p in proposals["period"]],
        t("allocation.col.status"): [t(STATUS_KEYS[s]) for s in proposals["status"]],
        t("allocation.col.total"): [views.fen_money(v, view.lang) for v in proposals["total_fen"]],
        t("allocation.col.created"): [f"{n or '—'} · {date(pd.Timestamp(c).date(), view.lang)}"
                                      for n, c in zip(proposals["created_by"], proposals["created_at"], strict=True)],
        t("allocation.col.approved"): [f"{n} · {date(pd.Timestamp(a).date(), view.lang)}" if n else "—"
                                       for n, a in zip(proposals["approved_by"], proposals["approved_at"],
                                                       strict=True)],
    })
    st.dataframe(listed, hide_index=True, width="stretch", key="allocation_proposals")
    labels = _proposal_label(proposals, view)
    ids = list(labels)
    chosen = int(st.selectbox(t("allocation.open_proposal"), ids, format_func=labels.get,
                              key="allocation_open_proposal"))
    _one_proposal(view, chosen)
    if len(ids) > 1:
        _compare(view, ids, labels)


def _one_proposal(view: AllocationView, proposal_id: int) -> None:
    try:
        proposal = allocation_data.proposal(view.viewer, proposal_id)
    except DataAccessError as error:
        show_data_error(error)
        return
    st.markdown(plain(views.rule_in_words(proposal.params, view.lang)))
    allocated = views.fen_money(int(proposal.lines["final_fen"].sum()), view.lang)
    status = t(STATUS_KEYS[proposal.status])
    st.markdown(t("allocation.proposal_totals", allocated=allocated, status=status) if proposal.unallocated_fen is None
                else t("allocation.proposal_totals_all", allocated=allocated, status=status,
                       rest=views.fen_money(proposal.unallocated_fen, view.lang)))
    projects = data.projects(view.viewer).set_index("id")
    lines = proposal.lines.join(projects[["name_zh", "name_en"]], how="left")
    for column in ("name_zh", "name_en"):
        lines[column] = lines[column].fillna("—")
    lines = lines.join(view.district_names.rename("district_name_" + view.lang), on="district_id")
    st.dataframe(views.project_table(lines, None, view.lang), hide_index=True, width="stretch",
                 height=TABLE_HEIGHT, key="allocation_proposal_lines")
    download_buttons(views.export_frame(lines, view.lang), f"allocation_proposal_{proposal_id}",
                     "allocation_proposal_download", lang=view.lang)
    if proposal.status != "draft":
        return
    buttons = st.columns([1, 1, 4])
    action = None
    if allowed(view.viewer, Action.APPROVE_ALLOCATION) and buttons[0].button(
            t("allocation.approve"), type="primary", key="allocation_approve"):
        action = allocation_store.approve_proposal, "allocation.approved"
    if allowed(view.viewer, Action.PROPOSE_ALLOCATION) and buttons[1].button(
            t("allocation.withdraw"), key="allocation_withdraw"):
        action = allocation_store.withdraw_proposal, "allocation.withdrawn"
    if action is not None:
        change, message = action
        try:
            change(shared_engine(), view.viewer, proposal_id, expected_version=proposal.version)
        except DataAccessError as error:
            show_data_error(error)
            return
        flash(t(message, name=plain(proposal.name)))
        st.rerun()


def _compare(view: AllocationView, ids: list[int], labels: dict[int, str]) -> None:
    st.markdown(f"**{t('allocation.compare_title')}**")
    left, right = st.columns(2)
    first = int(left.selectbox(t("allocation.first"), ids, index=1, format_func=labels.get,
                               key="allocation_compare_a"))
    second = int(right.selectbox(t("allocation.second"), ids, index=0, format_func=labels.get,
                                 key="allocation_compare_b"))
    try:
        a, b = (allocation_data.proposal(view.viewer, i) for i in (first, second))
    except DataAccessError as error:
        show_data_error(error)
        return
    compared = allocation.compare_proposals(a.lines, b.lines)
    st.dataframe(views.comparison_table(compared, view.district_names, view.lang), hide_index=True,
                 width="stretch", key="allocation_compare_table")


# -- budget priority and obligations ----------------------------------------------------------------------------

def _portfolio(view: AllocationView) -> pd.DataFrame:
    frame = data.portfolio(view.viewer, view.period).rename(columns={"total": "score"})
    frame["grade"] = frame["grade"].astype(object)
    return frame


def priority_tab(view: AllocationView) -> None:
    rules = view.rules
    st.caption(t("allocation.priority_rule", order=" > ".join(grade_label(g, view.lang) for g in rules.priority_order),
                 floor=f"{rules.priority_floor:g}",
                 review="、".join(grade_label(g, view.lang) for g in rules.review_grades) or "—"))
    if not view.computes:
        st.caption(t("allocation.priority_own_scope"))
    listed = allocation.priority_list(_portfolio(view), rules)
    table = views.priority_table(listed, view.district_names, view.lang)
    st.dataframe(table, hide_index=True, width="stretch", height=TABLE_HEIGHT, key="allocation_priority")
    download_buttons(table, "budget_priority", "allocation_priority_download", lang=view.lang)


def obligations_tab(view: AllocationView) -> None:
    rules = view.rules
    st.caption(t("allocation.obligation_rule",
                 grades="、".join(grade_label(g, view.lang) for g in rules.obligation_grades) or "—"))
    listed = allocation.obligation_list(_portfolio(view), rules)
    if listed.empty:
        st.info(t("allocation.no_obligations"))
        return
    table = views.obligation_table(listed, view.lang)
    st.dataframe(table, hide_index=True, width="stretch", height=TABLE_HEIGHT, key="allocation_obligations")
    download_buttons(table, "obligations", "allocation_obligations_download", lang=view.lang)


def district_names(viewer: Viewer) -> pd.Series:
    regions = data.regions(viewer)
    return regions.set_index("id")[name_column()]
