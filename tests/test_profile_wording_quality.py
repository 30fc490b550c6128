"""Lines people would sign: what a line may say, which examples show it, and
how a kept line's words improve on regeneration. Pure Python, no database."""

from datetime import UTC, datetime, timedelta

import numpy as np

from engine import profile_generation as generation
from engine import profile_wording as wording
from engine.profile_audit import AuditLine, AuditProfile, audit

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def rated(item_id, vector, *, categories=(), tags=(), title=None):
    vector = np.asarray(vector, dtype=np.float64) + 0.01
    return generation.RatedItem(
        item_id,
        title or f"Item {item_id}",
        tuple(categories),
        tuple(tags),
        (vector / np.linalg.norm(vector)).astype(np.float32),
    )


def write(items, counts, *, cased=None, previous=(), size=9000):
    return generation.generate_statements(
        [
            generation.Signal(item, "rating", 5.0, NOW - timedelta(days=n))
            for n, item in enumerate(items)
        ],
        label_counts=counts,
        catalog_size=size,
        cased=cased,
        previous=previous,
    )


def group_of(items):
    return [(item, 1.0) for item in items]


class TestWhatALineSays:
    COUNTS = {"drama": 4000, "comedy": 3500, "fantasy": 700, "adventure": 1200}

    def test_a_group_split_between_two_genres_is_not_listed_as_both(self):
        """Three dramas and three comedies, close enough to be one group:
        not "Drama and comedy" but a line per genre, each member in the one
        whose genre it carries."""
        items = [rated(n, np.eye(4)[0], categories=("Drama",)) for n in range(3)]
        items += [rated(10 + n, np.eye(4)[0], categories=("Comedy",)) for n in range(3)]
        statements = write(items, self.COUNTS)
        lines = {s.embedded_text: sorted(s.members) for s in statements}
        assert lines == {"Drama": [0, 1, 2], "Comedy": [10, 11, 12]}

    def test_two_genres_most_of_the_group_carries_together_read_as_one(self):
        items = [rated(n, np.eye(4)[0], categories=("Drama", "Fantasy")) for n in range(4)]
        description = wording.describe(group_of(items), self.COUNTS, 9000)
        assert description.text == "Fantasy drama"

    def test_a_describing_word_alone_is_no_line(self):
        items = [rated(n, np.eye(4)[0], tags=("predictable",)) for n in range(4)]
        assert wording.describe(group_of(items), {"predictable": 30}, 9000) is None
        named = [rated(n, np.eye(4)[0], tags=("predictable", "heist")) for n in range(4)]
        text = wording.describe(group_of(named), {"predictable": 30, "heist": 20}, 9000).text
        assert text == "Predictable heist"

    def test_a_name_on_a_minority_of_the_group_does_not_lead_the_line(self):
        """The catalog writes "Hobbit" as a name: three Tolkien films in a group
        of six fantasies are not a taste for hobbits; four are."""
        counts = {**self.COUNTS, "hobbit": 6}
        cased = {"hobbit": "Hobbit"}

        def group(with_tag):
            return group_of(
                [
                    rated(
                        n, np.eye(4)[0], categories=("Fantasy",), tags=("hobbit",) * (n < with_tag)
                    )
                    for n in range(6)
                ]
            )

        assert wording.describe(group(3), counts, 9000, cased=cased).text == "Fantasy"
        assert wording.describe(group(4), counts, 9000, cased=cased).text == "Hobbit fantasy"
        # A subject that is no name needs only a third of the group.
        assert wording.describe(group(3), counts, 9000).text == "Hobbit fantasy"

    def test_a_plural_for_people_stands_first_as_a_possessive(self):
        counts = {"animation": 600, "children": 650}
        items = [rated(n, np.eye(4)[0], categories=("Animation", "Children")) for n in range(4)]
        assert wording.describe(group_of(items), counts, 9000).text == "Children's animation"
        alone = [rated(n, np.eye(4)[0], categories=("Children",)) for n in range(4)]
        assert wording.describe(group_of(alone), counts, 9000).text == "Children's titles"

    def test_an_abstract_subject_follows_about_rather_than_standing_before_the_noun(self):
        """ "violence" is a theme, not a kind of thriller: "Crime thriller about
        violence", never "Violence crime thriller"; a concrete subject still
        stands before the noun ("Zombie horror")."""
        counts = {"crime": 900, "thriller": 1500, "violence": 40, "horror": 800, "zombie": 30}
        items = [
            rated(n, np.eye(4)[0], categories=("Crime", "Thriller"), tags=("violence",))
            for n in range(4)
        ]
        assert (
            wording.describe(group_of(items), counts, 9000).text == "Crime thriller about violence"
        )
        zombies = [
            rated(n, np.eye(4)[0], categories=("Horror",), tags=("zombie",)) for n in range(4)
        ]
        assert wording.describe(group_of(zombies), counts, 9000).text == "Zombie horror"


