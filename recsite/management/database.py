"""Commands that read or write the site's tables check first that they exist."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

NOT_MIGRATED = "The database is not migrated: run `python manage.py migrate` first."


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many of the project's migrations the database has not had yet."""
    executor = MigrationExecutor(connections[using])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def require_migrated_database(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise CommandError with one line unless every migration is applied.

    Without it, a command run before `migrate` dies on its first query with
    a ProgrammingError traceback ("relation catalog_item does not exist"),
    and one run after a code update that brought a migration fails on a
    missing column, possibly halfway through an import.
    """
    try:
        missing = unapplied_migrations(using)
    except DatabaseError as error:
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise CommandError(f"The database cannot be reached: {first_line}") from None
    if missing:
        raise CommandError(f"{NOT_MIGRATED[:-1]} ({missing} migrations not applied).")


class MigratedDatabaseCommand(BaseCommand):
    """A management command that needs every migration applied before it runs.

    Django's own check (``requires_migrations_checks``) only prints a
    warning and carries on into the traceback; this one stops with one line.
    """

    requires_migrations_checks = True

    def check_migrations(self) -> None:
        require_migrated_database()
