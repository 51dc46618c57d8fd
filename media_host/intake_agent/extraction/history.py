"""Medical history: conditions ("type 2 diabetes", "on chemo"), medications (with a drug class
used by the red-flag rules, e.g. anticoagulant) and allergies ("allergic to penicillin", "NKDA").
"""

from __future__ import annotations

import re

from media_host.intake_agent.lexicon import read_data_file
from media_host.intake_agent.models import History

_TERMS = read_data_file("history_terms.yaml")
# condition id → regex fragments over normalised text
CONDITIONS: dict[str, tuple[str, ...]] = {
    cid: tuple(patterns) for cid, patterns in _TERMS["conditions"].items()
}
# drug name → class (used by rules such as "head injury on anticoagulant")
DRUGS: dict[str, str] = {}
for _cls, _names in _TERMS["drugs"].items():
    for _name in _names:
        DRUGS.setdefault(_name, _cls)

_CONDITION_RES = [
    (cid, re.compile(r"\b(?:" + "|".join(p) + r")\b")) for cid, p in CONDITIONS.items()
]
_DRUG_RE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, DRUGS), key=len, reverse=True)) + r")\b"
    # "a lithium coin cell", "lithium-ion battery": the metal of a battery, not the medicine
    r"(?![\s-]+(?:coin|button|ion|cells?|batter(?:y|ies))\b)"
)
_ALLERGY_RE = re.compile(
    r"\b(?:allergic\s+to|allergy\s+to|allergies\s+to|allergies\s*:|allergy\s*:|alergic\s+to|alergico\s+a|alergica\s+a|"
    r"alergia\s+a(?:\s+la|\s+el)?)\s+(?P<what>[a-z0-9 ,'-]{2,60})"
)
_NAMED_ALLERGY_RE = re.compile(r"\b(?P<what>[a-z]+)\s+allerg(?:y|ies)\b")
_NKA_RE = re.compile(
    r"\b(?:nkda|nka|no\s+known\s+(?:drug\s+)?allergies|no\s+(?:drug\s+)?allergies|not\s+allergic\s+to\s+anything|"
    r"no\s+(?:tengo|tiene)\s+alergias|sin\s+alergias(?:\s+conocidas)?|allergies\s*:\s*none|no\s+allergy)\b"
)
_ALLERGENS = re.compile(
    r"\b(?:penicillin|amoxicillin|sulfa|sulpha|sulfonamides?|aspirin|ibuprofen|nsaids?|codeine|morphine|latex|peanuts?|"
    r"nuts?|tree\s+nuts|shellfish|eggs?|milk|dairy|soy|wheat|fish|bees?|bee\s+stings?|wasps?|iodine|contrast|"
    r"cats?|dogs?|pollen|dust|penicilina|mariscos|cacahuates?|mani|nueces|huevo|latex|codeina)\b"
)
_MED_CONTEXT = re.compile(
    r"\b(?:takes?|taking|took|on|using|uses|prescribed|medications?\s*(?:include|:)?|meds?\s*:?|tomo|toma|tomando)\b"
)
_NEGATED_MED = re.compile(
    r"\b(?:no|not\s+on\s+any|none|doesnt\s+take|dont\s+take|sin)\s+(?:\w+\s+)?(?:medications?|meds|medicines?|medicamentos)\b"
)


