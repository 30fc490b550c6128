"""Recommendations served from the database: candidates, steering, rationale,
preview, why-not and the log, on the embedded sample catalog."""

import pytest

from catalog.models import Item
from engine import recommend
from engine.models import CollaborativeModel, ItemNeighbours, RecommendationLog
from engine.person import ListOptions
from engine.preview import recommendations_preview
from engine.services import item_popularity_refresh
from profiles.models import Interaction, ProfileRevision, Statement
from profiles.parser import ProfileTextError
from profiles.services import profile_for, profile_settings_update
from recsite.errors import ApplicationError
from tests.factories import make_interaction, profile_write_text

COZY = "Likes:\n- cozy village mysteries\n- science fiction about first contact"


def typed(user, text: str):
    """Save ``text`` as the person's profile, as the editor does."""
    return profile_write_text(user=user, text=text, base_revision=profile_for(user).revision)


def listed(user, **request) -> recommend.RecommendationList:
    return recommend.recommend_for_user(user=user, options=ListOptions(**request))


def in_category(result, category: str) -> int:
    return sum(category in served.item.categories for served in result.items)


def ids(result) -> list[int]:
    return [served.item.pk for served in result.items]


@pytest.fixture
def popular(readers):
    """The sample readers' interactions, with item popularity computed from them."""
    item_popularity_refresh()
    return readers


@pytest.fixture
def neighbours(sample_catalog):
    """A trained-looking collaborative model: the first Mystery book's
    neighbours are five Travel books."""
    model = CollaborativeModel.objects.create(algorithm="itemknn", is_active=True)
    travel = [sample_catalog[f"bk-{n}"] for n in range(106, 111)]
    ItemNeighbours.objects.create(
        model=model,
        item=sample_catalog["bk-016"],
        neighbour_ids=[item.pk for item in travel],
        scores=[0.9, 0.8, 0.7, 0.6, 0.5],
    )
    return travel


@pytest.mark.django_db
class TestColdStart:
    def test_no_profile_and_no_history_gets_popular_items_and_says_so(self, owner, popular):
        result = listed(owner, k=5)
        assert len(result.items) == 5
        most = sorted(Item.objects.values_list("popularity", flat=True), reverse=True)
        assert all(served.item.popularity >= most[15] for served in result.items)
        for served in result.items:
            text = served.recommendation.rationale
            assert text.startswith(f"Popular with {served.item.popularity} ")
            assert "nothing in your profile or history" in text

    def test_typed_statements_alone_give_relevant_items(self, owner, sample_catalog):
        typed(owner, "Likes:\n- home cooking and recipes")
        result = listed(owner, k=5)
        assert in_category(result, "Cooking") == 5
        assert all(
            "“home cooking and recipes”" in served.recommendation.rationale
            for served in result.items
        )


@pytest.mark.django_db
class TestSteering:
    def test_a_new_like_line_brings_its_category_into_the_next_list(self, owner, sample_catalog):
        typed(owner, COZY)
        assert in_category(listed(owner), "Cooking") == 0
        typed(owner, COZY + "\n- cooking")  # no worker runs in between
        assert in_category(listed(owner), "Cooking") >= 3

    def test_an_avoid_line_removes_its_category(self, owner, sample_catalog):
        typed(owner, "Likes:\n- horror\n- mysteries")
        assert in_category(listed(owner), "Horror") >= 3
        typed(owner, "Likes:\n- mysteries\nAvoids:\n- horror")
        assert in_category(listed(owner, k=30), "Horror") == 0

    def test_seen_items_are_never_recommended(self, popular):
        alice = popular["alice"]
        seen = set(Interaction.objects.filter(user=alice).values_list("item_id", flat=True))
        result = listed(alice, k=100)
        assert len(result.items) >= 100 - len(seen)
        assert not seen & set(ids(result))

    def test_balance_moves_results_between_history_and_words(
        self, owner, sample_catalog, neighbours
    ):
        make_interaction(owner, sample_catalog["bk-016"], value=5)
        typed(owner, "Likes:\n- home cooking and recipes")
        profile_settings_update(user=owner, balance=1.0)
        words = listed(owner, k=5)
        profile_settings_update(user=owner, balance=0.0)
        history = listed(owner, k=5)
        assert in_category(words, "Cooking") == 5 and in_category(words, "Travel") == 0
        assert in_category(history, "Travel") == 5
        title = sample_catalog["bk-016"].title
        assert history.items[0].recommendation.rationale == (
            f"Similar to {title}, which you rated 5."
        )

    def test_a_trained_model_brings_in_items_with_the_rated_items_named(self, popular):
        from engine.training import collaborative_train

        collaborative_train(force=True)
        alice = popular["alice"]
        profile_settings_update(user=alice, balance=0.0)  # history only
        result = listed(alice)
        rated = dict(Interaction.objects.filter(user=alice).values_list("item__title", "value"))
        pulled = [s for s in result.items if s.recommendation.scored.contributions["history"] > 0]
        assert len(pulled) >= 5
        for served in pulled:
            source = served.recommendation.scored.sources[0].item
            assert source.title in rated and rated[source.title] >= 4
            assert f"{source.title}, which you rated {rated[source.title]:g}" in (
                served.recommendation.rationale
            )

    def test_category_filter_keeps_only_that_category(self, owner, sample_catalog):
        typed(owner, COZY)
        result = listed(owner, category="Romance")
        assert len(result.items) == 10 and in_category(result, "Romance") == 10

    def test_personalisation_off_serves_popular_items_whatever_the_profile(self, popular):
        alice = popular["alice"]
        typed(alice, "Likes:\n- cooking")
        profile_settings_update(user=alice, personalised=False)
        result = listed(alice, diversity=0.5)
        popularity = [served.item.popularity for served in result.items]
        assert popularity == sorted(popularity, reverse=True)
        assert in_category(result, "Cooking") < 3
        assert all(
            "personalisation is off" in served.recommendation.rationale for served in result.items
        )
        assert result.settings.diversity == 0


