"""The catalog label a profile line names, in the words people use for it or by meaning.

``scoring.category_label`` matches a line that is exactly a category's name
("Horror", "westerns"). People wrap the name in words that only say which
kind of item they mean: "horror films", "mystery novels", "jazz albums",
"programming courses". Those words are dropped before the exact match, and
nothing else is: "horror with a cooking twist" names no category (its
meaning still acts, engine.scoring), because a label match removes or brings
in a whole category and must be what the person said.

A line whose topic, format words aside, is one word that is not a label's
name ("cookbooks", "animated films", "whodunits") is matched by meaning:
the word's embedding against each label name's, acting only on a clear
match (``meaning_match``). A word near a label but not clearly is shown
beside the line as a possible reading, never acted on.
"""

import re
import string
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine import scoring
from engine.encoder import EncoderUnavailable
from profiles import phrasing
from profiles.parser import AVOID, CONCEPT_OFF, CONCEPT_SEP, TAG_PREFIX, concept_labels

# Words that name a kind of item or stand for "things", in the domains the
# catalog holds (films, books, music, courses, podcasts, games, recipes),
# and words that say how good, not what: never a topic on their own ("a
# clever whodunit" is a whodunit, "photography workshops" photography).
FORMAT_WORDS = frozenset(
    """
    film films movie movies flick flicks cinema picture pictures feature features show shows
    series tv programme programmes program programs episodes episode season seasons book books
    novel novels read reads fiction literature writing story stories tale tales title titles
    volume volumes comic comics collection collections anthology anthologies compilation
    compilations saga sagas trilogy trilogies ebook ebooks paperback paperbacks music song songs
    track tracks album albums record records tune tunes band bands artist artists playlist
    playlists sound sounds vinyl lp lps listen listens watch watches course courses class
    classes lesson lessons lecture lectures tutorial tutorials module modules training workshop
    workshops seminar seminars webinar webinars bootcamp bootcamps masterclass masterclasses
    certificate certificates reading readings podcast podcasts audiobook audiobooks game games
    videogame videogames recipe recipes stuff things thing ones one kind kinds type types genre
    genres style good great nice decent solid proper clever smart excellent brilliant fantastic
    amazing awesome wonderful terrific superb quality fine favourite favorite beloved
    well-made well-written well-crafted top-notch any some all more the a an of
    definitely absolutely especially mainly mostly really just only always also
    """.split()  # noqa: SIM905
)
# Words that only say how, who or when, never what: taken off a topic's ends
# with the format words before its words are compared with the labels' names
# ("thanks on westerns", "to get better at photography").
STOP_WORDS = frozenset(
    """
    i i'm i've i'd me my we our us you your it its to at on in for with about into of by from
    get getting got better want wanna need needs would could should will can do does did be
    been being am is are was were have has had thanks thank please tbh happily honestly
    really so too very much another other others this that these those there here then
    again anymore lately ever never not no none any less fewer every each and or but stuff
    lot lots bit little start started starting try trying like love enjoy learn learning
    see watch read hear listen play which who where when what make makes made me out
    """.split()  # noqa: SIM905
)
Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> unit vectors, one row each
_EDGES = string.punctuation + string.whitespace
# What the items are for, or when: "classical for focusing", "reggae on summer
# evenings", "audiobooks on long drives".
_PURPOSE = re.compile(
    r"\s+(?:for\s+\w+ing|while|when|during|to\s+(?:fall asleep|relax|study)"
    r"|(?:on|at|in|over|before|after)\s+(?:(?:the|a|an|every|my|our|lazy|long|rainy|sunny|summer"
    r"|winter|cold|quiet|slow|late|early|weekend|holiday|sunday|saturday)\s+){0,3}"
    r"(?:days?|nights?|evenings?|mornings?|afternoons?|weekends?|holidays?|vacations?|trips?"
    r"|flights?|drives?|commutes?|sundays?|saturdays?|fridays?|bedtime|bed|breakfast|dinner"
    r"|lunch|work|the gym|the train|the bus|the road|the beach|road trips?))\b",
    re.I,
)
# What a course is called before its subject: "intro to machine learning".
_COURSE_OF = re.compile(
    r"^(?:an?\s+|the\s+)?(?:beginners?'?\s+|advanced\s+)?(?:intro|introduction|basics|fundamentals"
    r"|foundations|principles|essentials|crash course|course|class|lessons?|masterclass"
    r"|primer)\s+(?:to|of|in|on)\s+",
    re.I,
)


def _is_format(word: str) -> bool:
    return word.strip(_EDGES).casefold() in FORMAT_WORDS


def _is_trim(word: str) -> bool:
    """A word a topic's ends lose before a name is looked for: format or stop word."""
    word = word.strip(_EDGES).casefold()
    return word in FORMAT_WORDS or word in STOP_WORDS


def _cores(words: list[str]) -> list[str]:
    """The topic with format words taken off its ends, one at a time from the
    end: "science fiction novels" tries "science fiction" before "science"."""
    start = 0
    while start < len(words) and _is_trim(words[start]):
        start += 1
    cores, end = [], len(words)
    while end > start:
        if (start, end) != (0, len(words)):
            cores.append(" ".join(words[start:end]))
        if not _is_trim(words[end - 1]):
            break
        end -= 1
    return cores


