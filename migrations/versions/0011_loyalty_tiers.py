"""loyalty tiers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 13:00:00

The chain's loyalty tiers with their benefits, each guest's tier, and the alert rule condition
"tier is".

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

CONDITIONS = ['vip_code', 'member', 'first_stay_in_chain', 'first_stay_at_hotel', 'stays_at_least', 'allergy',
              'occasion_during_stay', 'nationality', 'language']


def _conditions(names):
    return sa.Enum(*names, name='alert_rule_condition', native_enum=False, create_constraint=True, length=40)


def _alter_conditions(before, after):
    # Alembic replaces the condition's CHECK constraint with the type (existing_type names the
    # old one); SQLite copies the table to do it.
    with op.batch_alter_table('alert_rules', schema=None) as batch_op:
        batch_op.alter_column('condition', existing_type=_conditions(before), type_=_conditions(after),
                              existing_nullable=False)


def upgrade():
    op.create_table('loyalty_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('benefits', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loyalty_tiers')),
    sa.UniqueConstraint('code', name=op.f('uq_loyalty_tiers_code')),
    sa.UniqueConstraint('rank', name=op.f('uq_loyalty_tiers_rank'))
    )
    op.create_table('loyalty_memberships',
    sa.Column('guest_id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('tier_since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guest_id'], ['guests.id'], name=op.f('fk_loyalty_memberships_guest_id_guests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['loyalty_tiers.id'], name=op.f('fk_loyalty_memberships_tier_id_loyalty_tiers')),
    sa.PrimaryKeyConstraint('guest_id', name=op.f('pk_loyalty_memberships'))
    )
    with op.batch_alter_table('loyalty_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loyalty_memberships_tier_id'), ['tier_id'], unique=False)
    _alter_conditions(CONDITIONS, [*CONDITIONS, 'tier'])


def downgrade():
    op.execute("DELETE FROM alert_rules WHERE condition = 'tier'")
    _alter_conditions([*CONDITIONS, 'tier'], CONDITIONS)
    with op.batch_alter_table('loyalty_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loyalty_memberships_tier_id'))
    op.drop_table('loyalty_memberships')
    op.drop_table('loyalty_tiers')
