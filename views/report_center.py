"""报告中心 Reports: build, preview and download reports and white papers for the viewer's scope; subscribe."""
import streamlit as st

from webapp.i18n import t

st.title(t("page.report_center"))
