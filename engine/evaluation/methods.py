"""What each method knows after training on one split, and its scores for a person.

The hybrid is the serving recommender without the database: the same
collaborative model (EASE, its strongest neighbours per item), the same
profile writer (each line with its group of the person's history), the same
scoring core (``engine.scoring``), with every item as a candidate (exact
retrieval instead of the HNSW index).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
from scipy import sparse

from engine import collaborative, grounding, scoring
from engine import profile_generation as generation
from engine.catalog_moments import catalog_stats_of
from engine.evaluation.data import SIGNAL_KINDS, Catalog, Interactions

Encode = Callable[[list[str]], np.ndarray]

# Serving's history: the person's most recent positives (engine.person.MAX_HISTORY).
MAX_HISTORY = 1000
# Phrase vectors are compared with the catalog this many phrases at a time.
_PHRASE_BLOCK = 512


@dataclass(frozen=True)
class GroundingRule:
    """engine.profiles' rule: a phrase is kept when its own embedding finds
    ``min_grounding`` of its evidence among the catalog's nearest items."""

    min_grounding: float = 0.4
    depth_share: float = 0.03
    min_depth: int = 10

    def depth(self, catalog_size: int) -> int:
        return max(self.min_depth, int(self.depth_share * catalog_size))


def _action(kind: str, value: float | None) -> str:
    return f"you rated {value:g}" if kind == "rating" else "you liked"


@dataclass(frozen=True)
class PersonProfile:
    """A person's generated profile: its lines (each with its group) and the
    positives the writer placed in some line (the others are free history)."""

    statements: list[scoring.ProfileStatement]
    placed: frozenset[int] = frozenset()


