from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from engine.profiles import profile_generate
from profiles.importers import InteractionRow
from profiles.models import Interaction
from profiles.services import interactions_import
from recsite.management.database import MigratedDatabaseCommand

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
# The demo account starts with this many of a sample person's latest ratings:
# enough for a profile of a few lines, few enough to read on one page.
DEMO_HISTORY = 40


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
        self._start_history(user)

    def _start_history(self, user) -> None:
        """The demo account starts with ratings and a profile written from them,
        so its For you page shows the product, not a list of popular items.

        1. Copy the latest ``DEMO_HISTORY`` signals of the person with the most
           positives (once: an account that has a history keeps it).
        2. Embed the items still waiting for it, and write the profile here.
        """
        if Interaction.objects.filter(user=user).exists():
            return
        model = (
            Interaction.objects.exclude(user=user)
            .values("user")
            .annotate(positives=Count("id", filter=Q(kind="rating", value__gte=4)))
            .order_by("-positives", "user")
            .first()
        )
        if model is None:
            return
        rows = Interaction.objects.filter(user_id=model["user"]).select_related("item")
        rows = rows.order_by("-timestamp", "item_id")[:DEMO_HISTORY]
        interactions_import(
            rows=[
                InteractionRow(
                    "demo", n, DEMO_USERNAME, r.item.external_id, r.kind, r.value, r.timestamp
                )
                for n, r in enumerate(rows, 1)
            ]
        )
        call_command("embed_items", sync=True, stdout=self.stdout)
        result = profile_generate(user_id=user.pk)
        self.stdout.write(
            f"The demo account starts with {len(rows)} ratings and "
            f"{result.statements} profile lines."
        )
