"""search: a document per searchable object, and the database's full-text index over it
(SQLite: an FTS5 table kept by triggers; PostgreSQL: a generated, weighted tsvector with a GIN
index). `flask search rebuild` fills it for a database that already holds objects.

Revision ID: 0014_search
Revises: 0013_bulletin
Create Date: 2026-12-05 21:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_search'
down_revision = '0013_bulletin'
branch_labels = None
depends_on = None

SQLITE_INDEX = [
    # External content: the words live in search_document alone; the index follows it. The
    # kind is indexed too, so that a MATCH can keep to the kinds a person may see.
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, kind, content='search_document', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER search_document_added AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, title, body, kind) "
    "VALUES (new.id, new.title, new.body, new.kind); END",
    "CREATE TRIGGER search_document_removed AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, kind) "
    "VALUES ('delete', old.id, old.title, old.body, old.kind); END",
    "CREATE TRIGGER search_document_changed AFTER UPDATE OF title, body, kind "
    "ON search_document BEGIN INSERT INTO search_fts(search_fts, rowid, title, body, kind) "
    "VALUES ('delete', old.id, old.title, old.body, old.kind); "
    "INSERT INTO search_fts(rowid, title, body, kind) "
    "VALUES (new.id, new.title, new.body, new.kind); END",
]

POSTGRESQL_INDEX = [
    "ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'B')) STORED",
    "CREATE INDEX ix_search_document_vector ON search_document USING gin (search_vector)",
]


def upgrade():
    op.create_table(
        'search_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('thread', 'post', 'event', 'listing', 'report', 'item',
                                  'action', 'organisation', name='kind', native_enum=False,
                                  create_constraint=False, length=24), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('heading', sa.String(length=300), nullable=False),
        sa.Column('note', sa.String(length=24), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['area.id'],
                                name=op.f('fk_search_document_area_id_area')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_search_document_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
        sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_document_kind')),
    )
    op.create_index('ix_search_document_happened_at', 'search_document', ['happened_at'],
                    unique=False)
    postgres = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_INDEX if postgres else SQLITE_INDEX:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        for trigger in ('added', 'removed', 'changed'):
            op.execute(f"DROP TRIGGER search_document_{trigger}")
        op.execute("DROP TABLE search_fts")
    op.drop_index('ix_search_document_happened_at', table_name='search_document')
    op.drop_table('search_document')
