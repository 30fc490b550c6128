import importlib.util
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.importers import read_items_file
from engine.encoder import get_encoder
from engine.evaluation.data import catalog_from_rows, interactions_from_rows
from engine.evaluation.embeddings import EmbeddingCache
from engine.evaluation.methods import GroundingRule
from engine.evaluation.metrics import METRIC_NAMES
from engine.evaluation.plots import write_plots
from engine.evaluation.protocols import PROTOCOLS, Options, evaluate
from engine.profiles import GROUNDING_DEPTH_SHARE, MIN_GROUNDING, MIN_GROUNDING_DEPTH
from profiles.importers import read_interactions_csv
from profiles.models import Profile
from profiles.movielens import read_movielens
from recsite.errors import ApplicationError
from recsite.progress import progress_bar

DEFAULT_CACHE = Path(settings.BASE_DIR) / "var" / "evaluation-cache"


class Command(BaseCommand):
    help = (
        "Offline evaluation on a catalog and interactions of your choice (the import "
        "formats, or a MovieLens folder): the hybrid recommender against EASE, item-kNN, "
        "most-popular and content-only on a temporal split, plus cold items, cold users, "
        "steering and explanation faithfulness. Runs in memory: the site's database is "
        "never read or written. Prints a table; --json writes the report."
    )

    def add_arguments(self, parser):
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
            "--protocols",
            default=",".join(PROTOCOLS),
            help=f"comma-separated, any of {', '.join(PROTOCOLS)} (default: all)",
        )
        parser.add_argument(
            "--users", type=int, help="at most this many people per protocol (seeded sample)"
        )
        parser.add_argument("--seed", type=int, default=0, help="split and sampling seed")
        parser.add_argument("--json", type=Path, help="write the report here")
        parser.add_argument(
            "--plots",
            type=Path,
            help="write PNG charts to PREFIX-warm.png, PREFIX-cold-users.png, PREFIX-steering.png",
        )
        parser.add_argument(
            "--cache-dir",
            type=Path,
            default=DEFAULT_CACHE,
            help="where item and phrase vectors are cached (default var/evaluation-cache)",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        chosen = self._protocols(options["protocols"])
        users = options["users"]
        if users is not None and users < 1:
            raise CommandError("--users must be at least 1.")
        # Checked before the run, not after it: matplotlib is a tool's package
        # (requirements-dev.txt), absent where only the site is installed.
        if options["plots"] and importlib.util.find_spec("matplotlib") is None:
            raise CommandError(
                "--plots needs matplotlib, which the site does not install: "
                "pip install -r requirements-dev.txt -c requirements-lock.txt"
            )
        try:
            catalog, interactions = self._read(options)
            catalog = catalog.with_vectors(
                self._encode(options["cache_dir"], catalog.texts, "Item vectors")
            )
            report = evaluate(
                catalog,
                interactions,
                Options(
                    protocols=chosen,
                    users=users,
                    seed=options["seed"],
                    diversity=settings.RECOMMEND_DIVERSITY,
                    neighbours=settings.COLLABORATIVE_NEIGHBOURS,
                    shrinkage=float(settings.COLLABORATIVE_SHRINKAGE),
                    rule=GroundingRule(MIN_GROUNDING, GROUNDING_DEPTH_SHARE, MIN_GROUNDING_DEPTH),
                    serving_balance=Profile._meta.get_field("balance").default,
                ),
                encode=lambda texts: self._encode(options["cache_dir"], texts, "Phrase vectors"),
                log=lambda message: self.stderr.write(message),
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        report["seconds"] = round(time.perf_counter() - started, 3)
        self.stdout.write(render(report))
        if options["json"]:
            path = Path(options["json"])
            try:
                path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"--json {path}: {error.strerror}") from None
            self.stdout.write(f"Report written to {path}")
        if options["plots"]:
            prefix = Path(options["plots"])
            for path in write_plots(report, prefix, title=prefix.name):
                self.stdout.write(f"Chart written to {path}")

    def _protocols(self, text: str) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
        unknown = [name for name in chosen if name not in PROTOCOLS]
        if unknown or not chosen:
            raise CommandError(
                f"--protocols: unknown {', '.join(map(repr, unknown)) or 'empty list'}; "
                f"choose from {', '.join(PROTOCOLS)}."
            )
        return chosen

    def _read(self, options):
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

    def _encode(self, folder: Path, texts: list[str], description: str):
        cache = self._caches.get(folder) if hasattr(self, "_caches") else None
        if cache is None:
            cache = EmbeddingCache(Path(folder), settings.EMBEDDING_MODEL)
            self._caches = {folder: cache}
        bar = None

        def start(missing: int) -> None:
            nonlocal bar
            if missing:
                bar = progress_bar(total=missing, unit="text", desc=description)

        try:
            return cache.vectors(
                texts,
                lambda chunk: get_encoder().encode(chunk),
                on_missing=start,
                on_progress=lambda n: bar.update(n),
            )
        finally:
            if bar is not None:
                bar.close()


def render(report: dict) -> str:
    """The report as plain-text tables."""
    lines = [
        "Dataset: {items} items, {users} people, {interactions} interactions".format(
            **report["dataset"]
        )
    ]
    settings_ = report.get("settings", {})
    if "balance" in settings_:
        lines.append(
            f"Tuned on validation: EASE lambda {settings_['lambda']:g}, "
            f"hybrid balance {settings_['balance']:g} "
            f"(hybrid_serving, steering and faithfulness: {settings_['serving_balance']:g})"
        )
    header = f"{'':<14}" + "".join(f"{name:>11}" for name in METRIC_NAMES)
    for name, protocol in report["protocols"].items():
        if "methods" in protocol:
            lines += ["", f"{name} ({protocol.get('users', 0)} people)", header]
            for method, values in protocol["methods"].items():
                lines.append(f"{method:<14}" + "".join(f"{values[m]:>11.4f}" for m in METRIC_NAMES))
    curve = report["protocols"].get("cold_user", {}).get("curve")
    if curve:
        lines += ["", "cold_user NDCG@10 by interactions"]
        lines.append(f"{'':<14}" + "".join(f"{n:>8}" for n in curve))
        for method in next(iter(curve.values())):
            lines.append(
                f"{method:<14}" + "".join(f"{curve[n][method]['ndcg@10']:>8.4f}" for n in curve)
            )
    for name in ("steering", "steering_text"):
        steering = report["protocols"].get(name)
        if steering:
            lines += [
                "",
                f"{name} ({steering['cases']} cases): likes {steering['like_share_before']:.2f} "
                f"-> {steering['like_share_after']:.2f} of the top 10 in the category "
                f"(success {steering['like_success']:.2f}); avoids "
                f"{steering['avoid_remaining_before']:.2f} -> "
                f"{steering['avoid_remaining_after']:.2f} "
                f"(rest of the list kept {steering['avoid_others_kept']:.2f}); "
                f"NDCG retained {steering['ndcg_retained']:.2f}",
            ]
    faithfulness = report["protocols"].get("faithfulness")
    if faithfulness:
        lines.append(
            f"faithfulness: {faithfulness['rate']:.3f} of {faithfulness['cases']} quoted "
            "statements lower the item's score when deleted"
        )
    lines.append(f"\n{report['seconds']:.1f} s")
    return "\n".join(lines)
