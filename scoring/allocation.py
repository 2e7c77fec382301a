"""Result application (结果应用): a bonus pool shared out by score, next year's budget priority, obligations.

perfdash pays nothing: these functions compute a proposal with every step of the arithmetic, in fen (1/100 yuan,
integers) so that the lines add up exactly.

The rule, in words:

1. **Eligible** are the projects with a score at or above the threshold (a project without a score never is).
2. Each eligible project's **weight** is its grade's coefficient × its score (not the score above the
   threshold: a project just over the line still earns in proportion to its whole score).
3. The pool is shared in proportion to weight (the **raw amount**). No project may receive more than the
   project cap and no district more than the district cap: what a cap cuts off goes to the uncapped projects,
   again in proportion to weight, until nothing changes (water-filling). When every eligible project (or
   district) is at its cap, the rest of the pool stays **unallocated** and is shown as such.
4. Money is rounded to whole fen by largest remainder, so the lines add up to exactly the pool (or the pool
   minus the unallocated rest); a capped district is rounded on its own, so rounding never breaks a cap.
   Equal weights get equal money up to one fen; the leftover fen go by remainder (largest first), then by
   score (highest first), then by project id (smallest first).

Precisely: with λ the pool's level, project i in district d receives min(min(λ, λ_d)·w_i, cap) where λ_d is
the level at which district d reaches its cap (∞ when it cannot), and λ is chosen so the amounts sum to the
pool (or ∞ when even that leaves money over).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

GRADES = ("优秀", "良好", "合格", "不合格")  # best first, the labels of scoring.ranking.grade
DEFAULT_COEFFICIENTS: Mapping[str, float] = {"优秀": 1.2, "良好": 1.0, "合格": 0.8, "不合格": 0.0}
DEFAULT_OBLIGATIONS: tuple[tuple[str, str], ...] = (
    ("参加绩效管理培训", "Attend performance-management training"),
    ("30 日内提交整改方案", "Submit a rectification plan within 30 days"),
    ("整改完成前暂停新增预算申请", "No new budget requests until the rectification is closed"),
)
FEN_PER_YUAN = 100
MAX_POOL_FEN = 10**15  # 10 trillion yuan: a typo, not a pool
LINE_COLUMNS = ("district_id", "score", "grade", "eligible", "coefficient", "weight", "share", "raw_fen",
                "amount_fen", "capped", "final_fen")


@dataclass(frozen=True)
class AllocationRules:
    """One rule set's parameters (stored as canonical JSON by :meth:`to_params`)."""

    pool_fen: int
    threshold: float = 60.0
    coefficients: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_COEFFICIENTS))
    project_cap_fen: int | None = None  # None: no cap
    district_cap_fen: int | None = None
    priority_order: tuple[str, ...] = GRADES  # budget priority: grades in this order …
    review_grades: tuple[str, ...] = ("不合格",)  # … these flagged for review instead
    priority_floor: float = 60.0  # a score below this earns no priority
    obligation_grades: tuple[str, ...] = ("不合格",)
    obligations: tuple[tuple[str, str], ...] = DEFAULT_OBLIGATIONS  # (Chinese, English) each

    def to_params(self) -> dict[str, Any]:
        """The parameters as plain JSON values.

        >>> AllocationRules(pool_fen=100).to_params()["coefficients"]["优秀"]
        1.2
        """
        return {"pool_fen": self.pool_fen, "threshold": self.threshold, "coefficients": dict(self.coefficients),
                "project_cap_fen": self.project_cap_fen, "district_cap_fen": self.district_cap_fen,
                "priority_order": list(self.priority_order), "review_grades": list(self.review_grades),
                "priority_floor": self.priority_floor, "obligation_grades": list(self.obligation_grades),
                "obligations": [{"zh": zh, "en": en} for zh, en in self.obligations]}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> AllocationRules:
        """Rules from :meth:`to_params`' shape; check :func:`rule_problems` first (this one trusts its input).

        >>> AllocationRules.from_params({"pool_fen": 5, "threshold": 70}).threshold
        70.0
        """
        defaults = cls(pool_fen=0)
        caps = {name: (None if params.get(name) is None else int(params[name]))
                for name in ("project_cap_fen", "district_cap_fen")}
        return cls(
            pool_fen=int(params["pool_fen"]), threshold=float(params.get("threshold", defaults.threshold)),
            coefficients={str(g): float(c) for g, c in params.get("coefficients", defaults.coefficients).items()},
            project_cap_fen=caps["project_cap_fen"], district_cap_fen=caps["district_cap_fen"],
            priority_order=tuple(params.get("priority_order", defaults.priority_order)),
            review_grades=tuple(params.get("review_grades", defaults.review_grades)),
            priority_floor=float(params.get("priority_floor", defaults.priority_floor)),
            obligation_grades=tuple(params.get("obligation_grades", defaults.obligation_grades)),
            obligations=tuple((str(o["zh"]), str(o.get("en") or o["zh"]))
                              for o in params.get("obligations", [{"zh": zh, "en": en}
                                                                  for zh, en in defaults.obligations])),
        )


