"""Profiles: typed edits, revisions, conflicts, undo, diff, export and import."""

import threading

import numpy as np
import pytest
from django.db import connection

from engine.encoder import get_encoder
from profiles.models import Profile, ProfileRevision, Statement
from profiles.parser import ProfileTextError, render_profile
from profiles.revisions import revision_diff
from profiles.services import (
    AddLines,
    AvoidLine,
    ChangeLine,
    ExplainItem,
    ImportProfile,
    MergeGenerated,
    ProfileConflict,
    RestoreRevision,
    StatementDraft,
    profile_drafts,
    profile_edit,
    profile_export,
    profile_for,
)
from recsite.errors import ApplicationError
from tests.factories import make_item, make_user, profile_write_text

TEXT = (
    "Likes:\n- Slow-burn first contact\n- I really love space opera\n"
    "Avoids:\n- I don't like musicals\n"
)


def lines(user) -> list[tuple[str, str, float]]:
    return [
        (s.text, s.polarity, s.weight) for s in profile_for(user).statements.order_by("position")
    ]


@pytest.mark.django_db
class TestTypedEdits:
    def test_text_becomes_statements_and_revision_one(self, owner):
        revision = profile_write_text(user=owner, text=TEXT, base_revision=0)
        assert revision.number == 1 and revision.cause == "edit"
        assert lines(owner) == [
            ("Slow-burn first contact", "like", 1.0),
            ("I really love space opera", "like", 1.0),
            ("I don't like musicals", "avoid", 1.0),
        ]
        assert [s["text"] for s in revision.statements] == [text for text, _, _ in lines(owner)]
        assert set(Statement.objects.values_list("origin", flat=True)) == {"user"}

    def test_statements_are_embedded_without_their_negation(self, owner):
        profile_write_text(user=owner, text=TEXT, base_revision=0)
        musicals = Statement.objects.get(text="I don't like musicals")
        assert musicals.embedded_text == "musicals"
        assert np.allclose(musicals.embedding, get_encoder().encode(["musicals"])[0], atol=1e-5)
        assert not Statement.objects.filter(embedding=None).exists()

    def test_a_stale_base_revision_is_refused_and_changes_nothing(self, owner):
        profile_write_text(user=owner, text=TEXT, base_revision=0)
        profile_write_text(user=owner, text="jazz", base_revision=1)
        with pytest.raises(ProfileConflict) as conflict:
            profile_write_text(user=owner, text="folk music", base_revision=1)
        assert conflict.value.extra == {"base_revision": 1, "current_revision": 2}
        assert lines(owner) == [("jazz", "like", 1.0)]
        assert ProfileRevision.objects.filter(profile__user=owner).count() == 2

    def test_bad_text_names_the_line_and_changes_nothing(self, owner):
        with pytest.raises(ProfileTextError, match="line 2: this statement is 301 characters"):
            profile_write_text(user=owner, text="jazz\n" + "x" * 301, base_revision=0)
        assert profile_for(owner).revision == 0

    def test_unchanged_generated_lines_keep_origin_pin_and_evidence(self, owner):
        item = make_item("Arrival-like")
        generated = StatementDraft(
            text="Cerebral first contact",
            polarity="like",
            weight=1.0,
            embedded_text="Cerebral first contact",
            origin="generated",
            pinned=True,
            evidence=(item.pk,),
            grounding=0.9,
        )
        profile_edit(user=owner, edit=MergeGenerated((generated,)))
        profile_write_text(
            user=owner, text="Cerebral first contact (somewhat)\nCozy mysteries", base_revision=1
        )
        kept, typed = profile_for(owner).statements.order_by("position")
        assert (kept.origin, kept.pinned, kept.weight, kept.grounding) == (
            "generated",
            True,
            0.6,
            0.9,
        )
        assert list(kept.evidence.values_list("pk", flat=True)) == [item.pk]
        assert (typed.origin, typed.pinned) == ("user", False)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_from_one_base_exactly_one_wins():
    user = make_user("racer")
    profile_write_text(user=user, text="jazz", base_revision=0)
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(text):
        barrier.wait()
        try:
            profile_write_text(user=user, text=text, base_revision=1)
            outcomes.append(("won", text))
        except ProfileConflict:
            outcomes.append(("conflict", text))
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(text,)) for text in ("folk", "blues")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "won"]
    (winner,) = [text for kind, text in outcomes if kind == "won"]
    assert lines(user) == [(winner, "like", 1.0)]
    assert Profile.objects.get(user=user).revision == 2


