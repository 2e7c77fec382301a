import logging
import subprocess
import sys

import pytest

from data_access.config import DEFAULT_SQLITE_PATH, DEMO_AUDIT_KEY, PROJECT_ROOT, audit_key, database_url
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


@pytest.mark.parametrize("raw", ["postgresql+psycopg://dbadmin:hunter2-secret@db.internal.example:notaport/perfdash_prod",
                                 "postgresql+psycopg//dbadmin:hunter2-secret@db.internal.example:5432/perfdash_prod"])
def test_a_malformed_url_is_refused_with_a_generic_message_and_logged_with_the_password_masked(caplog, raw):
    with caplog.at_level(logging.ERROR, logger="perfdash.database"), \
            pytest.raises(ConfigurationError) as caught:
        database_url(raw)
    shown = str(caught.value) + caught.value.message_zh
    for secret in ("hunter2-secret", "dbadmin", "db.internal.example", "5432", "notaport", "perfdash_prod"):
        assert secret not in shown
    assert caught.value.message_zh == "数据库暂不可用，请联系管理员（详情见服务器日志）"
    assert [r.getMessage() for r in caplog.records] == [
        f"PERFDASH_DATABASE_URL is not a database URL: {raw.replace('hunter2-secret', '***')!r}"]


def test_an_unreachable_database_gives_a_generic_message_and_logs_where_with_the_password_masked(caplog):
    port = _free_port()
    url = f"postgresql+psycopg://perfdash_user:s3cret-pw@127.0.0.1:{port}/perfdash_prod"
    with caplog.at_level(logging.ERROR, logger="perfdash.database"), \
            pytest.raises(DatabaseUnavailable) as caught:
        create_database_engine(url)
    shown = str(caught.value) + caught.value.message_zh
    for secret in ("s3cret-pw", "perfdash_user", "127.0.0.1", str(port), "perfdash_prod"):
        assert secret not in shown
    assert str(caught.value) == "The database is unavailable; please contact the administrator (details are in " \
                                "the server log)"
    (record,) = caplog.records
    assert record.getMessage().startswith(
        f"Cannot reach the database at postgresql+psycopg://perfdash_user:***@127.0.0.1:{port}/perfdash_prod: ")
    assert "s3cret-pw" not in record.getMessage()


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


@pytest.mark.parametrize("key", ["x", "k" * 31, DEMO_AUDIT_KEY])
def test_outside_demo_mode_a_short_or_demo_audit_key_is_refused(monkeypatch, key):
    monkeypatch.delenv("PERFDASH_DEMO", raising=False)
    monkeypatch.setenv("PERFDASH_AUDIT_KEY", key)
    with pytest.raises(ConfigurationError,
                       match="PERFDASH_AUDIT_KEY to a random secret of at least 32 bytes") as caught:
        audit_key()
    assert caught.value.message_zh.startswith("审计密钥无效或未设置：请将 PERFDASH_AUDIT_KEY 设置为至少 32 字节")


def test_an_audit_key_of_32_bytes_is_accepted_outside_demo_mode(monkeypatch):
    monkeypatch.delenv("PERFDASH_DEMO", raising=False)
    monkeypatch.setenv("PERFDASH_AUDIT_KEY", "密" * 10 + "kk")  # 30 + 2 bytes
    assert audit_key() == ("密" * 10 + "kk").encode()


def test_a_command_refuses_to_start_with_a_short_audit_key_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PERFDASH_AUDIT_KEY": "short",
           "PERFDASH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run([sys.executable, "-m", "services.alerts", "run"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("perfdash: Set PERFDASH_AUDIT_KEY to a random secret of at least 32 bytes")
    assert result.stderr.count("\n") == 1
