"""Early-warning rules (预警): which projects each configured rule fires on at a given day.

Pure computation over the frames the data layer returns. Storing rules, the
alert lifecycle and notifications belong to the data layer, which calls
:func:`evaluate` (also the admin's "would fire now" preview: one rule, no open
alerts) and :func:`reconcile`.

Rule types and their ``params`` (default in brackets). Every comparison is
strict: a value exactly on its threshold does not fire.

``budget_overrun`` — pct [10], recovery_margin [2]
    At the latest month ≤ as_of with both ``SPEND_CUM`` and ``SPEND_PLAN``:
    overrun % = (spend − plan) / plan × 100 > pct, or spend × 10,000 > budget
    (spend is in 万元, budget in CNY). Plan ≤ 0 leaves only the budget test; a
    missing or zero budget leaves only the plan test.
``progress_lag`` — points [5], periods [2], recovery_margin [1]
    lag = ``PROG_PLAN`` − ``PROG_ACTUAL`` > points in each of the last
    ``periods`` calendar months ending at the latest month with both values;
    a month without both values breaks the run.
``milestone_overdue`` — days [3]
    A milestone without ``actual_end`` and below 100 % whose ``planned_end``
    is more than ``days`` days before as_of. One finding per project, for its
    worst milestone (most days overdue, then lowest id).
``indicator_threshold`` — indicator (required); one of below, above, or
    lower + upper (fires outside the band); periods [1]; recovery_margin [0]
    The value breaks the threshold in each of the project's last ``periods``
    reports (months without a report are skipped, not counted as breaks).
``score_drop`` — points [10]
    The latest composite total ≤ as_of is more than ``points`` below the
    project's previous scored total.
``missing_report`` — periods [1], indicator [None = any],
    include_current_month [False], exclude_indicators [PROG_PLAN, SPEND_PLAN]
    An active project has no observation in each of the last ``periods``
    months ending at as_of's month (with include_current_month) or at the
    month before (default: completed months only). Months before the
    project's planned start are not expected. With ``indicator=None`` the
    planning series in ``exclude_indicators`` don't count as reports, because
    they are usually entered ahead by the planning office, not by the owner.
``risk_above`` — target ["late" | "overrun"], pct [60], recovery_margin [5]
    The project's predicted probability of finishing late (or of overrunning
    its budget), in percent, is above pct. The predictions come in as
    ``risks`` (project_id, p_late, p_overrun as 0–1, from the risk model
    ``services.risk`` keeps); a project without a prediction never fires.
    Optional: nothing fires unless such a rule is configured.

Projects evaluated: status active or suspended, except ``milestone_overdue``
(any status but completed) and ``missing_report`` (active only); and within
the rule's scope: ``all``, ``category`` (``category_code`` equals
``scope_value``) or ``region`` (``region_path`` starts with ``scope_value``,
a path like "/1/4/", so "/1/40/" is not in "/1/4/").

Hysteresis: a (rule, project) pair that is open before this evaluation stays
firing on a condition relaxed by ``recovery_margin``, so a value hovering at
the threshold does not open and close an alert every month. An open budget
overrun stays while overrun % > pct − margin (or spend exceeds the budget); an
open progress lag while the latest lag > points − margin; an open risk alert
while the probability > pct − margin; an open indicator
alert while the latest value is below ``below + margin``, above
``above − margin`` or outside ``[lower + margin, upper − margin]``. Open pairs
need the relaxed condition in the latest month only, not ``periods`` months
in a row. Pairs that are not open need the full condition.

Boundaries: a value within one part in 10¹⁰ of its threshold counts as on it,
so that float noise (60.3 − 55.3 = 5.000000000000004) cannot fire a case
that is exactly at the threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

RULE_TYPES = ("budget_overrun", "progress_lag", "milestone_overdue", "indicator_threshold", "score_drop",
              "missing_report", "risk_above")
RISK_TARGETS = ("late", "overrun")  # what a risk_above rule reads: the risks frame's p_late or p_overrun
SEVERITIES = ("red", "orange", "yellow")
SCOPE_KINDS = ("all", "category", "region")
FINDING_COLUMNS = ("rule_id", "project_id", "rule_type", "severity", "value", "threshold", "periods", "period",
                   "detail")
CNY_PER_SPEND_UNIT = 10_000.0  # SPEND_* observations are in 万元
BOUNDARY_TOLERANCE = 1e-10  # relative to max(1, |threshold|)

_EVALUATED_STATUSES = {
    "budget_overrun": ("active", "suspended"),
    "progress_lag": ("active", "suspended"),
    "milestone_overdue": ("planned", "active", "suspended"),
    "indicator_threshold": ("active", "suspended"),
    "score_drop": ("active", "suspended"),
    "missing_report": ("active",),
    "risk_above": ("active", "suspended"),
}
_NO_MONTH = np.iinfo(np.int64).min  # the int64 behind NaT, so month arrays view as datetime64[M]

AlertPairs = Iterable[tuple[Hashable, int]] | pd.DataFrame


# --- rules and their parameters -------------------------------------------------------------------------------

class _Invalid(Exception):
    """A parameter value is wrong; the message says what it must be."""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise _Invalid("must be a finite number")
    return float(value)


def _non_negative(value: Any) -> float:
    number = _number(value)
    if number < 0:
        raise _Invalid("must be a number ≥ 0")
    return number


def _whole(value: Any, minimum: int) -> int:
    number = _number(value)
    if number != int(number) or number < minimum:
        raise _Invalid(f"must be a whole number ≥ {minimum}")
    return int(number)


def _period_count(value: Any) -> int:
    return _whole(value, 1)


def _days(value: Any) -> int:
    return _whole(value, 0)


def _code(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("must be a non-empty indicator code")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise _Invalid("must be true or false")
    return bool(value)


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise _Invalid("must be a list of indicator codes")
    return tuple(_code(code) for code in value)


def _percent(value: Any) -> float:
    number = _number(value)
    if not 0 <= number <= 100:
        raise _Invalid("must be a percentage from 0 to 100")
    return number


def _risk_target(value: Any) -> str:
    if value not in RISK_TARGETS:
        raise _Invalid(f"must be one of {', '.join(RISK_TARGETS)}")
    return str(value)


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


_REQUIRED = object()
_PARAMETERS: dict[str, dict[str, tuple[Any, Callable[[Any], Any]]]] = {
    "budget_overrun": {"pct": (10.0, _non_negative), "recovery_margin": (2.0, _non_negative)},
    "progress_lag": {"points": (5.0, _non_negative), "periods": (2, _period_count),
                     "recovery_margin": (1.0, _non_negative)},
    "milestone_overdue": {"days": (3, _days)},
    "indicator_threshold": {"indicator": (_REQUIRED, _code), "below": (None, _optional(_number)),
                            "above": (None, _optional(_number)), "lower": (None, _optional(_number)),
                            "upper": (None, _optional(_number)), "periods": (1, _period_count),
                            "recovery_margin": (0.0, _non_negative)},
    "score_drop": {"points": (10.0, _non_negative)},
    "missing_report": {"periods": (1, _period_count), "indicator": (None, _optional(_code)),
                       "include_current_month": (False, _flag),
                       "exclude_indicators": (("PROG_PLAN", "SPEND_PLAN"), _codes)},
    "risk_above": {"target": ("late", _risk_target), "pct": (60.0, _percent), "recovery_margin": (5.0, _non_negative)},
}


def _threshold_shape(params: dict[str, Any]) -> None:
    """indicator_threshold takes exactly one of below, above or a lower + upper band wide enough for the margin."""
    given = [name for name in ("below", "above", "lower", "upper") if params[name] is not None]
    if given not in (["below"], ["above"], ["lower", "upper"]):
        raise _Invalid("need exactly one of 'below', 'above', or both 'lower' and 'upper'"
                       + (f" (got {', '.join(given)})" if given else ""))
    if given == ["lower", "upper"]:
        if params["lower"] > params["upper"]:
            raise _Invalid("need 'lower' ≤ 'upper'")
        if 2 * params["recovery_margin"] > params["upper"] - params["lower"]:
            raise _Invalid("need 'recovery_margin' ≤ half the band width, or an open alert could never close")


@dataclass(frozen=True)
class Rule:
    """One configured warning rule; construction validates it and fills in parameter defaults.

    ``id`` is whatever identifies the rule in storage (findings and open alerts
    refer to it). ``params`` after construction holds every parameter of the
    type, given or default, with numbers as float and counts as int.

    >>> Rule(7, "progress_lag", "orange", {"periods": 3}).params
    {'points': 5.0, 'periods': 3, 'recovery_margin': 1.0}
    >>> Rule(8, "budget_overrun", "red", {"pct": -1})
    Traceback (most recent call last):
    ValueError: rule 8 (budget_overrun): parameter 'pct' must be a number ≥ 0, got -1
    """

    id: Hashable
    rule_type: str
    severity: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    scope_kind: str = "all"
    scope_value: str | None = None

    def __post_init__(self) -> None:
        where = f"rule {self.id!r}"
        if self.rule_type not in RULE_TYPES:
            raise ValueError(f"{where}: unknown rule_type {self.rule_type!r}; use one of {', '.join(RULE_TYPES)}")
        where = f"{where} ({self.rule_type})"
        if self.severity not in SEVERITIES:
            raise ValueError(f"{where}: unknown severity {self.severity!r}; use one of {', '.join(SEVERITIES)}")
        self._check_scope(where)
        object.__setattr__(self, "params", self._completed_params(where))

    def _check_scope(self, where: str) -> None:
        if self.scope_kind not in SCOPE_KINDS:
            raise ValueError(f"{where}: unknown scope_kind {self.scope_kind!r}; use one of {', '.join(SCOPE_KINDS)}")
        if self.scope_kind == "all" and self.scope_value is not None:
            raise ValueError(f"{where}: scope 'all' takes no scope_value, got {self.scope_value!r}")
        if self.scope_kind == "category" and not (isinstance(self.scope_value, str) and self.scope_value):
            raise ValueError(f"{where}: scope 'category' needs a category code as scope_value")
        if self.scope_kind == "region" and not (isinstance(self.scope_value, str) and len(self.scope_value) > 1
                                                and self.scope_value.startswith("/")
                                                and self.scope_value.endswith("/")):
            raise ValueError(f"{where}: scope 'region' needs a region path like '/1/4/' as scope_value, "
                             f"got {self.scope_value!r}")

    def _completed_params(self, where: str) -> dict[str, Any]:
        spec = _PARAMETERS[self.rule_type]
        unknown = sorted(set(self.params) - set(spec), key=str)
        if unknown:
            raise ValueError(f"{where}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
                             f"{self.rule_type} takes {', '.join(spec)}")
        completed = {}
        for name, (default, check) in spec.items():
            if name not in self.params and default is _REQUIRED:
                raise ValueError(f"{where}: parameter {name!r} is required")
            value = self.params.get(name, default)
            try:
                completed[name] = check(value)
            except _Invalid as problem:
                raise ValueError(f"{where}: parameter {name!r} {problem}, got {value!r}") from None
        if self.rule_type == "indicator_threshold":
            try:
                _threshold_shape(completed)
            except _Invalid as problem:
                raise ValueError(f"{where}: parameters {problem}") from None
        return completed


# --- inputs, converted once per evaluation and only as far as the rules need --------------------------------

def _require(frame: pd.DataFrame | None, name: str, columns: Iterable[str]) -> pd.DataFrame:
    if frame is None:
        raise ValueError(f"{name} must be passed for the rules given")
    absent = [column for column in columns if column not in frame.columns]
    if absent:
        raise ValueError(f"{name} lacks column(s) {', '.join(map(repr, absent))}")
    return frame


def _day_codes(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row, an index into the returned distinct days (datetime64[D]); −1 indexes a trailing NaT.

    Factorising first converts only the few distinct dates, whatever type they come in.
    """
    codes, distinct = pd.factorize(dates)
    days = pd.to_datetime(distinct).to_numpy().astype("datetime64[D]")
    return codes, np.append(days, np.datetime64("NaT", "D"))


