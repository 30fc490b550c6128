"""The default broker (recsite.broker: Kombu's filesystem transport, each
message renamed into place): a consumer polling while a producer in another
process writes never takes a half-written message."""

import multiprocessing

import pytest
from kombu import Connection

from recsite import broker

MESSAGES = 40
# Large enough that writing one takes a while: a consumer polling the folder
# in between found Kombu's own transport's file empty (JSONDecodeError).
PAYLOAD = "x" * 4_000_000


def _connection(folder, transport=broker.Transport) -> Connection:
    return Connection(
        "filesystem://localhost//",
        transport=transport,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder.parent / "control"),
        },
    )


def _produce(folder) -> None:
    with _connection(folder) as connection:
        queue = connection.SimpleQueue("work")
        for number in range(MESSAGES):
            queue.put({"number": number, "payload": PAYLOAD})
        queue.close()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "queue").mkdir()
    (tmp_path / "control").mkdir()
    return tmp_path / "queue"


class TestFilesystemBroker:
    def test_a_consumer_polling_during_writes_gets_every_message_whole(self, folder):
        producer = multiprocessing.get_context("spawn").Process(target=_produce, args=(folder,))
        producer.start()
        received = []
        with _connection(folder) as connection:
            queue = connection.SimpleQueue("work")
            while len(received) < MESSAGES:
                message = queue.get(timeout=60)
                received.append(message.payload["number"])
                assert len(message.payload["payload"]) == len(PAYLOAD)
                message.ack()
            queue.close()
        producer.join(timeout=60)
        assert sorted(received) == list(range(MESSAGES))
        assert not list(folder.iterdir())  # nothing left half-written

    def test_the_site_uses_it_for_the_filesystem_broker(self, settings):
        from recsite.celery import app

        if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
            pytest.skip("this run has a broker server")
        with app.connection_for_write() as connection:
            assert isinstance(connection.transport, broker.Transport)

    def test_a_redis_url_still_gets_redis(self):
        from recsite.celery import app

        with app.connection_for_write("redis://127.0.0.1:1/0") as connection:
            assert not isinstance(connection.transport, broker.Transport)
