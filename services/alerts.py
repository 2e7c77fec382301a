"""Early-warning evaluation: read the data, run the rules (pure, in ``scoring.rules``), store the result.

Command line for schedulers (idempotent: running it twice changes nothing the second time)::

    python -m services.alerts run [--as-of 2026-11-30]    # evaluate, escalate, send urgent e-mail
    python -m services.alerts digest                      # the daily e-mail digest

Pages call :func:`evaluate` for the affected projects right after an import or a progress report.

A rule "risk above a threshold" (``risk_above``) reads the predictions of the kept risk model
(:func:`services.risk.current_risks`, as of the evaluation day); while that model is missing, stale or not better
than the rule it would replace, such rules are left out of the run and their open warnings stay as they are.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from data_access import DataAccessError, Viewer, create_database_engine, list_milestones, list_projects
from data_access import alerts as alert_store
from data_access.errors import ValidationError
from data_access.policy import SYSTEM  # the evaluator reads every region; the audit log names it "system"
from data_access.reads import load_indicator_matrix, load_observations, reported_months
from scoring.periods import add_months
from scoring.rules import Rule
from scoring.rules import evaluate as evaluate_rules
from services import notify, risk
from services.scores import load_model, score_matrix

LOOKBACK_MONTHS = 2  # beyond the longest run a rule asks for


def rules_from(frame: pd.DataFrame) -> list[Rule]:
    """Turn stored rule rows into validated ``Rule`` objects (a bad row raises with its id)."""
    return [Rule(int(r["id"]), r["rule_type"], r["severity"], dict(r["params"]), r["scope_kind"], r["scope_value"])
            for r in frame.to_dict("records")]


def validate_rule(fields: dict[str, Any]) -> None:
    """Raise ``ValueError`` (with the problem in the message) before a rule is saved."""
    try:
        Rule(0, fields["rule_type"], fields["severity"], dict(fields.get("params") or {}),
             fields.get("scope_kind", "all"), fields.get("scope_value"))
    except TypeError as error:  # e.g. a parameter given as null where a number belongs
        raise ValueError(f"rule parameters: {error}") from error


def _lookback(rules: Sequence[Rule]) -> int:
    return max((int(rule.params.get("periods", 1)) for rule in rules), default=1) + LOOKBACK_MONTHS


TRACKING_CODES = ("PROG_ACTUAL", "PROG_PLAN", "SPEND_CUM", "SPEND_PLAN")
PLAN_CODES = ("PROG_PLAN", "SPEND_PLAN")
REPORTED = "REPORTED"  # a stand-in series: 1 in every month a project reported anything
SCORED_MONTHS = 2  # this month against the previous one


def _observations(engine: Engine, viewer: Viewer, rules: Sequence[Rule], since: dt.date, as_of: dt.date,
                  project_ids: Sequence[int] | None) -> pd.DataFrame:
    """Only the series the rules read: progress and spend, threshold KPIs, and who reported when."""
    codes = set(TRACKING_CODES) | {str(rule.params["indicator"]) for rule in rules if rule.params.get("indicator")}
    observations = load_observations(engine, viewer, project_ids=project_ids, indicator_codes=sorted(codes),
                                     since=since, until=as_of)
    if any(rule.rule_type == "missing_report" and not rule.params.get("indicator") for rule in rules):
        reported = reported_months(engine, viewer, since=since, until=as_of, exclude_codes=PLAN_CODES)
        if project_ids is not None:
            reported = reported[reported["project_id"].isin(project_ids)]
        observations = pd.concat([observations, reported.assign(indicator_code=REPORTED, value=1.0,
                                                                source="import")], ignore_index=True)
    return observations


def _recent_scores(engine: Engine, viewer: Viewer, periods: Sequence[dt.date]) -> pd.DataFrame:
    model = load_model(engine, viewer)
    totals = []
    for period in periods:
        total = score_matrix(model, load_indicator_matrix(engine, viewer, period=period))["total"]
        totals.append(pd.DataFrame({"project_id": total.index, "period": pd.Timestamp(period),
                                    "total": total.to_numpy()}))
    return pd.concat(totals, ignore_index=True)


def _predictions(engine: Engine, viewer: Viewer, rules: Sequence[Rule], as_of: dt.date,
                 project_ids: Sequence[int] | None, now: dt.datetime | None) -> pd.DataFrame | None:
    """The risk predictions when a risk rule asks for them (None: no rule does, or no usable model)."""
    if not any(rule.rule_type == "risk_above" for rule in rules):
        return None
    return risk.current_risks(engine, viewer, today=as_of,
                              project_ids=None if project_ids is None else list(project_ids), now=now)


def _predicted(rule: Rule, risks: pd.DataFrame | None) -> bool:
    """Whether the rule can be evaluated: any rule but a risk rule, or one whose target's model is usable."""
    return rule.rule_type != "risk_above" or (risks is not None and f"p_{rule.params['target']}" in risks)


