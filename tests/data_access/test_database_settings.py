"""Production database settings: the pool's size, and statements longer than the timeout cancelled by PostgreSQL
and surfaced as a data-access error in both languages."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from data_access import data_version, transaction
from data_access.config import PoolSettings, pool_settings
from data_access.db import create_database_engine
from data_access.errors import ConfigurationError, DatabaseUnavailable, StatementTimeout


def test_the_pool_settings_default_and_come_from_the_environment(monkeypatch):
    for name in ("PERFDASH_DB_POOL_SIZE", "PERFDASH_DB_MAX_OVERFLOW", "PERFDASH_DB_STATEMENT_TIMEOUT_MS"):
        monkeypatch.delenv(name, raising=False)
    assert pool_settings() == PoolSettings(pool_size=5, max_overflow=10, statement_timeout_ms=30000)
    monkeypatch.setenv("PERFDASH_DB_POOL_SIZE", "12")
    monkeypatch.setenv("PERFDASH_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("PERFDASH_DB_STATEMENT_TIMEOUT_MS", "0")
    assert pool_settings() == PoolSettings(pool_size=12, max_overflow=0, statement_timeout_ms=0)


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_a_setting_that_is_not_a_whole_number_is_refused_by_name_in_both_languages(monkeypatch, value):
    monkeypatch.setenv("PERFDASH_DB_STATEMENT_TIMEOUT_MS", value)
    with pytest.raises(ConfigurationError, match="PERFDASH_DB_STATEMENT_TIMEOUT_MS must be a whole number") as error:
        pool_settings()
    assert error.value.message_zh == "数据库语句超时（PERFDASH_DB_STATEMENT_TIMEOUT_MS）须为不小于 0 的整数"


def test_a_pool_of_no_connections_is_refused(monkeypatch):
    monkeypatch.setenv("PERFDASH_DB_POOL_SIZE", "0")  # SQLAlchemy would read 0 as "no limit"
    with pytest.raises(ConfigurationError, match="PERFDASH_DB_POOL_SIZE must be a whole number of at least 1"):
        pool_settings()


def _url(engine):
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.usefixtures("db_backend")
@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_postgresql_engines_use_the_configured_pool(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_DB_POOL_SIZE", "7")
    monkeypatch.setenv("PERFDASH_DB_MAX_OVERFLOW", "3")
    engine = create_database_engine(_url(seeded_engine))
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._pre_ping) == (7, 3, True)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "30s"
    engine.dispose()


@pytest.mark.usefixtures("db_backend")
@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_a_statement_longer_than_the_timeout_is_cancelled_as_a_data_access_error_and_writes_nothing(
        seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_DB_STATEMENT_TIMEOUT_MS", "300")
    engine = create_database_engine(_url(seeded_engine))
    before = data_version(engine)
    with pytest.raises(StatementTimeout) as error, transaction(engine) as session:
        session.execute(text("UPDATE projects SET name_en = 'changed'"))
        session.execute(text("SELECT pg_sleep(3)"))
    assert isinstance(error.value, DatabaseUnavailable)  # the API answers 503, pages show the message
    assert error.value.message_zh == "数据库响应超时，本次操作已被取消，未做任何修改；请缩小查询范围或稍后重试"
    assert str(error.value).startswith("The database took too long to answer")
    with engine.connect() as connection:  # the pool's connections still work, and nothing was written
        assert connection.execute(text("SELECT count(*) FROM projects WHERE name_en = 'changed'")).scalar_one() == 0
        assert connection.execute(text("SELECT pg_sleep(0.05)")).scalar_one() == ""
    assert data_version(engine) == before
    unlimited = create_database_engine(_url(seeded_engine), statement_timeout_ms=0)  # migrations
    with unlimited.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "0"
    unlimited.dispose()
    engine.dispose()


@pytest.mark.usefixtures("db_backend")
@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_a_connection_dropped_in_the_middle_of_a_write_is_a_data_access_error_and_writes_nothing(seeded_engine):
    """What a PostgreSQL restart during an import does to the request that was writing (bench/bench_faults.py)."""
    engine = create_database_engine(_url(seeded_engine))
    before = data_version(engine)
    with pytest.raises(DatabaseUnavailable) as error, transaction(engine) as session:
        session.execute(text("UPDATE projects SET name_en = 'changed'"))
        with engine.connect() as other:  # the server ends this transaction's backend, as a restart would
            other.execute(text("SELECT pg_terminate_backend(:pid)"),
                          {"pid": session.execute(text("SELECT pg_backend_pid()")).scalar_one()})
        session.execute(text("SELECT 1"))
    assert type(error.value) is DatabaseUnavailable  # the API answers 503 "unavailable", pages show the message
    assert error.value.message_zh.startswith("与数据库的连接在处理请求时中断")
    with engine.connect() as connection:  # the pool reconnects, and nothing of the transaction was written
        assert connection.execute(text("SELECT count(*) FROM projects WHERE name_en = 'changed'")).scalar_one() == 0
    assert data_version(engine) == before
    engine.dispose()