# A city's pool: 250 万元, at most 3 万 a project, 45 万 a district (with about a hundred projects above the
# threshold, the best ones reach their cap and what they leave goes to the others).
DEFAULT_RULES = AllocationRules(pool_fen=250_000_000, threshold=60.0, project_cap_fen=3_000_000,
                                district_cap_fen=45_000_000)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def rule_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Everything wrong with ``params``, each as (English, Chinese); empty when they can be used.

    >>> rule_problems({"pool_fen": 100, "threshold": 60})
    []
    >>> [zh for _, zh in rule_problems({"pool_fen": -1, "threshold": 120, "coefficients": {"优秀": -0.5}})]
    ['奖励资金池不能为负数', '门槛分须在 0 到 100 之间', '等级“优秀”的系数不能为负数']
    """
    problems: list[tuple[str, str]] = []
    pool = params.get("pool_fen")
    if isinstance(pool, bool) or not isinstance(pool, int):
        problems.append(("The bonus pool must be a whole number of fen", "奖励资金池须为整数（分）"))
    elif pool < 0:
        problems.append(("The bonus pool cannot be negative", "奖励资金池不能为负数"))
    elif pool > MAX_POOL_FEN:
        problems.append(("The bonus pool is implausibly large", "奖励资金池金额过大，请核对"))
    threshold = _number(params.get("threshold", 60.0))
    if threshold is None or not 0 <= threshold <= 100:
        problems.append(("The threshold must be between 0 and 100", "门槛分须在 0 到 100 之间"))
    for name, en, zh in (("project_cap_fen", "project cap", "单个项目上限"),
                         ("district_cap_fen", "district cap", "单个区县上限")):
        cap = params.get(name)
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
            problems.append((f"The {en} must be a whole number of fen, 0 or more", f"{zh}须为不小于 0 的整数（分）"))
    coefficients = params.get("coefficients", {})
    if not isinstance(coefficients, Mapping):
        problems.append(("Coefficients must be given per grade", "系数须按等级填写"))
        coefficients = {}
    for grade, value in coefficients.items():
        number = _number(value)
        if grade not in GRADES:
            problems.append((f"Unknown grade {grade!r}", f"未知等级“{grade}”"))
        elif number is None or number < 0:
            problems.append((f"The coefficient of {grade} cannot be negative", f"等级“{grade}”的系数不能为负数"))
    for name in ("priority_order", "review_grades", "obligation_grades"):
        grades = params.get(name, [])
        if not isinstance(grades, Sequence) or isinstance(grades, str) or not set(grades) <= set(GRADES):
            problems.append((f"{name} must list grades among {', '.join(GRADES)}",
                             f"等级列表只能包含：{'、'.join(GRADES)}"))
    floor = _number(params.get("priority_floor", 60.0))
    if floor is None or not 0 <= floor <= 100:
        problems.append(("The priority score floor must be between 0 and 100", "优先安排的最低分须在 0 到 100 之间"))
    obligations = params.get("obligations", [])
    if not isinstance(obligations, Sequence) or any(
            not isinstance(o, Mapping) or not isinstance(o.get("zh"), str) or not o["zh"].strip() for o in obligations):
        problems.append(("Every obligation needs a Chinese text", "每项整改义务都须填写中文内容"))
    return problems


def _fill(amount: float, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Share ``amount`` in proportion to ``weights``, none above its cap, the excess to the others until stable.

    >>> _fill(100.0, np.array([1.0, 1.0, 2.0]), np.array([np.inf, 10.0, np.inf])).tolist()
    [30.0, 10.0, 60.0]
    """
    result = np.zeros(len(weights))
    active = weights > 0
    if active.any():
        weights = weights / weights[active].max()  # proportions unchanged; no overflow from tiny weights
    left = amount
    while active.any() and left > 0:
        level = left / weights[active].sum()
        over = active & (level * weights > caps)
        if not over.any():
            result[active] = level * weights[active]
            break
        result[over] = caps[over]
        left -= caps[over].sum()
        active &= ~over
    return result


