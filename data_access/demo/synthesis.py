"""Deterministic demo data, computed in memory: real places, plausible projects, monthly observations with a story.

Everything is drawn from one numpy generator seeded by ``seed`` and computed as arrays (projects ×
indicators × months), so 5,000 projects × 30 indicators × 36 months take seconds to compute. Each
indicator's values come from its ``kind`` in :data:`data_access.demo.series.SERIES`. No database here:
:mod:`data_access.demo.generator` writes the result.

Most projects follow their plan; a minority slip (progress falls further behind each month), overrun
their budget, recover after a dip, or stop reporting, so warnings and rankings have something to show.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Any

import numpy as np

from data_access.audit import canonical_json
from data_access.demo import cases, notes, rounds
from data_access.demo.library import (
    CATEGORIES,
    CATEGORY_DEPARTMENT,
    DEPARTMENTS,
    DIMENSION_WEIGHTS,
    DIMENSIONS,
    GROUPS,
    INDICATORS,
    MILESTONE_NAMES,
    NAME_KINDS,
    NAME_THEMES,
)
from data_access.demo.places import CATEGORY_MIX, OFFICIAL_HANDLES, PLACES, URBAN_CORES, Place
from data_access.demo.series import SERIES, Curves
from data_access.demo.site_photos import site_photo
from data_access.ratings import (
    DEFAULT_CRITERIA,
    RATEABLE_STATUSES,
    Criterion,
    RateeFacts,
    RaterPlanner,
    district_path,
    with_expert_group,
)
from scoring.allocation import DEFAULT_RULES
from scoring.checkin import CHINA_TIME, PhotoFacts, check_in, report_window
from scoring.geo import EARTH_RADIUS_KM
from scoring.periods import add_months, first_of_month, from_month_index, month_index, recent_months

PROFILES = np.array(["on_track", "slipping", "overrun", "recovering", "silent"])
PROFILE_ODDS = np.array([0.66, 0.12, 0.10, 0.07, 0.05])
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN_NAMES = ("伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇",
               "军", "杰", "娟", "涛", "明", "超", "霞", "平", "刚")
PLACES_BY_CODE = {place.code: place for place in PLACES}
# The demo's site photos are checked with the settings' defaults (PERFDASH_REPORT_DUE_DAY, _CHECKIN_DISTANCE_M).
DEMO_DUE_DAY, DEMO_CHECKIN_DISTANCE_M = 5, 1000


def dates_from_month_index(values: np.ndarray) -> list[dt.date]:
    """Month indices (:func:`scoring.periods.month_index`, fractional part = share of the month) to calendar dates."""
    whole = np.floor(values).astype(int)
    days = np.clip(np.round((values - whole) * 28).astype(int) + 1, 1, 28)
    return [from_month_index(int(w)).replace(day=int(d)) for w, d in zip(whole, days, strict=False)]


def _s_curve(x: np.ndarray) -> np.ndarray:
    """Smoothstep: slow start, fast middle, slow finish, as construction progress usually goes."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def offset_point(lat: float, lon: float, distance_km: np.ndarray, bearing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points at ``distance_km`` along ``bearing`` (radians) from (lat, lon), on a sphere."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    angular = distance_km / EARTH_RADIUS_KM
    lat2 = np.arcsin(np.sin(lat1) * np.cos(angular) + np.cos(lat1) * np.sin(angular) * np.cos(bearing))
    lon2 = lon1 + np.arctan2(np.sin(bearing) * np.sin(angular) * np.cos(lat1),
                             np.cos(angular) - np.sin(lat1) * np.sin(lat2))
    return np.degrees(lat2), np.degrees(lon2)


def draw_places(rng: np.random.Generator, n: int) -> tuple[list[Place], list[str], dict[str, str]]:
    """``n`` project sites (leaf places, urban cores twice as likely, streets less) with a category each from
    its city's profile, and each leaf place's city code."""
    leaf_places = [p for p in PLACES if p.level != "city" and not any(q.parent == p.code for q in PLACES)]
    city_of = {p.code: (p.parent if PLACES_BY_CODE[p.parent].level == "city" else PLACES_BY_CODE[p.parent].parent)
               for p in leaf_places}
    place_odds = np.array([(2.0 if p.code in URBAN_CORES else 1.0)
                           * (0.35 if p.level == "street" else 1.0) for p in leaf_places])
    place_index = rng.choice(len(leaf_places), size=n, p=place_odds / place_odds.sum())
    places = [leaf_places[i] for i in place_index]
    category_codes = [c for c, _, _ in CATEGORIES]
    categories = []
    for place in places:
        mix = CATEGORY_MIX[city_of[place.code]]
        odds = np.array([mix.get(c, 0.0) for c in category_codes])
        categories.append(category_codes[rng.choice(len(category_codes), p=odds / odds.sum())])
    return places, categories, city_of