def line_label(
    topic: str,
    index: Mapping[str, str],
    encode: Encode | None = None,
    tags: Mapping[str, str] | None = None,
    nearest: "Nearest | None" = None,
) -> str:
    """The label ``topic`` (a line's embedded text) names, or "" when none clearly.

    1. The whole topic is a category's name (``scoring.category_label``).
    2. Else the topic with format words taken off its ends ("horror films"
       -> "horror", "good old westerns" stays unmatched: "old" is a topic
       word), a possessive too ("children's films" -> Children).
    3. Else the same for a common tag of the catalog (``tags``, a
       ``scoring.category_index`` of them): "zombie films" -> "tag:zombie".
    4. Else a one-word topic whose meaning is clearly one category's
       (``meaning_match``); ``encode``: texts to unit vectors, the process's
       encoder when None.
    5. Else, with ``nearest`` (the catalog items nearest a topic), the
       category those items clearly vote for (``meaning_label``).
    """
    return word_label(topic, index, tags) or meaning_label(topic, index, encode, nearest).label


# "jazz and blues", "westerns, war films", "rock & metal": topics joined.
_JOINED = re.compile(r"\s*(?:,|&|\+|/|\band\b|\bor\b|\bplus\b)\s*", re.I)


_NARROWING = frozenset(
    """especially particularly mostly mainly mainly ideally preferably like such e.g. eg
    not but except only just above""".split()  # noqa: SIM905
)


def line_labels(
    topic: str,
    index: Mapping[str, str],
    encode: Encode | None = None,
    tags: Mapping[str, str] | None = None,
    nearest: "Nearest | None" = None,
) -> tuple[str, ...]:
    """The labels ``topic`` names: ``line_label``'s one, or, for topics joined
    by "and", "or", "&" or commas ("jazz and blues"), each part's when every
    part names one (by its words or clearly by meaning). A part that names
    none ("rock and roll": "roll") leaves the whole unlabelled: its words may
    be one name, or narrow the other part."""
    label = line_label(topic, index, encode, tags, nearest)
    if label:
        return (label,)
    parts = [p.strip(_EDGES) for p in _JOINED.split(_core(topic) or topic)]
    parts = [p for p in parts if p and not all(_is_trim(w) for w in p.split())]
    # "classical, especially piano": a part that narrows the others names no label of its own.
    narrows = any(p.split()[0].casefold() in _NARROWING for p in parts[1:])
    if narrows or not 2 <= len(parts) <= MAX_PARTS:
        return ()
    found = [line_label(part, index, encode, tags) for part in parts]
    if not all(found):
        return ()
    return tuple(dict.fromkeys(found))


def acting_labels(
    draft,
    index: Mapping[str, str],
    tags: Mapping[str, str] | None = None,
    nearest: "Nearest | None" = None,
) -> tuple[str, ...]:
    """Every label a line (anything with ``embedded_text`` and ``concept``) acts on.

    The person's choice first (``concept``: CONCEPT_OFF none, else the labels
    chosen, one or several joined by CONCEPT_SEP, those the catalog still
    has), else what its words name (``line_labels``): "jazz and blues" acts
    on Jazz and on Blues, "no horror or gore" removes both.
    """
    concept = getattr(draft, "concept", "")
    if concept == CONCEPT_OFF:
        return ()
    chosen = tuple(label for label in concept_labels(concept) if known_label(label, index, tags))
    if chosen:
        return chosen
    # An avoid removes every item of its label, and the nearest items read a
    # narrower topic as its whole category as readily as a synonym ("zombie
    # films" -> Horror: 21 of the corpus's 122 lines with no label got one on
    # ml-latest-small, bench/label_vote.py): on an Avoids line the items'
    # reading is offered beside the line, one click away, and not acted on.
    if getattr(draft, "polarity", "") == AVOID:
        nearest = None
    return line_labels(draft.embedded_text, index, tags=tags, nearest=nearest)


def acting_label(
    draft,
    index: Mapping[str, str],
    tags: Mapping[str, str] | None = None,
    nearest: "Nearest | None" = None,
) -> str:
    """The first label a line acts on (``acting_labels``), or ""."""
    return next(iter(acting_labels(draft, index, tags, nearest)), "")


def known_label(label: str, index: Mapping[str, str], tags: Mapping[str, str] | None) -> bool:
    """Whether the catalog has ``label``: a category's name, or TAG_PREFIX and a common tag."""
    if label.startswith(TAG_PREFIX):
        return label.removeprefix(TAG_PREFIX) in set((tags or {}).values())
    return label in set(index.values())


def label_words(label: str) -> str:
    """ "Romance (category)", "zombie (tag)"."""
    if label.startswith(TAG_PREFIX):
        return f"{label.removeprefix(TAG_PREFIX)} (tag)"
    return f"{label} (category)"


def labels_words(labels: Sequence[str]) -> str:
    """ "Romance (category)", "Romance, Musical (categories)", "Horror (category),
    gore (tag)": what a line acts on, as the page shows it."""
    if len(labels) == 1:
        return label_words(labels[0])
    if all(label.startswith(TAG_PREFIX) for label in labels):
        return ", ".join(label.removeprefix(TAG_PREFIX) for label in labels) + " (tags)"
    if not any(label.startswith(TAG_PREFIX) for label in labels):
        return ", ".join(labels) + " (categories)"
    return ", ".join(label_words(label) for label in labels)


def word_label(topic: str, index: Mapping[str, str], tags: Mapping[str, str] | None = None) -> str:
    """Steps 1 to 3 of ``line_label``: the label the topic's words name."""
    label = _named(topic, index) if index else ""
    if not label and tags:
        tag = _named(topic, tags)
        label = TAG_PREFIX + tag if tag else ""
    return label


