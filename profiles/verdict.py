"""A verdict said after the topic, read by meaning where the phrase lists do not know its words.

``profiles.phrasing`` reads "X bores me" and "X leaves me cold" from its
lists; people say "X bums me out", "X sends me to sleep", "X annoys the heck
out of me". Such a line is a topic, then a clause about how the topic makes
the person feel, with the person in it ("me", "my"), or a judgement of the
topic after a copula ("westerns are all noise", "folk feels twee"). Here the clause is
compared by meaning (sentence embeddings) with short clauses written for
this module from templates, never from the phrase corpora: clauses of a bad
feeling or judgement, of a good one, and words that only go on describing
the topic ("films about dragons", "music for my commute", "operettas are
sung in Italian") or are lukewarm ("is ok"). A small logistic
regression over the embeddings, its weights stored beside this module
(``WEIGHTS``; trained once per process only where they do not fit), says which.

Only lines the phrase lists leave unread come here (``profiles.parser``),
and only splits where the clause has the person in it (or opens with a
copula) and opens with no
word that continues a description ("that", "for", "about"); a line is read
once per text (``read_cached``) and the encoder's own cache keeps its
clauses, so a preview that re-reads a profile encodes nothing again.
"""

import hashlib
import itertools
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

LIKE = "like"
AVOID = "avoid"

# The person, in the clause: a verdict about how the topic makes them feel.
_PERSON = frozenset("me my i i'm i've myself us our".split())  # noqa: SIM905
# A clause opening with one of these goes on describing the topic ("books
# that make me laugh", "music for my commute"): no verdict.
_CONTINUES = frozenset(
    """that which who whose where when while for with about from of in on by and or to like
    as at into than the a an set featuring starring without but not no so if because""".split()  # noqa: SIM905
)
# A topic never ends on one of these: the split would cut a phrase in two.
_UNFINISHED = _CONTINUES | frozenset("is are was were be been being very too so really".split())  # noqa: SIM905
# A lukewarm word ("is ok", "are alright") is no verdict: the phrase lists and
# the section read those lines.
# A clause that opens with one of these judges the topic without the person
# in it ("westerns are all noise", "folk feels twee"): a verdict too, when
# the classifier reads one (a description, "operettas are sung in Italian",
# is a class of its own).
_COPULAS = frozenset(
    """is are was were feels feel felt seems seem sounds sound looks look gets get
    isn't aren't wasn't weren't""".split()  # noqa: SIM905
)
MAX_TOPIC_WORDS = 5
MAX_WORDS = 14
# The classifier's probability a verdict needs to be acted on.
MIN_PROBABILITY = 0.7

# Clauses written for this module: each template with each filler.
_BAD_VERBS = """bores; tires; drains; exhausts; annoys; irritates; depresses; saddens; upsets;
    frustrates; infuriates; disgusts; repels; sickens; scares; terrifies; unsettles; confuses;
    puts off; turns off; stresses out; wears out; freaks out; grosses out; creeps out;
    winds up; bums out; brings down; drags down; sends to sleep; leaves cold; leaves flat;
    leaves bored; leaves empty; gives a migraine; makes yawn; makes cringe; makes sleepy;
    makes miserable; makes angry; makes uneasy; makes queasy; makes sad; makes tired;
    gives a rash; makes want to nap"""
_GOOD_VERBS = """excites; thrills; delights; moves; inspires; relaxes; soothes; calms;
    comforts; amuses; charms; fascinates; captivates; grips; hooks; energises; cheers up;
    lifts up; picks up; chills out; winds down; sweeps away; blows away; makes smile;
    makes happy; makes laugh; makes dance; makes curious; makes think; makes feel alive;
    makes feel at home; gives goosebumps; gives joy; keeps hooked; keeps entertained;
    keeps guessing; draws in; pulls in; lights up; warms; speaks to; gets every time"""
_SAYINGS_BAD = """sounds like a racket to me; feels like a chore to me; is torture for me;
    is just not for me; is lost on me; does nothing for me; means nothing to me;
    is wasted on me; is too much for me; is painful to me; is a slog for me;
    is the worst thing for me; feels pointless to me; seems dull to me; is a hard nope for me;
    gets on my nerves; gets under my skin; tests my patience; kills my mood;
    ruins my day; ruins my evening; hurts my ears; hurts my head; hurts my brain;
    puts my teeth on edge; makes my eyes glaze over; is my idea of hell;
    drives me up the wall; drives me round the bend; drives me crazy;
    bores me to death; makes me want to run away; makes me want to switch it off"""
_SAYINGS_GOOD = """sounds like heaven to me; feels like home to me; is a treat for me;
    is just right for me; is perfect for me; means the world to me; makes my day;
    makes my week; makes my heart sing; is my safe place; lifts my mood; brightens my day;
    calms my mind; feeds my soul; gets my heart racing; keeps me up all night reading;
    is music to my ears; speaks to my soul; never fails to cheer me up;
    always puts me in a good mood; always makes me smile; takes my breath away;
    keeps me on the edge of my seat; makes me feel like a kid again"""
