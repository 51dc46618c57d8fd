"""Rules extraction backend: deterministic, fast (precompiled patterns, no I/O per call).

Pipeline for one utterance: normalise → tokens and sentences → lexicon phrase matches (plus
"site + pain word" compositions such as "my knee hurts") → negation / uncertainty / history scopes
→ attributes (time, severity, character, site, laterality, radiation, aggravating / relieving) →
vital signs → demographics and history → the answer to the last question (``context``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from media_host.intake_agent.errors import InvalidUtteranceError
from media_host.intake_agent.extraction import (
    anatomy,
    answers,
    compositions,
    ingestion,
    labs,
    scope,
    self_harm,
    vitals,
)
from media_host.intake_agent.extraction.assertion_context import AssertionBackend, make_assertion
from media_host.intake_agent.extraction.attributes import attach_attributes
from media_host.intake_agent.extraction.base import primary_language
from media_host.intake_agent.extraction.context import apply_context, bare_list_kind
from media_host.intake_agent.extraction.demographics import extract_demographics
from media_host.intake_agent.extraction.drafts import (
    ATTRIBUTE_FIELDS,
    FindingDraft,
    Statement,
    char_index,
    sentence_at,
    sentence_index,
)
from media_host.intake_agent.extraction.history import extract_history
from media_host.intake_agent.extraction.uninterpreted import find_uninterpreted
from media_host.intake_agent.lexicon import Lexicon, load_lexicon
from media_host.intake_agent.models import (
    Extraction,
    Finding,
    Presence,
    QuestionContext,
    Span,
)
from media_host.intake_agent.textnorm import (
    Token,
    canonical_token,
    normalise,
    sentence_bounds,
    tokenize,
)

_DENIED_CUE = re.compile(r"\b(?:no|not|without|nil|never|sin)\s+(?:any\s+|real\s+)?$")
_HIGH_FEVER_C = 39.0  # NICE NG143 / CKS: a measured 39 °C or more is a high fever
MAX_TEXT_CHARS = 20_000  # the caller caps utterances far lower; this only bounds worst-case cost
_GENERIC = frozenset({"swelling", "bleeding"})
# verbs that only pain does ("radiating", "shooting", "irradia"), unlike "spreading" or "going"
_PAIN_SPREADS = ("radiat", "shoot", "irradia", "referred")
# where a radiation goes (its target's last word, normalised to English) → the pain felt there
_RADIATED_PAIN = {
    "arm": "arm_pain",
    "arms": "arm_pain",
    "jaw": "jaw_pain",
    "neck": "neck_pain",
    "shoulder": "shoulder_pain",
    "shoulders": "shoulder_pain",
}
# simple concepts a two-cue composition may span ("vomiting large amounts of blood")
_ABSORBABLE = frozenset(
    {
        "swelling",
        "bleeding",
        "vomiting",
        "cough",
        "diarrhea",
        "burn",
        "burn_blistering",
        "numbness",
        "joint_swelling",
        "wound",  # "a cut of about 3 cm that gapes": the cut, and a deep wound
    }
)
# single-word readings that give way to a two-cue composition containing them: "my pee is
# burning" is dysuria, not a burn; "a shock off a cable" is an electric shock, not circulatory
# shock; "bleach ... stinging" in an eye is a chemical eye injury, not an insect sting; "my
# face feels weak" is facial weakness, not generalised weakness; "his smile has gone crooked"
# is a facial droop, not a deformed limb
_YIELDING = frozenset({"burn", "hypotension", "insect_bite", "weakness", "possible_fracture"})
# readings that give way only to one composition: "both legs feel heavy" is weakness of both
# legs, not leg pain of a pressing kind
_YIELDS_TO = {
    "leg_pain": frozenset({"bilateral_leg_weakness"}),
    "rash": frozenset(
        # ... and a baby's "soft spot" is the fontanelle (sunken or bulging)
        {"subconjunctival_haemorrhage", "acne_scarring", "skin_minor", "dehydration"}
        | {"bulging_fontanelle"}
    ),
    "red_eye": frozenset({"subconjunctival_haemorrhage"}),
    # "been sick ... bright green": the vomiting is bile-stained
    "vomiting": frozenset({"bilious_vomiting"}),
    # a dusky or blue toe is the toe's blood supply failing, not central cyanosis
    "cyanosis": frozenset({"gangrene"}),
    "drooling": frozenset({"minor_complaint"}),
    "overdose": frozenset({"minor_complaint"}),
    "cellulitis": frozenset({"sunburn"}),
    # "his leg has gone pale and cold": the limb's, not the pallor of shock
    "mottled_skin": frozenset({"cold_limb"}),
    # blisters on the tip of the nose are shingles (Hutchinson's sign), not a minor skin problem
    "skin_minor": frozenset({"acne_scarring", "shingles"}),
    "lump": frozenset({"peritonism", "cellulitis", "skin_minor", "head_injury"}),
    "itching": frozenset({"skin_minor"}),
    # the jaw that aches as it chews is jaw claudication (BSR 2020 giant cell arteritis)
    "jaw_pain": frozenset({"jaw_claudication"}),
}
_FILLER_WORDS = frozenset(
    {"the", "a", "an", "my", "his", "her", "their", "of", "on", "upper", "lower", "outer", "inner"}
    | {"left", "right", "area", "patch", "part", "side"}
    | {"la", "el", "los", "las", "un", "una", "su", "sus", "mi", "mis", "de", "del", "en"}
)
# findings acted on when only suspected: "she thinks he swallowed a button battery" is managed
# as an ingestion (NHS button batteries; TOXBASE: a possible ingestion is treated as one)
# ... and so is a mother's sense that her baby moves less: "maybe one or two kicks all morning"
# is reduced fetal movement (RCOG GTG 57: any concern about movements is assessed the same day)
_SUSPECTED_IS_ENOUGH = frozenset({"overdose", "reduced_fetal_movement"})
# readings that give way to another finding of the same sentence: in "he snores and stops
# breathing for a few seconds, then gasps" the pauses and the gasping are the witnessed apnoeas
# of obstructive sleep apnoea (NICE CKS OSAHS), not an arrest or respiratory distress
# (NICE CKS OSAHS); a teething baby's drooling is teething (NICE CKS teething), not the
# airway sign. Values: (the other finding, words of this reading, words of the other one).
_GIVES_WAY_IN_SENTENCE: dict[
    str, tuple[frozenset[str], re.Pattern[str] | None, re.Pattern[str] | None]
] = {
    "not_breathing": (
        frozenset({"sleep_apnoea"}),
        re.compile(r"\b(?:stop\w*|pause\w*|apn[oe]\w*|dej\w*\s+de\s+respirar|pausa\w*)"),
        None,
    ),
    "severe_breathing_difficulty": (frozenset({"sleep_apnoea"}), re.compile(r"^gasp"), None),
    # fingers that go white, blue, then red and warm in the cold are Raynaud's phenomenon
    # (NICE CKS Raynaud's), not a spreading skin infection; nor is sunburnt skin that is red,
    # hot and sore (NHS sunburn)
    "cellulitis": (frozenset({"raynaud", "sunburn"}), None, None),
    # the tingling before a cold sore or shingles comes up is its prodrome (NICE CKS herpes
    # simplex, oral; NICE CKS shingles: tingling or burning, then a band of blisters)
    "numbness": (
        frozenset({"skin_minor", "shingles", "rash"}),
        re.compile(r"\b(?:tingl\w*|hormigueo)"),
        re.compile(
            r"\b(?:cold\s+sores?|fever\s+blisters?|herpes|shingles|zoster|blisters|ampollas)"
        ),
    ),
    "drooling": (
        frozenset({"minor_complaint"}),
        re.compile(r"\b(?:drool\w*|dribbl\w*|babe\w*)"),
        # ... teething named, or told by its signs: red gums, chewing or gnawing on things (NHS
        # baby teething symptoms)
        re.compile(
            r"\b(?:teeth\w*|tooth|gums?|chew\w*|gnaw\w*|dient\w*|denticion|encias?|boca|muerde)"
        ),
    ),
    # "está muy apagada, llora a menudo, no disfruta con nada": an adult's flat mood, not a
    # child's lethargy
    "drowsiness": (
        frozenset({"depressed_mood"}),
        re.compile(r"\bapagad[oa]"),
        None,
    ),
    # "a stye on my eyelid, a little red lump": the lump is the stye (NICE CKS styes); "a
    # horsefly got me, there's a raised itchy lump": the bite's local reaction (NICE CKS insect
    # bites and stings)
    "lump": (
        frozenset({"skin_minor", "insect_bite"}),
        None,
        re.compile(
            r"\b(?:styes?|sty|chalazion|orzuelos?|horse\s*fly|bite\w*|bitten|sting\w*|stung|"
            r"mosquito\w*|gnat\w*|midge\w*|picadura\w*)\b"
        ),
    ),
}
# Reassurance is denied only by a negation right before it: in "no sickness, acting normal" the
# "no" belongs to the sickness.
_CLOSE_NEGATION_ONLY = frozenset({"benign_context"})
_FLIP_WORDS = frozenset(
    [
        "not",
        "no",
        "never",
        "cant",
        "unable",
        "isnt",
        "wasnt",
        "arent",
        "dont",
        "doesnt",
        "didnt",
        "hasnt",
        "havent",
        "wont",
        "nor",
    ]
)


# "a burning feeling", "burning heartburn", "burning retrosternal discomfort": the character
# of a pain, not a burn injury
_SENSATION_AFTER_BURNING = frozenset(
    {"feeling", "feelings", "sensation", "sensations", "pain", "pains", "ache", "discomfort"}
    | {"heartburn", "retrosternal", "epigastric", "chest", "stomach", "tummy", "throat", "when"}
    | {"in", "after", "sort", "kind", "type", "quality", "and", "or", "like"}
    # where it is felt or when: "burning behind my breastbone", "burning when I pee"
    | {"behind", "under", "across", "around", "inside", "at", "up", "down", "on", "into"}
    | {"through", "while", "during", "going", "pee", "wee", "urine", "sensacion"}
    # one of a list of sensations: "burning, going loads"
    | {",", ";"}
)


def _is_burning_sensation(tokens: list[Token], span: tuple[int, int]) -> bool:
    start, end = span
    if end - start != 1 or tokens[start].text != "burning":
        return False
    following = tokens[end].text if end < len(tokens) else ""
    return following in _SENSATION_AFTER_BURNING


# "a coughing fit", "fits of laughing": a bout, not a seizure
_BOUT_OF = frozenset(
    {"coughing", "cough", "sneezing", "sneeze", "laughing", "laughter", "giggling", "giggles"}
    | {"crying", "panic", "temper", "hissy", "rage", "anger", "jealousy", "hiccups", "hiccuping"}
)


# a word inside a reading's span is part of the reading, not a finding of its own
class _Spanned(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def _outside(drafts: list[FindingDraft], readings: Sequence[_Spanned]) -> list[FindingDraft]:
    """The drafts that do not lie inside one of the readings' spans."""
    return [d for d in drafts if not any(r.start <= d.start and d.end <= r.end for r in readings)]