def _named(topic: str, index: Mapping[str, str]) -> str:
    """The label ``topic``'s words name; a topic said in parts ("history,
    definitely history") names one when every part names the same."""
    parts = [part for part in topic.split(",") if part.strip(_EDGES)]
    if len(parts) > 1:
        found = {_named_whole(part.strip(), index) for part in parts[:MAX_PARTS]}
        return found.pop() if len(found) == 1 and len(parts) <= MAX_PARTS else ""
    return _named_whole(topic, index)


MAX_PARTS = 4


def _named_whole(topic: str, index: Mapping[str, str]) -> str:
    topic = _COURSE_OF.sub("", topic, count=1) or topic
    # What the items are for is not what they are: "classical for focusing".
    what = _PURPOSE.split(topic, maxsplit=1)[0]
    for core in [
        topic,
        *_cores(topic.split()),
        *([what, *_cores(what.split())] if what != topic else []),
    ]:
        core = core.removesuffix("'s").removesuffix("\u2019s")
        # "film noir" and "Film-Noir", "hip hop" and "Hip-Hop" are one name;
        # "zombies" is a zombie's plural, as "comedies" a comedy's.
        plural = (core[:-1],) if core.casefold().endswith("ies") else ()
        for name in (core, core.replace(" ", "-"), core.replace("-", " "), *plural):
            label = scoring.category_label(name, index)
            if label:
                return label
    return ""


# A one-word topic acts on the label whose name's embedding is nearest, when
# the cosine is at least MEANING_MIN and beats the runner-up by MEANING_MARGIN;
# from NEAR_MIN up it is shown as a possible reading. Measured on
# tests/phrase_corpus.py with all-MiniLM-L6-v2 (both parts were seen while
# choosing): one-word topics that name no label mostly sit below 0.65 or
# under 0.1 of margin ("violence": War 0.63, margin 0.00; "zombies": 0.53),
# those that mean one ("cookbooks": Cooking 0.63, margin 0.22; "animated":
# Animation 0.85, 0.35) above both.
MEANING_MIN = 0.6
MEANING_MARGIN = 0.2
NEAR_MIN = 0.5


@dataclass(frozen=True)
class LabelMatch:
    label: str = ""  # the label the topic clearly means: acted on
    near: str = ""  # the label it may mean, not clearly: shown, not acted on


def _core(topic: str) -> str:
    """The topic without what the items are for and without format words at its ends."""
    words = _PURPOSE.split(topic, maxsplit=1)[0].split()
    while words and _is_trim(words[0]):
        words = words[1:]
    while words and _is_trim(words[-1]):
        words = words[:-1]
    return " ".join(words).strip(_EDGES).removesuffix("'s").removesuffix("\u2019s")


def meaning_words(topic: str, index: Mapping[str, str]) -> list[str]:
    """The words of ``topic`` its meaning is read from: none, one or a few.

    A one-word topic (format words aside) is its word. A topic whose head is a
    kind of item, named by what it is about or is like ("books that make me
    laugh", "bedtime stories for toddlers", "films about aliens"), is read
    from its other words, when there are at most MAX_MEANING_WORDS and none
    is a label's own name. A topic that qualifies a word ("epic battles",
    "cozy mysteries") is a part of a label, never all of it: none.
    """
    core = _core(topic)
    if not any(c.isalpha() for c in core):
        return []
    if len(core.split()) == 1:
        return [core.casefold()]
    words = [w.strip(_EDGES).casefold() for w in _PURPOSE.split(topic, maxsplit=1)[0].split()]
    # The head: the last word before what follows it ("stories for toddlers",
    # "books that ..."), else the last word.
    head = next((n for n, w in enumerate(words) if n and w in _FOLLOWERS), len(words)) - 1
    if words[head] not in FORMAT_WORDS or words[head] in _QUALITY_WORDS:
        return []
    content = [w for w in words if w and not _is_trim(w)]
    if not 0 < len(content) <= MAX_MEANING_WORDS or any(_named_whole(w, index) for w in content):
        return []
    return content


MAX_MEANING_WORDS = 3
_FOLLOWERS = frozenset("for with that which who where about to from by on in like".split())  # noqa: SIM905
# Format words that say how good, not what kind: they make no head.
_QUALITY_WORDS = frozenset(
    """good great nice decent solid proper clever smart excellent brilliant fantastic amazing
    awesome wonderful terrific superb quality fine favourite favorite beloved well-made
    well-written well-crafted top-notch any some all more the a an of definitely absolutely
    especially mainly mostly really just only always also one ones kind kinds type types
    stuff things thing""".split()  # noqa: SIM905
)


