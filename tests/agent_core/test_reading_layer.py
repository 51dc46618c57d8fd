"""The reading layer on language the team did not write: notes, third person, denied lists,
measured physiology, laboratory values, self-harm statements and what cannot be interpreted.

Every example is written here, in the styles the issue names — none is copied from an evaluation
set.
"""

from __future__ import annotations

import pytest

from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.extraction import labs, self_harm
from media_host.intake_agent.extraction.temporality import find_time_mentions
from media_host.intake_agent.models import Finding, Level, Presence
from media_host.intake_agent.physiology import Vitals, news2_parts, physiology_flags
from media_host.intake_agent.textnorm import normalise
from tests.agent_core.conftest import Extract, finding


def _present(text: str, **kwargs: object) -> set[str]:
    summary = assess_text(text, **kwargs)  # type: ignore[arg-type]
    return {f.concept_id for f in summary.findings_present}


def _level(text: str, **kwargs: object) -> Level:
    return assess_text(text, **kwargs).disposition.level  # type: ignore[arg-type]


# ---------------------------------------------------------------- assertion (negation scope)
def test_a_denied_list_covers_items_the_lexicon_does_not_know(extract: Extract) -> None:
    extraction = extract("Knee is stiff but no effusion, redness, warmth, fever or recent injury.")
    assert finding(extraction, "fever").presence is Presence.ABSENT


def test_every_match_starting_at_a_denied_word_is_denied(extract: Extract) -> None:
    extraction = extract("No swelling face/lips, no SOB.")
    assert finding(extraction, "facial_swelling").presence is Presence.ABSENT


def test_a_negated_intensity_is_not_a_red_flag() -> None:
    assert _level("Headache since this afternoon, 40F. Not the worst ever, came on gradually.") in (
        Level.SELF_CARE,
        Level.NON_URGENT,
    )
    summary = assess_text("It's not the worst headache I've ever had, just annoying.")
    assert not summary.red_flags


def test_everyday_hyperbole_is_not_a_severe_score(extract: Extract) -> None:
    extraction = extract("My knee is killing me, stiff and achy for months.")
    # hyperbole, not a measured score: no number at all (the issue names it as everyday words)
    assert finding(extraction, "knee_pain").severity is None


def test_seeing_a_person_is_an_appointment_not_eyesight() -> None:
    assert "vision_loss" not in _present("The dentist can't see me until next Tuesday.")
    assert "vision_loss" in _present("I suddenly can't see out of my left eye.")


# ---------------------------------------------------------------- notes and third person
def test_note_style_meningism_is_an_emergency() -> None:
    summary = assess_text("Fever 102.5 x2 days. Neck stiff. Photophobia.", age=19, sex="F")
    assert summary.disposition.level is Level.EMERGENCY
    assert "meningitis" in summary.disposition.matched_rules


@pytest.mark.parametrize(
    ("text", "hours"),
    [("Tired all the time x1 month", 730.0), ("fever x2d", 48.0), ("SOB x2wk", 336.0)],
)
def test_note_durations_glued_to_x(text: str, hours: float) -> None:
    found = [m.hours for m in find_time_mentions(normalise(text)) if m.field == "duration_hours"]
    assert found == [hours]


def test_a_spanish_childs_age_is_not_a_duration() -> None:
    norm = normalise("Mi hijo de 5 meses tiene fiebre desde ayer")
    durations = [m.hours for m in find_time_mentions(norm) if m.field == "duration_hours"]
    assert durations == [24.0]


def test_abbreviations_of_clinical_notes() -> None:
    assert "chest_pain" in _present("CP radiating to L arm, onset 1h ago.")
    assert "headache" in _present("Pt c/o HA and photophobia.")


def test_a_mother_is_not_her_baby() -> None:
    summary = assess_text("I had my baby five days ago and I'm soaking a pad every hour.")
    assert summary.demographics.age_years is None
    assert "postpartum" in {f.concept_id for f in summary.findings_present}


# ---------------------------------------------------------------- physiology floor
def test_news2_bands() -> None:
    parts = news2_parts(Vitals(respiration=26, spo2=91, systolic=98, pulse=118, temperature=38.9))
    assert parts == {"respiration": 3, "spo2": 3, "systolic": 2, "pulse": 2, "temperature": 1}


def test_news2_sets_the_floor_and_names_itself() -> None:
    summary = assess_text("78M, RR 26, sats 91%, BP 98/60, HR 118, temp 38.9.")
    assert summary.disposition.level is Level.EMERGENCY
    hit = next(h for h in summary.red_flags if h.rule_id == "news2_high")
    assert "NEWS2" in hit.source or "NEWS2" in hit.title


def test_a_single_score_of_three_is_urgent() -> None:
    flags = physiology_flags(
        [Finding(concept_id="hypoxia", label="low oxygen", value=90.0)], age_years=40
    )
    assert [(f.rule_id, f.level) for f in flags] == [("news2_medium", Level.URGENT)]


def test_normal_vitals_set_no_floor() -> None:
    assert not assess_text("Sore throat. T 37.2, HR 78, RR 14, SpO2 99%, BP 124/78.").red_flags


def test_child_vitals_use_the_nice_traffic_light() -> None:
    summary = assess_text("My 8-month-old has a cough, breathing rate 56, sats 97%.", age=0.7)
    assert "child_physiology_amber" in summary.disposition.matched_rules


def test_peak_flow_percent_of_best_grades_asthma() -> None:
    summary = assess_text("Asthmatic, wheezy for 2 days, PEF 60% of best, SpO2 97%.", age=30)
    assert summary.disposition.level is Level.URGENT
    summary = assess_text("Asthmatic, wheezy, peak flow 40% of predicted.", age=30)
    assert summary.disposition.level is Level.EMERGENCY


def test_a_heart_rate_read_off_a_watch(extract: Extract) -> None:
    extraction = extract("My heart's going really fast, like 130 on my watch.")
    assert finding(extraction, "tachycardia").value == 130.0


def test_a_meter_reading_hi_is_a_very_high_sugar(extract: Extract) -> None:
    assert finding(extract("my sugar meter just says HI"), "high_blood_sugar").value == 33.3


# ---------------------------------------------------------------- laboratory values
@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("K 6.9", labs.CRITICAL),
        ("sodium 118", labs.CRITICAL),
        ("lactate 4.8", labs.CRITICAL),
        ("troponin raised", labs.CRITICAL),
        ("Hb 64 g/L", labs.ALERT),
        ("Hb 6.1 g/dL", labs.ALERT),
        ("platelets 12", labs.ALERT),
        ("CRP 45", labs.ABNORMAL),
        ("K 4.2", None),
    ],
)
def test_laboratory_values_against_their_limits(text: str, concept: str | None) -> None:
    readings = labs.find_labs(normalise(text))
    assert [r.concept_id for r in readings] == [concept]


def test_a_critical_value_is_an_emergency_and_names_its_analyte() -> None:
    summary = assess_text("Feels weak. Bloods today: K 6.9, creatinine 210.")
    assert summary.disposition.level is Level.EMERGENCY
    lab = next(f for f in summary.findings_present if f.concept_id == labs.CRITICAL)
    assert "potassium" in lab.qualifiers


# ---------------------------------------------------------------- self-harm (C-SSRS)
@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("I've decided I'm going to end things tonight, I've got the rope.", {"suicide_plan"}),
        ("Me las voy a tomar todas esta noche, tengo las pastillas aquí.", {"suicide_plan"}),
        ("Sometimes I wish I could go to sleep and not wake up.", {"suicidal_ideation"}),
        ("He denies any thoughts of self-harm or suicide.", set()),
        ("There's no plan, I'd never do anything, I just feel low.", set()),
        ("I'm going to end things with my boyfriend tonight.", set()),
    ],
)
def test_self_harm_statements(text: str, concepts: set[str]) -> None:
    found = {s.concept_id for s in self_harm.find_self_harm(normalise(text))}
    assert concepts <= found
    if not concepts:
        assert not found


def test_intent_with_means_is_an_emergency_and_a_passive_wish_urgent() -> None:
    assert _level("I'm going to kill myself tonight, I've saved up my pills.") is Level.EMERGENCY
    assert (
        _level("It'd be easier if I didn't wake up. But there's no plan, I have my kids.")
        is Level.URGENT
    )


def test_paracetamol_above_the_daily_maximum_is_an_overdose() -> None:
    summary = assess_text(
        "I've been taking extra strength Tylenol for my tooth, probably 7 or 8 grams a day."
    )
    assert summary.disposition.level is Level.EMERGENCY
    assert "overdose" in {f.concept_id for f in summary.findings_present}


# ---------------------------------------------------------------- context and syndromes
def test_pleuritic_pain_in_everyday_words_after_surgery_is_a_possible_clot() -> None:
    summary = assess_text(
        "Had my hip replaced 10 days ago, laid up since. Today I'm short of breath and it "
        "stabs in my side when I breathe in. I'm 63."
    )
    assert "pulmonary_embolism" in summary.disposition.matched_rules


def test_signs_of_skin_infection_named_one_by_one() -> None:
    assert "cellulitis" in _present("A red, warm, tender patch on her shin that has spread.")


def test_a_scald_is_a_burn() -> None:
    assert "burn" in _present("He splashed boiling water on the back of his hand.")


def test_fever_after_travel_to_a_malaria_area() -> None:
    summary = assess_text(
        "Came back from visiting family in Nigeria last week, now fever and chills."
    )
    assert "fever_after_malaria_travel" in summary.disposition.matched_rules


def test_iron_explains_black_stools_without_signs_of_bleeding() -> None:
    calm = assess_text("Black stools since starting iron tablets. No dizziness, no tummy pain.")
    assert "gi_bleed_urgent" not in calm.disposition.matched_rules
    worrying = assess_text("Black stools since starting iron tablets and I feel faint and dizzy.")
    assert worrying.disposition.level in (Level.URGENT, Level.EMERGENCY)


# ---------------------------------------------------------------- safety by construction
def test_clinical_words_that_cannot_be_read_are_never_reassurance() -> None:
    summary = assess_text("Mild sore throat since yesterday. Examination: hepatosplenomegaly.")
    assert "hepatosplenomegaly" in summary.not_interpreted
    assert summary.disposition.level is not Level.SELF_CARE


def test_denied_or_known_words_are_not_listed() -> None:
    summary = assess_text("Runny nose for two days. No lymphadenopathy. Otherwise well, BP normal.")
    assert summary.not_interpreted == []


def test_weeks_of_pregnancy_in_obstetric_notes() -> None:
    summary = assess_text("A 34-year-old woman at 36 weeks has a BP of 162/108 and a headache.")
    assert summary.demographics.pregnant is True
    assert "pre_eclampsia" in summary.disposition.matched_rules
    assert assess_text("G2P1, 32/40, reduced FM since yesterday.").demographics.pregnant is True
    assert assess_text("My baby at 6 weeks had her jabs.").demographics.pregnant is not True


def test_a_breathing_rate_of_eight_is_respiratory_depression() -> None:
    summary = assess_text("A 45-year-old woman is found drowsy with pinpoint pupils and RR 8.")
    assert "respiratory_depression" in summary.disposition.matched_rules


def test_a_denied_pain_word_composes_with_no_site() -> None:
    assert "ear_pain" not in _present("Ear wax blocking my ear, no pain.")
    assert "ear_pain" in _present("My ear hurts a lot.")


# ---------------------------------------------------------------- note shorthand, denials, course
def test_an_age_in_months_over_twelve_is_an_age_not_a_duration() -> None:
    summary = assess_text("9/12 M, D&V since this morning. Alert.")
    assert summary.demographics.age_years == pytest.approx(0.75)
    assert summary.demographics.sex == "male"
    diarrhoea = next(f for f in summary.findings_present if f.concept_id == "diarrhea")
    assert diarrhoea.duration_hours is None or diarrhoea.duration_hours < 24
    # a bare "2/52" stays a duration
    cough = next(f for f in assess_text("Cough 2/52.").findings_present if f.concept_id == "cough")
    assert cough.duration_hours == 336


def test_a_denied_onset_word_is_not_that_onset() -> None:
    """NICE CKS sudden hearing loss: the onset carries the urgency, so "no sudden change" must
    not read as a sudden onset."""
    text = "62M, hearing loss R ear over 1 yr + tinnitus, no sudden change, no otalgia."
    assert _level(text) in (Level.NON_URGENT, Level.SELF_CARE)
    assert _level("Lost the hearing in my left ear suddenly this morning.") is Level.URGENT


