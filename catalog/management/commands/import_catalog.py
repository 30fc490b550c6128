from pathlib import Path

from django.core.management.base import CommandError

from catalog.importers import iter_items_jsonl
from catalog.services import items_import
from recsite.errors import ApplicationError
from recsite.management.database import MigratedDatabaseCommand
from recsite.progress import progress_bar


class Command(MigratedDatabaseCommand):
    help = (
        "Import items from a JSON Lines file (one item per line, .gz accepted). "
        "Items are matched by external_id and updated in place. All or nothing: "
        "a bad line aborts the whole file and names the line and field."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            # Read, checked and written as it goes (one batch in memory), in
            # one transaction: a bad line anywhere undoes the whole file.
            rows = iter_items_jsonl(Path(file))
            with progress_bar(total=None, unit="item", desc="Importing items") as bar:
                summary = items_import(rows=rows, on_progress=bar.update)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{file}: {summary.created} items created, {summary.updated} updated.")