_DESCRIBING = """films; movies; novels; books; songs; albums; music; courses; classes; games;
    podcasts; recipes; shows; series; stories; about dragons; about the moon; about the sea;
    with strong female leads; with happy endings; with lots of action; with a twist;
    for my commute; for my kids; for my morning run; for my daughter; for me and my friends;
    my dad used to play; my mum loves; my friends recommend; i grew up with;
    i can hum to; i can dance to; i can play with my kids; i listened to as a kid;
    i watched as a child; i read at school; i can learn from; my partner and i can share;
    on my way to work; on my phone; in my spare time; at my desk; before my bedtime;
    to help me sleep; to help me focus; to teach me coding; that make me giggle;
    from the eighties; set in space; in french; by women; for beginners like me;
    violin music; jazz guitar; cosy crime; sword fights; road trips; old sailors;
    detective series; board games for my family; cookbooks for my kitchen"""
# Judgements with no person in them, written for this module: what people
# call a kind of item they do not want, and one they do, each after a copula.
_BAD_JUDGEMENTS = """boring; dull; tedious; shallow; pretentious; overrated; cringe; cringey;
    mindless; samey; repetitive; noisy; pointless; silly; stuffy; dated; grim; depressing;
    awful; terrible; dreadful; annoying; exhausting; unbearable; unwatchable; unreadable;
    forgettable; lame; tacky; bland; soulless; a waste of time; a snooze; a chore; all noise;
    all the same; just noise; not worth it; too slow; too long; too loud; too dark;
    too violent; too sappy; too cheesy; too twee; too much; too random; too fiddly;
    too abstract; too dry; way too much; so bad; the worst; a total bore; a slog; trash;
    rubbish; garbage; nonsense; unbearably slow; painfully dull; not fun; not interesting;
    not good; never any good; no fun at all"""
_GOOD_JUDGEMENTS = """brilliant; amazing; the best; wonderful; great fun; so much fun;
    fascinating; gripping; beautiful; a joy; a delight; soothing; exciting; addictive;
    always worth it; the greatest; magical; hilarious; fantastic; awesome; so good;
    heaven; top tier; timeless; a guilty pleasure; unbeatable; perfect; superb;
    stunning; captivating; thrilling; epic; the bomb; pure gold; a must; irresistible;
    never boring; always a treat; so relaxing; incredible; underrated; genius"""
# Copula clauses that only go on describing the topic: no verdict.
_DESCRIBING_AFTER = """is set in space; are set in the past; is about a detective;
    are about dragons; are written by women; is from the eighties; are made in france;
    are based on true stories; is sung in italian; are for kids; is for beginners;
    are played on a board; is in black and white; are in french; is an old genre;
    are made by small studios; is recorded live; are taught online; is a kind of jazz;
    are a kind of puzzle; was popular in the nineties; were made in the fifties;
    is played with cards; are usually long; is often sad; are mostly short; feel like a dream;
    sound like the sea; look like paintings; is spoken in mexico; are printed on paper;
    is ok; is ok i guess; are alright; is fine; are fine by me; is not bad; are decent enough;
    is tolerable; are passable; is fine in small doses"""
_JUDGED = ("is {a}", "are {a}", "feels {a}", "is so {a}", "are just {a}", "sounds {a}")
_TEMPLATES = ("{v} me", "really {v} me", "always {v} me", "just {v} me", "{v} me so much")


def _words(block: str) -> list[str]:
    return [" ".join(p.split()) for p in block.split(";") if p.strip()]


def _with_me(verb: str, template: str) -> str:
    """ "puts off" into "{v} me" gives "puts me off"; "makes yawn", "makes me yawn"."""
    head, _, rest = verb.partition(" ")
    clause = template.replace("{v}", head)
    return f"{clause} {rest}".strip() if rest else clause


def training_clauses() -> tuple[list[str], np.ndarray]:
    """The written clauses and their classes: 0 describing, 1 bad feeling, 2 good feeling."""
    bad = [_with_me(v, t) for v, t in itertools.product(_words(_BAD_VERBS), _TEMPLATES[:3])]
    good = [_with_me(v, t) for v, t in itertools.product(_words(_GOOD_VERBS), _TEMPLATES[:3])]
    bad += _words(_SAYINGS_BAD)
    good += _words(_SAYINGS_GOOD)
    describing = _words(_DESCRIBING) + _words(_DESCRIBING_AFTER)
    for judgements, found in ((_BAD_JUDGEMENTS, bad), (_GOOD_JUDGEMENTS, good)):
        for n, judgement in enumerate(_words(judgements)):
            # Each judgement after "is", "are" and one other copula, in turn.
            for template in (*_JUDGED[:2], _JUDGED[2 + n % (len(_JUDGED) - 2)]):
                found.append(template.replace("{a}", judgement))
    texts = [*describing, *bad, *good]
    classes = np.array([0] * len(describing) + [1] * len(bad) + [2] * len(good))
    return texts, classes