@pytest.mark.django_db
class TestFaithfulness:
    def test_removing_the_quoted_line_lowers_each_items_score(self, owner, sample_catalog):
        lines = ["cooking", "travel writing", "fantasy with dragons", "haunted houses"]
        typed(owner, "Likes:\n" + "\n".join(f"- {line}" for line in lines))
        result = listed(owner, k=8)
        checked = 0
        for served in result.items:
            quoted = served.recommendation.scored.matches[0].statement.text
            assert f"“{quoted}”" in served.recommendation.rationale
            typed(owner, "Likes:\n" + "\n".join(f"- {line}" for line in lines if line != quoted))
            after = recommend.why_not(user=owner, item_id=served.item.pk, options=ListOptions(k=8))
            assert after.absence.scored.score < served.recommendation.scored.score
            typed(owner, "Likes:\n" + "\n".join(f"- {line}" for line in lines))
            checked += 1
        assert checked == 8


@pytest.mark.django_db
class TestPreview:
    def test_preview_shows_what_a_new_line_does_and_writes_nothing(self, owner, sample_catalog):
        typed(owner, COZY)
        before = listed(owner)
        counts = (
            ProfileRevision.objects.count(),
            list(Statement.objects.values_list("text", "embedded_text")),
            RecommendationLog.objects.count(),
            profile_for(owner).revision,
        )
        preview = recommendations_preview(user=owner, text=COZY + "\n- cooking")
        assert counts == (
            ProfileRevision.objects.count(),
            list(Statement.objects.values_list("text", "embedded_text")),
            RecommendationLog.objects.count(),
            profile_for(owner).revision,
        )
        assert preview.added_lines == ["cooking"] and preview.removed_lines == []
        entered = [e for e in preview.items if e.change == "entered"]
        assert entered and all("Cooking" in e.item.categories for e in entered)
        assert all(e.cause == "cooking" for e in entered)
        assert {e.item.pk for e in preview.left} == set(ids(before)) - {
            e.item.pk for e in preview.items
        }
        assert len(preview.left) == len(entered)
        assert all(e.before is not None and e.after is None for e in preview.left)

        typed(owner, COZY + "\n- cooking")  # saving makes the draft the new revision
        assert ids(listed(owner)) == [e.item.pk for e in preview.items]

    def test_an_avoid_line_in_a_draft_is_named_as_the_cause_of_what_leaves(
        self, owner, sample_catalog
    ):
        typed(owner, "Likes:\n- horror\n- mysteries")
        preview = recommendations_preview(
            user=owner, text="Likes:\n- horror\n- mysteries\nAvoids:\n- horror"
        )
        gone = [e for e in preview.left if "Horror" in e.item.categories]
        assert gone and all(e.cause == "horror" for e in gone)

    def test_a_bad_draft_names_its_line(self, owner, sample_catalog):
        with pytest.raises(ProfileTextError) as error:
            recommendations_preview(user=owner, text="Likes:\n- fine\n- " + "x" * 400)
        assert error.value.extra["line"] == 3


