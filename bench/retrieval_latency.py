"""Similar-items and search latency, and HNSW recall, on ml-latest-small.

Usage: python bench/retrieval_latency.py [--queries 200] [--seed 1]

Imports ml-latest-small (with TMDB text) into a throw-away database and gives
every item its vector (reusing var/bench's cache when the text is unchanged).
Then, over the same random items:
- similar items through the API (Django's full request handling, in process,
  so server-side time without the network), through engine.retrieval alone,
  and a bare `ORDER BY embedding <=> %s LIMIT 10` SQL query for comparison;
- semantic search through the API (query encoding included), on short
  queries built from each item's first tag or category;
- recall@10 of the HNSW path against exact (brute-force) search.
Reports p50 and p95 in milliseconds and the ratio to the bare query.
"""

import argparse
import random
import time

import numpy as np
from common import bench_database, django_setup, embed_with_cache, import_movielens, percentile


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    django_setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from catalog.models import Item
    from engine import retrieval
    from engine.encoder import get_encoder

    with bench_database():
        import_movielens()
        embed_with_cache()
        items = list(Item.objects.filter(is_active=True).defer("embedding").order_by("id"))
        chosen = random.Random(args.seed).sample(items, args.queries)
        vectors = dict(Item.objects.values_list("id", "embedding"))
        setup_test_environment()  # lets the in-process client in (ALLOWED_HOSTS)
        client = Client()
        get_encoder().encode(["warm up"])
        for item in chosen[:10]:  # warm caches and connections
            response = client.get(f"/api/items/{item.pk}/similar/", {"k": 10})
            assert response.status_code == 200 and len(response.json()["results"]) == 10
        assert client.get("/api/items/", {"q": "space"}).status_code == 200

        rows = {"similar, API": [], "similar, engine.retrieval": [], "bare SQL ORDER BY <=>": []}
        for item in chosen:
            rows["similar, API"].append(
                timed(lambda i=item: client.get(f"/api/items/{i.pk}/similar/", {"k": 10}))
            )
            rows["similar, engine.retrieval"].append(
                timed(lambda i=item: retrieval.similar_items(i, k=10))
            )

            def bare(i=item):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT id FROM catalog_item WHERE id <> %s "
                        "ORDER BY embedding <=> (SELECT embedding FROM catalog_item WHERE id = %s) "
                        "LIMIT 10",
                        [i.pk, i.pk],
                    )
                    cursor.fetchall()

            rows["bare SQL ORDER BY <=>"].append(timed(bare))

        queries = [(item.tags or item.categories or [item.title])[0] for item in chosen]
        rows["search ?q=, API"] = [
            timed(lambda q=q: client.get("/api/items/", {"q": q})) for q in queries
        ]

        # Recall: the HNSW path against brute force over every vector.
        ids = np.array(list(vectors))
        matrix = np.stack([np.asarray(vectors[i], dtype=np.float32) for i in ids])
        recalls = []
        for item in chosen:
            found = {s.item.pk for s in retrieval.similar_items(item, k=10)}
            scores = matrix @ matrix[np.where(ids == item.pk)[0][0]]
            exact = [int(i) for i in ids[np.argsort(-scores)] if i != item.pk][:10]
            recalls.append(len(found & set(exact)) / 10)

    bare_p50 = percentile(rows["bare SQL ORDER BY <=>"], 50)
    print(f"\n{len(items)} items, {args.queries} queries (seed {args.seed}), k=10")
    print(f"{'path':<28}{'p50 ms':>9}{'p95 ms':>9}{'p50 / bare':>12}")
    for name, values in rows.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"{name:<28}{p50:>9.2f}{p95:>9.2f}{p50 / bare_p50:>12.2f}")
    print(f"\nrecall@10 of the HNSW path against exact search: {np.mean(recalls):.3f}")
    print(f"(worst query: {min(recalls):.1f})")


if __name__ == "__main__":
    main()