def test_a_slash_joins_denied_alternatives_ordinals_included(extract: Extract) -> None:
    extraction = extract("Ottawa neg: no 5th MT base/lat malleolar bony tenderness.")
    assert finding(extraction, "possible_fracture").presence is Presence.ABSENT
    extraction = extract("No fever/rigors. Productive cough.")
    assert finding(extraction, "fever").presence is Presence.ABSENT
    assert finding(extraction, "cough").presence is Presence.PRESENT


def test_a_denied_note_abbreviation_is_denied(extract: Extract) -> None:
    extraction = extract("Epigastric pain 2h. No N/V. No D&V.")
    for concept_id in ("nausea", "vomiting", "diarrhea"):
        assert finding(extraction, concept_id).presence is Presence.ABSENT
    extraction = extract("Headache, N/V since this morning.")
    assert finding(extraction, "vomiting").presence is Presence.PRESENT


def test_a_settled_fever_in_a_well_child_is_not_an_amber_fever() -> None:
    """NICE NG143 grades the current illness: a high fever that has settled, in a child now
    well, does not need same-day care; a high fever now does."""
    settled = (
        "Her 2 year old had a high temperature for 3 days which settled last night; "
        "she is back to normal today."
    )
    assert _level(settled, age=2) in (Level.NON_URGENT, Level.SELF_CARE)
    assert (
        _level("My 2 year old has had a high temperature since yesterday.", age=2) is Level.URGENT
    )


def test_a_large_local_reaction_to_a_sting_is_not_an_infection() -> None:
    """NICE CKS insect bites and stings: redness and swelling within 48 h of a sting, without
    fever, is the expected local reaction; spreading redness days later, or fever, is not."""
    early = "Stung by a bee on the calf yday. Now red, swollen and itchy around it. Well, afebrile."
    assert _level(early) is Level.SELF_CARE
    extent = "Stung on the calf yday, red and swollen from knee to ankle."
    assert "joint_swelling" not in _present(extent)  # "knee to ankle" is an extent, not a joint
    late = "Bee sting on my hand 4 days ago, now the redness is spreading up my arm and it's hot."
    assert _level(late) is Level.URGENT
    febrile = "Wasp sting on the arm this morning, red and swollen, and a temperature of 38.6."
    assert _level(febrile) is Level.URGENT


def test_a_large_local_reaction_is_seen_by_a_gp() -> None:
    """NHS insect bites and stings: a large area of redness and swelling (about 10 cm or more)
    needs a GP, even without signs of infection."""
    assert _level("Wasp sting this morning, whole forearm swollen and red, no wheeze.") is (
        Level.NON_URGENT
    )
    assert _level("Stung by a wasp on my hand an hour ago, small red swollen patch.") is (
        Level.SELF_CARE
    )


# ---------------------------------------------------------------- spinal and urinary red flags
@pytest.mark.parametrize(
    "text",
    [
        "My bum has gone numb since this morning and my back is agony.",
        "She says her inner thighs and bottom feel numb.",
    ],
)
def test_saddle_numbness_in_either_word_order(text: str) -> None:
    assert "saddle_anesthesia" in _present(text)


def test_struggling_to_pass_urine_in_notes_is_retention() -> None:
    assert "urinary_retention" in _present("Has struggled to pass urine all day, back pain.")


def test_both_legs_heavy_is_weakness_of_both_legs_not_leg_pain() -> None:
    present = _present("Both of his legs feel heavy today.")
    assert "bilateral_leg_weakness" in present
    assert "leg_pain" not in present
    assert "unilateral_weakness" not in present


def test_a_time_said_of_the_history_does_not_date_the_complaint() -> None:
    summary = assess_text(
        "Treated for bowel cancer three years ago, she has had two weeks of back pain."
    )
    back = next(f for f in summary.findings_present if f.concept_id == "back_pain")
    assert back.duration_hours == 14 * 24


def test_night_pain_is_a_qualifier_of_the_pain(extract: Extract) -> None:
    extraction = extract("My lower back pain wakes me up at night.")
    assert "nocturnal" in finding(extraction, "back_pain").qualifiers


# ---------------------------------------------------------------- context written as notes
@pytest.mark.parametrize(
    "text",
    [
        "58F, lung ca, on carboplatin. T 38.4.",
        "Ca bowel, FOLFOX cycle 4 last week, temp 38.1 and shivery.",
    ],
)
def test_cancer_and_chemotherapy_written_as_notes(text: str) -> None:
    summary = assess_text(text)
    assert {"cancer", "immunosuppression"} <= set(summary.history.conditions)
    assert summary.disposition.level is Level.EMERGENCY


def test_a_lithium_battery_is_not_the_medicine() -> None:
    summary = assess_text("Toddler may have swallowed a lithium button cell from the remote.")
    assert "lithium" not in summary.history.medications
    assert summary.disposition.level is Level.EMERGENCY


def test_a_coin_cell_gone_from_a_device_is_a_possible_ingestion() -> None:
    text = "The coin cell from his watch is missing, he was playing with it."
    assert "overdose" in _present(text)


# ---------------------------------------------------------------- children's breathing
def test_a_noise_on_breathing_in_is_stridor_but_in_and_out_is_not() -> None:
    assert "stridor" in _present("He makes a squeaky noise every time he breathes in.")
    assert "stridor" not in _present("There is a whistling sound when I breathe in and out.")


def test_ribs_drawing_in_is_recession() -> None:
    assert _level("My 1 year old has a cough and the skin under her ribs is sucking in.") is (
        Level.EMERGENCY
    )


def test_pauses_and_gasps_in_a_snoring_childs_sleep_are_sleep_apnoea() -> None:
    text = "Our 5-year-old snores every night, stops breathing for a moment and then gasps."
    present = _present(text)
    assert "sleep_apnoea" in present
    assert not present & {"not_breathing", "severe_breathing_difficulty"}
    assert _level("He collapsed and has stopped breathing.") is Level.EMERGENCY


def test_thirst_and_night_time_weeing_with_weight_loss_in_a_child() -> None:
    text = "Our 9 year old drinks loads of water, gets up at night to pee and has lost weight."
    present = _present(text)
    assert {"polydipsia", "urinary_frequency"} <= present
    assert _level(text) is Level.URGENT


def test_weeks_of_breathlessness_with_swollen_ankles_is_not_a_clot() -> None:
    summary = assess_text(
        "Over the last six weeks I get more out of breath on the stairs and my ankles swell."
    )
    assert "pulmonary_embolism" not in {f.rule_id for f in summary.red_flags}
    acute = assess_text("Since this morning I'm short of breath and my left calf is swollen.")
    assert "pulmonary_embolism" in {f.rule_id for f in acute.red_flags}


# ---------------------------------------------------------------- ingestions
def test_taking_ones_usual_tablets_is_not_an_overdose() -> None:
    assert "overdose" not in _present("I took my tablets this morning and I have a headache.")
    assert "overdose" not in _present("He took his blood pressure pills late today.")


@pytest.mark.parametrize(
    "text",
    [
        "My son took some of my pills while I was in the shower.",
        "She took a whole packet of pills an hour ago.",
        "He took 20 tablets last night.",
        "Grandad took bleach by mistake.",
        "He took a bunch of his dad's sleeping pills.",
    ],
)
def test_taking_a_quantity_or_a_non_medicine_is_an_overdose(text: str) -> None:
    assert _level(text) is Level.EMERGENCY


def test_a_suspected_ingestion_is_managed_as_one() -> None:
    summary = assess_text("I think the baby may have swallowed one of the magnets.")
    assert "overdose" in {f.concept_id for f in summary.findings_present}
    assert summary.disposition.level is Level.EMERGENCY


# ---------------------------------------------------------------- description and notes
def test_a_described_area_reaches_its_body_site() -> None:
    text = "Breastfeeding, a sore, hot, red area on the lower inner right breast, temp 38.6."
    assert "breast_pain" in _present(text)
    assert _level(text) is Level.URGENT


def test_a_teething_babys_drooling_is_not_the_airway_sign() -> None:
    assert "drooling" not in _present("She's teething and drooling a lot, otherwise happy.")
    assert "drooling" in _present("He has a sore throat, a fever and is drooling.")


@pytest.mark.parametrize(("text", "hours"), [("Cough x2w.", 336.0), ("Snoring x1y.", 8760.0)])
def test_note_durations_in_weeks_and_years(text: str, hours: float) -> None:
    durations = [t.hours for t in find_time_mentions(normalise(text)) if t.hours is not None]
    assert durations == [hours]


@pytest.mark.parametrize("text", ["55 y/o M, chest pain.", "Woke 0500 w/ severe pain."])
def test_y_slash_o_and_w_slash_are_not_durations(text: str) -> None:
    assert not [t for t in find_time_mentions(normalise(text)) if t.field == "duration_hours"]


def test_the_spouse_who_tells_is_not_the_patient() -> None:
    summary = assess_text("Loud snoring, wife notes pauses in his breathing at night.")
    assert summary.demographics.sex == "male"
    assert assess_text("My wife has had a cough for a week.").demographics.sex == "female"


def test_an_age_in_years_shorthand_is_not_a_duration() -> None:
    assert not [
        t for t in find_time_mentions(normalise("Child 6y sore throat.")) if t.hours is not None
    ]


# ---------------------------------------------------------------- signs named by clinicians
def test_hutchinsons_sign_is_shingles() -> None:
    text = "Rash on the forehead, Hutchinson's sign positive, eye watering."
    assert "shingles" in _present(text)
    assert _level(text) is Level.URGENT


def test_fewer_wet_nappies_than_usual() -> None:
    assert "decreased_urine" in _present("Baby with diarrhoea, 3 wet nappies today, usually 7.")


def test_swelling_measured_between_joints_is_not_a_hot_joint() -> None:
    text = "Bee sting on the shin, red and swollen from the ankle to the knee, itchy."
    assert "hot_joint" not in _present(text)


def test_a_red_patch_on_the_white_of_the_eye_is_a_burst_vessel_not_a_rash() -> None:
    text = "There's a bright red spot on the white of my left eye, no pain, I can see fine."
    present = _present(text)
    assert "subconjunctival_haemorrhage" in present
    assert "rash" not in present
    assert _level(text) is Level.SELF_CARE


def test_how_long_an_episode_lasts_is_not_how_long_the_illness_has_lasted() -> None:
    mentions = find_time_mentions(normalise("The pain eases within five minutes of resting."))
    assert not [t for t in mentions if t.field == "duration_hours"]
    summary = assess_text(
        "Tightness in my chest when I climb hills that eases within 3 minutes of rest, "
        "on and off over the past two months, never at rest."
    )
    assert "acs_chest_pain" not in {f.rule_id for f in summary.red_flags}


# ---------------------------------------------------------------- words that describe, not name
@pytest.mark.parametrize(
    "text", ["I get burning heartburn after big meals.", "A burning feeling in my stomach."]
)
def test_a_burning_sensation_is_not_a_burn(text: str) -> None:
    assert "burn" not in _present(text)


def test_a_burn_is_still_a_burn() -> None:
    assert "burn" in _present("I was burning my hand on the kettle this morning.")


def test_the_spots_of_chickenpox_are_its_rash() -> None:
    text = "My 4 year old has chickenpox, spots everywhere, but he's eating and playing."
    assert _level(text) is Level.SELF_CARE


def test_a_denied_exertional_trigger_is_not_exertional(extract: Extract) -> None:
    extraction = extract("Chest discomfort after a big meal. No exertional symptoms.")
    assert finding(extraction, "chest_pain").aggravating is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My spots are leaving dark marks on my cheeks.", "en"),
        ("Tengo granos en la cara que me dejan marcas.", "es"),
    ],
)
def test_acne_that_scars_is_for_a_gp(text: str, language: str) -> None:
    assert "acne_scarring" in _present(text, language=language)
    assert _level(text, language=language) is Level.NON_URGENT


def test_calf_pain_on_walking_gone_with_rest_is_claudication() -> None:
    text = "My calves ache when I walk to the shops and it goes when I rest, for months now."
    assert _level(text) is Level.NON_URGENT
    assert _level("My left calf has been painful and swollen since yesterday.") is not (
        Level.NON_URGENT
    )


