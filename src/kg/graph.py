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
- ``kgd:proposition/<key>/assertion``: the plain edge of one causal proposition
  (``?cause kg:motivates ?effect``), linked by ``np:hasAssertion`` from every claim that
  affirms it.

The plain edge is written when at least one claim affirms it, and only those claims link to
it: a claim that is denied or has negative polarity keeps its claim node but adds no edge, so
``?s kg:causes ?o`` never returns a proposition that its only source rejects. Hypothetical and
predicted claims do add edges; their modality is on the claim. The edge is written once, not
once per claim: queries see the union of the named graphs as their default graph, and Oxigraph
and Virtuoso keep a triple once per graph that holds it, so five claims of one edge in five
graphs made ``?s kg:motivates ?o`` answer five times (a set on Fuseki). No triple is in two
graphs.

Quads come out in a fixed order (sorted ids, fixed property order) and every node has an IRI
derived from curated ids (no blank nodes), so a rebuild is byte-identical.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import pyoxigraph as ox

from kg.curation import Corpus
from kg.errors import InputError
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
    QuantityClaim,
    Relation,
    TimeSpec,
)
from kg.namespace import DATA, KG, NP, OA, SCHEMA, WD
from kg.sources import SourceDocument

__all__ = ["corpus_quads", "emit_corpus", "ontology_quads"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
CONTEXT_CHARS = 32


class _Plain:
    """A namespace's terms as plain strings, each looked up once: rdflib makes and checks a new
    `URIRef` on every attribute access, which at 36 quads a claim was a tenth of the build."""

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace
        self._items: dict[str, str] = {}

    def __getattr__(self, name: str) -> str:
        value = str(getattr(self._namespace, name))
        setattr(self, name, value)
        return value

    def __getitem__(self, name: str) -> str:
        try:
            return self._items[name]
        except KeyError:
            value = self._items[name] = str(self._namespace[name])  # type: ignore[index]
            return value


K = _Plain(KG)
_OA, _SCHEMA, _NP = _Plain(OA), _Plain(SCHEMA), _Plain(NP)
ID = str(DATA)

_ATTRIBUTION = {
    Attribution.outlet: K.OutletAttribution,
    Attribution.named: K.NamedAttribution,
    Attribution.anonymous: K.AnonymousAttribution,
    Attribution.vague: K.VagueAttribution,
}
_PRECISION = {
    Precision.day: K.Day,
    Precision.month: K.Month,
    Precision.year: K.Year,
    Precision.unknown: K.UnknownPrecision,
}
_ESTABLISHED = {"stated": K.Stated, "inferred": K.Inferred, "unknown": K.NotEstablished}
_AFFIRMING = {Modality.asserted, Modality.reported}
_HAPPENING = {EventStatus.occurred, EventStatus.ongoing}
_NOT_HAPPENING = {EventStatus.improbable, EventStatus.not_occurred}
_TIME_TYPES = {Precision.day: "date", Precision.month: "gYearMonth", Precision.year: "gYear"}

# N-Quads string escapes, exactly as Oxigraph writes them (tests/test_graph.py checks every
# code point), so that writing lines here gives the bytes `ox.serialize` gave.
_ESCAPES = str.maketrans(
    {
        **{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F, 0xFFFE, 0xFFFF]},
        0x08: "\\b",
        0x09: "\\t",
        0x0A: "\\n",
        0x0C: "\\f",
        0x0D: "\\r",
        0x22: '\\"',
        0x5C: "\\\\",
    }
)


class _Lit(str):
    """A literal in its N-Quads form; any other object of a quad is an IRI."""

    __slots__ = ()


def _s(text: str) -> _Lit:
    return _Lit('"' + text.translate(_ESCAPES) + '"')


def _typed(value: object, datatype: str) -> _Lit:
    return _Lit(f'"{str(value).translate(_ESCAPES)}"^^<{XSD}{datatype}>')


def _iri(value: str) -> str:
    """An IRI from outside the curated ids (a URL), checked as Oxigraph checks IRIs."""
    return ox.NamedNode(value).value


def _time_value(value: str, precision: Precision) -> _Lit:
    """A date at its precision: xsd:date, xsd:gYearMonth or xsd:gYear.

    >>> _time_value("2025-01", Precision.month)
    '"2025-01"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    """
    return _typed(value, _TIME_TYPES[precision])


