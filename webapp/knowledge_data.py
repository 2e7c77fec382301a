"""Cached reads for the 经验库 knowledge base and the suggestions on the rectification board, made like
:mod:`webapp.data`'s (:func:`~webapp.data.cached_read`): keyed on the viewer and the data version."""
from __future__ import annotations

import pandas as pd

from data_access import Viewer
from services import knowledge
from webapp.data import Database, cached_read


@cached_read
def search(viewer: Viewer, query: str, problem_type: str | None, category_id: int | None, region_id: int | None,
           *, db: Database) -> pd.DataFrame:
    return knowledge.search(db.engine, viewer, query, problem_type=problem_type, category_id=category_id,
                            region_id=region_id, limit=200)


@cached_read
def case(viewer: Viewer, case_id: int, *, db: Database) -> pd.Series:
    return knowledge.get_case(db.engine, viewer, case_id)


@cached_read
def case_files(viewer: Viewer, case_id: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - keys the cache
    return knowledge.case_files(db.engine, case_id)


@cached_read
def case_districts(viewer: Viewer, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - keys the cache
    return knowledge.case_districts(db.engine)


@cached_read
def problem_types(viewer: Viewer, *, db: Database) -> list[str]:  # noqa: ARG001 - keys the cache
    return knowledge.problem_types(db.engine)


# The scope decides them (the alert must be in it; a case's "editable" follows role, region and managed projects)
# and only writes not declared within projects change cases: the rectification board's cards share them.
@cached_read(per_scope=True, within_scope=True)
def suggestions(viewer: Viewer, alert_id: int, *, db: Database) -> pd.DataFrame:
    return knowledge.suggest_cases(db.engine, viewer, alert_id)
