"""A rating round end to end: opened, rated, closed by hand or at its deadline, its results with the method, the
fed KPI and the scorecard's score, and the breakdown the rated team sees (small demo, seed 7).

Project 7 (P410202-00007, Longting) is pm_kaifeng1's; official_longting is its superior; with five peers its
peers are pm_kaifeng2, pm_xiangtan1, pm_xiangtan2, pm_qinzhou1 and pm_qinzhou2.
"""
import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select, update

from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from data_access.models import AuditEntry, Indicator, Observation, RatingResult, RatingRound, User
from data_access.reads import list_ratings, load_indicator_matrix
from services import rating_rounds, scores
from services.rating_rounds import Criterion, RoundClosed, RoundSpec
from tests.conftest import as_viewer

PERIOD = dt.date(2026, 10, 1)
PROJECT = 7
PEERS = {"pm_kaifeng2": 60, "pm_xiangtan1": 70, "pm_xiangtan2": 80, "pm_qinzhou1": 90, "pm_qinzhou2": 100}
OVERALL = [Criterion("overall", "综合评分", "Overall", 1.0)]


def _open(engine, **changes):
    spec = RoundSpec(**({"name_zh": "十月评分", "name_en": "October rating", "period": PERIOD, "criteria": OVERALL,
                         "project_ids": [PROJECT], "deadline": dt.datetime.now(dt.UTC) + dt.timedelta(days=10),
                         "peers_per_project": 5, "indicator_code": "RESIDENT_SAT"} | changes))
    return rating_rounds.open_round(engine, as_viewer(engine, "analyst"), spec)


def _user_id(engine, username):
    with engine.connect() as connection:
        return connection.execute(select(User.id).where(User.username == username)).scalar_one()


def _rate(engine, round_id, username, score, project_id=PROJECT, comment=None):
    rating_rounds.rate(engine, as_viewer(engine, username), round_id=round_id, project_id=project_id,
                       scores={"overall": score}, comment=comment)


def _rate_the_panel(engine, round_id):
    for username, score in PEERS.items():
        _rate(engine, round_id, username, score)
    _rate(engine, round_id, "official_longting", 85, comment="进度<script>稳</script>")
    _rate(engine, round_id, "pm_kaifeng1", 95)


def _close(engine, round_id, username="analyst"):
    rounds = rating_rounds.list_rounds(engine, as_viewer(engine, "analyst")).set_index("id")
    return rating_rounds.close_round(engine, as_viewer(engine, username), round_id=round_id,
                                     version=int(rounds.loc[round_id, "version"]))


def test_a_round_end_to_end_trims_five_peers_weights_the_groups_and_flags_the_self_rating(seeded_engine):
    engine = seeded_engine
    round_id = _open(engine)
    _rate_the_panel(engine, round_id)
    closed = _close(engine, round_id)
    assert closed.fed_projects == [PROJECT] and closed.warnings_evaluated
    results = rating_rounds.round_results(engine, as_viewer(engine, "analyst"), round_id)
    row = results.projects.set_index("project_id").loc[PROJECT]
    # peers 60 … 100 lose 60 and 100 → 80; 0.5·85 + 0.3·80 + 0.2·95 = 85.5
    assert row["score"] == pytest.approx(85.5)
    assert (row["superior"], row["peer"], row["self"]) == pytest.approx((85.0, 80.0, 95.0))
    assert (row["assigned"], row["responded"]) == (7, 7)
    # self 95 against the others' weighted mean (0.5·85 + 0.3·80) / 0.8 = 83.125: 11.875 > 10
    assert bool(row["self_flagged"]) and row["others"] == pytest.approx(83.125)
    assert row["self_gap"] == pytest.approx(11.875)
    groups = results.groups.set_index("rater_type")
    assert groups.loc["peer", ["assigned", "responded", "used"]].tolist() == [5, 5, 3]
    assert results.status == "closed" and results.method["trim_min_raters"] == 5
    assert results.method["group_weights"] == {"peer": 0.3, "self": 0.2, "superior": 0.5}
    assert results.method["correct_leniency"] is False and results.method["self_margin"] == 10.0


def test_the_result_feeds_the_kpi_for_the_period_and_the_scorecard_score_follows(seeded_engine):
    engine = seeded_engine
    leader = as_viewer(engine, "leader")
    model = scores.load_model(engine, leader)
    before = load_indicator_matrix(engine, leader, period=PERIOD)
    expected = before.copy()
    expected.loc[PROJECT, "RESIDENT_SAT"] = 85.5
    round_id = _open(engine)
    _rate_the_panel(engine, round_id)
    _close(engine, round_id)
    after = load_indicator_matrix(engine, leader, period=PERIOD)
    assert after.loc[PROJECT, "RESIDENT_SAT"] == pytest.approx(85.5)
    with engine.connect() as connection:
        stored = connection.execute(
            select(Observation.value, Observation.source).join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Observation.project_id == PROJECT, Observation.period == PERIOD, Indicator.code == "RESIDENT_SAT")
        ).one()
        entry = connection.execute(select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.action == "observation.record", AuditEntry.entity_id == "7/RESIDENT_SAT/2026-10")).one()
    assert tuple(stored) == (85.5, "rating")
    assert json.loads(entry.before)["value"] == before.loc[PROJECT, "RESIDENT_SAT"]
    assert json.loads(entry.after) == {"value": 85.5, "source": "rating"}
    scored = scores.period_scores(engine, leader, PERIOD, model=model)
    assert scored.loc[PROJECT, "total"] == pytest.approx(scores.score_matrix(model, expected).loc[PROJECT, "total"])
    assert scored.loc[PROJECT, "total"] != pytest.approx(scores.score_matrix(model, before).loc[PROJECT, "total"])


