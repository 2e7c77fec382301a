"""Placeholder while issue 13 is built (replaced in this session)."""
import streamlit as st

from webapp.i18n import t

st.title(t("page.report"))
