"""The product on a large catalog: import, index, statistics, training, latency, memory.

Usage: python bench/scale.py --items 200000 [--people 20000] [--interactions 2000000]
                             [--requests 100] [--reference-items 10000] [--seeds 5000]

In a throw-away database (bench_scale on the configured server), builds a
catalog of --items synthetic items whose vectors are mixtures of real
encoder vectors (bench/scale_data.py: realistic clusters, text that agrees
with each vector; nothing is encoded but the seeds, once) and --people
people with about --interactions ratings (Zipf popularity, a few tastes
each), then measures, in this order:
- import: `manage.py import_catalog` on the catalog file in a child
  process: items/s and the child's peak RSS;
- vectors: stored through engine.indexing's own write (no index), then the
  index built as the migration defines it: seconds and MB; recall@10 of
  engine.retrieval.nearest_items against exact search on sample queries;
- popularity, and the catalog statistics as the worker computes them and
  as a web process then reads them (seconds);
- collaborative training (item-kNN, as on any catalog above
  COLLABORATIVE_DENSE_MAX_ITEMS): `manage.py train_collaborative --sync`
  in a child process: seconds and peak RSS;
- for a typed and a generated profile (bench/recommendation_latency.py's
  measurement): the list and a preview through the API against the bare
  pgvector queries they issue, p50/p95 and ratios;
- the RSS of a web-like process (Django, the encoder, 20 lists served)
  here and on a --reference-items catalog built the same way first.
Prints a table and, last, one JSON line with every figure.

--keep DIR keeps what was built: the databases live in an embedded server
of their own under DIR (DIR/pgdata; on DATABASE_URL's server when that is
set) and stay after the run, with the build's figures in DIR/scale.json.
--reuse DIR then measures only the latency and web RSS (both catalogs'
processes) on them again, after migrating them: the same figures for other
code without rebuilding a million items. --popularity with it refreshes
every item's popularity again first (in a transaction rolled back after).
"""

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

# As gunicorn.conf.py runs the web processes: one thread each for torch and
# BLAS (before common imports numpy). Children that stand for workers get
# the machine's threads back (WORKER_ENV).
_THREAD_POOLS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_WORKER_THREADS = {name: os.environ.get(name) for name in _THREAD_POOLS}
for _pool in _THREAD_POOLS:
    os.environ.setdefault(_pool, "1")

import numpy as np  # noqa: E402
import scale_data  # noqa: E402
from common import BENCH_DB, PROJECT_DIR, bench_database, django_setup, percentile  # noqa: E402
from tqdm import tqdm  # noqa: E402

