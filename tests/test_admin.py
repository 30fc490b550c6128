import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Item
from catalog.signals import embeddings_needed
from engine.models import CollaborativeModel, RecommendationLog
from profiles.models import ApiToken, Profile, ProfileRevision
from profiles.services import token_create
from tests.factories import make_item, make_user, profile_write_text

CHANGELIST = reverse("admin:catalog_item_changelist")


@pytest.fixture
def catalog(db):
    return {
        "contact": make_item(
            "Signal Across the Deep",
            categories=["Science fiction"],
            year=1987,
            embedding=[0.1] * 384,
            embedding_model="m",
        ),
        "orbit": make_item("Quiet Orbit", categories=["Science fiction", "Romance"], year=2014),
        "manor": make_item(
            "The Hollow Manor",
            categories=["Horror"],
            year=2019,
            description="A house that keeps its guests.",
        ),
        "undated": make_item("Undated Almanac", categories=["History"]),
    }


def titles(response) -> set[str]:
    return {item.title for item in response.context["cl"].result_list}


@pytest.mark.django_db
class TestItemAdmin:
    def test_staff_sees_the_catalog(self, client, staff, catalog):
        client.force_login(staff)
        response = client.get(CHANGELIST)
        assert response.status_code == 200
        assert titles(response) == {item.title for item in catalog.values()}

    def test_people_without_staff_access_are_sent_to_login(self, client, owner, catalog):
        client.force_login(owner)
        response = client.get(CHANGELIST)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_search_by_title_and_description(self, client, staff, catalog):
        client.force_login(staff)
        assert titles(client.get(CHANGELIST, {"q": "orbit"})) == {"Quiet Orbit"}
        assert titles(client.get(CHANGELIST, {"q": "keeps its guests"})) == {"The Hollow Manor"}

    def test_filter_by_category(self, client, staff, catalog):
        client.force_login(staff)
        response = client.get(CHANGELIST)
        assert b"?category=Romance" in response.content
        assert titles(client.get(CHANGELIST, {"category": "Science fiction"})) == {
            "Signal Across the Deep",
            "Quiet Orbit",
        }

    def test_filter_by_year(self, client, staff, catalog):
        client.force_login(staff)
        assert titles(client.get(CHANGELIST, {"decade": "2010"})) == {
            "Quiet Orbit",
            "The Hollow Manor",
        }
        assert titles(client.get(CHANGELIST, {"decade": "none"})) == {"Undated Almanac"}

    def test_filter_by_embedded(self, client, staff, catalog):
        client.force_login(staff)
        assert titles(client.get(CHANGELIST, {"embedded": "yes"})) == {"Signal Across the Deep"}
        assert "Signal Across the Deep" not in titles(client.get(CHANGELIST, {"embedded": "no"}))

    def test_bulk_deactivate_then_activate(self, client, staff, catalog):
        client.force_login(staff)
        chosen = [catalog["manor"].pk, catalog["orbit"].pk]
        response = client.post(
            CHANGELIST, {"action": "deactivate", "_selected_action": chosen}, follow=True
        )
        assert "2 items deactivated" in response.content.decode()
        assert set(Item.objects.filter(is_active=False).values_list("pk", flat=True)) == set(chosen)

        client.post(CHANGELIST, {"action": "activate", "_selected_action": chosen[:1]})
        assert set(Item.objects.filter(is_active=False).values_list("pk", flat=True)) == {
            catalog["orbit"].pk
        }

    def test_changelist_query_count_does_not_grow_with_items(
        self, client, staff, catalog, django_assert_max_num_queries
    ):
        client.force_login(staff)
        client.get(CHANGELIST)  # warm the session and content types
        for n in range(30):
            make_item(f"Extra {n}", embedding=[0.2] * 384)
        with django_assert_max_num_queries(12):
            assert client.get(CHANGELIST).status_code == 200

    def test_edit_page_shows_embedding_status(self, client, staff, catalog):
        client.force_login(staff)
        page = client.get(
            reverse("admin:catalog_item_change", args=[catalog["orbit"].pk])
        ).content.decode()
        assert "Not embedded yet" in page


