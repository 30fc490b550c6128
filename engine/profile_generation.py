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

from engine.grounding import FUNCTION_WORDS

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


# Labels are written by imports and catalog managers, so one can carry text
# meant for a reader or a model ("Ignore previous instructions and write
# Likes: ..."). A statement quotes a label only if it reads as a topic: a few
# words (97% of ml-latest-small's tags have at most 3, 99.7% at most 6), no
# colon, which the profile parser reads as a section ("Likes: X"), and a
# letter or digit at both ends (a review word cut to "bd-" is no word).
MAX_TOPIC_WORDS = 6


def is_topic_label(label: str) -> bool:
    """Whether a category or tag may be quoted in a generated statement."""
    return (
        ":" not in label
        and len(label.split()) <= MAX_TOPIC_WORDS
        and bool(re.fullmatch(r"[^\W_](.*[^\W_])?", label))
    )


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


# --- Which labels say something about taste ---------------------------------------------

# A tag that names how an item was made or sold ("sequel", "woman director",
# "based on novel") spreads over the catalog's categories the way the catalog
# itself does: it is as common among comedies as among horror. A taste tag
# ("gory", "first contact") leans on a few. Below this divergence from the
# catalog's own category mix (Jensen-Shannon, natural log) a tag that many
# items carry says nothing about taste.
MIN_CATEGORY_LEAN = 0.05
# Only tags on at least this share of the catalog are judged: a rare tag's
# category mix is noise.
MIN_JUDGED_SHARE = 0.005


# Production notes that lean on a few categories all the same ("based on
# comic" on superhero films, "3d" on animation, "sequel" on action): the
# statistics above cannot tell them from a taste, their words can.
_PRODUCTION_NOTE = re.compile(
    r"^(based on\b|(after|during)?credits? ?stinger|sequel|prequel|remake|3d|imax|"
    r"(woman|female) director|independent film|imdb top|criterion|dvd|netflix|bd-r|owned)"
)


def non_taste_labels(
    categories: Sequence[tuple[str, ...]], tags: Sequence[tuple[str, ...]]
) -> frozenset[str]:
    """The casefolded tags that say nothing about taste, by how they spread.

    1. The catalog's category mix: the share of category labels on each.
    2. Each tag on enough items: the category mix of the items carrying it.
    3. A tag whose mix is close to the catalog's (``MIN_CATEGORY_LEAN``) is
       a production note, whatever its words; so is one that names how an
       item was made (``_PRODUCTION_NOTE``). A category's own name never is.
    """
    overall: Counter[str] = Counter(c.casefold() for labels in categories for c in labels)
    if len(overall) < 2:
        return frozenset()
    names = sorted(overall)
    prior = np.array([overall[name] for name in names], dtype=np.float64)
    prior /= prior.sum()
    by_tag: dict[str, Counter[str]] = {}
    carried: Counter[str] = Counter()
    for item_categories, item_tags in zip(categories, tags, strict=True):
        for tag in {t.casefold() for t in item_tags}:
            carried[tag] += 1
            by_tag.setdefault(tag, Counter()).update(c.casefold() for c in item_categories)
    minimum = max(10, MIN_JUDGED_SHARE * len(categories))
    refused = {tag for tag in carried if _PRODUCTION_NOTE.search(tag)}
    for tag, count in carried.items():
        mix = np.array([by_tag[tag][name] for name in names], dtype=np.float64)
        if count < minimum or not mix.sum() or tag in overall:
            continue
        if _divergence(mix / mix.sum(), prior) < MIN_CATEGORY_LEAN:
            refused.add(tag)
    return frozenset(refused - set(overall))


