import time
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from catalog.services import items_import
from profiles.movielens import read_movielens
from profiles.services import interactions_import
from recsite.errors import ApplicationError
from recsite.management.database import MigratedDatabaseCommand
from recsite.progress import progress_bar


class Command(MigratedDatabaseCommand):
    help = (
        "Import a MovieLens folder (ml-latest CSV layout or the older .dat layout, "
        "gzipped files accepted): movies become items (ml-<movieId>), ratings become "
        "interactions of users ml-<userId>. Optionally enrich from TMDB files joined "
        "through links.csv. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--tmdb-keywords",
            type=Path,
            help="TMDB keywords.csv (id, keywords): keywords become tags",
        )
        parser.add_argument(
            "--tmdb-movies",
            type=Path,
            help="TMDB movies CSV with id and overview (e.g. tmdb_5000_movies.csv): "
            "overviews become descriptions",
        )

    def handle(self, *args, directory: Path, tmdb_keywords, tmdb_movies, **options):
        started = time.monotonic()
        try:
            # call_command() passes options as given, not through argparse's type.
            data = read_movielens(
                Path(directory),
                tmdb_keywords=Path(tmdb_keywords) if tmdb_keywords else None,
                tmdb_movies=Path(tmdb_movies) if tmdb_movies else None,
            )
            with transaction.atomic():
                with progress_bar(total=len(data.items), unit="item", desc="Items") as bar:
                    items = items_import(rows=data.items, on_progress=bar.update)
                with progress_bar(
                    total=len(data.interactions), unit="rating", desc="Ratings"
                ) as bar:
                    ratings = interactions_import(rows=data.interactions, on_progress=bar.update)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        described = sum(1 for row in data.items if row.values.get("description"))
        self.stdout.write(
            f"{directory}: {items.created + items.updated} items "
            f"({items.created} new, {described} with a description), "
            f"{ratings.interactions} ratings, {ratings.users_created} new users "
            f"in {time.monotonic() - started:.1f} s."
        )
