"""Recommendation and preview latency on ml-latest-small, and web process memory.

Usage: python bench/recommendation_latency.py [--requests 200]

Imports ml-latest-small (with TMDB text) into a throw-away database, gives
every item its vector (var/bench cache), computes popularity and trains the
collaborative model. Then, for the two people whose history is closest to
200 interactions, one with a typed 6-statement profile (5 likes, 1 avoid,
no history behind the lines: each finds its own group) and one with the
profile the worker generates from their ratings (each line a group of their
items):
- recommendations through the API (Django's whole request handling, in
  process: server-side time without the network; the list is logged as in
  production) and through engine.recommend alone;
- the bare pgvector ANN query the recommender issues (one nearest-items scan
  per "Likes" line's words and one per its group's centre, in one round
  trip), for the ratio; and, beside it, the words' scans alone (what this
  benchmark called the bare queries before lines had groups);
- previews of the profile with one new line each time (a line never seen
  before, so each preview encodes it);
- the resident memory of a fresh web-like process (Django, the encoder
  loaded, 20 recommendation requests served).
Reports p50 and p95 in milliseconds.
"""

import argparse
import os
import subprocess
import sys
import time

# As gunicorn.conf.py runs the web processes: one thread each for torch and
# BLAS (before common imports numpy).
for _pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")