def test_criteria_are_combined_per_rater_by_their_weights(seeded_engine):
    engine = seeded_engine
    criteria = [Criterion("progress", "进度", "Progress", 0.4), Criterion("quality", "质量", "Quality", 0.6)]
    round_id = _open(engine, criteria=criteria, indicator_code=None)
    rating_rounds.rate(engine, as_viewer(engine, "official_longting"), round_id=round_id, project_id=PROJECT,
                       scores={"progress": 100, "quality": 50}, comment=None)
    rating_rounds.rate(engine, as_viewer(engine, "pm_kaifeng2"), round_id=round_id, project_id=PROJECT,
                       scores={"progress": 50, "quality": 100}, comment=None)
    assert _close(engine, round_id).fed_projects == []
    results = rating_rounds.round_results(engine, as_viewer(engine, "analyst"), round_id)
    # superior 0.4·100 + 0.6·50 = 70, peer 0.4·50 + 0.6·100 = 80; no self: 0.5 and 0.3 → (0.5·70 + 0.3·80) / 0.8
    assert results.projects.set_index("project_id").loc[PROJECT, "score"] == pytest.approx(73.75)
    by_criterion = results.criteria_scores.set_index("criterion")["score"]
    assert by_criterion.to_dict() == pytest.approx({"progress": (0.5 * 100 + 0.3 * 50) / 0.8,
                                                    "quality": (0.5 * 50 + 0.3 * 100) / 0.8})
    with engine.connect() as connection:
        assert connection.execute(select(Observation.id).where(Observation.source == "rating")).first() is None


def test_closing_is_one_transaction_version_locked_and_only_for_people_who_run_rounds(seeded_engine):
    engine = seeded_engine
    round_id = _open(engine)
    with pytest.raises(PermissionDenied):
        _close(engine, round_id, username="official_longting")
    with pytest.raises(VersionConflict):
        rating_rounds.close_round(engine, as_viewer(engine, "analyst"), round_id=round_id, version=7)
    with engine.connect() as connection:
        assert connection.execute(select(RatingRound.status).where(RatingRound.id == round_id)).scalar() == "open"
        assert connection.execute(select(RatingResult.id).where(RatingResult.round_id == round_id)).first() is None
    _close(engine, round_id)
    with pytest.raises(ValidationError) as caught:
        _close(engine, round_id)
    assert caught.value.message_zh == "该评分轮次已关闭"
    with pytest.raises(RoundClosed):
        _rate(engine, round_id, "pm_kaifeng2", 70)


def test_a_project_nobody_rated_gets_no_score_and_no_kpi_value(seeded_engine):
    engine = seeded_engine
    round_id = _open(engine, project_ids=[PROJECT, 4])
    _rate(engine, round_id, "official_longting", 85)
    assert _close(engine, round_id).fed_projects == [PROJECT]
    projects = rating_rounds.round_results(engine, as_viewer(engine, "analyst"), round_id).projects
    assert pd.isna(projects.set_index("project_id").loc[4, "score"])
    assert projects.set_index("project_id").loc[4, "responded"] == 0


def test_close_due_rounds_closes_only_rounds_past_their_deadline_as_the_system(seeded_engine):
    engine = seeded_engine
    due = _open(engine)
    later = _open(engine, criteria=[Criterion("other", "其他", "Other", 1.0)], indicator_code=None)
    _rate_the_panel(engine, due)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(update(RatingRound).where(RatingRound.id == due)
                           .values(deadline=now - dt.timedelta(hours=1)))
    assert rating_rounds.close_due_rounds(engine, now) == [due]
    assert rating_rounds.close_due_rounds(engine, now) == []
    with engine.connect() as connection:
        statuses = dict(connection.execute(select(RatingRound.id, RatingRound.status)).all())
        actor = connection.execute(select(AuditEntry.actor_name).where(AuditEntry.action == "rating_round.close")
                                   ).scalar_one()
    assert (statuses[due], statuses[later], actor) == ("closed", "open", "system")


