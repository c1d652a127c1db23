"""The chat extractor against a stub OpenAI-compatible server on loopback (no network)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from kg.curation import load_entities
from kg.errors import KgError
from kg.extract.llm import ChatExtractor

ENTITIES = Path(__file__).resolve().parents[1] / "data" / "entities.yaml"
TEXT = "The yen fell sharply because of U.S. tariffs, traders said."
ANSWER = {"claims": [
    {"cause": "U.S. tariffs", "effect": "The yen fell sharply", "signal": "because of",
     "relation": "decreases", "modality": "reported", "confidence": 0.9},
    {"cause": "words not in the text", "effect": "The yen", "signal": "because of",
     "relation": "causes", "modality": "asserted", "confidence": 0.9},
]}  # fmt: skip


class Stub(BaseHTTPRequestHandler):
    seen: ClassVar[list] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Stub.seen.append((self.path, body))
        reply = {"choices": [{"message": {"content": json.dumps(ANSWER)}}]}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/v1"
    httpd.shutdown()


def test_chat_extractor_anchors_quotes_and_drops_invented_words(server):
    extractor = ChatExtractor(load_entities(ENTITIES), url=server, model="stub")
    [cand] = extractor.extract("doc", TEXT).candidates
    path, body = Stub.seen[-1]
    assert path == "/v1/chat/completions" and body["messages"][1]["content"] == TEXT
    claim = cand.claim
    assert (claim.subject, claim.relation.value, claim.object) == (
        "us-tariffs", "decreases", "japanese-yen")  # fmt: skip
    assert TEXT[claim.start : claim.end] == claim.quote
    assert TEXT[cand.cause_span.start : cand.cause_span.end] == "U.S. tariffs"


def test_chat_extractor_needs_an_endpoint_and_reports_failures(monkeypatch):
    monkeypatch.delenv("KG_LLM_URL", raising=False)
    with pytest.raises(KgError, match="KG_LLM_URL"):
        ChatExtractor({})
    with pytest.raises(KgError, match="chat endpoint"):
        ChatExtractor({}, url="http://127.0.0.1:9", timeout=2).extract("d", TEXT)
