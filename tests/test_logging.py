"""Every request has an id: in the X-Request-ID answer header, in each of its log lines."""

import io
import json
import logging
import re
import sys

import pytest
from celery import shared_task

from recsite.logs import JsonFormatter, RequestIdFilter, current_request_id


@pytest.fixture
def json_lines():
    """What the production handler writes for the request logger, as parsed JSON objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("recsite.requests")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.mark.django_db
class TestRequestIds:
    def test_a_new_id_is_made_and_returned(self, client):
        first = client.get("/health/live")["X-Request-ID"]
        second = client.get("/health/live")["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", first)
        assert first != second

    def test_the_proxys_id_is_kept(self, client):
        response = client.get("/health/live", HTTP_X_REQUEST_ID="lb-7f3a.42")
        assert response["X-Request-ID"] == "lb-7f3a.42"

    def test_an_id_that_could_forge_log_lines_is_replaced(self, client):
        response = client.get("/health/live", HTTP_X_REQUEST_ID='x" level=ERROR\nforged')
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])

    def test_each_request_logs_one_json_line_with_its_id(self, client, json_lines):
        client.get("/health/live", HTTP_X_REQUEST_ID="req-1")
        client.get("/no/such/page/", HTTP_X_REQUEST_ID="req-2")
        lines = [line for line in json_lines() if line["logger"] == "recsite.requests"]
        assert [(line["request_id"], line["path"], line["status"]) for line in lines] == [
            ("req-1", "/health/live", 200),
            ("req-2", "/no/such/page/", 404),
        ]
        assert lines[0]["message"].startswith("GET /health/live 200 ")
        assert lines[0]["level"] == "INFO" and lines[0]["duration_ms"] >= 0

    def test_the_id_is_gone_once_the_request_ends(self, client):
        client.get("/health/live", HTTP_X_REQUEST_ID="req-3")
        assert current_request_id.get() == "-"


@shared_task(name="tests.test_logging.log_a_line")
def log_a_line() -> None:
    logging.getLogger("recsite.requests").info("inside a task")


class TestTaskIds:
    def test_a_line_logged_in_a_task_carries_its_task_id(self, json_lines):
        result = log_a_line.apply(task_id="task-42")
        assert result.successful()
        lines = [line for line in json_lines() if line["message"] == "inside a task"]
        assert [(line["task_id"], line["request_id"]) for line in lines] == [("task-42", "-")]

    def test_outside_a_task_there_is_no_task_id(self, json_lines):
        logging.getLogger("recsite.requests").info("no task here")
        assert "task_id" not in json_lines()[-1]


class TestJsonFormatter:
    def test_writes_one_object_with_the_message_extras_and_exception(self):
        record = logging.LogRecord(
            "engine.recommend", logging.ERROR, __file__, 1, "list for %s failed", ("ann",), None
        )
        try:
            raise ValueError("no vectors")
        except ValueError:
            record.exc_info = sys.exc_info()
        record.user_id = 7
        token = current_request_id.set("req-9")
        try:
            RequestIdFilter().filter(record)
        finally:
            current_request_id.reset(token)
        line = JsonFormatter().format(record)
        assert "\n" not in line
        entry = json.loads(line)
        assert entry["message"] == "list for ann failed"
        assert entry["level"] == "ERROR" and entry["logger"] == "engine.recommend"
        assert entry["request_id"] == "req-9" and entry["user_id"] == 7
        assert "ValueError: no vectors" in entry["exception"]
        assert entry["time"].endswith("+00:00")

    def test_outside_a_request_the_id_is_a_dash(self):
        record = logging.LogRecord("celery", logging.INFO, __file__, 1, "ready", (), None)
        RequestIdFilter().filter(record)
        assert json.loads(JsonFormatter().format(record))["request_id"] == "-"