@pytest.mark.django_db
class TestWhyNot:
    def ask(self, user, item, **request):
        return recommend.why_not(user=user, item_id=item.pk, options=ListOptions(**request))

    def test_an_item_already_rated(self, popular, sample_catalog):
        alice = popular["alice"]
        rated = Interaction.objects.filter(user=alice, kind="rating").first()
        answer = self.ask(alice, rated.item)
        assert answer.absence.reason == "seen"
        assert f"you rated {rated.value:g}" in answer.absence.message

    def test_an_item_removed_by_an_avoid_line(self, owner, sample_catalog):
        typed(owner, "Likes:\n- mysteries\nAvoids:\n- horror")
        answer = self.ask(owner, sample_catalog["bk-046"])
        assert answer.absence.reason == "avoided"
        assert "“horror”" in answer.absence.message

    def test_an_item_in_the_list_gives_its_place(self, owner, sample_catalog):
        typed(owner, "Likes:\n- cooking")
        first = listed(owner).items[0].item
        answer = self.ask(owner, first)
        assert answer.absence.reason == "listed" and answer.absence.rank == 1

    def test_an_item_just_below_the_list_gives_its_rank(self, owner, sample_catalog):
        typed(owner, "Likes:\n- cooking")
        fifth = listed(owner, k=10, diversity=0).items[4].item
        answer = self.ask(owner, fifth, k=3, diversity=0)
        assert answer.absence.reason == "ranked" and answer.absence.rank == 5
        assert "below the 3 shown" in answer.absence.message

    def test_an_item_matching_no_statement(self, owner, sample_catalog):
        typed(owner, "Likes:\n- cooking")
        answer = self.ask(owner, sample_catalog["bk-046"])  # a horror novel
        assert answer.absence.reason == "low_match"
        assert "matches none of your statements" in answer.absence.message

    def test_an_item_outside_the_category_filter(self, owner, sample_catalog):
        answer = self.ask(owner, sample_catalog["bk-046"], category="Cooking")
        assert answer.absence.reason == "category"

    def test_an_unknown_item_is_a_404(self, owner, sample_catalog):
        with pytest.raises(ApplicationError) as error:
            recommend.why_not(user=owner, item_id=10**9)
        assert error.value.status_code == 404


@pytest.mark.django_db
class TestLog:
    def test_each_served_list_is_logged_with_revision_scores_and_contributions(
        self, owner, sample_catalog
    ):
        revision = typed(owner, COZY)
        result = listed(owner, k=4)
        log = RecommendationLog.objects.get(pk=result.log_id)
        assert log.user == owner and log.profile_revision == revision.number
        assert [entry["item"] for entry in log.entries] == ids(result)
        assert [entry["rank"] for entry in log.entries] == [1, 2, 3, 4]
        first = log.entries[0]
        assert first["score"] == pytest.approx(sum(first["contributions"].values()), abs=1e-3)
        assert first["statements"] and first["rationale"]
        assert log.params["k"] == 4

    def test_previews_and_why_not_are_not_logged(self, owner, sample_catalog):
        typed(owner, COZY)
        recommendations_preview(user=owner, text=COZY + "\n- cooking")
        recommend.why_not(user=owner, item_id=sample_catalog["bk-046"].pk)
        assert not RecommendationLog.objects.exists()


