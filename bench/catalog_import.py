"""Catalog import: items per second and the importing process's peak memory.

Usage: python bench/catalog_import.py [--items 100000] [--description 800]

Writes a synthetic catalog (.jsonl.gz: a description of about --description
characters, 3 categories, 8 tags and a little metadata per item) to a
temporary folder, then runs `manage.py import_catalog` on it in a child
process against a throw-away database, twice: into an empty catalog (every
item created) and again (every item updated). Prints seconds, items per
second and the child's peak resident memory (from wait4), beside the peak
of the same command on a one-item file: the growth is what the import
itself holds. Reading streams (one batch of 1,000 rows in memory), so the
growth should stay flat as --items grows.
"""

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH_DB, PROJECT_DIR, bench_database, django_setup

WORDS = (
    "signal",
    "orbit",
    "harbour",
    "lantern",
    "archive",
    "winter",
    "garden",
    "quiet",
    "engine",
    "river",
    "stone",
    "letters",
    "city",
    "forest",
    "glass",
    "mirror",
    "storm",
    "island",
    "voyage",
    "music",
)


def write_catalog(path: Path, items: int, description: int, prefix: str = "bench") -> int:
    """A gzipped JSON Lines catalog of ``items`` items; returns its unpacked size."""
    rng = random.Random(7)
    size = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as handle:
        for number in range(items):
            words = []
            while sum(len(word) + 1 for word in words) < description:
                words.append(rng.choice(WORDS))
            line = json.dumps(
                {
                    "external_id": f"{prefix}-{number}",
                    "title": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {number}",
                    "description": " ".join(words),
                    "categories": rng.sample(WORDS, 3),
                    "tags": rng.sample(WORDS, 8),
                    "year": 1950 + number % 70,
                    "metadata": {"author": f"Author {number % 997}", "pages": 100 + number % 400},
                }
            )
            handle.write(line + "\n")
            size += len(line.encode()) + 1
    return size


def import_in_child(path: Path) -> tuple[float, int, str]:
    """(seconds, peak RSS in MiB, output) of `manage.py import_catalog path`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recsite.settings",
        "DATABASE_NAME": BENCH_DB,
        "EMBEDDING_PRELOAD": "0",
        # The import queues embedding; no worker takes this benchmark's queue.
        "CELERY_QUEUE_PREFIX": f"bench-{os.getpid()}-",
    }
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_catalog", str(path)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        sys.exit(f"import_catalog failed:\n{output}")
    return seconds, usage.ru_maxrss // 1024, output.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--description", type=int, default=800, help="characters per item")
    args = parser.parse_args()
    django_setup()

    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        catalog = Path(folder) / "items.jsonl.gz"
        unpacked = write_catalog(catalog, args.items, args.description)
        single = Path(folder) / "one.jsonl.gz"
        write_catalog(single, 1, args.description, prefix="single")
        print(
            f"catalog: {args.items:,} items, {unpacked / 2**20:.1f} MiB unpacked, "
            f"{catalog.stat().st_size / 2**20:.1f} MiB gzipped"
        )
        with bench_database():
            _, baseline, _ = import_in_child(single)
            print(f"one item:        peak {baseline} MiB")
            for label in ("created", "updated"):
                seconds, peak, said = import_in_child(catalog)
                print(
                    f"{label:<8} {seconds:7.1f} s  {args.items / seconds:8,.0f} items/s  "
                    f"peak {peak} MiB (+{peak - baseline} MiB)  [{said}]"
                )


if __name__ == "__main__":
    main()