from common import (  # noqa: E402
    BENCH_DB,
    PROJECT_DIR,
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

MOODS = ["quiet", "loud", "dark", "sunny", "strange", "gentle", "violent", "funny", "sad", "epic"]
SUBJECTS = [
    "submarine war films",
    "road movies",
    "musicals about dancers",
    "westerns with outlaws",
    "documentaries about nature",
    "films about chess",
    "samurai stories",
    "space station survival",
    "boxing dramas",
    "ghost stories",
    "spy capers",
    "coming-of-age stories",
    "political thrillers",
    "disaster movies",
    "fairy tales",
    "mountain climbing films",
    "jazz biopics",
    "robot uprisings",
    "courtroom comedies",
    "pirate adventures",
]

MEMORY_PROBE = """
import os, sys
sys.path.insert(0, {project!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "recsite.settings"
import django
django.setup()
from django.contrib.auth import get_user_model
from engine.encoder import get_encoder
from engine.recommend import recommend_for_user
get_encoder().encode(["warm up"])
user = get_user_model().objects.get(pk={user_id})
for _ in range(20):
    recommend_for_user(user=user)
# VmHWM, not getrusage: Linux carries ru_maxrss over the fork (bench/peak_rss.py).
memory = {{l.split(":")[0]: int(l.split()[1]) for l in open("/proc/self/status") if l[:2] == "Vm"}}
print(memory["VmRSS"] // 1024, memory["VmHWM"] // 1024)
"""


def ok(response):
    assert response.status_code == 200, (response.status_code, response.content[:200])
    return response


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _new_line(number: int, index: int) -> str:
    """A line no earlier preview of this run typed (``index``: which person
    of the run), so each one is encoded."""
    tail = ("", " from the seventies", " for a rainy day")[index % 3]
    return f"- {MOODS[number % 10]} {SUBJECTS[number // 10 % 20]}{tail}"


def _measure(user, requests: int, index: int) -> tuple:
    """(user, number of statements, milliseconds per path) for one person."""
    from engine import candidates, retrieval
    from engine.person import ListOptions, person_read
    from engine.recommend import recommend_for_user

    client = signed_in_client(user)
    for _ in range(10):  # warm caches and connections
        assert client.get("/api/recommendations/").status_code == 200
    person = person_read(user, ListOptions())
    liked = [s for s in person.statements if s.polarity == "like" and s.weight > 0]
    words = [s.vector for s in liked]
    # As engine.candidates issues them: each line's words, and its group's centre.
    issued = {("words", s.text): s.vector for s in liked}
    issued.update({("centre", s.members): s.centre for s in liked if s.centre is not None})
    seen = list(person.history.seen)
    text = ok(client.get("/api/profile/")).json()["text"]
    rows: dict[str, list[float]] = {
        "recommendations, API": [],
        "recommend_for_user": [],
        "bare ANN queries": [],
        "bare ANN, words only": [],
        "preview, API (1 new line)": [],
    }
    for number in range(requests):
        rows["recommendations, API"].append(timed(lambda: ok(client.get("/api/recommendations/"))))
        rows["recommend_for_user"].append(timed(lambda: recommend_for_user(user=user)))
        for name, vectors in (
            ("bare ANN queries", list(issued.values())),
            ("bare ANN, words only", words),
        ):
            rows[name].append(
                timed(
                    lambda vectors=vectors: retrieval.nearest_ids_many(
                        vectors,
                        k=candidates.ANN_PER_STATEMENT,
                        exclude_ids=seen,
                        ef_search=candidates.ANN_PER_STATEMENT,
                    )
                )
            )
        line = _new_line(number, index)
        draft = text.replace("Avoids:", f"{line}\nAvoids:") if "Avoids:" in text else None
        draft = draft or f"{text.rstrip()}\n{line}"
        rows["preview, API (1 new line)"].append(
            timed(
                lambda draft=draft: ok(
                    client.post(
                        "/api/recommendations/preview/",
                        {"text": draft},
                        content_type="application/json",
                    )
                )
            )
        )
    return user, len(person.statements), len(issued), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    # The API's per-minute limits would answer most of 200 back-to-back
    # requests with a fast 429: this measures the work, not the limiter.
    for rate in ("API_RATE_USER", "API_RATE_WRITE", "API_RATE_PREVIEW"):
        os.environ.setdefault(rate, "1000000")
    django_setup()

    from engine.profiles import profile_generate
    from engine.training import active_model

    with bench_database():
        trained = movielens_ready()
        model = active_model()
        typed_user, generated_user = people_near(2)
        profile_text_set(typed_user, PROFILE)
        profile_generate(user_id=generated_user.pk)
        results = {
            "typed": _measure(typed_user, args.requests, 0),
            "generated": _measure(generated_user, args.requests, 1),
        }
        body = signed_in_client(generated_user).get("/api/recommendations/").json()
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                MEMORY_PROBE.format(project=str(PROJECT_DIR), user_id=generated_user.pk),
            ],
            env={**os.environ, "DATABASE_NAME": BENCH_DB, "EMBEDDING_PRELOAD": "0"},
            capture_output=True,
            text=True,
            check=True,
        )
        rss, peak = map(int, probe.stdout.split()[-2:])

    print(
        f"\ncollaborative model: {model.get_algorithm_display()}, "
        f"{model.items} items, trained in {trained:.1f} s"
    )
    for kind, (user, statements, scans, rows) in results.items():
        print(
            f"\n{kind} profile, user {user.pk}: {user.n} interactions, {statements} statements "
            f"({scans} index scans); {args.requests} requests each, k=10"
        )
        bare = rows["bare ANN queries"]
        print(f"{'path':<28}{'p50 ms':>9}{'p95 ms':>9}{'p50/bare':>10}{'p95/bare':>10}")
        for name, values in rows.items():
            p50, p95 = percentile(values, 50), percentile(values, 95)
            print(
                f"{name:<28}{p50:>9.2f}{p95:>9.2f}"
                f"{p50 / percentile(bare, 50):>10.2f}{p95 / percentile(bare, 95):>10.2f}"
            )
    threads = os.environ["OMP_NUM_THREADS"]
    print(f"\ntorch and BLAS threads per process: {threads} (as gunicorn.conf.py sets them)")
    print(f"web process with the encoder loaded: RSS {rss} MB (peak {peak} MB)")
    print("\nfirst items served:")
    for row in body["results"][:5]:
        print(f"  {row['rank']:>2}. {row['item']['title'][:50]:<50} {row['rationale'][:110]}")


if __name__ == "__main__":
    main()
