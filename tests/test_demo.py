"""The demo that `make demo` runs: sample data, login, worker and web server."""

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
from profiles.models import Interaction
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
