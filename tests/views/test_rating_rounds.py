"""评分管理 (AppTest, login bypassed): the rounds list, one round's raters, closing with its results, and the form
that opens a round. Each test has its own database copy with the open round of ``round_db``."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import streamlit as st
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.models import Category, Indicator, Project, RatingAssignment, RatingResult, RatingRound, User
from scoring.periods import add_months, first_of_month
from services.rating_rounds import close_round, rate, round_assignments
from tests.conftest import as_viewer
from tests.views.conftest import Round, open_page_as

PAGE = "views/rating_rounds.py"


def open_page(username: str, lang: str = "zh", page: str = PAGE, **params: object) -> AppTest:
    return open_page_as(username, page, lang, **params)


def _rate_everyone(round_db: Round, scores: dict[str, dict[int, float]]) -> None:
    """Every assigned rater rates with the score their group gets for each project (all criteria alike)."""
    engine = round_db.engine
    assignments = round_assignments(engine, as_viewer(engine, "analyst"), round_db.id)
    with engine.connect() as connection:
        usernames = dict(connection.execute(select(User.id, User.username)).all())
    for row in assignments.itertuples():
        score = scores[row.rater_type][row.project_id]
        rate(engine, as_viewer(engine, usernames[row.rater_id]), round_id=round_db.id, project_id=row.project_id,
             scores={"progress": score, "quality": score, "satisfaction": score}, comment=None)


def _round_named(engine: Engine, name_zh: str) -> RatingRound:
    with Session(engine) as session:
        return session.scalars(select(RatingRound).where(RatingRound.name_zh == name_zh)).one()


def _oldest_period(at: AppTest) -> None:
    """Rate the oldest month offered: two years back, before the demo's ratings (no clash with them)."""
    choice = at.selectbox(key="round_period")
    choice.set_value(choice.options[-1])


def _frame(at: AppTest, index: int):
    return at.main.dataframe[index].value


@pytest.mark.parametrize("username", ["admin", "analyst"])
def test_the_rounds_list_shows_each_round_with_the_ratings_given_and_owed(round_db, username):
    at = open_page(username, round=round_db.id)
    assert at.title[0].value == "评分管理" and not at.error
    rounds = _frame(at, 0)
    ours = rounds.loc[round_db.id]
    assert (ours["名称"], ours["项目数"], ours["状态"], ours["匿名"]) == ("测试评分", 2, "进行中", "是")
    assigned = len(round_assignments(round_db.engine, as_viewer(round_db.engine, "analyst"), round_db.id))
    assert ours["已评 / 应评"] == f"0 / {assigned}" and ours["评分进度"] == 0.0
    counts = _frame(at, 1)
    assert counts.to_dict("list") == {"评价人类型": ["上级", "同级", "自评", "专家"], "应评": [2, 4, 2, 4],
                                      "已评": [0, 0, 0, 0], "未评": [2, 4, 2, 4]}
    assert at.query_params["round"] == str(round_db.id)


def test_closing_a_round_needs_the_confirmation_and_then_shows_each_projects_result(round_db):
    first, second = round_db.projects
    _rate_everyone(round_db, {"superior": {first: 85, second: 70}, "peer": {first: 80, second: 70},
                              "self": {first: 95, second: 72}, "expert": {first: 82, second: 66}})
    at = open_page("analyst", round=round_db.id)
    close = at.main.button(key=f"close_{round_db.id}")
    assert close.disabled
    at.checkbox(key=f"close_confirm_{round_db.id}").check().run()
    at.main.button(key=f"close_{round_db.id}").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "本轮评分已结束，结果已计算。"
    with round_db.engine.connect() as connection:
        assert connection.execute(select(RatingRound.status).where(RatingRound.id == round_db.id)).scalar() == "closed"
        stored = dict(connection.execute(select(RatingResult.project_id, RatingResult.score)
                                         .where(RatingResult.round_id == round_db.id)).all())
    # weights 0.35 / 0.21 / 0.14 / 0.30 (superior, peer, self, expert): 0.35·85 + 0.21·80 + 0.14·95 + 0.3·82 = 84.45
    assert stored[first] == pytest.approx(84.45)
    results = _frame(at, 3)
    assert list(results["编号"]) == round_db.codes  # the first project scored higher
    assert list(results["综合得分"]) == [pytest.approx(84.4, abs=0.051), pytest.approx(stored[second], abs=0.051)]
    assert list(results["上级"]) == [85.0, 70.0] and list(results["专家"]) == [82.0, 66.0]
    # self 95 against the others' weighted mean (0.35·85 + 0.21·80 + 0.3·82) / 0.86 = 82.73: 12.3 above, flagged;
    # 72 against (0.35·70 + 0.21·70 + 0.3·66) / 0.86 = 68.60: 3.4 above, within the 10-point margin
    assert list(results["自评高出"]) == ["⚑ +12.3", "+3.4"]
    assert list(results["已评 / 应评"]) == ["6 / 6", "6 / 6"]
    method = next(text for text in at.main.caption.values if text.startswith("计算方法："))
    assert "（上级 0.35、同级 0.21、自评 0.14、专家 0.30；" in method
    agreement = _frame(at, 4)
    assert list(agreement["评价人类型"]) == ["上级", "同级", "自评", "专家"]
    assert [b.label for b in at.main.get("download_button")] == ["下载 CSV", "下载 Excel"]


