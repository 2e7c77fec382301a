"""Cached reads for the 报告中心 page, made like :mod:`webapp.data`'s (:func:`~webapp.data.cached_read`): keyed on
the viewer and the newest audit entry (keeping a build or subscribing is audited but leaves the data version
alone, see :mod:`data_access.report_builds`), so a new build or subscription shows at once."""
from __future__ import annotations

import pandas as pd

from data_access import Viewer, report_builds
from data_access.register import departments_for
from webapp.data import Database, audit_mark, cached_read


@cached_read
def _builds(viewer: Viewer, audit_mark: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - audit_mark keys
    return report_builds.list_builds(db.engine, viewer)


def builds(viewer: Viewer) -> pd.DataFrame:
    """The kept builds the viewer may see, newest first (see :func:`data_access.report_builds.list_builds`)."""
    return _builds(viewer, audit_mark())


@cached_read
def build(viewer: Viewer, build_id: int, *, db: Database) -> dict[str, object]:
    """One kept build's row (a kept build never changes); another district's id is ``NotFound`` like a missing
    one."""
    return report_builds.build_details(db.engine, viewer, build_id)


@cached_read
def _subscriptions(viewer: Viewer, audit_mark: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - keys
    return report_builds.my_subscriptions(db.engine, viewer)


def subscriptions(viewer: Viewer) -> pd.DataFrame:
    """The viewer's own active subscriptions."""
    return _subscriptions(viewer, audit_mark())


@cached_read
def departments(viewer: Viewer, region_id: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - reference data
    """Departments a report over the region may be narrowed to (the region's and those above it)."""
    return departments_for(db.engine, region_id)