@dataclass
class Trained:
    """Everything the methods learned from one training set."""

    catalog: Catalog
    train: Interactions
    lam: float
    positives: sparse.csr_matrix  # people x items, binary
    seen: list[np.ndarray]  # per person: items they did anything with in training
    positive_counts: np.ndarray  # people with a positive per item (most-popular)
    popularity: np.ndarray  # people who rated or liked each item (serving's prior)
    model_items: np.ndarray  # items EASE knows (someone liked them in training)
    ease: np.ndarray  # model_items x model_items weights
    links: sparse.csr_matrix  # items x items: serving's strongest neighbours per item
    stats: scoring.CatalogStats
    itemknn: sparse.csr_matrix | None = None
    profiles: dict[int, PersonProfile] = field(default_factory=dict)
    _histories: dict[int, dict[int, scoring.HistoryItem]] = field(default_factory=dict, repr=False)
    _candidates: scoring.Candidates | None = field(default=None, repr=False)

    @property
    def n_items(self) -> int:
        return len(self.catalog)

    # ---- baselines: a score per item, seen items at -inf ----

    def _unseen(self, person: int, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=np.float64).copy()
        if person < len(self.seen):
            scores[self.seen[person]] = -np.inf
        return scores

    def _liked(self, person: int) -> np.ndarray:
        if person >= self.positives.shape[0]:
            return np.zeros(0, dtype=np.int64)
        row = self.positives[person]
        return row.indices.astype(np.int64)

    def popular_scores(self, person: int) -> np.ndarray:
        return self._unseen(person, self.positive_counts)

    def ease_scores(self, person: int) -> np.ndarray:
        """EASE scores; items EASE never saw rank below every item it knows."""
        scores = np.zeros(self.n_items)
        if len(self.model_items):
            liked = self._liked(person)
            history = np.searchsorted(self.model_items, liked[np.isin(liked, self.model_items)])
            model_scores = self.ease[history].sum(axis=0) if len(history) else None
            if model_scores is not None:
                scores[:] = model_scores.min() - 1.0
                scores[self.model_items] = model_scores
        return self._unseen(person, scores)

    def itemknn_scores(self, person: int) -> np.ndarray:
        liked = self._liked(person)
        if self.itemknn is None or not len(liked):
            return self._unseen(person, np.zeros(self.n_items))
        scores = np.asarray(self.itemknn[liked].sum(axis=0)).ravel()
        return self._unseen(person, scores)

    def content_scores(self, person: int) -> np.ndarray:
        """Cosine similarity to the mean of the person's liked items' vectors."""
        liked = self._liked(person)
        if not len(liked):
            return self._unseen(person, np.zeros(self.n_items))
        centre = self.catalog.vectors[liked].astype(np.float64).mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        return self._unseen(person, self.catalog.vectors @ centre)

    def with_histories(self, data: Interactions) -> Trained:
        """The same models, with people's histories read from ``data`` instead.

        Cold-user protocol: the models are trained without the cold people,
        who then arrive with a few interactions each.
        """
        return replace(
            self,
            train=data,
            positives=positives_matrix(data, self.n_items),
            seen=seen_items(data),
            profiles={},
            _histories={},
        )

    # ---- the hybrid: the serving scoring core ----

    def statements(self, person: int) -> list[scoring.ProfileStatement]:
        profile = self.profiles.get(person)
        return list(profile.statements) if profile else []

    def history(self, person: int) -> dict[int, scoring.HistoryItem]:
        """The person's positives in training, as serving reads them (engine.person)."""
        if person not in self._histories:
            self._histories[person] = self._read_history(person)
        return self._histories[person]

    def _read_history(self, person: int) -> dict[int, scoring.HistoryItem]:
        """Newest first, one per item, at most MAX_HISTORY; weighted by stars
        and age (scoring.history_strength). A positive its profile placed in
        no line is free history; so is every one when no profile was written."""
        data = self.train
        mine = data.user == person
        rows = np.flatnonzero(mine & data.positive)
        rows = rows[np.lexsort((-rows, -data.time[rows]))]
        latest = float(data.time[mine].max()) if mine.any() else 0.0
        profile = self.profiles.get(person)
        items: dict[int, scoring.HistoryItem] = {}
        for row in rows:
            item = int(data.item[row])
            if item in items:
                continue
            kind = str(data.kind[row])
            value = None if np.isnan(data.value[row]) else float(data.value[row])
            age_days = (latest - float(data.time[row])) / 86400
            items[item] = scoring.HistoryItem(
                item_id=item,
                title=self.catalog.titles[item],
                action=_action(kind, value),
                strength=scoring.history_strength(kind, value, age_days),
                free=profile is None or item not in profile.placed,
            )
            if len(items) == MAX_HISTORY:
                break
        return items

    def candidates(self) -> scoring.Candidates:
        """Every item, each linked to its trained neighbours (the same for everyone)."""
        if self._candidates is None:
            self._candidates = scoring.Candidates(
                ids=np.arange(self.n_items, dtype=np.int64),
                # float32 as stored: the line matches read them in their own precision.
                vectors=self.catalog.vectors,
                popularity=self.popularity,
                links=self.links,
                sources=np.arange(self.n_items, dtype=np.int64),
                categories={
                    name: self.catalog.in_category(name) for name in self.catalog.category_names()
                },
            )
        return self._candidates

    def table(
        self,
        person: int,
        balance: float,
        statements: Sequence[scoring.ProfileStatement] | None = None,
        history: dict[int, scoring.HistoryItem] | None = None,
    ) -> scoring.ScoreTable:
        statements = self.statements(person) if statements is None else statements
        return scoring.score_candidates(
            self.candidates(),
            statements,
            self.history(person) if history is None else history,
            self.stats,
            scoring.Settings(balance=balance, diversity=0.0),
            seen=self.seen[person] if person < len(self.seen) else (),
        )

    def table_scores(
        self, person: int, table: scoring.ScoreTable, score: np.ndarray | None = None
    ) -> np.ndarray:
        """The table's scores (or ``score``) as a full ranking: removed and seen items last."""
        scores = np.where(table.removed, -np.inf, table.score if score is None else score)
        return self._unseen(person, scores)


