"""How lines typed in everyday words are read: polarity, strength and the label they name.

The corpus (tests/phrase_corpus.py) holds lines about films, books, music,
courses, podcasts, recipes and games; its held-out parts were written apart
from the phrase lists (see there for what each has been used for). The test
prints the figures for both parts (run with -s to see them) and holds each
tuned part and the whole corpus to the targets (polarity right on at least
98% of the lines, the label on at least 90% of the lines that name one) and
each held-out part to the figures it first gave. Labels are read by words and,
for one-word topics, by meaning (engine.concepts.meaning_match), with the
test settings' real encoder.
"""

import pytest

from engine import concepts, scoring
from profiles.parser import AVOID, LIKE, parse_line
from tests.phrase_corpus import (
    CATEGORIES,
    HELD_OUT,
    HELD_OUT_FIRST,
    HELD_OUT_SECOND,
    TUNING,
    rows,
)
from tests.phrase_corpus_fresh import FRESH, FRESH_CATEGORIES
from tests.phrase_corpus_fresh2 import FRESH2, FRESH2_CATEGORIES
from tests.phrase_corpus_fresh3 import FRESH3, FRESH3_CATEGORIES

INDEX = scoring.category_index(CATEGORIES)
POLARITY_TARGET = 0.98
LABEL_TARGET = 0.90


def band(weight: float) -> str:
    return "strong" if weight >= 0.8 else "medium" if weight >= 0.5 else "mild"


def reading(section: str, line: str, index=INDEX) -> tuple[str, str, str]:
    """(polarity, band, label) as the site reads ``line`` typed under ``section``.

    A line that turns reads "like+avoid"; its band and label are its like's. A
    line naming joined topics ("jazz and blues") reads each label, joined by "+".
    """
    statements = parse_line(line, LIKE if section == "likes" else AVOID)
    polarity = "+".join(s.polarity for s in statements)
    first = statements[0]
    labels = concepts.line_labels(first.embedded_text, index)
    return polarity, band(first.weight), "+".join(labels)


def figures(table: str, index=INDEX) -> dict:
    lines = rows(table)
    wrong: dict[str, list] = {"polarity": [], "band": [], "label": [], "false label": []}
    labelled = 0
    for section, line, polarity, expected_band, label in lines:
        got_polarity, got_band, got_label = reading(section, line, index)
        if got_polarity != polarity:
            wrong["polarity"].append((line, got_polarity))
        elif got_band != expected_band:
            wrong["band"].append((line, got_band))
        if label:
            labelled += 1
            if got_label != label:
                wrong["label"].append((line, got_label))
        elif got_label:
            wrong["false label"].append((line, got_label))
    return {
        "lines": len(lines),
        "polarity": 1 - len(wrong["polarity"]) / len(lines),
        "band": 1 - len(wrong["band"]) / len(lines),
        "labelled": labelled,
        "label": 1 - len(wrong["label"]) / max(labelled, 1),
        "false labels": len(wrong["false label"]),
        "wrong": wrong,
    }


def report(name: str, found: dict) -> None:
    print(
        f"\n{name}: {found['lines']} lines; polarity {found['polarity']:.1%}, "
        f"strength band {found['band']:.1%}, label {found['label']:.1%} "
        f"of {found['labelled']} that name one, {found['false labels']} labelled "
        f"where none applies"
    )
    for kind, misses in found["wrong"].items():
        for line, got in misses:
            print(f"  {kind}: {line!r} read as {got!r}")


def test_the_corpus_is_large_and_varied():
    lines = rows(TUNING) + rows(HELD_OUT_FIRST) + rows(HELD_OUT) + rows(HELD_OUT_SECOND)
    assert len(lines) >= 200
    assert len({(section, line) for section, line, *_ in lines}) == len(lines)
    assert sum(p == "avoid" for _, _, p, *_ in lines) >= 60
    assert sum(p == "like+avoid" for _, _, p, *_ in lines) >= 15


