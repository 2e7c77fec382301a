"""Data in: the project register (description, archived status), the indicator library's edit columns and
category templates, the target tree's weights and dates, and import batches that can be rolled back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:23:23.434262
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

OLD_PROJECT_STATUSES = "status IN ('planned', 'active', 'suspended', 'completed')"
NEW_PROJECT_STATUSES = "status IN ('planned', 'active', 'suspended', 'completed', 'archived')"

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('category_template_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_category_template_items_weight_not_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_category_template_items_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_category_template_items_indicator_id_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_template_items')),
    sa.UniqueConstraint('category_id', 'indicator_id', name=op.f('uq_category_template_items_category_id_indicator_id'))
    )
    op.create_table('import_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_key', sa.String(length=120), nullable=False, comment='e.g. project code / indicator code / 2026-03'),
    sa.Column('before', sa.Text(), nullable=True, comment='canonical JSON; NULL: the import created the row'),
    sa.Column('after', sa.Text(), nullable=False, comment='canonical JSON'),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_changes_batch_id_import_batches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_changes')),
    sa.UniqueConstraint('batch_id', 'seq', name=op.f('uq_import_changes_batch_id_seq'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('weight', sa.Float(), server_default='1', nullable=False, comment="share in the parent's progress"))
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint('weight_not_negative', 'weight >= 0')

    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='observations', nullable=False))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('new_rows', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('changed_rows', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('unchanged_rows', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rolled_back_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rolled_back_by', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_import_batches_sha256'), ['sha256'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_import_batches_rolled_back_by_users'), 'users', ['rolled_back_by'], ['id'])
        batch_op.create_check_constraint('kind', "kind IN ('projects', 'milestones', 'targets', 'observations')")

    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('normalization', sa.String(length=12), server_default='target', nullable=False))
        batch_op.add_column(sa.Column('normalization_params', sa.Text(), server_default='{}', nullable=False, comment='JSON'))
        batch_op.add_column(sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False, comment='order among its siblings'))
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True, comment='retired: kept for history, left out of new schemes and templates'))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint('normalization',
                                         "normalization IN ('target', 'minmax', 'band', 'threshold')")
    op.execute("UPDATE indicators SET sort_order = id")  # keep today's order
    op.execute("UPDATE indicators SET normalization = 'band' WHERE direction = 'band'")  # as scoring reads them

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_projects_status'), type_='check')
        batch_op.create_check_constraint('status', NEW_PROJECT_STATUSES)



def downgrade() -> None:
    op.execute("UPDATE projects SET status = 'completed' WHERE status = 'archived'")
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_projects_status'), type_='check')
        batch_op.create_check_constraint('status', OLD_PROJECT_STATUSES)
        batch_op.drop_column('description')

    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_indicators_normalization'), type_='check')
        batch_op.drop_column('version')
        batch_op.drop_column('retired_at')
        batch_op.drop_column('sort_order')
        batch_op.drop_column('normalization_params')
        batch_op.drop_column('normalization')

    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_import_batches_rolled_back_by_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_import_batches_sha256'))
        batch_op.drop_constraint(op.f('ck_import_batches_kind'), type_='check')
        batch_op.drop_column('rolled_back_by')
        batch_op.drop_column('rolled_back_at')
        batch_op.drop_column('unchanged_rows')
        batch_op.drop_column('changed_rows')
        batch_op.drop_column('new_rows')
        batch_op.drop_column('sha256')
        batch_op.drop_column('kind')

    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_goals_weight_not_negative'), type_='check')
        batch_op.drop_column('version')
        batch_op.drop_column('sort_order')
        batch_op.drop_column('due_date')
        batch_op.drop_column('weight')
        batch_op.drop_column('baseline_value')

    op.drop_table('import_changes')
    op.drop_table('category_template_items')
