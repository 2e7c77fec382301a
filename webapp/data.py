"""Cached reads for pages: the one way a page reads the database.

Every read is cached per viewer and per **data version**. The viewer is part of every key, so one scope never
sees another's rows; its ``scope_key`` (rebuilt on every rerun) changes with the scope, so a project given to
another manager leaves the old manager's pages on the next run. Reads whose answer the scope alone decides are
keyed on that ``scope_key`` rather than the user (``per_scope=True``), so the officials of one district share them;
those that nothing but the rows decide, not what the role may do (``rows_only=True``), and the shared figures are
also shared by the leader, the analyst, the admin and the auditor, who all see every region; the others (a
user's tasks, inbox, ratings) stay per user. The data version
(``data_access.data_version``) counts committed write transactions; it is read once per run
(:func:`refresh_version`, called by ``app.py`` and by self-refreshing fragments) and is part of every key, so a
write by a page, the scheduler or another server process shows on the next run. The first run of a process to
see a newer version empties these caches (:func:`refresh_version`): no run asks for an older version again, and
keeping its entries would hold a copy of every scope's frames per write. Entries also expire after
``CACHE_SECONDS``, a safety net; it is long because an expired entry is a cold run for everyone of that scope, and
cold runs are what a crowd of users waits behind.

Each read below is a function of the viewer, its own arguments and a :class:`Database`, decorated with
:func:`cached_read`, which passes the database of this run: pages call ``data.projects(viewer)``. Other modules
of cached reads follow the same pattern.
"""
from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import data_access
import data_access.reads
from data_access import Viewer, audit, rating_results
from data_access import alerts as alert_store
from data_access import feedback as feedback_store
from data_access import ratings as rating_store
from data_access.db import DataVersions, subtree_versions
from data_access.peers import PeerStanding
from data_access.policy import Action, require
from data_access.report_reads import period_texts
from data_access.users import list_experts, list_users
from scoring.periods import add_months
from services.my_tasks import MyTasks
from services.my_tasks import my_tasks as gather_my_tasks
from services.note_summary import NoteSummary, summarise
from services.scores import ScoringModel
from webapp.session import shared_engine

CACHE_SECONDS = 900
SCOPE_ENTRIES = 2_000  # entries of one cache that writes elsewhere leave current: they go when they expire
VERSION_KEY = "data_version"
Result = TypeVar("Result")


@dataclass(frozen=True)
class Database:
    """The app's database as of one data version: a cached read takes it, so the version is in every key.
    ``of``: whose version it is, the whole database's or the viewer's scope's (two counts that may be equal)."""

    version: int
    of: str = "whole"

    @property
    def engine(self) -> Engine:
        return shared_engine()


RUN_READS_KEY = "data_reads_this_run"
# What a run may take from its memo of reads: values a caller cannot change in place, and frames, handed out as
# shallow copies (pandas' copy-on-write then keeps the memo's frame as it was read).
_FRAMES = (pd.DataFrame, pd.Series)
_UNCHANGEABLE = (int, float, str, bool, dt.date, type(None))


# The caches keyed on the whole database's version (emptied when it moves on), and those keyed on the version of
# the viewer's scope (emptied when the database's own counter moves on: a write declared within some projects
# leaves the other regions' entries current, and theirs expire).
_WHOLE_CACHES: list[Any] = []
_SCOPE_CACHES: list[Any] = []
SCOPE_VERSION_KEY = "data_scope_version"  # (the viewer's scope_key, their scope's version) of this run


@dataclass
class _NewestVersions:
    """The newest versions a run of this process has seen, and the lock that lets one run empty the caches."""

    base: int = -1
    whole: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(show_spinner=False)
def _newest_versions() -> _NewestVersions:
    return _NewestVersions()


