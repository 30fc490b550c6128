"""Would people sign their generated profiles? Counts read off the lines themselves.

Plain Python, no Django: ``manage.py profile_audit`` writes profiles the
way the worker does (``engine.evaluation.methods.write_profiles``) and hands
them here. Every check reads the line as a person would, from its words and
its examples, not from what the writer meant:

- empty profiles among people with enough positives to describe;
- people with at least two Likes lines;
- example purity: the share of examples that carry a category or tag whose
  words the line names ("Cozy mysteries" names "Mystery");
- lines naming a tag that says nothing about taste (a production note from
  ``PRODUCTION_NOTES``, or a tag the writer itself would refuse);
- lines with an echoed word ("Musical about musical");
- title lists a reader would split wrongly (a comma inside a title);
- near-duplicate lines: two lines of one profile and one section where
  every word of one is in the other ("Animation" beside "Disney
  animation"), one taste said twice;
- whole examples: the share of examples that carry everything the line
  says ("Hobbit fantasy adventure" shown by "The Wizard of Oz", which is
  fantasy and adventure but no hobbit, is not);
- list lines: a line that is a list of kinds ("Documentary, musical and
  horror", "Drama and comedy"), not one taste;
- a describing word alone as a line ("Predictable");
- a plural for people standing before a noun without its possessive
  ("Animation children" for "children's animation").
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Tags that describe how an item was made or sold, never what it is like.
# The audit's own list, kept apart from the writer's statistics on purpose:
# a check that reused the writer's rule would pass by construction.
PRODUCTION_NOTES = frozenset(
    {
        "aftercreditsstinger",
        "duringcreditsstinger",
        "woman director",
        "independent film",
        "sequel",
        "remake",
        "based on novel",
        "based on novel or book",
        "based on book",
        "based on comic",
        "based on comic book",
        "based on play",
        "based on play or musical",
        "based on tv series",
        "based on video game",
        "based on young adult novel",
        "3d",
        "imdb top 250",
        "criterion",
        "netflix",
        "dvd",
        "bd-r",
        "owned",
        "seen more than once",
    }
)
EXAMPLES_MARK = " (e.g. "
# The audit's own test of a word that describes rather than names (its
# endings, English): a line of one such word has no noun.
# ("-al", "-ic" and "-ing" are left out: "pedal", "music", "string" are nouns.)
_DESCRIBING_ENDINGS = ("able", "ible", "ive", "ous", "ful", "less", "ed", "y", "ish")
# Nouns with one of those endings.
_NAMING_WORDS = frozenset({"music", "magic", "comic", "panic", "traffic", "musical", "animal"})
# Plural nouns for people, which stand before a noun as possessives.
_PEOPLE_PLURALS = frozenset({"children", "men", "women", "kids", "people"})
_FUNCTION_WORDS = frozenset({"a", "an", "and", "the", "of", "in", "on", "about", "with", "for"})


def forms(word: str) -> frozenset[str]:
    """A word and its singulars ("mysteries" -> mystery, "zombies" -> zombie)."""
    word = word.casefold()
    found = {word}
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        found.add(word[:-1])
        if len(word) > 4 and word.endswith("ies"):
            found.add(word[:-3] + "y")
        if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
            found.add(word[:-2])
    return frozenset(found)


def content_words(text: str) -> list[frozenset[str]]:
    """The words of a text that name something, each as its forms (hyphens split words)."""
    return [
        forms(word)
        for word in re.findall(r"[^\W_]+", text)
        if word.casefold() not in _FUNCTION_WORDS
    ]


def names(phrase: list[frozenset[str]], label: str) -> bool:
    """Whether a phrase (its content words) names ``label``: the label's words
    stand together in it, in order."""
    words = content_words(label)
    if not words:
        return False
    return any(
        all(phrase[start + n] & word for n, word in enumerate(words))
        for start in range(len(phrase) - len(words) + 1)
    )


def _echoes(phrase: str) -> bool:
    """Whether a word comes back ("Musical about musical", "zombie ... zombies").

    Words are compared between the phrase's tokens: a word twice inside one
    hyphenated token ("go-go-dancer") is that label's own spelling."""
    tokens = [set().union(*words) for words in map(content_words, phrase.split()) if words]
    return any(a & b for n, a in enumerate(tokens) for b in tokens[n + 1 :])


