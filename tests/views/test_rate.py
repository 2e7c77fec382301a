"""The rating form (评分, AppTest, login bypassed): the rater's owed ratings, rating, changing and the deadline.

Each test works on its own copy of the small demo with the round of ``round_db`` (tests/views/conftest.py).
"""
from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from sqlalchemy import Engine, select, update
from streamlit.testing.v1 import AppTest

from data_access.models import Project, Rating, RatingRound, Region, User
from services.rating_rounds import close_round, round_assignments
from tests.conftest import as_viewer
from tests.views.conftest import Round, open_page_as

PAGE = "views/rate.py"


def open_page(username: str, lang: str = "zh", **params: object) -> AppTest:
    return open_page_as(username, PAGE, lang, **params)


def _cards(at: AppTest, round_db: Round) -> dict[int, str]:
    """The test round's cards on the list: project id → the button's label (the demo's own round has more)."""
    prefix = f"round={round_db.id}&project="
    return {int(link.proto.query_string.removeprefix(prefix)): link.label for link in at.get("page_link")
            if link.proto.query_string.startswith(prefix)}


def _stored(engine: Engine, round_id: int, project_id: int, username: str) -> dict[str, float]:
    with engine.connect() as connection:
        rows = connection.execute(select(Rating.dimension, Rating.score).join(User, User.id == Rating.rater_id)
                                  .where(Rating.round_id == round_id, Rating.project_id == project_id,
                                         User.username == username)).all()
    return dict(rows)


def test_a_manager_sees_their_own_projects_to_rate_as_self_and_an_expert_sees_theirs(round_db):
    for username, group in (("pm_kaifeng1", "自评"), ("expert01", "专家")):
        at = open_page(username)
        assert at.title[0].value == "评分" and at.main.subheader[0].value.startswith("待评分（")
        assert _cards(at, round_db) == dict.fromkeys(round_db.projects, "开始评分")
        for code in round_db.codes:
            assert any(text.startswith(f"**{code} · ") for text in at.markdown.values), username
        ours = [caption for caption in at.caption.values if caption.startswith("测试评分 · ")]
        assert len(ours) == 2 and all(f"以{group}身份" in caption for caption in ours) and not at.error


def test_every_assigned_peer_sees_the_project_they_rate_and_nobody_else_does(round_db):
    assignments = round_assignments(round_db.engine, as_viewer(round_db.engine, "analyst"), round_db.id)
    peers = assignments[assignments["rater_type"] == "peer"]
    assert len(peers) == 4 and "pm_kaifeng1" not in set(peers["rater_name"])
    with round_db.engine.connect() as connection:
        usernames = dict(connection.execute(select(User.id, User.username)).all())
    for rater_id, own in peers.groupby("rater_id"):
        assert set(_cards(open_page(usernames[rater_id]), round_db)) == set(own["project_id"])
    nobody = open_page("analyst")
    assert nobody.info[0].value == "目前没有需要您评分的项目。" and not _cards(nobody, round_db)


def test_a_rater_scores_every_criterion_and_sees_exactly_what_was_stored(round_db):
    project = round_db.projects[0]
    at = open_page("expert01", round=round_db.id, project=project)
    assert at.info[0].value.startswith("截止 ") and at.info[0].value.endswith("（北京时间），之前可修改。")
    with round_db.engine.connect() as connection:
        region = connection.execute(select(Region.name_zh).join(Project, Project.region_id == Region.id)
                                    .where(Project.id == project)).scalar_one()
    assert f"{region} · 测试评分 · 2026年10月 · 以专家身份" in at.main.caption.values  # where the project is
    assert [n.label for n in at.number_input] == ["进度达成度（权重 40 %）", "质量达标率（权重 30 %）",
                                                   "用户满意度（权重 30 %）"]
    at.number_input(key="rate_score_progress").set_value(85)
    at.number_input(key="rate_score_quality").set_value(80)
    at.number_input(key="rate_score_satisfaction").set_value(92.5)
    at.text_area(key="rate_comment").input("进度稳定 <b>好</b>")
    at.main.button[0].click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "评分已保存：进度达成度 85 · 质量达标率 80 · 用户满意度 92.5"
    assert _stored(round_db.engine, round_db.id, project, "expert01") == {"progress": 85.0, "quality": 80.0,
                                                                          "satisfaction": 92.5}
    listed = open_page("expert01")
    assert _cards(listed, round_db) == {project: "修改评分", round_db.projects[1]: "开始评分"}
    assert listed.main.subheader.values[-1].startswith("已评分，截止前可修改（")


