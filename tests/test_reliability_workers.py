"""Reliability of the background work when parts fail: real worker processes,
a real web process and real signals, all on 127.0.0.1.

- A worker killed (SIGKILL) in the middle of an embedding batch: every item
  ends up embedded, each written exactly once, whether the pool process dies
  (its task goes back to the queue: acks_late) or the whole worker does (the
  periodic catch-up finds what is left).
- The broker unreachable from the web process: ratings and profile edits
  still save through the API and the website, pages answer, nothing is a
  500, and nothing waits on the broker; once a worker and beat run again,
  the regeneration that could not be queued is caught up.
- The periodic catch-up itself: who is due a regeneration, that the
  regenerations land in the profiles queue, and that the embedding catch-up
  and embedding tasks never encode the same items at once.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta

import psutil
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Item
from engine import indexing, services, tasks
from engine.profiles import (
    PROFILE_LOCK_SPACE,
    REGENERATE_AFTER,
    profile_generate,
    profile_generation_due,
    users_due_generation,
)
from profiles.models import Interaction, Profile, ProfileRevision
from profiles.services import profile_request_regeneration, token_create
from recsite.metrics import queue_lengths
from tests.conftest import PROJECT_DIR, manage, project_env
from tests.factories import make_interaction, make_item, make_user
from tests.live_http import Browser, api_call
from tests.test_celery_worker import purge_queues, start_worker

# Long enough for a worker to start, load the encoder (5-10 s on a busy
# two-core machine) and do the work; the usual wait is a fraction of it.
WAIT_SECONDS = 90
ITEMS = 24
CHUNK = 4  # EMBEDDING_CHUNK_SIZE for the worker: items written per transaction
# Texts are encoded longest first: item LOCKED sits in the third chunk, so the
# first two chunks (8 items) are written before the worker blocks on it.
LOCKED = 9
WRITTEN_BEFORE_KILL = 2 * CHUNK


def wait_until(condition, what: str, process=None, log=None, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline or (process is not None and process.poll() is not None):
            output = log.read_text() if log else ""
            pytest.fail(f"{what} did not happen in {seconds} s; the process output:\n{output}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """Kill the process and all it started (a worker's pool and beat, runserver's threads).

    A warm shutdown takes seconds on a busy machine and is no part of what
    these tests check.
    """
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def processes():
    """Processes a test starts; whatever is still running is stopped at the end."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        stop(process)


# ---------------------------------------------------------------- killed worker


