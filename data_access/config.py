"""Where the database is: one environment variable, one sensible default."""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from data_access.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "perfdash.sqlite3"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
UNAVAILABLE_EN = "The database is unavailable; please contact the administrator (details are in the server log)"
UNAVAILABLE_ZH = "数据库暂不可用，请联系管理员（详情见服务器日志）"

log = logging.getLogger("perfdash.database")


def masked_url(raw: str | URL) -> str:
    """A database URL fit for a log: the password replaced by ``***``, even when the URL does not parse."""
    if isinstance(raw, URL):
        return raw.render_as_string(hide_password=True)
    head, at, host_part = raw.rpartition("@")
    scheme, slashes, user_info = head.partition("//") if "//" in head else ("", "", head)
    if not at or ":" not in user_info:
        return raw
    return f"{scheme}{slashes}{user_info.split(':', 1)[0]}:***@{host_part}"


def database_url(raw: str | None = None) -> URL:
    """Parse ``raw`` (default: ``PERFDASH_DATABASE_URL``, else the SQLite file under ``data/``).

    Only SQLite and PostgreSQL are supported; anything else is refused here, before any driver is
    imported, so a typo gives one clear sentence instead of a driver traceback.
    """
    raw = raw if raw is not None else os.environ.get("PERFDASH_DATABASE_URL", "").strip()
    if not raw:
        return make_url(f"sqlite:///{DEFAULT_SQLITE_PATH}")
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        # Visitors see the page before logging in: the URL (password, host, user) goes to the server log only.
        log.error("PERFDASH_DATABASE_URL is not a database URL: %r", masked_url(raw))
        raise ConfigurationError(UNAVAILABLE_EN, message_zh=UNAVAILABLE_ZH) from exc
    if url.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ConfigurationError(
            f"Unsupported database {url.get_backend_name()!r} in PERFDASH_DATABASE_URL; "
            "use sqlite:///path/file.sqlite3 or postgresql+psycopg://user@host:port/db",
            message_zh=f"不支持的数据库类型 {url.get_backend_name()!r}，请使用 SQLite 或 PostgreSQL",
        )
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


DEMO_AUDIT_KEY = "perfdash-demo-audit-key-not-for-production-use"
MIN_SECRET_BYTES = 32


def demo_mode() -> bool:
    """``PERFDASH_DEMO=1``: demo keys and demo data are acceptable (``make run`` sets it)."""
    return os.environ.get("PERFDASH_DEMO", "").strip().lower() in {"1", "true", "yes", "on"}


def signing_secret(value: str, *, setting: str, demo_value: str, what_zh: str) -> str:
    """``value`` if it can sign something nobody else may forge: at least 32 bytes and not the public demo value.

    Anyone who knows the key can forge what it signs (login cookies, audit entries), so a missing, short or
    demo key is refused; only in demo mode does a missing key fall back to ``demo_value``.
    """
    value = value.strip()
    if demo_mode() and not value:
        return demo_value
    if not value or value == demo_value or len(value.encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"Set {setting} to a random secret of at least {MIN_SECRET_BYTES} bytes that is not the demo value, "
            "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`; PERFDASH_DEMO=1 runs the demo "
            "without one",
            message_zh=f"{what_zh}无效或未设置：请将 {setting} 设置为至少 {MIN_SECRET_BYTES} 字节、"
                       "且不是演示值的随机字符串；演示可使用 PERFDASH_DEMO=1",
        )
    return value


def audit_key() -> bytes:
    """The HMAC key for audit entries; kept outside the database so its owner alone can rebuild a chain."""
    return signing_secret(os.environ.get("PERFDASH_AUDIT_KEY", ""), setting="PERFDASH_AUDIT_KEY",
                          demo_value=DEMO_AUDIT_KEY, what_zh="审计密钥").encode()


DEFAULT_PROJECT_CODE_PATTERN = r"P\d{6}-\d{5}"  # the demo's codes: P + the region code + a five-digit serial


def project_code_pattern() -> re.Pattern[str]:
    """``PERFDASH_PROJECT_CODE_PATTERN``: the regular expression a whole new project code must match."""
    raw = os.environ.get("PERFDASH_PROJECT_CODE_PATTERN", "").strip() or DEFAULT_PROJECT_CODE_PATTERN
    try:
        return re.compile(raw)
    except re.error as exc:
        raise ConfigurationError(
            f"PERFDASH_PROJECT_CODE_PATTERN is not a regular expression: {exc}",
            message_zh="项目编号格式（PERFDASH_PROJECT_CODE_PATTERN）不是有效的正则表达式") from exc


DEFAULT_SELF_RATING_MARGIN = 10.0


def self_rating_margin() -> float:
    """``PERFDASH_SELF_RATING_MARGIN`` (default 10): points a self-rating may exceed the other raters' before a
    rating round's result flags it."""
    raw = os.environ.get("PERFDASH_SELF_RATING_MARGIN", "").strip()
    try:
        margin = float(raw) if raw else DEFAULT_SELF_RATING_MARGIN
    except ValueError:
        margin = -1.0
    if not 0 <= margin <= 100:
        raise ConfigurationError(f"PERFDASH_SELF_RATING_MARGIN must be a number of points from 0 to 100, got {raw!r}",
                                 message_zh="自评偏高阈值（PERFDASH_SELF_RATING_MARGIN）须为 0–100 的分数")
    return margin


@dataclass(frozen=True)
class PoolSettings:
    """How the app talks to PostgreSQL in production: connections kept per process, and the longest statement."""

    pool_size: int
    max_overflow: int
    statement_timeout_ms: int  # 0: no limit


def _whole_number(name: str, default: int, what_zh: str, *, least: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = least - 1
    if value < least:
        raise ConfigurationError(f"{name} must be a whole number of at least {least}, got {raw!r}",
                                 message_zh=f"{what_zh}（{name}）须为不小于 {least} 的整数")
    return value


def pool_settings() -> PoolSettings:
    """``PERFDASH_DB_POOL_SIZE`` (5), ``PERFDASH_DB_MAX_OVERFLOW`` (10), ``PERFDASH_DB_STATEMENT_TIMEOUT_MS`` (30000).

    Each replica and API worker holds up to pool size + overflow connections: keep their sum over all processes
    below PostgreSQL's ``max_connections``.
    """
    return PoolSettings(
        pool_size=_whole_number("PERFDASH_DB_POOL_SIZE", 5, "数据库连接池大小", least=1),  # 0: no limit at all
        max_overflow=_whole_number("PERFDASH_DB_MAX_OVERFLOW", 10, "数据库连接池溢出数"),
        statement_timeout_ms=_whole_number("PERFDASH_DB_STATEMENT_TIMEOUT_MS", 30000, "数据库语句超时"),
    )


@dataclass(frozen=True)
class RiskSettings:
    late_days: int  # a project finishing more than this many days after its planned end is late
    max_age_days: int  # a risk model older than this is stale: the app hides its predictions


def risk_settings() -> RiskSettings:
    """``PERFDASH_RISK_LATE_DAYS`` (30), ``PERFDASH_RISK_MAX_AGE_DAYS`` (40: the monthly retraining and ten days'
    grace)."""
    return RiskSettings(late_days=_whole_number("PERFDASH_RISK_LATE_DAYS", 30, "风险预测的延期天数阈值", least=1),
                        max_age_days=_whole_number("PERFDASH_RISK_MAX_AGE_DAYS", 40, "风险预测模型的有效天数",
                                                   least=1))
