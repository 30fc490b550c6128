"""Synthetic catalogs of any size whose vectors look like the encoder's.

bench/scale.py needs a million items without encoding a million texts (an
hour on these CPUs). So:
1. Seeds: real items (TMDB 5000 movies, then the sample catalog's books),
   encoded once by the project's encoder from the text it embeds items
   from, and cached under var/bench.
2. Items: each is a convex mixture of one seed and up to two of that seed's
   nearest seeds (Dirichlet weights, the seed itself weighted most), plus a
   little Gaussian noise, renormalised. The vectors keep the seeds' clusters
   and spread (an index and the catalog statistics meet what real text
   gives), and each item borrows its text (categories, tags, words) from
   the seed it is mostly made of, so text and vector agree.
3. People: each has one to four tastes (groups of seeds, by k-means on the
   seed vectors) and draws most of their items from them; within a taste,
   and for the rest from the whole catalog, items are drawn by a Zipf-like
   popularity, so a few items are very popular and most are rarely seen.

Everything is drawn from numpy generators seeded by (run seed, chunk), so
a chunk's items can be made again, identical, when their vectors are
stored after the import, without keeping a million vectors in memory.
"""

import csv
import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import DATASETS, PROJECT_DIR, VECTOR_CACHE

CHUNK = 5000  # items made (and their vectors stored) at a time
TMDB = DATASETS / "tmdb-5000-movies" / "tmdb_5000_movies.csv.gz"
SAMPLE = PROJECT_DIR / "catalog" / "sample_data" / "items.jsonl"
NEIGHBOUR_SEEDS = 8  # the seeds an item may be mixed from, besides its own
# Noise per dimension: a norm of about 0.02 * sqrt(384) = 0.39 before
# renormalising, so an item keeps a cosine of about 0.9 to its mixture.
NOISE = 0.02
TASTES = 64  # k-means groups of seeds that people's tastes are drawn from


@dataclass
class Seeds:
    vectors: np.ndarray  # (S, d) float32, unit length
    titles: list[str]
    categories: list[list[str]]
    tags: list[list[str]]
    neighbours: np.ndarray  # (S, NEIGHBOUR_SEEDS) nearest other seeds
    taste: np.ndarray  # (S,) the k-means group of each seed


def _tmdb_rows() -> list[dict]:
    with gzip.open(TMDB, "rt", encoding="utf-8") as handle:
        rows = []
        for row in csv.DictReader(handle):
            overview = (row["overview"] or "").strip()
            genres = [g["name"] for g in json.loads(row["genres"] or "[]")]
            if overview and genres:
                year = row["release_date"][:4]
                rows.append(
                    {
                        "title": row["title"],
                        "year": int(year) if year.isdigit() else None,
                        "categories": genres[:3],
                        "tags": [k["name"] for k in json.loads(row["keywords"] or "[]")][:8],
                        "description": overview,
                    }
                )
    return rows


def _sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def seed_rows(limit: int) -> list[dict]:
    """The first ``limit`` seeds: the sample catalog's books first (a small
    run still meets two kinds of item), then TMDB's movies."""
    rows = _sample_rows()
    if len(rows) < limit:
        if not TMDB.exists():
            raise SystemExit(f"{TMDB} is missing: more than {len(rows)} seeds need it")
        rows += _tmdb_rows()
    return rows[:limit]


def load_seeds(limit: int) -> Seeds:
    """Seed vectors (encoded once, then cached) with their labels."""
    from django.conf import settings

    from catalog.text import item_text_of
    from engine.encoder import get_encoder

    rows = seed_rows(limit)
    model = settings.EMBEDDING_MODEL.replace("/", "_")
    cache = VECTOR_CACHE / f"scale-seeds-{model}-{len(rows)}.npy"
    if cache.exists():
        vectors = np.load(cache)
    else:
        print(f"encoding {len(rows)} seed items once (cached in {cache.name})...")
        vectors = get_encoder().encode([item_text_of(row) for row in rows])
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    return Seeds(
        vectors=vectors.astype(np.float32),
        titles=[row["title"] for row in rows],
        categories=[row.get("categories", []) for row in rows],
        tags=[row.get("tags", []) for row in rows],
        neighbours=_nearest_seeds(vectors),
        taste=_tastes(vectors),
    )


def _nearest_seeds(vectors: np.ndarray) -> np.ndarray:
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    count = min(NEIGHBOUR_SEEDS, len(vectors) - 1)
    return np.argsort(-similarity, axis=1)[:, : max(count, 1)]


def _tastes(vectors: np.ndarray, rounds: int = 15) -> np.ndarray:
    """Spherical k-means on the seeds: the groups people's tastes come from."""
    rng = np.random.default_rng(0)
    k = min(TASTES, len(vectors))
    centres = vectors[rng.choice(len(vectors), k, replace=False)]
    for _ in range(rounds):
        group = np.argmax(vectors @ centres.T, axis=1)
        for g in range(k):
            members = vectors[group == g]
            if len(members):
                centre = members.sum(axis=0)
                centres[g] = centre / np.linalg.norm(centre)
    return np.argmax(vectors @ centres.T, axis=1)


@dataclass
class Chunk:
    start: int  # number of the first item
    primary: np.ndarray  # (n,) the seed each item is mostly made of
    vectors: np.ndarray  # (n, d) float32, unit length


