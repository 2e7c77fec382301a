"""Indicator weights from judgement (AHP) and from the data (entropy, CRITIC), and their blend.

Conventions shared by every function here: a matrix is alternatives (rows) ×
criteria (columns); ``directions`` holds ``+1``/``-1`` (or ``"higher"``/
``"lower"``) per criterion; results are numpy arrays, or pandas objects
labelled by the input's columns when a DataFrame came in.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from scoring.criteria import criteria_matrix, unit_sum

# Saaty's random consistency index RI(n): the mean CI of random reciprocal
# matrices, as tabulated by Saaty (The Analytic Hierarchy Process, 1980) and
# extended to n = 15 in the table reproduced by most AHP texts.
SAATY_RANDOM_INDEX: dict[int, float] = {
    3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
    10: 1.49, 11: 1.51, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59,
}
CONSISTENCY_LIMIT = 0.1
# Reciprocals typed with two decimals (0.33, 0.14, 0.11) are off by up to 4.5 %.
RECIPROCAL_TOLERANCE = 0.05


@dataclass(frozen=True)
class AHPResult:
    """Priorities of one pairwise matrix and its consistency (``consistent`` when ``cr < 0.1``)."""

    weights: np.ndarray | pd.Series
    lambda_max: float
    ci: float
    cr: float
    consistent: bool


@dataclass(frozen=True)
class AHPGroupResult:
    """The group's priorities (from the geometric-mean matrix) and every expert's own result.

    ``cr`` lists each expert's consistency ratio and, last, the group's (row ``"group"``).
    """

    group: AHPResult
    combined: np.ndarray | pd.DataFrame
    experts: dict[Hashable, AHPResult]
    cr: pd.Series


def _labels(matrix: Any) -> pd.Index | None:
    return matrix.columns if isinstance(matrix, pd.DataFrame) else None


def _labelled(values: np.ndarray, labels: pd.Index | None) -> np.ndarray | pd.Series:
    return values if labels is None else pd.Series(values, index=labels)


def _pairwise_array(pairwise: Any, tolerance: float, who: str) -> np.ndarray:
    """Validated, completed and exactly reciprocal copy of a pairwise comparison matrix."""
    labels = _labels(pairwise)
    if labels is not None and not pairwise.index.equals(labels):
        raise ValueError(f"{who}pairwise matrix rows and columns must carry the same labels in the same order")
    a = np.array(pairwise, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"{who}pairwise matrix must be square, got shape {a.shape}")
    n = a.shape[0]
    if n > max(SAATY_RANDOM_INDEX):
        raise ValueError(f"{who}{n} criteria is beyond Saaty's random-index table (n ≤ 15); "
                         "split them into a hierarchy of smaller comparisons")

    def cell(i: int, j: int) -> str:
        return f"{who}pairwise[{labels[i]!r}, {labels[j]!r}]" if labels is not None else f"{who}pairwise[{i}, {j}]"

    below = np.tril_indices(n, -1)
    if n > 1 and np.all(np.isnan(a[below]) | (a[below] == 0)):  # upper triangle only: complete it
        if not np.all(np.isnan(np.diag(a)) | (np.diag(a) == 0) | (np.diag(a) == 1)):
            raise ValueError(f"{who}the diagonal of a pairwise matrix must be 1")
        np.fill_diagonal(a, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):  # a 0 or NaN above is named just below
            a[below] = 1.0 / a.T[below]
    bad = ~(np.isfinite(a) & (a > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{cell(i, j)} = {a[i, j]:g}: comparisons must be positive finite numbers")
    off_diagonal = np.abs(np.diag(a) - 1) > tolerance
    if off_diagonal.any():
        i = int(np.argmax(off_diagonal))
        raise ValueError(f"{cell(i, i)} = {a[i, i]:g}: the diagonal must be 1")
    broken = np.triu(np.abs(a * a.T - 1) > tolerance, 1)
    if broken.any():
        i, j = np.argwhere(broken)[0]
        raise ValueError(f"{cell(i, j)} = {a[i, j]:g} and {cell(j, i)} = {a[j, i]:g} are not reciprocal "
                         f"(product {a[i, j] * a[j, i]:.4g}, tolerance {tolerance})")
    # Typed-in reciprocals like 0.33 are made exact symmetrically: a_ij ← √(a_ij / a_ji).
    return np.sqrt(a / a.T)


def _priorities(a: np.ndarray, labels: pd.Index | None) -> AHPResult:
    n = len(a)
    eigenvalues, eigenvectors = np.linalg.eig(a)
    top = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, top].real)
    lambda_max = float(eigenvalues[top].real)
    ci = max((lambda_max - n) / (n - 1), 0.0) if n > 2 else 0.0  # λmax ≥ n in theory; clip float noise
    cr = ci / SAATY_RANDOM_INDEX[n] if n > 2 else 0.0
    return AHPResult(_labelled(vector / vector.sum(), labels), lambda_max, ci, cr, cr < CONSISTENCY_LIMIT)


def ahp(pairwise: np.ndarray | pd.DataFrame | Sequence[Sequence[float]], *,
        tolerance: float = RECIPROCAL_TOLERANCE) -> AHPResult:
    """Priorities from a pairwise comparison matrix (principal eigenvector) with Saaty's consistency check.

    ``pairwise[i, j]`` says how much more important criterion i is than j
    (1–9 scale). A matrix whose entries below the diagonal are all empty (NaN
    or 0) is taken as the upper triangle and completed with reciprocals. The
    matrix must be square, positive and reciprocal within ``tolerance``
    (``|a_ij·a_ji − 1|``, default 0.05, so reciprocals typed with two
    decimals such as 0.33 or 0.14 pass); otherwise the
    offending cell is named. CI = (λmax − n)/(n − 1), CR = CI / RI(n) from
    :data:`SAATY_RANDOM_INDEX`; for n ≤ 2, CI = CR = 0.

    >>> result = ahp([[1, 3], [1 / 3, 1]])
    >>> result.weights.round(4).tolist(), result.cr, result.consistent
    ([0.75, 0.25], 0.0, True)
    >>> upper = [[1, 1 / 3, 1 / 2], [np.nan, 1, 3], [np.nan, np.nan, 1]]
    >>> round(ahp(upper).lambda_max, 4), round(ahp(upper).cr, 4)
    (3.0536, 0.0462)
    """
    return _priorities(_pairwise_array(pairwise, tolerance, ""), _labels(pairwise))


def ahp_group(matrices: Sequence[Any] | Mapping[Hashable, Any], *,
              tolerance: float = RECIPROCAL_TOLERANCE) -> AHPGroupResult:
    """Combine several experts' pairwise matrices by the element-wise geometric mean, then run :func:`ahp`.

    ``matrices`` is a list (experts numbered from 0) or a mapping expert → matrix;
    each may be an upper triangle. The geometric mean keeps the combined matrix
    reciprocal, which the arithmetic mean would not. All DataFrames among them
    must carry the same criteria in the same order (plain arrays are taken to
    be in that order, and the results are labelled with it).

    >>> group = ahp_group({"li": [[1, 4], [1 / 4, 1]], "wang": [[1, 1], [1, 1]]})
    >>> group.combined.round(3).tolist(), group.group.weights.round(4).tolist()
    ([[1.0, 2.0], [0.5, 1.0]], [0.6667, 0.3333])
    >>> group.cr.to_dict()
    {'li': 0.0, 'wang': 0.0, 'group': 0.0}
    """
    named = dict(matrices) if isinstance(matrices, Mapping) else dict(enumerate(matrices))
    if not named:
        raise ValueError("ahp_group needs at least one expert's matrix")
    arrays = {key: _pairwise_array(m, tolerance, f"expert {key!r}: ") for key, m in named.items()}
    first_key = next(iter(named))
    # Every labelled matrix (DataFrame) must carry the same criteria in the same order, whichever
    # expert comes first; plain arrays are taken to be in that order.
    labelled = [(key, own) for key, m in named.items() if (own := _labels(m)) is not None]
    labels = labelled[0][1] if labelled else None
    for key, own in labelled:
        if not own.equals(labels):
            raise ValueError(f"expert {key!r}: criteria {list(own)} differ from {list(labelled[0][1])} of expert "
                             f"{labelled[0][0]!r} (every labelled matrix needs the same criteria in the same order)")
    for key in named:
        if arrays[key].shape != arrays[first_key].shape:
            raise ValueError(f"expert {key!r}: matrix shape {arrays[key].shape} differs from "
                             f"{arrays[first_key].shape}")
    combined = np.exp(np.mean(np.log(np.stack(list(arrays.values()))), axis=0))
    experts = {key: _priorities(a, labels) for key, a in arrays.items()}
    group = _priorities(combined, labels)
    cr = pd.Series({**{key: r.cr for key, r in experts.items()}, "group": group.cr}, name="cr")
    shown = combined if labels is None else pd.DataFrame(combined, index=labels, columns=labels)
    return AHPGroupResult(group, shown, experts, cr)


def _minmax_benefit(x: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """Min-max to 0..1 with 1 = best; a constant column becomes all zeros (it carries no information)."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.where(lower, hi - x, x - lo) / span


