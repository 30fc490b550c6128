"""A person's data: the export holds all of it, and deleting the account removes all of it.

"All of it" is every row that points at the person, found from the models
themselves: a new model that stores something about a person fails these
tests until the export and the deletion cover it.
"""

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import reverse

from engine.models import RecommendationLog
from profiles.models import ApiToken, Interaction, Profile, ProfileRevision, Statement
from profiles.services import interaction_record
from tests.api import signed_in
from tests.factories import profile_write_text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.make_user's

# Each model that points at a person, and the export's section that holds it.
EXPORTED = {
    "profiles.Interaction": "interactions",
    "profiles.Profile": "profile",
    "profiles.ProfileRevision": "revisions",
    "profiles.ApiToken": "api_tokens",
    "engine.RecommendationLog": "recommendation_logs",
}
# Models that point at a person but are not theirs to download, and why.
NOT_EXPORTED = {
    # What staff did in the admin: the site's audit trail, not the person's data.
    "admin.LogEntry",
    # ProfileRevision.author: the person's own revisions are in "revisions";
    # the column is emptied (SET NULL) when the author's account goes.
}


def person_models() -> set[str]:
    """Every model with a foreign key to the user model (Django's auth tables aside)."""
    user_model = get_user_model()
    found = set()
    for model in apps.get_models():
        if model._meta.app_label in {"auth", "contenttypes", "sessions"}:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                found.add(model._meta.label)
    return found


@pytest.fixture
def person(sample_catalog, owner, other):
    """owner and other, each with ratings, a profile, a key and a served list."""
    for user, items, text in (
        (owner, ("bk-001", "bk-002"), "Likes:\n- first contact"),
        (other, ("bk-050",), "Likes:\n- gory slasher horror"),
    ):
        for external_id in items:
            interaction_record(user=user, item=sample_catalog[external_id], kind="rating", value=5)
        profile_write_text(user=user, text=text, base_revision=0)
        api = signed_in(user)  # makes a key named "tests"
        served = api.get("/api/recommendations/", {"k": 5})
        assert served.status_code == 200
        user.served = [entry["item"]["id"] for entry in served.json()["results"]]
    return owner


class TestExport:
    def test_every_model_about_a_person_is_exported_or_deliberately_not(self):
        assert person_models() == set(EXPORTED) | NOT_EXPORTED

    def test_the_export_holds_every_section_and_only_the_persons_rows(self, person, other):
        body = signed_in(person).get("/api/account/export/").json()
        assert set(EXPORTED.values()) <= set(body)
        assert {i["item"] for i in body["interactions"]} == {"bk-001", "bk-002"}
        assert [s["text"] for s in body["profile"]["statements"]] == ["first contact"]
        assert [r["number"] for r in body["revisions"]] == [1]
        assert [t["name"] for t in body["api_tokens"]] == ["tests", "tests"]
        assert "gory slasher" not in json.dumps(body), "nothing of the other person"
        assert "key_hash" not in json.dumps(body)

    def test_the_export_holds_each_served_list_as_it_was_shown(self, person, sample_catalog):
        body = signed_in(person).get("/api/account/export/").json()
        logs = body["recommendation_logs"]
        assert len(logs) == 1
        log = logs[0]
        assert log["profile_revision"] == 1
        assert log["params"]["k"] == 5
        assert [entry["item"] for entry in log["entries"]] == person.served
        by_id = {item.pk: item for item in sample_catalog.values()}
        for entry in log["entries"]:
            assert entry["title"] == by_id[entry["item"]].title
            assert entry["external_id"] == by_id[entry["item"]].external_id

    def test_the_website_download_matches_the_api(self, person):
        client = Client()
        client.force_login(person)
        page = json.loads(client.get(reverse("profiles:account_export")).content)
        api = signed_in(person).get("/api/account/export/").json()
        for section in EXPORTED.values():
            if section != "api_tokens":  # the API call above made one more key
                assert page[section] == api[section], section


class TestDeletion:
    def rows_of(self, user_id: int, profile_id: int) -> dict[str, int]:
        counts = {}
        user_model = get_user_model()
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                    key = f"{model._meta.label}.{field.name}"
                    counts[key] = model.objects.filter(**{field.attname: user_id}).count()
        counts["profiles.Statement"] = Statement.objects.filter(profile_id=profile_id).count()
        counts["profiles.ProfileRevision"] = ProfileRevision.objects.filter(
            profile_id=profile_id
        ).count()
        return counts

    def test_deleting_through_the_api_removes_every_row_that_points_at_the_person(
        self, person, other
    ):
        profile_id = Profile.objects.get(user=person).pk
        before = self.rows_of(person.pk, profile_id)
        for label in ("Interaction.user", "Profile.user", "ApiToken.user"):
            assert before[f"profiles.{label}"] > 0, label
        assert before["engine.RecommendationLog.user"] == 1
        assert before["profiles.Statement"] == before["profiles.ProfileRevision"] == 1
        others_before = self.rows_of(other.pk, Profile.objects.get(user=other).pk)

        response = signed_in(person).delete("/api/account/", {"password": PASSWORD}, format="json")
        assert response.status_code == 204
        assert set(self.rows_of(person.pk, profile_id).values()) == {0}
        assert not get_user_model().objects.filter(pk=person.pk).exists()
        others_after = self.rows_of(other.pk, Profile.objects.get(user=other).pk)
        assert others_after == others_before, "nothing of the other person went"

    def test_deleting_on_the_website_removes_the_logs_and_keys_too(self, person, other):
        client = Client()
        client.force_login(person)
        response = client.post(reverse("profiles:account_delete"), {"password": PASSWORD})
        assert response.status_code == 302
        assert not RecommendationLog.objects.filter(user_id=person.pk).exists()
        assert not ApiToken.objects.filter(user_id=person.pk).exists()
        assert not Interaction.objects.filter(user_id=person.pk).exists()
        assert RecommendationLog.objects.filter(user=other).count() == 1
