"""Rules extractor: negation, uncertainty, time, severity, anatomy, demographics, history,
Spanish, bad input and speed."""

from __future__ import annotations

import pytest

from media_host.intake_agent.errors import InvalidUtteranceError, UnsupportedLanguageError
from media_host.intake_agent.extraction import Extractor, RulesExtractor
from media_host.intake_agent.models import Presence
from tests.agent_core.conftest import Extract, finding


def test_rules_extractor_satisfies_protocol(extractor: RulesExtractor) -> None:
    assert isinstance(extractor, Extractor)
    assert extractor.name == "rules"


# ---------------------------------------------------------------- negation / uncertainty
@pytest.mark.parametrize(
    ("text", "concept_id"),
    [
        ("No fever.", "fever"),
        ("He denies chest pain.", "chest_pain"),
        ("Denies fever, chills, or vomiting.", "vomiting"),
        ("Negative for hematuria.", "hematuria"),
        ("I don't have a cough.", "cough"),
        ("Not really any nausea.", "nausea"),
        ("Without shortness of breath.", "shortness_of_breath"),
        ("Fever: none.", "fever"),
        ("sin fiebre", "fever"),
        ("niega dolor de pecho", "chest_pain"),
    ],
)
def test_negation(extract: Extract, text: str, concept_id: str) -> None:
    language = "es" if text.startswith(("sin", "niega")) else "en"
    assert finding(extract(text, language), concept_id).presence is Presence.ABSENT


def test_negation_scope_stops_at_but_and_new_clause(extract: Extract) -> None:
    e = extract("No fever but I have a bad cough. No blood, I'm drinking fine.")
    assert finding(e, "fever").presence is Presence.ABSENT
    assert finding(e, "cough").presence is Presence.PRESENT
    assert finding(e, "unable_to_keep_fluids").presence is Presence.ABSENT


def test_negated_absent_form_means_present(extract: Extract) -> None:
    assert (
        finding(extract("I can walk on it."), "unable_to_bear_weight").presence is Presence.ABSENT
    )
    e = extract("I'm not able to bear weight on it.")
    assert finding(e, "unable_to_bear_weight").presence is Presence.PRESENT


@pytest.mark.parametrize(
    "text",
    [
        "Maybe a little fever.",
        "I don't think I have a fever.",
        "Possible fever.",
        "Not sure if I have a fever.",
    ],
)
def test_uncertainty(extract: Extract, text: str) -> None:
    assert finding(extract(text), "fever").presence is Presence.UNCERTAIN


def test_history_and_family_mentions_are_not_current_findings(extract: Extract) -> None:
    e = extract("History of seizures. Family history of stroke. Now has a cough.")
    ids = {f.concept_id for f in e.findings}
    assert "seizure" not in ids
    assert "cough" in ids


# ---------------------------------------------------------------- time
@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("Cough for three days.", 72),
        ("Headache since yesterday.", 24),
        ("Fever x 2 weeks.", 336),
        ("Rash that started 2 weeks ago.", 336),
        ("A 3-day history of diarrhoea.", 72),
        ("Vomiting since this morning.", 6),
        ("Back pain for the past month.", 730),
        ("Tos desde hace dos semanas.", 336),
    ],
)
def test_durations(extract: Extract, text: str, hours: float) -> None:
    language = "es" if text.startswith("Tos") else "en"
    e = extract(text, language)
    present = [f for f in e.findings if f.presence is Presence.PRESENT]
    assert present and present[0].duration_hours == pytest.approx(hours)


def test_onset_and_timing(extract: Extract) -> None:
    e = extract("The headache came on suddenly and it comes and goes.")
    f = finding(e, "headache")
    assert f.onset == "sudden"
    assert f.timing == "intermittent"


def test_ages_are_not_durations(extract: Extract) -> None:
    e = extract("A 45-year-old man with cough for 2 days.")
    assert finding(e, "cough").duration_hours == 48
    assert e.demographics.age_years == 45


# ---------------------------------------------------------------- severity / character
@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Chest pain 7 out of 10.", 7),
        ("Headache 8/10.", 8),
        ("Mild headache.", 3),
        ("Severe abdominal pain.", 8),
        ("Excruciating back pain.", 9),
    ],
)
def test_severity(extract: Extract, text: str, score: int) -> None:
    e = extract(text)
    assert e.findings[0].severity == score


def test_worst_headache_and_thunderclap(extract: Extract) -> None:
    f = finding(extract("Worst headache of my life, like being hit with a hammer."), "headache")
    assert f.severity == 10
    assert {"worst_ever", "thunderclap"} <= set(f.qualifiers)


def test_character_radiation_and_aggravating(extract: Extract) -> None:
    f = finding(
        extract("Crushing chest pain radiating to the left arm, worse on exertion."), "chest_pain"
    )
    assert f.character == "crushing"
    assert f.radiation == "left arm"
    assert f.aggravating == "exertion"


# ---------------------------------------------------------------- anatomy
def test_site_composition_and_laterality(extract: Extract) -> None:
    e = extract("I have pain in my lower right abdomen.")
    f = finding(e, "abdominal_pain")
    assert f.site == "lower right abdomen"
    assert finding(extract("My knee hurts."), "knee_pain").site == "knee"
    assert finding(extract("Left-sided weakness."), "unilateral_weakness").laterality == "left"
    assert finding(extract("My lips are swollen."), "facial_swelling")


