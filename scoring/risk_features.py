"""What risk prediction knows about a project on a given day: features from facts known that day only.

Pure pandas over the frames :mod:`data_access.risk_facts` reads. A month's report (progress, spend and their
plans) is known once the month is over, so a prediction on day ``d`` reads the periods before ``d``'s month;
a milestone's finish and the project's start are known the day after they happen; the plan (dates, budget,
milestones' planned ends) and the category are known from the start. The outcomes (:func:`outcomes`) read
everything and are used for training only.

The warning rule the risk model is measured against is the progress lag (:mod:`scoring.rules`,
``progress_lag``: plan − actual > 5 points in each of the last 2 months); ``rule_score`` turns it into a
number: the smaller lag of those two months; a month without both values breaks the rule's run, and the
score is then at most 0 (the rule cannot fire).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PROGRESS_CODES = ("PROG_ACTUAL", "PROG_PLAN", "SPEND_CUM", "SPEND_PLAN")
LAG_POINTS = 5.0  # the progress-lag rule's default threshold (scoring.rules)
RULE_PERIODS = 2
TREND_MONTHS = 3
MISSING_WINDOW = 6  # months looked back for missed reports
DAYS_PER_MONTH = 30.44
MONTH_KEY = 100_000  # project id × this + month number: one integer per project and month

NUMERIC_FEATURES = ("log_budget", "planned_months", "elapsed_share", "start_delay_days", "lag_latest",
                    "schedule_lag_days", "lag_trend", "lag_months", "spend_vs_plan", "spend_vs_progress",
                    "milestone_slip_days", "milestones_overdue", "missing_reports")
CATEGORICAL_FEATURES = ("category_code",)
FEATURES = CATEGORICAL_FEATURES + NUMERIC_FEATURES


def _months(dates: pd.Series) -> pd.Series:
    """Month numbers (year × 12 + month − 1) of datetimes, so consecutive months differ by one; NaN for NaT.

    >>> _months(pd.Series(pd.to_datetime(["2025-12-15", "2026-01-01", None]))).tolist()
    [24311.0, 24312.0, nan]
    """
    values = pd.to_datetime(dates).to_numpy().astype("datetime64[M]")
    numbers = values.astype(np.int64).astype(float) + 1970 * 12
    return pd.Series(np.where(np.isnat(values), np.nan, numbers), index=dates.index)


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days.astype(float)


def monthly_progress(observations: pd.DataFrame) -> pd.DataFrame:
    """The progress and spend reports as one row per project and month: project_id, month, PROG_ACTUAL,
    PROG_PLAN, SPEND_CUM, SPEND_PLAN (NaN where a value was not reported) and lag (plan − actual)."""
    codes = pd.Categorical(observations["indicator_code"], categories=PROGRESS_CODES).codes
    wanted = observations[codes >= 0]
    if wanted.empty:
        return pd.DataFrame({column: pd.Series(dtype=float)
                             for column in ("project_id", "month", *PROGRESS_CODES, "lag")})
    # One cell per (project, month) and code, filled from flat arrays: a pivot_table took half the time.
    key = wanted["project_id"].to_numpy(dtype=np.int64) * MONTH_KEY + _months(wanted["period"]).to_numpy(
        dtype=np.int64)
    cells, row = np.unique(key, return_inverse=True)
    table = np.full((len(cells), len(PROGRESS_CODES)), np.nan)
    table[row, codes[codes >= 0]] = wanted["value"].to_numpy(dtype=float)
    wide = pd.DataFrame(table, columns=list(PROGRESS_CODES))
    wide.insert(0, "month", (cells % MONTH_KEY).astype(float))
    wide.insert(0, "project_id", cells // MONTH_KEY)
    wide["lag"] = wide["PROG_PLAN"] - wide["PROG_ACTUAL"]
    return wide


def _known_months(monthly: pd.DataFrame, examples: pd.DataFrame) -> pd.DataFrame:
    """Every example's project months known on its date (months before the date's month), newest first."""
    joined = examples[["example", "project_id", "as_of_month"]].merge(monthly, on="project_id")
    joined = joined[joined["month"] < joined["as_of_month"]]
    return joined.sort_values(["example", "month"], ascending=[True, False])


def _lag_features(known: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    both = known.dropna(subset=["lag"])
    latest = both.groupby("example").head(1).set_index("example")
    frame = pd.DataFrame(index=index)
    frame["lag_latest"] = latest["lag"]
    frame["latest_month"] = latest["month"]
    dated = both.merge(frame[["latest_month"]].reset_index(), on="example")
    behind = dated["latest_month"] - dated["month"]
    earlier = dated[behind == TREND_MONTHS].set_index("example")["lag"]
    frame["lag_trend"] = frame["lag_latest"] - earlier
    # The rule's run: consecutive months back from the latest, each with both values and lag > points.
    consecutive = dated[behind >= 0].assign(behind=behind[behind >= 0])
    consecutive = consecutive.sort_values(["example", "behind"])
    position = consecutive.groupby("example").cumcount()
    unbroken = (consecutive["behind"] == position) & (consecutive["lag"] > LAG_POINTS)
    run = unbroken.groupby(consecutive["example"]).cummin()
    frame["lag_months"] = run.groupby(consecutive["example"]).sum().astype(float)
    frame["lag_months"] = frame["lag_months"].fillna(0.0)
    window = consecutive[consecutive["behind"] < RULE_PERIODS].groupby("example")["lag"].agg(["min", "count"])
    full_run = window["count"].reindex(index) == RULE_PERIODS
    broken = np.minimum(frame["lag_latest"], 0.0)  # a missing month breaks the run: the rule cannot fire
    frame["rule_score"] = window["min"].reindex(index).where(full_run, broken).fillna(0.0)
    return frame.drop(columns="latest_month")


def _spend_features(known: pd.DataFrame, examples: pd.DataFrame) -> pd.DataFrame:
    spent = known.dropna(subset=["SPEND_CUM", "SPEND_PLAN", "PROG_ACTUAL"]).groupby("example").head(1)
    spent = spent.set_index("example")
    budget_wan = examples.set_index("example")["budget"] / 10_000
    frame = pd.DataFrame(index=examples["example"])
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["spend_vs_plan"] = (spent["SPEND_CUM"] / spent["SPEND_PLAN"].where(spent["SPEND_PLAN"] > 0) - 1) * 100
        frame["spend_vs_progress"] = spent["SPEND_CUM"] / budget_wan.where(budget_wan > 0) * 100 - spent[
            "PROG_ACTUAL"]
    return frame


def _missing_reports(known: pd.DataFrame, examples: pd.DataFrame) -> pd.Series:
    """Months without a progress report among the last :data:`MISSING_WINDOW` complete months since the start."""
    started = _months(examples["actual_start"])
    first = np.maximum(started.to_numpy() + 1, (examples["as_of_month"] - MISSING_WINDOW).to_numpy())
    expected = np.clip(examples["as_of_month"].to_numpy() - first, 0, None)
    reported = known.dropna(subset=["PROG_ACTUAL"]).merge(
        examples[["example"]].assign(first=first), on="example")
    counted = reported[reported["month"] >= reported["first"]].groupby("example").size()
    got = counted.reindex(examples["example"]).fillna(0).to_numpy()
    return pd.Series(np.maximum(expected - got, 0).astype(float), index=examples["example"])


def _milestone_features(milestones: pd.DataFrame, examples: pd.DataFrame) -> pd.DataFrame:
    joined = examples[["example", "project_id", "as_of"]].merge(
        milestones[["project_id", "planned_end", "actual_end"]], on="project_id")
    as_of = pd.to_datetime(joined["as_of"])
    due = joined[pd.to_datetime(joined["planned_end"]) < as_of].copy()
    due_as_of = pd.to_datetime(due["as_of"])
    finished = pd.to_datetime(due["actual_end"])
    finished_by_then = finished.notna() & (finished < due_as_of)
    until = finished.where(finished_by_then, due_as_of)
    due["slip"] = _days(until, due["planned_end"])
    due["overdue"] = (~finished_by_then).astype(float)
    grouped = due.groupby("example")
    frame = pd.DataFrame(index=examples["example"])
    frame["milestone_slip_days"] = grouped["slip"].max()
    frame["milestones_overdue"] = grouped["overdue"].sum()
    return frame.fillna({"milestones_overdue": 0.0})


def features_at(projects: pd.DataFrame, observations: pd.DataFrame, milestones: pd.DataFrame,
                examples: pd.DataFrame) -> pd.DataFrame:
    """One row of :data:`FEATURES` (and ``rule_score``) per example, in the examples' order.

    ``projects``: id, category_code, budget (CNY), planned_start, planned_end, actual_start;
    ``observations``: project_id, indicator_code, period, value; ``milestones``: project_id, planned_end,
    actual_end; ``examples``: project_id, as_of (the prediction day). Nothing dated on or after the as_of
    month (reports) or day (milestone finishes, the start) is read.
    """
    examples = examples[["project_id", "as_of"]].reset_index(drop=True)
    examples = examples.assign(example=np.arange(len(examples)), as_of_month=_months(examples["as_of"]))
    facts = projects.set_index("id")
    for column in ("category_code", "budget", "planned_start", "planned_end", "actual_start"):
        examples[column] = facts[column].reindex(examples["project_id"]).to_numpy()
    started = pd.to_datetime(examples["actual_start"])
    started = started.where(started < pd.to_datetime(examples["as_of"]))  # a start on or after the day: unknown
    examples["actual_start"] = started
    index = pd.Index(examples["example"], name="example")
    monthly = monthly_progress(observations)
    known = _known_months(monthly, examples)
    result = pd.DataFrame(index=index)
    result["category_code"] = examples["category_code"].astype(str).to_numpy()
    result["log_budget"] = np.log10(examples["budget"].astype(float).clip(lower=1.0).to_numpy() / 10_000)
    planned_days = _days(examples["planned_end"], examples["planned_start"]).clip(lower=1.0)
    result["planned_months"] = (planned_days / DAYS_PER_MONTH).to_numpy()
    result["elapsed_share"] = (_days(examples["as_of"], examples["planned_start"]) / planned_days).to_numpy()
    start_or_today = started.fillna(pd.to_datetime(examples["as_of"]))
    result["start_delay_days"] = _days(start_or_today, examples["planned_start"]).clip(lower=0.0).to_numpy()
    result = result.join(_lag_features(known, index)).join(_spend_features(known, examples))
    # The lag in points as days of the plan: 10 points of a 3-year project are months, of a 1-year one weeks.
    result["schedule_lag_days"] = result["lag_latest"] / 100 * planned_days.to_numpy()
    result["missing_reports"] = _missing_reports(known, examples)
    result = result.join(_milestone_features(milestones, examples))
    result.insert(0, "as_of", pd.to_datetime(examples["as_of"]).to_numpy())
    result.insert(0, "project_id", examples["project_id"].to_numpy())
    return result.reset_index(drop=True)


def outcomes(projects: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """What happened to finished projects: delay_days (actual − planned end) and overrun_pct (the last
    reported cumulative spend against the budget, %). One row per project with an ``actual_end``."""
    finished = projects[projects["actual_end"].notna()].copy()
    spend = observations[observations["indicator_code"] == "SPEND_CUM"].sort_values("period")
    last_spend = spend.groupby("project_id")["value"].last()
    frame = pd.DataFrame({"project_id": finished["id"].to_numpy(),
                          "actual_end": pd.to_datetime(finished["actual_end"]).to_numpy()})
    frame["delay_days"] = _days(finished["actual_end"], finished["planned_end"]).to_numpy()
    budget_wan = finished["budget"].astype(float).to_numpy() / 10_000
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["overrun_pct"] = (last_spend.reindex(finished["id"]).to_numpy() / budget_wan - 1) * 100
    return frame
