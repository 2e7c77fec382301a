"""Risk prediction through the database: who may train, the models kept and audited, scope on predictions,
and no risk shown from a missing, stale or untrainable model."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import alerts as alert_store
from data_access.errors import PermissionDenied, ValidationError
from data_access.models import AuditEntry, RiskModel
from data_access.reads import list_projects
from data_access.risk_models import Training, latest_models, save_trainings
from scoring.risk_features import FEATURES
from services import risk
from services.alerts import evaluate, preview
from tests.conftest import DEMO_UNTIL, as_viewer
from tests.risk_data import trained_on_demo

NOW = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
TODAY = DEMO_UNTIL + dt.timedelta(days=19)


def _keep_demo_models(engine, *, now: dt.datetime = NOW) -> None:
    """The models trained on the standard demo's history, kept as the analyst's training."""
    trainings = [Training(result.target, result.status, result.metrics, list(FEATURES), {}, result.model)
                 for result in trained_on_demo()]
    save_trainings(engine, as_viewer(engine, "analyst"), trainings, read_version=1, now=now)


def test_without_a_trained_model_no_risk_is_shown(seeded_engine):
    result = risk.outlook(seeded_engine, as_viewer(seeded_engine, "leader"), today=TODAY, now=NOW)
    assert result.state == "missing" and result.predictions.empty


def test_the_small_demo_has_too_few_finished_projects_so_training_keeps_no_model_and_says_so(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    trainings = risk.train(seeded_engine, analyst, now=NOW)
    assert [(t.target, t.status, t.model) for t in trainings] == [
        ("late", "too_few", None), ("overrun", "too_few", None), ("delay", "too_few", None)]
    result = risk.outlook(seeded_engine, as_viewer(seeded_engine, "leader"), today=TODAY, now=NOW)
    assert result.state == "too_few" and result.predictions.empty
    assert result.detail["projects"] < result.detail["min_projects"] == 60
    with seeded_engine.connect() as connection:
        audited = connection.execute(select(AuditEntry.action, AuditEntry.actor_name)
                                     .where(AuditEntry.action == "risk_model.train")).all()
    assert [tuple(row) for row in audited] == [("risk_model.train", "analyst")] * 3


def test_a_leader_may_not_train_and_nothing_is_kept(seeded_engine):
    with pytest.raises(PermissionDenied) as refused:
        risk.train(seeded_engine, as_viewer(seeded_engine, "leader"), now=NOW)
    assert refused.value.message_zh == "当前角色无权训练风险预测模型"
    with seeded_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RiskModel)).scalar() == 0


def test_a_kept_model_predicts_for_the_viewers_active_projects_only(seeded_engine):
    _keep_demo_models(seeded_engine)
    leader = risk.outlook(seeded_engine, as_viewer(seeded_engine, "leader"), today=TODAY, now=NOW)
    official_viewer = as_viewer(seeded_engine, "official_longting")
    official = risk.outlook(seeded_engine, official_viewer, today=TODAY, now=NOW)
    assert leader.state == official.state == "ready"
    theirs = list_projects(seeded_engine, official_viewer)
    theirs = set(theirs.loc[theirs["status"].isin(["active", "suspended"]), "id"])
    assert set(official.predictions["project_id"]) == theirs
    assert set(official.reasons["project_id"]) <= theirs
    others = set(leader.predictions["project_id"]) - theirs
    assert others  # the leader's list has projects the official must not see
    assert official.predictions["p_late"].is_monotonic_decreasing
    assert official.predictions[["p_late", "p_overrun", "delay_days"]].notna().all().all()
    assert (official.predictions["delay_low"] <= official.predictions["delay_high"]).all()


def test_a_model_older_than_the_limit_is_stale_and_hides_the_risk(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_RISK_MAX_AGE_DAYS", "40")
    _keep_demo_models(seeded_engine, now=NOW - dt.timedelta(days=41))
    result = risk.outlook(seeded_engine, as_viewer(seeded_engine, "leader"), today=TODAY, now=NOW)
    assert result.state == "stale" and result.predictions.empty
    assert result.detail["age_days"] == 41 and result.detail["max_age_days"] == 40


def test_the_newest_training_of_each_target_is_the_one_used(seeded_engine):
    _keep_demo_models(seeded_engine, now=NOW - dt.timedelta(days=3))
    late = next(result for result in trained_on_demo() if result.target == "late")
    lost = dataclasses.replace(late, status="not_better", model=None)
    save_trainings(seeded_engine, as_viewer(seeded_engine, "admin"),
                   [Training(lost.target, lost.status, lost.metrics, list(FEATURES), {}, None)], read_version=2,
                   now=NOW)
    models = latest_models(seeded_engine)
    assert (models["late"].status, models["overrun"].status) == ("not_better", "ready")
    assert risk.outlook(seeded_engine, as_viewer(seeded_engine, "leader"), today=TODAY, now=NOW).state == "not_better"
    table = risk.held_out(models)
    assert list(table["target"]) == ["late", "overrun", "delay"]
    assert isinstance(table, pd.DataFrame)


def test_the_command_trains_once_with_if_missing_and_prints_the_status(seeded_engine, monkeypatch, capsys):
    monkeypatch.setenv("PERFDASH_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False))
    assert risk.main(["train", "--if-missing", "--user", "analyst"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "perfdash: risk late: too_few", "perfdash: risk overrun: too_few", "perfdash: risk delay: too_few"]
    assert risk.main(["train", "--if-missing"]) == 0
    assert capsys.readouterr().out == "perfdash: risk models already trained; not training\n"
    assert risk.main(["status"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[:2] == ["target", "status"] and printed[1].split()[:2] == ["late", "too_few"]
    assert risk.main(["predict", "--user", "leader"]) == 0
    assert capsys.readouterr().out.startswith("perfdash: no risk shown: too_few")


def test_a_projects_risk_trend_is_predicted_on_each_first_of_the_month_and_today_within_scope(seeded_engine):
    _keep_demo_models(seeded_engine)
    official = as_viewer(seeded_engine, "official_longting")
    theirs = risk.outlook(seeded_engine, official, today=TODAY, now=NOW).predictions["project_id"].iloc[0]
    trend = risk.project_trend(seeded_engine, official, int(theirs), today=TODAY, now=NOW)
    days = [day.date() for day in trend["as_of"]]
    assert days[-1] == TODAY and all(day.day == 1 for day in days[:-1]) and days == sorted(days)
    assert 2 <= len(days) <= risk.TREND_MONTHS
    assert trend[["p_late", "p_overrun"]].apply(lambda p: p.between(0, 1)).all().all()
    leader = risk.outlook(seeded_engine, as_viewer(seeded_engine, "leader"), today=TODAY, now=NOW)
    elsewhere = int(leader.predictions.loc[~leader.predictions["project_id"].isin(
        risk.outlook(seeded_engine, official, today=TODAY, now=NOW).predictions["project_id"]), "project_id"].iloc[0])
    assert risk.project_trend(seeded_engine, official, elsewhere, today=TODAY, now=NOW).empty


def test_the_rules_predictions_are_the_pages_within_the_viewers_scope_and_none_without_a_model(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    assert risk.current_risks(seeded_engine, official, today=TODAY, now=NOW) is None
    _keep_demo_models(seeded_engine)
    chances = risk.current_risks(seeded_engine, official, today=TODAY, now=NOW)
    shown = risk.outlook(seeded_engine, official, today=TODAY, now=NOW).predictions
    assert list(chances.columns) == ["project_id", "p_late", "p_overrun"]
    assert dict(zip(chances["project_id"], chances["p_late"], strict=True)) == dict(
        zip(shown["project_id"], shown["p_late"], strict=True))
    one = int(shown["project_id"].iloc[0])
    assert risk.current_risks(seeded_engine, official, today=TODAY, now=NOW, project_ids=[one])[
        "project_id"].tolist() == [one]


RISK_RULE = {"name_zh": "延期风险偏高", "name_en": "Likely to slip", "rule_type": "risk_above", "severity": "orange",
             "params": {"pct": 60}, "scope_kind": "all", "scope_value": None, "enabled": True}


def test_a_risk_rule_warns_above_its_threshold_keeps_one_warning_and_clears_it_when_the_risk_falls(
        seeded_engine, monkeypatch):
    admin = as_viewer(seeded_engine, "admin")
    projects = list_projects(seeded_engine, admin)
    first, second, third = projects.loc[projects["status"] == "active", "id"].head(3).astype(int)
    chances = {first: 0.8125, second: 0.6, third: 0.25}  # 60 % exactly does not fire
    given = []

    def predicted(engine, viewer, *, today, project_ids=None, now=None):
        given.append((engine is seeded_engine, viewer.username, today, project_ids, now))
        return pd.DataFrame({"project_id": list(chances), "p_late": list(chances.values()), "p_overrun": 0.0})

    monkeypatch.setattr(risk, "current_risks", predicted)
    rule_id = alert_store.save_rule(seeded_engine, admin, RISK_RULE)
    evaluate(seeded_engine, as_of=TODAY, now=NOW)
    assert given == [(True, "system", TODAY, None, NOW)]
    warned = alert_store.list_alerts(seeded_engine, admin, rule_ids=[rule_id])
    assert warned[["project_id", "status", "severity", "value", "threshold"]].values.tolist() == [
        [first, "open", "orange", 81.25, 60.0]]
    chances[first] = 0.5625  # within the recovery margin (5 points): the warning stays, still one
    again = evaluate(seeded_engine, as_of=TODAY, now=NOW + dt.timedelta(hours=1))
    warned = alert_store.list_alerts(seeded_engine, admin, rule_ids=[rule_id])
    assert warned[["project_id", "status", "value"]].values.tolist() == [[first, "open", 56.25]] and again.opened == 0
    chances[first] = 0.5  # below 60 − 5: the data clears the warning, which waits for verification like any
    cleared = evaluate(seeded_engine, as_of=TODAY, now=NOW + dt.timedelta(days=1))
    warned = alert_store.list_alerts(seeded_engine, admin, rule_ids=[rule_id])
    assert warned[["project_id", "status"]].values.tolist() == [[first, "resolved"]] and cleared.cleared == 1
    with seeded_engine.connect() as connection:
        actions = connection.execute(select(AuditEntry.action).where(AuditEntry.entity == "alert")
                                     .where(AuditEntry.entity_id == str(int(warned["id"].iloc[0])))
                                     .order_by(AuditEntry.id)).scalars().all()
    assert actions == ["alert.open", "alert.resolved"]  # the same audit as every warning


def test_without_a_usable_model_a_risk_rule_is_left_out_and_its_warnings_stay(seeded_engine, monkeypatch):
    admin = as_viewer(seeded_engine, "admin")
    project = int(list_projects(seeded_engine, admin).query("status == 'active'")["id"].iloc[0])
    monkeypatch.setattr(risk, "current_risks", lambda *_, **__: pd.DataFrame(
        {"project_id": [project], "p_late": [0.9], "p_overrun": [0.1]}))
    rule_id = alert_store.save_rule(seeded_engine, admin, RISK_RULE)
    evaluate(seeded_engine, as_of=TODAY, now=NOW)
    monkeypatch.setattr(risk, "current_risks", lambda *_, **__: None)  # the model went stale
    changes = evaluate(seeded_engine, as_of=TODAY, now=NOW + dt.timedelta(days=1))
    assert alert_store.list_alerts(seeded_engine, admin, rule_ids=[rule_id])["status"].tolist() == ["open"]
    assert changes.cleared == 0
    with pytest.raises(ValidationError) as refused:
        preview(seeded_engine, admin, RISK_RULE, as_of=TODAY)
    assert refused.value.message_zh.startswith("暂无可用的风险预测模型")