def _forget_older_versions(versions: DataVersions) -> None:
    newest = _newest_versions()
    if versions.whole <= newest.whole and versions.base <= newest.base:
        return
    with newest.lock:
        emptied = [*(_WHOLE_CACHES if versions.whole > newest.whole else ()),
                   *(_SCOPE_CACHES if versions.base > newest.base else ())]
        newest.whole, newest.base = max(newest.whole, versions.whole), max(newest.base, versions.base)
        for cache in emptied:
            cache.clear()


def refresh_version(viewer: Viewer | None = None) -> int:
    """Read the data versions for this run (kept in the session until the next run reads them again), empty the
    caches they make stale if they are newer than any this process has seen, and start the run's memo of reads
    afresh. ``viewer``: the session's, whose scope's version keys the reads that only their scope decides."""
    engine = shared_engine()
    versions = (data_access.viewer_data_versions(engine, viewer) if viewer is not None
                else DataVersions(*[data_access.data_version(engine)] * 3))
    _forget_older_versions(versions)
    st.session_state[VERSION_KEY] = versions.whole
    st.session_state[SCOPE_VERSION_KEY] = (viewer.scope_key, versions.scope) if viewer is not None else None
    st.session_state[RUN_READS_KEY] = {}
    st.session_state[OTHER_SCOPES_KEY] = {}
    return versions.whole


def forget_run_reads() -> None:
    """Drop this run's memo of reads (at the end of a run: the frames are not kept between runs)."""
    st.session_state.pop(RUN_READS_KEY, None)


OTHER_SCOPES_KEY = "data_other_scope_versions"  # scope_key → version, of scopes read this run for another viewer


def _this_run(viewer: Viewer, *, within_scope: bool = False) -> Database:
    """The database of this run for a read by ``viewer``: at the version of their scope for a read that only
    their scope decides. A read for a viewer other than the session's (the city a district's peer standing is
    scored over) reads that scope's version once per run: one small query instead of the whole database's
    version, which every push anywhere moves on."""
    whole = st.session_state.get(VERSION_KEY)
    if whole is None:
        whole = refresh_version(viewer)
    if not within_scope:
        return Database(whole)
    scoped = st.session_state.get(SCOPE_VERSION_KEY)
    if scoped is not None and scoped[0] == viewer.scope_key:
        return Database(scoped[1], "scope")
    others: dict[str, int] = st.session_state.setdefault(OTHER_SCOPES_KEY, {})
    if viewer.scope_key not in others:
        others[viewer.scope_key] = data_access.viewer_data_versions(shared_engine(), viewer).scope
    return Database(others[viewer.scope_key], "scope")


def _tuple_key(values: tuple[Any, ...]) -> str | list[Any]:
    """A tuple's cache key: its text when it holds only plain values (Streamlit hashes a tuple item by item, 7 ms
    for 300 project ids), else its items, hashed as usual."""
    if all(isinstance(value, _UNCHANGEABLE) for value in values):
        return f"{type(values[0]).__name__ if values else ''}{values!r}"
    return list(values)


def _scope_of(viewer: Viewer) -> str:
    """The viewer as the key of what their scope alone decides (a digest of role, region and managed projects):
    the officials of one district share those reads and charts."""
    return viewer.scope_key or repr(viewer)


EVERY_REGION = "every region"


def _rows_of(viewer: Viewer) -> str:
    """The viewer as the key of what the rows they may see alone decide, whatever their role may do: everyone who
    sees every region (leader, analyst, admin, auditor) shares one key, so a push costs one rebuild of the city's
    figures rather than one per role."""
    return EVERY_REGION if viewer.sees_everything else _scope_of(viewer)


def _handed_out(value: Result) -> Result:
    return value.copy(deep=False) if isinstance(value, _FRAMES) else value  # type: ignore[return-value]


