"""Region data versions: a write within some projects moves their regions' counters on, not the whole database's.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 15:42:30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('region_data_versions',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_region_data_versions_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', name=op.f('pk_region_data_versions'))
    )


def downgrade() -> None:
    op.drop_table('region_data_versions')
