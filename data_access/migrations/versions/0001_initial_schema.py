"""Initial schema: regions to audit log (see data_access.models for what each table holds).

Revision ID: 0001
Revises:
Create Date: 2026-11-22 23:32:24.178908
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

GENESIS_HASH = "0" * 64

# PostgreSQL refuses to change or remove audit entries, whoever asks; SQLite has no such guard, so
# there the hash chain and its HMAC are the only (and sufficient) evidence of tampering.
AUDIT_APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_entry_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name_zh', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('radius_km', sa.Float(), nullable=False, comment='approximate extent, used to place and check sites'),
    sa.CheckConstraint("level IN ('city', 'district', 'street')", name=op.f('ck_regions_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['regions.id'], name=op.f('fk_regions_parent_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_regions_path'), ['path'], unique=False)

    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_departments_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('region_id', 'code', name=op.f('uq_departments_region_id_code'))
    )
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('unit_zh', sa.String(length=20), server_default='', nullable=False),
    sa.Column('unit_en', sa.String(length=30), server_default='', nullable=False),
    sa.Column('direction', sa.String(length=8), server_default='higher', nullable=False),
    sa.Column('band_lower', sa.Float(), nullable=True),
    sa.Column('band_upper', sa.Float(), nullable=True),
    sa.Column('default_weight', sa.Float(), server_default='1', nullable=False),
    sa.Column('period_rollup', sa.String(length=6), server_default='last', nullable=False),
    sa.Column('scored', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True, comment='NULL: applies to every category'),
    sa.CheckConstraint("direction IN ('higher', 'lower', 'band')", name=op.f('ck_indicators_direction')),
    sa.CheckConstraint("period_rollup IN ('last', 'sum', 'mean')", name=op.f('ck_indicators_period_rollup')),
    sa.CheckConstraint('level BETWEEN 1 AND 3', name=op.f('ck_indicators_level_range')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_indicators_category_id_categories')),
    sa.ForeignKeyConstraint(['parent_id'], ['indicators.id'], name=op.f('fk_indicators_parent_id_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_indicators_code'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_parent_id'), ['parent_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('password_hash', sa.String(length=100), nullable=False, comment='bcrypt'),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True, comment='scope; NULL means every region'),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), server_default='zh', nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sessions_valid_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("role IN ('admin', 'leader', 'analyst', 'district_official', 'project_manager', 'auditor')",
                       name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_users_department_id_departments')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_users_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_region_id'), ['region_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=True),
    sa.Column('before', sa.Text(), nullable=True, comment='canonical JSON'),
    sa.Column('after', sa.Text(), nullable=True, comment='canonical JSON'),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('entry_hash', name=op.f('uq_audit_log_entry_hash'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_entity_entity_id'), ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('row_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=12), server_default='applied', nullable=False),
    sa.Column('errors', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('applied', 'rejected', 'rolled_back')", name=op.f('ck_import_batches_status')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_import_batches_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=False),
    sa.Column('planned_end', sa.Date(), nullable=False),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.Column('budget', sa.Numeric(precision=16, scale=2), nullable=False, comment='CNY'),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('planned', 'active', 'suspended', 'completed')", name=op.f('ck_projects_status')),
    sa.CheckConstraint('budget >= 0', name=op.f('ck_projects_budget_not_negative')),
    sa.CheckConstraint('planned_end >= planned_start', name=op.f('ck_projects_planned_dates_ordered')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_projects_category_id_categories')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_projects_department_id_departments')),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_projects_manager_id_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_projects_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('code', name=op.f('uq_projects_code'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_region_id_status'), ['region_id', 'status'], unique=False)

    op.create_table('weight_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('is_default', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_weight_schemes_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weight_schemes')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_weight_schemes_name_version'))
    )
    with op.batch_alter_table('weight_schemes', schema=None) as batch_op:
        batch_op.create_index('uq_weight_schemes_one_default', ['is_default'], unique=True,
                              sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('okr_type', sa.String(length=10), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=7), nullable=False, comment="'2026' or '2026-11'"),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('unit_zh', sa.String(length=20), nullable=True),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("level IN ('city_goal', 'district_task', 'project_target', 'responsibility')",
                       name=op.f('ck_goals_level')),
    sa.CheckConstraint("okr_type IN ('objective', 'key_result')", name=op.f('ck_goals_okr_type')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_goals_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_goals_owner_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['goals.id'], name=op.f('fk_goals_parent_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_goals_project_id_projects'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_goals_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_region_id'), ['region_id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=False),
    sa.Column('planned_end', sa.Date(), nullable=False),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.Column('percent_complete', sa.Float(), server_default='0', nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('percent_complete BETWEEN 0 AND 100', name=op.f('ck_milestones_percent_range')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_milestones_owner_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_milestones_project_id_projects'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
    sa.UniqueConstraint('project_id', 'seq', name=op.f('uq_milestones_project_id_seq'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_planned_end'), ['planned_end'], unique=False)

    op.create_table('observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False, comment='first day of the month'),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('import_batch_id', sa.Integer(), nullable=True),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('manual', 'import', 'api')", name=op.f('ck_observations_source')),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_observations_entered_by_users')),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batches.id'],
                            name=op.f('fk_observations_import_batch_id_import_batches')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_observations_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_observations_project_id_projects'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations')),
    sa.UniqueConstraint('project_id', 'indicator_id', 'period',
                        name=op.f('uq_observations_project_id_indicator_id_period'))
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observations_period_project_id_indicator_id_value'),
                              ['period', 'project_id', 'indicator_id', 'value'], unique=False)

    op.create_table('project_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('weight_override', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'],
                            name=op.f('fk_project_targets_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_targets_project_id_projects'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_targets')),
    sa.UniqueConstraint('project_id', 'indicator_id', name=op.f('uq_project_targets_project_id_indicator_id'))
    )
    with op.batch_alter_table('project_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_targets_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('rater_type', sa.String(length=10), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("rater_type IN ('expert', 'self', 'peer', 'superior')", name=op.f('ck_ratings_rater_type')),
    sa.CheckConstraint('score BETWEEN 0 AND 100', name=op.f('ck_ratings_score_range')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ratings_project_id_projects'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_ratings_rater_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('project_id', 'period', 'dimension', 'rater_id',
                        name=op.f('uq_ratings_project_id_period_dimension_rater_id'))
    )
    op.create_table('weight_scheme_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_weight_scheme_items_weight_not_negative')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'],
                            name=op.f('fk_weight_scheme_items_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['scheme_id'], ['weight_schemes.id'],
                            name=op.f('fk_weight_scheme_items_scheme_id_weight_schemes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weight_scheme_items')),
    sa.UniqueConstraint('scheme_id', 'dimension', 'indicator_id',
                        name=op.f('uq_weight_scheme_items_scheme_id_dimension_indicator_id'))
    )
    op.bulk_insert(
        sa.table("audit_chain_head", sa.column("id", sa.Integer), sa.column("last_entry_id", sa.Integer),
                 sa.column("last_hash", sa.String)),
        [{"id": 1, "last_entry_id": 0, "last_hash": GENESIS_HASH}],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table('weight_scheme_items')
    op.drop_table('ratings')
    with op.batch_alter_table('project_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_targets_indicator_id'))

    op.drop_table('project_targets')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observations_period_project_id_indicator_id_value'))

    op.drop_table('observations')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_planned_end'))

    op.drop_table('milestones')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_region_id'))
        batch_op.drop_index(batch_op.f('ix_goals_project_id'))
        batch_op.drop_index(batch_op.f('ix_goals_parent_id'))

    op.drop_table('goals')
    with op.batch_alter_table('weight_schemes', schema=None) as batch_op:
        batch_op.drop_index('uq_weight_schemes_one_default', sqlite_where=sa.text('is_default'),
                            postgresql_where=sa.text('is_default'))

    op.drop_table('weight_schemes')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_region_id_status'))
        batch_op.drop_index(batch_op.f('ix_projects_manager_id'))
        batch_op.drop_index(batch_op.f('ix_projects_category_id'))

    op.drop_table('projects')
    op.drop_table('import_batches')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_entity_entity_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_region_id'))

    op.drop_table('users')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_parent_id'))

    op.drop_table('indicators')
    op.drop_table('departments')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_path'))
        batch_op.drop_index(batch_op.f('ix_regions_parent_id'))

    op.drop_table('regions')
    op.drop_table('categories')
    op.drop_table('audit_chain_head')
