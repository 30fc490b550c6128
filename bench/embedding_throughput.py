"""Indexing throughput: our embed path against a bare SentenceTransformer.encode.

Usage: python bench/embedding_throughput.py [--limit N]

Imports ml-latest-small (with TMDB text) into a throw-away database, then
embeds the same texts three ways, with the model already loaded each time:
1. bare: SentenceTransformer.encode(all texts) with the same batch size;
2. sync: engine.indexing.items_embed, the code behind `embed_items --sync`
   (pending scan, chunked encoding, locked writes to pgvector);
3. celery: the same work run by a real Celery worker process, timed from
   enqueue to the last vector written, on its second pass (the first warms
   the worker as the earlier runs warmed this process).
The bare baseline runs before and after each of the two paths, and each path
is compared with the mean of the bare runs around it: the machine's speed
drifts by several percent over a run of minutes.
"""

import argparse
import os
import subprocess
import sys
import time

from common import PROJECT_DIR, bench_database, django_setup, import_movielens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="embed only this many items (quick runs)")
    args = parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.db import connection

    from catalog.models import Item
    from engine.encoder import get_encoder
    from engine.indexing import items_embed, items_pending_embedding

    with bench_database():
        seconds = import_movielens()
        print(f"import_movielens: {Item.objects.count()} items in {seconds:.1f} s")
        if args.limit:
            keep = list(Item.objects.order_by("id").values_list("id", flat=True)[: args.limit])
            Item.objects.exclude(id__in=keep).delete()
        texts = [state.text for state in items_pending_embedding()]
        encoder = get_encoder()
        encoder.encode(texts[:64])  # warm-up: first calls allocate

        def bare() -> float:
            started = time.perf_counter()
            encoder._model.encode(
                texts,
                batch_size=encoder.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            return len(texts) / (time.perf_counter() - started)

        bares = [bare()]
        summary = items_embed()
        results = {"sync embed_items path": summary.encoded / summary.seconds}
        bares.append(bare())

        # The Celery path: a real worker on this database and broker. The
        # import queued an embedding task of its own: drop it first.
        from engine import tasks
        from recsite.celery import app

        def reset() -> None:
            Item.objects.update(embedding=None, embedding_model="", embedding_hash="")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM catalog_item")  # no dead index entries left behind

        def run_in_worker() -> float:
            reset()
            started = time.perf_counter()
            tasks.items_embed.delay()
            # Poll gently: a query every 0.1 s cost the worker measurable CPU.
            while Item.objects.filter(embedding=None).exists():
                time.sleep(0.5)
            return len(texts) / (time.perf_counter() - started)

        app.control.purge()
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "recsite", "worker",
                "--concurrency", "1", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "--loglevel", "WARNING",
                "--queues", settings.CELERY_TASK_DEFAULT_QUEUE,
            ],
            cwd=PROJECT_DIR,
            env={**os.environ, "DATABASE_NAME": connection.settings_dict["NAME"]},
        )  # fmt: skip
        try:
            # The first pass warms the worker the way the bare and sync runs
            # warmed this process (model load, and PyTorch's first pass over
            # each batch shape is slower); the second is the one counted.
            run_in_worker()
            results["celery worker path"] = run_in_worker()
        finally:
            worker.terminate()
            worker.wait(timeout=30)

        bares.append(bare())

    print(f"\n{len(texts)} texts, batch size {encoder.batch_size}, model {encoder.name}")
    print("bare SentenceTransformer.encode runs: " + ", ".join(f"{rate:.1f}" for rate in bares))
    print(f"{'path':<24}{'items/s':>10}{'bare around it':>16}{'ratio':>8}")
    for (name, rate), around in zip(results.items(), (bares[0:2], bares[1:3]), strict=True):
        baseline = sum(around) / 2
        print(f"{name:<24}{rate:>10.1f}{baseline:>16.1f}{rate / baseline:>8.2f}")


if __name__ == "__main__":
    main()
