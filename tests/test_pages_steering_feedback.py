"""What the pages say back after a reason control or a reaction, and where.

A line weakened out of a card's reason by "Less of this" stays on that card
(marked, with its controls), so "More of this" is still where the person
pressed "Less"; an item page's "Why recommended" follows a like or a dislike
at once instead of contradicting "Why isn't this in my list?".
"""

import re

import pytest
from django.urls import reverse

from profiles.models import Statement
from profiles.services import profile_for
from tests.factories import profile_write_text

FOR_YOU = reverse("engine:for_you")
STEER = reverse("engine:steer")
HTMX = {"HTTP_HX_REQUEST": "true"}
# Three lines whose items overlap: many cards quote two of them.
OVERLAPPING = "Likes:\n- haunted houses\n- ghost stories\n- detective novels"


def card_html(html: str) -> dict[int, str]:
    """Each listed card's markup by its item id."""
    return {
        int(pk): body
        for pk, body in re.findall(
            r'data-testid="recommendation" data-item-id="(\d+)"(.*?)</li>', html, re.S
        )
    }


def controls_of(body: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-testid="line-controls" data-line="(\d+)"', body)}


def quoted_in(body: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-testid="quoted-line" data-line="(\d+)"', body)}


@pytest.fixture
def reader(client, owner, sample_catalog):
    profile_write_text(user=owner, text=OVERLAPPING, base_revision=0)
    client.force_login(owner)
    return owner


class TestAWeakenedLineStaysOnItsCard:
    def test_less_of_this_until_the_line_leaves_the_reason(self, client, reader):
        cards = card_html(client.get(FOR_YOU).content.decode())
        shared = [(pk, sorted(controls_of(body))) for pk, body in cards.items()]
        card, lines = next((pk, lines) for pk, lines in shared if len(lines) > 1)
        line = lines[0]
        faded_seen = False
        for _ in range(4):  # 1.0 -> 0.2, the weakest step
            revision = profile_for(reader).revision
            action = {"action": "less", "statement": line, "base_revision": revision}
            html = client.post(STEER, {**action, "card": card}, **HTMX).content.decode()
            body = card_html(html).get(card)
            if body is None:
                break  # weakened out of the list: the toast's Undo is the way back
            assert line in controls_of(body), "the line acted on keeps its controls on the card"
            if line not in quoted_in(body):
                faded_seen = True
                faded = re.search(r'<div class="line-controls faded".*?</form>', body, re.S)
                assert faded and f'data-line="{line}"' in faded.group(0)
                assert "No longer part of why this is listed" in body
                more = re.search(r'<button[^>]*data-testid="more-of-this"[^>]*>', faded.group(0))
                assert more and "disabled" not in more.group(0)
        assert faded_seen, "weakening a line of two took it out of the card's reason"

        # "More of this" from the faded line works from that card.
        weight = Statement.objects.get(profile__user=reader, position=line).weight
        revision = profile_for(reader).revision
        action = {"action": "more", "statement": line, "base_revision": revision, "card": card}
        assert client.post(STEER, action, **HTMX).status_code == 200
        assert Statement.objects.get(profile__user=reader, position=line).weight > weight

    def test_other_cards_and_other_actions_add_nothing(self, client, reader):
        cards = card_html(client.get(FOR_YOU).content.decode())
        card = next(pk for pk, body in cards.items() if 0 in controls_of(body))
        action = {"action": "delete", "statement": 0, "base_revision": 1, "card": card}
        html = client.post(STEER, action, **HTMX).content.decode()
        assert "No longer part of why this is listed" not in html
        for body in card_html(html).values():
            assert controls_of(body) <= quoted_in(body), "only quoted lines have controls"

    def test_without_javascript_the_page_opens_at_the_card_with_its_line(self, client, reader):
        cards = card_html(client.get(FOR_YOU).content.decode())
        card = next(pk for pk, body in cards.items() if 0 in controls_of(body))
        action = {"action": "less", "statement": 0, "base_revision": 1, "card": card}
        response = client.post(STEER, action)
        assert response.status_code == 302
        assert response["Location"] == f"{FOR_YOU}#rec-{card}"
        page = card_html(client.get(FOR_YOU).content.decode())
        if card in page:
            assert 0 in controls_of(page[card])


class TestTheItemPageFollowsAReaction:
    def test_a_dislike_answers_with_the_reasons_out_of_band(self, client, reader):
        item = next(iter(card_html(client.get(FOR_YOU).content.decode())))
        page = client.get(reverse("engine:item_detail", args=[item])).content.decode()
        assert 'data-testid="why-recommended"' in page
        assert 'data-testid="why-not-button"' not in page, "never both"

        react = reverse("engine:item_react", args=[item])
        answer = client.post(react, {"action": "dislike"}, **HTMX).content.decode()
        assert 'data-testid="item-actions-done"' in answer
        reasons = re.search(r'<div id="item-reasons"[^>]*>', answer)
        assert reasons and 'hx-swap-oob="true"' in reasons.group(0)
        assert 'data-testid="why-recommended"' not in answer
        assert 'data-testid="why-not-button"' in answer

        back = client.post(react, {"action": "dislike"}, **HTMX).content.decode()
        assert 'hx-swap-oob="true"' in back and 'data-testid="why-recommended"' in back

    def test_a_refused_reaction_leaves_the_reasons_as_they_were(self, client, reader):
        item = next(iter(card_html(client.get(FOR_YOU).content.decode())))
        react = reverse("engine:item_react", args=[item])
        answer = client.post(react, {"rating": "9"}, **HTMX)
        assert answer.status_code == 400
        assert 'data-testid="item-actions-error"' in answer.content.decode()
        assert "item-reasons" not in answer.content.decode()
