"""The declarative base, the UTC datetime type, and SQLite's connection and transaction set-up."""

import logging
from datetime import UTC, datetime

from flask import g, has_request_context, request
from sqlalchemy import DateTime, Engine, Enum, MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

log = logging.getLogger("network.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest id a URL or form may name: PostgreSQL's integer (SQLite's is larger). Beyond it
# a number cannot be a row, and binding it would fail rather than find nothing.
MAX_ID = 2**31 - 1


def parse_id(value) -> int:
    """An id from a URL or form, as `type=` for request.args.get: ValueError if it cannot be
    one (so get() gives its default)."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is not an id")
    return number


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: 1 to MAX_ID, so a huge number is 404 like a missing row.

    The range is in the pattern itself: a number refused only after matching (by `max`) would
    let werkzeug answer 405 where another rule has the same path for other methods.
    """

    regex = ("[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
             "|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
             "|21474836[0-3][0-9]|214748364[0-7]")

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, on SQLite (naive UTC text) and PostgreSQL (timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Model(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime})


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _transaction_writes() -> bool:
    if has_request_context():  # after a refused write (writes_refused) the request only reads
        return (request.method not in SAFE_METHODS and not g.get("writes_refused")
                and not g.get("only_reading"))
    return True  # CLI commands and scripts: writes are the point


def only_reading() -> None:
    """What is left of a writing request only reads (an archive built after the change that
    allowed it was committed): on SQLite its transactions begin deferred, so a long read holds
    no write lock while others wait to write."""
    g.only_reading = True


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy's "begin" event, below, issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    # A deferred read that later writes fails at once with "database is locked" when another
    # writer got in first; IMMEDIATE takes the write lock up front and waits its turn.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _transaction_writes() else "BEGIN")


# A database that takes no writes now, though it still reads: SQLite's SQLITE_READONLY (8, and
# its extended codes) and SQLITE_FULL (13, "database or disk is full"); PostgreSQL's
# disk_full and read_only_sql_transaction. The statement failed and its transaction is
# rolled back: nothing of it was stored.
SQLITE_WRITES_REFUSED = frozenset({8, 13})
POSTGRES_WRITES_REFUSED = frozenset({"53100", "25006"})


def writes_refused(error: BaseException) -> bool:
    """Whether a database error means the disk (or server) refuses writes for now."""
    cause = getattr(error, "orig", error)
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in SQLITE_WRITES_REFUSED
    return getattr(cause, "sqlstate", None) in POSTGRES_WRITES_REFUSED


def write_aside(engine: Engine, *statements) -> None:
    """A reading page's bookkeeping (the forum's read marker, the home page's visit): on its
    own connection and transaction, which writes first and reads nothing, so SQLite takes the
    write lock at once and the page's own reading transaction is left alone. On a disk that
    refuses writes it is left unwritten and the page is read all the same."""
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(statement)
    except DBAPIError as error:
        if not writes_refused(error):
            raise
        log.warning("Not noted (the database refuses writes): %s", error.orig)


def insert_for(engine: Engine, table):
    """An INSERT that may say what to do when its row is there (`on_conflict_do_nothing`,
    `on_conflict_do_update`), as the engine's database writes it: PostgreSQL or SQLite."""
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table)


def enum_type(enum_class) -> Enum:
    """A StrEnum stored as its value in a plain VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


# Schema a feature's migration makes beyond its models (a full-text index, say), by table,
# column or index name: the schema test and autogenerate leave these alone. Features add to
# it when imported.
UNMODELLED: set[str] = set()


def include_migration_name(name, type_, parent_names) -> bool:
    """Alembic's include_name: False for what UNMODELLED names (tables also by prefix, for
    the tables a virtual table keeps beside it)."""
    if name is None:
        return True
    return not any(name == kept or (type_ == "table" and name.startswith(kept + "_"))
                   for kept in UNMODELLED)


def render_migration_item(type_, obj, autogen_context):
    """Write UTCDateTime into migrations as a plain DateTime, so they never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False