@pytest.fixture
def write_log(transactional_db):
    """Count every write of an item's vector, in the database itself.

    A trigger logs each UPDATE that sets ``embedding``, in the writing
    transaction: a chunk rolled back when its worker died leaves no entry,
    a vector written twice leaves two.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TABLE test_embedding_writes (item_id bigint NOT NULL);
            CREATE FUNCTION test_log_embedding_write() RETURNS trigger AS $$
            BEGIN
                INSERT INTO test_embedding_writes VALUES (NEW.id);
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER test_embedding_written AFTER UPDATE OF embedding ON catalog_item
                FOR EACH ROW EXECUTE FUNCTION test_log_embedding_write();
            """
        )

    def writes() -> dict[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT item_id, count(*) FROM test_embedding_writes GROUP BY item_id")
            return dict(cursor.fetchall())

    yield writes
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DROP TRIGGER test_embedding_written ON catalog_item;
            DROP FUNCTION test_log_embedding_write();
            DROP TABLE test_embedding_writes;
            """
        )


@pytest.fixture
def batch(write_log) -> list[int]:
    """ITEMS items without vectors, longest text first, and nothing queued yet.

    Created without save() signals: the test queues the one embedding task.
    """
    Item.objects.bulk_create(
        Item(
            external_id=f"batch-{n:02d}",
            title=f"Lighthouse logbook {n:02d}",
            categories=["Sea stories"],
            # Strictly shorter for each n, so the encoding order is known.
            description="storm " * (ITEMS + 2 - n),
        )
        for n in range(ITEMS)
    )
    purge_queues()
    return list(Item.objects.order_by("external_id").values_list("pk", flat=True))


class RowLock:
    """Hold a row lock on one item from another connection, as a slow writer would.

    The worker's chunk that contains this item waits for it, so the worker is
    stopped at a known point of the batch: no timing guesses.
    """

    def __init__(self, item_id: int) -> None:
        self.held = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(item_id,), daemon=True)
        self.thread.start()
        assert self.held.wait(10), "could not lock the item"

    def _hold(self, item_id: int) -> None:
        try:
            with transaction.atomic():
                list(Item.objects.select_for_update().filter(pk=item_id).values_list("pk"))
                self.held.set()
                self.release.wait(WAIT_SECONDS)
        finally:
            connection.close()

    def unlock(self) -> None:
        self.release.set()
        self.thread.join(10)


def worker_blocked_on_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def embedded_count(ids: list[int]) -> int:
    return Item.objects.filter(pk__in=ids).exclude(embedding=None).count()


def kill_mid_batch(batch, write_log, log, processes, *, whole_worker: bool) -> dict[int, int]:
    """Start a worker on the batch, stop it at the locked chunk, SIGKILL it.

    Returns the writes made before the kill.
    """
    lock = RowLock(batch[LOCKED])
    try:
        worker = start_worker(log=log, EMBEDDING_CHUNK_SIZE=str(CHUNK))
        processes.append(worker)
        tasks.items_embed.apply_async(kwargs={"item_ids": batch})
        wait_until(
            lambda: len(write_log()) >= WRITTEN_BEFORE_KILL and worker_blocked_on_lock(),
            "the worker writing its first chunks",
            worker,
            log,
        )
        before = write_log()
        # The batch is part-way: two chunks written, the rest waiting.
        assert sorted(before) == batch[:WRITTEN_BEFORE_KILL]
        if whole_worker:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        else:
            (pool_process,) = psutil.Process(worker.pid).children()
            pool_process.send_signal(signal.SIGKILL)
    finally:
        lock.unlock()
    return before


class TestWorkerKilledMidBatch:
    def test_a_killed_pool_process_hands_its_task_back_and_no_item_is_written_twice(
        self, batch, write_log, processes, tmp_path
    ):
        log = tmp_path / "worker.log"
        before = kill_mid_batch(batch, write_log, log, processes, whole_worker=False)

        # The same worker starts a new pool process, which gets the task back
        # (acknowledged only when done) and embeds only what is left.
        wait_until(lambda: embedded_count(batch) == ITEMS, "embedding the rest", log=log)
        writes = write_log()
        assert writes == dict.fromkeys(batch, 1)
        assert {item_id: writes[item_id] for item_id in before} == before
        assert "WorkerLostError" in log.read_text()
        assert all(
            item.embedding_status(settings.EMBEDDING_MODEL) == "current"
            for item in Item.objects.filter(pk__in=batch)
        )

    def test_a_lost_worker_s_items_are_embedded_by_the_catch_up_once_each(
        self, batch, write_log, processes, tmp_path
    ):
        log = tmp_path / "worker.log"
        kill_mid_batch(batch, write_log, log, processes, whole_worker=True)
        # The whole worker is gone, with the message it held (the filesystem
        # broker keeps no unacknowledged copy; Redis would redeliver after its
        # visibility timeout). Nothing is embedded until a worker runs again.
        time.sleep(1)
        assert embedded_count(batch) == WRITTEN_BEFORE_KILL

        # A new worker with beat: the periodic catch-up finds the rest.
        restarted_log = tmp_path / "restarted.log"
        restarted = start_worker("--beat", log=restarted_log, CATCH_UP_SCHEDULE_SECONDS="2")
        processes.append(restarted)
        wait_until(
            lambda: embedded_count(batch) == ITEMS,
            "the catch-up embedding the rest",
            restarted,
            restarted_log,
        )
        assert write_log() == dict.fromkeys(batch, 1)
        # Beat sent the catch-up (the worker's banner lists every task name,
        # so the name alone would prove nothing).
        assert "Sending due task items-embed-missed" in restarted_log.read_text()


# ---------------------------------------------------------------- broker down


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def web_without_broker(transactional_db, sample_catalog, processes, tmp_path):
    """A live web process whose broker (Redis on a closed 127.0.0.1 port) is unreachable."""
    purge_queues()  # the catalog import queued its embedding; the items have vectors
    port, dead_broker = free_port(), free_port()
    log = tmp_path / "web.log"
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=PROJECT_DIR,
        env=project_env(CELERY_BROKER_URL=f"redis://127.0.0.1:{dead_broker}/0"),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    processes.append(web)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    wait_until(answers, "the web server starting", web, log)
    return base, web, log


class TestBrokerUnreachable:
    def test_writes_save_pages_answer_and_the_regeneration_is_caught_up_later(
        self, web_without_broker, sample_catalog, processes, tmp_path
    ):
        base, web, web_log = web_without_broker
        reader = make_user("reader")
        _, key = token_create(user=reader, name="reliability")
        items = list(sample_catalog.values())[: REGENERATE_AFTER + 1]
        # Searching loads the encoder that profile edits need: its one-off
        # start-up (seconds) is not what this test times.
        assert api_call(base, key, "GET", "/api/items/?q=lighthouse")[0] == 200

        slowest = 0.0
        for item in items[:-1]:
            status, body, seconds = api_call(
                base, key, "POST", "/api/interactions/",
                {"item": item.pk, "kind": "rating", "value": 4.5},
            )  # fmt: skip
            assert status == 201, body
            slowest = max(slowest, seconds)
        status, body, seconds = api_call(base, key, "GET", "/api/profile/")
        assert status == 200
        status, body, seconds = api_call(
            base, key, "PUT", "/api/profile/",
            {"text": "Likes:\n- quiet seaside mysteries", "base_revision": body["revision"]},
        )  # fmt: skip
        assert status == 200, body
        slowest = max(slowest, seconds)

        browser = Browser(base, reader)
        for path in ["/", f"/items/{items[-1].pk}/", "/for-you/", "/profile/"]:
            status, _ = browser.request("GET", path)
            assert status == 200, path
        status, _ = browser.request("POST", f"/items/{items[-1].pk}/reaction/", {"rating": 5})
        assert status == 200
        status, page = browser.request(
            "POST", "/profile/edit/",
            {"text": "Likes:\n- quiet seaside mysteries\n- lighthouse keepers",
             "base_revision": body["revision"]},
        )  # fmt: skip
        assert status == 200 and "lighthouse keepers" in page

        # Everything saved, nothing waited on the broker, and it really was down.
        assert Interaction.objects.filter(user=reader).count() == REGENERATE_AFTER + 1
        profile = Profile.objects.get(user=reader)
        assert [s.text for s in profile.statements.order_by("position")] == [
            "quiet seaside mysteries",
            "lighthouse keepers",
        ]
        assert profile.generated_at is None
        # Here each request takes well under a second; the bound leaves room
        # for a busy machine, not for a request stuck on broker timeouts.
        assert max(slowest, browser.slowest) < 5, "a request waited on the dead broker"
        stop(web)
        output = web_log.read_text()
        # The first send failed; later ones in the pause were not tried.
        assert "could not queue engine.tasks." in output
        assert "engine.tasks.profile_regenerate not queued" in output
        assert not re.search(r'HTTP/1\.1" 5\d\d ', output), "a request failed with a 5xx"

        # The broker is back (this run's own) with a worker and beat: the
        # periodic refresh finds the regeneration nobody could queue.
        log = tmp_path / "worker.log"
        worker = start_worker("--beat", log=log, CATCH_UP_SCHEDULE_SECONDS="2")
        processes.append(worker)
        wait_until(
            lambda: ProfileRevision.objects.filter(
                profile__user=reader, cause=ProfileRevision.Cause.GENERATION
            ).exists(),
            "the caught-up regeneration",
            worker,
            log,
        )
        profile.refresh_from_db()
        assert profile.generated_at is not None
        texts = [s.text for s in profile.statements.order_by("position")]
        assert texts[:2] == ["quiet seaside mysteries", "lighthouse keepers"]  # kept as typed
        assert len(texts) > 2  # and generated lines added from the ratings


class SilentBroker:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a hung broker."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):  # closed at the end of the test
            while True:
                self.held.append(self.server.accept()[0])

    def close(self) -> None:
        for held in [*self.held, self.server]:
            held.close()


SEND_TWICE = """
import time
from engine import tasks
from recsite.queueing import task_send
for _ in range(2):
    started = time.monotonic()
    print("sent", task_send(tasks.profile_regenerate, user_id=1), time.monotonic() - started)
"""


class TestBrokerNeverAnswers:
    def test_one_send_waits_at_most_the_socket_timeout_and_the_next_not_at_all(self):
        broker = SilentBroker()
        try:
            result = manage(
                "shell", "-c", SEND_TWICE, CELERY_BROKER_URL=f"redis://127.0.0.1:{broker.port}/0"
            )
        finally:
            broker.close()
        sends = [line.split() for line in result.stdout.splitlines() if line.startswith("sent")]
        assert [queued for _, queued, _ in sends] == ["False", "False"], result.stderr
        first, second = (float(seconds) for _, _, seconds in sends)
        assert 2.5 < first < 6  # CELERY_BROKER_SOCKET_TIMEOUT is 3 s
        assert second < 0.5  # paused: not tried again
        assert "could not queue engine.tasks.profile_regenerate" in result.stderr


# ---------------------------------------------------------------- "write it again"


class TestRegenerationRequestOutlivesItsTask:
    def test_a_request_lost_with_its_worker_is_written_by_beat_s_catch_up(
        self, transactional_db, sample_catalog, processes, tmp_path
    ):
        reader = make_user("reader")
        # Enough of one kind of book that the generator has something to say.
        liked = sorted(
            (item for item in sample_catalog.values() if "Mystery" in item.categories),
            key=lambda item: item.external_id,
        )[:6]
        for item in liked:
            make_interaction(reader, item, value=5.0)
        # Counted a day ago with no rating since: by the ratings alone, not due.
        Profile.objects.create(
            user=reader,
            generated_at=timezone.now() - timedelta(days=1),
            interactions_at_generation=len(liked),
        )
        assert users_due_generation(limit=10) == []
        purge_queues()

        # Another run holds the person's generation lock: the requested task
        # finds it taken and waits 10 s to try again, its message now held by
        # the worker alone (the filesystem broker keeps no copy).
        log = tmp_path / "worker.log"
        lock = LockHolder("SELECT pg_advisory_lock(%s, %s)", (PROFILE_LOCK_SPACE, reader.pk))
        try:
            worker = start_worker(log=log)
            processes.append(worker)
            profile_request_regeneration(user=reader)
            wait_until(
                lambda: (
                    "retry: Retry in 10s" in log.read_text()
                    and queue_lengths([settings.QUEUE_PROFILES])[settings.QUEUE_PROFILES] == 0
                ),
                "the requested task waiting to retry",
                worker,
                log,
            )
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        finally:
            lock.unlock()
        # The task is gone with its worker; the request is not.
        assert queue_lengths([settings.QUEUE_PROFILES])[settings.QUEUE_PROFILES] == 0
        profile = Profile.objects.get(user=reader)
        assert profile.regeneration_requested_at is not None
        assert not ProfileRevision.objects.filter(profile=profile).exists()

        restarted_log = tmp_path / "restarted.log"
        restarted = start_worker("--beat", log=restarted_log, CATCH_UP_SCHEDULE_SECONDS="2")
        processes.append(restarted)
        wait_until(
            lambda: Profile.objects.filter(pk=profile.pk, regeneration_requested_at=None).exists(),
            "the caught-up regeneration",
            restarted,
            restarted_log,
        )
        assert "Sending due task profiles-refresh-stale" in restarted_log.read_text()
        written = ProfileRevision.objects.get(profile=profile)
        assert written.cause == ProfileRevision.Cause.GENERATION
        evidence = {item for line in written.statements for item in line["evidence"]}
        assert evidence and evidence <= {item.pk for item in liked}


# ---------------------------------------------------------------- catch-up


@pytest.mark.django_db
class TestStaleProfileRefresh:
    def test_finds_people_never_generated_and_those_with_enough_new_signal(self):
        never, fresh, moved_on, idle = (make_user(n) for n in ["never", "fresh", "moved", "idle"])
        make_user("no-ratings")
        items = [make_item() for _ in range(REGENERATE_AFTER + 2)]
        for user in (never, fresh, moved_on):
            for item in items[:2]:
                make_interaction(user, item)
        for item in items[2:]:
            make_interaction(moved_on, item)
        make_interaction(idle, items[0], kind="view")  # a view is not a signal
        now = timezone.now()
        Profile.objects.create(user=fresh, generated_at=now, interactions_at_generation=2)
        Profile.objects.create(
            user=moved_on, generated_at=now - timedelta(days=1), interactions_at_generation=2
        )

        assert users_due_generation(limit=10) == [never.pk, moved_on.pk]
        assert users_due_generation(limit=1) == [never.pk]

    def test_people_who_asked_are_due_first_even_without_new_ratings(self):
        never, asked = make_user("never"), make_user("asked")
        item = make_item()
        make_interaction(never, item)
        make_interaction(asked, item)
        Profile.objects.create(
            user=asked, generated_at=timezone.now(), interactions_at_generation=1
        )
        assert users_due_generation(limit=10) == [never.pk]
        assert not profile_generation_due(user_id=asked.pk)

        profile_request_regeneration(user=asked)

        assert users_due_generation(limit=10) == [asked.pk, never.pk]
        assert profile_generation_due(user_id=asked.pk)

    def test_a_generation_answers_requests_made_before_it_started_and_no_later_one(self):
        reader = make_user("reader")
        profile_request_regeneration(user=reader)
        profile_generate(user_id=reader.pk)
        assert Profile.objects.get(user=reader).regeneration_requested_at is None
        assert users_due_generation(limit=10) == []
        # Asked while the next run was already reading the ratings: still waiting after it.
        while_running = timezone.now() + timedelta(seconds=30)
        Profile.objects.filter(user=reader).update(regeneration_requested_at=while_running)
        profile_generate(user_id=reader.pk)
        assert Profile.objects.get(user=reader).regeneration_requested_at == while_running

    def test_queues_each_due_regeneration_on_the_profiles_queue(self):
        reader = make_user("reader")
        make_interaction(reader, make_item())
        purge_queues()

        assert tasks.profiles_refresh_stale() == 1

        from recsite.celery import app

        with app.connection_for_write() as broker:
            queue = broker.SimpleQueue(settings.QUEUE_PROFILES)
            message = queue.get(timeout=5)
            message.ack()
            assert message.headers["task"] == "engine.tasks.profile_regenerate"
            assert message.payload[1] == {"user_id": reader.pk}
            queue.close()


class LockHolder:
    """An advisory lock (by default the embedding one), held from another session
    as a running task, a catch-up or a profile generator holds it."""

    def __init__(self, sql: str, keys: tuple[int, int] = indexing.EMBED_CATCH_UP_LOCK) -> None:
        self.held = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(sql, keys), daemon=True)
        self.thread.start()
        assert self.held.wait(10), "could not take the lock"

    def _hold(self, sql: str, keys: tuple[int, int]) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, list(keys))
                self.held.set()
                self.release.wait(WAIT_SECONDS)
        finally:
            connection.close()  # and with the session, its lock

    def unlock(self) -> None:
        self.release.set()
        self.thread.join(10)


@pytest.mark.django_db(transaction=True)
class TestCatchUpRunsAlone:
    """The catch-up and embedding tasks never encode the same items at the same time."""

    def test_the_catch_up_waits_for_a_running_task_then_gives_up_its_turn(self):
        task = LockHolder("SELECT pg_advisory_lock_shared(%s, %s)")
        try:
            started = time.monotonic()
            assert indexing.items_embed_catch_up(wait_seconds=0.5) is None
            assert 0.4 < time.monotonic() - started < 5
        finally:
            task.unlock()
        assert indexing.items_embed_catch_up(wait_seconds=0.5) == 0  # nothing pending

    def test_a_task_steps_aside_while_a_catch_up_runs_or_waits(self):
        catch_up = LockHolder("SELECT pg_advisory_lock(%s, %s)")
        try:
            with indexing.embedding_run() as alone:
                assert not alone
        finally:
            catch_up.unlock()
        # A catch-up waiting for a running task keeps newer tasks out too,
        # so a busy queue cannot starve it.
        task = LockHolder("SELECT pg_advisory_lock_shared(%s, %s)")
        waiting = threading.Thread(
            target=lambda: (indexing.items_embed_catch_up(), connection.close())
        )
        try:
            waiting.start()
            wait_until(lambda: worker_blocked_on_lock(), "the catch-up waiting", seconds=10)
            with indexing.embedding_run() as alone:
                assert not alone
        finally:
            task.unlock()
            waiting.join(10)
        with indexing.embedding_run() as alone:
            assert alone


@pytest.mark.django_db
class TestPopularityCatchUp:
    def test_refreshes_only_the_items_whose_counts_no_longer_match(self):
        readers = [make_user(f"reader-{n}") for n in range(3)]
        missed, counted, unrated = make_item(), make_item(), make_item()
        # Saved while the broker was down: nobody counted these.
        make_interaction(readers[0], missed, value=5.0)
        make_interaction(readers[1], missed, value=4.0)
        make_interaction(readers[2], missed, kind="like")
        make_interaction(readers[0], counted, value=3.0)
        services.item_popularity_refresh(item_ids=[counted.pk])

        assert services.items_popularity_stale(limit=10) == [missed.pk]
        assert tasks.items_popularity_catch_up() == 1

        missed.refresh_from_db()
        assert (missed.popularity, missed.rating_mean) == (3, 4.5)
        counted.refresh_from_db()
        assert (counted.popularity, counted.rating_mean) == (1, 3.0)
        unrated.refresh_from_db()
        assert (unrated.popularity, unrated.rating_mean) == (0, None)
        assert tasks.items_popularity_catch_up() == 0

    def test_is_on_beat_s_schedule_with_the_other_catch_ups(self):
        schedule = {
            entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
        }
        for task in ("profiles_refresh_stale", "items_embed_missed", "items_popularity_catch_up"):
            assert schedule[f"engine.tasks.{task}"] == settings.CATCH_UP_SCHEDULE_SECONDS
