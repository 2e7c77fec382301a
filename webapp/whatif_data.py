"""Cached reads for the 权重调优 what-if page, made like :mod:`webapp.data`'s (:func:`~webapp.data.cached_read`):
keyed on the viewer and the data version, so a saved, deleted or promoted scheme shows on the next run.

The normalised score matrix is read once per viewer, period and scheme, so moving a weight re-ranks without a
database round trip; entropy weights are computed once per set of projects in view.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

import data_access
from data_access import Viewer
from data_access import schemes as scheme_store
from scoring.weight_tree import DimensionTree
from services import whatif
from webapp.data import Database, cached_read


@cached_read
def schemes(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """Every stored weight scheme (see :func:`data_access.schemes.list_schemes`)."""
    return scheme_store.list_schemes(db.engine, viewer)


@cached_read
def base(viewer: Viewer, period: dt.date | None, scheme_id: int, *, db: Database) -> whatif.WhatIfBase:
    """What the page re-ranks: the scores of the viewer's projects under ``scheme_id``."""
    return whatif.load_base(db.engine, viewer, period, scheme_id)


@cached_read
def scheme_tree(viewer: Viewer, scheme_id: int, *, db: Database) -> DimensionTree:
    """One stored scheme's weights as a tree."""
    return whatif.scheme_tree(data_access.weight_scheme_items(db.engine, viewer, scheme_id))


@cached_read
def entropy(viewer: Viewer, period: dt.date | None, scheme_id: int, project_ids: np.ndarray, *,
            db: Database) -> DimensionTree:  # noqa: ARG001 - the version keys the cache; base() reads at it too
    """Entropy weights of the projects in view (ids as an array: Streamlit hashes its bytes at once)."""
    scored = base(viewer, period, scheme_id)
    return whatif.entropy_tree(scored.scores.loc[project_ids], scored.indicators,
                               scored.categories.loc[project_ids])