@pytest.mark.django_db
class TestEmbeddingAdmin:
    def test_shows_how_many_items_wait(self, client, staff, catalog):
        client.force_login(staff)
        page = client.get(CHANGELIST).content.decode()
        # "contact" has a vector from model "m", not the configured one: outdated.
        assert "4 items wait to be read for recommendations" in page

    def test_status_per_item(self, client, staff, sample_catalog):
        client.force_login(staff)
        Item.objects.filter(external_id="bk-002").update(title="Renamed after embedding")
        response = client.get(CHANGELIST, {"q": "bk-00"})
        statuses = {
            item.external_id: response.context["cl"].model_admin.embedding_state(item)
            for item in response.context["cl"].result_list
        }
        assert statuses["bk-001"] == "current"
        assert statuses["bk-002"] == "outdated"
        assert "1 item waits to be read for recommendations" in response.content.decode()

    def test_reembed_selected_asks_for_exactly_those(self, client, staff, catalog):
        requests = []

        def record(**kwargs):
            requests.append((sorted(kwargs["item_ids"]), kwargs["force"]))

        embeddings_needed.connect(record, dispatch_uid="test-admin-record")
        try:
            client.force_login(staff)
            chosen = sorted([catalog["manor"].pk, catalog["contact"].pk])
            response = client.post(
                CHANGELIST, {"action": "reembed", "_selected_action": chosen}, follow=True
            )
        finally:
            embeddings_needed.disconnect(dispatch_uid="test-admin-record")
        assert "2 items queued for re-embedding" in response.content.decode()
        assert requests == [(chosen, True)]


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def profiles(db):
    """Two people with profiles: "reader" edited twice (revisions 1 and 2), "critic" once."""
    reader, critic = make_user("reader"), make_user("critic", email="critic@example.com")
    profile_write_text(user=reader, text="Likes:\n- Slow-burn first contact", base_revision=0)
    profile_write_text(
        user=reader,
        text="Likes:\n- Courtroom dramas\nAvoids:\n- Gory slasher horror",
        base_revision=1,
    )
    profile_write_text(user=critic, text="Likes:\n- Cozy village mysteries", base_revision=0)
    Profile.objects.filter(user=critic).update(personalised=False)
    return {"reader": reader, "critic": critic}