RUN_SEED = 1
PEAK_RSS = Path(__file__).resolve().parent / "peak_rss.py"
RECALL_QUERIES = 100
MIB = 2**20


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--people", type=int, help="default: items / 10")
    parser.add_argument("--interactions", type=int, help="default: people * 100")
    parser.add_argument("--requests", type=int, default=100, help="per path and profile")
    parser.add_argument("--reference-items", type=int, default=10_000, help="0: no reference")
    parser.add_argument("--seeds", type=int, default=5000, help="real items to mix from")
    parser.add_argument(
        "--index-memory", help="maintenance_work_mem for the HNSW build (default: the migration's)"
    )
    parser.add_argument(
        "--index-workers",
        type=int,
        help="parallel workers beside the leader for the HNSW build (default: the migration's)",
    )
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument("--keep", type=Path, metavar="DIR", help="keep the built databases in DIR")
    kept.add_argument(
        "--reuse", type=Path, metavar="DIR", help="measure latency and RSS again on --keep's DIR"
    )
    parser.add_argument(
        "--popularity",
        action="store_true",
        help="with --reuse: refresh every item's popularity again (rolled back after)",
    )
    args = parser.parse_args(argv)
    if args.reuse:
        saved = kept_state(args.reuse)["args"]
        for name in ("items", "people", "interactions", "reference_items", "seeds"):
            setattr(args, name, saved[name])
    args.people = args.people or max(args.items // 10, 10)
    args.interactions = args.interactions or args.people * 100
    return args


def child_env(*, worker: bool = False) -> dict[str, str]:
    """A child process on the benchmark database; ``worker``: all threads."""
    env = {
        **os.environ,
        "DATABASE_NAME": os.environ["SCALE_DATABASE"],
        "EMBEDDING_PRELOAD": "0",
        # The import queues embedding and training; no worker takes this queue.
        "CELERY_QUEUE_PREFIX": f"bench-{os.getpid()}-",
    }
    if worker:
        for name, value in _WORKER_THREADS.items():
            env.pop(name, None) if value is None else env.update({name: value})
    return env


def run_child(args: list[str], *, worker: bool = True) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, last line of output) of a child process.

    The peak is the child's own (bench/peak_rss.py), not what the kernel
    carries over from this process across the fork. Its progress bar
    (stderr) shows on this terminal; stdout is kept.
    """
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(prefix="bench-peak-") as peak:
        child = subprocess.run(
            [sys.executable, str(PEAK_RSS), peak.name, *args],
            cwd=PROJECT_DIR,
            env=child_env(worker=worker),
            stdout=subprocess.PIPE,
            text=True,
        )
        seconds = time.perf_counter() - started
        if child.returncode != 0:
            sys.exit(f"{' '.join(args)} failed:\n{child.stdout}")
        peak_mib = int(Path(peak.name).read_text())
    lines = child.stdout.strip().splitlines() or [""]
    return seconds, peak_mib, lines[-1]


@contextmanager
def step(name: str, figures: dict):
    """Time one step into ``figures[name + '_s']`` and say what runs now."""
    print(f"-- {name}...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    yield
    figures[f"{name}_s"] = round(time.perf_counter() - started, 2)
    print(f"   {figures[f'{name}_s']} s", file=sys.stderr, flush=True)


def item_ids(count: int) -> np.ndarray:
    """ids[n]: the database id of synthetic item number n."""
    from django.db import connection

    ids = np.zeros(count, dtype=np.int64)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, substr(external_id, 7)::int FROM catalog_item")
        while rows := cursor.fetchmany(50_000):
            found = np.asarray(rows, dtype=np.int64)
            ids[found[:, 1]] = found[:, 0]
    return ids


def vectors_store(seeds, items: int, ids: np.ndarray) -> None:
    """Every item's vector, written as engine.indexing writes encoded chunks."""
    from django.conf import settings
    from django.db import transaction

    from catalog.text import item_text_of, text_hash
    from engine.indexing import _write_vectors

    with tqdm(total=items, unit="item", desc="Storing vectors") as bar:
        for chunk in scale_data.chunks(seeds, items, RUN_SEED):
            numbers = range(chunk.start, chunk.start + len(chunk.primary))
            rows = [
                scale_data.item_row(seeds, n, s)
                for n, s in zip(numbers, chunk.primary, strict=True)
            ]
            with transaction.atomic():
                _write_vectors(
                    ids=ids[chunk.start : chunk.start + len(rows)].tolist(),
                    vectors=list(chunk.vectors),
                    hashes=[text_hash(item_text_of(row)) for row in rows],
                    model=settings.EMBEDDING_MODEL,
                )
            bar.update(len(rows))


def vector_index():
    from catalog.models import Item

    return next(index for index in Item._meta.indexes if index.name == "item_embedding_hnsw")


