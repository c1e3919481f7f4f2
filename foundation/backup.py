"""Backup and restore of the whole service: the PostgreSQL database and every file in the
private file storage, with a manifest that lets a restore prove it is complete.

A backup is a folder::

    manifest.json    when, which database, which code; rows per table; size and SHA-256 per file
    database.dump    pg_dump --format=custom
    files/<name>     every file in the storage, under its storage name

The row counts are taken in the same snapshot as the dump (pg_dump --snapshot), so they
describe exactly what the dump holds. Files are read through Django's default storage, so
the same commands back up and restore a local folder or an S3 bucket, whichever the
environment configures. The folder is written as ``<name>.partial`` and renamed when
complete: a folder with a manifest is a finished backup.

A restore checks the whole backup (every checksum) before it touches anything, restores
into a database with no tables (``--force`` to replace one that has), then reads back what
it wrote and compares it with the manifest. On failure it undoes what it created.

Only PostgreSQL is supported: the embedded SQLite default is one file, copied with the
files folder while the app is stopped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import dj_database_url
import psycopg
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from psycopg import sql

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
FORMAT = 1
CHUNK = 1024 * 1024
# How many differences a message lists before it says "and N more".
SHOWN = 20

SQLITE_REFUSAL = (
    "backup needs PostgreSQL (DATABASE_URL=postgres://...). For the embedded SQLite default, "
    "stop the app and copy db.sqlite3 and the files folder (PRIVATE_FILES_ROOT, var/files) instead."
)

# The connection OPTIONS that are libpq's own, with the environment variable pg_dump and
# pg_restore read each from. Anything else in OPTIONS is Django's and is not passed on.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}

Log = Callable[[str], None]


class BackupError(Exception):
    """Something the operator must hear about; the message says what and what to do."""


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database is. The password only ever travels in PGPASSWORD."""

    name: str
    user: str = ""
    password: str = field(default="", repr=False)
    host: str = ""
    port: str = ""
    options: dict = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings_dict: dict) -> Database:
        if not settings_dict["ENGINE"].endswith("postgresql"):
            raise BackupError(SQLITE_REFUSAL)
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
            options={
                k: v for k, v in (settings_dict.get("OPTIONS") or {}).items() if k in _LIBPQ_OPTIONS
            },
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            parsed = dj_database_url.parse(url)
        except ValueError as exc:
            raise BackupError(f"The database URL cannot be read: {exc}") from None
        if not parsed["ENGINE"].endswith("postgresql"):
            raise BackupError(
                "restore needs a PostgreSQL database URL (postgres://user@host:5432/name)."
            )
        if not parsed.get("NAME"):
            raise BackupError("The database URL names no database: end it with /<name>.")
        return cls.from_settings(parsed)

    def __str__(self) -> str:
        where = f"{self.host or 'localhost'}:{self.port or 5432}"
        return f"{self.name!r} on {where}"

    def environment(self) -> dict[str, str]:
        """The environment for pg_dump and pg_restore: libpq's variables, never arguments."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        values = {
            "PGDATABASE": self.name,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGHOST": self.host,
            "PGPORT": self.port,
        }
        values.update({_LIBPQ_OPTIONS[k]: str(v) for k, v in self.options.items()})
        env.update({k: v for k, v in values.items() if v})
        return env

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        params = {
            "dbname": dbname or self.name,
            "user": self.user,
            "password": self.password,
            "host": self.host,
            "port": self.port,
            **self.options,
        }
        return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


# --- helpers shared by both directions ---------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client)."
        )
    return path


def _tool_major(path: str) -> int:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    if not match:
        raise BackupError(f"Cannot tell the version of {path} from {out.strip()!r}.")
    return int(match.group(1))


def _safe_name(name: str) -> str:
    """A storage name that is a plain relative path, safe to join to a folder."""
    path = PurePosixPath(name)
    if (
        not name
        or path.is_absolute()
        or ".." in path.parts
        or "\\" in name
        or path.as_posix() != name
    ):
        raise BackupError(
            f"The file name {name!r} is not a plain relative path; refusing to use it."
        )
    return name


def _sha256_of(handle) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _file_sha256(path: Path) -> tuple[int, str]:
    with open(path, "rb") as handle:
        return _sha256_of(handle)


def _listing(problems: list[str]) -> str:
    shown = [f"  - {p}" for p in problems[:SHOWN]]
    if len(problems) > SHOWN:
        shown.append(f"  ... and {len(problems) - SHOWN} more")
    return "\n".join(shown)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


_TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2
"""