@pytest.mark.django_db
class TestUndoAndDiff:
    def test_undo_restores_an_old_revision_as_a_new_one(self, owner):
        profile_write_text(user=owner, text=TEXT, base_revision=0)
        profile_write_text(user=owner, text="jazz", base_revision=1)
        revision = profile_edit(user=owner, edit=RestoreRevision(1), base_revision=2).revision
        assert (revision.number, revision.cause) == (3, "undo")
        assert [text for text, _, _ in lines(owner)] == [
            "Slow-burn first contact",
            "I really love space opera",
            "I don't like musicals",
        ]

    def test_undo_to_a_missing_revision(self, owner):
        with pytest.raises(ApplicationError, match="no revision 7"):
            profile_edit(user=owner, edit=RestoreRevision(7), base_revision=0)

    def test_undo_is_also_revision_checked(self, owner):
        profile_write_text(user=owner, text="jazz", base_revision=0)
        profile_write_text(user=owner, text="folk", base_revision=1)
        with pytest.raises(ProfileConflict):
            profile_edit(user=owner, edit=RestoreRevision(1), base_revision=1)

    def test_diff_names_added_removed_and_changed_lines(self):
        def line(text, **fields):
            return {"text": text, "polarity": "like", "weight": 1.0, "pinned": False, **fields}

        old = [line("jazz"), line("folk"), line("gore", polarity="avoid"), line("opera")]
        new = [
            line("jazz", weight=0.4),
            line("blues"),
            line("gore", polarity="avoid"),
            line("tango"),
        ]
        diff = revision_diff(old, new)
        assert [c["after"]["text"] for c in diff["changed"]] == ["jazz", "blues", "tango"]
        assert [c["before"]["text"] for c in diff["changed"]] == ["jazz", "folk", "opera"]
        assert diff["added"] == [] and diff["removed"] == []
        diff = revision_diff(old, old[:2])
        assert [r["text"] for r in diff["removed"]] == ["gore", "opera"]
        assert revision_diff([], old)["added"] == old


@pytest.mark.django_db
class TestExportImport:
    def test_round_trip_to_another_account(self, owner, other):
        item = make_item("Arrival-like", external_id="arrival")
        draft = StatementDraft(
            text="Cerebral first contact",
            polarity="like",
            weight=0.6,
            embedded_text="Cerebral first contact",
            origin="generated",
            evidence=(item.pk,),
        )
        profile_edit(user=owner, edit=MergeGenerated((draft,)))
        profile_write_text(
            user=owner,
            text=profile_export(user=owner)["text"] + "Avoids:\n- gore\n",
            base_revision=1,
        )
        exported = profile_export(user=owner)
        assert exported["statements"][0]["evidence"] == ["arrival"]
        assert (
            exported["text"] == "Likes:\n- Cerebral first contact (somewhat)\n\nAvoids:\n- gore\n"
        )

        profile_edit(user=other, edit=ImportProfile(exported), base_revision=0)
        assert lines(other) == lines(owner)
        imported = profile_for(other).statements.get(position=0)
        assert list(imported.evidence.values_list("external_id", flat=True)) == ["arrival"]

    def test_import_plain_text(self, owner):
        profile_edit(user=owner, edit=ImportProfile(TEXT), base_revision=0)
        assert len(lines(owner)) == 3

    @pytest.mark.parametrize(
        ("data", "problem"),
        [
            ({"statements": "jazz"}, "list of statements"),
            ([1, 2], "list of statements"),
            ({"statements": [{"text": ""}]}, "Statement 1 needs a one-line text"),
            ({"statements": [{"text": "a\nb"}]}, "Statement 1 needs a one-line text"),
            ({"statements": [{"text": "a", "polarity": "love"}]}, "polarity other than"),
            ({"statements": [{"text": "a", "weight": 3}]}, "weight that is not a number"),
            ({"statements": [{"text": "a", "weight": True}]}, "weight that is not a number"),
            ({"statements": [{"text": "a", "pinned": "no"}]}, "pinned that is not true"),
            ({"statements": [{"text": "a\u0000b"}]}, "without NUL"),
            ({"statements": [{"text": "x\ud800y"}]}, "without NUL"),
            ({"statements": [{"text": "a", "evidence": ["\u0000"]}]}, "evidence"),
            ({"statements": [{"text": "x" * 301}]}, "301 characters"),
            ({"statements": [{"text": "a"}] * 51}, "at most 50 statements"),
            ("Likes:\n- a\u0000b", "NUL"),
        ],
    )
    def test_bad_imports_change_nothing(self, owner, data, problem):
        with pytest.raises(ApplicationError, match=problem):
            profile_edit(user=owner, edit=ImportProfile(data), base_revision=0)
        assert profile_for(owner).revision == 0