def index_drop() -> None:
    """Drop the item vector index: a bulk load writes the vectors first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {vector_index().name}")


def index_build(args, figures: dict) -> None:
    """Build the item vector index as the migration defines it; seconds and MB.

    The build's memory and parallel workers are the migration's
    (engine.indexing.index_build_settings) unless --index-memory or
    --index-workers say otherwise for this machine.
    """
    from django.db import connection

    from catalog.models import Item
    from engine.indexing import index_build_settings

    index = vector_index()
    with step("index_build", figures), connection.schema_editor() as editor:
        index_build_settings(editor)
        for name, value in (
            ("maintenance_work_mem", args.index_memory),
            ("max_parallel_maintenance_workers", args.index_workers),
        ):
            if value is not None:
                editor.execute("SELECT set_config(%s, %s, true)", [name, str(value)])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('maintenance_work_mem'), "
                "current_setting('max_parallel_maintenance_workers')::int"
            )
            figures["index_build_memory"], figures["index_build_workers"] = cursor.fetchone()
        editor.add_index(Item, index)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_item")
        cursor.execute("SELECT pg_relation_size(%s)", [index.name])
        figures["index_mb"] = round(cursor.fetchone()[0] / MIB, 1)


def recall_at_10(seeds, figures: dict) -> None:
    """recall@10 and time of the engine's nearest-items query against exact search."""
    from engine.retrieval import nearest_items

    queries = scale_data.make_chunk(seeds, 0, RECALL_QUERIES, run_seed=RUN_SEED + 1).vectors
    recalls, ann_ms, exact_ms = [], [], []
    for query in tqdm(queries, desc="recall@10", unit="query"):
        started = time.perf_counter()
        found = {s.item.pk for s in nearest_items(query, k=10)}
        ann_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        exact = {s.item.pk for s in nearest_items(query, k=10, exact=True)}
        exact_ms.append((time.perf_counter() - started) * 1000)
        recalls.append(len(found & exact) / max(len(exact), 1))
    figures["recall_at_10"] = round(float(np.mean(recalls)), 4)
    figures["ann_k10_p50_ms"] = round(percentile(ann_ms, 50), 2)
    figures["exact_k10_p50_ms"] = round(percentile(exact_ms, 50), 2)