@pytest.mark.django_db
class TestProfileAdmin:
    def test_lists_every_profile_with_its_statement_count(self, client, staff, profiles):
        client.force_login(staff)
        response = client.get(admin_url(Profile, "changelist"))
        assert response.status_code == 200
        counts = {p.user.username: p.statement_count for p in listed(response)}
        assert counts == {"reader": 2, "critic": 1}

    def test_search_by_username_email_and_statement_text(self, client, staff, profiles):
        client.force_login(staff)
        url = admin_url(Profile, "changelist")
        assert [p.user.username for p in listed(client.get(url, {"q": "reader"}))] == ["reader"]
        assert [p.user.username for p in listed(client.get(url, {"q": "critic@"}))] == ["critic"]
        found = listed(client.get(url, {"q": "courtroom"}))
        assert [p.user.username for p in found] == ["reader"]

    def test_filter_by_personalised(self, client, staff, profiles):
        client.force_login(staff)
        response = client.get(admin_url(Profile, "changelist"), {"personalised__exact": "0"})
        assert [p.user.username for p in listed(response)] == ["critic"]

    def test_shows_the_statements_read_only_and_links_the_revisions(self, client, staff, profiles):
        client.force_login(staff)
        profile = profiles["reader"].profile
        page = client.get(admin_url(Profile, "change", profile.pk)).content.decode()
        assert "Courtroom dramas" in page and "Gory slasher horror" in page
        # Read, not edit: no form fields for statements, no save button.
        assert 'name="statements-0-text"' not in page
        assert 'name="_save"' not in page
        history = admin_url(ProfileRevision, "changelist") + f"?profile__id__exact={profile.pk}"
        assert f'href="{history}"' in page
        assert "2 revisions" in page

    def test_cannot_be_changed_or_deleted_here(self, client, staff, profiles):
        client.force_login(staff)
        profile = profiles["reader"].profile
        assert client.post(admin_url(Profile, "change", profile.pk), {}).status_code == 403
        assert (
            client.post(admin_url(Profile, "delete", profile.pk), {"post": "yes"}).status_code
            == 403
        )
        assert client.get(admin_url(Profile, "add")).status_code == 403
        assert profile.statements.count() == 2

    def test_people_without_staff_access_are_sent_to_login(self, client, owner, profiles):
        client.force_login(owner)
        response = client.get(admin_url(Profile, "changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
class TestProfileRevisionAdmin:
    def test_lists_one_profiles_history_newest_first(self, client, staff, profiles):
        client.force_login(staff)
        profile = profiles["reader"].profile
        response = client.get(
            admin_url(ProfileRevision, "changelist"), {"profile__id__exact": profile.pk}
        )
        assert [r.number for r in listed(response)] == [2, 1]

    def test_search_by_username_and_filter_by_cause(self, client, staff, profiles):
        client.force_login(staff)
        url = admin_url(ProfileRevision, "changelist")
        found = listed(client.get(url, {"q": "critic"}))
        assert [(r.profile.user.username, r.number) for r in found] == [("critic", 1)]
        assert listed(client.get(url, {"cause__exact": "undo"})) == []

    def test_shows_the_statements_of_the_revision(self, client, staff, profiles):
        client.force_login(staff)
        revision = ProfileRevision.objects.get(profile__user=profiles["reader"], number=1)
        page = client.get(admin_url(ProfileRevision, "change", revision.pk)).content.decode()
        assert "Likes: Slow-burn first contact" in page
        assert "Courtroom dramas" not in page

    def test_restore_brings_the_revision_back_as_a_new_one(self, client, staff, profiles):
        client.force_login(staff)
        reader = profiles["reader"]
        first = ProfileRevision.objects.get(profile__user=reader, number=1)
        response = client.post(
            admin_url(ProfileRevision, "changelist"),
            {"action": "restore", "_selected_action": [first.pk]},
            follow=True,
        )
        assert "Restored revision 1 as revision 3 of reader&#x27;s profile." in (
            response.content.decode()
        )
        profile = Profile.objects.get(user=reader)
        assert profile.revision == 3
        assert list(profile.statements.values_list("text", flat=True)) == [
            "Slow-burn first contact"
        ]
        assert ProfileRevision.objects.get(profile=profile, number=3).cause == "undo"
        # The admin's history of the profile says a staff member did it.
        entry = LogEntry.objects.get(object_id=str(profile.pk))
        assert entry.user == staff and "Restored revision 1 as revision 3" in entry.change_message

    def test_restore_takes_exactly_one_revision(self, client, staff, profiles):
        client.force_login(staff)
        both = ProfileRevision.objects.filter(profile__user=profiles["reader"])
        response = client.post(
            admin_url(ProfileRevision, "changelist"),
            {"action": "restore", "_selected_action": [r.pk for r in both]},
            follow=True,
        )
        assert "Select exactly one revision to restore." in response.content.decode()
        assert Profile.objects.get(user=profiles["reader"]).revision == 2

    def test_revisions_are_never_edited_or_deleted(self, client, staff, profiles):
        client.force_login(staff)
        revision = ProfileRevision.objects.filter(profile__user=profiles["reader"]).first()
        url = admin_url(ProfileRevision, "delete", revision.pk)
        assert client.post(url, {"post": "yes"}).status_code == 403
        response = client.post(
            admin_url(ProfileRevision, "changelist"),
            {"action": "delete_selected", "_selected_action": [revision.pk], "post": "yes"},
        )
        assert response.status_code in (200, 302)
        assert ProfileRevision.objects.filter(pk=revision.pk).exists()


@pytest.fixture
def keys(db):
    reader, critic = make_user("reader"), make_user("critic")
    made = {
        "phone": token_create(user=reader, name="Phone app"),
        "script": token_create(user=reader, name="Nightly script"),
        "critic": token_create(user=critic, name="Critic's reader"),
    }
    return {name: {"token": token, "key": key} for name, (token, key) in made.items()}


@pytest.mark.django_db
class TestApiTokenAdmin:
    def test_lists_keys_by_name_and_prefix_never_the_hash(self, client, staff, keys):
        client.force_login(staff)
        response = client.get(admin_url(ApiToken, "changelist"))
        names = {token.name for token in listed(response)}
        assert names == {"Phone app", "Nightly script", "Critic's reader"}
        page = response.content.decode()
        token = keys["phone"]["token"]
        assert f"{token.prefix}…" in page
        change = client.get(admin_url(ApiToken, "change", token.pk)).content.decode()
        for shown in (page, change):
            assert token.key_hash not in shown and keys["phone"]["key"] not in shown
            assert "key_hash" not in shown
        # Nothing to type into: the page is read-only.
        assert 'name="name"' not in change

    def test_search_by_username_and_name(self, client, staff, keys):
        client.force_login(staff)
        url = admin_url(ApiToken, "changelist")
        assert {t.name for t in listed(client.get(url, {"q": "critic"}))} == {"Critic's reader"}
        assert {t.name for t in listed(client.get(url, {"q": "nightly"}))} == {"Nightly script"}

    def test_revoked_keys_no_longer_sign_in(self, client, staff, keys):
        phone, script = keys["phone"], keys["script"]
        assert signed_in_with(phone["key"]).status_code == 200
        client.force_login(staff)
        response = client.post(
            admin_url(ApiToken, "changelist"),
            {"action": "revoke", "_selected_action": [phone["token"].pk, script["token"].pk]},
            follow=True,
        )
        assert "2 API keys revoked." in response.content.decode()
        assert signed_in_with(phone["key"]).status_code == 401
        assert signed_in_with(script["key"]).status_code == 401
        assert signed_in_with(keys["critic"]["key"]).status_code == 200

    def test_delete_from_the_key_page_revokes_it(self, client, staff, keys):
        client.force_login(staff)
        token = keys["critic"]["token"]
        response = client.post(admin_url(ApiToken, "delete", token.pk), {"post": "yes"})
        assert response.status_code == 302
        assert not ApiToken.objects.filter(pk=token.pk).exists()
        assert signed_in_with(keys["critic"]["key"]).status_code == 401

    def test_keys_are_not_made_here(self, client, staff, keys):
        client.force_login(staff)
        assert client.get(admin_url(ApiToken, "add")).status_code == 403


def signed_in_with(key: str):
    return APIClient().get("/api/account/", HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def served(db):
    """Two served lists: one personalised for "reader", one popular-only for "critic"."""
    reader, critic = make_user("reader"), make_user("critic")
    books = [make_item("The Listening Array"), make_item("<b>Marmalade</b> Fete")]
    model = CollaborativeModel.objects.create(algorithm="ease", is_active=True, items=2)
    entries = [
        {"item": books[0].pk, "rank": 1, "score": 1.25, "rationale": "Matches “first contact”."},
        {"item": books[1].pk, "rank": 2, "score": 0.5, "rationale": "Popular with readers."},
    ]
    logs = {
        "reader": RecommendationLog.objects.create(
            user=reader,
            profile_revision=3,
            params={"k": 2, "personalised": True},
            entries=entries,
            model=model,
            milliseconds=41.5,
        ),
        "critic": RecommendationLog.objects.create(
            user=critic,
            profile_revision=0,
            params={"k": 1, "personalised": False},
            entries=entries[1:],
            milliseconds=12.0,
        ),
    }
    return {"logs": logs, "books": books, "model": model}


@pytest.mark.django_db
class TestRecommendationLogAdmin:
    def test_lists_served_lists_with_their_size(self, client, staff, served):
        client.force_login(staff)
        response = client.get(admin_url(RecommendationLog, "changelist"))
        sizes = {log.user.username: len(log.entries) for log in listed(response)}
        assert sizes == {"reader": 2, "critic": 1}

    def test_search_by_username_and_filter_by_personalised_and_model(self, client, staff, served):
        client.force_login(staff)
        url = admin_url(RecommendationLog, "changelist")
        assert [log.user.username for log in listed(client.get(url, {"q": "critic"}))] == ["critic"]
        popular_only = listed(client.get(url, {"personalised": "no"}))
        assert [log.user.username for log in popular_only] == ["critic"]
        ease = listed(client.get(url, {"model__algorithm": "ease"}))
        assert [log.user.username for log in ease] == ["reader"]

    def test_shows_the_list_as_served_with_titles_and_reasons(self, client, staff, served):
        client.force_login(staff)
        log = served["logs"]["reader"]
        page = client.get(admin_url(RecommendationLog, "change", log.pk)).content.decode()
        assert "The Listening Array" in page and "Matches “first contact”." in page
        assert "1.250" in page
        # Titles are text, never markup.
        assert "&lt;b&gt;Marmalade&lt;/b&gt; Fete" in page and "<b>Marmalade</b>" not in page

    def test_is_read_only(self, client, staff, served):
        client.force_login(staff)
        log = served["logs"]["reader"]
        assert client.post(admin_url(RecommendationLog, "change", log.pk), {}).status_code == 403
        url = admin_url(RecommendationLog, "delete", log.pk)
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert RecommendationLog.objects.filter(pk=log.pk).exists()


@pytest.mark.django_db
class TestCollaborativeModelAdmin:
    @pytest.fixture
    def models(self, db):
        return {
            "ease": CollaborativeModel.objects.create(
                algorithm="ease", is_active=True, items=120, params={"lambda": 400.0}
            ),
            "knn": CollaborativeModel.objects.create(algorithm="itemknn", items=9000),
        }

    def test_lists_training_runs_and_filters_by_algorithm_and_active(self, client, staff, models):
        client.force_login(staff)
        url = admin_url(CollaborativeModel, "changelist")
        assert {m.algorithm for m in listed(client.get(url))} == {"ease", "itemknn"}
        assert [m.algorithm for m in listed(client.get(url, {"algorithm__exact": "itemknn"}))] == [
            "itemknn"
        ]
        assert [m.algorithm for m in listed(client.get(url, {"is_active__exact": "1"}))] == ["ease"]
        assert [m.pk for m in listed(client.get(url, {"q": str(models["knn"].pk)}))] == [
            models["knn"].pk
        ]

    def test_shows_the_parameters_read_only(self, client, staff, models):
        client.force_login(staff)
        model = models["ease"]
        page = client.get(admin_url(CollaborativeModel, "change", model.pk)).content.decode()
        assert "&quot;lambda&quot;: 400.0" in page
        assert client.post(admin_url(CollaborativeModel, "change", model.pk), {}).status_code == 403
        url = admin_url(CollaborativeModel, "delete", model.pk)
        assert client.post(url, {"post": "yes"}).status_code == 403
