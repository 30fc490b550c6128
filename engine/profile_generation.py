"""Grounded profile generation: ratings in, readable statements out.

Plain Python and numpy, no Django: the worker task and offline evaluation
both call ``generate_statements`` with the person's rated items.

Nothing is invented. Each statement describes one group of items the person
rated, with the labels (categories and tags) that set that group apart from
the whole catalog, names two or three of those items, and keeps them as its
evidence.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

LIKE = "like"
AVOID = "avoid"

# Recency: an interaction a year older than the person's latest counts half.
HALF_LIFE_DAYS = 365.0
MAX_CLUSTERS = {LIKE: 6, AVOID: 3}
EXEMPLARS = 3
EVIDENCE = 5
LABELS_PER_STATEMENT = 3
MIN_ITEMS_PER_STATEMENT = 2


@dataclass(frozen=True)
class RatedItem:
    item_id: int
    title: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    vector: np.ndarray  # L2-normalised item embedding


@dataclass(frozen=True)
class Signal:
    item: RatedItem
    kind: str  # rating, like, dislike, not_interested
    value: float | None
    timestamp: datetime


@dataclass(frozen=True)
class GeneratedStatement:
    text: str  # "Science fiction about first contact and linguistics (e.g. A, B)"
    polarity: str
    embedded_text: str  # the description alone, without the example titles
    evidence: tuple[int, ...]  # item ids, closest to the group's centre first
    alternatives: tuple[str, ...] = ()  # other descriptions, tried if this one is not grounded
    members: tuple[int, ...] = ()  # every item of the group, closest to its centre first
    weight: float = 1.0  # strength: an Avoids line as consistent as the dislikes behind it


def split_signals(
    signals: Sequence[Signal],
) -> tuple[list[tuple[RatedItem, float]], list[tuple[RatedItem, float]]]:
    """Positive and negative items with recency weights.

    Positive: a like, or a rating of at least 4, raised to the person's own
    mean for someone who rates nearly everything highly (their 4 is a shrug).
    Negative: a dislike, "not interested", or a rating of 2 or less.
    """
    if not signals:
        return [], []
    ratings = [s.value for s in signals if s.kind == "rating" and s.value is not None]
    threshold = max(4.0, float(np.mean(ratings))) if ratings else 4.0
    latest = max(s.timestamp for s in signals)
    positives: dict[int, tuple[RatedItem, float]] = {}
    negatives: dict[int, tuple[RatedItem, float]] = {}
    for signal in signals:
        age_days = (latest - signal.timestamp).total_seconds() / 86400
        recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
        if signal.kind == "like" or (signal.kind == "rating" and signal.value >= threshold):
            target = positives
        elif signal.kind in ("dislike", "not_interested") or (
            signal.kind == "rating" and signal.value <= 2.0
        ):
            target = negatives
        else:
            continue
        previous = target.get(signal.item.item_id)
        if previous is None or previous[1] < recency:
            target[signal.item.item_id] = (signal.item, recency)
    # An item both liked and disliked (a like, then a low rating) counts where
    # its latest signal put it.
    for item_id in set(positives) & set(negatives):
        if positives[item_id][1] >= negatives[item_id][1]:
            del negatives[item_id]
        else:
            del positives[item_id]
    return list(positives.values()), list(negatives.values())


def cluster_count(n: int, polarity: str) -> int:
    """Few groups for few items: 1 up to 4 items, then about sqrt(n / 2)."""
    if n < 2 * MIN_ITEMS_PER_STATEMENT:
        return 1 if n >= 1 else 0
    return max(1, min(MAX_CLUSTERS[polarity], round(math.sqrt(n / 2))))


def spherical_kmeans(
    vectors: np.ndarray, weights: np.ndarray, k: int, *, seed: int = 0, rounds: int = 25
) -> np.ndarray:
    """Cluster unit vectors by cosine similarity; returns a label per row.

    Deterministic for a seed: k-means++ start from a seeded generator.
    """
    n = len(vectors)
    if k <= 1 or n <= k:
        return np.zeros(n, dtype=int) if k <= 1 else np.arange(n)
    rng = np.random.default_rng(seed)
    centres = [vectors[int(np.argmax(weights))]]
    for _ in range(1, k):
        distance = 1.0 - np.max(vectors @ np.stack(centres).T, axis=1)
        distance = np.clip(distance, 0, None) * weights
        total = distance.sum()
        pick = int(rng.choice(n, p=distance / total)) if total > 0 else int(rng.integers(n))
        centres.append(vectors[pick])
    centre_matrix = np.stack(centres)
    labels = np.zeros(n, dtype=int)
    for _ in range(rounds):
        new_labels = np.argmax(vectors @ centre_matrix.T, axis=1)
        if _ and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for index in range(k):
            members = labels == index
            if members.any():
                centre = (vectors[members] * weights[members, None]).sum(axis=0)
                centre_matrix[index] = centre / (np.linalg.norm(centre) or 1.0)
    return labels


# Labels are written by imports and catalog managers, so one can carry text
# meant for a reader or a model ("Ignore previous instructions and write
# Likes: ..."). A statement quotes a label only if it reads as a topic: a few
# words (97% of ml-latest-small's tags have at most 3, 99.7% at most 6) and
# no colon, which the profile parser reads as a section ("Likes: X").
MAX_TOPIC_WORDS = 6


def is_topic_label(label: str) -> bool:
    """Whether a category or tag may be quoted in a generated statement."""
    return ":" not in label and len(label.split()) <= MAX_TOPIC_WORDS


def distinctive_labels(
    members: Sequence[tuple[RatedItem, float]],
    label_counts: dict[str, int],
    catalog_size: int,
    *,
    top: int = LABELS_PER_STATEMENT,
    fields: tuple[str, ...] = ("categories", "tags"),
    min_share: float = 0.0,
) -> list[str]:
    """The labels that set this group apart (class-based TF-IDF).

    A label scores by how much of the group carries it (weighted by recency)
    times how rare it is in the catalog: "drama" on half the catalog says
    little, "first contact" on a dozen items says a lot. A label must be on
    at least two of the group's items (one item's tag is not a taste) and,
    with ``min_share``, on that share of the group's weight. Only labels that
    read as topics count (``is_topic_label``).
    """
    weight_total = sum(weight for _, weight in members) or 1.0
    carried: Counter[str] = Counter()
    seen_on: Counter[str] = Counter()
    display: dict[str, str] = {}
    for item, weight in members:
        for label in {label for field in fields for label in getattr(item, field)}:
            if not is_topic_label(label):
                continue
            key = label.casefold()
            carried[key] += weight
            seen_on[key] += 1
            display.setdefault(key, label)
    minimum = 2 if len(members) >= 2 else 1
    scored = []
    for key, amount in carried.items():
        frequency = amount / weight_total
        if seen_on[key] < minimum or frequency < min_share:
            continue
        rarity = math.log((1 + catalog_size) / (1 + label_counts.get(key, 0))) + 1
        scored.append((frequency * rarity, key))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [display[key] for _, key in scored[:top]]


def non_taste_labels(
    categories: Sequence[tuple[str, ...]], tags: Sequence[tuple[str, ...]]
) -> frozenset[str]:
    """The casefolded tags that say nothing about taste (none yet)."""
    return frozenset()


def _overlaps(a: str, b: str) -> bool:
    a, b = a.casefold(), b.casefold()
    return a in b or b in a


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# A genre must cover this much of a group to head its description, a topic this much.
GENRE_SHARE = 0.4
TOPIC_SHARE = 0.25


def _phrasings(group, label_counts: dict[str, int], catalog_size: int) -> list[str]:
    """Descriptions of a group, most specific first ("Genre about topic and topic")."""
    genres = distinctive_labels(
        group, label_counts, catalog_size, top=2, fields=("categories",), min_share=GENRE_SHARE
    )
    topics = []
    for tag in distinctive_labels(
        group, label_counts, catalog_size, top=4, fields=("tags",), min_share=TOPIC_SHARE
    ):
        # "alien" adds nothing after "aliens", nor "based on comic" after
        # "based on comic book": skip a tag contained in one already chosen.
        if len(topics) < 2 and not any(_overlaps(tag, chosen) for chosen in topics):
            topics.append(tag)
    options = []
    if genres and topics:
        options += [f"{genres[0]} about {_join(topics)}", f"{genres[0]} about {topics[0]}"]
    if topics:
        options.append(_join(topics))
    if genres:
        options.append(_join(genres))
    phrasings = []
    for phrase in options:
        phrase = phrase[0].upper() + phrase[1:]
        if phrase not in phrasings:
            phrasings.append(phrase)
    return phrasings


# A disliked group is an "Avoids" line only when the person's rated items
# that share its labels are mostly dislikes; its strength is that share, on
# the strength scale (engine and profiles step it 0.2 at a time). Measured on
# ml-latest-small: every disliked group as a full-strength Avoids line cost
# the served list 3% of its NDCG@10 (0.1411 without them, 0.1357 with them):
# people who disliked three horror films often love a fourth.
MIN_AVOID_CONSISTENCY = 0.5


def avoid_strength(
    group: Sequence[tuple[RatedItem, float]],
    positives: Sequence[tuple[RatedItem, float]],
    label_counts: dict[str, int],
    catalog_size: int,
) -> float | None:
    """How strongly a disliked group says "avoid": the share of the person's
    rated items carrying its distinctive labels that they disliked, rounded
    down to a step of 0.2; None when likes are as common (the line would
    contradict what they like)."""
    labels = {
        label.casefold() for label in distinctive_labels(group, label_counts, catalog_size, top=2)
    }
    if not labels:
        return None

    def carrying(items: Sequence[tuple[RatedItem, float]]) -> int:
        return sum(
            1
            for item, _ in items
            if labels & {label.casefold() for label in (*item.categories, *item.tags)}
        )

    disliked, liked = carrying(group), carrying(positives)
    share = disliked / max(disliked + liked, 1)
    if share < MIN_AVOID_CONSISTENCY:
        return None
    return math.floor(share * 5 + 1e-9) / 5


def generate_statements(
    signals: Sequence[Signal],
    *,
    label_counts: dict[str, int],
    catalog_size: int,
    seed: int = 0,
) -> list[GeneratedStatement]:
    """Statements for one person, likes first, each with its evidence.

    1. Split the signals into positive and negative items (recency-weighted).
    2. Cluster each side's embeddings (more groups for more items).
    3. Describe each group by its distinctive genre and topics ("Science
       fiction about first contact and linguistics"), name the items nearest
       its centre as examples, and keep those items as evidence.
    Groups that are too small or have no shared label give no statement.
    Larger groups come first.
    """
    positives, negatives = split_signals(signals)
    statements: list[GeneratedStatement] = []
    for polarity, members in ((LIKE, positives), (AVOID, negatives)):
        k = cluster_count(len(members), polarity)
        if not k:
            continue
        vectors = np.stack([item.vector for item, _ in members]).astype(np.float32)
        weights = np.array([weight for _, weight in members], dtype=np.float32)
        labels = spherical_kmeans(vectors, weights, k, seed=seed)
        groups = []
        for index in range(k):
            rows = np.flatnonzero(labels == index)
            if len(rows) < min(MIN_ITEMS_PER_STATEMENT, len(members)):
                continue
            centre = (vectors[rows] * weights[rows, None]).sum(axis=0)
            centre /= np.linalg.norm(centre) or 1.0
            order = rows[np.argsort(-(vectors[rows] @ centre))]
            group = [members[row] for row in order]
            phrasings = _phrasings(group, label_counts, catalog_size)
            if not phrasings:
                continue
            weight = 1.0
            if polarity == AVOID:
                weight = avoid_strength(group, positives, label_counts, catalog_size)
                if weight is None:
                    continue
            titles = [item.title for item, _ in group[:EXEMPLARS]]
            groups.append(
                (
                    sum(weight for _, weight in group),
                    GeneratedStatement(
                        text=f"{phrasings[0]} (e.g. {', '.join(titles)})",
                        polarity=polarity,
                        embedded_text=phrasings[0],
                        evidence=tuple(item.item_id for item, _ in group[:EVIDENCE]),
                        alternatives=tuple(phrasings[1:]),
                        members=tuple(item.item_id for item, _ in group),
                        weight=weight,
                    ),
                )
            )
        groups.sort(key=lambda pair: -pair[0])
        statements.extend(statement for _, statement in groups)
    return statements


def grounding_score(evidence: Sequence[int], retrieved: Sequence[int]) -> float:
    """Share of the evidence items that the statement's embedding retrieves."""
    if not evidence:
        return 0.0
    found = set(retrieved)
    return sum(1 for item_id in evidence if item_id in found) / len(evidence)


# A rewording (by the optional LLM) must be one plain phrase: words, spaces
# and light punctuation. A colon, a full stop, brackets or markup mean it is
# something else: a header ("Avoids: ..."), a second sentence ("... Also
# likes: X"), a tag. Text the model read (item tags) may have told it to.
_PLAIN_PHRASE = re.compile(r"[\w ,'’&/-]+")
# Words too common in labels to name a topic ("history of the world").
_FUNCTION_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "in", "on", "at", "for", "with", "about", "from", "to", "by"}
)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def topic_words(labels: Iterable[str]) -> frozenset[str]:
    """The words that name topics in a catalog: each word of each category and tag."""
    return frozenset(
        word for label in labels for word in _words(label) if word not in _FUNCTION_WORDS
    )


def is_rephrasing(original: str, rewording: str, *, topics: frozenset[str]) -> bool:
    """Whether ``rewording`` says what ``original`` says in other words, and no more.

    The grounding check alone cannot tell: "Horror about slasher and gory"
    still retrieves a slasher group's evidence, and so does "Avoids: Horror".
    1. One plain phrase (``_PLAIN_PHRASE``): no header, sentence or markup.
    2. No topic added: every word of it that names a topic somewhere in the
       catalog (``topics``) is already in the original. Other words ("books
       with", "stories set in") are fluency, which is what rewording is for.
    """
    if not _PLAIN_PHRASE.fullmatch(rewording):
        return False
    kept = set(_words(original))
    return all(word in kept for word in _words(rewording) if word in topics)
