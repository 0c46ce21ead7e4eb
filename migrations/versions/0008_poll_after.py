"""poll after

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 01:00:00

A connection whose PMS asked to be left alone for a while (a 429's Retry-After) remembers until
when, so that no worker polls it before.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poll_after', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_column('poll_after')