def _integer(n: int) -> _Lit:
    return _typed(n, "integer")


class _Emitter:
    """Writes quads as N-Quads lines in emission order, handing `write` a batch at a time.

    Subjects, predicates and graphs are IRIs made from curated ids (slugs, checked by the
    models), so they are written as they are; objects are IRIs unless they are `_Lit`.
    Formatting lines here instead of making `ox.Quad` objects and serialising them makes the
    graph stage 3.7 times faster (docs/benchmarks.md, "The build at scale").
    """

    def __init__(self, write: Callable[[bytes], object], batch: int = 100_000) -> None:
        self.lines: list[str] = []
        self.write = write
        self.batch = batch
        self.count = 0

    def __call__(self, s: str, p: str, o: str, g: str) -> None:
        obj = o if isinstance(o, _Lit) else f"<{o}>"
        self.lines.append(f"<{s}> <{p}> {obj} <{g}> .\n")
        if len(self.lines) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.count += len(self.lines)
            self.write("".join(self.lines).encode())
            self.lines = []


def ontology_quads(path: Path) -> list[ox.Quad]:
    graph = ox.NamedNode(ID + "graph/ontology")
    try:
        triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    except OSError as exc:  # Oxigraph's message names no file
        raise InputError(f"cannot read the ontology: {exc.strerror or exc}", path=path) from None


def _entity(emit: _Emitter, e: Entity) -> None:
    g = ID + "graph/entities"
    s = f"{ID}entity/{e.id}"
    emit(s, RDF_TYPE, K.Entity, g)
    emit(s, RDF_TYPE, K[e.type.value], g)
    emit(s, DCT + "identifier", _s(e.id), g)
    emit(s, RDFS_LABEL, _s(e.label), g)
    emit(s, _SCHEMA.description, _s(e.description), g)
    for alias in e.aliases:
        emit(s, SKOS_ALT, _s(alias), g)
    if e.wikidata:
        emit(s, _SCHEMA.sameAs, WD[e.wikidata], g)


def _source(emit: _Emitter, doc: SourceDocument) -> None:
    m = doc.meta
    g = f"{ID}graph/source/{m.id}"
    s = f"{ID}source/{m.id}"
    emit(s, RDF_TYPE, K.Source, g)
    emit(s, RDF_TYPE, _SCHEMA.NewsArticle, g)
    emit(s, DCT + "identifier", _s(m.id), g)
    emit(s, RDFS_LABEL, _s(m.title or f"Untitled source {m.id}"), g)
    if m.title:
        emit(s, DCT + "title", _s(m.title), g)
    if m.outlet:
        emit(s, K.outlet, _s(m.outlet), g)
    if m.author:
        emit(s, K.author, _s(m.author), g)
    if m.url:
        emit(s, _SCHEMA.url, _iri(m.url), g)
    emit(s, DCT + "language", _s(m.language), g)
    emit(s, DCT + "format", _s(doc.normalised.media_type), g)
    emit(s, K.sha256, _s(m.sha256), g)
    emit(s, K.byteSize, _typed(m.byte_size, "integer"), g)
    emit(s, K.encoding, _s(doc.normalised.encoding), g)
    emit(s, K.repairCount, _typed(len(doc.normalised.edits), "integer"), g)
    pub = m.published
    if pub.value:
        emit(s, DCT + "issued", _time_value(pub.value, pub.precision), g)
    emit(s, K.publicationPrecision, _PRECISION[pub.precision], g)
    emit(s, K.publicationEstablished, _ESTABLISHED[pub.established.value], g)
    emit(s, K.publicationEvidence, _s(pub.evidence), g)
    lo, hi = pub.window()
    if lo:
        emit(s, K.notBefore, _typed(lo, "date"), g)
    if hi:
        emit(s, K.notAfter, _typed(hi, "date"), g)
    for note in m.notes:
        emit(s, K.note, _s(note), g)
    emit(s, K.normalisedText, _s(doc.text), g)