def meaning_match(topic: str, index: Mapping[str, str], encode: Encode | None = None) -> LabelMatch:
    """The label a topic means, by the embeddings of its words and the label names.

    Read from ``meaning_words``: each word's nearest label, clear when it
    passes ``_clear``; a topic acts on a label when its words' clear labels
    are that one label, and shows the nearest otherwise.
    """
    words = meaning_words(topic, index) if index else []
    if not words:
        return whole_meaning(topic, index, encode) if index else LabelMatch()
    try:
        encode = encode or _process_encode()
        labels, names = _name_vectors(tuple(sorted(set(index.values()))), encode)
        vectors = np.asarray(encode(words), dtype=np.float64)
    except EncoderUnavailable:
        # Stored lines are scored from stored vectors: a page that needs no
        # encoder still works without one, on the words' labels alone.
        return LabelMatch()
    clear, near, all_clear = set(), "", True
    for vector in vectors:
        # A word among others is read on the plain cosines only: a stricter
        # reading, since it may only qualify the kind ("piano music").
        best, is_clear = _nearest(vector, names, centred=len(words) == 1)
        all_clear = all_clear and is_clear
        if is_clear:
            clear.add(labels[best])
        elif not near and float(names[best] @ vector) >= NEAR_MIN:
            near = labels[best]
    # Every word of several must mean the same label: one that does not
    # ("sad piano music", "Python courses for beginners") narrows it.
    if len(clear) == 1 and (len(words) == 1 or not near and all_clear):
        return LabelMatch(label=clear.pop())
    return LabelMatch(near=near if not clear else "")


# A topic of several words that ``meaning_words`` does not read ("rhymes and
# verses", "neural networks", "rolling lots of dice") acts on a label when
# the whole phrase means that label's name very clearly: after the names'
# mean is taken off, a cosine of at least WHOLE_MIN and WHOLE_MARGIN over the
# runner-up, and a plain cosine of at least WHOLE_RAW_MIN. Chosen on the
# seen phrase sets (the corpus, the first and second fresh parts; never the
# third): every line of them over these gave its expected label, and the
# closest that should get none ("heavy strategy", "celebrity memoirs") sit
# at 0.51-0.52. Narrower topics ("zombie movies", "love triangles") stay
# far under them (0.3-0.45).
WHOLE_MIN = 0.55
WHOLE_MARGIN = 0.25
WHOLE_RAW_MIN = 0.55


def whole_meaning(topic: str, index: Mapping[str, str], encode: Encode | None = None) -> LabelMatch:
    """The label a topic of several words means as a whole, when very clearly
    one (WHOLE_MIN); none for a topic that says a label's name among other
    words ("cozy mysteries" is a part of Mystery) or for few labels."""
    core = _core(topic)
    labels_count = len(set(index.values()))
    if len(core.split()) < 2 or labels_count < CENTRED_MIN_LABELS or _says_a_label(topic, index):
        return LabelMatch()
    try:
        encode = encode or _process_encode()
        labels, names = _name_vectors(tuple(sorted(set(index.values()))), encode)
        vector = np.asarray(encode([core])[0], dtype=np.float64)
    except EncoderUnavailable:
        return LabelMatch()
    mean, centred = _centred(names)
    word = vector - mean
    sims = centred @ (word / (np.linalg.norm(word) or 1.0))
    top = np.argsort(-sims)
    best = int(top[0])
    clear = (
        sims[best] >= WHOLE_MIN
        and sims[best] - sims[top[1]] >= WHOLE_MARGIN
        and float(names[best] @ vector) >= WHOLE_RAW_MIN
    )
    return LabelMatch(label=labels[best]) if clear else LabelMatch()


# With this many labels or more, a word is compared with the label names
# after the names' mean is taken from both (``_nearest``): some names
# ("Punk", "Graphic Novels") sit near many words only because they sit near
# everything, and the mean is what they share. Fewer names have no useful mean.
CENTRED_MIN_LABELS = 8
CENTRED_MIN = 0.5
CENTRED_MARGIN = 0.2


def _nearest(vector: np.ndarray, names: np.ndarray, centred: bool) -> tuple[int, bool]:
    """The nearest label name's row, and whether ``vector`` means it clearly.

    Clearly: a cosine of at least MEANING_MIN with a margin of MEANING_MARGIN
    over the runner-up; or, among CENTRED_MIN_LABELS names or more, the same
    with the names' mean taken off (CENTRED_MIN, CENTRED_MARGIN) and a plain
    cosine of at least NEAR_MIN.
    """
    raw = names @ vector
    order = np.argsort(-raw)
    margin = raw[order[0]] - raw[order[1]] if len(order) > 1 else raw[order[0]]
    if raw[order[0]] >= MEANING_MIN and margin >= MEANING_MARGIN:
        return int(order[0]), True
    if not centred or len(names) < CENTRED_MIN_LABELS:
        return int(order[0]), False
    mean, centred = _centred(names)
    word = vector - mean
    centred_sims = centred @ (word / (np.linalg.norm(word) or 1.0))
    top = np.argsort(-centred_sims)
    best = int(top[0])
    clear = (
        centred_sims[best] >= CENTRED_MIN
        and centred_sims[best] - centred_sims[top[1]] >= CENTRED_MARGIN
        and raw[best] >= NEAR_MIN
    )
    return (best, True) if clear else (int(order[0]), False)


_centred_names: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _centred(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The names' mean and their unit vectors with it taken off, once per name set."""
    found = _centred_names.get(id(names))
    if found is None or found[0] is not names:
        mean = names.mean(axis=0)
        centred = names - mean
        centred /= np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)
        with _names_lock:
            if len(_centred_names) >= 8:
                _centred_names.clear()
            _centred_names[id(names)] = found = (names, mean, centred)
    return found[1], found[2]


def _process_encode() -> Encode:
    from engine.encoder import get_encoder  # torch loads on first use, not on import

    return get_encoder().encode_cached


_names_lock = threading.Lock()
_names: dict[tuple, tuple[tuple[str, ...], np.ndarray]] = {}


