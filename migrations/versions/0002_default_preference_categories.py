"""default preference categories

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:00:00

A new installation starts with the categories most hotels use; admins rename, reorder, add or
deactivate them afterwards. The English names are the stored defaults; the app shows them
translated (guestrel.guests.service.CATEGORY_LABELS).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The table as this migration knows it, independent of the app's models.
preference_categories = sa.table(
    'preference_categories',
    sa.column('code', sa.String),
    sa.column('name', sa.String),
    sa.column('sort_order', sa.Integer),
    sa.column('is_allergy', sa.Boolean),
    sa.column('active', sa.Boolean),
)

DEFAULT_CATEGORIES = (
    ('food_and_drink', 'Food and drink', False),
    ('room', 'Room', False),
    ('bed_and_pillow', 'Bed and pillow', False),
    ('floor_and_view', 'Floor and view', False),
    ('temperature', 'Temperature', False),
    ('amenities', 'Amenities', False),
    ('dietary_and_allergy', 'Dietary and allergy', True),
    ('service', 'Service', False),
    ('communication', 'Communication', False),
    ('other', 'Other', False),
)


def upgrade():
    op.bulk_insert(preference_categories, [
        {'code': code, 'name': name, 'sort_order': (position + 1) * 10, 'is_allergy': is_allergy, 'active': True}
        for position, (code, name, is_allergy) in enumerate(DEFAULT_CATEGORIES)
    ])


def downgrade():
    # Categories that preferences refer to stay: removing them would lose what guests told us.
    op.execute(
        preference_categories.delete()
        .where(preference_categories.c.code.in_([code for code, _name, _allergy in DEFAULT_CATEGORIES]))
        .where(sa.text('NOT EXISTS (SELECT 1 FROM preferences WHERE preferences.category_id = preference_categories.id)'))
    )
