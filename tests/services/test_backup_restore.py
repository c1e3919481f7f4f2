"""Backup and restore on the real PostgreSQL, as an operator runs them.

``manage.py backup`` dumps the demo partnership (with evidence files, report files and a
file no row names); ``manage.py restore`` runs in its own process with its own
DATABASE_URL and PRIVATE_FILES_ROOT, into a fresh database and an empty files folder.
The test then compares every table's row count and every file's SHA-256 with the
original, independently of the restore's own verification.

The backup's pg_dump is another process, so the data must be committed: these tests use
``transaction=True``. They are skipped, saying why, unless the suite runs on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from actionplans.actions.services import evidence_attach
from actionplans.models import Action, Evidence, Plan
from partners.models import User
from reports.choices import JobStatus, ReportFormat, ReportKind
from reports.services import report_job_create
from tests.factories import ActionFactory, PlanFactory, SectionFactory

pytestmark = [pytest.mark.usefixtures("private_files", "eager_tasks"), pytest.mark.services, pytest.mark.django_db(transaction=True)]

RESTORE_TIMEOUT = 180


@pytest.fixture(autouse=True)
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL, not {connection.vendor}: set DATABASE_URL (make test-services does)"
        )


def _connect(dbname: str) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
    )


def _database_url(dbname: str) -> str:
    params = connection.settings_dict
    user = quote(params.get("USER") or "", safe="")
    password = params.get("PASSWORD") or ""
    credentials = (
        f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    )
    return f"postgres://{credentials}{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{dbname}"


@pytest.fixture
def scratch_database():
    """A unique database name on the test server; whatever has that name is dropped at the end."""
    names = []

    def make() -> str:
        names.append(f"actionplans_restore_{uuid.uuid4().hex[:10]}")
        return names[-1]

    yield make
    with _connect("postgres") as conn:
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _database_exists(name: str) -> bool:
    with _connect("postgres") as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def _row_counts(dbname: str) -> dict[str, int]:
    with _connect(dbname) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        return {
            f"{schema}.{table}": conn.execute(
                sql.SQL("SELECT count(*) FROM {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            ).fetchone()[0]
            for schema, table in tables
        }


def _checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def _restore(backup: Path, *, database: str, files_root: Path, extra: tuple[str, ...] = ()):
    """``manage.py restore`` in its own process, configured by its environment only."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(database),
        "PRIVATE_FILES_ROOT": str(files_root),
    }
    for name in ("CELERY_BROKER_URL", "REDIS_URL", "S3_BUCKET"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "restore", "--input", str(backup), *extra],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=RESTORE_TIMEOUT,
        check=False,
    )


def _backup(folder: Path) -> dict:
    call_command("backup", output=folder, stdout=StringIO(), stderr=StringIO())
    return json.loads((folder / "manifest.json").read_text())


@pytest.fixture
def demo_partnership(private_files):
    """The demo partnership, with evidence files, two archived papers and a stray file."""
    call_command("load_demo", stdout=StringIO())
    manager = User.objects.get(email="manager@demo.example")
    actions = list(Action.objects.order_by("pk")[:3])
    for number, action in enumerate(actions):
        evidence_attach(
            action=action,
            added_by=manager,
            files=[
                SimpleUploadedFile(
                    f"minutes-{number}.txt", f"Board minutes {number}\n".encode() * 40, "text/plain"
                ),
                SimpleUploadedFile(
                    f"audit-{number}.csv", f"case,finding\n{number},met\n".encode(), "text/csv"
                ),
            ],
            description="Minutes and audit",
        )
    plan = Plan.objects.get()
    for fmt, kind in [
        (ReportFormat.CSV, ReportKind.ACTIONS_EXPORT),
        (ReportFormat.DOCX, ReportKind.COMMITTEE),
    ]:
        job = report_job_create(plan=plan, kind=kind, format=fmt, requested_by=manager)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
    # An upload half-way through the import wizard: in the storage, named by no row.
    default_storage.save("imports/pending-upload", ContentFile(b"Reference,Action\n1,Audit\n"))
    return private_files


@pytest.fixture
def small_partnership(private_files):
    """A plan with two evidence files: enough for the refusals."""
    action = ActionFactory(plan=PlanFactory(), section=SectionFactory())
    for number in range(2):
        evidence = Evidence(
            action=action,
            kind="document",
            description=f"File {number}",
            original_name=f"f{number}.txt",
        )
        evidence.file.save("upload", ContentFile(f"evidence {number}\n".encode()), save=True)
    return private_files


