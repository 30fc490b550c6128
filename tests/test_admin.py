import pytest
from django.urls import reverse

from catalog.models import Item
from catalog.signals import embeddings_needed
from tests.factories import make_item

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
        assert "4 items wait for an embedding" in page

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
        assert "1 item waits for an embedding" in response.content.decode()

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
