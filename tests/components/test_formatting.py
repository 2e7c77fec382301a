"""Numbers and dates per language: Chinese and English keep the house formats, Vietnamese and Thai follow Babel."""
import datetime as dt

import pytest

from components.formatting import MONTH_TICKS, date, figure, money, month, one_decimal, percent
from components.i18n import LANGUAGE_NAMES
from components.kpi import change_text, score_text

NOVEMBER_3 = dt.date(2026, 11, 3)


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh", ("1,234.5", "12.3 %", "123.5 万元", "2026年11月", "2026年11月3日")),
    ("en", ("1,234.5", "12.3 %", "¥1,234,500", "Nov 2026", "3 Nov 2026")),
    ("vi", ("1.234,5", "12,3%", "1.234.500\N{NO-BREAK SPACE}CN¥", "tháng 11 năm 2026", "3 thg 11, 2026")),
    ("th", ("1,234.5", "12.3%", "CN¥1,234,500", "พฤศจิกายน 2026", "3 พ.ย. 2026")),
])
def test_each_language_writes_a_figure_a_percentage_money_a_month_and_a_day_its_own_way(lang, expected):
    assert (figure(1234.5, lang), percent(12.345, lang), money(1_234_500, lang), month(NOVEMBER_3, lang),
            date(NOVEMBER_3, lang)) == expected


def test_vietnamese_keeps_every_significant_digit_of_a_figure_with_its_own_separators():
    assert figure(1_234_567.891, "vi") == "1.234.567,891"
    assert figure(72.0, "vi") == "72"
    assert figure(1e308, "vi") == "1e+308"  # too large for separators: as Python writes it, like the others
    assert figure(float("nan"), "vi") == "—"


def test_thai_months_are_named_in_thai():
    assert [month(dt.date(2026, m, 1), "th") for m in (1, 4, 12)] == ["มกราคม 2026", "เมษายน 2026", "ธันวาคม 2026"]
    assert date(dt.date(2026, 1, 13), "th") == "13 ม.ค. 2026"


def test_missing_values_are_a_dash_in_every_language():
    for lang in LANGUAGE_NAMES:
        assert (money(None, lang), percent(float("nan"), lang), month(None, lang), date(None, lang)) == ("—",) * 4


def test_every_language_has_a_month_axis_format():
    assert set(MONTH_TICKS) == set(LANGUAGE_NAMES)


@pytest.mark.parametrize(("lang", "expected"), [("zh", "86.5 分"), ("en", "86.5"), ("vi", "86,5"), ("th", "86.5")])
def test_a_score_is_written_with_the_languages_decimal_mark_and_rounded_as_everywhere_else(lang, expected):
    assert score_text(86.45, lang) == expected  # 86.45 is stored a hair above: .1f and Babel both give 86.5
    assert [one_decimal(value, lang).replace(",", ".") for value in (0.05, 0.15, 99.95)] == ["0.1", "0.1", "100.0"]


def test_a_change_is_written_with_the_languages_decimal_mark():
    assert change_text(85.0, 86.1, "vi", unit="points") == "▼ 1,1 điểm"
    assert change_text(85.0, 86.1, "zh", unit="points") == "▼ 1.1 分"