# "normally fit", "fit and well", "keeps fit": the adjective (healthy), not a seizure
_FIT_AS_HEALTHY_BEFORE = frozenset(
    {"normally", "usually", "otherwise", "generally", "very", "quite", "physically", "keep"}
    | {"keeps", "kept", "keeping", "fairly", "perfectly", "reasonably", "pretty", "relatively"}
    | {"previously", "always", "feel", "feels", "felt", "fully"}
)
_FIT_AND = frozenset({"well", "healthy", "active", "strong"})  # "fit and well"
# "24-year-old man, fit, with chest pain": a note describing the person, not "fever, fit, drowsy"
_PERSON_WORDS = frozenset(
    {"man", "woman", "male", "female", "boy", "girl", "lady", "gentleman", "m", "f", "old", "yo"}
    | {"patient", "pt", "athlete", "runner"}
)


def _is_fit_of(tokens: list[Token], span: tuple[int, int]) -> bool:
    start, end = span
    if end - start != 1 or tokens[start].text not in ("fit", "fits"):
        return False
    before = tokens[start - 1].text if start else ""
    after = tokens[end + 1].text if end + 1 < len(tokens) and tokens[end].text == "of" else ""
    following = [t.text for t in tokens[end : end + 2]]
    if tokens[start].text == "fit" and (
        before in _FIT_AS_HEALTHY_BEFORE
        or following[:1] in (["healthy"], ["enough"])
        or (len(following) == 2 and following[0] == "and" and following[1] in _FIT_AND)
        or (before == "," and start >= 2 and tokens[start - 2].text in _PERSON_WORDS)
    ):
        return True
    return before in _BOUT_OF or after in _BOUT_OF


