"""Turn the curated corpus into RDF quads, nanopublication style.

Named graphs:

- ``kgd:graph/ontology``: `ontology/kg.ttl`, so labels and definitions travel with the data;
- ``kgd:graph/entities``: every entity (types, label, aliases, Wikidata link);
- ``kgd:graph/source/<id>``: one source's metadata and normalised text, and the provenance node
  of each of its claims (quote selectors, speaker, modality, times);
- ``kgd:graph/propositions``: what claims share, with aggregates materialised at build time;
  claims and propositions also get, at build time, their place in each listing that pages over
  the whole graph (``kg:timelineOrder`` and the like, see `_listings`), and the strongly
  connected components of the causal links, which answer "chains from A to B" (`_components`);
- ``kgd:claim/<source>/<id>/assertion``: the plain edge of one causal claim
  (``?cause kg:motivates ?effect``), linked from the claim by ``np:hasAssertion``.

The plain edge is written for affirmed claims only: a claim that is denied or has negative
polarity keeps its claim node but adds no edge, so ``?s kg:causes ?o`` never returns a
proposition that its only source rejects. Hypothetical and predicted claims do add edges; their
modality is on the claim.

Quads come out in a fixed order (sorted ids, fixed property order) and every node has an IRI
derived from curated ids (no blank nodes), so a rebuild is byte-identical.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import pyoxigraph as ox

from kg.curation import Corpus
from kg.models import (
    Attribution,
    CausalClaim,
    Claim,
    Entity,
    EventClaim,
    EventStatus,
    Modality,
    Polarity,
    Precision,
    Publication,
    QuantityClaim,
    Relation,
    TimeSpec,
)
from kg.namespace import DATA, KG, NP, OA, SCHEMA, WD
from kg.sources import SourceDocument

__all__ = ["corpus_quads", "emit_corpus", "ontology_quads", "time_literal"]

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
CONTEXT_CHARS = 32

_ATTRIBUTION = {
    Attribution.outlet: KG.OutletAttribution,
    Attribution.named: KG.NamedAttribution,
    Attribution.anonymous: KG.AnonymousAttribution,
    Attribution.vague: KG.VagueAttribution,
}
_PRECISION = {
    Precision.day: KG.Day,
    Precision.month: KG.Month,
    Precision.year: KG.Year,
    Precision.unknown: KG.UnknownPrecision,
}
_ESTABLISHED = {"stated": KG.Stated, "inferred": KG.Inferred, "unknown": KG.NotEstablished}
_AFFIRMING = {Modality.asserted, Modality.reported}
_HAPPENING = {EventStatus.occurred, EventStatus.ongoing}
_NOT_HAPPENING = {EventStatus.improbable, EventStatus.not_occurred}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _s(text: str) -> ox.Literal:
    return ox.Literal(text)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


def time_literal(value: str, precision: Precision) -> ox.Literal:
    """A date at its precision: xsd:date, xsd:gYearMonth or xsd:gYear.

    >>> time_literal("2025-01", Precision.month).datatype.value
    'http://www.w3.org/2001/XMLSchema#gYearMonth'
    """
    datatype = {Precision.day: "date", Precision.month: "gYearMonth", Precision.year: "gYear"}
    return _typed(value, datatype[precision])


def _bounds(value: str | None, precision: Precision) -> tuple[str | None, str | None]:
    """First and last day a date at `precision` can mean."""
    if value is None or precision is Precision.unknown:
        return None, None
    if precision is Precision.day:
        return value, value
    if precision is Precision.month:
        year, month = map(int, value.split("-"))
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return f"{value}-01-01", f"{value}-12-31"


def _window(pub: Publication) -> tuple[str | None, str | None]:
    """First and last day the publication date and its evidence allow."""
    lo, hi = _bounds(pub.value, pub.precision)
    lo = max(filter(None, [lo, pub.not_before]), default=None)
    hi = min(filter(None, [hi, pub.not_after]), default=None)
    return lo, hi


def _integer(n: int) -> ox.Literal:
    return _typed(n, "integer")


class _Emitter:
    """Collects quads in emission order, handing them to `sink` a batch at a time."""

    def __init__(self, sink: Callable[[list[ox.Quad]], object], batch: int = 100_000) -> None:
        self.quads: list[ox.Quad] = []
        self.sink = sink
        self.batch = batch
        self.count = 0

    def __call__(self, s: str, p: str, o: str | ox.Literal | ox.NamedNode, g: str) -> None:
        obj = _n(o) if isinstance(o, str) else o
        self.quads.append(ox.Quad(_n(s), _n(p), obj, _n(g)))
        if len(self.quads) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.quads:
            self.count += len(self.quads)
            self.sink(self.quads)
            self.quads = []


def ontology_quads(path: Path) -> list[ox.Quad]:
    graph = _n(DATA["graph/ontology"])
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


def _entity(emit: _Emitter, e: Entity) -> None:
    g = DATA["graph/entities"]
    s = DATA[f"entity/{e.id}"]
    emit(s, RDF_TYPE.value, KG.Entity, g)
    emit(s, RDF_TYPE.value, KG[e.type.value], g)
    emit(s, DCT + "identifier", _s(e.id), g)
    emit(s, RDFS_LABEL.value, _s(e.label), g)
    emit(s, SCHEMA.description, _s(e.description), g)
    for alias in e.aliases:
        emit(s, SKOS_ALT.value, _s(alias), g)
    if e.wikidata:
        emit(s, SCHEMA.sameAs, WD[e.wikidata], g)


def _source(emit: _Emitter, doc: SourceDocument) -> None:
    m = doc.meta
    g = DATA[f"graph/source/{m.id}"]
    s = DATA[f"source/{m.id}"]
    emit(s, RDF_TYPE.value, KG.Source, g)
    emit(s, RDF_TYPE.value, SCHEMA.NewsArticle, g)
    emit(s, DCT + "identifier", _s(m.id), g)
    emit(s, RDFS_LABEL.value, _s(m.title or f"Untitled source {m.id}"), g)
    if m.title:
        emit(s, DCT + "title", _s(m.title), g)
    if m.outlet:
        emit(s, KG.outlet, _s(m.outlet), g)
    if m.author:
        emit(s, KG.author, _s(m.author), g)
    if m.url:
        emit(s, SCHEMA.url, _n(m.url), g)
    emit(s, DCT + "language", _s(m.language), g)
    emit(s, DCT + "format", _s("text/plain"), g)
    emit(s, KG.sha256, _s(m.sha256), g)
    emit(s, KG.byteSize, _typed(m.byte_size, "integer"), g)
    emit(s, KG.encoding, _s(doc.normalised.encoding), g)
    emit(s, KG.repairCount, _typed(len(doc.normalised.edits), "integer"), g)
    pub = m.published
    if pub.value:
        emit(s, DCT + "issued", time_literal(pub.value, pub.precision), g)
    emit(s, KG.publicationPrecision, _PRECISION[pub.precision], g)
    emit(s, KG.publicationEstablished, _ESTABLISHED[pub.established.value], g)
    emit(s, KG.publicationEvidence, _s(pub.evidence), g)
    lo, hi = _window(pub)
    if lo:
        emit(s, KG.notBefore, _typed(lo, "date"), g)
    if hi:
        emit(s, KG.notAfter, _typed(hi, "date"), g)
    for note in m.notes:
        emit(s, KG.note, _s(note), g)
    emit(s, KG.normalisedText, _s(doc.text), g)


def _time(emit: _Emitter, c: str, g: str, t: TimeSpec | None, props: tuple[str, str, str]):
    if t is None:
        return
    value_p, precision_p, written_p = props
    if t.value:
        emit(c, value_p, time_literal(t.value, t.precision), g)
    emit(c, precision_p, _PRECISION[t.precision], g)
    if t.as_written:
        emit(c, written_p, _s(t.as_written), g)


def _claim(emit: _Emitter, source: SourceDocument, claim: Claim, prop: str, order: int) -> None:
    sid = source.id
    g = DATA[f"graph/source/{sid}"]
    c = DATA[f"claim/{sid}/{claim.id}"]
    emit(c, RDF_TYPE.value, KG.Claim, g)
    kind = {"causal": KG.CausalClaim, "quantity": KG.QuantityClaim, "event": KG.EventClaim}
    emit(c, RDF_TYPE.value, kind[claim.kind], g)
    emit(c, KG.claimId, _s(f"{sid}/{claim.id}"), g)
    emit(c, KG.claimOrder, _typed(order, "nonNegativeInteger"), g)
    emit(c, PROV + "wasDerivedFrom", DATA[f"source/{sid}"], g)
    emit(c, KG.subject, DATA[f"entity/{claim.subject}"], g)
    if isinstance(claim, CausalClaim):
        emit(c, KG.relation, KG[claim.relation.term], g)
        emit(c, KG.object, DATA[f"entity/{claim.object}"], g)
        emit(c, KG.polarity, KG[claim.polarity.value.title()], g)
    elif isinstance(claim, QuantityClaim):
        emit(c, KG.measure, DATA[f"entity/{claim.measure}"], g)
        emit(c, KG.value, _typed(claim.value, "decimal"), g)
        if claim.value_max is not None:
            emit(c, KG.valueMax, _typed(claim.value_max, "decimal"), g)
        emit(c, KG.unit, _s(claim.unit), g)
        emit(c, KG.qualifier, _s(claim.qualifier.value), g)
    elif isinstance(claim, EventClaim):
        emit(c, KG.status, KG[claim.status.value.title().replace("_", "")], g)
    emit(c, KG.modality, KG[claim.modality.value.title()], g)
    emit(c, KG.attribution, _ATTRIBUTION[claim.attribution], g)
    if claim.speaker:
        emit(c, KG.speaker, DATA[f"entity/{claim.speaker}"], g)
        emit(c, PROV + "wasAttributedTo", DATA[f"entity/{claim.speaker}"], g)
    if claim.speaker_as_written:
        emit(c, KG.speakerAsWritten, _s(claim.speaker_as_written), g)
    emit(c, KG.proposition, DATA[f"proposition/{prop}"], g)
    if isinstance(claim, QuantityClaim):
        _time(emit, c, g, claim.period, (KG.period, KG.periodPrecision, KG.periodAsWritten))
    else:
        _time(
            emit,
            c,
            g,
            claim.event_time,
            (KG.eventTime, KG.eventTimePrecision, KG.eventTimeAsWritten),
        )
    if claim.confidence is not None:
        emit(c, SCHEMA.ratingValue, _typed(claim.confidence, "decimal"), g)
    if claim.note:
        emit(c, KG.note, _s(claim.note), g)

    # The quote: a W3C Web Annotation target with a quote selector and a position selector.
    target, quote, position = f"{c}/target", f"{c}/quote", f"{c}/position"
    text = source.text
    emit(c, OA.hasTarget, target, g)
    emit(target, RDF_TYPE.value, OA.SpecificResource, g)
    emit(target, OA.hasSource, DATA[f"source/{sid}"], g)
    emit(target, OA.hasSelector, quote, g)
    emit(target, OA.hasSelector, position, g)
    emit(quote, RDF_TYPE.value, OA.TextQuoteSelector, g)
    emit(quote, OA.exact, _s(claim.quote), g)
    emit(quote, OA.prefix, _s(text[max(0, claim.start - CONTEXT_CHARS) : claim.start]), g)
    emit(quote, OA.suffix, _s(text[claim.end : claim.end + CONTEXT_CHARS]), g)
    emit(position, RDF_TYPE.value, OA.TextPositionSelector, g)
    emit(position, OA.start, _typed(claim.start, "nonNegativeInteger"), g)
    emit(position, OA.end, _typed(claim.end, "nonNegativeInteger"), g)
    norm = source.normalised
    emit(position, KG.rawStart, _typed(norm.to_raw(claim.start), "nonNegativeInteger"), g)
    emit(position, KG.rawEnd, _typed(norm.to_raw(claim.end), "nonNegativeInteger"), g)

    if isinstance(claim, CausalClaim):
        assertion = f"{c}/assertion"
        emit(c, NP.hasAssertion, assertion, g)
        if _adds_edge(claim):
            emit(
                DATA[f"entity/{claim.subject}"],
                KG[claim.relation.term],
                DATA[f"entity/{claim.object}"],
                assertion,
            )


def _adds_edge(claim: CausalClaim) -> bool:
    """Whether the claim writes its plain edge: positive and not denied."""
    return claim.polarity is Polarity.positive and claim.modality is not Modality.denied


def _affirms(claim: Claim) -> bool:
    """Stated as fact: asserted or reported, positive, and for an event, happening. An event
    claim asserting that something is improbable or did not occur doubts the event."""
    positive = getattr(claim, "polarity", Polarity.positive) is Polarity.positive
    happening = not isinstance(claim, EventClaim) or claim.status in _HAPPENING
    return positive and happening and claim.modality in _AFFIRMING


def _rejects(claim: Claim) -> bool:
    """Rejected: denied, stated negatively, or an event called improbable or not occurred."""
    negative = getattr(claim, "polarity", Polarity.positive) is Polarity.negative
    status = getattr(claim, "status", None)
    return claim.modality is Modality.denied or negative or status in _NOT_HAPPENING


def _proposition_label(first: Claim, labels: dict[str, str]) -> str:
    if isinstance(first, CausalClaim):
        return f"{labels[first.subject]} {first.relation.value} {labels[first.object]}"
    if isinstance(first, QuantityClaim):
        # the figure is part of the proposition (`QuantityClaim.proposition_key`)
        figure = f"{first.value.normalize():,f}"
        if first.value_max is not None:
            figure += f" to {first.value_max.normalize():,f}"
        hedge = (
            "" if first.qualifier.value == "exactly" else first.qualifier.value.replace("_", " ")
        )
        period = f" ({first.period.value})" if first.period and first.period.value else ""
        amount = " ".join(filter(None, [hedge, figure, first.unit]))
        return f"{labels[first.subject]}: {labels[first.measure]}{period} {amount}"
    return f"{labels[first.subject]} occurs"


class _Facts(NamedTuple):
    """What the listings need to know about a proposition."""

    order: int
    sources: int
    contradicted: bool


def _propositions(
    emit: _Emitter, corpus: Corpus, keys: dict[tuple[str, str], str]
) -> dict[str, _Facts]:
    g = DATA["graph/propositions"]
    facts = {}
    grouped: dict[str, list[tuple[str, Claim]]] = defaultdict(list)
    for sid, claim in corpus.all_claims():
        grouped[keys[(sid, claim.id)]].append((sid, claim))
    labels = {e.id: e.label for e in corpus.entities.values()}
    titles = {key: _proposition_label(members[0][1], labels) for key, members in grouped.items()}
    order = {key: n for n, key in enumerate(sorted(grouped, key=lambda k: (titles[k], k)))}
    for key in sorted(grouped):
        members = grouped[key]
        first = members[0][1]
        p = DATA[f"proposition/{key}"]
        emit(p, RDF_TYPE.value, KG.Proposition, g)
        emit(p, KG.subject, DATA[f"entity/{first.subject}"], g)
        if isinstance(first, CausalClaim):
            emit(p, KG.relation, KG[first.relation.term], g)
            emit(p, KG.object, DATA[f"entity/{first.object}"], g)
        elif isinstance(first, QuantityClaim):
            emit(p, KG.measure, DATA[f"entity/{first.measure}"], g)
        emit(p, RDFS_LABEL.value, _s(titles[key]), g)
        emit(p, KG.propositionOrder, _typed(order[key], "nonNegativeInteger"), g)
        sources = {sid for sid, _ in members}
        affirming = {sid for sid, c in members if _affirms(c)}
        emit(p, KG.claimCount, _typed(len(members), "integer"), g)
        emit(p, KG.sourceCount, _typed(len(sources), "integer"), g)
        emit(p, KG.assertingSourceCount, _typed(len(affirming), "integer"), g)
        doubting = {sid for sid, c in members if not _affirms(c)}
        emit(p, KG.doubtingSourceCount, _typed(len(doubting), "integer"), g)
        rejecting = {sid for sid, c in members if _rejects(c)}
        emit(p, KG.rejectingSourceCount, _typed(len(rejecting), "integer"), g)
        contradicted = any(a != r for a in affirming for r in rejecting)
        emit(p, KG.contradicted, _typed(str(contradicted).lower(), "boolean"), g)
        facts[key] = _Facts(order[key], len(sources), contradicted)
    return facts


def _listings(
    emit: _Emitter,
    corpus: Corpus,
    keys: dict[tuple[str, str], str],
    orders: dict[tuple[str, str], int],
    facts: dict[str, _Facts],
) -> None:
    """Each whole-graph listing's order of its own nodes, counted from 0 without gaps.

    A page of such a listing is then the nodes numbered `offset` to `offset + limit - 1`: a few
    index lookups, where sorting would read the key of every candidate (seconds at 1M claims).
    The saved queries also sort on these keys when a parameter narrows the listing.

    - ``kg:singleSourceOrder``: single-source propositions, by proposition order;
    - ``kg:contradictionOrder``: claims that take a side (affirm or reject) on contradicted
      propositions, by proposition order, then reading order; hedges are not numbered;
    - ``kg:timelineOrder``: claims with an event time, by date (as written in the lexical form,
      so a year sorts before its months), undated ones last, then reading order;
    - ``kg:asOfOrder``: claims from sources with a last possible publication day, by that day,
      then publication date, then reading order, so that the claims published by any day are
      the first ones.
    """
    g = DATA["graph/propositions"]
    single = sorted((f.order, key) for key, f in facts.items() if f.sources == 1)
    for n, (_, key) in enumerate(single):
        emit(DATA[f"proposition/{key}"], KG.singleSourceOrder, _integer(n), g)
    windows = {}
    for sid, source in corpus.sources.items():
        pub = source.meta.published
        issued = time_literal(pub.value, pub.precision).value if pub.value else ""
        windows[sid] = (_window(pub)[1], issued)
    timeline: list[tuple] = []
    as_of: list[tuple] = []
    contradicted: list[tuple] = []
    for sid, claim in corpus.all_claims():
        node = (sid, claim.id)
        n = orders[node]
        t = None if isinstance(claim, QuantityClaim) else claim.event_time
        if t is not None:
            day = time_literal(t.value, t.precision).value if t.value else ""
            timeline.append((not day, day, n, node))
        last_day, issued = windows[sid]
        if last_day:
            as_of.append((last_day, issued, n, node))
        proposition = facts[keys[node]]
        if proposition.contradicted and (_affirms(claim) or _rejects(claim)):
            contradicted.append((proposition.order, n, node))
    for prop, rows in (
        (KG.contradictionOrder, contradicted),
        (KG.timelineOrder, timeline),
        (KG.asOfOrder, as_of),
    ):
        for n, row in enumerate(sorted(rows)):
            sid, cid = row[-1]
            emit(DATA[f"claim/{sid}/{cid}"], prop, _integer(n), _graph(sid))


def _graph(sid: str) -> str:
    return DATA[f"graph/source/{sid}"]


def _step(k: str, m: str) -> str:
    """The node of the step from component `k` to component `m`."""
    return f"{k}/to/{m.rsplit('/', 1)[1]}"


def _components(emit: _Emitter, corpus: Corpus) -> None:
    """The strongly connected components of the causal links, for chains between two entities.

    A link (an affirmed plain edge, ``responds_to`` read from stimulus to response) lies on a
    chain from A to B when A reaches its cause and its effect reaches B. Entities that reach
    each other form a component; components form a small acyclic graph (``kg:leadsTo``), so
    "A reaches X" is "A's component leads to X's", a closure over thousands of components
    instead of hundreds of thousands of links. Every link inside a component lies on a chain
    between any two of its members; the claims on such links are numbered per component in
    the order of the `chain` query (``kg:chainOrder``), so a page takes the first numbers of
    each component on the way instead of sorting every link. A step from one component to
    another is also a node (``kg:ComponentStep``, ``kgd:component/<a>/to/<b>``) naming both
    ends, and claims on links between two components point to it (``kg:betweenComponents``).

    A component is named after its smallest entity id, so its IRI stays put while its
    membership does.
    """
    g = DATA["graph/propositions"]
    links: dict[tuple[str, Relation, str], list[tuple[str, str]]] = defaultdict(list)
    affirmed = set()
    edges = nx.DiGraph()
    for sid, claim in corpus.all_claims():
        if not isinstance(claim, CausalClaim):
            continue
        cause, effect = claim.subject, claim.object
        if claim.relation is Relation.responds_to:
            cause, effect = effect, cause
        links[(cause, claim.relation, effect)].append((sid, claim.id))
        if _adds_edge(claim):
            affirmed.add((cause, claim.relation, effect))
            edges.add_edge(cause, effect)
    component: dict[str, str] = {}
    for members in nx.strongly_connected_components(edges):
        component.update(dict.fromkeys(members, DATA[f"component/{min(members)}"]))
    for name in sorted(set(component.values())):
        emit(name, RDF_TYPE.value, KG.Component, g)
    for entity in sorted(component):
        emit(DATA[f"entity/{entity}"], KG.component, component[entity], g)
    dag = {(component[u], component[v]) for u, v in edges.edges} - {
        (k, k) for k in component.values()
    }
    for k, m in sorted(dag):
        emit(k, KG.leadsTo, m, g)
        # the same step as a node, so that claims on it are found from both ends at once
        step = _step(k, m)
        emit(step, RDF_TYPE.value, KG.ComponentStep, g)
        emit(step, KG.leavesComponent, k, g)
        emit(step, KG.entersComponent, m, g)

    labels = {e.id: e.label for e in corpus.entities.values()}
    # Every claim on an affirmed link, denials of it included (as in the `chain` query).
    within: dict[str, list[tuple]] = defaultdict(list)
    for link in sorted(affirmed):
        cause, relation, effect = link
        k, m = component[cause], component[effect]
        for sid, cid in links[link]:
            node = DATA[f"claim/{sid}/{cid}"]
            if k == m:
                # as the query sorts: the link as written, subject first
                written = (effect, cause) if relation is Relation.responds_to else (cause, effect)
                key = (labels[written[0]], labels[written[1]], relation.value, f"{sid}/{cid}")
                within[k].append((key, node, sid))
            else:
                emit(node, KG.betweenComponents, _step(k, m), _graph(sid))
    for k in sorted(within):
        for n, (_, node, sid) in enumerate(sorted(within[k])):
            emit(node, KG.withinComponent, k, _graph(sid))
            emit(node, KG.chainOrder, _integer(n), _graph(sid))


def corpus_quads(corpus: Corpus, ontology: Path) -> list[ox.Quad]:
    """All quads of the graph, in a deterministic order (held in memory: see `emit_corpus`)."""
    quads: list[ox.Quad] = []
    emit_corpus(corpus, ontology, quads.extend)
    return quads


def emit_corpus(
    corpus: Corpus, ontology: Path, sink: Callable[[list[ox.Quad]], object], batch: int = 100_000
) -> int:
    """Hand the quads of `corpus_quads` to `sink` in batches, in the same order; return how many.

    The build streams a large graph to disk this way instead of holding it: at a million
    claims the graph is 36 million quads, several times the corpus's own memory.
    """
    emit = _Emitter(sink, batch)
    for quad in ontology_quads(ontology):
        emit.quads.append(quad)
    for entity_id in sorted(corpus.entities):
        _entity(emit, corpus.entities[entity_id])
    keys: dict[tuple[str, str], str] = {}
    orders: dict[tuple[str, str], int] = {}
    for sid in sorted(corpus.sources):
        source = corpus.sources[sid]
        _source(emit, source)
        for claim in sorted(corpus.claims.get(sid, []), key=lambda c: c.id):
            key = claim.proposition_key
            keys[(sid, claim.id)] = key
            orders[(sid, claim.id)] = len(orders)
            _claim(emit, source, claim, key, orders[(sid, claim.id)])
    _listings(emit, corpus, keys, orders, _propositions(emit, corpus, keys))
    _components(emit, corpus)
    emit.flush()
    return emit.count
