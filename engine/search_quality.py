"""Whether a search found anything that matches well, read off the similarities.

A search by meaning always returns the nearest items, even for "zzzzqqqxx":
something is always nearest. The query's own z-scores cannot tell (the best
of a catalog always stands a few deviations above that query's mean, for
nonsense as for "horror"), and a raw cosine has no scale that holds across
catalogs and encoders. Two readings against each item's own similarity
distribution (CatalogStats: how close that item usually is to the others) do:

- stand-out: the best item is closer to the query than it usually is to the
  rest of the catalog (a single strong match: "jazz");
- agreement: the first few items are closer to each other than they usually
  are to the rest (a group: every "horror" result is a horror book).
Nonsense finds neither: its nearest items sit at their usual distance and
have nothing in common.

Plain numpy, no Django. Measured with all-MiniLM-L6-v2 (mean of the two
readings, first 3 items, nearest items only) on the 150-book sample catalog
and on 2,500 TMDB films (title, genres, keywords, overview), with the same
18 nonsense queries ("zzzzqqqxx", "asdfgh", "!!!", "hello", "the", "ok"...)
and 18 topic queries ("horror", "jazz", "a detective in Victorian London",
"history of Rome"...): nonsense reads at most 0.99 on the books and at most
1.06 on the films but for "aaaa" (1.54) and "foo bar baz" (1.60); topics
read at least 1.29, except on the books "zombies" (0.99: there are no
zombie books) and "a quiet novel about grief" (0.88). At MATCH_WELL_Z = 1.2
that is 34 of 36 nonsense queries and 34 of 36 topics told apart. Reading
the first 5 items instead of 3 brings both catalogs' nonsense and topics
closer together (books: "first contact with aliens" 1.19).
"""

import numpy as np

from engine.scoring import CatalogStats

MATCH_WELL_Z = 1.2
# How many of the first items are read: a small group, not a pair.
AGREEMENT_ITEMS = 3


def match_strength(query: np.ndarray, found: np.ndarray, stats: CatalogStats) -> float:
    """The mean of stand-out and agreement (see the module), in deviations.

    ``query``: the query's unit vector; ``found``: the unit vectors of the
    results, best first. 0 when nothing was found.
    """
    found = np.asarray(found, dtype=np.float64)[:AGREEMENT_ITEMS]
    if not len(found):
        return 0.0
    means, deviations = stats.similarity_moments(found)
    stand_out = float(np.max((found @ np.asarray(query, dtype=np.float64) - means) / deviations))
    if len(found) < 2:
        return stand_out / 2
    pairs = (found @ found.T - means[:, None]) / deviations[:, None]
    count = len(found)
    agreement = float((pairs.sum() - np.trace(pairs)) / (count * (count - 1)))
    return (stand_out + agreement) / 2


def matches_well(query: np.ndarray, found: np.ndarray, stats: CatalogStats) -> bool:
    return match_strength(query, found, stats) >= MATCH_WELL_Z
