"""Run a Python script and write its own peak RSS (MiB) to a file when it exits.

Usage: python bench/peak_rss.py OUT_FILE script.py [args...]

Why not the parent's ``os.wait4`` or the child's ``getrusage``: Linux keeps a
process's ``ru_maxrss`` across ``execve``, so a child forked from a 2 GB
benchmark process reports at least 2 GB whatever it does itself (bench/scale.py
reported a web process "peak" of 2,525 MB at 200,000 items that way: its own
size at the fork). ``VmHWM`` in /proc/self/status belongs to the new program's
memory map alone, so it is read here, in the child, at exit.
"""

import atexit
import runpy
import sys
from pathlib import Path


def peak_rss_mib() -> int:
    """This process's peak resident set since its program started (VmHWM)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) // 1024


def main() -> None:
    out, script, *rest = sys.argv[1:]
    atexit.register(lambda: Path(out).write_text(str(peak_rss_mib())))
    sys.argv = [script, *rest]
    sys.path[0] = str(Path(script).resolve().parent)
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