def _name_vectors(labels: tuple[str, ...], encode: Encode) -> tuple[tuple[str, ...], np.ndarray]:
    """The labels and their names' unit vectors, encoded once per label set and encoder."""
    key = (labels, getattr(encode, "__self__", encode))
    with _names_lock:
        found = _names.get(key)
    if found is None:
        found = (labels, np.asarray(encode(list(labels)), dtype=np.float64))
        with _names_lock:
            if len(_names) >= 8:  # catalogs change rarely; old label sets go
                _names.clear()
            _names[key] = found
    return found


# A line's words pick out items when their similarities to the catalog's
# items spread at least SPREAD_RATIO times as widely as a random direction's
# do (see specific). Measured on ml-latest-small (titles, genres, tags) with
# all-MiniLM-L6-v2, where a random direction's spread is 0.039: 24 vague
# lines written for this ("good stuff", "hmm", "surprise me", "qwerty uiop")
# spread 0.033-0.056 (median 0.043), film lines 0.053-0.101, the phrase
# corpus's lines 0.036-0.114 (median 0.062; the lowest are about courses,
# music and self-help, which a film catalog holds nothing clear for).
SPREAD_RATIO = 1.2


def specific(vectors: np.ndarray, stats) -> np.ndarray:
    """Bool per row of ``vectors``: whether those words tell the catalog's items apart.

    A line that matches nothing in particular ("good stuff", "hmm") still
    gets a vector, and every item is about as close to it as any other: the
    spread of its similarities (``CatalogStats.similarity_moments``) is
    about that of a random direction. Such a line is flagged in the editor
    rather than used silently. True everywhere for an empty catalog.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    dims = stats.covariance.shape[0] if np.ndim(stats.covariance) == 2 else 0
    random_spread = np.sqrt(np.trace(stats.covariance) / dims) if dims else 0.0
    if not random_spread or not stats.mean.any():
        return np.ones(len(vectors), dtype=bool)
    _, deviations = stats.similarity_moments(vectors)
    return deviations >= SPREAD_RATIO * random_spread


# At most this many labels are offered to choose from beside a line: a book
# shop's thousand categories would make a list nobody reads.
MAX_OPTIONS = 200


@dataclass(frozen=True)
class LabelSwitch:
    """One label of a line acting on several, with the concepts that switch it
    off (the line keeps the others) or put another label in its place."""

    label: str
    off: str  # the concept to store: the line acts on the others only
    swaps: tuple[tuple[str, str], ...]  # (label instead, concept to store), likeliest first

    @property
    def name(self) -> str:
        return self.label.removeprefix(TAG_PREFIX)


@dataclass(frozen=True)
class LineReading:
    """How a line was read, as the editor shows it beside the line before saving."""

    text: str
    polarity: str
    weight: float
    embedded_text: str
    label: str  # the (first) label it acts on ("Romance", "tag:zombie"), or "": it acts by meaning
    near: str = ""  # a category it may mean, not clearly: shown, not acted on
    # The other polarity, when the section header and the words disagree
    # ("anything with zombies" under Avoids, "tired of zombie films" under
    # Likes), whichever decided: shown with a switch.
    lean: str = ""
    said: str = ""  # the polarity its words say ("": they do not say)
    clear: bool = True  # False: its words match no item of the catalog clearly (specific)
    chosen: str = ""  # the concept the person chose (Statement.concept): "" none
    options: tuple[str, ...] = ()  # labels the person may choose instead, likeliest first
    # Every label it acts on, ``label`` first ("no horror or gore": Horror, Gore).
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        labels = tuple(dict.fromkeys(n for n in (self.label, *self.labels) if n))
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "label", labels[0] if labels else "")

    @property
    def how(self) -> str:
        """ "Avoids · acts on: Romance, Musical (categories)" or "Likes · matched by meaning"."""
        side = "Avoids" if self.polarity == "avoid" else "Likes"
        acts = f"acts on: {labels_words(self.labels)}" if self.labels else "matched by meaning"
        return f"{side} · {acts}" + (" (your choice)" if self.chosen else "")

    @property
    def off(self) -> bool:
        """The person switched the line's label off: it acts by meaning only."""
        return self.chosen == CONCEPT_OFF

    @property
    def switches(self) -> tuple[LabelSwitch, ...]:
        """For a line acting on several labels, each one's switches (one label: none;
        the line's own switch and choice stand for it)."""
        if len(self.labels) < 2:
            return ()
        found = []
        for label in self.labels:
            others = [other for other in self.labels if other != label]
            swaps = tuple(
                (option, CONCEPT_SEP.join(option if n == label else n for n in self.labels))
                for option in self.options
            )
            found.append(LabelSwitch(label, CONCEPT_SEP.join(others), swaps))
        return tuple(found)


def _options(
    found: "LabelMatch", labels: Sequence[str], index: Mapping[str, str]
) -> tuple[str, ...]:
    names = sorted(set(index.values()))[:MAX_OPTIONS]
    first = [n for n in (found.near, found.label) if n]
    return tuple(n for n in dict.fromkeys([*first, *names]) if n not in labels)


