"""Login sessions: a server-side record of every remembered login, so logout refuses old cookies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 16:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cookie_exp_date', sa.String(length=40), nullable=False,
              comment="the cookie's signed exp_date, as repr(float)"),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('user_id', 'cookie_exp_date', name=op.f('uq_login_sessions_user_id_cookie_exp_date'))
    )


def downgrade() -> None:
    op.drop_table('login_sessions')
