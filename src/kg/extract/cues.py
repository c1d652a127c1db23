"""The causal cue lexicon: which words signal cause and effect, and which relation they mean.

Written from the relation definitions in docs/curation.md and the signal words of the CNC
training split (benchmarks/cnc); never from the curated seed claims, which are the test set.

Three kinds of cue:

- `VERB_CUES`: a verb whose subject is the cause and whose object (or the object of a
  required particle or preposition) is the effect: "tariffs *push up* prices". Passive
  ("prices were pushed up *by* tariffs") and participles ("..., *sending* yields higher")
  are handled by the rules in `kg.extract.causal`.
- `LINK_CUES`: words that attach a cause to an effect clause: "*because of* tariffs",
  "exports fell *due to* weak demand", "*in response to* the tariffs". Matched on lowercase
  token sequences; the last element says which side the cue's complement is.
- `RISE` / `FALL`: effect verbs that turn a generic cause into `increases` / `decreases`, with
  the subject of the effect verb as the claim's object: "exports fell because of X" is
  X decreases exports.
"""

from __future__ import annotations

from kg.models import Relation

__all__ = ["AGENT_CUES", "FALL", "LINK_CUES", "PARTICLES", "RISE", "SPEECH", "VERB_CUES"]

R = Relation

VERB_CUES: dict[str, Relation] = {
    **dict.fromkeys(
        [
            "cause",
            "lead",
            "result",
            "bring",
            "create",
            "produce",
            "generate",
            "leave",
            "render",
            "make",
        ],
        R.causes,
    ),
    **dict.fromkeys(
        [
            "trigger",
            "spark",
            "prompt",
            "provoke",
            "ignite",
            "unleash",
            "set",
            "touch",
            "spur",
            "send",
            "precipitate",
        ],
        R.triggers,
    ),
    **dict.fromkeys(
        [
            "lift",
            "raise",
            "boost",
            "increase",
            "inflate",
            "spike",
            "elevate",
            "hike",
            "drive",
            "push",
            "bolster",
        ],
        R.increases,
    ),
    **dict.fromkeys(
        [
            "weaken",
            "erode",
            "hurt",
            "cut",
            "lower",
            "reduce",
            "depress",
            "dent",
            "damage",
            "undermine",
            "slash",
            "drag",
            "sap",
            "decrease",
            "diminish",
            "dampen",
            "hit",
        ],
        R.decreases,
    ),
    **dict.fromkeys(
        [
            "contribute",
            "add",
            "fuel",
            "feed",
            "stoke",
            "fan",
            "exacerbate",
            "worsen",
            "aggravate",
            "deepen",
            "intensify",
        ],
        R.contributes_to,
    ),
    **dict.fromkeys(["allow", "enable", "let", "permit", "empower"], R.enables),
    **dict.fromkeys(
        [
            "prevent",
            "deter",
            "stop",
            "block",
            "avert",
            "hinder",
            "discourage",
            "forestall",
            "halt",
            "curb",
        ],
        R.prevents,
    ),
    **dict.fromkeys(
        ["force", "compel", "pressure", "persuade", "motivate", "encourage", "convince", "inspire"],
        R.motivates,
    ),
}
# Verbs that are causal only with a particle or preposition: "lead to", "set off".
PARTICLES: dict[str, tuple[str, ...]] = {
    "lead": ("to",),
    "result": ("in",),
    "bring": ("about",),
    "set": ("off",),
    "touch": ("off",),
    "contribute": ("to",),
    "add": ("to",),
    "drive": ("up", "down", "into", "to"),
    "push": ("up", "down", "into", "to"),
    "make": (),
}
# Verbs too common to be causal on their own: they count only with a passive agent or particle.
WEAK_VERBS = frozenset({"make", "create", "produce", "generate", "hit", "cut", "send", "leave"})
# Passive participles whose `by` phrase names a cause: "driven by fears".
AGENT_CUES: dict[str, Relation] = {
    **{k: v for k, v in VERB_CUES.items() if k not in ("make", "leave", "send", "let")},
    "motivate": R.motivates,
    "drive": R.motivates,
    "fuel": R.contributes_to,
    "prompt": R.triggers,
}
# (words, relation, reliability prior): the complement of the last word is the cause; the
# clause the cue attaches to is the effect. Priors are overwritten by the trained model.
LINK_CUES: list[tuple[tuple[str, ...], Relation, float]] = [
    (("because", "of"), R.motivates, 0.9),
    (("because",), R.motivates, 0.9),
    (("due", "to"), R.causes, 0.9),
    (("owing", "to"), R.causes, 0.9),
    (("thanks", "to"), R.causes, 0.8),
    (("as", "a", "result", "of"), R.causes, 0.9),
    (("as", "a", "consequence", "of"), R.causes, 0.9),
    (("in", "the", "wake", "of"), R.triggers, 0.7),
    (("on", "the", "back", "of"), R.causes, 0.7),
    (("in", "response", "to"), R.responds_to, 0.85),
    (("in", "reaction", "to"), R.responds_to, 0.85),
    (("in", "retaliation", "for"), R.responds_to, 0.85),
    (("in", "retaliation", "against"), R.responds_to, 0.85),
    (("in", "protest", "against"), R.motivates, 0.85),
    (("in", "protest", "at"), R.motivates, 0.85),
    (("in", "protest", "over"), R.motivates, 0.85),
    (("in", "protest", "of"), R.motivates, 0.85),
    (("in", "order", "to"), R.motivates, 0.7),
    (("so", "that"), R.motivates, 0.6),
    (("amid",), R.contributes_to, 0.5),
    (("after",), R.causes, 0.35),
    (("following",), R.causes, 0.4),
    (("over",), R.motivates, 0.3),
    (("against",), R.motivates, 0.3),
    (("since",), R.causes, 0.3),
    (("as",), R.causes, 0.2),
    (("when",), R.causes, 0.25),
    (("if",), R.causes, 0.4),
    (("unless",), R.prevents, 0.4),
]
# Connectives whose own clause is the effect and whose preceding clause is the cause.
RESULT_CUES: list[tuple[tuple[str, ...], float]] = [
    (("as", "a", "result"), 0.9),
    (("as", "a", "consequence"), 0.9),
    (("therefore",), 0.8),
    (("consequently",), 0.85),
    (("thus",), 0.6),
    (("hence",), 0.7),
    (("so",), 0.4),
]
RISE = frozenset(
    [
        "rise",
        "rose",
        "surge",
        "climb",
        "jump",
        "soar",
        "spike",
        "increase",
        "gain",
        "rally",
        "strengthen",
        "grow",
        "swell",
        "balloon",
        "widen",
        "accelerate",
        "advance",
    ]
)
FALL = frozenset(
    [
        "fall",
        "drop",
        "slide",
        "decline",
        "plunge",
        "slump",
        "sink",
        "tumble",
        "weaken",
        "decrease",
        "shrink",
        "contract",
        "dip",
        "crash",
        "ease",
        "slip",
        "lose",
        "retreat",
        "plummet",
    ]
)
SPEECH = frozenset(
    [
        "say",
        "tell",
        "warn",
        "argue",
        "claim",
        "note",
        "add",
        "state",
        "believe",
        "expect",
        "predict",
        "announce",
        "report",
        "insist",
        "deny",
        "estimate",
        "write",
        "think",
        "caution",
        "suggest",
        "explain",
        "acknowledge",
        "admit",
        "assert",
        "reckon",
        "fear",
        "contend",
        "maintain",
        "stress",
        "emphasise",
        "suspect",
        "emphasize",
        "point",
    ]
)