def test_the_rated_team_sees_its_breakdown_without_names_when_the_round_is_anonymous(seeded_engine):
    engine = seeded_engine
    round_id = _open(engine)
    _rate_the_panel(engine, round_id)
    _close(engine, round_id)
    mine = rating_rounds.project_rating_breakdown(engine, as_viewer(engine, "pm_kaifeng1"), PROJECT)
    assert mine.round_id == round_id and mine.score == pytest.approx(85.5) and mine.self_flagged
    assert mine.names_hidden and mine.raters.empty
    assert mine.comments == ["进度<script>稳</script>"]
    groups = mine.groups.set_index("rater_type")
    assert groups.loc["peer", ["assigned", "responded"]].tolist() == [5, 5]
    assert groups.loc["peer", "mean"] == pytest.approx(80.0) and groups.loc["peer", "weight"] == pytest.approx(0.3)
    official = rating_rounds.project_rating_breakdown(engine, as_viewer(engine, "official_longting"), PROJECT)
    assert not official.names_hidden
    assert sorted(official.raters["score"]) == [60, 70, 80, 85, 90, 95, 100]
    with pytest.raises(PermissionDenied):
        rating_rounds.project_rating_breakdown(engine, as_viewer(engine, "official_gulou"), PROJECT)


def test_a_round_that_is_not_anonymous_shows_the_team_its_raters(seeded_engine):
    engine = seeded_engine
    round_id = _open(engine, anonymous=False)
    _rate_the_panel(engine, round_id)
    _close(engine, round_id)
    mine = rating_rounds.project_rating_breakdown(engine, as_viewer(engine, "pm_kaifeng1"), PROJECT)
    assert not mine.names_hidden and len(mine.raters) == 7


def test_the_leniency_correction_centres_each_rater_on_their_panel_and_records_its_effect(seeded_engine):
    engine = seeded_engine
    lenient, harsh = _user_id(engine, "expert01"), _user_id(engine, "expert02")
    round_id = _open(engine, correct_leniency=True, project_ids=[PROJECT, 11], indicator_code=None,
                     group_weights=rating_rounds.with_expert_group(0.3), experts={PROJECT: [lenient, harsh],
                                                                                 11: [lenient]})
    _rate(engine, round_id, "expert01", 90)
    _rate(engine, round_id, "expert02", 70)
    _rate(engine, round_id, "expert01", 80, project_id=11)
    _close(engine, round_id)
    results = rating_rounds.round_results(engine, as_viewer(engine, "analyst"), round_id)
    # panel means: project 7 (90 + 70) / 2 = 80, project 11 80; expert01 runs +5 on average ((+10 + 0) / 2),
    # expert02 −10: corrected, project 7 (85 + 80) / 2 = 82.5 and project 11 80 − 5 = 75
    projects = results.projects.set_index("project_id")
    assert projects.loc[PROJECT, "score"] == pytest.approx(82.5) and projects.loc[11, "score"] == pytest.approx(75)
    assert projects["leniency_change"].to_dict() == pytest.approx({PROJECT: 2.5, 11: -5.0})
    assert results.method["correct_leniency"] is True


def test_agreement_is_read_in_plain_words(seeded_engine):
    engine = seeded_engine
    experts = [_user_id(engine, f"expert0{k}") for k in (1, 2, 3)]
    round_id = _open(engine, project_ids=[PROJECT, 25, 11], indicator_code=None,
                     group_weights=rating_rounds.with_expert_group(0.3),
                     experts={project: experts for project in (PROJECT, 25, 11)})
    for k, username in enumerate(("expert01", "expert02", "expert03")):
        for project, level in ((PROJECT, 90), (25, 70), (11, 50)):  # the same order from every expert
            _rate(engine, round_id, username, level + k, project_id=project)
    _close(engine, round_id)
    agreement = rating_rounds.round_results(engine, as_viewer(engine, "analyst"), round_id).agreement
    expert = agreement.set_index("rater_type").loc["expert"]
    assert (expert["raters"], expert["projects"]) == (3, 3)
    assert expert["kendall_w"] == pytest.approx(1.0) and expert["reading_zh"] == "高度一致"
    assert expert["reading_en"] == "high agreement"


def test_the_scorecards_ratings_show_a_round_once_it_closes_and_without_raters_to_the_team(seeded_engine):
    engine = seeded_engine
    round_id = _open(engine)
    _rate_the_panel(engine, round_id)
    official, manager = as_viewer(engine, "official_longting"), as_viewer(engine, "pm_kaifeng1")
    assert not (list_ratings(engine, official, project_id=PROJECT)["period"] == PERIOD).any()  # still open
    _close(engine, round_id)
    theirs = list_ratings(engine, official, project_id=PROJECT).query("period == @PERIOD")
    mine = list_ratings(engine, manager, project_id=PROJECT).query("period == @PERIOD")
    assert sorted(theirs["score"]) == sorted(mine["score"]) == [60, 70, 80, 85, 90, 95, 100]
    assert theirs["rater_name"].notna().all() and mine["rater_name"].isna().all() and mine["rater_id"].isna().all()
