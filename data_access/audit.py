"""Tamper-evident audit log: a SHA-256 hash chain with an HMAC on every entry.

Each entry's hash covers a canonical JSON encoding of its fields and the previous entry's hash, so editing,
deleting, inserting or reordering entries breaks the chain at that point. The HMAC (key from
``PERFDASH_AUDIT_KEY``, never stored in the database) stops someone with database access alone from
recomputing a consistent chain after tampering. Appends lock the single chain-head row, so concurrent
writers queue and the chain never forks.

Deleting the newest entries and rewriting the chain-head row leaves a valid chain; external anchors
(:mod:`data_access.anchors`, written after commits and on demand) record how far the chain reached, and
:func:`verify_chain` checks them too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, event, insert, select, update
from sqlalchemy.orm import Session

from data_access import anchors
from data_access.config import audit_key
from data_access.models import AuditChainHead, AuditEntry
from data_access.policy import Action, Viewer, require

GENESIS_HASH = "0" * 64
log = logging.getLogger("perfdash.audit")
_UNANCHORED_HEAD = "perfdash.audit.unanchored_head"  # Session.info key: the head this transaction will commit


def json_value(value: Any) -> Any:
    """A value as the audit log's JSON holds it: times as UTC text, dates ISO, decimals as plain text; anything
    else unchanged."""
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _json_default(value: Any) -> Any:
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"cannot audit a value of type {type(value).__name__}")
    return converted


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, non-ASCII kept, dates ISO, decimals as plain text, floats as repr."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def utc_text(moment: dt.datetime) -> str:
    """A timestamp as UTC text with microseconds (naive values are taken to be UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_digest(fields: dict[str, Any], prev_hash: str) -> str:
    """The SHA-256 over an entry's canonical fields and its predecessor's hash."""
    return hashlib.sha256(canonical_json({**fields, "prev_hash": prev_hash}).encode()).hexdigest()


def entry_hmac(entry_hash: str, key: bytes | None = None) -> str:
    return hmac.new(key if key is not None else audit_key(), entry_hash.encode(), hashlib.sha256).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurred_at": utc_text(entry.occurred_at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": entry.before,
        "after": entry.after,
    }


def append(
    session: Session,
    *,
    actor: Viewer | None,
    action: str,
    entity: str,
    entity_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_name: str | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the change)."""
    key = audit_key()  # fail before locking anything when the key is missing
    head = session.execute(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()).scalar_one()
    entry = AuditEntry(
        id=head.last_entry_id + 1,
        occurred_at=(now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
        actor_id=actor.person_id if actor else None,
        actor_name=actor_name or (actor.username if actor else "system"),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=None if before is None else canonical_json(before),
        after=None if after is None else canonical_json(after),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = entry_digest(_hashed_fields(entry), head.last_hash)
    entry.hmac = entry_hmac(entry.entry_hash, key)
    session.add(entry)
    session.execute(
        update(AuditChainHead).where(AuditChainHead.id == 1).values(last_entry_id=entry.id, last_hash=entry.entry_hash)
    )
    session.info[_UNANCHORED_HEAD] = (entry.id, entry.entry_hash)
    return entry


def append_many(session: Session, *, actor: Viewer | None, action: str, entity: str,
                entries: Sequence[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]],
                now: dt.datetime | None = None) -> int:
    """Append one entry per (entity_id, before, after) in one statement; the chain is the same as appending
    them one by one (an import's thousands of changed rows would otherwise take a lock and a round trip each)."""
    if not entries:
        return 0
    key = audit_key()
    session.flush()
    head = session.execute(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()).scalar_one()
    occurred_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    actor_id, actor_name = (actor.person_id, actor.username) if actor else (None, "system")
    rows, prev_hash, entry_id = [], head.last_hash, head.last_entry_id
    for entity_id, before, after in entries:
        entry_id += 1
        fields = {"id": entry_id, "occurred_at": utc_text(occurred_at), "actor_id": actor_id,
                  "actor_name": actor_name, "action": action, "entity": entity,
                  "entity_id": None if entity_id is None else str(entity_id),
                  "before": None if before is None else canonical_json(before),
                  "after": None if after is None else canonical_json(after)}
        entry_hash = entry_digest(fields, prev_hash)
        rows.append({**fields, "occurred_at": occurred_at, "prev_hash": prev_hash, "entry_hash": entry_hash,
                     "hmac": entry_hmac(entry_hash, key)})
        prev_hash = entry_hash
    session.execute(insert(AuditEntry.__table__), rows)
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_entry_id=entry_id,
                                                                                  last_hash=prev_hash))
    session.info[_UNANCHORED_HEAD] = (entry_id, prev_hash)
    return len(rows)


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    """Once the entry is committed (never before: an anchor must not name an entry that was rolled back)."""
    head = session.info.pop(_UNANCHORED_HEAD, None)
    if head is not None:
        anchors.anchor_if_due(session.get_bind().engine, *head)  # the bind may be an Engine or a Connection


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_head(session: Session) -> None:
    session.info.pop(_UNANCHORED_HEAD, None)


@dataclass(frozen=True)
class ChainVerdict:
    """``ok`` with the number of entries and anchors checked, or the first entry (or anchor) that does not fit.

    ``anchor`` names the anchor (file and line) that the database no longer reproduces, if that is the finding.
    """

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    anchors_checked: int = 0
    anchor: str = ""