# "no bleeding disorder, no medicines", "not on any blood thinners": denied history;
# "her mother has hypothyroidism": someone else's. Looked for earlier in the same sentence.
_DENIED_BEFORE = re.compile(
    r"\b(?:no|not(?:\s+on)?(?:\s+any)?|never|denies|denied|without|nil|negative\s+for|"
    r"no\s+history\s+of|sin|niega|nunca)\b(?:[\s,/]+(?:or|and|y|o|ni|any|other|known)?[\s,/]*[\w'-]+){0,5}[\s,/]*$"
)
# Someone else's history: a relative of the person described ("her mother has
# hypothyroidism"), or the caller's relative in the past tense ("my dad had a heart attack at
# 50"). "My gran has COPD" in a caregiver's call is the patient's own history and stays.
RELATIVE = (
    r"(?:mother|mum|mom|father|dad|brother|sister|grandmother|grandfather|grandma|grandpa|gran|"
    r"aunt|uncle|cousin|parents|madre|padre|mama|papa|hermano|hermana|abuelo|abuela|tio|tia)"
)
_SOMEONE_ELSE_BEFORE = re.compile(
    rf"\b(?:(?:her|his|their|su|sus)\s+{RELATIVE}(?:'s)?\b(?:\s+[\w'-]+){{0,4}}|"
    rf"(?:my|mi)\s+{RELATIVE}\s+(?:had|died|passed\s+away|was\s+diagnosed|suffered|tuvo|murio)"
    r"(?:\s+[\w'-]+){0,3}|family\s+history\s+of|fh\s+of|fhx)\s*$"
)


# A disease feared or searched for is not one the patient has: "frightened myself with the mouth
# cancer pictures", "worried it's cancer", "I googled it and read about leukaemia"
_FEARED_BEFORE = re.compile(
    r"\b(?:googl\w*|searched|looked\s+(?:it\s+)?up|read\s+(?:about|online)|worried|worry|worries|"
    r"scared|afraid|terrified|frightened|fear\w*|panick\w*|thought\s+it\s+(?:was|might\s+be)|"
    r"in\s+case|could\s+(?:it\s+)?be|rule\s+out|miedo|preocupad[oa]|busque|internet)\b"
)
_FEARED_AFTER = re.compile(r"\s*(?:pictures|photos|images|stories|scare|fotos|imagenes)\b")


def _not_the_patients(norm: str, start: int, end: int | None = None) -> bool:
    """Whether a history item at ``start`` is denied, a relative's, or only feared."""
    sentence_start = max(norm.rfind(c, 0, start) for c in ".;\n") + 1
    before = norm[max(sentence_start, start - 60) : start]
    feared = _FEARED_BEFORE.search(before) is not None or (
        end is not None and _FEARED_AFTER.match(norm, end) is not None
    )
    return bool(_DENIED_BEFORE.search(before) or _SOMEONE_ELSE_BEFORE.search(before) or feared)


def extract_history(
    norm: str, *, bare_list: str | None = None, spans: list[tuple[int, int]] | None = None
) -> History:
    """Conditions, medications and allergies stated in ``norm``.

    Args:
        norm: normalised utterance text.
        bare_list: when the agent just asked for "medications" / "allergies" / "conditions", the
            utterance may be a bare list; unknown items are then kept as short phrases.
        spans: when given, receives the character span of every condition and medicine named
            (so the caller knows what was interpreted without scanning again).
    """
    conditions: list[str] = []
    for cid, pattern in _CONDITION_RES:
        matches = list(pattern.finditer(norm))
        if spans is not None:
            spans.extend(m.span() for m in matches)
        if any(not _not_the_patients(norm, m.start(), m.end()) for m in matches):
            conditions.append(cid)
    if "type1_diabetes" in conditions and "diabetes" not in conditions:
        conditions.append("diabetes")
    allergies: list[str] = []
    allergy_spans: list[tuple[int, int]] = []
    for m in _ALLERGY_RE.finditer(norm):
        what = m.group("what")
        found = [a.group(0) for a in _ALLERGENS.finditer(what)]
        found += [d.group(0) for d in _DRUG_RE.finditer(what) if d.group(0) not in found]
        allergies.extend(x for x in found if x not in allergies)
        allergy_spans.append((m.start(), m.end()))
    for m in _NAMED_ALLERGY_RE.finditer(norm):  # "peanut allergy", "penicillin allergy"
        what = m.group("what")
        if (_ALLERGENS.fullmatch(what) or what in DRUGS) and what not in allergies:
            allergies.append(what)
    no_known = True if _NKA_RE.search(norm) else None
    medications: list[str] = []
    for m in _DRUG_RE.finditer(norm):
        if spans is not None:
            spans.append(m.span())
        if any(s <= m.start() < e for s, e in allergy_spans) or _not_the_patients(norm, m.start()):
            continue
        name = m.group(0)
        if name not in medications:
            medications.append(name)
    if bare_list is not None:
        items = _split_list(norm)
        if bare_list == "allergies":
            for item in items:
                # "I took some ibuprofen" answers with a medicine taken, not an allergy.
                if (
                    item not in allergies
                    and not _NKA_RE.search(item)
                    and not _is_none(item)
                    and not _MED_CONTEXT.search(item)
                ):
                    allergies.append(item)
            if any(_is_none(i) for i in items) or _NKA_RE.search(norm):
                no_known = True
        elif bare_list == "medications":
            for item in items:
                if not _is_none(item) and item not in medications and not _DRUG_RE.search(item):
                    medications.append(item)
        elif bare_list == "conditions":
            for item in items:
                if (
                    not _is_none(item)
                    and not is_demographic_statement(item)
                    and not any(p.search(item) for _c, p in _CONDITION_RES)
                ):
                    conditions.append(item)
    conditions = conditions[:20]
    return History(
        conditions=conditions,
        medications=medications[:20],
        allergies=allergies[:20],
        no_known_allergies=no_known,
    )


