"""The perfdash domain schema (SQLAlchemy 2 typed declarative models).

Alembic migrations under ``data_access/migrations`` create exactly this schema; a test compares the two.
Names are bilingual where users read them (``name_zh`` / ``name_en``). Money is ``Numeric`` (exact CNY),
measured values are floats. Periods are the first day of their month.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data_access.policy import ROLES  # the login roles; what each may do is declared there too

REGION_LEVELS = ("city", "district", "street")
PROJECT_STATUSES = ("planned", "active", "suspended", "completed", "archived")  # archived: out of every view
NORMALIZATIONS = ("target", "minmax", "band", "threshold")
IMPORT_KINDS = ("projects", "milestones", "targets", "observations")
IMPORT_STATUSES = ("applied", "rejected", "rolled_back")
DIRECTIONS = ("higher", "lower", "band")
PERIOD_ROLLUPS = ("last", "sum", "mean")
OBSERVATION_SOURCES = ("manual", "import", "api", "report", "rating")  # report: an accepted monthly report
RATER_TYPES = ("expert", "self", "peer", "superior")
GOAL_LEVELS = ("city_goal", "district_task", "project_target", "responsibility")
OKR_TYPES = ("objective", "key_result")
REPORT_STATUSES = ("draft", "submitted", "returned", "accepted")
ATTACHMENT_KINDS = ("photo", "file", "audio")  # audio: a voice note recorded with a monthly report
# A site photo's check-in verdict: never silently trusted, never silently refused (see services.checkin).
CHECKIN_FINDINGS = ("ok", "far", "outside_period", "no_metadata", "no_time", "no_position")
ROUND_STATUSES = ("open", "closed")
# 报告中心: the kinds of report and white paper perfdash builds; a white paper covers a quarter or a year.
REPORT_KINDS = ("weekly", "monthly", "quarterly", "white_paper_quarter", "white_paper_year")
REPORT_LANGUAGES = ("zh", "en", "vi", "th")
PROPOSAL_STATUSES = ("draft", "approved", "withdrawn")  # 结果应用: perfdash proposes, people approve
# What an open-API token may do besides nothing: read its scope, push monthly figures, push milestone progress.
TOKEN_SCOPES = ("read", "write_observations", "write_milestones")
JOB_RUN_STATUSES = ("running", "done", "failed")
FEEDBACK_STATUSES = ("open", "answered", "closed")  # 意见箱: sent, answered by an admin, closed (or reopened)
FEEDBACK_TAGS = ("bug", "data", "usability", "request", "question", "other")

# Deterministic constraint names so migrations behave the same on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    """A city, district/county or street. ``path`` ("/1/4/9/") makes subtree scope one LIKE."""

    __tablename__ = "regions"
    __table_args__ = (CheckConstraint(_one_of("level", REGION_LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(200), index=True)
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_km: Mapped[float] = mapped_column(Float, comment="approximate extent, used to place and check sites")
    report_review: Mapped[bool] = mapped_column(
        Boolean, server_default=text("false"),
        comment="monthly reports of this district's projects wait for an official's acceptance "
                "(streets: their district's)")


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("region_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    code: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(120))


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(100), comment="bcrypt")
    role: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id"), index=True, comment="scope; NULL means every region"
    )
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    language: Mapped[str] = mapped_column(String(5), server_default="zh")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    failed_logins: Mapped[int] = mapped_column(Integer, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sessions_valid_after: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    seen_release: Mapped[str | None] = mapped_column(
        String(40), comment="the newest release of CHANGELOG.md the user has opened 更新公告 on")


class LoginSession(Base):
    """A login remembered by a browser cookie, recorded when perfdash writes the cookie after a password login.

    A cookie is accepted only if it maps to a live row (same user and the exact ``exp_date`` signed into it),
    so a logout, which ends the rows, refuses every cookie issued before it, whatever the browser kept.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (UniqueConstraint("user_id", "cookie_exp_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    cookie_exp_date: Mapped[str] = mapped_column(String(40), comment="the cookie's signed exp_date, as repr(float)")
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(_one_of("status", PROJECT_STATUSES), name="status"),
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("planned_end >= planned_start", name="planned_dates_ordered"),
        Index(None, "region_id", "status"),
        Index(None, "category_id"),
        Index(None, "manager_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    planned_start: Mapped[dt.date] = mapped_column(Date)
    planned_end: Mapped[dt.date] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Numeric(16, 2), comment="CNY")
    status: Mapped[str] = mapped_column(String(12))
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("project_id", "seq"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        Index(None, "planned_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))
    planned_start: Mapped[dt.date] = mapped_column(Date)
    planned_end: Mapped[dt.date] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    percent_complete: Mapped[float] = mapped_column(Float, server_default="0")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class Indicator(Base):
    """One node of the 3-level indicator library; only level 3 carries measurements.

    ``scored`` is false for tracking series (planned progress, planned spend) that warnings compare
    against but that are not themselves performance.
    """

    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        CheckConstraint(_one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_one_of("period_rollup", PERIOD_ROLLUPS), name="period_rollup"),
        CheckConstraint(_one_of("normalization", NORMALIZATIONS), name="normalization"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    dimension: Mapped[str] = mapped_column(String(20))
    unit_zh: Mapped[str] = mapped_column(String(20), server_default="")
    unit_en: Mapped[str] = mapped_column(String(30), server_default="")
    direction: Mapped[str] = mapped_column(String(8), server_default="higher")
    band_lower: Mapped[float | None] = mapped_column(Float)
    band_upper: Mapped[float | None] = mapped_column(Float)
    default_weight: Mapped[float] = mapped_column(Float, server_default="1")
    period_rollup: Mapped[str] = mapped_column(String(6), server_default="last")
    scored: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id"), comment="NULL: applies to every category"
    )
    normalization: Mapped[str] = mapped_column(String(12), server_default="target")
    normalization_params: Mapped[str] = mapped_column(Text, server_default="{}", comment="JSON")
    sort_order: Mapped[int] = mapped_column(Integer, server_default="0", comment="order among its siblings")
    retired_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="retired: kept for history, left out of new schemes and templates")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class CategoryTemplateItem(Base):
    """A KPI a new project of the category gets, with its weight and (optionally) a default target."""

    __tablename__ = "category_template_items"
    __table_args__ = (
        UniqueConstraint("category_id", "indicator_id"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    weight: Mapped[float] = mapped_column(Float)
    target_value: Mapped[float | None] = mapped_column(Float)


class ProjectTarget(Base):
    __tablename__ = "project_targets"
    __table_args__ = (UniqueConstraint("project_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    target_value: Mapped[float] = mapped_column(Float)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    weight_override: Mapped[float | None] = mapped_column(Float)


class ImportBatch(Base):
    """One committed import of a file: what it was (kind, sha256), who, and what it did (row counts)."""

    __tablename__ = "import_batches"
    __table_args__ = (
        CheckConstraint(_one_of("status", IMPORT_STATUSES), name="status"),
        CheckConstraint(_one_of("kind", IMPORT_KINDS), name="kind"),
        # An API push is a batch: the token's Idempotency-Key names it once (a retry finds it, never a second).
        UniqueConstraint("api_token_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(10))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    row_count: Mapped[int] = mapped_column(Integer, server_default="0")
    status: Mapped[str] = mapped_column(String(12), server_default="applied")
    errors: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12), server_default="observations")
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    new_rows: Mapped[int] = mapped_column(Integer, server_default="0")
    changed_rows: Mapped[int] = mapped_column(Integer, server_default="0")
    unchanged_rows: Mapped[int] = mapped_column(Integer, server_default="0")
    rolled_back_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), comment="pushed through the API")
    idempotency_key: Mapped[str | None] = mapped_column(String(100), comment="the push's Idempotency-Key header")
    rolled_back_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ImportChange(Base):
    """One row an import created or changed, with its values before and after: a batch rolls back from these."""

    __tablename__ = "import_changes"
    __table_args__ = (UniqueConstraint("batch_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(20))
    entity_key: Mapped[str] = mapped_column(String(120), comment="e.g. project code / indicator code / 2026-03")
    before: Mapped[str | None] = mapped_column(Text, comment="canonical JSON; NULL: the import created the row")
    after: Mapped[str] = mapped_column(Text, comment="canonical JSON")


class Observation(Base):
    """One value per (project, indicator, period); corrections replace it and are audited."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("project_id", "indicator_id", "period"),
        # Covers the "one period, every project in scope" read, so it never touches the table itself.
        Index(None, "period", "project_id", "indicator_id", "value"),
        CheckConstraint(_one_of("source", OBSERVATION_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    period: Mapped[dt.date] = mapped_column(Date, comment="first day of the month")
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint(_one_of("rater_type", RATER_TYPES), name="rater_type"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        UniqueConstraint("project_id", "period", "dimension", "rater_id"),
        # "has this rater rated this project in this round" for every assignment of a round, answered from the index
        Index(None, "round_id", "project_id", "rater_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    period: Mapped[dt.date] = mapped_column(Date)
    dimension: Mapped[str] = mapped_column(String(20))
    rater_type: Mapped[str] = mapped_column(String(10))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rating_rounds.id", ondelete="CASCADE"),
        comment="the round it was given in; dimension is then the round's criterion code")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Goal(Base):
    """A node of the target tree: city goal → district task → project target → responsibility."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(_one_of("level", GOAL_LEVELS), name="level"),
        CheckConstraint(_one_of("okr_type", OKR_TYPES), name="okr_type"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    okr_type: Mapped[str] = mapped_column(String(10))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str] = mapped_column(String(7), comment="'2026' or '2026-11'")
    target_value: Mapped[float | None] = mapped_column(Float)
    unit_zh: Mapped[str | None] = mapped_column(String(20))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float, server_default="1", comment="share in the parent's progress")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, server_default="0")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class WeightScheme(Base):
    __tablename__ = "weight_schemes"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        # At most one default scheme: a partial unique index both databases enforce.
        Index(
            "uq_weight_schemes_one_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class WeightSchemeItem(Base):
    """A weight for a dimension (``indicator_id`` NULL) or for an indicator within its dimension."""

    __tablename__ = "weight_scheme_items"
    __table_args__ = (
        UniqueConstraint("scheme_id", "dimension", "indicator_id"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("weight_schemes.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(20))
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    weight: Mapped[float] = mapped_column(Float)


class AuditEntry(Base):
    """Append-only, hash-chained record of every write (chain logic: see the audit module)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "entity", "entity_id"), Index(None, "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text, comment="canonical JSON")
    after: Mapped[str | None] = mapped_column(Text, comment="canonical JSON")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hmac: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The single row holding the chain's newest entry; appends lock it so the chain never forks."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    last_entry_id: Mapped[int] = mapped_column(Integer, server_default="0")
    last_hash: Mapped[str] = mapped_column(String(64))


class DataVersion(Base):
    """The single row counting committed write transactions: pages key their caches on it, so a write by any
    process (a page, the scheduler, a command) shows on every page's next run."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, server_default="0")


class RegionDataVersion(Base):
    """A region's own write counter, moved on instead of ``data_version`` by a write that touches only the data of
    some projects (their figures, milestones, warnings): a district official's cached pages wait only for writes
    in their district, not for every push in the province. ``data_version`` plus the sum of these is the whole
    database's version."""

    __tablename__ = "region_data_versions"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, server_default="0")


ALERT_STATUSES = ("open", "acknowledged", "rectifying", "resolved", "closed")
SEVERITIES = ("red", "orange", "yellow")
RULE_SCOPES = ("all", "category", "region")


class AlertRule(Base):
    """A configured early-warning rule; the evaluation itself is pure code in ``scoring.rules``."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        CheckConstraint(_one_of("severity", SEVERITIES), name="severity"),
        CheckConstraint(_one_of("scope_kind", RULE_SCOPES), name="scope_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    rule_type: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(8))
    params: Mapped[str] = mapped_column(Text, server_default="{}", comment="JSON")
    scope_kind: Mapped[str] = mapped_column(String(10), server_default="all")
    scope_value: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    """One warning for a rule × project; at most one that is not closed (a partial unique index)."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint(_one_of("status", ALERT_STATUSES), name="status"),
        CheckConstraint(_one_of("severity", SEVERITIES), name="severity"),
        Index("uq_alerts_one_live_per_rule_project", "rule_id", "project_id", unique=True,
              sqlite_where=text("status <> 'closed'"), postgresql_where=text("status <> 'closed'")),
        Index(None, "project_id", "status"),
        Index(None, "status", "severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(8))
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    data_period: Mapped[dt.date | None] = mapped_column(Date)
    detail: Mapped[str | None] = mapped_column(Text, comment="JSON")
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_evaluated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reopen_count: Mapped[int] = mapped_column(Integer, server_default="0")
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class Rectification(Base):
    """The 整改 task of an alert: owner, plan and due date, then evidence, then verification."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    plan: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date] = mapped_column(Date)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AlertEvent(Base):
    """The history of an alert: every transition with who, when and a note."""

    __tablename__ = "alert_events"
    __table_args__ = (Index(None, "alert_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """An in-app message (the inbox) that may also be e-mailed; sending never blocks the data write."""

    __tablename__ = "notifications"
    __table_args__ = (Index(None, "user_id", "read_at"), UniqueConstraint("user_id", "topic"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(30))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    subject_zh: Mapped[str] = mapped_column(String(200))
    subject_en: Mapped[str] = mapped_column(String(300))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    email_attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    email_error: Mapped[str | None] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(
        String(80), comment="what a reminder is about (e.g. report-due/2026-11/17): one per user and topic")


class Report(Base):
    """A project's monthly report (进度填报): a draft, submitted, and accepted or sent back by the district.

    Its values stay in ``report_values`` until it is accepted (at once on submission where the district does not
    review); acceptance writes them to ``observations``, which is what scores use. Correcting an accepted
    period reopens the same report with a reason and counts the correction (the scorecard flags it).
    """

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("project_id", "period"),
        CheckConstraint(_one_of("status", REPORT_STATUSES), name="status"),
        Index(None, "status", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    period: Mapped[dt.date] = mapped_column(Date, comment="first day of the month reported on")
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    correction_reason: Mapped[str | None] = mapped_column(Text, comment="set while it corrects an accepted period")
    corrections: Mapped[int] = mapped_column(Integer, server_default="0",
                                             comment="times accepted values were corrected")
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class ReportValue(Base):
    """One KPI value of a report, with the reporter's reason when it had to be confirmed (a big jump …)."""

    __tablename__ = "report_values"
    __table_args__ = (UniqueConstraint("report_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    value: Mapped[float] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)


class ReportMilestone(Base):
    """A milestone's progress as a report states it; applied to ``milestones`` when the report is accepted."""

    __tablename__ = "report_milestones"
    __table_args__ = (
        UniqueConstraint("report_id", "milestone_id"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    percent_complete: Mapped[float | None] = mapped_column(Float)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)


class Attachment(Base):
    """A photo, file or voice note from the site, stored in the upload folder under its content hash.

    Photos carry what their EXIF says (time, GPS) and the check-in finding against the project's site and the
    report's period, for the reviewer to see.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ATTACHMENT_KINDS), name="kind"),
        CheckConstraint(f"finding IS NULL OR {_one_of('finding', CHECKIN_FINDINGS)}", name="finding"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        Index(None, "project_id", "uploaded_at"),
        Index(None, "report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200), comment="the name the user's file had (data, never a path)")
    stored_name: Mapped[str] = mapped_column(String(80), comment="relative to the upload folder")
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), comment="EXIF time, if any")
    lat: Mapped[float | None] = mapped_column(Float, comment="EXIF GPS, if any")
    lon: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float, comment="from the project's site")
    finding: Mapped[str | None] = mapped_column(String(20), comment="photos: the check-in verdict")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_cases.id", ondelete="SET NULL"),
                                                comment="a knowledge-base case this file documents")


class RatingRound(Base):
    """A rating round (评分): who rates which projects on which criteria for a period, until a deadline."""

    __tablename__ = "rating_rounds"
    __table_args__ = (CheckConstraint(_one_of("status", ROUND_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))
    period: Mapped[dt.date] = mapped_column(Date, comment="first day of the month the result is scored for")
    criteria: Mapped[str] = mapped_column(Text, comment="canonical JSON: [{code, name_zh, name_en, weight}]")
    group_weights: Mapped[str] = mapped_column(Text, comment="canonical JSON: {rater_type: weight}")
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), comment="the KPI the result feeds")
    deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    anonymous: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    correct_leniency: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class RatingAssignment(Base):
    """Who rates which project in a round, as which rater group; nobody else may rate it in that round."""

    __tablename__ = "rating_assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "project_id", "rater_id"),
        CheckConstraint(_one_of("rater_type", RATER_TYPES), name="rater_type"),
        Index(None, "rater_id", "round_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rater_type: Mapped[str] = mapped_column(String(10))


class RatingResult(Base):
    """A closed round's result for one project, with how it was computed (the method is part of the result)."""

    __tablename__ = "rating_results"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rating_rounds.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    score: Mapped[float | None] = mapped_column(Float)
    assigned: Mapped[int] = mapped_column(Integer, comment="raters assigned")
    responded: Mapped[int] = mapped_column(Integer, comment="raters who rated")
    self_flagged: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    method: Mapped[str] = mapped_column(Text, comment="canonical JSON: trimming, group weights, leniency correction")
    detail: Mapped[str] = mapped_column(Text, comment="canonical JSON: group means, agreement, self-rating gap")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReportBuild(Base):
    """A built report or white paper (报告中心), kept with what makes it reproducible.

    The PDF and the workbook are stored with their SHA-256; ``content_digest`` hashes the numbers the report
    states (the same data snapshot and period give the same digest), and the weight scheme, data version,
    software version and audit-chain head of the moment it was built are recorded beside them.
    """

    __tablename__ = "report_builds"
    __table_args__ = (
        CheckConstraint(_one_of("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(_one_of("language", REPORT_LANGUAGES), name="language"),
        Index(None, "kind", "period_label", "region_id"),
        Index(None, "built_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    period_label: Mapped[str] = mapped_column(String(10), comment="2026-W44, 2026-10, 2026-Q3 or 2026")
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date, comment="last day covered")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), comment="None: every region")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    content_digest: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the numbers the report states")
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("weight_schemes.id", ondelete="SET NULL"))
    data_version: Mapped[int] = mapped_column(Integer, comment="data_version.version when it was built")
    software_version: Mapped[str] = mapped_column(String(40))
    audit_entry_id: Mapped[int | None] = mapped_column(Integer, comment="the audit chain's head when it was built")
    audit_entry_hash: Mapped[str | None] = mapped_column(String(64))
    built_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="None: the scheduler")
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReportSubscription(Base):
    """A user's standing order for a report kind over their scope, e-mailed when each period closes."""

    __tablename__ = "report_subscriptions"
    __table_args__ = (
        CheckConstraint(_one_of("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(_one_of("language", REPORT_LANGUAGES), name="language"),
        UniqueConstraint("user_id", "kind", "region_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), comment="None: the user's whole scope")
    language: Mapped[str] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReportDelivery(Base):
    """One period's report for one subscription: built once, e-mailed, retried until sent."""

    __tablename__ = "report_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "period_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("report_subscriptions.id", ondelete="CASCADE"))
    period_label: Mapped[str] = mapped_column(String(10))
    build_id: Mapped[int | None] = mapped_column(ForeignKey("report_builds.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)


class AllocationRuleSet(Base):
    """How scores become rewards and budget priority (结果应用), configured by admins; one row is in force."""

    __tablename__ = "allocation_rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))
    params: Mapped[str] = mapped_column(Text, comment="canonical JSON: coefficients, pool, threshold, caps, rules")
    in_force: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class AllocationProposal(Base):
    """A saved allocation with its full calculation; perfdash pays nothing, approving one is audited."""

    __tablename__ = "allocation_proposals"
    __table_args__ = (
        CheckConstraint(_one_of("status", PROPOSAL_STATUSES), name="status"),
        Index(None, "period", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    period: Mapped[dt.date] = mapped_column(Date, comment="the month whose scores it allocates")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), comment="None: every region")
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("weight_schemes.id", ondelete="SET NULL"))
    params: Mapped[str] = mapped_column(Text, comment="canonical JSON: the rule parameters it was computed with")
    result: Mapped[str] = mapped_column(Text, comment="canonical JSON: per-project lines and totals")
    total: Mapped[Decimal] = mapped_column(Numeric(16, 2), comment="CNY allocated")
    status: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class KnowledgeCase(Base):
    """A best-practice case (经验库): what was done about a problem and what it achieved.

    The before/after figures are not copied: the case names an indicator and two periods and the figures are
    read from ``observations``. ``search_text`` holds the segmented words (Chinese split into words and
    character pairs) that search matches against, rebuilt on every save.
    """

    __tablename__ = "knowledge_cases"
    __table_args__ = (Index(None, "problem_type"), Index(None, "region_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(300))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), comment="whose case; None: city-wide")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    problem_type: Mapped[str] = mapped_column(String(40), comment="an alert rule type or a keyword")
    action_taken: Mapped[str] = mapped_column(Text)
    result_text: Mapped[str] = mapped_column(Text)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"))
    before_period: Mapped[dt.date | None] = mapped_column(Date)
    after_period: Mapped[dt.date | None] = mapped_column(Date)
    tags: Mapped[str] = mapped_column(Text, server_default="[]", comment="canonical JSON list")
    rectification_id: Mapped[int | None] = mapped_column(
        ForeignKey("rectifications.id", ondelete="SET NULL"), unique=True,
        comment="the closed rectification it came from")
    search_text: Mapped[str] = mapped_column(Text, server_default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class ApiToken(Base):
    """An open-API integration token (开放接口令牌): another system's key, made and revoked by admins.

    Only the SHA-256 of the secret is stored (the secret is random, so a fast hash is enough); the token is
    shown once when it is made. ``public_id`` finds the row without comparing every hash. A token is scoped to
    a region (None: everywhere) and to ``scopes`` (a comma list of :data:`TOKEN_SCOPES`), expires, and counts
    its requests per minute in ``window_start`` / ``window_count`` (one UPDATE per call, shared by every API
    worker through the database).
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True, comment="audited as the actor: api:<name>")
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), comment="None: every region")
    scopes: Mapped[str] = mapped_column(String(100), comment="comma list of read, write_observations, write_milestones")
    rate_per_minute: Mapped[int] = mapped_column(Integer, server_default="600")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    window_start: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), comment="rate-limit minute")
    window_count: Mapped[int] = mapped_column(Integer, server_default="0")


class JobRun(Base):
    """One run of a scheduled job for one slot (a day, a month …), so that several replicas run it once.

    The runner holds a lock while it works (a PostgreSQL advisory lock); a slot that is ``done`` is never run
    again, and one left ``running`` by a runner that died is taken over by the next runner.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(_one_of("status", JOB_RUN_STATUSES), name="status"),
        UniqueConstraint("job", "slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    slot: Mapped[str] = mapped_column(String(40), comment="which schedule slot: 2026-11-30, 2026-11-30T08 …")
    status: Mapped[str] = mapped_column(String(10))
    runner: Mapped[str] = mapped_column(String(120), comment="host and process that ran it")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), comment="SQLite: a running runner's last sign of life (its lease); PostgreSQL locks")
    attempts: Mapped[int] = mapped_column(Integer, server_default="1")
    error: Mapped[str | None] = mapped_column(Text)


RISK_TARGETS = ("late", "overrun", "delay")
RISK_MODEL_STATUSES = ("ready", "not_better", "too_few")


class RiskModel(Base):
    """One training of one risk target (风险预测): its judgement against the warning rule, and the model itself.

    Stored in the database so that every replica uses the same model. Only ``ready`` rows carry ``model``
    (joblib bytes that :mod:`scoring.risk_model` wrote: loading runs code, so only trained-by-perfdash bytes go
    here, written by admins, analysts and the scheduler). The app uses each target's newest row; a row
    ``not_better`` or ``too_few`` is a training that shipped nothing, and says why.
    """

    __tablename__ = "risk_models"
    __table_args__ = (
        CheckConstraint(_one_of("target", RISK_TARGETS), name="target"),
        CheckConstraint(_one_of("status", RISK_MODEL_STATUSES), name="status"),
        Index(None, "target", "trained_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    trained_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    data_version: Mapped[int] = mapped_column(Integer, comment="the data version the training read")
    metrics: Mapped[str] = mapped_column(Text, comment="canonical JSON: held-out scores of model and rule")
    features: Mapped[str] = mapped_column(Text, comment="canonical JSON: the feature names, in order")
    settings: Mapped[str] = mapped_column(Text, comment="canonical JSON: thresholds, shares, minimums, seed")
    model: Mapped[bytes | None] = mapped_column(LargeBinary, comment="joblib bytes; None unless ready")
    trained_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="None: the scheduler")


class Feedback(Base):
    """One message to the feedback box (意见箱): what page, what the user expected, an optional screenshot.

    The screenshot's bytes live in the upload folder under their content hash, like a report's photos
    (:mod:`data_access.uploads`); the row names them. Admins answer, tag, close and reopen; each answer tells the
    sender in their inbox (``answers`` numbers the answers, so each is told exactly once).
    """

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(_one_of("status", FEEDBACK_STATUSES), name="status"),
        CheckConstraint(f"tag IS NULL OR {_one_of('tag', FEEDBACK_TAGS)}", name="tag"),
        Index(None, "status", "created_at"),
        Index(None, "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), comment="the sender")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    page: Mapped[str] = mapped_column(String(60), comment="the url path of the page it was sent from")
    message: Mapped[str] = mapped_column(Text, comment="what the user expected and what happened (data)")
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    tag: Mapped[str | None] = mapped_column(String(20))
    answer: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[int] = mapped_column(Integer, server_default="0", comment="how many answers were sent")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    screenshot_name: Mapped[str | None] = mapped_column(String(80), comment="relative to the upload folder")
    screenshot_type: Mapped[str | None] = mapped_column(String(60))
    screenshot_bytes: Mapped[int | None] = mapped_column(Integer)
    screenshot_sha256: Mapped[str | None] = mapped_column(String(64))
