"""Rating rounds (评分) for the pages, the API and the reminder job: open a round, the raters' to-do and form,
rating, closing (by hand or at the deadline), the results and a project's breakdown for its scorecard.

The rules live in the data layer (:mod:`data_access.ratings`, :mod:`data_access.rating_results`); this is the one
place pages take them from. Closing a round that feeds a KPI re-evaluates the warnings of the projects it scored.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from data_access import rating_results
from data_access.errors import DataAccessError
from data_access.policy import SYSTEM, Viewer
from data_access.rating_results import RatingBreakdown, RoundResults, project_rating_breakdown, round_results
from data_access.ratings import (
    DEFAULT_CRITERIA,
    DEFAULT_GROUP_WEIGHTS,
    Criterion,
    RatingSheet,
    RoundClosed,
    RoundSpec,
    list_rounds,
    my_rating_tasks,
    open_round,
    rate,
    rating_sheet,
    round_assignments,
    with_expert_group,
)
from services.alerts import evaluate

__all__ = [
    "DEFAULT_CRITERIA", "DEFAULT_GROUP_WEIGHTS", "ClosedRound", "Criterion", "RatingBreakdown", "RatingSheet",
    "RoundClosed", "RoundResults", "RoundSpec", "close_due_rounds", "close_round", "list_rounds", "my_rating_tasks",
    "open_round", "project_rating_breakdown", "rate", "rating_sheet", "round_assignments", "round_results",
    "with_expert_group",
]

log = logging.getLogger("perfdash.ratings")


@dataclass(frozen=True)
class ClosedRound:
    """What closing did: the projects whose fed KPI got the round's result, and whether their warnings were
    re-evaluated (False when the evaluation failed; the results are stored either way)."""

    fed_projects: list[int]
    warnings_evaluated: bool


def close_round(engine: Engine, viewer: Viewer, *, round_id: int, version: int,
                now: dt.datetime | None = None) -> ClosedRound:
    """Close the round (results, the fed KPI's values, audited) and re-evaluate the scored projects' warnings."""
    fed = rating_results.close_round(engine, viewer, round_id=round_id, version=version, now=now)
    if not fed:
        return ClosedRound(fed, warnings_evaluated=True)
    try:
        evaluate(engine, project_ids=fed, now=now)
    except DataAccessError:
        log.exception("Warnings of the projects rating round %s scored were not re-evaluated", round_id)
        return ClosedRound(fed, warnings_evaluated=False)
    return ClosedRound(fed, warnings_evaluated=True)


def close_due_rounds(engine: Engine, now: dt.datetime) -> list[int]:
    """Close, as the system actor, every open round whose deadline has passed at ``now``; returns their ids.

    A round someone closed meanwhile is skipped (its version moved on), not an error.
    """
    closed = []
    for round_id, version in rating_results.due_rounds(engine, now):
        try:
            close_round(engine, SYSTEM, round_id=round_id, version=version, now=now)
        except DataAccessError as exc:
            log.warning("Rating round %s was not closed: %s", round_id, exc)
            continue
        closed.append(round_id)
    return closed
