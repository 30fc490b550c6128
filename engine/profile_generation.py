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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from engine.profile_wording import (
    Description,
    Wording,
    carried_count,
    carries,
    distinctive_labels,
    label_words,
    stems,
)
from engine.profile_wording import cased_words as cased_words
from engine.profile_wording import is_topic_label as is_topic_label
from engine.profile_wording import non_taste_labels as non_taste_labels
from engine.profile_wording import prose_of as prose_of

LIKE = "like"
AVOID = "avoid"

# Recency: an interaction a year older than the person's latest counts half.
HALF_LIFE_DAYS = 365.0
MAX_CLUSTERS = {LIKE: 6, AVOID: 3}
EXEMPLARS = 3
EVIDENCE = 5
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
    text: str  # 'First-contact science fiction (e.g. “A”, “B”)'
    polarity: str
    embedded_text: str  # the description alone, without the example titles
    evidence: tuple[int, ...]  # item ids, closest to the group's centre first
    alternatives: tuple[str, ...] = ()  # other descriptions, tried if this one is not grounded
    members: tuple[int, ...] = ()  # every item of the group, closest to its centre first
    weight: float = 1.0  # strength: an Avoids line as consistent as the dislikes behind it
    labels: tuple[str, ...] = ()  # the casefolded labels its words name (each member carries one)


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


Group = list[tuple[RatedItem, float]]


