"""Every page a person reads speaks their words, not the code's.

A person with a real history (ratings, a profile written from them, every
kind of edit since) visits each page; the text they can see or hear (text
nodes, and the aria-label, title, placeholder and alt a screen reader reads)
must hold none of the project's internal terms. The list is general, not the
examples of one report: names of the model's parts, raw scores and weights,
revision numbers, identifiers from the code.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import Item
from engine.profiles import profile_generate
from profiles.models import Interaction, ProfileRevision
from profiles.services import (
    AddLines,
    AvoidLine,
    ChangeLine,
    DeleteLine,
    ExplainItem,
    ImportProfile,
    ReplaceText,
    RestoreRevision,
    StepStrength,
    interaction_record,
    profile_edit,
    profile_export,
    profile_for,
)
from profiles.services.statements import profile_drafts
from tests.factories import make_user

# What a newcomer should never have to decode. Each is a pattern over the
# visible text, case-insensitive.
INTERNAL_TERMS = {
    "a model quantity": r"\b(grounding|embeddings?|vectors?|cosine|centroids?|clusters?|"
    r"polarity|rationale|fingerprints?|logits?|ndcg|recall@|mrr)\b",
    "a method's name": r"\b(collaborative filtering|knn|k-nn|ease|hnsw|pgvector|bm25|tf-idf)\b",
    "a weight or balance": r"\b(weights?|balance)\b",
    "a raw score or number after a term": r"\b(strength|score|weight|similarity|distance|grounding)"
    r"\s*[:=(]?\s*-?\d",
    "a score assignment": r"\bscores?\s*[=:]",
    "a revision number": r"\brevisions?\s*#?\s*\d",
    "a position or index": r"\b(statement|position|index)\s*#?\d",
    "the matcher's wording": r"\bmatched on\b",
    "the generic cause of a revision": r"\b(by the person|regenerat\w*)\b",
    "the plumbing": r"\b(celery|worker|queue[sd]?|task id|broker)\b",
    "an identifier from the code": r"\b[a-z]+_[a-z_]+\b",
    "a template or Python leak": r"\{\{|\{%|(?-i:\b(None|NaN|nan|True|False)\b)",
}
_TERMS = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in INTERNAL_TERMS.items()]
# Parts of a page that are not prose for a person: code a developer copies,
# and anything the page does not show.
_SKIPPED = {"script", "style", "code", "template", "noscript"}
_READ_ALOUD = ("aria-label", "title", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The text a person sees or a screen reader speaks, one string per node."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in _SKIPPED or "hidden" in attributes:
            if tag not in {"input", "br", "img", "meta", "link"}:
                self._skipping.append(tag)
            return
        if not self._skipping:
            self.parts += [attributes[name] for name in _READ_ALOUD if attributes.get(name)]

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def jargon(text: str) -> list[str]:
    """Every internal term in ``text``, named with what kind it is."""
    found = {
        (name, match.group(0)): text[max(0, match.start() - 40) : match.end() + 40]
        for name, pattern in _TERMS
        for match in pattern.finditer(text)
    }
    return [f"{name}: {term!r} in …{around!r}…" for (name, term), around in found.items()]


class TestTheCheckItself:
    """The check finds what it is for, and leaves plain words alone."""

    @pytest.mark.parametrize(
        "words",
        [
            "Matched on “gore” · strength 0.75 (grounding 0.67)",
            "You are at revision 17.",
            "Edited by the person",
            '<span aria-label="strength 1 of 1"></span>',
            "Nothing yet: this item is still waiting for its embedding.",
            "score=0.43",
            "low_match",
            "Your balance is 0.5",
        ],
    )
    def test_internal_terms_are_found(self, words):
        assert jargon(visible_text(f"<p>{words}</p>"))

    def test_plain_words_and_what_is_not_shown_pass(self):
        html = (
            "<p>Less of “Gory slasher horror”: it now counts a little.</p>"
            '<input type="hidden" name="base_revision" value="3">'
            "<code>Authorization: Token &lt;key&gt;</code>"
            "<script>const weight = 1;</script><span hidden>revision 3</span>"
            '<button aria-label="Go back to your profile as it was on 6 Dec 2026">Go back</button>'
        )
        assert jargon(visible_text(html)) == []


def _person_with_history(readers) -> tuple:
    """Someone who rated, had a profile written, and then changed it every way there is."""
    person = make_user("newcomer", email="newcomer@example.com")
    model = readers["alice"]
    ratings = Interaction.objects.filter(user=model, kind="rating").select_related("item")
    for rating in ratings[:25]:
        interaction_record(user=person, item=rating.item, kind="rating", value=rating.value)
    profile_generate(user_id=person.pk)
    unrated = Item.objects.exclude(interactions__user=person).order_by("pk").first()

    def edit(change):
        return profile_edit(user=person, edit=change, base_revision=profile_for(person).revision)

    text = "\n".join(["Likes:", *(f"- {d.text}" for d in profile_drafts(profile_for(person)))])
    edits = [
        AddLines(likes=("quiet books about the sea",), avoids=("not into gory horror",)),
        StepStrength(0, -1),
        StepStrength(0, 1),
        ChangeLine(0, weight=0.4),
        ChangeLine(0, pinned=True),
        ChangeLine(1, text="slow science fiction"),
        ChangeLine(1, polarity="avoid"),
        AvoidLine(0),
        ExplainItem(unrated.pk, "stories told by the sea"),
        DeleteLine(0),
        ReplaceText(text + "\n- witty courtroom dramas"),
    ]
    changes = [edit(change) for change in edits]
    exported = profile_export(user=person)
    changes.append(edit(ImportProfile("Likes:\n- jazz age novels")))
    changes.append(edit(ImportProfile(exported)))
    changes.append(edit(RestoreRevision(profile_for(person).revision - 1)))
    changes.append(edit(RestoreRevision(2)))
    return person, changes


@pytest.fixture
def person(readers):
    return _person_with_history(readers)


@pytest.mark.django_db
class TestEveryChangeSaysWhatHappened:
    def test_each_kind_of_edit_leaves_a_label_in_plain_words(self, person):
        someone, changes = person
        revisions = ProfileRevision.objects.filter(profile__user=someone).order_by("number")
        labels = [revision.label for revision in revisions]
        assert len(labels) == len(changes) + 1  # and the first, written from the ratings
        assert all(labels), "every revision says what happened"
        for label in labels:
            assert jargon(label) == [], label
        assert any(label.startswith("Less of “") for label in labels)
        assert any(label.startswith("More of “") for label in labels)
        assert any(label.startswith("Undid: ") for label in labels)
        assert any(label.startswith("Back to your profile as it was on ") for label in labels)
        # The same change names the same line, never "Edited by the person" for all.
        assert len(set(labels)) >= len(labels) - 2


@pytest.mark.django_db
class TestPagesSpeakPlainly:
    def test_a_person_with_a_history_reads_no_internal_terms(self, client, person, settings):
        settings.PASSWORD_RESET_ENABLED = True  # the reset pages and email exist
        someone, _ = person
        client.force_login(someone)
        recommended = client.get(reverse("engine:for_you")).context["cards"][0].item
        other = Item.objects.exclude(pk=recommended.pk).order_by("-pk").first()
        pages = {
            "for you": client.get(reverse("engine:for_you")),
            "profile": client.get(reverse("profiles:profile")),
            "profile, older history": client.get(reverse("profiles:profile"), {"history": 2}),
            "recommended item": client.get(reverse("engine:item_detail", args=[recommended.pk])),
            "another item": client.get(reverse("engine:item_detail", args=[other.pk])),
            "why not": client.get(reverse("engine:why_not", args=[other.pk])),
            "catalog": client.get(reverse("engine:item_list")),
            "catalog search": client.get(reverse("engine:item_list"), {"q": "zzzzqqqxx"}),
            "catalog filtered": client.get(
                reverse("engine:item_list"), {"category": "Horror", "year_from": "1990"}
            ),
            "account": client.get(reverse("profiles:account")),
            "new key": client.post(reverse("profiles:token_new"), {"name": "my app"}, follow=True),
            "welcome": client.get(reverse("profiles:welcome")),
            "write it again": client.post(reverse("engine:regeneration_preview")),
            "delete account": client.get(reverse("profiles:account_delete")),
            "password change": client.get(reverse("password_change")),
            "a stale edit": client.post(
                reverse("profiles:edit"), {"text": "Likes:\n- jazz", "base_revision": 0}
            ),
            "less of this, previewed": client.post(
                reverse("engine:steer"),
                {
                    "action": "less",
                    "statement": 0,
                    "preview": 1,
                    "card": recommended.pk,
                    "base_revision": profile_for(someone).revision,
                },
                follow=True,
            ),
        }
        client.logout()
        pages |= {
            "catalog, signed out": client.get(reverse("engine:item_list")),
            "item, signed out": client.get(reverse("engine:item_detail", args=[other.pk])),
            "log in": client.get(reverse("login")),
            "sign up": client.get(reverse("profiles:signup")),
            "password reset": client.get(reverse("password_reset")),
            "reset asked": client.post(
                reverse("password_reset"), {"email": someone.email}, follow=True
            ),
        }
        found = {
            name: jargon(visible_text(response.content.decode()))
            for name, response in pages.items()
        }
        assert all(response.status_code < 500 for response in pages.values())
        assert len(mail.outbox) == 1  # the reset email reads plainly too
        found["reset email"] = jargon(f"{mail.outbox[0].subject}\n{mail.outbox[0].body}")
        problems = [f"{name}: {term}" for name, terms in found.items() for term in terms]
        assert not problems, "\n".join(problems)

    def test_the_history_and_line_notes_use_words_for_numbers(self, client, person):
        someone, _ = person
        client.force_login(someone)
        page = visible_text(client.get(reverse("profiles:profile")).content.decode())
        assert re.search(r"counts (fully|strongly|somewhat|a little|barely)", page)
        assert "Undid: " in page
        assert re.search(r"written (from your ratings|by you)", page)