def test_opening_a_round_for_every_project_of_a_category_with_the_defaults(round_db):
    at = open_page("analyst")
    at.text_input(key="round_name_zh").input("智慧校园评分")
    at.text_input(key="round_name_en").input("Smart campus rating")
    _oldest_period(at)
    at.multiselect(key="round_categories").set_value(["education"])
    at.toggle(key="round_all_matching").set_value(True).run()
    at.button(key="round_open").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    opened = _round_named(round_db.engine, "智慧校园评分")
    with round_db.engine.connect() as connection:
        projects = set(connection.execute(select(RatingAssignment.project_id)
                                          .where(RatingAssignment.round_id == opened.id)).scalars())
        education = set(connection.execute(
            select(Project.id).join(Category, Category.id == Project.category_id)
            .where(Category.code == "education", Project.status.in_(["active", "suspended", "completed"]))).scalars())
        fed = connection.execute(select(Indicator.code).where(Indicator.id == opened.indicator_id)).scalar()
    assert at.success[0].value == f"评分轮次已发起，共 {len(education)} 个项目；评分人可在“评分”页面评分。"
    assert projects == education
    assert opened.anonymous and not opened.correct_leniency and fed == "RESIDENT_SAT"
    assert opened.period == add_months(first_of_month(dt.date.today()), -23)
    assert json.loads(opened.group_weights) == {"superior": 0.5, "peer": 0.3, "self": 0.2}  # no experts: no group
    assert opened.id in _frame(at, 0).index


def test_a_refused_round_says_why_and_keeps_what_was_entered(round_db):
    at = open_page("analyst")
    at.text_input(key="round_name_en").input("No Chinese name")
    at.multiselect(key="round_categories").set_value(["education"])
    at.toggle(key="round_all_matching").set_value(True).run()
    at.button(key="round_open").click().run()
    assert [e.value for e in at.error] == ["请填写轮次中文名称"]
    assert at.text_input(key="round_name_en").value == "No Chinese name"
    assert at.multiselect(key="round_categories").value == ["education"]
    with round_db.engine.connect() as connection:
        assert connection.execute(select(RatingRound.id).where(RatingRound.name_en == "No Chinese name")).all() == []


def test_experts_get_a_group_of_their_own_when_chosen(round_db: Round):
    engine: Engine = round_db.engine
    at = open_page("analyst")
    assert at.number_input(key="round_weight_expert").disabled
    at.text_input(key="round_name_zh").input("专家评分")
    at.text_input(key="round_name_en").input("Expert rating")
    at.multiselect(key="round_projects").set_value(round_db.projects[:1])
    with engine.connect() as connection:
        expert = connection.execute(select(User.id).where(User.username == "expert03")).scalar_one()
    at.multiselect(key="round_experts").set_value([expert]).run()
    _oldest_period(at)
    assert not at.number_input(key="round_weight_expert").disabled
    at.button(key="round_open").click().run()
    assert not at.error, [e.value for e in at.error]
    opened = _round_named(engine, "专家评分")
    with engine.connect() as connection:
        raters = connection.execute(select(RatingAssignment.rater_id, RatingAssignment.rater_type)
                                    .where(RatingAssignment.round_id == opened.id)).all()
    assert (expert, "expert") in raters
    # 0.5 / 0.3 / 0.2 / 0.3 as entered, scaled to add up to 1
    assert json.loads(opened.group_weights) == pytest.approx({"superior": 0.5 / 1.3, "peer": 0.3 / 1.3,
                                                              "self": 0.2 / 1.3, "expert": 0.3 / 1.3})


