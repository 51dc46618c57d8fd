"""Generalisation mechanisms: word forms (inflections, typos), intensifier skipping, overlapping
phrases, descriptor + body-part compositions, reassurance, and the two fixed bugs (demographic
statements recorded as conditions; palpitations with mild breathlessness as an emergency)."""

from __future__ import annotations

import pytest

from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.extraction.compositions import PAIRS
from media_host.intake_agent.lexicon import _real_words, load_lexicon
from media_host.intake_agent.models import Level, Presence, QuestionContext
from media_host.intake_agent.textnorm import WordForms, inflection, light_stem
from tests.agent_core.conftest import Extract


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("vomited", "vomit"),
        ("vomiting", "vomit"),
        ("vomits", "vomit"),
        ("vomitting", "vomit"),
        ("wheezing", "wheez"),
        ("wheeze", "wheez"),
        ("bites", "bite"),
        ("itches", "itch"),
        ("bleed", "bleed"),
        ("dizziness", "dizziness"),
        ("threw", "throw"),
        ("arm", "arm"),
    ],
)
def test_light_stem(word: str, stem: str) -> None:
    assert light_stem(word) == stem


def test_inflection_classes() -> None:
    assert [inflection(w) for w in ("vomiting", "vomited", "coughs", "vomit", "threw")] == [
        "ing",
        "ed",
        "s",
        "bare",
        "irregular",
    ]


def test_word_forms_relate_verb_forms_not_noun_homographs() -> None:
    forms = WordForms({"vomiting", "spotting", "spot", "bump", "choking", "fainting"})
    assert "vomiting" in forms.forms("vomited")
    assert "vomiting" in forms.forms("vomit")
    assert "fainting" in forms.forms("fainted")
    assert "spotting" not in forms.forms("spots")  # a red spot is not vaginal spotting
    assert "bump" not in forms.forms("bumped")  # "bumped my shin" is not "a bump"
    assert forms.forms("headaches") == ("headache", "headaches")


def test_typos_are_corrected_but_real_words_are_not() -> None:
    forms = WordForms({"choking", "swelling", "temperature"}, frozenset({"cooking", "smelling"}))
    assert forms.near_words("chokking") == ["choking"]
    assert forms.near_words("temperture") == ["temperature"]
    assert forms.near_words("cooking") == []  # a real word, listed in real_words
    assert forms.near_words("smelling") == []
    assert forms.near_words("xhoking") == []  # first letter must match
    assert forms.near_words("chok") == []  # too short to correct


def test_packaged_real_words_protect_common_words() -> None:
    lexicon = load_lexicon()
    assert "choking" not in lexicon.word_forms("cooking")
    assert "swelling" not in lexicon.word_forms("smelling")
    assert "vomiting" in lexicon.word_forms("vommiting")


@pytest.mark.parametrize(
    ("text", "concept_id"),
    [
        ("she vomitted twice this morning", "vomiting"),
        ("he has been wheezeing all night", "wheeze"),
        ("I have a terrible headach", "headache"),
        ("the baby has been moving much less than usual", "reduced_fetal_movement"),
        ("got a cold sore on my lip", "skin_minor"),
    ],
)
def test_unseen_forms_are_recognised(extract: Extract, text: str, concept_id: str) -> None:
    e = extract(text)
    present = {f.concept_id for f in e.findings if f.presence is Presence.PRESENT}
    assert concept_id in present, (text, present)


def test_cold_sore_is_not_a_cold(extract: Extract) -> None:
    present = {f.concept_id for f in extract("got a cold sore on my lip").findings}
    assert "common_cold" not in present


def test_very_thirsty_still_needs_its_intensifier(extract: Extract) -> None:
    assert "dehydration" not in {f.concept_id for f in extract("I'm thirsty").findings}


@pytest.mark.parametrize(
    ("text", "concept_id"),
    [
        ("his mouth has started sagging on one side", "facial_droop"),
        ("her face has gone all lopsided", "facial_droop"),
        ("his words are coming out slurry and jumbled", "slurred_speech"),
        ("his forearm looks wonky after the fall", "possible_fracture"),
        ("my pee is burning", "dysuria"),
        ("he got a shock off a live cable", "electric_shock"),
        ("I got bleach splashed in my eye", "eye_injury"),
        ("I can barely swallow my own saliva", "drooling"),
        ("it's been bleeding heavily since he was stabbed", "severe_bleeding"),
        ("I can't feel my bum or between my legs", "saddle_anesthesia"),
        ("my brother took loads of paracetamol last night", "overdose"),
        ("I can only say a couple of words at a time", "severe_breathing_difficulty"),
        ("her left hand feels heavy", "unilateral_weakness"),
        ("my foot is flopping when I walk", "unilateral_weakness"),
        ("she suddenly can't see out of one side", "vision_loss"),
        ("his smile has gone crooked", "facial_droop"),
        ("my face feels weak on that side", "facial_droop"),
        ("I've been pooing blood all day", "rectal_bleeding"),
        ("she has only had two wet nappies today", "decreased_urine"),
        ("my lips are dry and cracked", "skin_minor"),
        ("I've got the tablets ready to take tonight", "means_at_hand"),
        ("10 days postpartum with a headache", "postpartum"),
    ],
)
def test_descriptor_compositions(extract: Extract, text: str, concept_id: str) -> None:
    present = {f.concept_id for f in extract(text).findings if f.presence is Presence.PRESENT}
    assert concept_id in present, (text, present)


