"""pre-arrival tasks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 01:30:00

Pre-arrival tasks (one per stay and preference to prepare), the department each preference
category's tasks go to, and each hotel's check-in time, when those tasks are due.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

DEPARTMENTS = ('housekeeping', 'food_and_beverage', 'front_desk')
# Who prepares the default categories' preferences (migration 0002); the rest go to the front desk.
DEFAULT_DEPARTMENTS = {
    'food_and_drink': 'food_and_beverage',
    'dietary_and_allergy': 'food_and_beverage',
    'room': 'housekeeping',
    'bed_and_pillow': 'housekeeping',
    'floor_and_view': 'housekeeping',
    'temperature': 'housekeeping',
    'amenities': 'housekeeping',
}


def _departments(name):
    return sa.Enum(*DEPARTMENTS, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('properties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_in_time', sa.Time(), nullable=False, server_default='14:00:00'))

    with op.batch_alter_table('preference_categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', _departments('preference_department'), nullable=False,
                                      server_default='front_desk'))
    categories = sa.table('preference_categories', sa.column('code', sa.String), sa.column('department', sa.String))
    for code, department in DEFAULT_DEPARTMENTS.items():
        op.execute(categories.update().where(categories.c.code == code).values(department=department))

    op.create_table('pre_arrival_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('preference_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('department', _departments('task_department'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('room_number', sa.String(length=20), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('done_by_client_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['done_by_client_id'], ['api_clients.id'], name=op.f('fk_pre_arrival_tasks_done_by_client_id_api_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['done_by_staff_id'], ['staff_users.id'], name=op.f('fk_pre_arrival_tasks_done_by_staff_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['preference_id'], ['preferences.id'], name=op.f('fk_pre_arrival_tasks_preference_id_preferences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], name=op.f('fk_pre_arrival_tasks_property_id_properties')),
    sa.ForeignKeyConstraint(['stay_id'], ['stays.id'], name=op.f('fk_pre_arrival_tasks_stay_id_stays'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pre_arrival_tasks')),
    sa.UniqueConstraint('stay_id', 'preference_id', name=op.f('uq_pre_arrival_tasks_stay_id_preference_id'))
    )
    with op.batch_alter_table('pre_arrival_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pre_arrival_tasks_preference_id'), ['preference_id'], unique=False)
        batch_op.create_index('ix_pre_arrival_tasks_property_due', ['property_id', 'due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pre_arrival_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_pre_arrival_tasks_property_due')
        batch_op.drop_index(batch_op.f('ix_pre_arrival_tasks_preference_id'))
    op.drop_table('pre_arrival_tasks')

    with op.batch_alter_table('preference_categories', schema=None) as batch_op:
        # Dropped first: SQLite's copy of the table would keep a check of a column it no longer has.
        batch_op.drop_constraint(op.f('ck_preference_categories_preference_department'), type_='check')
        batch_op.drop_column('department')

    with op.batch_alter_table('properties', schema=None) as batch_op:
        batch_op.drop_column('check_in_time')
