"""Plausibility of a monthly report's values, checked before anything is saved.

Two kinds of finding:

- **refused** (``falls``, ``above_later``, ``out_of_range``): a cumulative series may not fall below the value
  stored for an earlier month (the issue's real case: 累计完成投资 8,629 → 1,250 万元), nor rise above the value
  stored for a later month; every value stays within its allowed range (progress 0–100).
- **asks for a reason** (``jump``, ``far_from_plan``): a move from the last stored value more than ``jump`` times
  the project's usual month-to-month movement of that KPI, or a value further than ``plan_deviation`` (a share)
  from this period's plan. With a reason the value is accepted and the reason stored with it.

Which series is cumulative is one rule, :func:`is_cumulative`: its code ends in ``_CUM`` and its months roll up
as the last value (a running total, like SPEND_CUM). Pure pandas, no database.
"""
from __future__ import annotations

import math

import pandas as pd

from scoring.periods import month_index

REFUSING = ("falls", "above_later", "out_of_range")
ASKING = ("jump", "far_from_plan")
MIN_MOVES = 3  # fewer past month-to-month moves than this say nothing about what is usual
CUMULATIVE_SUFFIX = "_CUM"

FINDING_COLUMNS = ["code", "rule", "value", "reference"]


def is_cumulative(code: str, period_rollup: str) -> bool:
    """A running total that may never fall: a ``_CUM`` code whose months roll up as their last value.

    >>> is_cumulative("SPEND_CUM", "last"), is_cumulative("SPEND_PLAN", "last"), is_cumulative("X_CUM", "sum")
    (True, False, False)
    """
    return code.endswith(CUMULATIVE_SUFFIX) and period_rollup == "last"


def typical_moves(history: pd.DataFrame) -> pd.Series:
    """The median absolute month-to-month move per code; NaN where fewer than :data:`MIN_MOVES` moves exist.

    ``history`` has columns code, period (first day of a month), value. Only moves between consecutive months
    count: a gap of two months is not a month's movement.

    >>> import datetime as dt
    >>> months = [dt.date(2026, m, 1) for m in (1, 2, 3, 4, 6)]
    >>> frame = pd.DataFrame({"code": ["A"] * 5 + ["B"] * 2, "period": months + months[:2],
    ...                       "value": [10.0, 12.0, 13.0, 17.0, 90.0, 1.0, 2.0]})
    >>> typical_moves(frame).to_dict()
    {'A': 2.0, 'B': nan}
    """
    if history.empty:
        return pd.Series(dtype=float, name="typical_move")
    frame = history.assign(month=[month_index(p) for p in history["period"]]).sort_values(["code", "month"])
    step = frame.groupby("code")["month"].diff()
    move = frame.groupby("code")["value"].diff().abs().where(step == 1)
    moves = move.groupby(frame["code"]).agg(["median", "count"])
    return moves["median"].where(moves["count"] >= MIN_MOVES).rename("typical_move")


def check_entries(entries: pd.DataFrame, *, jump: float, plan_deviation: float) -> pd.DataFrame:
    """Every finding for the entered values, one row each: code, rule, value, reference.

    ``entries`` has one row per entered value: code, value, cumulative (bool), low, high (allowed range),
    last_value (latest stored value before the period; NaN), next_value (earliest stored value after it; NaN),
    typical_move (see :func:`typical_moves`; NaN), plan (this period's plan; NaN when there is none).
    ``reference`` is what the value was compared with (the earlier value, the range's bound, the plan …).
    A KPI whose usual move is 0 has no scale to compare a jump with, so it is never asked about one.

    >>> entries = pd.DataFrame({"code": ["SPEND_CUM", "HOUSEHOLDS"], "value": [1250.0, 400.0],
    ...     "cumulative": [True, False], "low": [0.0, -1e13], "high": [1e13, 1e13],
    ...     "last_value": [8629.0, 100.0], "next_value": [math.nan, math.nan], "typical_move": [300.0, 20.0],
    ...     "plan": [9000.0, math.nan]})
    >>> check_entries(entries, jump=10, plan_deviation=0.5).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'code': 'SPEND_CUM', 'rule': 'falls', 'value': 1250.0, 'reference': 8629.0},
     {'code': 'SPEND_CUM', 'rule': 'jump', 'value': 1250.0, 'reference': 300.0},
     {'code': 'SPEND_CUM', 'rule': 'far_from_plan', 'value': 1250.0, 'reference': 9000.0},
     {'code': 'HOUSEHOLDS', 'rule': 'jump', 'value': 400.0, 'reference': 20.0}]
    """
    value = entries["value"].astype(float)
    cumulative = entries["cumulative"].astype(bool)
    rules = {
        "falls": (cumulative & (value < entries["last_value"]), entries["last_value"]),
        "above_later": (cumulative & (value > entries["next_value"]), entries["next_value"]),
        "out_of_range": ((value < entries["low"]) | (value > entries["high"]),
                         entries["low"].where(value < entries["low"], entries["high"])),
        "jump": ((entries["typical_move"] > 0)
                 & ((value - entries["last_value"]).abs() > jump * entries["typical_move"]), entries["typical_move"]),
        "far_from_plan": (entries["plan"].notna() & (entries["plan"] != 0)
                          & ((value - entries["plan"]).abs() > plan_deviation * entries["plan"].abs()),
                          entries["plan"]),
    }
    rows = [
        {"code": entries["code"].iloc[i], "rule": rule, "value": float(value.iloc[i]),
         "reference": float(reference.iloc[i])}
        for i in range(len(entries)) for rule, (hit, reference) in rules.items() if bool(hit.iloc[i])
    ]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def move_ratio(value: float, last_value: float, typical_move: float) -> float:
    """How many usual moves the new value is from the last one (for the message that asks for a reason).

    >>> move_ratio(1250.0, 1000.0, 20.0)
    12.5
    """
    return math.inf if typical_move == 0 else abs(value - last_value) / typical_move
