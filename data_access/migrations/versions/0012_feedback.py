"""Feedback box (意见箱): users' messages with their screenshots and admins' answers; each user's last seen release
of the release notes (更新公告). The app role gets its usual rights on the new table (data_access.migrate).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 18:42:03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False, comment='the sender'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('page', sa.String(length=60), nullable=False, comment='the url path of the page it was sent from'),
    sa.Column('message', sa.Text(), nullable=False, comment='what the user expected and what happened (data)'),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('tag', sa.String(length=20), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answers', sa.Integer(), server_default='0', nullable=False, comment='how many answers were sent'),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('screenshot_name', sa.String(length=80), nullable=True, comment='relative to the upload folder'),
    sa.Column('screenshot_type', sa.String(length=60), nullable=True),
    sa.Column('screenshot_bytes', sa.Integer(), nullable=True),
    sa.Column('screenshot_sha256', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('open', 'answered', 'closed')", name=op.f('ck_feedback_status')),
    sa.CheckConstraint("tag IS NULL OR tag IN ('bug', 'data', 'usability', 'request', 'question', 'other')", name=op.f('ck_feedback_tag')),
    sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_feedback_answered_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feedback_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_status_created_at'), ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_user_id_created_at'), ['user_id', 'created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_release', sa.String(length=40), nullable=True, comment='the newest release of CHANGELOG.md the user has opened 更新公告 on'))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('seen_release')

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_user_id_created_at'))
        batch_op.drop_index(batch_op.f('ix_feedback_status_created_at'))

    op.drop_table('feedback')
