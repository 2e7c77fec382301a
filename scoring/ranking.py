"""League-table positions and grade bands for project totals.

Totals are rounded to ``TIE_DECIMALS`` places before they are compared, so
two projects whose totals differ only by floating-point noise (and print the
same) tie instead of being separated by an invisible 1e-14.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

TIE_DECIMALS = 9
DEFAULT_GRADE_BANDS: dict[str, float] = {"优秀": 90.0, "良好": 80.0, "合格": 60.0, "不合格": float("-inf")}
GRADE_LABELS_EN: dict[str, str] = {"优秀": "Excellent", "良好": "Good", "合格": "Pass", "不合格": "Fail"}


def _as_series(totals: pd.Series | Sequence[float] | np.ndarray) -> pd.Series:
    series = totals if isinstance(totals, pd.Series) else pd.Series(np.asarray(totals, dtype=float))
    return series.astype(float)


def competition_ranks(values: np.ndarray, decimals: int | None = TIE_DECIMALS) -> np.ndarray:
    """Array core of :func:`rank`: 1 + the number of strictly larger values; NaN gets 0.

    >>> competition_ranks(np.array([70.0, 90.0, np.nan, 90.0]))
    array([3, 1, 0, 1])
    """
    x = np.round(values, decimals) if decimals is not None else values
    order = np.argsort(x)  # NaN sorts last
    ascending = x[order]
    scored = int(np.count_nonzero(~np.isnan(ascending)))
    ascending = ascending[:scored]
    ranks = np.zeros(len(x), dtype=np.int64)
    # searching the sorted values themselves keeps searchsorted cache-friendly
    ranks[order[:scored]] = 1 + scored - np.searchsorted(ascending, ascending, side="right")
    return ranks


def rank(totals: pd.Series | Sequence[float] | np.ndarray, *, na_option: Literal["keep", "bottom"] = "keep",
         decimals: int | None = TIE_DECIMALS) -> pd.Series:
    """Competition ranking, highest total first: 90, 85, 85, 70 → 1, 2, 2, 4.

    Returns an ``Int64`` Series on the input's index.

    Unscored projects: by default (``na_option="keep"``) a NaN total gets no
    rank, ``<NA>``, which sorts after every number. This is deliberate: a
    project without enough data has not been measured, and a numeric last
    rank would read as "worst performer" in a league table or an export. Use
    ``na_option="bottom"`` when a number is needed anyway (e.g. a chart axis):
    all unscored projects then tie on the rank after the last scored one.

    Ties: totals are rounded to ``decimals`` places (default
    :data:`TIE_DECIMALS` = 9) before they are compared, so totals that differ
    only by float noise from the weighted sum (89.99999999999997 vs 90.0) tie,
    as they print the same; ``decimals=None`` compares the raw floats.

    >>> rank([90, 85, np.nan, 85, 70]).tolist()
    [1, 2, <NA>, 2, 4]
    >>> rank([90, np.nan, 70], na_option="bottom").tolist()
    [1, 3, 2]
    >>> rank([90.0, 89.99999999999997]).tolist(), rank([90.0, 89.99999999999997], decimals=None).tolist()
    ([1, 1], [1, 2])
    """
    if na_option not in ("keep", "bottom"):
        raise ValueError(f"unknown na_option {na_option!r}; use 'keep' or 'bottom'")
    series = _as_series(totals)
    ranks = competition_ranks(series.to_numpy(dtype=float, na_value=np.nan), decimals)
    unranked = ranks == 0
    if na_option == "bottom":
        ranks[unranked] = len(ranks) - unranked.sum() + 1
        unranked[:] = False
    return pd.Series(pd.arrays.IntegerArray(ranks, unranked), index=series.index, name="rank")


def grade(totals: pd.Series | Sequence[float] | np.ndarray, bands: Mapping[str, float] | None = None,
          *, decimals: int | None = TIE_DECIMALS) -> pd.Series:
    """Grade label per total, as an ordered categorical (worst < … < best); NaN total → missing grade.

    ``bands`` maps label → inclusive minimum total (default
    :data:`DEFAULT_GRADE_BANDS`: 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 below).
    Give the lowest band ``-inf`` to catch everything; a total below every
    band raises. For English labels use
    ``grade(t).cat.rename_categories(GRADE_LABELS_EN)``.

    ``decimals`` (default :data:`TIE_DECIMALS` = 9): totals are rounded to
    this many places before they are compared with the band minimums, the
    same rounding :func:`rank` uses for ties. A weighted sum that should be
    exactly 90 can come out as 89.99999999999997, which would otherwise drop
    a project from 优秀 to 良好 over invisible float noise; real differences
    (89.99 stays 良好) are far larger than 1e-9. ``decimals=None`` compares
    the raw floats.

    >>> grade([95, 89.5, 60, 12.0, np.nan]).tolist()
    ['优秀', '良好', '合格', '不合格', nan]
    >>> grade([89.99999999999997, 89.99]).tolist(), grade([89.99999999999997], decimals=None).tolist()
    (['优秀', '良好'], ['良好'])
    >>> grade([85], {"A": 80, "B": 0}).cat.categories.tolist()
    ['B', 'A']
    """
    bands = DEFAULT_GRADE_BANDS if bands is None else bands
    if not bands:
        raise ValueError("grade needs at least one band")
    labels = list(bands)
    minimums = np.array([bands[label] for label in labels], dtype=float)
    if np.isnan(minimums).any() or len(set(minimums)) != len(minimums):
        raise ValueError(f"grade band minimums must be distinct numbers, got {dict(bands)}")
    order = np.argsort(minimums)
    labels_worst_first = [labels[i] for i in order]
    minimums = minimums[order]
    series = _as_series(totals)
    x = series.to_numpy(dtype=float, na_value=np.nan)
    if decimals is not None:
        x = np.round(x, decimals)
    band = np.searchsorted(minimums, x, side="right") - 1
    below = ~np.isnan(x) & (band < 0)
    if below.any():
        raise ValueError(f"total {x[below][0]} is below the lowest grade band {labels_worst_first[0]!r} "
                         f"(minimum {minimums[0]}); give the lowest band -inf to catch everything")
    codes = np.where(np.isnan(x), -1, band)
    dtype = pd.CategoricalDtype(labels_worst_first, ordered=True)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), index=series.index, name="grade")
