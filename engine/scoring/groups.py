"""Each line's collaborative part: what its group of the person's history pulls in."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.scoring.model import (
    COLD_SHARE,
    NEW_ITEM_EVERY,
    NEW_ITEM_RANK,
    SEED_PRIOR_FLOOR,
    SEEDS_PER_LINE,
    TYPED_POPULARITY,
    Candidates,
    HistoryItem,
    ProfileStatement,
    popularity_prior,
)


@dataclass(frozen=True)
class Groups:
    """Whose history items pull each candidate in, split exactly by line.

    ``like`` and ``avoid`` hold each line's collaborative part (n x lines),
    ``free`` the free history's (n). Each is a share of the same scale: the
    largest pull the person's whole history gives any candidate is 1, so no
    part changes when another line is removed.
    """

    like: np.ndarray  # n x likes
    avoid: np.ndarray  # n x avoids
    free: np.ndarray  # n
    # Per like line, per avoid line, and for free history: (links rows, strengths)
    like_rows: list[tuple[np.ndarray, np.ndarray]]
    like_history: list[tuple[int, bool]]  # per like line: (column, its group is history)
    avoid_rows: list[tuple[np.ndarray, np.ndarray]]
    free_rows: tuple[np.ndarray, np.ndarray]
    scale: float  # what a share of 1 is in raw neighbour weight
    history_rows: dict[int, int]  # history item id -> its links row


def _pull(candidates: Candidates, rows: np.ndarray, strengths: np.ndarray) -> np.ndarray:
    """Raw neighbour weight the ``rows`` of ``links`` give each candidate."""
    n = len(candidates.ids)
    if candidates.links is None or not len(rows):
        return np.zeros(n)
    return np.asarray(candidates.links[rows].T @ strengths).ravel()


def _seeds(
    statement: ProfileStatement,
    match: np.ndarray,
    prior: np.ndarray,
    rows: Mapping[int, int],
    candidates: Candidates,
    history: Mapping[int, HistoryItem],
) -> tuple[np.ndarray, np.ndarray]:
    """A typed line's own group: its non-history evidence, and the candidates
    its words match best weighted by popularity (an obscure item with a
    matching blurb does not lead), as links rows with their strengths."""
    chosen: dict[int, float] = {
        rows[item]: 1.0 for item in statement.members if item in rows and item not in history
    }
    found = match * (SEED_PRIOR_FLOOR + (1 - SEED_PRIOR_FLOOR) * prior)
    for row in np.argsort(-found, kind="stable")[:SEEDS_PER_LINE]:
        item = int(candidates.ids[row])
        if found[row] > 0 and item in rows and item not in history:
            chosen.setdefault(rows[item], float(found[row] / max(found.max(initial=0.0), 1e-12)))
    return np.array(list(chosen), dtype=np.int64), np.array(list(chosen.values()))


def _typed_pull(
    candidates: Candidates, seeds: tuple[np.ndarray, np.ndarray], newcomer: bool = False
) -> np.ndarray:
    """What a typed line's own group pulls in, its largest pull 1.

    The items it found are its group, as a history group's items are: what
    people who took them also took, each weighted by its strength. Its own
    items count only as far as their fellow members pull them in, not as
    certain picks: on Amazon instruments (a newcomer's two typed categories,
    cold_user at 0, NDCG@10 as a share of popular's) giving each found item
    the group's strongest pull gave 1.07x, leaving that out 1.13x; people
    take the neighbours of what they name more than its most popular items.
    For a ``newcomer`` (no positives the model knows) what they pull in is
    weighted by popularity (TYPED_POPULARITY): the line says what kind of
    item, and with no history to say which of its neighbours this person
    knows, people take the well-known ones first. With a history the
    weighting cost (Amazon, every person, at 3 and 5 interactions 0.0667
    and 0.0749 without, 0.0655 and 0.0734 with): it is left out there.
    Only where its items pull nothing in (no trained neighbours) do they
    stand for the line themselves.
    """
    pulled = _pull(candidates, *seeds)
    if newcomer:
        popularity = np.asarray(candidates.popularity, dtype=np.float64)
        pulled *= (popularity / max(popularity.max(initial=0.0), 1.0)) ** TYPED_POPULARITY
    if pulled.max(initial=0.0) <= 1e-12:
        found = np.isin(candidates.ids, candidates.sources[seeds[0]])
        strength = dict(zip(candidates.sources[seeds[0]].tolist(), seeds[1], strict=True))
        pulled[found] = [strength[int(i)] for i in candidates.ids[found]]
    peak = pulled.max(initial=0.0)
    return pulled / peak if peak > 0 else pulled


Rows = tuple[np.ndarray, np.ndarray]  # links rows and their strengths


def _claims(likes, avoids, history, held: dict[int, int]) -> tuple[list[Rows], list[Rows], Rows]:
    """Each line's history items as links rows (first Avoids, then Likes lines,
    in order, each item to the first that names it), and the free ones."""
    claimed: set[int] = set()

    def rows_of(items: list[int]) -> Rows:
        return (
            np.array([held[i] for i in items], dtype=np.int64),
            np.array([history[i].strength for i in items]),
        )

    def group(statement: ProfileStatement) -> Rows:
        mine = [i for i in statement.members if i in held and i not in claimed]
        claimed.update(mine)
        return rows_of(mine)

    avoid_rows = [group(s) for s in avoids]
    like_rows = [group(s) for s in likes]
    return avoid_rows, like_rows, rows_of([i for i in held if i not in claimed and history[i].free])


def history_groups(
    candidates: Candidates,
    likes: Sequence[ProfileStatement],
    avoids: Sequence[ProfileStatement],
    history: Mapping[int, HistoryItem],
    like_match: np.ndarray,
) -> Groups:
    """Each line's collaborative part, and the free history's.

    1. A history item belongs to the first Avoids line, else the first Likes
       line, whose members name it; an unclaimed one counts on its own when
       it is free (see HistoryItem.free).
    2. A group pulls in what its items' trained neighbours are, each
       weighted by the item's strength; the scale is the largest pull of the
       whole history, so every part is a fixed share.
    3. A Likes line with no history behind it (typed) finds its own group
       (``_seeds``), scaled to its own largest pull.
    """
    rows = candidates.source_rows()
    held = {item: rows[item] for item in history if item in rows}
    avoid_rows, like_rows, free_rows = _claims(likes, avoids, history, held)
    every = np.array(list(held.values()), dtype=np.int64)
    total = _pull(candidates, every, np.array([history[i].strength for i in held]))
    scale = float(total.max(initial=0.0)) if total.max(initial=0.0) > 1e-12 else 1.0
    n = len(candidates.ids)
    like_history = [(column, bool(len(rows_))) for column, (rows_, _) in enumerate(like_rows)]
    like = np.zeros((n, len(likes)))
    prior = popularity_prior(candidates.popularity, int(np.max(candidates.popularity, initial=0)))
    # A typed line is one taste among those the history holds: its own group
    # pulls as hard as an equal share of the whole history would.
    tastes = sum(1 for r, _ in like_rows if len(r)) + (1 if len(free_rows[0]) else 0)
    for column, statement in enumerate(likes):
        if len(like_rows[column][0]):
            like[:, column] = _pull(candidates, *like_rows[column]) / scale
            continue
        seeds = _seeds(statement, like_match[:, column], prior, rows, candidates, history)
        like_rows[column] = seeds
        like[:, column] = _typed_pull(candidates, seeds, newcomer=not held) / (tastes + 1)
    avoid = np.zeros((n, len(avoids)))
    for column in range(len(avoids)):
        avoid[:, column] = _pull(candidates, *avoid_rows[column]) / scale
    return Groups(
        like=like,
        avoid=avoid,
        free=_pull(candidates, *free_rows) / scale,
        like_rows=like_rows,
        like_history=like_history,
        avoid_rows=avoid_rows,
        free_rows=free_rows,
        scale=scale,
        history_rows=held,
    )


def unseen_pull(
    groups: Groups, content: np.ndarray, strengths: np.ndarray, popularity: np.ndarray
) -> None:
    """In place: a collaborative part for the items nobody has rated yet.

    The trained neighbours know nothing of them, so each history group's pull
    on such an item is estimated from its content: how close it is to the
    group's centre (a full match, COLD_SHARE of the group's strongest pull).
    Without it a new item could never reach a list but by its words. A typed
    line's own group was found by meaning already.
    """
    unseen = np.asarray(popularity) == 0
    columns = [c for c, (_, held) in enumerate(groups.like_history) if held]
    if not unseen.any() or unseen.all() or not columns:
        return
    seen_top = groups.like[~unseen][:, columns].max(axis=0)
    match = content[np.ix_(unseen, columns)] / np.maximum(strengths[columns], 1e-12)
    estimate = COLD_SHARE * seen_top * np.minimum(match, 1.0)
    current = groups.like[np.ix_(unseen, columns)]
    groups.like[np.ix_(unseen, columns)] = np.maximum(current, estimate)


def unseen_cap(
    groups: Groups,
    terms: dict[str, np.ndarray],
    strengths: np.ndarray,
    popularity: np.ndarray,
    listable: np.ndarray,
    did: float,
) -> bool:
    """In place: the items nobody has rated that match a group's centre take
    the places after the NEW_ITEM_RANK-th known item, one in NEW_ITEM_EVERY.

    Their collaborative part is a guess from their content (unseen_pull): it
    orders them among themselves, but its size says little against what the
    trained neighbours are sure of (on Amazon instruments the guess left most
    new items below the 20th known one, and content-only found twice as many
    of them). So the j-th best new item (by its own score) is set just below
    the known item at NEW_ITEM_RANK + j x (NEW_ITEM_EVERY - 1), pulled up or
    down to it by its guessed part alone: never above what the history is
    sure of, never all the places after it, and the shares stay exact (the
    guess is split over the lines as unseen_pull split it). ``listable``: the
    rows a list could show (not removed, not the person's own history).
    Returns whether anything changed.
    """
    unseen = np.asarray(popularity) == 0
    columns = [c for c, held in groups.like_history if held]
    total = sum(terms.values())
    known = np.sort(total[~unseen & listable])[::-1]
    if not unseen.any() or not columns or did <= 0 or len(known) < NEW_ITEM_RANK:
        return False
    rows = np.flatnonzero(unseen)
    guessed = did * (groups.like[np.ix_(rows, columns)] @ strengths[columns])
    rest = total[rows] - guessed
    # Places for the listable new items with a guess, in their order; the
    # others only under the first (pulled down, never up).
    order = np.argsort(-total[rows], kind="stable")
    shown = order[listable[rows][order] & (guessed[order] > 1e-12)]
    places = np.full(len(rows), NEW_ITEM_RANK - 1)
    places[shown] = NEW_ITEM_RANK - 1 + np.arange(len(shown)) * (NEW_ITEM_EVERY - 1)
    below = known[np.minimum(places, len(known) - 1)]
    target = below - 1e-9 * np.maximum(np.abs(below), 1.0)
    move = (guessed > 1e-12) & (total[rows] > target)
    move[shown[places[shown] < len(known)]] = True
    if not move.any():
        return False
    scale = np.ones(len(rows))
    scale[move] = np.maximum((target[move] - rest[move]) / guessed[move], 0.0)
    groups.like[np.ix_(rows, columns)] *= scale[:, None]
    return True
