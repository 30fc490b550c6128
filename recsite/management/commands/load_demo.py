from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from recsite.management.database import MigratedDatabaseCommand

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


class Command(MigratedDatabaseCommand):
    help = (
        "Load demo data: the sample catalog and users that ship with the project "
        "(--dataset sample), or MovieLens ml-latest-small enriched with TMDB overviews "
        "and keywords from ../shared/datasets (--dataset movielens). Creates the demo "
        f"login {DEMO_USERNAME}/{DEMO_PASSWORD} (staff, for the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", choices=["sample", "movielens"], default="sample")
        parser.add_argument(
            "--datasets-dir",
            type=Path,
            default=settings.BASE_DIR.parent / "shared" / "datasets",
            help="where the public datasets live (for --dataset movielens)",
        )

    def handle(self, *args, dataset: str, datasets_dir: Path, **options):
        if dataset == "sample":
            call_command("import_catalog", settings.BASE_DIR / "catalog/sample_data/items.jsonl")
            call_command(
                "import_interactions", settings.BASE_DIR / "profiles/sample_data/interactions.csv"
            )
        else:
            movielens = datasets_dir / "ml-latest-small"
            if not movielens.is_dir():
                raise CommandError(
                    f"{movielens} not found: --dataset movielens needs ../shared/datasets "
                    "(or --datasets-dir pointing at a folder with ml-latest-small)"
                )
            call_command(
                "import_movielens",
                movielens,
                tmdb_keywords=datasets_dir / "the-movies-dataset/keywords.csv.gz",
                tmdb_movies=datasets_dir / "tmdb-5000-movies/tmdb_5000_movies.csv.gz",
            )

        User = get_user_model()
        user, _ = User.objects.get_or_create(username=DEMO_USERNAME)
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["is_active", "is_staff", "is_superuser", "password"])
        self.stdout.write(f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        # Recommendations use the collaborative model from the first page on,
        # not only after the worker's debounced training: a fraction of a
        # second on the sample, about 15 s on MovieLens.
        call_command("train_collaborative", sync=True, stdout=self.stdout)