@pytest.mark.django_db
class TestApi:
    url = "/api/recommendations/"

    def test_signing_in_is_required(self, client, sample_catalog):
        response = client.get(self.url)
        assert response.status_code == 401
        assert set(response.json()) == {"message", "extra"}

    def test_the_list_carries_rationale_and_contributions(self, client, owner, sample_catalog):
        typed(owner, COZY)
        client.force_login(owner)
        body = client.get(self.url, {"k": 3}).json()
        assert len(body["results"]) == 3 and body["log"]
        first = body["results"][0]
        assert set(first["contributions"]) == {"pos", "cf", "history", "pop", "neg"}
        assert first["statements"][0]["text"] in COZY and first["rationale"]
        assert first["item"]["title"]

    def test_preview_returns_changes_and_saves_nothing(self, client, owner, sample_catalog):
        typed(owner, COZY)
        client.force_login(owner)
        response = client.post(
            self.url + "preview/", {"text": COZY + "\n- cooking"}, content_type="application/json"
        )
        body = response.json()
        assert response.status_code == 200 and body["added_lines"] == ["cooking"]
        assert any(
            row["change"] == "entered" and row["cause"] == "cooking" for row in body["results"]
        )
        assert profile_for(owner).revision == body["base_revision"]

    def test_preview_says_how_each_line_was_read(self, client, owner, sample_catalog):
        client.force_login(owner)
        text = "Likes:\n- nothing gory\n- can't get enough of cooking\n- *"
        body = client.post(
            self.url + "preview/", {"text": text}, content_type="application/json"
        ).json()
        # In the order they will be saved: the likes, then the avoids.
        assert [(s["polarity"], s["label"], s["reading"]) for s in body["statements"]] == [
            ("like", "Cooking", "Likes · acts on: Cooking (category)"),
            ("avoid", "", "Avoids · matched by meaning"),
        ]
        assert [s["matches_clearly"] for s in body["statements"]] == [True, True]
        vague = client.post(
            self.url + "preview/",
            {"text": "Avoids:\n- I love whatever"},
            content_type="application/json",
        ).json()["statements"]
        assert [(s["words_lean"], s["matches_clearly"]) for s in vague] == [("like", False)]

    def test_why_not_answers_and_unknown_items_are_404(self, client, owner, sample_catalog):
        typed(owner, "Likes:\n- mysteries\nAvoids:\n- horror")
        client.force_login(owner)
        body = client.get(self.url + f"why-not/{sample_catalog['bk-046'].pk}/").json()
        assert body["reason"] == "avoided"
        missing = client.get(self.url + "why-not/999999999/")
        assert missing.status_code == 404 and "no item" in missing.json()["message"]

    @pytest.mark.parametrize(
        "params", [{"k": 0}, {"k": "many"}, {"diversity": 2}, {"personalised": "perhaps"}]
    )
    def test_bad_parameters_are_400s_naming_the_field(self, client, owner, params):
        client.force_login(owner)
        response = client.get(self.url, params)
        assert response.status_code == 400
        assert set(response.json()["extra"]["fields"]) == set(params)

    def test_a_bad_preview_text_is_a_400_naming_the_line(self, client, owner, sample_catalog):
        client.force_login(owner)
        response = client.post(
            self.url + "preview/",
            {"text": "Likes:\n- " + "x" * 400},
            content_type="application/json",
        )
        assert response.status_code == 400 and response.json()["extra"]["line"] == 2


@pytest.mark.django_db
class TestTheProfileIsTheModel:
    """A generated line stands for a group of the person's ratings: what its
    items pull in is its share of the list, named in the reason."""

    @pytest.fixture
    def alice(self, popular):
        from engine.profiles import profile_generate
        from engine.training import collaborative_train

        collaborative_train(force=True)
        profile_generate(user_id=popular["alice"].pk)
        return popular["alice"]

    def test_a_line_pulls_in_what_its_items_neighbour_and_the_reason_names_both(self, alice):
        result = listed(alice)
        pulled = [
            s
            for s in result.items
            for m in s.recommendation.scored.matches
            if m.sources and m.contribution > m.words
        ]
        assert pulled, "no item was pulled in by a line's group"
        served = pulled[0]
        match = next(m for m in served.recommendation.scored.matches if m.sources)
        rated = set(
            Interaction.objects.filter(user=alice, kind="rating", value__gte=4).values_list(
                "item_id", flat=True
            )
        )
        assert {s.item.item_id for s in match.sources} <= rated
        assert set(match.statement.members) & rated

    def test_deleting_a_quoted_line_takes_its_share_away(self, alice):
        result = listed(alice)
        served = next(s for s in result.items if s.recommendation.scored.cited_lines())
        key = served.recommendation.scored.cited_lines()[0]
        share = next(
            m.contribution for m in served.recommendation.scored.matches if m.statement.key == key
        )
        from profiles.services import DeleteLine, profile_edit

        profile_edit(user=alice, edit=DeleteLine(key), base_revision=profile_for(alice).revision)
        answer = recommend.why_not(user=alice, item_id=served.item.pk)
        assert answer.absence.scored is not None
        assert answer.absence.scored.score == pytest.approx(
            served.recommendation.scored.score - share, abs=2e-3
        )

    def test_the_profile_page_and_api_say_what_each_line_stands_for(self, alice, client):
        alice.is_active = True  # imported people cannot sign in until activated
        alice.save(update_fields=["is_active"])
        client.force_login(alice)
        body = client.get("/api/profile/").json()
        liked = [s for s in body["statements"] if s["polarity"] == "like"]
        assert liked and all(s["stands_for"] >= 1 for s in liked)
        assert all(1 <= len(s["examples"]) <= 3 for s in liked)
        page = client.get("/profile/").content.decode()
        assert f"Stands for {liked[0]['stands_for']} of your ratings" in page


