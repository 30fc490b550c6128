"""The evaluation protocols, run on one catalog and its interactions.

``evaluate`` returns the report (the JSON the command writes): for each
protocol, each method's metrics, computed on the same split, the same people
and the same candidates (every item the person has not seen in training).
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from engine import concepts, scoring
from engine.collaborative import TrainingConfig
from engine.evaluation import metrics, sentences
from engine.evaluation.data import SIGNAL_KINDS, Catalog, Interactions
from engine.evaluation.methods import (
    Encode,
    GroundingRule,
    Trained,
    fit,
    group_centre,
    tune_lambda,
    write_profiles,
)
from engine.evaluation.splits import cold_items, latest_rows, temporal_split
from engine.profile_generation import RatedItem, distinctive_labels
from profiles.parser import AVOID, LIKE, parse_statement
from profiles.titles import title_key

PROTOCOLS = (
    "warm",
    "profile",
    "cold_item",
    "cold_user",
    "steering",
    "steering_text",
    "faithfulness",
)
WARM_METHODS = ("hybrid", "ease", "itemknn", "popular", "content", "profile_only", "hybrid_serving")
COLD_USER_SIZES = (0, 1, 3, 5)
COLD_USER_REPORTED = 3
# Cold people are dealt into this many folds; each fold's models are
# trained on everybody else.
COLD_USER_FOLDS = 5
# Steering draws a category only if the person has this many unseen items
# in it: "3 of the top 10" must be possible.
STEERING_MIN_ITEMS = 10
LIKE_SUCCESS_ITEMS = 3
TOP = 10
# Statements the cold-user protocol types for a person with "hybrid_typed".
TYPED_CATEGORIES = 2
# Titles of the items a newcomer loved most, typed with "hybrid_typed_titles".
TYPED_TITLES = 2
# Faithfulness weakens a quoted line to this share of its strength.
WEAKER = 0.5


@dataclass(frozen=True)
class Options:
    protocols: tuple[str, ...] = PROTOCOLS
    users: int | None = None  # at most this many people per protocol (a seeded sample)
    seed: int = 0
    # Serving's MMR strength (RECOMMEND_DIVERSITY): steering and faithfulness
    # look at served lists; the accuracy protocols rank by score alone.
    diversity: float = 0.3
    neighbours: int = 200  # COLLABORATIVE_NEIGHBOURS
    shrinkage: float = 10.0  # COLLABORATIVE_SHRINKAGE
    lambdas: tuple[float, ...] = TrainingConfig().lambdas
    # The hybrid's balance ("my words" against "my history") is chosen from
    # this grid on a validation split carved from training.
    balances: tuple[float, ...] = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
    validation_users: int = 300
    # The balance a person has until they move the slider (Profile.balance's
    # default): steering and faithfulness measure the list people are served,
    # and warm and cold items report the hybrid at it too ("hybrid_serving").
    serving_balance: float = 0.5
    rule: GroundingRule = field(default_factory=GroundingRule)


Log = Callable[[str], object]


class _Run:
    def __init__(
        self, catalog: Catalog, interactions: Interactions, options: Options, encode: Encode, log
    ) -> None:
        self.catalog = catalog
        self.data = interactions
        self.options = options
        self.encode = encode
        self.log = log
        self.n_items = len(catalog)
        self.rng = np.random.default_rng(options.seed)
        split = temporal_split(interactions, n_items=self.n_items, seed=options.seed)
        self.train = interactions.subset(split.train)
        test = interactions.subset(split.test)
        self.targets: dict[int, np.ndarray] = {}
        for person in np.unique(test.user):
            self.targets[int(person)] = np.sort(test.item[test.user == person])
        self.test = test
        self.settings: dict = {}
        # title_key -> catalog items, and the category names' keys (_title_item).
        self._titles: dict[str, list[int]] | None = None
        self._category_keys: set[str] = set()
        self.categories = scoring.category_index(catalog.category_names())
        # A line's label read from the items nearest it, as the site reads it.
        self.nearest = (
            None
            if catalog.vectors is None
            else concepts.catalog_nearest(
                catalog.vectors, catalog.categories, self.encode, catalog.tags
            )
        )

    # ---- helpers ----

    def sample(self, people: Sequence[int], cap: int | None = None) -> list[int]:
        people = sorted(int(p) for p in people)
        cap = self.options.users if cap is None else cap
        if cap is None or len(people) <= cap:
            return people
        return sorted(int(p) for p in self.rng.choice(people, size=cap, replace=False))

    def profiles_for(self, trained: Trained, people: Sequence[int], seed: int) -> None:
        data = trained.train
        wanted = np.isin(data.user, list(people))
        rows_by_person = {int(p): np.flatnonzero(wanted & (data.user == p)) for p in people}
        trained.profiles.update(
            write_profiles(
                self.catalog,
                rows_by_person,
                data,
                encode=self.encode,
                rule=self.options.rule,
                seed=seed,
            )
        )

    def statement(self, text: str, polarity: str, key: int) -> scoring.ProfileStatement:
        """A line a person types, read by the profile parser."""
        parsed = parse_statement(text, polarity)
        return scoring.ProfileStatement(
            key=key,
            text=parsed.text,
            polarity=parsed.polarity,
            weight=parsed.weight,
            vector=self.encode([parsed.embedded_text])[0],
            labels=concepts.line_labels(
                parsed.embedded_text, self.categories, nearest=self.nearest
            ),
            own=True,
        )

    # ---- training ----

    def tune(self) -> None:
        """EASE's lambda and the hybrid's balance, on a split of training only.

        1. Carve each person's latest 20% of training positives off as validation.
        2. Tune lambda on it (validation NDCG@10).
        3. With EASE at that lambda and profiles written from the inner
           training, pick the balance with the best validation NDCG@10
           (ties: the larger balance, more weight on the readable profile).
        """
        started = time.perf_counter()
        split = temporal_split(self.train, n_items=self.n_items, seed=self.options.seed + 1)
        inner = self.train.subset(split.train)
        validation = self.train.subset(split.test)
        lam, grid = tune_lambda(self.catalog, inner, validation, self.options.lambdas)
        self.lam = lam
        people = self.sample(np.unique(validation.user), cap=self.options.validation_users)
        trained = fit(self.catalog, inner, lam=lam, neighbours=self.options.neighbours)
        self.profiles_for(trained, people, self.options.seed)
        means = {b: metrics.MetricMeans(self.n_items) for b in self.options.balances}
        for person in people:
            relevant = validation.item[validation.user == person]
            # One table per balance, as serving makes it: the terms are linear
            # in the balance, but where new items are placed (unseen_cap) is
            # not, and a table made at 0.5 and rescaled lifted them into the
            # top 10 at low balances (MovieLens then tuned 0.2, below EASE).
            for balance in self.options.balances:
                table = trained.table(person, balance)
                means[balance].add_scores(trained.table_scores(person, table), relevant)
        results = {b: m.result() for b, m in means.items()}
        self.balance = max(results, key=lambda b: (results[b]["ndcg@10"], b))
        self.settings.update(
            {
                "lambda": lam,
                "lambda_validation_ndcg@10": {str(k): round(v["ndcg"], 6) for k, v in grid.items()},
                "balance": self.balance,
                "balance_validation_ndcg@10": {str(b): r["ndcg@10"] for b, r in results.items()},
                "validation_users": len(people),
            }
        )
        self.log(
            f"Tuned on validation ({len(people)} people): lambda {lam:g}, "
            f"balance {self.balance:g} in {time.perf_counter() - started:.1f} s"
        )

    def warm_model(self) -> Trained:
        if not hasattr(self, "_warm"):
            self._warm = fit(
                self.catalog,
                self.train,
                lam=self.lam,
                neighbours=self.options.neighbours,
                itemknn_shrinkage=self.options.shrinkage,
            )
        return self._warm

    def warm_people(self) -> list[int]:
        if not hasattr(self, "_warm_people"):
            self._warm_people = self.sample(self.targets)
            self.profiles_for(self.warm_model(), self._warm_people, self.options.seed)
        return self._warm_people

    # ---- protocols ----

    def warm(self, methods: Sequence[str]) -> dict:
        trained = self.warm_model()
        people = self.warm_people()
        means = {name: metrics.MetricMeans(self.n_items) for name in methods}
        for person in people:
            relevant = self.targets[person]
            if "popular" in means:
                means["popular"].add_scores(trained.popular_scores(person), relevant)
            if "ease" in means:
                means["ease"].add_scores(trained.ease_scores(person), relevant)
            if "itemknn" in means:
                means["itemknn"].add_scores(trained.itemknn_scores(person), relevant)
            if "content" in means:
                means["content"].add_scores(trained.content_scores(person), relevant)
            for name, scores in self.hybrid_scores(trained, person, means).items():
                means[name].add_scores(scores, relevant)
        return {"methods": {name: m.result() for name, m in means.items()}, "users": len(people)}

    def hybrid_scores(self, trained: Trained, person: int, wanted) -> dict[str, np.ndarray]:
        """The hybrid's full ranking at the tuned balance, at the serving one,
        and the profile alone (its lines and their groups, no free history),
        each scored directly at its balance as serving would."""
        serving = self.options.serving_balance
        tables: dict[tuple[float, bool], scoring.ScoreTable] = {}

        def at(balance: float, free: bool = True) -> np.ndarray:
            if (balance, free) not in tables:
                history = trained.history(person)
                if not free:
                    history = {i: replace(h, free=False) for i, h in history.items()}
                tables[balance, free] = trained.table(person, balance, history=history)
            return trained.table_scores(person, tables[balance, free])

        found = {
            "hybrid": lambda: at(self.balance),
            "hybrid_serving": lambda: at(serving),
            "profile_only": lambda: at(serving, free=False),
        }
        return {name: score() for name, score in found.items() if name in wanted}

    def cold_item(self) -> dict:
        """Items whose every interaction is removed from training, recommended to
        the people who liked them in the test period."""
        cold = cold_items(self.data, n_items=self.n_items, seed=self.options.seed)
        is_cold = np.zeros(self.n_items, dtype=bool)
        is_cold[cold] = True
        train = self.train.subset(~is_cold[self.train.item])
        targets = {
            person: items[is_cold[items]]
            for person, items in self.targets.items()
            if is_cold[items].any()
        }
        people = self.sample(targets)
        trained = fit(self.catalog, train, lam=self.lam, neighbours=self.options.neighbours)
        self.profiles_for(trained, people, self.options.seed)
        names = ("hybrid", "content", "popular", "hybrid_serving")
        full = {name: metrics.MetricMeans(self.n_items) for name in names}
        among = {name: metrics.MetricMeans(self.n_items) for name in names}
        for person in people:
            scores = {
                **self.hybrid_scores(trained, person, names),
                "content": trained.content_scores(person),
                "popular": trained.popular_scores(person),
            }
            for name, values in scores.items():
                full[name].add_scores(values, targets[person])
                among[name].add_scores(np.where(is_cold, values, -np.inf), targets[person])
        return {
            "methods": {name: m.result() for name, m in full.items()},
            "methods_among_cold_items": {name: m.result() for name, m in among.items()},
            "cold_items": int(len(cold)),
            "users": len(people),
        }

    def cold_user(self) -> dict:
        """People who arrive with 0, 1, 3 or 5 interactions (their latest
        training ones), scored by models trained without them.

        1. Deal the people into COLD_USER_FOLDS seeded folds.
        2. For each fold, train on everybody else's training interactions.
        3. Give each person of the fold their latest N signals (ratings,
           likes, dislikes, not interested) and write their profile from those
           alone; ``hybrid_typed`` adds the TYPED_CATEGORIES categories that
           set their full training history apart, typed as "Likes" lines (the
           onboarding where a person says what they like);
           ``hybrid_typed_titles`` instead types the titles of the TYPED_TITLES
           items they loved most (``_typed_titles``), each line standing for
           its item as the profile services store it.
        """
        people = self.sample(self.targets)
        folds = np.array_split(self.rng.permutation(people), min(COLD_USER_FOLDS, len(people)))
        names = ("hybrid", "popular", "ease", "hybrid_typed", "hybrid_typed_titles")
        means = {
            size: {name: metrics.MetricMeans(self.n_items) for name in names}
            for size in COLD_USER_SIZES
        }
        for fold in folds:
            self._cold_fold(sorted(int(p) for p in fold), means)
        curve = {
            str(size): {name: m.result() for name, m in by_name.items()}
            for size, by_name in means.items()
        }
        reported = curve[str(COLD_USER_REPORTED)]
        return {
            "methods": {"hybrid": reported["hybrid"], "popular": reported["popular"]},
            "interactions": COLD_USER_REPORTED,
            "curve": curve,
            "users": len(people),
        }

    def _typed_lines(self, person: int, label_counts: dict) -> list[scoring.ProfileStatement]:
        """What a newcomer types at onboarding: the TYPED_CATEGORIES categories
        that set their full training history apart, as "Likes" lines."""
        mask = (self.train.user == person) & self.train.positive
        members = [(self._rated(int(item)), 1.0) for item in np.unique(self.train.item[mask])]
        labels = distinctive_labels(
            members, label_counts, self.n_items, top=TYPED_CATEGORIES, fields=("categories",)
        )
        return [self.statement(name, LIKE, 100 + i) for i, name in enumerate(labels)]

    def _typed_titles(
        self, person: int, popularity: np.ndarray
    ) -> tuple[list[scoring.ProfileStatement], list[int]]:
        """What a newcomer types who names titles they loved: the TYPED_TITLES
        training positives rated highest (then latest), each title a "Likes"
        line, and the items those lines stand for.

        A line stands for an item as ``profiles.services.titles`` reads it:
        the catalog's items with the same title (``profiles.titles.title_key``)
        give the most popular (``popularity``: people with a positive before
        the newcomer arrived), none on a tie, and none where the title is a
        category's name; a line with no item acts by its words. The newcomer
        types each as a title (a one-word one in quotes, as the services ask).
        """
        mask = (self.train.user == person) & self.train.positive
        rows = np.flatnonzero(mask)
        value = np.nan_to_num(self.train.value[rows], nan=5.0)  # a like counts as the top
        order = np.lexsort((-self.train.time[rows], -value))
        chosen: list[int] = []
        for item in self.train.item[rows[order]]:
            if int(item) not in chosen:
                chosen.append(int(item))
            if len(chosen) == TYPED_TITLES:
                break
        lines, named = [], []
        for n, item in enumerate(chosen):
            title = self.catalog.titles[item]
            line = self.statement(title, LIKE, 200 + n)
            found = self._title_item(title, popularity)
            if found is not None:
                centre = None
                if self.catalog.vectors is not None:
                    centre = group_centre(self.catalog.vectors, (found,))
                line = replace(line, members=(found,), centre=centre)
                named.append(found)
            lines.append(line)
        return lines, named

    def _title_item(self, title: str, popularity: np.ndarray) -> int | None:
        """The item a typed ``title`` stands for (see ``_typed_titles``)."""
        if self._titles is None:
            self._titles = {}
            for item, name in enumerate(self.catalog.titles):
                self._titles.setdefault(title_key(name), []).append(item)
            self._category_keys = {title_key(name) for name in self.catalog.category_names()}
        key = title_key(title)
        if key in self._category_keys:
            return None
        found = sorted(self._titles.get(key, ()), key=lambda i: -popularity[i])
        if not found or (len(found) > 1 and popularity[found[0]] == popularity[found[1]]):
            return None
        return int(found[0])

    def _cold_fold(self, fold: list[int], means: dict) -> None:
        """One fold of cold_user: models trained without it, each person
        arriving with each size of history in turn."""
        signal = np.isin(self.train.kind, SIGNAL_KINDS)
        others = self.train.subset(~np.isin(self.train.user, fold))
        base = fit(self.catalog, others, lam=self.lam, neighbours=self.options.neighbours)
        label_counts = self.catalog.label_counts()
        typed = {person: self._typed_lines(person, label_counts) for person in fold}
        titled = {person: self._typed_titles(person, base.positive_counts) for person in fold}
        for size in COLD_USER_SIZES:
            rows = [latest_rows(self.train, signal, person, size) for person in fold]
            arrived = _concat(others, self.train.subset(np.sort(np.concatenate(rows))))
            trained = base.with_histories(arrived)
            self.profiles_for(trained, fold, self.options.seed)
            for person in fold:
                relevant, at = self.targets[person], means[size]
                table = trained.table(person, self.balance)
                at["hybrid"].add_scores(trained.table_scores(person, table), relevant)
                at["popular"].add_scores(trained.popular_scores(person), relevant)
                at["ease"].add_scores(trained.ease_scores(person), relevant)
                # A newcomer is served at the balance every profile starts
                # with, as ``served`` ranks it: the tuned one could fade their
                # typed lines out (TYPED_FULL_BALANCE).
                statements = [*trained.statements(person), *typed[person]]
                table = trained.table(person, self.options.serving_balance, statements)
                at["hybrid_typed"].add_scores(self.served_scores(trained, person, table), relevant)
                # The items the titles stand for are not listed back.
                lines, named = titled[person]
                statements = [*trained.statements(person), *lines]
                # Each named item a loved positive, as serving reads it (engine.person.with_named).
                loved = {
                    i: scoring.HistoryItem(i, self.catalog.titles[i], "named", 1.0) for i in named
                }
                history = {**trained.history(person), **loved}
                table = trained.table(person, self.options.serving_balance, statements, history)
                scores = self.served_scores(trained, person, table, named)
                at["hybrid_typed_titles"].add_scores(scores, relevant)

    def _rated(self, item: int):
        return RatedItem(
            item_id=item,
            title=self.catalog.titles[item],
            categories=self.catalog.categories[item],
            tags=(),
            vector=self.catalog.vectors[item],
        )

    def served(
        self,
        trained: Trained,
        person: int,
        table: scoring.ScoreTable,
        named: Sequence[int] = (),
    ) -> list[int]:
        """The top 10 as serving lists them: avoided and seen items dropped, MMR,
        each line the person wrote given its share. ``named``: items the
        person's lines stand for, seen as well."""
        settings = scoring.Settings(
            balance=self.options.serving_balance, diversity=self.options.diversity
        )
        seen = [*trained.seen[person], *named]
        listed = scoring.rank(table, k=TOP, settings=settings, exclude_ids=seen)
        return [r.scored.item_id for r in listed]

    def served_scores(
        self,
        trained: Trained,
        person: int,
        table: scoring.ScoreTable,
        named: Sequence[int] = (),
    ):
        """The table's full ranking with its top 10 as serving lists them (``served``)
        first: the accuracy metrics of a list that lines the person wrote shape."""
        scores = trained.table_scores(person, table)
        scores[list(named)] = -np.inf
        top = self.served(trained, person, table, named)
        scores[top] = scores.max(initial=0.0) + np.arange(len(top), 0, -1)
        return scores

    def steering(self) -> dict:
        """Lines that are a bare category name (see docs/EVALUATION.md)."""
        return self._steering(lambda name, polarity: name)

    def steering_text(self) -> dict:
        """The same cases, the line a sentence about the category (engine.evaluation.sentences)."""

        def phrase(name: str, polarity: str) -> str:
            templates = sentences.LIKE_TEMPLATES if polarity == LIKE else sentences.AVOID_TEMPLATES
            return sentences.sentence(templates[int(self.rng.integers(len(templates)))], name)

        return self._steering(phrase)

    def _steering(self, phrase: Callable[[str, str], str]) -> dict:
        trained = self.warm_model()
        people = self.warm_people()
        balance = self.options.serving_balance
        names = self.catalog.category_names()
        members = {name: self.catalog.in_category(name) for name in names}
        cases = _SteeringCases()
        for person in people:
            statements = trained.statements(person)
            table = trained.table(person, balance, statements)
            before = self.served(trained, person, table)
            unseen = np.ones(self.n_items, dtype=bool)
            unseen[trained.seen[person]] = False
            listed = {name for item in before for name in self.catalog.categories[item]}
            history = {name for i in trained.seen[person] for name in self.catalog.categories[i]}
            relevant = set(self.targets[person].tolist())
            tested = {name for i in relevant for name in self.catalog.categories[i]}

            def after(name, polarity, person=person, statements=statements):
                line = self.statement(phrase(name, polarity), polarity, len(statements))
                added = [*statements, line]
                table = trained.table(person, balance, added)
                return self.served(trained, person, table)

            def share(items: list[int], name: str) -> float:
                return float(members[name][items].sum()) / TOP if items else 0.0

            roomy = [n for n in names if (members[n] & unseen).sum() >= STEERING_MIN_ITEMS]
            options = [n for n in roomy if n not in listed and n not in history]
            if options:
                name = options[int(self.rng.integers(len(options)))]
                cases.like_before.append(share(before, name))
                cases.like_after.append(share(after(name, LIKE), name))
            options = sorted(listed)
            if options:
                name = options[int(self.rng.integers(len(options)))]
                cases.avoid_before.append(share(before, name))
                avoided = after(name, AVOID)
                cases.avoid_after.append(share(avoided, name))
                # What the avoid should leave alone: the rest of the list before.
                others = [i for i in before if not members[name][i]]
                if others:
                    cases.others_kept.append(len(set(others) & set(avoided)) / len(others))
            options = [n for n in roomy if n not in tested]
            if options and relevant:
                name = options[int(self.rng.integers(len(options)))]
                cases.ndcg_before.append(metrics.ndcg_at_k(before, relevant, TOP))
                cases.ndcg_after.append(metrics.ndcg_at_k(after(name, LIKE), relevant, TOP))
        return cases.figures(balance)

    def faithfulness(self) -> dict:
        """Delete a line a served item's rationale quotes: its score must drop by
        the line's share; weaken it a step: its share must shrink in proportion."""
        trained = self.warm_model()
        people = self.warm_people()
        balance = self.options.serving_balance
        settings = scoring.Settings(balance=balance, diversity=self.options.diversity)
        cases = dropped = exact = weakened = 0
        for person in people:
            statements = trained.statements(person)
            if not statements:
                continue
            table = trained.table(person, balance, statements)
            listed = scoring.rank(table, k=TOP, settings=settings, exclude_ids=trained.seen[person])
            quoted: dict[int, list[scoring.Scored]] = {}
            for recommendation in listed:
                for key in recommendation.scored.cited_lines():
                    quoted.setdefault(key, []).append(recommendation.scored)
            for key, items in quoted.items():
                rows = np.array([s.item_id for s in items])
                without = trained.table(person, balance, [s for s in statements if s.key != key])
                weaker = trained.table(
                    person,
                    balance,
                    [
                        replace(s, weight=s.weight * WEAKER) if s.key == key else s
                        for s in statements
                    ],
                )
                column = [s.key for s in table.likes].index(key)
                share = table.lines[rows, column]
                cases += len(rows)
                dropped += int(np.sum(without.score[rows] < table.score[rows] - 1e-9))
                exact += int(np.sum(np.isclose(table.score[rows] - without.score[rows], share)))
                weaker_column = [s.key for s in weaker.likes].index(key)
                weakened += int(
                    np.sum(np.isclose(weaker.lines[rows, weaker_column], WEAKER * share))
                )
        rate = round(dropped / cases, 6) if cases else 0.0
        return {
            "rate": rate,
            "exact_share": round(exact / cases, 6) if cases else 0.0,
            "weaker_in_proportion": round(weakened / cases, 6) if cases else 0.0,
            "cases": cases,
        }


