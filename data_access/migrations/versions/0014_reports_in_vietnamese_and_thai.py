"""Reports in Vietnamese and Thai: a report build and a subscription may be in ``vi`` or ``th`` as well.

Only the two language checks change (SQLite rebuilds the tables in batch mode; PostgreSQL swaps the
constraints). Downgrading keeps such builds and subscriptions, in English, the language their readers were offered
before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:50:00
"""
from __future__ import annotations

from alembic import op

OLD_LANGUAGES = "language IN ('zh', 'en')"
NEW_LANGUAGES = "language IN ('zh', 'en', 'vi', 'th')"
TABLES = ("report_builds", "report_subscriptions")

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _language_check(table: str, check: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_language'), type_='check')
        batch_op.create_check_constraint('language', check)


def upgrade() -> None:
    for table in TABLES:
        _language_check(table, NEW_LANGUAGES)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"UPDATE {table} SET language = 'en' WHERE language IN ('vi', 'th')")
        _language_check(table, OLD_LANGUAGES)
