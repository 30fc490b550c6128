"""Profile generation: time per person by history size, grounding and coverage.

Usage: python bench/profile_generation.py [--users N] [--seed S] [--show 5]

On ml-latest-small (with TMDB text, every item embedded; vectors cached in
var/bench), in a throw-away database:
1. time engine.profiles.profile_generate for people with 50, 200 and 1,000
   interactions (the encoder is loaded first, so its load is not counted;
   the 1,000 case uses the most active people and their latest 1,000);
2. generate a profile for N people (default all 610) and report the mean
   grounding score of the kept statements, how many statements were dropped
   as ungrounded, and the share of people with at least 3 statements;
3. print a few real generated profiles.
"""

import argparse
import random
import statistics
import time

from common import bench_database, django_setup, embed_with_cache, import_movielens, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, help="generate for this many people (default all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    django_setup()

    from django.db.models import Count

    from engine.encoder import get_encoder
    from engine.profiles import catalog_label_counts, profile_generate
    from profiles.models import Interaction, Statement
    from profiles.services import profile_export

    with bench_database():
        import_movielens()
        embed_with_cache()
        get_encoder().encode(["warm up"])
        catalog_label_counts()
        counts = dict(
            Interaction.objects.values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        rng = random.Random(args.seed)

        print(f"{'interactions':>13}{'people':>8}{'median ms':>11}{'p95 ms':>9}")
        for size in (50, 200, 1000):
            people = [user for user, n in counts.items() if n >= size]
            people = rng.sample(people, min(10, len(people)))
            timings = []
            for user_id in people:
                # Keep only the person's latest `size` interactions.
                keep = list(
                    Interaction.objects.filter(user_id=user_id)
                    .order_by("-timestamp")
                    .values_list("id", flat=True)[:size]
                )
                removed = list(
                    Interaction.objects.filter(user_id=user_id).exclude(id__in=keep).values()
                )
                Interaction.objects.filter(user_id=user_id).exclude(id__in=keep).delete()
                started = time.perf_counter()
                profile_generate(user_id=user_id)
                timings.append((time.perf_counter() - started) * 1000)
                Interaction.objects.bulk_create(Interaction(**row) for row in removed)
            print(
                f"{size:>13}{len(people):>8}{statistics.median(timings):>11.0f}"
                f"{percentile(timings, 95):>9.0f}"
            )

        people = sorted(counts)
        if args.users:
            people = rng.sample(people, args.users)
        started = time.perf_counter()
        dropped = 0
        for user_id in people:
            dropped += profile_generate(user_id=user_id).dropped
        seconds = time.perf_counter() - started
        statements = Statement.objects.filter(profile__user_id__in=people)
        per_person = dict(
            statements.values("profile__user_id")
            .annotate(n=Count("id"))
            .values_list("profile__user_id", "n")
        )
        groundings = [g for g in statements.values_list("grounding", flat=True) if g is not None]
        kept = statements.count()
        each = seconds / len(people) * 1000
        print(f"\n{len(people)} people in {seconds:.0f} s ({each:.0f} ms each)")
        print(f"statements kept: {kept}, dropped as ungrounded: {dropped}")
        print(f"mean grounding of kept statements: {statistics.mean(groundings):.3f}")
        three = sum(1 for user_id in people if per_person.get(user_id, 0) >= 3)
        print(
            f"people with at least 3 statements: {three}/{len(people)} ({three / len(people):.1%})"
        )

        print()
        for user_id in rng.sample(people, min(args.show, len(people))):
            user = Interaction.objects.filter(user_id=user_id).first().user
            print(f"--- {user.username} ({counts[user_id]} interactions)")
            print(profile_export(user=user)["text"])


if __name__ == "__main__":
    main()
