"""External anchors of the audit chain: its head written, signed, to an append-only file outside the database.

The hash chain shows edits, deletions and insertions *inside* the log, but someone with database access can
delete the newest entries and point the chain-head row at the new last one: what remains is a valid chain.
An anchor (entry id, entry hash, time, HMAC with the audit key) written somewhere the database user cannot
rewrite records how far the chain reached; :func:`data_access.audit.verify_chain` checks every anchor it can
read and names the first one the database no longer reproduces.

Anchors are written after a commit (never inside the user's transaction, and a failure is only logged) when
``PERFDASH_AUDIT_ANCHOR_EVERY`` entries (default 1000) or ``PERFDASH_AUDIT_ANCHOR_MINUTES`` (default 60) have
passed since the last one, and on demand (the audit page's button, ``python -m data_access.anchors write``,
see :mod:`data_access.anchors.__main__`).
Each database has its own file in ``PERFDASH_AUDIT_ANCHOR_DIR`` (default ``data/audit-anchors``), named
after the database, so anchors of another database are never mistaken for this one's.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from data_access.config import PROJECT_ROOT, audit_key
from data_access.errors import ConfigurationError

log = logging.getLogger("perfdash.audit.anchors")
_last_anchor: dict[Path, tuple[int, dt.datetime | None]] = {}
_lock = threading.Lock()


def anchor_dir() -> Path:
    """``PERFDASH_AUDIT_ANCHOR_DIR``: a directory the database's users cannot rewrite (default data/audit-anchors)."""
    raw = os.environ.get("PERFDASH_AUDIT_ANCHOR_DIR", "").strip()
    return Path(raw) if raw else PROJECT_ROOT / "data" / "audit-anchors"


def _setting(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return max(float(raw), 0.0) if raw else default
    except ValueError:
        log.error("%s=%r is not a number; using %s", name, raw, default)
        return default


def anchor_every() -> int:
    """``PERFDASH_AUDIT_ANCHOR_EVERY``: anchor after this many new entries (default 1000, 0 = never by count)."""
    return int(_setting("PERFDASH_AUDIT_ANCHOR_EVERY", 1000))


def anchor_minutes() -> float:
    """``PERFDASH_AUDIT_ANCHOR_MINUTES``: anchor a new entry when the last anchor is older (default 60, 0 = off)."""
    return _setting("PERFDASH_AUDIT_ANCHOR_MINUTES", 60)


def anchor_path(engine: Engine) -> Path:
    """This database's anchor file: backend, database name and a hash of where it lives (never user or password)."""
    url = engine.url
    where = str(Path(url.database or "").resolve()) if url.get_backend_name() == "sqlite" else \
        f"{url.host}:{url.port}/{url.database}"
    stem = Path(url.database or "memory").stem or "db"
    digest = hashlib.sha256(f"{url.get_backend_name()}|{where}".encode()).hexdigest()[:12]
    return anchor_dir() / f"{url.get_backend_name()}-{stem}-{digest}.jsonl"


@dataclass(frozen=True)
class Anchor:
    """One line of an anchor file; ``line`` counts from 1 so that a report can name it."""

    line: int
    entry_id: int
    entry_hash: str
    anchored_at: str
    signature: str

    def signed_text(self) -> str:
        return json.dumps({"entry_id": self.entry_id, "entry_hash": self.entry_hash, "anchored_at": self.anchored_at},
                          sort_keys=True, separators=(",", ":"))

    def is_signed_by(self, key: bytes) -> bool:
        expected = hmac.new(key, self.signed_text().encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)


@dataclass(frozen=True)
class AnchorFile:
    """What an anchor file holds: parsed anchors and the numbers of lines that are not anchors at all."""

    path: Path
    anchors: tuple[Anchor, ...]
    unreadable_lines: tuple[int, ...]


def write_anchor(engine: Engine, entry_id: int, entry_hash: str, *, now: dt.datetime | None = None) -> Anchor:
    """Append a signed anchor for (entry_id, entry_hash) to this database's file and fsync it.

    Raises :class:`ConfigurationError` when the file cannot be written (the caller decides whether that matters).
    """
    path = anchor_path(engine)
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    unsigned = Anchor(0, entry_id, entry_hash, moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "")
    signature = hmac.new(audit_key(), unsigned.signed_text().encode(), hashlib.sha256).hexdigest()
    line = json.dumps({"entry_id": entry_id, "entry_hash": entry_hash, "anchored_at": unsigned.anchored_at,
                       "hmac": signature}, sort_keys=True) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, open(path, "a", encoding="utf-8") as handle:  # append mode: earlier anchors are never rewritten
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
            _last_anchor[path] = (entry_id, moment)
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot write the audit anchor to {path}: {exc.strerror or exc}; check PERFDASH_AUDIT_ANCHOR_DIR",
            message_zh=f"无法写入审计锚点文件 {path}：{exc.strerror or exc}；请检查 PERFDASH_AUDIT_ANCHOR_DIR",
        ) from exc
    return Anchor(0, entry_id, entry_hash, unsigned.anchored_at, signature)


def read_anchors(engine: Engine) -> AnchorFile:
    """Every anchor in this database's file (none when there is no file; an unreadable file is logged)."""
    path = anchor_path(engine)
    anchors: list[Anchor] = []
    unreadable: list[int] = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AnchorFile(path, (), ())
    except OSError:
        log.exception("Cannot read the audit anchor file %s", path)
        return AnchorFile(path, (), ())
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
            anchors.append(Anchor(number, int(record["entry_id"]), str(record["entry_hash"]),
                                  str(record["anchored_at"]), str(record["hmac"])))
        except (ValueError, KeyError, TypeError):
            unreadable.append(number)
    return AnchorFile(path, tuple(anchors), tuple(unreadable))


def _last_known(path: Path, engine: Engine) -> tuple[int, dt.datetime | None]:
    if path not in _last_anchor:
        anchors = read_anchors(engine).anchors
        if anchors:
            moment = dt.datetime.strptime(anchors[-1].anchored_at, "%Y-%m-%dT%H:%M:%S.%fZ")
            _last_anchor[path] = (anchors[-1].entry_id, moment.replace(tzinfo=dt.UTC))
        else:
            _last_anchor[path] = (0, None)
    return _last_anchor[path]


def anchor_if_due(engine: Engine, entry_id: int, entry_hash: str, *, now: dt.datetime | None = None) -> None:
    """After a commit: anchor the new head when enough entries or minutes have passed. Never raises.

    The user's write is already committed; losing one anchor only weakens the evidence, so it is logged.
    """
    try:
        moment = now or dt.datetime.now(dt.UTC)
        last_id, last_at = _last_known(anchor_path(engine), engine)
        every, minutes = anchor_every(), anchor_minutes()
        by_count = every > 0 and entry_id - last_id >= every
        by_time = minutes > 0 and (last_at is None or moment - last_at >= dt.timedelta(minutes=minutes))
        if by_count or by_time:
            write_anchor(engine, entry_id, entry_hash, now=moment)
    except Exception:
        log.exception("Could not write the audit anchor for entry %s", entry_id)