def load_inputs(engine: Engine, rules: Sequence[Rule], as_of: dt.date, viewer: Viewer = SYSTEM,
                project_ids: Sequence[int] | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """The frames ``scoring.rules.evaluate`` needs, limited to the series and months the rules look at (the risk
    predictions from the models fresh at ``now``)."""
    since = add_months(as_of, -_lookback(rules))
    projects = list_projects(engine, viewer)
    if project_ids is not None:
        projects = projects[projects["id"].isin(project_ids)]
    observations = _observations(engine, viewer, rules, since, as_of, project_ids)
    scores = None
    if any(rule.rule_type == "score_drop" for rule in rules):
        months = sorted(observations["period"].dropna().unique())[-SCORED_MONTHS:]
        scores = _recent_scores(engine, viewer, [pd.Timestamp(m).date() for m in months])
        if project_ids is not None:
            scores = scores[scores["project_id"].isin(project_ids)]
    milestones = list_milestones(engine, viewer)
    if project_ids is not None:
        milestones = milestones[milestones["project_id"].isin(project_ids)]
    return {"projects": projects, "observations": observations, "milestones": milestones, "scores": scores,
            "risks": _predictions(engine, viewer, rules, as_of, project_ids, now)}


def preview(engine: Engine, viewer: Viewer, fields: dict[str, Any], as_of: dt.date | None = None) -> pd.DataFrame:
    """Which of the viewer's projects a rule would fire on now, without storing anything."""
    rule = Rule(0, fields["rule_type"], fields["severity"], dict(fields.get("params") or {}),
                fields.get("scope_kind", "all"), fields.get("scope_value"))
    as_of = as_of or dt.date.today()
    inputs = load_inputs(engine, [rule], as_of, viewer)
    if not _predicted(rule, inputs["risks"]):
        raise ValidationError("No usable risk model (missing, stale or not better than the progress-lag rule): "
                              "a risk rule has nothing to fire on",
                              message_zh="暂无可用的风险预测模型（未训练、已过期或未优于进度滞后规则），风险规则无从触发")
    return evaluate_rules([rule], as_of=as_of, **inputs)


def evaluate(engine: Engine, *, as_of: dt.date | None = None, project_ids: Sequence[int] | None = None,
             now: dt.datetime | None = None) -> alert_store.EvaluationChanges:
    """Evaluate every enabled rule (for some projects, or all) and store the alerts."""
    as_of = as_of or dt.date.today()
    stored = alert_store.list_rules(engine, SYSTEM, enabled_only=True)
    rules = rules_from(stored)
    if not rules:
        return alert_store.EvaluationChanges(0, 0, 0, 0)
    inputs = load_inputs(engine, rules, as_of, project_ids=project_ids, now=now)
    rules = [rule for rule in rules if _predicted(rule, inputs["risks"])]  # the others' warnings stay as they are
    live = alert_store.live_alert_pairs(engine)
    findings = evaluate_rules(rules, as_of=as_of, open_alerts=live[["rule_id", "project_id"]], **inputs)
    evaluated = {rule.id for rule in rules}
    return alert_store.apply_findings(engine, findings, actor=SYSTEM,
                                      rule_ids=[int(i) for i in stored["id"] if int(i) in evaluated],
                                      project_ids=project_ids, as_of=as_of, now=now)


def escalation_days() -> float:
    """``PERFDASH_ESCALATE_AFTER_DAYS`` (default 3): how long a red alert may stay unacknowledged."""
    return float(os.environ.get("PERFDASH_ESCALATE_AFTER_DAYS", "3"))


def scheduled_run(engine: Engine, *, as_of: dt.date | None, settings: notify.SmtpSettings | None
                  ) -> tuple[alert_store.EvaluationChanges, int, int, int]:
    """The hourly run: evaluate every rule, escalate overdue red alerts, send urgent e-mail.

    Returns (changes, escalated, e-mails sent, e-mails failed).
    """
    changes = evaluate(engine, as_of=as_of)
    escalated = alert_store.escalate_unacknowledged(engine, actor=SYSTEM, after_days=escalation_days())
    sent, failed = notify.send_immediate(engine, settings)
    return changes, escalated, sent, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.alerts", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "digest"])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="evaluation day, YYYY-MM-DD")
    args = parser.parse_args(argv)
    try:
        engine = create_database_engine()
        settings = notify.SmtpSettings.from_environment()
        if args.command == "digest":
            sent, failed = notify.send_digest(engine, settings)
            print(f"perfdash: digest e-mails sent {sent}, failed {failed}")
            return 0
        started = time.perf_counter()
        changes, escalated, sent, failed = scheduled_run(engine, as_of=args.as_of, settings=settings)
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    print(f"perfdash: opened {changes.opened}, reopened {changes.reopened}, kept {changes.kept}, "
          f"cleared {changes.cleared}, escalated {escalated}; e-mails sent {sent}, failed {failed} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
