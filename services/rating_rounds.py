"""Rating rounds (评分) for the pages, the API and the reminder job: open a round, the raters' to-do and form,
rating.

The rules live in the data layer (:mod:`data_access.ratings`); this is the one place pages take them from.
"""
from __future__ import annotations

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

__all__ = [
    "DEFAULT_CRITERIA", "DEFAULT_GROUP_WEIGHTS", "Criterion", "RatingSheet", "RoundClosed", "RoundSpec", "list_rounds",
    "my_rating_tasks", "open_round", "rate", "rating_sheet", "round_assignments", "with_expert_group",
]
