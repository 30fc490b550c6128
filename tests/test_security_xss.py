"""Stored and reflected markup is shown as text on every page: website, admin, rationale.

Markup is planted in every field a person or a catalog manager can fill: an
item's title, description, categories, tags and metadata (keys and values),
a profile line, an API key's name, a search query. Then every page that can
show them is fetched as the person or as staff. On each page no payload
appears as markup (the raw ``<script>``/``<img onerror>`` text) and the
fields the page shows appear escaped, that is, as the characters typed.

Each payload names its field, so a failure says which field leaked where.
The browser half (payloads that would run) is in tests/test_browser_security.py.
"""

import json
import re
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from catalog.models import Item
from engine.indexing import items_pending_embedding, store_vectors
from engine.models import CollaborativeModel, ItemNeighbours
from profiles.models import Interaction
from profiles.services import interaction_record, token_create
from tests.factories import make_item, make_user, profile_write_text

pytestmark = pytest.mark.django_db


def payload(field: str) -> str:
    """Markup that would run if shown unescaped: breaks out of an attribute, then scripts."""
    return f"\"'><script>xss('{field}')</script><img src=x onerror=xss('{field}')>"


TITLE = payload("title") + " Murder at the Marmalade Fete"
DESCRIPTION = "A village fete. " + payload("description")
CATEGORY = payload("category")
TAG = payload("tag")
META_KEY = payload("metadata key")
META_VALUE = payload("metadata value")
LINE = payload("line") + " cozy village mysteries"
TOKEN_NAME = payload("key name")
QUERY = payload("query") + " marmalade"
EVERY_PAYLOAD = [TITLE, DESCRIPTION, CATEGORY, TAG, META_KEY, META_VALUE, LINE, TOKEN_NAME, QUERY]
# What any unescaped payload would leave in the page, whichever part leaked.
MARKUP = re.compile(r"<script>xss\(|<img src=x", re.IGNORECASE)


@pytest.fixture
def world(sample_catalog):
    """A planted item (recommended to the reader by a planted line) and a staff member."""
    item = make_item(
        TITLE,
        description=DESCRIPTION,
        categories=["Mystery", CATEGORY],
        tags=["village", TAG],
        metadata={"author": META_VALUE, META_KEY: "x"},
    )
    # Its vector is a cozy mystery's, so the reader's line finds it.
    vector = Item.objects.values_list("embedding", flat=True).get(pk=sample_catalog["bk-016"].pk)
    store_vectors(items_pending_embedding(item_ids=[item.pk]), [vector])
    reader = make_user("reader")
    profile_write_text(user=reader, text=f"Likes:\n- {LINE}", base_revision=0)
    token_create(user=reader, name=TOKEN_NAME)
    staff = make_user("manager", is_staff=True, is_superuser=True)
    # An interaction with the planted item, for the admin's interaction list.
    interaction_record(user=staff, item=item, kind="like")
    return {"item": item, "reader": reader, "staff": staff, "neighbour": sample_catalog["bk-016"]}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_shown_as_text(page: str, *shown: str, where: str) -> None:
    """No payload is markup in ``page``; each of ``shown`` is there, escaped."""
    leaked = MARKUP.findall(page)
    assert not leaked, f"{where}: markup {leaked[:3]} in the page"
    for text in EVERY_PAYLOAD:
        assert text not in page, f"{where}: {text!r} unescaped"
    for text in shown:
        assert escape(text) in page, f"{where}: {text!r} not shown as text"


def html(response, where: str) -> str:
    assert response.status_code == 200, (where, response.status_code)
    assert response["Content-Type"].startswith("text/html"), where
    return response.content.decode()


