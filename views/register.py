"""A page being built for issue 12: its title and a note until the feature lands."""
import streamlit as st

from webapp.i18n import t

st.title(t("page.register"))
st.info(t("page.under_construction"))
