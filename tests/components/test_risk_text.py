"""Risk in words: each reason as the fact behind it in both languages, probabilities never 0 or 100 %."""
from __future__ import annotations

import doctest

import pandas as pd
import pytest

from components import risk_text
from components.i18n import CATALOG
from components.risk_text import SENTENCES, delay_text, probability, reason_sentence, reasons_text, why_sentence
from scoring.risk_features import NUMERIC_FEATURES


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(risk_text).failed == 0


def test_every_feature_the_model_reads_has_a_sentence_on_both_sides_in_both_languages():
    assert set(SENTENCES) == set(NUMERIC_FEATURES)
    for bad, good in SENTENCES.values():
        assert bad in CATALOG and good in CATALOG


@pytest.mark.parametrize(("feature", "value", "zh", "en"), [
    ("lag_months", 3.0, "进度连续3个月落后计划5个百分点以上",
     "Progress has trailed the plan by more than 5 points for 3 months in a row"),
    ("lag_months", 0.0, "近期进度未持续落后计划", "Progress has not trailed the plan lately"),
    ("schedule_lag_days", -12.6, "按计划工期折算，进度领先约13天",
     "Ahead of the plan by about 13 days of its schedule"),
    ("lag_trend", 2.04, "近3个月与计划的差距扩大了2.0个百分点", "The gap to the plan grew by 2.0 points over 3 months"),
    ("missing_reports", 2.0, "近6个月有2个月未报进度", "2 of the last 6 monthly reports are missing"),
    ("elapsed_share", 0.456, "计划工期已过46%", "46% of the planned duration has passed"),
    ("log_budget", 4.0, "总投资约10,000万元", "Budget about 10,000 × 10k CNY"),
])
def test_a_reason_states_its_fact(feature, value, zh, en):
    assert (reason_sentence(feature, value, "zh"), reason_sentence(feature, value, "en")) == (zh, en)


def test_reasons_come_largest_first_with_the_direction_in_words():
    reasons = pd.DataFrame({"project_id": [5, 5], "feature": ["missing_reports", "spend_vs_plan"],
                            "value": [1.0, -20.0], "effect": [-0.2, 0.9], "rank": [2, 1]})
    assert reasons_text(reasons, 5, "zh") == ["▲ 推高风险：累计投资低于计划20%", "▼ 降低风险：近6个月有1个月未报进度"]
    assert why_sentence(reasons, 5, "en") == "Spend is 20% below its plan"


def test_probabilities_and_delays_read_as_people_say_them():
    assert [probability(p) for p in (0.0, 0.004, 0.5, 0.994, 1.0)] == ["<1%", "<1%", "50%", "99%", ">99%"]
    assert delay_text(0.3, -0.4, 30.2, "zh") == "预计延期 0 天（0–30 天）"
    assert delay_text(float("nan"), 0, 0, "en") == "—"
