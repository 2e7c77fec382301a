"""Placeholder until the page is built."""
import streamlit as st

from webapp.session import current_viewer

current_viewer()
st.title("…")
