from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q

from catalog.importers import iter_items_jsonl
from catalog.services import ItemImportSummary, items_import
from engine.profiles import profile_generate
from profiles.importers import InteractionRow, read_interactions_csv
from profiles.models import Interaction, ProfileRevision
from profiles.movielens import read_movielens
from profiles.services import interactions_import
from recsite.errors import ApplicationError
from recsite.management.database import MigratedDatabaseCommand
from recsite.progress import progress_bar

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


def demo_login(user=None) -> str:
    """How to sign in as the demo account, true after someone changed its
    password: "demo / demo" only while that password still works."""
    if user is None:
        user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
    if user is not None and user.check_password(DEMO_PASSWORD):
        return f"{DEMO_USERNAME} / {DEMO_PASSWORD}"
    return (
        f"{DEMO_USERNAME}, with the password you gave it "
        f"(`python manage.py changepassword {DEMO_USERNAME}` sets another)"
    )


# The demo account starts with this many of a sample person's latest ratings:
# enough for a profile of a few lines, few enough to read on one page.
DEMO_HISTORY = 40
SAMPLE_ITEMS = Path("catalog/sample_data/items.jsonl")
SAMPLE_INTERACTIONS = Path("profiles/sample_data/interactions.csv")
# How many kept titles the summary names before "and N more".
NAMED_KEPT = 5


def _missing(rows: list[InteractionRow]) -> list[InteractionRow]:
    """The rows whose (person, item, kind) has no interaction yet: a reload
    adds what is missing and leaves every rating already there as it is."""
    people = {row.user for row in rows}
    present = set(
        Interaction.objects.filter(user__username__in=people).values_list(
            "user__username", "item__external_id", "kind"
        )
    )
    return [row for row in rows if (row.user, row.item, row.kind) not in present]


def _catalog_summary(summary: ItemImportSummary) -> str:
    """What the reload did to the catalog, in a sentence."""
    kept = summary.kept
    parts = [f"{summary.created} added", f"{summary.updated} up to date"]
    if kept:
        named = ", ".join(f"“{title}”" for title in kept[:NAMED_KEPT])
        more = f" and {len(kept) - NAMED_KEPT} more" if len(kept) > NAMED_KEPT else ""
        parts.append(f"{len(kept)} kept as you changed them ({named}{more})")
    return "Catalog: " + ", ".join(parts) + "."


class Command(MigratedDatabaseCommand):
    help = (
        "Load demo data: the sample catalog and users that ship with the project "
        "(--dataset sample), or MovieLens ml-latest-small enriched with TMDB overviews "
        "and keywords from ../shared/datasets (--dataset movielens). Creates the demo "
        f"login {DEMO_USERNAME}/{DEMO_PASSWORD} (staff, for the admin). Run again, it "
        "adds what is missing and keeps what was changed since: items edited in the "
        "admin, ratings, the demo account's password, history and profile."
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
        try:
            with transaction.atomic():
                items, ratings = self._load(dataset, Path(datasets_dir))
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(_catalog_summary(items))
        self.stdout.write(f"Ratings: {ratings} added, those already there kept.")
        user = self._demo_account()
        # Recommendations use the collaborative model from the first page on,
        # not only after the worker's debounced training: a fraction of a
        # second on the sample, about 15 s on MovieLens.
        call_command("train_collaborative", sync=True, stdout=self.stdout)
        self._start_history(user)

    def _load(self, dataset: str, datasets_dir: Path) -> tuple[ItemImportSummary, int]:
        """Add the dataset's items and ratings that are missing; an item
        changed since it was loaded stays as it is (catalog.services.items_import)."""
        if dataset == "sample":
            items = iter_items_jsonl(settings.BASE_DIR / SAMPLE_ITEMS)
            rows = read_interactions_csv(settings.BASE_DIR / SAMPLE_INTERACTIONS)
        else:
            movielens = datasets_dir / "ml-latest-small"
            if not movielens.is_dir():
                raise CommandError(
                    f"{movielens} not found: --dataset movielens needs ../shared/datasets "
                    "(or --datasets-dir pointing at a folder with ml-latest-small)"
                )
            data = read_movielens(
                movielens,
                tmdb_keywords=datasets_dir / "the-movies-dataset/keywords.csv.gz",
                tmdb_movies=datasets_dir / "tmdb-5000-movies/tmdb_5000_movies.csv.gz",
            )
            items, rows = data.items, data.interactions
        with progress_bar(total=None, unit="item", desc="Items") as bar:
            summary = items_import(rows=items, on_progress=bar.update, keep_changed=True)
        missing = _missing(rows)
        if missing:
            with progress_bar(total=len(missing), unit="rating", desc="Ratings") as bar:
                interactions_import(rows=missing, on_progress=bar.update)
        return summary, len(missing)

    def _demo_account(self):
        """The demo login: created staff with the known password; once it
        exists, a password someone set since is theirs and stays."""
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        # An account an interactions file made has no password: not a login yet.
        if created or not user.has_usable_password():
            user.is_active = user.is_staff = user.is_superuser = True
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["is_active", "is_staff", "is_superuser", "password"])
        self.stdout.write(f"Demo login: {demo_login(user)}.")
        return user

    def _start_history(self, user) -> None:
        """The demo account starts with ratings and a profile written from them,
        so its For you page shows the product, not a list of popular items.

        1. Copy the latest ``DEMO_HISTORY`` signals of the person with the most
           positives, once: an account with ratings or a profile history keeps
           them, even after the person removed every rating.
        2. Embed the items still waiting for it, and write the profile here.
        """
        if (
            Interaction.objects.filter(user=user).exists()
            or ProfileRevision.objects.filter(profile__user=user).exists()
        ):
            self.stdout.write("The demo account's ratings and profile are kept as they are.")
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
