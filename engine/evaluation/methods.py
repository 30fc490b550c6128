"""What each method knows after training on one split, and its scores for a person.

The hybrid is the serving recommender without the database: the same
collaborative model (EASE, its top neighbours per item), the same profile
writer and grounding rule, the same scoring core (``engine.scoring``), with
every item as a candidate (exact retrieval instead of the HNSW index).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
from scipy import sparse

from engine import collaborative, scoring
from engine import profile_generation as generation
from engine.evaluation.data import SIGNAL_KINDS, Catalog, Interactions

Encode = Callable[[list[str]], np.ndarray]

# Serving's history: the person's most recent positives (engine.recommend.RECENT_POSITIVES).
RECENT_POSITIVES = 50
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


def history_strength(kind: str, value: float | None) -> float:
    """How strongly an interaction says "more like this" (engine.recommend._strength)."""
    if kind == "like":
        return 1.0
    return max(0.0, min(1.0, ((value or 0) - 3) / 2))


def _action(kind: str, value: float | None) -> str:
    return f"you rated {value:g}" if kind == "rating" else "you liked"


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
    neighbours: dict[int, list[tuple[int, float]]]  # item -> serving's top neighbours
    stats: scoring.CatalogStats
    itemknn: sparse.csr_matrix | None = None
    profiles: dict[int, list[scoring.ProfileStatement]] = field(default_factory=dict)
    _histories: dict[int, list[scoring.HistoryItem]] = field(default_factory=dict, repr=False)
    _vectors64: np.ndarray | None = field(default=None, repr=False)
    _categories: dict[str, np.ndarray] | None = field(default=None, repr=False)

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

    def with_histories(self, data: Interactions) -> "Trained":
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

    def history(self, person: int) -> list[scoring.HistoryItem]:
        """The person's most recent positives in training, newest first (serving's history)."""
        if person not in self._histories:
            self._histories[person] = self._read_history(person)
        return self._histories[person]

    def _read_history(self, person: int) -> list[scoring.HistoryItem]:
        data = self.train
        rows = np.flatnonzero((data.user == person) & data.positive)
        rows = rows[np.lexsort((-rows, -data.time[rows]))]
        items: list[scoring.HistoryItem] = []
        taken: set[int] = set()
        for row in rows:
            item = int(data.item[row])
            if item in taken:
                continue
            taken.add(item)
            value = None if np.isnan(data.value[row]) else float(data.value[row])
            items.append(
                scoring.HistoryItem(
                    item_id=item,
                    title=self.catalog.titles[item],
                    action=_action(str(data.kind[row]), value),
                    strength=history_strength(str(data.kind[row]), value),
                )
            )
            if len(items) == RECENT_POSITIVES:
                break
        return items

    def candidates(self, person: int) -> scoring.Candidates:
        """Every item, with the person's collaborative scores."""
        cf_by_item, sources = scoring.collaborative_scores(self.history(person), self.neighbours)
        cf = np.zeros(self.n_items)
        if cf_by_item:
            cf[list(cf_by_item)] = list(cf_by_item.values())
        if self._vectors64 is None:
            # Scoring works in float64: converting once saves a copy per person.
            self._vectors64 = self.catalog.vectors.astype(np.float64)
        if self._categories is None:
            # Every category's members, once: a statement naming one acts on them.
            self._categories = {
                name: self.catalog.in_category(name) for name in self.catalog.category_names()
            }
        return scoring.Candidates(
            ids=np.arange(self.n_items, dtype=np.int64),
            vectors=self._vectors64,
            popularity=self.popularity,
            cf=cf,
            cf_sources=sources,
            categories=self._categories,
        )

    def table(
        self,
        person: int,
        balance: float,
        statements: Sequence[scoring.ProfileStatement] | None = None,
        candidates: scoring.Candidates | None = None,
    ) -> scoring.ScoreTable:
        statements = self.profiles.get(person, []) if statements is None else statements
        candidates = candidates or self.candidates(person)
        history = {h.item_id: h for h in self.history(person)}
        return scoring.score_candidates(
            candidates,
            statements,
            history,
            self.stats,
            scoring.Settings(balance=balance, diversity=0.0),
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
    neighbour_lists = {}
    for row in np.flatnonzero(top.counts()):
        indices, scores = top.of(row)
        neighbour_lists[int(model_items[row])] = list(
            zip(model_items[indices].tolist(), scores.astype(float).tolist(), strict=True)
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
        neighbours=neighbour_lists,
        stats=scoring.CatalogStats.from_vectors(
            catalog.vectors, popularity, categories=catalog.category_names()
        ),
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
) -> dict[int, list[scoring.ProfileStatement]]:
    """Each person's generated profile, as the worker writes it (engine.profiles).

    1. Describe the person's signals (engine.profile_generation).
    2. Encode every phrasing once and find each one's nearest catalog items
       exactly (serving asks the HNSW index).
    3. Keep each statement's best-grounded phrasing, drop statements below
       the grounding rule, and keep the examples in the text as serving does.
    """
    label_counts = catalog.label_counts()
    categories = scoring.category_index(catalog.category_names())
    generated = {
        person: generation.generate_statements(
            signals_of(catalog, data, rows),
            label_counts=label_counts,
            catalog_size=len(catalog),
            seed=seed,
        )
        for person, rows in rows_by_person.items()
    }
    phrases = sorted(
        {p for statements in generated.values() for s in statements for p in _phrasings(s)}
    )
    vectors = encode(phrases) if phrases else np.zeros((0, catalog.vectors.shape[1]))
    vector_of = dict(zip(phrases, vectors, strict=True))
    nearest = _nearest_sets(vectors, catalog.vectors, rule.depth(len(catalog)))
    nearest_of = dict(zip(phrases, nearest, strict=True))
    profiles = {}
    for person, statements in generated.items():
        kept = []
        for statement in statements:
            best_score, best_phrase = -1.0, ""
            for phrase in _phrasings(statement):
                found = nearest_of[phrase]
                score = generation.grounding_score(statement.evidence, found)
                if score > best_score:
                    best_score, best_phrase = score, phrase
            if best_score < rule.min_grounding:
                continue
            examples = statement.text[statement.text.rindex(" (e.g. ") :]
            kept.append(
                scoring.ProfileStatement(
                    key=len(kept),
                    text=f"{best_phrase}{examples}",
                    polarity=statement.polarity,
                    weight=1.0,
                    vector=vector_of[best_phrase],
                    # As serving labels a stored line: from its embedded text.
                    label=scoring.category_label(best_phrase, categories),
                )
            )
        profiles[person] = kept
    return profiles


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