def _time(emit: _Emitter, c: str, g: str, t: TimeSpec | None, props: tuple[str, ...]):
    """A time at its precision, and the first and last day it can mean as xsd:date, which
    compare with any date (a gYear and an xsd:date do not: a FILTER drops the row)."""
    if t is None:
        return
    value_p, precision_p, written_p, start_p, end_p = props
    if t.value:
        emit(c, value_p, _time_value(t.value, t.precision), g)
        start, end = t.bounds()
        emit(c, start_p, _typed(start, "date"), g)
        emit(c, end_p, _typed(end, "date"), g)
    emit(c, precision_p, _PRECISION[t.precision], g)
    if t.as_written:
        emit(c, written_p, _s(t.as_written), g)


def _claim(emit: _Emitter, source: SourceDocument, claim: Claim, prop: str, order: int) -> None:
    sid = source.id
    g = f"{ID}graph/source/{sid}"
    c = f"{ID}claim/{sid}/{claim.id}"
    emit(c, RDF_TYPE, K.Claim, g)
    kind = {"causal": K.CausalClaim, "quantity": K.QuantityClaim, "event": K.EventClaim}
    emit(c, RDF_TYPE, kind[claim.kind], g)
    emit(c, K.claimId, _s(f"{sid}/{claim.id}"), g)
    emit(c, K.claimOrder, _typed(order, "nonNegativeInteger"), g)
    emit(c, PROV + "wasDerivedFrom", f"{ID}source/{sid}", g)
    emit(c, K.subject, f"{ID}entity/{claim.subject}", g)
    if isinstance(claim, CausalClaim):
        emit(c, K.relation, K[claim.relation.term], g)
        emit(c, K.object, f"{ID}entity/{claim.object}", g)
        emit(c, K.polarity, K[claim.polarity.value.title()], g)
    elif isinstance(claim, QuantityClaim):
        emit(c, K.measure, f"{ID}entity/{claim.measure}", g)
        # xsd:decimal has no exponent: "1.06E+12" would be an ill-typed literal
        emit(c, K.value, _typed(format(claim.value, "f"), "decimal"), g)
        if claim.value_max is not None:
            emit(c, K.valueMax, _typed(format(claim.value_max, "f"), "decimal"), g)
        emit(c, K.unit, _s(claim.unit), g)
        emit(c, K.qualifier, _s(claim.qualifier.value), g)
    elif isinstance(claim, EventClaim):
        emit(c, K.status, K[claim.status.value.title().replace("_", "")], g)
    emit(c, K.modality, K[claim.modality.value.title()], g)
    emit(c, K.attribution, _ATTRIBUTION[claim.attribution], g)
    if claim.speaker:
        emit(c, K.speaker, f"{ID}entity/{claim.speaker}", g)
        emit(c, PROV + "wasAttributedTo", f"{ID}entity/{claim.speaker}", g)
    if claim.speaker_as_written:
        emit(c, K.speakerAsWritten, _s(claim.speaker_as_written), g)
    emit(c, K.proposition, f"{ID}proposition/{prop}", g)
    if isinstance(claim, QuantityClaim):
        _time(
            emit,
            c,
            g,
            claim.period,
            (K.period, K.periodPrecision, K.periodAsWritten, K.periodStart, K.periodEnd),
        )
    else:
        _time(
            emit,
            c,
            g,
            claim.event_time,
            (K.eventTime, K.eventTimePrecision, K.eventTimeAsWritten, K.eventStart, K.eventEnd),
        )
    if claim.confidence is not None:
        emit(c, _SCHEMA.ratingValue, _typed(claim.confidence, "decimal"), g)
    if claim.note:
        emit(c, K.note, _s(claim.note), g)

    # The quote: a W3C Web Annotation target with a quote selector and a position selector.
    target, quote, position = f"{c}/target", f"{c}/quote", f"{c}/position"
    text = source.text
    emit(c, _OA.hasTarget, target, g)
    emit(target, RDF_TYPE, _OA.SpecificResource, g)
    emit(target, _OA.hasSource, f"{ID}source/{sid}", g)
    emit(target, _OA.hasSelector, quote, g)
    emit(target, _OA.hasSelector, position, g)
    emit(quote, RDF_TYPE, _OA.TextQuoteSelector, g)
    emit(quote, _OA.exact, _s(claim.quote), g)
    # no context is no prefix (or suffix), not an empty one: a quote at the start of its text
    if prefix := text[max(0, claim.start - CONTEXT_CHARS) : claim.start]:
        emit(quote, _OA.prefix, _s(prefix), g)
    if suffix := text[claim.end : claim.end + CONTEXT_CHARS]:
        emit(quote, _OA.suffix, _s(suffix), g)
    emit(position, RDF_TYPE, _OA.TextPositionSelector, g)
    emit(position, _OA.start, _typed(claim.start, "nonNegativeInteger"), g)
    emit(position, _OA.end, _typed(claim.end, "nonNegativeInteger"), g)
    norm = source.normalised
    raw_start, raw_end = norm.raw_span(claim.start, claim.end)
    emit(position, K.rawStart, _typed(raw_start, "nonNegativeInteger"), g)
    emit(position, K.rawEnd, _typed(raw_end, "nonNegativeInteger"), g)

    if isinstance(claim, CausalClaim) and _adds_edge(claim):
        emit(c, _NP.hasAssertion, f"{ID}proposition/{prop}/assertion", g)


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
    affirming: int  # sources that state it as fact
    contradicted: bool


