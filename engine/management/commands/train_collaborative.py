from django.core.management.base import CommandError

from engine import tasks
from engine.models import CollaborativeModel
from engine.training import active_model, collaborative_train
from recsite.errors import ApplicationError
from recsite.management.database import MigratedDatabaseCommand
from recsite.progress import progress_bar


def describe(model: CollaborativeModel) -> str:
    """One line on what a training run produced."""
    params = model.params
    what = model.get_algorithm_display()
    if model.algorithm == CollaborativeModel.Algorithm.EASE:
        what += f", lambda {params.get('lambda'):g}"
    validation = params.get("validation") or {}
    quality = f", validation NDCG@20 {validation['ndcg']:.4f}" if validation.get("users") else ""
    return (
        f"{what}: {params.get('items_with_neighbours', 0)} of {model.items} items with "
        f"neighbours, {model.users} people, {model.interactions} positives{quality}, "
        f"in {model.seconds:.1f} s."
    )


class Command(MigratedDatabaseCommand):
    help = (
        "Train the collaborative model (EASE, or item-kNN on large catalogs) from the "
        "positive interactions. By default the work is queued for a Celery worker; "
        "--sync trains in this process and says what was trained. Unchanged data is "
        "not trained again unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sync", action="store_true", help="train here, not in a worker")
        parser.add_argument(
            "--force", action="store_true", help="train even if the data has not changed"
        )
        parser.add_argument(
            "--dense-max-items",
            type=int,
            help="use EASE up to this many items, item-kNN above (default: settings)",
        )

    def handle(self, *args, sync: bool, force: bool, dense_max_items: int | None, **options):
        if not sync:
            tasks.collaborative_train.delay(force=force, dense_max_items=dense_max_items)
            self.stdout.write("Queued collaborative training for a worker.")
            return
        try:
            with progress_bar(total=1, unit="step", desc="Training") as bar:

                def show(phase: str, done: int, total: int) -> None:
                    # The total grows once training knows EASE from item-kNN.
                    bar.total = total
                    bar.set_description(f"Training: {phase}", refresh=False)
                    bar.update(done - bar.n)
                    # Drawn at every step, not every 0.1 s: there are about
                    # ten, and a fast one must not hide the next one's name.
                    bar.refresh()

                model = collaborative_train(
                    force=force, dense_max_items=dense_max_items, on_progress=show
                )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if model is None:
            current = active_model()
            self.stdout.write(
                f"The collaborative model is current (model {current.pk}); "
                "nothing to train (--force trains anyway)."
            )
            return
        self.stdout.write(f"Trained model {model.pk}: {describe(model)}")
