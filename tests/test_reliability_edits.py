"""Concurrent profile edits: two real clients, the same base revision, one live server.

Both requests are sent at the same instant from two threads over real HTTP,
and the server handles them on two threads with two database connections.
Exactly one wins; the other gets 409 and changes nothing; the winner's edit
is what the profile holds; and the loser, reloading as the 409 tells it to,
saves its edit on top, so no edit is lost.
"""

import threading

import pytest

from profiles.models import Profile, ProfileRevision
from profiles.services import profile_for, token_create
from tests.api import ERROR_SHAPE
from tests.factories import make_user, profile_write_text
from tests.live_http import Browser, api_call

ROUNDS = 3


def at_once(*requests):
    """Run the request functions on their own threads, released together."""
    start = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        start.wait()
        results[index] = request()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def statement_texts(user) -> list[str]:
    profile = Profile.objects.get(user=user)
    return [s.text for s in profile.statements.order_by("position")]


@pytest.fixture
def writer(transactional_db):
    return make_user("writer")


@pytest.fixture
def keys(writer) -> list[str]:
    """Two API keys of one person: a phone app and a laptop script."""
    return [token_create(user=writer, name=name)[1] for name in ("phone", "laptop")]


def put_text(base: str, key: str, text: str, base_revision: int):
    return lambda: api_call(
        base, key, "PUT", "/api/profile/", {"text": text, "base_revision": base_revision}
    )


class TestConcurrentProfileEdits:
    def test_two_api_clients_on_one_revision_one_wins_the_other_gets_409(
        self, live_server, writer, keys
    ):
        base = live_server.url
        # The first round has no profile row yet: both requests also race to create it.
        assert not Profile.objects.filter(user=writer).exists()
        revision = 0
        for round_number in range(ROUNDS):
            texts = [f"Likes:\n- {side} mysteries, round {round_number}" for side in ("a", "b")]
            pairs = zip(keys, texts, strict=True)
            results = at_once(*(put_text(base, key, text, revision) for key, text in pairs))

            statuses = sorted(status for status, _, _ in results)
            assert statuses == [200, 409], results
            winner = next(i for i, (status, _, _) in enumerate(results) if status == 200)
            loser = 1 - winner
            refused = results[loser][1]
            assert set(refused) == ERROR_SHAPE
            assert refused["extra"] == {
                "base_revision": revision,
                "current_revision": revision + 1,
            }
            # The profile holds the winner's edit, as one new revision.
            expected = texts[winner].split("- ")[1]
            assert statement_texts(writer) == [expected]
            assert results[winner][1]["revision"] == revision + 1
            assert ProfileRevision.objects.filter(profile__user=writer).count() == revision + 1

            # The loser reloads and applies its edit again: nothing is lost.
            status, body, _ = put_text(base, keys[loser], texts[loser], revision + 1)()
            assert status == 200, body
            revision += 2
            assert body["revision"] == revision
            history = ProfileRevision.objects.filter(profile__user=writer).order_by("number")
            assert [r.statements[0]["text"] for r in history][-2:] == [
                expected,
                texts[loser].split("- ")[1],
            ]

    def test_the_website_editor_and_an_api_client_race_with_the_same_rule(
        self, live_server, writer, keys
    ):
        base = live_server.url
        profile_write_text(user=writer, text="Likes:\n- sea stories", base_revision=0)
        revision = profile_for(writer).revision
        browser = Browser(base, writer)
        assert browser.request("GET", "/profile/")[0] == 200  # sets the CSRF cookie
        from_page = "Likes:\n- sea stories\n- lighthouse keepers"
        from_app = "Likes:\n- sea stories\nAvoids:\n- shipwrecks"

        page, app = at_once(
            lambda: browser.request(
                "POST", "/profile/edit/", {"text": from_page, "base_revision": revision}
            ),
            put_text(base, keys[0], from_app, revision),
        )

        assert sorted([page[0], app[0]]) == [200, 409]
        assert ProfileRevision.objects.filter(profile__user=writer).count() == revision + 1
        if app[0] == 200:
            assert statement_texts(writer) == ["sea stories", "shipwrecks"]
            # The editor says why and keeps what was typed, for a deliberate retry.
            assert "Your profile changed in the meantime" in page[1]
            assert "lighthouse keepers" in page[1]
        else:
            assert statement_texts(writer) == ["sea stories", "lighthouse keepers"]
            assert app[1]["extra"]["current_revision"] == revision + 1