def test_an_eye_that_drifts_in_is_a_squint() -> None:
    text = "Our 3 year old's right eye turns inwards when he looks at books."
    assert "squint" in _present(text)
    assert _level(text) is Level.NON_URGENT


def test_the_tingle_before_a_cold_sore_is_not_numbness() -> None:
    text = "I can feel a cold sore starting on my lip, it's tingling."
    assert "numbness" not in _present(text)
    assert _level(text) is Level.SELF_CARE


def test_a_small_burn_in_spanish_is_self_care() -> None:
    text = "Me quemé el dedo con la sartén, está rojo pero sin ampollas."
    assert _level(text, language="es") is Level.SELF_CARE


def test_crampy_tummy_ache_with_diarrhoea_is_gastroenteritis() -> None:
    text = "Diarrhoea six times since last night with crampy tummy ache, drinking fine, no blood."
    assert _level(text) is Level.SELF_CARE


def test_a_rash_over_the_nappy_area_is_nappy_rash_even_after_denied_blisters() -> None:
    text = "No fever, no blisters. My baby has a sore red rash over the nappy area."
    assert "skin_minor" in _present(text)
    assert _level(text) is Level.SELF_CARE


def test_a_mole_that_has_grown_and_changed_colour_is_a_changing_mole() -> None:
    assert "mole_change" in _present("The mole on my shoulder has got bigger and darker.")
    assert "mole_change" not in _present("I have lots of moles but none have changed.")
    assert "facial_droop" not in _present("Her face is not drooping at all.")


def test_a_spot_pressed_on_is_a_place_not_a_skin_spot() -> None:
    text = "Sore chest since lifting boxes, it hurts when I press on one spot."
    present = _present(text)
    assert "rash" not in present and "skin_minor" not in present
    assert "skin_minor" in _present("I have a spot on my chin.")


# ---------------------------------------------------------------- from the sixth/seventh batches
def test_a_quantity_must_govern_the_medicine() -> None:
    text = (
        "Killer headache after a day at the screen; had loads of these before and painkillers help."
    )
    assert "overdose" not in _present(text)
    assert "overdose" in _present("She swallowed loads of her sleeping tablets.")


def test_a_coughing_fit_is_not_a_seizure() -> None:
    assert "seizure" not in _present("Red blotch on the white of my eye after a coughing fit.")
    assert "seizure" in _present("He had a fit this morning and was shaking all over.")


def test_raynauds_colour_change_is_not_a_skin_infection() -> None:
    text = "In the cold my fingers go white, then blue, then red and warm again."
    present = _present(text)
    assert "raynaud" in present and "cellulitis" not in present


def test_a_head_knocked_on_a_cupboard_on_warfarin() -> None:
    text = "My mum is 84, on warfarin, and knocked her head on a cupboard yesterday."
    assert "head_injury" in _present(text)
    assert _level(text) is Level.EMERGENCY


def test_jolting_pain_with_migrating_right_lower_pain_is_appendicitis() -> None:
    text = (
        "Her tummy ache started round her belly button and moved to the lower right side; "
        "she doesn't want to eat and it hurts when the car goes over bumps."
    )
    assert "peritonism" in _present(text)
    assert _level(text) is Level.EMERGENCY
    assert "peritonism" not in _present("I have a bump on my arm that hurts.")


def test_spanish_asthma_attack_with_a_failing_reliever() -> None:
    text = "Le di el inhalador azul y no le hace nada, no puede terminar una frase."
    assert _level(text, language="es") is Level.EMERGENCY


def test_a_new_clause_after_and_is_outside_a_negation() -> None:
    text = "Grinding metal without goggles and something flew in my eye, it's sore."
    assert "eye_injury" in _present(text)


def test_weight_lost_in_stones_or_kilos() -> None:
    assert "weight_loss" in _present("I've lost nearly a stone without trying.")


def test_light_spotting_with_mild_central_cramps_is_the_early_pregnancy_unit() -> None:
    text = "Nine weeks pregnant, light spotting when I wipe and mild cramps low in the middle."
    assert _level(text) is Level.URGENT


@pytest.mark.parametrize(
    ("text", "prolonged"),
    [("Alert, CRT 2s, HR 120.", False), ("CRT 4 seconds, cool hands.", True)],
)
def test_capillary_refill_counts_only_when_prolonged(text: str, prolonged: bool) -> None:
    assert ("mottled_skin" in _present(text, age=3)) is prolonged


def test_spanish_no_veo_sangre_denies_blood_and_no_veo_nada_is_vision_loss() -> None:
    assert "bleeding" not in _present("No veo sangre en la orina.", language="es")
    assert "vision_loss" in _present("De repente no veo nada del ojo derecho.", language="es")


def test_bumps_from_mosquitoes_are_bites() -> None:
    text = "Itchy red bumps on his legs from mosquitoes on holiday, no fever, eating well."
    assert "insect_bite" in _present(text)
    assert _level(text, age=6) is Level.SELF_CARE


def test_it_is_killing_me_says_nothing_measured_about_severity(extract: Extract) -> None:
    extraction = extract("This sore throat is killing me, had it two days.")
    assert finding(extraction, "sore_throat").severity is None
    assert _level("My back is killing me since I dug the garden on Sunday, 35 years old.") in (
        Level.SELF_CARE,
        Level.NON_URGENT,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Headache again, I get these all the time after a long day, paracetamol helps.",
        "Tension headache, had lots of these before, usually goes with a nap.",
    ],
)
def test_a_familiar_recurring_pain_is_not_a_lone_undescribed_one(text: str) -> None:
    assert _level(text, age=30) is Level.SELF_CARE


def test_symptoms_after_a_night_of_drinking_are_a_hangover() -> None:
    text = "Drank too much last night at a stag do, woke up with a pounding head and feeling sick."
    summary = assess_text(text, age=27)
    assert "hangover" in {f.concept_id for f in summary.findings_present}
    assert summary.disposition.level is Level.SELF_CARE
    # a red flag is checked before any of it is explained away
    worse = "Hungover but now very confused and can't stay awake."
    assert _level(worse, age=27) is Level.EMERGENCY


def test_shakiness_in_a_daily_drinker_is_not_explained_as_a_hangover() -> None:
    text = "Hung over and shaky with a tremor this morning; I drink every day and want to cut down."
    assert _level(text, age=50) is not Level.SELF_CARE


def test_an_unknown_term_the_note_reports_as_normal_is_interpreted() -> None:
    normal = assess_text("Red eye since this morning, painless. VA normal, no discharge.", age=40)
    assert "VA" not in normal.not_interpreted
    reduced = assess_text("Red eye since this morning, painless. VA reduced, no discharge.", age=40)
    assert "VA" in reduced.not_interpreted


def test_a_toddler_chewing_everything_with_red_cheeks_is_teething() -> None:
    text = "Our 14-month-old has rosy cheeks and is chewing on everything, no temperature."
    assert "minor_complaint" in _present(text, age=1.2)


def test_the_arm_and_leg_of_one_side_weak_together_is_a_stroke_sign() -> None:
    text = "57M. His left arm and leg have felt weak and clumsy for an hour, thinks he slept funny."
    assert "unilateral_weakness" in _present(text)
    assert _level(text) is Level.EMERGENCY


def test_pain_that_moved_down_to_the_right_side_is_in_the_lower_right() -> None:
    text = (
        "Pain started round her belly button this morning and has gone down to the right side,"
        " she threw up."
    )
    assert _level(text, age=19) is Level.EMERGENCY


def test_pain_going_over_speed_bumps_is_the_jolt_of_peritonism() -> None:
    assert "peritonism" in _present(
        "Tummy pain, and every speed bump on the drive in made it worse."
    )


def test_an_elephant_sat_on_the_chest_is_chest_pain() -> None:
    assert "chest_pain" in _present("It feels like an elephant sat on my chest and I'm clammy.")


@pytest.mark.parametrize("amount", ["~40", "approx 40"])
def test_a_note_written_approximate_count_of_tablets_is_an_overdose(amount: str) -> None:
    assert "overdose" in _present(f"19M. Took {amount} ibuprofen 200mg this evening.")


def test_a_household_unwell_since_a_heater_went_on_is_carbon_monoxide() -> None:
    text = "Since we switched the old gas fire on we all have headaches and the cat is lethargic."
    assert _level(text, age=35) is Level.EMERGENCY
    assert "carbon_monoxide" not in _present("We all have colds and the boiler is fine.")
    spanish = "Desde que prendimos el brasero todos tenemos dolor de cabeza y mareo."
    assert "carbon_monoxide" in _present(spanish, language="es")


def test_spanish_hip_fracture_after_a_fall() -> None:
    text = "Mi abuelo se ha caído y no se puede levantar; la pierna está girada hacia afuera."
    assert _level(text, age=83, language="es") is Level.EMERGENCY


def test_the_cause_of_a_fall_being_unknown_does_not_make_the_fall_uncertain() -> None:
    summary = assess_text("82F, found by son, unsure how she fell in the garden.", age=82)
    assert "fall" in {f.concept_id for f in summary.findings_present}


def test_an_older_person_found_on_the_floor_had_a_long_lie() -> None:
    text = "81M, found on bedroom floor by carer, cannot say how long, now sitting in a chair."
    assert "long_lie" in _present(text)
    assert _level(text) is Level.URGENT


def test_going_loads_is_how_often_not_how_much_blood() -> None:
    text = "Burning when I wee and going loads, a little pink blood on the tissue."
    assert "severe_bleeding" not in _present(text, age=30)


def test_burning_behind_the_breastbone_is_a_sensation_not_a_burn() -> None:
    assert "burn" not in _present("Burning behind my breastbone after a big dinner, Rennie helped.")


def test_a_child_reluctant_to_bear_weight_cannot_bear_weight() -> None:
    assert "unable_to_bear_weight" in _present("He's reluctant to put any weight on his left leg.")


def test_spanish_thirst_and_passing_urine_all_the_time_in_a_child() -> None:
    text = "Mi hijo tiene muchísima sed, hace pis a todas horas y ha perdido peso."
    assert _level(text, age=7, language="es") is Level.URGENT


def test_eyesight_gone_misty_is_blurred_vision() -> None:
    assert "blurred_vision" in _present("Her eyesight in the left eye has gone misty since lunch.")


def test_a_burn_the_size_of_a_coin_is_small() -> None:
    text = "Caught my wrist on the oven shelf, red patch the size of a 10p coin, no blisters."
    assert _level(text, age=33) is Level.SELF_CARE


def test_flaky_crusts_on_a_babys_scalp_are_a_minor_skin_problem() -> None:
    assert "skin_minor" in _present("Greasy yellow crusts on his scalp, feeding fine.", age=0.4)


def test_a_knock_to_the_head_with_the_risk_factors_denied_is_cared_for_at_home() -> None:
    text = "Our 6-year-old banged his head on a lamp post, has a bump, no vomiting, not drowsy."
    assert _level(text, age=6) is Level.SELF_CARE
    # ... but not a headache that has gone on for days since (NHS concussion: see a GP)
    lasting = "Bumped my head on a shelf 4 days ago, headache ever since, no vomiting."
    assert _level(lasting, age=30) is not Level.SELF_CARE
    # ... and the NICE NG232 thresholds for infants and older adults stay with the rules
    assert _level("Bumped his head on the cot, no vomiting.", age=0.5) is not Level.SELF_CARE


def test_itchy_raised_bumps_are_a_skin_problem_not_a_lump_to_examine() -> None:
    text = "Three small itchy raised bumps on my shin since the barbecue."
    assert "lump" not in _present(text, age=40)
    assert _level(text, age=40) is Level.SELF_CARE


def test_a_stubbed_little_toe_on_the_bed_frame_is_no_immobility() -> None:
    summary = assess_text("Stubbed my little toe on the bed frame, bruised, can walk.", age=36)
    assert "immobility" not in summary.history.conditions
    assert summary.disposition.level is Level.SELF_CARE


def test_blurring_of_vision_over_a_year_is_not_same_day() -> None:
    text = "Over the past year my vision has got blurry, especially reading, no pain."
    assert _level(text, age=70) is Level.NON_URGENT


def test_sunburnt_skin_that_is_red_and_hot_is_the_sunburn_not_an_infection() -> None:
    text = "Got sunburnt on my shoulders at the beach, the skin is red and hot, no blisters."
    assert "cellulitis" not in _present(text, age=25)
    assert _level(text, age=25) is Level.SELF_CARE


