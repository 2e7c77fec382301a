"""Risk prediction (风险预测): train on finished projects, keep the models in the database, predict for pages.

Command line (the scheduler retrains monthly through ``services.jobs``)::

    python -m services.risk train [--user analyst]    # train every target and keep the result (default: system)
    python -m services.risk train --if-missing        # only when no training was ever kept (what make seed does)
    python -m services.risk predict [--top 10] [--user leader]   # the projects most likely to slip
    python -m services.risk status                    # each target's newest training and its held-out scores

A prediction is shown only from a ``ready`` model (it beat the progress-lag rule on held-out projects) that is
fresh (trained at most ``PERFDASH_RISK_MAX_AGE_DAYS`` days ago); otherwise :func:`outlook` says why and shows
nothing. Exit status: 0 done, 2 the database cannot be used.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data_access import DataAccessError, create_database_engine
from data_access.config import risk_settings
from data_access.db import data_version
from data_access.policy import SYSTEM, Viewer
from data_access.risk_facts import FINISHED, ONGOING, read_risk_facts
from data_access.risk_models import StoredModel, Training, latest_models, save_trainings
from data_access.scope import viewer_for
from scoring import risk_model
from scoring.periods import add_months
from scoring.risk_features import FEATURES, features_at
from scoring.risk_model import DELAY, TARGETS, Bundle, RiskSettings
from services import reporting_calendar

HEADLINE = "late"  # the target whose state decides whether risk is shown at all
TREND_MONTHS = 6
READY, MISSING, STALE = "ready", "missing", "stale"


def model_settings() -> RiskSettings:
    """The training settings, with the late threshold from ``PERFDASH_RISK_LATE_DAYS``."""
    return RiskSettings(late_days=risk_settings().late_days)


def train(engine: Engine, actor: Viewer, *, now: dt.datetime | None = None,
          settings: RiskSettings | None = None) -> list[Training]:
    """Train every target on the finished projects the actor sees and keep the result (one transaction,
    audited). A target that lost to the rule or lacked history is kept too, with no model: it says why."""
    settings = settings or model_settings()
    read_version = data_version(engine)
    facts = read_risk_facts(engine, actor, FINISHED)
    results = risk_model.train(facts.projects, facts.observations, facts.milestones, settings)
    trainings = [Training(target=result.target, status=result.status, metrics=result.metrics,
                          features=list(FEATURES), settings=asdict(settings), model=result.model)
                 for result in results]
    save_trainings(engine, actor, trainings, read_version=read_version, now=now)
    return trainings


@dataclass(frozen=True)
class Outlook:
    """What the pages show: ``state`` (ready, missing, stale, not_better, too_few) of the headline target,
    the numbers its message needs (``detail``), and when ready the predictions (one row per active project,
    most likely to slip first) and each project's reasons."""

    state: str
    detail: dict[str, Any] = field(default_factory=dict)
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)
    reasons: pd.DataFrame = field(default_factory=pd.DataFrame)


def _state(stored: StoredModel | None, now: dt.datetime, max_age_days: int) -> tuple[str, dict[str, Any]]:
    if stored is None:
        return MISSING, {}
    age_days = (now - stored.trained_at).days
    model, rule = stored.metrics.get("model", {}), stored.metrics.get("baseline", {})
    detail = {"trained_at": stored.trained_at, "age_days": age_days, "max_age_days": max_age_days,
              "model_auc": model.get("auc"), "rule_auc": rule.get("auc"), "model_brier": model.get("brier"),
              "rule_brier": rule.get("brier"),
              **{key: value for key, value in stored.metrics.items() if not isinstance(value, dict | list)}}
    if stored.status != READY:
        return stored.status, detail
    if age_days > max_age_days:
        return STALE, detail
    return READY, detail


def _bundles(models: dict[str, StoredModel], now: dt.datetime, max_age_days: int) -> dict[str, Bundle]:
    return {target: _bundle(stored.id, stored.model) for target, stored in models.items()
            if stored.model is not None and _state(stored, now, max_age_days)[0] == READY}


