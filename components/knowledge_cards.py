"""A knowledge-base case in words: its place, its before → after figures with their unit and months, its tags.

Every text a user wrote (titles, project names, tags) comes back escaped for Streamlit Markdown
(:func:`components.text.plain`); the page only places the lines.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from components.formatting import figure, month, percent
from components.i18n import name_suffix, translate
from components.text import plain


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in {"<NA>", "NaT"}


def value_with_unit(value: float | None, unit: str | None) -> str:
    """A figure with its unit: percentages with one decimal, anything else as entered.

    >>> value_with_unit(71.24, "%"), value_with_unit(1520.0, "户"), value_with_unit(None, "%")
    ('71.2 %', '1,520 户', '—')
    """
    if _missing(value):
        return "—"
    if unit == "%":
        return percent(value)
    return f"{figure(value)} {unit}".strip() if unit else figure(value)


def figures_line(case: Mapping[str, Any], lang: str) -> str:
    """"进度计划完成率：71.2 % → 98.5 %（2026年4月 → 2026年10月）", or that there are no figures."""
    if _missing(case.get("indicator_id")) or _missing(case.get("before_value")) or _missing(case.get("after_value")):
        return translate("knowledge.no_figures", lang)
    english = name_suffix(lang) == "en"
    unit = case["unit_en" if english else "unit_zh"]
    return plain(translate(
        "knowledge.figures", lang, indicator=case["indicator_en" if english else "indicator_zh"],
        before=value_with_unit(float(case["before_value"]), unit),
        after=value_with_unit(float(case["after_value"]), unit),
        before_month=month(case["before_period"], lang), after_month=month(case["after_period"], lang)))


def case_title(case: Mapping[str, Any], lang: str) -> str:
    """The title in the reader's language (the Chinese one when there is no English title), escaped."""
    english = case.get("title_en")
    return plain(english if name_suffix(lang) == "en" and not _missing(english) and english else case["title_zh"])


def place_line(case: Mapping[str, Any], lang: str, problem: str) -> str:
    """"项目 · 区县 · 问题类型" (未关联项目 / 全市 where there is none), escaped."""
    english = name_suffix(lang) == "en"
    project = case.get("project_en" if english else "project_zh") or case.get("project_zh")
    region = case.get("region_en" if english else "region_zh")
    parts = [translate("knowledge.no_project", lang) if _missing(case.get("project_id")) else project,
             translate("knowledge.city_wide", lang) if _missing(case.get("region_id")) else region, problem]
    return " · ".join(plain(part) for part in parts)


def tags_line(tags: Sequence[str], lang: str) -> str | None:
    """"标签：加装电梯、居民协商", escaped; None without tags."""
    if not tags:
        return None
    return plain(translate("knowledge.tags", lang, tags=("、" if lang == "zh" else ", ").join(tags)))
