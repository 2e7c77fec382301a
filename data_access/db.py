"""Engine and session factory: the only place that opens database connections.

SQLite gets WAL mode (readers never block the writer) and enforced foreign keys on every
connection; PostgreSQL gets pre-ping so a restarted server does not surface as a stale-socket error, a pool of
the configured size and a statement timeout.
Connection failures become :class:`DatabaseUnavailable` with a generic message (the login page shows it to
anyone); where and why goes to the server log, password masked.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, Connection, Engine, create_engine, event, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from data_access.config import (
    UNAVAILABLE_EN,
    UNAVAILABLE_ZH,
    audit_key,
    database_url,
    log,
    masked_url,
    pool_settings,
)
from data_access.errors import DatabaseUnavailable, StatementTimeout
from data_access.models import DataVersion, Project, Region, RegionDataVersion


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin_sqlite(connection) -> None:
    """Write transactions take SQLite's write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes fails with "database is locked" when another
    writer committed in between; taking the lock first makes writers queue instead (busy_timeout).
    """
    immediate = connection.get_execution_options().get("write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_database_engine(url: URL | str | None = None, *, statement_timeout_ms: int | None = None) -> Engine:
    """Create an engine for ``url`` (default: from ``PERFDASH_DATABASE_URL``) and check it answers.

    PostgreSQL engines pool connections and stop statements after ``statement_timeout_ms`` (default
    ``PERFDASH_DB_STATEMENT_TIMEOUT_MS``; 0: never, as migrations need) — see ``config.pool_settings``.

    Without ``url`` this opens the deployment's own database, which is how the app and every command start:
    a missing, short or demo audit key stops them here, before anything is read or written.
    """
    if url is None:
        audit_key()
    if not isinstance(url, URL):
        url = database_url(url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
    else:
        settings = pool_settings()
        timeout = settings.statement_timeout_ms if statement_timeout_ms is None else statement_timeout_ms
        connect_args: dict[str, object] = {"connect_timeout": 5}
        if timeout:
            connect_args["options"] = f"-c statement_timeout={timeout}"
        engine = create_engine(url, pool_pre_ping=True, pool_size=settings.pool_size,
                               max_overflow=settings.max_overflow, connect_args=connect_args)
        event.listen(engine, "handle_error", _statement_timed_out)
        event.listen(engine, "handle_error", _connection_lost)
    check_connection(engine)
    return engine


QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout (or a cancel request)


def _statement_timed_out(context: ExceptionContext) -> None:
    """A cancelled statement reaches pages and the API as :class:`StatementTimeout` (both languages), not as
    a driver error with a traceback."""
    if getattr(context.original_exception, "sqlstate", None) == QUERY_CANCELED:
        log.warning("A statement was cancelled after the statement timeout: %s", str(context.statement)[:200])
        raise StatementTimeout(
            "The database took too long to answer and the request was stopped; nothing was changed. Narrow the "
            "selection or try again later",
            message_zh="数据库响应超时，本次操作已被取消，未做任何修改；请缩小查询范围或稍后重试",
        ) from context.original_exception


def _connection_lost(context: ExceptionContext) -> None:
    """A connection the server dropped in the middle of a request (PostgreSQL restarted, a failover) reaches
    pages and the API as :class:`DatabaseUnavailable` (the API's 503: try again), not as an internal error. The
    pool's own check of an idle connection (pre-ping) is left to reconnect quietly, as it does."""
    if context.is_disconnect and not context.is_pre_ping:
        log.warning("The database connection was lost during a statement: %s", str(context.original_exception)[:200])
        raise DatabaseUnavailable(
            "The connection to the database was lost during the request; try again in a moment (a push with the "
            "same Idempotency-Key is never written twice)",
            message_zh="与数据库的连接在处理请求时中断，请稍后重试（相同 Idempotency-Key 的推送不会重复写入）",
        ) from context.original_exception


def check_connection(engine: Engine) -> None:
    """Raise :class:`DatabaseUnavailable` unless a trivial query succeeds."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, InterfaceError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        password = engine.url.password
        if password:
            reason = reason.replace(str(password), "***")
        log.error("Cannot reach the database at %s: %s", masked_url(engine.url), reason)
        raise DatabaseUnavailable(UNAVAILABLE_EN, message_zh=UNAVAILABLE_ZH) from exc


_engines: dict[str, Engine] = {}


def get_engine() -> Engine:
    """The process-wide engine for the configured database (created on first use)."""
    audit_key()  # see create_database_engine: refuse to serve without a proper audit key
    key = database_url().render_as_string(hide_password=False)
    if key not in _engines:
        _engines[key] = create_database_engine(key)
    return _engines[key]


def reset_engine_cache() -> None:
    """Dispose of cached engines (tests switch ``PERFDASH_DATABASE_URL`` between databases)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def transaction(engine: Engine, *, account_activity: bool = False) -> Iterator[Session]:
    """A write session inside one transaction: committed on success, rolled back on any error.

    Its last statement moves the data version on, so whatever it wrote shows on every page's next run: the whole
    database's counter, or, for a write that declared it changes only some projects' own data
    (:func:`only_within_projects`), their regions' counters.
    ``account_activity`` (logins, login sessions, the language, refused accesses) leaves the version alone: it
    changes nothing a page shows but the audit log and the users table, whose reads follow the audit chain head
    instead, so a login does not empty every user's cache.
    """
    factory = sessionmaker(engine.execution_options(write=True), expire_on_commit=False)
    with factory.begin() as session:
        yield session
        if not account_activity and not session.info.get(_NOTHING_SHOWN):
            _move_version_on(session)


_WITHIN_PROJECTS = "perfdash.within_projects"
_NOTHING_SHOWN = "perfdash.nothing_shown"
_CHUNK = 5_000


def only_within_projects(session: Session, project_ids: Iterable[int]) -> None:
    """Declare that this write transaction changes nothing but these projects' own data (figures, milestones,
    their warnings): it then moves on only the counters of their regions, and the cached pages of other
    districts' officials stay warm. A transaction that declares nothing moves the whole database's counter."""
    session.info.setdefault(_WITHIN_PROJECTS, set()).update(int(project_id) for project_id in project_ids)


def changes_nothing_shown(session: Session) -> None:
    """Declare that this write transaction changes nothing any page shows (an evaluation that found what it found
    before and only stamped when it looked): no data version moves, so no replica empties a cached page for it."""
    session.info[_NOTHING_SHOWN] = True


def _move_version_on(session: Session) -> None:
    within = sorted(session.info.get(_WITHIN_PROJECTS) or ())
    regions = sorted({region for start in range(0, len(within), _CHUNK) for region in session.execute(
        select(Project.region_id).where(Project.id.in_(within[start:start + _CHUNK])).distinct()).scalars()})
    if not regions:  # nothing declared (or the projects are gone): the whole database moves on
        bump_data_version(session)
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # one statement, in region order: two writers bumping the same regions lock them in the same order
    statement = dialect.insert(RegionDataVersion).values([{"region_id": region, "version": 1} for region in regions])
    session.execute(statement.on_conflict_do_update(index_elements=[RegionDataVersion.region_id],
                                                    set_={"version": RegionDataVersion.version + 1}))


def bump_data_version(connection: Connection | Session) -> None:
    """Move the data version on inside the caller's write transaction (undone with it on a rollback)."""
    connection.execute(update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1))