def line_readings(
    drafts,
    index: Mapping[str, str],
    stats=None,
    tags: Mapping[str, str] | None = None,
    sections: Mapping[str, str] | None = None,
    nearest: "Nearest | None" = None,
) -> list[LineReading]:
    """Each draft line (anything with text, polarity, weight, embedded_text and
    concept) as read: every label it acts on (``acting_labels``).

    ``stats``: the catalog's CatalogStats, for which lines match no item
    clearly; the process's cached statistics when None. ``tags``: the
    catalog's common tags (``catalog_cache.tag_index``). ``sections``: line
    text -> the section it was typed under, to show a line whose words
    overrode its header. ``nearest``: a topic's nearest catalog items, for
    the labels they vote for (``item_vote``).
    """
    readings = []
    for d in drafts:
        label = word_label(d.embedded_text, index, tags)
        found = (
            LabelMatch(label=label)
            if label
            else meaning_label(d.embedded_text, index, nearest=nearest)
        )
        acting = acting_labels(d, index, tags, nearest)
        said = phrasing.read(d.text).polarity
        section = (sections or {}).get(d.text, "")
        lean = said if said and said != d.polarity else ""
        if not lean and section and section != d.polarity:
            lean = section
        readings.append(
            LineReading(
                d.text,
                d.polarity,
                d.weight,
                d.embedded_text,
                "",
                near=(found.near or found.label) if not acting else "",
                lean=lean,
                said=said or "",
                chosen=getattr(d, "concept", ""),
                options=_options(found, acting, index),
                labels=acting,
            )
        )
    if not readings:
        return readings
    if stats is None:
        from engine.catalog_cache import catalog_stats  # reads the catalog: on use only

        stats = catalog_stats()
    vectors = _process_encode()([r.embedded_text for r in readings])
    clear = specific(vectors, stats)
    return [
        replace(r, clear=bool(c) or bool(r.label)) for r, c in zip(readings, clear, strict=True)
    ]


# --- The label the catalog's items nearest a line read ---------------------
#
# A label's name is one or two words, and with this encoder a name's vector
# cannot tell a synonym ("whodunits" for Mystery) from a narrower topic or a
# neighbour ("ghosts" near Horror). The catalog's items carry the words
# people use: the items nearest a line's topic vote for their labels
# (``item_vote``). Chosen with bench/label_vote.py on the sample book
# catalog, on the phrase corpus's tuned and first held-out parts and its
# first fresh part (never its second): K 5/10/20, share 0.6/0.7/0.8, floor
# 0.3/0.35/0.4. The fresh part's labels went from 26 to 29 of 35 right with
# 3 labels on lines that should have none (2 by names alone); a floor of 0.3
# read one more right but gave 11, and acting on a whole category by
# mistake costs more than a line acting by meaning.
VOTE_K = 20  # nearest items that vote, per line
VOTE_MIN_SIMILARITY = 0.4  # nearest cosine below this: the catalog holds nothing like it
VOTE_MIN_SHARE = 0.7  # of the (similarity-weighted) vote for the label
VOTE_MIN_LIFT = 2.0  # the vote's share over the label's share of the catalog
VOTE_MARGIN = 0.3  # over the runner-up's vote, each less its share of the catalog


@dataclass(frozen=True)
class Neighbours:
    """The catalog items nearest a line's topic, as ``item_vote`` reads them."""

    similarities: np.ndarray  # cosine to each item, highest first
    labels: Sequence[Sequence[str]]  # each item's categories
    shares: Mapping[str, float]  # casefolded category -> share of the catalog carrying it
    # The catalog's tags as a vocabulary (``tag_words``), for ``tag_vote``: one per catalog state.
    vocabulary: "TagWords | None" = None


Nearest = Callable[[str], "Neighbours | None"]  # a line's topic -> its nearest items


def item_vote(found: "Neighbours | None", index: Mapping[str, str]) -> LabelMatch:
    """The category the items nearest a topic read, when clearly one.

    1. The VOTE_K nearest items vote, each with its cosine; none when the
       nearest is below VOTE_MIN_SIMILARITY.
    2. A category's vote: the weight of the items carrying it over all the
       weight; less its share of the catalog (a category half the catalog
       carries gets half the vote by chance, whatever the line says).
    3. Clear when its vote is at least VOTE_MIN_SHARE, VOTE_MIN_LIFT times
       its share, and VOTE_MARGIN over the runner-up (both less their
       shares): acted on. Else the best is shown as a possible reading.
    """
    if found is None or not index or not len(found.similarities):
        return LabelMatch()
    similarities = np.asarray(found.similarities, dtype=np.float64)[:VOTE_K]
    if float(similarities.max()) < VOTE_MIN_SIMILARITY:
        return LabelMatch()
    votes: dict[str, float] = {}
    total = 0.0
    for similarity, labels in zip(similarities, found.labels, strict=False):
        total += similarity
        for name in {scoring.category_label(label, index) for label in labels} - {""}:
            votes[name] = votes.get(name, 0.0) + similarity
    if not votes or total <= 0:
        return LabelMatch()
    share = {name: max(found.shares.get(name.casefold(), 0.0), 1e-6) for name in votes}
    excess = sorted(((v / total - share[n], n) for n, v in votes.items()), reverse=True)
    best, name = excess[0]
    runner = excess[1][0] if len(excess) > 1 else 0.0
    vote = votes[name] / total
    lifted = vote >= VOTE_MIN_LIFT * share[name]
    if vote >= VOTE_MIN_SHARE and lifted and best - runner >= VOTE_MARGIN:
        return LabelMatch(label=name)
    return LabelMatch(near=name)


# Which reading by meaning comes first: "names" (a label name's vector when
# clear, the items' vote otherwise) or "items" (the vote first). Measured
# with bench/label_vote.py.
MEANING_ORDER = "names"