@functools.lru_cache(maxsize=8)
def _bundle(model_id: int, model: bytes) -> Bundle:  # noqa: ARG001 - the kept model's id keys it with its bytes
    """A kept model, unpickled once per process (every page's risk read after a push unpickled it again)."""
    return Bundle.from_bytes(model)


def _usable(engine: Engine, now: dt.datetime | None) -> tuple[str, dict[str, Any], dict[str, Bundle]]:
    """The headline target's state and its message's numbers, and the targets' models that are ready and fresh."""
    now = now or dt.datetime.now(dt.UTC)
    max_age_days = risk_settings().max_age_days
    models = latest_models(engine)
    state, detail = _state(models.get(HEADLINE), now, max_age_days)
    return state, detail, (_bundles(models, now, max_age_days) if state == READY else {})


def _features_today(engine: Engine, viewer: Viewer, today: dt.date,
                    project_ids: list[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The viewer's active and suspended projects (or those of ``project_ids`` among them) and their features
    as of ``today``."""
    facts = read_risk_facts(engine, viewer, ONGOING, project_ids=project_ids)
    if facts.projects.empty:
        return facts.projects, pd.DataFrame()
    examples = pd.DataFrame({"project_id": facts.projects["id"], "as_of": pd.Timestamp(today)})
    return facts.projects, features_at(facts.projects, facts.observations, facts.milestones, examples)


def outlook(engine: Engine, viewer: Viewer, *, today: dt.date, now: dt.datetime | None = None) -> Outlook:
    """The viewer's active and suspended projects with their risk as of ``today`` (scoped like every read),
    or why there is none to show."""
    state, detail, bundles = _usable(engine, now)
    if state != READY:
        return Outlook(state, detail)
    projects, features = _features_today(engine, viewer, today)
    if projects.empty:
        return Outlook(READY, detail, projects.assign(p_late=pd.Series(dtype=float)), pd.DataFrame())
    predicted = risk_model.predict(bundles, features)
    shown = projects[["id", "code", "name_zh", "name_en", "region_id", "region_zh", "region_en", "status"]]
    table = (shown.rename(columns={"id": "project_id"}).merge(predicted, on="project_id")
             .sort_values(["p_late", "project_id"], ascending=[False, True]).reset_index(drop=True))
    reasons = risk_model.reasons(bundles[HEADLINE], features)
    return Outlook(READY, detail, table, reasons)


def with_districts_replaced(previous: Outlook, parts: Sequence[Outlook],
                            district_ids: Sequence[int]) -> Outlook | None:  # noqa: ARG001 - the parts say whose rows
    """An :func:`outlook` with the projects of ``parts`` (some districts' outlooks, read again after a write within
    their projects, which changes no project's status) replaced by theirs; None when a part's model state differs
    (read the whole scope again)."""
    if any(part.state != previous.state for part in parts) or previous.state != READY:
        return None
    renewed = {int(project) for part in parts for project in part.predictions["project_id"]}
    predictions = pd.concat([previous.predictions[~previous.predictions["project_id"].isin(renewed)],
                             *(part.predictions for part in parts if len(part.predictions))], ignore_index=True)
    reasons = pd.concat([previous.reasons[~previous.reasons["project_id"].isin(renewed)],
                         *(part.reasons for part in parts if len(part.reasons))], ignore_index=True)
    predictions = predictions.sort_values(["p_late", "project_id"], ascending=[False, True]).reset_index(drop=True)
    return Outlook(previous.state, previous.detail, predictions, reasons)


def current_risks(engine: Engine, viewer: Viewer, *, today: dt.date, project_ids: list[int] | None = None,
                  now: dt.datetime | None = None) -> pd.DataFrame | None:
    """The predicted probabilities the warning rule "risk above a threshold" reads: project_id and ``p_<target>``
    for each target whose model is ready and fresh (no column for the others), for the viewer's active and
    suspended projects as of ``today`` (or those of ``project_ids``); None while no risk is shown at all."""
    state, _, bundles = _usable(engine, now)
    if state != READY:
        return None
    columns = ["project_id", *(f"p_{target}" for target in TARGETS if target in bundles)]
    projects, features = _features_today(engine, viewer, today, project_ids)
    if projects.empty:
        return pd.DataFrame({column: pd.Series(dtype=float) for column in columns})
    return risk_model.predict(bundles, features)[columns]


def project_trend(engine: Engine, viewer: Viewer, project_id: int, *, today: dt.date, months: int = TREND_MONTHS,
                  now: dt.datetime | None = None) -> pd.DataFrame:
    """One active project's P(late) and P(overrun) as they were predicted on the first day of each of the last
    ``months`` months since its start, and today: columns as_of, p_late, p_overrun (empty without a usable
    model, or when the project is not under way or not in scope)."""
    empty = pd.DataFrame({"as_of": pd.Series(dtype="datetime64[us]"), "p_late": pd.Series(dtype=float),
                          "p_overrun": pd.Series(dtype=float)})
    state, _, bundles = _usable(engine, now)
    if state != READY:
        return empty
    facts = read_risk_facts(engine, viewer, ONGOING, project_ids=[project_id])
    if facts.projects.empty:
        return empty
    days = [pd.Timestamp(add_months(today, -k)) for k in range(months - 1, 0, -1)] + [pd.Timestamp(today)]
    started = facts.projects["actual_start"].iloc[0]
    days = [day for day in days if pd.notna(started) and day > started]
    if not days:
        return empty
    features = features_at(facts.projects, facts.observations, facts.milestones,
                           pd.DataFrame({"project_id": project_id, "as_of": days}))
    predicted = risk_model.predict(bundles, features)
    return pd.DataFrame({"as_of": features["as_of"], "p_late": predicted["p_late"],
                         "p_overrun": predicted["p_overrun"]})


def held_out(models: dict[str, StoredModel]) -> pd.DataFrame:
    """Each target's held-out comparison: model and rule AUC, Brier score (classifiers) or mean absolute
    error in days (the delay), and the status."""
    rows = []
    for target in (*TARGETS, DELAY):
        stored = models.get(target)
        if stored is None:
            continue
        model, rule = stored.metrics.get("model", {}), stored.metrics.get("baseline", {})
        rows.append({"target": target, "status": stored.status, "trained_at": stored.trained_at,
                     "test_projects": stored.metrics.get("test_projects"),
                     "model_auc": model.get("auc"), "rule_auc": rule.get("auc"),
                     "model_brier": model.get("brier"), "rule_brier": rule.get("brier"),
                     "model_mae_days": model.get("mae_days"), "rule_mae_days": rule.get("mae_days")})
    return pd.DataFrame(rows)


def _user(engine: Engine, username: str | None) -> Viewer:
    if username is None:
        return SYSTEM
    with Session(engine) as session:
        return viewer_for(session, username)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.risk", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["train", "predict", "status"])
    parser.add_argument("--user", default=None, help="act as this user (default: the system actor)")
    parser.add_argument("--top", type=int, default=10, help="predict: how many projects to print")
    parser.add_argument("--if-missing", action="store_true", help="train: only when no training was kept yet")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="predict: the day, YYYY-MM-DD (default: today, China time)")
    args = parser.parse_args(argv)
    try:
        engine = create_database_engine()
        actor = _user(engine, args.user)
        if args.command == "train" and args.if_missing and latest_models(engine):
            print("perfdash: risk models already trained; not training")
        elif args.command == "train":
            for training in train(engine, actor):
                print(f"perfdash: risk {training.target}: {training.status}")
        elif args.command == "status":
            table = held_out(latest_models(engine))
            print(table.to_string(index=False) if len(table) else "perfdash: no risk model trained yet")
        else:
            result = outlook(engine, actor, today=args.as_of or reporting_calendar.today())
            if result.state != READY:
                print(f"perfdash: no risk shown: {result.state} {result.detail}")
                return 0
            columns = ["code", "name_zh", "region_zh", "p_late", "p_overrun", "delay_low", "delay_days", "delay_high"]
            print(result.predictions[columns].head(args.top).round(2).to_string(index=False))
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
