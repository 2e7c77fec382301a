"""From the site and from the raters: monthly reports (drafts, review, corrections) with their values,
milestone updates and site photos; rating rounds with their assignments and results; the expert role; reminder
topics on notifications; a milestone's actual start; whether a district reviews its reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:12:44.791857
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

OLD_ROLES = "role IN ('admin', 'leader', 'analyst', 'district_official', 'project_manager', 'auditor')"
NEW_ROLES = "role IN ('admin', 'leader', 'analyst', 'district_official', 'project_manager', 'auditor', 'expert')"
OLD_SOURCES = "source IN ('manual', 'import', 'api')"
NEW_SOURCES = "source IN ('manual', 'import', 'api', 'report', 'rating')"

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rating_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('period', sa.Date(), nullable=False, comment='first day of the month the result is scored for'),
    sa.Column('criteria', sa.Text(), nullable=False, comment='canonical JSON: [{code, name_zh, name_en, weight}]'),
    sa.Column('group_weights', sa.Text(), nullable=False, comment='canonical JSON: {rater_type: weight}'),
    sa.Column('indicator_id', sa.Integer(), nullable=True, comment='the KPI the result feeds'),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('anonymous', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('correct_leniency', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_rating_rounds_status')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_rating_rounds_created_by_users')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_rating_rounds_indicator_id_indicators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_rounds'))
    )
    op.create_table('rating_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('rater_type', sa.String(length=10), nullable=False),
    sa.CheckConstraint("rater_type IN ('expert', 'self', 'peer', 'superior')", name=op.f('ck_rating_assignments_rater_type')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_rating_assignments_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_rating_assignments_rater_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rating_rounds.id'], name=op.f('fk_rating_assignments_round_id_rating_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_assignments')),
    sa.UniqueConstraint('round_id', 'project_id', 'rater_id', name=op.f('uq_rating_assignments_round_id_project_id_rater_id'))
    )
    with op.batch_alter_table('rating_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_assignments_rater_id_round_id'), ['rater_id', 'round_id'], unique=False)

    op.create_table('rating_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('assigned', sa.Integer(), nullable=False, comment='raters assigned'),
    sa.Column('responded', sa.Integer(), nullable=False, comment='raters who rated'),
    sa.Column('self_flagged', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('method', sa.Text(), nullable=False, comment='canonical JSON: trimming, group weights, leniency correction'),
    sa.Column('detail', sa.Text(), nullable=False, comment='canonical JSON: group means, agreement, self-rating gap'),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_rating_results_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rating_rounds.id'], name=op.f('fk_rating_results_round_id_rating_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_results')),
    sa.UniqueConstraint('round_id', 'project_id', name=op.f('uq_rating_results_round_id_project_id'))
    )
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False, comment='first day of the month reported on'),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True, comment='set while it corrects an accepted period'),
    sa.Column('corrections', sa.Integer(), server_default='0', nullable=False, comment='times accepted values were corrected'),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'returned', 'accepted')", name=op.f('ck_reports_status')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_reports_created_by_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_reports_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_reports_reviewed_by_users')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_reports_submitted_by_users')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_reports_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('project_id', 'period', name=op.f('uq_reports_project_id_period'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_status_period'), ['status', 'period'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False, comment="the name the user's file had (data, never a path)"),
    sa.Column('stored_name', sa.String(length=80), nullable=False, comment='relative to the upload folder'),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True, comment='EXIF time, if any'),
    sa.Column('lat', sa.Float(), nullable=True, comment='EXIF GPS, if any'),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True, comment="from the project's site"),
    sa.Column('finding', sa.String(length=20), nullable=True, comment='photos: the check-in verdict'),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("finding IS NULL OR finding IN ('ok', 'far', 'outside_period', 'no_metadata', 'no_time', 'no_position')", name=op.f('ck_attachments_finding')),
    sa.CheckConstraint("kind IN ('photo', 'file')", name=op.f('ck_attachments_kind')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_attachments_size_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_attachments_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_attachments_report_id_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_attachments_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_project_id_uploaded_at'), ['project_id', 'uploaded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_report_id'), ['report_id'], unique=False)

    op.create_table('report_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('percent_complete', sa.Float(), nullable=True),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.CheckConstraint('percent_complete BETWEEN 0 AND 100', name=op.f('ck_report_milestones_percent_range')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_report_milestones_milestone_id_milestones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_milestones_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_milestones')),
    sa.UniqueConstraint('report_id', 'milestone_id', name=op.f('uq_report_milestones_report_id_milestone_id'))
    )
    op.create_table('report_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_report_values_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_values_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_values')),
    sa.UniqueConstraint('report_id', 'indicator_id', name=op.f('uq_report_values_report_id_indicator_id'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actual_start', sa.Date(), nullable=True))

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=80), nullable=True, comment='what a reminder is about (e.g. report-due/2026-11/17): one per user and topic'))
        batch_op.create_unique_constraint(batch_op.f('uq_notifications_user_id_topic'), ['user_id', 'topic'])

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True, comment="the round it was given in; dimension is then the round's criterion code"))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_ratings_round_id_project_id_rater_id'), ['round_id', 'project_id', 'rater_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ratings_round_id_rating_rounds'), 'rating_rounds', ['round_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_review', sa.Boolean(), server_default=sa.text('false'), nullable=False, comment="monthly reports of this district's projects wait for an official's acceptance (streets: their district's)"))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', NEW_ROLES)

    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_observations_source'), type_='check')
        batch_op.create_check_constraint('source', NEW_SOURCES)


def downgrade() -> None:
    op.execute("UPDATE observations SET source = 'manual' WHERE source IN ('report', 'rating')")
    op.execute("UPDATE users SET role = 'analyst', is_active = false WHERE role = 'expert'")
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_observations_source'), type_='check')
        batch_op.create_check_constraint('source', OLD_SOURCES)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', OLD_ROLES)

    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_column('report_review')

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ratings_round_id_rating_rounds'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ratings_round_id_project_id_rater_id'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('round_id')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notifications_user_id_topic'), type_='unique')
        batch_op.drop_column('topic')

    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_column('actual_start')

    op.drop_table('report_values')
    op.drop_table('report_milestones')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_report_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_project_id_uploaded_at'))

    op.drop_table('attachments')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_status_period'))

    op.drop_table('reports')
    op.drop_table('rating_results')
    with op.batch_alter_table('rating_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_assignments_rater_id_round_id'))

    op.drop_table('rating_assignments')
    op.drop_table('rating_rounds')