@overload
def entropy(matrix: pd.DataFrame, directions: Sequence[object],
            *, prenormalize: Literal["none", "minmax"] = ...) -> pd.Series: ...
@overload
def entropy(matrix: np.ndarray, directions: Sequence[object],
            *, prenormalize: Literal["none", "minmax"] = ...) -> np.ndarray: ...
def entropy(matrix: np.ndarray | pd.DataFrame, directions: Sequence[object],
            *, prenormalize: Literal["none", "minmax"] = "none") -> np.ndarray | pd.Series:
    """Entropy weights (熵权法): criteria whose values spread more get more weight.

    Textbook form (``prenormalize="none"``) on non-negative data:
    ``p_ij = x_ij / Σ_i x_ij``, ``e_j = −k Σ_i p_ij ln p_ij`` with ``k = 1/ln m``
    and ``p ln p = 0`` at ``p = 0``, ``w_j ∝ 1 − e_j``. A lower-is-better column
    is first mirrored inside its own range, ``x' = max + min − x``, so the best
    value becomes the largest while the column keeps its range (``1/x`` breaks
    at 0 and ``max − x`` would force the worst alternative to a zero share).
    ``prenormalize="minmax"`` instead maps each column to 0..1 with 1 = best,
    the other common textbook variant. A constant column gets weight 0.

    >>> entropy(np.array([[1.0, 5.0], [1.0, 1.0]]), [1, -1]).tolist()
    [0.0, 1.0]
    """
    # Column by column, in place, on a copy of our own that keeps each column's values together: the work on a
    # column stays in the CPU cache and no whole-matrix temporaries are made (see bench/bench_scoring.py).
    x, names, lower = criteria_matrix(matrix, directions, order="F")
    m = x.shape[0]
    mirror = lower
    if prenormalize == "none":
        negative = x.min(axis=0) < 0
        if negative.any():
            raise ValueError(f"criterion {names[int(np.argmax(negative))]!r} has negative values; "
                             "the textbook entropy method needs non-negative data (try prenormalize='minmax')")
    elif prenormalize == "minmax":
        x, mirror = _minmax_benefit(x, lower), np.zeros_like(lower)
    else:
        raise ValueError(f"unknown prenormalize {prenormalize!r}; use 'none' or 'minmax'")
    informative = np.zeros(x.shape[1], dtype=bool)
    sum_p_log_p = np.zeros(x.shape[1])
    p_log_p = np.empty(m)
    for j, column in enumerate(x.T):
        if mirror[j]:
            np.subtract(column.max() + column.min(), column, out=column)
        informative[j] = column.max() > column.min()
        total = column.sum()
        p = np.divide(column, total if total > 0 else 1.0, out=column)
        positive = p > 0
        if not positive.all():
            p_log_p.fill(0.0)  # 0 ln 0 = 0
        np.log(p, out=p_log_p, where=positive)
        sum_p_log_p[j] = np.multiply(p_log_p, p, out=p_log_p).sum()
    divergence = np.where(informative, 1.0 + sum_p_log_p / np.log(m), 0.0)
    if divergence.sum() <= 0:
        raise ValueError("no criterion varies across the alternatives, so entropy gives no weights")
    return _labelled(divergence / divergence.sum(), pd.Index(names) if isinstance(matrix, pd.DataFrame) else None)


