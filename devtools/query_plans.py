"""The PostgreSQL plans of what a read really sends: capture its statements, EXPLAIN them with their parameters.

Used by bench/bench_province.py (EXPLAIN ANALYZE summary on the large set) and by the plan tests.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import psycopg
from sqlalchemy import Engine, event

_COPY_OUT = re.compile(r"^\s*COPY \((.*)\) TO STDOUT", re.S)


def captured_statements(engine: Engine, read: Callable[[], object]) -> list[tuple[str, Any]]:
    """The (SQL, parameters) pairs ``read`` sends to the driver, in order: its SELECTs, and the queries of its
    ``COPY (…) TO STDOUT`` (which bypass SQLAlchemy's events, so the driver's ``copy`` is wrapped meanwhile)."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    original_copy = psycopg.Cursor.copy

    def copy(cursor: psycopg.Cursor[Any], statement: str, params: Any = None, **kwargs: Any) -> Any:
        query = _COPY_OUT.match(statement)
        if query:
            sent.append((query.group(1), params))
        return original_copy(cursor, statement, params, **kwargs)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with mock.patch.object(psycopg.Cursor, "copy", copy):
            read()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def explain(engine: Engine, statement: str, parameters: Any, options: str = "FORMAT JSON") -> Any:
    """``EXPLAIN (options)`` of one captured statement: the JSON plan, or the text lines."""
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"EXPLAIN ({options}) {statement}", parameters)
        rows = cursor.fetchall()
    return rows[0][0][0]["Plan"] if "JSON" in options.upper() else [row[0] for row in rows]


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan, depth first."""
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def scans_of(plan: dict[str, Any], table: str) -> list[tuple[str, str | None]]:
    """(node type, index name) of every scan of ``table`` in the plan; a bitmap heap scan is followed by the
    bitmap index scans under it (which name no table)."""
    found: list[tuple[str, str | None]] = []
    for node in nodes(plan):
        if node.get("Relation Name") == table:
            found.append((node["Node Type"], node.get("Index Name")))
            if node["Node Type"] == "Bitmap Heap Scan":
                found += [(child["Node Type"], child["Index Name"]) for child in nodes(node)
                          if child["Node Type"] == "Bitmap Index Scan"]
    return found
