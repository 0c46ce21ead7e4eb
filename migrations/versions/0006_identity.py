"""identity

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 15:10:00

Identity resolution and merging: a guest's loyalty member number (unique), the tombstone link of
a merged profile to its survivor, an index on birthdays (guests with a name and birthday are
found by it), and the review list of possible duplicates.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a foreign key to an existing table only inline with the column. Batch mode
        # would copy the table instead, and dropping the old guests table with foreign keys on
        # deletes every guest's preferences, ids and search terms by cascade.
        op.execute('ALTER TABLE guests ADD COLUMN merged_into_id INTEGER '
                   'CONSTRAINT fk_guests_merged_into_id_guests REFERENCES guests (id)')
    else:
        op.add_column('guests', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_guests_merged_into_id_guests'), 'guests', 'guests',
                              ['merged_into_id'], ['id'])
    op.add_column('guests', sa.Column('member_number', sa.String(length=40), nullable=True))
    op.create_index(op.f('ix_guests_member_number'), 'guests', ['member_number'], unique=True)
    op.create_index(op.f('ix_guests_merged_into_id'), 'guests', ['merged_into_id'], unique=False)
    op.create_index(op.f('ix_guests_birthday'), 'guests', ['birthday'], unique=False)

    op.create_table('guest_match_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guest_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('open', 'merged', 'dismissed', name='guest_match_review_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('source_system', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_client_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['guests.id'], name=op.f('fk_guest_match_reviews_candidate_id_guests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_client_id'], ['api_clients.id'], name=op.f('fk_guest_match_reviews_decided_by_client_id_api_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_staff_id'], ['staff_users.id'], name=op.f('fk_guest_match_reviews_decided_by_staff_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guest_id'], ['guests.id'], name=op.f('fk_guest_match_reviews_guest_id_guests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_match_reviews'))
    )
    with op.batch_alter_table('guest_match_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guest_match_reviews_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guest_match_reviews_guest_id'), ['guest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guest_match_reviews_status'), ['status'], unique=False)
        batch_op.create_index('ix_guest_match_reviews_open_pair', ['guest_id', 'candidate_id'], unique=True,
                              sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade():
    with op.batch_alter_table('guest_match_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_guest_match_reviews_open_pair')
        batch_op.drop_index(batch_op.f('ix_guest_match_reviews_status'))
        batch_op.drop_index(batch_op.f('ix_guest_match_reviews_guest_id'))
        batch_op.drop_index(batch_op.f('ix_guest_match_reviews_candidate_id'))

    op.drop_table('guest_match_reviews')
    op.drop_index(op.f('ix_guests_birthday'), table_name='guests')
    op.drop_index(op.f('ix_guests_merged_into_id'), table_name='guests')
    op.drop_index(op.f('ix_guests_member_number'), table_name='guests')
    op.drop_column('guests', 'member_number')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_guests_merged_into_id_guests'), 'guests', type_='foreignkey')
    # SQLite drops a column with its inline foreign key in place, without copying the table.
    op.execute('ALTER TABLE guests DROP COLUMN merged_into_id')
