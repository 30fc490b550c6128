"""The profile as the model: scoring with a rationale that decomposes over the lines.

Plain Python and numpy, no Django: serving (``engine.recommend``) and offline
evaluation call this module with arrays and plain objects.

Each "Likes" line is an interest group of the person's history: the positive
items it was written from (``members``), the centre of their vectors, and its
own words. It scores a candidate three ways, all scaled by its strength:

- collaborative: the trained neighbours of its members, summed with their
  weights (``links``), as a share of the person's whole history;
- content: closeness to the group's centre, which reaches items nobody has
  rated yet;
- words: closeness to the line's text (and, for a line that names a catalog
  category, the category's label).

A line the person typed, with no history behind it, finds its own group:
the candidates its words match best (with a popularity prior), whose trained
neighbours then count as its collaborative part.

    score = sum over lines of line share + free history + popularity - avoids
    line share = strength x ((1 - balance) x (collaborative + SPARSE x content)
                             + balance x (words + CONTENT x content))

where SPARSE = 1 / (1 + the history items the model knows) (``sparse_centre_share``):
for a short history the group's centre is a second estimate of what the few
items' neighbours say, and it fades as the history grows.

``balance`` (0-1) is the person's choice between "what I wrote" (1) and "what
I did" (0). History items no line claims ("free" history: rated since the
profile was written, or fitting no line) add their collaborative part on
their own. Because the collaborative part is normalised over the whole
history once, every term is a fixed share of the score: deleting a line
lowers each item by exactly that line's share, and weakening it lowers the
share in proportion (the rationale is faithful by construction).

"Avoids" lines remove what they name (a strong match, or every item of a
category they name) and lower weaker matches; an Avoids line with members
(a group the person said "not this reason" to) also takes its group's pull
away.

Lists are filled by score, except that each line the person wrote is
promised its share of the list (``OWN_SHARE`` of it at full strength): a new
line brings its taste in without throwing away what was already right."""

# One package, one namespace: callers read ``from engine import scoring`` and
# ``scoring.rank``, whichever module a piece lives in.
from engine.scoring.groups import Groups, history_groups, unseen_cap, unseen_pull
from engine.scoring.lists import diversify, rank
from engine.scoring.matching import centre_matches, detached, statement_matches
from engine.scoring.model import (
    AVOID,
    AVOID_REMOVE_Z,
    CITED_HISTORY,
    CITED_STATEMENTS,
    COLD_SHARE,
    CONTENT_WEIGHT,
    DETACHED_Z,
    LABEL_REMOVE_WEIGHT,
    LABEL_TIE_BREAK,
    LIKE,
    LOW_MATCH,
    MATCH_SPAN_Z,
    MATCH_START_Z,
    MAX_MATCH,
    MENTION_SHARE,
    NEG_WEIGHT,
    NEW_ITEM_EVERY,
    NEW_ITEM_RANK,
    OWN_MATCH,
    OWN_SHARE,
    POP_WEIGHT,
    RECENCY_HALF_LIFE_DAYS,
    SEED_PRIOR_FLOOR,
    SEEDS_PER_LINE,
    TERMS,
    TYPED_FULL_BALANCE,
    TYPED_POPULARITY,
    TYPICAL_STRONG_Z,
    Candidates,
    CatalogStats,
    HistoryItem,
    HistorySource,
    Match,
    ProfileStatement,
    Recommendation,
    Scored,
    Settings,
    category_index,
    category_label,
    history_strength,
    popularity_prior,
)
from engine.scoring.rationale import Absence, ReasonPart, explain_absence, rationale, reason_parts
from engine.scoring.table import ScoreTable, score_candidates, sparse_centre_share

__all__ = [
    "AVOID",
    "AVOID_REMOVE_Z",
    "Absence",
    "CITED_HISTORY",
    "CITED_STATEMENTS",
    "COLD_SHARE",
    "CONTENT_WEIGHT",
    "Candidates",
    "CatalogStats",
    "DETACHED_Z",
    "Groups",
    "HistoryItem",
    "HistorySource",
    "LABEL_REMOVE_WEIGHT",
    "LABEL_TIE_BREAK",
    "LIKE",
    "LOW_MATCH",
    "MATCH_SPAN_Z",
    "MATCH_START_Z",
    "MAX_MATCH",
    "MENTION_SHARE",
    "Match",
    "NEG_WEIGHT",
    "NEW_ITEM_EVERY",
    "NEW_ITEM_RANK",
    "OWN_MATCH",
    "OWN_SHARE",
    "POP_WEIGHT",
    "ProfileStatement",
    "RECENCY_HALF_LIFE_DAYS",
    "ReasonPart",
    "Recommendation",
    "SEEDS_PER_LINE",
    "SEED_PRIOR_FLOOR",
    "ScoreTable",
    "Scored",
    "Settings",
    "TERMS",
    "TYPED_FULL_BALANCE",
    "TYPED_POPULARITY",
    "TYPICAL_STRONG_Z",
    "category_index",
    "category_label",
    "centre_matches",
    "detached",
    "diversify",
    "explain_absence",
    "history_groups",
    "history_strength",
    "popularity_prior",
    "rank",
    "rationale",
    "reason_parts",
    "score_candidates",
    "sparse_centre_share",
    "statement_matches",
    "unseen_cap",
    "unseen_pull",
]
