"""A consistent copy of the database, written while the site keeps running: SQLite's
VACUUM INTO, or pg_dump's custom format for PostgreSQL (`flask backup`, the backup job); and
one brought back (`flask restore`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess  # pg_dump, with a fixed argument list  # nosec B404
from pathlib import Path

from network.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """The copy could not be made or brought back (said in words for the person running it)."""


def suffix() -> str:
    """The file ending of this database's backups."""
    return ".db" if db.engine.dialect.name == "sqlite" else ".dump"


def write_backup(path: Path) -> int:
    """Write the copy to `path` (which must not exist); its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # made empty first, readable by its owner alone: it holds everyone's data
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise BackupError(f"{path} exists already; choose a new name.") from None
    try:
        _copy_into(path)
    except BaseException:
        path.unlink(missing_ok=True)  # no empty or half-written file left to be restored
        raise
    return path.stat().st_size


def _copy_into(path: Path) -> None:
    """VACUUM INTO the empty file, or pg_dump over it (both keep the file's mode)."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM INTO ?", (str(path),))
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed (Debian: postgresql-client).")
        url = engine.url.set(drivername="postgresql", password=None)
        subprocess.run([pg_dump, "--format=custom", f"--file={path}",  # nosec B603
                        url.render_as_string(hide_password=False)], check=True,
                       env=_password_env(engine))
    else:
        raise BackupError(f"No backup method for {engine.dialect.name}.")


def _password_env(engine) -> dict[str, str]:
    """The password goes in the environment, not the command line others can list."""
    return {**os.environ, **({"PGPASSWORD": engine.url.password} if engine.url.password
                             else {})}


def check_backup(path: Path) -> None:
    """Refuse, before any change, a file that is not a backup of this kind of database."""
    engine = db.engine
    with path.open("rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if engine.dialect.name == "sqlite":
        if head != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite backup.")
        _check_sqlite_backup(path)
    elif engine.dialect.name == "postgresql":
        if not head.startswith(PG_DUMP_HEADER):
            raise BackupError(f"{path} is not a backup made by pg_dump --format=custom "
                              "(flask backup).")
    else:
        raise BackupError(f"No restore method for {engine.dialect.name}.")


def _check_sqlite_backup(path: Path) -> None:
    """A damaged file, or a SQLite database that is not this site's, is refused."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
            problems = source.execute("PRAGMA quick_check").fetchall()
            ours = source.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'alembic_version'").fetchone()
    except sqlite3.DatabaseError as error:  # "malformed" when its first pages are
        raise BackupError(f"{path} is damaged: {error}.") from error
    if problems != [("ok",)]:
        raise BackupError(f"{path} is damaged: {problems[0][0]}")
    if ours is None:
        raise BackupError(f"{path} is not a backup of this site's database.")


def restore_backup(path: Path) -> None:
    """Replace everything in the database with the backup at `path` (check_backup first)."""
    engine = db.engine
    db.session.remove()
    if engine.dialect.name == "sqlite":
        _restore_sqlite(engine, path)
    else:
        _restore_postgresql(engine, path)
    engine.dispose()  # no pooled connection keeps anything from before


def _restore_sqlite(engine, path: Path) -> None:
    """SQLite's backup API, page by page into the database in place, as one write transaction:
    a connection of the running site sees the database as it was or as restored, never
    between, and its next statement reads the restored schema. Taken out of the pool: the
    connection is closed afterwards, not lent to anyone."""
    raw = engine.raw_connection()
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source:
            source.backup(raw.driver_connection)
    except sqlite3.Error as error:
        raise BackupError(f"Could not restore {path}: {error}.") from error
    finally:
        raw.detach()
        raw.close()


def _restore_postgresql(engine, path: Path) -> None:
    """pg_restore in one transaction: every object in the backup dropped and made again, or,
    on any error, nothing changed."""
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (Debian: postgresql-client).")
    url = engine.url.set(drivername="postgresql", password=None)
    done = subprocess.run([pg_restore, "--clean", "--if-exists",  # nosec B603
                           "--single-transaction", "--no-owner",
                           f"--dbname={url.render_as_string(hide_password=False)}", str(path)],
                          env=_password_env(engine), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed; nothing was changed:\n{done.stderr.strip()}")
