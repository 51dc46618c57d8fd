"""Rules extraction backend: deterministic, fast (precompiled patterns, no I/O per call).

Pipeline for one utterance: normalise → tokens and sentences → lexicon phrase matches (plus
"site + pain word" compositions such as "my knee hurts") → negation / uncertainty / history scopes
→ attributes (time, severity, character, site, laterality, radiation, aggravating / relieving) →
vital signs → demographics and history → the answer to the last question (``context``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from media_host.intake_agent.errors import InvalidUtteranceError
from media_host.intake_agent.extraction import (
    anatomy,
    answers,
    scope,
    severity,
    temporality,
    vitals,
)
from media_host.intake_agent.extraction.base import primary_language
from media_host.intake_agent.extraction.demographics import extract_demographics, parse_bare_age
from media_host.intake_agent.extraction.history import extract_history
from media_host.intake_agent.lexicon import Lexicon, load_lexicon
from media_host.intake_agent.models import (
    Answer,
    Demographics,
    Extraction,
    Finding,
    History,
    Presence,
    QuestionContext,
    Span,
)
from media_host.intake_agent.textnorm import (
    canonical_token,
    normalise,
    sentence_bounds,
    tokenize,
)

MAX_TEXT_CHARS = 20_000  # the caller caps utterances far lower; this only bounds worst-case cost
_ATTRIBUTE_FIELDS = (
    "onset",
    "duration_hours",
    "site",
    "laterality",
    "character",
    "radiation",
    "timing",
    "aggravating",
    "relieving",
    "severity",
)
_AGGRAVATING = re.compile(
    r"\b(?:worse|worsens|worsened|aggravated|brought\s+on|triggered|comes\s+on|increases|hurts\s+more|peor|empeora)\s+"
    r"(?:with|when|on|by|after|during|while|if|con|al|cuando)\s+(?P<what>[a-z' ]{2,40})"
)
_RELIEVING = re.compile(
    r"\b(?:better|improves|improved|eased|relieved|settles|goes\s+away|helped|mejora|alivia)\s+"
    r"(?:with|when|on|by|after|if|con|al|cuando)\s+(?P<what>[a-z' ]{2,40})"
)
_EXERTION = re.compile(
    r"\b(?:on\s+exertion|with\s+exertion|exertional|during\s+exercise|while\s+exercising|when\s+exercising|"
    r"climbing\s+stairs|walking\s+up(?:\s+\w+)?|with\s+activity|esfuerzo)\b"
)
_CATEGORY_WORDS = [
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
_ONE_SIDE = re.compile(r"\b(?:one\s+side|one[\s-]sided|half\s+of\s+(?:the|his|her|my)\s+(?:body|face)|un\s+lado)\b")
_GENERIC = frozenset({"swelling", "bleeding"})
# simple concepts a two-cue composition may span ("vomiting large amounts of blood")
_ABSORBABLE = frozenset({"swelling", "bleeding", "vomiting", "cough", "diarrhea"})
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
    }
)


@dataclass
class _Draft:
    concept_id: str
    presence: Presence
    start: int  # character span in the utterance
    end: int
    sentence: int
    attrs: dict[str, object] = field(default_factory=dict)
    qualifiers: list[str] = field(default_factory=list)
    value: float | None = None


def _category(text: str) -> str:
    for pattern, label in _CATEGORY_WORDS:
        if pattern.search(text):
            return label
    return " ".join(text.split()[:3])


class RulesExtractor:
    """Deterministic lexicon-and-pattern extractor for English and Spanish."""

    name = "rules"

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()

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
        history = extract_history(norm, bare_list=_bare_list_kind(context))
        consent = confirmation = None
        if context is not None:
            consent, confirmation, demographics = self._apply_context(
                context, norm, answer, drafts, demographics
            )
        bounds = sentence_bounds(norm)
        self._attach_attributes(norm, bounds, drafts, lang)
        findings = self._merge(drafts, item_id)
        return Extraction(
            findings=findings,
            demographics=demographics,
            history=_drop_finding_conditions(history),
            answer=answer,
            consent=consent,
            confirmation=confirmation,
            backend=self.name,
            trace=trace,
        )

    # ------------------------------------------------------------------ concepts
    def _find_concepts(self, norm: str, lang: str) -> list[_Draft]:
        tokens = tokenize(norm)
        if not tokens:
            return []
        bounds = sentence_bounds(norm)
        sentence_of = _sentence_index(tokens, bounds)
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
        char_to_token = _char_index(tokens, len(norm))
        site_candidates: list[tuple[int, int, str, str | None, list[tuple[int, int]]]] = []
        pains = anatomy.find_pain_words(norm)
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
        for (start, end), seconds, concept_id in anatomy.find_pairs(norm):
            site_candidates.append((start, end, concept_id, None, seconds))
            pair_first.add(len(site_candidates) - 1)
        absorbable = [False] * len(tokens)
        for (s, e), (cid, _neg) in zip(spans, kinds, strict=True):
            if cid in _ABSORBABLE:
                for k in range(s, e):
                    absorbable[k] = True
        for index, (start, end, concept_id, region, cue_spans) in enumerate(site_candidates):
            st = char_to_token[start]
            se = char_to_token[end - 1]
            if st is None or se is None:
                continue
            if index in pair_first:
                # "vomiting ... blood": may span simple concepts, never a richer phrase
                if any(k for k in range(st, se + 1) if covered[k] and not absorbable[k]):
                    continue
                if any(kc == concept_id for kc, _n in kinds):
                    continue
                cover = [c and not a for c, a in zip(covered, absorbable, strict=True)]
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
                distance = abs(pt - st)
                if distance <= 7 and (best is None or distance < best[0]):
                    best = (distance, pt, pt_end)
            if best is None:
                continue
            lo, hi = min(st, best[1]), max(se, best[2])
            if any(cover[k] for k in range(lo, hi + 1)) or any(
                tokens[k].kind == "punct" and tokens[k].text in ";:" for k in range(lo, hi + 1)
            ):
                continue
            # composed spans may share a site or cue word ("my calf is painful and swollen")
            spans.append((lo, hi + 1))
            kinds.append((concept_id, False))
            if region:
                regions[len(spans) - 1] = region
        # drop generic matches swallowed by a composed site phrase
        composed = [sp for sp, (cid, _n) in zip(spans, kinds, strict=True) if cid not in _GENERIC]
        keep = [
            i
            for i, (sp, (cid, _n)) in enumerate(zip(spans, kinds, strict=True))
            if cid not in _GENERIC or not any(c[0] <= sp[0] < c[1] for c in composed if c != sp)
        ]
        spans = [spans[i] for i in keep]
        kinds = [kinds[i] for i in keep]
        regions = {keep.index(i): r for i, r in regions.items() if i in keep}
        order = sorted(range(len(spans)), key=lambda i: spans[i][0])
        spans = [spans[i] for i in order]
        kinds = [kinds[i] for i in order]
        regions = {order.index(i): r for i, r in regions.items()}

        scopes = scope.scope_of_matches(tokens, words, sentence_of, spans, lang)
        drafts: list[_Draft] = []
        for idx, ((s, e), (concept_id, negated_form), kinds_here) in enumerate(
            zip(spans, kinds, scopes, strict=True)
        ):
            if scope.FAMILY in kinds_here or scope.HISTORICAL in kinds_here:
                continue  # someone else's problem, or a past one (goes to history instead)
            negated = scope.NEGATION in kinds_here
            if negated_form:
                # "not able to bear weight": only a negation right before flips an absent-form
                # phrase; a distant "no" ("no blood, drinking fine") does not.
                close = {words[k] for k in range(max(0, s - 2), s)}
                presence = Presence.PRESENT if close & _FLIP_WORDS else Presence.ABSENT
            elif negated:
                presence = Presence.ABSENT
            elif scope.UNCERTAIN in kinds_here:
                presence = Presence.UNCERTAIN
            else:
                presence = Presence.PRESENT
            draft = _Draft(concept_id, presence, tokens[s].start, tokens[e - 1].end, sentence_of[s])
            if idx in regions:
                draft.attrs["site"] = regions[idx]
            drafts.append(draft)

        for reading in vitals.find_vitals(norm):
            sentence = _sentence_at(bounds, reading.start)
            draft = _Draft(
                reading.concept_id,
                Presence.PRESENT if reading.abnormal else Presence.ABSENT,
                reading.start,
                reading.end,
                sentence,
                value=reading.value,
            )
            drafts.append(draft)
        drafts.sort(key=lambda d: d.start)
        return drafts

    # ------------------------------------------------------------------ attributes
    def _attach_attributes(
        self, norm: str, bounds: list[tuple[int, int]], drafts: list[_Draft], lang: str
    ) -> None:
        if not drafts:
            return
        by_sentence: dict[int, list[_Draft]] = {}
        for d in drafts:
            if d.presence is not Presence.ABSENT:
                by_sentence.setdefault(d.sentence, []).append(d)
        if not by_sentence:
            return

        def targets(pos: int, *, pain_only: bool = False, nearest: bool = True) -> list[_Draft]:
            sentence = _sentence_at(bounds, pos)
            pool = by_sentence.get(sentence)
            if not pool:
                earlier = [s for s in by_sentence if s < sentence]
                if not earlier:
                    return []
                pool = [by_sentence[max(earlier)][0]]  # "It started suddenly." → last topic
            if pain_only:
                pains = [d for d in pool if self._is_pain(d.concept_id)]
                pool = pains or ([] if pain_only is True and not nearest else pool)
            if not nearest:
                return pool
            return [min(pool, key=lambda d: _distance(d, pos))]

        clauses = _clause_bounds(norm)

        def clause_targets(pos: int) -> list[_Draft]:
            """Findings of the same clause (comma / "but" delimited), else of the sentence."""
            pool = targets(pos, nearest=False)
            clause = _sentence_at(clauses, pos)
            same = [d for d in pool if _sentence_at(clauses, d.start) == clause]
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
                    if self._is_pain(d.concept_id):
                        d.attrs.setdefault("character", sm.text)
            elif sm.text == "high":
                for d in targets(sm.start):
                    if d.concept_id == "fever":
                        d.qualifiers.append("high")
            elif sm.text:
                for d in targets(sm.start, pain_only=True):
                    d.qualifiers.append(sm.text)

        for start, _end, target in anatomy.find_radiation(norm):
            for d in targets(start, pain_only=True):
                if self._is_pain(d.concept_id):
                    d.attrs.setdefault("radiation", target)

        for m in _AGGRAVATING.finditer(norm):
            for d in targets(m.start(), pain_only=True):
                d.attrs.setdefault("aggravating", _category(m.group("what")))
        for m in _EXERTION.finditer(norm):
            for d in targets(m.start(), pain_only=True):
                d.attrs.setdefault("aggravating", "exertion")
        for m in _RELIEVING.finditer(norm):
            for d in targets(m.start(), pain_only=True):
                d.attrs.setdefault("relieving", _category(m.group("what")))

        for d in drafts:
            concept = self.lexicon.concept(d.concept_id)
            if concept.site or concept.is_pain or d.concept_id in _LATERAL:
                side = anatomy.laterality_near(norm, d.start, d.end)
                if side:
                    d.attrs.setdefault("laterality", side)
                if _ONE_SIDE.search(norm[max(0, d.start - 20) : d.end + 25]):
                    d.qualifiers.append("unilateral")
            if "site" not in d.attrs and concept.site:
                d.attrs["site"] = concept.site

    def _is_pain(self, concept_id: str) -> bool:
        return self.lexicon.concept(concept_id).is_pain

    # ------------------------------------------------------------------ context
    def _apply_context(
        self,
        context: QuestionContext,
        norm: str,
        answer: Answer | None,
        drafts: list[_Draft],
        demographics: Demographics,
    ) -> tuple[bool | None, bool | None, Demographics]:
        consent = confirmation = None
        if context.kind == "consent" and answer in (Answer.YES, Answer.NO):
            consent = answer is Answer.YES
        elif context.kind == "confirmation" and answer in (Answer.YES, Answer.NO):
            confirmation = answer is Answer.YES
        elif context.kind == "demographic":
            demographics = self._demographic_answer(context, norm, answer, demographics)
        elif context.concept_id and context.concept_id in self.lexicon:
            cid = context.concept_id
            mentioned = any(d.concept_id == cid for d in drafts)
            if context.kind == "symptom" and answer is not None and not mentioned:
                presence = {
                    Answer.YES: Presence.PRESENT,
                    Answer.NO: Presence.ABSENT,
                    Answer.DONT_KNOW: Presence.UNCERTAIN,
                }[answer]
                drafts.insert(0, _Draft(cid, presence, 0, 0, 0))
            elif context.kind == "attribute" and context.attribute in _ATTRIBUTE_FIELDS:
                draft = next((d for d in drafts if d.concept_id == cid), None)
                if draft is None:
                    draft = _Draft(cid, Presence.PRESENT, 0, 0, 0)
                    drafts.insert(0, draft)
                self._attribute_answer(context.attribute, norm, draft)
        return consent, confirmation, demographics

    def _attribute_answer(self, attribute: str, norm: str, draft: _Draft) -> None:
        if attribute == "severity":
            score = severity.parse_bare_severity(norm)
            if score is not None:
                draft.attrs["severity"] = score
        elif attribute in ("duration_hours", "onset"):
            for t in temporality.find_time_mentions(norm):
                if t.field == "duration_hours" and "duration_hours" not in draft.attrs:
                    draft.attrs["duration_hours"] = t.hours
                    if t.anchor:
                        draft.attrs["onset_phrase"] = norm[t.start : t.end].strip()
                elif t.field == "onset":
                    draft.attrs["onset"] = t.text
        elif attribute == "character":
            for sm in severity.find_severity_mentions(norm):
                if sm.field == "character":
                    draft.attrs["character"] = sm.text
                    break
        elif attribute == "radiation":
            found = anatomy.find_radiation(norm)
            if found:
                draft.attrs["radiation"] = found[0][2]
            else:
                sites = anatomy.find_sites(norm)
                if sites:
                    side = anatomy.laterality_near(norm, sites[0].start, sites[0].end)
                    draft.attrs["radiation"] = f"{side} {sites[0].site}" if side else sites[0].site
        elif attribute == "site":
            sites = anatomy.find_sites(norm)
            if sites:
                own = [x for x in sites if x.pain_concept == draft.concept_id]
                chosen = own[0] if own else sites[0]
                region = chosen.region or next((x.region for x in sites if x.region), None)
                draft.attrs["site"] = f"{region} {chosen.site}" if region else chosen.site
            side = anatomy.laterality_near(norm, 0, len(norm))
            if side:
                draft.attrs["laterality"] = side
        elif attribute == "laterality":
            side = anatomy.laterality_near(norm, 0, len(norm))
            if side:
                draft.attrs["laterality"] = side
        elif attribute == "timing":
            for t in temporality.find_time_mentions(norm):
                if t.field == "timing":
                    draft.attrs["timing"] = t.text
                    break
        elif attribute in ("aggravating", "relieving"):
            text = " ".join(norm.split()[:6]).strip(" .,!?")
            if text and answers.detect_answer(norm) is not Answer.NO:
                draft.attrs[attribute] = _category(text)

    def _demographic_answer(
        self, context: QuestionContext, norm: str, answer: Answer | None, demo: Demographics
    ) -> Demographics:
        update: dict[str, object] = {}
        if context.attribute == "age_years" and demo.age_years is None:
            age = parse_bare_age(norm)
            if age is not None:
                update["age_years"] = age
        elif context.attribute == "pregnant" and answer in (Answer.YES, Answer.NO):
            update["pregnant"] = answer is Answer.YES
        elif context.attribute == "pregnant" and answer is Answer.DONT_KNOW:
            update["pregnant"] = None
        elif context.attribute == "sex" and demo.sex is None:
            if re.search(r"\b(?:female|woman|girl|mujer|femenino)\b", norm):
                update["sex"] = "female"
            elif re.search(r"\b(?:male|man|boy|hombre|masculino)\b", norm):
                update["sex"] = "male"
        elif context.attribute == "pregnancy_weeks":
            m = re.search(r"\b(\d{1,2})\b", norm)
            if m and 1 <= int(m.group(1)) <= 45:
                update["pregnancy_weeks"] = int(m.group(1))
                update["pregnant"] = True
        return demo.model_copy(update=update) if update else demo

    # ------------------------------------------------------------------ output
    def _merge(self, drafts: list[_Draft], item_id: str) -> list[Finding]:
        merged: dict[str, Finding] = {}
        rank = {Presence.PRESENT: 0, Presence.UNCERTAIN: 1, Presence.ABSENT: 2}
        for d in drafts:
            concept = self.lexicon.concept(d.concept_id)
            attrs = {k: v for k, v in d.attrs.items() if k in _ATTRIBUTE_FIELDS and v is not None}
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
    for name in _ATTRIBUTE_FIELDS:
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


def _bare_list_kind(context: QuestionContext | None) -> str | None:
    if (
        context is not None
        and context.kind == "history"
        and context.attribute in ("medications", "allergies", "conditions")
    ):
        return context.attribute
    return None


def _drop_finding_conditions(history: History) -> History:
    return history


def _sentence_index(tokens: list, bounds: list[tuple[int, int]]) -> list[int]:  # type: ignore[type-arg]
    out = []
    idx = 0
    for tok in tokens:
        while idx < len(bounds) - 1 and tok.start >= bounds[idx][1]:
            idx += 1
        out.append(idx)
    return out


def _sentence_at(bounds: list[tuple[int, int]], pos: int) -> int:
    for idx, (_s, e) in enumerate(bounds):
        if pos < e:
            return idx
    return max(0, len(bounds) - 1)


_CLAUSE_SPLIT = re.compile(r"[,;.!?\n]|\b(?:but|however|although|pero|aunque)\b")


def _clause_bounds(norm: str) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    for m in _CLAUSE_SPLIT.finditer(norm):
        if m.group(0) == "." and 0 < m.start() < len(norm) - 1 and norm[m.start() + 1].isdigit():
            continue
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(norm) + 1))
    return bounds


def _char_index(tokens: list, length: int) -> list[int | None]:  # type: ignore[type-arg]
    out: list[int | None] = [None] * (length + 1)
    for idx, tok in enumerate(tokens):
        for c in range(tok.start, tok.end):
            out[c] = idx
    return out


def _distance(d: _Draft, pos: int) -> int:
    if d.start <= pos < d.end:
        return 0
    return min(abs(d.start - pos), abs(d.end - pos))
