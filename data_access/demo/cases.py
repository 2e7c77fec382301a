"""The demo's knowledge base: eight best-practice cases of real demo projects, in several districts and problem
types, each comparing one indicator six months apart.

Each case picks, among the active projects of its category in its district (else in its city, else anywhere),
the one whose indicator improved most between the two months, so the figures read from the observations bear
out what the case says.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import numpy as np

from data_access.audit import canonical_json
from data_access.demo.library import INDICATORS
from data_access.demo.places import PLACES
from data_access.knowledge import index_text


class CaseSpec(NamedTuple):
    district: str  # division code of the district (or county)
    category: str
    problem_type: str  # a warning rule type
    indicator: str
    title_zh: str
    title_en: str
    action: str
    result: str
    tags: tuple[str, ...]


CASES: tuple[CaseSpec, ...] = (
    CaseSpec("410202", "urban_renewal", "progress_lag", "PROG_RATIO", "老旧小区加装电梯经验",
             "Elevator retrofits in old neighbourhoods",
             "成立楼栋加装电梯议事会，低层住户补偿方案一户一议；统一招标电梯设备，施工图审查与管线迁改并联办理，"
             "每周现场例会通报进度。",
             "滞后的进度明显追回，居民签约率达到 100%，未发生一起因加装电梯引发的信访。",
             ("加装电梯", "居民协商", "并联审批")),
    CaseSpec("410204", "urban_renewal", "budget_overrun", "COST_VAR", "雨污分流工程投资控制",
             "Keeping storm and sewage separation within budget",
             "实行限额设计，设计变更超过 5% 须经住建、财政联合审批；按月编制资金使用计划，财政评审中心审核工程量清单，"
             "超支苗头在月度例会上通报。",
             "成本偏差率明显下降，投资控制在批复概算以内，超支预警解除。", ("投资控制", "雨污分流", "限额设计")),
    CaseSpec("430302", "education", "milestone_overdue", "MS_ONTIME", "智慧校园建设倒排工期保开学",
             "Smart campus: scheduling backwards from the first day of school",
             "以开学日为节点倒排工期，把设备采购拆成三个标段同步招标，寒暑假两班倒施工，教育局每周督办。",
             "里程碑按时完成率明显提升，新学期如期投用。", ("倒排工期", "智慧校园")),
    CaseSpec("450702", "livelihood", "indicator_threshold", "RESIDENT_SAT", "社区养老服务中心群众满意度提升",
             "Raising resident satisfaction at a community elderly-care centre",
             "每月开展老年人需求走访，长者食堂增加低盐菜品，服务中心开放时间延长到晚上八点，设立意见箱限时回复。",
             "群众满意度持续上升，投诉明显减少。", ("满意度", "养老服务")),
    CaseSpec("450703", "port_logistics", "indicator_threshold", "HAZARD_FIX", "集装箱码头安全隐患闭环整改",
             "Closing the loop on safety hazards at a container terminal",
             "隐患排查结果录入台账，明确整改责任人和期限，整改完成后由第三方复查销号，逾期未改的约谈施工单位。",
             "隐患整改率稳步提高，全年未发生安全事故。", ("安全生产", "隐患排查")),
    CaseSpec("410203", "culture_tourism", "missing_report", "PROG_RATIO", "夜间文旅项目月报按时填报",
             "Monthly reports on time for night-time culture projects",
             "每月 1 日系统自动提醒，项目经理手机端填报并上传现场照片，区文旅局 3 日前完成审核，逾期通报。",
             "月报按时填报，数据口径统一，进度偏差能及早发现和纠正。", ("月报填报", "文旅")),
    CaseSpec("430304", "industrial_park", "progress_lag", "PROG_RATIO", "产业园区标准厂房建设进度追赶",
             "Catching up on standard factory buildings at an industrial park",
             "园区管委会实行挂图作战，关键线路增加施工班组，材料提前集中采购，每十天对照计划纠偏。",
             "进度计划完成率止跌回升，关键线路不再延误。", ("挂图作战", "产业园区")),
    CaseSpec("320102", "urban_renewal", "indicator_threshold", "COMPLAINTS", "背街小巷改造投诉快速响应",
             "Rapid response to complaints in back-street renewal",
             "施工前逐户告知施工时段，设立现场接待点，12345 热线工单 24 小时内答复，夜间禁止高噪声作业。",
             "投诉件数下降，居民对改造效果的认可度提高。", ("投诉处理", "背街小巷")),
)
MONTHS_APART = 6
DIRECTIONS = {spec.code: spec.direction for spec in INDICATORS}
PLACES_BY_CODE = {place.code: place for place in PLACES}


def _improvement(direction: str, before: float, after: float) -> float:
    return before - after if direction == "lower" else after - before


def case_rows(*, projects: list[dict[str, Any]], places: list[Any], categories: list[dict[str, Any]],
              regions: list[dict[str, Any]], indicator_ids: dict[str, int], observations: dict[str, np.ndarray],
              after: dt.date, before: dt.date, author_ids: dict[str, int]) -> list[dict[str, Any]]:
    """The ``knowledge_cases`` rows; ``places`` is each project's place, ``author_ids`` the official of each
    district by division code."""
    category_ids = {row["code"]: row["id"] for row in categories}
    wanted = np.isin(observations["indicator_id"], [indicator_ids[spec.indicator] for spec in CASES])
    at_months = np.isin(observations["period"], np.array([before, after], dtype=observations["period"].dtype))
    keep = wanted & at_months
    values: dict[tuple[int, int, dt.date], float] = {
        (int(p), int(i), period): float(v) for p, i, period, v in zip(
            observations["project_id"][keep], observations["indicator_id"][keep],
            observations["period"][keep].tolist(), observations["value"][keep], strict=True)}
    rows: list[dict[str, Any]] = []
    for spec in CASES:
        indicator_id = indicator_ids[spec.indicator]

        def gain(project: dict[str, Any], spec: CaseSpec = spec, indicator_id: int = indicator_id) -> float | None:
            pair = (values.get((project["id"], indicator_id, before)), values.get((project["id"], indicator_id, after)))
            if None in pair or project["category_id"] != category_ids[spec.category]:
                return None
            return _improvement(DIRECTIONS[spec.indicator], *pair)  # type: ignore[arg-type]

        def district(index: int) -> str:
            place = places[index]
            return place.code if place.level == "district" else place.parent

        candidates = [(gain(project), -project["id"], index) for index, project in enumerate(projects)
                      if project["status"] == "active" and gain(project) is not None]
        local = [candidate for candidate in candidates if district(candidate[2]) == spec.district]
        city = PLACES_BY_CODE[spec.district].parent
        nearby = [candidate for candidate in candidates if PLACES_BY_CODE[district(candidate[2])].parent == city]
        if not candidates:
            continue
        _, _, index = max(local or nearby or candidates)
        project = projects[index]
        region = regions[project["region_id"] - 1]
        category = categories[project["category_id"] - 1]
        written = dt.datetime.combine(after.replace(day=12), dt.time(2, 30), tzinfo=dt.UTC)
        rows.append({
            "id": len(rows) + 1, "title_zh": spec.title_zh, "title_en": spec.title_en, "project_id": project["id"],
            "region_id": project["region_id"], "category_id": project["category_id"],
            "problem_type": spec.problem_type, "action_taken": spec.action, "result_text": spec.result,
            "indicator_id": indicator_id, "before_period": before, "after_period": after,
            "tags": canonical_json(list(spec.tags)), "rectification_id": None,
            "search_text": index_text([spec.title_zh, spec.title_en, spec.problem_type, spec.action, spec.result,
                                       *spec.tags, project["name_zh"], project["name_en"] or "", region["name_zh"],
                                       region["name_en"] or "", category["name_zh"], category["name_en"] or ""]),
            "created_by": author_ids.get(district(index)), "created_at": written, "updated_at": written, "version": 1})
    return rows