def test_a_rating_can_be_changed_until_the_deadline_and_the_form_opens_with_the_stored_scores(round_db):
    project = round_db.projects[1]
    at = open_page("pm_kaifeng1", round=round_db.id, project=project)
    for key, score in (("progress", 90), ("quality", 88), ("satisfaction", 95)):
        at.number_input(key=f"rate_score_{key}").set_value(score)
    at.main.button[0].click().run()
    again = open_page("pm_kaifeng1", round=round_db.id, project=project)
    assert [n.value for n in again.number_input] == [90, 88, 95]
    again.number_input(key="rate_score_quality").set_value(70)
    again.main.button[0].click().run()
    assert again.success[0].value == "评分已保存：进度达成度 90 · 质量达标率 70 · 用户满意度 95"
    assert _stored(round_db.engine, round_db.id, project, "pm_kaifeng1")["quality"] == 70.0


def test_a_missing_score_is_named_and_nothing_is_stored(round_db):
    project = round_db.projects[0]
    at = open_page("expert02", round=round_db.id, project=project)
    at.number_input(key="rate_score_progress").set_value(85)
    at.main.button[0].click().run()
    assert at.error[0].value == "请为每一项打分：质量达标率（权重 30 %）、用户满意度（权重 30 %）"
    assert _stored(round_db.engine, round_db.id, project, "expert02") == {}


def test_a_score_outside_0_to_100_is_refused_by_criterion_and_the_inputs_are_kept(round_db):
    project = round_db.projects[0]
    at = open_page("expert02", round=round_db.id, project=project)
    for key, score in (("progress", 120), ("quality", 80), ("satisfaction", 90)):
        at.number_input(key=f"rate_score_{key}").set_value(score)
    at.main.button[0].click().run()
    assert at.error[0].value == "“进度达成度”的分数须在 0 到 100 之间（填写的是 120）"
    assert [n.value for n in at.number_input] == [120, 80, 90]
    assert _stored(round_db.engine, round_db.id, project, "expert02") == {}


def test_after_the_deadline_the_rating_is_shown_read_only(round_db):
    project = round_db.projects[0]
    at = open_page("expert01", round=round_db.id, project=project)
    for key, score in (("progress", 85), ("quality", 80), ("satisfaction", 90)):
        at.number_input(key=f"rate_score_{key}").set_value(score)
    at.main.button[0].click().run()
    with round_db.engine.begin() as connection:
        connection.execute(update(RatingRound).where(RatingRound.id == round_db.id)
                           .values(deadline=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
    st.cache_data.clear()  # the hour has passed: cached reads have long expired
    closed = open_page("expert01", round=round_db.id, project=project)
    assert closed.warning[0].value.startswith("评分已于 ") and "不能再修改" in closed.warning[0].value
    assert not closed.number_input and not closed.main.button
    assert "进度达成度（权重 40 %）：**85**" in closed.markdown.values
    assert _cards(open_page("expert01"), round_db) == {}  # nothing owed in this round any more


def test_once_the_round_is_closed_early_the_rating_is_read_only_and_says_so(round_db):
    project = round_db.projects[1]
    at = open_page("pm_kaifeng1", round=round_db.id, project=project)
    for key, score in (("progress", 90), ("quality", 88), ("satisfaction", 95)):
        at.number_input(key=f"rate_score_{key}").set_value(score)
    at.main.button[0].click().run()
    close_round(round_db.engine, as_viewer(round_db.engine, "analyst"), round_id=round_db.id, version=1)
    closed = open_page("pm_kaifeng1", round=round_db.id, project=project)
    assert closed.warning[0].value == "本轮评分已结束，以下为您的评分，不能再修改。"
    assert "用户满意度（权重 30 %）：**95**" in closed.markdown.values and not closed.number_input


@pytest.mark.parametrize("username", ["pm_kaifeng2", "official_longting", "analyst"])
def test_someone_who_is_not_the_projects_rater_gets_no_form(round_db, username):
    assignments = round_assignments(round_db.engine, as_viewer(round_db.engine, "analyst"), round_db.id)
    with round_db.engine.connect() as connection:
        user_id = connection.execute(select(User.id).where(User.username == username)).scalar_one()
    project = next(p for p in round_db.projects
                   if user_id not in set(assignments.loc[assignments["project_id"] == p, "rater_id"]))
    at = open_page(username, round=round_db.id, project=project)
    assert [e.value for e in at.error] == ["您不是本轮该项目的评分人"]
    assert not at.number_input and not at.main.button


def test_a_malformed_round_in_the_link_shows_the_one_message(round_db):
    at = open_page("expert01", round="1²", project=round_db.projects[0])
    assert at.error[0].value == "链接中的编号无效。"
    assert not at.number_input


def test_the_form_in_english(round_db):
    at = open_page("expert01", "en", round=round_db.id, project=round_db.projects[0])
    assert [n.label for n in at.number_input][0] == "Progress achieved (weight 40 %)"
    assert at.main.button[0].label == "Submit the rating"
    listed = open_page("expert01", "en")
    assert listed.main.subheader[0].value.startswith("To rate (")
    assert _cards(listed, round_db) == dict.fromkeys(round_db.projects, "Rate it")
