import math

import pandas as pd
import pytest

from components.kpi import change, change_text, grade_text, rank_text, score_text


@pytest.mark.parametrize(("current", "previous", "unit", "lang", "expected"), [
    (103.2, 100, "%", "zh", "▲ 3.2 %"),
    (98.9, 100, "%", "en", "▼ 1.1 %"),
    (100.0, 100, "%", "zh", "— 0.0 %"),
    (100.04, 100, "%", "zh", "— 0.0 %"),  # the arrow follows the number shown
    (-90, -100, "%", "zh", "▲ 10.0 %"),  # relative to |previous|: −100 → −90 is up
    (0, 0, "%", "zh", "— 0.0 %"),
    (5, 0, "%", "zh", "—"),  # no base to compare with
    (None, 100, "%", "zh", "—"),
    (100, math.nan, "%", "zh", "—"),
    (100, pd.NA, "%", "en", "—"),
    (85.0, 86.1, "points", "zh", "▼ 1.1 分"),
    (85.0, 83.0, "points", "en", "▲ 2.0 pts"),
    (12.5, 10.0, "pp", "zh", "▲ 2.5 个百分点"),
    (12.5, 0.0, "pp", "en", "▲ 12.5 pp"),
])
def test_change_text(current, previous, unit, lang, expected):
    assert change_text(current, previous, lang, unit=unit) == expected


def test_change_rejects_unknown_units():
    with pytest.raises(ValueError, match="unknown change unit"):
        change(1, 2, "万元")


def test_rank_text_always_says_of_how_many():
    assert rank_text(3, 25) == "第 3 / 25 名"
    assert rank_text(3, 25, "en") == "3 of 25"
    assert rank_text(pd.NA, 25) == "未排名（共 25 名）"
    assert rank_text(None, 25, "en") == "unranked (of 25)"


def test_grade_text_pairs_each_score_with_its_grade():
    assert grade_text(86.44, "良好") == "86.4 分 · 良好"
    assert grade_text(86.44, "良好", "en") == "86.4 · Good"
    assert grade_text(59.0, "不合格", "en") == "59.0 · Fail"
    assert grade_text(math.nan, None) == "未评分" and grade_text(None, None, "en") == "Unscored"
    assert score_text(70) == "70.0 分" and score_text(None) == "—"
