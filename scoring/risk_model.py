"""Risk models: will an active project finish late or over budget, and by how much — trained on finished
projects, judged on later ones against the progress-lag rule they would replace.

Pure (pandas, scikit-learn, no database). Training examples are finished projects seen while they were
active, at 30, 50 and 70 % of their planned duration, with the features known then
(:func:`scoring.risk_features.features_at`). The split is by time: projects finished before a cut-off train,
the later ones test, as the model will be used (on projects finishing after it was trained); see
:func:`split_by_time`.

Per target (P(late by more than ``late_days``), P(final spend over budget by more than ``overrun_pct``)): a
logistic regression (gradient boosting overfitted the few hundred projects of a city and lost to the rule on
the held-out ones), and the baseline: the rule's score (``rule_score`` of :mod:`scoring.risk_features`)
through a logistic fit on the same training rows. Both are scored on the same test rows (AUC, Brier score,
calibration table); a target's model is ``ready`` only where it beats the baseline on both, ``not_better``
otherwise, ``too_few`` without enough finished projects. The delay in days comes from quantile gradient
boosting (10 %, 50 %, 90 %), judged against the training median delay.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from scoring.risk_features import CATEGORICAL_FEATURES, FEATURES, NUMERIC_FEATURES, features_at, outcomes

TARGETS = ("late", "overrun")
DELAY = "delay"
QUANTILES = (0.1, 0.5, 0.9)
REFERENCE_QUANTILE = 0.5
GUARD_DAYS = 180  # between the training side's planned ends and the cut-off (see split_by_time)


@dataclass(frozen=True)
class RiskSettings:
    """What counts as late or over budget, how examples are taken, and the least history a model needs."""

    late_days: int = 30
    overrun_pct: float = 10.0
    shares: tuple[float, ...] = (0.3, 0.5, 0.7)  # of the planned duration: when training examples are taken
    test_share: float = 0.3  # the latest finished projects held out
    min_projects: int = 60  # finished projects
    min_per_class: int = 15  # finished projects on each side of a target, in training and in testing
    seed: int = 2026


@dataclass
class TargetResult:
    """One target's outcome of training: ``status`` ready / not_better / too_few, with the reason in numbers."""

    target: str
    status: str
    metrics: dict[str, Any] = field(default_factory=dict)
    model: bytes | None = None


def training_examples(projects: pd.DataFrame, settings: RiskSettings) -> pd.DataFrame:
    """Finished projects at each share of their planned duration while they were active: project_id, as_of."""
    finished = projects[projects["actual_end"].notna() & projects["actual_start"].notna()]
    start, end = pd.to_datetime(finished["planned_start"]), pd.to_datetime(finished["planned_end"])
    rows = [pd.DataFrame({"project_id": finished["id"].to_numpy(),
                          "as_of": (start + (end - start) * share).dt.normalize().to_numpy(),
                          "actual_start": pd.to_datetime(finished["actual_start"]).to_numpy(),
                          "actual_end": pd.to_datetime(finished["actual_end"]).to_numpy()})
            for share in settings.shares]
    examples = pd.concat(rows, ignore_index=True)
    active = (examples["as_of"] >= examples["actual_start"]) & (examples["as_of"] < examples["actual_end"])
    return examples.loc[active, ["project_id", "as_of"]].sort_values(["project_id", "as_of"]).reset_index(drop=True)


def labelled_examples(projects: pd.DataFrame, observations: pd.DataFrame, milestones: pd.DataFrame,
                      settings: RiskSettings) -> pd.DataFrame:
    """The training frame: features at each example's day, then the outcome columns delay_days, overrun_pct,
    late, overrun, and planned_end and actual_end (the split's clock)."""
    examples = training_examples(projects, settings)
    features = features_at(projects, observations, milestones, examples)
    result = outcomes(projects, observations)
    frame = features.merge(result, on="project_id", how="left")
    planned_end = projects.set_index("id")["planned_end"].reindex(frame["project_id"])
    frame["planned_end"] = pd.to_datetime(planned_end).to_numpy()
    frame["late"] = (frame["delay_days"] > settings.late_days).astype(int)
    frame["overrun"] = (frame["overrun_pct"] > settings.overrun_pct).astype(int)
    return frame[frame["overrun_pct"].notna()].reset_index(drop=True)


