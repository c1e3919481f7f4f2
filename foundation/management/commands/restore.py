"""``manage.py restore``: a backup made by ``manage.py backup`` into a fresh database and the
configured file storage, then verified row count by row count and checksum by checksum.

    python manage.py restore --input var/backups/20250630T020000Z --create \\
        --database-url postgres://actionplans@db:5432/actionplans_restored

The files go to the storage this command's environment configures (PRIVATE_FILES_ROOT, or
S3_BUCKET and its settings). See foundation/backup.py.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from foundation.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup into a fresh database and the file storage, and verify row counts and checksums."
    # The checks would touch the database this command is about to fill.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--input", type=Path, required=True, help="The backup folder (it holds manifest.json)."
        )
        parser.add_argument(
            "--database-url",
            help="The database to restore into; default DATABASE_URL. It must have no tables.",
        )
        parser.add_argument(
            "--create", action="store_true", help="Create the database if it does not exist."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database that has tables, and stored files that differ.",
        )

    def handle(self, *args, input, database_url=None, create=False, force=False, **options):  # noqa: A002
        log = self.stdout.write if options["verbosity"] > 0 else (lambda message: None)
        try:
            result = restore(
                folder=input, database_url=database_url, create=create, force=force, log=log
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        totals = manifest.get("totals", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} into {result.database}"
                f"{' (created)' if result.created else ''} in {result.seconds:.1f} s. Verified: "
                f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, and "
                f"{len(manifest['files'])} files ({totals.get('file_bytes', 0) / 1_000_000:.1f} MB; "
                f"{result.files_written} written, {result.files_already_there} already there): all match."
            )
        )
        for entry in manifest.get("missing_files", []):
            self.stderr.write(
                f"Note: {entry['name']} was already missing when the backup was taken."
            )
        for note in result.notes:
            self.stdout.write(note)
