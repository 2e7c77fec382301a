"""Result application shown to people: money in 万元 / ¥, the rule in words, the district chart with its cap."""
import json

import pandas as pd

from components import allocation_views as views
from scoring.allocation import AllocationRules


def _districts():
    return pd.DataFrame({"name_zh": ["雨湖区", "<b>岳塘区</b>"], "name_en": ["Yuhu", "Yuetang"], "projects": [3, 2],
                         "eligible": [2, 1], "weight": [200.0, 90.0], "raw_fen": [4_500_000.0, 2_000_000.0],
                         "final_fen": [4_500_000, 2_000_000], "at_cap": [True, False]}, index=[7, 8])


def test_money_is_in_wan_yuan_in_chinese_and_yuan_in_english():
    assert views.fen_money(123_450_000, "zh") == "123.5 万元"
    assert views.fen_money(123_450_000, "en") == "¥1,234,500"
    assert views.fen_money(None, "zh") == "—"


def test_the_rule_reads_as_one_sentence_with_its_numbers():
    params = AllocationRules(pool_fen=500_000_000, threshold=65, project_cap_fen=3_000_000,
                             district_cap_fen=None).to_params()
    words = views.rule_in_words(params, "zh")
    assert words.startswith("奖励资金池 500.0 万元；得分不低于 65 分的项目参与分配")
    assert "优秀 1.2、良好 1、合格 0.8、不合格 0" in words
    assert "单个项目上限 3.0 万元，单个区县上限 不设上限" in words
    english = views.rule_in_words(params, "en")
    assert "Bonus pool ¥5,000,000; projects scoring 65 or more" in english and "Excellent 1.2" in english


def test_the_district_chart_draws_the_amounts_and_the_cap_line():
    figure = json.loads(views.district_chart(_districts(), 4_500_000, "zh").to_json())
    [bars] = figure["data"]
    assert bars["orientation"] == "h" and bars["x"] == [4.5, 2.0]  # 万元
    assert bars["y"] == ["雨湖区", "&lt;b&gt;岳塘区&lt;/b&gt;"]  # names are text, never markup
    assert bars["text"] == ["4.5 万元", "2.0 万元"] and bars["customdata"] == [[7], [8]]
    [line] = figure["layout"]["shapes"]
    assert line["x0"] == line["x1"] == 4.5 and line["line"]["dash"] == "dash"
    assert figure["layout"]["annotations"][0]["text"] == "区县上限 4.5 万元"
    assert "shapes" not in json.loads(views.district_chart(_districts(), None, "en").to_json())["layout"]


def test_the_district_table_shows_the_change_against_the_rule_in_force():
    table = views.district_table(_districts(), pd.Series({7: -100_000, 8: 0}), "zh")
    assert table["较现行规则"].tolist() == ["▼ 0.1 万元", "—"]
    assert table["封顶"].tolist() == ["已封顶", ""]


def test_priority_places_read_of_n():
    priority = pd.DataFrame({"name_zh": ["甲", "乙", "丙"], "name_en": ["A", "B", "C"], "district_id": [7, 7, 8],
                             "score": [95.0, 70.0, 40.0], "grade": ["优秀", "合格", "不合格"],
                             "priority": pd.array([1, 2, None], dtype="Int64"), "review": [False, False, True]})
    table = views.priority_table(priority, pd.Series({7: "雨湖区", 8: "岳塘区"}), "zh")
    assert table["预算优先顺序"].tolist() == ["第 1 / 2 位", "第 2 / 2 位", "待复核"]
    assert table["得分 · 等级"].tolist() == ["95.0 分 · 优秀", "70.0 分 · 合格", "40.0 分 · 不合格"]