# "sore when I press one spot", "tender in a particular spot": a place on the body, not a
# spot on the skin
_SPOT_DETERMINERS = frozenset(
    {"one", "a", "that", "this", "same", "particular", "specific", "certain", "single", "exact"}
)
_SPOT_PLACE_LEAD = frozenset(
    {"press", "pressed", "presses", "pressing", "push", "pushed", "pushing", "touch", "touched"}
    | {"touching", "in", "at", "to", "point", "points", "on"}
)


def _is_spot_as_place(tokens: list[Token], span: tuple[int, int]) -> bool:
    start, end = span
    soft_spot = start >= 1 and tokens[start - 1].text == "soft"
    if end - start == 1 and tokens[start].text == "spot" and soft_spot:
        return True  # a baby's "soft spot" is the fontanelle
    if end - start != 1 or tokens[start].text != "spot" or start < 2:
        return False
    before = tokens[start - 1].text
    if before not in _SPOT_DETERMINERS:
        return False
    lead = tokens[start - 2].text
    if lead == "the" and start >= 3:  # "in the same spot"
        lead = tokens[start - 3].text
    return lead in _SPOT_PLACE_LEAD


def _never(tokens: list[Token], span: tuple[int, int]) -> bool:
    return False


# one-word readings whose neighbouring words show they are not the finding
# "not drinking loads", "not drinking more than usual": a denied excess (the thirst of diabetes),
# not a child who is drinking too little
_EXCESS_WORDS = frozenset(
    {"loads", "lots", "excessively", "more", "extra", "too", "gallons", "mas"}
)
# "not drinking more than usual", "no bebe más de lo normal": a denied thirst, not poor intake
_NOT_DRINKING = {("not", "drinking"), ("no", "bebe"), ("no", "toma"), ("no", "bebo")}


def _is_denied_excess(tokens: list[Token], span: tuple[int, int]) -> bool:
    start, end = span
    if end - start != 2 or (tokens[start].text, tokens[start + 1].text) not in _NOT_DRINKING:
        return False
    return end < len(tokens) and tokens[end].text in _EXCESS_WORDS


