"""Numbers, money, percentages and dates the way each language's readers expect them (pure functions).

Chinese and English keep the house formats (12.3 %, 3.82 亿元, ¥1,234,500, 2026年11月 / Nov 2026); Vietnamese and
Thai are formatted by Babel from the Unicode CLDR's data for their locale (1.234,5 and tháng 11 năm 2026 in
Vietnamese, พฤศจิกายน 2026 in Thai), offline.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Plotly's tick format for month axes, like month(); plotly's own month names are English, so Vietnamese and
# Thai axes read 11/2026.
MONTH_TICKS = {"zh": "%Y年%-m月", "en": "%b %Y", "vi": "%m/%Y", "th": "%m/%Y"}
BABEL_LANGUAGES = ("vi", "th")  # formatted by Babel; the others keep the house formats


def _babel(lang: str) -> Locale | None:
    return Locale.parse(lang) if lang in BABEL_LANGUAGES else None


def money(cny: float | None, lang: str) -> str:
    """Chinese: 亿元 from 100 million, else 万元; English: ¥ with thousands separators; Vietnamese and Thai: whole
    yuan in the locale's currency format.

    >>> money(381_950_000, "zh"), money(1_234_500, "zh"), money(1_234_500, "en"), money(1_234_500, "th")
    ('3.82 亿元', '123.5 万元', '¥1,234,500', 'CN¥1,234,500')
    """
    if cny is None or (isinstance(cny, float) and math.isnan(cny)):
        return "—"
    if (locale := _babel(lang)) is not None:
        pattern = locale.currency_formats["standard"].pattern.replace(".00", "")  # whole yuan, like English
        return babel_numbers.format_currency(cny, "CNY", format=pattern, locale=locale, currency_digits=False)
    if lang == "en":
        return f"¥{cny:,.0f}"
    if abs(cny) >= 1e8:
        return f"{cny / 1e8:,.2f} 亿元"
    return f"{cny / 1e4:,.1f} 万元"


def percent(value: float | None, lang: str = "zh") -> str:
    """One decimal and a percent sign: ``percent(12.345) == '12.3 %'``; Vietnamese ``12,3%``, Thai ``12.3%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if (locale := _babel(lang)) is not None:
        pattern = locale.percent_formats[None].pattern.replace("0%", "0.0%")
        return babel_numbers.format_percent(value / 100, format=pattern, locale=locale)
    return f"{value:.1f} %"


def one_decimal(value: float, lang: str = "zh") -> str:
    """A score or a mean with one decimal, the decimal mark as the language writes it.

    >>> one_decimal(86.44), one_decimal(86.44, "vi"), one_decimal(1234.56, "th")
    ('86.4', '86,4', '1,234.6')
    """
    if (locale := _babel(lang)) is not None:
        return babel_numbers.format_decimal(round(Decimal(float(value)), 1), format="#,##0.0", locale=locale)
    return f"{value:.1f}"


def figure(value: float | None, lang: str = "zh") -> str:
    """A measured value as entered: thousands separators, up to 10 significant digits, no trailing zeros
    (Vietnamese: ``8.629,45``).

    >>> figure(8629.45), figure(72.0), figure(1e308), figure(float("nan")), figure(8629.45, "vi")
    ('8,629.45', '72', '1e+308', '—', '8.629,45')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    digits = f"{value:.10g}"
    if (locale := _babel(lang)) is not None and "e" not in digits:
        return babel_numbers.format_decimal(Decimal(digits), format="#,##0.##########", locale=locale)
    return f"{value:,.10g}"


def month(day: dt.date | None, lang: str) -> str:
    """``2026年11月`` / ``Nov 2026`` / ``tháng 11 năm 2026`` / ``พฤศจิกายน 2026``."""
    if day is None:
        return "—"
    if (locale := _babel(lang)) is not None:
        return babel_dates.format_skeleton("yMMMM", day, locale=locale)
    return f"{ENGLISH_MONTHS[day.month - 1]} {day.year}" if lang == "en" else f"{day.year}年{day.month}月"


def date(day: dt.date | None, lang: str) -> str:
    """``2026年11月3日`` / ``3 Nov 2026`` / ``3 thg 11, 2026`` / ``3 พ.ย. 2026``."""
    if day is None:
        return "—"
    if (locale := _babel(lang)) is not None:
        return babel_dates.format_date(day, format="medium", locale=locale)
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}" if lang == "en" \
        else f"{day.year}年{day.month}月{day.day}日"
