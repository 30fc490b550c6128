"""Commands that need the site's tables say so in one line when the database has none."""

import os

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection

from recsite.management.database import NOT_MIGRATED, MigratedDatabaseCommand
from tests.conftest import SAMPLE_ITEMS, manage

# Every command of ours that reads or writes the site's tables.
NEEDS_TABLES = {
    "import_catalog",
    "import_interactions",
    "import_movielens",
    "embed_items",
    "train_collaborative",
    "load_demo",
    "demo",
}
# Reads files and writes a report; never touches the site's database.
NO_TABLES = {"evaluate", "profile_audit"}
OUR_APPS = {"catalog", "profiles", "engine", "recsite"}


@pytest.fixture
def empty_database(django_db_blocker):
    """A database on the test server with no tables at all, as before `migrate`."""
    name = f"test_recsite_unmigrated_{os.getpid()}"
    # CREATE and DROP DATABASE cannot run inside a transaction: this test
    # holds none, and the connection is in autocommit.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TestUnmigratedDatabase:
    def test_import_says_to_migrate_in_one_line_then_works_after_migrate(self, empty_database):
        refused = manage("import_catalog", str(SAMPLE_ITEMS), DATABASE_NAME=empty_database)
        assert refused.returncode == 1
        assert "Traceback" not in refused.stderr
        assert "ProgrammingError" not in refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert lines[0].startswith(f"CommandError: {NOT_MIGRATED[:-1]}")

        # What the line says to do is all it takes.
        migrated = manage("migrate", "--noinput", DATABASE_NAME=empty_database)
        assert migrated.returncode == 0, migrated.stderr
        imported = manage("import_catalog", str(SAMPLE_ITEMS), DATABASE_NAME=empty_database)
        assert imported.returncode == 0, imported.stderr
        assert "150 items created" in imported.stdout

    def test_training_is_refused_the_same_way(self, empty_database):
        refused = manage("train_collaborative", "--sync", DATABASE_NAME=empty_database)
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines() == [
            f"CommandError: {NOT_MIGRATED[:-1]} ({_migration_count()} migrations not applied)."
        ]


def _migration_count() -> int:
    from django.db.migrations.loader import MigrationLoader

    return len(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


class TestSharedCheck:
    @pytest.mark.parametrize("name", sorted(NEEDS_TABLES))
    def test_every_command_that_needs_tables_checks_for_them(self, name):
        command = load_command_class(get_commands()[name], name)
        assert isinstance(command, MigratedDatabaseCommand)

    def test_the_list_covers_every_command_of_ours(self):
        ours = {name for name, app in get_commands().items() if app in OUR_APPS}
        assert ours == NEEDS_TABLES | NO_TABLES

    @pytest.mark.django_db
    def test_a_migrated_database_passes(self):
        from recsite.management.database import require_migrated_database

        require_migrated_database()  # raises CommandError otherwise