# "tonsils mildly erythematous", "TM erythematous": redness of a mucous membrane or an eardrum
# is an examination finding of that organ, not spreading redness of the skin (cellulitis)
_MUCOSAL_SITES = frozenset(
    {"tonsils", "tonsil", "tonsillar", "pharynx", "pharyngeal", "throat", "oropharynx", "tm"}
    | {"tms", "eardrum", "eardrums", "drum", "drums", "conjunctiva", "conjunctivae", "gums"}
    | {"uvula", "amigdalas", "faringe", "garganta", "timpano"}
)


def _is_mucosal_erythema(tokens: list[Token], span: tuple[int, int]) -> bool:
    start, end = span
    if end - start != 1 or not tokens[start].text.startswith("erythem"):
        return False
    lo = start
    while lo > 0 and start - lo < 4 and tokens[lo - 1].kind != "punct":
        lo -= 1
    return any(t.text in _MUCOSAL_SITES for t in tokens[lo:start])


# a check that a one-word reading is not the finding, given the tokens and the reading's span
ReadingCheck = Callable[[list[Token], tuple[int, int]], bool]


def _followed_by(heads: frozenset[str], followers: frozenset[str]) -> ReadingCheck:
    """A reading ending in one of `heads` whose next word is one of `followers` is another
    sense of the word ("fell asleep", "flu jab", "a cold drink")."""

    def check(tokens: list[Token], span: tuple[int, int]) -> bool:
        end = span[1]
        return tokens[end - 1].text in heads and end < len(tokens) and tokens[end].text in followers

    return check


def _any_of(*checks: ReadingCheck) -> ReadingCheck:
    """A reading that is not the finding by any of several checks."""

    def check(tokens: list[Token], span: tuple[int, int]) -> bool:
        return any(c(tokens, span) for c in checks)

    return check


# "fell asleep", "fell pregnant", "fell ill": the verb of another event, not a fall
_FELL_INTO = _followed_by(
    frozenset({"fell", "fall", "falls", "falling", "fallen"}),
    frozenset({"asleep", "pregnant", "ill", "sick", "behind", "apart", "silent", "quiet"}),
)
# "his flu jab", "the flu vaccine": a prevention, not the illness
_A_VACCINE = _followed_by(
    frozenset({"flu", "influenza", "covid", "gripe"}),
    frozenset({"jab", "jabs", "vaccine", "vaccines", "vaccination", "shot", "injection"}),
)


# "a faint ringing", "a faint rash": the adjective, not fainting
_FAINT_ADJECTIVE = _followed_by(
    frozenset({"faint"}),
    frozenset({"ringing", "buzzing", "humming", "whooshing", "noise", "sound", "rash", "line"})
    | frozenset({"lines", "mark", "marks", "smell", "taste", "pink", "red", "blue", "high"})
    | frozenset({"tinge", "ache", "headache", "pain", "pulse", "heartbeat", "glow", "click"}),
)
# "a rock-hard cramp in my calf", "rock hard stools": a muscle or a stool, not a rigid belly
_NOT_THE_BELLY = frozenset(
    {"cramp", "cramps", "calf", "calves", "leg", "legs", "muscle", "muscles", "thigh", "foot"}
    | {"stool", "stools", "poo", "poos", "poop", "lump", "lumps", "knot", "spasm", "breast"}
)


def _is_hard_elsewhere(tokens: list[Token], span: tuple[int, int]) -> bool:
    start, end = span
    if tokens[start].text not in ("rock", "hard"):
        return False
    near = tokens[max(0, start - 4) : start] + tokens[end : end + 2]
    return any(t.text in _NOT_THE_BELLY for t in near)


# "a cold drink", "a cold compress": the temperature of a thing, not the common cold
_COLD_THING = _followed_by(
    frozenset({"cold", "frio", "fria"}),
    frozenset({"drink", "drinks", "water", "compress", "compresses", "flannel", "cloth", "pack"})
    | frozenset({"weather", "air", "shower", "bath", "milk", "juice", "sweat", "sweats", "snap"})
    | frozenset({"spell", "room", "tap", "bebida", "agua", "compresa"}),
)

# "pale urine", "pale stools": the colour of what is passed, not pale skin
_PALE_OUTPUT = _followed_by(
    frozenset({"pale", "palida", "palido"}),
    frozenset({"urine", "wee", "pee", "stools", "stool", "poo", "poos", "orina", "heces"}),
)
_NOT_THE_FINDING = {
    "syncope": _FAINT_ADJECTIVE,
    "mottled_skin": _PALE_OUTPUT,
    "peritonism": _is_hard_elsewhere,
    "fall": _FELL_INTO,
    "common_cold": _any_of(_A_VACCINE, _COLD_THING),
    "cellulitis": _is_mucosal_erythema,
    "poor_feeding": _is_denied_excess,
    "burn": _is_burning_sensation,
    "rash": _is_spot_as_place,
    "skin_minor": _is_spot_as_place,
    "seizure": _is_fit_of,
}