def split_line(text: str) -> tuple[str, str]:
    """A generated line as its description and its example list ("" without one)."""
    at = text.rfind(EXAMPLES_MARK)
    if at < 0 or not text.endswith(")"):
        return text, ""
    return text[:at], text[at + len(EXAMPLES_MARK) : -1]


def read_titles(examples: str) -> list[str]:
    """The titles a reader sees in an example list: quoted ones, else comma-separated."""
    quoted = re.findall(r"“([^”]*)”", examples)
    if quoted:
        return quoted
    return [title.strip() for title in examples.split(", ")] if examples else []


@dataclass(frozen=True)
class AuditLine:
    text: str
    polarity: str
    examples: tuple[int, ...]  # the items the line names as examples, in order
    members: tuple[int, ...] = ()  # every item of its group (the examples when empty)


@dataclass(frozen=True)
class AuditProfile:
    person: str
    positives: int
    lines: tuple[AuditLine, ...]

    @property
    def likes(self) -> int:
        return sum(1 for line in self.lines if line.polarity == "like")


@dataclass
class AuditReport:
    people: int = 0
    with_10: int = 0
    empty_10: int = 0
    with_20: int = 0
    two_likes_20: int = 0
    lines: int = 0
    examples: int = 0
    pure_examples: int = 0
    non_taste: list[str] = field(default_factory=list)
    echoes: list[str] = field(default_factory=list)
    split_titles: list[str] = field(default_factory=list)
    near_duplicates: list[str] = field(default_factory=list)
    whole_examples: int = 0
    whole_of: int = 0  # examples of lines that are no list (a list's example carries one kind)
    list_lines: list[str] = field(default_factory=list)
    lone_describing: list[str] = field(default_factory=list)
    no_possessive: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        def share(part: int, whole: int) -> float:
            return round(part / whole, 4) if whole else 0.0

        return {
            "people": self.people,
            "empty_share_10": share(self.empty_10, self.with_10),
            "people_10": self.with_10,
            "two_likes_share_20": share(self.two_likes_20, self.with_20),
            "people_20": self.with_20,
            "lines": self.lines,
            "purity": share(self.pure_examples, self.examples),
            "examples": self.examples,
            "non_taste_lines": len(self.non_taste),
            "echo_lines": len(self.echoes),
            "split_title_lists": len(self.split_titles),
            "near_duplicate_pairs": len(self.near_duplicates),
            "whole_examples": share(self.whole_examples, self.whole_of),
            "list_lines": len(self.list_lines),
            "lone_describing_lines": len(self.lone_describing),
            "no_possessive_lines": len(self.no_possessive),
        }


def audit(
    profiles: Iterable[AuditProfile],
    *,
    titles: Sequence[str],
    labels: Sequence[tuple[str, ...]],
    non_taste: frozenset[str] = frozenset(),
    categories: frozenset[str] = frozenset(),
) -> AuditReport:
    """The counts above over ``profiles``; ``labels`` are each item's categories
    and tags, ``non_taste`` the casefolded tags the writer refuses,
    ``categories`` the catalog's casefolded category names."""
    refused = _with_longer(PRODUCTION_NOTES | non_taste, labels)
    report = AuditReport()
    for profile in profiles:
        report.people += 1
        if profile.positives >= 10:
            report.with_10 += 1
            report.empty_10 += not profile.lines
        if profile.positives >= 20:
            report.with_20 += 1
            report.two_likes_20 += profile.likes >= 2
        for line in profile.lines:
            _audit_line(report, line, titles, labels, refused)
            _audit_words(report, line, labels, categories)
        report.near_duplicates += near_duplicates(profile.lines)
    return report


