import importlib.util
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engine.evaluation.methods import GroundingRule
from engine.evaluation.metrics import METRIC_NAMES
from engine.evaluation.plots import write_plots
from engine.evaluation.protocols import PROTOCOLS, Options, evaluate
from engine.management.datasets import CachedEncoder, add_dataset_arguments, read_dataset
from engine.profiles import GROUNDING_DEPTH_SHARE, MIN_GROUNDING, MIN_GROUNDING_DEPTH
from profiles.models import Profile
from recsite.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Offline evaluation on a catalog and interactions of your choice (the import "
        "formats, or a MovieLens folder): the hybrid recommender against EASE, item-kNN, "
        "most-popular and content-only on a temporal split, plus cold items, cold users, "
        "steering and explanation faithfulness. Runs in memory: the site's database is "
        "never read or written. Prints a table; --json writes the report."
    )

    def add_arguments(self, parser):
        add_dataset_arguments(parser)
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
            catalog, interactions = read_dataset(options)
            encode = CachedEncoder(options["cache_dir"])
            catalog = catalog.with_vectors(encode(catalog.texts, "Item vectors"))
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
                encode=encode,
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