def _classifier() -> Pipeline:
    """Logistic regression on the standardised numeric features (a missing one: the median plus a flag
    that it was missing) and the category; a log-loss fit, so its probabilities are calibrated by
    construction (the held-out calibration table checks it)."""
    numeric = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())
    columns = ColumnTransformer([
        ("numeric", numeric, list(NUMERIC_FEATURES)),
        ("category", OneHotEncoder(handle_unknown="ignore", min_frequency=10), list(CATEGORICAL_FEATURES)),
    ])
    return make_pipeline(columns, LogisticRegression(C=0.5, max_iter=2000))


def _regressor(seed: int, quantile: float) -> HistGradientBoostingRegressor:
    """Quantile gradient boosting on the numeric features (it takes missing values as they are)."""
    return HistGradientBoostingRegressor(loss="quantile", quantile=quantile, max_iter=150, learning_rate=0.05,
                                         max_depth=3, min_samples_leaf=20, random_state=seed)


def calibration_table(truth: np.ndarray, predicted: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Predicted probability in ``bins`` equal-width bins: rows (lower, upper, n, mean predicted, observed
    rate), empty bins left out.

    >>> table = calibration_table(np.array([0, 1, 1, 0]), np.array([0.05, 0.95, 0.92, 0.15]), bins=2)
    >>> [(row["n"], row["predicted"], row["observed"]) for row in table]
    [(2, 0.1, 0.0), (2, 0.935, 1.0)]
    """
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(predicted, edges[1:-1]), 0, bins - 1)
    rows = []
    for k in range(bins):
        chosen = which == k
        if chosen.any():
            rows.append({"lower": round(float(edges[k]), 2), "upper": round(float(edges[k + 1]), 2),
                         "n": int(chosen.sum()), "predicted": round(float(predicted[chosen].mean()), 4),
                         "observed": round(float(truth[chosen].mean()), 4)})
    return rows


def _scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    return {"auc": round(float(roc_auc_score(truth, predicted)), 4),
            "brier": round(float(brier_score_loss(truth, predicted)), 4),
            "calibration": calibration_table(truth, predicted)}


def _too_few(frame: pd.DataFrame, train: np.ndarray, test: np.ndarray, target: str,
             settings: RiskSettings) -> dict[str, Any] | None:
    """The numbers that make a target untrainable, or None when there is enough history."""
    per_project = frame.groupby("project_id")[target].first()
    projects = len(per_project)
    counts = {"projects": projects}
    for name, rows in (("train", train), ("test", test)):
        labels = per_project[per_project.index.isin(set(frame.loc[rows, "project_id"]))]
        counts[f"{name}_positive"], counts[f"{name}_negative"] = int(labels.sum()), int((1 - labels).sum())
    smallest = min(value for key, value in counts.items() if key != "projects")
    if projects < settings.min_projects or smallest < settings.min_per_class:
        return {**counts, "min_projects": settings.min_projects, "min_per_class": settings.min_per_class}
    return None


def split_by_time(frame: pd.DataFrame, settings: RiskSettings) -> tuple[np.ndarray, np.ndarray, pd.Timestamp]:
    """Training and test rows, and the cut-off: the day after which the latest ``test_share`` of finished
    projects were planned to end.

    Training: projects planned to end :data:`GUARD_DAYS` or more before the cut-off and finished before it.
    Test: projects planned to end on or after the cut-off and finished after it. Neither side is chosen by
    its outcome: without the guard the training side would lack the late finishers of the projects planned
    to end just before the cut-off (still running then), and the test side would get only those."""
    planned = frame.groupby("project_id")["planned_end"].first().sort_values()
    if planned.empty:
        nothing = np.zeros(len(frame), dtype=bool)
        return nothing, nothing, pd.Timestamp("1970-01-01")
    cutoff = pd.Timestamp(planned.iloc[min(len(planned) - 1, int(np.floor(len(planned) * (1 - settings.test_share))))])
    planned_end, actual_end = pd.to_datetime(frame["planned_end"]), pd.to_datetime(frame["actual_end"])
    train = (planned_end < cutoff - pd.Timedelta(days=GUARD_DAYS)) & (actual_end < cutoff)
    test = (planned_end >= cutoff) & (actual_end >= cutoff)
    return train.to_numpy(), test.to_numpy(), cutoff


@dataclass
class Bundle:
    """A trained target as stored: the fitted estimators and the typical project's values that the
    per-project reasons compare against."""

    target: str
    estimators: dict[str, Any]
    reference: dict[str, float]
    settings: RiskSettings

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def from_bytes(data: bytes) -> Bundle:
        """Only ever bytes this module wrote into the risk_models table (joblib runs code from what it loads)."""
        bundle = joblib.load(io.BytesIO(data))
        if not isinstance(bundle, Bundle):
            raise TypeError("not a risk model")
        return bundle


def _reference(frame: pd.DataFrame) -> dict[str, float]:
    """A typical project's numeric features (training medians): what a reason compares a project with."""
    return {column: float(frame[column].quantile(REFERENCE_QUANTILE)) for column in NUMERIC_FEATURES
            if frame[column].notna().any()}


def _importance(model: Any, features: pd.DataFrame, truth: np.ndarray, seed: int) -> dict[str, float]:
    """Permutation importance on the test rows: how much AUC each feature's shuffling costs."""
    result = permutation_importance(model, features, truth, scoring="roc_auc", n_repeats=5, random_state=seed)
    return {column: round(float(value), 4) for column, value in zip(features.columns, result.importances_mean,
                                                                      strict=True)}


def _train_classifier(frame: pd.DataFrame, train: np.ndarray, test: np.ndarray, target: str,
                      settings: RiskSettings) -> TargetResult:
    too_few = _too_few(frame, train, test, target, settings)
    if too_few is not None:
        return TargetResult(target, "too_few", too_few)
    features = frame[list(FEATURES)]
    truth = frame[target].to_numpy()
    model = _classifier().fit(features[train], truth[train])
    baseline = LogisticRegression().fit(frame.loc[train, ["rule_score"]], truth[train])
    predicted = model.predict_proba(features[test])[:, 1]
    rule = baseline.predict_proba(frame.loc[test, ["rule_score"]])[:, 1]
    metrics: dict[str, Any] = {
        "train_rows": int(train.sum()), "test_rows": int(test.sum()),
        "train_projects": int(frame.loc[train, "project_id"].nunique()),
        "test_projects": int(frame.loc[test, "project_id"].nunique()),
        "positive_rate": round(float(truth[test].mean()), 4),
        "model": _scores(truth[test], predicted), "baseline": _scores(truth[test], rule),
        "importance": _importance(model, features[test], truth[test], settings.seed),
    }
    beats = (metrics["model"]["auc"] > metrics["baseline"]["auc"]
             and metrics["model"]["brier"] < metrics["baseline"]["brier"])
    bundle = Bundle(target, {"classifier": model}, _reference(frame[train]), settings)
    return TargetResult(target, "ready" if beats else "not_better", metrics, bundle.to_bytes() if beats else None)


def _train_delay(frame: pd.DataFrame, train: np.ndarray, test: np.ndarray, settings: RiskSettings) -> TargetResult:
    too_few = _too_few(frame, train, test, "late", settings)
    if too_few is not None:
        return TargetResult(DELAY, "too_few", too_few)
    features = frame[list(NUMERIC_FEATURES)]
    delay = frame["delay_days"].to_numpy()
    models = {_quantile_name(q): _regressor(settings.seed, q).fit(features[train], delay[train]) for q in QUANTILES}
    low, mid, high = (models[_quantile_name(q)].predict(features[test]) for q in QUANTILES)
    # The rule says nothing in days: the baseline is the training median delay for every project.
    flat = np.full(int(test.sum()), float(np.median(delay[train])))
    metrics: dict[str, Any] = {"train_rows": int(train.sum()), "test_rows": int(test.sum()),
               "model": {"mae_days": round(float(np.abs(mid - delay[test]).mean()), 1),
                         "interval_coverage": round(float(((delay[test] >= low) & (delay[test] <= high)).mean()), 3)},
               "baseline": {"mae_days": round(float(np.abs(flat - delay[test]).mean()), 1)}}
    beats = metrics["model"]["mae_days"] < metrics["baseline"]["mae_days"]
    bundle = Bundle(DELAY, models, _reference(frame[train]), settings)
    return TargetResult(DELAY, "ready" if beats else "not_better", metrics, bundle.to_bytes() if beats else None)


def _quantile_name(quantile: float) -> str:
    return f"q{round(quantile * 100)}"


def train(projects: pd.DataFrame, observations: pd.DataFrame, milestones: pd.DataFrame,
          settings: RiskSettings) -> list[TargetResult]:
    """Train and judge every target (:data:`TARGETS` and the delay in days) on the finished projects."""
    frame = labelled_examples(projects, observations, milestones, settings)
    train_rows, test_rows, cutoff = split_by_time(frame, settings)
    with threadpool_limits(1):  # one thread: the same numbers everywhere, and no stall on a busy machine
        results = [_train_classifier(frame, train_rows, test_rows, target, settings) for target in TARGETS]
        results.append(_train_delay(frame, train_rows, test_rows, settings))
    for result in results:
        result.metrics["cutoff"] = cutoff.date().isoformat()
        result.metrics["finished_projects"] = int(frame["project_id"].nunique())
    return results


def predict(bundles: dict[str, Bundle], features: pd.DataFrame) -> pd.DataFrame:
    """Per feature row: p_late, p_overrun, delay_low, delay_days, delay_high (NaN for a target without a
    ready model; the delay interval is the 10 %–90 % quantiles)."""
    result = pd.DataFrame({"project_id": features["project_id"].to_numpy()})
    delay = bundles.get(DELAY)
    with threadpool_limits(1):
        for target in TARGETS:
            bundle = bundles.get(target)
            result[f"p_{target}"] = (bundle.estimators["classifier"].predict_proba(features[list(FEATURES)])[:, 1]
                                     if bundle else np.nan)
        numeric = features[list(NUMERIC_FEATURES)]
        for column, quantile in zip(("delay_low", "delay_days", "delay_high"), QUANTILES, strict=True):
            result[column] = delay.estimators[_quantile_name(quantile)].predict(numeric) if delay else np.nan
    if delay is not None:  # quantile models fitted apart can cross: keep the interval ordered
        ordered = np.sort(result[["delay_low", "delay_days", "delay_high"]].to_numpy(), axis=1)
        result[["delay_low", "delay_days", "delay_high"]] = ordered
    return result


def _log_odds(probability: np.ndarray) -> np.ndarray:
    clipped = np.clip(probability, 1e-9, 1 - 1e-9)
    return np.log(clipped / (1 - clipped))


def reasons(bundle: Bundle, features: pd.DataFrame, top: int = 3, least: float = 0.1) -> pd.DataFrame:
    """The features that move each project's risk most: each numeric feature set to a typical project's
    value (the training median) in turn, the change in log-odds is that feature's effect (log-odds, not
    probability: a project at 99 % keeps its reasons although no single one moves it below 98 %).

    Rows: project_id, feature, value, effect (positive: raises the risk), rank within the project by size of
    effect; at most ``top`` per project and only effects of at least ``least``."""
    model = bundle.estimators["classifier"]
    frame = features[list(FEATURES)].reset_index(drop=True)
    columns = [column for column in NUMERIC_FEATURES if column in bundle.reference]
    shifted = pd.concat([frame.assign(**{column: bundle.reference[column]}) for column in columns],
                        ignore_index=True)
    with threadpool_limits(1):
        base = _log_odds(model.predict_proba(frame)[:, 1])
        typical = _log_odds(model.predict_proba(shifted)[:, 1]).reshape(len(columns), len(frame))
    long = pd.DataFrame({
        "project_id": np.tile(features["project_id"].to_numpy(), len(columns)),
        "feature": np.repeat(columns, len(frame)),
        "value": np.concatenate([frame[column].to_numpy(dtype=float) for column in columns]),
        "effect": (base[None, :] - typical).ravel(),
    })
    long = long[(long["effect"].abs() >= least) & long["value"].notna()]
    long = long.assign(size=long["effect"].abs()).sort_values(["project_id", "size"], ascending=[True, False])
    long["rank"] = long.groupby("project_id").cumcount() + 1
    return long[long["rank"] <= top].drop(columns="size").reset_index(drop=True)