def make_chunk(seeds: Seeds, start: int, size: int, run_seed: int) -> Chunk:
    """Items ``start`` to ``start + size - 1``: the same every time."""
    rng = np.random.default_rng([run_seed, start])
    primary = rng.integers(0, len(seeds.vectors), size)
    others = seeds.neighbours[
        primary[:, None], rng.integers(0, seeds.neighbours.shape[1], (size, 2))
    ]
    weights = rng.dirichlet([4.0, 1.0, 1.0], size).astype(np.float32)
    # A third of the items are one seed and noise, a third mix in one
    # neighbour, a third two.
    mixed = rng.integers(0, 3, size)
    weights[mixed < 2, 2] = 0
    weights[mixed < 1, 1] = 0
    weights /= weights.sum(axis=1, keepdims=True)
    vectors = (
        weights[:, :1] * seeds.vectors[primary]
        + weights[:, 1:2] * seeds.vectors[others[:, 0]]
        + weights[:, 2:] * seeds.vectors[others[:, 1]]
    )
    vectors += rng.normal(0, NOISE, vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Chunk(start=start, primary=primary, vectors=vectors.astype(np.float32))


def chunks(seeds: Seeds, items: int, run_seed: int):
    for start in range(0, items, CHUNK):
        yield make_chunk(seeds, start, min(CHUNK, items - start), run_seed)


def external_id(number: int) -> str:
    return f"scale-{number}"


def item_row(seeds: Seeds, number: int, seed: int) -> dict:
    """A short item whose words come from the seed its vector mostly is."""
    title_words = seeds.titles[seed].split()[:3]
    tags = seeds.tags[seed]
    picked = [tags[(number + k) % len(tags)] for k in range(min(3, len(tags)))] if tags else []
    categories = seeds.categories[seed]
    subject = ", ".join(picked) or " and ".join(categories).lower() or "many things"
    return {
        "external_id": external_id(number),
        "title": f"{' '.join(title_words)} {number}",
        "description": f"A story of {subject}.",
        "categories": categories,
        "tags": picked,
        "year": 1950 + number % 75,
    }


def write_catalog(path: Path, seeds: Seeds, items: int, run_seed: int, on_progress=None) -> None:
    """The catalog as a gzipped JSON Lines file in the import format."""
    with gzip.open(path, "wb", compresslevel=1) as raw, io.TextIOWrapper(raw, "utf-8") as out:
        for chunk in chunks(seeds, items, run_seed):
            for offset, seed in enumerate(chunk.primary.tolist()):
                out.write(json.dumps(item_row(seeds, chunk.start + offset, seed)) + "\n")
            if on_progress:
                on_progress(len(chunk.primary))


def item_tastes(seeds: Seeds, items: int, run_seed: int) -> np.ndarray:
    """(items,) the taste group of every item, from its primary seed."""
    return np.concatenate([seeds.taste[c.primary] for c in chunks(seeds, items, run_seed)])


@dataclass
class People:
    users: np.ndarray  # (I,) person number
    items: np.ndarray  # (I,) item number
    ratings: np.ndarray  # (I,) half stars 0.5..5


def _zipf_pick(rng, sizes: np.ndarray) -> np.ndarray:
    """A rank in [0, size) for each size, P(rank r) roughly 1/(r+1)."""
    return np.minimum(
        np.exp(rng.random(len(sizes)) * np.log(sizes + 1)).astype(np.int64) - 1, sizes - 1
    )


def make_people(tastes: np.ndarray, people: int, interactions: int, run_seed: int) -> People:
    """``interactions`` ratings by ``people`` people, each with a few tastes.

    1. Items are ranked by popularity (a random order, fixed by the seed).
    2. Each person gets a history length (lognormal around the mean) and one
       to four tastes; 80% of their items come from their tastes, the rest
       from anywhere; either way by Zipf over the popularity ranks.
    3. Ratings are high (3.5-5) on a person's tastes, spread (0.5-5) elsewhere.
    Repeated (person, item) pairs are dropped, so slightly fewer remain.
    """
    rng = np.random.default_rng([run_seed, 99])
    rank_order = rng.permutation(len(tastes))  # rank_order[r]: the item of rank r
    by_taste = [rank_order[tastes[rank_order] == t] for t in range(tastes.max() + 1)]
    lengths = rng.lognormal(0, 0.8, people)
    lengths = np.maximum(1, np.round(lengths / lengths.sum() * interactions)).astype(np.int64)
    users = np.repeat(np.arange(people), lengths)
    own = rng.integers(0, 4, people) + 1
    chosen = rng.integers(0, len(by_taste), (people, 4))
    pick = chosen[users, rng.integers(0, 1_000_000, len(users)) % own[users]]
    in_taste = rng.random(len(users)) < 0.8
    sizes = np.array([len(members) for members in by_taste])
    pick = np.where(sizes[pick] > 0, pick, 0)
    items = rank_order[_zipf_pick(rng, np.full(len(users), len(tastes)))]
    taste_rank = _zipf_pick(rng, np.maximum(sizes[pick], 1))
    for group in np.unique(pick[in_taste]):
        rows = in_taste & (pick == group) & (sizes[group] > 0)
        items[rows] = by_taste[group][taste_rank[rows]]
    ratings = np.where(in_taste, rng.integers(7, 11, len(users)), rng.integers(1, 11, len(users)))
    pairs = np.unique(users * len(tastes) + items, return_index=True)[1]
    return People(users=users[pairs], items=items[pairs], ratings=ratings[pairs] / 2.0)
