"""The general rules under ``profiles.phrasing``'s phrase lists: how a line is
spelled, where a negation reaches, and what trails after what was said.

The phrase lists know many ways of saying "no"; people find more. These rules
read the shape of a sentence instead of its exact words:

- contractions typed without their apostrophe ("cant", "isnt", "im") are the
  contractions ("can't", "isn't", "i'm"), curly apostrophes straight ones;
- a negation before a verb of taking something in is an avoid whatever the
  verb ("I've never warmed to X", "can't get into X", "not feeling X",
  "never cared much for X", "not a reader of X"), unless the verb phrase is
  one that says the opposite ("can't wait for X", "don't mind X");
- a negation after the topic, the topic its subject, is an avoid ("X never
  grabbed me", "X didn't work for me", "X is so not my thing"), unless what
  is negated is itself bad ("X never disappoints", "X never gets boring");
- words that only trail ("thanks", "tbh", "anymore", "lol") are taken off the
  end before the endings are compared ("X, not for me thanks").

Plain Python, no Django; every pattern is anchored at the start or searched in
a bounded tail, so reading stays linear in the line's length.
"""

import re

# Typed without the apostrophe: only words that are no other English word.
_CONTRACTIONS = {
    "cant": "can't",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "isnt": "isn't",
    "arent": "aren't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "wouldnt": "wouldn't",
    "couldnt": "couldn't",
    "shouldnt": "shouldn't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "aint": "ain't",
    "im": "i'm",
    "ive": "i've",
    "id": "i'd",
    "youre": "you're",
    "thats": "that's",
    "theyre": "they're",
    "wont": "won't",
}
_CONTRACTION = re.compile(r"\b(?:" + "|".join(_CONTRACTIONS) + r")\b", re.IGNORECASE)
_CURLY = str.maketrans({"\u2019": "'", "\u2018": "'"})


def spelled(text: str) -> str:
    """``text`` with its contractions spelled as contractions ("cant" -> "can't")."""
    text = text.translate(_CURLY)
    if "'" in text and not _CONTRACTION.search(text):
        return text
    return _CONTRACTION.sub(lambda m: _CONTRACTIONS[m.group(0).lower()], text)


# Negations that open what a person says about a thing.
NEGATION = (
    r"(?:don't|do not|doesn't|does not|didn't|did not|never|can't|cannot|can not|couldn't"
    r"|could not|won't|will not|wouldn't|would not|am not|'m not|not|no longer|hardly ever"
    r"|hardly|rarely|ain't)"
)
# Verb phrases that a negation turns into a like ("can't wait for X").
DESPITE = [
    r"(?:can't|cannot|can not) wait (?:for|to)",
    r"(?:can't|cannot|can not|never) go wrong with",
    r"(?:never|can't|cannot|won't) say no to",
    r"(?:can't|cannot|couldn't|could not) (?:live|do|be) without",
    r"(?:never|don't ever|won't ever) (?:tire|get bored|grow bored|get sick) of",
    r"(?:can't|cannot|never|don't) stop (?:listening to|watching|reading|playing|cooking)",
    r"(?:don't|do not|wouldn't|would not) mind(?: a| some| the)?",
    r"(?:never|don't|doesn't|won't) (?:disappoint|fail)",
]
# Verbs common enough to name without a suffix: taking things in, choosing them.
_VERBS = (
    r"(?:read|watch|see|saw|hear|heard|get|got|gotten|go|went|took|felt|bought|do|buy|need|care|listen|play|take|feel|dig|want|use"
    r"|own|touch|trust|rate|rewatch|reread|finish|cook|bake|learn|study|follow|vibe|click"
    r"|connect|gel|bother|mess|deal|bond|relate|understand|gravitate|warm)"
)
_PARTICLES = r"(?:to|into|on|for|about|with|behind|in|at|through|of|around|up to|along with|over)"
# After a negation: a verb (any word ending -ing or -ed, or a common one) with
# "much", "really" and a particle after it; or a few words and a particle
# ("a reader of", "big on", "much of a fan of").
NEGATED_VERB = (
    rf"(?:(?:{_VERBS}|[a-z]+(?:ing|ed))s?(?:\s+(?:much|really|at all|ever))?"
    rf"(?:\s+{_PARTICLES})?|(?:[\w-]+\s+){{1,3}}?{_PARTICLES})"
)

