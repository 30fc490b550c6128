"""Labels read from the catalog items nearest a line, against label names alone.

Usage: python bench/label_vote.py [--movielens DIR --tmdb-keywords F --tmdb-movies F]
       [--order names|items|both] [--sets corpus,fresh,fresh2]

For every line of the phrase corpus (tests/phrase_corpus.py: the tuned
tables and the first held-out ones), its first fresh part
(tests/phrase_corpus_fresh.py) and its second (tests/phrase_corpus_fresh2.py,
never tuned on: report it, never tune on it), read as the site reads it
(profiles.parser, then engine.concepts), on a catalog:

- the sample book catalog (catalog/sample_data/items.jsonl, always);
- ml-latest-small with TMDB text when --movielens is given (genres as
  categories), read as ``manage.py evaluate`` reads it.

A line whose expected label the catalog has is "labelled": right, wrong or
none. Every other line should get none, and a label there is counted: "no
label" lines (the corpus reads none: a narrower topic, "zombie films") and
"label absent" lines (one the catalog lacks: "jazz albums" against books,
where a near category, Biography, may still be a fair reading).
Compared: names only (what the site did before) and with the items' vote
(engine.concepts.item_vote), in each order (MEANING_ORDER), without and
with the catalog's tags read as a vocabulary (engine.concepts.tag_vote). Item and line
vectors come from the real encoder, cached in var/evaluation-cache.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from common import PROJECT_DIR, django_setup, memory_encoder

# The corpus's names for labels the sample catalog names otherwise.
ALIASES = {"Sci-Fi": "Science fiction", "Children": "Children's"}
SAMPLE = PROJECT_DIR / "catalog" / "sample_data" / "items.jsonl"


GRID = [
    {"VOTE_K": k, "VOTE_MIN_SHARE": share, "VOTE_MIN_SIMILARITY": floor}
    for k in (5, 10, 20)
    for share in (0.6, 0.7, 0.8)
    for floor in (0.3, 0.35, 0.4)
]


def corpus_sets(wanted: list[str]) -> dict[str, list[tuple]]:
    sys.path.insert(0, str(PROJECT_DIR))
    from tests import phrase_corpus as corpus
    from tests.phrase_corpus_fresh import FRESH
    from tests.phrase_corpus_fresh2 import FRESH2
    from tests.phrase_corpus_fresh3 import FRESH3

    tables = {
        "corpus": corpus.rows(corpus.TUNING)
        + corpus.rows(corpus.HELD_OUT_FIRST)
        + corpus.rows(corpus.HELD_OUT)
        + corpus.rows(corpus.HELD_OUT_SECOND),
        "fresh": corpus.rows(FRESH),
        "fresh2": corpus.rows(FRESH2),
        "fresh3": corpus.rows(FRESH3),
    }
    return {name: tables[name] for name in wanted}


def catalog_vote(catalog, encode):
    """(index, nearest) for a Catalog with vectors: the vote's numpy side."""
    from engine import concepts, scoring

    index = scoring.category_index(catalog.category_names())
    counts: dict[str, int] = {}
    for labels in catalog.categories:
        for label in labels:
            counts[label.casefold()] = counts.get(label.casefold(), 0) + 1
    shares = {label: n / len(catalog) for label, n in counts.items()}
    vectors = np.asarray(catalog.vectors, dtype=np.float64)
    vocabulary = concepts.tag_words(concepts.tag_counts(catalog.tags, catalog.categories))
    cache: dict[str, concepts.Neighbours] = {}

    def nearest(topic: str) -> concepts.Neighbours:
        if topic not in cache:
            similarities = vectors @ np.asarray(encode([topic])[0], dtype=np.float64)
            k = min(max(concepts.VOTE_K, 20), len(similarities))
            top = np.argpartition(-similarities, k - 1)[:k]
            top = top[np.argsort(-similarities[top])]
            cache[topic] = concepts.Neighbours(
                similarities[top], [catalog.categories[i] for i in top], shares, vocabulary
            )
        return cache[topic]

    return index, nearest