class RulesExtractor:
    """Deterministic lexicon-and-pattern extractor for English and Spanish."""

    name = "rules"

    def __init__(
        self, lexicon: Lexicon | None = None, *, assertion: AssertionBackend = "scope"
    ) -> None:
        self.lexicon = lexicon or load_lexicon()
        # which reading marks matches negated / uncertain / historical / family (assertion_context)
        self._assertion = make_assertion(assertion)
        self._one_word: dict[tuple[str, str], frozenset[str]] = {}

    def _one_word_forms(self, concept_id: str, lang: str) -> frozenset[str]:
        """The concept's one-word phrases in ``lang`` ("confused" for confusion), built once."""
        key = (concept_id, lang)
        if key not in self._one_word:
            phrases = self.lexicon.concept(concept_id).synonyms.get(lang, ())
            self._one_word[key] = frozenset(p for p in phrases if " " not in p)
        return self._one_word[key]

    def extract(
        self,
        text: str,
        *,
        item_id: str,
        language: str,
        context: QuestionContext | None = None,
    ) -> Extraction:
        """Extract findings, demographics, history and the answer from one utterance.

        Raises:
            UnsupportedLanguageError: ``language`` is not en / es.
            InvalidUtteranceError: ``text`` is not a string.
        """
        lang = primary_language(language)
        if not isinstance(text, str):
            raise InvalidUtteranceError("utterance text must be a string")
        trace: list[str] = []
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
            trace.append(f"text truncated to {MAX_TEXT_CHARS} characters")
        if not text.strip():
            return Extraction(backend=self.name, trace=trace)
        norm = normalise(text)
        drafts = self._find_concepts(norm, lang)
        answer = answers.detect_answer(norm) if context is not None else None
        demographics = extract_demographics(norm)
        _regrade_child_vitals(drafts, demographics.age_years)
        history_spans: list[tuple[int, int]] = []  # conditions and medicines named (one scan)
        history = extract_history(norm, bare_list=bare_list_kind(context), spans=history_spans)
        consent = confirmation = None
        if context is not None:
            consent, confirmation, demographics = apply_context(
                self.lexicon, context, norm, answer, drafts, demographics
            )
        bounds = sentence_bounds(norm)
        attach_attributes(norm, bounds, drafts, self.lexicon, history_spans)
        findings = self._merge(drafts, item_id)
        interpreted = [(d.start, d.end) for d in drafts] + history_spans
        not_interpreted = find_uninterpreted(text, norm, interpreted, self.lexicon, lang)
        return Extraction(
            findings=findings,
            demographics=demographics,
            history=history,
            answer=answer,
            consent=consent,
            confirmation=confirmation,
            not_interpreted=not_interpreted,
            backend=self.name,
            trace=trace,
        )

    # ------------------------------------------------------------------ concepts
    @staticmethod
    def _gives_way(
        index: int,
        spans: list[tuple[int, int]],
        kinds: list[tuple[str, bool]],
        keep: list[int],
        tokens: list[Token],
        sentence_of: list[int],
    ) -> bool:
        """Whether span ``index`` is read as part of another finding of its sentence."""
        rule = _GIVES_WAY_IN_SENTENCE.get(kinds[index][0])
        if rule is None:
            return False
        targets, words, target_words = rule

        def text(span: tuple[int, int]) -> str:
            return " ".join(tokens[k].text for k in range(span[0], span[1]))

        start = spans[index][0]
        if words is not None and not words.search(text(spans[index])):
            return False
        return any(
            kinds[j][0] in targets
            and sentence_of[spans[j][0]] == sentence_of[start]
            and (target_words is None or target_words.search(text(spans[j])))
            for j in keep
        )

    def _find_concepts(self, norm: str, lang: str) -> list[FindingDraft]:
        tokens = tokenize(norm)
        if not tokens:
            return []
        bounds = sentence_bounds(norm)
        sentence_of = sentence_index(tokens, bounds)
        words = [canonical_token(t.text) if t.kind != "punct" else "" for t in tokens]
        phrase_matches = self.lexicon.match_tokens(tokens, lang)
        spans = [(m.start_token, m.end_token) for m in phrase_matches]
        kinds: list[tuple[str, bool]] = [(m.concept_id, m.negated_form) for m in phrase_matches]
        regions: dict[int, str] = {}

        # "my knee hurts", "pain low on my right side", "my lips swelled up": site + pain/swelling.
        covered = [False] * len(tokens)
        for (s, e), (cid, _neg) in zip(spans, kinds, strict=True):
            if cid not in _GENERIC:  # "swollen" alone yields to "my lips are swollen"
                for k in range(s, e):
                    covered[k] = True
        char_to_token = char_index(tokens, len(norm))
        site_candidates: list[tuple[int, int, str, str | None, list[tuple[int, int]]]] = []
        # "ear wax blocking my ear, no pain": a denied pain word composes with no site
        pains = [
            (a, b) for a, b in anatomy.find_pain_words(norm) if not _DENIED_CUE.search(norm[:a])
        ]
        radiation_spans = [(a, b) for a, b, _t in anatomy.find_radiation(norm)]
        for site in anatomy.find_sites(norm):
            if any(a < site.start < b for a, b in radiation_spans):
                continue  # "radiating to the left shoulder" is where the pain goes, not a new pain
            concept_id, label = site.pain_concept, site.site
            if site.site == "side" and site.region and "low" in site.region:
                concept_id, label = "abdominal_pain", "abdomen"
            region = f"{site.region} {label}" if site.region else None
            site_candidates.append((site.start, site.end, concept_id, region, pains))
        swellings = anatomy.find_swelling_words(norm)
        for start, end, concept_id in anatomy.find_swelling_sites(norm):
            site_candidates.append((start, end, concept_id, None, swellings))
        pair_first: set[int] = set()
        for (start, end), seconds, concept_id in compositions.find_pairs(norm):
            site_candidates.append((start, end, concept_id, None, seconds))
            pair_first.add(len(site_candidates) - 1)
        absorbable = [False] * len(tokens)
        for (s, e), (cid, _neg) in zip(spans, kinds, strict=True):
            if cid in _ABSORBABLE or cid in _YIELDING:
                for k in range(s, e):
                    absorbable[k] = True
        # tokens of readings that give way to a composition ("a red patch" is no rash when it
        # is on the white of the eye): free for that composition's cues
        yields_to_here: dict[str, set[int]] = {}
        for (s, e), (cid, _neg) in zip(spans, kinds, strict=True):
            for target in _YIELDS_TO.get(cid, ()):
                yields_to_here.setdefault(target, set()).update(range(s, e))
        # words apart, not counting punctuation, articles and where-on-the-body words: "tender,
        # red, wedge-shaped area on the upper outer left breast" is one description
        filler_before = [0]
        for token in tokens:
            filler = token.kind == "punct" or token.text in _FILLER_WORDS
            filler_before.append(filler_before[-1] + int(filler))
        pair_spans: list[tuple[int, int, str]] = []
        for index, (start, end, concept_id, region, cue_spans) in enumerate(site_candidates):
            st = char_to_token[start]
            se = char_to_token[end - 1]
            if st is None or se is None:
                continue
            if index in pair_first:
                # "vomiting ... blood": may span simple concepts, never a richer phrase, and
                # the words of a reading that gives way to this composition
                free = yields_to_here.get(concept_id, set())
                if any(
                    k
                    for k in range(st, se + 1)
                    if covered[k] and not absorbable[k] and k not in free
                ):
                    continue
                if any(
                    kc == concept_id and sentence_of[spans[j][0]] == sentence_of[st]
                    for j, (kc, _n) in enumerate(kinds)
                ):
                    continue  # already read in this sentence ("no blisters. … a nappy rash")
                cover = [
                    c and not a and k not in free
                    for k, (c, a) in enumerate(zip(covered, absorbable, strict=True))
                ]
            else:
                cover = covered
                if covered[st]:
                    continue
            best = None
            for ps, pe in cue_spans:
                pt = char_to_token[ps]
                pt_end = char_to_token[pe - 1]
                if pt is None or pt_end is None or cover[pt] or sentence_of[pt] != sentence_of[st]:
                    continue
                distance = abs(filler_before[pt] - filler_before[st] - (pt - st))
                if distance <= 7 and (best is None or distance < best[0]):
                    best = (distance, pt, pt_end)
            if best is None:
                continue
            lo, hi = min(st, best[1]), max(se, best[2])
            # a site, a colon, then what it is like ("my left calf: swollen and sore") is one
            # description; a cue word before a colon heads a list of other things
            stops = ";" if best[1] > st else ";:"
            # the site and cue words must be free; words between them may belong to other
            # concepts ("my lips are tingling and swelling")
            if any(cover[k] for k in (st, se, best[1], best[2])) or any(
                tokens[k].kind == "punct" and tokens[k].text in stops for k in range(lo, hi + 1)
            ):
                continue
            # composed spans may share a site or cue word ("my calf is painful and swollen");
            # "tummy not swollen", "knee doesn't look swollen" state the composition absent
            spans.append((lo, hi + 1))
            kinds.append((concept_id, best[1] > st and _negated_cue(words, st, best[1])))
            if index in pair_first:
                pair_spans.append((lo, hi + 1, concept_id))
            if region:
                regions[len(spans) - 1] = region
        # drop generic matches swallowed by a composed site phrase
        composed = [sp for sp, (cid, _n) in zip(spans, kinds, strict=True) if cid not in _GENERIC]
        keep = [
            i
            for i, (sp, (cid, _n)) in enumerate(zip(spans, kinds, strict=True))
            if (cid not in _GENERIC or not any(c[0] <= sp[0] < c[1] for c in composed if c != sp))
            and (
                cid not in _YIELDING
                or not any(a <= sp[0] < b and other != cid for a, b, other in pair_spans)
            )
            and not any(
                a <= sp[0] < b and other in _YIELDS_TO.get(cid, ()) for a, b, other in pair_spans
            )
        ]
        keep = [
            i
            for i in keep
            if not self._gives_way(i, spans, kinds, keep, tokens, sentence_of)
            and not _NOT_THE_FINDING.get(kinds[i][0], _never)(tokens, spans[i])
        ]
        spans = [spans[i] for i in keep]
        kinds = [kinds[i] for i in keep]
        regions = {keep.index(i): r for i, r in regions.items() if i in keep}
        order = sorted(range(len(spans)), key=lambda i: spans[i][0])
        spans = [spans[i] for i in order]
        kinds = [kinds[i] for i in order]
        regions = {order.index(i): r for i, r in regions.items()}

        scopes = self._assertion(norm, tokens, words, sentence_of, spans, lang)
        drafts: list[FindingDraft] = []
        for idx, ((s, e), (concept_id, negated_form), kinds_here) in enumerate(
            zip(spans, kinds, scopes, strict=True)
        ):
            if scope.FAMILY in kinds_here or scope.HISTORICAL in kinds_here:
                continue  # someone else's problem, or a past one (goes to history instead)
            negated = scope.NEGATION in kinds_here
            close = {words[k] for k in range(max(0, s - 2), s)}
            if negated_form:
                # "not able to bear weight": only a negation right before flips an absent-form
                # phrase; a distant "no" ("no blood, drinking fine") does not. An absent form
                # that is the finding's own word in another sense ("confused about the dates")
                # stays no finding when denied: "not confused about where she is"
                other_sense = words[s] in self._one_word_forms(concept_id, lang)
                flipped = bool(close & _FLIP_WORDS) and not other_sense
                presence = Presence.PRESENT if flipped else Presence.ABSENT
            elif concept_id in _CLOSE_NEGATION_ONLY:
                presence = Presence.ABSENT if close & _FLIP_WORDS else Presence.PRESENT
            elif negated:
                presence = Presence.ABSENT
            elif scope.UNCERTAIN in kinds_here and concept_id not in _SUSPECTED_IS_ENOUGH:
                presence = Presence.UNCERTAIN
            else:
                presence = Presence.PRESENT
            draft = FindingDraft(
                concept_id, presence, tokens[s].start, tokens[e - 1].end, sentence_of[s]
            )
            if idx in regions:
                draft.attrs["site"] = regions[idx]
            drafts.append(draft)

        vital_readings = vitals.find_vitals(norm)
        # a word of a reading's name read alone ("flujo" of "pico de flujo") is not a finding
        drafts = _outside(
            drafts, [v for v in vital_readings if v.concept_id == "reduced_peak_flow"]
        )
        for reading in vital_readings:
            sentence = sentence_at(bounds, reading.start)
            draft = FindingDraft(
                reading.concept_id,
                Presence.PRESENT if reading.abnormal else Presence.ABSENT,
                reading.start,
                reading.end,
                sentence,
                value=reading.value,
            )
            if reading.concept_id == "fever" and reading.value >= _HIGH_FEVER_C:
                draft.qualifiers.append("high")
            drafts.append(draft)
        lab_readings = labs.find_labs(norm)
        # the analyte's name inside its own reading ("blood ketones 0.9") is the test, not the
        # finding: the value says whether it is abnormal
        drafts = _outside(drafts, lab_readings)
        for lab in lab_readings:
            if lab.concept_id is None:
                continue  # a normal value: nothing to flag
            draft = FindingDraft(
                lab.concept_id, Presence.PRESENT, lab.start, lab.end, sentence_at(bounds, lab.start)
            )
            draft.qualifiers.append(lab.analyte)  # which analyte, for the clinician
            drafts.append(draft)
        have = {d.concept_id for d in drafts if d.presence is Presence.PRESENT}
        pairs_asserted, pairs_denied = _note_pairs(norm)
        for statement in pairs_denied:
            if statement.concept_id not in have:
                drafts.append(
                    FindingDraft(
                        statement.concept_id,
                        Presence.ABSENT,
                        statement.start,
                        statement.end,
                        sentence_at(bounds, statement.start),
                    )
                )
        statements = (
            self_harm.find_self_harm(norm)
            + ingestion.find_supratherapeutic(norm)
            + ingestion.find_referred_ingestion(norm)
            + pairs_asserted
        )
        for statement in statements:
            if statement.concept_id in have:
                continue
            have.add(statement.concept_id)
            drafts.append(
                FindingDraft(
                    statement.concept_id,
                    Presence.PRESENT,
                    statement.start,
                    statement.end,
                    sentence_at(bounds, statement.start),
                )
            )
        drafts.extend(self._orphan_radiation(norm, drafts, bounds))
        drafts.sort(key=lambda d: d.start)
        return drafts

    def _orphan_radiation(
        self, norm: str, drafts: list[FindingDraft], bounds: list[tuple[int, int]]
    ) -> list[FindingDraft]:
        """Pain where a radiation goes, when its sentence has no pain to carry it.

        "Heartburn since 6. Clammy. Radiation L arm." — a note's fragment names pain felt in the
        arm; attached to nothing, it would be lost, and arm or jaw pain with indigestion and
        sweating is an anginal equivalent (AHA/ACC 2021).
        """
        pain_sentences = {
            d.sentence
            for d in drafts
            if d.presence is not Presence.ABSENT and self.lexicon.concept(d.concept_id).is_pain
        }
        out = []
        for start, end, target in anatomy.find_radiation(norm):
            concept_id = _RADIATED_PAIN.get(target.split()[-1])
            sentence = sentence_at(bounds, start)
            if concept_id is None or sentence in pain_sentences:
                continue
            if not norm.startswith(_PAIN_SPREADS, start):
                continue  # "the rash is spreading to his arms": a rash spreads too
            out.append(FindingDraft(concept_id, Presence.PRESENT, start, end, sentence))
        return out

    # ------------------------------------------------------------------ output
    def _merge(self, drafts: list[FindingDraft], item_id: str) -> list[Finding]:
        merged: dict[str, Finding] = {}
        rank = {Presence.PRESENT: 0, Presence.UNCERTAIN: 1, Presence.ABSENT: 2}
        for d in drafts:
            concept = self.lexicon.concept(d.concept_id)
            attrs = {k: v for k, v in d.attrs.items() if k in ATTRIBUTE_FIELDS and v is not None}
            if "onset" not in attrs and d.attrs.get("onset_phrase"):
                attrs["onset"] = str(d.attrs["onset_phrase"])[:40]
            finding = Finding(
                concept_id=concept.id,
                label=concept.label,
                snomed_ct=concept.snomed_ct,
                presence=d.presence,
                qualifiers=tuple(dict.fromkeys(d.qualifiers)),
                value=d.value,
                provenance=(Span(item_id=item_id, start=d.start, end=d.end),),
                **attrs,  # type: ignore[arg-type]
            )
            previous = merged.get(concept.id)
            if previous is None:
                merged[concept.id] = finding
                continue
            merged[concept.id] = _combine(previous, finding, rank)
        return list(merged.values())


