"""services.whatif: the what-if equals the dashboard under the stored scheme, categories, presets, AHP, the
summary figures."""
import numpy as np
import pandas as pd
import pytest

import scoring
from data_access import load_indicator_matrix
from scoring.weight_tree import TreeProblem, tree_problems
from services import whatif
from services.scores import load_model, score_matrix
from tests.conftest import as_viewer

NAN = np.nan


@pytest.fixture
def base(shared_seeded_engine):
    return whatif.load_base(shared_seeded_engine, as_viewer(shared_seeded_engine, "analyst"))


def test_under_the_stored_scheme_the_whatif_is_the_dashboard(base, shared_seeded_engine):
    viewer = as_viewer(shared_seeded_engine, "analyst")
    model = load_model(shared_seeded_engine, viewer)
    dashboard = score_matrix(model, load_indicator_matrix(shared_seeded_engine, viewer))
    assert list(base.scores.index) == list(dashboard.index[dashboard["total"].notna()])
    assert len(base.unscored) == dashboard["total"].isna().sum()
    flat = whatif.flat_weights(base.tree, base.indicators.index)
    assert np.allclose(flat, base.weights, atol=1e-15) and flat.sum() == pytest.approx(1.0)
    compared = whatif.compare(base.scores, base.weights, flat).loc[base.scores.index]
    assert np.allclose(compared["base_total"], dashboard.loc[base.scores.index, "total"], atol=1e-9, rtol=0)
    assert compared["base_rank"].tolist() == dashboard.loc[base.scores.index, "rank"].tolist()
    assert (compared["rank_change"] == 0).all()
    # category KPIs are NaN outside their category, so the what-if spreads the weight over a project's own KPIs
    tourism = base.categories.index[base.categories == "culture_tourism"]
    assert base.scores.loc[tourism, "SCHOOL_PLACES"].isna().all()
    assert base.scores.loc[tourism, "VISITOR_GROWTH"].notna().any()


def test_a_new_weighting_renormalises_over_the_kpis_a_project_has(base):
    dims, shares = whatif.to_percent(base.tree)
    tree = whatif.from_percent(dims | {"benefit": 60.0}, shares, base.indicators["dimension"])
    new = whatif.flat_weights(tree, base.indicators.index)
    compared = whatif.compare(base.scores, base.weights, new)
    project = base.categories.index[base.categories == "education"][0]
    row = base.scores.loc[project]
    has = row.notna() & (new > 0)
    assert compared.at[project, "new_total"] == pytest.approx((row[has] * new[has]).sum() / new[has].sum())
    assert (compared["rank_change"] != 0).any()


def test_weight_trees_percentages_and_problems():
    items = pd.DataFrame({"dimension": ["a", "a", "a", "b", "b"], "indicator_code": [None, "x", "y", None, "z"],
                          "weight": [0.6, 3.0, 1.0, 0.4, 2.0]})
    tree = whatif.scheme_tree(items)
    assert tree == {"a": (0.6, {"x": 3.0, "y": 1.0}), "b": (0.4, {"z": 2.0})}
    dims, shares = whatif.to_percent(tree)
    assert dims == {"a": 60.0, "b": 40.0} and shares == {"x": 75.0, "y": 25.0, "z": 100.0}
    dimension_of = pd.Series({"x": "a", "y": "a", "z": "b", "w": "b"})
    back = whatif.from_percent(dims, shares, dimension_of)
    assert back == {"a": (60.0, {"x": 75.0, "y": 25.0}), "b": (40.0, {"z": 100.0, "w": 0.0})}
    assert whatif.flat_weights(back, pd.Index(["x", "y", "z", "w"])).tolist() == pytest.approx([0.45, 0.15, 0.4, 0.0])
    assert whatif.tree_from_flat(pd.Series({"x": 0.45, "y": 0.15, "z": 0.4, "w": 0.0}), dimension_of) == {
        "a": (pytest.approx(0.6), {"x": pytest.approx(0.75), "y": pytest.approx(0.25)}),
        "b": (pytest.approx(0.4), {"z": 1.0, "w": 0.0})}
    # a zero-weight dimension is dropped, whatever its KPIs
    assert whatif.flat_weights({"a": (1.0, {"x": 1.0}), "b": (0.0, {"z": 0.0})}, pd.Index(["x", "z"])).tolist() == \
        [1.0, 0.0]
    assert tree_problems({"a": (0.0, {"x": 1.0})}) == [TreeProblem("all_zero")]
    assert tree_problems({"a": (1.0, {"x": 0.0}), "b": (1.0, {"z": 1.0})}) == [TreeProblem("empty_dimension", "a")]
    with pytest.raises(ValueError, match="empty_dimension"):
        whatif.flat_weights({"a": (1.0, {"x": 0.0})}, pd.Index(["x"]))
    assert whatif.equal_tree(dimension_of) == {"a": (1.0, {"x": 1.0, "y": 1.0}), "b": (1.0, {"z": 1.0, "w": 1.0})}
    assert whatif.with_dimension_weights(tree, {"a": 0.2, "b": 0.8}) == {"a": (0.2, {"x": 3.0, "y": 1.0}),
                                                                         "b": (0.8, {"z": 2.0})}


