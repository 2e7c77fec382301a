"""经验库: best-practice cases — written, searched, suggested, and cited by the reports."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from data_access.policy import Viewer

BEST_PRACTICE_COLUMNS = ("id", "title", "problem_type", "project_name", "region_name", "summary", "before",
                         "after", "unit")


def best_practices(engine: Engine, viewer: Viewer, *, region_id: int | None, start: dt.date, end: dt.date,  # noqa: ARG001
                   language: str = "zh", limit: int = 5) -> pd.DataFrame:  # noqa: ARG001 - filled in by the knowledge base
    """The cases a report cites for its scope and period, best first: one row per case with
    :data:`BEST_PRACTICE_COLUMNS` (``summary`` what was done and achieved, in ``language``; ``before``/``after``
    the indicator's figures at the case's two periods, ``unit`` its unit)."""
    return pd.DataFrame(columns=list(BEST_PRACTICE_COLUMNS))
