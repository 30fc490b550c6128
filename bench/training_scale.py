"""Collaborative training on a large synthetic catalog: seconds and peak memory.

Usage: python bench/training_scale.py --items 1000000 --interactions 2000000 [--people 200000]

No database: the positives are drawn in memory with a realistic skew, then
engine.collaborative.train (what the worker's training task runs) trains on
them, and its neighbour rows are produced the way training writes them
(TrainingResult.neighbour_rows, one row at a time), so the figure is what a
worker holds. Drawn positives:
- items' popularity follows a Zipf law (a few items most people know);
- each person has one to three tastes (a cluster of items) and takes most of
  their positives from them, the rest from the whole catalog by popularity;
- history lengths are log-normal (median a few, some people hundreds).
Most items of a million-item catalog get no positive at all, as in a real
shop. Prints seconds per phase and the peak resident memory (VmHWM), and as
its last line one JSON object with the figures.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STATUS = Path("/proc/self/status")


def peak_memory_mib() -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def draw_positives(items: int, interactions: int, people: int, seed: int = 0):
    """(user ids, item ids, times): ``interactions`` positives with skew and tastes."""
    rng = np.random.default_rng(seed)
    # Item ranks by popularity: Zipf weights over a shuffled catalog.
    weights = 1.0 / np.arange(1, items + 1) ** 1.05
    weights /= weights.sum()
    by_rank = rng.permutation(items)
    lengths = np.maximum(1, rng.lognormal(mean=1.5, sigma=1.2, size=people)).astype(np.int64)
    lengths = np.maximum(1, (lengths * interactions / lengths.sum()).round().astype(np.int64))
    total = int(lengths.sum())
    users = np.repeat(np.arange(people, dtype=np.int64), lengths)
    # Tastes: clusters of 2,000 consecutive ranks' items after a shuffle.
    cluster_size = 2_000
    clusters = max(1, items // cluster_size)
    tastes = rng.integers(0, clusters, size=(people, 3))
    taste_of = tastes[users, rng.integers(0, 3, size=total)]
    in_taste = rng.random(total) < 0.7
    # Within a taste, ranks Zipf-distributed too (a cluster has its own hits).
    local = np.minimum(rng.zipf(1.3, size=total) - 1, cluster_size - 1)
    clustered = by_rank[np.minimum(taste_of * cluster_size + local, items - 1)]
    popular = by_rank[rng.choice(items, size=total, p=weights)]
    item_ids = np.where(in_taste, clustered, popular)
    times = rng.random(total) * 3e7
    return users, item_ids.astype(np.int64), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--interactions", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=0, help="default: interactions / 10")
    parser.add_argument("--neighbours", type=int, default=200)
    args = parser.parse_args()
    people = args.people or max(1, args.interactions // 10)

    from engine import collaborative

    started = time.perf_counter()
    users, items, times = draw_positives(args.items, args.interactions, people)
    drawn = time.perf_counter() - started
    config = collaborative.TrainingConfig(neighbours=args.neighbours)
    print(
        f"drew {len(users):,} positives of {people:,} people on {args.items:,} items "
        f"in {drawn:.1f} s"
    )

    def progress(phase: str, done: int, total: int) -> None:
        print(
            f"  [{done}/{total}] {phase} ({time.perf_counter() - started:.0f} s, "
            f"peak {peak_memory_mib():.0f} MiB)",
            flush=True,
        )

    mark = time.perf_counter()
    result = collaborative.train(users, items, times, config, on_progress=progress)
    train_seconds = time.perf_counter() - mark
    mark = time.perf_counter()
    rows = entries = 0
    for _, neighbour_ids, _ in result.neighbour_rows():
        rows += 1
        entries += len(neighbour_ids)
    rows_seconds = time.perf_counter() - mark
    figures = {
        "items": args.items,
        "people": people,
        "interactions": int(len(users)),
        "model_items": result.items,
        "algorithm": result.algorithm,
        "train_seconds": round(train_seconds, 1),
        "phases": {k: round(v, 1) for k, v in result.seconds.items()},
        "rows_seconds": round(rows_seconds, 1),
        "items_with_neighbours": rows,
        "neighbours_kept": entries,
        "validation_ndcg": round(result.params.get("validation", {}).get("ndcg", 0.0), 4),
        "peak_rss_mib": round(peak_memory_mib()),
    }
    print(
        f"trained {result.algorithm} on {result.items:,} items in {train_seconds:.1f} s; "
        f"{rows:,} neighbour rows ({entries:,} entries) in {rows_seconds:.1f} s; "
        f"peak RSS {figures['peak_rss_mib']} MiB"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
