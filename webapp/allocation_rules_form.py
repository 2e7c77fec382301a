"""The 规则 tab of the 结果应用 page: the rule in force in words, and for admins the form that changes it (or
creates the first one on a database without any)."""
from __future__ import annotations

import streamlit as st

from components import allocation_views as views
from components.allocation_views import FEN_PER_WAN
from components.colours import GRADE_ORDER, grade_label
from components.formatting import date
from components.i18n import translate
from components.text import plain
from data_access import DataAccessError
from data_access import allocation as allocation_store
from data_access.policy import Action, allowed
from webapp.allocation_panels import AllocationView, flash
from webapp.i18n import t
from webapp.session import shared_engine, show_data_error

SEEN_VERSION_KEY = "allocation_rules_seen_version"  # a save is checked against what the admin saw, not the newest


def _obligation_lines(text: str) -> list[dict[str, str]]:
    """One obligation per line, ``中文 | English`` (the English part optional)."""
    obligations = []
    for line in text.splitlines():
        zh, _, en = line.partition("|")
        if zh.strip():
            obligations.append({"zh": zh.strip(), "en": en.strip() or zh.strip()})
    return obligations


def rules_tab(view: AllocationView) -> None:
    if view.rule_set is None:
        st.info(t("allocation.no_rule_set"))
    else:
        rule_set = view.rule_set
        st.markdown(f"**{plain(rule_set.name_zh if view.lang == 'zh' else rule_set.name_en)}** · "
                    + t("allocation.rule_version", version=rule_set.version, who=plain(rule_set.updated_by or "—"),
                        when=date(rule_set.updated_at.date() if rule_set.updated_at else None, view.lang)))
        st.markdown(plain(views.rule_in_words(rule_set.params, view.lang)))
    if allowed(view.viewer, Action.MANAGE_ALLOCATION_RULES):
        _edit_form(view)


def _edit_form(view: AllocationView) -> None:
    rules, rule_set = view.rules, view.rule_set
    seen = st.session_state.get(SEEN_VERSION_KEY)  # the version the form showed on the previous run
    with st.form("allocation_rules", border=True):
        st.markdown(f"**{t('allocation.edit_rules' if rule_set else 'allocation.create_rules')}**")
        name_zh = st.text_input(t("allocation.rule_name_zh"), max_chars=120, value=rule_set.name_zh if rule_set
                                else translate("allocation.default_rule_name", "zh"))
        name_en = st.text_input(t("allocation.rule_name_en"), max_chars=200, value=rule_set.name_en if rule_set
                                else translate("allocation.default_rule_name", "en"))
        top = st.columns(4)
        pool = top[0].number_input(t("allocation.pool"), min_value=0.0, value=rules.pool_fen / FEN_PER_WAN,
                                   step=10.0, format="%.2f")
        threshold = top[1].number_input(t("allocation.threshold"), min_value=0.0, max_value=100.0,
                                        value=float(rules.threshold), step=1.0)
        project_cap = top[2].number_input(t("allocation.project_cap"), min_value=0.0, format="%.2f", step=10.0,
                                          value=None if rules.project_cap_fen is None else
                                          rules.project_cap_fen / FEN_PER_WAN, placeholder=t("allocation.no_cap_hint"))
        district_cap = top[3].number_input(t("allocation.district_cap"), min_value=0.0, format="%.2f", step=10.0,
                                           value=None if rules.district_cap_fen is None else
                                           rules.district_cap_fen / FEN_PER_WAN,
                                           placeholder=t("allocation.no_cap_hint"))
        row = st.columns(4)
        coefficients = {g: row[k].number_input(t("allocation.coefficient", grade=grade_label(g, view.lang)),
                                               min_value=0.0, max_value=10.0, step=0.1, format="%.2f",
                                               value=float(rules.coefficients.get(g, 0.0)))
                        for k, g in enumerate(GRADE_ORDER)}
        labels = {g: grade_label(g, view.lang) for g in GRADE_ORDER}
        order = st.multiselect(t("allocation.priority_order"), list(GRADE_ORDER), default=list(rules.priority_order),
                               format_func=labels.get, placeholder=t("common.choose"))
        left, middle, right = st.columns(3)
        review = left.multiselect(t("allocation.review_grades"), list(GRADE_ORDER), default=list(rules.review_grades),
                                  format_func=labels.get, placeholder=t("common.choose"))
        floor = middle.number_input(t("allocation.priority_floor"), min_value=0.0, max_value=100.0,
                                    value=float(rules.priority_floor), step=1.0)
        bound = right.multiselect(t("allocation.obligation_grades"), list(GRADE_ORDER),
                                  default=list(rules.obligation_grades), format_func=labels.get,
                                  placeholder=t("common.choose"))
        obligations = st.text_area(t("allocation.obligations"), value="\n".join(f"{zh} | {en}" for zh, en in
                                                                                 rules.obligations))
        if not st.form_submit_button(t("allocation.save_rules"), type="primary"):
            st.session_state[SEEN_VERSION_KEY] = rule_set.version if rule_set else None
            return
    params = {"pool_fen": int(round(pool * FEN_PER_WAN)), "threshold": float(threshold),
              "coefficients": coefficients,
              "project_cap_fen": None if project_cap is None else int(round(project_cap * FEN_PER_WAN)),
              "district_cap_fen": None if district_cap is None else int(round(district_cap * FEN_PER_WAN)),
              "priority_order": order, "review_grades": review, "priority_floor": float(floor),
              "obligation_grades": bound, "obligations": _obligation_lines(obligations)}
    try:
        allocation_store.save_rule_set(shared_engine(), view.viewer, params=params, name_zh=name_zh,
                                       name_en=name_en, rule_set_id=rule_set.id if rule_set else None,
                                       expected_version=seen)
    except DataAccessError as error:
        show_data_error(error)
        st.session_state[SEEN_VERSION_KEY] = rule_set.version if rule_set else None  # the form now shows this one
        return
    st.session_state.pop(SEEN_VERSION_KEY, None)
    flash(t("allocation.rules_saved"))
    st.rerun()