def test_pair_composition(extract: Extract) -> None:
    assert finding(extract("He is vomiting large amounts of bright red blood."), "hematemesis")
    assert finding(extract("There was blood in his stool."), "rectal_bleeding")


# ---------------------------------------------------------------- vitals
def test_vital_signs(extract: Extract) -> None:
    e = extract("Temp 102.2 F, HR 124, BP 86/50, SpO2 89%, RR 30.")
    assert finding(e, "fever").value == pytest.approx(39.0)
    assert finding(e, "tachycardia").value == 124
    assert finding(e, "hypotension").presence is Presence.PRESENT
    assert finding(e, "hypoxia").value == 89
    assert finding(e, "tachypnea").value == 30
    normal = extract("Temperature 36.8, SpO2 98%.")
    assert finding(normal, "fever").presence is Presence.ABSENT


# ---------------------------------------------------------------- demographics
@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("A 45-year-old man with cough.", 45, "male"),
        ("28 y/o female with headache.", 28, "female"),
        ("A 3-month-old infant with fever.", 0.25, None),
        ("My 2 year old son has a rash.", 2, "male"),
        ("I'm 34 and I have a headache.", 34, None),
        ("72M with chest pain.", 72, "male"),
        ("Tengo 40 años y me duele la cabeza.", 40, None),
    ],
)
def test_demographics(extract: Extract, text: str, age: float, sex: str | None) -> None:
    language = "es" if text.startswith("Tengo") else "en"
    demo = extract(text, language).demographics
    assert demo.age_years == pytest.approx(age, abs=0.01)
    assert demo.sex == sex


def test_pregnancy(extract: Extract) -> None:
    demo = extract("I'm 30 weeks pregnant with a headache.").demographics
    assert demo.pregnant is True and demo.pregnancy_weeks == 30 and demo.age_years is None
    assert extract("I'm not pregnant.").demographics.pregnant is False
    assert extract("I might be pregnant.").demographics.pregnant is None


# ---------------------------------------------------------------- history
def test_conditions_medications_allergies(extract: Extract) -> None:
    e = extract(
        "PMH of type 2 diabetes and hypertension, on metformin and apixaban. "
        "Allergic to penicillin."
    )
    assert {"diabetes", "hypertension"} <= set(e.history.conditions)
    assert e.history.medications == ["metformin", "apixaban"]
    assert e.history.allergies == ["penicillin"]
    assert extract("NKDA.").history.no_known_allergies is True


# ---------------------------------------------------------------- Spanish
def test_spanish_basics(extract: Extract) -> None:
    e = extract("Tengo dolor de pecho y me falta el aire desde ayer, sin fiebre.", "es")
    assert finding(e, "chest_pain").duration_hours == 24
    assert finding(e, "shortness_of_breath").presence is Presence.PRESENT
    assert finding(e, "fever").presence is Presence.ABSENT


# ---------------------------------------------------------------- bad input and speed
def test_language_handling(extractor: RulesExtractor) -> None:
    assert extractor.extract("fever", item_id="x", language="en-US").findings
    assert extractor.extract("fiebre", item_id="x", language="es-MX").findings
    with pytest.raises(UnsupportedLanguageError):
        extractor.extract("fever", item_id="x", language="fr")
    with pytest.raises(ValueError):
        extractor.extract("fever", item_id="x", language="de")


def test_empty_and_invalid_text(extractor: RulesExtractor) -> None:
    assert extractor.extract("", item_id="x", language="en").findings == []
    assert extractor.extract("   \n ", item_id="x", language="en").findings == []
    assert extractor.extract("!!! ??? ...", item_id="x", language="en").findings == []
    with pytest.raises(InvalidUtteranceError):
        extractor.extract(None, item_id="x", language="en")  # type: ignore[arg-type]


def test_provenance_spans_point_into_the_utterance(extractor: RulesExtractor) -> None:
    text = "Since Tuesday I've had a cough."
    f = extractor.extract(text, item_id="item-7", language="en").findings[0]
    span = f.provenance[0]
    assert span.item_id == "item-7"
    assert text[span.start : span.end] == "cough"


def test_extraction_bounds_its_work(extractor: RulesExtractor) -> None:
    """A long account is read whole up to the cap and truncated past it (speed is measured in
    bench/agent_turn.py, never asserted here)."""
    text = (
        "A 67-year-old woman with diabetes and hypertension presents with 2 hours of crushing "
        "chest pain radiating to her jaw, with sweating and nausea. She denies fever, cough or "
        "vomiting. BP 150/90, HR 110, SpO2 95%. Takes metformin and aspirin. "
        "Allergic to penicillin."
    )
    short = extractor.extract(text, item_id="w", language="en")
    long = extractor.extract(text * 40, item_id="w", language="en")
    assert {f.concept_id for f in short.findings} <= {f.concept_id for f in long.findings}
    huge = extractor.extract(text * 200, item_id="w", language="en")
    assert any("truncated" in line for line in huge.trace)


def test_child_vital_signs_use_age_ranges(extract: Extract) -> None:
    child = extract("A 3-year-old with HR 130 and RR 32.")
    assert finding(child, "tachycardia").presence is Presence.ABSENT
    assert finding(child, "tachypnea").presence is Presence.ABSENT
    adult = extract("A 30-year-old with HR 130 and RR 32.")
    assert finding(adult, "tachycardia").presence is Presence.PRESENT
    assert finding(adult, "tachypnea").presence is Presence.PRESENT
