import json
import random
import re
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from engine import profile_audit
from engine import profile_generation as generation
from engine.evaluation.methods import GroundingRule, signals_of, write_profiles
from engine.management.datasets import CachedEncoder, add_dataset_arguments, read_dataset
from engine.profiles import GROUNDING_DEPTH_SHARE, MIN_GROUNDING, MIN_GROUNDING_DEPTH
from profiles.parser import ParsedStatement, render_profile
from profiles.services.portability import EXPORT_VERSION
from recsite.errors import ApplicationError

SAMPLES = 10


class Command(BaseCommand):
    help = (
        "Writes generated profiles for people of a dataset (the import formats, or a "
        "MovieLens folder) as the worker writes them, and prints whether people would "
        "sign them: empty profiles, people with two or more Likes lines, example purity, "
        "lines with a non-taste tag or an echoed word, title lists a comma splits, and "
        f"{SAMPLES} sample profiles. Runs in memory: the site's database is never read "
        "or written."
    )

    def add_arguments(self, parser):
        add_dataset_arguments(parser)
        parser.add_argument("--users", type=int, help="a seeded sample of this many people")
        parser.add_argument("--seed", type=int, default=0, help="sampling and clustering seed")
        parser.add_argument(
            "--out", type=Path, help="write each profile here as PERSON.json (the import format)"
        )
        parser.add_argument("--json", type=Path, help="write the counts here")

    def handle(self, *args, **options):
        if options["users"] is not None and options["users"] < 1:
            raise CommandError("--users must be at least 1.")
        try:
            catalog, interactions = read_dataset(options)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        encode = CachedEncoder(options["cache_dir"])
        catalog = catalog.with_vectors(encode(catalog.texts, "Item vectors"))
        rows = _rows_by_person(interactions, options["users"], options["seed"])
        profiles = write_profiles(
            catalog,
            rows,
            interactions,
            encode=encode,
            rule=GroundingRule(MIN_GROUNDING, GROUNDING_DEPTH_SHARE, MIN_GROUNDING_DEPTH),
            seed=options["seed"],
        )
        audited = [
            _audited(catalog, interactions, person, person_rows, profiles[person])
            for person, person_rows in rows.items()
        ]
        labels = [(*c, *t) for c, t in zip(catalog.categories, catalog.tags, strict=True)]
        report = profile_audit.audit(
            audited,
            titles=catalog.titles,
            labels=labels,
            non_taste=generation.non_taste_labels(catalog.categories, catalog.tags),
            categories=frozenset(c.casefold() for item in catalog.categories for c in item),
        )
        if options["out"]:
            self._write(options["out"], catalog, audited)
        self.stdout.write(render(report, _samples(audited, options["seed"])))
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(report.summary(), indent=2) + "\n")

    def _write(self, folder: Path, catalog, audited) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for profile in audited:
                name = re.sub(r"[^\w.-]+", "_", profile.person) or "person"
                data = export(profile, catalog.external_ids)
                (folder / f"{name}.json").write_text(json.dumps(data, indent=1) + "\n")
        except OSError as error:
            raise CommandError(f"--out {folder}: {error.strerror}") from None
        self.stdout.write(f"{len(audited)} profiles written to {folder}")


def _rows_by_person(interactions, users: int | None, seed: int) -> dict[int, np.ndarray]:
    """Each sampled person's interaction rows, oldest first (as the worker reads them)."""
    order = np.lexsort((interactions.item, interactions.time))
    by_person: dict[int, list[int]] = {}
    for row in order.tolist():
        by_person.setdefault(int(interactions.user[row]), []).append(row)
    people = sorted(by_person)
    if users is not None and users < len(people):
        people = sorted(random.Random(seed).sample(people, users))
    return {person: np.asarray(by_person[person]) for person in people}


def _audited(catalog, interactions, person, rows, profile) -> profile_audit.AuditProfile:
    positives, _ = generation.split_signals(signals_of(catalog, interactions, rows))
    lines = tuple(
        profile_audit.AuditLine(
            text=line.text,
            polarity=line.polarity,
            examples=tuple(line.members[: _shown(line.text)]),
            members=tuple(line.members),
        )
        for line in profile.statements
    )
    return profile_audit.AuditProfile(interactions.people[person], len(positives), lines)


def _shown(text: str) -> int:
    """How many examples a line names: the writer names its first members
    (up to EXEMPLARS; a list a comma splits reads as more)."""
    examples = profile_audit.split_line(text)[1]
    return min(len(profile_audit.read_titles(examples)), generation.EXEMPLARS)


def export(profile: profile_audit.AuditProfile, external_ids: list[str]) -> dict:
    """A profile as ``profile_export`` writes it, so ``ImportProfile`` reads it back."""
    statements = [
        ParsedStatement(text=line.text, polarity=line.polarity, weight=1.0, embedded_text="")
        for line in profile.lines
    ]
    return {
        "format": "recsite-profile",
        "version": EXPORT_VERSION,
        "person": profile.person,
        "text": render_profile(statements),
        "statements": [
            {
                "text": line.text,
                "polarity": line.polarity,
                "weight": 1.0,
                "origin": "generated",
                "pinned": False,
                "evidence": [external_ids[item] for item in line.examples],
            }
            for line in profile.lines
        ],
    }


def _samples(audited, seed: int) -> list[profile_audit.AuditProfile]:
    """Seeded sample profiles of people with at least 10 positives."""
    eligible = [profile for profile in audited if profile.positives >= 10] or audited
    return random.Random(seed).sample(eligible, min(SAMPLES, len(eligible)))


def render(report: profile_audit.AuditReport, samples) -> str:
    counts = report.summary()
    lines = [
        f"{counts['people']} people, {counts['lines']} lines",
        f"empty profiles, people with >= 10 positives: {counts['empty_share_10']:.4f} "
        f"of {counts['people_10']}",
        f">= 2 Likes lines, people with >= 20 positives: {counts['two_likes_share_20']:.4f} "
        f"of {counts['people_20']}",
        f"example purity: {counts['purity']:.4f} of {counts['examples']} examples",
        f"lines with a non-taste tag: {counts['non_taste_lines']}",
        f"lines with an echoed word: {counts['echo_lines']}",
        f"title lists a comma splits: {counts['split_title_lists']}",
        f"near-duplicate line pairs: {counts['near_duplicate_pairs']}",
        f"whole examples (carry everything a line that is no list says): "
        f"{counts['whole_examples']:.4f}",
        f"lines that list kinds: {counts['list_lines']}",
        f"a describing word alone as a line: {counts['lone_describing_lines']}",
        f"a plural for people without its possessive: {counts['no_possessive_lines']}",
    ]
    for name, found in (
        ("non-taste", report.non_taste),
        ("echo", report.echoes),
        ("split titles", report.split_titles),
        ("near duplicates", report.near_duplicates),
        ("list", report.list_lines),
        ("describing alone", report.lone_describing),
        ("no possessive", report.no_possessive),
    ):
        lines += [f"  {name}: {text}" for text in found[:5]]
    for profile in samples:
        lines += ["", f"== {profile.person} ({profile.positives} positives)"]
        lines += [
            f"{'Likes' if line.polarity == 'like' else 'Avoids'}: {line.text}"
            for line in profile.lines
        ] or ["(empty)"]
    return "\n".join(lines)