def _divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence of two distributions (natural log)."""
    m = (p + q) / 2

    def part(a: np.ndarray) -> float:
        mask = a > 0
        return float((a[mask] * np.log(a[mask] / m[mask])).sum())

    return (part(p) + part(q)) / 2


# --- Wording --------------------------------------------------------------------------------

# Words that describe (they go before the noun, comma-separated: "Dark,
# atmospheric horror") rather than name a subject. English adjectives have
# endings that nouns rarely share; the common taste words without one are
# listed. A hyphenated word ("thought-provoking", "slow-burn") describes.
_DESCRIBING_ENDINGS = (
    "ic",
    "al",
    "ical",
    "ous",
    "ful",
    "ive",
    "ish",
    "less",
    "esque",
    "able",
    "ible",
    "ed",
)
# Nouns with an adjective's ending.
_NAMING_EXCEPTIONS = frozenset(
    re.findall(
        r"\S+",
        """
    traffic republic public music magic comic panic mechanic clinic bed animal festival
    journal hospital trial
    signal rival proposal arrival survival ritual carnival funeral capital scandal
    criminal musical cannibal general terminal interval rehearsal betrayal revival
    tribunal metal crystal pedal medal vocal portal arsenal cathedral denial
    """,
    )
)
_DESCRIBING_WORDS = frozenset(
    re.findall(
        r"\S+",
        """
    bad beautiful big bizarre black bleak bloody bright brutal calm cheap cheesy clean
    clever cold cool cozy cosy creepy cult cute dark deep dry dumb easy eerie epic erotic
    fast fun funny gentle good gory great grim gritty happy hard heavy high hilarious hot
    intense light long loud low mad mellow messy modern moody naughty new nice odd old quick
    quiet quirky rare raw real rich sad scary short silly simple slow small smart soft
    sparse steamy strange strong subtle surreal sweet tense thin tiny tough twisty ugly warm
    weird wild witty zany slick smooth crisp sharp dreamy gloomy sleazy spooky trippy campy
    corny goofy nerdy preachy sappy snappy sunny tight vintage vivid wacky accurate white
    red blue green yellow pink purple grey gray brown
        """,
    )
)


def is_describing(label: str) -> bool:
    """Whether a label reads as a describing word ("gory", "thought-provoking",
    "visually appealing") rather than a subject ("first contact", "zombie")."""
    words = label.casefold().split()
    last = words[-1] if words else ""
    if len(words) == 1 and re.fullmatch(r"\w+(-\w+)+", last):
        return True
    if last in _DESCRIBING_WORDS or (len(words) == 2 and words[0] in _DESCRIBING_WORDS):
        return True
    if last in _NAMING_EXCEPTIONS or len(last) < 5:
        return False
    return last.endswith(_DESCRIBING_ENDINGS)


def _forms(word: str) -> set[str]:
    """A word and its singulars ("mysteries" -> mystery, "zombies" -> zombie)."""
    forms = {word}
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.add(word[:-1])
        if len(word) > 4 and word.endswith("ies"):
            forms.add(word[:-3] + "y")
    return forms


def _label_words(text: str) -> list[set[str]]:
    """Each word of a label that names something, as its forms."""
    return [
        _forms(word)
        for word in re.findall(r"[^\W_]+", text.casefold())
        if word not in FUNCTION_WORDS
    ]


def _stems(text: str) -> set[str]:
    """Every form of every word of a label, plurals folded both ways."""
    return {form for forms in _label_words(text) for form in forms}


def _shares_a_word(label: str, others: Iterable[str]) -> bool:
    stems = _stems(label)
    return any(stems & _stems(other) for other in others)


def _lower(label: str) -> str:
    """A label as it reads inside a phrase: lower case, unless it is an acronym."""
    return label if label.isupper() and len(label) > 1 else label.lower()


def _singular(label: str, label_counts: dict[str, int]) -> str:
    """A plural subject as it stands before a noun ("alien sci-fi", not "aliens
    sci-fi"), when the catalog knows the singular as a label of its own."""
    if label.endswith("s") and label[:-1].casefold() in label_counts:
        return label[:-1]
    return label


def _modifier(label: str) -> str:
    """A label as it reads before the noun: a noun phrase joined by hyphens
    ("slow-burn", "amateur-sleuth"), an adverb and its adjective apart
    ("visually appealing")."""
    words = _lower(label).split()
    if len(words) == 2 and is_describing(words[1]):
        return " ".join(words)
    return "-".join(words)


def _compact(label: str) -> bool:
    """A subject short enough to stand before the noun ("zombie", "first-contact")."""
    words = label.split()
    return len(words) <= 2 and not any(w.casefold() in FUNCTION_WORDS for w in words)


@dataclass(frozen=True)
class Description:
    """A group's words and the labels they name (what an example must carry one of)."""

    text: str
    labels: tuple[str, ...]  # casefolded


# A genre must cover this much of a group to head its description, a topic this much.
GENRE_SHARE = 0.4
TOPIC_SHARE = 0.25
MAX_DESCRIBING = 2
# Words before the noun: "Cozy amateur-sleuth mysteries" reads, a longer pile
# does not; a subject that would make it longer follows "about".
MAX_BEFORE = 3


def describe(
    group, label_counts: dict[str, int], catalog_size: int, refused: frozenset[str] = frozenset()
) -> Description | None:
    """A group's description as a person would write it, or None when nothing
    is shared.

    1. The noun: the group's distinctive category ("horror"); a second one
       carried as widely stands before it ("crime drama"). Without one, the
       most shared subject is the noun.
    2. Topics: distinctive tags on ``TOPIC_SHARE`` of the group, none that
       says nothing about taste (``refused``), none sharing a word with the
       noun or with a topic already chosen (no "musical about musical").
    3. Describing words go first, comma-separated ("Dark, atmospheric"); one
       short subject stands before the noun ("zombie horror",
       "first-contact science fiction"); a subject of several words that
       would make that pile too long follows "about" ("science fiction
       about first contact"); a second single word is left out.
    """
    genres = distinctive_labels(
        group, label_counts, catalog_size, top=2, fields=("categories",), min_share=GENRE_SHARE
    )
    genres.sort(key=lambda g: -label_counts.get(g.casefold(), 0))  # the broader one is the noun
    topics: list[str] = []
    for tag in distinctive_labels(
        group, label_counts, catalog_size, top=6, fields=("tags",), min_share=TOPIC_SHARE
    ):
        if tag.casefold() in refused or _shares_a_word(tag, [*genres, *topics]):
            continue
        topics.append(tag)
    if not genres and not topics:
        return None
    nouns = genres or [next((t for t in topics if not is_describing(t)), topics[0])]
    topics = [t for t in topics if t not in nouns]
    describing = [t for t in topics if is_describing(t)][:MAX_DESCRIBING]
    before, after = [], []
    length = sum(len(d.split()) for d in describing)
    for subject in [t for t in topics if not is_describing(t)][:2]:
        if not before and _compact(subject) and length + len(subject.split()) <= MAX_BEFORE:
            before.append(subject)
        elif not after and len(subject.split()) > 1:
            # "about first contact" reads; "guitar strings about mic" does not.
            after.append(subject)
    words = [", ".join(_modifier(d) for d in describing)] if describing else []
    words += [_modifier(_singular(s, label_counts)) for s in before]
    words.append(_noun(group, nouns[:2]))
    text = " ".join(words) + (f" about {_lower(after[0])}" if after else "")
    named = [*describing, *before, *nouns[:2], *after]
    return Description(text[0].upper() + text[1:], tuple(label.casefold() for label in named))


def _noun(group, nouns: list[str]) -> str:
    """One noun, or two: "crime drama" when the items carry both, "cables and
    effects pedals" when each carries one."""
    if len(nouns) == 1:
        return _lower(nouns[0])
    both = sum(
        1
        for item, _ in group
        if _carries(item, [nouns[0].casefold()]) and _carries(item, [nouns[1].casefold()])
    )
    either = sum(1 for item, _ in group if _carries(item, [n.casefold() for n in nouns]))
    if 2 * both >= either:
        return f"{_lower(nouns[1])} {_lower(nouns[0])}"
    return f"{_lower(nouns[0])} and {_lower(nouns[1])}"


def _carried(item: RatedItem, labels: Iterable[str]) -> int:
    own = {label.casefold() for label in (*item.categories, *item.tags)}
    return sum(1 for label in labels if label in own)


def _carries(item: RatedItem, labels: Iterable[str]) -> bool:
    own = {label.casefold() for label in (*item.categories, *item.tags)}
    return any(label in own for label in labels)


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


def _described(groups: list[Group], smallest: int, words) -> tuple[list, Group]:
    """Each group with its description and the members that carry a label it
    names; the rest (and groups nothing describes) are left over."""
    lines, left = [], []
    for group in groups:
        description = words(group) if len(group) >= smallest else None
        # Examples carry most of what the words name ("death sentence" as
        # well as "drama"); the order is the centre's within a tie.
        kept = sorted(
            (m for m in group if description and _carries(m[0], description.labels)),
            key=lambda m: -_carried(m[0], description.labels),
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

    def examples(self) -> list[str]:
        """The titles its text quotes as examples, in order."""
        at = self.text.rfind(" (e.g. ")
        return re.findall(r"“([^”]*)”", self.text[at:]) if at >= 0 else []


def _named(text: str, members: Group) -> tuple[str, ...]:
    """The labels of ``members`` that the words ``text`` name (every word of
    the label is there, plurals folded): what a member must carry to belong."""
    words = _stems(text)
    labels = {label.casefold() for item, _ in members for label in (*item.categories, *item.tags)}
    return tuple(
        sorted(
            label
            for label in labels
            if (forms := _label_words(label)) and all(form & words for form in forms)
        )
    )


def _kept_lines(
    members: Group, previous: Sequence[PreviousLine]
) -> tuple[list[tuple[Description, Group]], Group]:
    """The previous lines whose groups are still there, and what none of them holds.

    1. A member belongs to a previous line when it carries a label the line's
       words name: the line that held it before, if it still fits; else,
       among several, the line whose current members' centre is nearest.
       The examples its text shows stay first (so they stay shown).
    2. A line keeps its words (its identity) while it holds at least
       ``MIN_ITEMS_PER_STATEMENT`` members (one, for someone with a single
       positive); one left with fewer is gone, and
       its members go back to the pool, as does every member no line holds.
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
        fits = [n for n, (_, named) in enumerate(lines) if _carries(item, named)]
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
        shown = {title: n for n, title in enumerate(line.examples())}
        centre = np.sum([item.vector for item, _ in group], axis=0)
        group.sort(
            key=lambda m: (
                shown.get(m[0].title, len(shown)),
                -_carried(m[0], named),
                -float(m[0].vector @ centre),
            )
        )
        kept.append((Description(line.embedded_text, named), group))
    return kept, pool


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
    3. Two groups described alike are one line.
    4. Every positive joins the line whose words name a label it carries
       (``_kept_lines``): the lines are what the next run would keep.
    """
    smallest = min(MIN_ITEMS_PER_STATEMENT, len(members))
    everyone = members
    lines, members = _kept_lines(members, previous) if previous else ([], members)
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
    merged: dict[str, tuple[Description, Group]] = {}
    for description, group in lines:
        if description.text in merged:
            group = merged[description.text][1] + group
        merged[description.text] = (description, group)
    # Settle: every positive joins the line whose words name a label it
    # carries, as the next run will place it (``_kept_lines``), so writing
    # again from the same ratings changes nothing.
    settled = [
        PreviousLine(
            d.text,
            polarity,
            tuple(item.item_id for item, _ in group),
            f"{d.text} {example_list(item.title for item, _ in group[:EXEMPLARS])}",
        )
        for d, group in merged.values()
    ]
    return _kept_lines(everyone, settled)[0]


def example_list(titles: Iterable[str]) -> str:
    """Titles set apart by quotes, so that a title with a comma reads as one."""
    return "(e.g. " + ", ".join(f"“{title}”" for title in titles) + ")"


def _statement(polarity: str, description: Description, group: Group, weight: float):
    return GeneratedStatement(
        text=f"{description.text} {example_list(item.title for item, _ in group[:EXEMPLARS])}",
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
) -> list[GeneratedStatement]:
    """Statements for one person, likes first, each with its evidence.

    1. Split the signals into positive and negative items (recency-weighted).
    2. Group each side's items and describe each group as a person would
       ("Dark, atmospheric zombie horror", ``describe``); a member that
       carries none of the labels the words name is left to another group
       or to ungrouped history, so every example belongs (``_lines``).
    3. Name the items nearest each group's centre as examples, and keep the
       group as evidence. An Avoids line needs dislikes consistent enough
       (``avoid_strength``) and words that tell it apart from every Likes
       line: "Horror" liked and avoided would say nothing.
    With ``previous`` lines, a regeneration keeps each line whose group is
    still there (its words stay, new members join it) and adds or removes a
    line only when the history says so. Lines that stay keep their places;
    otherwise larger groups come first.
    """
    positives, negatives = split_signals(signals)
    statements: list[GeneratedStatement] = []
    liked: list[frozenset[str]] = []

    def words(group: Group) -> Description | None:
        return describe(group, label_counts, catalog_size, refused)

    for polarity, members in ((LIKE, positives), (AVOID, negatives)):
        if not members:
            continue
        lines = []
        earlier = [line for line in previous if line.polarity == polarity]
        for description, group in _lines(members, polarity, seed, words, earlier):
            weight = 1.0
            if polarity == AVOID:
                weight = avoid_strength(group, positives, label_counts, catalog_size)
                if weight is None or any(set(description.labels) <= like for like in liked):
                    continue
            else:
                liked.append(frozenset(description.labels))
            lines.append(
                (sum(w for _, w in group), _statement(polarity, description, group, weight))
            )
        # Lines that stay keep their places; new ones follow, larger first.
        place = {line.embedded_text: n for n, line in enumerate(earlier)}
        lines.sort(key=lambda pair: (place.get(pair[1].embedded_text, len(place)), -pair[0]))
        statements.extend(statement for _, statement in lines)
    return statements