def _combine(a: Finding, b: Finding, rank: dict[Presence, int]) -> Finding:
    """One finding per concept: the most positive presence wins; attributes fill gaps."""
    first, second = (a, b) if rank[a.presence] <= rank[b.presence] else (b, a)
    update: dict[str, object] = {}
    for name in ATTRIBUTE_FIELDS:
        if getattr(first, name) is None and getattr(second, name) is not None:
            update[name] = getattr(second, name)
    if first.value is None and second.value is not None:
        update["value"] = second.value
    elif first.value is not None and second.value is not None and first.concept_id == "fever":
        update["value"] = max(first.value, second.value)
    update["qualifiers"] = tuple(dict.fromkeys(first.qualifiers + second.qualifiers))
    ordered = sorted(a.provenance + b.provenance, key=lambda s: s.start)
    update["provenance"] = tuple(ordered)
    return first.model_copy(update=update)


# Note abbreviations that name two findings at once ("N/V", "D&V"): a lexicon phrase names one.
_NOTE_PAIR = re.compile(r"\b(?P<a>n|d)\s*[/&+]\s*(?P<b>v)\b")
_NOTE_PAIR_CONCEPTS = {"n": ("nausea", "vomiting"), "d": ("diarrhea", "vomiting")}


# A denial a few words before the abbreviation, in its sentence: "No N/V", "denies fever, D&V".
_NOTE_PAIR_DENIED = re.compile(
    r"\b(?:no|nil|denies|denied|without|not|negative\s+for|neg\s+for)\s+(?:[\w&/+-]+[\s,/]+){0,3}$"
)


