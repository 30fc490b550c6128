"""Vector index choices at scale: build time, size, recall@10 and query time.

Usage: python bench/vector_index.py --rows 100000 [--configs hnsw-halfvec,hnsw-vector,ivfflat]
                                    [--queries 200] [--workers 1] [--memory 1GB]

Fills a throw-away table with --rows synthetic item vectors (bench/scale_data:
mixtures of real encoder vectors, so the index meets realistic clusters),
then for each configuration builds the index (maintenance_work_mem =
--memory, max_parallel_maintenance_workers = --workers), reports its build
time and size, and the recall@10 of the same query the engine issues
(ORDER BY distance LIMIT 10 at the engine's ef_search) against exact search
on --queries query vectors (new mixtures, not rows of the table), with the
median query time of each.
"""

import argparse
import time

import numpy as np
from common import bench_database, django_setup, percentile
from tqdm import tqdm

CONFIGS = {
    # name: (column expression, operator class, index options, query-time settings)
    "hnsw-vector": ("embedding", "vector_cosine_ops", "hnsw", "m = 16, ef_construction = 64"),
    "hnsw-halfvec": (
        "(embedding::halfvec(384))",
        "halfvec_cosine_ops",
        "hnsw",
        "m = 16, ef_construction = 64",
    ),
    "hnsw-halfvec-m12": (
        "(embedding::halfvec(384))",
        "halfvec_cosine_ops",
        "hnsw",
        "m = 12, ef_construction = 48",
    ),
    "ivfflat": ("embedding", "vector_cosine_ops", "ivfflat", "lists = {lists}"),
    "ivfflat-halfvec": (
        "(embedding::halfvec(384))",
        "halfvec_cosine_ops",
        "ivfflat",
        "lists = {lists}",
    ),
}


def fill(cursor, rows: int, seeds) -> None:
    import scale_data

    cursor.execute("CREATE TABLE vectors (id bigint PRIMARY KEY, embedding vector(384))")
    with (
        cursor.copy("COPY vectors (id, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy,
        tqdm(total=rows, unit="row", desc="filling") as bar,
    ):
        copy.set_types(["int8", "vector"])
        for chunk in scale_data.chunks(seeds, rows, run_seed=1):
            for offset, vector in enumerate(chunk.vectors):
                copy.write_row((chunk.start + offset, vector))
            bar.update(len(chunk.vectors))
    cursor.execute("VACUUM ANALYZE vectors")


def build(cursor, name: str, rows: int, args) -> tuple[float, int]:
    column, opclass, method, options = CONFIGS[name]
    options = options.format(lists=max(rows // 1000, 10))
    cursor.execute("DROP INDEX IF EXISTS vectors_index")
    cursor.execute(f"SET maintenance_work_mem = '{args.memory}'")
    cursor.execute(f"SET max_parallel_maintenance_workers = {args.workers}")
    started = time.perf_counter()
    cursor.execute(
        f"CREATE INDEX vectors_index ON vectors "
        f"USING {method} ({column} {opclass}) WITH ({options})"
    )
    seconds = time.perf_counter() - started
    cursor.execute("SELECT pg_relation_size('vectors_index')")
    return seconds, cursor.fetchone()[0]


def search(cursor, name: str, query: np.ndarray, k: int, exact: bool) -> list[int]:
    cursor.execute(_query(name, k, exact), [query])
    return [row[0] for row in cursor.fetchall()]


def _query(name: str, k: int, exact: bool) -> str:
    column = CONFIGS[name][0]
    cast = "::halfvec(384)" if "halfvec" in column else ""
    order = f"({column} <=> %s{cast}) + 0" if exact else f"{column} <=> %s{cast}"
    return f"SELECT id FROM vectors ORDER BY {order} LIMIT {k}"


def uses_index(cursor, name: str, query: np.ndarray) -> bool:
    cursor.execute("EXPLAIN " + _query(name, 10, exact=False), [query])
    return any("vectors_index" in row[0] for row in cursor.fetchall())


def measure(cursor, name: str, queries: np.ndarray, truth: list[list[int]], settings: str):
    cursor.execute(settings)
    recalls, times = [], []
    for query, exact in zip(queries, truth, strict=True):
        started = time.perf_counter()
        found = search(cursor, name, query, 10, exact=False)
        times.append((time.perf_counter() - started) * 1000)
        recalls.append(len(set(found) & set(exact)) / 10)
    return float(np.mean(recalls)), percentile(times, 50), percentile(times, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--configs", default="hnsw-halfvec,hnsw-vector,ivfflat")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--memory", default="1GB")
    parser.add_argument("--seeds", type=int, default=5000)
    args = parser.parse_args()
    django_setup()
    import scale_data
    from django.db import connection

    from engine.retrieval import vector_connection

    seeds = scale_data.load_seeds(args.seeds)
    queries = scale_data.make_chunk(seeds, 0, args.queries, run_seed=2).vectors
    with bench_database():
        cursor = vector_connection().cursor()
        connection.connection.autocommit = True
        fill(cursor, args.rows, seeds)
        truth = [
            search(cursor, "hnsw-vector", q, 10, exact=True)
            for q in tqdm(queries, desc="exact search")
        ]
        print(f"\n{args.rows:,} rows, {args.workers} parallel workers, {args.memory}")
        print(
            f"{'index':<18}{'settings':<42}{'build s':>9}{'MB':>8}"
            f"{'recall@10':>10}{'p50 ms':>8}{'p95 ms':>8}"
        )
        for name in args.configs.split(","):
            seconds, size = build(cursor, name, args.rows, args)
            if not uses_index(cursor, name, queries[0]):
                print(f"{name}: the query does not use the index")
            for settings in _query_settings(name, args.rows):
                recall, p50, p95 = measure(cursor, name, queries, truth, settings)
                shown = settings.replace("SET ", "").replace("hnsw.", "").replace("ivfflat.", "")
                print(
                    f"{name:<18}{shown[:41]:<42}{seconds:>9.1f}{size / 2**20:>8.0f}"
                    f"{recall:>10.3f}{p50:>8.2f}{p95:>8.2f}",
                    flush=True,
                )


def _query_settings(name: str, rows: int) -> list[str]:
    if name.startswith("ivfflat"):
        return [f"SET ivfflat.probes = {p}" for p in (10, 20, 40)]
    return [f"SET hnsw.ef_search = {ef}" for ef in (40, 50, 100)]


if __name__ == "__main__":
    main()
