"""What a 项目经理 writes in the demo's monthly reports (月报说明) and beside a value that moved a lot.

Composed from phrase templates that fit the month's figures: the progress sentence gives the month's spend and
progress against plan; a project behind plan names its cause (one cause per project, so its months tell one
story, and in summer or winter the weather), one on track says so; then a safety/quality or dust/environment
line and, for some, the next month's plan. Every concern phrase names one of
:data:`services.note_summary.PROBLEM_TYPES`, so the report's problem-type TOP5 counts real texts.

No randomness: phrases are picked by project id and month, so the same demo always has the same notes and no
other table's draws change.
"""
from __future__ import annotations

from collections.abc import Mapping

BEHIND_BY = 3.0  # percentage points of progress behind plan that a manager explains
SPEND_JUMP = 2.5  # a month's spend this many times the month before's gets a reason beside the value

CAUSES = (  # why a project is behind plan: {gap} percentage points
    "受征地拆迁未完成影响，部分作业面未能移交，进度较计划滞后{gap}个百分点。",
    "施工许可等审批手续办理周期较长，进度较计划滞后{gap}个百分点。",
    "上级资金拨付不及时，施工单位垫资压力大，进度较计划滞后{gap}个百分点。",
    "钢材等主要材料供应偏紧，部分设备进场推迟，进度较计划滞后{gap}个百分点。",
    "劳务用工短缺，现场工人不足，进度较计划滞后{gap}个百分点。",
    "管线迁改与用地协调未完成，进度较计划滞后{gap}个百分点。",
)
WEATHER = {  # month → the weather that held the site up, behind plan in that season
    6: "受连续降雨影响，土方作业停工{days}天。", 7: "受暴雨天气影响，基坑作业停工{days}天。",
    8: "高温天气期间调整作业时间，有效工期减少{days}天。", 12: "受冰冻天气影响，混凝土浇筑暂停{days}天。",
    1: "受冰冻天气影响，室外作业停工{days}天。", 2: "春节前后劳务返乡，现场工人减少，复工较慢。",
}
ON_TRACK = (
    "各分项工程按计划推进，形象进度与计划基本一致。",
    "主要节点均按计划完成，本月进度总体正常。",
    "现场施工组织有序，进度符合月度计划。",
)
ROUTINE = (  # every month: one site-management line
    "本月开展安全质量检查{checks}次，排查隐患{hazards}处，均已整改到位。",
    "落实扬尘治理措施，裸土覆盖、车辆冲洗到位，未收到环保投诉。",
    "组织材料进场验收{checks}批次，工程质量验收合格。",
    "开展安全生产月教育培训，未发生安全事故。",
)
FUNDS_SHORT = "资金到位率{rate}%，剩余资金尚未拨付到位。"
NEXT = (
    "下月将协调加快资金拨付，确保工程款按时支付。",
    "下月重点推进剩余审批手续办理。",
    "下月将增加劳务人员，加快施工进度。",
    "",
    "",
)
SPEND_REASON = "本月集中支付材料设备款，完成投资较上月增加较多。"


def _pick(options: tuple[str, ...], project_id: int, month: int, salt: int = 0) -> str:
    return options[(project_id * 7 + month * 11 + salt) % len(options)]


def report_note(project_id: int, month: int, figures: Mapping[str, float]) -> str:
    """The note of project ``project_id``'s report for calendar month index ``month`` (year × 12 + month − 1):
    ``figures`` by indicator code — PROG_ACTUAL, PROG_PLAN and SPEND_MONTH (this month's spend, 万元) where
    known, FUND_ARRIVAL if reported. Two to four Chinese sentences.

    >>> report_note(1, 24311, {"PROG_ACTUAL": 40.0, "PROG_PLAN": 48.5, "SPEND_MONTH": 312.4})
    '本月完成投资312万元，实际形象进度40.0%（计划48.5%）。施工许可等审批手续办理周期较长，进度较计划滞后8.5个百分点。受冰冻天气影响，混凝土浇筑暂停3天。落实扬尘治理措施，裸土覆盖、车辆冲洗到位，未收到环保投诉。'
    """
    actual, plan = figures.get("PROG_ACTUAL"), figures.get("PROG_PLAN")
    parts = []
    progress = f"实际形象进度{actual:.1f}%" + (f"（计划{plan:.1f}%）" if plan is not None else "") \
        if actual is not None else ""
    spend = f"本月完成投资{figures['SPEND_MONTH']:.0f}万元" if figures.get("SPEND_MONTH", 0) > 0.5 else ""
    if spend or progress:
        parts.append("，".join(part for part in (spend, progress) if part) + "。")
    calendar_month = month % 12 + 1
    if actual is not None and plan is not None and plan - actual >= BEHIND_BY:
        parts.append(CAUSES[project_id % len(CAUSES)].format(gap=f"{plan - actual:.1f}"))
        if calendar_month in WEATHER and (project_id + month) % 2 == 0:
            parts.append(WEATHER[calendar_month].format(days=3 + (project_id + month) % 6))
    else:
        parts.append(_pick(ON_TRACK, project_id, month))
    rate = figures.get("FUND_ARRIVAL")
    if rate is not None and rate < 80:
        parts.append(FUNDS_SHORT.format(rate=f"{rate:.0f}"))
    parts.append(_pick(ROUTINE, project_id, month, 1).format(checks=2 + (project_id + month) % 3,
                                                             hazards=3 + (project_id * 5 + month) % 6))
    parts.append(_pick(NEXT, project_id, month, 2))
    return "".join(parts[:4])


def value_reason(spend_month: float, spend_before: float) -> str | None:
    """The reason beside the cumulative spend when this month's spend jumped against the month before's."""
    return SPEND_REASON if spend_before > 0 and spend_month >= SPEND_JUMP * spend_before else None
