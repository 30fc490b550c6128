""" "Write it again", previewed: time to preview and to apply, per person.

Usage: python bench/regeneration_preview.py [--people 10] [--interactions 200]

On ml-latest-small (with TMDB text, every item embedded; vectors cached in
var/bench), in a throw-away database:
1. write a profile for each of the people whose history is closest to
   ``--interactions`` long (the profile a regeneration starts from);
2. time engine.regeneration.regeneration_preview for each (the encoder is
   loaded first, so its load is not counted), then regeneration_apply of
   that preview;
3. print the median and p95 in milliseconds, and one preview's changes.
"""

import argparse
import statistics
import time

from common import (
    bench_database,
    django_setup,
    embed_with_cache,
    import_movielens,
    people_near,
    percentile,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--interactions", type=int, default=200)
    args = parser.parse_args()
    django_setup()

    from engine.encoder import get_encoder
    from engine.profiles import catalog_label_counts, profile_generate
    from engine.regeneration import regeneration_apply, regeneration_preview
    from profiles.models import Interaction

    with bench_database():
        import_movielens()
        embed_with_cache()
        get_encoder().encode(["warm up"])
        catalog_label_counts()
        people = people_near(args.people, args.interactions)
        previews, applies, changed = [], [], 0
        for user in people:
            # The profile as it was before the latest 5 ratings.
            latest = Interaction.objects.filter(user=user).order_by("-timestamp")[:5]
            held = list(Interaction.objects.filter(pk__in=latest).values())
            Interaction.objects.filter(pk__in=[row["id"] for row in held]).delete()
            profile_generate(user_id=user.pk)
            Interaction.objects.bulk_create(Interaction(**row) for row in held)
            started = time.perf_counter()
            preview = regeneration_preview(user=user)
            previews.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            regeneration_apply(user=user, token=preview.token)
            applies.append((time.perf_counter() - started) * 1000)
            changed += preview.changed
        sizes = [user.n for user in people]
        print(f"{len(people)} people, {min(sizes)}-{max(sizes)} interactions; {changed} changed")
        for name, timings in (("preview", previews), ("apply", applies)):
            print(
                f"{name:>8}: median {statistics.median(timings):.0f} ms, "
                f"p95 {percentile(timings, 95):.0f} ms"
            )
        print("last preview:", preview.label, f"token {len(preview.token)} characters")


if __name__ == "__main__":
    main()
