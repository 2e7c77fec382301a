"""Bring a database to the newest schema: ``python -m data_access.migrate``.

Migrations run inside one transaction on the caller's engine, so a failed upgrade leaves the database
as it was (PostgreSQL has transactional DDL; on SQLite Alembic's batch mode rebuilds tables).

On PostgreSQL two roles keep the audit log append-only even for someone holding the app's password: the
migrations run as the tables' owner (``PERFDASH_MIGRATION_DATABASE_URL``), the app connects as a role that may
only insert and read audit entries (``PERFDASH_DATABASE_URL``). A table's owner can TRUNCATE it or disable its
triggers, so the app role must own nothing; after every upgrade :func:`grant_app_role` gives it exactly what
the app needs.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

from data_access.config import database_url
from data_access.db import create_database_engine
from data_access.errors import ConfigurationError, DataAccessError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` on ``engine``."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_up_to_date(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return current_revision(engine) == head


# The app's rights per table; every other table gets normal DML. No TRUNCATE, REFERENCES or TRIGGER anywhere.
APP_TABLE_RIGHTS = {
    "audit_log": "SELECT, INSERT",
    "audit_chain_head": "SELECT, UPDATE",  # appends move the head
    "data_version": "SELECT, UPDATE",  # every write transaction moves it on
    "region_data_versions": "SELECT, INSERT, UPDATE",  # or, for a write within some projects, their regions'
    "alembic_version": "SELECT",
}
APP_DEFAULT_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


def migration_url() -> URL:
    """``PERFDASH_MIGRATION_DATABASE_URL`` (the owner role), else the app's own URL (SQLite, single-role setups)."""
    raw = os.environ.get("PERFDASH_MIGRATION_DATABASE_URL", "").strip()
    return database_url(raw) if raw else database_url()


def app_role() -> str | None:
    """The role the app connects as: ``PERFDASH_APP_DB_ROLE``, else the user of ``PERFDASH_DATABASE_URL``."""
    return os.environ.get("PERFDASH_APP_DB_ROLE", "").strip() or database_url().username


def _transfer_ownership(connection: Connection, schema: str, role: str, quote) -> None:
    """Databases migrated by the app role itself (before there were two roles): the owner takes its objects over."""
    owned = connection.execute(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) = :role"),
        {"schema": schema, "role": role}).scalars().all()
    for table in owned:
        connection.execute(text(f"ALTER TABLE {quote(schema)}.{quote(table)} OWNER TO CURRENT_USER"))
    functions = connection.execute(text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = :schema AND pg_get_userbyid(p.proowner) = :role"),
        {"schema": schema, "role": role}).scalars().all()
    for function in functions:  # the trigger function: its owner could replace it with one that allows all
        connection.execute(text(f"ALTER FUNCTION {function} OWNER TO CURRENT_USER"))


def grant_app_role(engine: Engine, role: str) -> None:
    """PostgreSQL: give ``role`` the app's rights and nothing more (INSERT/SELECT on the audit log).

    Run as the owner after every upgrade, so tables added by a migration are covered too. Nothing to do on
    SQLite (no roles) or when the app connects as the owner itself (a single-role setup).
    """
    if engine.dialect.name != "postgresql":
        return
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        owner, schema, database_owner = connection.execute(text(
            "SELECT current_user, current_schema(), pg_get_userbyid(datdba) FROM pg_database "
            "WHERE datname = current_database()")).one()
        if role == owner:
            return
        if role == database_owner:  # it would own the schema, and a schema's owner may drop any table in it
            raise ConfigurationError(
                f"The app role {role!r} owns the database; make the owner role own it "
                f"(ALTER DATABASE ... OWNER TO {owner}) so the app cannot drop or truncate the audit log",
                message_zh=f"应用角色 {role} 是数据库的所有者；请将数据库所有者改为迁移角色 {owner}，"
                           "否则应用可以删除或清空审计日志")
        _transfer_ownership(connection, schema, role, quote)
        who, where = quote(role), quote(schema)
        connection.execute(text(f"GRANT USAGE ON SCHEMA {where} TO {who}"))
        connection.execute(text(f"REVOKE CREATE ON SCHEMA {where} FROM {who}"))
        connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}"))
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                                    {"schema": schema}).scalars().all()
        for table in tables:
            rights = APP_TABLE_RIGHTS.get(table, APP_DEFAULT_RIGHTS)
            connection.execute(text(f"GRANT {rights} ON {where}.{quote(table)} TO {who}"))
        connection.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}"))
        connection.execute(text(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {where} TO {who}"))


def migrate_configured() -> Engine:
    """Upgrade the configured database as its owner, then grant the app role its rights; the owner's engine."""
    engine = create_database_engine(migration_url(), statement_timeout_ms=0)  # a migration may take long
    upgrade(engine)
    role = app_role()
    if role:
        grant_app_role(engine, role)
    return engine


def main() -> int:
    try:
        engine = migrate_configured()
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    print(f"perfdash: database at {engine.url.render_as_string(hide_password=True)} is up to date")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
