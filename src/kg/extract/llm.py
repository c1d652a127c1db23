"""An optional extractor that asks a chat model behind an OpenAI-compatible endpoint.

Not used by default and never by the tests beyond a stub server on loopback: the default
extractor runs offline. Configure with arguments or the environment: ``KG_LLM_URL`` (base
URL, e.g. ``http://127.0.0.1:8080/v1``), ``KG_LLM_MODEL``, ``KG_LLM_KEY``. The model is asked
for JSON; every quote it returns is anchored by exact search in the text, and a claim whose
cause or effect is not an exact substring is dropped, so no offset is ever invented.
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass

from kg.errors import KgError
from kg.extract.linking import Linker
from kg.extract.pipeline import Candidate, Extraction
from kg.extract.spans import TextSpan
from kg.models import Attribution, CausalClaim, ClaimStatus, Entity, Modality, Relation

__all__ = ["ChatExtractor"]

PROMPT = """Extract every causal claim from the article. Answer with JSON only:
{"claims": [{"cause": "<exact words>", "effect": "<exact words>", "signal": "<exact words>",
"relation": "<one of: %s>", "modality": "<one of: %s>", "confidence": <0..1>}]}
Copy cause, effect and signal character for character from the article."""


@dataclass
class ChatExtractor:
    entities: dict[str, Entity]
    url: str = ""
    model: str = ""
    key: str = ""
    timeout: float = 120.0
    name: str = "chat"

    def __post_init__(self) -> None:
        self.url = (self.url or os.environ.get("KG_LLM_URL", "")).rstrip("/")
        self.model = self.model or os.environ.get("KG_LLM_MODEL", "default")
        self.key = self.key or os.environ.get("KG_LLM_KEY", "")
        if not self.url:
            raise KgError("no chat endpoint: pass url= or set KG_LLM_URL")
        self.linker = Linker(self.entities)

    def _ask(self, text: str) -> list[dict]:
        prompt = PROMPT % (
            ", ".join(r.value for r in Relation),
            ", ".join(m.value for m in Modality),
        )
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": prompt}, {"role": "user", "content": text}],
        }
        request = urllib.request.Request(
            f"{self.url}/chat/completions", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.key}"} if self.key else {})},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.load(response)["choices"][0]["message"]["content"]
            return list(json.loads(answer.strip().removeprefix("```json").strip("`"))["claims"])
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise KgError(f"chat endpoint {self.url}: {exc}") from None

    def _entity(self, span: TextSpan) -> str | None:
        found = self.linker.lookup(span.text)
        if found:
            return found[0]
        inside = self.linker.aliases_in(span.text)
        return inside[0].entity if inside else None

    def extract(self, doc_id: str, text: str) -> Extraction:
        out = Extraction(doc_id)
        for item in self._ask(text):
            spans = []
            for key in ("cause", "effect", "signal"):
                words = str(item.get(key) or "")
                at = text.find(words) if words else -1
                spans.append(TextSpan(at, at + len(words), words) if at >= 0 else None)
            cause, effect, signal = spans
            if cause is None or effect is None or signal is None:
                continue
            subject, obj = self._entity(cause), self._entity(effect)
            if not subject or not obj or subject == obj:
                continue
            start = min(cause.start, effect.start, signal.start)
            end = max(cause.end, effect.end, signal.end)
            try:
                relation, modality = Relation(item["relation"]), Modality(item["modality"])
            except (KeyError, ValueError):
                continue
            if modality is Modality.reported:
                modality = Modality.asserted  # the speaker is not asked for; keep it valid
            claim = CausalClaim(
                id=f"c{len(out.candidates) + 1:03d}", subject=subject, relation=relation,
                object=obj, quote=text[start:end], start=start, end=end, modality=modality,
                attribution=Attribution.outlet, curation=ClaimStatus.candidate,
                confidence=max(0.0, min(1.0, float(item.get("confidence", 0.5)))),
            )  # fmt: skip
            out.candidates.append(Candidate(claim, cause, effect, signal))
        return out
