"""operators answering: presence, queue entries, PIN

Revision ID: a11928ed75d0
Revises: 06bf6f95c0aa
Create Date: 2026-12-04 11:41:05.585269
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = 'a11928ed75d0'
down_revision: str | None = '06bf6f95c0aa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('operator_presence',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('since', models.base.UTCDateTime(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=True),
    sa.Column('heartbeat_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('offer_call_sid', sa.String(length=64), nullable=True),
    sa.Column('offered_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('leg_sid', sa.String(length=64), nullable=True),
    sa.Column('leg_started_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('away_reason', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_operator_presence_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_operator_presence')),
    sa.UniqueConstraint('leg_sid', name=op.f('uq_operator_presence_leg_sid'))
    )
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.create_index('ix_operator_presence_state_since', ['state', 'since'], unique=False)

    op.create_table('queue_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=False),
    sa.Column('queue', sa.String(length=64), nullable=False),
    sa.Column('joined_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('left_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('wait_s', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=24), nullable=False),
    sa.Column('queue_result', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=24), nullable=True),
    sa.Column('path', models.base.JSONType(), nullable=False),
    sa.Column('vessel_registration', sa.String(length=24), nullable=True),
    sa.Column('announcements', sa.Integer(), nullable=False),
    sa.Column('offered_to_id', sa.Integer(), nullable=True),
    sa.Column('offered_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_by', sa.String(length=64), nullable=True),
    sa.Column('operator_leg_sid', sa.String(length=64), nullable=True),
    sa.Column('bridged_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('ended_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('handle_s', sa.Integer(), nullable=True),
    sa.Column('callback_request_id', sa.Integer(), nullable=True),
    sa.Column('wrap_up_code', sa.String(length=32), nullable=True),
    sa.Column('wrap_up_note', sa.Text(), nullable=True),
    sa.Column('wrap_up_by', sa.String(length=64), nullable=True),
    sa.Column('wrap_up_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_queue_entries_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_queue_entries_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['callback_request_id'], ['callback_requests.id'], name=op.f('fk_queue_entries_callback_request_id_callback_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offered_to_id'], ['users.id'], name=op.f('fk_queue_entries_offered_to_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_entries'))
    )
    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.create_index('ix_queue_entries_answered_by_id', ['answered_by_id'], unique=False, sqlite_where=sa.text('answered_by_id IS NOT NULL'), postgresql_where=sa.text('answered_by_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_queue_entries_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queue_entries_call_sid'), ['call_sid'], unique=False)
        batch_op.create_index('ix_queue_entries_joined_at', ['joined_at'], unique=False)
        batch_op.create_index('ix_queue_entries_result_joined_at', ['result', 'joined_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_hash', sa.String(length=255), nullable=True))




def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('pin_hash')

    with op.batch_alter_table('queue_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_entries_result_joined_at')
        batch_op.drop_index('ix_queue_entries_joined_at')
        batch_op.drop_index(batch_op.f('ix_queue_entries_call_sid'))
        batch_op.drop_index(batch_op.f('ix_queue_entries_call_id'))
        batch_op.drop_index('ix_queue_entries_answered_by_id', sqlite_where=sa.text('answered_by_id IS NOT NULL'), postgresql_where=sa.text('answered_by_id IS NOT NULL'))

    op.drop_table('queue_entries')
    with op.batch_alter_table('operator_presence', schema=None) as batch_op:
        batch_op.drop_index('ix_operator_presence_state_since')

    op.drop_table('operator_presence')