class TestExamples:
    def test_every_example_carries_everything_the_line_says(self):
        """Three fantasy adventures, two of them tagged hobbit: the line names
        the hobbit, so only those two are its examples; the third stays a
        member (it carries the genres)."""
        counts = {"fantasy": 700, "adventure": 1200, "hobbit": 6}
        items = [
            rated(0, np.eye(4)[0], categories=("Fantasy", "Adventure"), title="The Wizard"),
            rated(1, np.eye(4)[0], categories=("Fantasy", "Adventure"), tags=("hobbit",)),
            rated(2, np.eye(4)[0], categories=("Fantasy", "Adventure"), tags=("hobbit",)),
        ]
        (statement,) = write(items, counts)
        assert statement.embedded_text == "Hobbit fantasy adventure"
        assert statement.text.endswith("(e.g. “Item 1”, “Item 2”)")
        assert sorted(statement.members) == [0, 1, 2]

    def test_a_word_no_two_members_carry_with_the_genre_is_left_out(self):
        """A tag on a third of the group, but on items of another genre than
        the line's: no example could show both, so the line does not say it."""
        counts = {"guitar strings": 120, "microphones": 80, "mic": 40}
        items = [rated(n, np.eye(4)[0], categories=("Guitar strings",)) for n in range(5)]
        items += [rated(10, np.eye(4)[0], categories=("Guitar strings",), tags=("mic",))]
        items += [
            rated(11 + n, np.eye(4)[0], categories=("Microphones",), tags=("mic",))
            for n in range(2)
        ]
        description = wording.describe(group_of(items), counts, 900)
        assert description.text == "Guitar strings"


class TestKeptLinesImprove:
    COUNTS = {"drama": 4000, "comedy": 3500, "vietnam war": 12, "heist": 20}

    def items(self, start=0, count=4):
        return [
            rated(start + n, np.eye(4)[0], categories=("Drama",), tags=("vietnam war",))
            for n in range(count)
        ]

    def test_genres_alone_give_way_to_the_groups_own_words(self):
        """The line read "Drama" (a fallback: genres alone); its group is still
        there and says more now: its words improve, the line keeps its
        place, members and examples."""
        comedies = [rated(50 + n, np.eye(4)[1], categories=("Comedy",)) for n in range(4)]
        dramas = self.items()
        previous = [
            generation.PreviousLine(
                "Comedy", "like", (50, 51, 52, 53), "Comedy (e.g. “Item 50”, “Item 51”)"
            ),
            generation.PreviousLine(
                "Drama", "like", (0, 1, 2, 3), "Drama (e.g. “Item 2”, “Item 3”)"
            ),
        ]
        after = write(dramas + comedies, self.COUNTS, previous=previous)
        assert [s.embedded_text for s in after] == ["Comedy", "Vietnam-war drama"]
        assert sorted(after[1].members) == [0, 1, 2, 3]
        assert after[1].text.endswith("(e.g. “Item 2”, “Item 3”, “Item 0”)")
        # Written again from the same ratings, it stays as it now is.
        again = write(
            dramas + comedies,
            self.COUNTS,
            previous=[
                generation.PreviousLine(s.embedded_text, s.polarity, s.members, s.text)
                for s in after
            ],
        )
        assert [s.text for s in again] == [s.text for s in after]

    def test_a_pinned_line_keeps_its_words(self):
        previous = [generation.PreviousLine("Drama", "like", (0, 1, 2, 3), "Drama", pinned=True)]
        after = write(self.items(), self.COUNTS, previous=previous)
        assert [s.embedded_text for s in after] == ["Drama"]

    def test_words_that_name_a_subject_are_not_traded_for_others(self):
        """A line that says something of its own keeps it, even where the
        group would be described otherwise now."""
        items = [
            rated(n, np.eye(4)[0], categories=("Drama",), tags=("vietnam war", "heist"))
            for n in range(4)
        ]
        previous = [generation.PreviousLine("Heist drama", "like", (0, 1, 2, 3), "Heist drama")]
        after = write(items, self.COUNTS, previous=previous)
        assert [s.embedded_text for s in after] == ["Heist drama"]


