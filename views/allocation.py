"""结果应用 Result application: rewards and budget priority from the scores, with the arithmetic visible."""
import streamlit as st

from webapp.i18n import t

st.title(t("page.allocation"))
