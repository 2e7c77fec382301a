"""Flatten a weighting scheme (dimensions → indicators, any depth) to one weight per indicator.

Analysts write weights the way they think about them — 40 % on progress,
within progress the milestone indicator counts three times the schedule one —
so every level accepts any positive scale and is normalised on its own before
the levels are multiplied together.

Tree format: a mapping whose values are either a leaf weight (a number:
the key is an indicator) or a pair ``(weight, children)`` (the key is a
dimension and ``children`` is again such a mapping)::

    {"progress": (0.4, {"on_time": 1, "milestones": 3}),
     "quality":  (0.6, {"defects": 2, "rework": (1, {"rework_rate": 1})})}

A flat mapping (or a pandas Series) of indicator → weight is the one-level case.

A stored weight scheme is the two-level case, :data:`DimensionTree`
(``{dimension: (weight, {indicator: weight})}``); schemes, the what-if page and
the database all use it, and :func:`tree_problems` is its one validator.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any, cast

import numpy as np
import pandas as pd

WeightTree = Mapping[str, Any] | pd.Series
DimensionTree = Mapping[str, tuple[float, Mapping[str, float]]]


@dataclass(frozen=True)
class TreeProblem:
    """Why a :data:`DimensionTree` cannot be used.

    ``code``: ``shape`` (a dimension not written ``(weight, {indicator: weight})``), ``not_a_number``,
    ``negative``, ``empty_dimension`` (a weighted dimension without a weighted indicator) or ``all_zero``
    (no dimension has weight); ``where`` names the dimension or indicator ("" for the whole tree) and
    ``value`` holds the offending value for the first three.
    """

    code: str
    where: str = ""
    value: object = None


def weight_problem(weight: object) -> str | None:
    """``not_a_number`` (not a finite real number; booleans are not numbers), ``negative``, or None if fine."""
    if isinstance(weight, bool) or not isinstance(weight, Real) or not math.isfinite(float(weight)):
        return "not_a_number"
    return "negative" if weight < 0 else None


def tree_problems(tree: DimensionTree) -> list[TreeProblem]:
    """Every reason ``tree`` cannot be applied, dimension by dimension in its order; empty when it can.

    A dimension may be a list pair too (as JSON writes it). ``all_zero`` is reported only when nothing else
    is wrong.

    >>> tree_problems({"progress": (1, {"on_time": -1}), "quality": (0, {"defects": 1})})
    [TreeProblem(code='negative', where='on_time', value=-1)]
    >>> tree_problems({"progress": (1, {"on_time": 0}), "quality": (1, {"defects": 1})})
    [TreeProblem(code='empty_dimension', where='progress', value=None)]
    """
    problems: list[TreeProblem] = []
    weighted = False
    for dimension, node in tree.items():
        if not (isinstance(node, (tuple, list)) and len(node) == 2 and isinstance(node[1], Mapping)):
            problems.append(TreeProblem("shape", str(dimension), node))
            continue
        weight, children = node
        bad = [TreeProblem(code, str(where), value) for where, value in [(dimension, weight), *children.items()]
               if (code := weight_problem(value)) is not None]
        problems.extend(bad)
        if not bad and weight > 0:
            weighted = True
            if not any(w > 0 for w in children.values()):
                problems.append(TreeProblem("empty_dimension", str(dimension)))
    if not weighted and not problems:
        problems.append(TreeProblem("all_zero"))
    return problems


def _checked_weight(weight: Any, path: tuple[str, ...]) -> float:
    where = " > ".join(map(str, path))
    problem = weight_problem(weight)
    if problem == "not_a_number":
        raise ValueError(f"weight of {where!r} must be a finite number, got {weight!r} (an indicator is "
                         "written name: weight, a dimension name: (weight, {children}))")
    if problem == "negative":
        raise ValueError(f"weight of {where!r} is negative ({weight!r}); weights must be zero or positive")
    return float(weight)


def _walk(tree: WeightTree, path: tuple[str, ...], share: float) -> Iterator[tuple[str, float, tuple[str, ...]]]:
    """Yield (indicator, effective weight, path) depth-first, in the tree's order."""
    nodes = []
    for key, node in cast(Mapping[str, Any], tree).items():  # a Series is read like a mapping: index → node
        where = " > ".join(map(str, path + (key,)))
        is_branch = isinstance(node, tuple)
        if is_branch and (len(node) != 2 or not isinstance(node[1], (Mapping, pd.Series))):
            raise ValueError(f"{where!r}: a dimension is written (weight, {{children}}), got {node!r}")
        if isinstance(node, (Mapping, pd.Series)):
            raise ValueError(f"{where!r} has children but no weight: a dimension is written as a tuple "
                             f"(weight, {{children}}), e.g. {{{key!r}: (1, {{...}})}}")
        if isinstance(node, list):
            raise ValueError(f"{where!r}: a dimension is written as a tuple (weight, {{children}}), not a list; "
                             f"an indicator's weight is a number; got {node!r}")
        weight = _checked_weight(node[0] if is_branch else node, path + (key,))
        nodes.append((key, weight, node[1] if is_branch else None))
    total = sum(weight for _, weight, _ in nodes)
    if total == 0:
        level = " > ".join(map(str, path)) or "top level"
        raise ValueError(f"all weights under {level!r} are zero (or there are none); at least one must be positive")
    for key, weight, children in nodes:
        if children is None:
            yield key, share * weight / total, path + (key,)
        else:
            yield from _walk(children, path + (key,), share * weight / total)


def _leaves(tree: WeightTree) -> list[tuple[str, float, tuple[str, ...]]]:
    leaves = list(_walk(tree, (), 1.0))
    names = [name for name, _, _ in leaves]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"indicator(s) {', '.join(map(repr, repeated))} appear more than once in the weight tree")
    return leaves


def effective_weights(tree: WeightTree) -> pd.Series:
    """One weight per indicator, summing to 1: the product of the normalised weights on its path.

    Negative weights, or a level whose weights are all zero, raise ``ValueError``.

    >>> effective_weights({"progress": (0.4, {"on_time": 1, "milestones": 3}), "quality": (0.6, {"defects": 1})})
    on_time       0.1
    milestones    0.3
    defects       0.6
    dtype: float64
    >>> effective_weights({"a": 2, "b": 6}).tolist()
    [0.25, 0.75]
    """
    if isinstance(tree, pd.Series) and pd.api.types.is_numeric_dtype(tree) and tree.index.is_unique:
        return _flat_series(tree)
    leaves = _leaves(tree)
    return pd.Series([w for _, w, _ in leaves], index=[n for n, _, _ in leaves], dtype=float)


def _flat_series(weights: pd.Series) -> pd.Series:
    """Vectorised path for the common flat Series (a weight slider re-scores on every move)."""
    values = weights.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        _checked_weight(values[bad][0], (weights.index[bad][0],))
    total = values.sum()
    if total == 0:
        raise ValueError("all weights under 'top level' are zero (or there are none); at least one must be positive")
    return pd.Series(values / total, index=weights.index)


def indicator_dimensions(tree: WeightTree) -> pd.Series:
    """The top-level dimension each indicator belongs to (a flat mapping maps each indicator to itself).

    Feed it to :func:`scoring.dimension_contributions` to show what each dimension added.

    >>> indicator_dimensions({"progress": (0.4, {"on_time": 1}), "quality": (0.6, {"defects": 1})}).to_dict()
    {'on_time': 'progress', 'defects': 'quality'}
    """
    leaves = _leaves(tree)
    return pd.Series([path[0] for _, _, path in leaves], index=[n for n, _, _ in leaves])
