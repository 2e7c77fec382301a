"""perfdash scoring engine: pure, vectorised computation from raw indicator values to ranked grades.

Every number on the dashboard comes from here, so each step is explainable:
normalise values to 0–100 (:func:`normalize`, :func:`normalize_frame`), weight
them into totals whose contribution columns add up exactly
(:func:`effective_weights`, :func:`composite`, :func:`dimension_contributions`),
rank and grade (:func:`rank`, :func:`grade`), summarise by group
(:func:`rollup`), derive weights (:mod:`scoring.weights`), cross-check with
:func:`topsis`, combine rater panels (:func:`aggregate_ratings`) and test
alternative weights (:mod:`scoring.whatif`).
"""

from scoring import rules, weights, whatif
from scoring.aggregation import MIN_COVERAGE, composite, dimension_contributions
from scoring.normalization import normalize, normalize_frame
from scoring.ranking import DEFAULT_GRADE_BANDS, GRADE_LABELS_EN, grade, rank
from scoring.ratings import aggregate_ratings
from scoring.rollups import rollup
from scoring.rules import Rule
from scoring.topsis_method import topsis
from scoring.weight_tree import effective_weights, indicator_dimensions

__all__ = [
    "DEFAULT_GRADE_BANDS",
    "MIN_COVERAGE",
    "GRADE_LABELS_EN",
    "aggregate_ratings",
    "composite",
    "dimension_contributions",
    "effective_weights",
    "grade",
    "indicator_dimensions",
    "normalize",
    "normalize_frame",
    "rank",
    "rollup",
    "topsis",
    "weights",
    "whatif",
    "rules",
    "Rule",
]
