"""A consistent copy of the database, written while the site keeps running: SQLite's
VACUUM INTO, or pg_dump's custom format for PostgreSQL (`flask backup`, the backup job)."""

from __future__ import annotations

import os
import shutil
import subprocess  # pg_dump, with a fixed argument list  # nosec B404
from pathlib import Path

from network.extensions import db


class BackupError(Exception):
    """The copy could not be made (said in words for the person running it)."""


def suffix() -> str:
    """The file ending of this database's backups."""
    return ".db" if db.engine.dialect.name == "sqlite" else ".dump"


def write_backup(path: Path) -> int:
    """Write the copy to `path` (which must not exist); its size in bytes."""
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new name.")
    path.parent.mkdir(parents=True, exist_ok=True)
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
        # The password goes in the environment, not the command line others can list.
        url = engine.url.set(drivername="postgresql", password=None)
        env = {**os.environ, **({"PGPASSWORD": engine.url.password} if engine.url.password
                                else {})}
        subprocess.run([pg_dump, "--format=custom", f"--file={path}",  # nosec B603
                        url.render_as_string(hide_password=False)], check=True, env=env)
    else:
        raise BackupError(f"No backup method for {engine.dialect.name}.")
    return path.stat().st_size
