"""Progress against plan: the project × month gap matrix the heat maps show."""
from __future__ import annotations

import pandas as pd

ACTUAL, PLAN = "PROG_ACTUAL", "PROG_PLAN"


def progress_gap(progress: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Actual minus planned progress (percentage points), one row per project and one column per month.

    ``progress`` is the long series (project_id, indicator_code, period, value) of both indicators. The rows
    are the ``limit`` projects furthest behind in the newest month, furthest first (a project with no gap that
    month comes last); empty when either series is missing.
    """
    wide = progress.pivot_table(index=["project_id", "period"], columns="indicator_code", values="value")
    if not {ACTUAL, PLAN} <= set(wide.columns):
        return pd.DataFrame()
    gap = (wide[ACTUAL] - wide[PLAN]).unstack("period")
    return gap.loc[gap.iloc[:, -1].sort_values().index[:limit]]
