"""The few ways a report puts numbers into words, in its language: scores with their grade, changes, periods."""
from __future__ import annotations

import math

import pandas as pd

import scoring
from components.colours import grade_label
from components.formatting import month
from components.i18n import translate
from scoring.report_periods import ReportPeriod
from services.report_center.blocks import Trend

PERIOD_WORDS = {"week": ("rc.when.week", "rc.before.week"), "month": ("rc.when.month", "rc.before.month"),
                "quarter": ("rc.when.quarter", "rc.before.quarter"), "year": ("rc.when.year", "rc.before.year")}


def missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def score_text(value: float | None) -> str:
    """A score as printed: one decimal, "—" when there is none."""
    return "—" if missing(value) else f"{float(value):.1f}"  # type: ignore[arg-type]


def grade_of(value: float | None, lang: str) -> str:
    """The grade of one score in the report's language (未评分 / Unscored when there is none)."""
    if missing(value):
        return grade_label(None, lang)
    return grade_label(str(scoring.grade(pd.Series([float(value)])).iloc[0]), lang)  # type: ignore[arg-type]


def grades_of(values: pd.Series, lang: str) -> list[str]:
    """The grade of each score, graded in one pass (as :func:`grade_of` grades one)."""
    grades = scoring.grade(pd.to_numeric(values, errors="coerce").astype(float))
    return [grade_label(None if pd.isna(grade) else str(grade), lang) for grade in grades]


def change(now: float | None, before: float | None, *, higher_is_better: bool = True,
           decimals: int = 1, unit: str = "") -> tuple[str | None, Trend | None]:
    """"▲ 1.3" / "▼ 0.4" / "= 0.0" and whether that is for the better; (None, None) without both values."""
    if missing(now) or missing(before):
        return None, None
    delta = round(float(now) - float(before), decimals)  # type: ignore[arg-type]
    if delta == 0:
        return f"= {0:.{decimals}f}{unit}", "same"
    better = (delta > 0) == higher_is_better
    return f"{'▲' if delta > 0 else '▼'} {abs(delta):.{decimals}f}{unit}", "better" if better else "worse"


def direction_words(now: float | None, before: float | None, lang: str) -> str:
    """"上升 1.3 分" / "rose by 1.3 points" … for a paragraph (empty without both values)."""
    if missing(now) or missing(before):
        return translate("rc.change.unknown", lang)
    delta = round(float(now) - float(before), 1)  # type: ignore[arg-type]
    if delta > 0:
        return translate("rc.change.up", lang, points=f"{delta:.1f}")
    if delta < 0:
        return translate("rc.change.down", lang, points=f"{-delta:.1f}")
    return translate("rc.change.same", lang)


def this_period(period: ReportPeriod, lang: str) -> str:
    """本月 / this month …"""
    return translate(PERIOD_WORDS[period.length][0], lang)


def before_period(period: ReportPeriod, lang: str) -> str:
    """上月 / the month before … (a week's report compares with the month before: scores are monthly)."""
    return translate(PERIOD_WORDS[period.length][1], lang)


def period_name(period: ReportPeriod, lang: str) -> str:
    """2026年10月 / Oct 2026, 2026年第3季度 / Q3 2026, 2026年第44周 / week 44 of 2026, 2026年度 / 2026."""
    year = period.start.year if period.length != "week" else int(period.label[:4])
    if period.length == "month":
        return month(period.start, lang)
    if period.length == "quarter":
        return translate("rc.period.quarter", lang, year=year, quarter=period.label[-1])
    if period.length == "week":
        return translate("rc.period.week", lang, year=year, week=int(period.label[-2:]),
                         start=f"{period.start:%m-%d}", end=f"{period.end:%m-%d}")
    return translate("rc.period.year", lang, year=year)


def rank_of(rank: object, of: int, lang: str) -> str:
    """"第 3 / 80 名" / "3 of 80"; "—" for an unranked row."""
    if missing(rank):
        return "—"
    return translate("kpi.rank", lang, rank=int(rank), n=of)  # type: ignore[call-overload]
