"""经验库 Knowledge base: best-practice cases, searchable in Chinese and English."""
import streamlit as st

from webapp.i18n import t

st.title(t("page.knowledge"))