@dataclass
class _SteeringCases:
    """What the steering protocol measured, list by list: each category's
    share of the top before and after a line naming it, and the NDCG of the
    list before and after a like of a category the person's targets avoid."""

    like_before: list[float] = field(default_factory=list)
    like_after: list[float] = field(default_factory=list)
    avoid_before: list[float] = field(default_factory=list)
    avoid_after: list[float] = field(default_factory=list)
    # After an avoid: the share of the list's other items (not in its category) kept.
    others_kept: list[float] = field(default_factory=list)
    ndcg_before: list[float] = field(default_factory=list)
    ndcg_after: list[float] = field(default_factory=list)

    def figures(self, balance: float) -> dict:
        mean = _mean
        ndcg_before = mean(self.ndcg_before)
        return {
            "like_share_before": mean(self.like_before),
            "like_share_after": mean(self.like_after),
            "like_success": mean([a >= LIKE_SUCCESS_ITEMS / TOP for a in self.like_after]),
            "avoid_remaining_before": mean(self.avoid_before),
            "avoid_remaining_after": mean(self.avoid_after),
            "avoid_others_kept": mean(self.others_kept),
            "ndcg_retained": round(mean(self.ndcg_after) / ndcg_before, 6) if ndcg_before else 0.0,
            "cases": len(self.like_after) + len(self.avoid_after) + len(self.ndcg_after),
            "like_cases": len(self.like_after),
            "avoid_cases": len(self.avoid_after),
            "ndcg_cases": len(self.ndcg_after),
            "ndcg@10_served_before": ndcg_before,
            "ndcg@10_served_after": mean(self.ndcg_after),
            "balance": balance,
        }


