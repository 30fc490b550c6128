"""Progress bars for long-running commands."""

import sys

from tqdm import tqdm


def progress_bar(*, total: int | None, unit: str, desc: str) -> tqdm:
    """A bar on stderr with a rate (items/s); hidden when stderr is not a terminal.

    Without a total (a file read as it is imported) it counts up.
    """
    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=None, leave=False)
