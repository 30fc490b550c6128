import time

from django.core.management.base import CommandError
from django.utils import timezone

from catalog.models import Item
from engine import tasks
from engine.catalog_statistics import catalog_statistics_refresh
from engine.indexing import items_embed, items_pending_embedding
from recsite.errors import ApplicationError
from recsite.management.database import MigratedDatabaseCommand
from recsite.progress import progress_bar

# Without progress for this long, say that no worker seems to be listening.
WORKER_HINT_SECONDS = 30


class Command(MigratedDatabaseCommand):
    help = (
        "Embed items whose vector is missing or stale (changed text, another model). "
        "By default the work is queued for a Celery worker and this command follows "
        "its progress; --sync does it in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="re-embed every item, even current ones"
        )
        parser.add_argument("--sync", action="store_true", help="embed here, not in a worker")

    def handle(self, *args, all: bool, sync: bool, **options):
        total = Item.objects.count() if all else len(items_pending_embedding())
        if not total:
            self.stdout.write("Every item's embedding is current.")
            return
        try:
            if sync:
                self._embed_here(total, force=all)
            else:
                self._follow_worker(total, force=all)
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def _embed_here(self, total: int, *, force: bool) -> None:
        with progress_bar(total=total, unit="item", desc="Embedding") as bar:
            summary = items_embed(force=force, on_progress=bar.update)
        rate = summary.encoded / summary.seconds if summary.seconds else 0.0
        self.stdout.write(
            f"{summary.encoded} items embedded in {summary.seconds:.1f} s ({rate:.1f} items/s)."
        )
        # What a worker would do after embedding: web processes read these.
        row = catalog_statistics_refresh()
        if row:
            self.stdout.write(
                f"Catalog statistics of {row.items} items stored in {row.seconds:.1f} s."
            )

    def _follow_worker(self, total: int, *, force: bool) -> None:
        started = timezone.now()
        tasks.items_embed.delay(force=force)
        self.stdout.write(
            f"Queued {total} items for a worker; following its progress (Ctrl-C stops following)."
        )
        done = 0
        last_progress = time.monotonic()
        hinted = False
        try:
            with progress_bar(total=total, unit="item", desc="Embedding") as bar:
                while done < total:
                    time.sleep(1)
                    now_done = min(Item.objects.filter(embedded_at__gte=started).count(), total)
                    if now_done > done:
                        bar.update(now_done - done)
                        done = now_done
                        last_progress = time.monotonic()
                    elif not hinted and time.monotonic() - last_progress > WORKER_HINT_SECONDS:
                        bar.write(
                            "No progress yet: is a worker running? "
                            "(celery -A recsite worker, or use --sync)"
                        )
                        hinted = True
        except KeyboardInterrupt:
            self.stdout.write(f"\nStopped following at {done}/{total}; the worker carries on.")
            return
        self.stdout.write(f"{total} items embedded.")
