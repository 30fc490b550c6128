"""The MovieLens adapter: MovieLens folders (and optional TMDB files) to rows.

Two layouts are read:
- ``ml-latest`` / ``ml-latest-small``: movies.csv, ratings.csv, tags.csv, links.csv;
- the older ``ml-1m`` / ``ml-10m`` layout: movies.dat, ratings.dat, tags.dat,
  ``::``-separated, latin-1.
Any file may be gzipped (``movies.csv.gz``). TMDB enrichment joins through
links.csv ``tmdbId``: a TMDB overview becomes the description, TMDB keywords
and MovieLens user tags become tags.
"""

import ast
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from catalog.importers import ItemRow, item_row
from profiles.importers import InteractionRow, RowProblem, parse_rating, parse_timestamp
from recsite.errors import ImportFileError
from recsite.files import csv_records, text_lines

ITEM_PREFIX = "ml-"
USER_PREFIX = "ml-"
# Enough tags to describe a film; the long tail of one-off user tags adds
# noise to its embedding text, not meaning.
MAX_TAGS = 20
NO_GENRES = "(no genres listed)"
_TITLE_YEAR = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})(?:[-–]\d{0,4})?\)\s*$")
_TRAILING_ARTICLE = re.compile(r"^(?P<name>.+), (?P<article>The|A|An)(?P<rest> \(.*\))?$")


@dataclass
class MovieLensData:
    items: list[ItemRow]
    interactions: list[InteractionRow]


def split_title(raw: str) -> tuple[str, int | None]:
    """``"Matrix, The (1999)"`` -> ``("The Matrix", 1999)``."""
    raw = raw.strip()
    year = None
    match = _TITLE_YEAR.match(raw)
    if match:
        raw, year = match["title"], int(match["year"])
    article = _TRAILING_ARTICLE.match(raw)
    if article:
        raw = f"{article['article']} {article['name']}{article['rest'] or ''}"
    return raw, year


def _find(directory: Path, stem: str, *, required: bool) -> Path | None:
    for name in (f"{stem}.csv", f"{stem}.csv.gz", f"{stem}.dat", f"{stem}.dat.gz"):
        if (directory / name).exists():
            return directory / name
    if required:
        raise ImportFileError(
            path=str(directory / f"{stem}.csv"),
            line=None,
            field=None,
            problem=f"no {stem}.csv or {stem}.dat (optionally .gz) in {directory}",
        )
    return None


def _records(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, {column: text})`` from a MovieLens CSV or ``::`` file."""
    source = str(path)
    is_dat = ".dat" in path.suffixes
    if is_dat:
        for line, text in text_lines(path, encoding="latin-1"):
            if not text.strip():
                continue
            parts = text.split("::")
            if len(parts) != len(columns):
                raise ImportFileError(
                    path=source,
                    line=line,
                    field=None,
                    problem=f"expected {len(columns)} '::'-separated fields, found {len(parts)}",
                )
            yield line, dict(zip(columns, parts, strict=True))
        return
    yield from csv_records(path, required=columns)


def _whole_number(source: str, line: int, field: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ImportFileError(
            path=source, line=line, field=field, problem=f"{raw!r} is not a whole number"
        ) from None


def _read_links(path: Path) -> dict[int, dict[str, object]]:
    links: dict[int, dict[str, object]] = {}
    for line, record in _records(path, ("movieId", "imdbId", "tmdbId")):
        movie = _whole_number(str(path), line, "movieId", record["movieId"])
        entry: dict[str, object] = {}
        if record["imdbId"].strip():
            entry["imdb_id"] = "tt" + record["imdbId"].strip()
        if record["tmdbId"].strip():
            entry["tmdb_id"] = _whole_number(str(path), line, "tmdbId", record["tmdbId"])
        links[movie] = entry
    return links


def _read_tmdb_keywords(path: Path, wanted: set[int]) -> dict[int, list[str]]:
    """TMDB keywords file (``id``, ``keywords`` as a Python-literal list of dicts)."""
    keywords: dict[int, list[str]] = defaultdict(list)
    for line, record in _records(path, ("id", "keywords")):
        tmdb = _whole_number(str(path), line, "id", record["id"])
        if tmdb not in wanted:
            continue
        try:
            entries = ast.literal_eval(record["keywords"] or "[]")
            names = [entry["name"] for entry in entries]
        except (ValueError, SyntaxError, TypeError, KeyError):
            raise ImportFileError(
                path=str(path), line=line, field="keywords", problem="not a list of {'name': ...}"
            ) from None
        for name in names:
            if name not in keywords[tmdb]:
                keywords[tmdb].append(name)
    return keywords


def _read_tmdb_movies(path: Path, wanted: set[int]) -> dict[int, tuple[str, list[str]]]:
    """TMDB 5000 movies file: ``id`` -> (overview, keyword names)."""
    movies: dict[int, tuple[str, list[str]]] = {}
    for line, record in _records(path, ("id", "overview")):
        tmdb = _whole_number(str(path), line, "id", record["id"])
        if tmdb not in wanted:
            continue
        names: list[str] = []
        if record.get("keywords"):
            try:
                names = [entry["name"] for entry in json.loads(record["keywords"])]
            except (ValueError, TypeError, KeyError):
                raise ImportFileError(
                    path=str(path), line=line, field="keywords", problem="not a JSON list"
                ) from None
        movies[tmdb] = (record["overview"].strip(), names)
    return movies


def _read_user_tags(tags_path: Path) -> dict[int, Counter[str]]:
    """Each movie's user tags (lower-cased, spaces collapsed) with their counts."""
    user_tags: dict[int, Counter[str]] = defaultdict(Counter)
    for line, record in _records(tags_path, ("userId", "movieId", "tag", "timestamp")):
        movie = _whole_number(str(tags_path), line, "movieId", record["movieId"])
        tag = " ".join(record["tag"].lower().split())
        if tag:
            user_tags[movie][tag] += 1
    return user_tags


