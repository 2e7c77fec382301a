"""Where the database is: one environment variable, one sensible default."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from data_access.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "perfdash.sqlite3"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


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
    except ArgumentError as exc:
        raise ConfigurationError(
            f"PERFDASH_DATABASE_URL is not a database URL: {raw!r}",
            message_zh=f"PERFDASH_DATABASE_URL 不是有效的数据库地址：{raw!r}",
        ) from exc
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


def demo_mode() -> bool:
    """``PERFDASH_DEMO=1``: demo keys and demo data are acceptable (``make run`` sets it)."""
    return os.environ.get("PERFDASH_DEMO", "").strip().lower() in {"1", "true", "yes", "on"}


def audit_key() -> bytes:
    """The HMAC key for audit entries; kept outside the database so its owner alone can rebuild a chain."""
    key = os.environ.get("PERFDASH_AUDIT_KEY", "").strip()
    if key:
        return key.encode()
    if demo_mode():
        return DEMO_AUDIT_KEY.encode()
    raise ConfigurationError(
        "PERFDASH_AUDIT_KEY is not set; set it to a long random secret (or PERFDASH_DEMO=1 for a demo)",
        message_zh="未设置 PERFDASH_AUDIT_KEY（审计密钥）；请设置为足够长的随机字符串，或以演示模式 PERFDASH_DEMO=1 运行",
    )