def _row_counts(cursor, quote: Callable[[str, str], object]) -> dict[str, int]:
    cursor.execute(_TABLES)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(quote(schema, table))
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def _count_query(schema: str, table: str) -> sql.Composed:
    return sql.SQL("SELECT count(*) FROM {}.{}").format(
        sql.Identifier(schema), sql.Identifier(table)
    )


# --- backup ------------------------------------------------------------------------------


@dataclass
class BackupResult:
    folder: Path
    manifest: dict
    seconds: float


def _walk(storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, recursively (a local folder or an object store alike)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created: no files
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in dirs:
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def _file_references() -> dict[str, list[str]]:
    """Storage name -> the model fields ("actionplans.Evidence.file") whose rows name it."""
    references: dict[str, list[str]] = defaultdict(list)
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, models.FileField):
                continue
            if model_field.storage is not default_storage:
                raise BackupError(
                    f"{model._meta.label}.{model_field.name} keeps its files outside the default storage, "
                    "which backup does not know how to copy."
                )
            label = f"{model._meta.label}.{model_field.name}"
            names = (
                model._base_manager.exclude(**{model_field.attname: ""})
                .exclude(**{f"{model_field.attname}__isnull": True})
                .order_by()
                .values_list(model_field.attname, flat=True)
                .distinct()
            )
            for name in names.iterator():
                references[name].append(label)
    return references


def _applied_migrations(cursor) -> dict[str, str]:
    """Each app's latest applied migration (names are numbered, so the greatest is last)."""
    cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


def _app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _storage_backend() -> str:
    return settings.STORAGES["default"]["BACKEND"]


def _copy_out(storage, name: str, destination: Path) -> tuple[int, str]:
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as source, open(destination, "xb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _owner_only(folder: Path) -> None:
    """Backups hold personal data: readable by this account only, wherever they are copied."""
    for path in folder.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def default_backup_folder() -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BASE_DIR) / "var" / "backups" / stamp


def backup(*, output: Path | None = None, log: Log = print) -> BackupResult:
    """Dump the configured database and copy every stored file into ``output``."""
    started = time.monotonic()
    database = Database.from_settings(connection.settings_dict)
    pg_dump = _tool("pg_dump")
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    client_major = _tool_major(pg_dump)
    if client_major < server_major:
        raise BackupError(
            f"pg_dump {client_major} cannot dump a PostgreSQL {server_major} server: "
            f"install the PostgreSQL {server_major} client."
        )
    if connection.in_atomic_block:
        raise BackupError("backup must run outside a transaction: it opens its own snapshot.")

    output = Path(output) if output else default_backup_folder()
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(
            f"{output} already exists and is not an empty folder: choose another --output."
        )
    partial = output.with_name(output.name + ".partial")
    if partial.exists():
        raise BackupError(
            f"{partial} is left from an interrupted backup: remove it, then run backup again."
        )
    partial.parent.mkdir(parents=True, exist_ok=True)
    # Backups hold personal data: readable by this account only.
    partial.mkdir(mode=0o700)
    try:
        log(f"Dumping the database {database} ...")
        with transaction.atomic(), connection.cursor() as cursor:
            # One snapshot for the dump, the row counts and the list of files the rows name.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            dumped = subprocess.run(  # noqa: S603 - fixed arguments; the password is in the environment
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial / DUMP}"],
                env=database.environment(),
                capture_output=True,
                text=True,
                check=False,
            )
            if dumped.returncode != 0:
                raise BackupError(
                    f"pg_dump failed (exit {dumped.returncode}):\n{dumped.stderr.strip()}"
                )
            tables = _row_counts(
                cursor, lambda s, t: _count_query(s, t).as_string(cursor.connection)
            )
            migrations = _applied_migrations(cursor)
            references = _file_references()
        dump_size, dump_sha256 = _file_sha256(partial / DUMP)

        storage = default_storage
        log("Copying the stored files ...")
        listed = set(_walk(storage))
        files, missing = [], []
        for name in sorted(listed | set(references)):
            if name not in listed and not storage.exists(name):
                missing.append({"name": name, "referenced_by": sorted(references[name])})
                continue
            size, sha256 = _copy_out(storage, _safe_name(name), partial / FILES / name)
            files.append(
                {
                    "name": name,
                    "size": size,
                    "sha256": sha256,
                    "referenced_by": sorted(references.get(name, [])),
                }
            )

        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
            "database": {
                "name": database.name,
                "server_version": f"{server_major}.{connection.pg_version % 10000}",
                "pg_dump_major": client_major,
                "dump": DUMP,
                "size": dump_size,
                "sha256": dump_sha256,
            },
            "app": {"version": _app_version(), "migrations": migrations},
            "storage": {"backend": _storage_backend()},
            "totals": {
                "tables": len(tables),
                "rows": sum(tables.values()),
                "files": len(files),
                "file_bytes": sum(f["size"] for f in files),
                "missing_files": len(missing),
            },
            "tables": tables,
            "files": files,
            "missing_files": missing,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _owner_only(partial)
        if output.exists():
            output.rmdir()  # the empty folder that was asked for
        partial.rename(output)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(folder=output, manifest=manifest, seconds=time.monotonic() - started)


