"""Assertion of concept matches: the NegEx-style scopes (default) or medspaCy ConText.

``RulesExtractor`` asks one function which assertion kinds (negation, uncertain, historical,
family — the constants of :mod:`.scope`) cover each concept match of an utterance. Two
implementations answer it:

* ``scope`` — :func:`.scope.scope_of_matches`, the project's trigger table (the default);
* ``context`` — medspaCy's ConText (Harkema et al. 2009) with its default English rules over the
  project's own sentences (``textnorm.sentence_bounds``): pure rules, no model download;
* ``context_pyrush`` — the same with medspaCy's PyRuSH sentence splitter, as medspaCy ships it.
  PyRuSH matches its rules character by character in pure Python: about 5–12 ms for one
  utterance, more than the whole agent-turn budget, which is why ``context`` does not use it;
* ``context_triage`` — ``context`` with two changes for triage accounts (see
  :func:`_triage_rules`): a trigger word inside a concept phrase is not a trigger ("I can't
  breathe"), and a relative is another experiencer only as someone else's relative with a
  finding of their own ("her mother had ...") or in a family history — a caller's "my son",
  "my wife", "my mum" is usually the patient.

medspaCy is the optional extra ``context`` (``uv sync --extra context``), imported only when a
ConText backend is chosen. ConText has no Spanish rule set, so Spanish utterances keep the
``scope`` reading.

ConText's HYPOTHETICAL ("if I get chest pain", "return if") is reported as ``uncertain``: the
finding is not asserted as present, which is how the trigger table already treats "in case" and
"return if".

Privacy: PyRuSH logs every token of the text at DEBUG level through loguru (to stderr by default)
— patient words. Its logger name is disabled before the pipeline is built, and nothing here logs
text.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Literal

from media_host.intake_agent.extraction import scope
from media_host.intake_agent.textnorm import Token

AssertionBackend = Literal["scope", "context", "context_pyrush", "context_triage"]
ASSERTION_BACKENDS: tuple[AssertionBackend, ...] = (
    "scope",
    "context",
    "context_pyrush",
    "context_triage",
)

# (normalised text, tokens, canonical words, sentence index per token, concept matches as
# (start token, end token), language) -> assertion kinds per match
AssertionFn = Callable[
    [str, Sequence[Token], Sequence[str], Sequence[int], Sequence[tuple[int, int]], str],
    list[set[str]],
]

# loguru names of the libraries that log text; disabled before they run
_TEXT_LOGGERS = ("PyRuSH",)
_SPAN_GROUP = "assertion_targets"
# ConText span attribute -> assertion kind of the scope module
_CONTEXT_KINDS = (
    ("is_negated", scope.NEGATION),
    ("is_uncertain", scope.UNCERTAIN),
    ("is_hypothetical", scope.UNCERTAIN),
    ("is_historical", scope.HISTORICAL),
    ("is_family", scope.FAMILY),
)


def scope_assertion(
    norm: str,
    tokens: Sequence[Token],
    words: Sequence[str],
    sentence_of: Sequence[int],
    matches: Sequence[tuple[int, int]],
    language: str,
) -> list[set[str]]:
    """The trigger-table reading (:func:`.scope.scope_of_matches`)."""
    return scope.scope_of_matches(tokens, words, sentence_of, matches, language)


def silence_text_loggers() -> None:
    """Stop the loguru records of libraries that log the text they read (PyRuSH)."""
    from loguru import logger

    for name in _TEXT_LOGGERS:
        logger.disable(name)


class ContextAssertion:
    """medspaCy ConText over the concept matches.

    Args:
        pyrush: split sentences with PyRuSH (slow) instead of the project's sentence bounds.
        triage: adapt the default rules to triage accounts (:func:`_triage_rules`).

    Building one loads the spaCy pipeline (seconds, mostly importing spaCy); do it once per
    process (:func:`make_assertion` caches it). Calls are independent: each builds its own Doc.
    """

    def __init__(self, *, pyrush: bool, triage: bool) -> None:
        silence_text_loggers()
        import medspacy

        # medspaCy's clinical tokenizer comes with its default pipeline; PyRuSH is called (or
        # not) by hand below
        nlp = medspacy.load(medspacy_enable=["medspacy_pyrush"])
        config: dict[str, Any] = {"input_span_type": "group", "span_group_name": _SPAN_GROUP}
        if triage:
            config |= {"rules": None, "prune_on_target_overlap": True}
        context = nlp.add_pipe("medspacy_context", config=config)
        if triage:
            context.add(_triage_rules(context.DEFAULT_RULES_FILEPATH))
        self._pyrush = nlp.get_pipe("medspacy_pyrush") if pyrush else None
        self._make_doc = nlp.make_doc
        self._context = nlp.get_pipe("medspacy_context")

    def __call__(
        self,
        norm: str,
        tokens: Sequence[Token],
        words: Sequence[str],
        sentence_of: Sequence[int],
        matches: Sequence[tuple[int, int]],
        language: str,
    ) -> list[set[str]]:
        if language != "en" or not matches:
            return scope_assertion(norm, tokens, words, sentence_of, matches, language)
        doc = self._make_doc(norm)
        if self._pyrush is not None:
            doc = self._pyrush(doc)
        else:
            _mark_sentences(doc, tokens, sentence_of)
        spans: list[Any] = [
            doc.char_span(
                tokens[s].start, tokens[e - 1].end, label="concept", alignment_mode="expand"
            )
            for s, e in matches
        ]
        doc.spans[_SPAN_GROUP] = [sp for sp in spans if sp is not None]
        self._context(doc)
        return [
            set() if sp is None else {kind for attr, kind in _CONTEXT_KINDS if getattr(sp._, attr)}
            for sp in spans
        ]


# relatives a caller may speak about (medspaCy's FAMILY words, singular, and "mum")
_RELATIVES = [
    "aunt", "brother", "child", "children", "cousin", "dad", "daughter", "father", "grandchild",
    "granddaughter", "grandfather", "grandmother", "grandparent", "grandparents", "grandson",
    "husband", "mom", "mum", "mother", "nephew", "niece", "parent", "parents", "partner",
    "sibling", "siblings", "sister", "son", "spouse", "uncle", "wife", "brothers", "sisters",
]  # fmt: skip
# a relative's own finding: "her mother had", "his father has", "their son gets"
_RELATIVE_VERBS = ["had", "has", "have", "gets", "got", "suffered", "died", "with"]


def _triage_rules(default_rules_path: str) -> list[Any]:
    """medspaCy's default English rules with experiencer rules fit for triage accounts.

    The default FAMILY rule makes any relative word an experiencer ("my son has a fever" would
    be the son's, not the patient's); in a triage call the relative is usually the patient. Here
    only a third person's relative with a finding of their own, or a family history, is.
    """
    from medspacy.context import ConTextRule

    rules = [r for r in ConTextRule.from_json(default_rules_path) if r.category != "FAMILY"]
    relative = {"LOWER": {"IN": _RELATIVES}}
    verb = {"LOWER": {"IN": _RELATIVE_VERBS}}
    rules += [
        ConTextRule(
            "third person's relative",
            "FAMILY",
            pattern=[{"LOWER": {"IN": ["her", "his", "their"]}}, relative, verb],
        ),
        ConTextRule(
            "patient's relative",
            "FAMILY",
            pattern=[{"LOWER": {"IN": ["patient", "pt"]}}, {"LOWER": "'s"}, relative, verb],
        ),
        ConTextRule(
            "family history",
            "FAMILY",
            pattern=[{"LOWER": {"IN": ["family", "fam"]}}, {"LOWER": {"IN": ["history", "hx"]}}],
        ),
        ConTextRule("fh", "FAMILY"),
        ConTextRule("runs in the family", "FAMILY", direction="BACKWARD"),
    ]
    return rules


def _mark_sentences(doc: Any, tokens: Sequence[Token], sentence_of: Sequence[int]) -> None:
    """Set the Doc's sentence starts where the project's sentences start."""
    # a sentence end's punctuation counts as the next sentence in ``sentence_of``: skip it
    starts: list[int] = []
    previous = None
    for tok, sentence in zip(tokens, sentence_of, strict=True):
        if tok.kind != "punct" and sentence != previous:
            starts.append(tok.start)
            previous = sentence
    nxt = 0
    for word in doc:
        # a sentence starts at the first spaCy token reaching past the next project start
        opens = nxt < len(starts) and word.idx + len(word) > starts[nxt]
        while nxt < len(starts) and word.idx + len(word) > starts[nxt]:
            nxt += 1
        word.is_sent_start = opens or word.i == 0


_lock = threading.Lock()
_contexts: dict[str, ContextAssertion] = {}


def make_assertion(backend: AssertionBackend) -> AssertionFn:
    """The assertion function of ``backend``; the ConText pipeline is built once per process.

    Raises:
        ValueError: unknown backend name.
        ImportError: ``context`` without the ``context`` extra installed.
    """
    if backend == "scope":
        return scope_assertion
    if backend not in ASSERTION_BACKENDS:
        raise ValueError(f"unknown assertion backend {backend!r}; expected {ASSERTION_BACKENDS}")
    with _lock:
        if backend not in _contexts:
            try:
                _contexts[backend] = ContextAssertion(
                    pyrush=backend == "context_pyrush", triage=backend == "context_triage"
                )
            except ModuleNotFoundError as exc:
                raise ImportError(
                    f"assertion backend {backend!r} needs the optional extra 'context' "
                    "(uv sync --extra context)"
                ) from exc
        return _contexts[backend]
