"""``manage.py backup``: the database (pg_dump) and every stored file, with a manifest of
row counts and checksums that ``manage.py restore`` verifies against. See foundation/backup.py.

    python manage.py backup                      # var/backups/<UTC time>/
    python manage.py backup --output /mnt/backups/2025-06-30
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from foundation.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the PostgreSQL database and every stored file into a folder, with a manifest of row counts and SHA-256 checksums."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The folder to write (new or empty); default var/backups/<UTC time>/.",
        )

    def handle(self, *args, output=None, **options):
        log = self.stdout.write if options["verbosity"] > 0 else (lambda message: None)
        try:
            result = backup(output=output, log=log)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        totals = result.manifest["totals"]
        dump_size = result.manifest["database"]["size"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {result.manifest['database']['name']}: {totals['tables']} tables, "
                f"{totals['rows']} rows ({dump_size / 1_000_000:.1f} MB dump) and {totals['files']} files "
                f"({totals['file_bytes'] / 1_000_000:.1f} MB) to {result.folder} in {result.seconds:.1f} s."
            )
        )
        for entry in result.manifest["missing_files"]:
            self.stderr.write(
                f"Warning: {entry['name']} is named by {', '.join(entry['referenced_by'])} but is not in the "
                "storage; the backup records it as missing."
            )
        self.stdout.write(
            "The backup holds personal data: store it encrypted, and delete it when the retention policy says."
        )
