import pytest

from data_access.config import DEFAULT_SQLITE_PATH, audit_key, database_url
from data_access.db import create_database_engine
from data_access.errors import ConfigurationError, DatabaseUnavailable
from devtools.pg_cluster import _free_port


def test_default_url_is_the_sqlite_file_under_data(monkeypatch):
    monkeypatch.delenv("PERFDASH_DATABASE_URL", raising=False)
    assert database_url().database == str(DEFAULT_SQLITE_PATH)
    assert DEFAULT_SQLITE_PATH.parent.name == "data"


def test_plain_postgresql_url_gets_the_psycopg_driver():
    assert database_url("postgresql://u@h:5/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize("raw", ["mysql://u@h/db", "oracle://x"])
def test_unknown_scheme_is_refused_with_a_clear_message(raw):
    with pytest.raises(ConfigurationError, match="Unsupported database") as caught:
        database_url(raw)
    assert "不支持的数据库类型" in caught.value.message_zh


def test_garbage_url_is_refused():
    with pytest.raises(ConfigurationError, match="not a database URL"):
        database_url("not a url at all")


def test_unreachable_postgresql_raises_database_unavailable_without_the_password():
    url = f"postgresql+psycopg://perfdash:s3cret@127.0.0.1:{_free_port()}/nothing"
    with pytest.raises(DatabaseUnavailable, match="Cannot reach the database") as caught:
        create_database_engine(url)
    assert "s3cret" not in str(caught.value)
    assert "无法连接数据库" in caught.value.message_zh


def test_sqlite_engine_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_audit_key_required_outside_demo_mode(monkeypatch):
    monkeypatch.delenv("PERFDASH_AUDIT_KEY", raising=False)
    monkeypatch.delenv("PERFDASH_DEMO", raising=False)
    with pytest.raises(ConfigurationError, match="PERFDASH_AUDIT_KEY"):
        audit_key()
    monkeypatch.setenv("PERFDASH_DEMO", "1")
    assert audit_key()