def test_spots_from_bites_are_the_bites() -> None:
    assert _level("Itchy spots on both ankles from mosquito bites last night.", age=9) is (
        Level.SELF_CARE
    )


def test_a_hot_day_is_the_weather_not_a_scald() -> None:
    assert "burn" not in _present("Felt faint on a hot day after not drinking much water.")
    assert "burn" in _present("Knocked a mug of hot tea over her hand.")


def test_an_adult_not_drinking_enough_is_advised_to_drink_more() -> None:
    text = "Mild headache, I've not been drinking enough water at work this week."
    assert _level(text, age=28) is Level.SELF_CARE
    # in a baby poor feeding keeps its paediatric weight (NICE NG143)
    assert _level("She's feeding less than usual today.", age=0.5) is not Level.SELF_CARE


def test_an_uncomplicated_faint_needs_no_same_day_assessment() -> None:
    text = (
        "Fainted at the bus stop after standing for ages in the heat, felt clammy and sick"
        " first, fine now."
    )
    assert _level(text, age=24) is Level.SELF_CARE
    # ... unlike a faint on exertion, or with another feature
    assert _level("Collapsed while jogging, came round quickly.", age=24) is not Level.SELF_CARE
    with_chest_pain = "Fainted in a hot crowded room after chest pain, felt sick first."
    assert _level(with_chest_pain, age=24) is Level.EMERGENCY


def test_a_sunken_or_bulging_soft_spot_is_read() -> None:
    assert "dehydration" in _present("The soft spot on her head looks sunken.", age=0.3)
    assert "bulging_fontanelle" in _present("His soft spot is raised and tense.", age=0.5)
    assert "rash" not in _present("The soft spot on her head looks sunken.", age=0.3)


def test_a_carer_who_cannot_find_a_fever_denies_it() -> None:
    summary = assess_text("She's off her food and I can't find a fever.", age=80)
    assert "fever" not in {f.concept_id for f in summary.findings_present}


def test_his_wee_is_the_noun_not_an_attempt_to_pass_it() -> None:
    text = "He couldn't manage the stairs today and his wee smells strong."
    assert "urinary_retention" not in _present(text, age=80)
    assert "urinary_retention" in _present("He can't wee at all since last night.", age=80)


def test_confusion_over_days_without_other_signs_is_same_day_delirium() -> None:
    text = "Mum, 84, has been a bit more confused for three days, eating and walking as usual."
    assert _level(text) is Level.URGENT
    assert _level("Mum, 84, suddenly confused this afternoon.") is Level.EMERGENCY
    febrile = "Mum, 84, more confused for three days and now has a fever of 38.6."
    assert _level(febrile) is Level.EMERGENCY


def test_soaking_pads_after_a_birth_is_a_postpartum_haemorrhage() -> None:
    text = "Had my baby a week ago, now soaking a maternity pad every half an hour."
    assert _level(text, age=29) is Level.EMERGENCY


def test_weakness_of_both_legs_with_tingling_is_an_emergency() -> None:
    text = "Tingling in my hands and feet for two days and now my legs are weak on the stairs."
    assert _level(text, age=40) is Level.EMERGENCY


def test_pain_on_passive_stretch_after_a_fracture_is_compartment_syndrome() -> None:
    text = "Forearm fracture in a cast since this morning; pain on passive stretch of the fingers."
    assert _level(text, age=22) is Level.EMERGENCY


def test_a_felt_irregular_pulse_is_same_day_and_a_watch_alert_is_for_the_gp() -> None:
    felt = "Heart fluttering since yesterday, pulse irregularly irregular at 118."
    assert _level(felt, age=60) is Level.URGENT
    watch = (
        "My smartwatch flagged an irregular heart rhythm twice this week; I feel completely well."
    )
    assert _level(watch, age=60) is Level.NON_URGENT


def test_a_habit_rate_is_not_a_duration() -> None:
    summary = assess_text("He smokes 20 a day and has had a hoarse voice for five weeks.", age=58)
    hoarse = [f for f in summary.findings_present if f.concept_id == "hoarseness"]
    assert hoarse and hoarse[0].duration_hours == 5 * 168


def test_an_infected_wound_is_read_from_its_signs() -> None:
    text = "Her caesarean scar is oozing and has gone red along one edge, temperature 37.9."
    assert "cellulitis" in _present(text, age=30)


def test_spots_turning_into_blisters_are_chickenpox() -> None:
    text = "Itchy spots turning into blisters on his tummy since Sunday, playing happily."
    assert "chickenpox" in _present(text, age=4)


def test_a_denied_excess_of_drinking_opens_a_denied_list() -> None:
    summary = assess_text("Wets the bed most nights; not drinking loads or losing weight.", age=8)
    present = {f.concept_id for f in summary.findings_present}
    assert "poor_feeding" not in present and "weight_loss" not in present
    assert "bedwetting" in present


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Se le está cerrando la garganta después de comer gambas.", "airway_swelling"),
        ("Mi bebé tiene la mollera hundida y casi no moja el pañal.", "dehydration"),
        ("Desde ayer vomita algo verde y no hace caca.", "bilious_vomiting"),
        ("Se puso moradito alrededor de la boca.", "cyanosis"),
        ("Le dio la corriente con un enchufe.", "electric_shock"),
    ],
)
def test_spanish_lay_wording_of_red_flag_findings(text: str, concept: str) -> None:
    assert concept in _present(text, language="es")


def test_spanish_bowel_obstruction_told_in_the_perfect_tense() -> None:
    text = (
        "No he hecho de vientre en dos días ni echo gases, se me ha hinchado la tripa y he"
        " vomitado verde."
    )
    assert _level(text, age=70, language="es") is Level.EMERGENCY


def test_spanish_snoring_with_pauses_is_sleep_apnoea_not_an_arrest() -> None:
    text = "Mi marido ronca muchísimo y por la noche deja de respirar unos segundos."
    present = _present(text, language="es")
    assert "sleep_apnoea" in present and "not_breathing" not in present
    assert "hoarseness" not in present


def test_a_spanish_person_of_n_years_is_an_age_not_a_duration() -> None:
    summary = assess_text(
        "Mi suegra, de 82 años, tiene la muñeca hinchada desde ayer.", language="es"
    )
    assert all((f.duration_hours or 0) < 100 for f in summary.findings_present)


def test_period_cramps_explain_the_tummy_ache() -> None:
    text = "Period pain with cramps in my lower tummy, same as every month, paracetamol helps."
    assert _level(text, age=22, sex="F") is Level.SELF_CARE


def test_findings_a_note_or_a_relative_words_plainly() -> None:
    note = "79M, fall this am, struck occiput on the wardrobe. On rivaroxaban. GCS 15."
    assert _level(note) is Level.EMERGENCY
    relative = "Mum's on antibiotics for a chest infection; today she's not with it and keeps"
    assert "confusion" in _present(relative + " nodding off mid sentence.", age=86)
    assert "weight_loss" in _present("Always thirsty and her clothes look looser.", age=9)
    # falling asleep at a desk after lunch is daytime sleepiness, not acute drowsiness
    assert "drowsiness" not in _present("I keep nodding off at my desk after lunch.", age=50)


def test_better_off_without_me_is_a_passive_wish_to_be_dead() -> None:
    text = "She's been low for a month and told me we'd all be better off without her."
    assert "suicidal_ideation" in _present(text, age=35)
    assert _level(text, age=35) in (Level.URGENT, Level.EMERGENCY)
    assert "suicidal_ideation" not in _present("The team is better off without that old printer.")


def test_will_not_put_weight_on_it_is_cannot_bear_weight() -> None:
    assert "unable_to_bear_weight" in _present(
        "He will not put any weight on his left foot.", age=3
    )


def test_stridor_only_when_crying_is_not_stridor_at_rest() -> None:
    mild = "Barking cough since last night; the noisy breathing in is only when she cries."
    assert _level(mild, age=3) is Level.URGENT
    at_rest = "Barking cough and a harsh noise breathing in even while she sleeps."
    assert _level(at_rest, age=3) is Level.EMERGENCY


def test_spanish_pain_moving_to_the_lower_right_side_is_appendicitis() -> None:
    text = "Le empezó el dolor en el ombligo y ahora le duele abajo del lado derecho, vomitó."
    assert _level(text, age=14, language="es") is Level.EMERGENCY
    assert "flank_pain" not in _present(
        "Vive al lado de mi casa y le duele la cabeza.", language="es"
    )


# ---------------------------------------------------------------- B11 dev part: general readings
def test_a_thermometer_reading_later_in_the_clause_is_a_temperature() -> None:
    assert _level("Took his temperature under the arm just now and it said 38.4.", age=0.1) is (
        Level.EMERGENCY
    )
    spanish = "Le tomé la temperatura en la axila hace un rato y marcó 38,3."
    assert _level(spanish, age=0.1, language="es") is Level.EMERGENCY
    assert "fever" not in _present("Temperature checks for 3 days were all fine.", age=30)


def test_a_counted_overdose_of_someone_elses_medicine_and_a_supply_taken_at_once() -> None:
    assert "overdose" in _present("He swallowed 18 of his dad's codeine tablets.", age=17)
    assert "overdose" in _present("She took the rest of the sleeping tablets last night.", age=40)
    # finishing a course is what a course is for
    assert "overdose" not in _present("I took the rest of the antibiotics as told.", age=40)


def test_the_glass_test_and_purplish_spots_are_a_non_blanching_rash() -> None:
    text = "He's hot, 39.1, and I pressed a tumbler on the spots and they don't fade."
    assert _level(text, age=2) is Level.EMERGENCY
    assert "non_blanching_rash" in _present("Purplish red spots on her legs.", age=4)


def test_a_tight_throat_and_bigger_lips_after_a_food_are_anaphylaxis() -> None:
    text = "Ate a cashew, now says her throat feels weird and tight and her lips look bigger."
    assert _level(text, age=9) is Level.EMERGENCY


def test_suicidal_thoughts_with_a_preparatory_act_are_a_plan() -> None:
    text = "Everyone would be better off. I've written my will and given away my guitar."
    assert _level(text, age=45) is Level.EMERGENCY
    # a will on its own is estate planning
    assert _level("We finally made a will this year, and my knee aches.", age=70) is not (
        Level.EMERGENCY
    )


def test_indigestion_with_sweating_and_nausea_is_an_anginal_equivalent() -> None:
    text = "Feels like bad indigestion since walking up the hill, sweating and feeling sick."
    assert _level(text, age=61) is Level.EMERGENCY


def test_no_change_in_vision_denies_the_finding() -> None:
    assert "blurred_vision" not in _present("Headache for a day. No change in vision.", age=30)


def test_a_negation_between_site_and_swelling_word_denies_the_swelling() -> None:
    assert "abdominal_distension" not in _present("Tummy not swollen, eating fine.", age=40)
    assert "joint_swelling" not in _present("Her knee doesn't look swollen.", age=40)
    assert "joint_swelling" in _present("Her knee looks swollen.", age=40)


def test_bowels_not_opened_is_constipation() -> None:
    assert "constipation" in _present("He hasn't opened his bowels for five days.", age=70)


def test_a_short_year_unit_after_over_or_for_is_a_duration() -> None:
    assert _level("Vision slowly more blurred over ~2y, no pain, no red eye.", age=75) is (
        Level.NON_URGENT
    )


def test_red_tonsils_are_not_spreading_skin_redness() -> None:
    assert "cellulitis" not in _present("Tonsils erythematous, no exudate. Afebrile.", age=20)
    assert "cellulitis" in _present("Erythematous warm area on the calf.", age=50)


def test_a_dusky_toe_is_ischaemia_not_central_cyanosis() -> None:
    present = _present("Diabetic, his big toe has gone dusky over two days.", age=70)
    assert "gangrene" in present and "cyanosis" not in present


def test_a_dipstick_ketone_grade_is_not_a_critical_blood_ketone() -> None:
    assert "critical_lab_value" not in _present("Urine ketones 3+ on the stick.", age=25)
    assert "critical_lab_value" in _present("Blood ketones 3.8 mmol/L.", age=25)


def test_normally_fit_is_healthy_not_a_seizure() -> None:
    assert "seizure" not in _present("I'm normally fit and well, bad cold for 3 days.", age=30)
    assert "seizure" in _present("He had a fit at nursery.", age=3)


def test_an_ache_across_the_forehead_is_a_headache() -> None:
    assert "headache" in _present("Dull ache across my forehead since lunch.", age=30)


