"""Job runs: the SQLite lease's heartbeat gets its own column (it was written into ``finished_at``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 12:06:37
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True, comment="SQLite: a running runner's last sign of life (its lease); PostgreSQL locks"))
    # a run still going keeps its lease: its heartbeat moves over, and it has not finished
    op.execute("UPDATE job_runs SET heartbeat_at = finished_at, finished_at = NULL WHERE status = 'running'")


def downgrade() -> None:
    op.execute("UPDATE job_runs SET finished_at = heartbeat_at WHERE status = 'running'")
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
