"""The small texts every KPI shows: a change with its arrow, a rank "of N", a score with its grade (pure)."""
from __future__ import annotations

from typing import Literal

from components.colours import grade_label, is_missing
from components.formatting import one_decimal
from components.i18n import translate

ChangeUnit = Literal["%", "pp", "points"]
# "%": relative change, (current − previous) / |previous|; "pp": difference of two percentages; "points":
# difference of two scores.
CHANGE_UNITS: tuple[ChangeUnit, ...] = ("%", "pp", "points")
NO_VALUE = "—"


def change(current: float | None, previous: float | None, unit: ChangeUnit = "%") -> float | None:
    """The change from ``previous`` to ``current``: relative in percent for ``"%"``, a plain difference otherwise.

    None when either is missing, or for ``"%"`` when ``previous`` is zero and ``current`` is not (no base to
    compare with); 0 → 0 counts as no change.
    """
    if unit not in CHANGE_UNITS:
        raise ValueError(f"unknown change unit {unit!r}; use one of {', '.join(CHANGE_UNITS)}")
    if is_missing(current) or is_missing(previous):
        return None
    difference = float(current) - float(previous)
    if unit != "%":
        return difference
    if previous == 0:
        return 0.0 if difference == 0 else None
    return difference / abs(float(previous)) * 100


def change_text(current: float | None, previous: float | None, lang: str = "zh", *, unit: ChangeUnit = "%") -> str:
    """``"▲ 3.2 %"`` / ``"▼ 1.1 %"`` / ``"— 0.0 %"`` (the arrow follows the rounded number); ``"—"`` when unknown.

    >>> change_text(103.2, 100), change_text(85.0, 86.1, unit="points"), change_text(5, 0)
    ('▲ 3.2 %', '▼ 1.1 分', '—')
    """
    value = change(current, previous, unit)
    if value is None:
        return NO_VALUE
    arrow = "—" if float(f"{abs(value):.1f}") == 0 else ("▲" if value > 0 else "▼")
    symbol = "%" if unit == "%" else translate(f"kpi.unit.{unit}", lang)
    return f"{arrow} {one_decimal(abs(value), lang)} {symbol}"


def rank_text(rank: int | None, n: int, lang: str = "zh") -> str:
    """``"第 3 / 25 名"`` / ``"3 of 25"``: a rank is never shown without how many were ranked."""
    if is_missing(rank):
        return translate("kpi.unranked", lang, n=n)
    return translate("kpi.rank", lang, rank=int(rank), n=n)


def score_text(total: float | None, lang: str = "zh") -> str:
    """``"86.4 分"`` / ``"86.4"``, one decimal; ``"—"`` when missing."""
    if is_missing(total):
        return NO_VALUE
    return translate("kpi.score", lang, score=one_decimal(float(total), lang))


def grade_text(total: float | None, grade: str | None, lang: str = "zh") -> str:
    """``"86.4 分 · 良好"`` / ``"86.4 · Good"``: a score always travels with its grade; unscored → 未评分 / Unscored."""
    if is_missing(total):
        return grade_label(None, lang)
    if is_missing(grade):
        return score_text(total, lang)
    return f"{score_text(total, lang)} · {grade_label(grade, lang)}"