def test_stridor_that_goes_away_when_the_child_is_calm_is_not_at_rest() -> None:
    text = (
        "Barking cough and a high-pitched noise when he breathes in while upset, but when he's"
        " settled on my lap it stops."
    )
    assert _level(text, age=2) is Level.URGENT


def test_an_inr_over_five_on_warfarin_is_same_day() -> None:
    assert _level("On warfarin, INR today 6.2, no bleeding.", age=72) is Level.URGENT


def test_a_swollen_sore_wrist_after_a_fall_is_a_possible_fracture() -> None:
    text = "Fell on her outstretched hand at school; her wrist is swollen and sore to move."
    assert _level(text, age=12) is Level.URGENT


def test_spanish_thighs_heartburn_and_a_nappy_where_it_rubs() -> None:
    assert "leg_pain" in _present("Me duelen los muslos desde el partido.", age=30, language="es")
    assert "heartburn" in _present("Me arde el pecho después de cenar.", age=30, language="es")
    nappy = "Her skin is red and sore under her nappy, feeding well, no fever."
    assert _level(nappy, age=0.4) is Level.SELF_CARE


# ---------------------------------------------------------------- B12 dev part: note shorthand
def test_an_od_is_an_overdose_only_as_an_event() -> None:
    assert "overdose" in _present("16M intentional OD sertraline ~2h ago, well.", age=16)
    assert "overdose" not in _present("Ramipril 5mg OD, amlodipine 10mg OD. BP check.", age=60)


def test_st_with_a_duration_is_a_sore_throat_and_a_denied_exudate_is_only_the_sign() -> None:
    present = _present("20M ST x3/7, no exudate on tonsils, afebrile.", age=20)
    assert "sore_throat" in present
    assert "sore_throat" in _present("Sore throat, no tonsillar exudate.", age=20)


def test_drooling_and_gnawing_in_a_baby_is_teething() -> None:
    text = "8/12 M, drooling and gnawing on his fists, grizzly at night, feeding well."
    assert _level(text, age=0.67) is Level.SELF_CARE


def test_looking_for_something_and_not_seeing_it_is_no_loss_of_vision() -> None:
    assert "vision_loss" not in _present("I couldn't see any tick on his leg.", age=30)
    assert "vision_loss" in _present("I can't see a thing out of my right eye.", age=30)


def test_suicide_warning_signs_without_the_word() -> None:
    text = "He's rehomed his cat, written letters to his children and says it'll all be over soon."
    assert _level(text, age=50) is Level.EMERGENCY
    passive = "Low for weeks, some nights wishing I just wouldn't wake up. No plan, I'd never act."
    assert _level(passive, age=30) is Level.URGENT


def test_a_non_toxic_ingestion_is_not_a_poisoning() -> None:
    assert _level("2yo, ingestion of silica gel beads 10 min ago, well.", age=2) is not (
        Level.EMERGENCY
    )
    assert _level("2yo swallowed some of grandad's tablets 10 min ago.", age=2) is Level.EMERGENCY


def test_seasonal_rhinoconjunctivitis_is_hay_fever() -> None:
    assert "allergy_symptoms" in _present("Seasonal rhinoconjunctivitis again, no wheeze.", age=24)


def test_stridor_when_upset_and_quiet_when_calm_is_not_at_rest() -> None:
    text = "When he gets upset he makes a harsh noise breathing in. Calm, he breathes quietly."
    assert _level(f"Barking cough since last night. {text}", age=3) is Level.URGENT
    at_rest = "When he gets upset he makes a harsh noise breathing in, and at rest too."
    assert _level(f"Barking cough since last night. {at_rest}", age=3) is Level.EMERGENCY


def test_red_skin_after_a_day_on_the_beach_is_sunburn_and_falling_asleep_is_no_fall() -> None:
    text = "Spent the day on the beach and my shoulders are red and hot, no blisters, feel well."
    assert _level(text, age=30) is Level.SELF_CARE
    assert "fall" not in _present("I fell asleep on the sofa and woke with a stiff neck.", age=30)


def test_heavier_periods_are_heavy_menstrual_bleeding() -> None:
    assert "heavy_periods" in _present("My periods have got heavier over the last year.", age=40)


def test_note_abbreviations_for_a_discharging_ear_and_watery_stools() -> None:
    assert "ear_discharge" in _present("6yo, discharge from R ear since lunch, T 38.1.", age=6)
    assert "diarrhea" in _present("30M, 2 episodes watery D since last night.", age=30)


def test_a_knee_that_gives_way_after_a_twist_is_not_self_care() -> None:
    text = "Twisted my knee at football two days ago, it feels like it's going to give way."
    assert _level(text, age=25) is Level.NON_URGENT


# ---------------------------------------------------------------- B13 dev part: context
def test_high_risk_signs_in_the_days_after_an_operation_are_sepsis() -> None:
    text = "Day 5 after a laparoscopic appendicectomy, HR 134, mottled legs, no fever taken."
    assert _level(text, age=40) is Level.EMERGENCY


def test_word_finding_difficulty_is_a_speech_disturbance() -> None:
    text = (
        "No weakness, no droop. For the last half hour he has been unable to find the right words."
    )
    assert _level(text, age=70) is Level.EMERGENCY


def test_a_snake_bite_in_any_word_order() -> None:
    assert "snake_bite" in _present(
        "Una víbora me mordió la mano hace una hora.", age=40, language="es"
    )


def test_a_darkening_toe_in_a_diabetic_with_rigors_is_an_emergency() -> None:
    text = (
        "On insulin. My big toe has gone a darker colour and the foot is red, and I keep shivering."
    )
    assert _level(text, age=60) is Level.EMERGENCY


def test_no_chronic_illnesses_is_history_not_a_duration() -> None:
    summary = assess_text("80M, no chronic illnesses, has had three days of runny nose.")
    nose = next(f for f in summary.findings_present if f.concept_id == "runny_nose")
    assert nose.duration_hours == 72


def test_estoy_de_n_semanas_is_a_pregnancy_and_a_cold_in_it_is_self_care() -> None:
    text = "Estoy de 30 semanas y tengo mocos y estornudos, sin fiebre."
    summary = assess_text(text, age=29, language="es")
    assert summary.demographics.pregnant is True
    assert summary.disposition.level is Level.SELF_CARE
    # ... while other problems in pregnancy keep the lower threshold
    assert _level("Estoy de 30 semanas y me pica mucho la piel.", age=29, language="es") is not (
        Level.SELF_CARE
    )


def test_a_night_of_pints_explains_the_morning_headache_and_thirst() -> None:
    text = "Headache this morning, dry mouth and thirsty, after nine pints plus shots at a party."
    assert _level(text, age=26) is Level.SELF_CARE


def test_razor_blades_and_a_list_item_affirmed_after_it() -> None:
    assert "sore_throat" in _present("Swallowing feels like razor blades since Monday.", age=30)
    present = _present("No tender nodes, runny nose and cough present.", age=30)
    assert {"runny_nose", "cough"} <= present


def test_an_inverted_ankle_is_a_sprain() -> None:
    assert "sprain" in _present("Inverted her L ankle at netball, weight-bearing.", age=30)


def test_a_hot_water_bottle_is_no_burn_and_pain_with_the_period_is_dysmenorrhoea() -> None:
    text = "Cada regla me dan dolores fuertes en la barriga y uso la bolsa de agua caliente."
    present = _present(text, age=19, language="es")
    assert "burn" not in present and "menstrual_cramps" in present


def test_a_denied_aggravating_factor_is_no_red_flag() -> None:
    text = "Headaches most afternoons for weeks, not worse on coughing or bending, no vomiting."
    assert _level(text, age=30) is not Level.URGENT


def test_an_abnormal_result_on_its_own_is_for_primary_care() -> None:
    assert _level("Well. A routine test showed ALT 70 U/L, nothing else.", age=55) is (
        Level.NON_URGENT
    )


def test_a_nosebleed_in_spanish_perfect_tense_on_an_anticoagulant() -> None:
    text = "Toma apixabán y hoy le ha sangrado la nariz dos veces."
    assert _level(text, age=75, language="es") is Level.URGENT


def test_an_angry_burn_and_a_red_line_running_up_the_arm_are_an_infection() -> None:
    text = "Burnt my hand on Friday, now it's red and angry with a red line running up my arm."
    assert _level(text, age=40) is Level.URGENT
    assert "cellulitis" not in _present("A line on the road going up to the house.", age=40)


def test_no_change_in_the_phlegm_and_a_flu_jab_are_no_new_findings() -> None:
    text = "He has COPD, breathing as usual, no change in his phlegm; due his flu jab."
    assert _level(text, age=72) is not Level.URGENT


def test_everyday_shorthand_is_not_an_uninterpreted_clinical_term() -> None:
    text = "Worst cold ever tbh, blocked nose 3 days, no fever, WFH and eating fine."
    assert _level(text.replace("tbh", "TBH"), age=25) is Level.SELF_CARE


def test_ankle_note_shorthand_for_a_sprain_that_bears_weight() -> None:
    text = "30M inv inj L ankle today, ATFL tender, WB 4 steps ok, no bony tenderness."
    assert _level(text, age=30) is Level.SELF_CARE


# ---------------------------------------------------------------- B14 dev part: common calls
def test_knocked_out_in_a_fall_with_amnesia_is_a_high_risk_head_injury() -> None:
    text = "She came off her scooter, was knocked out briefly and keeps asking the same questions."
    assert _level(text, age=9) is Level.EMERGENCY


def test_a_pale_cold_limb_is_ischaemia_and_pale_cold_skin_is_not_a_limb() -> None:
    text = "Since an hour ago his left leg has gone pale and cold and numb; foot pulses impalpable."
    assert "cold_limb" in _present(text, age=78)
    assert "cold_limb" not in _present("She's pale and cold and clammy.", age=30)


def test_a_nosebleed_that_poured_is_judged_as_a_nosebleed() -> None:
    text = (
        "His nose was pouring, blood everywhere, pinched it 10 minutes and it stopped. No thinners."
    )
    assert _level(text, age=50) is not Level.EMERGENCY
    shocked = "Her nose has been pouring for an hour and she feels faint and dizzy."
    assert _level(shocked, age=50) is Level.EMERGENCY


def test_a_pulse_all_over_the_place_is_an_irregular_pulse() -> None:
    text = "Since lunch my heart is fluttering and my pulse is all over the place, I'm 68."
    assert _level(text, age=68) is Level.URGENT


def test_a_temperature_that_has_been_up_for_five_days_is_a_fever() -> None:
    text = "His temperature has been up every day for five days, eating a bit."
    assert _level(text, age=3) is Level.URGENT


def test_refusing_to_weight_bear_or_move_an_arm_after_a_fall() -> None:
    assert _level("2F limp, refusing to WB on L leg since yest. T 38.4.", age=2) is Level.URGENT
    spanish = "Se cayó del tobogán y no quiere mover el brazo."
    assert _level(spanish, age=3, language="es") is Level.URGENT


def test_a_weekly_medicine_taken_daily_is_an_overdose() -> None:
    text = "Dad has been taking his methotrexate every day this week by mistake."
    assert "overdose" in _present(text, age=75)


def test_cooling_a_burn_under_the_tap_is_no_drowning() -> None:
    text = "Me quemé un dedo con la sartén y lo puse bajo el agua fría."
    assert "drowning" not in _present(text, age=30, language="es")


def test_spanish_plural_cramps_with_diarrhoea_are_gastroenteritis() -> None:
    # "retortijones" (plural) is the cramping of gastroenteritis as much as "retortijón"
    text = "Llevo desde anoche con diarrea, unas seis veces, y retortijones. No tengo fiebre."
    assert _level(text, age=45, language="es") is Level.SELF_CARE


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("the thermometer under his arm has read thirty-eight point two twice", 38.2),
        ("the thermometer said thirty-seven nine.", 37.9),
        ("temperature a hundred and two point five", 39.2),
        ("fiebre de treinta y ocho y medio", 38.5),
        ("running temperatures for five days, it hit thirty-nine point four tonight", 39.4),
    ],
)
def test_a_temperature_written_in_words_is_a_reading(text: str, value: float) -> None:
    from media_host.intake_agent.extraction.vitals import find_vitals

    readings = [r for r in find_vitals(normalise(text)) if r.concept_id == "fever"]
    assert [r.value for r in readings] == [value]


