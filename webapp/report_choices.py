"""Which projects and months the report page offers: the viewer's running projects, the month due and two before."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access import Viewer
from scoring.periods import period_to_report, recent_months
from webapp import data

REPORTED_STATUSES = ("active", "suspended")
MONTHS_OFFERED = 3  # the month due and the two before it: late reports for earlier months are common


def reportable_projects(viewer: Viewer, linked: int | None) -> pd.DataFrame:
    """The viewer's active and suspended projects, plus a project a link names (``NotFound`` /
    ``PermissionDenied`` outside the scope; the data layer decides whether its status takes a report)."""
    projects = data.projects(viewer)
    running = projects[projects["status"].isin(REPORTED_STATUSES)]
    if linked is None or linked in set(running["id"]):
        return running
    data.project(viewer, linked)  # refuses a project outside the viewer's scope, in the usual words
    return pd.concat([projects[projects["id"] == linked], running])


def period_choices(linked: dt.date | None, today: dt.date | None = None) -> list[dt.date]:
    """The month to report and the two before it, newest first, plus an earlier month a link names (an overdue
    report from My tasks)."""
    months = recent_months(period_to_report(today or dt.date.today()), MONTHS_OFFERED)
    return months if linked is None or linked in months else sorted([*months, linked], reverse=True)


def follow_link(key: str, options: list[object], linked: object) -> None:
    """Point the picker ``key`` at what a new link names, before the picker is drawn.

    A link is new when it names something else than on the previous run (a tap in My tasks, a typed URL); after
    that the user's own choice stands, and the page writes it back to the URL.
    """
    seen = f"{key}_linked"
    if linked in options and st.session_state.get(seen) != linked:
        st.session_state[key] = linked
    st.session_state[seen] = linked
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
