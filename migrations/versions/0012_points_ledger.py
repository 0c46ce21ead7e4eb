"""points ledger

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 13:00:00

The guests' points: an append-only ledger whose sum is the balance.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('points_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guest_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('award', 'redeem', 'adjust', 'merge', name='points_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guest_id'], ['guests.id'], name=op.f('fk_points_entries_guest_id_guests')),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], name=op.f('fk_points_entries_property_id_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_points_entries_idempotency_key'))
    )
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.create_index('ix_points_entries_guest_id', ['guest_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_points_entries_guest_id')
    op.drop_table('points_entries')
