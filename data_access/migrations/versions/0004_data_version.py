"""Data version: one row counting committed write transactions, so page caches follow writes from anywhere.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 18:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    data_version = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_data_version_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(data_version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table('data_version')