# --- restore -----------------------------------------------------------------------------


@dataclass
class RestoreResult:
    database: Database
    manifest: dict
    created: bool
    files_written: int
    files_already_there: int
    notes: list[str]
    seconds: float


def _read_manifest(folder: Path) -> dict:
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder: give the folder backup wrote (--input).")
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} has no {MANIFEST}: it is not a finished backup (an interrupted one ends in .partial)."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise BackupError(
                f"{path} is format {manifest.get('format')!r}; this code reads format {FORMAT}."
            )
        for key in ("dump", "size", "sha256"):
            manifest["database"][key]  # noqa: B018 - present, or KeyError below
        for entry in manifest["files"]:
            entry["name"], entry["size"], entry["sha256"]  # noqa: B018
        dict(manifest["tables"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(
            f"{path} cannot be read as a backup manifest ({exc.__class__.__name__}: {exc})."
        ) from None
    return manifest


def _check_backup(folder: Path, manifest: dict, pg_restore: str) -> None:
    """Every byte of the backup is what the manifest says, before anything is touched."""
    problems = []
    dump = folder / manifest["database"]["dump"]
    if not dump.is_file():
        problems.append(f"{DUMP} is missing")
    else:
        size, sha256 = _file_sha256(dump)
        if (size, sha256) != (manifest["database"]["size"], manifest["database"]["sha256"]):
            problems.append(
                f"{DUMP} has changed since the backup (SHA-256 or size differs): it is damaged"
            )
        else:
            listed = subprocess.run(  # noqa: S603 - fixed arguments
                [pg_restore, "--list", str(dump)], capture_output=True, text=True, check=False
            )
            if listed.returncode != 0:
                problems.append(f"{DUMP} cannot be read by pg_restore: {listed.stderr.strip()}")
    for entry in manifest["files"]:
        name = _safe_name(entry["name"])
        path = folder / FILES / name
        if not path.is_file():
            problems.append(f"{FILES}/{name} is missing")
            continue
        size, sha256 = _file_sha256(path)
        if sha256 != entry["sha256"] or size != entry["size"]:
            problems.append(f"{FILES}/{name} does not match its SHA-256 in the manifest")
    if problems:
        raise BackupError(
            f"The backup in {folder} is damaged; nothing was restored:\n{_listing(problems)}"
        )


def _database_exists(database: Database) -> bool:
    last_error = None
    for maintenance in ("postgres", "template1"):
        try:
            with database.connect(maintenance) as conn:
                return (
                    conn.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", [database.name]
                    ).fetchone()
                    is not None
                )
        except psycopg.OperationalError as exc:
            last_error = exc
    raise BackupError(f"Cannot reach the PostgreSQL server for {database}: {last_error}")


def _tables_in(database: Database) -> list[str]:
    with database.connect() as conn:
        return [f"{schema}.{table}" for schema, table in conn.execute(_TABLES).fetchall()]


def _storage_clashes(storage, manifest: dict) -> tuple[set[str], list[str]]:
    """Files already in the storage: the identical ones (skipped) and the different ones."""
    identical, different = set(), []
    for entry in manifest["files"]:
        name = entry["name"]
        if not storage.exists(name):
            continue
        with storage.open(name, "rb") as handle:
            size, sha256 = _sha256_of(handle)
        if sha256 == entry["sha256"]:
            identical.add(name)
        else:
            different.append(name)
    return identical, different


def _drop(database: Database) -> None:
    with database.connect("postgres") as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database.name))
        )