def _water_fill(pool: float, weights: np.ndarray, districts: np.ndarray, project_cap: float,
                district_cap: float) -> tuple[np.ndarray, np.ndarray]:
    """Amounts (float fen) under both caps, and which projects a cap holds (their own or their district's).

    >>> amounts, capped = _water_fill(100.0, np.array([1.0, 1.0, 2.0]), np.array([1, 1, 2]), 40.0, np.inf)
    >>> amounts.tolist(), capped.tolist()
    ([30.0, 30.0, 40.0], [False, False, True])
    """
    amounts = np.zeros(len(weights))
    fixed = weights <= 0
    capped = np.zeros(len(weights), dtype=bool)
    caps = np.full(len(weights), project_cap)
    while (~fixed).any():
        w = np.where(fixed, 0.0, weights) / weights[~fixed].max()  # same proportions, no overflow
        left = pool - amounts[fixed].sum()
        level = left / w[~fixed].sum() if left > 0 else 0.0
        tentative = np.where(fixed, amounts, np.minimum(level * w, caps))
        totals = pd.Series(tentative).groupby(districts).transform("sum").to_numpy()
        over_district = ~fixed & (totals > district_cap - 1e-6)  # at the cap counts: it takes nothing more
        for district in pd.unique(districts[over_district]):
            members = ~fixed & (districts == district)
            room = district_cap - amounts[fixed & (districts == district)].sum()
            amounts[members] = _fill(room, weights[members], caps[members])
            capped[districts == district] = True
        over_project = ~fixed & ~over_district & (level * w > caps)
        amounts[over_project] = caps[over_project]
        capped |= over_project
        if not over_district.any() and not over_project.any():
            amounts[~fixed] = tentative[~fixed]
            break
        fixed |= over_district | over_project
    return amounts, capped & (weights > 0)


def _largest_remainder(amounts: np.ndarray, total: int, order: np.ndarray) -> np.ndarray:
    """Whole fen summing to ``total``: floors, then one more fen each by largest remainder, ``order`` breaking ties.

    >>> _largest_remainder(np.array([33.4, 33.3, 33.3]), 100, np.array([0, 1, 2])).tolist()
    [34, 33, 33]
    """
    floors = np.floor(amounts + 1e-9).astype(np.int64)
    remainders = np.round(amounts - floors, 6)
    extra = int(total - floors.sum())
    chosen = np.lexsort((order, -remainders))[:max(extra, 0)]
    floors[chosen] += 1
    return floors


