"""The 开放接口 page's panels: making a token (and showing it once), the tokens with revoking, what they pushed."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from components.integration_tables import SCOPE_KEYS, push_table, token_table
from components.text import plain
from data_access import DataAccessError, Viewer
from data_access.api_tokens import (
    DEFAULT_EXPIRY_DAYS,
    DEFAULT_RATE_PER_MINUTE,
    MAX_EXPIRY_DAYS,
    MAX_RATE_PER_MINUTE,
    IssuedToken,
    create_token,
    revoke_token,
)
from webapp import integrations_data
from webapp.i18n import name_column, t
from webapp.session import show_data_error, stop_on_data_error

FLASH = "integrations_flash"
FORM_KEYS = ("integrations_name", "integrations_region", "integrations_days", "integrations_rate",
             *(f"integrations_scope_{scope}" for scope in SCOPE_KEYS))
PUSH_EXAMPLE = """curl -H "Authorization: Bearer {secret}" \\
     -H "Idempotency-Key: 2026-11-finance" -H "Content-Type: application/json" \\
     -X POST http://<host>/api/v1/observations/batch \\
     -d '{{"items": [{{"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC",
                     "period": "2026-11", "value": 82.5}}, ...]}}'"""


def issued_panel(issued: IssuedToken) -> None:
    """The token just made, once: copy it now, with the monthly push as an example."""
    st.warning(t("integrations.shown_once", name=plain(issued.name)), icon=":material/key:")
    st.code(issued.secret, language=None)
    st.caption(t("integrations.example"))
    st.code(PUSH_EXAMPLE.format(secret=issued.secret), language="bash")


def create_form(engine: Engine, viewer: Viewer, regions: pd.DataFrame, *, expanded: bool) -> None:
    """Name, region (every region or one), scopes in words, days until expiry and calls per minute."""
    region_names = dict(zip(regions["id"], regions[name_column()], strict=True))
    with st.expander(t("integrations.make"), expanded=expanded), st.form("integrations_create"):
        name = st.text_input(t("integrations.name"), max_chars=80, placeholder=t("integrations.name_hint"),
                             key="integrations_name")
        region_id = st.selectbox(t("integrations.region"), [None, *region_names], key="integrations_region",
                                 format_func=lambda i: t("integrations.every_region") if i is None else region_names[i])
        st.markdown(t("integrations.scopes"))
        chosen = [scope for scope, key in SCOPE_KEYS.items()
                  if st.checkbox(t(key), value=scope == "read", key=f"integrations_scope_{scope}")]
        days_column, rate_column = st.columns(2)
        days = days_column.number_input(t("integrations.days", most=MAX_EXPIRY_DAYS), min_value=1,
                                        max_value=MAX_EXPIRY_DAYS, value=DEFAULT_EXPIRY_DAYS, step=1,
                                        key="integrations_days")
        rate = rate_column.number_input(t("integrations.rate"), min_value=1, max_value=MAX_RATE_PER_MINUTE,
                                        value=DEFAULT_RATE_PER_MINUTE, step=1, key="integrations_rate")
        if not st.form_submit_button(t("integrations.create"), type="primary"):
            return
    try:
        issued = create_token(engine, viewer, name=name, region_id=region_id, scopes=chosen,
                              expires_in_days=int(days), rate_per_minute=int(rate))
    except DataAccessError as error:
        show_data_error(error)
        return
    integrations_data.keep_issued(issued)
    for key in FORM_KEYS:  # an empty form for the next token
        st.session_state.pop(key, None)
    st.rerun()


def tokens_panel(engine: Engine, viewer: Viewer, tokens: pd.DataFrame, lang: str) -> None:
    """Every token with its state; revoking one takes a choice and a tick."""
    st.subheader(t("integrations.tokens"))
    if tokens.empty:
        st.caption(t("integrations.no_tokens"))
        return
    st.dataframe(token_table(tokens, lang), hide_index=True, width="stretch")
    revocable = tokens.loc[tokens["state"] != "revoked"]
    if revocable.empty:
        return
    names = dict(zip(revocable["id"], revocable["name"], strict=True))
    with st.form("integrations_revoke"):
        # Nothing is chosen beforehand: revoking the wrong system's token by leaving a default is too easy.
        token_id = st.selectbox(t("integrations.revoke_choose"), list(names), index=None, format_func=names.get,
                                placeholder=t("integrations.revoke_pick"), key="integrations_revoke_choice")
        sure = st.checkbox(t("integrations.revoke_confirm"), key="integrations_revoke_sure")
        if not st.form_submit_button(t("integrations.revoke")):
            return
    if token_id is None or not sure:
        st.warning(t("integrations.revoke_unchosen" if token_id is None else "integrations.revoke_unconfirmed"))
        return
    try:
        revoke_token(engine, viewer, int(token_id))
    except DataAccessError as error:
        show_data_error(error)
        return
    st.session_state[FLASH] = t("integrations.revoked", name=plain(names[token_id]))
    st.rerun()


def pushes_panel(viewer: Viewer, lang: str) -> None:
    """The batches tokens pushed in the last 30 days."""
    st.subheader(t("integrations.pushes"))
    with stop_on_data_error():
        pushes = integrations_data.pushes(viewer)
    if pushes.empty:
        st.caption(t("integrations.no_pushes"))
        return
    st.dataframe(push_table(pushes, lang), hide_index=True, width="stretch")