def fit(
    catalog: Catalog,
    train: Interactions,
    *,
    lam: float,
    neighbours: int,
    itemknn_shrinkage: float | None = None,
) -> Trained:
    """Train every method's model on ``train`` (EASE with the given lambda)."""
    n_items = len(catalog)
    matrix = positives_matrix(train, n_items)
    positive_counts = np.asarray(matrix.sum(axis=0)).ravel()
    engaged = (train.kind == "rating") | (train.kind == "like")
    engaged_pairs = np.unique(train.pairs(n_items)[engaged])
    popularity = np.bincount(engaged_pairs % max(n_items, 1), minlength=n_items)
    model_items = np.flatnonzero(positive_counts > 0)
    weights = collaborative.ease_fit(matrix[:, model_items], lam)
    top = collaborative.top_neighbours(weights, neighbours)
    # As serving stores them: each model item's row, in catalog indexes.
    rows = np.repeat(model_items, top.counts())
    links = sparse.csr_matrix(
        (top.scores.astype(np.float64), (rows, model_items[top.indices])),
        shape=(n_items, n_items),
    )
    itemknn = None
    if itemknn_shrinkage is not None:
        itemknn = collaborative.itemknn_fit(matrix, shrinkage=itemknn_shrinkage, k=neighbours)
    return Trained(
        catalog=catalog,
        train=train,
        lam=lam,
        positives=matrix,
        seen=seen_items(train),
        positive_counts=positive_counts.astype(np.float64),
        popularity=popularity,
        model_items=model_items,
        ease=weights,
        links=links,
        # As the worker computes them for the site (engine.catalog_moments).
        stats=catalog_stats_of(catalog.vectors, popularity, catalog.category_names()),
        itemknn=itemknn,
    )


def positives_matrix(data: Interactions, n_items: int) -> sparse.csr_matrix:
    positive = data.positive
    return collaborative.interaction_matrix(
        data.user[positive], data.item[positive], n_users=len(data.people), n_items=n_items
    )


def seen_items(data: Interactions) -> list[np.ndarray]:
    """Per person, every item they did anything with (sorted)."""
    n_people = len(data.people)
    order = np.argsort(data.user, kind="stable")
    bounds = np.searchsorted(data.user[order], np.arange(n_people + 1))
    return [np.unique(data.item[order[bounds[p] : bounds[p + 1]]]) for p in range(n_people)]


def tune_lambda(
    catalog: Catalog, inner: Interactions, validation: Interactions, lambdas: Sequence[float]
) -> tuple[float, dict[float, dict[str, float]]]:
    """EASE's lambda by validation NDCG@10 (engine.collaborative.ease_tune)."""
    n_items, n_people = len(catalog), len(inner.people)
    positive = inner.positive
    train = collaborative.interaction_matrix(
        inner.user[positive], inner.item[positive], n_users=n_people, n_items=n_items
    )
    held = collaborative.interaction_matrix(
        validation.user, validation.item, n_users=n_people, n_items=n_items
    )
    known = np.flatnonzero(np.asarray(train.sum(axis=0)).ravel() > 0)
    return collaborative.ease_tune(train[:, known], held[:, known], lambdas, k=10)


def signals_of(catalog: Catalog, data: Interactions, rows: np.ndarray) -> list[generation.Signal]:
    """Interaction rows as the profile writer's signals (views are not signals)."""
    signals = []
    for row in rows:
        kind = str(data.kind[row])
        if kind not in SIGNAL_KINDS:
            continue
        item = int(data.item[row])
        signals.append(
            generation.Signal(
                item=generation.RatedItem(
                    item_id=item,
                    title=catalog.titles[item],
                    categories=catalog.categories[item],
                    tags=catalog.tags[item],
                    vector=catalog.vectors[item],
                ),
                kind=kind,
                value=None if np.isnan(data.value[row]) else float(data.value[row]),
                timestamp=datetime.fromtimestamp(float(data.time[row]), tz=UTC),
            )
        )
    return signals