def _whole_fen(amounts: np.ndarray, districts: np.ndarray, order: np.ndarray, *, by_district: bool) -> np.ndarray:
    """Whole fen summing to the rounded total. Under a district cap, each district's total is rounded first and
    then its lines, so no district gets a fen above its (whole-fen) cap; otherwise all lines round together.

    >>> _whole_fen(np.array([0.5, 0.5, 1.0]), np.array([1, 2, 2]), np.array([1, 0, 2]), by_district=False).tolist()
    [0, 1, 1]
    """
    total = int(round(float(amounts.sum())))
    if not by_district:
        return _largest_remainder(amounts, total, order)
    groups = pd.Series(amounts).groupby(districts)
    keys = np.array(list(groups.groups))
    group_totals = _largest_remainder(groups.sum().to_numpy(), total,
                                      pd.Series(order).groupby(districts).min().to_numpy())
    final = np.zeros(len(amounts), dtype=np.int64)
    for key, group_total in zip(keys, group_totals, strict=True):
        members = districts == key
        final[members] = _largest_remainder(amounts[members], int(group_total), order[members])
    return final


def allocate(projects: pd.DataFrame, rules: AllocationRules) -> tuple[pd.DataFrame, int]:
    """Each project's line of the allocation and the unallocated rest (fen).

    ``projects``: indexed by project id, with ``district_id``, ``score`` (0–100, NaN = unscored) and ``grade``.
    Returns the projects (same index, best-paid first) with :data:`LINE_COLUMNS`: eligible, coefficient,
    weight (coefficient × score), share (of all weight), raw_fen (pool × share, before caps), amount_fen
    (after the caps), capped (its own cap or its district's holds it), final_fen (whole fen).

    >>> frame = pd.DataFrame({"district_id": [1, 1, 2], "score": [95.0, 70.0, 50.0],
    ...                       "grade": ["优秀", "合格", "不合格"]}, index=[11, 12, 13])
    >>> lines, rest = allocate(frame, AllocationRules(pool_fen=10_000))
    >>> lines[["eligible", "weight", "final_fen"]]
        eligible  weight  final_fen
    11      True   114.0       6706
    12      True    56.0       3294
    13     False     0.0          0
    >>> rest
    0
    """
    score = pd.to_numeric(projects["score"], errors="coerce").astype(float)
    eligible = (score >= rules.threshold).fillna(False).astype(bool)
    coefficient = projects["grade"].astype(object).map(dict(rules.coefficients)).astype(float).fillna(0.0)
    weight = (coefficient * score).where(eligible, 0.0).fillna(0.0)
    total_weight = float(weight.sum())
    share = weight / total_weight if total_weight > 0 else weight * 0.0
    project_cap = math.inf if rules.project_cap_fen is None else float(rules.project_cap_fen)
    district_cap = math.inf if rules.district_cap_fen is None else float(rules.district_cap_fen)
    districts = projects["district_id"].fillna(-1).to_numpy()
    amounts, capped = _water_fill(float(rules.pool_fen), weight.to_numpy(), districts,
                                                   project_cap, district_cap)
    order = np.lexsort((projects.index.to_numpy(), -score.fillna(-1.0).to_numpy())).argsort()
    final = _whole_fen(amounts, districts, order, by_district=rules.district_cap_fen is not None)
    lines = pd.DataFrame({
        "district_id": projects["district_id"], "score": score, "grade": projects["grade"], "eligible": eligible,
        "coefficient": coefficient, "weight": weight, "share": share, "raw_fen": share * rules.pool_fen,
        "amount_fen": amounts, "capped": capped, "final_fen": final,
    }, index=projects.index)
    lines = lines.iloc[np.lexsort((order, -final))]
    return lines, int(rules.pool_fen - final.sum())


