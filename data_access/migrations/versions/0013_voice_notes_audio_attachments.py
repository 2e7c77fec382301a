"""Voice notes (语音备注): an attachment may be ``audio``, a recording made with a monthly report.

Only the kind check changes (SQLite rebuilds the table in batch mode; PostgreSQL swaps the constraint).
Downgrading keeps the recordings as plain files, so nothing a user recorded is lost.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 21:34:09
"""
from __future__ import annotations

from alembic import op

OLD_KINDS = "kind IN ('photo', 'file')"
NEW_KINDS = "kind IN ('photo', 'file', 'audio')"

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attachments_kind'), type_='check')
        batch_op.create_check_constraint('kind', NEW_KINDS)


def downgrade() -> None:
    op.execute("UPDATE attachments SET kind = 'file' WHERE kind = 'audio'")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attachments_kind'), type_='check')
        batch_op.create_check_constraint('kind', OLD_KINDS)
