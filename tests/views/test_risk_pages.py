"""Risk prediction on pages: the overview's ten projects most likely to slip (scoped, escaped, linked to their
scorecard, a sentence each on why), a project's risk on its scorecard, and why nothing shows without a model."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import create_engine, select, update

from components.text import plain
from data_access.db import bump_data_version
from data_access.models import Project
from data_access.risk_models import Training, save_trainings
from scoring.risk_features import FEATURES
from tests.conftest import as_viewer
from tests.risk_data import trained_on_demo
from tests.views.conftest import open_page_as

TITLE = "最可能延期的十个项目"
TRICKY_NAME = "**粗体**<b>项目</b>"


@pytest.fixture
def with_models(app_env):
    """The app's database with the models trained on the standard demo's history kept by the analyst now, and
    one active project renamed with markup."""
    engine = create_engine(f"sqlite:///{app_env}")
    trainings = [Training(result.target, result.status, result.metrics, list(FEATURES), {}, result.model)
                 for result in trained_on_demo()]
    save_trainings(engine, as_viewer(engine, "analyst"), trainings, read_version=1, now=dt.datetime.now(dt.UTC))
    yield engine
    engine.dispose()


def _risk_links(at):
    return [link.proto for link in at.get("page_link") if "延期概率" in link.proto.label]


@pytest.mark.usefixtures("with_models")
def test_a_leader_sees_the_ten_projects_most_likely_to_slip_each_linked_with_a_reason():
    at = open_page_as("leader", "views/overview.py")
    assert TITLE in [header.value for header in at.subheader]
    links = _risk_links(at)
    assert len(links) == 10
    assert {link.page for link in links} == {"scorecards"}
    assert all(link.query_string.startswith("project=") and link.query_string[8:].isdigit() for link in links)
    assert [link.label.split(".")[0] for link in links] == [str(rank) for rank in range(1, 11)]
    chances = [link.label.split("延期概率 ")[1].split(" ")[0] for link in links]
    percents = [int(chance.strip("<>%")) for chance in chances]
    assert percents == sorted(percents, reverse=True) and all(chance.endswith("%") for chance in chances)
    captions = [caption.value for caption in at.caption]
    assert any("AUC" in caption and "进度滞后预警规则" in caption for caption in captions)
    assert sum(("落后" in c or "未报" in c or "投资" in c or "里程碑" in c or "工期" in c) for c in captions) >= 10


def test_an_official_sees_only_their_districts_projects_at_risk(with_models):
    at = open_page_as("official_longting", "views/overview.py")
    links = _risk_links(at)
    assert links and all(" · 龙亭区 · " in link.label for link in links)
    with with_models.connect() as connection:
        theirs = set(connection.execute(select(Project.code).where(Project.code.like("P410202-%"))).scalars())
    assert {link.label.split(" ")[1] for link in links} <= theirs


def test_a_project_name_with_markup_is_shown_as_text(with_models):
    leader = open_page_as("leader", "views/overview.py")
    first_code = _risk_links(leader)[0].label.split(" ")[1]
    with with_models.begin() as connection:
        connection.execute(update(Project).where(Project.code == first_code).values(name_zh=TRICKY_NAME))
        bump_data_version(connection)
    at = open_page_as("leader", "views/overview.py")
    label = next(link.label for link in _risk_links(at) if first_code in link.label)
    assert f"{first_code} {plain(TRICKY_NAME)} · " in label


@pytest.mark.usefixtures("app_env")
def test_without_a_model_the_overview_says_why_and_lists_no_risk():
    at = open_page_as("leader", "views/overview.py")
    assert TITLE in [header.value for header in at.subheader]
    assert not _risk_links(at)
    assert any("尚未训练风险预测模型" in info.value for info in at.info)


@pytest.mark.usefixtures("with_models")
def test_the_scorecard_shows_a_projects_probabilities_and_reasons_in_english():
    leader = open_page_as("leader", "views/overview.py")
    project_id = int(_risk_links(leader)[0].query_string.split("project=")[1].split("&")[0])
    at = open_page_as("leader", "views/scorecards.py", lang="en", project=project_id)
    labels = {metric.label: metric.value for metric in at.metric}
    assert labels["Probability of finishing more than 30 days late"].endswith("%")
    assert "days" in labels["Expected delay"]
    assert any("raises the risk" in block.value for block in at.markdown)
    trend = next(chart for chart in at.get("plotly_chart") if "project_risk_trend" in chart.proto.id)
    lines = json.loads(trend.proto.spec)["data"]
    assert [line["name"] for line in lines] == ["P(more than 30 days late)", "P(over budget by more than 10 %)"]
    assert all(len(line["customdata"]) >= 2 for line in lines)  # one point per month predicted on, and today