def by_district(lines: pd.DataFrame, rules: AllocationRules) -> pd.DataFrame:
    """The allocation per district: projects, eligible, weight, raw_fen, final_fen, cap_fen and at_cap.

    >>> lines = pd.DataFrame({"district_id": [1, 1, 2], "eligible": [True, True, False],
    ...                       "weight": [2.0, 1.0, 0.0], "raw_fen": [60.0, 30.0, 0.0], "final_fen": [50, 30, 0]})
    >>> by_district(lines, AllocationRules(pool_fen=90, district_cap_fen=80))[["final_fen", "at_cap"]]
                 final_fen  at_cap
    district_id
    1                   80    True
    2                    0   False
    """
    grouped = lines.groupby("district_id").agg(projects=("final_fen", "size"), eligible=("eligible", "sum"),
                                               weight=("weight", "sum"), raw_fen=("raw_fen", "sum"),
                                               final_fen=("final_fen", "sum"))
    grouped["eligible"] = grouped["eligible"].astype(int)
    grouped["cap_fen"] = rules.district_cap_fen
    grouped["at_cap"] = (grouped["final_fen"] >= grouped["cap_fen"]) if rules.district_cap_fen is not None \
        else False
    return grouped.sort_values("final_fen", ascending=False, kind="stable")


def budget_priority(projects: pd.DataFrame, rules: AllocationRules) -> pd.DataFrame:
    """Next year's budget priority: ``priority`` 1, 2 … in the rules' grade order then score (highest first),
    ``review`` for the grades flagged for review; no priority below the score floor or without a grade.

    >>> frame = pd.DataFrame({"score": [72.0, 93.0, 40.0, 55.0], "grade": ["合格", "优秀", "不合格", "不合格"]},
    ...                      index=[1, 2, 3, 4])
    >>> budget_priority(frame, AllocationRules(pool_fen=0))[["grade", "priority", "review"]]
      grade  priority  review
    2    优秀         1   False
    1    合格         2   False
    4   不合格      <NA>    True
    3   不合格      <NA>    True
    """
    score = pd.to_numeric(projects["score"], errors="coerce").astype(float)
    grade = projects["grade"].astype(object)
    position = grade.map({g: i for i, g in enumerate(rules.priority_order)}).astype(float)
    review = grade.isin(rules.review_grades)
    qualifies = ~review & position.notna() & (score >= rules.priority_floor).fillna(False)
    frame = pd.DataFrame({"score": score, "grade": grade, "review": review}, index=projects.index)
    ordered = np.lexsort((projects.index.to_numpy(), -score.fillna(-1.0).to_numpy(),
                          position.fillna(len(rules.priority_order)).to_numpy(), ~qualifies.to_numpy()))
    frame = frame.iloc[ordered]
    ranked = qualifies.reindex(frame.index).to_numpy()
    frame["priority"] = pd.array(np.where(ranked, np.cumsum(ranked), 0), dtype="Int64")
    frame.loc[~ranked, "priority"] = pd.NA
    return frame[["score", "grade", "priority", "review"]]


def obligations(projects: pd.DataFrame, rules: AllocationRules) -> pd.DataFrame:
    """One row per project and obligation for the grades that carry obligations: project_id, grade,
    obligation_zh, obligation_en.

    >>> frame = pd.DataFrame({"grade": ["不合格", "良好"]}, index=[7, 8])
    >>> obligations(frame, AllocationRules(pool_fen=0, obligations=(("参加培训", "Attend training"),)))
       project_id grade obligation_zh    obligation_en
    0           7   不合格          参加培训  Attend training
    """
    bound = projects.index[projects["grade"].astype(object).isin(rules.obligation_grades)]
    rows = [(pid, projects.at[pid, "grade"], zh, en) for pid in bound for zh, en in rules.obligations]
    return pd.DataFrame(rows, columns=["project_id", "grade", "obligation_zh", "obligation_en"])


def change(base: pd.DataFrame, new: pd.DataFrame) -> pd.Series:
    """Each line's change in fen from ``base`` to ``new`` (:func:`allocate` or :func:`by_district` frames);
    a line in only one of them counts as 0 in the other.

    >>> change(pd.DataFrame({"final_fen": [5, 3]}, index=[1, 2]), pd.DataFrame({"final_fen": [4]}, index=[1]))
    1   -1
    2   -3
    Name: change_fen, dtype: int64
    """
    index = base.index.union(new.index, sort=False)
    before = base["final_fen"].reindex(index).fillna(0).astype(np.int64)
    after = new["final_fen"].reindex(index).fillna(0).astype(np.int64)
    return (after - before).rename("change_fen")
