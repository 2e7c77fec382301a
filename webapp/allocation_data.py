"""Cached reads for the 结果应用 page, made like :mod:`webapp.data`'s (:func:`~webapp.data.cached_read`): keyed on
the viewer and the data version, so a saved rule set or proposal shows on the next run."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access import Viewer
from data_access import allocation as allocation_store
from services import allocation
from webapp.data import Database, cached_read


@cached_read
def rule_set(viewer: Viewer, *, db: Database) -> allocation_store.RuleSet | None:
    """The rule set in force (None when there is none yet)."""
    return allocation_store.rule_set_in_force(db.engine, viewer)


@cached_read
def scored_projects(viewer: Viewer, period: dt.date | None, scheme_id: int | None, *, db: Database) -> pd.DataFrame:
    """Every project with the dashboard's score and grade under ``scheme_id`` (viewers who see every region)."""
    return allocation.scored_projects(db.engine, viewer, period, scheme_id)


@cached_read
def proposals(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """Saved proposals, newest first, totals cut to the viewer's scope."""
    return allocation_store.list_proposals(db.engine, viewer)


@cached_read
def proposal(viewer: Viewer, proposal_id: int, *, db: Database) -> allocation_store.Proposal:
    """One proposal with the lines the viewer may see."""
    return allocation_store.get_proposal(db.engine, viewer, proposal_id)