def _read_movies(
    movies_path: Path,
    links: dict[int, dict],
    keywords: dict[int, list[str]],
    overviews: dict[int, tuple[str, list[str]]],
    user_tags: dict[int, Counter[str]],
) -> tuple[list[ItemRow], dict[int, int]]:
    """The movies as item rows: TMDB overview as description, TMDB keywords then
    the most frequent user tags as tags; and each movie's line (repeats are errors)."""
    items: list[ItemRow] = []
    seen: dict[int, int] = {}
    for line, record in _records(movies_path, ("movieId", "title", "genres")):
        movie = _whole_number(str(movies_path), line, "movieId", record["movieId"])
        if movie in seen:
            raise ImportFileError(
                path=str(movies_path),
                line=line,
                field="movieId",
                problem=f"movie {movie} already appears on line {seen[movie]}",
            )
        seen[movie] = line
        title, year = split_title(record["title"])
        link = links.get(movie, {})
        tmdb = link.get("tmdb_id")
        description, tmdb_names = overviews.get(tmdb, ("", []))
        tags: list[str] = []
        for name in [*keywords.get(tmdb, []), *tmdb_names]:
            name = name.lower().strip()
            if name and name not in tags:
                tags.append(name)
        for tag, _count in user_tags.get(movie, Counter()).most_common():
            if tag not in tags:
                tags.append(tag)
        genres = [g for g in record["genres"].split("|") if g and g != NO_GENRES]
        items.append(
            item_row(
                str(movies_path),
                line,
                {
                    "external_id": f"{ITEM_PREFIX}{movie}",
                    "title": title or record["title"],
                    "description": description,
                    "categories": genres,
                    "tags": [tag[:100] for tag in tags[:MAX_TAGS]],
                    "year": year,
                    "metadata": {"movielens_id": movie, **link},
                },
            )
        )
    return items, seen


def _read_ratings(ratings_path: Path, seen: dict[int, int]) -> list[InteractionRow]:
    """The ratings as interaction rows of users ``ml-<userId>``; a rating of a
    movie not in the movies file is an error."""
    interactions: list[InteractionRow] = []
    source = str(ratings_path)
    for line, record in _records(ratings_path, ("userId", "movieId", "rating", "timestamp")):
        user = _whole_number(source, line, "userId", record["userId"])
        movie = _whole_number(source, line, "movieId", record["movieId"])
        try:
            value = parse_rating(record["rating"], field="rating")
            timestamp = parse_timestamp(record["timestamp"])
        except RowProblem as problem:
            raise ImportFileError(
                path=source, line=line, field=problem.field, problem=problem.problem
            ) from None
        if movie not in seen:
            raise ImportFileError(
                path=source, line=line, field="movieId", problem=f"no movie {movie} in movies file"
            )
        interactions.append(
            InteractionRow(
                source=source,
                line=line,
                user=f"{USER_PREFIX}{user}",
                item=f"{ITEM_PREFIX}{movie}",
                kind="rating",
                value=value,
                timestamp=timestamp,
            )
        )
    return interactions


def read_movielens(
    directory: Path,
    *,
    tmdb_keywords: Path | None = None,
    tmdb_movies: Path | None = None,
) -> MovieLensData:
    """Read a MovieLens folder (and TMDB files) into validated item and interaction rows."""
    if not directory.is_dir():
        raise ImportFileError(path=str(directory), line=None, field=None, problem="not a folder")
    movies_path = _find(directory, "movies", required=True)
    ratings_path = _find(directory, "ratings", required=True)
    tags_path = _find(directory, "tags", required=False)
    links_path = _find(directory, "links", required=False)
    if (tmdb_keywords or tmdb_movies) and links_path is None:
        raise ImportFileError(
            path=str(directory / "links.csv"),
            line=None,
            field=None,
            problem="TMDB enrichment joins through links.csv, which is missing",
        )

    links = _read_links(links_path) if links_path else {}
    tmdb_ids = {entry["tmdb_id"] for entry in links.values() if "tmdb_id" in entry}
    keywords = _read_tmdb_keywords(tmdb_keywords, tmdb_ids) if tmdb_keywords else {}
    overviews = _read_tmdb_movies(tmdb_movies, tmdb_ids) if tmdb_movies else {}

    user_tags = _read_user_tags(tags_path) if tags_path else {}
    items, seen = _read_movies(movies_path, links, keywords, overviews, user_tags)
    interactions = _read_ratings(ratings_path, seen)
    return MovieLensData(items=items, interactions=interactions)
