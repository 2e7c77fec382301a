"""The one palette every view uses, so a colour means the same thing on every page, chart and map.

Warnings: 红 red (severe) / 橙 orange / 黄 yellow, green only for "no warning". Grades: 优秀 green,
良好 blue, 合格 amber, 不合格 red, always in that order. Predicted risk (P(late)) in the warnings' order of
severity: high red, elevated orange, moderate yellow, low a pale steel blue (not green: low risk is not "no
warning"), no prediction grey. Hex for plotly, :func:`rgb` lists for pydeck.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from components.i18n import translate

if TYPE_CHECKING:
    from typing_extensions import TypeIs

GREEN = "#2da44e"
BLUE = "#1f6feb"
AMBER = "#d4a72c"
RED = "#cf222e"
ORANGE = "#e16f24"
YELLOW = "#f2cc0c"
GREY = "#8c959f"  # missing: unscored, no grade
SLATE = "#57606a"  # neutral bars that stand for no judgement (e.g. contribution points)

WARNING_COLOURS: dict[str, str] = {"red": RED, "orange": ORANGE, "yellow": YELLOW, "none": GREEN}

GRADE_ORDER: tuple[str, ...] = ("优秀", "良好", "合格", "不合格")  # best first, as the bands in scoring.ranking
GRADE_COLOURS: dict[str, str] = dict(zip(GRADE_ORDER, (GREEN, BLUE, AMBER, RED), strict=False))

# P(late) bands, most severe first: (level, lowest probability in it, colour).
RISK_BANDS: tuple[tuple[str, float, str], ...] = (("high", 0.7, RED), ("elevated", 0.5, ORANGE),
                                                   ("moderate", 0.3, YELLOW), ("low", 0.0, "#7fa7c9"))

MILESTONE_COLOURS: dict[str, str] = {"finished": GREEN, "in_progress": BLUE, "overdue": RED, "planned": "#d0d7de"}

# Diverging scale for "relative to target": warm below, neutral at the target (the middle), cool above.
# ColorBrewer RdBu (colour-blind safe), its centre swapped for a neutral light grey.
TARGET_COLOURSCALE: list[list[float | str]] = [
    [0.0, "#b2182b"], [1 / 6, "#ef8a62"], [2 / 6, "#fddbc7"], [0.5, "#f7f7f7"],
    [4 / 6, "#d1e5f0"], [5 / 6, "#67a9cf"], [1.0, "#2166ac"],
]


def rgb(hex_colour: str, alpha: int | None = None) -> list[int]:
    """``"#cf222e"`` → ``[207, 34, 46]`` (plus ``alpha`` 0–255 if given), the form pydeck colour accessors take."""
    channels = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return channels if alpha is None else [*channels, alpha]


def is_missing(value: object) -> TypeIs[None]:
    """None, NaN, NaT and pd.NA all count as missing (scalars only); a type checker reads False as "not None"."""
    # pandas-stubs type isna for scalars, frames and arrays, not for a bare object
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]


# The grades' labels in the catalog (a grade is stored as its Chinese label, scoring.GRADE_LABELS_EN's keys).
GRADE_KEYS = {"优秀": "grade.excellent", "良好": "grade.good", "合格": "grade.pass", "不合格": "grade.fail"}


def grade_label(grade: str | None, lang: str = "zh") -> str:
    """Display label of a grade: 优秀 / Excellent / Xuất sắc / ดีเยี่ยม …; missing → 未评分 / Unscored; a grade of
    another scheme as it is stored."""
    if is_missing(grade):
        return translate("grade.unscored", lang)
    key = GRADE_KEYS.get(str(grade))
    return translate(key, lang) if key is not None else str(grade)


def grade_colour(grade: str | None) -> str:
    """The grade's colour; grey for a missing or unknown grade (never a colour that suggests a judgement)."""
    return GREY if is_missing(grade) else GRADE_COLOURS.get(str(grade), GREY)


def warning_colour(level: str | None) -> str:
    """Colour of a warning level; a missing level means no open warning (green)."""
    return WARNING_COLOURS["none"] if is_missing(level) else WARNING_COLOURS[str(level)]


def warning_label(level: str | None, lang: str = "zh") -> str:
    """``红色预警`` / ``Red warning`` …; a missing level means no open warning (无预警 / No warning)."""
    return translate(f"warning.{'none' if is_missing(level) else level}", lang)


def risk_level(probability: float | None) -> str | None:
    """The band of a predicted probability (high ≥ 70 %, elevated ≥ 50 %, moderate ≥ 30 %, else low); None when
    there is no prediction.

    >>> risk_level(0.7), risk_level(0.69), risk_level(0.3), risk_level(0.01), risk_level(float("nan"))
    ('high', 'elevated', 'moderate', 'low', None)
    """
    if is_missing(probability):
        return None
    return next(level for level, lowest, _ in RISK_BANDS if probability >= lowest)


def risk_colour(level: str | None) -> str:
    """The colour of a risk band; grey without a prediction."""
    return next((colour for name, _, colour in RISK_BANDS if name == level), GREY)


def risk_label(level: str | None, lang: str = "zh") -> str:
    """高风险（≥70%）/ High (≥ 70 %) …; no prediction → 无预测 / No prediction."""
    return translate(f"risk.band.{level or 'none'}", lang)


def diverging_range(z: np.ndarray | Sequence[float], centre: float, cap: float | None = None) -> tuple[float, float]:
    """(zmin, zmax) symmetric around ``centre`` so the centre lands on the neutral middle of the scale.

    The half-width is the largest finite distance from the centre, at most ``cap`` (so one outlier cannot
    wash out every other cell), and never zero.

    >>> diverging_range([90.0, 130.0], 100.0), diverging_range([0.0, 500.0], 100.0, cap=100.0)
    ((70.0, 130.0), (0.0, 200.0))
    """
    distances = np.abs(np.asarray(z, dtype=float) - centre)
    distances = distances[np.isfinite(distances)]
    half = float(distances.max()) if distances.size else 0.0
    if cap is not None:
        half = min(half, cap)
    if half == 0.0 or math.isnan(half):
        half = 1.0
    return centre - half, centre + half