def _month_numbers(days: np.ndarray | np.datetime64) -> np.ndarray:
    """Months since 1970-01 as int64, with NaT as :data:`_NO_MONTH`."""
    return days.astype("datetime64[M]").view(np.int64)


class _Observed(NamedTuple):
    """The observations frame as arrays over its rows, plus per distinct period its month and grid column."""

    usable: np.ndarray  # period ≤ as_of, a value, an indicator code and a project of the projects frame
    position: np.ndarray  # row of the project in the projects frame
    period: np.ndarray  # index into period_month and period_column
    code: np.ndarray  # index into codes
    value: np.ndarray
    codes: pd.Index  # distinct indicator codes
    period_month: np.ndarray  # months since 1970-01
    period_column: np.ndarray  # index into column_months
    column_months: np.ndarray  # the distinct months up to as_of, ascending (at least one)


class _Scored(NamedTuple):
    """Per project: the latest and the previous scored total ≤ as_of (NaN / NaT when absent)."""

    total: np.ndarray
    month: np.ndarray
    previous_total: np.ndarray
    previous_month: np.ndarray


class _OpenMilestones(NamedTuple):
    """Milestones not finished (no actual_end, below 100 %) of projects in the frame."""

    position: np.ndarray
    milestone_id: np.ndarray
    days_overdue: np.ndarray  # as_of − planned_end in days
    planned_end: np.ndarray
    percent_complete: np.ndarray