def cached_read(read: Callable[..., Result] | None = None, *, per_scope: bool = False,
                within_scope: bool = False, rows_only: bool = False, unpickled: bool = False) -> Any:
    """Cache ``read(viewer, *args, db=...)`` for pages, which call it as ``read(viewer, *args)``.

    ``per_scope=True`` (``@cached_read(per_scope=True)``) keys it on the viewer's scope rather than the user, for
    reads whose answer only the scope decides: everyone who sees the same shares one entry. ``within_scope=True``
    keys it on the version of the viewer's scope instead of the whole database's, for reads of nothing but rows in
    their regions (no peer, city or province figure): a push in another district leaves the entry current. Within
    one run a read asked again with the same arguments (the scorecards asked for the period's scores 27 times) is
    served from the run's memo, without hashing the arguments and unpickling the cached copy again.

    ``rows_only=True`` (with ``per_scope``) for a read whose answer nothing but the rows of the scope decides, not
    the role (no permission checked, no column for what the viewer may change): keyed on :func:`_rows_of`.

    ``unpickled=True`` for a read of a DataFrame so large that pickling it into ``st.cache_data`` and out again
    costs more than the read (a province leader's portfolio: a third of a page's first run after a push): kept as
    the object itself (``st.cache_resource``) and handed out as a shallow copy, which pandas' copy-on-write keeps
    from changing the cached one."""
    if read is None:
        return functools.partial(cached_read, per_scope=per_scope, within_scope=within_scope, rows_only=rows_only,
                                 unpickled=unpickled)
    if rows_only and not per_scope:
        raise ValueError("rows_only is a kind of per_scope read")
    keys: dict[Any, Callable[[Any], Any]] = {tuple: _tuple_key}
    if per_scope:
        keys[Viewer] = _rows_of if rows_only else _scope_of
    cache = st.cache_resource if unpickled else st.cache_data
    cached = cache(ttl=CACHE_SECONDS, max_entries=SCOPE_ENTRIES if within_scope else None,
                   show_spinner=False, hash_funcs=keys)(read)
    (_SCOPE_CACHES if within_scope else _WHOLE_CACHES).append(cached)

    @functools.wraps(read)
    def at_this_version(viewer: Viewer, *args: Any, **kwargs: Any) -> Result:
        if not isinstance(viewer, Viewer):
            raise TypeError("a cached read takes the viewer first: its scope must be part of the key")
        db = _this_run(viewer, within_scope=within_scope)
        memo: dict[Any, Any] = st.session_state.setdefault(RUN_READS_KEY, {})
        try:
            key = (read.__module__, read.__qualname__, viewer, db, args, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:  # an argument that is no dictionary key (a dict of a rule's fields): no memo
            return _handed_out(cached(viewer, *args, db=db, **kwargs))
        if key not in memo:
            value = cached(viewer, *args, db=db, **kwargs)
            if not isinstance(value, _FRAMES + _UNCHANGEABLE):
                return value
            memo[key] = value
        return _handed_out(memo[key])

    return at_this_version


_SHARED = {"ttl": CACHE_SECONDS, "max_entries": SCOPE_ENTRIES, "show_spinner": False,
           "hash_funcs": {tuple: _tuple_key, Viewer: _rows_of}}


@st.cache_resource(**_SHARED)
def _shared(name: str, viewer: Viewer, db: Database, shows: tuple[Any, ...],  # noqa: ARG001 - they key the entry
            _build: Callable[[], Result]) -> Result:
    return _build()


@st.cache_resource(**_SHARED)  # a cache of its own: Streamlit keys a cache by its function
def _shared_within_scope(name: str, viewer: Viewer, db: Database, shows: tuple[Any, ...],  # noqa: ARG001
                         _build: Callable[[], Result]) -> Result:
    return _build()


_WHOLE_CACHES.append(_shared)
_SCOPE_CACHES.append(_shared_within_scope)


def shared_build(name: str, viewer: Viewer, shows: tuple[Any, ...], build: Callable[[], Result], *,
                 within_scope: bool = False) -> Result:
    """What ``build()`` returns (a figure, a deck), built once per ``name``, viewer scope, data version and
    ``shows`` and then the same object for every run and session that asks for it: no copy, no rebuild (building
    a plotly figure cost a page more CPU than its reads). Only what the rows of the scope decide may go into it:
    every role that sees the same rows gets the same object (:func:`_rows_of`), so no permission of the role.

    ``shows`` must hold everything else the result depends on (the language, the filters, the period, a widget's
    value); the caller never changes the object it gets. ``within_scope=True`` for a result built from
    ``within_scope`` reads alone (see :func:`cached_read`)."""
    if not isinstance(viewer, Viewer):
        raise TypeError("a shared build takes the viewer: its scope must be part of the key")
    if within_scope:
        return _shared_within_scope(name, viewer, _this_run(viewer, within_scope=True), shows, build)
    return _shared(name, viewer, _this_run(viewer), shows, build)


# -- reference data and the portfolio ---------------------------------------------------------------------
# Reference rows (regions, categories, indicators) change only by writes not declared within projects, so they
# are keyed on the scope's version like the reads of the scope's own rows.
@cached_read(per_scope=True, within_scope=True, rows_only=True)
def projects(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    return data_access.list_projects(db.engine, viewer)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def regions(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    return data_access.list_regions(db.engine, viewer)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def categories(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    return data_access.list_categories(db.engine, viewer)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def indicators(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    return data_access.list_indicators(db.engine, viewer)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def latest_period(viewer: Viewer, *, db: Database) -> dt.date | None:
    return data_access.latest_period(db.engine, viewer)


@cached_read(per_scope=True, within_scope=True, rows_only=True, unpickled=True)
def portfolio(viewer: Viewer, period: dt.date | None, *, db: Database) -> pd.DataFrame:
    """The scope's portfolio; after a write within some districts' projects, the last one built for this scope and
    period with only those districts' rows read again (:func:`by_district`). The latest period (None) is the
    entry of that month named: a leader's splice finds the one a district's officials read."""
    from services.portfolio import portfolio as build
    from services.portfolio import with_districts_replaced

    latest = latest_period(viewer) if period is None else None
    if latest is not None:
        return portfolio(viewer, latest)
    def whole(scope: Viewer) -> pd.DataFrame:
        return build(db.engine, scope, period, scoring_model(scope))

    districts = district_paths(viewer)
    if period is None or districts is None:
        return whole(viewer)
    return by_district(("portfolio", period), viewer, districts, db, whole,
                       lambda district: portfolio(district, period), with_districts_replaced)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def scoring_model(viewer: Viewer, *, db: Database) -> ScoringModel:
    """The scope's indicator library, weights, targets and projects (:func:`services.scores.load_model`): read once
    per scope and version, not once by each of the portfolio, previous month, trend and scores that need it."""
    from services.scores import load_model

    return load_model(db.engine, viewer)


@dataclass
class _Built:
    """A read of a scope as last built, with the versions it was built at."""

    base: int
    districts: dict[str, int]  # district path → its subtree's version
    outside: int  # the counters of the scope's regions outside its districts, summed
    value: Any
    built_at: float = field(default_factory=time.monotonic)


@dataclass
class _BuiltReads:
    """The last build per read, scope and arguments (at most ``BUILT_READS``, each one value the caches hold
    anyway), kept as long as a cache entry lives: the start of the next build after a push."""

    entries: dict[tuple[Any, ...], _Built] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple[Any, ...]) -> _Built | None:
        with self.lock:
            entry = self.entries.get(key)
        return entry if entry is not None and time.monotonic() - entry.built_at < CACHE_SECONDS else None

    def put(self, key: tuple[Any, ...], entry: _Built) -> None:
        with self.lock:
            self.entries.pop(key, None)
            if len(self.entries) >= BUILT_READS:
                self.entries.pop(next(iter(self.entries)))
            self.entries[key] = entry


BUILT_READS = 64


@st.cache_resource(show_spinner=False)
def _built_reads() -> _BuiltReads:
    return _BuiltReads()


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def project_region_paths(viewer: Viewer, *, db: Database) -> tuple[str, ...]:
    return data_access.reads.project_region_paths(db.engine, viewer)


def district_paths(viewer: Viewer) -> dict[int, str] | None:
    """The districts of the viewer's projects (id → region path, "/city/district/") when their scope is a tree of
    regions with more than one district and every project lies in a district; else None (read whole). Read from
    the projects' distinct region paths: after a push it is read again, and the projects' rows would cost more than
    the splice it decides."""
    if viewer.role in ("project_manager", "expert"):
        return None
    levels = [path.strip("/").split("/") for path in project_region_paths(viewer)]
    if any(len(parts) < 2 for parts in levels):
        return None
    districts = {int(parts[1]): f"/{parts[0]}/{parts[1]}/" for parts in levels}
    return dict(sorted(districts.items())) if len(districts) >= 2 else None


def by_district(read: tuple[Any, ...], viewer: Viewer, districts: dict[int, str], db: Database,
                build: Callable[[Viewer], Result], part: Callable[[Viewer], Result],
                splice: Callable[[Result, list[Result], list[int]], Result | None]) -> Result:
    """``build(viewer)``, or, after writes declared within some projects (``data_access.db.only_within_projects``:
    they change nothing but those projects' own rows and move on only their regions' versions), the last build
    with the rows of the districts whose version moved since read again (``part`` of each as their officials'
    scope) and put in by ``splice(last, parts, district_ids)`` (None: it cannot be, build whole). Any other write
    (the database's own counter, or a region outside the districts, moved on), a first build or most districts
    changed: ``build`` whole. ``districts``: :func:`district_paths`.

    ``part`` is a cached read keyed on the district's scope: after a push, the pushed district is read once per
    process for its officials, the leader and the analyst alike (each read it again for themselves before)."""
    scope_path = viewer.region_path or ""
    base, versions = subtree_versions(db.engine, [*districts.values(), scope_path])
    outside = versions.pop(scope_path) - base - sum(version - base for version in versions.values())
    key = (*read, _rows_of(viewer))
    last = _built_reads().get(key)
    changed = [] if last is None else [district for district, path in districts.items()
                                       if versions[path] != last.districts.get(path)]
    spliced = None
    if (last is not None and (last.base, last.outside) == (base, outside) and set(last.districts) == set(versions)
            and len(changed) <= len(districts) // 2):
        spliced = splice(last.value, [part(_district_viewer(viewer, district, districts[district]))
                                      for district in changed], changed)
    value = build(viewer) if spliced is None else spliced
    _built_reads().put(key, _Built(base, versions, outside, value))
    return value


def _district_viewer(viewer: Viewer, district: int, path: str) -> Viewer:
    """The district as its own officials' scope: what they would read of it, which is all a leader's rows of it hold."""
    from data_access.policy import Role
    from data_access.scope import scope_key_of

    return Viewer(user_id=viewer.user_id, username=viewer.username, role=Role.DISTRICT_OFFICIAL, region_id=district,
                  region_path=path, scope_key=scope_key_of(Role.DISTRICT_OFFICIAL, path, ()))


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def on_time_rate(viewer: Viewer, project_ids: tuple[int, ...], as_of: dt.date, *, db: Database) -> float:
    from services.portfolio import on_time_milestone_rate

    return on_time_milestone_rate(db.engine, viewer, pd.Index(project_ids), as_of)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def score_trend(viewer: Viewer, last: dt.date, months: int = 12, *, city: int | None = None,
                db: Database) -> pd.DataFrame:
    """The mean score per month; for a scope of several districts put together from their monthly sums, so that a
    push reads only its district's months again (:func:`by_district`)."""
    from services.portfolio import trend_from_district_totals, with_district_totals_replaced

    def sums(scope: Viewer) -> pd.DataFrame:  # a district's own sums are the part a leader's trend splices in
        return district_month_totals(scope, last, months)

    districts = district_paths(viewer)
    if districts is None:
        return trend_from_district_totals(sums(viewer), city)
    return trend_from_district_totals(by_district(("trend", last, months), viewer, districts, db, sums, sums,
                                                  with_district_totals_replaced), city)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def district_month_totals(viewer: Viewer, last: dt.date, months: int, *, db: Database) -> pd.DataFrame:
    """A scope's scored totals summed per month and district (:func:`score_trend`'s parts after a push)."""
    from services.portfolio import monthly_district_totals

    return monthly_district_totals(db.engine, viewer, last, months, scoring_model(viewer))


@cached_read(per_scope=True)
def peer_standing(viewer: Viewer, period: dt.date | None, *, db: Database) -> PeerStanding | None:
    """A district official's rank among their city's districts (None for other viewers)."""
    from services.portfolio import peer_standing as build

    return build(db.engine, viewer, period, league=lambda city: city_league(city, period))


@cached_read(per_scope=True, within_scope=True)
def city_league(city: Viewer, period: dt.date | None, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - keys it
    """A city's districts ranked (the peer standing's league): scored once per city and version of the city's
    regions, for every district official of the city, rather than once per district after every push; from the
    city's :func:`portfolio`, which after a push splices in the pushed district's part its officials read."""
    from services.portfolio import league_of_city

    return league_of_city(portfolio(city, period), regions(city))


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def period_scores(viewer: Viewer, period: dt.date | None, *, db: Database) -> pd.DataFrame:
    """Full score table (total, coverage, reason, one contribution column per KPI, rank, grade)."""
    from services.scores import period_scores as build

    return build(db.engine, viewer, period, scoring_model(viewer))


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def heatmap_inputs(viewer: Viewer, period: dt.date, months: int, project_ids: tuple[int, ...], *,
                   db: Database) -> dict:
    """What the heat maps need, read once per viewer, month and filter: the month's KPI matrix, the
    progress series, monthly KPI means and the targets."""
    engine = db.engine
    since = add_months(period, 1 - months)
    ids = list(project_ids)
    matrix = data_access.load_indicator_matrix(engine, viewer, period=period)
    progress = data_access.load_observations(engine, viewer, project_ids=ids,
                                             indicator_codes=["PROG_ACTUAL", "PROG_PLAN"], since=since, until=period)
    means = data_access.reads.indicator_means(engine, viewer, since=since, until=period, project_ids=ids)
    targets = data_access.load_target_matrix(engine, viewer)
    return {"matrix": matrix.reindex(index=matrix.index.intersection(ids)), "progress": progress, "means": means,
            "targets": targets.reindex(index=targets.index.intersection(ids))}


# -- one project ----------------------------------------------------------------------------------------
@cached_read
def project(viewer: Viewer, project_id: int, *, db: Database) -> dict[str, Any]:
    """One project (``NotFound`` / ``PermissionDenied`` outside the scope, never cached)."""
    return data_access.get_project(db.engine, viewer, project_id)


@cached_read(per_scope=True, within_scope=True, rows_only=True)
def milestones(viewer: Viewer, project_id: int | None = None, *, db: Database) -> pd.DataFrame:
    """Milestones of one project, or of every project in scope."""
    return data_access.list_milestones(db.engine, viewer, project_id=project_id)


@cached_read
def project_reports(viewer: Viewer, project_id: int, *, db: Database) -> pd.DataFrame:
    """One project's monthly reports, newest month first (status, corrections and their reason)."""
    return data_access.list_reports(db.engine, viewer, project_id=project_id)


@cached_read(within_scope=True)
def notes_in_brief(viewer: Viewer, period: dt.date, project_ids: tuple[int, ...], *,
                   db: Database) -> tuple[NoteSummary, int]:
    """Keywords and the two-sentence summary of what was written about ``project_ids`` (those in the viewer's
    scope) in the month ``period``, and how many texts it drew on."""
    texts = period_texts(db.engine, viewer, period, add_months(period, 1) - dt.timedelta(days=1))
    texts = texts[texts["project_id"].isin(project_ids)]
    return summarise(texts["text"].tolist()), len(texts)


@cached_read
def observations(viewer: Viewer, project_id: int, *, db: Database) -> pd.DataFrame:
    """One project's whole history (project_id, indicator_code, period, value, source)."""
    return data_access.load_observations(db.engine, viewer, project_ids=[project_id])


@cached_read
def project_targets(viewer: Viewer, project_id: int, *, db: Database) -> pd.DataFrame:
    return data_access.list_project_targets(db.engine, viewer, project_id=project_id)


# -- rating rounds --------------------------------------------------------------------------------------------
@cached_read
def rating_rounds(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """Rounds with a project in scope, newest first, with ratings given and owed over those projects."""
    return rating_store.list_rounds(db.engine, viewer)


@cached_read
def round_assignments(viewer: Viewer, round_id: int, *, db: Database) -> pd.DataFrame:
    return rating_store.round_assignments(db.engine, viewer, round_id)


@cached_read
def my_rating_tasks(viewer: Viewer, *, open_only: bool = True, db: Database) -> pd.DataFrame:
    return rating_store.my_rating_tasks(db.engine, viewer, open_only=open_only)


@cached_read
def rating_sheet(viewer: Viewer, round_id: int, project_id: int, *, db: Database) -> rating_store.RatingSheet:
    """The viewer's rating form for one project in a round (a refusal when they are not its rater)."""
    return rating_store.rating_sheet(db.engine, viewer, round_id=round_id, project_id=project_id)


@cached_read
def round_results(viewer: Viewer, round_id: int, *, db: Database) -> rating_results.RoundResults:
    """A round's results over the projects in scope (NaN scores until it closes)."""
    return rating_results.round_results(db.engine, viewer, round_id)


@cached_read
def rating_breakdown(viewer: Viewer, project_id: int, *, db: Database) -> rating_results.RatingBreakdown | None:
    """The project's latest closed round for its scorecard (names hidden from the rated team when anonymous)."""
    return rating_results.project_rating_breakdown(db.engine, viewer, project_id)


@cached_read
def experts(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    """The active experts a round can assign (for the people who open rounds)."""
    return list_experts(db.engine, viewer)


# -- warnings, rectification and the inbox ----------------------------------------------------------------
@cached_read(per_scope=True)
def alert_rules(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    return alert_store.list_rules(db.engine, viewer)


@cached_read(per_scope=True, within_scope=True)
def alerts(viewer: Viewer, *, statuses: tuple[str, ...] = (), severities: tuple[str, ...] = (),
           rule_ids: tuple[int, ...] = (), region_id: int | None = None, project_id: int | None = None,
           closed_since: dt.datetime | None = None, opened_before: dt.datetime | None = None,
           db: Database) -> pd.DataFrame:
    """Alerts in scope, newest first, every filter in SQL (an empty one: any; see ``list_alerts``). Pass times
    rounded to the minute, so that the runs within a minute share one entry."""
    return alert_store.list_alerts(db.engine, viewer, statuses=statuses, severities=severities, rule_ids=rule_ids,
                                   region_id=region_id, project_id=project_id, closed_since=closed_since,
                                   opened_before=opened_before)


def live_alerts(viewer: Viewer, *, region_id: int | None = None) -> pd.DataFrame:
    """The alerts that still count (``LIVE_STATUSES`` of the status table), newest first."""
    return alerts(viewer, statuses=alert_store.LIVE_STATUSES, region_id=region_id)


@cached_read
def alert(viewer: Viewer, alert_id: int, *, db: Database) -> pd.Series:
    """One alert with the fields of an :func:`alerts` row (a refusal outside the scope, never cached)."""
    return alert_store.get_alert(db.engine, viewer, alert_id)


@cached_read
def alert_history(viewer: Viewer, alert_id: int, *, db: Database) -> pd.DataFrame:
    return alert_store.alert_history(db.engine, viewer, alert_id)


@cached_read
def rectification_attachment(viewer: Viewer, alert_id: int, *, db: Database) -> tuple[str, bytes] | None:
    return alert_store.rectification_attachment(db.engine, viewer, alert_id)


@cached_read
def rule_preview(viewer: Viewer, fields: dict[str, Any], *, db: Database) -> pd.DataFrame:
    """The projects a rule with these fields would hit now."""
    from services.alerts import preview

    return preview(db.engine, viewer, fields)


@cached_read
def inbox(viewer: Viewer, *, db: Database) -> pd.DataFrame:
    return alert_store.inbox(db.engine, viewer)


@cached_read
def unread_count(viewer: Viewer, *, db: Database) -> int:
    return alert_store.unread_count(db.engine, viewer)


# -- feedback box: every change to feedback is audited, so its reads follow the audit chain head ----------
@cached_read
def _feedback(viewer: Viewer, audit_mark: int, *, status: str | None,  # noqa: ARG001 - audit_mark keys
              tag: str | None, page: str | None, db: Database) -> pd.DataFrame:
    return feedback_store.list_feedback(db.engine, viewer, status=status, tag=tag, page=page)


def feedback(viewer: Viewer, *, status: str | None = None, tag: str | None = None,
             page: str | None = None) -> pd.DataFrame:
    """Everyone's feedback (admins), newest first, as of the newest audit entry."""
    return _feedback(viewer, audit_mark(), status=status, tag=tag, page=page)


@cached_read
def _feedback_pages(viewer: Viewer, audit_mark: int, *, db: Database) -> list[str]:  # noqa: ARG001 - it keys
    return feedback_store.feedback_pages(db.engine, viewer)


def feedback_pages(viewer: Viewer) -> list[str]:
    """The pages feedback was sent from (admins)."""
    return _feedback_pages(viewer, audit_mark())


@cached_read
def _my_feedback(viewer: Viewer, audit_mark: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - it keys
    return feedback_store.my_feedback(db.engine, viewer)


def my_feedback(viewer: Viewer) -> pd.DataFrame:
    """The viewer's own feedback with its answers."""
    return _my_feedback(viewer, audit_mark())


# -- my tasks -------------------------------------------------------------------------------------------
@cached_read
def my_tasks(viewer: Viewer, today: dt.date, *, db: Database) -> MyTasks:
    return gather_my_tasks(db.engine, viewer, today)


# -- administration -------------------------------------------------------------------------------------
def audit_mark() -> int:
    """The newest audit entry's id, read on every call: logins, lockouts, refusals and kept reports move it but not
    the data version (``data_access.transaction(account_activity=True)``); the reads that show them take it."""
    return audit.chain_head(shared_engine())[0]


@cached_read
def _users(viewer: Viewer, audit_mark: int, *, db: Database) -> pd.DataFrame:  # noqa: ARG001 - audit_mark keys
    return list_users(db.engine, viewer)


def users(viewer: Viewer) -> pd.DataFrame:
    """The user table, with failed logins and locks as of the newest audit entry."""
    return _users(viewer, audit_mark())


@cached_read
def _audit_entries(viewer: Viewer, audit_mark: int, *, actor: str | None,  # noqa: ARG001 - audit_mark keys
                   action_prefix: str | None, since: dt.datetime | None, until: dt.datetime | None,
                   db: Database) -> pd.DataFrame:
    return audit.list_entries(db.engine, viewer, actor=actor, action_prefix=action_prefix, since=since, until=until)


def audit_entries(viewer: Viewer, *, actor: str | None, action_prefix: str | None, since: dt.datetime | None,
                  until: dt.datetime | None) -> pd.DataFrame:
    """Audit entries up to the newest one, logins included."""
    return _audit_entries(viewer, audit_mark(), actor=actor, action_prefix=action_prefix, since=since, until=until)


def audit_chain_head(viewer: Viewer) -> tuple[int, str]:
    """The newest audit entry's id and hash (one row, read fresh: it is what the audit page publishes)."""
    require(viewer, Action.READ_AUDIT)
    return audit.chain_head(shared_engine())
