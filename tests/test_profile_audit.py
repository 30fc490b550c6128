"""``manage.py profile_audit``: the counts it reads off generated lines, and the command."""

import json

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from engine.profile_audit import AuditLine, AuditProfile, audit, read_titles, split_line
from tests.factories import write_jsonl, write_lines

TITLES = ["Wrong Wedding, Right Guy", "Camp Redwater", "A Duke Without Manners", "Flesh Harvest"]
LABELS = [
    ("Romance", "romantic comedy"),
    ("Horror", "gory", "splatter"),
    ("Romance", "regency"),
    ("Horror", "gory", "aftercreditsstinger"),
]


def profile(positives, *lines):
    return AuditProfile("someone", positives, tuple(lines))


class TestCounts:
    def test_an_example_belongs_when_it_carries_a_label_the_line_names(self):
        line = AuditLine(
            "Gory horror (e.g. “Camp Redwater”, “A Duke Without Manners”)", "like", (1, 2)
        )
        report = audit([profile(12, line)], titles=TITLES, labels=LABELS)
        assert report.summary()["purity"] == 0.5

    def test_a_title_list_split_by_a_comma_is_counted(self):
        plain = AuditLine(
            "Romance (e.g. Wrong Wedding, Right Guy, A Duke Without Manners)", "like", (0, 2)
        )
        quoted = AuditLine(
            "Romance (e.g. “Wrong Wedding, Right Guy”, “A Duke Without Manners”)", "like", (0, 2)
        )
        report = audit([profile(5, plain, quoted)], titles=TITLES, labels=LABELS)
        assert report.split_titles == [plain.text]

    def test_echoes_and_non_taste_tags_are_counted(self):
        echo = AuditLine("Horror about horror films", "like", ())
        note = AuditLine("Horror about aftercreditsstinger", "like", ())
        spread = AuditLine("Romance about friendship", "like", ())
        fine = AuditLine("Gory go-go-dancer horror", "like", ())
        report = audit(
            [profile(30, echo, note, spread, fine)],
            titles=TITLES,
            labels=LABELS,
            non_taste=frozenset({"friendship"}),
        )
        assert report.echoes == [echo.text]
        assert report.non_taste == [note.text, spread.text]

    def test_a_line_that_only_narrows_another_is_a_near_duplicate(self):
        broad = AuditLine("Animation children (e.g. “A”)", "like", ())
        narrow = AuditLine("Disney animation children (e.g. “B”)", "like", ())
        other = AuditLine("Gory horror (e.g. “C”)", "like", ())
        avoided = AuditLine("Gory slasher horror (e.g. “D”)", "avoid", ())
        report = audit([profile(30, broad, narrow, other, avoided)], titles=TITLES, labels=LABELS)
        assert report.near_duplicates == ["Disney animation children / Animation children"]
        assert report.summary()["near_duplicate_pairs"] == 1

    def test_a_refused_word_inside_a_longer_label_is_that_label(self):
        labels = [("Drama", "death sentence"), ("Drama", "death")]
        line = AuditLine("Death-sentence drama (e.g. “A”)", "like", (0,))
        report = audit(
            [profile(3, line)], titles=["A", "B"], labels=labels, non_taste=frozenset({"death"})
        )
        assert report.non_taste == []

    def test_coverage_counts_people_by_their_positives(self):
        like = AuditLine("Gory horror", "like", ())
        people = [profile(9), profile(10), profile(25, like), profile(25, like, like)]
        counts = audit(people, titles=TITLES, labels=LABELS).summary()
        assert counts["empty_share_10"] == pytest.approx(1 / 3, abs=1e-4)
        assert counts["two_likes_share_20"] == 0.5

    def test_lines_read_back_as_a_reader_reads_them(self):
        phrase, examples = split_line(
            "Cozy mysteries (e.g. “Murder at the Fete”, “Wrong Wedding, Right Guy”)"
        )
        assert phrase == "Cozy mysteries"
        assert read_titles(examples) == ["Murder at the Fete", "Wrong Wedding, Right Guy"]


GENRES = {
    "Mystery": ["cozy", "amateur sleuth", "village"],
    "Horror": ["gory", "slasher", "haunted house"],
    "Romance": ["regency", "second chance", "slow burn"],
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Nine readers who each love one genre and dislike another; titles with commas."""
    folder = tmp_path_factory.mktemp("audit")
    items, rows = [], ["user,item,kind,value,timestamp"]
    for g, (genre, tags) in enumerate(GENRES.items()):
        for n in range(12):
            items.append(
                {
                    "external_id": f"g{g}-{n}",
                    "title": f"{genre}, part {n}",
                    "categories": [genre],
                    "tags": [tags[n % 3], tags[(n + 1) % 3]],
                    "description": f"A {genre.lower()} book about {tags[n % 3]}.",
                }
            )
    rng = np.random.default_rng(3)
    for person in range(9):
        loved, disliked = person % 3, (person + 1) % 3
        picks = [(loved, n, 5.0) for n in rng.choice(12, 10, replace=False)]
        picks += [(disliked, n, 1.0) for n in rng.choice(12, 3, replace=False)]
        for step, (genre, n, value) in enumerate(picks):
            rows.append(f"reader{person},g{genre}-{n},rating,{value},{1_700_000_000 + step * 60}")
    return write_jsonl(folder / "items.jsonl", items), write_lines(folder / "i.csv", rows)


class TestCommand:
    def test_writes_profiles_in_the_import_format_and_prints_the_counts(
        self, dataset, tmp_path, capsys
    ):
        items, interactions = dataset
        call_command(
            "profile_audit",
            "--items",
            str(items),
            "--interactions",
            str(interactions),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--out",
            str(tmp_path / "profiles"),
            "--json",
            str(tmp_path / "counts.json"),
        )
        printed = capsys.readouterr().out
        counts = json.loads((tmp_path / "counts.json").read_text())
        assert counts["people"] == 9 and counts["people_10"] == 9
        assert counts["empty_share_10"] == 0.0
        assert counts["purity"] == 1.0
        assert counts["split_title_lists"] == counts["echo_lines"] == 0
        assert "example purity: 1.0000" in printed and "== reader" in printed
        written = json.loads((tmp_path / "profiles" / "reader0.json").read_text())
        assert written["format"] == "recsite-profile"
        assert written["statements"][0]["origin"] == "generated"
        assert all(e.startswith("g0-") for e in written["statements"][0]["evidence"])
        assert written["text"].startswith("Likes:\n- ")

    def test_bad_options_are_named(self, dataset, tmp_path):
        items, interactions = dataset
        with pytest.raises(CommandError, match="--users must be at least 1"):
            call_command(
                "profile_audit",
                "--items",
                str(items),
                "--interactions",
                str(interactions),
                "--users",
                "0",
            )
        with pytest.raises(CommandError, match="--items and --interactions, or --movielens"):
            call_command("profile_audit")
