from pathlib import Path

from django.core.management.base import CommandError

from profiles.importers import read_interactions_csv
from profiles.services import interactions_import
from recsite.errors import ApplicationError
from recsite.management.database import MigratedDatabaseCommand
from recsite.progress import progress_bar


class Command(MigratedDatabaseCommand):
    help = (
        "Import interactions from a CSV file with columns user,item,kind,value,timestamp "
        "(.gz accepted). Users are usernames, created as inactive accounts when missing; "
        "items are catalog external ids. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            rows = read_interactions_csv(Path(file))
            with progress_bar(total=len(rows), unit="row", desc="Importing interactions") as bar:
                summary = interactions_import(rows=rows, on_progress=bar.update)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{file}: {summary.interactions} interactions imported, "
            f"{summary.users_created} new users."
        )
