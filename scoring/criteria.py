"""Input checks shared by the multi-criteria methods (weights and TOPSIS).

They take matrices of alternatives × criteria from notebooks and screens alike,
so validation and error wording live in one place.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from scoring.directions import lower_is_better_mask


def criteria_matrix(matrix: Any, directions: Sequence[object],
                    *, order: Literal["K", "C", "F"] = "K") -> tuple[np.ndarray, list[Hashable], np.ndarray]:
    """(float array, criterion names, lower-is-better mask), rejecting missing data by column name.

    The array is always a new copy (callers may change it in place), laid out in memory as ``order`` asks
    (``"F"``: each criterion's values next to each other).

    >>> x, names, lower = criteria_matrix(pd.DataFrame({"cost": [3, 1], "speed": [2, 5]}), [-1, "higher"])
    >>> names, lower
    (['cost', 'speed'], array([ True, False]))
    """
    x = np.array(matrix, dtype=float, order=order)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise ValueError(f"need a 2-D matrix with at least 2 alternatives, got shape {x.shape}")
    names: list[Hashable] = list(matrix.columns) if isinstance(matrix, pd.DataFrame) else list(range(x.shape[1]))
    gaps = ~np.isfinite(x).all(axis=0)
    if gaps.any():
        raise ValueError(f"criterion {names[int(np.argmax(gaps))]!r} has missing or infinite values")
    return x, names, lower_is_better_mask(list(directions), names)


def unit_sum(weights: Any, what: str) -> np.ndarray | pd.Series:
    """Weights scaled to sum 1 (Series stay Series); negative, non-finite or all-zero weights raise.

    >>> unit_sum([1, 3], "example").tolist()
    [0.25, 0.75]
    """
    values = weights.astype(float) if isinstance(weights, pd.Series) else np.asarray(weights, dtype=float)
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or not np.isfinite(array).all() or (array < 0).any() or array.sum() <= 0:
        raise ValueError(f"{what} weights must be finite, non-negative and not all zero, got {list(array)}")
    return values / array.sum()
