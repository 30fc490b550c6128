"""How a group of rated items reads: which labels to name, and in what words.

Plain Python, no Django. ``describe`` turns a group of a person's items into
a phrase a person would write about themselves ("Dark, atmospheric zombie
horror"); ``non_taste_labels`` finds the tags that say nothing about taste
from how they spread over the catalog. The profile writer
(engine.profile_generation) groups the items and calls these.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from engine.grounding import FUNCTION_WORDS

LABELS_PER_STATEMENT = 3
_NO_CASES: Mapping[str, str] = {}


class Labelled(Protocol):
    """A rated item as far as its words go (engine.profile_generation.Labelled)."""

    categories: tuple[str, ...]
    tags: tuple[str, ...]


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
    members: Sequence[tuple[Labelled, float]],
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
        for label in {label for name in fields for label in getattr(item, name)}:
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
       item was made (``_PRODUCTION_NOTE``). A category's own name never is
       by its spread, only by its words ("IMAX").
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
    # A category that names how items were made ("IMAX") is refused by its
    # words like a tag; any other category's spread is its own, not a note's.
    made = {name for name in overall if _PRODUCTION_NOTE.search(name)}
    return frozenset(refused - set(overall)) | made


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


def label_words(text: str) -> list[set[str]]:
    """Each word of a label that names something, as its forms."""
    return [
        _forms(word)
        for word in re.findall(r"[^\W_]+", text.casefold())
        if word not in FUNCTION_WORDS
    ]


def stems(text: str) -> set[str]:
    """Every form of every word of a label, plurals folded both ways."""
    return {form for forms in label_words(text) for form in forms}


def _shares_a_word(label: str, others: Iterable[str]) -> bool:
    """Whether ``label`` says a word of ``others`` again, or its short form
    ("mic" and "microphones", "amp" and "amplifiers")."""
    own = stems(label)
    return any(
        own & (theirs := stems(other))
        or any(_shortens(a, b) or _shortens(b, a) for a in own for b in theirs)
        for other in others
    )


def _shortens(short: str, word: str) -> bool:
    """Whether ``short`` is a clipped form of ``word`` (its first three or more letters)."""
    return 3 <= len(short) < len(word) and word.startswith(short)


def _lower(label: str, cased: Mapping[str, str] = _NO_CASES) -> str:
    """A label as it reads inside a phrase: each word lower case, unless it is
    an acronym or the catalog's own prose writes it otherwise ("USA",
    "Disney": ``cased_words``)."""
    return re.sub(
        r"[^\W_]+",
        lambda m: (
            m[0] if m[0].isupper() and len(m[0]) > 1 else cased.get(m[0].casefold(), m[0].lower())
        ),
        label,
    )


def _singular(label: str, label_counts: dict[str, int]) -> str:
    """A plural subject as it stands before a noun ("alien sci-fi", not "aliens
    sci-fi"), when the catalog knows the singular as a label of its own."""
    if label.endswith("s") and label[:-1].casefold() in label_counts:
        return label[:-1]
    return label


def _modifier(label: str, cased: Mapping[str, str] = _NO_CASES) -> str:
    """A label as it reads before the noun: a noun phrase joined by hyphens
    ("slow-burn", "amateur-sleuth"), an adverb and its adjective apart
    ("visually appealing")."""
    words = _lower(label, cased).split()
    if len(words) == 2 and is_describing(words[1]):
        return " ".join(words)
    return "-".join(words)


# Abstract nouns: a theme, which English puts after "about" ("crime thriller
# about violence", "drama about loneliness"), not before the noun as a kind
# ("violence crime thriller"). Known by their endings; the nouns with such an
# ending that name a kind or a thing are listed.
_THEME_ENDINGS = ("ence", "ance", "ness", "ism", "hood", "dom")
_THEME_EXCEPTIONS = frozenset(
    """romance dance ambulance science audience sentence province residence conference
    instance appliance entrance fragrance kingdom freedom""".split()  # noqa: SIM905
)
THEME_MIN_LENGTH = 7  # "fence", "dance": short words with the ending are things


def is_theme(label: str) -> bool:
    """Whether a one-word subject is an abstract noun ("violence", "loneliness")."""
    word = label.casefold()
    return (
        " " not in word
        and len(word) >= THEME_MIN_LENGTH
        and word.endswith(_THEME_ENDINGS)
        and word not in _THEME_EXCEPTIONS
    )


def _compact(label: str) -> bool:
    """A subject short enough to stand before the noun ("zombie", "first-contact")."""
    words = label.split()
    return len(words) <= 2 and not any(w.casefold() in FUNCTION_WORDS for w in words)


@dataclass(frozen=True)
class Description:
    """A group's words and the labels they name (what an example must carry one of)."""

    text: str
    labels: tuple[str, ...]  # casefolded
    # Each part of the words a fitting example carries (one label of each):
    # "Hobbit fantasy" is hobbit and fantasy, not either.
    parts: tuple[tuple[str, ...], ...] = ()
    # How much the words say: 0 a list of kinds, 1 genres alone, 2 a genre or
    # subject with words of its own (a regeneration may trade up, never down).
    rank: int = 2
    # The words a regeneration replaced (the same line, reworded), if any.
    was: str = ""

    def fit(self, item: "Labelled") -> int:
        """How many of the words' parts ``item`` carries."""
        return sum(1 for part in self.parts if carries(item, part))


# A genre must cover this much of a group to head its description, a topic this much.
GENRE_SHARE = 0.4
TOPIC_SHARE = 0.25
# A tag is a taste of the group only when enough of its members carry it: a
# third of them (by count, whatever their recency), and three once the group
# has more than three. Two films of a dozen tagged "monkey", or two of three
# tagged "explosion", are a coincidence of the catalog's tags, not what the
# person likes ("Monkey drama and comedy", "Explosion crime drama").
MIN_TOPIC_MEMBERS_SHARE = 1 / 3
MIN_TOPIC_MEMBERS = 3
# A subject the catalog writes as a name ("Hobbit", "Piglet", "Kingdom") is
# one story's, not a kind of story: it leads a line only when most of the
# group carries it ("Hobbit fantasy" for a group of Tolkien films, not for
# a group of fantasy that holds two).
MIN_NAME_SHARE = 0.5
MAX_DESCRIBING = 2
# Words before the noun: "Cozy amateur-sleuth mysteries" reads, a longer pile
# does not; a subject that would make it longer follows "about".
MAX_BEFORE = 3
# Plural nouns for people that stand before another noun as possessives:
# "children's animation", not "animation children" (English grammar, not a
# catalog's words).
_PEOPLE_PLURALS = {"children": "children's", "men": "men's", "women": "women's", "kids": "kids'"}


def describe(
    group,
    label_counts: dict[str, int],
    catalog_size: int,
    refused: frozenset[str] = frozenset(),
    cased: Mapping[str, str] = _NO_CASES,
) -> Description | None:
    """A group's description as a person would write it, or None when nothing
    is shared.

    1. The noun: the group's distinctive category ("horror"); a second one
       stands before it when most of the group carries both ("crime
       drama"). A group split between two genres is named by the one more
       of it carries: the members of the other leave it (no "Drama and
       comedy"). Without a genre, the most shared subject is the noun; a
       describing word alone is no line ("Predictable").
    2. Topics: distinctive tags on ``TOPIC_SHARE`` of the group, none that
       says nothing about taste (``refused``), none sharing a word with the
       noun or with a topic already chosen (no "musical about musical"), a
       name only on most of the group (``MIN_NAME_SHARE``); each word only
       when two members (one of a one-item group) carry it with all the
       words before it, so an example shows the whole line.
    3. Describing words go first, comma-separated ("Dark, atmospheric"); one
       short subject stands before the noun ("zombie horror",
       "first-contact science fiction"); a subject of several words that
       would make that pile too long, or an abstract one (``is_theme``),
       follows "about" ("science fiction about first contact", "crime
       thriller about violence"); a second single word is left out.
    """
    genres = _genres(group, label_counts, catalog_size, refused)
    topics = _topics(group, label_counts, catalog_size, refused, cased, genres)
    nouns = genres or [t for t in topics if not is_describing(t)][:1]
    if not nouns:
        return None
    topics = [t for t in topics if t not in nouns]
    # Each word the line says must be on an example together with the rest:
    # the nouns first, then subjects, then describing words.
    chosen = list(nouns)
    for topic in [*(t for t in topics if not is_describing(t)), *filter(is_describing, topics)]:
        if _together(group, [*chosen, topic]) >= min(2, len(group)):
            chosen.append(topic)
    describing = [t for t in chosen if t in topics and is_describing(t)][:MAX_DESCRIBING]
    before, after = [], []
    length = sum(len(d.split()) for d in describing)
    for subject in [t for t in chosen if t in topics and not is_describing(t)][:2]:
        fits = length + len(subject.split()) <= MAX_BEFORE
        if not before and _compact(subject) and not is_theme(subject) and fits:
            before.append(subject)
        elif not after and (len(subject.split()) > 1 or is_theme(subject)):
            # "about first contact" reads; "guitar strings about mic" does not.
            after.append(subject)
    words = [", ".join(_modifier(d, cased) for d in describing)] if describing else []
    words += [_modifier(_singular(s, label_counts), cased) for s in before]
    words.append(_noun(nouns, cased))
    text = " ".join(words) + (f" about {_lower(after[0], cased)}" if after else "")
    named = [*describing, *before, *nouns, *after]
    return Description(
        text[0].upper() + text[1:],
        tuple(label.casefold() for label in named),
        tuple((label.casefold(),) for label in named),
        rank=2 if (describing or before or after or not genres) else 1,
    )


def _together(group, labels: list[str]) -> int:
    """How many members carry every one of ``labels``."""
    keys = [label.casefold() for label in labels]
    return sum(1 for item, _ in group if all(carries(item, [key]) for key in keys))


def _genres(group, label_counts, catalog_size, refused) -> list[str]:
    """The group's genres, the broader first: two only when most of the
    group's members that carry either carry both ("crime drama")."""
    genres = [
        genre
        for genre in distinctive_labels(
            group, label_counts, catalog_size, top=3, fields=("categories",), min_share=GENRE_SHARE
        )
        if genre.casefold() not in refused
    ][:2]
    if len(genres) == 2:
        keys = [g.casefold() for g in genres]
        both = sum(1 for item, _ in group if all(carries(item, [k]) for k in keys))
        either = sum(1 for item, _ in group if carries(item, keys))
        if 2 * both < either:
            # Split between two genres: the one more of the group carries.
            genres = [max(genres, key=lambda g: _carriers(group, g))]
    genres.sort(key=lambda g: -label_counts.get(g.casefold(), 0))  # the broader one is the noun
    return genres


def _topics(group, label_counts, catalog_size, refused, cased, genres) -> list[str]:
    topics: list[str] = []
    for tag in distinctive_labels(
        group, label_counts, catalog_size, top=6, fields=("tags",), min_share=TOPIC_SHARE
    ):
        if tag.casefold() in refused or _shares_a_word(tag, [*genres, *topics]):
            continue
        if not _widely_carried(tag, group):
            continue
        if _is_name(tag, cased) and _carriers(group, tag) <= MIN_NAME_SHARE * len(group):
            continue
        topics.append(tag)
    return topics


def _carriers(group, label: str) -> int:
    return sum(1 for item, _ in group if carries(item, [label.casefold()]))


def _is_name(label: str, cased: Mapping[str, str]) -> bool:
    """Whether the catalog's prose writes a word of ``label`` as a name."""
    return any(
        cased.get(word.casefold(), word.casefold())[:1].isupper()
        for word in re.findall(r"[^\W\d_]+", label)
    )


def _widely_carried(tag: str, group) -> bool:
    """Whether enough of the group carries ``tag`` for it to be a taste
    (MIN_TOPIC_MEMBERS_SHARE, and MIN_TOPIC_MEMBERS of a larger group). A
    one-item group is a person's one positive: its own tags are all there is."""
    carriers = _carriers(group, tag)
    least = MIN_TOPIC_MEMBERS if len(group) > MIN_TOPIC_MEMBERS else min(2, len(group))
    return carriers >= max(least, MIN_TOPIC_MEMBERS_SHARE * len(group))


def _noun(nouns: list[str], cased: Mapping[str, str]) -> str:
    """One noun, or two a group carries together ("crime drama"); a plural
    for people stands first as a possessive ("children's animation")."""
    names = [_lower(noun, cased) for noun in nouns]
    people = [n for n in names if n.casefold() in _PEOPLE_PLURALS]
    if people:
        owner = _PEOPLE_PLURALS[people[0].casefold()]
        rest = [n for n in names if n != people[0]]
        return f"{owner} {rest[0]}" if rest else f"{owner} titles"
    if len(names) == 1:
        return names[0]
    return f"{names[1]} {names[0]}"


def carried_count(item: Labelled, labels: Iterable[str]) -> int:
    own = {label.casefold() for label in (*item.categories, *item.tags)}
    return sum(1 for label in labels if label in own)


def carries(item: Labelled, labels: Iterable[str]) -> bool:
    own = {label.casefold() for label in (*item.categories, *item.tags)}
    return any(label in own for label in labels)


# --- Names as the catalog writes them ---------------------------------------------------------

# A word is written as a name ("USA", "Disney", "Shakespeare") when the
# catalog's prose writes it that way at least this share of the times it
# stands inside a sentence, and at least MIN_CASED_SEEN times: a sentence's
# first word is capitalised whatever it is, so it says nothing.
NAME_SHARE = 0.8
MIN_CASED_SEEN = 3
_SENTENCE_START = re.compile(r"(^|[.!?:;\"“(\n]\s*)$")


def cased_words(prose: Iterable[str], labels: Iterable[str]) -> dict[str, str]:
    """Each word of ``labels`` that the catalog's own prose (descriptions, not
    titles, which capitalise every word) writes as a name, in its usual form.

    1. Every word of every label, casefolded, is a candidate.
    2. In the prose, each candidate word inside a sentence (not its first
       word) counts under the form it is written in.
    3. A word written other than in lower case NAME_SHARE of the time is a
       name; its most common such form is how a line writes it.
    """
    vocabulary = {word.casefold() for label in labels for word in re.findall(r"[^\W_]+", label)}
    seen: dict[str, Counter[str]] = {}
    for text in prose:
        for match in re.finditer(r"[^\W\d_]+", text):
            word = match[0]
            key = word.casefold()
            if key not in vocabulary or _SENTENCE_START.search(text[: match.start()][-3:]):
                continue
            seen.setdefault(key, Counter())[word] += 1
    names = {}
    for key, forms in seen.items():
        total = sum(forms.values())
        written = Counter({form: n for form, n in forms.items() if form != key})
        if total >= MIN_CASED_SEEN and written.total() >= NAME_SHARE * total:
            names[key] = max(written, key=lambda form: (written[form], form))
    return names


def prose_of(item_text: str) -> str:
    """The description in an item's embedded text (catalog.text.item_text):
    its lines after the title that are not the category or tag lists."""
    lines = item_text.split("\n")[1:]
    return "\n".join(line for line in lines if not line.startswith(("Categories: ", "Tags: ")))


# --- One person's words -----------------------------------------------------------------------

# A line gathering items that are each alone in their kind names at most
# this many kinds: "Tuners, amplifiers and capos" reads, a longer list does not.
MAX_KINDS = 3


@dataclass(frozen=True)
class Wording:
    """What the writer knows of the catalog's words, for describing groups."""

    label_counts: dict[str, int]
    catalog_size: int
    refused: frozenset[str] = frozenset()
    cased: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, group) -> Description | None:
        return describe(group, self.label_counts, self.catalog_size, self.refused, self.cased)

    def most_shared(self, group, tried: set[str]) -> str | None:
        """The category (casefolded) most of ``group`` carries, on at least
        two, the rarer in the catalog on a tie; none of ``tried``. A tag two
        leftovers share ("tension") is a coincidence more often than a taste."""
        carried: Counter[str] = Counter()
        for item, _ in group:
            own = {label.casefold() for label in item.categories}
            carried.update(label for label in own - self.refused - tried if is_topic_label(label))
        ranked = [
            (count, -self.label_counts.get(label, 0), label)
            for label, count in carried.items()
            if count >= 2
        ]
        return max(ranked)[2] if ranked else None

    def kinds(self, group, history=None) -> Description | None:
        """The categories most of ``group`` carries, named together
        ("Tuners, amplifiers and capos"), at most MAX_KINDS; only where most
        of the person's items (``history``) are of one kind each (things
        bought). Where items mix several genres, three films listed by genre
        are no taste: "Documentary, musical and horror"."""
        items = history or group
        mixed = sum(1 for item, _ in items if len({c.casefold() for c in item.categories}) > 1)
        if 2 * mixed > len(items):
            return None
        carried: Counter[str] = Counter()
        display: dict[str, str] = {}
        for item, _ in group:
            for category in {
                c for c in item.categories if is_topic_label(c) and c.casefold() not in self.refused
            }:
                carried[category.casefold()] += 1
                display.setdefault(category.casefold(), category)
        chosen = sorted(
            carried, key=lambda key: (-carried[key], self.label_counts.get(key, 0), key)
        )
        chosen = chosen[:MAX_KINDS]
        if len(chosen) < 2:
            return None
        names = [_lower(display[key], self.cased) for key in chosen]
        # "Cases and bags, picks, and straps": a serial comma keeps a name
        # with its own "and" whole.
        last = ", and " if any(" and " in name for name in names) else " and "
        text = ", ".join(names[:-1]) + last + names[-1]
        return Description(text[0].upper() + text[1:], tuple(chosen), (tuple(chosen),), rank=0)
