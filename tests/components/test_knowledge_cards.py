"""A knowledge-base case in words: figures with unit and months, the place line, tags, all escaped."""
import datetime as dt
import doctest

import components.knowledge_cards
from components.knowledge_cards import case_title, figures_line, place_line, tags_line

CASE = {"id": 1, "title_zh": "老旧小区加装电梯经验", "title_en": "Elevator retrofits", "project_id": 7,
        "project_zh": "<b>龙亭区</b>改造工程", "project_en": "Longting retrofit", "region_id": 2, "region_zh": "龙亭区",
        "region_en": "Longting District", "indicator_id": 3, "indicator_zh": "进度计划完成率",
        "indicator_en": "Progress against plan", "unit_zh": "%", "unit_en": "%", "before_value": 86.893,
        "after_value": 96.714, "before_period": dt.date(2026, 4, 1), "after_period": dt.date(2026, 10, 1)}


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(components.knowledge_cards).failed == 0


def test_figures_read_before_to_after_with_unit_and_months_in_both_languages():
    assert figures_line(CASE, "zh") == "进度计划完成率：86.9 % → 96.7 %（2026年4月 → 2026年10月）"
    assert figures_line(CASE, "en") == "Progress against plan\\: 86.9 % → 96.7 % (Apr 2026 → Oct 2026)"
    households = CASE | {"indicator_zh": "惠及居民户数", "unit_zh": "户", "before_value": 1200.0, "after_value": 1520.0}
    assert figures_line(households, "zh") == "惠及居民户数：1,200 户 → 1,520 户（2026年4月 → 2026年10月）"


def test_a_case_without_figures_says_so():
    assert figures_line(CASE | {"after_value": None}, "zh") == "暂无对比数据"
    assert figures_line(CASE | {"indicator_id": None}, "en") == "No figures to compare"


def test_the_place_line_escapes_user_text_and_names_what_is_missing():
    assert place_line(CASE, "zh", "进度滞后") == "\\<b\\>龙亭区\\</b\\>改造工程 · 龙亭区 · 进度滞后"
    assert place_line(CASE | {"project_id": None, "region_id": None}, "en", "Score drop") == \
        "No project · City-wide · Score drop"


def test_titles_and_tags_in_the_readers_language():
    assert case_title(CASE, "en") == "Elevator retrofits"
    assert case_title(CASE | {"title_en": None}, "en") == "老旧小区加装电梯经验"
    assert tags_line(["加装电梯", "居民协商"], "zh") == "标签：加装电梯、居民协商"
    assert tags_line([], "zh") is None
