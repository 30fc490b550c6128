"""A list from a score table: removed and seen items out, diversity, and each
line the person wrote given its share of the list."""

from collections.abc import Mapping, Sequence

import numpy as np

from engine.scoring.matching import _each_label_rows, _label_rows
from engine.scoring.model import OWN_MATCH, OWN_SHARE, Recommendation, Scored, Settings
from engine.scoring.rationale import reason_parts
from engine.scoring.table import ScoreTable


def _own_items(table: ScoreTable, column: int) -> np.ndarray:
    """Bool per row: an item a written line is about. A line that names a
    category is about the category's items; another line about what its words
    match (at least OWN_MATCH of a full match)."""
    statement = table.likes[column]
    labelled = _label_rows(statement, table.candidates)
    if labelled is not None:
        return labelled
    return table.like_match[:, column] >= OWN_MATCH * statement.weight


def _promised(table: ScoreTable, chosen: list[int], kept: np.ndarray, k: int) -> list[int]:
    """``chosen`` rows with each line the person wrote given its share of the list.

    A line's own items are those it is about (``_own_items``). A line with
    fewer of them in the list than OWN_SHARE x
    strength x k brings in its best remaining ones (by its share of their
    score), in place of the lowest-scored items that are no written line's
    own; each takes the place its own score gives it in the list.
    """
    own = [column for column, s in enumerate(table.likes) if s.own]
    if not own or not len(table.lines):
        return chosen
    matching = {column: _own_items(table, column) for column in own}
    promised: list[int] = []
    for column in own:
        quota = max(1, round(k * OWN_SHARE * table.likes[column].weight))
        # A line acting on several labels ("jazz and blues") shares its quota
        # among them, then tops it up from any: no label takes it all.
        each = _each_label_rows(table.likes[column], table.candidates)
        parts = [(rows, quota // len(each)) for rows in each] if len(each) > 1 else []
        for rows, wanted in [*parts, (matching[column], quota)]:
            have = sum(1 for row in [*chosen, *promised] if rows[row])
            if have >= wanted:
                continue
            taken = {*chosen, *promised}
            candidates = kept[rows[kept]]
            order = candidates[np.argsort(-table.lines[candidates, column], kind="stable")]
            promised += [int(row) for row in order if int(row) not in taken][: wanted - have]
    if not promised:
        return chosen
    held = {row for row in chosen if any(matching[column][row] for column in own)}
    spare = sorted((row for row in chosen if row not in held), key=lambda row: table.score[row])
    dropped = set(spare[: max(0, len(chosen) + len(promised) - k)])
    result = [row for row in chosen if row not in dropped]
    for row in sorted(promised, key=lambda row: -table.score[row]):
        place = next(
            (n for n, other in enumerate(result) if table.score[other] < table.score[row]),
            len(result),
        )
        result.insert(place, row)
    return result[:k]


def diversify(
    scored: Sequence[Scored], vectors: Mapping[int, np.ndarray], *, k: int, diversity: float
) -> list[Scored]:
    """Pick ``k`` items by maximal marginal relevance.

    1. Take the best 3k items (at least 30) and express each score as a
       share of the best one (relevance 0-1; comparable to cosine similarity).
    2. Repeatedly take the item with the highest
       (1 - diversity) * relevance - diversity * (similarity to the closest
       item already taken). diversity=0 is the plain ranking.
    """
    ranked = sorted(scored, key=lambda s: -s.score)
    pool = ranked[: max(3 * k, 30)]
    picked = _mmr(
        np.array([s.score for s in pool]),
        lambda: np.stack([vectors[s.item_id] for s in pool]),
        k=k,
        diversity=diversity,
    )
    return [pool[i] for i in picked]


def _mmr(scores: np.ndarray, vectors, *, k: int, diversity: float) -> list[int]:
    """``diversify`` on a pool already in score order (best first, at most
    max(3k, 30)): the positions picked. ``vectors``: a callable giving the
    pool's vectors, row-aligned, read only when diversity is on."""
    if diversity <= 0 or len(scores) <= 1 or scores[0] <= 0:
        return list(range(min(k, len(scores))))
    relevance = scores / scores[0]
    matrix = np.asarray(vectors()).astype(np.float32)
    closest = np.full(len(scores), -np.inf)
    taken: list[int] = []
    available = np.ones(len(scores), dtype=bool)
    while len(taken) < min(k, len(scores)):
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        value = (1 - diversity) * relevance - diversity * penalty
        value[~available] = -np.inf
        pick = int(value.argmax())
        taken.append(pick)
        available[pick] = False
        closest = np.maximum(closest, matrix @ matrix[pick])
    return taken


def rank(
    table: ScoreTable,
    *,
    k: int,
    settings: Settings,
    exclude_ids: Sequence[int] = (),
) -> list[Recommendation]:
    """Drop removed (and excluded) items, diversify, give each line the person
    wrote its share (``_promised``), and attach each item's rationale."""
    kept = ~table.removed
    if len(exclude_ids):
        kept &= ~np.isin(table.candidates.ids, np.asarray(exclude_ids, dtype=np.int64))
    rows = np.flatnonzero(kept)
    pool = rows[np.argsort(-table.score[rows], kind="stable")][: max(3 * k, 30)]
    # Nothing the person did to spread: a newcomer's list is what is popular
    # among people who took what they named, and spreading it costs accuracy
    # (Amazon instruments, two typed categories, NDCG@10 1.13x popular
    # unspread, 1.03x at diversity 0.3).
    diversity = settings.diversity if table.history else 0.0
    # Only the rows picked become Scored (their matches and sources): the
    # pool needs its scores and vectors alone.
    picked = _mmr(
        np.asarray(table.score[pool], dtype=np.float64),
        lambda: table.candidates.vectors[pool],
        k=k,
        diversity=diversity,
    )
    chosen = [int(pool[i]) for i in picked]
    # At balance 0 the person asked for what they did alone: nothing promised.
    if settings.personalised and settings.balance > 0:
        chosen = _promised(table, chosen, rows, k)
    return [
        Recommendation(s, position, reason_parts(s, personalised=settings.personalised))
        for position, s in enumerate((table.scored(row) for row in chosen), 1)
    ]