def _clusters(members: Group, k: int, seed: int) -> list[Group]:
    """``members`` in ``k`` groups by their embeddings, each closest to its centre first."""
    vectors = np.stack([item.vector for item, _ in members]).astype(np.float32)
    weights = np.array([weight for _, weight in members], dtype=np.float32)
    labels = spherical_kmeans(vectors, weights, k, seed=seed)
    groups = []
    for index in range(k):
        rows = np.flatnonzero(labels == index)
        if not len(rows):
            continue
        centre = (vectors[rows] * weights[rows, None]).sum(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        groups.append([members[row] for row in rows[np.argsort(-(vectors[rows] @ centre))]])
    return groups


def examples_first(description: Description | None, group: Group) -> Group:
    """``group`` with the members that carry every part of the words first
    ("Hobbit fantasy": hobbit and fantasy), then most of what they name
    ("death sentence" as well as "drama"); the centre's order within a tie."""
    if description is None:
        return group
    return sorted(
        group,
        key=lambda m: (-description.fit(m[0]), -carried_count(m[0], description.labels)),
    )


def shown(description: Description, group: Group) -> Group:
    """The examples a line names: its first members that carry every part
    of its words (the first one, if none does)."""
    first = group[:EXEMPLARS]
    if not description.parts:
        return first
    fitting = 0
    while fitting < len(first) and description.fit(first[fitting][0]) == len(description.parts):
        fitting += 1
    # The examples are always the line's first members (its evidence, in order).
    return first[: fitting or 1]


def line_text(description: Description, group: Group) -> str:
    """The line as shown: its words, then its examples."""
    return f"{description.text} {example_list(item.title for item, _ in shown(description, group))}"


def _described(groups: list[Group], smallest: int, words) -> tuple[list, Group]:
    """Each group with its description and the members that carry a label it
    names; the rest (and groups nothing describes) are left over."""
    lines, left = [], []
    for group in groups:
        description = words(group) if len(group) >= smallest else None
        kept = examples_first(
            description, [m for m in group if description and carries(m[0], description.labels)]
        )
        if len(kept) < smallest:
            left.extend(group)
            continue
        left.extend(m for m in group if m not in kept)
        lines.append((description, kept))
    return lines, left


@dataclass(frozen=True)
class PreviousLine:
    """A line the writer wrote before, as the profile holds it now."""

    embedded_text: str  # its words, without the examples
    polarity: str
    members: tuple[int, ...]  # its group
    text: str = ""  # as shown, with its examples
    pinned: bool = False  # the person pinned it: its words stay exactly

    def examples(self) -> list[str]:
        """The titles its text quotes as examples, in order."""
        at = self.text.rfind(" (e.g. ")
        return re.findall(r"“([^”]*)”", self.text[at:]) if at >= 0 else []


def _named(text: str, members: Group) -> tuple[str, ...]:
    """The labels of ``members`` that the words ``text`` name (every word of
    the label is there, plurals folded): what a member must carry to belong."""
    words = stems(text)
    labels = {label.casefold() for item, _ in members for label in (*item.categories, *item.tags)}
    return tuple(
        sorted(
            label
            for label in labels
            if (forms := label_words(label)) and all(form & words for form in forms)
        )
    )


def _kept_lines(
    members: Group, previous: Sequence[PreviousLine], words=None
) -> tuple[list[tuple[Description, Group]], Group]:
    """The previous lines whose groups are still there, and what none of them holds.

    1. A member belongs to a previous line when it carries a label the line's
       words name: the line that held it before, if it still fits; else,
       among several, the line whose current members' centre is nearest.
       The examples its text shows stay first (so they stay shown).
    2. A line keeps its identity while it holds at least
       ``MIN_ITEMS_PER_STATEMENT`` members (one, for someone with a single
       positive); one left with fewer is gone, and
       its members go back to the pool, as does every member no line holds.
    3. With ``words``, a kept line's words improve when the group's own
       description now says clearly more (``_improved``).
    """
    # One positive is a line of its own (someone who has rated one thing).
    smallest = min(MIN_ITEMS_PER_STATEMENT, len(members))
    lines = [(line, _named(line.embedded_text, members)) for line in previous]
    lines = [(line, named) for line, named in lines if named]
    by_id = {item.item_id: (item, weight) for item, weight in members}
    centres = []
    for line, _ in lines:
        vectors = [by_id[i][0].vector for i in line.members if i in by_id]
        centre = np.sum(vectors, axis=0) if vectors else np.zeros_like(members[0][0].vector)
        centres.append(centre / (np.linalg.norm(centre) or 1.0))
    groups: list[Group] = [[] for _ in lines]
    pool: Group = []
    for item, weight in members:
        fits = [n for n, (_, named) in enumerate(lines) if carries(item, named)]
        if not fits:
            pool.append((item, weight))
            continue
        held = [n for n in fits if item.item_id in lines[n][0].members]
        best = held[0] if held else max(fits, key=lambda n: float(item.vector @ centres[n]))
        groups[best].append((item, weight))
    kept = []
    for (line, named), group in zip(lines, groups, strict=True):
        if len(group) < smallest or not group:
            pool.extend(group)
            continue
        description = Description(line.embedded_text, named, _parts(line.embedded_text, named))
        if words is not None and not line.pinned:
            taken = {other.embedded_text for other in previous} | {d.text for d, _ in kept}
            description = _improved(description, group, words, taken)
        shown_before = {title: n for n, title in enumerate(line.examples())}
        centre = np.sum([item.vector for item, _ in group], axis=0)
        group.sort(
            key=lambda m: (
                shown_before.get(m[0].title, len(shown_before)),
                -description.fit(m[0]),
                -carried_count(m[0], description.labels),
                -float(m[0].vector @ centre),
            )
        )
        kept.append((description, group))
    return kept, pool


def _parts(text: str, named: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """What an example of a line with these words carries: one of the kinds a
    list names ("Tuners and picks"), else every label the words name, but
    none inside a longer one ("fiction" in "science fiction")."""
    if len(named) > 1 and (", " in text or " and " in text) and _is_list(text, named):
        return (named,)
    words = {label: stems(label) for label in named}
    return tuple(
        (label,)
        for label in named
        if not any(other != label and words[label] < words[other] for other in named)
    )


def _is_list(text: str, named: tuple[str, ...]) -> bool:
    """Whether ``text`` is two or more of the labels ``named``, each whole,
    joined by commas and "and" ("Cases and bags, tuners, and picks")."""
    labels = [stems(label) for label in named]
    parts: list[str] = []
    for part in (p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if p.strip()):
        if parts and stems(f"{parts[-1]} and {part}") in labels:
            parts[-1] = f"{parts[-1]} and {part}"
        else:
            parts.append(part)
    return len(parts) >= 2 and all(stems(part) in labels for part in parts)


def _rank(description: Description, group: Group) -> int:
    """How much earlier words say (Description.rank): a list of kinds 0,
    genres alone 1, anything naming a subject or describing word 2."""
    kinds = {label.casefold() for item, _ in group for label in item.categories}
    if description.labels and set(description.labels) <= kinds:
        text = description.text
        return 0 if len(description.labels) > 1 and (", " in text or " and " in text) else 1
    return 2


def _improved(description: Description, group: Group, words, taken: set[str]) -> Description:
    """A kept line's words, or better ones for the same group: the group's
    own description when it ranks above the words it has (a fallback: a
    list of kinds, genres alone), names every label the old words named,
    and every member still carries a label it names. The line stays the
    same line (``was``: its place and identity); its members do not move."""
    fresh = words(group)
    if fresh is None or fresh.rank <= _rank(description, group):
        return description
    said = stems(fresh.text)
    if (
        fresh.text in taken
        # Not one taste said twice ("Alien sci-fi horror" beside "Sci-fi").
        or any(
            stems(other) <= said or said <= stems(other)
            for other in taken
            if other != description.text
        )
        or not set(description.labels) <= set(fresh.labels)
        or not all(carries(item, fresh.labels) for item, _ in group)
    ):
        return description
    return replace(fresh, was=description.text)


def _lines(
    members: Group, polarity: str, seed: int, words, previous: Sequence[PreviousLine] = ()
) -> list[tuple[Description, Group]]:
    """The groups of one side with their descriptions, one line per description.

    0. Previous lines whose groups are still there stay, with their words
       (``_kept_lines``); only what none of them holds is grouped anew.
    1. Cluster (more groups for more items) and describe each group; members
       that carry none of the labels its words name leave it.
    2. What was left over (members that left, groups nothing described) is
       clustered and described once more: a broad, mixed group often holds
       two tastes that each have words.
    3. Two groups described alike are one line, and a line whose words
       only narrow another's ("Disney animation" beside "Animation") is
       left out (``_distinct``).
    4. Likes: what no line describes is gathered by the labels it shares
       (``_gathered``), so the profile holds every taste it has words for.
    5. Every positive joins the line whose words name a label it carries
       (``_kept_lines``): the lines are what the next run would keep.
    """
    smallest = min(MIN_ITEMS_PER_STATEMENT, len(members))
    everyone = members
    lines, members = _kept_lines(members, previous, words) if previous else ([], members)
    earlier_kept = list(lines)
    if not members:
        return lines
    # Beside lines that stay, what is left makes fewer, broader new lines: a
    # few ratings of a new taste are one line, not several.
    count = cluster_count(len(members) // 2 if lines else len(members), polarity)
    more, left = _described(_clusters(members, max(count, 1), seed), smallest, words)
    lines += more
    if len(left) >= MIN_ITEMS_PER_STATEMENT:
        more, _ = _described(
            _clusters(left, cluster_count(len(left), polarity), seed),
            MIN_ITEMS_PER_STATEMENT,
            words,
        )
        lines += more
    kept = {d.text for d, _ in earlier_kept}
    merged = _distinct(lines, kept)
    if polarity == LIKE:
        # A gathered line may narrow one already there ("Bone guitar strings"
        # beside "Strings"): the broader goes, and its members, which carry
        # the words both name, settle into the narrower, so none is lost.
        merged = _distinct(merged + _gathered(everyone, merged, words), kept, narrow=True)
    return _settled(everyone, merged, polarity, words)


# Settling again after a line's words improved places members by the new
# words; a line improves at most once (to the top rank), so this ends.
SETTLE_ROUNDS = 3


def _settled(everyone: Group, lines: list, polarity: str, words) -> list:
    """Every positive in the line whose words name a label it carries, as the
    next run will place it (``_kept_lines``), so that writing again from the
    same ratings changes nothing.

    A line whose settled group now has better words of its own takes them
    (``_improved``), as the next run would, and the members settle again.
    Each line keeps the words it had before this run (``was``: its place).
    """
    for _ in range(SETTLE_ROUNDS):
        known = {d.text: d for d, _ in lines}
        settled = [
            PreviousLine(
                d.text,
                polarity,
                tuple(item.item_id for item, _ in group),
                line_text(d, examples_first(d, group)),
            )
            for d, group in lines
        ]
        again = _kept_lines(everyone, settled, words)[0]
        lines = [
            (replace(d, was=known[d.was].was or d.was), group)
            if d.was
            else (replace(d, was=w.was), group)
            if (w := known.get(d.text))
            else (d, group)
            for d, group in again
        ]
        if not any(d.text not in known for d, _ in lines):
            break
    return lines


def _distinct(
    lines: list[tuple[Description, Group]], kept: set[str], *, narrow: bool = False
) -> list:
    """One line per description, and none whose words only narrow another's.

    "Animation children" beside "Disney animation children" reads as one
    taste said twice: the narrower line goes, and its members join the
    broader one when the lines settle (they carry its words) or are
    gathered anew; with ``narrow`` the broader goes instead. A line a
    regeneration keeps is never the one that goes: the other one does.
    """
    merged: dict[str, tuple[Description, Group]] = {}
    for description, group in lines:
        if description.text in merged:
            group = merged[description.text][1] + group
        merged[description.text] = (description, group)
    words = {text: stems(text) for text in merged}
    gone: set[str] = set()
    for broad in merged:
        for specific in merged:
            if broad == specific or {broad, specific} & gone or not words[broad] <= words[specific]:
                continue
            first, second = (broad, specific) if narrow else (specific, broad)
            if first not in kept:
                gone.add(first)
            elif second not in kept:
                gone.add(second)
    return [line for text, line in merged.items() if text not in gone]


def _gathered(everyone: Group, lines: list[tuple[Description, Group]], words) -> list:
    """Lines for the positives that no line holds and no line's words name.

    A member that leaves a line for not carrying its words is history the
    profile no longer holds: on Amazon instruments, where a person's few
    purchases are often one of each kind, the membership rule alone left 43%
    of positives in no line and cost the profile alone 5% of its NDCG@10.
    1. Left: members of no line that carry no label a line's words name
       (those join that line when the lines settle).
    2. The label most of them carry (at least two; the rarer in the catalog
       first on a tie) makes a group, described as any group is; the
       members carrying a label its words name are a line.
    3. What is still left, each alone in its kind, is one line naming the
       categories most of it carries ("Tuners, amplifiers and capos"),
       when that takes in at least two items.
    """
    held = {item.item_id for _, group in lines for item, _ in group}
    named = [label for d, _ in lines for label in _named(d.text, everyone)]
    left = [m for m in everyone if m[0].item_id not in held and not carries(m[0], named)]
    found: list[tuple[Description, Group]] = []
    tried: set[str] = set()
    while len(left) >= MIN_ITEMS_PER_STATEMENT:
        label = words.most_shared(left, tried)
        if label is None:
            break
        tried.add(label)
        description = words([m for m in left if carries(m[0], [label])])
        group = [m for m in left if description and carries(m[0], description.labels)]
        if len(group) < MIN_ITEMS_PER_STATEMENT:
            continue
        found.append((description, group))
        left = [m for m in left if m not in group]
    description = words.kinds(left, everyone)
    group = [m for m in left if description and carries(m[0], description.labels)]
    if len(group) >= MIN_ITEMS_PER_STATEMENT:
        found.append((description, group))
    return found


def example_list(titles: Iterable[str]) -> str:
    """Titles set apart by quotes, so that a title with a comma reads as one."""
    return "(e.g. " + ", ".join(f"“{title}”" for title in titles) + ")"


def _statement(polarity: str, description: Description, group: Group, weight: float):
    return GeneratedStatement(
        text=line_text(description, group),
        polarity=polarity,
        embedded_text=description.text,
        evidence=tuple(item.item_id for item, _ in group[:EVIDENCE]),
        members=tuple(item.item_id for item, _ in group),
        weight=weight,
        labels=description.labels,
    )


def generate_statements(
    signals: Sequence[Signal],
    *,
    label_counts: dict[str, int],
    catalog_size: int,
    seed: int = 0,
    refused: frozenset[str] = frozenset(),
    previous: Sequence[PreviousLine] = (),
    cased: Mapping[str, str] | None = None,
) -> list[GeneratedStatement]:
    """Statements for one person, likes first, each with its evidence.

    1. Split the signals into positive and negative items (recency-weighted).
    2. Group each side's items and describe each group as a person would
       ("Dark, atmospheric zombie horror", ``describe``); a member that
       carries none of the labels the words name is left to another group,
       so every example belongs; likes no line describes are gathered by
       the categories they carry (``_lines``, ``_gathered``).
    3. Name the items nearest each group's centre as examples, and keep the
       group as evidence. An Avoids line needs dislikes consistent enough
       (``avoid_strength``) and words that tell it apart from every Likes
       line: "Horror" liked and avoided would say nothing.
    With ``previous`` lines, a regeneration keeps each line whose group is
    still there (its words stay unless they were a fallback the group's own
    description now beats, and never for a pinned line; new members join
    it) and adds or removes a line only when the history says so. Lines that stay keep their places;
    otherwise larger groups come first.
    """
    positives, negatives = split_signals(signals)
    statements: list[GeneratedStatement] = []
    liked: set[str] = set()

    # ``refused``: tags that say nothing about taste (non_taste_labels);
    # ``cased``: words the catalog writes as names (cased_words).
    words = Wording(label_counts, catalog_size, refused, cased or {})

    for polarity, members in ((LIKE, positives), (AVOID, negatives)):
        if not members:
            continue
        lines = []
        earlier = [line for line in previous if line.polarity == polarity]
        for description, group in _lines(members, polarity, seed, words, earlier):
            weight = 1.0
            if polarity == AVOID:
                weight = avoid_strength(group, positives, label_counts, catalog_size)
                # "Drama and comedy" avoided beside "Drama" and "Comedy" liked
                # says nothing that tells them apart: every label it names is
                # named by some Likes line.
                if weight is None or set(description.labels) <= liked:
                    continue
            else:
                liked |= set(description.labels)
            statement = _statement(polarity, description, group, weight)
            # A reworded line keeps the place of the words it had.
            lines.append((sum(w for _, w in group), statement, description.was or description.text))
        # Lines that stay keep their places; new ones follow, larger first.
        place = {line.embedded_text: n for n, line in enumerate(earlier)}
        lines.sort(key=lambda pair: (place.get(pair[2], len(place)), -pair[0]))
        statements.extend(statement for _, statement, _ in lines)
    return statements
