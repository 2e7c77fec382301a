"""scoring.weight_tree.tree_problems: the one validator of a stored scheme's two-level weight tree."""
import math

import numpy as np
import pytest

from scoring.weight_tree import TreeProblem, tree_problems, weight_problem


def test_a_usable_tree_has_no_problems_whatever_the_scale_and_however_the_pair_is_written():
    assert tree_problems({"progress": (40, {"on_time": 1, "milestones": 3}), "quality": [0.0, {"defects": 0}]}) == []
    assert tree_problems({"progress": (np.float64(0.5), {"on_time": np.int64(2)})}) == []


@pytest.mark.parametrize(("value", "problem"), [
    (1, None), (0.0, None), (np.float64(2.5), None), (-0.5, "negative"), (math.nan, "not_a_number"),
    (math.inf, "not_a_number"), (True, "not_a_number"), ("1", "not_a_number"), (None, "not_a_number"),
])
def test_a_weight_is_a_finite_non_negative_real_number(value, problem):
    assert weight_problem(value) == problem


def test_every_bad_weight_is_named_where_it_is_in_tree_order():
    tree = {"progress": (-1.0, {"on_time": math.nan, "milestones": 1.0}), "quality": (1.0, {"defects": 2.0})}
    problems = tree_problems(tree)
    assert problems[0] == TreeProblem("negative", "progress", -1.0)
    assert (problems[1].code, problems[1].where, math.isnan(problems[1].value)) == ("not_a_number", "on_time", True)
    assert len(problems) == 2


def test_a_dimension_not_written_as_a_weight_and_children_is_a_shape_problem():
    tree = {"progress": 0.4, "quality": (1.0, {"defects": 1.0})}
    assert tree_problems(tree) == [TreeProblem("shape", "progress", 0.4)]
    assert tree_problems({"progress": (0.4, [1.0])}) == [TreeProblem("shape", "progress", (0.4, [1.0]))]


def test_a_weighted_dimension_needs_a_weighted_indicator_and_some_dimension_needs_weight():
    assert tree_problems({"progress": (1.0, {"on_time": 0.0}), "quality": (0.0, {"defects": 0.0})}) == [
        TreeProblem("empty_dimension", "progress")]
    assert tree_problems({"progress": (0.0, {"on_time": 1.0})}) == [TreeProblem("all_zero")]
    assert tree_problems({}) == [TreeProblem("all_zero")]
    assert tree_problems({"progress": (0.0, {"on_time": -1.0})}) == [TreeProblem("negative", "on_time", -1.0)]