class _Inputs:
    def __init__(self, *, projects: pd.DataFrame, as_of: dt.date, observations: pd.DataFrame | None,
                 milestones: pd.DataFrame | None, scores: pd.DataFrame | None,
                 risks: pd.DataFrame | None = None) -> None:
        self.projects = _require(projects, "projects", ("id", "status"))
        self.project_ids = projects["id"].to_numpy(dtype=np.int64)
        self.project_index = pd.Index(self.project_ids)
        if not self.project_index.is_unique:
            raise ValueError("projects has duplicate ids")
        self.as_of_day = np.datetime64(pd.Timestamp(as_of).date(), "D")
        self.as_of_month = int(_month_numbers(self.as_of_day))
        self._observations, self._milestones, self._scores = observations, milestones, scores
        self._risks = risks
        self._grids: dict[str, np.ndarray] = {}

    @property
    def count(self) -> int:
        return len(self.project_ids)

    def positions(self, project_ids: pd.Series) -> np.ndarray:
        """Row of each project id in the projects frame, −1 when absent."""
        return self.project_index.get_indexer(project_ids.to_numpy())

    def status_in(self, statuses: tuple[str, ...]) -> np.ndarray:
        return self.projects["status"].isin(statuses).to_numpy(dtype=bool)

    def in_scope(self, rule: Rule) -> np.ndarray:
        if rule.scope_value is None:  # scope "all": Rule requires a value for every other scope
            return np.ones(self.count, dtype=bool)
        if rule.scope_kind == "category":
            return _require(self.projects, "projects", ("category_code",))["category_code"] \
                .eq(rule.scope_value).to_numpy(dtype=bool, na_value=False)
        return _require(self.projects, "projects", ("region_path",))["region_path"] \
            .str.startswith(rule.scope_value).to_numpy(dtype=bool, na_value=False)

    def project_values(self, column: str) -> np.ndarray:
        return _require(self.projects, "projects", (column,))[column].to_numpy(dtype=float, na_value=np.nan)

    @cached_property
    def start_months(self) -> np.ndarray:
        """Month of each project's planned start; :data:`_NO_MONTH` when unknown or not given."""
        if "planned_start" not in self.projects.columns:
            return np.full(self.count, _NO_MONTH)
        codes, days = _day_codes(self.projects["planned_start"])
        return _month_numbers(days)[codes]

    @cached_property
    def observed(self) -> _Observed:
        frame = _require(self._observations, "observations", ("project_id", "indicator_code", "period", "value"))
        period, days = _day_codes(frame["period"])
        value = frame["value"].to_numpy(dtype=float, na_value=np.nan)
        code, codes = pd.factorize(frame["indicator_code"])
        position = self.positions(frame["project_id"])
        in_time = days <= self.as_of_day
        usable = in_time[period] & ~np.isnan(value) & (code >= 0) & (position >= 0)
        period_month = _month_numbers(days)
        column_months = np.unique(period_month[in_time]) if in_time.any() else np.array([self.as_of_month])
        return _Observed(usable, position, period, code, value, pd.Index(codes), period_month,
                         np.searchsorted(column_months, period_month), column_months)

    def code_number(self, indicator: str) -> int:
        """Index of the code in :attr:`observed`'s codes, −1 (matches nothing) when never observed."""
        return int(self.observed.codes.get_indexer(pd.Index([indicator]))[0])

    def grid(self, indicator: str) -> np.ndarray:
        """projects × observed months of one indicator, NaN where not reported (one value per cell)."""
        if indicator not in self._grids:
            observed = self.observed
            rows = np.flatnonzero(observed.usable & (observed.code == self.code_number(indicator)))
            grid = np.full((self.count, observed.column_months.size), np.nan)
            grid[observed.position[rows], observed.period_column[observed.period[rows]]] = observed.value[rows]
            self._grids[indicator] = grid
        return self._grids[indicator]

    @cached_property
    def month_gaps(self) -> np.ndarray:
        """Per observed-month column, whether calendar months are missing between it and the column before."""
        return np.diff(self.observed.column_months, prepend=self.observed.column_months[0]) > 1

    def months_at(self, column: np.ndarray) -> np.ndarray:
        return self.observed.column_months[column]

    @cached_property
    def scored(self) -> _Scored:
        frame = _require(self._scores, "scores", ("project_id", "period", "total"))
        period_codes, days = _day_codes(frame["period"])
        total = frame["total"].to_numpy(dtype=float, na_value=np.nan)
        position = self.positions(frame["project_id"])
        keep = (days <= self.as_of_day)[period_codes] & ~np.isnan(total) & (position >= 0)
        position, total = position[keep], total[keep]
        month = _month_numbers(days)[period_codes[keep]]
        order = np.lexsort((month, position))
        position, month, total = position[order], month[order], total[order]
        latest = np.flatnonzero(np.roll(_first_of_runs(position), -1))  # the last of each project's run
        has_previous = latest[(latest > 0) & (position[latest - 1] == position[latest])]
        result = _Scored(np.full(self.count, np.nan), np.full(self.count, _NO_MONTH),
                         np.full(self.count, np.nan), np.full(self.count, _NO_MONTH))
        result.total[position[latest]] = total[latest]
        result.month[position[latest]] = month[latest]
        result.previous_total[position[has_previous]] = total[has_previous - 1]
        result.previous_month[position[has_previous]] = month[has_previous - 1]
        return result

    def risk_percent(self, target: str) -> np.ndarray:
        """Per project, the predicted probability of ``target`` in percent (NaN without a prediction)."""
        column = f"p_{target}"
        frame = _require(self._risks, "risks", ("project_id", column))
        chances = pd.Series(frame[column].to_numpy(dtype=float, na_value=np.nan), index=frame["project_id"])
        return chances.reindex(self.project_index).to_numpy(dtype=float) * 100.0

    @cached_property
    def open_milestones(self) -> _OpenMilestones:
        frame = _require(self._milestones, "milestones",
                         ("id", "project_id", "planned_end", "actual_end", "percent_complete"))
        end_codes, end_days = _day_codes(frame["planned_end"])
        planned_end = end_days[end_codes]
        percent = frame["percent_complete"].to_numpy(dtype=float, na_value=np.nan)
        position = self.positions(frame["project_id"])
        unfinished = (frame["actual_end"].isna().to_numpy() & ~(percent >= 100) & ~np.isnat(planned_end)
                      & (position >= 0))
        return _OpenMilestones(position[unfinished], frame["id"].to_numpy(dtype=np.int64)[unfinished],
                               (self.as_of_day - planned_end[unfinished]).astype(np.int64),
                               planned_end[unfinished], percent[unfinished])


