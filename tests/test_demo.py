"""The demo that `make demo` runs: sample data, login, worker and web server."""

import io
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Item
from catalog.services import item_update
from profiles.models import Interaction, ProfileRevision
from recsite.management.commands.load_demo import demo_login
from tests.conftest import PROJECT_DIR, project_env


@pytest.mark.django_db
class TestSampleData:
    def test_sample_catalog_and_users_load(self):
        call_command("load_demo")
        assert Item.objects.count() == 150
        categories = {name for item in Item.objects.all() for name in item.categories}
        assert len(categories) >= 8
        people = set(Interaction.objects.values_list("user__username", flat=True))
        assert len(people) >= 5
        assert Interaction.objects.filter(kind="rating", value__gte=4).count() >= 50

    def test_every_sample_item_is_described_in_one_to_three_sentences(self):
        call_command("load_demo")
        for item in Item.objects.all():
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", item.description.strip()) if s]
            assert 1 <= len(sentences) <= 3, item.external_id
            assert item.tags, item.external_id

    def test_loading_twice_changes_nothing(self):
        call_command("load_demo")
        before = (Item.objects.count(), Interaction.objects.count())
        call_command("load_demo")
        assert (Item.objects.count(), Interaction.objects.count()) == before

    def test_demo_login_opens_the_admin_on_the_sample_catalog(self, client):
        call_command("load_demo")
        assert client.login(username="demo", password="demo")
        response = client.get(reverse("admin:catalog_item_changelist"))
        assert response.status_code == 200
        assert response.context["cl"].result_count == 150


def admin_edit(client, item: Item, **changes) -> None:
    """Change an item through the admin's own form, as a catalog manager would."""
    url = reverse("admin:catalog_item_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.fields[name].prepare_value(form[name].value()) for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data["is_active"] = "on" if item.is_active else ""
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def load_demo_output() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestLoadingAgain:
    """`make demo` on a database that has the demo already: what a person
    changed since the load stays, what is missing comes back."""

    def test_an_item_changed_in_the_admin_keeps_the_change(self, client):
        call_command("load_demo")
        client.login(username="demo", password="demo")
        item = Item.objects.order_by("external_id")[7]
        admin_edit(client, item, title="My own title", description="Rewritten by me.")
        output = load_demo_output()
        item.refresh_from_db()
        assert (item.title, item.description) == ("My own title", "Rewritten by me.")
        assert "1 kept as you changed them (“My own title”)" in output
        assert "0 added" in output

    def test_every_imported_field_counts_as_a_change(self):
        call_command("load_demo")
        changes = {
            "tags": ["mine"],
            "categories": ["Other"],
            "year": 1901,
            "metadata": {"note": "mine"},
            "is_active": False,
        }
        items = list(Item.objects.order_by("external_id")[: len(changes)])
        for item, (field, value) in zip(items, changes.items(), strict=True):
            item_update(item=item, **{field: value})
        call_command("load_demo")
        for item, (field, value) in zip(items, changes.items(), strict=True):
            item.refresh_from_db()
            assert getattr(item, field) == value, field

    def test_a_deleted_item_comes_back_with_its_ratings(self):
        """Deleting is how the admin removes; the sample readers' ratings
        point at the item, so a reload restores it. Hiding it
        (is_active off) is what keeps it out of sight, and survives."""
        call_command("load_demo")
        item = Item.objects.get(external_id="bk-001")
        ratings = Interaction.objects.filter(item=item).count()
        assert ratings
        item.delete()
        output = load_demo_output()
        back = Item.objects.get(external_id="bk-001")
        assert back.title == "The Listening Array"
        assert Interaction.objects.filter(item=back).count() == ratings
        assert "Catalog: 1 added" in output

    def test_items_nobody_changed_follow_the_sample_file(self, tmp_path, settings):
        """An item as it was loaded takes the file's new text (a newer
        version of the sample), so only a person's changes are kept."""
        call_command("load_demo")
        Item.objects.filter(external_id="bk-002").update(description="An older text.")
        item = Item.objects.get(external_id="bk-002")
        # Recorded as loaded with that text: no person changed it since.
        Item.objects.filter(pk=item.pk).update(imported_hash=item.imported_values_hash())
        call_command("load_demo")
        item.refresh_from_db()
        assert item.description != "An older text."

    def test_a_changed_rating_and_a_changed_password_stay(self, client):
        call_command("load_demo")
        rating = Interaction.objects.filter(kind="rating").exclude(user__username="demo").first()
        Interaction.objects.filter(pk=rating.pk).update(value=0.5)
        demo = Interaction.objects.filter(user__username="demo").first().user
        demo.set_password("a better secret")
        demo.save(update_fields=["password"])
        output = load_demo_output()
        rating.refresh_from_db()
        assert rating.value == 0.5
        assert client.login(username="demo", password="a better secret")
        assert "with the password you gave it" in output
        # The running demo's banner says the same, not the old password.
        assert "demo / demo" not in demo_login() and "password you gave it" in demo_login()

    def test_the_demo_accounts_ratings_and_profile_stay_as_the_person_left_them(self):
        from profiles.services import profile_for

        call_command("load_demo")
        demo = Interaction.objects.filter(user__username="demo").first().user
        revisions = ProfileRevision.objects.filter(profile=profile_for(demo)).count()
        kept = Interaction.objects.filter(user=demo).first()
        Interaction.objects.filter(user=demo).exclude(pk=kept.pk).delete()
        output = load_demo_output()
        assert list(Interaction.objects.filter(user=demo)) == [kept]
        assert ProfileRevision.objects.filter(profile=profile_for(demo)).count() == revisions
        assert "ratings and profile are kept" in output

        # Even with every rating gone, the person's choice stands.
        kept.delete()
        call_command("load_demo")
        assert not Interaction.objects.filter(user=demo).exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_demo_serves_the_site_and_ctrl_c_stops_everything():
    call_command("load_demo")
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--port", str(port)],
        cwd=PROJECT_DIR,
        env=project_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        banner = ""
        deadline = time.monotonic() + 90
        while "Ctrl-C stops it" not in banner and time.monotonic() < deadline:
            banner += demo.stdout.readline()
            assert demo.poll() is None, banner
        assert f"http://127.0.0.1:{port}/" in banner and "demo / demo" in banner
        children = psutil.Process(demo.pid).children()
        assert len(children) == 2  # the worker and the web server

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            page = response.read().decode()
        assert "150 items" in page

        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
        gone, alive = psutil.wait_procs(children, timeout=15)
        assert not alive
    finally:
        if demo.poll() is None:
            demo.kill()


@pytest.mark.django_db
def test_the_demo_account_starts_with_ratings_and_a_profile():
    from profiles.services import profile_drafts, profile_for

    call_command("load_demo")
    demo = Interaction.objects.filter(user__username="demo")
    assert demo.filter(kind="rating", value__gte=4).count() >= 10
    drafts = profile_drafts(profile_for(demo.first().user))
    assert sum(1 for d in drafts if d.polarity == "like") >= 2
    assert all(d.origin == "generated" and d.evidence for d in drafts)
