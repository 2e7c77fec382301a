"""结果应用 Result application: rewards and budget priority from the scores, with the arithmetic visible.

perfdash pays nothing: it proposes. The rule in force (``data_access.allocation``) is shown in words; viewers who
see every region try it out (pool, threshold, coefficients, caps, weight scheme) and see the allocation move
against the rule in force, save proposals, compare and export them; leaders and admins approve. A district
official sees their district's lines of the saved proposals only. The tabs are ``webapp.allocation_panels``
and ``webapp.allocation_rules_form``; the arithmetic is ``scoring.allocation`` via ``services.allocation``.
"""
from __future__ import annotations

import streamlit as st

from components import allocation_views as views
from components.formatting import month
from components.text import plain
from scoring.allocation import DEFAULT_RULES, AllocationRules
from webapp import allocation_data
from webapp.allocation_panels import (
    AllocationView,
    allocation_tab,
    district_names,
    obligations_tab,
    priority_tab,
    proposals_tab,
    show_flash,
)
from webapp.allocation_rules_form import rules_tab
from webapp.filters import selected_period
from webapp.i18n import current_language, t
from webapp.session import current_viewer, stop_on_data_error


def main() -> None:
    viewer = current_viewer()
    st.title(t("page.allocation"))
    lang = current_language()
    with stop_on_data_error():
        rule_set = allocation_data.rule_set(viewer)
    rules = AllocationRules.from_params(rule_set.params) if rule_set else DEFAULT_RULES
    view = AllocationView(viewer=viewer, lang=lang, period=selected_period(), rule_set=rule_set, rules=rules,
                          district_names=district_names(viewer))
    st.caption(t("allocation.caption", period=month(view.period, lang) if view.period else t("allocation.latest")))
    st.info(t("allocation.in_force") + plain(views.rule_in_words(rules.to_params(), lang)) if rule_set
            else t("allocation.defaults_shown"))
    show_flash()
    if view.computes:
        tabs = st.tabs([t("allocation.tab_allocation"), t("allocation.tab_proposals"), t("allocation.tab_priority"),
                        t("allocation.tab_obligations"), t("allocation.tab_rules")])
        panels = (allocation_tab, proposals_tab, priority_tab, obligations_tab, rules_tab)
    else:
        tabs = st.tabs([t("allocation.tab_proposals"), t("allocation.tab_priority"), t("allocation.tab_obligations"),
                        t("allocation.tab_rules")])
        panels = (proposals_tab, priority_tab, obligations_tab, rules_tab)
    for tab, panel in zip(tabs, panels, strict=True):
        with tab, stop_on_data_error():
            panel(view)


main()