def people_store(seeds, args, ids: np.ndarray) -> int:
    """The people (inactive accounts, as an import makes them) and their ratings."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from engine.retrieval import vector_connection

    tastes = scale_data.item_tastes(seeds, args.items, RUN_SEED)
    people = scale_data.make_people(tastes, args.people, args.interactions, RUN_SEED)
    user_model = get_user_model()
    with transaction.atomic():
        users = user_model.objects.bulk_create(
            [
                user_model(username=f"scale-person-{n}", is_active=False, password="!")
                for n in range(args.people)
            ],
            batch_size=5000,
        )
        user_ids = np.array([user.pk for user in users], dtype=np.int64)
        # Timestamps a minute apart, in the order drawn: a history has an order.
        start = datetime(2026, 1, 1, tzinfo=UTC)
        copy_sql = (
            "COPY profiles_interaction (user_id, item_id, kind, value, timestamp, excluded) "
            "FROM STDIN"
        )
        with (
            vector_connection().cursor().copy(copy_sql) as copy,
            tqdm(total=len(people.users), unit="rating", desc="Storing ratings") as bar,
        ):
            for n, (user, item, value) in enumerate(
                zip(user_ids[people.users], ids[people.items], people.ratings, strict=True)
            ):
                copy.write_row((user, item, "rating", value, start + timedelta(minutes=n), False))
                if n % 10_000 == 9_999:
                    bar.update(10_000)
        connection.cursor().execute("ANALYZE profiles_interaction")
    return len(people.users)


def popularity_refresh() -> dict:
    """Every item's popularity as the task refreshes it after an import too
    large to list its items (engine.tasks.item_popularity_refresh): runs of
    POPULARITY_SECONDS_PER_RUN, each going on where the last stopped; how
    many runs and the longest (each run has the task's time limits)."""
    from engine import services, tasks

    runs, after_id, written = [], 0, 0
    while after_id is not None:
        started = time.perf_counter()
        progress = services.item_popularity_refresh_from(
            after_id=after_id, seconds=tasks.POPULARITY_SECONDS_PER_RUN
        )
        runs.append(time.perf_counter() - started)
        after_id, written = progress.after_id, written + progress.written
    return {
        "popularity_written": written,
        "popularity_runs": len(runs),
        "popularity_longest_run_s": round(max(runs), 2),
    }


def popularity_again(figures: dict) -> None:
    """--popularity on a kept catalog: every count set to 0 and refreshed
    again (popularity_refresh), without the vector index, as the build
    refreshes them; all in one transaction rolled back at the end, so the
    catalog and its index are left as they were. The slices commit nothing
    here (each commits on its own in the task)."""
    from django.db import connection, transaction

    class Undo(Exception):
        pass

    figures["popularity_build_s"] = figures.get("popularity_s")

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {vector_index().name}")
            with step("popularity_reset", figures):
                cursor.execute(
                    "UPDATE catalog_item SET popularity = 0, rating_mean = NULL "
                    "WHERE popularity <> 0 OR rating_mean IS NOT NULL"
                )
            with step("popularity", figures):
                figures.update(popularity_refresh())
            raise Undo
    except Undo:
        pass


def catalog_build(seeds, args, figures: dict, folder: Path) -> None:
    """Import, vectors, index, people, popularity, statistics, training."""
    from engine.catalog_cache import catalog_stats
    from engine.catalog_statistics import catalog_statistics_refresh

    path = folder / f"items-{args.items}.jsonl.gz"
    with (
        step("catalog_file", figures),
        tqdm(total=args.items, unit="item", desc="Writing the catalog file") as bar,
    ):
        scale_data.write_catalog(path, seeds, args.items, RUN_SEED, bar.update)
    seconds, peak, _ = run_child(["manage.py", "import_catalog", str(path)], worker=False)
    figures.update(
        import_s=round(seconds, 1),
        import_items_per_s=round(args.items / seconds),
        import_peak_rss_mb=round(peak),
    )
    ids = item_ids(args.items)
    index_drop()
    with step("vectors_store", figures):
        vectors_store(seeds, args.items, ids)
    with step("ratings_store", figures):
        figures["ratings"] = people_store(seeds, args, ids)
    # Before the index, as a bulk load does: refreshing every item's
    # popularity rewrites every row, and with the index in place each new
    # row version also goes into the HNSW index (a graph search each): at
    # 200,000 items under load that took 951 s, the index build 118 s.
    with step("popularity", figures):
        figures.update(popularity_refresh())
    index_build(args, figures)
    with step("recall", figures):
        recall_at_10(seeds, figures)
    with step("catalog_statistics_worker", figures):
        catalog_statistics_refresh()  # what the worker does after embedding
    with step("catalog_statistics_web_read", figures):
        catalog_stats()  # what a web process does then
    # Item-kNN, the algorithm of every catalog above COLLABORATIVE_DENSE_MAX_ITEMS,
    # at every size: the reference catalog's web process then differs from
    # the large one's only in the catalog's size.
    seconds, peak, said = run_child(
        ["manage.py", "train_collaborative", "--sync", "--force", "--dense-max-items", "0"]
    )
    figures.update(training_s=round(seconds, 1), training_peak_rss_mb=round(peak))
    print(f"   {said}", file=sys.stderr)


# A web process: Django, the encoder, 20 lists and one "write it again"
# preview (the profile writer reads the catalog's labels) served; then its
# RSS and its own peak (VmHWM: getrusage's maximum would include this
# benchmark's size, carried over the fork, bench/peak_rss.py), and the
# preview's milliseconds.
WEB_PROBE = """
import os, sys, time
sys.path.insert(0, {project!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "recsite.settings"
import django
django.setup()
from django.contrib.auth import get_user_model
from engine.encoder import get_encoder
from engine.recommend import recommend_for_user
from engine.regeneration import regeneration_preview
get_encoder().encode(["warm up"])
user = get_user_model().objects.get(pk={user_id})
for _ in range(20):
    recommend_for_user(user=user)
started = time.perf_counter()
regeneration_preview(user=user)
milliseconds = (time.perf_counter() - started) * 1000
status = {{line.split(":")[0]: int(line.split()[1]) for line in open("/proc/self/status")
          if line.startswith(("VmRSS", "VmHWM"))}}
print(status["VmRSS"] // 1024, status["VmHWM"] // 1024, round(milliseconds))
"""


def web_rss(user_id: int) -> tuple[int, int, int]:
    """(RSS, peak RSS in MiB, "write it again" preview ms) of a web-like
    process that served 20 lists and the preview."""
    probe = subprocess.run(
        [sys.executable, "-c", WEB_PROBE.format(project=str(PROJECT_DIR), user_id=user_id)],
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    rss, peak, milliseconds = map(int, probe.stdout.split()[-3:])
    return rss, peak, milliseconds


def latency(args, figures: dict) -> dict:
    """The list and a preview through the API against the bare ANN queries,
    for a typed and a generated profile (recommendation_latency's measurement)."""
    from common import people_near, profile_text_set
    from recommendation_latency import PROFILE, _measure

    from engine.profiles import profile_generate

    typed_user, generated_user = people_near(2, interactions=min(200, args.interactions // 50))
    profile_text_set(typed_user, PROFILE)
    with step("profile_generate", figures):
        profile_generate(user_id=generated_user.pk)
    table = {}
    for index, (kind, user) in enumerate((("typed", typed_user), ("generated", generated_user))):
        with step(f"{kind}_latency", figures):
            _, statements, _issued, rows = _measure(user, args.requests, index)
        bare = rows["bare ANN queries"]
        for name, values in rows.items():
            key = f"{kind}: {name}"
            table[key] = (percentile(values, 50), percentile(values, 95))
            table[key] += (
                table[key][0] / percentile(bare, 50),
                table[key][1] / percentile(bare, 95),
            )
        api = rows["recommendations, API"]
        preview = rows["preview, API (1 new line)"]
        figures[f"{kind}_list_p95_ms"] = round(percentile(api, 95), 1)
        figures[f"{kind}_list_p95_ratio"] = round(percentile(api, 95) / percentile(bare, 95), 2)
        figures[f"{kind}_preview_p95_ms"] = round(percentile(preview, 95), 1)
        figures[f"{kind}_preview_p95_ratio"] = round(
            percentile(preview, 95) / percentile(bare, 95), 2
        )
        figures[f"{kind}_bare_p95_ms"] = round(percentile(bare, 95), 1)
    with step("web_rss", figures):
        rss, peak, rewrite = web_rss(generated_user.pk)
        figures.update(web_rss_mb=rss, web_peak_rss_mb=peak, web_rewrite_preview_ms=rewrite)
    return table


@contextmanager
def scale_database(name: str, args):
    """The benchmark database ``name``: made new, kept after (--keep), or
    the one a --keep run left, migrated to this code (--reuse)."""
    from django.core.management import call_command
    from django.db import connection

    from engine.catalog_statistics import catalog_statistics_refresh

    os.environ["SCALE_DATABASE"] = name
    if args.reuse:
        connection.close()
        connection.settings_dict["NAME"] = name
        call_command("migrate", verbosity=0)
        catalog_statistics_refresh()  # what the worker adds to a migrated row, if anything
        yield
    elif args.keep:
        connection.settings_dict["TEST"]["NAME"] = name
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        yield
    else:
        with bench_database(name):
            yield


def kept_state(folder: Path) -> dict:
    path = folder / "scale.json"
    if not path.exists():
        sys.exit(f"{path} is missing: --reuse takes the folder of a finished --keep run")
    return json.loads(path.read_text())


def keep_folder(args) -> None:
    """Before Django starts: the embedded server of --keep/--reuse's folder."""
    folder = args.keep or args.reuse
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["RECSITE_VAR_DIR"] = str(folder.resolve())


def reference_rss(seeds, args, folder: Path) -> dict:
    """The web process's RSS on a --reference-items catalog built the same way."""
    from common import people_near

    ratio = args.reference_items / args.items
    small = argparse.Namespace(
        **{**vars(args), "items": args.reference_items},
    )
    small.people = max(int(args.people * ratio), 10)
    small.interactions = max(int(args.interactions * ratio), small.people * 5)
    figures: dict = {}
    started = time.perf_counter()
    with scale_database(f"{BENCH_DB}_scale_ref", args):
        if not args.reuse:
            catalog_build(seeds, small, figures, folder)
        (user,) = people_near(1, interactions=min(200, small.interactions // 50))
        rss, peak, _ = web_rss(user.pk)
    return {
        "reference_s": round(time.perf_counter() - started, 1),
        "reference_items": args.reference_items,
        "reference_web_rss_mb": rss,
        "reference_web_peak_rss_mb": peak,
    }


def report(figures: dict, table: dict) -> None:
    print(
        f"\n{figures['items']:,} items, {figures['people']:,} people, "
        f"{figures['ratings']:,} ratings"
    )
    for name, value in figures.items():
        if name not in ("items", "people", "ratings"):
            print(f"  {name:<32}{value}")
    print(f"\n{'path':<44}{'p50 ms':>9}{'p95 ms':>9}{'p50/bare':>10}{'p95/bare':>10}")
    for name, (p50, p95, r50, r95) in table.items():
        print(f"{name:<44}{p50:>9.2f}{p95:>9.2f}{r50:>10.2f}{r95:>10.2f}")
    print(json.dumps(figures))


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


def main(argv=None) -> None:
    args = parse(argv)
    keep_folder(args)
    # The API's per-minute limits would answer most back-to-back requests
    # with a fast 429: this measures the work, not the limiter.
    for rate in ("API_RATE_USER", "API_RATE_WRITE", "API_RATE_PREVIEW"):
        os.environ.setdefault(rate, "1000000")
    django_setup()
    # One line per request on stderr would bury the progress bars.
    logging.getLogger("recsite.requests").setLevel(logging.WARNING)
    started = time.perf_counter()
    seeds = None if args.reuse else scale_data.load_seeds(args.seeds)
    figures = {"items": args.items, "people": args.people, "commit": commit()}
    if args.reuse:
        figures.update(kept_state(args.reuse)["figures"], reused=str(args.reuse), commit=commit())
    else:
        figures["seeds"] = len(seeds.vectors)
    figures["load_average_start"] = round(os.getloadavg()[0], 1)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        if args.reference_items:
            figures.update(reference_rss(seeds, args, Path(folder)))
        with scale_database(f"{BENCH_DB}_scale", args):
            if not args.reuse:
                catalog_build(seeds, args, figures, Path(folder))
                build_total = round(time.perf_counter() - started, 1)
            elif args.popularity:
                popularity_again(figures)
            table = latency(args, figures)
    if args.reference_items:
        figures["web_rss_growth_mb"] = figures["web_rss_mb"] - figures["reference_web_rss_mb"]
        figures["web_peak_rss_growth_mb"] = (
            figures["web_peak_rss_mb"] - figures["reference_web_peak_rss_mb"]
        )
    figures["load_average_end"] = round(os.getloadavg()[0], 1)
    figures["total_s"] = round(time.perf_counter() - started, 1)
    if args.keep:
        state = {"args": vars(args) | {"keep": str(args.keep), "reuse": None}}
        state["figures"] = {**figures, "build_total_s": build_total}
        (args.keep / "scale.json").write_text(json.dumps(state, indent=1))
    report(figures, table)


if __name__ == "__main__":
    main()
