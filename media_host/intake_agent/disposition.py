"""Triage disposition: deterministic, never a language model.

Order of decision:
1. the most urgent red-flag hit wins (emergency / urgent);
2. otherwise each PRESENT finding is graded from the lexicon (``level`` = its acuity when it is the
   only problem, ``self_care_days`` = how long a self-care problem may last), adjusted for severity
   (pain ≥ 8/10 → urgent, ≥ 6/10 → at least non-urgent), duration (a self-care problem lasting
   longer than its limit → non-urgent; an urgent-type problem present for over two weeks without red
   flags → non-urgent), age extremes (< 3 months or ≥ 80 → self-care raised to non-urgent),
   pregnancy and risk conditions (raise self-care to non-urgent);
3. when evidence is thin (no findings, no chief complaint, or a lone complaint with no duration and
   no severity) the level is raised one step (never past urgent: emergencies come only from red-flag
   rules) and ``cautious`` is set, with the reason stated.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.extraction.history import drug_class
from media_host.intake_agent.lexicon import Lexicon, load_lexicon, read_data_file
from media_host.intake_agent.models import (
    Demographics,
    Disposition,
    Finding,
    History,
    Level,
    Presence,
    RedFlagHit,
)


@lru_cache(maxsize=1)
def _advice_table() -> dict[Level, dict[str, str]]:
    raw = read_data_file("advice.yaml")
    table: dict[Level, dict[str, str]] = {}
    for level in Level:
        entry = raw.get(level.value) if isinstance(raw, dict) else None
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(lang), str) and entry[lang].strip() for lang in ("en", "es")
        ):
            raise RuleTableError(f"advice.yaml: level {level.value!r} needs en and es texts")
        table[level] = {lang: entry[lang].strip() for lang in ("en", "es")}
    return table


# a cold or heartburn in pregnancy is looked after with the pharmacist's advice, as outside it
# (NICE CKS common cold; NICE CKS dyspepsia - pregnancy-associated): no raise for these alone
_MINOR_IN_PREGNANCY = frozenset(
    {
        "common_cold",
        "runny_nose",
        "sneezing",
        "nasal_congestion",
        "sore_throat",
        "cough",
        "heartburn",
    }
)
_RISK_CONDITIONS = frozenset(
    {
        "immunosuppression",
        "cancer",
        "heart_failure",
        "kidney_disease",
        "liver_disease",
        "sickle_cell",
        "copd",
    }
)
_CHRONIC_HOURS = 336.0  # two weeks
_LEG_PAINS = frozenset({"calf_pain", "leg_pain"})
_CARDIAC_HISTORY = frozenset(
    {"heart_disease", "heart_failure", "atrial_fibrillation", "vte_history", "hyperlipidemia"}
)
# Systems where a lone symptom of unknown duration/severity is raised as far as "urgent".
_ACUTE_SYSTEMS = frozenset(
    {
        "cardiovascular",
        "respiratory",
        "neurological",
        "gastrointestinal",
        "genitourinary",
        "obstetric",
    }
)


# A finding another one explains is graded as part of it, not on its own (only without red
# flags: a red-flag rule is checked before any of this). Finding → (explained by, why, source).
# NICE CG109 1.1.2.3: the prodrome of an uncomplicated faint (sweating, feeling hot or sick,
# light-headedness, the vision going grey)
_FAINT_PRODROME = frozenset(
    {"sweating", "diaphoresis", "nausea", "dizziness", "presyncope", "blurred_vision"}
)
_BITE_REACTION = "the local reaction to a bite or sting (NICE CKS)"
# the bump of a knock to the head is graded with the head injury (NICE NG232 rules there)
_HEAD_BUMP = (frozenset({"head_injury"}), "the bump of the knock, graded with the head injury")
_EXPLAINED_BY_FINDING: dict[str, tuple[tuple[frozenset[str], str], ...]] = {
    # NICE CKS insect bites and stings: a local lump and swelling is the usual reaction
    "lump": ((frozenset({"insect_bite"}), _BITE_REACTION), _HEAD_BUMP),
    "swelling": ((frozenset({"insect_bite"}), _BITE_REACTION), _HEAD_BUMP),
    # ... and so is redness within 48 hours without fever; later, or with fever, the
    # serious_infection_urgent rule has already fired
    "cellulitis": (
        (
            frozenset({"insect_bite"}),
            "a local reaction within 48 hours of a bite or sting, without fever (NICE CKS)",
        ),
    ),
    # the spots of chickenpox are its rash; a well child with chickenpox is cared for at home
    # (NHS chickenpox; NICE CKS chickenpox) and the red-flag rules catch the complications
    "rash": (
        (frozenset({"chickenpox"}), "the spots of chickenpox (NICE CKS chickenpox)"),
        # spots from bites are the bites (NICE CKS insect bites and stings); a spreading or
        # target-shaped rash after a bite is a red-flag rule, checked before this
        (frozenset({"insect_bite"}), _BITE_REACTION),
    ),
    # crampy lower tummy pain with a period is the period pain (NICE CKS dysmenorrhoea); the
    # red-flag rules (pregnancy, fever, severe pain) come first
    "abdominal_pain": (
        (frozenset({"menstrual_cramps"}), "the cramps of a period (NICE CKS dysmenorrhoea)"),
    ),
    "pelvic_pain": (
        (frozenset({"menstrual_cramps"}), "the cramps of a period (NICE CKS dysmenorrhoea)"),
    ),
    # a limp with a named injury or painful leg is graded with that injury (Ottawa rules there)
    "limp": (
        (
            frozenset({"sprain", "ankle_pain", "knee_pain", "leg_pain"}),
            "graded with the injury or pain that causes it",
        ),
    ),
    # NHS "Hangover cures": these are the hangover, looked after at home; the red-flag rules
    # (confusion, vomiting that will not stop, a seizure) are checked first
    **{
        symptom: ((frozenset({"hangover"}), "symptoms of a hangover after drinking (NHS)"),)
        # ... and the thirst and dry mouth of the dehydration drinking causes
        for symptom in (
            "headache",
            "nausea",
            "vomiting",
            "dizziness",
            "tremor",
            "fatigue",
            "dehydration",
            "excessive_thirst",
        )
    },
}
# ... but not where something else explains it better: shakiness in someone who drinks every day
# may be alcohol withdrawal (NICE CG100), which a clinician should assess
_NOT_EXPLAINED_WITH: dict[str, frozenset[str]] = {"hangover": frozenset({"alcohol_misuse"})}
_EXPLAINED_BY_MEDICINE: dict[str, tuple[str, str]] = {
    # BNF ferrous salts: dark stools are expected; the red-flag rule still fires on any sign
    # of bleeding
    "melena": ("iron", "dark stools expected on oral iron, with no sign of bleeding (BNF)"),
}


# NICE NG232 head injury: the risk factors a caller is asked about. A knock to the head where
# they were checked and denied (or the child is said to be their usual self) is a minor head
# injury cared for at home (NHS head injury and concussion); the red-flag rules have already
# caught any that is present, and the infant and older-adult thresholds stay with them.
_HEAD_INJURY_CHECKS = frozenset(
    {"vomiting", "drowsiness", "unresponsive", "syncope", "confusion", "memory_loss", "seizure"}
)


def _minor_head_injury(
    finding: Finding, findings: Sequence[Finding], demographics: Demographics
) -> bool:
    if finding.concept_id != "head_injury":
        return False
    age = demographics.age_years
    if age is not None and not 1 <= age < 65:
        return False
    headache = [
        f for f in findings if f.presence is Presence.PRESENT and f.concept_id == "headache"
    ]
    if headache and max((f.duration_hours or 0) for f in (*headache, finding)) >= 24:
        return False  # a headache that goes on after the knock is for a GP (NHS concussion)
    return any(
        (f.presence is Presence.ABSENT and f.concept_id in _HEAD_INJURY_CHECKS)
        or (f.presence is Presence.PRESENT and f.concept_id == "benign_context")
        for f in findings
    )


def _explained(finding: Finding, present: set[str], medication_classes: set[str]) -> str | None:
    concept_id = finding.concept_id
    if (
        concept_id == "abdominal_pain"
        and finding.character == "cramping"
        and (finding.severity is None or finding.severity < 7)
        and present & {"diarrhea", "vomiting"}
    ):
        # NICE CKS gastroenteritis: crampy abdominal pain comes with the diarrhoea; the
        # red-flag rules (appendicitis, bloody diarrhoea, dehydration) are checked first
        return "the cramps of gastroenteritis (NICE CKS gastroenteritis)"
    for explainers, why in _EXPLAINED_BY_FINDING.get(concept_id, ()):
        if any(not _NOT_EXPLAINED_WITH.get(e, frozenset()) & present for e in explainers & present):
            return why
    by_medicine = _EXPLAINED_BY_MEDICINE.get(concept_id)
    if by_medicine is not None and by_medicine[0] in medication_classes:
        return by_medicine[1]
    return None


# Conditions of young babies by definition: posseting and colic are how a thriving baby under
# three months behaves (NICE NG1; NICE CKS infantile colic), so that age is no reason to review.
_OF_YOUNG_BABIES = frozenset({"posseting", "infant_colic"})


def _minor_at_any_age(finding: Finding) -> bool:
    """A minor skin problem (cradle cap, a stye, nappy rash), a graze stated small or
    superficial, or a young baby's posseting or colic: self-care at any age (NICE CKS
    seborrhoeic dermatitis, blepharitis/stye, minor wounds, infantile colic; NICE NG1), so age
    alone does not lower the threshold for it."""
    return (
        finding.concept_id == "skin_minor"
        or finding.concept_id in _OF_YOUNG_BABIES
        or (finding.concept_id == "wound" and "small" in finding.qualifiers)
    )


def _raise(level: Level) -> Level:
    return Level.most_urgent(level, _ORDER[max(0, level.rank - 1)])


_ORDER = [Level.EMERGENCY, Level.URGENT, Level.NON_URGENT, Level.SELF_CARE]


def grade_finding(
    finding: Finding, demographics: Demographics, history: History, lexicon: Lexicon
) -> tuple[Level, str]:
    """Acuity of one PRESENT finding without red flags, and why."""
    concept = lexicon.concept(finding.concept_id)
    level = concept.base_level
    reason = f"{concept.label}: usual acuity {level.value}"
    if finding.severity is not None and concept.is_pain:
        if finding.severity >= 8:
            level = Level.most_urgent(level, Level.URGENT)
            reason += f"; severity {finding.severity}/10"
        elif finding.severity >= 6 and level is Level.SELF_CARE:
            level = Level.NON_URGENT
            reason += f"; severity {finding.severity}/10"
    if (
        level is Level.URGENT
        and finding.concept_id in _LEG_PAINS
        and finding.aggravating == "exertion"
        and finding.relieving == "rest"
    ):
        # calf pain brought on by walking and gone with rest is intermittent claudication:
        # a vascular referral, not a clot (NICE CG147 peripheral arterial disease)
        level = Level.NON_URGENT
        reason += "; brought on by walking, relieved by rest (claudication)"
    if (
        finding.concept_id in _LEG_PAINS
        and finding.character == "cramping"
        and finding.duration_hours is not None
        and finding.duration_hours <= 0.25
    ):
        # a calf that cramps for a minute or two and lets go: a muscle cramp, not a clot (the
        # DVT rule has already looked for swelling); NICE CKS leg cramps — stretching, self-care
        level = Level.SELF_CARE
        reason += "; a cramp lasting minutes (NICE CKS leg cramps)"
    age = demographics.age_years
    if (
        finding.concept_id == "chest_pain"
        and ("reproducible" in finding.qualifiers or finding.aggravating == "movement")
        and age is not None
        and 16 <= age < 40
        and not _CARDIAC_HISTORY.intersection(history.conditions)
    ):
        # chest wall pain: reproduced by pressing or brought on by moving, in a young adult
        # with no heart history, after the red-flag rules found no cardiac or PE feature
        # (NICE CKS chest pain: musculoskeletal causes — analgesia and self-care)
        level = Level.SELF_CARE
        reason += "; chest wall pain in a young adult (NICE CKS chest pain)"
    if level is Level.URGENT and concept.is_pain and "reproducible" in finding.qualifiers:
        level = Level.NON_URGENT
        reason += "; reproduced by pressing (musculoskeletal pattern)"
    if (
        level is Level.NON_URGENT
        and concept.system == "skin"
        and (
            "small" in finding.qualifiers
            or (finding.severity is not None and finding.severity <= 3)
        )
        and (finding.duration_hours is None or finding.duration_hours < 24 * 7)
    ):
        level = Level.SELF_CARE
        reason += "; small / mild skin problem"
    if (
        finding.concept_id == "poor_feeding"
        and level is Level.NON_URGENT
        and age is not None
        and 16 <= age < 65
    ):
        # a paediatric sign (NICE NG143): an adult who has not drunk enough is advised to drink
        # more (NHS dehydration); their other findings carry any urgency
        level = Level.SELF_CARE
        reason += "; an adult drinking or eating less (NHS dehydration: drink more)"
    if finding.concept_id == "syncope" and "vasovagal" in finding.qualifiers:
        # NICE CG109 1.1.3.2: an uncomplicated faint needs no further assessment (the red-flag
        # rule has already sent any faint with another feature, or at 65 or over, for one)
        level = Level.SELF_CARE
        reason += "; an uncomplicated vasovagal faint (NICE CG109)"
    if level is Level.URGENT and finding.timing == "recurrent":
        level = Level.NON_URGENT
        reason += "; a familiar, recurring problem"
    if (
        level is Level.NON_URGENT
        and finding.timing in ("resolved", "improving")
        and (finding.severity is None or finding.severity <= 3)
    ):
        level = Level.SELF_CARE
        reason += f"; mild and {finding.timing}"
    if level is Level.SELF_CARE and finding.timing == "persistent" and finding.duration_hours:
        level = Level.NON_URGENT
        reason += "; not improving despite self-care"
    hours = finding.duration_hours
    if hours is not None:
        limit = concept.self_care_max_days
        if level is Level.SELF_CARE and limit is not None and hours > limit * 24:
            level = Level.NON_URGENT
            reason += f"; lasting {hours / 24:.0f} days (> {limit:g})"
        elif (
            level is Level.URGENT
            and hours >= _CHRONIC_HOURS
            and (finding.severity is None or finding.severity < 8)
            and finding.timing != "worsening"
        ):
            level = Level.NON_URGENT
            reason += f"; long-standing ({hours / 24:.0f} days) without red flags"
    return level, reason


def decide_disposition(
    findings: Sequence[Finding],
    demographics: Demographics,
    history: History,
    red_flags: Sequence[RedFlagHit],
    *,
    language: str = "en",
    not_interpreted: Sequence[str] = (),
) -> Disposition:
    """The disposition for everything known so far (see module docstring for the logic)."""
    lang = "es" if language.lower().startswith("es") else "en"
    lexicon = load_lexicon()
    rationale: list[str] = []
    present = [f for f in findings if f.presence is Presence.PRESENT and f.concept_id in lexicon]

    if red_flags:
        top = min(red_flags, key=lambda h: h.level.rank)
        matched = [h.rule_id for h in red_flags if h.level is top.level]
        rationale.append(f"Red flag: {top.title} ({top.source}).")
        rationale.extend(f"Also matched: {h.title}." for h in red_flags if h is not top)
        advice = top.advice
        return Disposition(
            level=top.level,
            matched_rules=[h.rule_id for h in red_flags] if matched else [],
            rationale=rationale,
            advice=advice,
        )

    level = Level.SELF_CARE
    present_ids = {f.concept_id for f in present}
    medication_classes = {c for m in history.medications if (c := drug_class(m))}
    vasovagal = any(f.concept_id == "syncope" and "vasovagal" in f.qualifiers for f in present)
    for finding in present:
        explanation = _explained(finding, present_ids, medication_classes)
        if explanation is None and vasovagal and finding.concept_id in _FAINT_PRODROME:
            explanation = "the warning signs of a vasovagal faint (NICE CG109)"
        if explanation is not None and "extensive" in finding.qualifiers:
            # NHS insect bites and stings: a large area (about 10 cm or more) of redness and
            # swelling is still the local reaction, but one a GP should see
            rationale.append(
                f"{lexicon.concept(finding.concept_id).label}: {explanation}, over a large area"
                " (NHS: see a GP)."
            )
            level = Level.most_urgent(level, Level.NON_URGENT)
            continue
        if explanation is not None:
            rationale.append(f"{lexicon.concept(finding.concept_id).label}: {explanation}.")
            continue
        graded, reason = grade_finding(finding, demographics, history, lexicon)
        if graded is Level.NON_URGENT and _minor_head_injury(finding, findings, demographics):
            graded = Level.SELF_CARE
            reason += "; minor, NICE NG232 risk factors checked and absent (home care)"
        rationale.append(reason + ".")
        level = Level.most_urgent(level, graded)

    age = demographics.age_years
    if present and level is Level.SELF_CARE:
        if (
            age is not None
            and (age < 0.25 or age >= 80)
            and not all(map(_minor_at_any_age, present))
        ):
            level = Level.NON_URGENT
            rationale.append(f"Age {age:g} years: lower threshold for a clinician review.")
        elif demographics.pregnant and not all(
            f.concept_id in _MINOR_IN_PREGNANCY for f in present
        ):
            level = Level.NON_URGENT
            rationale.append("Pregnant: lower threshold for a clinician review.")
        elif _RISK_CONDITIONS.intersection(history.conditions):
            level = Level.NON_URGENT
            rationale.append("Risk condition in history: lower threshold for a clinician review.")

    cautious = False
    complaints = [f for f in present if lexicon.concept(f.concept_id).complaint]
    if not present:
        cautious = True
        level = _raise(level) if level is Level.SELF_CARE else level
        rationale.append(
            "Cautious: no symptom could be identified, so a clinician should review rather than "
            "self-care."
        )
    elif all(f.concept_id == "abnormal_lab_value" for f in present):
        # a result outside its range but inside the phone-out limits, on its own (a screening
        # or insurance test): never reassurance, and no reason for a same-day review either
        rationale.append("An abnormal laboratory value on its own: a clinician reviews it.")
    elif not complaints:
        cautious = True
        # Emergencies come only from red-flag rules: thin evidence raises at most to urgent.
        level = level if level is Level.URGENT else _raise(level)
        rationale.append("Cautious: no chief complaint identified; raised one level.")
    elif (
        len(present) == 1
        and (lexicon.concept(present[0].concept_id).is_pain or level is not Level.SELF_CARE)
        and present[0].duration_hours is None
        and present[0].severity is None
        and present[0].onset is None
        and present[0].timing is None
        and level is not Level.URGENT
        and not any(
            f.presence is Presence.ABSENT and f.concept_id != "benign_context" for f in findings
        )
    ):
        cautious = True
        concept = lexicon.concept(present[0].concept_id)
        raised = _raise(level)
        if raised is Level.URGENT and concept.system not in _ACUTE_SYSTEMS:
            raised = Level.NON_URGENT  # e.g. a lone rash or lump: a GP review is caution enough
        level = raised
        rationale.append(
            "Cautious: a single symptom with unknown duration and severity; raised one level."
        )
    if not_interpreted and level is Level.SELF_CARE:
        # safety by construction: what the engine cannot read is never reassurance
        level = Level.NON_URGENT
        cautious = True
        rationale.append(
            f"Cautious: {len(not_interpreted)} clinical term(s) could not be interpreted; "
            "a clinician should read the account (see not_interpreted)."
        )
    return Disposition(
        level=level,
        matched_rules=[],
        rationale=rationale,
        advice=_advice_table()[level][lang],
        cautious=cautious,
    )


# --- Live interview: red-flag questions left unresolved ------------------------------------------
# Kept apart from decide_disposition (which reads an account as a whole): only the interview knows
# which red-flag questions it asked and could not get a clear answer to.


def floor_for_unresolved_red_flags(
    disposition: Disposition, concept_ids: Sequence[str], *, language: str = "en"
) -> Disposition:
    """A red-flag question the caller could not answer clearly is not ruled out.

    The disposition is raised to at least ``urgent`` (never to emergency: emergencies come only
    from red-flag rules) and marked ``cautious``; the rationale names the questions.
    """
    if not concept_ids:
        return disposition
    lexicon = load_lexicon()
    labels = ", ".join(
        lexicon.concept(cid).label if cid in lexicon else cid for cid in dict.fromkeys(concept_ids)
    )
    rationale = [
        *disposition.rationale,
        f"Cautious: red-flag question(s) not answered clearly ({labels}); not ruled out.",
    ]
    if disposition.level.rank <= Level.URGENT.rank:
        return disposition.model_copy(update={"rationale": rationale})
    lang = "es" if language.lower().startswith("es") else "en"
    return disposition.model_copy(
        update={
            "level": Level.URGENT,
            "advice": _advice_table()[Level.URGENT][lang],
            "rationale": rationale,
            "cautious": True,
        }
    )
