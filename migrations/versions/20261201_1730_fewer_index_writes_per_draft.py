"""fewer index writes per draft

Every call that leaves a dossier writes a draft and its SMS receipt. The draft's
procedure index (a handful of values, always asked for beside status, phone or time)
is dropped; the receipt's Twilio SID, unset until it is sent, is unique only where set.

Revision ID: 8c3e1a9f2b6d
Revises: 5b2f0c1d7e4a
Create Date: 2026-12-01 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c3e1a9f2b6d"
down_revision: str | None = "5b2f0c1d7e4a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SET = sa.text("twilio_sid IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_dossiers_procedure", table_name="dossiers")
    with op.batch_alter_table("messages", schema=None) as batch_op:  # SQLite copies the table
        batch_op.drop_constraint("uq_messages_twilio_sid", type_="unique")
    op.create_index("ix_messages_twilio_sid", "messages", ["twilio_sid"], unique=True,
                    sqlite_where=SET, postgresql_where=SET)


def downgrade() -> None:
    op.drop_index("ix_messages_twilio_sid", table_name="messages")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_messages_twilio_sid", ["twilio_sid"])
    op.create_index("ix_dossiers_procedure", "dossiers", ["procedure"])
