"""Clinical content the engine could not interpret — so that it is never taken as reassurance.

A rules engine reads what its lexicon names. When an account carries clinical words it does not
know ("crepitus", "hepatomegaly", "a fluctuant collection", "CVA tenderness"), the safe reading is
not "nothing wrong" but "something a clinician must read". This finds such words by their form —
the Greek and Latin word endings of clinical terms, examination vocabulary, and unknown note
abbreviations written in capitals — outside the spans the extraction did interpret. The disposition
never returns self-care while any are left, and the summary lists them for the clinician.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from media_host.intake_agent.lexicon import Lexicon

# word endings that mark a clinical term (inflammation, condition, blood, pain, operation, ...)
_CLINICAL_FORM = re.compile(
    r"\b[a-z]{3,}(?:itis|itides|osis|oses|aemia|emia|algia|ectomy|otomy|ostomy|plasty|oma|omas|"
    r"pathy|uria|rrhoea|rrhea|rrhage|plegia|paresis|penia|cytosis|megaly|scopy|ptysis|phagia|"
    r"phasia|pnoea|pnea|cardia|stenosis|ectasia|iasis|ocele|lithiasis|trophy|spasm|genic)\b"
)
# examination and investigation words that carry meaning on their own
_EXAM_WORDS = re.compile(
    r"\b(?:tender(?:ness)?|palpable|fluctuant|indurat\w+|crepitus|crackles|crepitations|rales|"
    r"rhonchi|bruits?|murmurs?|effusion|consolidation|exudates?|erythema(?:tous)?|oedema|edema|"
    r"guarding|rigidity|clubbing|lymphadenopathy|nystagmus|ptosis|papilloedema|"
    r"opacity|infiltrates?|ulcerat\w+|necro\w+|purulent|hyper[a-z]{4,}|hypo[a-z]{4,})\b"
)
# capitals in the original text: note abbreviations ("CVA", "JVP", "AKI")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9]{1,5}\b")
# capitals that are ordinary words or handled elsewhere (units, sex, time, ordinary shouting)
_KNOWN_CAPS = frozenset(
    {
        # everyday texting and office shorthand, nothing clinical
        "WFH",
        "LOL",
        "LMAO",
        "OMG",
        "BTW",
        "ASAP",
        "FYI",
        "IDK",
        "TBH",
        "IMO",
        "DIY",
        "I",
        "OK",
        "OKAY",
        "AM",
        "PM",
        "TV",
        "GP",
        "ER",
        "ED",
        "A",
        "UK",
        "US",
        "USA",
        "NHS",
        "ID",
        "PT",
        "HI",
        "NO",
        "YES",
        "DR",
        "MR",
        "MRS",
        "MS",
        "BP",
        "HR",
        "RR",
        "SPO2",
        "SAO2",
        "GCS",
        "BMI",
        "PEF",
        "CRT",
        "M",
        "F",
        "L",
        "R",
        "ICU",
        "ANC",
        "WBC",
        "WCC",
        "HB",
        "HGB",
        "CRP",
        "INR",
        "ALT",
        "NA",
        "K",
        "KG",
        "CM",
        "MM",
        "ML",
        "MG",
        "MMHG",
        "BPM",
        "X",
        "AND",
        "THE",
        "IT",
        "MY",
        "SHE",
        "HE",
        "IS",
        "NOT",
        "AS",
        "AT",
        "ON",
        "IN",
        "OF",
        "TO",
        "HELP",
        "NOW",
        "PLEASE",
        "WHO",
        "COVID",
        "DAY",
        "LMP",
        "SVD",
        "PO",
        "OTC",
        "UTD",
        "ECG",
        "EKG",
        "CT",
        "MRI",
        "XR",
        "PRN",
        "BD",
        "TDS",
        "QDS",
        "OD",
        "IV",
        "IM",
        "SC",
        "NAD",
        "OE",
        "HPI",
        "PMH",
        "PMHX",
        "DH",
        "SH",
        "FH",
        "ROS",
        "NKDA",
        "NKA",
        "ETOH",
        "AFEB",
        "BIBA",
        "A&E",
    }
)
# "no crackles", "without guarding": a denied unknown finding is no cause for concern
_DENIED = re.compile(
    r"\b(?:no|not|without|denies|negative\s+for|nil|free\s+of|absent|sin|niega)\b(?:[\s,]+[\w/-]+){0,6}[\s,]*$"
)
# "VA normal", "JVP not raised", "CVS NAD": an unknown term the note itself reports as normal
_REPORTED_NORMAL = re.compile(
    r"[\s:]*(?:(?:is|was|are|were)\s+)?(?:normal|nad|unremarkable|intact|clear|equal|"
    r"not\s+(?:raised|elevated|present|seen|found)|nil|negative|within\s+normal\s+limits|wnl)\b"
)
_MAX_TERMS = 20
_MAX_TERM_CHARS = 40


def find_uninterpreted(
    text: str,
    norm: str,
    interpreted: Iterable[tuple[int, int]],
    lexicon: Lexicon,
    language: str,
) -> list[str]:
    """Clinical-looking words of ``text`` outside the ``interpreted`` character spans.

    Args:
        text: the original utterance (capitals matter for abbreviations).
        norm: its normalised form (same length).
        interpreted: character spans the extraction turned into findings, history or values.
        lexicon: the concept lexicon (its words are never reported).
        language: "en" or "es".
    """
    covered = sorted(interpreted)
    vocabulary = lexicon.vocabulary(language)

    def inside(start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in covered)

    def denied(start: int) -> bool:
        sentence_start = max(norm.rfind(c, 0, start) for c in ".;\n") + 1
        return _DENIED.search(norm[max(sentence_start, start - 40) : start]) is not None

    terms: dict[str, None] = {}
    for pattern, source in ((_CLINICAL_FORM, norm), (_EXAM_WORDS, norm), (_ABBREVIATION, text)):
        for m in pattern.finditer(source):
            word = m.group()
            if (
                inside(m.start(), m.end())
                or word.lower() in vocabulary
                or denied(m.start())
                or _REPORTED_NORMAL.match(norm, m.end())
            ):
                continue
            if pattern is _ABBREVIATION and (
                word in _KNOWN_CAPS or any(ch.isdigit() for ch in word)
            ):
                continue
            terms.setdefault(word[:_MAX_TERM_CHARS], None)
            if len(terms) >= _MAX_TERMS:
                return list(terms)
    return list(terms)
