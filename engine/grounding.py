"""Whether a generated line's words still stand for the items it was written from.

Plain Python, no Django. The profile writer (engine.profiles) keeps the
phrasing that retrieves a line's evidence best (``grounding_score``) and
accepts an optional LLM's rewording only when it says the same thing in
other words (``is_rephrasing``).
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence


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
FUNCTION_WORDS = frozenset(
    {"a", "an", "and", "the", "of", "in", "on", "at", "for", "with", "about", "from", "to", "by"}
)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def topic_words(labels: Iterable[str]) -> frozenset[str]:
    """The words that name topics in a catalog: each word of each category and tag."""
    return frozenset(
        word for label in labels for word in _words(label) if word not in FUNCTION_WORDS
    )


def is_rephrasing(original: str, rewording: str, *, topics: frozenset[str]) -> bool:
    """Whether ``rewording`` says what ``original`` says in other words, and no more.

    The grounding check alone cannot tell: "Horror about slasher and gory"
    still retrieves a slasher group's evidence, and so does "Avoids: Horror".
    1. One plain phrase (``_PLAIN_PHRASE``): no header, sentence or markup.
    2. No topic added: every word of it that names a topic somewhere in the
       catalog (``topics``) is already in the original, and no more often
       ("Gory horror and gory horror" says nothing new twice). Other words ("books
       with", "stories set in") are fluency, which is what rewording is for.
    """
    if not _PLAIN_PHRASE.fullmatch(rewording):
        return False
    kept = Counter(_words(original))
    said = Counter(word for word in _words(rewording) if word in topics)
    return all(0 < count <= kept[word] for word, count in said.items())
