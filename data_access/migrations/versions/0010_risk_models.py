"""Risk prediction: each training of a risk target, its held-out scores against the warning rule, and the model.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:27:13
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('trained_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False, comment='the data version the training read'),
    sa.Column('metrics', sa.Text(), nullable=False, comment='canonical JSON: held-out scores of model and rule'),
    sa.Column('features', sa.Text(), nullable=False, comment='canonical JSON: the feature names, in order'),
    sa.Column('settings', sa.Text(), nullable=False, comment='canonical JSON: thresholds, shares, minimums, seed'),
    sa.Column('model', sa.LargeBinary(), nullable=True, comment='joblib bytes; None unless ready'),
    sa.Column('trained_by', sa.Integer(), nullable=True, comment='None: the scheduler'),
    sa.CheckConstraint("status IN ('ready', 'not_better', 'too_few')", name=op.f('ck_risk_models_status')),
    sa.CheckConstraint("target IN ('late', 'overrun', 'delay')", name=op.f('ck_risk_models_target')),
    sa.ForeignKeyConstraint(['trained_by'], ['users.id'], name=op.f('fk_risk_models_trained_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_models'))
    )
    with op.batch_alter_table('risk_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_models_target_trained_at'), ['target', 'trained_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_models_target_trained_at'))

    op.drop_table('risk_models')
