"""Steering from a recommendation's reason: the services and the API's steer endpoints.

Each control acts on what the reason shows (a quoted profile line by its
position and the revision the list came from, or an item by its id) and the
very next list must follow.
"""

import pytest

from engine import steering
from engine.models import CollaborativeModel, ItemNeighbours, RecommendationLog
from engine.profiles import profile_generate
from profiles.models import Interaction, Statement
from profiles.services import (
    AvoidLine,
    ExplainItem,
    ImportProfile,
    MergeGenerated,
    ProfileConflict,
    StatementDraft,
    StepStrength,
    interaction_exclude,
    interaction_rating_change,
    profile_edit,
    profile_for,
    revision_drafts,
    strength_step,
)
from recsite.errors import ApplicationError
from tests.api import anonymous, is_error, signed_in
from tests.factories import make_interaction, profile_write_text

STEER = "/api/recommendations/steer/"
PREVIEW = "/api/recommendations/steer/preview/"
HORROR_AND_MYSTERIES = "Likes:\n- horror\n- mysteries"


def citing(results: list[dict], position: int) -> dict[int, int]:
    """Item id -> rank, for the results whose reason quotes the line at ``position``."""
    return {
        r["item"]["id"]: r["rank"]
        for r in results
        if position in {s["position"] for s in r["statements"]}
    }


def ranks(results: list[dict]) -> dict[int, int]:
    return {r["item"]["id"]: r["rank"] for r in results}


def assert_yield(before: dict[int, int], after: dict[int, int], falling: dict[int, int]) -> None:
    """No item of ``falling`` gets ahead of an item outside it that was ahead of it."""
    for item, rank in falling.items():
        if item not in after:
            continue
        for other, other_rank in before.items():
            if other not in falling and other_rank < rank and other in after:
                assert after[other] < after[item], (item, other)


@pytest.fixture
def reader(owner, sample_catalog):
    profile_write_text(user=owner, text=HORROR_AND_MYSTERIES, base_revision=0)
    return owner


@pytest.fixture
def api(reader):
    return signed_in(reader)


def current_list(api, **params) -> dict:
    response = api.get("/api/recommendations/", {"k": 10, **params})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def history(owner, sample_catalog):
    """The owner rated one travel book 5; the trained model says five others go with it."""
    rated = sample_catalog["bk-016"]
    neighbours = [sample_catalog[f"bk-{n}"] for n in range(106, 111)]
    model = CollaborativeModel.objects.create(algorithm="itemknn", is_active=True)
    ItemNeighbours.objects.create(
        model=model,
        item=rated,
        neighbour_ids=[item.pk for item in neighbours],
        scores=[0.9, 0.8, 0.7, 0.6, 0.5],
    )
    make_interaction(owner, rated, "rating", 5.0)
    profile_for(owner)
    return rated, neighbours


class TestStrengthScale:
    def test_steps_along_the_scale_and_stops_at_its_ends(self):
        assert strength_step(1.0, -1) == 0.8
        assert strength_step(0.6, 1) == 0.8
        assert strength_step(0.75, 1) == 0.8 and strength_step(0.75, -1) == 0.6
        assert strength_step(1.0, 1) is None
        assert strength_step(0.2, -1) is None


