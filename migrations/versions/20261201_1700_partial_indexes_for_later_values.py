"""partial indexes for values set later

A call has no outcome and a draft no one-stop code when their rows are written: left
out of those two indexes, the rows cost no index page when they are inserted.

Revision ID: 5b2f0c1d7e4a
Revises: 33472c40ddda
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b2f0c1d7e4a"
down_revision: str | None = "33472c40ddda"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = (("ix_calls_outcome", "calls", "outcome"), ("ix_dossiers_onestop_code", "dossiers", "onestop_code"))


def upgrade() -> None:
    for name, table, column in PARTIAL:
        op.drop_index(name, table_name=table)
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, table, [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, table, column in PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
