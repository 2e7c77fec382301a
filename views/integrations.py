"""开放接口 Open API (admins): tokens for other systems — made once and copied, listed with their last use,
revoked — and what they pushed in the last 30 days."""
import streamlit as st

from webapp import data, integrations_data, integrations_panels
from webapp.i18n import current_language, t
from webapp.session import current_viewer, shared_engine, stop_on_data_error

viewer = current_viewer()
lang = current_language()
engine = shared_engine()
st.title(t("page.integrations"))
st.caption(t("integrations.intro"))
if integrations_panels.FLASH in st.session_state:
    st.success(st.session_state.pop(integrations_panels.FLASH))
issued = integrations_data.take_issued()
if issued is not None:
    integrations_panels.issued_panel(issued)

with stop_on_data_error():
    regions = data.regions(viewer)
    tokens = integrations_data.tokens(viewer)
integrations_panels.create_form(engine, viewer, regions, expanded=tokens.empty)
integrations_panels.tokens_panel(engine, viewer, tokens, lang)
integrations_panels.pushes_panel(viewer, lang)
