"""A round's result per project, pure: the agreement reading's bands, criteria combined per rater, projects
nobody rated."""
import math

import pandas as pd
import pytest

from scoring.rating_rounds import agreement_reading, rater_scores, round_outcome

WEIGHTS = {"superior": 0.5, "peer": 0.3, "self": 0.2}


@pytest.mark.parametrize(("w", "level", "zh"), [
    (1.0, "high", "高度一致"), (0.7, "high", "高度一致"), (0.6999, "fair", "较为一致"), (0.5, "fair", "较为一致"),
    (0.4999, "moderate", "一般"), (0.3, "moderate", "一般"), (0.2999, "low", "分歧较大"), (0.0, "low", "分歧较大"),
])
def test_kendalls_w_reads_in_four_bands(w, level, zh):
    reading = agreement_reading(w)
    assert (reading.level, reading.zh) == (level, zh)


@pytest.mark.parametrize("w", [None, math.nan, math.inf])
def test_no_w_has_no_reading(w):
    assert agreement_reading(w) is None


def test_a_raters_score_is_the_criteria_weighted_mean_of_what_they_scored():
    ratings = pd.DataFrame({"project": [1, 1, 1], "rater": ["a", "a", "b"], "rater_type": ["peer", "peer", "peer"],
                            "dimension": ["progress", "quality", "progress"], "score": [100.0, 50.0, 60.0]})
    scores = rater_scores(ratings, {"progress": 0.4, "quality": 0.6}).set_index("rater")["score"]
    assert scores.to_dict() == pytest.approx({"a": 70.0, "b": 60.0})  # b scored one criterion: that one counts


def test_a_project_nobody_rated_keeps_its_raters_asked_and_no_score():
    ratings = pd.DataFrame({"project": [1], "rater": ["boss"], "rater_type": ["superior"], "dimension": ["overall"],
                            "score": [80.0]})
    outcome = round_outcome(ratings, projects=[1, 2], assigned={(1, "superior"): 1, (2, "superior"): 1, (2, "peer"): 3},
                            criteria_weights={"overall": 1.0}, group_weights=WEIGHTS, self_margin=10,
                            correct_leniency=False)
    nobody = outcome.projects[2]
    assert (nobody.score, nobody.assigned, nobody.responded, nobody.self_flagged) == (None, 4, 0, False)
    assert nobody.detail["groups"]["peer"] == {"assigned": 3, "weight": 0.3, "responded": 0, "used": 0, "mean": None}
    assert outcome.projects[1].score == 80.0 and outcome.projects[1].detail["missing_types"] == "peer, self"