def test_restore_into_a_fresh_database_matches_the_original(
    demo_partnership, tmp_path, scratch_database
):
    source_db = connection.settings_dict["NAME"]
    backup = tmp_path / "backup"

    manifest = _backup(backup)

    original_files = _checksums(demo_partnership)
    assert len(original_files) == 6 + 2 + 1  # evidence, papers, the stray upload
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == original_files
    references = {f["name"]: f["referenced_by"] for f in manifest["files"]}
    assert references["imports/pending-upload"] == []
    assert sorted(r for refs in references.values() for r in refs) == (
        ["actionplans.Evidence.file"] * 6 + ["reports.ReportJob.file"] * 2
    )
    original_counts = _row_counts(source_db)
    assert manifest["tables"] == original_counts
    assert manifest["totals"]["rows"] > 500
    assert manifest["missing_files"] == []
    assert oct((backup).stat().st_mode & 0o777) == oct(0o700)

    target, restored_files = scratch_database(), tmp_path / "restored-files"
    result = _restore(backup, database=target, files_root=restored_files, extra=("--create",))

    assert result.returncode == 0, result.stderr
    assert "all match" in result.stdout
    restored_counts = _row_counts(target)
    assert restored_counts == original_counts, {
        table: (count, restored_counts.get(table))
        for table, count in original_counts.items()
        if restored_counts.get(table) != count
    }
    assert _checksums(restored_files) == original_files
    # What the rows say about their files still holds in the copy.
    with _connect(target) as conn:
        recorded = dict(
            conn.execute(
                "SELECT file, sha256 FROM actionplans_evidence WHERE file <> ''"
            ).fetchall()
        )
        recorded |= dict(
            conn.execute(
                "SELECT file, checksum_sha256 FROM reports_reportjob WHERE file <> ''"
            ).fetchall()
        )
    assert recorded == {name: sha for name, sha in original_files.items() if name in recorded}
    assert len(recorded) == 8


def test_a_tampered_file_in_the_backup_stops_the_restore_naming_it(
    small_partnership, tmp_path, scratch_database
):
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    tampered = manifest["files"][1]["name"]
    with open(backup / "files" / tampered, "ab") as handle:
        handle.write(b"edited after the backup\n")

    target, restored_files = scratch_database(), tmp_path / "restored-files"
    result = _restore(backup, database=target, files_root=restored_files, extra=("--create",))

    assert result.returncode != 0
    assert f"files/{tampered} does not match its SHA-256" in result.stderr
    assert "nothing was restored" in result.stderr
    assert not _database_exists(target)
    assert not restored_files.exists() or _checksums(restored_files) == {}


def test_restore_refuses_a_database_that_has_tables_without_force(
    small_partnership, tmp_path, scratch_database
):
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    target, restored_files = scratch_database(), tmp_path / "restored-files"
    with _connect("postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    with _connect(target) as conn:
        conn.execute("CREATE TABLE precious (note text)")
        conn.execute("INSERT INTO precious VALUES ('still here')")

    refused = _restore(backup, database=target, files_root=restored_files, extra=("--create",))

    assert refused.returncode != 0
    assert "already has 1 table (public.precious)" in refused.stderr
    assert "--force" in refused.stderr
    assert _row_counts(target) == {"public.precious": 1}
    assert not restored_files.exists()

    # With --force the backup replaces what the dump holds; a table the backup does not
    # have is left, and the verification says so rather than passing it over.
    forced = _restore(backup, database=target, files_root=restored_files, extra=("--force",))

    assert forced.returncode != 0
    assert "table public.precious is in the database but not in the backup (1 row)" in forced.stderr
    assert "do not use it" in forced.stderr
    assert not restored_files.exists() or _checksums(restored_files) == {}
    counts = _row_counts(target)
    assert {t: n for t, n in counts.items() if t != "public.precious"} == manifest["tables"]


@pytest.mark.parametrize(
    "damage", ["no manifest", "truncated dump", "missing file", "not a folder"]
)
def test_bad_input_is_refused_before_anything_is_touched(
    damage, small_partnership, tmp_path, scratch_database
):
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    if damage == "no manifest":
        (backup / "manifest.json").unlink()
        expected = "has no manifest.json"
    elif damage == "truncated dump":
        dump = backup / "database.dump"
        dump.write_bytes(dump.read_bytes()[:1000])
        expected = "database.dump has changed since the backup"
    elif damage == "missing file":
        (backup / "files" / manifest["files"][0]["name"]).unlink()
        expected = f"files/{manifest['files'][0]['name']} is missing"
    else:
        backup = tmp_path / "nowhere"
        expected = "is not a folder"
    target = scratch_database()

    with pytest.raises(CommandError, match=expected):
        call_command(
            "restore",
            input=backup,
            database_url=_database_url(target),
            create=True,
            stdout=StringIO(),
        )

    assert not _database_exists(target)


def test_backup_refuses_a_folder_that_is_not_empty_and_leaves_it_alone(small_partnership, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")

    with pytest.raises(CommandError, match="is not an empty folder"):
        call_command("backup", output=folder, stdout=StringIO())

    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert not (tmp_path / "backup.partial").exists()


def test_a_file_the_rows_name_but_the_storage_lacks_is_recorded_as_missing(
    small_partnership, tmp_path
):
    lost = Evidence.objects.order_by("pk").first()
    default_storage.delete(lost.file.name)
    stderr = StringIO()

    call_command("backup", output=tmp_path / "backup", stdout=StringIO(), stderr=stderr)

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["missing_files"] == [
        {"name": lost.file.name, "referenced_by": ["actionplans.Evidence.file"]}
    ]
    assert [f["name"] for f in manifest["files"]] == [
        e.file.name for e in Evidence.objects.order_by("pk")[1:]
    ]
    assert lost.file.name in stderr.getvalue()