# The held-out part as first measured (polarity 65 of 67, label 34 of 42): a
# floor, so that a change to the phrase lists that reads unseen phrasing
# worse fails here even while the tuned part still passes.
# Raised to 0.85 when one-word topics began to be matched by meaning (36 of 42).
HELD_OUT_FLOOR = {"polarity": 0.97, "label": 0.85}
# The second held-out part (written in one go before the changes it measured)
# as first measured: polarity 72 of 83 (86.7%), label 27 of 48 (56.2%).
NEW_HELD_OUT_FLOOR = {"polarity": 0.86, "label": 0.56}
# A label acts on a whole category: at most this share of the lines that name
# none may be given one (2 of 66 in the tuning part when first measured).
FALSE_LABEL_SHARE = 0.05
# The fresh part (tests/phrase_corpus_fresh.py, 169 lines, never tuned on: only
# its figures were looked at, never its misses), first run on the code before
# the changes it measures: polarity 78.7%, label 45.4% of 141, no false label.
# After them: polarity 92.9%, label 70.9%. Since 7 December it is tuned on
# (helper h25 read its misses to make the reading more general): no longer
# unseen; its floor is its figures after that round, a little under them.
FRESH_FLOOR = {"polarity": 0.97, "label": 0.75}
PARTS = {
    "tuning": TUNING + HELD_OUT_FIRST,
    "held out": HELD_OUT,
    "new held out": HELD_OUT_SECOND,
    "whole corpus": TUNING + HELD_OUT_FIRST + HELD_OUT + HELD_OUT_SECOND,
}


@pytest.mark.parametrize("name", PARTS)
def test_polarity_and_label_are_read_right(name):
    found = figures(PARTS[name])
    report(name, found)
    floor = {"held out": HELD_OUT_FLOOR, "new held out": NEW_HELD_OUT_FLOOR}.get(name)
    polarity, label = (
        (floor["polarity"], floor["label"]) if floor else (POLARITY_TARGET, LABEL_TARGET)
    )
    assert found["polarity"] >= polarity, found["wrong"]["polarity"]
    assert found["label"] >= label, found["wrong"]["label"]
    unlabelled = found["lines"] - found["labelled"]
    assert found["false labels"] <= FALSE_LABEL_SHARE * unlabelled, found["wrong"]["false label"]


# The second fresh part (tests/phrase_corpus_fresh2.py, 165 lines, board games
# added; written and measured before the changes of 7 December, never tuned
# on: only its figures were looked at): polarity 83.6%, label 33.8% of 148
# (11 of them joined topics, which nothing read then). After them: polarity
# 87.9%, label 43.2%. Since 7 December it is seen (helper h30 read its
# polarity misses): after the verdict's judgements without the person in
# them, polarity 91.5%, label 47.3%; after a topic of several words is read
# as a whole, label 50.0%; after the softer avoids ("slightly fewer", "dial
# back"), polarity 93.3%, label 51.4%. A floor a little under those.
FRESH2_FLOOR = {"polarity": 0.93, "label": 0.51}
# The third fresh part (tests/phrase_corpus_fresh3.py, 193 lines, fitness
# classes added; written and committed before the changes of 7 December by
# helper h30, never tuned on: only its figures are looked at), first run on
# the code before them: polarity 91.7%, strength band 99.5%, label 42.0% of
# 174, no false label. After the verdict's judgements without the person in
# them (profiles.verdict): polarity 94.8%, label 43.7%; after a topic of
# several words is read as a whole (engine.concepts.whole_meaning): label
# 45.4%, still no false label; after "slightly fewer", "dial back", "could do
# with less" and kin joined the softer avoids (from the second part's misses;
# "slightly less" beside them reads one of this part's lines, known to their
# author): polarity 95.3%, label 46.0%. A floor a little under those.
FRESH3_FLOOR = {"polarity": 0.95, "label": 0.45}
FRESH_PARTS = {
    "fresh": (FRESH, FRESH_CATEGORIES, FRESH_FLOOR),
    "fresh2": (FRESH2, FRESH2_CATEGORIES, FRESH2_FLOOR),
    "fresh3": (FRESH3, FRESH3_CATEGORIES, FRESH3_FLOOR),
}


@pytest.mark.parametrize("name", FRESH_PARTS)
def test_the_fresh_parts_never_tuned_on_hold_their_figures(name):
    table, categories, floor = FRESH_PARTS[name]
    found = figures(table, scoring.category_index(categories))
    # Its figures only: its misses are not printed, so that it stays unseen.
    print(
        f"\n{name}: {found['lines']} lines; polarity {found['polarity']:.1%}, "
        f"strength band {found['band']:.1%}, label {found['label']:.1%} of {found['labelled']}, "
        f"{found['false labels']} labelled where none applies"
    )
    assert found["lines"] >= 150
    assert found["polarity"] >= floor["polarity"]
    assert found["label"] >= floor["label"]
    assert found["false labels"] <= FALSE_LABEL_SHARE * (found["lines"] - found["labelled"])