def near_duplicates(lines: Sequence[AuditLine]) -> list[str]:
    """Pairs of lines in one section where every word of one (plurals folded)
    is a word of the other, as "narrower / broader"."""
    phrases = [(line, content_words(split_line(line.text)[0])) for line in lines]
    found = []
    for n, (first, first_words) in enumerate(phrases):
        for second, second_words in phrases[n + 1 :]:
            if first.polarity != second.polarity:
                continue
            for narrow, broad, narrow_words, broad_words in (
                (first, second, first_words, second_words),
                (second, first, second_words, first_words),
            ):
                if broad_words and all(any(w & v for v in narrow_words) for w in broad_words):
                    found.append(f"{split_line(narrow.text)[0]} / {split_line(broad.text)[0]}")
                    break
    return found


def _with_longer(refused: Iterable[str], labels) -> dict[str, list[str]]:
    """Each refused label with the longer labels of the catalog that hold it
    ("death" in "death sentence"): naming one of those is naming another label."""
    vocabulary = {label.casefold() for item in labels for label in item}
    return {
        note: [
            label
            for label in vocabulary
            if label != note and f" {note} " in f" {label.replace('-', ' ')} "
        ]
        for note in refused
    }


def _audit_line(report: AuditReport, line: AuditLine, titles, labels, refused) -> None:
    report.lines += 1
    phrase, examples = split_line(line.text)
    words = content_words(phrase)
    if _echoes(phrase):
        report.echoes.append(line.text)
    if any(
        names(words, note) and not any(names(words, longer) for longer in longer_labels)
        for note, longer_labels in refused.items()
    ):
        report.non_taste.append(line.text)
    for item in line.examples:
        report.examples += 1
        report.pure_examples += any(names(words, label) for label in labels[item])
    if examples and read_titles(examples) != [titles[item] for item in line.examples]:
        report.split_titles.append(line.text)


def _spans(phrase: list[frozenset[str]], label: str) -> set[int]:
    """The word positions of ``phrase`` where ``label``'s words stand together."""
    words = content_words(label)
    found: set[int] = set()
    for start in range(len(phrase) - len(words) + 1):
        if words and all(phrase[start + n] & word for n, word in enumerate(words)):
            found.update(range(start, start + len(words)))
    return found


def _is_list(head: str, own: set[str]) -> bool:
    """Whether ``head`` is two or more of ``own`` joined by commas and "and"
    ("Documentary, musical and horror"; "cases and bags" is one label)."""

    def key(text: str) -> tuple[str, ...]:
        return tuple(sorted(set().union(*content_words(text))))

    whole = {key(label) for label in own if content_words(label)}
    parts: list[str] = []
    for part in (p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", head) if p.strip()):
        if parts and key(f"{parts[-1]} and {part}") in whole:
            parts[-1] = f"{parts[-1]} and {part}"
        else:
            parts.append(part)
    return len(parts) >= 2 and all(key(part) in whole for part in parts)


def _audit_words(report: AuditReport, line: AuditLine, labels, categories) -> None:
    """Whole examples, list lines, a describing word alone, a missing possessive."""
    phrase_text = split_line(line.text)[0]
    phrase = content_words(phrase_text)
    own = {label.casefold() for item in (*line.members, *line.examples) for label in labels[item]}
    spans = {label: found for label in own if (found := _spans(phrase, label))}
    said = set().union(*spans.values()) if spans else set()
    head = re.split(r" about ", phrase_text, maxsplit=1)[0]
    if _is_list(head, own):
        report.list_lines.append(line.text)
    else:
        for item in line.examples:
            carried = {label.casefold() for label in labels[item]}
            covered = set().union(*(spans[label] for label in spans if label in carried))
            report.whole_of += 1
            report.whole_examples += said <= covered
    tokens = phrase_text.split()
    if (
        len(tokens) == 1
        and tokens[0].casefold() not in categories
        and tokens[0].casefold().endswith(_DESCRIBING_ENDINGS)
        and tokens[0].casefold() not in _NAMING_WORDS
    ):
        report.lone_describing.append(line.text)
    # Whole words only: "evil-children" is a compound of its own.
    words = re.findall(r"[\w’'-]+", phrase_text.casefold())
    for n, word in enumerate(words):
        if word in _PEOPLE_PLURALS and (n == 0 or words[n - 1] not in _FUNCTION_WORDS):
            report.no_possessive.append(line.text)
            break
