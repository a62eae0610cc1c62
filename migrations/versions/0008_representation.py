"""representation: bodies, their seats and whom each speaks for, the terms of each seat

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:13:10.386897

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('meets', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.Enum('public', 'members', 'coordinators', name='audience', native_enum=False, length=24), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_body')),
    sa.UniqueConstraint('name', name=op.f('uq_body_name'))
    )
    op.create_table('seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_seat_body_id_body')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seat'))
    )
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_body_id'), ['body_id'], unique=False)

    op.create_table('seat_area',
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_seat_area_area_id_area')),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_seat_area_seat_id_seat')),
    sa.PrimaryKeyConstraint('seat_id', 'area_id', name=op.f('pk_seat_area'))
    )
    with op.batch_alter_table('seat_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_area_area_id'), ['area_id'], unique=False)

    op.create_table('seat_organisation',
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_seat_organisation_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_seat_organisation_seat_id_seat')),
    sa.PrimaryKeyConstraint('seat_id', 'organisation_id', name=op.f('pk_seat_organisation'))
    )
    with op.batch_alter_table('seat_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_organisation_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('seat_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=True),
    sa.Column('selection', sa.Enum('elected', 'nominated', 'coopted', name='selection', native_enum=False, length=24), nullable=False),
    sa.Column('selection_note', sa.String(length=500), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deputy_id'], ['person.id'], name=op.f('fk_seat_term_deputy_id_person')),
    sa.ForeignKeyConstraint(['holder_id'], ['person.id'], name=op.f('fk_seat_term_holder_id_person')),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_seat_term_seat_id_seat')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seat_term'))
    )
    with op.batch_alter_table('seat_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_term_deputy_id'), ['deputy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_term_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_term_seat_id'), ['seat_id'], unique=False)

    op.create_table('seat_theme',
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['seat_id'], ['seat.id'], name=op.f('fk_seat_theme_seat_id_seat')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_seat_theme_theme_id_theme')),
    sa.PrimaryKeyConstraint('seat_id', 'theme_id', name=op.f('pk_seat_theme'))
    )
    with op.batch_alter_table('seat_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_theme_theme_id'), ['theme_id'], unique=False)



def downgrade():
    with op.batch_alter_table('seat_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_theme_theme_id'))

    op.drop_table('seat_theme')
    with op.batch_alter_table('seat_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_term_seat_id'))
        batch_op.drop_index(batch_op.f('ix_seat_term_holder_id'))
        batch_op.drop_index(batch_op.f('ix_seat_term_deputy_id'))

    op.drop_table('seat_term')
    with op.batch_alter_table('seat_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_organisation_organisation_id'))

    op.drop_table('seat_organisation')
    with op.batch_alter_table('seat_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_area_area_id'))

    op.drop_table('seat_area')
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_body_id'))

    op.drop_table('seat')
    op.drop_table('body')