def _mean(values: Sequence[float]) -> float:
    return round(float(np.mean(values)), 6) if len(values) else 0.0


def _concat(a: Interactions, b: Interactions) -> Interactions:
    return Interactions(
        user=np.concatenate([a.user, b.user]),
        item=np.concatenate([a.item, b.item]),
        kind=np.concatenate([a.kind, b.kind]),
        value=np.concatenate([a.value, b.value]),
        time=np.concatenate([a.time, b.time]),
        people=a.people,
    )


def evaluate(
    catalog: Catalog,
    interactions: Interactions,
    options: Options,
    *,
    encode: Encode,
    log: Log = lambda message: None,
) -> dict:
    """Run the chosen protocols; returns the report (see docs/EVALUATION.md)."""
    started = time.perf_counter()
    run = _Run(catalog, interactions, options, encode, log)
    report: dict = {
        "dataset": {
            "items": len(catalog),
            "users": len(interactions.people),
            "interactions": len(interactions),
        },
        "protocols": {},
    }
    run.tune()
    chosen = options.protocols
    if "warm" in chosen or "profile" in chosen:
        methods = [
            m for m in WARM_METHODS if "warm" in chosen or m in ("hybrid", "profile_only", "ease")
        ]
        mark = time.perf_counter()
        report["protocols"]["warm"] = run.warm(methods)
        log(f"warm: {time.perf_counter() - mark:.1f} s")
    for name in ("cold_item", "cold_user", "steering", "steering_text", "faithfulness"):
        if name in chosen:
            mark = time.perf_counter()
            report["protocols"][name] = getattr(run, name)()
            log(f"{name}: {time.perf_counter() - mark:.1f} s")
    report["split"] = {
        "train_interactions": len(run.train),
        "test_positives": len(run.test),
        "test_users": len(run.targets),
    }
    report["settings"] = {
        "seed": options.seed,
        **run.settings,
        "serving_balance": options.serving_balance,
    }
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