def drug_class(name: str) -> str | None:
    """Class of a known drug name ("apixaban" → "anticoagulant"), None if unknown."""
    return DRUGS.get(name.lower().strip())


_NONE_RE = re.compile(
    r"^(?:none|nothing|no|nope|nada|ninguno|ninguna|no\s+\w+|not\s+really|not\s+any|i\s+dont\s+take\s+any\w*"
    # "I'm healthy", "fit and well": an answer of "no conditions", never a condition itself.
    r"|(?:i\s*am\s+|im\s+|i'm\s+)?(?:healthy|fit\s+and\s+well|fit|well|in\s+good\s+health))$"
)


# "female", "I'm a woman", "male, 45", "45 years old", "soy mujer": demographics, not diagnoses
# (the demographics extractor records them; they must never become a "condition").
_DEMOGRAPHIC_ITEM_RE = re.compile(
    r"^(?:(?:i\s*am|im|i'm|i\s+am\s+a|soy|i\s+identify\s+as|sex|gender|sexo)\s*:?\s*)?"
    r"(?:an?\s+|una?\s+)?"
    r"(?:(?:female|male|woman|man|lady|gentleman|girl|boy|mujer|hombre|varon|chica|chico|nina|nino|"
    r"femenino|masculino|f|m|pregnant|embarazada)|"
    r"\d{1,3}(?:\s*(?:years?|yrs?|yo|y\s*o|anos|months?|meses))?(?:\s*old)?)"
    r"(?:\s+(?:and|y)?\s*(?:female|male|woman|man|\d{1,3}(?:\s*(?:years?|yrs?|anos))?(?:\s*old)?))?$"
)


def is_demographic_statement(item: str) -> bool:
    """True when a list item only states sex, age or pregnancy ("female", "I'm a woman")."""
    return bool(_DEMOGRAPHIC_ITEM_RE.match(" ".join(item.replace("'", "").split())))


def _is_none(item: str) -> bool:
    return bool(_NONE_RE.match(item.strip()))


def _split_list(norm: str) -> list[str]:
    parts = re.split(r",|;|\band\b|\by\b|\bplus\b|\balso\b|\.|\n", norm)
    out = []
    for part in parts:
        item = re.sub(
            r"^\s*(?:i\s+take|i'?m\s+on|im\s+on|i\s+use|just|only|some|tomo|uso|and|a|an|the)\s+",
            "",
            part,
        )
        item = " ".join(item.split())[:40]
        if item and item not in out:
            out.append(item)
    return out[:10]