def _verify(database: Database, storage, manifest: dict) -> list[str]:
    problems = []
    with database.connect() as conn:
        counts = _row_counts(conn.cursor(), _count_query)
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(counts)):
        if table not in counts:
            problems.append(
                f"table {table} is missing (the backup has {_count(expected[table], 'row')})"
            )
        elif table not in expected:
            problems.append(
                f"table {table} is in the database but not in the backup ({_count(counts[table], 'row')})"
            )
        elif counts[table] != expected[table]:
            problems.append(
                f"table {table} has {_count(counts[table], 'row')}; the backup has {expected[table]}"
            )
    for entry in manifest["files"]:
        # Asked first: a missing object is not FileNotFoundError in every storage backend.
        if not storage.exists(entry["name"]):
            problems.append(f"file {entry['name']} is missing from the storage")
            continue
        with storage.open(entry["name"], "rb") as handle:
            size, sha256 = _sha256_of(handle)
        if sha256 != entry["sha256"] or size != entry["size"]:
            problems.append(f"file {entry['name']} differs from the backup (SHA-256)")
    return problems


def _migration_notes(manifest: dict) -> list[str]:
    """What the operator must do before starting the app on the restored database."""
    from django.db.migrations.loader import MigrationLoader

    backed_up = manifest.get("app", {}).get("migrations", {})
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = sorted(
        f"{app}.{name}"
        for app, name in backed_up.items()
        if (app, name) not in loader.disk_migrations
    )
    if unknown:
        return [
            "The backup was taken by a newer version of the code (it has migrations this code has not: "
            f"{', '.join(unknown)}): run that version against the restored database."
        ]
    if any(
        app not in backed_up or backed_up[app] < name for app, name in loader.graph.leaf_nodes()
    ):
        return [
            "This code has migrations the backup has not: run `manage.py migrate` before starting the app."
        ]
    return []


