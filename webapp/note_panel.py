"""This month's notes in brief on the scorecard (本月文字记录摘要): the keywords as chips and the two most central
sentences, all of it the users' text shown as plain text."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import streamlit as st

from components.formatting import month
from components.text import plain
from data_access import Viewer
from scoring.periods import add_months
from webapp import data
from webapp.i18n import current_language, t


def notes_in_brief(viewer: Viewer, period: dt.date, project_ids: Iterable[int]) -> None:
    """The panel for the projects ``project_ids`` (a project, or a district's) in the month ``period``. A month
    is reported on early in the next one, so where the month has nothing written yet the month before is shown,
    named as such."""
    projects = tuple(sorted(int(i) for i in project_ids))
    summary, n = data.notes_in_brief(viewer, period, projects)
    st.subheader(t("notes.heading"))
    if summary.empty:
        before = add_months(period, -1)
        summary, n = data.notes_in_brief(viewer, before, projects)
        if summary.empty:
            st.caption(t("notes.none"))
            return
        st.caption(t("notes.earlier", month=month(before, current_language())))
    if summary.keywords:
        with st.container(horizontal=True, gap="small", key="notes_keywords"):
            for word in summary.keywords:
                st.badge(plain(word), color="blue")
    for sentence in summary.sentences:
        st.markdown(f"> {plain(sentence)}")
    st.caption(t("notes.source", n=n))