@dataclass(frozen=True)
class DataVersions:
    """What a page run keys its caches on. ``whole``: the database's version (its counter plus every region's),
    which moves on with every write; ``scope``: the version of what the viewer's region scope holds (the
    database's counter plus their regions'), which writes within other regions leave alone; ``base``: the
    database's own counter, moved on by every write not declared within some projects."""

    base: int
    whole: int
    scope: int


def _regions_sum(where: ColumnElement[bool] | None = None) -> ColumnElement[int]:
    statement = select(func.coalesce(func.sum(RegionDataVersion.version), 0))
    if where is not None:
        statement = statement.join(Region, Region.id == RegionDataVersion.region_id).where(where)
    return statement.scalar_subquery()


def data_versions(engine: Engine, region_scope: ColumnElement[bool] | None) -> DataVersions:
    """The versions of one page run in one statement; ``region_scope`` is a clause over ``Region`` (None: the
    viewer's scope is not a set of regions, and their scope version is the whole database's)."""
    base = select(DataVersion.version).where(DataVersion.id == 1).scalar_subquery()
    sums = (_regions_sum(),) if region_scope is None else (_regions_sum(), _regions_sum(region_scope))
    with engine.connect() as connection:
        row = connection.execute(select(base, *sums)).one()
    return DataVersions(base=row[0], whole=row[0] + row[1], scope=row[0] + row[-1])


def subtree_versions(engine: Engine, region_paths: Iterable[str]) -> tuple[int, dict[str, int]]:
    """The database's own counter, and the scope version of each region subtree (by path) in one read: that
    counter plus the counters of the regions under it, what :func:`data_versions` gives a viewer scoped to the
    region, for many regions at once (a leader's portfolio rebuilt only for the districts a push changed)."""
    with engine.connect() as connection:
        base = connection.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar_one()
        counters = connection.execute(select(Region.path, RegionDataVersion.version)
                                      .join(Region, Region.id == RegionDataVersion.region_id)).all()
    return base, {path: base + sum(version for region, version in counters if region.startswith(path))
                  for path in region_paths}


def data_version(engine: Engine) -> int:
    """The database's version: it moves on with every committed write transaction, so one cheap read tells
    whether anything cached is stale."""
    return data_versions(engine, None).whole