def critic(matrix: np.ndarray | pd.DataFrame, directions: Sequence[object]) -> np.ndarray | pd.Series:
    """CRITIC weights (Diakoulaki et al., 1995): contrast (std) × conflict (Σ 1 − correlation).

    Columns are min-max normalised with 1 = best, ``C_j = σ_j Σ_k (1 − r_jk)``
    and ``w_j ∝ C_j``. A constant column gets weight 0 and, having no
    correlation, is left out of the others' conflict sums. The std's ``ddof``
    cancels in the normalisation.

    >>> critic(np.array([[1.0, 3.0, 7.0], [2.0, 2.0, 7.0], [3.0, 1.0, 7.0]]), [1, 1, 1]).tolist()
    [0.5, 0.5, 0.0]
    """
    x, names, lower = criteria_matrix(matrix, directions)
    z = _minmax_benefit(x, lower)
    spread = z.std(axis=0, ddof=1)
    varies = spread > 0
    correlation = np.zeros((z.shape[1], z.shape[1]))
    if varies.sum() > 1:
        correlation[np.ix_(varies, varies)] = np.corrcoef(z[:, varies], rowvar=False)
    conflict = ((1.0 - correlation) * varies[None, :]).sum(axis=1)
    information = np.where(varies, spread * conflict, 0.0)
    if information.sum() <= 0:
        raise ValueError("no criterion varies across the alternatives (or all agree perfectly), "
                         "so CRITIC gives no weights")
    return _labelled(information / information.sum(), pd.Index(names) if isinstance(matrix, pd.DataFrame) else None)


