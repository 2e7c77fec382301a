"""Beyond one process: open-API integration tokens (hashed, scoped, expiring, rate-counted), API pushes recorded
as import batches named by their Idempotency-Key, and scheduled job runs so that several replicas run a job once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 08:22:56.942385
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('slot', sa.String(length=40), nullable=False, comment='which schedule slot: 2026-11-30, 2026-11-30T08 …'),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('runner', sa.String(length=120), nullable=False, comment='host and process that ran it'),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='1', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'done', 'failed')", name=op.f('ck_job_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'slot', name=op.f('uq_job_runs_job_slot'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False, comment='audited as the actor: api:<name>'),
    sa.Column('public_id', sa.String(length=16), nullable=False),
    sa.Column('secret_sha256', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True, comment='None: every region'),
    sa.Column('scopes', sa.String(length=100), nullable=False, comment='comma list of read, write_observations, write_milestones'),
    sa.Column('rate_per_minute', sa.Integer(), server_default='600', nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=True, comment='rate-limit minute'),
    sa.Column('window_count', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_api_tokens_created_by_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_api_tokens_region_id_regions')),
    sa.ForeignKeyConstraint(['revoked_by'], ['users.id'], name=op.f('fk_api_tokens_revoked_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('name', name=op.f('uq_api_tokens_name')),
    sa.UniqueConstraint('public_id', name=op.f('uq_api_tokens_public_id'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_id', sa.Integer(), nullable=True, comment='pushed through the API'))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=100), nullable=True, comment="the push's Idempotency-Key header"))
        batch_op.create_unique_constraint(batch_op.f('uq_import_batches_api_token_id_idempotency_key'), ['api_token_id', 'idempotency_key'])
        batch_op.create_foreign_key(batch_op.f('fk_import_batches_api_token_id_api_tokens'), 'api_tokens', ['api_token_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_import_batches_api_token_id_api_tokens'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_import_batches_api_token_id_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('api_token_id')

    op.drop_table('api_tokens')
    op.drop_table('job_runs')
