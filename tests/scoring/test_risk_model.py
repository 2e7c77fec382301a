"""Risk models on the demo's history: they beat the progress-lag rule on later projects, are calibrated, the
same every time, and refuse to guess without enough history."""
from __future__ import annotations

import io
import math

import joblib
import numpy as np
import pandas as pd
import pytest

from scoring.risk_features import features_at
from scoring.risk_model import (
    DELAY,
    Bundle,
    RiskSettings,
    labelled_examples,
    predict,
    reasons,
    split_by_time,
    train,
)
from tests.risk_data import DEMO_DAY, demo_facts, finished, trained_on_demo

SETTINGS = RiskSettings()


def _trained():
    return {result.target: result for result in trained_on_demo()}


def test_the_model_beats_the_rule_on_later_projects_for_both_targets():
    results = _trained()
    for target in ("late", "overrun"):
        metrics = results[target].metrics
        assert results[target].status == "ready"
        assert metrics["model"]["auc"] > metrics["baseline"]["auc"] + 0.02
        assert metrics["model"]["brier"] < metrics["baseline"]["brier"]
        assert metrics["test_projects"] >= 100
    assert results[DELAY].metrics["model"]["mae_days"] < results[DELAY].metrics["baseline"]["mae_days"]


def test_predicted_probabilities_are_calibrated_on_the_held_out_projects():
    """Each bin of 30 or more held-out examples: the mean prediction within 0.1 plus two standard errors of
    the observed rate (about ±0.18 for 30 examples at 50 %)."""
    for target in ("late", "overrun"):
        for row in _trained()[target].metrics["model"]["calibration"]:
            if row["n"] >= 30:
                error = math.sqrt(max(row["predicted"] * (1 - row["predicted"]), 0.01) / row["n"])
                assert abs(row["predicted"] - row["observed"]) <= 0.1 + 2 * error, (target, row)


def test_training_projects_finished_before_the_cut_off_and_test_projects_after_it():
    facts = finished(demo_facts())
    frame = labelled_examples(facts.projects, facts.observations, facts.milestones, SETTINGS)
    train_rows, test_rows, cutoff = split_by_time(frame, SETTINGS)
    assert frame.loc[train_rows, "actual_end"].max() < cutoff <= frame.loc[test_rows, "actual_end"].min()
    assert frame.loc[train_rows, "planned_end"].max() < cutoff - pd.Timedelta(days=180)
    assert not set(frame.loc[train_rows, "project_id"]) & set(frame.loc[test_rows, "project_id"])


def test_training_twice_gives_the_same_scores_and_the_same_predictions():
    facts = finished(demo_facts())
    again = {result.target: result for result in train(facts.projects, facts.observations, facts.milestones,
                                                       SETTINGS)}
    everything = demo_facts()
    active = everything.projects[everything.projects["status"] == "active"]
    features = features_at(everything.projects, everything.observations, everything.milestones,
                            pd.DataFrame({"project_id": active["id"], "as_of": pd.Timestamp(DEMO_DAY)}))
    first, second = ({target: Bundle.from_bytes(result.model) for target, result in results.items() if result.model}
                     for results in (_trained(), again))
    for target, result in _trained().items():
        assert again[target].metrics == result.metrics
    pd.testing.assert_frame_equal(predict(first, features), predict(second, features))


def test_with_too_few_finished_projects_no_model_is_trained_and_the_numbers_say_why():
    facts = finished(demo_facts())
    few = facts.projects["id"].iloc[:50]
    results = train(facts.projects[facts.projects["id"].isin(few)], facts.observations, facts.milestones, SETTINGS)
    assert {result.status for result in results} == {"too_few"}
    assert all(result.model is None for result in results)
    late = results[0].metrics
    assert late["projects"] == 50 and late["min_projects"] == 60 and late["min_per_class"] == 15


def test_each_project_gets_at_most_three_reasons_largest_first_and_a_big_lag_raises_its_risk():
    everything = demo_facts()
    active = everything.projects[everything.projects["status"] == "active"]
    features = features_at(everything.projects, everything.observations, everything.milestones,
                           pd.DataFrame({"project_id": active["id"], "as_of": pd.Timestamp(DEMO_DAY)}))
    bundle = Bundle.from_bytes(_trained()["late"].model)
    found = reasons(bundle, features)
    assert found.groupby("project_id").size().max() <= 3
    assert (found.groupby("project_id")["effect"].apply(lambda e: list(np.abs(e)) == sorted(np.abs(e),
                                                                                            reverse=True))).all()
    far_behind = features.loc[features["schedule_lag_days"].idxmax(), "project_id"]
    top = found[found["project_id"] == far_behind].iloc[0]
    assert top["feature"] in {"schedule_lag_days", "lag_latest", "lag_months"} and top["effect"] > 0


def test_a_stored_model_must_be_a_risk_bundle():
    buffer = io.BytesIO()
    joblib.dump({"not": "a model"}, buffer)
    with pytest.raises(TypeError):
        Bundle.from_bytes(buffer.getvalue())