def test_a_reading_in_words_covers_its_phrase_and_counts_stay_words() -> None:
    from media_host.intake_agent.extraction.spoken_numbers import digitise
    from media_host.intake_agent.extraction.vitals import find_vitals

    text = "sats ninety-two percent, bp one twenty over eighty"
    (spo2,) = [r for r in find_vitals(text) if r.concept_id == "hypoxia"]
    assert spo2.value == 92 and text[spo2.start : spo2.end].startswith("sats ninety-two")
    (bp,) = [r for r in find_vitals(text) if r.concept_id == "hypotension"]
    assert bp.value == 120
    # a count is no reading, and a phrase keeps its length
    assert digitise("for five days, two three-year-olds") == (
        "for five days, two three-year-olds",
        [],
    )


def test_a_five_week_old_with_a_fever_written_in_words() -> None:
    text = "Our son is five weeks old. The thermometer has read thirty-eight point two twice."
    assert _level(text, age=0.1) is Level.EMERGENCY


def test_a_head_cracked_on_the_path_and_a_reading_that_hit_a_number() -> None:
    assert "head_injury" in _present("I tripped and cracked my head on the path.", age=76)
    reached = "Her fever hit thirty-nine point four again tonight on the forehead scanner."
    assert "head_injury" not in _present(reached, age=4)


def test_a_stockpile_with_a_decision_for_tonight_is_a_plan() -> None:
    # C-SSRS: preparatory behaviour (collecting the means) with intent set for a time
    text = "I've been saving up my sleeping tablets and I've decided I'm taking them tonight."
    assert "suicide_plan" in _present(text, age=20)
    spanish = "Llevo semanas guardando pastillas y he decidido que esta noche me las tomo."
    assert "suicide_plan" in _present(spanish, age=20, language="es")
    # a stockpile on its own is a warning sign, not yet a plan
    assert "suicide_plan" not in _present("I've been saving up my tablets.", age=20)


def test_a_battery_missing_from_a_toddlers_toy_is_a_possible_ingestion() -> None:
    spanish = "Jugaba con el mando de la tele y ahora falta la pila. No sé si se la ha tragado."
    assert _level(spanish, age=2, language="es") is Level.EMERGENCY
    assert _level("My phone battery is gone again and I have a cough.", age=30) is Level.SELF_CARE


def test_a_site_then_a_colon_then_what_it_is_like_is_one_description() -> None:
    text = "It's just my left calf: for two days it's been swollen, tight and sore to press."
    assert {"calf_pain", "leg_swelling"} <= _present(text, age=32)
    assert _level(text, age=32) is Level.URGENT
    # a cue word before a colon heads a list: "Swelling: none" says nothing of the calf after it
    assert "leg_swelling" not in _present("Swelling: none. Calf soft, non-tender.", age=50)


def test_a_notes_r_calf_is_a_side_and_3_52_post_thr_is_recent_surgery() -> None:
    text = "73F, 3/52 post R THR. R calf swollen, hot, tender 2/7. No SOB."
    assert _level(text, age=73) is Level.URGENT
    assess = assess_text(text, age=73)
    assert "recent_surgery" in assess.history.conditions


def test_a_faint_ringing_is_no_faint() -> None:
    text = "For four months I've had a faint high-pitched ringing in both ears at night."
    assert "syncope" not in _present(text, age=45)
    assert "syncope" in _present("I felt dizzy and then I had a faint in the kitchen.", age=45)


def test_a_rock_hard_calf_cramp_that_lets_go_in_minutes_is_a_leg_cramp() -> None:
    text = "Every few nights my calf goes into a rock-hard cramp, gone in a minute if I stretch it."
    assert "peritonism" not in _present(text, age=55)
    assert _level(text, age=55) is Level.SELF_CARE
    assert "peritonism" in _present("His tummy is swollen and rock hard.", age=55)


def test_temperatures_around_a_number_are_a_reading() -> None:
    text = "My three-year-old has had temperatures around 39 on and off for five days now."
    assert _level(text, age=3) is Level.URGENT  # NICE NG143: fever for 5 days or more is amber


def test_not_confused_about_something_is_no_confusion() -> None:
    text = "She still does her own shopping and she's not confused about where she is."
    assert "confusion" not in _present(text, age=82)
    assert "unable_to_bear_weight" in _present("He's not able to bear weight on it.", age=40)


def test_sudden_tingling_in_both_hands_is_no_stroke_sign() -> None:
    text = "De repente el corazón a mil, me faltaba el aire, hormigueo en las manos."
    assert _level(text, age=29, language="es") is not Level.EMERGENCY
    assert _level("Suddenly my left arm went numb twenty minutes ago.", age=60) is Level.EMERGENCY


def test_a_well_child_with_chickenpox_and_a_low_fever_is_cared_for_at_home() -> None:
    text = (
        "My 4-year-old has a rash of spots with blisters on his tummy, chickenpox is going round"
        " nursery. Temp 38.1, itchy, but eating and playing."
    )
    assert _level(text, age=4) is Level.SELF_CARE
    other = "My 3-year-old has a temperature of 38.5 and a red rash on his chest."
    assert _level(other, age=3) is Level.URGENT


def test_a_tummy_ache_that_has_gone_is_resolved() -> None:
    text = "I took some lactulose and went this morning, and the tummy ache's gone."
    assert _level(text, age=71) is not Level.URGENT
    assert _level("I'm 71 and my tummy has been aching since this morning.", age=71) is Level.URGENT


def test_a_red_lump_on_the_eyelid_is_a_stye() -> None:
    spanish = "Me ha salido un bultito rojo en el borde del párpado y me duele un poco. Veo bien."
    assert _level(spanish, age=55, language="es") is Level.SELF_CARE
    text = "got a stye on my bottom eyelid, little red lump thats sore when i blink, 2 days"
    assert _present(text, age=30) == {"skin_minor"}


def test_a_minor_skin_problem_or_a_superficial_graze_is_self_care_at_any_age() -> None:
    assert _level("My 2-month-old has cradle cap, eating and sleeping well.", age=0.17) is (
        Level.SELF_CARE
    )
    graze = "She grazed her knee, a superficial abrasion, cleaned it, walking fine."
    assert _level(graze, age=81) is Level.SELF_CARE


def test_a_stye_that_wont_go_after_weeks_of_compresses_is_for_a_gp() -> None:
    text = "Tengo un orzuelo en el párpado que no se me quita desde hace tres semanas. Veo bien."
    assert _level(text, age=37, language="es") is Level.NON_URGENT
    spot = "I've had a spot on my nose for three weeks that won't go."
    assert _level(spot, age=37) is Level.NON_URGENT
    school = "She has had a cough for 3 days and won't go to school."
    assert _level(school, age=9) is Level.SELF_CARE


def test_a_toddler_who_cries_when_she_wees_with_38_5_de_fiebre() -> None:
    text = "Mi hija llora al hacer pipí, va muchísimas veces al baño y tiene 38,5 de fiebre."
    assert {"dysuria", "urinary_frequency", "fever"} <= _present(text, age=3, language="es")
    assert _level(text, age=3, language="es") is Level.URGENT


def test_desde_hace_meses_is_a_duration() -> None:
    text = "Desde hace meses me duele la rodilla al caminar y subir escaleras."
    assert [m.hours for m in find_time_mentions(normalise(text)) if m.hours] == [2190.0]
    assert _level(text, age=76, language="es") is Level.NON_URGENT


def test_swallowed_or_inserted_objects_however_they_are_said() -> None:
    coin = "Mi hijo se ha tragado una moneda de un euro hace dos horas. Respira bien."
    assert "foreign_body" in _present(coin, age=6, language="es")
    bead = "It's a plastic craft bead, she pushed it up her right nostril an hour ago."
    assert "foreign_body" in _present(bead, age=5)
    assert "foreign_body" not in _present("She put her finger in her ear at the noise.", age=5)
    silica = "He chewed open a 'do not eat' sachet and swallowed some of the clear beads."
    assert "foreign_body" not in _present(silica, age=3)


def test_a_gaping_cut_or_fat_showing_needs_closing() -> None:
    text = "La herida mide unos dos centímetros y está abierta, se le ve como grasita amarilla."
    assert "deep_wound" in _present(text, age=9, language="es")
    assert "deep_wound" not in _present("A small cut on my finger, not gaping.", age=30)


def test_a_lithium_level_named_later_in_the_clause() -> None:
    text = (
        "He's on lithium for bipolar disorder and had a routine level this morning of 1.6 mmol/L."
    )
    (reading,) = [r for r in labs.find_labs(normalise(text)) if r.analyte == "lithium"]
    assert reading.value == 1.6 and reading.concept_id == labs.ALERT
    assert _level(text, age=48) is Level.URGENT
    fine = "Lithium level 0.7 last week."
    assert [r.concept_id for r in labs.find_labs(normalise(fine))] == [None]


def test_an_age_in_spanish_compound_words_is_no_duration() -> None:
    from media_host.intake_agent.extraction.temporality import find_time_mentions as times

    text = "Mi madre tiene setenta y dos años y una herida desde hace un par de semanas."
    assert sorted(m.hours for m in times(normalise(text)) if m.hours) == [336.0]
    assert "cough" in _present("Tengo tos desde hace treinta y cinco días.", age=50, language="es")


def test_redness_past_the_line_drawn_round_it_is_spreading() -> None:
    text = "A red patch on my shin. It's hot and sore and it's spread past the biro line she drew."
    assert "cellulitis" in _present(text, age=67)
    smelly = "Mi madre es diabética y tiene una herida en el dedo gordo del pie que huele mal."
    assert _level(smelly, age=72, language="es") is Level.URGENT


def test_a_mothers_hedged_count_of_kicks_is_reduced_fetal_movement() -> None:
    text = "She's 30 weeks pregnant, had a cold drink, felt maybe one or two little kicks today."
    assert _present(text, age=35) == {"reduced_fetal_movement"}  # and a cold drink is no cold
    assert _level(text, age=35) is Level.URGENT


def test_a_red_gritty_eye_after_sleeping_in_contact_lenses() -> None:
    text = (
        "I fell asleep in my monthly contacts. My left eye has gone really red, it feels like"
        " there's sand in it, I can barely open it in daylight and everything's a bit smeary."
    )
    assert {"contact_lens", "red_eye", "eye_pain", "photophobia", "blurred_vision"} <= _present(
        text, age=26
    )
    assert _level(text, age=26) is Level.URGENT


def test_a_swollen_hand_after_a_punch_or_a_sunken_knuckle_is_a_possible_fracture() -> None:
    text = "Le di un puñetazo a una puerta. Tengo la mano muy hinchada y el nudillo parece hundido."
    assert "possible_fracture" in _present(text, age=25, language="es")
    assert "possible_fracture" in _present("I punched a wall and my hand is swollen.", age=25)


def test_weakness_of_one_side_of_the_face_is_a_facial_droop() -> None:
    text = (
        "She woke with weakness of the whole right side of her face and cannot raise the eyebrow."
    )
    assert "facial_droop" in _present(text, age=30)


def test_thoughts_of_taking_a_parents_tablets_are_suicidal_thoughts() -> None:
    text = "Low mood for three weeks; she has thought about taking her mother's tablets."
    assert "suicidal_ideation" in _present(text, age=15)
    accident = "I took an overdose of my vitamins by mistake."
    assert "suicidal_ideation" not in _present(accident, age=40)


def test_chest_wall_pain_in_a_young_adult_is_self_care() -> None:
    text = (
        "24M. Chest pain!! L side, sharp, on twisting + pressing ribs. Moved house yest. Not SOB."
    )
    assert _level(text, age=24) is Level.SELF_CARE
    older = "Chest pain, sharp, when I press on my ribs. No breathlessness."
    assert _level(older, age=55) is Level.NON_URGENT  # over 40: a GP sees it


def test_a_disease_feared_or_searched_for_is_no_history() -> None:
    text = "Mouth ulcer where I bit it. I googled it and scared myself with mouth cancer pictures."
    assert "cancer" not in assess_text(text, age=52).history.conditions
    assert "cancer" in assess_text("I had breast cancer two years ago.", age=52).history.conditions


def test_a_facial_palsy_that_takes_the_forehead_and_nothing_else_is_bells() -> None:
    text = (
        "No weakness in my arms or legs, no trouble speaking. Since this morning the right side of"
        " my face has dropped - I can't raise my right eyebrow or shut that eye properly."
    )
    assert _level(text, age=41) is Level.URGENT
    stroke = "The right side of his face has dropped and he can't lift his right arm."
    assert _level(stroke, age=70) is Level.EMERGENCY
    assert _level("Her face has dropped on one side since lunch.", age=70) is Level.EMERGENCY