def _propositions(
    emit: _Emitter, corpus: Corpus, keys: dict[tuple[str, str], str]
) -> dict[str, _Facts]:
    g = ID + "graph/propositions"
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
        p = f"{ID}proposition/{key}"
        emit(p, RDF_TYPE, K.Proposition, g)
        emit(p, K.subject, f"{ID}entity/{first.subject}", g)
        if isinstance(first, CausalClaim):
            emit(p, K.relation, K[first.relation.term], g)
            emit(p, K.object, f"{ID}entity/{first.object}", g)
            if any(isinstance(c, CausalClaim) and _adds_edge(c) for _, c in members):
                # the plain edge, once however many claims affirm it (see the module's doc)
                edge = (f"{ID}entity/{first.subject}", K[first.relation.term])
                emit(*edge, f"{ID}entity/{first.object}", f"{p}/assertion")
        elif isinstance(first, QuantityClaim):
            emit(p, K.measure, f"{ID}entity/{first.measure}", g)
        emit(p, RDFS_LABEL, _s(titles[key]), g)
        emit(p, K.propositionOrder, _typed(order[key], "nonNegativeInteger"), g)
        sources = {sid for sid, _ in members}
        affirming = {sid for sid, c in members if _affirms(c)}
        emit(p, K.claimCount, _typed(len(members), "integer"), g)
        emit(p, K.sourceCount, _typed(len(sources), "integer"), g)
        emit(p, K.assertingSourceCount, _typed(len(affirming), "integer"), g)
        doubting = {sid for sid, c in members if not _affirms(c)}
        emit(p, K.doubtingSourceCount, _typed(len(doubting), "integer"), g)
        rejecting = {sid for sid, c in members if _rejects(c)}
        emit(p, K.rejectingSourceCount, _typed(len(rejecting), "integer"), g)
        contradicted = any(a != r for a in affirming for r in rejecting)
        emit(p, K.contradicted, _typed(str(contradicted).lower(), "boolean"), g)
        facts[key] = _Facts(order[key], len(affirming), contradicted)
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

    - ``kg:singleSourceOrder``: single-source propositions (one source states them as fact,
      as the audit's corroboration check counts), by proposition order;
    - ``kg:contradictionOrder``: claims that take a side (affirm or reject) on contradicted
      propositions, by proposition order, then reading order; hedges are not numbered;
    - ``kg:timelineOrder``: claims with an event time, by date (as written in the lexical form,
      so a year sorts before its months), undated ones last, then reading order;
    - ``kg:asOfOrder``: claims from sources with a last possible publication day, by that day,
      then publication date, then reading order, so that the claims published by any day are
      the first ones.
    """
    g = ID + "graph/propositions"
    single = sorted((f.order, key) for key, f in facts.items() if f.affirming == 1)
    for n, (_, key) in enumerate(single):
        emit(f"{ID}proposition/{key}", K.singleSourceOrder, _integer(n), g)
    windows = {}
    for sid, source in corpus.sources.items():
        pub = source.meta.published
        issued = pub.value or ""
        windows[sid] = (pub.window()[1], issued)
    timeline: list[tuple] = []
    as_of: list[tuple] = []
    contradicted: list[tuple] = []
    for sid, claim in corpus.all_claims():
        node = (sid, claim.id)
        n = orders[node]
        t = None if isinstance(claim, QuantityClaim) else claim.event_time
        if t is not None:
            day = t.value or ""
            timeline.append((not day, day, n, node))
        last_day, issued = windows[sid]
        if last_day:
            as_of.append((last_day, issued, n, node))
        proposition = facts[keys[node]]
        if proposition.contradicted and (_affirms(claim) or _rejects(claim)):
            contradicted.append((proposition.order, n, node))
    for prop, rows in (
        (K.contradictionOrder, contradicted),
        (K.timelineOrder, timeline),
        (K.asOfOrder, as_of),
    ):
        for n, row in enumerate(sorted(rows)):
            sid, cid = row[-1]
            emit(f"{ID}claim/{sid}/{cid}", prop, _integer(n), _graph(sid))


def _graph(sid: str) -> str:
    return f"{ID}graph/source/{sid}"


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
    g = ID + "graph/propositions"
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
        component.update(dict.fromkeys(members, f"{ID}component/{min(members)}"))
    for name in sorted(set(component.values())):
        emit(name, RDF_TYPE, K.Component, g)
    for entity in sorted(component):
        emit(f"{ID}entity/{entity}", K.component, component[entity], g)
    dag = {(component[u], component[v]) for u, v in edges.edges} - {
        (k, k) for k in component.values()
    }
    for k, m in sorted(dag):
        emit(k, K.leadsTo, m, g)
        # the same step as a node, so that claims on it are found from both ends at once
        step = _step(k, m)
        emit(step, RDF_TYPE, K.ComponentStep, g)
        emit(step, K.leavesComponent, k, g)
        emit(step, K.entersComponent, m, g)

    labels = {e.id: e.label for e in corpus.entities.values()}
    # Every claim on an affirmed link, denials of it included (as in the `chain` query).
    within: dict[str, list[tuple]] = defaultdict(list)
    for link in sorted(affirmed):
        cause, relation, effect = link
        k, m = component[cause], component[effect]
        for sid, cid in links[link]:
            node = f"{ID}claim/{sid}/{cid}"
            if k == m:
                # as the query sorts: the link as written, subject first
                written = (effect, cause) if relation is Relation.responds_to else (cause, effect)
                key = (labels[written[0]], labels[written[1]], relation.value, f"{sid}/{cid}")
                within[k].append((key, node, sid))
            else:
                emit(node, K.betweenComponents, _step(k, m), _graph(sid))
    for k in sorted(within):
        for n, (_, node, sid) in enumerate(sorted(within[k])):
            emit(node, K.withinComponent, k, _graph(sid))
            emit(node, K.chainOrder, _integer(n), _graph(sid))


def source_nquads(doc: SourceDocument) -> bytes:
    """The named graph of one source (metadata and normalised text) as N-Quads, exactly as
    the build writes it: what `kg ingest --store` adds for a new source."""
    chunks: list[bytes] = []
    emit = _Emitter(chunks.append)
    _source(emit, doc)
    emit.flush()
    return b"".join(chunks)


def corpus_quads(corpus: Corpus, ontology: Path) -> list[ox.Quad]:
    """All quads of the graph, in a deterministic order (held in memory: see `emit_corpus`)."""
    chunks: list[bytes] = []
    emit_corpus(corpus, ontology, chunks.append)
    return list(ox.parse(b"".join(chunks), format=ox.RdfFormat.N_QUADS))


def emit_corpus(
    corpus: Corpus, ontology: Path, write: Callable[[bytes], object], batch: int = 100_000
) -> int:
    """Write the graph as N-Quads, `batch` quads at a time, to `write`; return how many quads.

    The build streams a large graph to disk this way instead of holding it: at a million
    claims the graph is 36 million quads, several times the corpus's own memory.
    """
    emit = _Emitter(write, batch)
    ontology_part = ontology_quads(ontology)
    write(ox.serialize(ontology_part, format=ox.RdfFormat.N_QUADS) or b"")
    emit.count = len(ontology_part)
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
    # what the build wrote, for readers to check a store against (kg.query.check_complete)
    emit(ID + "build", RDF_TYPE, K.Build, ID + "graph/build")
    emit(ID + "build", K.claimsWritten, _typed(len(orders), "integer"), ID + "graph/build")
    emit.flush()
    return emit.count