@pytest.mark.django_db
class TestStatementServices:
    def test_less_keeps_the_lines_origin_pin_and_evidence(self, owner, sample_catalog):
        evidence = sample_catalog["bk-050"]
        profile_write_text(user=owner, text=HORROR_AND_MYSTERIES, base_revision=0)
        drafts = profile_edit(
            user=owner, edit=ExplainItem(evidence.pk, "ghost stories"), save=False
        ).after
        assert drafts[-1].text == "ghost stories" and drafts[-1].evidence == (evidence.pk,)
        drafts = profile_edit(user=owner, edit=StepStrength(0, -1), save=False).after
        assert drafts[0].weight == 0.8 and drafts[0].text == "horror"
        profile_edit(user=owner, edit=StepStrength(1, -1), base_revision=1)
        assert Statement.objects.get(profile__user=owner, position=1).weight == 0.8

    def test_the_weakest_line_cannot_go_lower(self, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- horror (barely)", base_revision=0)
        with pytest.raises(ApplicationError) as refused:
            profile_edit(user=owner, edit=StepStrength(0, -1), save=False)
        assert refused.value.extra["field"] == "action"
        assert "already counts as little as a line can" in refused.value.message

    def test_an_avoids_line_cannot_be_made_an_avoids_line(self, owner, sample_catalog):
        profile_write_text(user=owner, text="Avoids:\n- horror", base_revision=0)
        with pytest.raises(ApplicationError):
            profile_edit(user=owner, edit=AvoidLine(0), save=False)

    def test_a_stale_base_revision_is_a_conflict(self, owner, sample_catalog):
        profile_write_text(user=owner, text=HORROR_AND_MYSTERIES, base_revision=0)
        with pytest.raises(ProfileConflict):
            profile_edit(user=owner, edit=StepStrength(0, -1), base_revision=0, save=False)

    def test_explaining_twice_with_the_same_words_adds_evidence_not_a_line(
        self, owner, sample_catalog
    ):
        first, second = sample_catalog["bk-001"], sample_catalog["bk-002"]
        profile_write_text(user=owner, text="Likes:\n- aliens", base_revision=0)
        drafts = profile_edit(user=owner, edit=ExplainItem(first.pk, "aliens"), save=False).after
        assert len(drafts) == 1 and first.pk in drafts[0].evidence
        assert second.pk not in drafts[0].evidence

    def test_restoring_a_revision_leaves_out_evidence_deleted_since(self, owner, sample_catalog):
        kept, deleted = sample_catalog["bk-001"], sample_catalog["bk-002"]
        profile_write_text(user=owner, text="Likes:\n- aliens", base_revision=0)
        # The line with both items as its evidence, as an export would bring it.
        exported = {"statements": [{"text": "aliens", "evidence": ["bk-001", "bk-002"]}]}
        profile_edit(user=owner, edit=ImportProfile(exported), base_revision=1)
        deleted.delete()
        assert revision_drafts(user=owner, number=2)[0].evidence == (kept.pk,)
        with pytest.raises(ApplicationError) as missing:
            revision_drafts(user=owner, number=9)
        assert missing.value.extra["field"] == "revision"


@pytest.mark.django_db
class TestHistoryServices:
    def test_exclusion_keeps_the_rating_and_a_new_rating_keeps_it_excluded(
        self, owner, sample_catalog
    ):
        item = sample_catalog["bk-016"]
        make_interaction(owner, item, "rating", 5.0)
        assert interaction_exclude(user=owner, item_id=item.pk) == 1
        rating = Interaction.objects.get(user=owner, item=item)
        assert rating.value == 5.0 and rating.excluded
        interaction_rating_change(user=owner, item_id=item.pk, value=2.0)
        rating.refresh_from_db()
        assert rating.value == 2.0 and rating.excluded

    def test_someone_elses_item_is_not_found(self, owner, other, sample_catalog):
        make_interaction(other, sample_catalog["bk-016"], "rating", 5.0)
        with pytest.raises(ApplicationError) as missing:
            interaction_exclude(user=owner, item_id=sample_catalog["bk-016"].pk)
        assert missing.value.status_code == 404


@pytest.mark.django_db
class TestLessAndMore:
    def test_after_less_of_a_line_the_items_citing_it_move_down_or_leave(self, api):
        # Without diversification the ranking is the score order: a line's items
        # may swap among themselves (the closer match loses more), but none
        # gets ahead of an item that did not quote the line.
        before = current_list(api, diversity=0)
        horror = citing(before["results"], 0)
        assert horror, "the horror line is quoted"
        body = {"action": "less", "statement": 0, "base_revision": 1, "diversity": 0}
        response = api.post(STEER, body)
        assert response.status_code == 200
        answer = response.json()
        assert answer["profile_revision"] == 2 and answer["preview"] is False
        assert "it now counts strongly" in answer["message"]
        after = ranks(current_list(api, diversity=0)["results"])
        assert after == ranks(answer["results"]), "the answer is the very next list"
        assert_yield(ranks(before["results"]), after, horror)
        assert any(item not in after or after[item] > rank for item, rank in horror.items())
        scores = {r["item"]["id"]: r["score"] for r in answer["results"]}
        old_scores = {r["item"]["id"]: r["score"] for r in before["results"]}
        assert all(scores[i] < old_scores[i] for i in horror if i in scores)

    def test_with_the_usual_diversity_the_lines_items_fall_as_a_group(self, api):
        horror = citing(current_list(api)["results"], 0)
        answer = api.post(STEER, {"action": "less", "statement": 0, "base_revision": 1}).json()
        after = ranks(answer["results"])
        # Diversification may swap neighbours, but the line's items sink together:
        # counted as 11th when gone, their ranks add up to more than before.
        assert sum(after.get(item, 11) for item in horror) > sum(horror.values())
        assert len(citing(answer["results"], 0)) <= len(horror)

    def test_more_raises_the_line_and_its_items_do_not_fall(self, api, reader):
        profile_write_text(user=reader, text="Likes:\n- horror (0.6)\n- mysteries", base_revision=1)
        before = current_list(api, diversity=0)
        horror = citing(before["results"], 0)
        others = {i: r for i, r in ranks(before["results"]).items() if i not in horror}
        body = {"action": "more", "statement": 0, "base_revision": 2, "diversity": 0}
        answer = api.post(STEER, body).json()
        assert Statement.objects.get(profile__user=reader, position=0).weight == 0.8
        assert_yield(ranks(before["results"]), ranks(answer["results"]), others)
        assert len(citing(answer["results"], 0)) >= len(horror)

    def test_undo_brings_the_old_line_and_list_back(self, api, reader):
        before = ranks(current_list(api)["results"])
        body = api.post(STEER, {"action": "less", "statement": 0, "base_revision": 1}).json()
        undo = body["undo"]
        assert undo == {"action": "restore", "revision": 1, "base_revision": 2}
        restored = api.post(STEER, undo).json()
        assert restored["profile_revision"] == 3
        assert Statement.objects.get(profile__user=reader, position=0).weight == 1.0
        assert ranks(restored["results"]) == before


@pytest.mark.django_db
class TestNotThisReason:
    def test_avoid_removes_the_items_that_matched_the_line_from_the_next_list(
        self, api, reader, sample_catalog
    ):
        horror = set(citing(current_list(api)["results"], 0))
        assert horror
        body = api.post(STEER, {"action": "avoid", "statement": 0, "base_revision": 1}).json()
        # The line joins the Avoids section, after the likes, its list's items its evidence.
        statements = Statement.objects.filter(profile__user=reader).order_by("position")
        assert [(s.text, s.polarity) for s in statements] == [
            ("mysteries", "like"),
            ("horror", "avoid"),
        ]
        assert horror <= set(statements[1].evidence.values_list("pk", flat=True))
        assert not statements[0].evidence.exists()
        after = ranks(current_list(api)["results"])
        assert not horror & set(after), "what matched the line is gone"
        assert horror <= {entry["item"]["id"] for entry in body["left"]}

    def test_delete_removes_the_line_and_the_reason_stops_quoting_it(self, api, reader):
        body = api.post(STEER, {"action": "delete", "statement": 0, "base_revision": 1}).json()
        assert list(
            Statement.objects.filter(profile__user=reader).values_list("text", flat=True)
        ) == ["mysteries"]
        assert all("“horror”" not in r["rationale"] for r in body["results"])


@pytest.mark.django_db
class TestEditAndPin:
    def test_an_edit_is_parsed_like_the_editor_and_steers_the_list(self, api, reader):
        # "mysteries" names the category Mystery: its 17 books all fully match
        # it and rank above a weak line's items, so the list reaches past them.
        body = api.post(
            STEER,
            {
                "action": "edit",
                "statement": 0,
                "base_revision": 1,
                "text": "cooking (a little)",
                "k": 20,
            },
        ).json()
        statement = Statement.objects.get(profile__user=reader, position=0)
        assert (statement.text, statement.weight) == ("cooking", 0.4)
        assert any("“cooking”" in r["rationale"] for r in body["results"])

    def test_a_negated_edit_becomes_an_avoids_line(self, api, reader):
        api.post(
            STEER,
            {"action": "edit", "statement": 0, "base_revision": 1, "text": "no more horror"},
        )
        line = Statement.objects.get(profile__user=reader, text="no more horror")
        assert line.polarity == "avoid"

    def test_pin_keeps_the_line_through_regeneration(self, owner, sample_catalog):
        # Two lines the generator wrote; the person has no ratings, so a
        # regeneration finds nothing to say and replaces every unpinned one.
        generated = [
            StatementDraft("horror", "like", 1.0, "horror", origin=Statement.Origin.GENERATED),
            StatementDraft("mysteries", "like", 1.0, "mysteries", origin="generated"),
        ]
        profile_edit(user=owner, edit=MergeGenerated(tuple(generated)), base_revision=0)
        api = signed_in(owner)
        body = api.post(STEER, {"action": "pin", "statement": 1, "base_revision": 1}).json()
        assert body["profile_revision"] == 2 and body["message"] == (
            "“mysteries” pinned: kept when your profile is written again."
        )
        assert body["undo"] == {"action": "restore", "revision": 1, "base_revision": 2}
        profile_generate(user_id=owner.pk)
        kept = Statement.objects.filter(profile__user=owner)
        assert [(s.text, s.pinned) for s in kept] == [("mysteries", True)]
        assert all("“horror”" not in r["rationale"] for r in current_list(api)["results"])


@pytest.mark.django_db
class TestPreview:
    def test_a_preview_saves_nothing_and_shows_what_applying_gives(self, api, reader):
        logs = RecommendationLog.objects.count()
        preview = api.post(PREVIEW, {"action": "avoid", "statement": 0, "base_revision": 1})
        assert preview.status_code == 200
        shown = preview.json()
        assert shown["preview"] is True and shown["undo"] is None and shown["log"] is None
        assert shown["profile_revision"] == 1 and profile_for(reader).revision == 1
        assert Statement.objects.get(profile__user=reader, position=0).polarity == "like"
        assert RecommendationLog.objects.count() == logs
        assert shown["left"] and {r["change"] for r in shown["results"]} & {"entered"}
        applied = api.post(STEER, {"action": "avoid", "statement": 0, "base_revision": 1}).json()
        assert ranks(applied["results"]) == ranks(shown["results"])
        assert RecommendationLog.objects.count() == logs + 1

    def test_a_history_preview_keeps_the_item_in_use_and_matches_applying(self, owner, history):
        rated, _ = history
        api = signed_in(owner)
        logs = RecommendationLog.objects.count()
        shown = api.post(PREVIEW, {"action": "exclude", "item": rated.pk}).json()
        assert shown["preview"] is True and shown["undo"] is None and shown["log"] is None
        assert Interaction.objects.get(user=owner, item=rated).excluded is False
        assert RecommendationLog.objects.count() == logs
        assert any(r["history"] for r in current_list(api)["results"]), "still cited"
        applied = api.post(STEER, {"action": "exclude", "item": rated.pk}).json()
        assert ranks(applied["results"]) == ranks(shown["results"])
        logged = RecommendationLog.objects.get(pk=applied["log"])
        assert [e["item"] for e in logged.entries] == list(ranks(applied["results"]))


@pytest.mark.django_db
class TestHistoryExclusion:
    def test_an_excluded_item_stops_pulling_items_in_and_is_no_longer_cited(self, owner, history):
        rated, neighbours = history
        api = signed_in(owner)
        api.patch("/api/profile/", {"balance": 0.0}, format="json")
        before = current_list(api)["results"]
        cited = [r for r in before if rated.pk in {h["item"] for h in r["history"]}]
        assert cited and all(r["contributions"]["history"] > 0 for r in cited)
        body = api.post(STEER, {"action": "exclude", "item": rated.pk}).json()
        assert body["undo"] == {"action": "include", "item": rated.pk}
        after = current_list(api)["results"]
        assert all(r["history"] == [] and r["contributions"]["history"] == 0 for r in after)
        assert all(rated.title not in r["rationale"] for r in after)
        assert rated.pk not in ranks(after), "a rated item is still never recommended"
        assert Interaction.objects.get(user=owner, item=rated).value == 5.0

        api.post(STEER, body["undo"])
        again = current_list(api)["results"]
        assert any(rated.pk in {h["item"] for h in r["history"]} for r in again)

    def test_change_my_rating_from_the_reason(self, owner, history):
        rated, _ = history
        api = signed_in(owner)
        body = api.post(STEER, {"action": "rate", "item": rated.pk, "value": 2}).json()
        assert Interaction.objects.get(user=owner, item=rated).value == 2.0
        assert body["undo"] == {"action": "rate", "item": rated.pk, "value": 5.0}
        # Two stars is no longer "more like this": nothing cites it.
        assert all(r["history"] == [] for r in body["results"])


@pytest.mark.django_db
class TestSayWhy:
    def test_a_typed_reason_becomes_a_line_with_the_item_as_its_evidence(
        self, owner, sample_catalog
    ):
        api = signed_in(owner)
        plain = current_list(api)["results"]
        unmatched = next(r for r in plain if not r["statements"])
        item = unmatched["item"]["id"]
        body = api.post(
            STEER,
            {"action": "explain", "item": item, "text": "quiet stories", "base_revision": 0},
        ).json()
        statement = Statement.objects.get(profile__user=owner)
        assert statement.text == "quiet stories" and statement.origin == "user"
        assert list(statement.evidence.values_list("pk", flat=True)) == [item]
        assert any("“quiet stories”" in r["rationale"] for r in body["results"])


@pytest.mark.django_db
class TestErrors:
    def test_stale_revision_is_a_409_for_preview_and_apply(self, api):
        for url in (PREVIEW, STEER):
            response = api.post(url, {"action": "less", "statement": 0, "base_revision": 0})
            assert is_error(response, 409)
            assert response.json()["extra"]["current_revision"] == 1

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"action": "shout", "statement": 0, "base_revision": 1}, "action"),
            ({"action": "less", "base_revision": 1}, "statement"),
            ({"action": "less", "statement": 0}, "base_revision"),
            ({"action": "less", "statement": -1, "base_revision": 1}, "statement"),
            ({"action": "edit", "statement": 0, "base_revision": 1}, "text"),
            ({"action": "edit", "statement": 0, "base_revision": 1, "text": "a\nb"}, "text"),
            ({"action": "edit", "statement": 0, "base_revision": 1, "text": "x" * 400}, "text"),
            ({"action": "exclude"}, "item"),
            ({"action": "rate", "item": 1}, "value"),
            ({"action": "rate", "item": 1, "value": True}, "value"),
            ({"action": "less", "statement": "first", "base_revision": 1}, "statement"),
            ({"action": "restore", "base_revision": 1}, "revision"),
            ({"action": "less", "statement": 0, "base_revision": 2**40}, "base_revision"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, api, body, field):
        response = api.post(STEER, body, format="json")
        assert is_error(response, 400), response.content
        assert field in response.json()["extra"]["fields"]

    def test_a_bad_rating_names_value(self, owner, history):
        rated, _ = history
        response = signed_in(owner).post(STEER, {"action": "rate", "item": rated.pk, "value": 7})
        assert is_error(response, 400) and "value" in response.json()["extra"]["fields"]

    def test_other_peoples_items_and_missing_lines_are_404(self, api, other, sample_catalog):
        theirs = sample_catalog["bk-016"]
        make_interaction(other, theirs, "rating", 5.0)
        for body in (
            {"action": "exclude", "item": theirs.pk},
            {"action": "rate", "item": theirs.pk, "value": 3},
            {"action": "less", "statement": 7, "base_revision": 1},
            {"action": "explain", "item": 10**12, "text": "x", "base_revision": 1},
        ):
            assert is_error(api.post(STEER, body), 404), body
        assert Interaction.objects.get(user=other, item=theirs).excluded is False

    def test_signing_in_is_required(self, db):
        assert anonymous().post(STEER, {"action": "less"}).status_code in (401, 403)

    def test_both_are_throttled(self, api, settings):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "write": "2/minute",
                "preview": "1/minute",
            },
        }
        bad = {"action": "less"}  # refused as bad input, but each still counts
        assert api.post(PREVIEW, bad).status_code == 400
        assert is_error(api.post(PREVIEW, bad), 429)
        assert api.post(STEER, bad).status_code == 400
        assert api.post(STEER, bad).status_code == 400
        assert is_error(api.post(STEER, bad), 429)


@pytest.mark.django_db
class TestSchema:
    def test_the_steer_family_is_documented_with_every_action(self):
        schema = anonymous().get("/api/schema/", {"format": "json"}).json()
        for path in (STEER, PREVIEW):
            post = schema["paths"][path]["post"]
            body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            answer = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith("/SteerBodyRequest") and answer.endswith("/SteerResult"), path
        fields = schema["components"]["schemas"]["SteerBodyRequest"]["properties"]
        assert {"action", "statement", "item", "base_revision", "text", "value"} <= set(fields)
        actions = schema["components"]["schemas"]["ActionEnum"]["enum"]
        assert set(actions) == set(steering.ACTIONS)
        assert "409" in fields["base_revision"]["description"]
