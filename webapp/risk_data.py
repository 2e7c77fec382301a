"""Cached risk predictions for pages, made like :mod:`webapp.data`'s reads (:func:`~webapp.data.cached_read`):
keyed on the viewer's scope, its data version and the day, so officials of one district share one entry. They
read only the scope's projects and the kept models, whose training moves the whole database's counter on, so
they are ``within_scope``: a report in another district leaves them current."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access import Viewer
from services import risk
from webapp.data import Database, by_district, cached_read, district_paths


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def outlook(viewer: Viewer, today: dt.date, *, db: Database) -> risk.Outlook:
    """For a scope of several districts, after a push only the pushed districts' projects are predicted again
    (:func:`webapp.data.by_district`)."""
    districts = district_paths(viewer)
    if districts is None:
        return risk.outlook(db.engine, viewer, today=today)
    return by_district(("risk outlook", today), viewer, districts, db,
                       lambda scope: risk.outlook(db.engine, scope, today=today),
                       lambda district: outlook(district, today), risk.with_districts_replaced)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def trend(viewer: Viewer, project_id: int, today: dt.date, *, db: Database) -> pd.DataFrame:
    return risk.project_trend(db.engine, viewer, project_id, today=today)