_CUE_NEGATIONS = frozenset(
    {"not", "no", "isnt", "wasnt", "arent", "werent", "never", "doesnt", "dont", "didnt"}
    | {"hasnt", "havent", "nor", "without", "nunca"}
)
# words a negation may stand before the cue word with: "doesn't look swollen", "not at all sore"
_CUE_NEGATION_GAP = frozenset(
    {"look", "looks", "seem", "seems", "feel", "feels", "very", "really", "too", "particularly"}
    | {"at", "all", "that", "any", "be", "been", "is", "esta", "estan", "se", "ve", "muy"}
)


def _negated_cue(words: list[str], site: int, cue: int) -> bool:
    """Does a negation stand right before the cue word, after the site word ("tummy not
    swollen", "knee doesn't look swollen")?"""
    pos = cue - 1
    while pos > site and words[pos] in _CUE_NEGATION_GAP:
        pos -= 1
    return pos > site and words[pos].replace("'", "") in _CUE_NEGATIONS


def _note_pairs(norm: str) -> tuple[list[Statement], list[Statement]]:
    """(asserted, denied) findings of the note abbreviations that name two at once."""
    asserted: list[Statement] = []
    denied: list[Statement] = []
    for m in _NOTE_PAIR.finditer(norm):
        sentence_start = max(norm.rfind(".", 0, m.start()), norm.rfind(";", 0, m.start())) + 1
        side = denied if _NOTE_PAIR_DENIED.search(norm, sentence_start, m.start()) else asserted
        side.extend(Statement(m.start(), m.end(), c) for c in _NOTE_PAIR_CONCEPTS[m.group("a")])
    return asserted, denied


def _regrade_child_vitals(drafts: list[FindingDraft], age_years: float | None) -> None:
    """Children have faster normal heart and breathing rates than adults."""
    for d in drafts:
        if d.value is None:
            continue
        abnormal = vitals.abnormal_for_age(d.concept_id, d.value, age_years)
        if abnormal is not None:
            d.presence = Presence.PRESENT if abnormal else Presence.ABSENT
