"""预警规则 Warning rules (admins): edit, disable, add, and preview which projects a rule would hit now."""
import json

import streamlit as st

from components.i18n import name_suffix
from components.text import plain
from data_access import DataAccessError
from data_access import alerts as store
from data_access.models import RULE_SCOPES, SEVERITIES
from scoring.rules import RULE_TYPES
from services.alerts import validate_rule
from webapp import data
from webapp.i18n import current_language, t
from webapp.session import current_viewer, shared_engine, show_data_error, stop_on_data_error

viewer = current_viewer()
lang = current_language()
st.title(t("page.rules"))
if "rules_flash" in st.session_state:
    st.success(st.session_state.pop("rules_flash"))
with stop_on_data_error():
    rules = data.alert_rules(viewer)
st.dataframe(rules.assign(params=rules["params"].map(lambda p: json.dumps(p, ensure_ascii=False))),
             hide_index=True, width="stretch")

names = {None: t("rules.new"), **dict(zip(rules["id"], rules[f"name_{name_suffix(lang)}"], strict=True))}
rule_id = st.selectbox(t("rules.edit"), list(names), format_func=names.get, key="rules_choice")
current = rules.set_index("id").loc[rule_id] if rule_id is not None else None
with st.form("rule_form"):
    name_zh = st.text_input(t("rules.name_zh"), value="" if current is None else current["name_zh"])
    name_en = st.text_input(t("rules.name_en"), value="" if current is None else current["name_en"])
    rule_type = st.selectbox(t("rules.type"), RULE_TYPES,
                             index=0 if current is None else RULE_TYPES.index(current["rule_type"]),
                             format_func=lambda kind: f"{t(f'knowledge.problem.{kind}')} ({kind})")
    severity = st.selectbox(t("alerts.severity"), SEVERITIES, format_func=lambda s: t(f"severity.{s}"),
                            index=0 if current is None else SEVERITIES.index(current["severity"]))
    params_text = st.text_area(t("rules.params"), value="{}" if current is None else
                               json.dumps(current["params"], ensure_ascii=False), help=t("rules.type_help"))
    scope_kind = st.selectbox(t("rules.scope_kind"), RULE_SCOPES,
                              index=0 if current is None else RULE_SCOPES.index(current["scope_kind"]))
    scope_value = st.text_input(t("rules.scope_value"), value="" if current is None or current["scope_value"] is None
                                else current["scope_value"])
    enabled = st.checkbox(t("rules.enabled"), value=True if current is None else bool(current["enabled"]))
    show_preview, save = st.columns(2)
    previewing = show_preview.form_submit_button(t("rules.preview"))
    saving = save.form_submit_button(t("rules.save"), type="primary")

if previewing or saving:
    try:
        params = store.parse_rule_params(params_text)
    except DataAccessError as error:
        show_data_error(error)
        st.stop()
    fields = {"name_zh": name_zh.strip(), "name_en": name_en.strip(), "rule_type": rule_type, "severity": severity,
              "params": params, "scope_kind": scope_kind, "scope_value": scope_value.strip() or None,
              "enabled": enabled}
    try:
        validate_rule(fields)
    except ValueError as error:
        st.error(plain(error))
        st.stop()
    if previewing:
        with stop_on_data_error():
            hits = data.rule_preview(viewer, fields)
        st.info(t("rules.preview_result", n=hits["project_id"].nunique()))
        st.dataframe(hits[["project_id", "value", "threshold", "periods"]], hide_index=True, width="stretch")
    else:
        with stop_on_data_error():
            store.save_rule(shared_engine(), viewer, fields, rule_id=rule_id,
                            expected_version=None if current is None else int(current["version"]))
        st.session_state["rules_flash"] = t("alerts.done")
        st.rerun()