def restore(
    *,
    folder: Path,
    database_url: str | None = None,
    create: bool = False,
    force: bool = False,
    log: Log = print,
) -> RestoreResult:
    """Restore the backup in ``folder`` into the database (``database_url`` or DATABASE_URL)
    and into the default storage, then verify both against the manifest."""
    started = time.monotonic()
    folder = Path(folder)
    if database_url:
        database = Database.from_url(database_url)
    elif settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        database = Database.from_settings(settings.DATABASES["default"])
    else:
        raise BackupError(
            "restore needs PostgreSQL: set DATABASE_URL=postgres://... or pass --database-url."
        )
    manifest = _read_manifest(folder)
    pg_restore = _tool("pg_restore")
    client_major = _tool_major(pg_restore)
    if client_major < manifest["database"].get("pg_dump_major", 0):
        raise BackupError(
            f"pg_restore {client_major} cannot read a dump made by pg_dump {manifest['database']['pg_dump_major']}: "
            "install a newer PostgreSQL client."
        )
    exists = _database_exists(database)
    if not exists and not create:
        raise BackupError(f"The database {database} does not exist: create it, or pass --create.")
    existing_tables = _tables_in(database) if exists else []
    if existing_tables and not force:
        raise BackupError(
            f"The database {database} already has {_count(len(existing_tables), 'table')} "
            f"({', '.join(existing_tables[:3])}{', ...' if len(existing_tables) > 3 else ''}): "
            "restore into a fresh database (--create with a new name), or pass --force to replace its contents."
        )
    storage = default_storage
    identical, different = _storage_clashes(storage, manifest)
    if different and not force:
        raise BackupError(
            f"The file storage ({_storage_backend()}) already holds {_count(len(different), 'file')} of the backup "
            f"with different contents; restore into an empty storage, or pass --force to overwrite them:\n"
            f"{_listing(different)}"
        )
    log(f"Checking the backup in {folder} ({_count(len(manifest['files']), 'file')}) ...")
    _check_backup(folder, manifest, pg_restore)

    created = restored_database = False
    written: list[str] = []
    replaced: list[str] = []
    try:
        if not exists:
            log(f"Creating the database {database} ...")
            with database.connect("postgres") as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))
            created = True
        log(f"Restoring the database {database} ...")
        command = [
            pg_restore,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database.name}",
        ]
        if existing_tables:
            command += ["--clean", "--if-exists"]
        restored = subprocess.run(  # noqa: S603 - fixed arguments; the password is in the environment
            [*command, str(folder / manifest["database"]["dump"])],
            env=database.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if restored.returncode != 0:
            raise BackupError(
                f"pg_restore failed (exit {restored.returncode}):\n{restored.stderr.strip()}"
            )
        restored_database = True

        to_write = [e for e in manifest["files"] if e["name"] not in identical]
        log(f"Restoring {_count(len(to_write), 'file')} into {_storage_backend()} ...")
        for entry in to_write:
            name = entry["name"]
            if storage.exists(name):
                storage.delete(name)  # --force: replaced, not saved beside under another name
                replaced.append(name)
            with open(folder / FILES / name, "rb") as handle:
                saved = storage.save(name, File(handle, name=name))
            written.append(saved)
            if saved != name:
                raise BackupError(
                    f"The storage saved {name} as {saved}: the rows would not find it."
                )

        log("Verifying row counts and checksums ...")
        problems = _verify(database, storage, manifest)
        if problems:
            raise BackupError(f"The restored copy differs from the backup:\n{_listing(problems)}")
    except BaseException as exc:
        undone = _undo(
            database,
            storage,
            created=created,
            written=written,
            replaced=replaced,
            restored_database=restored_database,
        )
        if isinstance(exc, BackupError):
            raise BackupError(f"{exc}\n{undone}") from exc
        raise
    return RestoreResult(
        database=database,
        manifest=manifest,
        created=created,
        files_written=len(written),
        files_already_there=len(identical),
        notes=_migration_notes(manifest),
        seconds=time.monotonic() - started,
    )


def _undo(
    database: Database,
    storage,
    *,
    created: bool,
    written: list[str],
    replaced: list[str],
    restored_database: bool,
) -> str:
    """Remove what a failed restore made; say what it could not undo."""
    said = []
    for name in written:
        try:
            storage.delete(name)
        except Exception as exc:  # noqa: BLE001 - keep undoing the rest, and say so
            said.append(f"Could not remove the restored file {name}: {exc}")
    if written:
        said.append(f"Removed the {_count(len(written), 'file')} this restore had written.")
    if replaced:
        said.append(f"The {_count(len(replaced), 'file')} that --force replaced are not put back.")
    if created:
        try:
            _drop(database)
            said.append(f"Dropped the database {database}, which this restore had created.")
        except psycopg.Error as exc:
            said.append(
                f"Could not drop the database {database} this restore created ({exc}): drop it by hand."
            )
    elif restored_database:
        said.append(
            f"The database {database} now holds the restored data, which did not verify: do not use it; "
            "drop it, or restore again with --force."
        )
    else:
        # pg_restore --single-transaction: a failed restore commits nothing.
        said.append(f"The database {database} is as it was before.")
    return "\n".join(said)
