"""``manage.py backup`` and ``restore`` need PostgreSQL; on the embedded SQLite default they
refuse, saying what to copy instead. (The backup and restore themselves are tested on
PostgreSQL in tests/services/test_backup_restore.py.)"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite refusal; see tests/services"
)


def test_backup_on_sqlite_is_refused_saying_what_to_copy(tmp_path):
    with pytest.raises(
        CommandError, match=r"backup needs PostgreSQL.*copy db\.sqlite3 and the files folder"
    ):
        call_command("backup", output=tmp_path / "backup", stdout=StringIO())

    assert list(tmp_path.iterdir()) == []


def test_restore_without_a_postgresql_database_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text(
        '{"format": 1, "database": {}, "tables": {}, "files": []}'
    )

    with pytest.raises(CommandError, match="restore needs PostgreSQL"):
        call_command("restore", input=tmp_path, stdout=StringIO())