@overload
def combine(subjective: pd.Series, objective: np.ndarray | pd.Series | Sequence[float],
            alpha: float = ...) -> pd.Series: ...
@overload
def combine(subjective: np.ndarray | Sequence[float], objective: pd.Series, alpha: float = ...) -> pd.Series: ...
@overload
def combine(subjective: np.ndarray | Sequence[float], objective: np.ndarray | Sequence[float],
            alpha: float = ...) -> np.ndarray: ...
def combine(subjective: np.ndarray | pd.Series | Sequence[float], objective: np.ndarray | pd.Series | Sequence[float],
            alpha: float = 0.5) -> np.ndarray | pd.Series:
    """Combined weights (组合赋权): ``α·subjective + (1 − α)·objective``, each normalised to sum 1 first.

    ``alpha`` in 0..1 is the trust placed in judgement (e.g. AHP) over the
    data (e.g. entropy). Two Series are matched by label.

    >>> combine([0.6, 0.4], [0.2, 0.8], alpha=0.75).round(6).tolist()
    [0.5, 0.5]
    """
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must lie in 0..1, got {alpha!r}")
    s, o = unit_sum(subjective, "subjective"), unit_sum(objective, "objective")
    if isinstance(s, pd.Series) and isinstance(o, pd.Series):
        if set(s.index) != set(o.index):
            raise ValueError(f"subjective criteria {list(s.index)} differ from objective {list(o.index)}")
        o = o.reindex(s.index)
    elif len(s) != len(o):
        raise ValueError(f"subjective has {len(s)} weights, objective {len(o)}")
    combined = alpha * np.asarray(s) + (1 - alpha) * np.asarray(o)
    labels = s.index if isinstance(s, pd.Series) else o.index if isinstance(o, pd.Series) else None
    return _labelled(combined, labels)
