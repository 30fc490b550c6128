"""How far two typed category names can lift a newcomer's list (cold_user at 0).

Usage:
    python bench/newcomer_ceiling.py --movielens DIR [--tmdb-keywords F --tmdb-movies F]
    python bench/newcomer_ceiling.py --items items.jsonl --interactions interactions.csv
    ... --tags [--min-items 20] [--one-of-each]  (a common tag may be typed too)

The protocol's own split, folds and typed lines (engine.evaluation.protocols,
seed 0, every person): each person of a fold is a newcomer who types the two
categories that set their training history apart, and is scored on their
test positives against rankings built from everybody else's training
positives. No embeddings and no EASE: this measures what the two labels can
carry, not the served list. Prints NDCG@10 and its ratio to popular for:

1. popular, popular within the two categories, and popular with the served
   list's promise (3 of the top 10 from each typed category, as
   ``engine.scoring.lists._promised`` keeps it);
2. "people marked by label L take these": a table per category of the
   items taken by the people it marks (weighted by its share of their
   history, or 1 when it is among their 3 most distinctive categories; "pp":
   each person's row divided by its size), combined over the two lines
   additively, naive-Bayes (log popularity plus beta x each line's log lift,
   smoothed 1% towards popularity), or as a sum of per-line geometric means
   of popularity and the table, plus the popularity prior as scoring adds it;
3. oracles no model can have: the same tables read from the *test*
   positives of the other people who type the same category, and the test
   period's own popularity. They bound what the two names say at all.

With ``--tags`` a person may type a tag as well as a category: the two
typed labels are the most distinctive of their categories and of the tags
on at least ``--min-items`` items that say something about taste
(``non_taste_labels`` refuses the rest), as a person types "time travel" or
"heist" as often as "Drama". Every table and oracle then reads those labels.
With ``--one-of-each`` the two are the most distinctive category and the
most distinctive such tag.
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from common import django_setup

SMOOTHING = 0.01  # a label table's share given to plain popularity
PROMISED = 3  # OWN_SHARE x 10 for a line at full strength


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path)
    parser.add_argument("--interactions", type=Path)
    parser.add_argument("--movielens", type=Path)
    parser.add_argument("--tmdb-keywords", type=Path)
    parser.add_argument("--tmdb-movies", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tags", action="store_true", help="type common tags as well")
    parser.add_argument("--min-items", type=int, default=20, help="a typed tag's least items")
    parser.add_argument(
        "--one-of-each", action="store_true", help="with --tags: type a category and a tag"
    )
    args = parser.parse_args()
    django_setup()
    from engine.management.datasets import read_dataset

    catalog, data = read_dataset(vars(args))
    ceiling = Ceiling(
        catalog, data, args.seed, args.min_items if args.tags else None, args.one_of_each
    )
    typed = [c for columns in ceiling.typed.values() for c in columns]
    tags = sum(c >= len(catalog.category_names()) for c in typed)
    print(f"{len(ceiling.names)} labels; {tags} of {len(typed)} typed lines name a tag")
    results = ceiling.run()
    base = results["popular"]
    for name, value in results.items():
        print(f"{name:34s} {value:.4f} {value / base:.2f}x")


class Ceiling:
    def __init__(
        self, catalog, data, seed: int, min_items: int | None = None, one_of_each: bool = False
    ) -> None:
        from engine.evaluation.methods import positives_matrix
        from engine.evaluation.protocols import COLD_USER_FOLDS
        from engine.evaluation.splits import temporal_split

        self.catalog, self.n = catalog, len(catalog)
        split = temporal_split(data, n_items=self.n, seed=seed)
        self.train, test = data.subset(split.train), data.subset(split.test)
        self.targets = {int(p): np.sort(test.item[test.user == p]) for p in np.unique(test.user)}
        # The protocol's generator: tuning draws its validation people first.
        rng = np.random.default_rng(seed)
        inner = temporal_split(self.train, n_items=self.n, seed=seed + 1)
        validation = sorted(int(p) for p in np.unique(self.train.subset(inner.test).user))
        if len(validation) > 300:
            rng.choice(validation, size=300, replace=False)
        self.people = sorted(self.targets)
        self.folds = np.array_split(rng.permutation(self.people), COLD_USER_FOLDS)
        self.label_counts = catalog.label_counts()
        self.fields, self.tags = ("categories",), [()] * self.n
        self.names = [name.casefold() for name in catalog.category_names()]
        if min_items is not None:
            from engine.profile_generation import non_taste_labels

            refused = non_taste_labels(catalog.categories, catalog.tags)
            self.fields = ("categories", "tags")
            self.tags = [
                tuple(
                    t
                    for t in tags
                    if self.label_counts.get(t.casefold(), 0) >= min_items
                    and t.casefold() not in refused
                )
                for tags in catalog.tags
            ]
            common = {t.casefold() for tags in self.tags for t in tags}
            self.names += sorted(common - set(self.names))
        column = {name: c for c, name in enumerate(self.names)}
        self.carries = np.zeros((self.n, len(self.names)), dtype=bool)
        for i in range(self.n):
            for label in (*catalog.categories[i], *self.tags[i]):
                if label.casefold() in column:
                    self.carries[i, column[label.casefold()]] = True
        self.column = column
        self.one_of_each = one_of_each
        self.positives = positives_matrix(self.train, self.n)
        self.typed = {p: self.distinctive(p, 2) for p in self.people}

    def distinctive(self, person: int, top: int) -> list[int]:
        """The columns of the categories the protocol would type (``_typed_lines``)."""
        from engine.profile_generation import RatedItem, distinctive_labels

        members = [
            (RatedItem(int(i), "", self.catalog.categories[int(i)], self.tags[int(i)], ()), 1.0)
            for i in self.positives[person].indices
        ]
        if self.one_of_each and len(self.fields) == 2:
            labels = [
                label
                for field in self.fields
                for label in distinctive_labels(
                    members,
                    self.label_counts,
                    self.n,
                    top=top // 2 + (field == "tags") * (top % 2),
                    fields=(field,),
                )
            ]
        else:
            labels = distinctive_labels(
                members, self.label_counts, self.n, top=top, fields=self.fields
            )
        return [self.column[label.casefold()] for label in labels]

    def weights(self, matrix, rows: np.ndarray, kind: str) -> np.ndarray:
        """People x categories: how much each category marks each person."""
        if kind == "share":
            carried = np.asarray(matrix[rows] @ self.carries.astype(np.float64))
            return carried / np.maximum(np.asarray(matrix[rows].sum(axis=1)), 1)
        marks = np.zeros((len(rows), len(self.names)))
        for r, person in enumerate(rows):
            marks[r, self.distinctive(int(person), 3)] = 1.0
        return marks

    def promise(self, scores: np.ndarray, columns: list[int], k: int = 10) -> np.ndarray:
        """``scores`` with the top ``k`` holding PROMISED of each typed category."""
        order = np.argsort(-scores, kind="stable")
        top, promised = list(order[:k]), []
        own = self.carries[:, columns].any(axis=1)
        for column in columns:
            member = self.carries[:, column]
            have = sum(1 for r in top + promised if member[r])
            taken = set(top) | set(promised)
            promised += [r for r in order if member[r] and r not in taken][
                : max(0, PROMISED - have)
            ]
        spare = sorted((r for r in top if not own[r]), key=lambda r: scores[r])
        dropped = set(spare[: max(0, len(top) + len(promised) - k)])
        kept = sorted([*(r for r in top if r not in dropped), *promised], key=lambda r: -scores[r])
        out = np.asarray(scores, dtype=np.float64).copy()
        out[kept[:k]] = out.max() + 1 + np.arange(len(kept[:k]), 0, -1)
        return out

    def run(self) -> dict[str, float]:
        from engine.evaluation import metrics
        from engine.evaluation.methods import positives_matrix

        means: dict[str, metrics.MetricMeans] = {}

        def add(name: str, scores: np.ndarray, person: int, promised: bool = True) -> None:
            relevant = self.targets[person]
            means.setdefault(name, metrics.MetricMeans(self.n)).add_scores(scores, relevant)
            if promised:
                kept = self.promise(scores, self.typed[person])
                means.setdefault(f"{name} +promise", metrics.MetricMeans(self.n)).add_scores(
                    kept, relevant
                )

        tested = np.zeros((len(self.train.people), self.n))
        for person, items in self.targets.items():
            tested[person, items] = 1.0
        for fold in self.folds:
            fold = sorted(int(p) for p in fold)
            others = positives_matrix(self.train.subset(~np.isin(self.train.user, fold)), self.n)
            popularity = np.asarray(others.sum(axis=0)).ravel().astype(np.float64)
            share = popularity / popularity.sum()
            prior = np.log1p(popularity) / math.log1p(popularity.max())
            rows = np.flatnonzero(np.asarray(others.sum(axis=1)).ravel() > 0)
            sizes = np.asarray(others[rows].sum(axis=1)).ravel()
            tables = {}
            for kind in ("share", "top3"):
                marks = self.weights(others, rows, kind)
                for suffix, scaled in (("", marks), (" pp", marks / sizes[:, None])):
                    table = (scaled.T @ others[rows].toarray()).astype(np.float64)
                    tables[kind + suffix] = table / np.maximum(table.sum(1, keepdims=True), 1e-12)
            for person in fold:
                columns = self.typed[person]
                add("popular", popularity, person)
                own = self.carries[:, columns].any(axis=1)
                add("popular within the typed categories", np.where(own, popularity, -1), person)
                for name, table in tables.items():
                    lines = (1 - SMOOTHING) * table[columns] + SMOOTHING * share
                    add(f"{name} additive", table[columns].sum(axis=0), person)
                    lift = np.log(lines + 1e-12).sum(axis=0) - len(columns) * np.log(share + 1e-12)
                    for beta in (0.3, 0.5, 0.7, 1.0):
                        add(
                            f"{name} naive Bayes b{beta}",
                            np.log(share + 1e-12) + beta * lift,
                            person,
                        )
                    for beta in (0.3, 0.5, 0.7):
                        mean = share ** (1 - beta) * lines**beta
                        summed = (mean / mean.max(axis=1, keepdims=True)).sum(axis=0)
                        add(f"{name} geometric b{beta} + prior", summed + 0.1 * prior, person)
                self.oracles(add, person, tested, popularity)
        return {name: m.result()["ndcg@10"] for name, m in means.items()}

    def oracles(self, add, person: int, tested: np.ndarray, popularity: np.ndarray) -> None:
        """Rankings read from the other people's test positives (no model has them)."""
        others = [q for q in self.people if q != person]
        period = tested[others].sum(axis=0)
        period = period / period.sum()
        tie = 1e-9 * popularity
        by_line = []
        for column in self.typed[person]:
            sharers = [q for q in others if column in self.typed[q]]
            found = tested[sharers].sum(axis=0)
            by_line.append(found / max(found.sum(), 1e-12))
        add("oracle: test period's popularity", period + tie, person, promised=False)
        add("oracle: what label-sharers took", sum(by_line) + tie, person, promised=False)
        for beta in (0.3, 0.5):
            lift = sum(
                np.log(0.9 * b + 0.1 * period + 1e-9) - np.log(period + 1e-9) for b in by_line
            )
            add(f"oracle: naive Bayes b{beta}", np.log(period + 1e-9) + beta * lift + tie, person)


if __name__ == "__main__":
    sys.exit(main())
