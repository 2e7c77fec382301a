"""审计日志 Audit log (admins and auditors): entries with filters, chain verification, external anchors."""
import datetime as dt

import streamlit as st

from components.tables import download_buttons
from data_access.audit import anchor_audit_chain, verify_audit_chain
from webapp import data
from webapp.i18n import current_language, t
from webapp.session import current_viewer, shared_engine, stop_on_data_error

viewer = current_viewer()
st.title(t("page.audit"))
left, middle, right = st.columns([1, 1, 1])
actor = left.text_input(t("audit.actor"), key="audit_actor").strip() or None
action = middle.selectbox(t("audit.action"), [None, "auth.", "project.", "milestone.", "observation.", "user.",
                                              "access."], format_func=lambda a: t("filter.all") if a is None else a,
                          key="audit_action")
days = right.date_input(t("audit.days"), value=(dt.date.today() - dt.timedelta(days=30), dt.date.today()),
                        key="audit_days")
since = until = None
if isinstance(days, tuple) and len(days) == 2:
    since = dt.datetime.combine(days[0], dt.time(), dt.UTC)
    until = dt.datetime.combine(days[1] + dt.timedelta(days=1), dt.time(), dt.UTC)
with stop_on_data_error():
    entries = data.audit_entries(viewer, actor=actor, action_prefix=action, since=since, until=until)

verify_column, anchor_column = st.columns([1, 1])
if verify_column.button(t("audit.verify"), key="audit_verify", type="primary"):
    verdict = verify_audit_chain(shared_engine(), viewer)
    if verdict.ok:
        st.success(t("audit.ok", n=f"{verdict.checked:,}", anchors=f"{verdict.anchors_checked:,}"))
    elif verdict.anchor:
        st.error(t("audit.anchor_broken", anchor=verdict.anchor, reason=verdict.reason))
    else:
        st.error(t("audit.broken", id=verdict.first_bad_id, reason=verdict.reason))
if anchor_column.button(t("audit.anchor_now"), key="audit_anchor"):
    with stop_on_data_error():
        anchor = anchor_audit_chain(shared_engine(), viewer)
    st.success(t("audit.anchored", id=anchor.entry_id))
head_id, head_hash = data.audit_chain_head(viewer)
st.caption(t("audit.head", id=head_id))
st.code(head_hash, language=None)
if entries.empty:
    st.info(t("audit.empty"))
else:
    st.dataframe(entries, hide_index=True, width="stretch")
    download_buttons(entries, "audit_log", key="audit_download", lang=current_language())