class DemoData:
    """Every table's rows (``tables``) and the observations as columns (``observations``), with the state
    the steps share while they build them (``p``: per-project draws)."""

    def __init__(self, projects: int, months: int, seed: int, until: dt.date, dense: bool,
                 password_hash: str) -> None:
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.password_hash = password_hash
        self.n_projects, self.n_months, self.dense = projects, months, dense
        self.until = first_of_month(until)
        self.periods = recent_months(self.until, months)[::-1]
        self.t_last = month_index(self.until)
        self.t_first = self.t_last - months + 1
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}  # site photos' bytes by sha256, for the upload folder

    # -- reference data --------------------------------------------------------------------------
    def reference(self) -> None:
        ids = {place.code: i + 1 for i, place in enumerate(PLACES)}
        paths: dict[str, str] = {}
        for place in PLACES:
            paths[place.code] = (paths[place.parent] if place.parent else "/") + f"{ids[place.code]}/"
        self.region_ids, self.region_paths = ids, paths
        self.tables["regions"] = [
            {"id": ids[p.code], "code": p.code, "parent_id": ids.get(p.parent) if p.parent else None,
             "level": p.level, "path": paths[p.code], "name_zh": p.name_zh, "name_en": p.name_en, "lat": p.lat,
             "lon": p.lon, "radius_km": p.radius_km}
            for p in PLACES
        ]
        self.category_ids = {code: i + 1 for i, (code, _, _) in enumerate(CATEGORIES)}
        self.tables["categories"] = [{"id": i + 1, "code": c, "name_zh": zh, "name_en": en}
                                     for i, (c, zh, en) in enumerate(CATEGORIES)]
        cities = [p for p in PLACES if p.level == "city"]
        self.department_ids: dict[tuple[str, str], int] = {}
        rows = []
        for city in cities:
            for code, zh, en in DEPARTMENTS:
                self.department_ids[(city.code, code)] = len(rows) + 1
                rows.append({"id": len(rows) + 1, "region_id": ids[city.code], "code": code,
                             "name_zh": city.name_zh + zh, "name_en": f"{city.name_en} {en}"})
        self.tables["departments"] = rows
        self._indicators()

    def _indicators(self) -> None:
        rows, ids = [], {}
        grouping = {"unit_zh": "", "unit_en": "", "direction": "higher", "band_lower": None, "band_upper": None,
                    "period_rollup": "last", "scored": True, "category_id": None, "normalization": "target"}
        for code, zh, en in DIMENSIONS:
            ids[code] = len(rows) + 1
            rows.append({"id": ids[code], "code": f"DIM_{code.upper()}", "parent_id": None, "level": 1,
                         "name_zh": zh, "name_en": en, "dimension": code, "default_weight": DIMENSION_WEIGHTS[code],
                         **grouping})
        for code, dimension, zh, en in GROUPS:
            ids[code] = len(rows) + 1
            rows.append({"id": ids[code], "code": code, "parent_id": ids[dimension], "level": 2, "name_zh": zh,
                         "name_en": en, "dimension": dimension, "default_weight": 1.0, **grouping})
        dimension_of = {code: dimension for code, dimension, _, _ in GROUPS}
        for spec in INDICATORS:
            ids[spec.code] = len(rows) + 1
            rows.append({
                "id": ids[spec.code], "code": spec.code, "parent_id": ids[spec.group], "level": 3,
                "name_zh": spec.name_zh, "name_en": spec.name_en, "dimension": dimension_of[spec.group],
                "unit_zh": spec.unit_zh, "unit_en": spec.unit_en, "direction": spec.direction,
                "band_lower": spec.band[0] if spec.band else None, "band_upper": spec.band[1] if spec.band else None,
                "default_weight": float(spec.weight), "period_rollup": spec.rollup, "scored": spec.scored,
                "category_id": self.category_ids[spec.category] if spec.category else None,
                "normalization": "band" if spec.direction == "band" else "target",
            })
        self.indicator_ids = ids
        self.tables["indicators"] = [{**row, "sort_order": row["id"]} for row in rows]  # as migration 0005 does
        # What a new project of each category gets: its scored KPIs, default weights and typical targets.
        self.tables["category_template_items"] = [
            {"id": k + 1, "category_id": category_id, "indicator_id": ids[spec.code], "weight": float(spec.weight),
             "target_value": float(spec.target)}
            for k, (category_id, spec) in enumerate(
                (category_id, spec) for code, category_id in self.category_ids.items() for spec in INDICATORS
                if spec.scored and spec.category in (None, code))
        ]

    def users(self) -> None:
        password_hash = self.password_hash
        rows: list[dict[str, Any]] = []

        def add(username: str, display: str, role: str, region: str | None = None, active: bool = True) -> int:
            rows.append({"id": len(rows) + 1, "username": username, "display_name": display, "role": role,
                         "region_id": self.region_ids[region] if region else None, "password_hash": password_hash,
                         "email": f"{username}@perfdash.example", "is_active": active, "language": "zh"})
            return len(rows)

        add("admin", "系统管理员", "admin")
        self.leader_id = add("leader", "张敏（市领导）", "leader")
        add("analyst", "李娜（绩效分析）", "analyst")
        add("auditor", "王强（审计）", "auditor")
        self.official_ids: dict[str, int] = {}
        for place in PLACES:
            if place.code in OFFICIAL_HANDLES:
                self.official_ids[place.code] = add(f"official_{OFFICIAL_HANDLES[place.code]}",
                                                    f"{place.name_zh}督查专员", "district_official", place.code)
        self.manager_ids: dict[str, list[int]] = {}
        names = iter(f"{s}{g}" for g in GIVEN_NAMES for s in SURNAMES)
        for place in PLACES:
            if place.level == "city":
                handle = place.name_en.lower()
                self.manager_ids[place.code] = [add(f"pm_{handle}{k}", f"{next(names)}（项目经理）", "project_manager")
                                                for k in (1, 2)]
        # expert06 has retired: their past ratings stay, they can no longer log in.
        self.expert_ids = [add(f"expert{k:02d}", f"{next(names)}（评审专家）", "expert", active=k < 6)
                           for k in range(1, 7)]
        self.tables["users"] = rows

    # -- projects ----------------------------------------------------------------------------------
    def projects(self) -> None:
        rng, n = self.rng, self.n_projects
        places, categories, city_of = draw_places(rng, n)
        distance = np.array([p.inner_km for p in places]) * np.sqrt(rng.uniform(0, 0.85 ** 2, n))
        lat, lon = offset_point(np.array([p.lat for p in places]), np.array([p.lon for p in places]), distance,
                                rng.uniform(0, 2 * np.pi, n))
        profile = PROFILES[rng.choice(len(PROFILES), size=n, p=PROFILE_ODDS)]
        historical = rng.uniform(size=n) < 0.18
        if self.dense:
            historical[:] = False
            planned_start = self.t_first - rng.uniform(0, 6, n)
            duration = self.n_months + 6 + rng.uniform(0, 12, n)
        else:
            planned_start = np.where(historical, rng.uniform(self.t_first - 10, self.t_first + 4, n),
                                     rng.uniform(self.t_last - 20, self.t_last + 3, n))
            duration = np.where(historical, rng.uniform(8, 16, n), rng.uniform(14, 40, n))
        final_delay = np.select(
            [profile == "slipping", profile == "overrun", historical], [rng.uniform(3, 9, n), rng.uniform(0, 3, n),
                                                                        rng.uniform(-0.5, 2, n)],
            rng.uniform(-0.6, 0.6, n))
        actual_start = planned_start + np.where(profile == "on_track", rng.uniform(-0.2, 0.3, n),
                                                rng.uniform(0, 1.0, n))
        actual_end = actual_start + duration + final_delay
        window_end = self.t_last + 1.0
        status = np.where(planned_start > window_end, "planned",
                          np.where(actual_end <= window_end, "completed", "active")).astype(object)
        if self.dense:
            status[:] = "active"
        suspended = (status == "active") & (rng.uniform(size=n) < 0.03)
        status[suspended] = "suspended"
        suspension_start = np.clip(actual_start, self.t_first, window_end)
        self.suspended_at = np.where(suspended, rng.uniform(suspension_start, window_end), np.inf)
        perf = rng.beta(5, 2, n) - np.where(profile == "slipping", 0.2, 0.0)
        self.p = {
            "place": places, "category": categories, "profile": profile, "perf": np.clip(perf, 0.05, 0.98),
            "planned_start": planned_start, "planned_end": planned_start + duration, "actual_start": actual_start,
            "actual_end": actual_end, "final_delay": final_delay, "status": status,
            "size": rng.lognormal(0.0, 0.5, n), "city": [city_of[p.code] for p in places],
            "overrun": np.where(profile == "overrun", rng.uniform(0.12, 0.35, n), rng.normal(0, 0.02, n)),
            "silent_months": np.where(profile == "silent", rng.integers(2, 5, n), 0),
        }
        budget_wan = np.round(rng.lognormal(np.log(8000), 0.9, n) * (1 + self.p["size"]) / 2, 0)
        self.p["budget_wan"] = budget_wan
        counters: dict[tuple[str, str], int] = {}
        rows = []
        for i in range(n):
            place, category = places[i], categories[i]
            themes = NAME_THEMES[category]
            theme = themes[int(rng.integers(len(themes)))]
            kind = NAME_KINDS[category]
            counters[(place.code, theme[0])] = phase = counters.get((place.code, theme[0]), 0) + 1
            short_zh = place.name_zh.removesuffix("街道")
            short_en = place.name_en.replace(" District", "").replace(" County", "").replace(" Subdistrict", "")
            rows.append({
                "id": i + 1, "code": f"P{place.code[:6]}-{i + 1:05d}",
                "name_zh": f"{short_zh}{theme[0]}{kind[0]}" + (f"（{phase}期）" if phase > 1 else ""),
                "name_en": f"{short_en} {theme[1].lower()} {kind[1]}" + (f" (phase {phase})" if phase > 1 else ""),
                "category_id": self.category_ids[category], "region_id": self.region_ids[place.code],
                "department_id": self.department_ids[(city_of[place.code], CATEGORY_DEPARTMENT[category])],
                "manager_id": self.manager_ids[city_of[place.code]][i % 2],
                "lat": round(float(lat[i]), 6), "lon": round(float(lon[i]), 6),
                "budget": f"{budget_wan[i] * 10000:.2f}", "status": status[i], "version": 1,
            })
        dates = {key: dates_from_month_index(self.p[key]) for key in
                 ("planned_start", "planned_end", "actual_start", "actual_end")}
        for i, row in enumerate(rows):
            row["planned_start"], row["planned_end"] = dates["planned_start"][i], dates["planned_end"][i]
            row["actual_start"] = dates["actual_start"][i] if row["status"] != "planned" else None
            row["actual_end"] = dates["actual_end"][i] if row["status"] == "completed" else None
        self.tables["projects"] = rows

    # -- time series -------------------------------------------------------------------------------
    def series(self) -> None:
        """Progress, spend and every indicator as (projects × months) arrays, then the observed subset."""
        rng, p, n, m = self.rng, self.p, self.n_projects, self.n_months
        tau = (self.t_first + np.arange(m) + 1.0)[None, :]  # end of each month
        span = (p["planned_end"] - p["planned_start"])[:, None]
        elapsed = np.clip((tau - p["actual_start"][:, None]) / span, 0, 1.2)
        delay = np.where((p["profile"] == "recovering")[:, None], 5.0 * np.sin(np.pi * np.clip(elapsed, 0, 1)),
                         p["final_delay"][:, None] * np.clip(elapsed, 0, 1))
        planned = 100 * _s_curve((tau - p["planned_start"][:, None]) / span)
        actual = 100 * _s_curve((tau - p["actual_start"][:, None] - delay) / span)
        actual = np.maximum.accumulate(np.clip(actual + rng.normal(0, 1.2, (n, m)), 0, 100), axis=1)
        done = tau >= p["actual_end"][:, None]
        actual = np.where(done, 100.0, np.minimum(actual, 99.5))
        started = tau > p["actual_start"][:, None]
        reporting = started & (tau - 1 < np.minimum(p["actual_end"], self.suspended_at)[:, None])
        silent_from = m - p["silent_months"]
        reporting &= np.arange(m)[None, :] < silent_from[:, None]
        reporting &= rng.uniform(size=(n, m)) > 0.02  # the odd missed report
        if self.dense:
            reporting[:] = True

        perf = p["perf"][:, None]
        overrun = 1 + p["overrun"][:, None] * np.clip(elapsed, 0, 1)
        budget = p["budget_wan"][:, None]
        spend_plan = budget * planned / 100
        spend_actual = budget * actual / 100 * overrun
        with np.errstate(divide="ignore", invalid="ignore"):
            # Ratios against a plan that has barely started are noise, not performance: report from 5 % on.
            budget_exec = np.where(planned > 5, spend_actual / spend_plan * 100, np.nan)
            progress_ratio = np.where(planned > 5, np.minimum(actual / planned * 100, 130), np.nan)
        size = p["size"][:, None]
        season = 1 + 0.25 * np.sin(2 * np.pi * (np.arange(m) % 12 - 3) / 12)[None, :]

        curves = Curves(actual=actual, planned=planned, progress_ratio=progress_ratio, spend_actual=spend_actual,
                        spend_plan=spend_plan, budget_exec=budget_exec, overrun=overrun, delay=delay, perf=perf,
                        size=size, season=season, budget_wan=p["budget_wan"], project_size=p["size"], rng=rng)
        values, targets = {}, {}
        for spec in INDICATORS:  # in library order: each kind takes its random draws in turn
            values[spec.code], targets[spec.code] = SERIES[spec.kind](curves, spec.target)

        applies = np.array([[spec.category is None or spec.category == category for spec in INDICATORS]
                            for category in p["category"]])
        if self.dense:
            applies[:] = True
        cube = np.stack([values[spec.code] for spec in INDICATORS], axis=1)  # projects × indicators × months
        observed = applies[:, :, None] & reporting[:, None, :] & np.isfinite(cube)
        project_idx, indicator_idx, month_idx = np.nonzero(observed)
        self.observations = {
            "project_id": project_idx + 1,
            "indicator_id": np.array([self.indicator_ids[s.code] for s in INDICATORS])[indicator_idx],
            "period": np.array(self.periods, dtype="datetime64[D]")[month_idx],
            "value": np.round(cube[project_idx, indicator_idx, month_idx], 3),
        }
        self.tables["project_targets"] = [
            {"project_id": i + 1, "indicator_id": self.indicator_ids[spec.code],
             "target_value": float(round(targets[spec.code][i], 2)),
             "baseline_value": 0.0 if spec.kind in {"stock", "stock_rate"} else None}
            for i in range(n) for j, spec in enumerate(INDICATORS) if applies[i, j] and spec.scored
        ]

    def milestones(self) -> None:
        p, rows = self.p, []
        now_index = self.t_last + 1.0
        for i in range(self.n_projects):
            count = 4 + (i % 3)
            names = MILESTONE_NAMES[:count - 1] + MILESTONE_NAMES[-1:]
            bounds = (p["planned_start"][i]
                      + (p["planned_end"][i] - p["planned_start"][i]) * np.linspace(0, 1, count + 1))
            shift = p["actual_start"][i] - p["planned_start"][i] + p["final_delay"][i] * np.linspace(0, 1, count + 1)
            if p["profile"][i] == "on_track":  # teams on track finish milestones on or a little before the date
                shift = np.minimum(shift, 0.0)
            actual_ends = bounds[1:] + shift[1:]
            starts, ends = dates_from_month_index(bounds[:-1]), dates_from_month_index(bounds[1:])
            actual_dates = dates_from_month_index(actual_ends)
            for k, (name_zh, name_en) in enumerate(names):
                finished = actual_ends[k] <= now_index and p["status"][i] != "planned"
                share = (now_index - (bounds[k] + shift[k])) / max(bounds[k + 1] - bounds[k], 0.1)
                rows.append({
                    "project_id": i + 1, "seq": k + 1, "name_zh": name_zh, "name_en": name_en,
                    "planned_start": starts[k], "planned_end": ends[k],
                    "actual_end": actual_dates[k] if finished else None,
                    "percent_complete": 100.0 if finished else float(np.clip(round(share * 100, 1), 0, 95)),
                    "owner_id": self.tables["projects"][i]["manager_id"],
                })
        self.tables["milestones"] = rows

    def ratings(self) -> None:
        """Rating rounds: each past quarter's ratings (quality, satisfaction by the leader, the manager, three
        officials of other districts and the experts) as a closed round with its results, then one open round."""
        rng, p = self.rng, self.p
        # the current month is the open round's even when it ends a quarter: a closed round on it would rate twice
        past_quarters = [d for d in self.periods if d.month in (3, 6, 9, 12) and d < self.until]
        quarter_ends = past_quarters[-(1 if self.dense else 2):]
        start_of_until = dt.datetime.combine(self.until, dt.time(8), tzinfo=dt.UTC)
        deadlines = {period: min(dt.datetime.combine(add_months(period, 1), dt.time(16), tzinfo=dt.UTC)
                                 + dt.timedelta(days=10), start_of_until) for period in quarter_ends}
        round_ids = {period: k + 1 for k, period in enumerate(quarter_ends)}
        officials = list(self.official_ids.values())
        rows = []
        for i in range(self.n_projects):
            if p["status"][i] == "planned":
                continue
            own_official = self.official_ids.get(p["place"][i].code) or self.official_ids.get(p["place"][i].parent)
            peers = [o for o in officials if o != own_official]
            for period in quarter_ends:
                for dimension in ("quality", "satisfaction"):
                    base = 58 + 36 * p["perf"][i]
                    panel = ([("superior", self.leader_id, 0.0),
                              ("self", self.tables["projects"][i]["manager_id"], 6.0)]
                             + [("peer", int(r), 0.0) for r in rng.choice(peers, 3, replace=False)]
                             + [("expert", e, float(b))
                                for e, b in zip(self.expert_ids, (-3, -1, 0, 1, 2, 4), strict=False)])
                    for rater_type, rater_id, bias in panel:
                        rows.append({"project_id": i + 1, "period": period, "dimension": dimension,
                                     "rater_type": rater_type, "rater_id": rater_id,
                                     "score": float(np.clip(round(base + bias + rng.normal(0, 4), 1), 0, 100)),
                                     "comment": None, "created_at": deadlines[period] - dt.timedelta(days=2),
                                     "round_id": round_ids[period], "updated_at": None})
        past_criteria = [Criterion("quality", "质量", "Quality", 0.5),
                         Criterion("satisfaction", "满意度", "Satisfaction", 0.5)]
        weights = with_expert_group(0.3)
        rounds_rows = [rounds.round_row(round_ids[period], period=period, criteria=past_criteria, group_weights=weights,
                                        created_at=min(dt.datetime.combine(add_months(period, 1), dt.time(8),
                                                                           tzinfo=dt.UTC),
                                                       deadlines[period] - dt.timedelta(days=3)),
                                        deadline=deadlines[period], closed=True, indicator_id=None)
                       for period in quarter_ends]
        assignments = rounds.assignment_rows(rows)
        results = [result for period in quarter_ends
                   for result in rounds.result_rows(round_ids[period], rows, assignments, past_criteria, weights,
                                                    deadlines[period])]
        self.tables["rating_rounds"], self.tables["rating_assignments"] = rounds_rows, assignments
        self.tables["ratings"], self.tables["rating_results"] = rows, results
        self.open_rating_round(len(quarter_ends) + 1)

    def open_rating_round(self, round_id: int) -> None:
        """The current quarter's round, open until ten days into next month, over every project of pm_kaifeng1
        and pm_xiangtan1 and a few of their colleagues', raters chosen as opening a round does; some have rated."""
        rng, p = np.random.default_rng([self.seed, 13]), self.p  # its own draws: later steps' stay as they were
        projects = self.tables["projects"]
        kaifeng, xiangtan = self.manager_ids["410200"], self.manager_ids["430300"]
        rateable = [i for i in range(self.n_projects) if p["status"][i] in RATEABLE_STATUSES]
        chosen = ([i for i in rateable if projects[i]["manager_id"] in (kaifeng[0], xiangtan[0])]
                  + [i for i in rateable if projects[i]["manager_id"] == kaifeng[1]][:6]
                  + [i for i in rateable if projects[i]["manager_id"] == xiangtan[1]][:6])
        chosen.sort()
        users = self.tables["users"]
        managers = {u["id"] for u in users if u["role"] == "project_manager" and u["is_active"]}
        places: dict[int, set[tuple[str, object]]] = {}
        for i, project in enumerate(projects):
            if project["manager_id"] in managers:
                places.setdefault(project["manager_id"], set()).update(
                    {("district", district_path(self.region_paths[p["place"][i].code], p["place"][i].level)),
                     ("category", project["category_id"])})
        planner = RaterPlanner(
            officials=[(u["id"], self.tables["regions"][u["region_id"] - 1]["path"]) for u in users
                       if u["role"] == "district_official" and u["is_active"]],
            leaders=[self.leader_id], active_ids={u["id"] for u in users if u["is_active"]}, manager_places=places)
        experts = [e for e in self.expert_ids if users[e - 1]["is_active"]]
        assignments = []
        for k, i in enumerate(chosen):
            facts = RateeFacts(code=projects[i]["code"], manager_id=projects[i]["manager_id"],
                               category_id=projects[i]["category_id"],
                               region_path=self.region_paths[p["place"][i].code], region_level=p["place"][i].level)
            panel = planner.raters(facts, [experts[k % len(experts)], experts[(k + 1) % len(experts)]], 2)
            assignments += [{"round_id": round_id, "project_id": i + 1, "rater_id": rater, "rater_type": rater_type}
                            for rater, rater_type in panel]
        created = dt.datetime.combine(self.until, dt.time(8), tzinfo=dt.UTC)
        deadline = dt.datetime.combine(add_months(self.until, 1), dt.time(16), tzinfo=dt.UTC) + dt.timedelta(days=10)
        self.tables["rating_rounds"].append(rounds.round_row(
            round_id, period=self.until, criteria=DEFAULT_CRITERIA, group_weights=with_expert_group(0.3),
            created_at=created, deadline=deadline, closed=False, indicator_id=self.indicator_ids["RESIDENT_SAT"]))
        self.tables["rating_assignments"] += assignments
        owed: dict[int, int] = {}
        for assignment in assignments:  # every rater rates every other project they were given; the rest is owed
            owed[assignment["rater_id"]] = seen = owed.get(assignment["rater_id"], 0) + 1
            if seen % 2:
                continue
            i = assignment["project_id"] - 1
            bias = 6.0 if assignment["rater_type"] == "self" else 0.0
            for criterion in DEFAULT_CRITERIA:
                self.tables["ratings"].append({
                    "project_id": i + 1, "period": self.until, "dimension": criterion.code,
                    "rater_type": assignment["rater_type"], "rater_id": assignment["rater_id"],
                    "score": float(np.clip(round(58 + 36 * p["perf"][i] + bias + rng.normal(0, 4), 1), 0, 100)),
                    "comment": None, "created_at": created + dt.timedelta(hours=1), "round_id": round_id,
                    "updated_at": None})

    def goals(self) -> None:
        year = str(self.until.year)
        rows: list[dict[str, Any]] = []
        project_task: dict[str, int] = {}

        optional = {"project_id": None, "owner_id": None, "target_value": None, "unit_zh": None, "indicator_id": None,
                    "baseline_value": None, "weight": 1.0, "due_date": dt.date(self.until.year, 12, 31)}

        def add(**fields: Any) -> int:
            rows.append({"id": len(rows) + 1, "period": year, **optional, **fields})
            return len(rows)

        for city in (pl for pl in PLACES if pl.level == "city"):
            city_goal = add(parent_id=None, level="city_goal", okr_type="objective",
                            region_id=self.region_ids[city.code],
                            title_zh=f"{year}年{city.name_zh}重点项目绩效全面提升",
                            title_en=f"{city.name_en}: raise key-project performance in {year}",
                            owner_id=self.leader_id)
            for district in (pl for pl in PLACES if pl.parent == city.code):
                project_task[district.code] = add(
                    parent_id=city_goal, level="district_task", okr_type="key_result",
                    region_id=self.region_ids[district.code], owner_id=self.official_ids.get(district.code),
                    title_zh=f"{district.name_zh}重点项目按期完成率不低于90%",
                    title_en=f"{district.name_en}: at least 90% of key projects on schedule",
                    target_value=90.0, unit_zh="%", indicator_id=self.indicator_ids["PROG_RATIO"])
        for i, project in enumerate(self.tables["projects"]):
            place = self.p["place"][i]
            district = place.code if place.code in project_task else place.parent
            target = add(parent_id=project_task[district], level="project_target", okr_type="objective",
                         region_id=project["region_id"], project_id=i + 1, owner_id=project["manager_id"],
                         title_zh=f"{project['name_zh']}按计划推进", title_en=f"{project['name_en']} on plan")
            add(parent_id=target, level="responsibility", okr_type="key_result", region_id=project["region_id"],
                project_id=i + 1, owner_id=project["manager_id"], title_zh="形象进度达到计划进度",
                title_en="Actual progress reaches planned progress", target_value=100.0, unit_zh="%",
                indicator_id=self.indicator_ids["PROG_RATIO"])
        self.tourism_okr(add, {code: rows[task - 1]["parent_id"] for code, task in project_task.items()})
        self.tables["goals"] = rows

    def tourism_okr(self, add: Any, city_goal_of: dict[str, int]) -> None:
        """The issue's example: the "visitors +15 %" objective of the district with the most culture and tourism
        projects, under its city goal, with two weighted key results linked to indicators."""
        tourism = [i for i, category in enumerate(self.p["category"]) if category == "culture_tourism"]
        district_of = [p.code if p.code in city_goal_of else p.parent for p in self.p["place"]]
        candidates = [code for code in city_goal_of if code in self.official_ids]
        if not tourism or not candidates:
            return
        district = max(candidates, key=lambda code: (sum(district_of[i] == code for i in tourism), code))
        facility = min((i for i in tourism if district_of[i] == district),
                       key=lambda i: (self.p["status"][i] != "active", i))  # one under way, if any
        year = self.until.year
        project = self.tables["projects"][facility]
        okr = add(parent_id=city_goal_of[district], level="district_task", okr_type="objective",
                  region_id=self.region_ids[district], owner_id=self.official_ids[district],
                  title_zh="游客人次同比增长15%", title_en="Visitors +15 % year on year", target_value=15.0,
                  baseline_value=0.0, unit_zh="%",
                  indicator_id=self.indicator_ids["VISITOR_GROWTH"])
        add(parent_id=okr, level="project_target", okr_type="key_result", region_id=project["region_id"],
            project_id=facility + 1, owner_id=project["manager_id"],
            title_zh="文旅设施改造完成90%", title_en="Facility upgrade 90 % complete", target_value=90.0,
            baseline_value=0.0, unit_zh="%", indicator_id=self.indicator_ids["PROG_ACTUAL"], weight=0.6,
            due_date=dt.date(year, 10, 31))
        add(parent_id=okr, level="project_target", okr_type="key_result", region_id=self.region_ids[district],
            owner_id=self.official_ids[district], title_zh="线上活动参与不少于5万人次",
            title_en="Online campaign: at least 50,000 participants", target_value=5.0, baseline_value=0.0,
            unit_zh="万人次", indicator_id=self.indicator_ids["ONLINE_PARTICIPANTS"], weight=0.4)

    def schemes(self) -> None:
        created = dt.datetime.combine(self.until, dt.time(8), tzinfo=dt.UTC)
        self.tables["weight_schemes"] = [
            {"id": 1, "name": "标准方案 Standard", "version": 1, "is_default": True, "created_by": 3,
             "created_at": created, "description": "默认维度与指标权重 / default dimension and indicator weights"},
            {"id": 2, "name": "均衡方案 Equal", "version": 1, "is_default": False, "created_by": 3,
             "created_at": created, "description": "各维度等权 / equal dimension weights"},
        ]
        items = []
        for scheme_id, equal in ((1, False), (2, True)):
            for code, _, _ in DIMENSIONS:
                items.append({"scheme_id": scheme_id, "dimension": code, "indicator_id": None,
                              "weight": 1 / len(DIMENSIONS) if equal else DIMENSION_WEIGHTS[code]})
            dimension_of = {code: dimension for code, dimension, _, _ in GROUPS}
            for spec in INDICATORS:
                if spec.scored:
                    items.append({"scheme_id": scheme_id, "dimension": dimension_of[spec.group],
                                  "indicator_id": self.indicator_ids[spec.code], "weight": float(spec.weight)})
        self.tables["weight_scheme_items"] = items
        self.tables["import_batches"] = [{
            "id": 1, "filename": "demo-seed", "source": "import", "uploaded_by": 3, "row_count": 0,
            "uploaded_at": created, "status": "applied", "errors": None}]

    def reports(self) -> None:
        """Monthly reports: Kaifeng's districts review them; accepted reports for the last three months of every
        third active project (one corrected once), and in 龙亭区 two waiting for review and one sent back.

        A report's values are the month's observations (the plan series excepted: they are set by officials).
        """
        kaifeng = {place.code for place in PLACES if place.parent == "410200" and place.level == "district"}
        for row in self.tables["regions"]:
            row["report_review"] = row["code"] in kaifeng
        plan_ids = {self.indicator_ids[code] for code in ("PROG_PLAN", "SPEND_PLAN")}
        observed: dict[tuple[int, dt.date], list[tuple[int, float]]] = {}
        noted = {self.indicator_ids[code]: code for code in ("PROG_ACTUAL", "PROG_PLAN", "SPEND_CUM", "FUND_ARRIVAL")}
        figures: dict[tuple[int, dt.date], dict[str, float]] = {}  # what the managers' notes quote
        obs = self.observations
        for project_id, indicator_id, period, value in zip(obs["project_id"].tolist(), obs["indicator_id"].tolist(),
                                                           obs["period"].tolist(), obs["value"].tolist(), strict=True):
            if indicator_id not in plan_ids:
                observed.setdefault((project_id, period), []).append((indicator_id, value))
            if indicator_id in noted:
                figures.setdefault((project_id, period), {})[noted[indicator_id]] = value
        latest = from_month_index(self.t_last - 1)  # the month reported on this month
        months = [from_month_index(self.t_last - k) for k in (3, 2, 1)]
        waiting = [i + 1 for i, place in enumerate(self.p["place"])
                   if place.code == "410202" and self.p["status"][i] == "active"][:3]
        reports: list[dict[str, Any]] = []
        values: list[dict[str, Any]] = []

        def add(project_id: int, period: dt.date, status: str, **fields: Any) -> None:
            project = self.tables["projects"][project_id - 1]
            place = self.p["place"][project_id - 1]
            district = place.code if place.level == "district" else place.parent
            submitted = dt.datetime.combine(from_month_index(month_index(period) + 1).replace(day=3), dt.time(9),
                                            tzinfo=dt.UTC)
            reviewed = submitted + dt.timedelta(days=1) if district in kaifeng else None
            reviewer = (self.official_ids.get(district, 1) if reviewed else None) if status != "submitted" else None
            spend = [figures.get((project_id, from_month_index(month_index(period) - k)), {}).get("SPEND_CUM")
                     for k in (0, 1, 2)]
            spent = [a - b if a is not None and b is not None else 0.0 for a, b in itertools.pairwise(spend)]
            note = notes.report_note(project_id, month_index(period),
                                     figures.get((project_id, period), {}) | {"SPEND_MONTH": spent[0]})
            report = {"id": len(reports) + 1, "project_id": project_id, "period": period, "status": status,
                      "note": note, "correction_reason": None, "corrections": 0, "review_comment": None,
                      "created_by": project["manager_id"], "created_at": submitted,
                      "updated_by": project["manager_id"], "updated_at": submitted,
                      "submitted_by": project["manager_id"], "submitted_at": submitted,
                      "reviewed_by": reviewer, "reviewed_at": reviewed if reviewer else None,
                      "accepted_at": (reviewed or submitted) if status == "accepted" else None,
                      "version": 1 if status == "submitted" else 2}
            reports.append(report | fields)
            first_id = len(values) + 1
            values.extend({"id": first_id + k, "report_id": report["id"], "indicator_id": indicator_id,
                           "value": value,
                           "reason": notes.value_reason(*spent) if noted.get(indicator_id) == "SPEND_CUM" else None}
                          for k, (indicator_id, value) in enumerate(observed[(project_id, period)]))

        accepted = [i + 1 for i in range(self.n_projects)
                    if i % 3 == 0 and self.p["status"][i] == "active" and i + 1 not in waiting]
        for project_id in accepted + waiting:
            for period in months:
                if (project_id, period) not in observed:
                    continue
                if project_id not in waiting or period != latest:
                    add(project_id, period, "accepted")
                elif project_id == waiting[-1] and len(waiting) == 3:
                    add(project_id, period, "returned", review_comment="累计完成投资与监理月报不符，请核对后重新提交")
                else:
                    add(project_id, period, "submitted")
        for report in reports:  # one accepted month was corrected once, with its reason
            if report["status"] == "accepted" and report["period"] == months[1]:
                report.update(corrections=1, correction_reason="监理复核后更正累计完成投资", version=4)
                break
        self.tables["reports"], self.tables["report_values"] = reports, values



    def site_photos(self) -> None:
        """Site photos on the latest month's reports waiting for review and a dozen accepted ones (the one sent
        back has none yet): one at the site in the month on each, and a second that passes too or, one report in
        four each, was taken 3 km away, has lost its metadata, or was taken the month before — so reviewers see
        every kind of finding."""
        reports = self.tables["reports"]
        if not reports:
            self.tables["attachments"] = []
            return
        latest = max(report["period"] for report in reports)
        waiting = [report for report in reports if report["period"] == latest and report["status"] == "submitted"]
        accepted = [report for report in reports if report["period"] == latest and report["status"] == "accepted"]
        rows: list[dict[str, Any]] = []
        for k, report in enumerate(waiting + accepted[:12]):
            project = self.tables["projects"][report["project_id"] - 1]
            site = (project["lat"], project["lon"])
            in_month = dt.datetime.combine(latest.replace(day=18 + k % 8), dt.time(9 + k % 7, 10), tzinfo=CHINA_TIME)
            near = offset_point(*site, np.array([0.08 + 0.02 * (k % 5)]), np.array([k * 0.9]))
            far = offset_point(*site, np.array([3.2]), np.array([k * 0.9]))
            seconds = [("远景.jpg", in_month, far), ("微信图片.jpg", None, None),
                       ("上月照片.jpg", in_month - dt.timedelta(days=35), near), ("近景.jpg", in_month, near)]
            for j, (name, taken, point) in enumerate([("施工现场.jpg", in_month, near), seconds[k % 4]]):
                lat, lon = (None, None) if point is None else (float(point[0][0]), float(point[1][0]))
                data = site_photo(2 * k + j, taken=taken, lat=lat, lon=lon)
                digest = hashlib.sha256(data).hexdigest()
                verdict = check_in(PhotoFacts(taken is not None, taken, lat, lon), site=site,
                                   window=report_window(latest, DEMO_DUE_DAY),
                                   max_distance_m=DEMO_CHECKIN_DISTANCE_M)
                self.files[digest] = data
                rows.append({"id": len(rows) + 1, "project_id": report["project_id"], "report_id": report["id"],
                             "kind": "photo", "filename": f"{project['code']}-{name}",
                             "stored_name": f"{digest[:2]}/{digest}.jpg", "content_type": "image/jpeg",
                             "size_bytes": len(data), "sha256": digest,
                             "taken_at": None if taken is None else taken.astimezone(dt.UTC), "lat": lat, "lon": lon,
                             "distance_m": verdict.distance_m, "finding": verdict.finding,
                             "uploaded_by": project["manager_id"], "uploaded_at": report["created_at"]})
        self.tables["attachments"] = rows

    def subscriptions(self) -> None:
        """The leader's monthly report over everything, 龙亭区's official's over their district (报告中心)."""
        created_at = dt.datetime.combine(self.until, dt.time(9), tzinfo=dt.UTC)
        self.tables["report_subscriptions"] = [
            {"id": k + 1, "user_id": user_id, "kind": "monthly", "region_id": region_id, "language": "zh",
             "active": True, "created_at": created_at}
            for k, (user_id, region_id) in enumerate([
                (self.leader_id, None), (self.official_ids["410202"], self.region_ids["410202"])])]

    def allocation_rules(self) -> None:
        """The result-application rule in force (结果应用): the default pool, threshold, coefficients and caps."""
        self.tables["allocation_rule_sets"] = [{
            "id": 1, "name_zh": "绩效奖励分配规则", "name_en": "Performance bonus rules",
            "params": canonical_json(DEFAULT_RULES.to_params()), "in_force": True, "updated_by": 1,
            "updated_at": dt.datetime.combine(self.until, dt.time(8), tzinfo=dt.UTC), "version": 1}]

    def knowledge_cases(self) -> None:
        """Eight best-practice cases (:mod:`data_access.demo.cases`) comparing the month reported on this month
        with six months before."""
        after = from_month_index(self.t_last - 1)
        self.tables["knowledge_cases"] = cases.case_rows(
            projects=self.tables["projects"], places=list(self.p["place"]), categories=self.tables["categories"],
            regions=self.tables["regions"], indicator_ids=self.indicator_ids, observations=self.observations,
            after=after, before=from_month_index(self.t_last - 1 - cases.MONTHS_APART),
            author_ids=self.official_ids)


def synthesise(*, projects: int, months: int, seed: int, until: dt.date, dense: bool = False,
               password_hash: str) -> DemoData:
    """Compute every table's rows in memory; every user gets ``password_hash``."""
    data = DemoData(projects, months, seed, until, dense, password_hash)
    data.reference()
    data.users()
    data.projects()
    data.series()
    data.milestones()
    data.ratings()
    data.goals()
    data.schemes()
    data.reports()
    data.site_photos()
    data.subscriptions()
    data.allocation_rules()
    data.knowledge_cases()
    data.tables["import_batches"][0]["row_count"] = int(len(data.observations["value"]))
    return data
