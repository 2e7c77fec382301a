"""TOPSIS: rank alternatives by closeness to the ideal and distance from the anti-ideal.

Offered next to the weighted sum because reviewers ask for it as a cross-check
of the ranking; it follows the textbook recipe (Hwang & Yoon, 1981) exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.criteria import criteria_matrix, unit_sum


def topsis(matrix: np.ndarray | pd.DataFrame, weights: np.ndarray | pd.Series | Sequence[float],
           directions: Sequence[object]) -> np.ndarray | pd.Series:
    """Relative closeness C = D⁻ / (D⁺ + D⁻) in 0..1 per alternative (1 = the ideal).

    Vector normalisation ``r_ij = x_ij / √Σ_i x_ij²``, weighted ``v = w·r``
    (weights normalised to sum 1; a Series is matched to the columns by
    label and must have exactly their labels), ideal = best value per criterion by direction, Euclidean distances.
    A Series indexed like the matrix rows comes back for a DataFrame.

    >>> topsis(np.array([[3.0, 4.0], [4.0, 3.0]]), [1, 1], [1, -1]).round(4).tolist()
    [0.0, 1.0]
    """
    x, names, lower = criteria_matrix(matrix, directions)
    w = unit_sum(weights, "TOPSIS")
    if isinstance(w, pd.Series):
        absent = [n for n in names if n not in w.index]
        if absent:
            raise ValueError(f"no TOPSIS weight for criterion(s) {', '.join(map(repr, absent))}")
        extra = [label for label in w.index if label not in names]
        if extra:  # ignoring them would quietly renormalise the others' weights
            raise ValueError(f"TOPSIS weight(s) for {', '.join(map(repr, extra))}, which the matrix does not have")
        w = w.reindex(names)
    w = np.asarray(w, dtype=float)
    if len(w) != x.shape[1]:
        raise ValueError(f"got {len(w)} weights for {x.shape[1]} criteria")
    norm = np.sqrt((x**2).sum(axis=0))
    if (norm == 0).any():
        raise ValueError(f"criterion {names[int(np.argmax(norm == 0))]!r} is all zero; "
                         "vector normalisation is undefined")
    v = w * x / norm
    ideal = np.where(lower, v.min(axis=0), v.max(axis=0))
    anti_ideal = np.where(lower, v.max(axis=0), v.min(axis=0))
    to_ideal = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    to_anti = np.sqrt(((v - anti_ideal) ** 2).sum(axis=1))
    spread = to_ideal + to_anti
    if (spread == 0).any():
        raise ValueError("every weighted criterion is constant, so TOPSIS cannot tell the alternatives apart")
    closeness = to_anti / spread
    return pd.Series(closeness, index=matrix.index, name="closeness") if isinstance(matrix, pd.DataFrame) else closeness
