"""The optional LLM rephrasing, against a local stub of an OpenAI-compatible endpoint."""

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from engine.profiles import MIN_GROUNDING, profile_generate
from profiles.services import profile_drafts, profile_for


class StubLLM:
    """Answers /v1/chat/completions the way it is told to; records each request."""

    def __init__(self) -> None:
        self.mode = "fluent"
        # When set, answers the phrases sent (a list of strings) in place of ``mode``.
        self.answer: Callable[[list[str]], list] | None = None
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                phrases = json.loads(body["messages"][-1]["content"])
                if stub.mode == "slow":
                    time.sleep(3)
                if stub.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                answers = {
                    "fluent": [f"Books with {phrase.lower()}" for phrase in phrases],
                    "off-topic": ["Cheerful gardening and houseplant care"] * len(phrases),
                    "negating": [f"No more {phrase.lower()}" for phrase in phrases],
                    "short": ["Only one answer"],
                }
                if stub.answer is not None:
                    content = json.dumps(stub.answer(phrases))
                elif stub.mode == "garbage":
                    content = "not json at all"
                else:
                    content = json.dumps(answers.get(stub.mode, []))
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": content}}]}
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # the client hung up on a slow answer, as it should

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/chat/completions"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    server = StubLLM()
    with override_settings(
        PROFILE_LLM_URL=server.url,
        PROFILE_LLM_MODEL="stub-model",
        PROFILE_LLM_API_KEY="k",
        PROFILE_LLM_TIMEOUT=1,
    ):
        yield server
    server.close()


def generated_texts(user) -> list[str]:
    return [d.text for d in profile_drafts(profile_for(user))]


@pytest.mark.django_db
class TestRephrasing:
    def grounded_baseline(self, readers):
        with override_settings(PROFILE_LLM_URL=""):
            profile_generate(user_id=readers["alice"].pk)
        return generated_texts(readers["alice"])

    def test_a_rephrasing_grounded_as_well_is_accepted(self, stub, readers):
        with override_settings(PROFILE_LLM_URL=""):
            profile_generate(user_id=readers["alice"].pk)
        baseline = profile_drafts(profile_for(readers["alice"]))
        profile_generate(user_id=readers["alice"].pk)
        drafts = profile_drafts(profile_for(readers["alice"]))
        assert len(drafts) == len(baseline)
        accepted = [d for d in drafts if d.text.startswith("Books with ")]
        assert accepted, "no rephrasing was kept"
        for before, after in zip(baseline, drafts, strict=True):
            if after in accepted:
                assert after.embedded_text == "Books with " + before.embedded_text.lower()
                assert after.grounding >= max(MIN_GROUNDING, before.grounding)
                assert after.evidence == before.evidence
            else:
                assert after.text == before.text
        request = stub.requests[-1]
        assert request["path"] == "/v1/chat/completions"
        assert request["body"]["model"] == "stub-model"
        assert request["auth"] == "Bearer k"

    @pytest.mark.parametrize("mode", ["off-topic", "negating", "short", "garbage", "error", "slow"])
    def test_anything_else_keeps_the_grounded_text(self, stub, readers, mode):
        baseline = self.grounded_baseline(readers)
        stub.mode = mode
        started = time.monotonic()
        profile_generate(user_id=readers["alice"].pk)
        assert generated_texts(readers["alice"]) == baseline
        assert stub.requests, "the endpoint was not asked"
        assert time.monotonic() - started < 10  # a slow endpoint costs its timeout, no more