def measure(lines, index, encode, nearest) -> dict:
    from engine import concepts, scoring
    from profiles.parser import AVOID, LIKE, parse_line

    found = {"right": 0, "wrong": 0, "none": 0, "misses": []}
    found.update({"other": 0, "false other": 0, "absent": 0, "false absent": 0})
    for section, line, _polarity, _band, label in lines:
        statements = parse_line(line, LIKE if section == "likes" else AVOID)
        topic = statements[0].embedded_text
        got = "+".join(concepts.line_labels(topic, index, encode, nearest=nearest))
        parts = [
            scoring.category_label(part, index)
            or scoring.category_label(ALIASES.get(part, ""), index)
            for part in label.split("+")
        ]
        parts = parts if label else []
        expected = "+".join(parts) if parts and all(parts) else ""
        if expected:
            key = "right" if got == expected else "none" if not got else "wrong"
            found[key] += 1
            if key != "right":
                found["misses"].append((line, expected, got))
        else:
            # "-": the corpus reads no label (a narrower topic); else one this catalog lacks.
            kind = "absent" if label else "other"
            found[kind] += 1
            if got:
                found["false " + kind] += 1
                found["misses"].append((line, f"- ({label})" if label else "-", got))
    return found


def row(name: str, found: dict) -> str:
    labelled = found["right"] + found["wrong"] + found["none"]
    rate = found["right"] / labelled if labelled else 0.0
    return (
        f"  {name:<40} labelled {labelled:>3}: right {found['right']:>3} ({rate:6.1%}) "
        f"wrong {found['wrong']:>3} none {found['none']:>3} | no label {found['other']:>3}: "
        f"labelled {found['false other']:>3} | label absent {found['absent']:>3}: "
        f"labelled {found['false absent']:>3}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movielens", type=Path)
    parser.add_argument("--tmdb-keywords", type=Path)
    parser.add_argument("--tmdb-movies", type=Path)
    parser.add_argument("--order", choices=("names", "items", "both"), default="both")
    parser.add_argument("--sets", default="corpus,fresh,fresh2")
    parser.add_argument("--misses", action="store_true", help="print each miss")
    parser.add_argument("--no-sample", action="store_true", help="skip the sample catalog")
    parser.add_argument(
        "--grid",
        action="store_true",
        help="also try other VOTE_K / VOTE_MIN_SHARE / VOTE_MIN_SIMILARITY (tuning sets only)",
    )
    args = parser.parse_args()
    django_setup()
    from catalog.importers import read_items_file
    from engine import concepts
    from engine.evaluation.data import catalog_from_rows
    from engine.management.datasets import CachedEncoder, read_dataset

    cached = CachedEncoder(PROJECT_DIR / "var" / "evaluation-cache")
    encode = memory_encoder()

    catalogs = (
        {} if args.no_sample else {"sample books": catalog_from_rows(read_items_file(SAMPLE))}
    )
    if args.movielens:
        options = {
            "items": None,
            "interactions": None,
            "movielens": args.movielens,
            "tmdb_keywords": args.tmdb_keywords,
            "tmdb_movies": args.tmdb_movies,
        }
        catalogs["ml-latest-small"] = read_dataset(options)[0]
    sets = corpus_sets(args.sets.split(","))
    orders = ("names", "items") if args.order == "both" else (args.order,)
    for catalog_name, catalog in catalogs.items():
        catalog = catalog.with_vectors(cached(catalog.texts, "Item vectors"))
        index, nearest = catalog_vote(catalog, encode)
        print(f"\n{catalog_name}: {len(catalog)} items, {len(set(index.values()))} categories")
        for set_name, lines in sets.items():
            print(f" {set_name}: {len(lines)} lines")
            results = {"names only": measure(lines, index, encode, None)}
            for order in orders:
                concepts.MEANING_ORDER = order
                concepts.TAG_VOTE = False
                results[f"vote, {order} 1st"] = measure(lines, index, encode, nearest)
                concepts.TAG_VOTE = True
                results[f"vote + tags, {order} 1st"] = measure(lines, index, encode, nearest)
            if args.grid and set_name != "fresh2":
                for setting in GRID:
                    kept = {name: getattr(concepts, name) for name in setting}
                    for name, value in setting.items():
                        setattr(concepts, name, value)
                    label = " ".join(f"{n.removeprefix('VOTE_')}={v}" for n, v in setting.items())
                    results[label] = measure(lines, index, encode, nearest)
                    for name, value in kept.items():
                        setattr(concepts, name, value)
            for name, found in results.items():
                print(row(name[:40], found))
                if args.misses and name != "names only":
                    for miss in found["misses"]:
                        print(f"      {miss[0]!r}: expected {miss[1] or '-'}, got {miss[2] or '-'}")


if __name__ == "__main__":
    main()
