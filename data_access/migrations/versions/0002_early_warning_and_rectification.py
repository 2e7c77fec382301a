"""Early warning and rectification: rules (with the built-in defaults), alerts, 整改 tasks, history, inbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:09:46.498624
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The built-in rules every installation starts with (admins edit, disable or add to them).
DEFAULT_RULES = [
    {"id": 1, "name_zh": "预算超支", "name_en": "Budget overrun", "rule_type": "budget_overrun", "severity": "red",
     "params": '{"pct": 10, "recovery_margin": 2}'},
    {"id": 2, "name_zh": "进度滞后", "name_en": "Progress behind plan", "rule_type": "progress_lag",
     "severity": "orange", "params": '{"points": 5, "periods": 2, "recovery_margin": 1}'},
    {"id": 3, "name_zh": "里程碑逾期", "name_en": "Milestone overdue", "rule_type": "milestone_overdue",
     "severity": "orange", "params": '{"days": 3}'},
    {"id": 4, "name_zh": "综合得分下滑", "name_en": "Score drop", "rule_type": "score_drop", "severity": "yellow",
     "params": '{"points": 10}'},
    {"id": 5, "name_zh": "数据未报送", "name_en": "Missing report", "rule_type": "missing_report",
     "severity": "yellow", "params": '{"periods": 2}'},
]

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('rule_type', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('params', sa.Text(), server_default='{}', nullable=False, comment='JSON'),
    sa.Column('scope_kind', sa.String(length=10), server_default='all', nullable=False),
    sa.Column('scope_value', sa.String(length=200), nullable=True),
    sa.Column('enabled', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scope_kind IN ('all', 'category', 'region')", name=op.f('ck_alert_rules_scope_kind')),
    sa.CheckConstraint("severity IN ('red', 'orange', 'yellow')", name=op.f('ck_alert_rules_severity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules'))
    )
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('data_period', sa.Date(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True, comment='JSON'),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_evaluated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("severity IN ('red', 'orange', 'yellow')", name=op.f('ck_alerts_severity')),
    sa.CheckConstraint("status IN ('open', 'acknowledged', 'rectifying', 'resolved', 'closed')",
                       name=op.f('ck_alerts_status')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_alerts_project_id_projects'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['alert_rules.id'], name=op.f('fk_alerts_rule_id_alert_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_project_id_status'), ['project_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_status_severity'), ['status', 'severity'], unique=False)
        batch_op.create_index('uq_alerts_one_live_per_rule_project', ['rule_id', 'project_id'], unique=True,
                              sqlite_where=sa.text("status <> 'closed'"),
                              postgresql_where=sa.text("status <> 'closed'"))

    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_alert_events_actor_id_users')),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_events_alert_id_alerts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_events'))
    )
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_events_alert_id_occurred_at'), ['alert_id', 'occurred_at'],
                              unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('subject_zh', sa.String(length=200), nullable=False),
    sa.Column('subject_en', sa.String(length=300), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('email_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_notifications_alert_id_alerts'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id_read_at'), ['user_id', 'read_at'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('evidence_note', sa.Text(), nullable=True),
    sa.Column('attachment_name', sa.String(length=255), nullable=True),
    sa.Column('attachment', sa.LargeBinary(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_rectifications_alert_id_alerts'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_rectifications_owner_id_users')),
    sa.ForeignKeyConstraint(['verified_by'], ['users.id'], name=op.f('fk_rectifications_verified_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('alert_id', name=op.f('uq_rectifications_alert_id'))
    )
    rules = sa.table("alert_rules", sa.column("id", sa.Integer), sa.column("name_zh", sa.String),
                     sa.column("name_en", sa.String), sa.column("rule_type", sa.String),
                     sa.column("severity", sa.String), sa.column("params", sa.Text))
    op.bulk_insert(rules, DEFAULT_RULES)
    if op.get_bind().dialect.name == "postgresql":  # explicit ids above: move the sequence past them
        op.execute("SELECT setval(pg_get_serial_sequence('alert_rules', 'id'), 6, false)")


def downgrade() -> None:
    op.drop_table('rectifications')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id_read_at'))

    op.drop_table('notifications')
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_events_alert_id_occurred_at'))

    op.drop_table('alert_events')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('uq_alerts_one_live_per_rule_project', sqlite_where=sa.text("status <> 'closed'"),
                            postgresql_where=sa.text("status <> 'closed'"))
        batch_op.drop_index(batch_op.f('ix_alerts_status_severity'))
        batch_op.drop_index(batch_op.f('ix_alerts_project_id_status'))

    op.drop_table('alerts')
    op.drop_table('alert_rules')