def test_entropy_tree_judges_category_kpis_among_their_own_projects():
    # dimension d1: two common KPIs; dimension d2: one KPI per category
    scores = pd.DataFrame({
        "c1": [100.0, 80.0, 60.0, 90.0, NAN],
        "c2": [100.0, 100.0, 100.0, 40.0, 70.0],
        "t1": [50.0, 90.0, NAN, NAN, NAN],
        "t2": [60.0, 70.0, NAN, NAN, NAN],
        "s1": [NAN, NAN, 30.0, 100.0, 80.0],
    }, index=[1, 2, 3, 4, 5])
    indicators = pd.DataFrame({"dimension": ["d1", "d1", "d2", "d2", "d2"],
                               "category": [None, None, "tourism", "tourism", "school"]},
                              index=["c1", "c2", "t1", "t2", "s1"])
    categories = pd.Series({1: "tourism", 2: "tourism", 3: "school", 4: "school", 5: "school"})
    tree = whatif.entropy_tree(scores, indicators, categories)

    common = scoring.weights.entropy(scores.loc[[1, 2, 3, 4], ["c1", "c2"]], [1, 1])  # rows with both
    tourism = scoring.weights.entropy(scores.loc[[1, 2], ["t1", "t2"]], [1, 1])
    assert tree["d1"][1] == pytest.approx(common.to_dict())
    # each group holds a share of the dimension in proportion to its KPIs: tourism 2 of 3, school 1 of 3
    assert tree["d2"][1] == pytest.approx({"t1": tourism["t1"] * 2 / 3, "t2": tourism["t2"] * 2 / 3, "s1": 1 / 3})
    sub = pd.DataFrame({
        "d1": scoring.composite(scores[["c1", "c2"]], common, min_coverage=0)["total"],
        "d2": scoring.composite(scores[["t1", "t2", "s1"]], pd.Series(tree["d2"][1]), min_coverage=0)["total"],
    })
    dimension_weights = scoring.weights.entropy(sub.dropna(), [1, 1])
    assert {d: w for d, (w, _) in tree.items()} == pytest.approx(dimension_weights.to_dict())


def test_entropy_falls_back_to_equal_shares_when_nothing_varies():
    scores = pd.DataFrame({"a": [100.0, 100.0, 100.0], "b": [100.0, 100.0, 100.0], "c": [50.0, 70.0, 90.0]})
    indicators = pd.DataFrame({"dimension": ["d1", "d1", "d2"], "category": [None, None, None]},
                              index=["a", "b", "c"])
    tree = whatif.entropy_tree(scores, indicators, pd.Series(["x", "x", "x"]))
    assert tree["d1"][1] == {"a": 0.5, "b": 0.5} and tree["d2"][1] == {"c": 1.0}
    assert tree["d1"][0] == pytest.approx(0.0) and tree["d2"][0] == pytest.approx(1.0)  # d1 is the same for all


def test_combined_weights_blend_flat_weights(base):
    entropy = whatif.entropy_tree(base.scores, base.indicators, base.categories)
    index = base.indicators.index
    subjective, objective = whatif.flat_weights(base.tree, index), whatif.flat_weights(entropy, index)
    for alpha in (0.0, 0.3, 1.0):
        mixed = whatif.flat_weights(whatif.combined_tree(base.tree, entropy, alpha, base.indicators), index)
        assert np.allclose(mixed, alpha * subjective + (1 - alpha) * objective, atol=1e-12)