def verify_chain(engine: Engine, *, key: bytes | None = None) -> ChainVerdict:
    """Walk the chain in id order and report the first entry that was edited, deleted, inserted or moved,
    then check every external anchor and report the first one the database no longer reproduces."""
    key = key if key is not None else audit_key()
    anchor_file = anchors.read_anchors(engine)
    anchored_ids = {anchor.entry_id for anchor in anchor_file.anchors}
    hashes = {0: GENESIS_HASH}
    expected_prev, expected_id, checked = GENESIS_HASH, 1, 0
    with Session(engine) as session:
        for entry in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().yield_per(1000):
            if entry.id != expected_id:
                return ChainVerdict(False, checked, entry.id, f"entry {expected_id} is missing")
            if entry.prev_hash != expected_prev:
                return ChainVerdict(False, checked, entry.id, "does not follow the previous entry")
            if entry_digest(_hashed_fields(entry), entry.prev_hash) != entry.entry_hash:
                return ChainVerdict(False, checked, entry.id, "content changed after it was written")
            if not hmac.compare_digest(entry_hmac(entry.entry_hash, key), entry.hmac):
                return ChainVerdict(False, checked, entry.id, "signature does not match the audit key")
            if entry.id in anchored_ids:
                hashes[entry.id] = entry.entry_hash
            expected_prev, expected_id, checked = entry.entry_hash, expected_id + 1, checked + 1
        head = session.get(AuditChainHead, 1)
    if head is not None and (head.last_entry_id, head.last_hash) != (expected_id - 1, expected_prev):
        return ChainVerdict(False, checked, expected_id, "entries after this point were removed")
    return _check_anchors(anchor_file, hashes, checked, key)


def _check_anchors(anchor_file: anchors.AnchorFile, hashes: dict[int, str], checked: int, key: bytes) -> ChainVerdict:
    """The first anchor (in file order) that is forged or that the verified chain no longer reproduces."""
    last_id = checked
    lines = sorted([(anchor.line, anchor) for anchor in anchor_file.anchors]
                   + [(line, None) for line in anchor_file.unreadable_lines], key=lambda pair: pair[0])
    for position, (number, anchor) in enumerate(lines):
        name = f"{anchor_file.path.name} line {number}"
        if anchor is None or not anchor.is_signed_by(key):
            return ChainVerdict(False, checked, None, f"anchor {name} is not signed with the audit key "
                                "(forged or damaged)", position, name)
        if anchor.entry_id > last_id:
            return ChainVerdict(False, checked, last_id + 1, f"anchor {name} of {anchor.anchored_at} names entry "
                                f"{anchor.entry_id}, but the log ends at entry {last_id}: entries were removed",
                                position, name)
        if hashes.get(anchor.entry_id) != anchor.entry_hash:
            return ChainVerdict(False, checked, anchor.entry_id, f"anchor {name} of {anchor.anchored_at}: entry "
                                f"{anchor.entry_id} is not the entry that was anchored", position, name)
    return ChainVerdict(True, checked, anchors_checked=len(lines))


def anchor_head(engine: Engine) -> anchors.Anchor:
    """Anchor the chain's current head now (on demand: the audit page, ``python -m data_access.anchors write``)."""
    return anchors.write_anchor(engine, *chain_head(engine))


def anchor_published_head(engine: Engine, entry_id: int, entry_hash: str) -> None:
    """Anchor a head that was published (printed in a report) so :func:`verify_chain` checks the log against it.

    Called after the publishing write committed; a failure only weakens the evidence, so it is logged.
    """
    try:
        anchors.write_anchor(engine, entry_id, entry_hash)
    except Exception:
        log.exception("Could not anchor the published audit head %s", entry_id)


def chain_head(engine: Engine) -> tuple[int, str]:
    """The newest entry's id and hash: publish these to anchor the log externally."""
    with Session(engine) as session:
        head = session.get(AuditChainHead, 1)
        return (head.last_entry_id, head.last_hash) if head else (0, GENESIS_HASH)


def verify_audit_chain(engine: Engine, viewer: Viewer) -> ChainVerdict:
    """:func:`verify_chain` for the audit page: admins and auditors only."""
    require(viewer, Action.READ_AUDIT)
    return verify_chain(engine)


def anchor_audit_chain(engine: Engine, viewer: Viewer) -> anchors.Anchor:
    """:func:`anchor_head` for the audit page: admins and auditors only."""
    require(viewer, Action.READ_AUDIT)
    return anchor_head(engine)


def list_entries(
    engine: Engine,
    viewer: Viewer,
    *,
    actor: str | None = None,
    action_prefix: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """Newest audit entries first (admins and auditors only), optionally filtered.

    Columns: id, occurred_at, actor_name, action, entity, entity_id, before, after, entry_hash.
    """
    require(viewer, Action.READ_AUDIT)
    statement = select(AuditEntry.id, AuditEntry.occurred_at, AuditEntry.actor_name, AuditEntry.action,
                       AuditEntry.entity, AuditEntry.entity_id, AuditEntry.before, AuditEntry.after,
                       AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(limit)
    if actor:
        statement = statement.where(AuditEntry.actor_name == actor)
    if action_prefix:
        statement = statement.where(AuditEntry.action.startswith(action_prefix, autoescape=True))
    if since is not None:
        statement = statement.where(AuditEntry.occurred_at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.occurred_at < until)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return pd.DataFrame(rows, columns=["id", "occurred_at", "actor_name", "action", "entity", "entity_id", "before",
                                       "after", "entry_hash"])
