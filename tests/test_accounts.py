"""Interactions one at a time, API keys, and the account's data (export, deletion)."""

import pytest

from profiles.models import ApiToken, Interaction, Profile, ProfileRevision, Statement
from profiles.services import (
    MAX_TOKENS,
    ChangeLine,
    DeleteLine,
    ProfileConflict,
    account_delete,
    account_export,
    interaction_delete,
    interaction_record,
    profile_edit,
    profile_for,
    token_create,
    token_revoke,
)
from recsite.errors import ApplicationError
from tests.factories import make_item, profile_write_text

pytestmark = pytest.mark.django_db


def kinds(user, item) -> dict[str, float | None]:
    return dict(Interaction.objects.filter(user=user, item=item).values_list("kind", "value"))


class TestInteractionRecord:
    def test_rating_again_replaces_the_rating(self, owner):
        item = make_item()
        interaction_record(user=owner, item=item, kind="rating", value=3)
        interaction_record(user=owner, item=item, kind="rating", value=4.5)
        assert kinds(owner, item) == {"rating": 4.5}

    def test_a_like_withdraws_a_dislike_but_keeps_the_rating(self, owner):
        item = make_item()
        interaction_record(user=owner, item=item, kind="rating", value=2)
        interaction_record(user=owner, item=item, kind="dislike")
        interaction_record(user=owner, item=item, kind="like")
        assert kinds(owner, item) == {"rating": 2, "like": None}

    @pytest.mark.parametrize(
        ("kind", "value", "field"),
        [
            ("rating", None, "value"),
            ("rating", 5.5, "value"),
            ("rating", 3.3, "value"),
            ("like", 4, "value"),
            ("adore", None, "kind"),
        ],
    )
    def test_bad_input_names_its_field_and_writes_nothing(self, owner, kind, value, field):
        item = make_item()
        with pytest.raises(ApplicationError) as error:
            interaction_record(user=owner, item=item, kind=kind, value=value)
        assert error.value.extra["field"] == field
        assert not Interaction.objects.exists()

    def test_an_inactive_item_cannot_be_rated(self, owner):
        with pytest.raises(ApplicationError):
            interaction_record(user=owner, item=make_item(is_active=False), kind="like")

    def test_only_your_own_interaction_can_be_deleted(self, owner, other):
        interaction = interaction_record(user=owner, item=make_item(), kind="like")
        with pytest.raises(ApplicationError) as error:
            interaction_delete(user=other, interaction_id=interaction.pk)
        assert error.value.status_code == 404
        interaction_delete(user=owner, interaction_id=interaction.pk)
        assert not Interaction.objects.exists()


class TestApiTokens:
    url = "/api/recommendations/"

    def test_a_key_authenticates_its_owner_and_only_its_hash_is_stored(self, client, owner):
        token, key = token_create(user=owner, name="phone app")
        assert key not in str(ApiToken.objects.values_list().get())
        assert token.prefix == key[:8]
        response = client.get(self.url, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_a_revoked_or_wrong_key_is_refused_with_401(self, client, owner):
        token, key = token_create(user=owner, name="old")
        token_revoke(user=owner, token_id=token.pk)
        for header in (f"Token {key}", "Token nonsense", "Token two parts", "Token ñ"):
            response = client.get(self.url, HTTP_AUTHORIZATION=header)
            assert response.status_code == 401, header
            assert set(response.json()) == {"message", "extra"}

    def test_nobody_revokes_someone_elses_key(self, owner, other):
        token, _ = token_create(user=owner, name="mine")
        with pytest.raises(ApplicationError) as error:
            token_revoke(user=other, token_id=token.pk)
        assert error.value.status_code == 404
        assert ApiToken.objects.filter(pk=token.pk).exists()

    def test_keys_need_a_name_and_are_limited_in_number(self, owner):
        with pytest.raises(ApplicationError):
            token_create(user=owner, name="  ")
        for number in range(MAX_TOKENS):
            token_create(user=owner, name=f"key {number}")
        with pytest.raises(ApplicationError):
            token_create(user=owner, name="one too many")

    def test_a_deactivated_account_keys_stop_working(self, client, owner):
        _, key = token_create(user=owner, name="app")
        owner.is_active = False
        owner.save(update_fields=["is_active"])
        assert client.get(self.url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


class TestAccountData:
    def fill(self, user):
        item = make_item(title="Dune")
        interaction_record(user=user, item=item, kind="rating", value=5)
        profile_write_text(user=user, text="Likes:\n- desert planets", base_revision=0)
        token_create(user=user, name="tablet")

    def test_export_holds_interactions_profile_revisions_and_keys(self, owner):
        self.fill(owner)
        data = account_export(user=owner)
        assert data["account"]["username"] == "owner"
        assert [(i["title"], i["value"]) for i in data["interactions"]] == [("Dune", 5)]
        assert data["profile"]["statements"][0]["text"] == "desert planets"
        assert [r["number"] for r in data["revisions"]] == [1]
        assert [t["name"] for t in data["api_tokens"]] == ["tablet"]
        assert "key_hash" not in str(data)

    def test_deleting_the_account_removes_everything_that_is_theirs(self, owner, other):
        self.fill(owner)
        self.fill(other)
        account_delete(user=owner)
        for model in (Interaction, ApiToken):
            assert not model.objects.filter(user__username="owner").exists()
        assert not Profile.objects.filter(user__username="owner").exists()
        assert Statement.objects.count() == 1 and ProfileRevision.objects.count() == 1
        assert profile_for(other).revision == 1


class TestOneStatement:
    def setup(self, user):
        profile_write_text(user=user, text="Likes:\n- sea stories\n- maps", base_revision=0)

    def test_new_words_are_parsed_in_the_lines_section(self, owner):
        self.setup(owner)
        revision = profile_edit(
            user=owner, edit=ChangeLine(1, text="not into maps anymore"), base_revision=1
        ).revision
        assert revision.number == 2
        line = Statement.objects.get(profile__user=owner, position=1)
        # "anymore" says when, not what: it comes off the words.
        assert (line.polarity, line.embedded_text) == ("avoid", "maps")

    def test_strength_and_pin_change_only_themselves(self, owner):
        self.setup(owner)
        profile_edit(user=owner, edit=ChangeLine(0, weight=0.4, pinned=True), base_revision=1)
        line = Statement.objects.get(profile__user=owner, position=0)
        assert (line.text, line.weight, line.pinned) == ("sea stories", 0.4, True)

    def test_a_stale_revision_is_a_conflict(self, owner):
        self.setup(owner)
        profile_edit(user=owner, edit=DeleteLine(0), base_revision=1)
        with pytest.raises(ProfileConflict):
            profile_edit(user=owner, edit=ChangeLine(0, weight=0.2), base_revision=1)
        assert [s.text for s in Statement.objects.filter(profile__user=owner)] == ["maps"]

    @pytest.mark.parametrize(
        "change", [{"position": 5}, {"weight": 2}, {"polarity": "love"}, {"text": "a\nb"}]
    )
    def test_bad_changes_are_refused(self, owner, change):
        self.setup(owner)
        with pytest.raises(ApplicationError):
            profile_edit(user=owner, edit=ChangeLine(**{"position": 0, **change}), base_revision=1)
        assert profile_for(owner).revision == 1
