"""Round trips of the reason controls (apply + the new list) on ml-latest-small.

Usage: python bench/rationale_actions.py [--rounds 100]

Imports ml-latest-small (with TMDB text) into a throw-away database of its
own (``bench_rationale``; BENCH_DATABASE overrides), gives every item its
vector (var/bench cache), computes popularity and trains the collaborative
model. Then, for the user whose history is closest to 200 interactions, with
a typed 6-statement profile (5 likes, 1 avoid), each round posts through the
API (Django's whole request handling, in process: server-side time without
the network), in this order:

- the plain list, ``GET /api/recommendations/``: the baseline, in the same
  run so that a busy machine slows both alike;
- "less of this" then "more of this" on one of the five "Likes" lines (the
  pair leaves the profile as it was, so every round starts alike), each a
  new profile revision answered with the new list;
- a preview of "not this reason" on a line (nothing saved);
- "don't use this item" on a history item the reason cites, then its undo.

Every action answers with the new list: that answer is the round trip a
person waits for. Reports p50, p95 and p99 in milliseconds and each one's
ratio to the plain list.
"""

import argparse
import os
import time

# Its own database, so that it can run beside the other benchmarks.
os.environ.setdefault("BENCH_DATABASE", "bench_rationale")

from common import (  # noqa: E402
    bench_database,
    django_setup,
    movielens_ready,
    people_near,
    percentile,
    profile_text_set,
    signed_in_client,
)

PROFILE = """Likes:
- slow-burn science fiction about first contact
- witty courtroom dramas
- animated family adventures
- heist thrillers with clever twists
- romantic comedies set in New York
Avoids:
- gory slasher horror"""
LIKES = 5
TARGET_P95_MS = 200

STEER = "/api/recommendations/steer/"
PREVIEW = "/api/recommendations/steer/preview/"


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    # The API's per-minute limits would answer most back-to-back requests
    # with a fast 429: this measures the work, not the limiter.
    for rate in ("API_RATE_USER", "API_RATE_WRITE", "API_RATE_PREVIEW"):
        os.environ.setdefault(rate, "1000000")
    django_setup()

    with bench_database():
        movielens_ready()
        (user,) = people_near(1)
        user_id, interactions = user.pk, user.n
        profile_text_set(user, PROFILE)
        client = signed_in_client(user)

        def post(url: str, body: dict) -> dict:
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 200, (url, body, response.content[:300])
            return response.json()

        def plain() -> dict:
            response = client.get("/api/recommendations/")
            assert response.status_code == 200, response.content[:300]
            return response.json()

        for _ in range(10):  # warm caches and connections
            revision = plain()["profile_revision"]
        cited = next(
            (h["item"] for r in plain()["results"] for h in r["history"]),
            None,
        )
        rows: dict[str, list[float]] = {
            "recommendations GET (bare)": [],
            "less of this": [],
            "more of this": [],
            "not this reason, preview": [],
            "don't use this item": [],
            "its undo (include)": [],
        }
        moved = 0
        for number in range(args.rounds):
            line = number % LIKES
            spent, before = timed(plain)
            rows["recommendations GET (bare)"].append(spent)
            body = {"action": "less", "statement": line, "base_revision": revision}
            spent, answer = timed(lambda body=body: post(STEER, body))
            rows["less of this"].append(spent)
            moved += [r["item"]["id"] for r in answer["results"]] != [
                r["item"]["id"] for r in before["results"]
            ]
            revision = answer["profile_revision"]
            body = {"action": "more", "statement": line, "base_revision": revision}
            spent, answer = timed(lambda body=body: post(STEER, body))
            rows["more of this"].append(spent)
            revision = answer["profile_revision"]
            body = {"action": "avoid", "statement": line, "base_revision": revision}
            spent, _ = timed(lambda body=body: post(PREVIEW, body))
            rows["not this reason, preview"].append(spent)
            if cited is not None:
                spent, answer = timed(lambda: post(STEER, {"action": "exclude", "item": cited}))
                rows["don't use this item"].append(spent)
                spent, _ = timed(lambda undo=answer["undo"]: post(STEER, undo))
                rows["its undo (include)"].append(spent)

    print(
        f"\nuser {user_id}: {interactions} interactions, 6 statements; {args.rounds} rounds, "
        f"k=10; 'less of this' changed the list's order in {moved} of {args.rounds} rounds"
    )
    if cited is None:
        print("(no history item was cited: the exclusion rows are empty)")
    bare = rows["recommendations GET (bare)"]
    header = f"{'round trip':<30}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p50/bare':>10}"
    print(header + f"{'p95/bare':>10}")
    for name, values in rows.items():
        if not values:
            continue
        p50, p95, p99 = (percentile(values, q) for q in (50, 95, 99))
        print(
            f"{name:<30}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}"
            f"{p50 / percentile(bare, 50):>10.2f}{p95 / percentile(bare, 95):>10.2f}"
        )
    actions = [
        value
        for name, values in rows.items()
        if name not in ("recommendations GET (bare)", "not this reason, preview")
        for value in values
    ]
    p95 = percentile(actions, 95)
    verdict = "meets" if p95 < TARGET_P95_MS else "MISSES"
    print(f"\nall applied actions: p95 {p95:.1f} ms, {verdict} the {TARGET_P95_MS} ms target")


if __name__ == "__main__":
    main()