def text_of(user) -> str:
    return render_profile([draft.parsed() for draft in profile_drafts(profile_for(user))])


@pytest.mark.django_db
class TestLikesAndAvoidsStayTogether:
    """Whatever the order of edits, the profile is one Likes section, then one Avoids section."""

    def test_every_kind_of_edit_keeps_one_header_per_polarity(self, owner):
        profile_write_text(
            user=owner,
            text="Likes:\n- jazz\n- space opera\n- westerns\nAvoids:\n- musicals",
            base_revision=0,
        )
        item = make_item("Blood Harvest")
        edits = [
            AvoidLine(1),  # a like in the middle turns into an avoid
            AddLines(likes=("cooking",), avoids=("gore",)),  # likes typed after the avoids
            ExplainItem(item.pk, "no more slashers"),  # a negation typed as a like
            ChangeLine(0, polarity="avoid"),  # the first like turned by hand
            ChangeLine(3, polarity="like"),  # an avoid turned back
            ChangeLine(1, text="thrillers but not gore"),  # a line that turns in two
        ]
        for edit in edits:
            profile_edit(user=owner, edit=edit, base_revision=profile_for(owner).revision)
            polarities = [polarity for _, polarity, _ in lines(owner)]
            assert polarities == sorted(polarities, key=lambda p: p == "avoid"), edit
            text = text_of(owner)
            assert text.count("Likes:") <= 1 and text.count("Avoids:") <= 1, text
        assert text_of(owner) == (
            "Likes:\n- westerns\n- thrillers\n- space opera\n\n"
            "Avoids:\n- not gore\n- jazz\n- musicals\n- gore\n- no more slashers\n"
        )

    def test_an_avoided_line_keeps_its_place_among_the_avoids_and_its_evidence(self, owner):
        items = [make_item(f"Book {n}") for n in range(3)]
        profile_write_text(user=owner, text="Likes:\n- a\n- b\n- c\nAvoids:\n- d", base_revision=0)
        quoted = {1: [items[0].pk, items[1].pk], 0: [items[2].pk]}
        change = profile_edit(
            user=owner, edit=AvoidLine(1), base_revision=1, review=lambda change: quoted
        )
        assert [(d.text, d.polarity) for d in change.after] == [
            ("a", "like"),
            ("c", "like"),
            ("b", "avoid"),
            ("d", "avoid"),
        ]
        assert [d.evidence for d in change.after] == [(), (), (items[0].pk, items[1].pk), ()]
        assert lines(owner)[2] == ("b", "avoid", 1.0)
        assert set(profile_for(owner).statements.get(position=2).evidence.all()) == {*items[:2]}

    def test_an_import_written_out_of_order_is_grouped(self, owner):
        exported = {
            "statements": [
                {"text": "jazz"},
                {"text": "musicals", "polarity": "avoid"},
                {"text": "cooking"},
            ]
        }
        profile_edit(user=owner, edit=ImportProfile(exported), base_revision=0)
        assert [text for text, _, _ in lines(owner)] == ["jazz", "cooking", "musicals"]
        assert text_of(owner) == "Likes:\n- jazz\n- cooking\n\nAvoids:\n- musicals\n"