@pytest.mark.parametrize(
    ("text", "concept_id"),
    [
        ("my pee is burning", "burn"),  # the composition absorbs the single-word reading
        ("he got a shock off a live cable", "hypotension"),
        ("I took paracetamol for my headache", "overdose"),  # a dose is not an overdose
        ("my gums bleed and I have loads of bruises", "severe_bleeding"),
        ("I snore and my wife says I stop breathing in my sleep", "not_breathing"),
        ("his smile has gone crooked", "possible_fracture"),
        ("my legs feel heavy and tired at the end of the day", "unilateral_weakness"),
        ("she has plenty of wet nappies", "decreased_urine"),
    ],
)
def test_compositions_do_not_overreach(extract: Extract, text: str, concept_id: str) -> None:
    present = {f.concept_id for f in extract(text).findings if f.presence is Presence.PRESENT}
    assert concept_id not in present, (text, present)


def test_reassurance_is_only_denied_by_a_close_negation(extract: Extract) -> None:
    e = extract("no sickness, acting normal")
    assert {f.concept_id: f.presence for f in e.findings}["benign_context"] is Presence.PRESENT
    e = extract("he is not acting normal")
    assert {f.concept_id: f.presence for f in e.findings}["benign_context"] is Presence.ABSENT


@pytest.mark.parametrize(
    "text",
    ["female", "I'm a woman", "im a woman", "Woman", "soy mujer", "45 years old", "male, 45"],
)
def test_demographic_answers_never_become_conditions(extract: Extract, text: str) -> None:
    conditions = QuestionContext(kind="history", attribute="conditions")
    language = "es" if text == "soy mujer" else "en"
    assert extract(text, language, context=conditions).history.conditions == []


def test_conditions_answer_with_sex_keeps_the_condition(extract: Extract) -> None:
    conditions = QuestionContext(kind="history", attribute="conditions")
    e = extract("kidney stones, and I'm female", context=conditions)
    assert e.history.conditions == ["kidney_stones"]  # a known condition since D134


@pytest.mark.parametrize(
    ("text", "level"),
    [
        (
            "I get my heart fluttering now and then and I'm a little bit short of breath "
            "when it happens, no chest pain, never fainted",
            Level.URGENT,
        ),
        ("My heart is racing and I feel like I'm going to pass out", Level.EMERGENCY),
        ("My heart is pounding and I have chest pain", Level.EMERGENCY),
        ("Palpitations and I'm extremely short of breath, 9/10", Level.EMERGENCY),
        ("I have heart failure and my heart is racing", Level.EMERGENCY),
    ],
)
def test_palpitations_red_flags_follow_guidance(text: str, level: Level) -> None:
    summary = assess_text(text, age=45)
    assert summary.disposition.level is level, summary.disposition.matched_rules


@pytest.mark.parametrize(
    "text",
    [
        "got a bit of a sniffle and a tickly throat, started yesterday, feel ok otherwise",
        "my son has chickenpox, he's eating and playing",
        "teething, my 9 month old is chewing everything",
    ],
)
def test_clear_self_care_is_not_over_triaged(text: str) -> None:
    assert assess_text(text).disposition.level is Level.SELF_CARE


def test_real_words_list_is_consistent_with_the_lexicon() -> None:
    """Listed real words are never lexicon words (else a synonym could not be matched)."""
    lexicon = load_lexicon()
    vocabulary = lexicon.vocabulary("en")
    real = _real_words()
    assert len(real) > 1000
    assert not (real & vocabulary)
    assert {"cooking", "smelling"} <= real


@pytest.mark.parametrize(
    ("text", "level"),
    [
        (
            "A 30-year-old woman, 10 days postpartum, has a severe headache and blurred vision.",
            Level.EMERGENCY,
        ),
        (
            "I've been feeling suicidal and I've got the tablets ready to take tonight",
            Level.EMERGENCY,
        ),
        ("I have suicidal thoughts but no plan", Level.URGENT),
        ("I've got my tablets ready for the morning", Level.NON_URGENT),  # cautious: no complaint
    ],
)
def test_new_rule_branches(text: str, level: Level) -> None:
    summary = assess_text(text)
    assert summary.disposition.level is level, summary.disposition.matched_rules


def test_every_composition_names_a_lexicon_concept() -> None:
    lexicon = load_lexicon()
    assert len(PAIRS) >= 25
    assert all(concept_id in lexicon for _first, _second, concept_id in PAIRS)
