"""jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:40:00

Background processing: an inbox message records how it came (webhook, poll, file); one waiting for its source to come back has the time of its
next attempt, a connection remembers when it was last polled and has a version for optimistic concurrency, and an event is only ever stored
with its outcome (it is claimed and applied in one transaction, so "applying" is gone).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_EVENT_STATUS = sa.Enum('applying', 'applied', 'failed', 'ignored', name='inbox_event_status',
                           native_enum=False, create_constraint=True, length=20)
NEW_EVENT_STATUS = sa.Enum('applied', 'failed', 'ignored', name='inbox_event_status',
                           native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('inbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.Enum('webhook', 'poll', 'file', name='inbox_message_origin',
                                                         native_enum=False, create_constraint=True, length=20),
                                      nullable=False, server_default='webhook'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_inbox_messages_next_attempt_at'), ['next_attempt_at'], unique=False)

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_polled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    op.execute("UPDATE inbox_events SET status = 'failed' WHERE status = 'applying'")
    with op.batch_alter_table('inbox_events', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=OLD_EVENT_STATUS, type_=NEW_EVENT_STATUS,
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table('inbox_events', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=NEW_EVENT_STATUS, type_=OLD_EVENT_STATUS,
                              existing_nullable=False)

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('last_polled_at')

    with op.batch_alter_table('inbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_messages_next_attempt_at'))
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('origin')