def _fit(vectors: np.ndarray, classes: np.ndarray, steps: int = 3000) -> np.ndarray:
    """Multinomial logistic regression (weights with a bias row), by gradient descent;
    each class weighed by its share, so the larger lists do not win by size."""
    x = np.hstack([vectors, np.ones((len(vectors), 1))])
    k = int(classes.max()) + 1
    target = np.eye(k)[classes]
    balance = (len(classes) / (k * np.bincount(classes, minlength=k)))[classes][:, None]
    weights = np.zeros((x.shape[1], k))
    for _ in range(steps):
        p = _softmax(x @ weights)
        weights -= 2.0 * (x.T @ ((p - target) * balance) / len(x) + 1e-4 * weights)
    return weights


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


_lock = threading.Lock()
_model: dict = {}


# The weights trained on the written clauses with the encoder of the settings,
# stored (``python -m profiles.verdict`` writes them again): training encodes
# about 400 clauses, far too slow for a first request. They are used while
# the clauses are the ones they were trained on (their digest) and the
# encoder is the one that encoded them (the vector of a probe text); else
# the process trains its own, once.
WEIGHTS = Path(__file__).with_name("verdict_weights.npz")
_PROBE = "a probe sentence that says which encoder this is"


def _digest(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def _stored(encode, texts: list[str]) -> np.ndarray | None:
    if not WEIGHTS.exists():
        return None
    with np.load(WEIGHTS) as stored:
        if str(stored["digest"]) != _digest(texts):
            return None
        probe = np.asarray(encode([_PROBE])[0], dtype=np.float64)
        if float(probe @ stored["probe"]) < 0.999:
            return None
        return np.asarray(stored["weights"], dtype=np.float64)


def _weights(encode) -> np.ndarray:
    key = getattr(encode, "__self__", encode)
    with _lock:
        found = _model.get(key)
    if found is None:
        texts, classes = training_clauses()
        found = _stored(encode, texts)
        if found is None:
            found = _fit(np.asarray(encode(texts), dtype=np.float64), classes)
        with _lock:
            _model.clear()
            _model[key] = found
    return found


def write_weights(encode) -> None:
    """Train on the written clauses with ``encode`` and store the weights (WEIGHTS)."""
    texts, classes = training_clauses()
    weights = _fit(np.asarray(encode(texts), dtype=np.float64), classes)
    probe = np.asarray(encode([_PROBE])[0], dtype=np.float64)
    np.savez_compressed(
        WEIGHTS, weights=weights.astype(np.float32), probe=probe, digest=_digest(texts)
    )


def splits(text: str) -> list[tuple[str, str]]:
    """(topic, clause) pairs ``text`` may be read as: the clause has the person
    in it, or opens with a copula ("folk is too twee"), and opens with a word
    that does not go on describing the topic."""
    words = text.split()
    if not 2 <= len(words) <= MAX_WORDS:
        return []
    found = []
    for n in range(1, min(MAX_TOPIC_WORDS, len(words) - 1) + 1):
        topic, clause = words[:n], words[n:]
        last, first = topic[-1].casefold(), clause[0].casefold().strip(",;:")
        bare = [w.casefold().strip(",.;:!?") for w in clause]
        opens = first in _CONTINUES or first in _PERSON  # the verb comes first: "X bores me"
        judged = first in _COPULAS and len(clause) >= 2  # "westerns are all noise"
        if last.strip(",;:") in _UNFINISHED or opens or not (_PERSON & set(bare) or judged):
            continue
        if any(w.casefold() in _CONTINUES - {"the", "a", "an", "and", "or", "so"} for w in topic):
            continue  # "films that scare me": a description, wanted
        found.append((" ".join(topic).strip(",;:"), " ".join(clause)))
    return found


def read(text: str, encode=None) -> tuple[str, str] | None:
    """(polarity, topic) when ``text`` is a topic and a clause of a bad or good
    feeling about it ("dramas bum me out"), by meaning; None when it is not
    clearly one."""
    pairs = splits(text)
    if not pairs:
        return None
    try:
        encode = encode or _process_encode()
        weights = _weights(encode)
        vectors = np.asarray(encode([c for _, c in pairs]), dtype=np.float64)
    except Exception:  # noqa: BLE001 - no encoder (a bare tool, a broken model): the lists alone
        return None
    p = _softmax(np.hstack([vectors, np.ones((len(vectors), 1))]) @ weights)
    best = int(np.argmax(p[:, 1:].max(axis=1)))
    side = int(np.argmax(p[best, 1:])) + 1
    if p[best, side] < MIN_PROBABILITY:
        return None
    return (AVOID if side == 1 else LIKE), pairs[best][0]


@lru_cache(maxsize=4096)
def read_cached(text: str) -> tuple[str, str] | None:
    """``read`` with the process's encoder, once per line text."""
    return read(text)


def _process_encode():
    from engine.encoder import get_encoder  # torch loads on first use, not on import

    return get_encoder().encode_cached


if __name__ == "__main__":  # python -m profiles.verdict, with DJANGO_SETTINGS_MODULE set
    import django

    django.setup()
    write_weights(_process_encode())
