"""API fuzzing, the long run: every operation of the OpenAPI schema, far more cases than make test.

Usage: python bench/api_fuzz.py [--max-examples 100] [--phases coverage,fuzzing] [--seed N]

Runs the fuzz test of tests/test_api_fuzz.py (a live server on 127.0.0.1 on
the test database with the sample catalog, schemathesis signed in with a
staff person's key, the same checks: no 5xx, status codes, content types,
headers and bodies as the schema documents, and the key valid to the end)
with:
- the coverage phase as well: each parameter's boundary and wrong-type
  values and every undocumented method, deterministically;
- --max-examples generated cases per operation in the fuzzing phase (make
  test runs 12);
- a new random seed each run unless --seed is given, so each run explores
  new inputs; the seed is printed to reproduce a failure.
Prints operations, cases generated and passed, failures by kind, warnings
and the time taken; exits non-zero when anything failed. Needs no dataset.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def summary(output: str) -> dict[str, object]:
    """The counts schemathesis prints at the end of a run."""
    operations = re.search(r"Operations:\s+(\d+) selected / (\d+) total", output)
    cases = re.search(r"Test cases:\s+(\d+) generated, (.*)", output)
    phases = re.findall(r"(Coverage|Fuzzing) \(in ([\d.]+)s\)\s+(.*)", output)
    failures = re.findall(r"❌ (ST\d+ [^:\n]+): (\d+)", output)
    warnings = re.findall(r"⚠️ (.+)", output)
    return {
        "operations": f"{operations[1]} of {operations[2]}" if operations else "?",
        "cases": f"{cases[1]} generated, {cases[2].strip()}" if cases else "?",
        "phases": [f"{name} {seconds} s: {result.strip()}" for name, seconds, result in phases],
        "failures": [f"{name}: {count}" for name, count in failures],
        "warnings": warnings,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--phases", default="coverage,fuzzing")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**31)

    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "schemathesis.txt"
        env = {
            **os.environ,
            "FUZZ_MAX_EXAMPLES": str(args.max_examples),
            "FUZZ_PHASES": args.phases,
            "FUZZ_SEED": str(seed),
            "FUZZ_OUTPUT": str(report),
        }
        print(
            f"Fuzzing the API: phases {args.phases}, {args.max_examples} cases per "
            f"operation, seed {seed}",
            flush=True,
        )
        started = time.monotonic()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/test_api_fuzz.py::"
                "test_no_input_yields_a_server_error_and_every_answer_fits_the_schema",
            ],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        output = report.read_text() if report.exists() else ""

    if not output:
        print(result.stdout[-5000:] + result.stderr[-5000:])
        print("schemathesis did not run")
        return 1
    counts = summary(output)
    print(f"operations tested:  {counts['operations']}")
    print(f"test cases:         {counts['cases']}")
    for line in counts["phases"]:
        print(f"phase:              {line}")
    print(f"failures:           {', '.join(counts['failures']) or 'none'}")
    for line in counts["warnings"]:
        print(f"warning:            {line}")
    print(f"time:               {seconds:.0f} s (with test database and catalog set-up)")
    if result.returncode != 0:
        # Schemathesis' own account of each failure, with a curl line to reproduce it.
        start = output.find("FAILURES")
        print(output[start - 40 :] if start >= 0 else output[-20_000:])
        print(f"FAILED (seed {seed})")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
