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
  animation"), one taste said twice.
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
        }


def audit(
    profiles: Iterable[AuditProfile],
    *,
    titles: Sequence[str],
    labels: Sequence[tuple[str, ...]],
    non_taste: frozenset[str] = frozenset(),
) -> AuditReport:
    """The counts above over ``profiles``; ``labels`` are each item's categories
    and tags, ``non_taste`` the casefolded tags the writer refuses."""
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
