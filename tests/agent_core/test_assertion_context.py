"""Assertion readings behind RulesExtractor: the trigger table (default), medspaCy ConText."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from media_host.intake_agent.agent import make_extractor
from media_host.intake_agent.extraction import RulesExtractor, assertion_context
from media_host.intake_agent.extraction.assertion_context import (
    ContextAssertion,
    _mark_sentences,
    make_assertion,
    scope_assertion,
)
from media_host.intake_agent.extraction.drafts import sentence_index
from media_host.intake_agent.models import Presence
from media_host.intake_agent.settings import AgentSettings
from media_host.intake_agent.textnorm import normalise, sentence_bounds, tokenize
from tests.agent_core.conftest import Extract, finding

# words no other test uses, to find in captured logs
MARKER = "Quuxalgia zorbleplex"


def test_scope_is_the_default_reading() -> None:
    assert AgentSettings().assertion == "scope"
    assert make_assertion("scope") is scope_assertion
    assert AgentSettings.from_env({"TRIAGE_AGENT_ASSERTION": "context"}).assertion == "context"


def test_unknown_reading_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown assertion backend"):
        make_assertion("negex")
    with pytest.raises(ValueError):
        AgentSettings.from_env({"TRIAGE_AGENT_ASSERTION": "negex"})


@pytest.fixture(scope="module")
def context_extract() -> Extract:
    pytest.importorskip("medspacy")
    extractor = make_extractor(AgentSettings(assertion="context"))
    assert isinstance(extractor, RulesExtractor)
    return Extract(extractor)


@pytest.fixture(scope="module")
def pyrush_extract() -> Extract:
    pytest.importorskip("medspacy")
    return Extract(RulesExtractor(assertion="context_pyrush"))


@pytest.mark.parametrize("reading", ["context_extract", "pyrush_extract"])
def test_context_negates_each_item_of_a_list_not_the_next_sentence(
    reading: str, request: pytest.FixtureRequest
) -> None:
    extract: Extract = request.getfixturevalue(reading)
    e = extract("No tongue swelling, no drooling, no stridor. Fever 102.")
    for concept in ("airway_swelling", "drooling", "stridor"):
        assert finding(e, concept).presence is Presence.ABSENT
    assert finding(e, "fever").presence is Presence.PRESENT


def test_context_reads_contractions_and_lists(context_extract: Extract) -> None:
    # spaCy splits "don't" differently from the project tokenizer; the spans still line up
    e = context_extract("I don't have a fever, a cough or a sore throat.")
    for concept in ("fever", "cough", "sore_throat"):
        assert finding(e, concept).presence is Presence.ABSENT


def test_context_family_history_is_not_a_current_finding(context_extract: Extract) -> None:
    e = context_extract("Her mother had chest pain.")
    assert "chest_pain" not in {f.concept_id for f in e.findings}


def test_context_hypothetical_is_not_present(context_extract: Extract) -> None:
    e = context_extract("If I get chest pain I will call back.")
    assert finding(e, "chest_pain").presence is Presence.UNCERTAIN


def test_context_stops_at_the_projects_sentence_end(context_extract: Extract) -> None:
    # "y.o." is not a sentence end for the project; "." after cough is
    e = context_extract("45 y.o. man. No cough. Fever since yesterday.")
    assert finding(e, "cough").presence is Presence.ABSENT
    assert finding(e, "fever").presence is Presence.PRESENT


def test_context_keeps_the_scope_reading_for_spanish(context_extract: Extract) -> None:
    text = "No tengo fiebre ni tos, pero me duele mucho el pecho."
    scope_reading = RulesExtractor().extract(text, item_id="u1", language="es")
    assert context_extract(text, "es").findings == scope_reading.findings
    assert finding(scope_reading, "fever").presence is Presence.ABSENT


def test_project_sentences_become_the_docs_sentences(context_extract: Extract) -> None:
    norm = normalise("Pt is a 45 y.o. man; no fever.\nCough x2d. Dr. Smith saw him")
    tokens = tokenize(norm)
    bounds = sentence_bounds(norm)
    sentence_of = sentence_index(tokens, bounds)
    reading = make_assertion("context")
    assert isinstance(reading, ContextAssertion)
    doc = reading._make_doc(norm)
    _mark_sentences(doc, tokens, sentence_of)
    starts = [sent.start_char for sent in doc.sents]
    assert starts == [a + (len(norm[a:b]) - len(norm[a:b].lstrip())) for a, b in bounds]


@pytest.fixture
def loguru_records() -> Iterator[list[str]]:
    from loguru import logger

    records: list[str] = []
    sink = logger.add(lambda m: records.append(f"{m.record['name']} {m.record['message']}"))
    try:
        yield records
    finally:
        logger.remove(sink)


def test_no_patient_words_reach_the_logs(
    pyrush_extract: Extract,
    loguru_records: list[str],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from loguru import logger

    caplog.set_level(logging.DEBUG)
    text = f"{MARKER} since Monday. No fever."
    pyrush_extract(text)
    out, err = capfd.readouterr()
    for word in MARKER.lower().split():
        assert word not in out.lower() and word not in err.lower()
        assert all(word not in r.getMessage().lower() for r in caplog.records)
        assert all(word not in r.lower() for r in loguru_records)
    # the capture does see PyRuSH when its logger is on: the silencing is what keeps it out
    logger.enable("PyRuSH")
    try:
        pyrush_extract(text)
    finally:
        logger.disable("PyRuSH")
    capfd.readouterr()
    assert any("zorbleplex" in r.lower() for r in loguru_records)


@pytest.fixture(scope="module")
def triage_extract() -> Extract:
    pytest.importorskip("medspacy")
    return Extract(RulesExtractor(assertion="context_triage"))


def test_shipped_context_reads_a_callers_child_as_family(context_extract: Extract) -> None:
    # the reason context_triage exists: medspaCy's FAMILY rule takes any relative word
    assert context_extract("My son has a fever.").findings == []


@pytest.mark.parametrize(
    ("text", "concept", "presence"),
    [
        ("My son has a fever and no rash.", "fever", Presence.PRESENT),
        ("My son has a fever and no rash.", "rash", Presence.ABSENT),
        ("My wife collapsed and won't wake up.", "unresponsive", Presence.PRESENT),
        # "can't" belongs to the concept phrase; it negates nothing
        ("I can't breathe and my inhaler isn't helping.", "reliever_not_helping", Presence.PRESENT),
    ],
)
def test_triage_context_keeps_the_callers_relative_as_patient(
    triage_extract: Extract, text: str, concept: str, presence: Presence
) -> None:
    assert finding(triage_extract(text), concept).presence is presence


@pytest.mark.parametrize(
    "text",
    [
        "Her mother had chest pain.",
        "Family history of chest pain.",
        "Chest pain runs in the family.",
    ],
)
def test_triage_context_still_reads_family_history(triage_extract: Extract, text: str) -> None:
    assert "chest_pain" not in {f.concept_id for f in triage_extract(text).findings}


def test_context_without_the_extra_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assertion_context, "_contexts", {})
    monkeypatch.setitem(sys.modules, "medspacy", None)  # as if not installed
    with pytest.raises(ImportError, match="extra 'context'"):
        make_assertion("context")
