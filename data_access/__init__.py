"""perfdash's data layer: the only code that talks to the database.

Connections
    ``get_engine()`` — the process-wide engine for ``PERFDASH_DATABASE_URL`` (default: SQLite file
    ``data/perfdash.sqlite3``; PostgreSQL as ``postgresql+psycopg://user:pass@host:port/db``). SQLite runs in
    WAL mode with foreign keys on. A bad URL raises ``ConfigurationError``, an unreachable database
    ``DatabaseUnavailable``; both carry a generic ``message_zh`` for the UI and log the details (password
    masked). Opening the configured database refuses a missing, short or demo ``PERFDASH_AUDIT_KEY``.
    ``create_database_engine(url)`` — an engine for an explicit URL (tests, tools).
    ``migrate.upgrade(engine)`` — Alembic migrations to the newest schema (``python -m data_access.migrate``
    runs them as the owner role of ``PERFDASH_MIGRATION_DATABASE_URL`` and grants the app role its rights).

    ``data_version(engine)`` — a version every write transaction (``transaction()``, the demo load) moves on in
    the same commit; the app's cached reads are keyed on it, so a write anywhere shows on the next page run.
    ``viewer_data_versions(engine, viewer)`` adds the version of the viewer's regions alone: a write declared
    within some projects (``db.only_within_projects``) moves only their regions' counters on.

Who is asking, and what they may do
    ``viewer_for(session, username)`` → ``Viewer(user_id, username, role, region_id, region_path)``.
    ``data_access.policy``: the one permission table — ``Action``, ``ALLOWED`` (action → roles),
    ``allowed(viewer, action)`` / ``require(viewer, action)`` and ``SYSTEM``, the background evaluator's actor.
    Scope (applied inside every SQL statement, see ``data_access.scope``):
    admin / leader / analyst / auditor see every project; a district official sees their region and its
    sub-regions; a project manager sees the projects they manage; an expert the projects a rating round assigns
    them.

Reads (``data_access.reads``; each takes ``engine, viewer`` and returns a DataFrame unless noted)
    ``list_regions``       regions in scope (subtree of the viewer's region).
    ``list_categories``    project categories (reference data, same for all).
    ``list_indicators``    the 3-level indicator library (reference data, same for all).
    ``list_projects``      projects in scope, filters: region_id (subtree), category_code, status; archived
                           projects only with ``include_archived=True`` (the register: they leave every view).
    ``get_project``        one project as a dict; ``NotFound`` / ``PermissionDenied`` out of scope.
    ``list_milestones``    milestones of projects in scope (``project_id`` checked like get_project).
    ``list_project_targets`` targets per project and indicator, in scope.
    ``load_observations``  long history (project_id, indicator_code, period, value, source), in scope.
    ``latest_period``      newest month with data the viewer may see (a date or None).
    ``load_indicator_matrix`` projects × indicator codes for one period (default latest), in scope.
    ``load_indicator_months`` the same for several periods in one read, rows by (period, project_id).
    ``load_target_matrix`` projects × indicator codes of targets (the targets pivoted in the server), in scope.
    ``list_ratings``       expert/self/peer/superior ratings, in scope.
    ``list_weight_schemes`` / ``weight_scheme_items``  weight schemes, readable by every role.

Writes (``data_access.writes``; each takes ``engine, actor`` and runs in one transaction with its audit entry)
    ``update_project(engine, actor, project_id, expected_version, changes)`` → new version; admin or the
        district official of the project's region. Stale version → ``VersionConflict``, nothing written.
    ``update_milestone(...)`` likewise, also for the project's manager.
    ``record_observation(engine, actor, project_id=, indicator_code=, period=, value=)`` enters or corrects
        one monthly value (admin, analyst, official in scope, manager of the project).
    ``record_report(engine, actor, project_id=, period=, values={code: value})`` a whole monthly report in one
        transaction, all or nothing; plan series (PROG_PLAN, SPEND_PLAN) only by officials, analysts, admins.

Other modules
    ``auth``: password checks with lockout, server-side session validity, logout, language.
    ``users``: user administration (admins), password rules, the last admin protected.
    ``alerts``: warning rules, alerts and their 整改 lifecycle, the inbox, e-mail bookkeeping.
    ``schemes``: what-if scenarios saved as weight schemes; promotion to the default (admin/analyst).
    ``imports``: spreadsheet imports against the database (``Action.IMPORT_DATA``) — ``plan_import`` (each typed
        row new / changed / unchanged, every problem, in the actor's scope), ``commit_import`` (all or nothing in
        one transaction, as a batch with before/after per row; ``ImportRejected`` lists every problem),
        ``applied_batch_with`` (the same file again), ``list_batches``, ``rollback_batch``.
    ``register``: the project register — ``project_problems`` (every problem of a new or changed project at
        once, as (column, zh, en)), ``create_project`` (with its category template), ``set_project_status``,
        milestones (add, reorder), targets (set, remove, ``apply_category_template``).
    ``project_checks``: the rules of a project's fields, people, department and site shared by writes, the
        register and the importer.
    ``indicator_library``: the indicator library and category templates (admins): create, edit, reorder,
        retire; scoring recipes kept per scheme age (``recipe_for``) so published scores never move.
    ``reports``: the monthly report — ``open_report`` (the form: every KPI of the project's category with unit,
        plan, last value; milestones; the report's state), ``save_report`` (draft or submit; plausibility first:
        a falling cumulative refused, a big jump or a value far from plan needs a reason, ``NeedsReason``; a
        changed report since the form opened is a ``ReportConflict``; correcting an accepted month needs a
        reason and is counted), ``review_report`` (accept: values to observations; or send back with a comment),
        ``set_review`` (per district), ``list_reports``.
    ``goals``: the target tree — ``list_goals`` (the viewer's nodes plus their ancestors as context, each with
        its latest measurement), ``owner_candidates``, ``create_goal`` / ``update_goal`` (edit or move) /
        ``delete_goal`` (admin, analyst, official in their region; level, parent, region, project and owner
        rules; version lock; audited).
    ``ratings``: rating rounds (评分) — ``open_round`` (a ``RoundSpec``: criteria, group weights, projects, experts,
        deadline; the raters are assigned at once: self, superior, peers, experts), ``list_rounds``,
        ``round_assignments``, ``my_rating_tasks`` (the viewer's to-do), ``rating_sheet`` and ``rate`` (assigned
        raters only, every criterion 0–100, until the deadline; audited).
    ``rating_results``: ``close_round`` (results with their method, the fed KPI's values, one transaction),
        ``due_rounds``, ``round_results``, ``project_rating_breakdown`` (the scorecard's, anonymised for the team).

Audit (``data_access.audit``)
    ``append(session, ...)`` inside a write's transaction; ``verify_chain(engine)`` (also against the external
    anchors of ``data_access.anchors``, written after commits and by ``anchor_head(engine)``); ``chain_head(engine)``.
"""
from data_access.db import create_database_engine, data_version, get_engine, transaction
from data_access.errors import (
    ConfigurationError,
    DataAccessError,
    DatabaseUnavailable,
    NeedsReason,
    NotFound,
    PermissionDenied,
    ReportConflict,
    ValidationError,
    VersionConflict,
)
from data_access.policy import Viewer
from data_access.rating_results import close_round, project_rating_breakdown, round_results
from data_access.ratings import list_rounds, my_rating_tasks, open_round, rate, rating_sheet, round_assignments
from data_access.reads import (
    get_project,
    latest_period,
    list_categories,
    list_indicators,
    list_milestones,
    list_project_targets,
    list_projects,
    list_ratings,
    list_regions,
    list_weight_schemes,
    load_indicator_matrix,
    load_indicator_months,
    load_observations,
    load_target_matrix,
    weight_scheme_items,
)
from data_access.reports import (
    MilestoneEntry,
    ReportSheet,
    SavedReport,
    list_reports,
    open_report,
    review_report,
    save_report,
    set_review,
)
from data_access.scope import viewer_data_versions, viewer_for
from data_access.writes import record_observation, record_report, update_milestone, update_project

__all__ = [
    "ConfigurationError", "DataAccessError", "DatabaseUnavailable", "MilestoneEntry", "NeedsReason", "NotFound",
    "PermissionDenied", "ReportConflict", "ReportSheet", "SavedReport", "ValidationError", "VersionConflict",
    "Viewer", "close_round", "create_database_engine", "data_version", "get_engine", "get_project", "latest_period",
    "list_categories", "list_indicators", "list_milestones", "list_project_targets", "list_projects",
    "list_ratings", "list_regions", "list_reports", "list_rounds", "list_weight_schemes", "load_indicator_matrix",
    "load_indicator_months",
    "load_observations", "load_target_matrix", "my_rating_tasks", "open_report", "open_round",
    "project_rating_breakdown", "rate",
    "rating_sheet", "record_observation", "record_report", "review_report", "round_assignments", "round_results",
    "save_report", "set_review", "transaction", "update_milestone", "update_project", "viewer_data_versions",
    "viewer_for",
    "weight_scheme_items",
]