# Said after the topic: its verb negated ("X never grabbed me", "X isn't my
# kind of thing", "X has never clicked for me").
_AUX = (
    r"(?:is|are|was|were|has|have|had|does|do|did|just|really|so|simply|honestly|still|always"
    r"|also|quite|kind of|kinda|sadly|totally|definitely|frankly|truly)"
)
_AFTER_NEGATION = re.compile(
    rf"\s+(?:{_AUX}\s+){{0,3}}(?:isn't|aren't|wasn't|weren't|doesn't|don't|didn't|hasn't"
    r"|haven't|won't|can't|never|not|no longer|ain't)\b(?P<said>.*)$",
    re.IGNORECASE,
)
# What a negation after the topic may deny that is bad: then the line is a like.
_DENIED_BAD = re.compile(
    r"\b(?:disappoint\w*|fail\w*|get old|gets old|grow old|grows old|go wrong|goes wrong"
    r"|bor(?:e|es|ed|ing)|dull|tire\w*|let\w* me down|get enough|gets enough|miss(?:es)?"
    r"|get stale|gets stale|lose its|loses its|get tired|gets tired|sick of|bad|worse)\b",
    re.IGNORECASE,
)
# Words that turn a line: a negation after them is the second half of "X but not Y".
_SUBJECT_WORDS = {"i", "i've", "i'm", "i'd", "we", "we've", "me", "honestly", "really", "just"}
_RELATIVE = {"that", "which", "who", "whose", "where", "when", "if", "unless", "because"}
_TURN_WORDS = {"but", "though", "although", "yet", "and", "or", "just", "only", "except"}

# Trailing words that say nothing about the thing: taken off before the endings.
_TRAILING = re.compile(
    r"(?:[\s,;:.!?-]+(?:thanks|thank you|thx|ta|please|pls|plz|tbh|honestly|lol|haha|though"
    r"|tho|anymore|any more|these days|lately|nowadays|right now|at the moment|to be honest"
    r"|at all|really|anyway|anyways|for real|seriously|sorry))+[\s.!?]*$",
    re.IGNORECASE,
)


_NEGATED_TAIL = re.compile(
    rf"\s+(?:{_AUX}\s+){{0,3}}(?:isn't|aren't|wasn't|weren't|doesn't|don't|didn't|hasn't|haven't"
    r"|won't|can't|never|not|no longer|hardly|ain't)(?:\s+(?:really|ever|always|quite))?$",
    re.IGNORECASE,
)


def denied(topic: str) -> str | None:
    """``topic`` without the negation it ends with, when it ends with one: what
    was said after it is denied ("X never" + "gets boring", "X just didn't" +
    "work for me"); None when it ends with none."""
    found = _NEGATED_TAIL.search(topic, max(0, len(topic) - 80))
    return topic[: found.start()] if found and found.start() > 0 else None


def untrailed(text: str) -> str:
    """``text`` without the words that only trail at its end ("X, not for me thanks");
    "no thanks" and "yes please" keep theirs: there they say something."""
    found = _TRAILING.search(text, max(0, len(text) - 80))
    if not found or found.start() == 0:
        return text
    kept = text[: found.start()]
    words = kept.lower().replace(",", " ").split()
    if not words or words[-1] in {"no", "not", "never", "but", "yes", "say"}:
        return text
    return kept


def negated_after(lower: str) -> tuple[str, int] | None:
    """("avoid" or "like", where the topic ends) when ``lower`` says its topic
    and then negates its verb; None when it does not, or when the negation
    opens the second half of a line that turns ("jazz, but not free jazz")."""
    found = _AFTER_NEGATION.search(lower, max(0, len(lower) - 160))
    # The first negation after a word of the topic: the search finds the leftmost.
    if not found or found.start() == 0:
        return None
    before = lower[: found.start()].rstrip()
    if not before or before[-1] in ",;:-–—(" or before.split()[-1] in _TURN_WORDS:
        return None
    # "I never ...": a subject, not a topic; "stories that never end": a
    # description of what is wanted, not a verdict on it.
    words = before.replace(",", " ").split()
    if words[0] in _SUBJECT_WORDS or set(words) & _RELATIVE:
        return None
    side = "like" if _DENIED_BAD.search(found["said"]) else "avoid"
    return side, found.start()
