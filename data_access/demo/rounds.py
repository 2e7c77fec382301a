"""The demo's rating rounds as rows: a closed round per past quarter with its results computed as closing a round
computes them, and one open round for the current quarter whose raters are chosen as opening a round chooses them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from data_access.audit import canonical_json
from data_access.config import DEFAULT_SELF_RATING_MARGIN
from data_access.ratings import Criterion
from scoring.rating_rounds import round_outcome

ANALYST_ID = 3  # the demo's analyst opens every round


def round_row(round_id: int, *, period: dt.date, criteria: Sequence[Criterion], group_weights: dict[str, float],
              created_at: dt.datetime, deadline: dt.datetime, closed: bool, indicator_id: int | None
              ) -> dict[str, Any]:
    quarter = (period.month - 1) // 3 + 1
    return {"id": round_id, "name_zh": f"{period.year}年第{quarter}季度项目评分",
            "name_en": f"{period.year} Q{quarter} project rating", "period": period,
            "criteria": canonical_json([c.__dict__ for c in criteria]), "group_weights": canonical_json(group_weights),
            "indicator_id": indicator_id, "deadline": deadline, "anonymous": True, "correct_leniency": False,
            "status": "closed" if closed else "open", "created_by": ANALYST_ID,
            "created_at": created_at, "closed_at": deadline if closed else None,
            "version": 2 if closed else 1}


def assignment_rows(ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The assignments a closed round's ratings imply: each rater of each project, in their group."""
    seen = dict.fromkeys((r["round_id"], r["project_id"], r["rater_id"], r["rater_type"]) for r in ratings)
    return [{"round_id": round_id, "project_id": project, "rater_id": rater, "rater_type": rater_type}
            for round_id, project, rater, rater_type in seen]


def result_rows(round_id: int, ratings: list[dict[str, Any]], assignments: list[dict[str, Any]],
                criteria: Sequence[Criterion], group_weights: dict[str, float], computed_at: dt.datetime
                ) -> list[dict[str, Any]]:
    """A closed round's ``rating_results`` rows, computed like :func:`data_access.rating_results.close_round`."""
    frame = pd.DataFrame([r for r in ratings if r["round_id"] == round_id]).rename(
        columns={"project_id": "project", "rater_id": "rater"})
    mine = [a for a in assignments if a["round_id"] == round_id]
    assigned: dict[tuple[int, str], int] = {}
    for a in mine:
        assigned[(a["project_id"], a["rater_type"])] = assigned.get((a["project_id"], a["rater_type"]), 0) + 1
    projects = sorted({a["project_id"] for a in mine})
    outcome = round_outcome(frame, projects=projects, assigned=assigned,
                            criteria_weights={c.code: c.weight for c in criteria}, group_weights=group_weights,
                            self_margin=DEFAULT_SELF_RATING_MARGIN, correct_leniency=False)
    method = canonical_json(outcome.method)
    return [{"round_id": round_id, "project_id": project, "score": result.score,
             "assigned": result.assigned, "responded": result.responded,
             "self_flagged": result.self_flagged, "method": method,
             "detail": canonical_json(result.detail | {"agreement": outcome.agreement}), "computed_at": computed_at}
            for project, result in outcome.projects.items()]
