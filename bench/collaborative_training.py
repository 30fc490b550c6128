"""Collaborative training on ml-latest-small: seconds per phase, memory, algorithms.

Usage: python bench/collaborative_training.py

Imports ml-latest-small into a throw-away database (no embeddings: training
never reads them), then runs engine.training.collaborative_train, the
service the worker task and `train_collaborative --sync` call:
1. with the settings' defaults (EASE, lambda tuned on the validation split);
2. again on unchanged data (the fingerprint check skips it);
3. with COLLABORATIVE_MIN_SUPPORT=2 (a smaller EASE matrix);
4. as item-kNN on the same data (the dense limit set to 0).
Each run reports seconds per phase (read, split, tune, fit, neighbours,
write) and in total, the chosen lambda, validation NDCG@20 and the peak
resident memory of the run (Linux: the high-water mark is reset before it).
Last, the neighbour rows are written once with COPY (what training does)
and once with bulk_create, in a transaction that is rolled back.
"""

import argparse
import time
from contextlib import suppress
from pathlib import Path

from common import bench_database, django_setup, import_movielens

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak_memory() -> None:
    """Reset the kernel's resident high-water mark ("5" to clear_refs)."""
    with suppress(OSError):
        CLEAR_REFS.write_text("5")


def peak_memory_mib() -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    django_setup()

    from django.conf import settings
    from django.db import transaction

    from engine.models import CollaborativeModel, ItemNeighbours
    from engine.training import _copy_neighbours, collaborative_train

    phases = ["read", "split", "tune", "fit", "neighbours", "write"]
    header = (
        f"{'run':<22}{'algorithm':>10}{'items':>7}{'lambda':>8}{'NDCG@20':>9}"
        + "".join(f"{p:>11}" for p in phases)
        + f"{'total s':>9}{'wall s':>8}{'peak MiB':>10}"
    )

    def run(name: str, **kwargs) -> CollaborativeModel | None:
        reset_peak_memory()
        started = time.perf_counter()
        model = collaborative_train(**kwargs)
        wall = time.perf_counter() - started
        peak = peak_memory_mib()
        if model is None:
            skipped = "skipped: the data is unchanged"
            print(f"{name:<22}  {skipped:<{len(header) - 43}}{wall:>8.2f}{peak:>10.0f}")
            return None
        params = model.params
        lam = f"{params['lambda']:g}" if "lambda" in params else "-"
        ndcg = params.get("validation", {}).get("ndcg", float("nan"))
        times = "".join(f"{params['phases'].get(p, 0):>11.2f}" for p in phases)
        print(
            f"{name:<22}{model.algorithm:>10}{model.items:>7}{lam:>8}{ndcg:>9.4f}"
            f"{times}{model.seconds:>9.2f}{wall:>8.2f}{peak:>10.0f}"
        )
        return model

    with bench_database():
        seconds = import_movielens()
        from profiles.models import Interaction

        print(f"imported ml-latest-small: {Interaction.objects.count()} ratings in {seconds:.0f} s")
        print(
            f"settings: dense max items {settings.COLLABORATIVE_DENSE_MAX_ITEMS}, "
            f"neighbours {settings.COLLABORATIVE_NEIGHBOURS}, "
            f"min support {settings.COLLABORATIVE_MIN_SUPPORT}, "
            f"shrinkage {settings.COLLABORATIVE_SHRINKAGE}\n"
        )
        print(header)
        default = run("default", force=True)
        if "lambda_grid" in default.params:
            grid = default.params["lambda_grid"]
            print(
                "  validation NDCG@20 by lambda: "
                + ", ".join(f"{float(lam):g}: {grid[lam]['ndcg']:.4f}" for lam in grid)
            )
        # The default model's rows, to compare ways of writing them at the end.
        rows = list(
            ItemNeighbours.objects.filter(model=default).values_list(
                "item_id", "neighbour_ids", "scores"
            )
        )
        run("unchanged data")
        default_support = settings.COLLABORATIVE_MIN_SUPPORT
        settings.COLLABORATIVE_MIN_SUPPORT = 2
        run("min support 2", force=True)
        settings.COLLABORATIVE_MIN_SUPPORT = default_support
        run("item-kNN", force=True, dense_max_items=0)
        timings = {}
        for method in ("COPY", "bulk_create"):
            started = time.perf_counter()
            with suppress(_RollBack), transaction.atomic():
                fresh = CollaborativeModel.objects.create(algorithm=default.algorithm)
                if method == "COPY":
                    _copy_neighbours(fresh.pk, rows)
                else:
                    ItemNeighbours.objects.bulk_create(
                        [
                            ItemNeighbours(
                                model=fresh, item_id=item, neighbour_ids=ids, scores=scores
                            )
                            for item, ids, scores in rows
                        ],
                        batch_size=1000,
                    )
                timings[method] = time.perf_counter() - started
                raise _RollBack
        print(
            f"\nwriting {len(rows)} neighbour rows: "
            + ", ".join(f"{method} {s:.2f} s" for method, s in timings.items())
        )


class _RollBack(Exception):
    """Leave the comparison's rows unwritten."""


if __name__ == "__main__":
    main()
