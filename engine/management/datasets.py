"""The dataset options of the offline commands (``evaluate``, ``profile_audit``).

Both read a catalog and its interactions the way the importers do (the
import formats, or a MovieLens folder with optional TMDB files) and embed
the item texts through one on-disk cache, so a second command on the same
dataset encodes nothing again.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from catalog.importers import read_items_file
from engine.encoder import get_encoder
from engine.evaluation.data import Catalog, Interactions, catalog_from_rows, interactions_from_rows
from engine.evaluation.embeddings import EmbeddingCache
from profiles.importers import read_interactions_csv
from profiles.movielens import read_movielens
from recsite.progress import progress_bar

DEFAULT_CACHE = Path(settings.BASE_DIR) / "var" / "evaluation-cache"


def add_dataset_arguments(parser) -> None:
    parser.add_argument("--items", type=Path, help="catalog file (.jsonl or .csv, .gz too)")
    parser.add_argument("--interactions", type=Path, help="interactions CSV (.gz too)")
    parser.add_argument(
        "--movielens", type=Path, help="a MovieLens folder, read as import_movielens reads it"
    )
    parser.add_argument(
        "--tmdb-keywords", type=Path, help="with --movielens: TMDB keywords.csv, as tags"
    )
    parser.add_argument(
        "--tmdb-movies", type=Path, help="with --movielens: TMDB movies CSV, overviews"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=DEFAULT_CACHE,
        help="where item and phrase vectors are cached (default var/evaluation-cache)",
    )


def read_dataset(options: dict) -> tuple[Catalog, Interactions]:
    """The catalog and interactions the options name (errors name the option)."""
    items, interactions, movielens = (
        options["items"],
        options["interactions"],
        options["movielens"],
    )
    if movielens and (items or interactions):
        raise CommandError(
            "--movielens replaces --items and --interactions: give one or the other."
        )
    if not movielens and not (items and interactions):
        raise CommandError("Give --items and --interactions, or --movielens.")
    if not movielens and (options["tmdb_keywords"] or options["tmdb_movies"]):
        raise CommandError("--tmdb-keywords and --tmdb-movies enrich --movielens only.")
    if movielens:
        data = read_movielens(
            Path(movielens),
            tmdb_keywords=Path(options["tmdb_keywords"]) if options["tmdb_keywords"] else None,
            tmdb_movies=Path(options["tmdb_movies"]) if options["tmdb_movies"] else None,
        )
        item_rows, interaction_rows = data.items, data.interactions
    else:
        item_rows = read_items_file(Path(items))
        interaction_rows = read_interactions_csv(Path(interactions))
    catalog = catalog_from_rows(item_rows)
    return catalog, interactions_from_rows(interaction_rows, catalog)


class CachedEncoder:
    """Texts to vectors through the on-disk cache of one folder, with a progress bar."""

    def __init__(self, folder: Path) -> None:
        self.cache = EmbeddingCache(Path(folder), settings.EMBEDDING_MODEL)

    def __call__(self, texts: list[str], description: str = "Phrase vectors"):
        bar = None

        def start(missing: int) -> None:
            nonlocal bar
            if missing:
                bar = progress_bar(total=missing, unit="text", desc=description)

        try:
            return self.cache.vectors(
                texts,
                lambda chunk: get_encoder().encode(chunk),
                on_missing=start,
                on_progress=lambda n: bar.update(n),
            )
        finally:
            if bar is not None:
                bar.close()
