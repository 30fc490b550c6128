"""bench/scale.py end to end on a small catalog, so the benchmark cannot rot.

The run is the real one (its own throw-away database on the test server,
the import and training commands in child processes, the API in process)
at 2,000 items, with the sample catalog's 150 books as seeds and no
reference catalog, then measured again on the kept databases (--reuse).
Measured on the two-core machine: under 30 s when it is
lightly used, 2.5 to 5 minutes under a load average of ~20 (the child
processes' start-up, Django and the encoder, is most of it).
"""

import json
import os
import subprocess
import sys

from tests.conftest import PROJECT_DIR

ITEMS = 2000


def run_scale(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "BENCH_DATABASE": f"bench_scale_test_{os.getpid()}",
    }
    return subprocess.run(
        [sys.executable, "bench/scale.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


class TestScaleBenchmark:
    def test_measures_every_step_and_ends_with_one_json_line(self, tmp_path):
        kept = tmp_path / "kept"
        result = run_scale(
            *("--items", str(ITEMS), "--people", "120", "--interactions", "4000"),
            *("--requests", "3", "--reference-items", "0", "--seeds", "150"),
            *("--keep", str(kept)),
        )
        assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        assert figures["items"] == ITEMS
        # Repeated (person, item) pairs are dropped: popular items are drawn
        # again and again, so on 2,000 items about a third go.
        assert 2000 < figures["ratings"] <= 4000
        assert figures["import_items_per_s"] > 0
        assert 0 < figures["import_peak_rss_mb"] < 1024
        assert figures["index_mb"] > 0
        # Mixtures of real vectors cluster like them: the index finds what
        # exact search finds.
        assert figures["recall_at_10"] >= 0.9
        assert figures["training_peak_rss_mb"] > 0
        # Popularity as the task refreshes a whole catalog: runs of a bounded time.
        assert 0 < figures["popularity_written"] <= ITEMS
        assert figures["popularity_runs"] >= 1
        for kind in ("typed", "generated"):
            assert figures[f"{kind}_list_p95_ratio"] > 1  # the list does more than its ANN
            assert figures[f"{kind}_preview_p95_ms"] > 0
        assert figures["web_rss_mb"] > 100  # Django and the encoder
        assert "reference_web_rss_mb" not in figures
        # The process's own peak (VmHWM), not this benchmark's size carried
        # over the fork: a web process's peak is near what it keeps.
        assert figures["web_rss_mb"] <= figures["web_peak_rss_mb"] < figures["web_rss_mb"] + 400

        # --reuse measures latency and memory again on the kept databases;
        # --popularity counts every item again (rolled back after).
        again = run_scale("--requests", "2", "--reuse", str(kept), "--popularity")
        assert again.returncode == 0, again.stderr[-3000:] + again.stdout[-3000:]
        remeasured = json.loads(again.stdout.strip().splitlines()[-1])
        assert remeasured["reused"] == str(kept)
        assert remeasured["items"] == ITEMS
        assert remeasured["index_build_s"] == figures["index_build_s"]  # built once
        assert remeasured["popularity_written"] == figures["popularity_written"]
        assert remeasured["popularity_build_s"] == figures["popularity_s"]
        assert remeasured["typed_list_p95_ratio"] > 1
        assert remeasured["web_rss_mb"] > 100
