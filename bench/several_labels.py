"""Lines that name two categories ("westerns and war films", "no horror or
romance"), measured as the steering protocol measures one.

Usage:
    python bench/several_labels.py --movielens DIR [--tmdb-keywords F --tmdb-movies F]
        [--users N] [--seed 0]

The evaluation's own split, tuning, served lists and line reading
(engine.evaluation.protocols, the serving balance). For each sampled person:

1. Likes: two categories neither in their list nor their history (at least
   STEERING_MIN_ITEMS unseen items each). The line "X and Y" is added, and,
   for comparison, "X" alone. Reported: each category's share of the top 10
   after, how many of the two got at least one place (both_in), and the
   NDCG@10 retained on their test positives (categories they have none of).
2. Avoids: two categories in their list. "no X or Y" is added. Reported: the
   two categories' share of the top 10 before and after, and how much of the
   rest of the list stays.

``--first-only``: each line acts on its first label alone, as serving did
before a line acted on every label it names (the others only shown).
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from common import django_setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path)
    parser.add_argument("--interactions", type=Path)
    parser.add_argument("--movielens", type=Path)
    parser.add_argument("--tmdb-keywords", type=Path)
    parser.add_argument("--tmdb-movies", type=Path)
    parser.add_argument("--cache-dir", type=Path, default=Path("var/evaluation-cache"))
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--first-only",
        action="store_true",
        help="a line acts on its first label alone, as serving did before lines acted on all",
    )
    args = parser.parse_args()
    django_setup()
    from engine.evaluation import metrics
    from engine.evaluation.protocols import STEERING_MIN_ITEMS, TOP, Options, _Run
    from engine.management.datasets import CachedEncoder, read_dataset
    from profiles.models import Profile
    from profiles.parser import AVOID, LIKE

    catalog, data = read_dataset(vars(args))
    encode = CachedEncoder(args.cache_dir)
    catalog = catalog.with_vectors(encode(catalog.texts, "Item vectors"))
    balance = Profile._meta.get_field("balance").default
    run = _Run(
        catalog,
        data,
        Options(protocols=("steering",), users=args.users, seed=args.seed, serving_balance=balance),
        encode,
        lambda message: print(message, file=sys.stderr),
    )
    run.tune()
    trained = run.warm_model()
    balance = run.options.serving_balance
    names = catalog.category_names()
    members = {name: catalog.in_category(name) for name in names}
    rng = np.random.default_rng(args.seed)
    rows: dict[str, list[float]] = {}

    def note(key: str, value: float) -> None:
        rows.setdefault(key, []).append(value)

    for person in run.warm_people():
        statements = trained.statements(person)
        before = run.served(trained, person, trained.table(person, balance, statements))
        unseen = np.ones(run.n_items, dtype=bool)
        unseen[trained.seen[person]] = False
        listed = {n for i in before for n in catalog.categories[i]}
        history = {n for i in trained.seen[person] for n in catalog.categories[i]}
        relevant = set(run.targets[person].tolist())
        tested = {n for i in relevant for n in catalog.categories[i]}

        def after(text, polarity, person=person, statements=statements):
            line = run.statement(text, polarity, len(statements))
            if args.first_only:
                line = replace(line, label=line.label, labels=line.labels[:1])
            table = trained.table(person, balance, [*statements, line])
            return run.served(trained, person, table), line

        def share(items, name):
            return float(members[name][items].sum()) / TOP if items else 0.0

        roomy = [n for n in names if (members[n] & unseen).sum() >= STEERING_MIN_ITEMS]
        options = [n for n in roomy if n not in listed and n not in history and n not in tested]
        if len(options) >= 2:
            x, y = (options[i] for i in rng.choice(len(options), size=2, replace=False))
            both, line = after(f"{x} and {y}", LIKE)
            note("like_read_both", float(set(line.labels) == {x, y}))
            one, _ = after(x, LIKE)
            note("like_one_share", share(one, x))
            note("like_two_share_x", share(both, x))
            note("like_two_share_y", share(both, y))
            note("like_two_share", float((members[x] | members[y])[both].sum()) / TOP)
            note("like_two_both_in", float(share(both, x) > 0 and share(both, y) > 0))
            if relevant:
                base = metrics.ndcg_at_k(before, relevant, TOP)
                if base > 0:
                    note("ndcg_retained_one", metrics.ndcg_at_k(one, relevant, TOP) / base)
                    note("ndcg_retained_two", metrics.ndcg_at_k(both, relevant, TOP) / base)
        options = sorted(listed)
        if len(options) >= 2:
            x, y = (options[i] for i in rng.choice(len(options), size=2, replace=False))
            avoided, line = after(f"no {x} or {y}", AVOID)
            note("avoid_read_both", float(set(line.labels) == {x, y}))
            named = members[x] | members[y]
            note("avoid_before", float(named[before].sum()) / TOP)
            note("avoid_after", float(named[avoided].sum()) / TOP if avoided else 0.0)
            others = [i for i in before if not named[i]]
            if others:
                note("avoid_others_kept", len(set(others) & set(avoided)) / len(others))
    for key, values in rows.items():
        print(f"{key:22s} {np.mean(values):.3f}  (n={len(values)})")


if __name__ == "__main__":
    main()
