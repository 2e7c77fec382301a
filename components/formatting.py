"""Numbers, money, percentages and dates the way each language's readers expect them (pure functions)."""
from __future__ import annotations

import datetime as dt
import math

ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_TICKS = {"zh": "%Y年%-m月", "en": "%b %Y"}  # plotly's tick format for month axes, like month()


def money(cny: float | None, lang: str) -> str:
    """Chinese: 亿元 from 100 million, else 万元; English: ¥ with thousands separators.

    >>> money(381_950_000, "zh"), money(1_234_500, "zh"), money(1_234_500, "en")
    ('3.82 亿元', '123.5 万元', '¥1,234,500')
    """
    if cny is None or (isinstance(cny, float) and math.isnan(cny)):
        return "—"
    if lang == "en":
        return f"¥{cny:,.0f}"
    if abs(cny) >= 1e8:
        return f"{cny / 1e8:,.2f} 亿元"
    return f"{cny / 1e4:,.1f} 万元"


def percent(value: float | None) -> str:
    """One decimal and a percent sign: ``percent(12.345) == '12.3 %'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.1f} %"


def figure(value: float | None) -> str:
    """A measured value as entered: thousands separators, up to 10 significant digits, no trailing zeros.

    >>> figure(8629.45), figure(72.0), figure(1e308), figure(float("nan"))
    ('8,629.45', '72', '1e+308', '—')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.10g}"


def month(day: dt.date | None, lang: str) -> str:
    """``2026年11月`` / ``Nov 2026``."""
    if day is None:
        return "—"
    return f"{ENGLISH_MONTHS[day.month - 1]} {day.year}" if lang == "en" else f"{day.year}年{day.month}月"


def date(day: dt.date | None, lang: str) -> str:
    """``2026年11月3日`` / ``3 Nov 2026``."""
    if day is None:
        return "—"
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}" if lang == "en" \
        else f"{day.year}年{day.month}月{day.day}日"