class TestWebsite:
    def test_the_catalog_and_search_show_item_fields_and_the_query_as_text(self, world):
        client = client_for(world["reader"])
        pages = {
            "/": (TITLE,),
            "/?" + _query(q=QUERY): (TITLE, QUERY),
            "/?" + _query(category=CATEGORY): (TITLE, CATEGORY),
        }
        for url, shown in pages.items():
            assert_shown_as_text(html(client.get(url), url), *shown, where=url)

    def test_the_item_page_shows_every_field_as_text(self, world):
        url = reverse("engine:item_detail", args=[world["item"].pk])
        for who, client in (("visitor", Client()), ("reader", client_for(world["reader"]))):
            page = html(client.get(url), f"{url} as {who}")
            assert_shown_as_text(page, TITLE, DESCRIPTION, CATEGORY, TAG, where=f"{url} ({who})")
            assert f"<title>{escape(TITLE)}" in page

    def test_more_like_this_and_why_not_show_the_title_as_text(self, world):
        client = client_for(world["reader"])
        url = reverse("engine:item_detail", args=[world["neighbour"].pk])
        assert_shown_as_text(html(client.get(url), url), TITLE, where=url)
        url = reverse("engine:why_not", args=[world["item"].pk])
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            assert_shown_as_text(html(client.get(url, **headers), url), where=url)

    def test_for_you_quotes_the_line_and_names_the_item_as_text(self, world):
        page = html(client_for(world["reader"]).get(reverse("engine:for_you")), "for you")
        assert_shown_as_text(page, TITLE, f"“{LINE}”", where="/for-you/")
        # The rationale is the sentence that quotes the line.
        rationale = re.search(r'data-testid="rationale">(.*?)</p>', page, re.S)[1]
        assert escape(LINE) in rationale

    def test_the_history_part_of_a_reason_names_a_rated_item_as_text(self, world, sample_catalog):
        """ "Similar to <title>, which you rated 5": the rated item's title, escaped."""
        rater = make_user("rater")
        model = CollaborativeModel.objects.create(algorithm="itemknn", is_active=True)
        travel = [sample_catalog[f"bk-{n}"] for n in range(106, 111)]
        ItemNeighbours.objects.create(
            model=model,
            item=world["item"],
            neighbour_ids=[item.pk for item in travel],
            scores=[0.9, 0.8, 0.7, 0.6, 0.5],
        )
        interaction_record(user=rater, item=world["item"], kind="rating", value=5)
        client = client_for(rater)
        client.post(reverse("engine:for_you_controls"), {"personalised": "on", "balance": "0"})
        page = html(client.get(reverse("engine:for_you")), "for you")
        assert_shown_as_text(page, TITLE, where="/for-you/ (history)")
        rationales = re.findall(r'data-testid="rationale">(.*?)</p>', page, re.S)
        assert any(escape(TITLE) in rationale for rationale in rationales)

    def test_the_profile_page_and_its_live_preview_show_lines_and_titles_as_text(self, world):
        client = client_for(world["reader"])
        page = html(client.get(reverse("profiles:profile")), "/profile/")
        assert_shown_as_text(page, LINE, where="/profile/")
        fragment = html(
            client.post(
                reverse("engine:profile_preview"),
                {"text": f"Likes:\n- {LINE}\n- village fete marmalade"},
                HTTP_HX_REQUEST="true",
            ),
            "preview",
        )
        assert_shown_as_text(fragment, TITLE, where="/profile/preview/")

    def test_the_account_page_shows_a_key_name_as_text(self, world):
        page = html(client_for(world["reader"]).get(reverse("profiles:account")), "/account/")
        assert_shown_as_text(page, TOKEN_NAME, where="/account/")

    def test_the_browsable_api_shows_item_fields_lines_and_key_names_as_text(self, world):
        """DRF answers a browser (Accept: text/html) with a page of the JSON."""
        client = client_for(world["staff"])
        reader = client_for(world["reader"])
        pages = [
            (client, f"/api/items/{world['item'].pk}/"),
            (client, "/api/items/?" + _query(q=QUERY)),
            (reader, "/api/profile/"),
            (reader, "/api/account/tokens/"),
            (reader, "/api/recommendations/"),
        ]
        for who, url in pages:
            page = html(who.get(url, HTTP_ACCEPT="text/html"), url)
            assert_shown_as_text(page, where=f"{url} (browsable API)")
            # The payload is there, as text (inside JSON, so its quotes are escaped twice).
            assert "&lt;script&gt;xss(" in page, url

    def test_downloads_are_never_served_as_a_page(self, world):
        client = client_for(world["reader"])
        for url, kind in (
            (reverse("profiles:export", args=["txt"]), "text/plain"),
            (reverse("profiles:export", args=["json"]), "application/json"),
            (reverse("profiles:account_export"), "application/json"),
        ):
            response = client.get(url)
            assert response["Content-Type"].startswith(kind), url
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert response["Content-Disposition"].startswith("attachment"), url


class TestAdmin:
    def test_every_admin_list_and_the_item_form_show_stored_text_as_text(self, world):
        client = client_for(world["staff"])
        item = world["item"]
        pages = {
            reverse("admin:catalog_item_changelist"): (TITLE, CATEGORY),
            reverse("admin:catalog_item_changelist") + "?" + _query(q=QUERY): (QUERY,),
            reverse("admin:catalog_item_changelist") + "?" + _query(category=CATEGORY): (TITLE,),
            reverse("admin:catalog_item_change", args=[item.pk]): (TITLE, DESCRIPTION, TAG),
            reverse("admin:profiles_interaction_changelist"): (TITLE,),
        }
        # Every model the admin lists, so a model registered later is covered too.
        for model in admin.site._registry:
            meta = model._meta
            pages.setdefault(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), ())
        for url, shown in pages.items():
            assert_shown_as_text(html(client.get(url), url), *shown, where=url)

    def test_metadata_is_shown_as_json_text_in_the_item_form(self, world):
        url = reverse("admin:catalog_item_change", args=[world["item"].pk])
        page = html(client_for(world["staff"]).get(url), url)
        for text in (META_KEY, META_VALUE):
            assert escape(json.dumps(text, ensure_ascii=False)[1:-1]) in page

    def test_the_interaction_form_names_the_item_as_text(self, world):
        interaction = Interaction.objects.get(user=world["staff"])
        url = reverse("admin:profiles_interaction_change", args=[interaction.pk])
        assert_shown_as_text(html(client_for(world["staff"]).get(url), url), where=url)


def _query(**params: str) -> str:
    return urlencode(params)