def test_sight_lost_over_a_year_is_no_stroke() -> None:
    text = "Pérdida de visión progresiva bilateral en el último año; varón de 67 años."
    assert _level(text, age=67, language="es") is not Level.EMERGENCY
    assert (
        _level("I suddenly lost the sight in my left eye an hour ago.", age=67) is Level.EMERGENCY
    )


def test_tingling_then_a_line_of_blisters_is_shingles_not_a_stroke() -> None:
    text = (
        "Three days ago my forehead on the right started tingling, and now there's a line of"
        " blisters running up into my hairline."
    )
    assert "shingles" in _present(text, age=67)
    assert _level(text, age=67) is Level.URGENT


def test_orbital_signs_penetrating_eye_and_an_ecg_of_a_heart_attack() -> None:
    orbit = (
        "His eye is swollen almost shut, it looks like it's pushing forward and he's burning up."
    )
    assert _level(orbit, age=8) is Level.EMERGENCY
    eye = "38M hammer + chisel, metal on metal, sudden sharp pain R eye. Teardrop pupil."
    assert _level(eye, age=38) is Level.EMERGENCY
    ecg = (
        "Malestar retroesternal de una hora; el ECG muestra elevación del segmento ST en II y III."
    )
    assert _level(ecg, age=66, language="es") is Level.EMERGENCY


def test_a_spanish_note_of_an_intentional_paracetamol_overdose() -> None:
    text = (
        "Mujer 19a. Ingesta voluntaria ~30 comp paracetamol 500 mg hace 3 h. Refiere querer morir."
    )
    assert {"overdose", "suicidal_ideation"} <= _present(text, age=19, language="es")
    dose = "Took 400 of ibuprofen for the kidney pain and it's taken the edge off."
    assert "overdose" not in _present(dose, age=42)


def test_a_burn_measured_in_percent_of_body_surface_and_a_caustic_swallowed() -> None:
    burn = "Escaldadura con agua hirviendo hace 30 min. Tórax y ambos brazos, ~20 % SCQ, flictenas."
    assert "major_burn" in _present(burn, age=62, language="es")
    caustic = "Mi chamaco de dos años se tomó un trago del destapacaños hace diez minutos."
    assert _level(caustic, age=2, language="es") is Level.EMERGENCY


def test_a_lab_name_inside_its_reading_and_denied_ketones_are_no_finding() -> None:
    note = "19F T1DM, missed insulin. CBG 17.4, blood ketones 0.9. Eating and drinking."
    assert "ketones" not in _present(note, age=19)
    assert _level(note, age=19) is not Level.EMERGENCY
    nvp = "30-year-old at 8 weeks, nausea, pale urine, urine ketones are negative."
    assert not {"ketones", "mottled_skin"} & _present(nvp, age=30)
    assert [m.hours for m in find_time_mentions(normalise(nvp)) if m.hours] == []


def test_puffing_up_is_swelling_and_a_voice_that_sounds_funny_is_hoarse() -> None:
    text = "Ate peanuts, my lips are tingling and puffing up and my voice sounds funny, itchy."
    assert "shortness_of_breath" not in _present(text, age=28)
    assert _level(text, age=28) is Level.EMERGENCY
    ankle = "Went over on my ankle an hour ago, it's puffed up on the outside, walked off fine."
    assert "shortness_of_breath" not in _present(ankle, age=30)


def test_spanish_readings_of_the_same_day_band() -> None:
    def es(text: str, age: float) -> set[str]:
        return _present(text, age=age, language="es")

    assert "poor_feeding" not in es("Moja la cama. No bebe más de lo normal.", 10)
    teeth = "Está babeando muchísimo, se mete todo en la boca. Le noto la encía hinchada."
    assert _level(teeth, age=0.5, language="es") is Level.SELF_CARE
    assert "possible_pregnancy" in es("Me hice un test de embarazo que dio positivo.", 29)
    assert "reduced_fetal_movement" in es("Desde ayer la barriga casi no se me mueve.", 26)
    assert "deep_wound" in es("Es un corte de unos 3 cm que se abre.", 35)
    gca = "Dolor al masticar y sensibilidad del cuero cabelludo al peinarse."
    assert {"jaw_claudication", "scalp_tenderness"} <= es(gca, 72)


def test_more_same_day_readings_in_english() -> None:
    assert "lump" in _present("52M. Painless L scrotal swelling over 2/12.", age=52)
    assert "possible_fracture" in _present("Swelling over R 5th MC, knuckle dropped.", age=35)
    assert "eye_injury" in _present("FB sensation L eye, red, watering.", age=40)
    assert "self_harm" in _present(
        "She's been doing it with a blade out of a pencil sharpener.", age=15
    )
    rfm = "She has felt only a couple of weak movements this morning, 34 weeks."
    assert "reduced_fetal_movement" in _present(rfm, age=31)


def test_a_bump_on_a_childs_forehead_after_walking_into_a_table_is_a_minor_head_injury() -> None:
    text = (
        "She walked into the corner of the coffee table, there's a small bump on her forehead."
        " She cried straight away, hasn't been sick and isn't sleepy, back playing."
    )
    assert "head_injury" in _present(text, age=4)
    assert _level(text, age=4) is Level.SELF_CARE


def test_a_time_critical_medicine_run_out_is_same_day() -> None:
    text = "My husband ran out of his co-careldopa yesterday and today he's much stiffer."
    assert _level(text, age=72) is Level.URGENT


def test_spanish_ophthalmic_shingles_and_an_adults_flat_mood() -> None:
    zoster = (
        "Vesículas en la frente derecha y en la punta de la nariz, ojo rojo y molestias a la luz."
    )
    assert {"shingles", "photophobia"} <= _present(zoster, age=55, language="es")
    mood = (
        "Está muy apagada, llora a menudo y ya no disfruta con nada. No ha pensado en hacerse daño."
    )
    assert "drowsiness" not in _present(mood, age=55, language="es")


def test_everyday_self_care_told_in_notes_and_in_spanish() -> None:
    scald = "25M. Kettle scald L forearm 10 min ago, ~2x3 cm, pink, 1 small blister. Cooled 20 min."
    assert _level(scald, age=25) is Level.SELF_CARE
    fly = "A horsefly got me on the thigh yesterday and there's a raised, itchy, warm lump."
    assert _present(fly, age=44) == {"insect_bite", "itching"}
    bubbles = "He drank a mouthful of children's bubble-blowing liquid 20 minutes ago. No cough."
    assert _level(bubbles, age=1) is Level.SELF_CARE

    def es(text: str, age: float) -> Level:
        return _level(text, age=age, language="es")

    assert es("Mi guagua tiene el potito rojito donde le roza el pañal. Sin fiebre.", 0.67) is (
        Level.SELF_CARE
    )
    assert es("Volví al gimnasio después de un año, tengo agujetas. No tengo fiebre.", 32) is (
        Level.SELF_CARE
    )
    assert es("Mujer 21a. Odinofagia 2 d + rinorrea + tos. Afebril. Centor 0.", 21) is (
        Level.SELF_CARE
    )


# ------------------------------------------- B19/B20 dev parts: emergencies told sideways
def test_a_have_not_denies_thoughts_of_self_harm_and_a_non_smoker_does_not_smoke(
    extract: Extract,
) -> None:
    text = "I haven't had any thoughts of hurting myself and I've got good friends around me."
    assert "suicidal_ideation" not in _present(text, age=31)
    assert "smoker" not in extract("52F, non-smoker, ulcer on lower lip.").history.conditions


def test_a_sting_told_by_the_insect_that_did_it_is_the_exposure_of_anaphylaxis() -> None:
    text = "Ten minutes after a wasp got me on the neck I've started wheezing and feel faint."
    assert "insect_bite" in _present(text, age=30)
    assert _level(text, age=30) is Level.EMERGENCY


def test_an_object_named_then_swallowed_as_it_and_a_child_found_with_medicine() -> None:
    battery = (
        "She had one of those little round batteries from the remote in her mouth and now I"
        " can't find it - I think she's swallowed it."
    )
    assert _level(battery, age=2) is Level.EMERGENCY
    tablets = "I found my toddler with his grandad's amitriptyline, the strip was open."
    assert _level(tablets, age=3) is Level.EMERGENCY
    assert _level("He swallowed it whole, the sweet I mean, no choking.", age=3) is not (
        Level.EMERGENCY
    )


def test_a_new_atrial_fibrillation_is_the_finding_not_known_history(extract: Extract) -> None:
    note = "ECG confirms new atrial fibrillation, rate 118, palpitations for a week."
    assert "atrial_fibrillation" not in extract(note).history.conditions
    assert _level(note, age=61) is Level.URGENT
    monitor = "My BP monitor flagged an irregular heartbeat today, pulse about 110, more tired."
    assert "irregular_pulse" in _present(monitor, age=74)


def test_everyday_words_for_movements_sight_heart_sleepiness_and_mood() -> None:
    assert "reduced_fetal_movement" in _present(
        "I'm 30 weeks pregnant and today I've barely felt her.", age=35
    )
    assert "vision_loss" in _present(
        "The vision in his right eye went dark like a blind coming down.", age=66
    )
    assert "palpitations" in _present("I get out of breath and my heart races.", age=28)
    assert "palpitations" in _present("Está sudando, con el corazón a mil.", age=17, language="es")
    assert "drowsiness" in _present("She's been sick twice and she's very dozy.", age=7)
    assert "polyuria" in _present("She's been up at night weeing for a few weeks.", age=7)
    assert "depressed_mood" in _present("I've been feeling flat and tearful.", age=31)
    shingles = "Me ha salido en un lado de la espalda una franja de ampollitas que duele."
    assert "shingles" in _present(shingles, age=70, language="es")


def test_syndromes_whose_urgency_is_in_their_context() -> None:
    serotonin = "On sertraline, started tramadol, now agitated, sweating and jerking in both legs."
    assert _level(serotonin, age=27) is Level.EMERGENCY
    party = (
        "Volvió de una fiesta, dice que tomó una pastilla. Está muy agitado, con 39,8 de fiebre."
    )
    assert _level(party, age=17, language="es") is Level.EMERGENCY
    postpartum = "9 days postnatal, not slept 3 nights, talking fast."
    assert _level(postpartum, age=36) is Level.EMERGENCY
    cast = "They put a plaster on my broken shin yesterday, my toes are tingly."
    assert _level(cast, age=45) is Level.EMERGENCY
    assert _level("I cut my finger and put a plaster on it.", age=45) is not Level.EMERGENCY
    spleen = "Tackled at rugby this morning, pain under my left ribs, dizzy when I stand."
    assert _level(spleen, age=23) is Level.EMERGENCY
    withdrawal = "He stopped drinking two days ago, he's sweaty and can't settle."
    assert _level(withdrawal, age=45) is Level.URGENT


def test_and_with_a_new_subject_and_verb_ends_a_denied_list(extract: Extract) -> None:
    text = "36 weeks. Her tummy has gone hard and isn't relaxing, and the baby has gone quiet."
    assert finding(extract(text), "reduced_fetal_movement").presence is Presence.PRESENT
    listed = extract("She denies fever, cough, and the rash is not itchy.")
    assert finding(listed, "fever").presence is Presence.ABSENT


def test_a_typical_pattern_is_not_a_familiar_episode() -> None:
    colic = "Typical left loin-to-groin colicky pain since this morning, blood on dipstick."
    assert _level(colic, age=47) is Level.URGENT
    cramps = "A 23-year-old woman has typical menstrual cramps on the first day of her period."
    assert _level(cramps, age=23) is Level.SELF_CARE


def test_an_eye_patch_blisters_on_the_nose_tip_and_a_spanish_scald() -> None:
    eye = "35F, bright red patch L eye white after coughing. Painless, vision normal."
    assert "subconjunctival_haemorrhage" in _present(eye, age=35)
    nose = "Blisters on the tip of his nose and on his right forehead since yesterday."
    assert "shingles" in _present(nose, age=58)
    scald = "Mi hijo se ha echado una taza de leche caliente en la mano hace un rato."
    assert "burn" in _present(scald, age=6, language="es")


