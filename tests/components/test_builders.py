import datetime as dt

import pandas as pd

from components.charts import STATUS_COLOURS, projects_by_region
from components.maps import project_sites


def _projects():
    return pd.DataFrame({
        "code": ["A", "B", "C"], "name_zh": ["甲", "乙", "丙"], "name_en": ["A", "B", "C"],
        "region_zh": ["龙亭区", "龙亭区", "鼓楼区"], "region_en": ["Longting", "Longting", "Gulou"],
        "category_zh": ["文旅融合"] * 3, "category_en": ["Culture & tourism"] * 3, "status": ["active", "completed", "active"],
        "lat": [34.83, 34.82, 34.79], "lon": [114.33, 114.34, 114.35], "budget": [1e8, 4e6, 0.0],
        "planned_start": [dt.date(2026, 1, 1)] * 3,
    })


def test_projects_by_region_stacks_status_counts_per_region():
    figure = projects_by_region(_projects())
    by_name = {trace.name: trace for trace in figure.data}
    assert set(by_name) == {"在建", "已完工"}
    active = by_name["在建"]
    assert dict(zip(active.y, active.x)) == {"龙亭区": 1, "鼓楼区": 1}
    assert dict(zip(by_name["已完工"].y, by_name["已完工"].x)) == {"龙亭区": 1, "鼓楼区": 0}
    assert active.marker.color == STATUS_COLOURS["active"]
    assert list(active.y)[-1] == "龙亭区"  # the region with most projects is drawn on top


def test_project_sites_has_one_pickable_point_per_project_sized_by_budget():
    deck = project_sites(_projects())
    layer = deck.layers[0]
    assert layer.type == "ScatterplotLayer" and layer.pickable
    points = layer.data  # pydeck keeps the rows as records
    assert len(points) == 3
    assert points[0]["colour"] == [31, 111, 235, 200]
    assert points[0]["radius"] > points[1]["radius"] > points[2]["radius"] == 150
    assert points[0]["budget_wan"] == 10000
    assert "{name_zh}" in deck._tooltip["html"]
    assert "{name_en}" in project_sites(_projects(), "en")._tooltip["html"]
