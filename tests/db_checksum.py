"""A fingerprint of every table's contents, to show that a refused operation wrote nothing at all.

``table_checksums(engine)`` hashes each table's rows in primary-key order (values as text, so both databases
give a stable answer); comparing the dicts before and after names the tables that changed.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import Engine, select

from data_access.models import Base


def table_checksums(engine: Engine) -> dict[str, str]:
    """{table name: SHA-256 of its rows in primary-key order} for every table of the schema."""
    checksums: dict[str, str] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            digest = hashlib.sha256()
            order = list(table.primary_key.columns) or list(table.columns)
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
            checksums[table.name] = digest.hexdigest()
    return checksums


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The tables whose checksum differs (or that appeared or disappeared), sorted."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