def meaning_label(
    topic: str,
    index: Mapping[str, str],
    encode: Encode | None = None,
    nearest: "Nearest | None" = None,
) -> LabelMatch:
    """The label a topic means, when its words name none.

    1. The label names' vectors (``meaning_match``).
    2. With ``nearest``, and unless the topic says a label's name among other
       words ("cozy mysteries" is a part of Mystery, not all of it), the
       items' vote (``item_vote``); MEANING_ORDER says which of the two
       decides when both are clear.
    3. Neither clear, but both lean to one label: that label.
    4. Else the categories of the items whose tags hold the topic's words
       (``tag_vote``), when clearly one.
    """
    named = meaning_match(topic, index, encode)
    if nearest is None or not index or _says_a_label(topic, index):
        return named
    try:
        found = nearest(topic)
    except EncoderUnavailable:  # as in meaning_match: stored lines still read by words
        found = None
    voted = item_vote(found, index)
    first, second = (voted, named) if MEANING_ORDER == "items" else (named, voted)
    if first.label or second.label:
        return LabelMatch(label=first.label or second.label)
    if voted.near and voted.near == named.near:
        return LabelMatch(label=voted.near)
    tagged = tag_vote(topic, index, found) if TAG_VOTE else LabelMatch()
    if tagged.label:
        return tagged
    return LabelMatch(near=named.near or voted.near or tagged.near)


def _says_a_label(topic: str, index: Mapping[str, str]) -> bool:
    """Whether a word of ``topic``, or two in a row, is a category's name."""
    words = [w.strip(_EDGES) for w in _PURPOSE.split(topic, maxsplit=1)[0].split()]
    words = [w for w in words if w]
    spans = [*words, *(" ".join(pair) for pair in zip(words, words[1:], strict=False))]
    return any(not _is_trim(span) and _named_whole(span, index) for span in spans)


def catalog_nearest(
    vectors: np.ndarray,
    categories: Sequence[Sequence[str]],
    encode: Encode,
    tags: Sequence[Sequence[str]] | None = None,
) -> Nearest:
    """A ``Nearest`` over a catalog held in memory (the evaluation's, a bench's):
    its unit item ``vectors``, each item's ``categories`` and ``tags``; a
    topic's items are found by brute force, once per topic text."""
    vectors = np.asarray(vectors, dtype=np.float32)
    counts: dict[str, int] = {}
    for labels in categories:
        for label in labels:
            counts[label.casefold()] = counts.get(label.casefold(), 0) + 1
    shares = {label: n / max(len(categories), 1) for label, n in counts.items()}
    vocabulary = tag_words(tag_counts(tags, categories)) if tags is not None else None
    found: dict[str, Neighbours] = {}

    def nearest(topic: str) -> Neighbours:
        if topic not in found:
            similarities = vectors @ np.asarray(encode([topic])[0], dtype=np.float32)
            k = min(VOTE_K, len(similarities))
            top = np.argpartition(-similarities, k - 1)[:k]
            top = top[np.argsort(-similarities[top])]
            found[topic] = Neighbours(
                similarities[top].astype(np.float64),
                [categories[i] for i in top],
                shares,
                vocabulary,
            )
        return found[topic]

    return nearest


# --- The label the catalog's tags read --------------------------------------
#
# Items carry the words people use in their tags ("amateur sleuth",
# "village", "cozy"), and the categories those items carry say what the
# words mean in this catalog, where neither a label's name nor the items
# nearest the whole line does ("cosy village sleuths": Mystery's name is far
# from the words and no item is near the phrase). Each content word of a
# line finds the tags holding it (a plural as its singular); the items
# carrying them vote for their categories, a rarer tag and a tag more of
# whose words the line says weighing more. Only a line of several words,
# most of which find tags, and not all in one tag: a line that says one
# tag's words is that tag (``word_label``), narrower than the categories its
# items carry ("zombie films", "true crime" are not all of Horror, Mystery).
TAG_VOTE = True  # bench/label_vote.py turns it off to compare
TAG_VOCABULARY_MIN_ITEMS = 2  # a tag on one item is that item's, not a word's meaning
TAG_VOCABULARY_MAX = 50_000  # the most common tags kept per catalog
TAG_VOTE_MIN_WORDS = 2  # content words that find tags
TAG_VOTE_MIN_ITEMS = 3  # items carrying the largest tag the words find


@dataclass(frozen=True)
class TagWords:
    """A catalog's tags as a vocabulary: which tags hold a word, and the
    categories of the items carrying each tag."""

    items: int  # items in the catalog
    tags: Mapping[str, tuple[int, Mapping[str, int]]]  # tag -> (items, category -> items)
    words: Mapping[str, tuple[str, ...]]  # a word's form -> the tags holding it


def _forms(word: str) -> set[str]:
    """A word's simple forms: itself and its singular ("sleuths", "witches")."""
    word = word.strip(_EDGES).casefold()
    forms = {word}
    if len(word) > 3 and word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif len(word) > 4 and word.endswith("es"):
        forms |= {word[:-1], word[:-2]}
    elif len(word) > 1 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    return {form for form in forms if form}