def write_profiles(
    catalog: Catalog,
    rows_by_person: dict[int, np.ndarray],
    data: Interactions,
    *,
    encode: Encode,
    rule: GroundingRule,
    seed: int,
) -> dict[int, PersonProfile]:
    """Each person's generated profile, as the worker writes it (engine.profiles).

    1. Describe the person's signals (engine.profile_generation): each line
       is a group of their items.
    2. Encode every phrasing once and find each one's nearest catalog items
       exactly (serving asks the HNSW index).
    3. Give each line its best-grounded phrasing, its members and its
       centre, and keep the examples in the text as serving does.
    """
    label_counts = catalog.label_counts()
    refused = generation.non_taste_labels(catalog.categories, catalog.tags)
    cased = generation.cased_words(map(generation.prose_of, catalog.texts), label_counts)
    generated = {
        person: generation.generate_statements(
            signals_of(catalog, data, rows),
            label_counts=label_counts,
            catalog_size=len(catalog),
            seed=seed,
            refused=refused,
            cased=cased,
        )
        for person, rows in rows_by_person.items()
    }
    grounded = _GroundedPhrasings.of(generated, catalog, encode=encode, rule=rule)
    categories = scoring.category_index(catalog.category_names())
    profiles = {}
    for person, statements in generated.items():
        lines = [
            grounded.line(key, statement, catalog.vectors, categories)
            for key, statement in enumerate(statements)
        ]
        placed = frozenset(i for s in lines if s.polarity == scoring.LIKE for i in s.members)
        profiles[person] = PersonProfile(lines, placed)
    return profiles


@dataclass(frozen=True)
class _GroundedPhrasings:
    """Every phrasing of every generated line, encoded once, with the catalog
    items nearest to it (exactly; serving asks the HNSW index)."""

    vector_of: dict[str, np.ndarray]
    nearest_of: dict[str, set[int]]

    @classmethod
    def of(
        cls,
        generated: dict[int, list[generation.GeneratedStatement]],
        catalog: Catalog,
        *,
        encode: Encode,
        rule: GroundingRule,
    ) -> _GroundedPhrasings:
        phrases = sorted(
            {p for statements in generated.values() for s in statements for p in _phrasings(s)}
        )
        vectors = encode(phrases) if phrases else np.zeros((0, catalog.vectors.shape[1]))
        nearest = _nearest_sets(vectors, catalog.vectors, rule.depth(len(catalog)))
        return cls(
            vector_of=dict(zip(phrases, vectors, strict=True)),
            nearest_of=dict(zip(phrases, nearest, strict=True)),
        )

    def line(
        self,
        key: int,
        statement: generation.GeneratedStatement,
        item_vectors: np.ndarray,
        categories: dict[str, str],
    ) -> scoring.ProfileStatement:
        """The line with its best-grounded phrasing, keeping the examples in
        its text as serving does, its members and its group's centre."""
        phrase = max(
            _phrasings(statement),
            key=lambda p: grounding.grounding_score(statement.evidence, self.nearest_of[p]),
        )
        examples = statement.text[statement.text.rindex(" (e.g. ") :]
        return scoring.ProfileStatement(
            key=key,
            text=f"{phrase}{examples}",
            polarity=statement.polarity,
            weight=statement.weight,
            vector=self.vector_of[phrase],
            # As serving labels a stored line: from its embedded text.
            label=scoring.category_label(phrase, categories),
            members=statement.members,
            centre=group_centre(item_vectors, statement.members),
        )


def group_centre(vectors: np.ndarray, members: Sequence[int]) -> np.ndarray | None:
    """The L2-normalised mean of the members' vectors (None without members)."""
    if not len(members):
        return None
    centre = np.asarray(vectors[list(members)], dtype=np.float64).mean(axis=0)
    return centre / (np.linalg.norm(centre) or 1.0)


def _phrasings(statement: generation.GeneratedStatement) -> tuple[str, ...]:
    return (statement.embedded_text, *statement.alternatives)


def _nearest_sets(phrases: np.ndarray, items: np.ndarray, depth: int) -> list[set[int]]:
    """Each phrase's ``depth`` nearest items by cosine similarity, exactly."""
    depth = min(depth, len(items))
    found: list[set[int]] = []
    for start in range(0, len(phrases), _PHRASE_BLOCK):
        similarity = phrases[start : start + _PHRASE_BLOCK] @ items.T
        if depth < len(items):
            top = np.argpartition(-similarity, depth - 1, axis=1)[:, :depth]
        else:
            top = np.broadcast_to(np.arange(len(items)), similarity.shape)
        found.extend(set(row.tolist()) for row in top)
    return found
