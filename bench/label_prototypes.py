"""Whether a label described by its catalog items reads lines that the names and the vote leave.

Usage: python bench/label_prototypes.py [--movielens DIR --tmdb-keywords F --tmdb-movies F]

Each category is described by the items that carry it: their mean vector
less the catalog's (a centred centroid, a prototype). For every line of the
tuned phrase sets (tests/phrase_corpus.py, phrase_corpus_fresh.py and
phrase_corpus_fresh2.py; never phrase_corpus_fresh3.py, which is held out)
that ``engine.concepts.line_label`` leaves unlabelled on a catalog (names
and the nearest items' vote) and that says no label's name among other
words, the line's centred vector is compared with the prototypes. A rule
gives the best prototype's label when its cosine and its margin over the
runner-up reach a floor, alone or when the names' or the vote's possible
reading agrees. Printed per catalog and set: [right, wrong, labelled where
the corpus reads none or the catalog lacks the label].
"""

import argparse
import itertools
from pathlib import Path

import numpy as np
from common import PROJECT_DIR, django_setup, memory_encoder
from label_vote import ALIASES, SAMPLE, catalog_vote, corpus_sets

FLOORS = [(0.2, 0.25, 0.3, 0.35), (0.08, 0.12, 0.16, 0.2)]
ALONE = [(0.35, 0.2), (0.4, 0.25), (0.45, 0.3)]


def prototype_rows(catalog, encode, sets) -> list[tuple]:
    from engine import concepts, scoring
    from profiles.parser import AVOID, LIKE, parse_line

    index, nearest = catalog_vote(catalog, encode)
    vectors = np.asarray(catalog.vectors, dtype=np.float64)
    mean = vectors.mean(axis=0)
    labels = sorted(set(index.values()))
    prototypes = []
    for label in labels:
        carried = np.array([label in item for item in catalog.categories])
        centre = vectors[carried].mean(axis=0) - mean
        prototypes.append(centre / np.linalg.norm(centre))
    prototypes = np.array(prototypes)
    found = []
    for set_name, lines in sets.items():
        for section, line, _polarity, _band, label in lines:
            if "+" in label:
                continue
            topic = parse_line(line, LIKE if section == "likes" else AVOID)[0].embedded_text
            expected = label and (
                scoring.category_label(label, index)
                or scoring.category_label(ALIASES.get(label, ""), index)
            )
            if concepts.line_label(topic, index, encode, nearest=nearest):
                continue
            if concepts._says_a_label(topic, index):
                continue
            voted = concepts.item_vote(nearest(topic), index)
            named = concepts.meaning_match(topic, index, encode)
            centred = encode([topic])[0].astype(np.float64) - mean
            sims = prototypes @ (centred / np.linalg.norm(centred))
            order = np.argsort(-sims)
            best, margin = sims[order[0]], sims[order[0]] - sims[order[1]]
            agrees = labels[order[0]] in {voted.near, named.near}
            found.append((set_name, expected, labels[order[0]], best, margin, agrees))
    return found


def tally(rows, floor, margin_floor, need_agreement) -> dict:
    counts: dict[str, list[int]] = {}
    for set_name, expected, label, best, margin, agrees in rows:
        if best >= floor and margin >= margin_floor and (agrees or not need_agreement):
            count = counts.setdefault(set_name, [0, 0, 0])
            count[0 if label == expected else 1 if expected else 2] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movielens", type=Path)
    parser.add_argument("--tmdb-keywords", type=Path)
    parser.add_argument("--tmdb-movies", type=Path)
    args = parser.parse_args()
    django_setup()
    from catalog.importers import read_items_file
    from engine.evaluation.data import catalog_from_rows
    from engine.management.datasets import CachedEncoder, read_dataset

    cached = CachedEncoder(PROJECT_DIR / "var" / "evaluation-cache")
    encode = memory_encoder()

    catalogs = {"sample books": catalog_from_rows(read_items_file(SAMPLE))}
    if args.movielens:
        options = {
            "items": None,
            "interactions": None,
            "movielens": args.movielens,
            "tmdb_keywords": args.tmdb_keywords,
            "tmdb_movies": args.tmdb_movies,
        }
        catalogs["ml-latest-small"] = read_dataset(options)[0]
    sets = corpus_sets(["corpus", "fresh", "fresh2"])
    for name, catalog in catalogs.items():
        catalog = catalog.with_vectors(cached(catalog.texts, "Item vectors"))
        rows = prototype_rows(catalog, encode, sets)
        print(f"\n{name}: {len(rows)} lines left unlabelled; [right, wrong, labelled where none]")
        for floor, margin in itertools.product(*FLOORS):
            found = tally(rows, floor, margin, True)
            print(f"  agreeing, cosine >= {floor}, margin >= {margin}: {found}")
        for floor, margin in ALONE:
            found = tally(rows, floor, margin, False)
            print(f"  alone,    cosine >= {floor}, margin >= {margin}: {found}")


if __name__ == "__main__":
    main()
