"""The overview per role: the district ranking from near the data in grade colours, an official framed against
the city's districts, warnings red first with their dates, and one project list when top and bottom ten would
repeat projects."""
import json

import pytest

SEVERITY_ORDER = ["红色", "橙色", "黄色"]


def _ranking(at):
    return next(json.loads(chart.proto.spec) for chart in at.get("plotly_chart")
                if "overview_ranking" in chart.proto.id)


@pytest.mark.parametrize("user", ["leader", "analyst", "official_longting", "pm_kaifeng1"])
def test_the_overview_opens_for_every_role_with_a_clickable_ranking_in_grade_colours(logged_in, user):
    at = logged_in(user, "views/overview.py")
    assert not at.exception
    bars = _ranking(at)["data"][0]
    assert all(isinstance(row[0], int) for row in bars["customdata"])  # the district id, for the click
    assert _ranking(at)["layout"]["xaxis"]["range"][0] > 0  # the axis starts near the data
    assert "未排名（共 1 名）" not in " ".join(str(e.value) for e in at.caption)


def test_an_official_sees_their_district_among_the_citys_districts_never_a_one_bar_ranking(logged_in):
    at = logged_in("official_longting", "views/overview.py")
    figure = _ranking(at)
    ticks = figure["layout"]["yaxis"]["ticktext"]
    own = next(tick for tick in ticks if tick.startswith("▶ "))
    rank = int(own.removeprefix("▶ ").split(".")[0])
    assert len(ticks) == 9 and "龙亭区" in own
    assert any(f"第 {rank} / 9 名" in caption.value for caption in at.caption)


def test_latest_warnings_are_red_first_then_newest_with_their_date(logged_in):
    at = logged_in("leader", "views/overview.py")
    labels = [link.proto.label for link in at.get("page_link") if "预警" not in link.proto.label
              and any(word in link.proto.label for word in SEVERITY_ORDER)]
    severities = [next(i for i, word in enumerate(SEVERITY_ORDER) if word in label) for label in labels]
    assert labels and severities == sorted(severities)
    assert all(label[:1] in "🟥🟧🟨" for label in labels)
    dates = [label.split(" · ")[1] for label in labels]
    assert all(len(day) == 10 and day[4] == "-" for day in dates)
    for severity in set(severities):  # newest first within a severity
        days = [day for day, s in zip(dates, severities, strict=True) if s == severity]
        assert days == sorted(days, reverse=True)


def test_fewer_than_twenty_scored_projects_are_one_list_and_more_are_top_and_bottom_ten(logged_in):
    official = logged_in("official_longting", "views/overview.py")
    headers = [header.value for header in official.subheader]
    assert any(header.startswith("项目排名（共 ") for header in headers) and "前十名项目" not in headers
    leader = logged_in("leader", "views/overview.py")
    headers = [header.value for header in leader.subheader]
    assert "前十名项目" in headers and "后十名项目" in headers
    top, bottom = leader.dataframe[0].value, leader.dataframe[1].value
    assert not set(top["编号"]) & set(bottom["编号"])
