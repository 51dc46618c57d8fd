"""Attribute attachment: which finding a time, severity, character, radiation or
aggravating/relieving mention in the utterance belongs to.
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction import anatomy, severity, temporality
from media_host.intake_agent.extraction.drafts import (
    FindingDraft,
    clause_bounds,
    distance,
    sentence_at,
)
from media_host.intake_agent.lexicon import Lexicon
from media_host.intake_agent.models import Presence

_AGGRAVATING = re.compile(
    r"\b(?:worse|worsens|worsened|aggravated|brought\s+on|triggered|comes\s+on|increases|hurts\s+more|peor|empeora)\s+"
    r"(?:with|when|on|by|after|during|while|if|con|al|cuando)\s+(?P<what>[a-z' ]{2,40})"
)
_RELIEVING = re.compile(
    r"\b(?:better|improves|improved|eased|eases|relieved|settles|goes\s+away|goes|stops|"
    r"disappears|wears\s+off|helped|mejora|alivia)\s+"
    r"(?:with|when|on|by|after|if|con|al|cuando)\s+(?P<what>[a-z' ]{2,40})"
)
_EXERTION = re.compile(
    r"\b(?:on\s+exertion|with\s+exertion|exertional|during\s+exercise|while\s+exercising|when\s+exercising|"
    r"climbing\s+stairs|walking\s+up(?:\s+\w+)?|with\s+activity|esfuerzo|on\s+walking|"
    r"when\s+(?:i|he|she|they|you)\s+walk(?:s|ing)?|after\s+walking|al\s+caminar)\b"
)
_DENIED_FACTOR = re.compile(
    r"\b(?:no|not|never|nor|without|denies|isnt|wasnt|doesnt|dont|sin)\s+(?:(?:related|linked|worse|"
    r"brought\s+on|triggered|any|really|particularly)\s+)?(?:to\s+|by\s+|with\s+)?$"
)
CATEGORY_WORDS = [
    (re.compile(r"exer|stairs|walk|activity|effort|running|esfuerzo|caminar"), "exertion"),
    (re.compile(r"rest|reposo|sitting\s+still"), "rest"),
    (re.compile(r"breath|inhal|respir"), "breathing"),
    (re.compile(r"cough|tos"), "coughing"),
    (re.compile(r"lying|lie\s+down|flat|acostad"), "lying flat"),
    (re.compile(r"sitting\s+(?:up|forward)|lean"), "sitting forward"),
    (re.compile(r"eat|food|meal|comer|comida"), "eating"),
    (re.compile(r"mov|bend|twist|turn|mover"), "movement"),
    (re.compile(r"light|luz"), "light"),
    (re.compile(r"nitro|gtn|spray"), "nitroglycerin"),
    (re.compile(r"paracetamol|ibuprofen|painkiller|tylenol|advil|medic"), "analgesia"),
]
_ONE_SIDE = re.compile(
    r"\b(?:one\s+side|one[\s-]sided|half\s+of\s+(?:the|his|her|my)\s+(?:body|face)|un\s+lado)\b"
)
_LATERAL = frozenset(
    {
        "unilateral_weakness",
        "numbness",
        "facial_droop",
        "vision_loss",
        "leg_swelling",
        "calf_pain",
        "sprain",
        "possible_fracture",
        "joint_swelling",
        "red_eye",
        "hearing_loss",
        "cold_limb",
        "weakness",
    }
)


_EXTENT_CONCEPTS = frozenset({"swelling", "cellulitis", "lump", "rash"})


def category(text: str) -> str:
    """Normalise an aggravating / relieving phrase (\"climbing stairs\" → \"exertion\")."""
    for pattern, label in CATEGORY_WORDS:
        if pattern.search(text):
            return label
    return " ".join(text.split()[:3])


def attach_attributes(
    norm: str,
    bounds: list[tuple[int, int]],
    drafts: list[FindingDraft],
    lexicon: Lexicon,
    history_spans: list[tuple[int, int]] | None = None,
) -> None:
    """Attach time, severity, character, radiation, aggravating/relieving factors, site and
    laterality mentions to the drafts they belong to (same clause or sentence, else the last
    topic: \"It started suddenly.\"). A time said in a clause about the history and no
    finding ("treated for prostate cancer two years ago, ...") dates the history, not the
    complaint of the sentence."""

    def is_pain(concept_id: str) -> bool:
        return lexicon.concept(concept_id).is_pain

    if not drafts:
        return
    by_sentence: dict[int, list[FindingDraft]] = {}
    for d in drafts:
        if d.presence is not Presence.ABSENT:
            by_sentence.setdefault(d.sentence, []).append(d)
    if not by_sentence:
        return

    def targets(pos: int, *, pain_only: bool = False, nearest: bool = True) -> list[FindingDraft]:
        sentence = sentence_at(bounds, pos)
        pool = by_sentence.get(sentence)
        if not pool:
            earlier = [s for s in by_sentence if s < sentence]
            if not earlier:
                return []
            pool = [by_sentence[max(earlier)][0]]  # "It started suddenly." → last topic
        if pain_only:
            pains = [d for d in pool if is_pain(d.concept_id)]
            pool = pains or ([] if pain_only is True and not nearest else pool)
        if not nearest:
            return pool
        return [min(pool, key=lambda d: distance(d, pos))]

    clauses = clause_bounds(norm)

    history_clauses = {sentence_at(clauses, start) for start, _end in history_spans or ()}

    def clause_targets(pos: int) -> list[FindingDraft]:
        """Findings of the same clause (comma / "but" delimited), else of the sentence."""
        pool = targets(pos, nearest=False)
        clause = sentence_at(clauses, pos)
        same = [d for d in pool if sentence_at(clauses, d.start) == clause]
        if not same and clause in history_clauses:
            return []
        return same or pool

    for t in temporality.find_time_mentions(norm):
        if t.field == "duration_hours":
            for d in clause_targets(t.start):
                d.attrs.setdefault("duration_hours", t.hours)
                if t.anchor and "onset_phrase" not in d.attrs:
                    d.attrs["onset_phrase"] = norm[t.start : t.end].strip()
        elif t.field == "onset":
            for d in clause_targets(t.start):
                d.attrs["onset"] = t.text
        elif t.field == "timing":
            for d in targets(t.start):
                d.attrs.setdefault("timing", t.text)
        elif t.field == "qualifier" and t.text:
            for d in targets(t.start):
                d.qualifiers.append(t.text)

    for sm in severity.find_severity_mentions(norm):
        if sm.field == "severity":
            for d in targets(sm.start):
                current = d.attrs.get("severity")
                if current is None or (sm.score or 0) > int(current):  # type: ignore[call-overload]
                    d.attrs["severity"] = sm.score
        elif sm.field == "character":
            for d in targets(sm.start, pain_only=True):
                if is_pain(d.concept_id):
                    d.attrs.setdefault("character", sm.text)
        elif sm.text == "high":
            for d in targets(sm.start):
                if d.concept_id == "fever":
                    d.qualifiers.append("high")
        elif sm.text == "small_size":
            # a measured small size describes the skin problem of the account, wherever named
            for d in drafts:
                concept = lexicon.concept(d.concept_id)
                if concept.system == "skin" or d.concept_id == "lump":
                    d.qualifiers.append("small")
        elif sm.text == "extensive":
            # the extent of the swelling or redness of the account, wherever it is said
            for d in drafts:
                if d.concept_id in _EXTENT_CONCEPTS and "extensive" not in d.qualifiers:
                    d.qualifiers.append("extensive")
        elif sm.text == "small":
            # only the finding named right after the word ("a small itchy rash")
            for d in drafts:
                if 0 <= d.start - sm.end <= 15:
                    d.qualifiers.append("small")
        elif sm.text:
            for d in targets(sm.start, pain_only=True):
                d.qualifiers.append(sm.text)

    for pattern, concept_id, qualifier in _SENTENCE_QUALIFIERS:
        for m in pattern.finditer(norm):
            for d in targets(m.start(), nearest=False):
                if d.concept_id == concept_id and qualifier not in d.qualifiers:
                    d.qualifiers.append(qualifier)

    for start, _end, target in anatomy.find_radiation(norm):
        for d in targets(start, pain_only=True):
            if is_pain(d.concept_id):
                d.attrs.setdefault("radiation", target)

    for m in _AGGRAVATING.finditer(norm):
        if _DENIED_FACTOR.search(norm[max(0, m.start() - 30) : m.start()]):
            continue  # "not worse on coughing or bending": the factor is denied
        for d in targets(m.start(), pain_only=True):
            d.attrs.setdefault("aggravating", category(m.group("what")))
    for m in _EXERTION.finditer(norm):
        if _DENIED_FACTOR.search(norm[max(0, m.start() - 30) : m.start()]):
            continue  # "no exertional symptoms", "not on exertion": the factor is denied
        for d in targets(m.start(), pain_only=True):
            d.attrs.setdefault("aggravating", "exertion")
    for m in _RELIEVING.finditer(norm):
        for d in targets(m.start(), pain_only=True):
            d.attrs.setdefault("relieving", category(m.group("what")))

    sites = anatomy.find_sites(norm)
    for d in drafts:
        concept = lexicon.concept(d.concept_id)
        if concept.site or concept.is_pain or d.concept_id in _LATERAL:
            side = anatomy.laterality_near(norm, d.start, d.end)
            if side:
                d.attrs.setdefault("laterality", side)
            if _ONE_SIDE.search(norm[max(0, d.start - 20) : d.end + 40]):
                d.qualifiers.append("unilateral")
        if "site" not in d.attrs and concept.site:
            # "pain in my lower right abdomen" matched as a phrase: keep the stated region
            # ... or said later in the sentence ("... has moved to the right lower abdomen")
            inside = [
                x
                for x in sites
                if d.start <= x.start < d.end and x.region and x.site == concept.site
            ] or [
                x
                for x in sites
                if x.region
                and _same_site(x, concept.site)
                and x.start >= d.end
                and sentence_at(bounds, x.start) == d.sentence
            ]
            # "hip pain" is leg pain at the hip: keep the narrower site the words name
            named = [
                x
                for x in sites
                if d.start <= x.start < d.end
                and x.pain_concept == d.concept_id
                and x.site != concept.site
            ]
            if inside:
                d.attrs["site"] = f"{inside[-1].region} {concept.site}"
            else:
                d.attrs["site"] = named[-1].site if named else concept.site


# NICE CG109 (transient loss of consciousness) 1.1.2.3: the 3 Ps of an uncomplicated faint —
# posture (prolonged standing), provoking factors (heat, pain, the sight of blood, a needle) and
# prodromal symptoms (sweating, feeling warm or sick, the vision going grey before it)
_FAINT_TRIGGER = re.compile(
    r"\b(?:stand(?:ing)?\s+(?:up\s+)?for\s+(?:ages|hours|a\s+long\s+time|too\s+long|over\s+an\s+hour)|"
    r"(?:hot|stuffy|crowded)\s+(?:queue|room|church|bus|train|shop|assembly|hall|concert)|"
    r"sight\s+of\s+(?:blood|a\s+needle)|(?:having|had|giving|gave)\s+(?:blood\s+taken|blood|an?\s+injection|a\s+jab|"
    r"(?:his|her|my)\s+(?:jab|injection|vaccine|vaccination))|tunnel\s+vision|"
    r"(?:vision|everything)\s+went\s+(?:grey|gray|black|fuzzy|white)|"
    r"felt\s+(?:hot|warm|clammy|sweaty)\s+and\s+(?:sick|nauseous|queasy|faint|light[\s-]?headed))\b"
)


# NICE CKS croup severity: stridor "only when agitated or crying" is not stridor at rest
_ONLY_WHEN_UPSET = re.compile(
    r"\bonly\s+(?:when|if)\s+(?:(?:he|she|they|the\s+baby)\s+)?(?:is\s+)?(?:cries|crying|cry|upset|"
    r"agitated|coughs|coughing|screams|screaming)\b|\bsolo\s+cuando\s+llora\b|"
    # "when she gets upset she makes a raspy noise" (unless the sentence goes on to rest)
    r"\bwhen\s+(?:he|she|they|the\s+baby)\s+(?:gets|is|'s|s)?\s*(?:upset|crying|cries|agitated|"
    r"screams|screaming|worked\s+up)\b(?![^.;!?]*\b(?:at\s+rest|all\s+the\s+time|even\s+when|"
    r"even\s+(?:asleep|calm)|constant\w*))|"
    # ... said the other way round: "when he's calm on my lap it goes away"
    r"\b(?:when|once|if)\s+(?:he|she|they|the\s+baby)(?:'s|\s+is|s|\s+settles|\s+calms\s+down)?\s*"
    r"(?:calm|settled|resting|asleep|quiet|still|down)?\b[^.;]{0,30}?\b(?:it|the\s+noise|that)?\s*"
    r"(?:goes\s+away|stops|disappears|is\s+gone|goes\s+quiet|isn'?t\s+there|is\s+not\s+there)\b|"
    r"\b(?:goes\s+away|stops|disappears)\s+(?:when|once)\s+(?:he|she|they|the\s+baby)(?:'s|\s+is|s)?\s+"
    r"(?:calm|settled|resting|asleep|quiet|still|calms\s+down|settles)\b"
)
_DURING_EXERCISE = re.compile(
    r"\b(?:while|when|during|in\s+the\s+middle\s+of|halfway\s+through)\s+(?:(?:he|she|i|they|was|were|"
    r"a|the|his|her|my)\s+){0,3}(?:jogging|running|sprinting|exercising|exercise|swimming|cycling|"
    r"training|playing\s+\w+|a\s+run|a\s+race|a\s+match|the\s+race|the\s+match|working\s+out|"
    r"climbing|a\s+workout|football|rugby|a\s+game|the\s+game|pe|gym)\b|"
    r"\b(?:jogging|running|sprinting|exercising)\s+(?:up\s+a\s+hill\s+)?(?:\w+\s+){0,3}"
    r"(?:collapsed|fainted|passed\s+out|blacked\s+out)\b"
)


# Words anywhere in a finding's sentence that qualify it: (words, finding, qualifier). NICE
# CG109: a faint with the posture, provocation or prodrome of a vasovagal episode is an
# "uncomplicated faint"; ESC 2018: a faint during exertion is a high-risk (cardiac) feature;
# NICE CKS croup: stridor only when crying is not stridor at rest. The rules grade each.
_SENTENCE_QUALIFIERS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (_FAINT_TRIGGER, "syncope", "vasovagal"),
    (_DURING_EXERCISE, "syncope", "exertional"),
    (_ONLY_WHEN_UPSET, "stridor", "only_when_upset"),
)


def _same_site(mention: anatomy.SiteMention, site: str) -> bool:
    """A site mention names ``site``; "the lower right side" is the abdomen (as in rules.py)."""
    if mention.site == site:
        return True
    return site == "abdomen" and mention.site == "side" and "lower" in (mention.region or "")