class TestAuditCounts:
    LABELS = [
        ("Fantasy", "Adventure"),
        ("Fantasy", "Adventure", "hobbit"),
        ("Documentary",),
        ("Musical",),
        ("Drama", "predictable"),
        ("Animation", "Children"),
    ]
    TITLES = [f"Film {n}" for n in range(6)]

    def report(self, *lines):
        return audit(
            [AuditProfile("someone", 12, lines)],
            titles=self.TITLES,
            labels=self.LABELS,
            categories=frozenset({"fantasy", "adventure", "documentary", "musical", "drama"})
            | {"animation", "children"},
        )

    def test_an_example_short_of_the_lines_subject_is_not_whole(self):
        line = AuditLine(
            "Hobbit fantasy adventure (e.g. “Film 1”, “Film 0”)", "like", (1, 0), (1, 0)
        )
        summary = self.report(line).summary()
        assert summary["purity"] == 1.0 and summary["whole_examples"] == 0.5

    def test_lists_lone_describing_words_and_missing_possessives_are_counted(self):
        listed = AuditLine("Documentary and musical (e.g. “Film 2”, “Film 3”)", "like", (2, 3))
        lone = AuditLine("Predictable (e.g. “Film 4”)", "avoid", (4,))
        owner = AuditLine("Animation children (e.g. “Film 5”)", "like", (5,))
        fine = [
            AuditLine("Fantasy adventure (e.g. “Film 0”)", "like", (0,)),
            AuditLine("Children's animation (e.g. “Film 5”)", "like", (5,)),
            AuditLine("Evil-children animation (e.g. “Film 5”)", "like", (5,)),
            AuditLine("Music (e.g. “Film 3”)", "like", (3,)),
        ]
        report = self.report(listed, lone, owner, *fine)
        assert report.list_lines == [listed.text]
        assert report.lone_describing == [lone.text]
        assert report.no_possessive == [owner.text]


def test_writing_again_from_the_same_ratings_changes_nothing():
    """Over mixed, seeded histories: whatever words the lines settled on
    (improved ones included), a second run keeps every line as it is."""
    rng = np.random.default_rng(7)
    genres = ["Drama", "Comedy", "Horror", "Mystery", "Animation", "Children"]
    tags = ["cozy", "gory", "heist", "vietnam war", "time travel", "talking animal", "predictable"]
    counts = {label.casefold(): int(rng.integers(5, 900)) for label in genres + tags}
    for person in range(12):
        items = [
            rated(
                100 * person + n,
                rng.random(6),
                categories=tuple(rng.choice(genres, size=int(rng.integers(1, 3)), replace=False)),
                tags=tuple(rng.choice(tags, size=int(rng.integers(0, 3)), replace=False)),
            )
            for n in range(int(rng.integers(6, 40)))
        ]
        first = write(items, counts)
        previous = [
            generation.PreviousLine(s.embedded_text, s.polarity, s.members, s.text) for s in first
        ]
        again = write(items, counts, previous=previous)
        assert [(s.text, s.members) for s in again] == [(s.text, s.members) for s in first]