@pytest.mark.django_db
class TestEdges:
    """Unusual people and catalogs still get a sensible list and a true reason."""

    def test_one_rating(self, owner, popular):
        make_interaction(owner, Item.objects.get(external_id="bk-016"), "rating", 5.0)
        result = listed(owner)
        assert len(result.items) == 10
        assert all(s.recommendation.rationale for s in result.items)

    def test_only_dislikes(self, owner, popular):
        for number in (1, 2, 3):
            item = Item.objects.get(external_id=f"bk-{number:03d}")
            make_interaction(owner, item, "dislike", None)
        result = listed(owner)
        assert len(result.items) == 10
        disliked = {f"bk-{n:03d}" for n in (1, 2, 3)}
        assert not {s.item.external_id for s in result.items} & disliked

    def test_no_trained_model_and_items_without_vectors(self, owner, sample_catalog):
        typed(owner, COZY)
        Item.objects.filter(external_id__in=["bk-020", "bk-021"]).update(embedding=None)
        result = listed(owner)
        assert len(result.items) == 10
        assert not {s.item.external_id for s in result.items} & {"bk-020", "bk-021"}

    def test_a_group_whose_items_were_all_deleted(self, owner, popular):
        from profiles.services import ImportProfile, profile_edit

        exported = {
            "statements": [{"text": "cozy village mysteries", "evidence": ["bk-016", "bk-017"]}]
        }
        profile_edit(user=owner, edit=ImportProfile(exported), base_revision=0)
        Item.objects.filter(external_id__in=["bk-016", "bk-017"]).delete()
        result = listed(owner)
        assert len(result.items) == 10
        assert all(
            "“cozy village mysteries”" in s.recommendation.rationale or s.recommendation.rationale
            for s in result.items
        )

    def test_five_thousand_ratings(self, owner, sample_catalog):
        from django.utils import timezone

        from catalog.models import Item as CatalogItem

        # 5,000 rated items: the 150 sample books and 4,850 more without vectors.
        extra = CatalogItem.objects.bulk_create(
            CatalogItem(external_id=f"x-{n}", title=f"Extra {n}") for n in range(4850)
        )
        now = timezone.now()
        Interaction.objects.bulk_create(
            Interaction(user=owner, item=item, kind="rating", value=5.0, timestamp=now)
            for item in [*extra, *CatalogItem.objects.filter(external_id__startswith="bk-")[:150]]
        )
        result = listed(owner)
        assert result.items == [] or all(s.recommendation.rationale for s in result.items)


@pytest.mark.django_db
class TestRewordingALine:
    def test_words_that_no_longer_describe_the_group_detach_it_and_the_page_says_so(
        self, popular, client
    ):
        from engine.profiles import profile_generate
        from profiles.services import ChangeLine, profile_edit

        alice = popular["alice"]
        profile_generate(user_id=alice.pk)
        profile = profile_for(alice)
        line = profile.statements.filter(polarity="like").order_by("position").first()
        group = set(line.evidence.values_list("pk", flat=True))
        # Same subject, other words: the group stays.
        profile_edit(
            user=alice,
            edit=ChangeLine(line.position, text=f"{line.embedded_text} stories"),
            base_revision=profile.revision,
        )
        kept = Statement.objects.get(profile__user=alice, position=line.position)
        assert set(kept.evidence.values_list("pk", flat=True)) == group and not kept.detached
        # Another subject altogether: it acts by its words alone, and says so.
        profile_edit(
            user=alice,
            edit=ChangeLine(line.position, text="vegan baking for beginners"),
            base_revision=profile_for(alice).revision,
        )
        assert Statement.objects.get(profile__user=alice, position=line.position).detached
        alice.is_active = True
        alice.save(update_fields=["is_active"])
        client.force_login(alice)
        assert "No longer stands for" in client.get("/profile/").content.decode()
        served = listed(alice)
        quoting = [
            m
            for s in served.items
            for m in s.recommendation.scored.matches
            if m.statement.key == line.position
        ]
        assert all(not m.sources for m in quoting)
