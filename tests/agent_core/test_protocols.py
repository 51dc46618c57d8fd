"""Complaint protocols and question wording."""

from __future__ import annotations

import pytest

from media_host.intake_agent.lexicon import load_lexicon
from media_host.intake_agent.protocols import (
    HPI_ATTRIBUTES,
    attribute_question,
    complaint_protocol,
    question_text,
)


def test_specific_protocol() -> None:
    p = complaint_protocol("chest_pain")
    assert p.red_flag_screen[0] == "shortness_of_breath"
    assert "radiation" in p.hpi_attributes
    lexicon = load_lexicon()
    assert all(c in lexicon for c in p.associated + p.red_flag_screen)


def test_generic_fallback_never_asks_about_the_complaint_itself() -> None:
    p = complaint_protocol("fever")
    assert p.concept_id == "fever"
    generic = complaint_protocol("toothache")
    assert generic.hpi_attributes and set(generic.hpi_attributes) <= HPI_ATTRIBUTES
    assert "toothache" not in generic.associated


def test_question_wording() -> None:
    assert question_text("shortness_of_breath", "en").endswith("?")
    assert question_text("cough", "en") == "Do you have a cough?"
    assert question_text("cough", "es-MX") == "¿Tiene tos?"
    assert "0 to 10" in attribute_question("headache", "severity", "en")
    assert "dolor de cabeza" in attribute_question("headache", "severity", "es")


def test_unknown_ids_raise() -> None:
    with pytest.raises(KeyError):
        question_text("no_such_concept", "en")
    with pytest.raises(KeyError):
        attribute_question("headache", "colour", "en")
