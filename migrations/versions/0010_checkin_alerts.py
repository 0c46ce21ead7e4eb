"""check-in alerts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 02:00:00

Check-in alerts (one per stay, what the desk must know as at check-in), the alert rules that add
to them, and the live events the front-desk pages follow.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('guest_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['staff_users.id'], name=op.f('fk_checkin_alerts_acknowledged_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guest_id'], ['guests.id'], name=op.f('fk_checkin_alerts_guest_id_guests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], name=op.f('fk_checkin_alerts_property_id_properties')),
    sa.ForeignKeyConstraint(['stay_id'], ['stays.id'], name=op.f('fk_checkin_alerts_stay_id_stays'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_alerts')),
    sa.UniqueConstraint('stay_id', name=op.f('uq_checkin_alerts_stay_id'))
    )
    with op.batch_alter_table('checkin_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_alerts_guest_id'), ['guest_id'], unique=False)
        batch_op.create_index('ix_checkin_alerts_property_acknowledged', ['property_id', 'acknowledged_at', 'id'], unique=False)

    op.create_table('alert_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('condition', sa.Enum('vip_code', 'member', 'first_stay_in_chain', 'first_stay_at_hotel', 'stays_at_least', 'allergy', 'occasion_during_stay', 'nationality', 'language', name='alert_rule_condition', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=True),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], name=op.f('fk_alert_rules_property_id_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules'))
    )
    with op.batch_alter_table('alert_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_rules_property_id'), ['property_id'], unique=False)

    op.create_table('live_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('alert', 'acknowledged', name='live_event_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['checkin_alerts.id'], name=op.f('fk_live_events_alert_id_checkin_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], name=op.f('fk_live_events_property_id_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_events'))
    )
    with op.batch_alter_table('live_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_live_events_property_id', ['property_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('live_events', schema=None) as batch_op:
        batch_op.drop_index('ix_live_events_property_id')
        batch_op.drop_index(batch_op.f('ix_live_events_created_at'))
    op.drop_table('live_events')
    with op.batch_alter_table('alert_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_rules_property_id'))
    op.drop_table('alert_rules')
    with op.batch_alter_table('checkin_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_alerts_property_acknowledged')
        batch_op.drop_index(batch_op.f('ix_checkin_alerts_guest_id'))
    op.drop_table('checkin_alerts')
