"""Alembic environment: runs on the connection perfdash hands over (see data_access.migrate)."""
from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from data_access.db import create_database_engine
from data_access.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_database_engine().begin() as own_connection:
        _run(own_connection)