def test_ahp_over_the_dimensions():
    dims = ["progress", "finance", "quality"]
    matrix = whatif.pairwise_matrix({("progress", "finance"): 3, ("progress", "quality"): 5}, dims)
    assert matrix.loc["progress"].tolist() == [1.0, 3.0, 5.0]
    assert matrix.loc["finance", "quality"] == 1.0 and np.isnan(matrix.loc["quality", "progress"])
    result = whatif.ahp({("progress", "finance"): 3, ("progress", "quality"): 5}, dims)
    assert list(result.weights.index) == dims and result.weights.sum() == pytest.approx(1.0)
    assert result.weights["progress"] > result.weights["finance"] > result.weights["quality"]
    assert result.consistent and result.cr < 0.1
    circular = whatif.ahp({("progress", "finance"): 9, ("finance", "quality"): 9, ("progress", "quality"): 1 / 9}, dims)
    assert not circular.consistent and circular.cr >= 0.1


def test_robustness_uses_the_weighted_kpis_only(base):
    flat = whatif.flat_weights(base.tree, base.indicators.index)
    uncertainty = whatif.rank_uncertainty(base.scores, flat, samples=50, concentration=100, top_k=5)
    assert uncertainty["rank"].tolist() == base.dashboard["rank"].tolist()
    assert uncertainty["p_top_k"].between(0, 1).all()
    one = pd.Series(0.0, index=flat.index)
    one["PROG_RATIO"] = 1.0
    assert whatif.stability(base.scores, one, 5) is None
    stable = whatif.stability(base.scores, flat, 5)
    assert list(stable.index) == list(flat.index[flat > 0])
    assert ((stable["lower"] <= stable["weight"]) & (stable["weight"] <= stable["upper"])).all()


def _ranks(*ranks):
    return pd.Series(pd.array(ranks, dtype="Int64"), index=["p1", "p2", "p3", "p4", "p5"])


def test_the_summary_counts_movers_top_k_changes_and_the_rank_correlation():
    # p4 drops out of the new ranking, p5 enters it; p1 falls 2 places, p2 and p3 rise 1
    base, new = _ranks(1, 2, 3, 4, None), _ranks(3, 1, 2, None, 4)
    assert whatif.summary(base, new, top_k=2) == whatif.WhatIfSummary(
        projects=5, moved=3, top_k=2, entered_top_k=1, top_k_overlap=1, base_top_k=2, biggest_rise=1,
        biggest_fall=2, spearman=-0.5)  # over p1–p3: ranks (1, 2, 3) against (3, 1, 2)


def test_the_summary_of_an_unchanged_ranking_has_no_rise_or_fall_and_counts_ties_in_the_top_k():
    same = _ranks(1, 1, 3, 4, 5)
    assert whatif.summary(same, same, top_k=1) == whatif.WhatIfSummary(
        projects=5, moved=0, top_k=1, entered_top_k=0, top_k_overlap=2, base_top_k=2, biggest_rise=None,
        biggest_fall=None, spearman=1.0)


def test_the_summary_has_no_correlation_with_fewer_than_two_projects_ranked_both_times():
    result = whatif.summary(_ranks(1, 2, None, None, None), _ranks(None, 1, 2, None, None), top_k=10)
    assert np.isnan(result.spearman)  # only p2 is ranked both times (2 → 1)
    assert (result.moved, result.entered_top_k, result.top_k_overlap, result.base_top_k) == (1, 1, 1, 2)
    assert (result.biggest_rise, result.biggest_fall) == (1, None)


def test_the_summary_reads_the_ranks_compare_returns():
    scores = pd.DataFrame({"a": [90.0, 60.0, 80.0, 70.0, 50.0], "b": [50.0, 100.0, 60.0, 70.0, 90.0]},
                          index=["p1", "p2", "p3", "p4", "p5"])
    # totals a-heavy (3:1): 80, 70, 75, 70, 60 → ranks 1, 3, 2, 3, 5; b-heavy (1:3): 60, 90, 65, 70, 80 → 5, 1, 4, 3, 2
    # Spearman: base ranks with the tie averaged (1, 3.5, 2, 3.5, 5) against (5, 1, 4, 3, 2): −8 / √(9.5 × 10)
    compared = whatif.compare(scores, pd.Series({"a": 0.75, "b": 0.25}), pd.Series({"a": 0.25, "b": 0.75}))
    assert whatif.summary(compared["base_rank"], compared["new_rank"], top_k=2) == whatif.WhatIfSummary(
        projects=5, moved=4, top_k=2, entered_top_k=2, top_k_overlap=0, base_top_k=2, biggest_rise=3,
        biggest_fall=4, spearman=pytest.approx(-8 / np.sqrt(95)))