def tag_counts(
    tags: Sequence[Sequence[str]], categories: Sequence[Sequence[str]]
) -> tuple[int, dict[str, tuple[int, dict[str, int]]]]:
    """(items, tag -> (items carrying it, category -> those of them carrying it))
    for a catalog held in memory, as ``catalog_cache.tag_vocabulary`` reads it
    from the database."""
    counts: dict[str, list] = {}
    for item_tags, item_categories in zip(tags, categories, strict=True):
        for tag in set(item_tags):
            entry = counts.setdefault(tag, [0, {}])
            entry[0] += 1
            for category in set(item_categories):
                entry[1][category] = entry[1].get(category, 0) + 1
    return len(categories), {tag: (n, by) for tag, (n, by) in counts.items()}


def tag_words(counted: tuple[int, Mapping[str, tuple[int, Mapping[str, int]]]]) -> TagWords:
    """The vocabulary of ``tag_counts``: tags on at least TAG_VOCABULARY_MIN_ITEMS
    items, the TAG_VOCABULARY_MAX most common, indexed by their words' forms."""
    items, counts = counted
    kept = sorted(
        ((n, tag) for tag, (n, _) in counts.items() if n >= TAG_VOCABULARY_MIN_ITEMS),
        key=lambda pair: (-pair[0], pair[1]),
    )[:TAG_VOCABULARY_MAX]
    tags = {tag: counts[tag] for _, tag in kept}
    words: dict[str, list[str]] = {}
    for tag in tags:
        for word in tag.split():
            if _is_trim(word):
                continue
            for form in _forms(word):
                words.setdefault(form, []).append(tag)
    return TagWords(items, tags, {w: tuple(dict.fromkeys(t)) for w, t in words.items()})


def tag_vote(topic: str, index: Mapping[str, str], found: "Neighbours | None") -> LabelMatch:
    """The category the tags holding ``topic``'s words read, when clearly one.

    1. The topic's content words (format and stop words aside, what the
       items are for aside); each finds the tags holding one of its forms.
       At least TAG_VOTE_MIN_WORDS words, and half of them, must find some.
    2. Each such word's tags give a share of their items to each category,
       weighted by how rare the tag is (log of the catalog over its items)
       and by the share of its words the line says; the line's vote is the
       mean over its words.
    3. Clear by ``item_vote``'s rules (VOTE_MIN_SHARE, VOTE_MIN_LIFT over the
       category's share of the catalog, VOTE_MARGIN over the runner-up),
       with at least TAG_VOTE_MIN_ITEMS items behind it.
    """
    vocabulary = found.vocabulary if found is not None else None
    if vocabulary is None or not index or not vocabulary.tags:
        return LabelMatch()
    if _says_a_label(topic, index):
        return LabelMatch()
    words = [w.strip(_EDGES).casefold() for w in _PURPOSE.split(topic, maxsplit=1)[0].split()]
    content = list(dict.fromkeys(w for w in words if w and not _is_trim(w)))
    if len(content) < TAG_VOTE_MIN_WORDS:
        return LabelMatch()
    said = {form for word in content for form in _forms(word)}
    votes: dict[str, float] = {}
    matched = 0
    for word in content:
        forms = _forms(word)
        tags = dict.fromkeys(t for form in forms for t in vocabulary.words.get(form, ()))
        if not tags:
            continue
        matched += 1
        weights: dict[str, float] = {}
        total = 0.0
        for tag in tags:
            n, by = vocabulary.tags[tag]
            tag_words_ = [w for w in tag.split() if not _is_trim(w)]
            covered = sum(1 for w in tag_words_ if _forms(w) & said) / max(len(tag_words_), 1)
            weight = covered * np.log1p(vocabulary.items / n)
            total += weight
            for category, carrying in by.items():
                name = scoring.category_label(category, index)
                if name:
                    weights[name] = weights.get(name, 0.0) + weight * carrying / n
        for name, weight in weights.items():
            votes[name] = votes.get(name, 0.0) + weight / max(total, 1e-12)
    if matched < TAG_VOTE_MIN_WORDS or 2 * matched < len(content) or not votes:
        return LabelMatch()
    if _one_tag(content, vocabulary):
        return LabelMatch()
    votes = {name: vote / matched for name, vote in votes.items()}
    share = {name: max(found.shares.get(name.casefold(), 0.0), 1e-6) for name in votes}
    excess = sorted(((v - share[n], n) for n, v in votes.items()), reverse=True)
    best, name = excess[0]
    runner = excess[1][0] if len(excess) > 1 else 0.0
    vote = votes[name]
    clear = (
        vote >= VOTE_MIN_SHARE
        and vote >= VOTE_MIN_LIFT * share[name]
        and best - runner >= VOTE_MARGIN
        and _items_behind(content, vocabulary) >= TAG_VOTE_MIN_ITEMS
    )
    return LabelMatch(label=name) if clear else LabelMatch(near=name)


def _one_tag(content: Sequence[str], vocabulary: TagWords) -> bool:
    """Whether one tag holds every word of ``content`` that finds a tag: the
    line says that tag ("true crime", "space opera"), narrower than the
    categories its items carry."""
    found = [
        {t for form in _forms(word) for t in vocabulary.words.get(form, ())} for word in content
    ]
    found = [tags for tags in found if tags]
    return bool(found) and bool(set.intersection(*found))


def _items_behind(content: Sequence[str], vocabulary: TagWords) -> int:
    """The most items any one tag the words find is carried by."""
    largest = []
    for word in content:
        tags = {t for form in _forms(word) for t in vocabulary.words.get(form, ())}
        if tags:
            largest.append(max(vocabulary.tags[t][0] for t in tags))
    return max(largest, default=0)
