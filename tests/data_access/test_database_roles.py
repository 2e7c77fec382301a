"""PostgreSQL with two roles: migrations run as the owner, the app's role cannot truncate or switch off the audit
log."""
import itertools

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from data_access import data_version, migrate, reads, writes
from data_access.audit import verify_chain
from data_access.db import create_database_engine
from data_access.demo.generator import build, write
from data_access.models import AuditEntry
from tests.conftest import SMALL_DEMO, _new_database, as_viewer

_roles = itertools.count(1)

REFUSED_TO_THE_APP = [
    "TRUNCATE audit_log",
    "TRUNCATE audit_chain_head",
    "UPDATE audit_log SET action = 'x'",
    "DELETE FROM audit_log",
    "DELETE FROM audit_chain_head",
    "DELETE FROM data_version",
    "TRUNCATE data_version",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "DROP TABLE audit_log",
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RETURN OLD; END; $$",
    "CREATE TABLE sneaky (id int)",
]


def _two_roles(request, monkeypatch, *, app_created_tables: bool = False):
    """A new database owned by the superuser, a fresh login role for the app, both URLs configured."""
    owner_url = _new_database("postgresql", request)
    role = f"perfdash_app{next(_roles)}"
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        if app_created_tables:  # the single-role past: the app role once ran the migrations itself
            connection.execute(text(f"GRANT CREATE ON SCHEMA public TO {role}"))
    admin.dispose()
    app_url = make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    monkeypatch.setenv("PERFDASH_MIGRATION_DATABASE_URL", owner_url)
    monkeypatch.setenv("PERFDASH_DATABASE_URL", app_url)
    return owner_url, app_url


@pytest.mark.usefixtures("db_backend")  # ids say [postgresql], so -k selects these with the other cases
@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_the_app_role_may_not_truncate_change_or_disable_the_audit_log_but_its_writes_work(
        request, monkeypatch):
    _owner_url, app_url = _two_roles(request, monkeypatch)
    assert migrate.main() == 0
    app = create_database_engine(app_url)
    write(app, build(**SMALL_DEMO))  # the demo seed runs as the app role
    official = as_viewer(app, "official_longting")
    project = reads.list_projects(app, official).iloc[0]
    writes.update_project(app, official, int(project["id"]), int(project["version"]), {"status": "suspended"})
    with app.connect() as connection:
        assert connection.execute(select(func.count()).select_from(AuditEntry)).scalar() == 1
    assert data_version(app) == 2  # the demo load and the edit, both moved on by the app role
    assert verify_chain(app).ok
    for statement in REFUSED_TO_THE_APP:
        with pytest.raises(DBAPIError, match="permission denied|must be owner"), app.begin() as connection:
            connection.execute(text(statement))
    assert verify_chain(app).ok
    app.dispose()


@pytest.mark.usefixtures("db_backend")  # ids say [postgresql], so -k selects these with the other cases
@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_migrating_as_the_owner_takes_the_tables_away_from_an_app_role_that_created_them(
        request, monkeypatch):
    owner_url, app_url = _two_roles(request, monkeypatch, app_created_tables=True)
    app = create_database_engine(app_url)
    migrate.upgrade(app)  # tables, sequences and the trigger function now belong to the app role
    assert migrate.main() == 0
    owner = create_engine(owner_url)
    with owner.connect() as connection:
        owners = set(connection.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")).scalars())
        function_owner = connection.execute(text(
            "SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'audit_log_append_only'")).scalar()
    owner.dispose()
    assert owners == {"postgres"} and function_owner == "postgres"
    with pytest.raises(DBAPIError, match="permission denied"), app.begin() as connection:
        connection.execute(text("TRUNCATE audit_log"))
    app.dispose()


def test_on_sqlite_the_migration_url_falls_back_to_the_app_url(monkeypatch, tmp_path):
    monkeypatch.delenv("PERFDASH_MIGRATION_DATABASE_URL", raising=False)
    monkeypatch.setenv("PERFDASH_DATABASE_URL", f"sqlite:///{tmp_path / 'one.sqlite3'}")
    assert migrate.migration_url().database == str(tmp_path / "one.sqlite3")
    assert migrate.main() == 0
    assert migrate.is_up_to_date(create_database_engine(f"sqlite:///{tmp_path / 'one.sqlite3'}"))


@pytest.mark.usefixtures("db_backend")  # ids say [postgresql], so -k selects these with the other cases
@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_the_migration_refuses_an_app_role_that_owns_the_database(request, monkeypatch, capsys):
    owner_url, app_url = _two_roles(request, monkeypatch)
    role, database = make_url(app_url).username, make_url(app_url).database
    admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"ALTER DATABASE {database} OWNER TO {role}"))
    admin.dispose()
    assert migrate.main() == 2
    assert capsys.readouterr().err.startswith(f"perfdash: The app role '{role}' owns the database; make the owner role")
