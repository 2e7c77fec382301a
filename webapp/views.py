"""What several views share: this month's and last month's portfolio under the sidebar filters."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access import Viewer
from services.portfolio import month_before
from webapp import data
from webapp.filters import filter_projects, selected_period


def filtered_portfolio(viewer: Viewer, period: dt.date | None) -> pd.DataFrame:
    frame = data.portfolio(viewer, period)
    filtered = filter_projects(frame.reset_index(names="id"), viewer).set_index("id")
    filtered.attrs = frame.attrs
    return filtered


def current_and_previous(viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame, dt.date | None]:
    """The chosen month's portfolio, the month before's (for changes), and the month itself."""
    current = filtered_portfolio(viewer, selected_period())
    period = current.attrs.get("period") or data.latest_period(viewer)
    previous = filtered_portfolio(viewer, month_before(period)) if period else current.iloc[0:0]
    return current, previous, period
