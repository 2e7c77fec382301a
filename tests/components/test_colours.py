import numpy as np
import pandas as pd

from components.colours import (
    GRADE_COLOURS,
    GRADE_KEYS,
    GRADE_ORDER,
    GREY,
    RISK_BANDS,
    TARGET_COLOURSCALE,
    WARNING_COLOURS,
    diverging_range,
    grade_colour,
    grade_label,
    rgb,
    risk_colour,
    risk_label,
    risk_level,
    warning_colour,
    warning_label,
)
from scoring import GRADE_LABELS_EN
from scoring.ranking import DEFAULT_GRADE_BANDS


def test_grades_follow_the_fixed_order_green_blue_amber_red():
    assert GRADE_ORDER == tuple(DEFAULT_GRADE_BANDS)  # the same order as the scoring bands, best first
    assert [GRADE_COLOURS[g] for g in GRADE_ORDER] == ["#2da44e", "#1f6feb", "#d4a72c", "#cf222e"]


def test_warning_colours_share_red_and_green_with_the_grades():
    assert set(WARNING_COLOURS) == {"red", "orange", "yellow", "none"}
    assert WARNING_COLOURS["red"] == GRADE_COLOURS["不合格"]
    assert WARNING_COLOURS["none"] == GRADE_COLOURS["优秀"]
    assert len(set(WARNING_COLOURS.values())) == 4


def test_rgb_converts_hex_for_pydeck():
    assert rgb("#cf222e") == [207, 34, 46]
    assert rgb("#2da44e", 200) == [45, 164, 78, 200]


def test_labels_and_colours_of_missing_values():
    assert grade_label("良好", "en") == "Good" and grade_label("良好") == "良好"
    assert grade_label(None, "en") == "Unscored" and grade_label(np.nan) == "未评分"
    assert grade_colour(pd.NA) == GREY and grade_colour("合格") == "#d4a72c"
    assert warning_colour(None) == WARNING_COLOURS["none"] and warning_colour("orange") == WARNING_COLOURS["orange"]
    assert warning_label("yellow") == "黄色预警" and warning_label(None, "en") == "No warning"


def test_diverging_range_is_symmetric_capped_and_never_empty():
    assert diverging_range([90.0, 130.0, np.nan], 100.0) == (70.0, 130.0)
    assert diverging_range([0.0, 500.0], 100.0, cap=100.0) == (0.0, 200.0)
    assert diverging_range([80.0, 80.0], 80.0) == (79.0, 81.0)
    assert TARGET_COLOURSCALE[3] == [0.5, "#f7f7f7"]  # the target sits on the neutral middle


def test_risk_bands_run_from_high_in_red_to_low_in_steel_blue_with_grey_for_no_prediction():
    assert [(level, lowest) for level, lowest, _ in RISK_BANDS] == [("high", 0.7), ("elevated", 0.5),
                                                                    ("moderate", 0.3), ("low", 0.0)]
    assert [risk_level(p) for p in (1.0, 0.7, 0.6999, 0.5, 0.3, 0.2999, 0.0)] == [
        "high", "high", "elevated", "elevated", "moderate", "low", "low"]
    assert risk_level(None) is None and risk_level(np.nan) is None
    assert [risk_colour(level) for level in ("high", "elevated", "moderate", "low", None)] == [
        WARNING_COLOURS["red"], WARNING_COLOURS["orange"], WARNING_COLOURS["yellow"], "#7fa7c9", GREY]
    assert WARNING_COLOURS["none"] not in {colour for _, _, colour in RISK_BANDS}  # low risk is not "no warning"
    assert (risk_label("high"), risk_label("low", "en"), risk_label(None)) == ("高风险（≥70%）", "Low (< 30 %)",
                                                                             "无预测（未在建）")


def test_a_grade_reads_in_every_language_and_in_english_as_the_scoring_engine_names_it():
    assert [grade_label(grade, "vi") for grade in GRADE_ORDER] == ["Xuất sắc", "Tốt", "Đạt", "Không đạt"]
    assert [grade_label(grade, "th") for grade in GRADE_ORDER] == ["ดีเยี่ยม", "ดี", "ผ่าน", "ไม่ผ่าน"]
    assert {grade: grade_label(grade, "en") for grade in GRADE_KEYS} == GRADE_LABELS_EN
    assert [grade_label(grade) for grade in GRADE_ORDER] == list(GRADE_ORDER)
    assert grade_label("甲", "vi") == "甲"  # another scheme's grade, as stored
