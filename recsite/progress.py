"""Progress bars for long-running commands."""

import sys

from tqdm import tqdm


def progress_bar(*, total: int, unit: str, desc: str) -> tqdm:
    """A bar on stderr with a rate (items/s); hidden when stderr is not a terminal."""
    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=None, leave=False)
