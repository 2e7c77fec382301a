"""Cached reads for the 报告中心 page, made like :mod:`webapp.data`'s (:func:`~webapp.data.cached_read`): keyed on
the viewer and the data version, so a new build or subscription shows on the next run."""
from __future__ import annotations

import pandas as pd

from data_access import Viewer, report_builds
from data_access.register import departments_for
from webapp.data import Database, cached_read


@cached_read
def builds(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """The kept builds the viewer may see, newest first (see :func:`data_access.report_builds.list_builds`)."""
    return report_builds.list_builds(db.engine, viewer)


@cached_read
def build(viewer: Viewer, build_id: int, *, db: Database) -> dict[str, object]:
    """One kept build's row; another district's id is ``NotFound`` like a missing one."""
    return report_builds.build_details(db.engine, viewer, build_id)


@cached_read
def subscriptions(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """The viewer's own active subscriptions."""
    return report_builds.my_subscriptions(db.engine, viewer)


@cached_read
def departments(viewer: Viewer, region_id: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - reference data
    """Departments a report over the region may be narrowed to (the region's and those above it)."""
    return departments_for(db.engine, region_id)