# --- array helpers -------------------------------------------------------------------------------------------

def _tolerance(limit: np.ndarray | float) -> np.ndarray | float:
    return BOUNDARY_TOLERANCE * np.maximum(1.0, np.abs(limit))


def _exceeds(values: np.ndarray, limit: np.ndarray | float) -> np.ndarray:
    """values > limit beyond float noise; NaN never exceeds."""
    return values > limit + _tolerance(limit)


def _falls_below(values: np.ndarray, limit: np.ndarray | float) -> np.ndarray:
    """values < limit beyond float noise; NaN never falls below."""
    return values < limit - _tolerance(limit)


def _last_column(mask: np.ndarray) -> np.ndarray:
    """Per row, the last column where mask is true (the last column when none is)."""
    return mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)


def _first_of_runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal keys."""
    first = np.ones(sorted_keys.size, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return first


def _at(grid: np.ndarray, column: np.ndarray) -> np.ndarray:
    return grid[np.arange(grid.shape[0]), column]


def _trailing_run(stops: np.ndarray, end: np.ndarray, *, counted: np.ndarray | None = None,
                  breaks_before: np.ndarray | None = None) -> np.ndarray:
    """Per row, how many counted cells lie between the last stop (or break) and column ``end``, inclusive.

    ``stops`` marks cells that end a run; ``breaks_before`` marks columns
    whose run cannot continue from the column before (a calendar gap);
    ``counted`` marks the cells that count (default: all).
    """
    columns = np.arange(stops.shape[1])
    reset = np.where(stops, columns, -1)
    if breaks_before is not None:
        reset = np.maximum(reset, np.where(breaks_before, columns - 1, -1))
    last_reset = _at(np.maximum.accumulate(reset, axis=1), end)
    if counted is None:
        return end - last_reset
    running = np.concatenate([np.zeros((stops.shape[0], 1), dtype=np.int64), np.cumsum(counted, axis=1)], axis=1)
    return _at(running, end + 1) - _at(running, last_reset + 1)


# --- the rule types ----------------------------------------------------------------------------------------------

@dataclass
class _Verdict:
    """Per project (arrays over the projects frame): whether the full and the relaxed condition hold, and why."""

    full: np.ndarray
    relaxed: np.ndarray
    value: np.ndarray
    threshold: np.ndarray | float
    periods: np.ndarray | int
    month: np.ndarray | None  # months since 1970-01, None when the rule has no data period
    detail: dict[str, np.ndarray]


def _budget_overrun(inputs: _Inputs, params: Mapping[str, Any]) -> _Verdict:
    spend, plan = inputs.grid("SPEND_CUM"), inputs.grid("SPEND_PLAN")
    latest = _last_column(~np.isnan(spend) & ~np.isnan(plan))
    spend, plan = _at(spend, latest), _at(plan, latest)  # NaN for projects without both: nothing fires
    with np.errstate(divide="ignore", invalid="ignore"):
        overrun = np.where(plan > 0, (spend - plan) / plan * 100.0, np.nan)
    budget = inputs.project_values("budget")
    over_budget = (budget > 0) & _exceeds(spend * CNY_PER_SPEND_UNIT, budget)
    pct = params["pct"]
    return _Verdict(
        full=_exceeds(overrun, pct) | over_budget,
        relaxed=_exceeds(overrun, pct - params["recovery_margin"]) | over_budget,
        value=overrun, threshold=pct, periods=1, month=inputs.months_at(latest),
        detail={"spend": spend, "plan": plan, "budget": budget, "over_budget": over_budget},
    )


def _progress_lag(inputs: _Inputs, params: Mapping[str, Any]) -> _Verdict:
    plan, actual = inputs.grid("PROG_PLAN"), inputs.grid("PROG_ACTUAL")
    lag = plan - actual
    latest = _last_column(~np.isnan(lag))
    points, relaxed_points = params["points"], params["points"] - params["recovery_margin"]
    full_run = _trailing_run(~_exceeds(lag, points), latest, breaks_before=inputs.month_gaps)
    relaxed_run = _trailing_run(~_exceeds(lag, relaxed_points), latest, breaks_before=inputs.month_gaps)
    latest_lag = _at(lag, latest)
    full = full_run >= params["periods"]
    return _Verdict(
        full=full, relaxed=_exceeds(latest_lag, relaxed_points),
        value=latest_lag, threshold=points, periods=np.where(full, full_run, relaxed_run),
        month=inputs.months_at(latest),
        detail={"plan": _at(plan, latest), "actual": _at(actual, latest)},
    )


def _breaks_threshold(values: np.ndarray, params: Mapping[str, Any], margin: float) -> np.ndarray:
    if params["below"] is not None:
        return _falls_below(values, params["below"] + margin)
    if params["above"] is not None:
        return _exceeds(values, params["above"] - margin)
    return _falls_below(values, params["lower"] + margin) | _exceeds(values, params["upper"] - margin)


def _indicator_threshold(inputs: _Inputs, params: Mapping[str, Any]) -> _Verdict:
    values = inputs.grid(params["indicator"])
    reported = ~np.isnan(values)
    latest = _last_column(reported)
    margin = params["recovery_margin"]
    full_run = _trailing_run(reported & ~_breaks_threshold(values, params, 0.0), latest, counted=reported)
    relaxed_run = _trailing_run(reported & ~_breaks_threshold(values, params, margin), latest, counted=reported)
    latest_value = _at(values, latest)
    if params["below"] is not None or params["above"] is not None:
        threshold = params["below"] if params["below"] is not None else params["above"]
    else:
        threshold = np.where(latest_value < (params["lower"] + params["upper"]) / 2, params["lower"], params["upper"])
    full = full_run >= params["periods"]
    return _Verdict(
        full=full, relaxed=_breaks_threshold(latest_value, params, margin),
        value=latest_value, threshold=threshold, periods=np.where(full, full_run, relaxed_run),
        month=inputs.months_at(latest), detail={"indicator": np.full(inputs.count, params["indicator"], object)},
    )


def _milestone_overdue(inputs: _Inputs, params: Mapping[str, Any]) -> _Verdict:
    milestones = inputs.open_milestones
    late = np.flatnonzero(milestones.days_overdue > params["days"])
    late = late[np.lexsort((milestones.milestone_id[late], -milestones.days_overdue[late],
                            milestones.position[late]))]  # per project: most days overdue, then lowest id
    position = milestones.position[late]
    worst = late[_first_of_runs(position)]
    at = milestones.position[worst]
    days, milestone_id = np.full(inputs.count, np.nan), np.zeros(inputs.count, dtype=np.int64)
    planned_end, percent = np.full(inputs.count, np.datetime64("NaT", "D")), np.full(inputs.count, np.nan)
    days[at], milestone_id[at] = milestones.days_overdue[worst], milestones.milestone_id[worst]
    planned_end[at], percent[at] = milestones.planned_end[worst], milestones.percent_complete[worst]
    count = np.bincount(position, minlength=inputs.count)
    return _Verdict(
        full=count > 0, relaxed=count > 0, value=days, threshold=params["days"], periods=1, month=None,
        detail={"milestone_id": milestone_id, "planned_end": planned_end, "percent_complete": percent,
                "overdue_milestones": count},
    )


def _score_drop(inputs: _Inputs, params: Mapping[str, Any]) -> _Verdict:
    scored = inputs.scored
    drop = scored.previous_total - scored.total
    fires = _exceeds(drop, params["points"])
    return _Verdict(
        full=fires, relaxed=fires, value=drop, threshold=params["points"], periods=1, month=scored.month,
        detail={"total": scored.total, "previous_total": scored.previous_total,
                "previous_period": scored.previous_month.view("datetime64[M]")},
    )


def _missing_report(inputs: _Inputs, params: Mapping[str, Any]) -> _Verdict:
    observed = inputs.observed
    window = params["periods"]
    window_end = inputs.as_of_month - (0 if params["include_current_month"] else 1)
    if params["indicator"] is not None:
        reports = observed.code == inputs.code_number(params["indicator"])
    else:
        reports = ~np.isin(observed.code, [inputs.code_number(code) for code in params["exclude_indicators"]])
    reports = np.flatnonzero(reports & observed.usable & (observed.period_month <= window_end)[observed.period])
    last_report = np.full(inputs.count, _NO_MONTH)
    np.maximum.at(last_report, observed.position[reports], observed.period_month[observed.period[reports]])
    start = inputs.start_months
    unbounded = (last_report == _NO_MONTH) & (start == _NO_MONTH)  # never reported, start unknown: count the window
    first_missing = np.where(unbounded, window_end - window + 1, np.maximum(last_report + 1, start))
    missing = np.maximum(window_end - first_missing + 1, 0)
    fires = missing >= window
    return _Verdict(
        full=fires, relaxed=fires, value=missing.astype(float), threshold=window, periods=missing, month=None,
        detail={"last_report": last_report.view("datetime64[M]"),
                "window_start": np.full(inputs.count, np.datetime64(window_end - window + 1, "M")),
                "window_end": np.full(inputs.count, np.datetime64(window_end, "M"))},
    )


def _risk_above(inputs: _Inputs, params: Mapping[str, Any]) -> _Verdict:
    chance = inputs.risk_percent(params["target"])
    pct = params["pct"]
    return _Verdict(
        full=_exceeds(chance, pct), relaxed=_exceeds(chance, pct - params["recovery_margin"]),
        value=chance, threshold=pct, periods=1, month=None,
        detail={"target": np.full(inputs.count, params["target"], object)},
    )


_RULE_TYPES: dict[str, Callable[[_Inputs, Mapping[str, Any]], _Verdict]] = {
    "budget_overrun": _budget_overrun,
    "progress_lag": _progress_lag,
    "milestone_overdue": _milestone_overdue,
    "indicator_threshold": _indicator_threshold,
    "score_drop": _score_drop,
    "missing_report": _missing_report,
    "risk_above": _risk_above,
}


# --- findings ----------------------------------------------------------------------------------------------

def _json_values(values: np.ndarray) -> np.ndarray:
    """Python scalars for a JSON column: floats with None for NaN, ISO dates with None for NaT."""
    if values.dtype.kind == "M":
        text = np.datetime_as_string(values, unit="D").astype(object)
        text[np.isnat(values)] = None
        return text
    plain = values.astype(object)
    if values.dtype.kind == "f":
        plain[np.isnan(values)] = None
    return plain


def _picked(values: np.ndarray | float | int, rows: np.ndarray) -> np.ndarray:
    return np.asarray(values)[rows] if np.ndim(values) else np.full(rows.size, values)


def _findings(rule: Rule, inputs: _Inputs, verdict: _Verdict, fires: np.ndarray, held_open: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(fires)
    detail = {name: _json_values(values[rows]) for name, values in verdict.detail.items()}
    if "recovery_margin" in rule.params:
        detail["held_open"] = _json_values(held_open[rows])
    month = np.full(rows.size, _NO_MONTH) if verdict.month is None else verdict.month[rows]
    return pd.DataFrame({
        "rule_id": [rule.id] * rows.size,
        "project_id": inputs.project_ids[rows],
        "rule_type": rule.rule_type,
        "severity": rule.severity,
        "value": verdict.value[rows].astype(float),
        "threshold": _picked(verdict.threshold, rows).astype(float),
        "periods": _picked(verdict.periods, rows).astype(np.int64),
        "period": month.view("datetime64[M]").astype("datetime64[us]"),
        "detail": [dict(zip(detail, values, strict=True)) for values in zip(*detail.values(), strict=True)],
    })


def _open_pairs(open_alerts: AlertPairs) -> pd.DataFrame:
    if isinstance(open_alerts, pd.DataFrame):
        return _require(open_alerts, "open_alerts", ("rule_id", "project_id"))[["rule_id", "project_id"]]
    return pd.DataFrame(list(open_alerts), columns=["rule_id", "project_id"])


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame({
        "rule_id": pd.Series(dtype=object), "project_id": pd.Series(dtype=np.int64),
        "rule_type": pd.Series(dtype=str), "severity": pd.Series(dtype=str),
        "value": pd.Series(dtype=float), "threshold": pd.Series(dtype=float),
        "periods": pd.Series(dtype=np.int64), "period": pd.Series(dtype="datetime64[us]"),
        "detail": pd.Series(dtype=object),
    })


def evaluate(rules: Iterable[Rule], *, projects: pd.DataFrame, as_of: dt.date,
             observations: pd.DataFrame | None = None, milestones: pd.DataFrame | None = None,
             scores: pd.DataFrame | None = None, risks: pd.DataFrame | None = None,
             open_alerts: AlertPairs = ()) -> pd.DataFrame:
    """The findings of every rule at ``as_of``: one row per (rule, project) that fires.

    Inputs are the data layer's frames (see the module docstring for what
    each rule reads); ``observations``, ``milestones``, ``scores`` and
    ``risks`` (the predictions) are only needed by the rules that read them. Only observations and scores with
    period ≤ as_of count. ``open_alerts`` are the (rule_id, project_id) pairs
    open before this evaluation — pairs or a frame with those columns — and
    get the relaxed condition (hysteresis, see the module docstring).

    Columns: ``rule_id``, ``project_id``, ``rule_type``, ``severity``,
    ``value`` (overrun %, lag points, days overdue, indicator value, score
    drop, months without report or predicted probability in %),
    ``threshold``, ``periods`` (length of the run that fired; 1 for rules
    without runs), ``period`` (the data month the finding rests on; NaT for
    milestone_overdue, missing_report and risk_above) and
    ``detail`` (a JSON-able dict for the message; ``held_open`` tells whether
    only the relaxed condition holds). Sorted by rule_id, project_id.

    >>> projects = pd.DataFrame({"id": [1, 2], "status": ["active", "active"], "budget": [9e6, 9e6]})
    >>> observations = pd.DataFrame({
    ...     "project_id": [1, 1, 2, 2], "indicator_code": ["SPEND_CUM", "SPEND_PLAN"] * 2,
    ...     "period": pd.to_datetime(["2026-04-01"] * 4), "value": [110.0, 100.0, 110.01, 100.0]})
    >>> found = evaluate([Rule("r1", "budget_overrun", "red")], projects=projects, observations=observations,
    ...                  as_of=dt.date(2026, 5, 10))
    >>> found[["rule_id", "project_id", "threshold", "periods", "period"]]
      rule_id  project_id  threshold  periods     period
    0      r1           2       10.0        1 2026-04-01
    >>> found["value"].round(6).tolist()
    [10.01]
    >>> found.at[0, "detail"]
    {'spend': 110.01, 'plan': 100.0, 'budget': 9000000.0, 'over_budget': False, 'held_open': False}
    """
    rules = list(rules)
    duplicated = pd.Index([rule.id for rule in rules]).duplicated()
    if duplicated.any():
        raise ValueError(f"rule ids must be unique; repeated: {rules[int(np.argmax(duplicated))].id!r}")
    inputs = _Inputs(projects=projects, as_of=as_of, observations=observations, milestones=milestones,
                     scores=scores, risks=risks)
    open_pairs = _open_pairs(open_alerts)
    found = []
    for rule in rules:
        eligible = inputs.in_scope(rule) & inputs.status_in(_EVALUATED_STATUSES[rule.rule_type])
        held = np.isin(inputs.project_ids, open_pairs["project_id"][open_pairs["rule_id"] == rule.id].to_numpy())
        verdict = _RULE_TYPES[rule.rule_type](inputs, rule.params)
        fires = eligible & np.where(held, verdict.relaxed, verdict.full)
        if fires.any():
            found.append(_findings(rule, inputs, verdict, fires, held & ~verdict.full))
    if not found:
        return _empty_findings()
    return pd.concat(found, ignore_index=True).sort_values(["rule_id", "project_id"], kind="stable",
                                                          ignore_index=True)


class Reconciliation(NamedTuple):
    """What the data layer should do with its alerts after an evaluation."""

    to_open: pd.DataFrame  # findings without an open alert: open one
    to_keep: pd.DataFrame  # findings whose alert is open: keep it, refresh value and detail
    to_close: pd.DataFrame  # rule_id, project_id of open alerts of the evaluated rules that no longer fire


def reconcile(findings: pd.DataFrame, open_alerts: AlertPairs, *, rule_ids: Iterable[Hashable]) -> Reconciliation:
    """Split findings against the alerts open before the evaluation (pure set logic).

    ``rule_ids`` are the rules that were evaluated: open alerts of other
    rules are left alone, never closed for lack of findings. Whether a
    closed alert may reopen is the data layer's decision; ``to_open`` just
    lists the pairs that fire without an open alert.

    >>> findings = pd.DataFrame({"rule_id": [1, 1], "project_id": [10, 11]})
    >>> plan = reconcile(findings, [(1, 11), (1, 12), (2, 13)], rule_ids=[1])
    >>> plan.to_open.project_id.tolist(), plan.to_keep.project_id.tolist(), plan.to_close.values.tolist()
    ([10], [11], [[1, 12]])
    """
    open_pairs = _open_pairs(open_alerts).drop_duplicates()
    found = pd.MultiIndex.from_frame(findings[["rule_id", "project_id"]])
    opened = pd.MultiIndex.from_frame(open_pairs)
    already_open = found.isin(opened)
    closing = open_pairs["rule_id"].isin(list(rule_ids)).to_numpy() & ~opened.isin(found)
    return Reconciliation(findings[~already_open], findings[already_open],
                          open_pairs[closing].reset_index(drop=True))