def test_the_page_in_english(round_db):
    at = open_page("analyst", "en", round=round_db.id)
    assert at.title[0].value == "Rating rounds"
    assert list(_frame(at, 0).columns)[:4] == ["Name", "Month", "Deadline", "Status"]
    assert _frame(at, 1)["Rater group"].tolist() == ["Superior", "Peer", "Self", "Expert"]


def _closed(round_db: Round) -> int:
    """Everyone rates (the first project as in the closing test above), then the analyst closes the round."""
    first, second = round_db.projects
    _rate_everyone(round_db, {"superior": {first: 85, second: 70}, "peer": {first: 80, second: 70},
                              "self": {first: 95, second: 72}, "expert": {first: 82, second: 66}})
    engine = round_db.engine
    with engine.connect() as connection:
        version = connection.execute(select(RatingRound.version).where(RatingRound.id == round_db.id)).scalar_one()
    close_round(engine, as_viewer(engine, "analyst"), round_id=round_db.id, version=version)
    return first


def _scorecard(username: str, project_id: int) -> AppTest:
    at = open_page(username, page="views/scorecards.py", project=project_id)
    assert not at.error, [e.value for e in at.error]
    return at


def _breakdown(at: AppTest) -> dict:
    return next(figure for chart in at.get("plotly_chart") if (figure := json.loads(chart.proto.spec))
                ["data"][0].get("type") == "bar" and figure["data"][0].get("orientation") == "h")


def test_the_scorecard_shows_the_latest_round_by_rater_group_with_the_self_flag_and_the_raters(round_db):
    project = _closed(round_db)
    at = _scorecard("analyst", project)
    assert "评价得分（按评价人类型）" in at.main.subheader.values
    bars = _breakdown(at)["data"][0]
    assert bars["y"] == ["上级", "同级", "自评 ⚑", "专家"] and bars["x"] == [85.0, 80.0, 95.0, 82.0]
    assert bars["text"] == ["85.0 · 1/1", "80.0 · 2/2", "95.0 · 1/1", "82.0 · 2/2"]
    assert _breakdown(at)["layout"]["annotations"][0]["text"] == "综合 84.4"  # 84.45 in floating point is 84.4499…
    assert "测试评分 · 2026年10月 · 已评 6 / 应评 6 人" in at.main.caption.values
    assert at.warning[0].value == "⚑ 自评比其他评分人的加权平均高 12.3 分，超过允许的差距。"
    assert any(text.startswith("计算方法：") for text in at.main.caption.values)
    raters = next(frame.value for frame in at.main.dataframe if "评分人" in frame.value.columns)
    assert sorted(raters["评价人类型"]) == ["上级", "专家", "专家", "同级", "同级", "自评"]
    assert list(raters.loc[raters["评价人类型"] == "自评", "得分"]) == [95.0]


def test_the_rated_team_sees_its_result_without_the_raters_when_the_round_is_anonymous(round_db):
    project = _closed(round_db)
    at = _scorecard("pm_kaifeng1", project)
    assert _breakdown(at)["data"][0]["x"] == [85.0, 80.0, 95.0, 82.0]
    assert "本轮评分对被评项目匿名：不显示评分人及其分数。" in at.main.caption.values
    assert not any("评分人" in frame.value.columns for frame in at.main.dataframe)
    with round_db.engine.begin() as connection:
        connection.execute(update(RatingRound).where(RatingRound.id == round_db.id).values(anonymous=False))
    st.cache_data.clear()
    named = _scorecard("pm_kaifeng1", project)
    assert any("评分人" in frame.value.columns for frame in named.main.dataframe)
