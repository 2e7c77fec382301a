"""Scores that reach decisions: built reports and white papers with their provenance, report subscriptions and
their deliveries, result-application rule sets and allocation proposals, and the knowledge base of cases (with
attachments that document a case).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 05:04:11.527069
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('allocation_rule_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('params', sa.Text(), nullable=False, comment='canonical JSON: coefficients, pool, threshold, caps, rules'),
    sa.Column('in_force', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_allocation_rule_sets_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_rule_sets'))
    )
    op.create_table('report_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True, comment="None: the user's whole scope"),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('weekly', 'monthly', 'quarterly', 'white_paper_quarter', 'white_paper_year')", name=op.f('ck_report_subscriptions_kind')),
    sa.CheckConstraint("language IN ('zh', 'en')", name=op.f('ck_report_subscriptions_language')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_report_subscriptions_region_id_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_subscriptions')),
    sa.UniqueConstraint('user_id', 'kind', 'region_id', name=op.f('uq_report_subscriptions_user_id_kind_region_id'))
    )
    op.create_table('allocation_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('period', sa.Date(), nullable=False, comment='the month whose scores it allocates'),
    sa.Column('region_id', sa.Integer(), nullable=True, comment='None: every region'),
    sa.Column('scheme_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.Text(), nullable=False, comment='canonical JSON: the rule parameters it was computed with'),
    sa.Column('result', sa.Text(), nullable=False, comment='canonical JSON: per-project lines and totals'),
    sa.Column('total', sa.Numeric(precision=16, scale=2), nullable=False, comment='CNY allocated'),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('draft', 'approved', 'withdrawn')", name=op.f('ck_allocation_proposals_status')),
    sa.ForeignKeyConstraint(['approved_by'], ['users.id'], name=op.f('fk_allocation_proposals_approved_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_allocation_proposals_created_by_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_allocation_proposals_region_id_regions')),
    sa.ForeignKeyConstraint(['scheme_id'], ['weight_schemes.id'], name=op.f('fk_allocation_proposals_scheme_id_weight_schemes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocation_proposals'))
    )
    with op.batch_alter_table('allocation_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocation_proposals_period_status'), ['period', 'status'], unique=False)

    op.create_table('report_builds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period_label', sa.String(length=10), nullable=False, comment='2026-W44, 2026-10, 2026-Q3 or 2026'),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False, comment='last day covered'),
    sa.Column('region_id', sa.Integer(), nullable=True, comment='None: every region'),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('xlsx', sa.LargeBinary(), nullable=False),
    sa.Column('xlsx_sha256', sa.String(length=64), nullable=False),
    sa.Column('content_digest', sa.String(length=64), nullable=False, comment='SHA-256 of the numbers the report states'),
    sa.Column('scheme_id', sa.Integer(), nullable=True),
    sa.Column('data_version', sa.Integer(), nullable=False, comment='data_version.version when it was built'),
    sa.Column('software_version', sa.String(length=40), nullable=False),
    sa.Column('audit_entry_id', sa.Integer(), nullable=True, comment="the audit chain's head when it was built"),
    sa.Column('audit_entry_hash', sa.String(length=64), nullable=True),
    sa.Column('built_by', sa.Integer(), nullable=True, comment='None: the scheduler'),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('weekly', 'monthly', 'quarterly', 'white_paper_quarter', 'white_paper_year')", name=op.f('ck_report_builds_kind')),
    sa.CheckConstraint("language IN ('zh', 'en')", name=op.f('ck_report_builds_language')),
    sa.ForeignKeyConstraint(['built_by'], ['users.id'], name=op.f('fk_report_builds_built_by_users')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_report_builds_category_id_categories')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_report_builds_department_id_departments')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_report_builds_region_id_regions')),
    sa.ForeignKeyConstraint(['scheme_id'], ['weight_schemes.id'], name=op.f('fk_report_builds_scheme_id_weight_schemes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_builds'))
    )
    with op.batch_alter_table('report_builds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_builds_built_at'), ['built_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_builds_kind_period_label_region_id'), ['kind', 'period_label', 'region_id'], unique=False)

    op.create_table('report_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('period_label', sa.String(length=10), nullable=False),
    sa.Column('build_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['build_id'], ['report_builds.id'], name=op.f('fk_report_deliveries_build_id_report_builds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['report_subscriptions.id'], name=op.f('fk_report_deliveries_subscription_id_report_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_deliveries')),
    sa.UniqueConstraint('subscription_id', 'period_label', name=op.f('uq_report_deliveries_subscription_id_period_label'))
    )
    op.create_table('knowledge_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True, comment='whose case; None: city-wide'),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('problem_type', sa.String(length=40), nullable=False, comment='an alert rule type or a keyword'),
    sa.Column('action_taken', sa.Text(), nullable=False),
    sa.Column('result_text', sa.Text(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('before_period', sa.Date(), nullable=True),
    sa.Column('after_period', sa.Date(), nullable=True),
    sa.Column('tags', sa.Text(), server_default='[]', nullable=False, comment='canonical JSON list'),
    sa.Column('rectification_id', sa.Integer(), nullable=True, comment='the closed rectification it came from'),
    sa.Column('search_text', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_knowledge_cases_category_id_categories')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_knowledge_cases_created_by_users')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_knowledge_cases_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_knowledge_cases_project_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_knowledge_cases_rectification_id_rectifications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_knowledge_cases_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_cases')),
    sa.UniqueConstraint('rectification_id', name=op.f('uq_knowledge_cases_rectification_id'))
    )
    with op.batch_alter_table('knowledge_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_cases_problem_type'), ['problem_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowledge_cases_region_id'), ['region_id'], unique=False)

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True, comment='a knowledge-base case this file documents'))
        batch_op.create_foreign_key(batch_op.f('fk_attachments_case_id_knowledge_cases'), 'knowledge_cases', ['case_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachments_case_id_knowledge_cases'), type_='foreignkey')
        batch_op.drop_column('case_id')

    with op.batch_alter_table('knowledge_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_cases_region_id'))
        batch_op.drop_index(batch_op.f('ix_knowledge_cases_problem_type'))

    op.drop_table('knowledge_cases')
    op.drop_table('report_deliveries')
    with op.batch_alter_table('report_builds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_builds_kind_period_label_region_id'))
        batch_op.drop_index(batch_op.f('ix_report_builds_built_at'))

    op.drop_table('report_builds')
    with op.batch_alter_table('allocation_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocation_proposals_period_status'))

    op.drop_table('allocation_proposals')
    op.drop_table('report_subscriptions')
    op.drop_table('allocation_rule_sets')
