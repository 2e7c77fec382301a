"""Risk prediction in words (风险预测): a project's risk in one line and its reasons as plain sentences.

Pure: the reasons come as (feature, value, effect) rows from :func:`scoring.risk_model.reasons`; each feature
has a sentence in the catalog that states the fact behind it (进度连续3个月落后计划5个百分点以上), and the effect's
sign says whether it raises or lowers the risk. Numbers only: no user text goes into these sentences.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from components.i18n import translate

# Feature → (catalog key when the value points to trouble, key otherwise).
SENTENCES: dict[str, tuple[str, str]] = {
    "lag_months": ("risk.reason.lag_months", "risk.reason.lag_months_none"),
    "lag_latest": ("risk.reason.lag_behind", "risk.reason.lag_ahead"),
    "schedule_lag_days": ("risk.reason.schedule_behind", "risk.reason.schedule_ahead"),
    "lag_trend": ("risk.reason.trend_worse", "risk.reason.trend_better"),
    "spend_vs_plan": ("risk.reason.spend_over_plan", "risk.reason.spend_under_plan"),
    "spend_vs_progress": ("risk.reason.spend_ahead", "risk.reason.spend_behind"),
    "milestone_slip_days": ("risk.reason.milestone_late", "risk.reason.milestone_on_time"),
    "milestones_overdue": ("risk.reason.milestones_overdue", "risk.reason.milestones_none_overdue"),
    "missing_reports": ("risk.reason.missing_reports", "risk.reason.reports_complete"),
    "start_delay_days": ("risk.reason.late_start", "risk.reason.on_time_start"),
    "elapsed_share": ("risk.reason.elapsed", "risk.reason.elapsed"),
    "planned_months": ("risk.reason.duration", "risk.reason.duration"),
    "log_budget": ("risk.reason.budget", "risk.reason.budget"),
}
LAG_POINTS = 5  # the progress-lag warning's threshold, as the lag_months sentence names it


def _troubling(feature: str, value: float) -> bool:
    """Whether the value points to trouble (behind, over, late, missing) rather than the reassuring side."""
    return value > 0 if feature != "lag_months" else value >= 1


def reason_sentence(feature: str, value: float, lang: str) -> str:
    """The fact behind one reason, in ``lang``.

    >>> reason_sentence("lag_months", 3, "zh"), reason_sentence("lag_months", 3, "en")
    ('进度连续3个月落后计划5个百分点以上', 'Progress has trailed the plan by more than 5 points for 3 months in a row')
    >>> reason_sentence("spend_vs_plan", -12.4, "en")
    'Spend is 12% below its plan'
    """
    bad, good = SENTENCES[feature]
    key = bad if _troubling(feature, value) else good
    shown: dict[str, Any] = {"n": round(abs(value)), "points": LAG_POINTS}
    if feature in {"lag_latest", "lag_trend"}:
        shown["n"] = f"{abs(value):.1f}"
    elif feature == "elapsed_share":
        shown["n"] = round(value * 100)
    elif feature == "planned_months":
        shown["n"] = round(value)
    elif feature == "log_budget":
        shown["n"] = f"{10 ** value:,.0f}"
    return translate(key, lang, **shown)


def effect_word(effect: float, lang: str) -> str:
    """▲ raises the risk / ▼ lowers it: a word beside the arrow, never the colour alone."""
    return translate("risk.raises" if effect > 0 else "risk.lowers", lang)


def reasons_text(reasons: pd.DataFrame, project_id: int, lang: str) -> list[str]:
    """The project's reasons, largest first, each as "▲ 推高风险：<fact>"."""
    rows = reasons[reasons["project_id"] == project_id].sort_values("rank")
    colon = translate("risk.colon", lang)
    return [f"{effect_word(float(effect), lang)}{colon}{reason_sentence(str(feature), float(value), lang)}"
            for feature, value, effect in zip(rows["feature"], rows["value"], rows["effect"], strict=True)]


def why_sentence(reasons: pd.DataFrame, project_id: int, lang: str, most: int = 2) -> str:
    """One sentence on why a project is at risk: its largest reasons that raise the risk, joined.

    >>> why = pd.DataFrame({"project_id": [7, 7, 7], "feature": ["lag_months", "missing_reports", "log_budget"],
    ...                     "value": [3, 2, 3.9], "effect": [1.2, 0.4, -0.3], "rank": [1, 2, 3]})
    >>> why_sentence(why, 7, "zh")
    '进度连续3个月落后计划5个百分点以上；近6个月有2个月未报进度'
    >>> why_sentence(why, 8, "en")
    'Close to a typical project on every signal: no single reason stands out.'
    """
    rows = reasons[(reasons["project_id"] == project_id) & (reasons["effect"] > 0)].sort_values("rank").head(most)
    if rows.empty:
        return translate("risk.no_reason", lang)
    return translate("risk.and", lang).join(reason_sentence(str(feature), float(value), lang)
                                            for feature, value in zip(rows["feature"], rows["value"], strict=True))


def probability(value: float) -> str:
    """A probability as a whole percentage, never 0 % or 100 % ("—" when there is none).

    >>> probability(0.873), probability(0.9991), probability(0.001), probability(float("nan"))
    ('87%', '>99%', '<1%', '—')
    """
    if value is None or math.isnan(value):
        return "—"
    if value >= 0.995:
        return ">99%"
    return "<1%" if value < 0.005 else f"{value * 100:.0f}%"


def _days(value: float) -> str:
    """Whole days with a real minus sign (and no "−0")."""
    whole = int(round(value))
    return f"−{-whole}" if whole < 0 else str(whole)


def delay_text(days: float, low: float, high: float, lang: str) -> str:
    """The expected delay with its interval, negative days as early.

    >>> delay_text(42.4, 10.2, 80.9, "zh"), delay_text(-3, -20, 15, "en")
    ('预计延期 42 天（10–81 天）', 'about 3 days early (−20 to 15 days)')
    """
    if days is None or math.isnan(days):
        return "—"
    key = "risk.delay" if days >= 0 else "risk.early"
    return translate(key, lang, days=round(abs(days)), low=_days(low), high=_days(high))