def test_b22_dev_part_readings_of_sepsis_dka_limb_and_crisis() -> None:
    sepsis = "Today she doesn't know who I am, she's breathing fast and her knees look blotchy."
    assert {"confusion", "mottled_skin"} <= _present(sepsis, age=88)
    dka = "He's been wetting the bed and has lost weight; now vomiting, breathing deep and fast."
    assert _level(dka, age=8) is Level.EMERGENCY
    limb = "His right foot became cold, white and numb over two hours."
    assert "cold_limb" in _present(limb, age=78)
    crisis = (
        "She left a note saying sorry to everyone and has given her phone and her clothes to"
        " her friends."
    )
    assert _level(crisis, age=17) is Level.EMERGENCY
    hypo = "Mi abuelo se pone insulina, está sudando y no me contesta bien."
    assert _level(hypo, age=83, language="es") is Level.EMERGENCY
    assert "jaundice" in _present("The baby has looked yellow since yesterday.", age=0.01)


def test_someone_elses_medicine_is_a_poisoning_in_a_child_not_in_an_adult() -> None:
    child = "Mi nieto de 2 años se ha tomado unas pastillas de la tensión de mi marido."
    assert _level(child, age=2, language="es") is Level.EMERGENCY
    adult = "I took my husband's paracetamol for my headache yesterday."
    assert _level(adult, age=30) is not Level.EMERGENCY


def test_b23_dev_part_fit_glass_test_peak_flow_and_spanish_airway() -> None:
    fit = "24-year-old man, fit, with sharp chest pain on pressing the sternum after the gym."
    assert "seizure" not in _present(fit, age=24)
    assert "seizure" in _present("Fever, fit, drowsy.", age=2)
    sprain = "It's swollen and bruised but the bones don't hurt when I press them."
    assert "non_blanching_rash" not in _present(sprain, age=40)
    asthma = "Tengo asma, me falta más el aire y el pico de flujo está al 65 %."
    present = _present(asthma, age=40, language="es")
    assert "reduced_peak_flow" in present and "vaginal_discharge" not in present
    airway = "Ahora respira con un ruido agudo y se le está poniendo morada la boca."
    assert _level(airway, age=1.5, language="es") is Level.EMERGENCY


def test_b23_dev_part_context_makes_the_level() -> None:
    tss = "Tampon in since yesterday, now high temperature, red rash like sunburn, vomiting."
    assert _level(tss, age=19) is Level.EMERGENCY
    pills = "Dice que se ha tomado las pastillas de su abuela y que ya no quiere vivir."
    assert _level(pills, age=19, language="es") is Level.EMERGENCY
    ear = "I woke up this morning with my left ear completely muffled."
    assert _level(ear, age=48) is Level.URGENT
    ec = "22F, condom split 36h ago, no other contraception. Requesting EC."
    assert _level(ec, age=22) is Level.URGENT


def test_spanish_values_linked_with_en_are_read_with_their_value() -> None:
    sick_day = "Soy diabético tipo 1 y tengo gripe. La glucosa está en 16 y las cetonas en 0,8."
    summary = assess_text(sick_day, age=24, language="es")
    assert "high_blood_sugar" in {f.concept_id for f in summary.findings_present}
    assert summary.disposition.level is Level.URGENT  # sick-day rules, not ketoacidosis (JBDS)


def test_a_bottle_a_day_is_alcohol_only_when_the_bottle_holds_alcohol() -> None:
    assert "alcohol_misuse" in _present("He drinks about a bottle of vodka a day.", age=45)
    assert "alcohol_misuse" not in _present("I drink a bottle of water a day.", age=30)


def test_finding_oneself_without_tablets_is_no_ingestion() -> None:
    assert "someone_elses_medicine" not in _present("I found myself with no tablets left.", age=70)


def test_a_heavy_workout_and_moving_the_arm_are_not_features_of_the_pain(
    extract: Extract,
) -> None:
    strain = (
        "Sore left side of the chest since a heavy gym session, reproduced exactly by pressing "
        "on the muscle and by moving the arm."
    )
    chest = finding(extract(strain), "chest_pain")
    assert chest.character is None and chest.radiation is None
    assert _level(strain, age=30) is not Level.EMERGENCY
    assert finding(extract("A heavy feeling in my chest."), "chest_pain").character == "pressure"
    spread = finding(extract("Chest pain moving into my left arm."), "chest_pain")
    assert spread.radiation == "left arm"


def test_radiation_noted_on_its_own_is_pain_where_it_goes() -> None:
    note = (
        "61M, indigestion since breakfast, antacids no help. Clammy. Radiating to L arm at times."
    )
    assert "arm_pain" in _present(note, age=61)
    assert _level(note, age=61) is Level.EMERGENCY
    # a pain of its own sentence carries the radiation, and a rash spreads too: no pain made up
    assert "arm_pain" not in _present("Chest pain radiating to my left arm.", age=61)
    assert "arm_pain" not in _present("Fever. The red rash is spreading to his arms.", age=4)


def test_two_preparatory_acts_outweigh_a_hedged_denial_of_intent() -> None:
    hedged = (
        "I've been stockpiling my tablets and I wrote letters to my kids. I'm not going to do "
        "anything, I think."
    )
    assert _level(hedged, age=35) is Level.EMERGENCY
    one_act = "I wrote letters to my kids years ago when I was away. I'm not going to do anything."
    assert "suicide_plan" not in _present(one_act, age=35)


def test_a_scald_over_a_whole_limb_is_an_extensive_burn() -> None:
    assert _level("She pulled the kettle over and scalded her whole arm.", age=2) is Level.EMERGENCY
    spanish = "Se le cayó el agua hirviendo y se ha quemado toda la pierna."
    assert _level(spanish, age=3, language="es") is Level.EMERGENCY
    assert _level("I burnt my arm on the oven door, a small red patch.", age=40) is not (
        Level.EMERGENCY
    )


def test_barely_rousable_with_slow_breathing_is_respiratory_depression() -> None:
    spanish = "Toma morfina, está tan dormida que casi no la despierto y respira muy despacio."
    assert _level(spanish, age=85, language="es") is Level.EMERGENCY
    assert "drowsiness" in _present("Está tan dormido hoy.", age=85, language="es")


def test_eye_signs_in_everyday_words() -> None:
    haloes = "My eye is red and painful and I see rainbow rings round the lights."
    present = _present(haloes, age=70)
    assert "haloes" in present and "erythema_migrans" not in present
    assert _level(haloes, age=70) is Level.EMERGENCY
    orbit = "Her eyelid is swollen, she has a fever and it hurts her to look sideways."
    assert _level(orbit, age=9) is Level.EMERGENCY
    assert "double_vision" in _present("He sees two of everything.", age=9)
    floaters = "Desde ayer veo un destello de luz y motitas flotando en el ojo."
    assert _level(floaters, age=60, language="es") is Level.URGENT


def test_a_clumsy_hand_is_one_sided_weakness() -> None:
    assert _level("Since an hour ago my right hand is clumsy.", age=72) is Level.EMERGENCY
    spanish = "Desde anoche me noto torpe de la mano izquierda."
    assert _level(spanish, age=80, language="es") is Level.EMERGENCY


def test_same_day_problems_named_in_plain_words() -> None:
    catheter = "His long-term catheter is not draining and the bag is empty, a bit uncomfortable."
    assert _level(catheter, age=84) is Level.URGENT
    eczema = "She has eczema and now punched-out sores on her cheeks spreading fast."
    assert _level(eczema, age=2) is Level.URGENT


def test_a_denial_reported_as_such_stays_a_denial() -> None:
    present = _present("70F, tired for weeks. No chest pain, no black stools reported.", age=70)
    assert "melena" not in present
    assert "cough" in _present("No fever; runny nose and cough reported.", age=30)


def test_a_fear_or_a_forecast_is_no_finding() -> None:
    forecast = "He's had a cold; my sister says at his age it's bound to turn into pneumonia."
    assert "shortness_of_breath" not in _present(forecast, age=81)
    fear = "Tengo tos y me da miedo que sea neumonía."
    assert "shortness_of_breath" not in _present(fear, age=40, language="es")


def test_a_measure_against_the_usual_is_no_familiar_episode() -> None:
    feeds = (
        "Cold and cough for three days, now taking only half his usual milk with fewer wet nappies."
    )
    assert _level(feeds, age=0.5) is Level.URGENT


def test_pain_on_twisting_or_pressing_is_reproducible_chest_wall_pain() -> None:
    wall = (
        "Sharp pains in my chest when I twist or press by my breastbone, since lifting on Sunday."
    )
    assert _level(wall, age=30) is Level.SELF_CARE


def test_means_kept_ready_and_a_farewell_are_preparatory_acts() -> None:
    spanish = "Mi hermano me ha mandado un mensaje despidiéndose y tiene pastillas guardadas."
    assert _level(spanish, age=30, language="es") is Level.EMERGENCY
    english = "She texted me goodbye and has pills stashed away."
    assert _level(english, age=30) is Level.EMERGENCY


def test_a_spanish_denial_of_bruises_is_a_denial() -> None:
    nose = "A mi hijo le sangra la nariz a veces y no le salen moratones."
    assert "bruising" not in _present(nose, age=9, language="es")


def test_blood_on_the_paper_is_rectal_bleeding() -> None:
    assert "rectal_bleeding" in _present("Some bright red blood on the paper when I wipe.", age=55)


def test_a_thriving_young_babys_posseting_or_colic_is_self_care() -> None:
    posset = (
        "He brings up a bit of milk after feeds, never green, gaining weight, many wet nappies."
    )
    assert _level(posset, age=0.15) is Level.SELF_CARE
    colic = "She cries for a couple of hours every evening and pulls her legs up, feeding well."
    assert _level(colic, age=0.1) is Level.SELF_CARE
    spanish = "Echa un poquito de leche después de las tomas, pero gana peso y moja pañales."
    assert _level(spanish, age=0.15, language="es") is Level.SELF_CARE


def test_minor_complaints_in_plain_words_are_read() -> None:
    assert "dry_eye" in _present("My eyes feel gritty and dry when I read.", age=78)
    assert "skin_minor" in _present("Yellowy greasy scales on the top of her head.", age=0.5)
    assert "heartburn" in _present("35F, epigastric burning after big meals x2/52.", age=35)


def test_an_age_is_no_duration() -> None:
    def durations(text: str, **kwargs: object) -> list[float | None]:
        summary = assess_text(text, **kwargs)  # type: ignore[arg-type]
        return [f.duration_hours for f in summary.findings_present]

    assert durations("18mo F, teething, chewing hands.", age=1.5) == [None]
    brother = "Mi hermano de 30 años tiene dolor de cabeza."
    assert durations(brother, age=30, language="es") == [None]


def test_a_kidney_infection_with_rigors_and_no_urine_is_sepsis() -> None:
    sepsis = (
        "I've had a kidney infection for two days, now I can't stop shaking and I haven't weed "
        "since this morning."
    )
    assert _level(sepsis, age=31) is Level.EMERGENCY


def test_the_right_lower_quadrant_in_a_note_and_in_spanish() -> None:
    note = "Right lower abdominal pain since last night, off his food."
    assert _level(note, age=45) is Level.EMERGENCY
    spanish = "Dolor en la parte baja derecha de la barriga desde anoche y no quiere comer."
    assert _level(spanish, age=45, language="es") is Level.EMERGENCY


def test_teething_told_by_its_signs_explains_the_drooling() -> None:
    baby = "Her gums are red, she's chewing everything, drooling loads, temperature normal."
    assert _level(baby, age=0.8) is Level.SELF_CARE


def test_an_ulcer_inside_the_lip_is_a_mouth_ulcer() -> None:
    assert "mouth_ulcer" in _present("A painful ulcer inside my lower lip since I bit it.", age=45)


def test_a_febrile_childs_rash_that_fades_under_a_glass_is_not_amber() -> None:
    viral = (
        "Cold and a temperature for two days, a pink rash that fades when I press a glass on it."
    )
    assert _level(viral, age=3) is not Level.URGENT
    assert _level("Cold and a temperature for two days, and a pink rash.", age=3) is Level.URGENT


def test_putting_it_down_to_weight_is_no_weight_loss() -> None:
    cause = "Breathless on hills for six months, which he puts down to age and weight."
    assert "weight_loss" not in _present(cause, age=69)
    assert "weight_loss" in _present("I'm down 6 kg since the summer without trying.", age=60)
