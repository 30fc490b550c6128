"""The reason controls on the website: For you and the item page's "Why recommended".

Each control previews under its card (htmx fragment), then applies: the list
comes back with each item's move and a toast whose Undo takes it back.
"""

import re

import pytest
from django.urls import reverse

from engine.models import CollaborativeModel, ItemNeighbours
from profiles.models import Interaction, Statement
from profiles.services import profile_for
from tests.factories import make_interaction, profile_write_text

FOR_YOU = reverse("engine:for_you")
STEER = reverse("engine:steer")
HTMX = {"HTTP_HX_REQUEST": "true"}
HORROR_AND_MYSTERIES = "Likes:\n- horror\n- mysteries"


def listed_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="recommendation" data-item-id="(\d+)"', html)]


def hidden_fields(form_html: str) -> dict[str, str]:
    """A form's hidden fields, without the CSRF token (the test client needs none)."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form_html))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


@pytest.fixture
def reader(client, owner, sample_catalog):
    profile_write_text(user=owner, text=HORROR_AND_MYSTERIES, base_revision=0)
    client.force_login(owner)
    return owner


@pytest.fixture
def rated(owner, sample_catalog):
    """A book the owner rated 5 whose trained neighbours are five other books:
    their reasons cite it as history."""
    rated = sample_catalog["bk-016"]
    model = CollaborativeModel.objects.create(algorithm="itemknn", is_active=True)
    ItemNeighbours.objects.create(
        model=model,
        item=rated,
        neighbour_ids=[sample_catalog[f"bk-{n}"].pk for n in range(106, 111)],
        scores=[0.9, 0.8, 0.7, 0.6, 0.5],
    )
    make_interaction(owner, rated, "rating", 5.0)
    return rated


def first_card_quoting(html: str, position: int) -> int:
    """The first recommendation whose reason has controls for the line at ``position``."""
    for item_id, card in re.findall(
        r'data-testid="recommendation" data-item-id="(\d+)"(.*?)</li>', html, re.S
    ):
        if f'data-testid="line-controls" data-line="{position}"' in card:
            return int(item_id)
    raise AssertionError(f"no card quotes line {position}")


@pytest.mark.django_db
class TestControlsOnForYou:
    def test_each_quoted_line_has_its_controls_and_strength(self, client, reader):
        page = client.get(FOR_YOU).content.decode()
        card = first_card_quoting(page, 0)
        block = page.split(f'data-item-id="{card}"', 1)[1].split("</li>", 1)[0]
        assert 'data-polarity="like" data-weight="1"' in block
        for test_id in (
            "more-of-this",
            "less-of-this",
            "not-this-avoid",
            "not-this-delete",
            "pin",
            "edit-line",
        ):
            assert f'data-testid="{test_id}"' in block, test_id
        assert block.count('class="pip on"') >= 5
        assert 'value="more" class="small" data-testid="more-of-this" disabled' in block
        assert f'id="steer-{card}"' in block
        assert 'name="base_revision" value="1"' in block

    def test_history_parts_offer_exclusion_and_a_new_rating(self, client, owner, rated):
        profile_for(owner)
        client.force_login(owner)
        page = client.get(FOR_YOU).content.decode()
        assert f'data-testid="history-controls" data-item-id="{rated.pk}"' in page
        assert 'data-testid="exclude-item"' in page and 'data-testid="change-rating"' in page
        # Nothing in the profile matched these: each may say why it is liked.
        assert 'data-testid="say-why"' in page

    def test_line_text_is_escaped_in_the_controls(self, client, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- <b>horror</b> stories", base_revision=0)
        client.force_login(owner)
        page = client.get(FOR_YOU).content.decode()
        assert "<b>horror</b>" not in page
        assert 'value="&lt;b&gt;horror&lt;/b&gt; stories"' in page


@pytest.mark.django_db
class TestPreviewThenApply:
    def test_not_this_reason_previews_what_leaves_then_applies_with_undo(self, client, reader):
        page = client.get(FOR_YOU).content.decode()
        before = listed_ids(page)
        card = first_card_quoting(page, 0)
        action = {"action": "avoid", "statement": 0, "base_revision": 1, "card": card}
        preview = client.post(STEER, {**action, "preview": "1"}, **HTMX)
        assert preview.status_code == 200
        fragment = preview.content.decode()
        assert 'data-testid="steer-preview"' in fragment
        assert "“horror” is now an Avoids line." in fragment
        left = [int(n) for n in re.findall(r'data-change="left" data-item-id="(\d+)"', fragment)]
        assert card in left and set(left) <= set(before)
        assert Statement.objects.get(profile__user=reader, position=0).polarity == "like"
        apply_form = fragment.split('class="steer-apply"', 1)[1]
        fields = hidden_fields(apply_form)
        assert fields["action"] == "avoid" and "preview" not in fields

        applied = client.post(STEER, fields, **HTMX)
        assert applied.status_code == 200
        html = applied.content.decode()
        assert Statement.objects.get(profile__user=reader, text="horror").polarity == "avoid"
        assert not set(listed_ids(html)) & set(left), "what the preview said left, left"
        assert 'data-testid="steer-toast"' in html and 'data-testid="steer-undo"' in html
        assert 'data-testid="move"' in html
        undo = hidden_fields(html.split('data-testid="steer-toast"', 1)[1].split("</form>")[0])
        assert undo == {
            "action": "restore",
            "revision": "1",
            "base_revision": "2",
            "category": "",
            "card": str(card),  # the card acted on: the page keeps it on screen
        }

        restored = client.post(STEER, undo, **HTMX).content.decode()
        assert listed_ids(restored) == before
        assert Statement.objects.get(profile__user=reader, position=0).polarity == "like"
        assert profile_for(reader).revision == 3

    def test_edit_in_place_and_less_of_this(self, client, reader):
        client.post(
            STEER,
            {"action": "edit", "statement": 1, "base_revision": 1, "text": "cozy mysteries"},
            **HTMX,
        )
        assert Statement.objects.get(profile__user=reader, position=1).text == "cozy mysteries"
        html = client.post(
            STEER, {"action": "less", "statement": 0, "base_revision": 2}, **HTMX
        ).content.decode()
        assert "Less of “horror”: it now counts strongly." in html
        assert 'data-polarity="like" data-weight="0.8"' in html

    def test_without_javascript_apply_goes_to_for_you_with_the_toast_once(self, client, reader):
        response = client.post(STEER, {"action": "pin", "statement": 0, "base_revision": 1})
        assert response.status_code == 302 and response["Location"] == FOR_YOU
        page = client.get(FOR_YOU).content.decode()
        assert "“horror” pinned: kept when your profile is written again." in page
        assert 'data-testid="pinned"' in page
        assert 'data-testid="steer-toast"' not in client.get(FOR_YOU).content.decode()

    def test_without_javascript_a_preview_is_shown_on_the_page(self, client, reader):
        response = client.post(
            STEER, {"action": "less", "statement": 0, "base_revision": 1, "preview": "1"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="steer-preview"' in page and 'data-testid="recommendation"' in page
        assert profile_for(reader).revision == 1

    def test_excluding_a_history_item_from_the_page(self, client, owner, sample_catalog):
        rated = sample_catalog["bk-016"]
        make_interaction(owner, rated, "rating", 5.0)
        client.force_login(owner)
        html = client.post(STEER, {"action": "exclude", "item": rated.pk}, **HTMX).content.decode()
        assert "is no longer used for your recommendations" in html
        assert Interaction.objects.get(user=owner, item=rated).excluded

    def test_change_my_rating_inline_from_a_history_reason(self, client, owner, rated):
        profile_for(owner)
        client.force_login(owner)
        controls = f'data-testid="history-controls" data-item-id="{rated.pk}"'
        assert controls in client.get(FOR_YOU).content.decode()
        html = client.post(
            STEER, {"action": "rate", "item": rated.pk, "value": "2"}, **HTMX
        ).content.decode()
        assert Interaction.objects.get(user=owner, item=rated).value == 2.0
        assert f"You rated {rated.title} 2." in html
        # Two stars is no longer a reason to recommend its neighbours.
        assert controls not in html
        undo = hidden_fields(html.split('data-testid="steer-toast"', 1)[1].split("</form>")[0])
        assert undo == {
            "action": "rate",
            "item": str(rated.pk),
            "value": "5.0",
            "category": "",
            "card": "",
        }

    def test_say_why_you_like_an_unmatched_item(self, client, owner, sample_catalog):
        client.force_login(owner)
        page = client.get(FOR_YOU).content.decode()
        unmatched = int(
            re.search(r'id="why-(\d+)"', page).group(1)  # the first "say why" field
        )
        html = client.post(
            STEER,
            {"action": "explain", "item": unmatched, "text": "quiet stories", "base_revision": 0},
            **HTMX,
        ).content.decode()
        statement = Statement.objects.get(profile__user=owner)
        assert (statement.text, statement.polarity) == ("quiet stories", "like")
        assert list(statement.evidence.values_list("pk", flat=True)) == [unmatched]
        assert "Added “quiet stories”" in html
        assert 'data-testid="line-controls" data-line="0"' in html, "the new line has controls"


@pytest.mark.django_db
class TestProblems:
    @pytest.mark.parametrize(
        "fields, status, words",
        [
            (
                {"action": "less", "statement": 0, "base_revision": 0},
                409,
                "changed in the meantime",
            ),
            (
                {"action": "less", "statement": 9, "base_revision": 1},
                404,
                "not in your profile any more",
            ),
            ({"action": "fly", "statement": 0, "base_revision": 1}, 400, "out of date"),
            ({"action": "less", "base_revision": 1}, 400, "statement is required"),
            ({"action": "edit", "statement": 0, "base_revision": 1, "text": " "}, 400, "empty"),
            ({"action": "less", "statement": "x", "base_revision": 1}, 400, "out of date"),
        ],
    )
    def test_a_bad_action_answers_where_the_preview_shows(
        self, client, reader, fields, status, words
    ):
        response = client.post(STEER, {**fields, "card": 5, "preview": "1"}, **HTMX)
        assert response.status_code == status
        assert response["HX-Retarget"] == "#steer-5"
        html = response.content.decode()
        assert 'data-testid="steer-error"' in html and words in html

    def test_needs_a_login_and_a_post(self, client, sample_catalog):
        response = client.post(STEER, {"action": "less"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
class TestItemPage:
    def test_a_recommended_item_says_why_with_the_same_controls(self, client, reader):
        card = first_card_quoting(client.get(FOR_YOU).content.decode(), 0)
        page = client.get(reverse("engine:item_detail", args=[card])).content.decode()
        assert 'data-testid="why-recommended"' in page
        assert 'data-testid="line-controls" data-line="0"' in page
        assert 'name="origin" value="item"' in page

    def test_applying_from_the_item_page_goes_to_for_you(self, client, reader):
        response = client.post(
            STEER,
            {"action": "less", "statement": 0, "base_revision": 1, "origin": "item"},
            **HTMX,
        )
        assert response.status_code == 200 and response["HX-Redirect"] == FOR_YOU
        assert "Less of “horror”" in client.get(FOR_YOU).content.decode()

    def test_an_item_already_rated_has_no_why_recommended(self, client, reader, sample_catalog):
        rated = sample_catalog["bk-050"]
        make_interaction(reader, rated, "rating", 2.0)
        page = client.get(reverse("engine:item_detail", args=[rated.pk])).content.decode()
        assert 'data-testid="why-recommended"' not in page
        assert 'data-testid="item-actions"' in page
