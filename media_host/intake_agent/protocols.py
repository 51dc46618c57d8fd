"""Complaint-specific interview content, as data: which associated symptoms and red flags to ask
about for a chief complaint and which OLDCARTS attributes matter (``data/protocols.yaml``), and
the plain-language wording of every question in English and Spanish, to the caller or about the
person they call for, with the ages and sexes a question can apply to (``data/questions.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from media_host.intake_agent import wording
from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.lexicon import Lexicon, load_lexicon, read_data_file
from media_host.intake_agent.models import HPI_FIELDS
from media_host.intake_agent.state import Subject

# What a protocol may list: the HPI fields, plus laterality (asked with the site).
HPI_ATTRIBUTES = frozenset({*HPI_FIELDS, "laterality"})
_KEYS = {"associated", "red_flag_screen", "hpi_attributes", "pregnancy_relevant"}
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class ComplaintProtocol:
    """What to ask for one chief complaint."""

    concept_id: str
    associated: list[str]
    red_flag_screen: list[str]
    hpi_attributes: list[str]
    pregnancy_relevant: bool


def _parse(concept_id: str, raw: Any, lexicon: Lexicon) -> ComplaintProtocol:
    where = f"protocols: {concept_id!r}"
    if not isinstance(raw, dict) or set(raw) != _KEYS:
        raise RuleTableError(f"{where} needs exactly the keys {sorted(_KEYS)}")
    for key in ("associated", "red_flag_screen"):
        for cid in raw[key]:
            if cid not in lexicon:
                raise RuleTableError(f"{where}.{key}: unknown concept id {cid!r}")
    for attr in raw["hpi_attributes"]:
        if attr not in HPI_ATTRIBUTES:
            raise RuleTableError(f"{where}.hpi_attributes: unknown attribute {attr!r}")
    return ComplaintProtocol(
        concept_id=concept_id,
        associated=list(raw["associated"]),
        red_flag_screen=list(raw["red_flag_screen"]),
        hpi_attributes=list(raw["hpi_attributes"]),
        pregnancy_relevant=bool(raw["pregnancy_relevant"]),
    )


@lru_cache(maxsize=1)
def _table() -> tuple[ComplaintProtocol, dict[str, ComplaintProtocol]]:
    raw = read_data_file("protocols.yaml")
    lexicon = load_lexicon()
    generic = _parse("generic", raw["generic"], lexicon)
    complaints = {}
    for cid, body in raw["complaints"].items():
        if cid not in lexicon:
            raise RuleTableError(f"protocols: unknown complaint concept {cid!r}")
        complaints[cid] = _parse(cid, body, lexicon)
    return generic, complaints


def complaint_protocol(concept_id: str) -> ComplaintProtocol:
    """The protocol for a chief complaint, or the generic fallback protocol."""
    generic, complaints = _table()
    found = complaints.get(concept_id)
    if found is not None:
        return found
    return ComplaintProtocol(
        concept_id=concept_id,
        associated=[c for c in generic.associated if c != concept_id],
        red_flag_screen=[c for c in generic.red_flag_screen if c != concept_id],
        hpi_attributes=list(generic.hpi_attributes),
        pregnancy_relevant=generic.pregnancy_relevant,
    )


def asked_concepts() -> list[str]:
    """Every concept some protocol may ask about, and every protocol complaint."""
    generic, complaints = _table()
    found: dict[str, None] = {}
    for protocol in (generic, *complaints.values()):
        for cid in (*protocol.associated, *protocol.red_flag_screen):
            found[cid] = None
    for cid in complaints:
        found[cid] = None
    return list(found)


def _lang(language: str) -> str:
    return "es" if language.lower().startswith("es") else "en"


@dataclass(frozen=True)
class Wording:
    """How a symptom is asked about, in one language."""

    plain: str
    ask: str
    short: str
    the: str  # with its article, for HPI questions: "the headache", "la fiebre"


@dataclass(frozen=True)
class QuestionData:
    """The validated wording table (``data/questions.yaml``)."""

    concepts: dict[str, dict[str, Wording]]
    min_age: dict[str, float]
    sexes: dict[str, frozenset[str]]
    attributes: dict[str, dict[str, str]]
    attributes_again: dict[str, dict[str, str]]
    attribute_min_age: dict[str, float]
    symptom_again: dict[str, str]


_DEFAULT_ASK = {"en": "{{Do}} have {plain}?", "es": "¿Tiene{{s}} {plain}?"}


def _check_template(template: str, lang: str, where: str, extra: set[str]) -> None:
    allowed = set(wording.forms(lang, None)) | extra
    unknown = wording.placeholders(template) - allowed
    if unknown:
        raise RuleTableError(f"questions: {where}: unknown placeholder(s) {sorted(unknown)}")


@lru_cache(maxsize=1)
def question_data() -> QuestionData:
    """Load and validate the wording of every question.

    Raises:
        RuleTableError: a concept a protocol asks about has no plain wording in en and es, or a
            template uses an unknown placeholder.
    """
    raw = read_data_file("questions.yaml")
    lexicon = load_lexicon()
    concepts: dict[str, dict[str, Wording]] = {}
    min_age: dict[str, float] = {}
    sexes: dict[str, frozenset[str]] = {}
    for cid, body in raw["concepts"].items():
        if cid not in lexicon:
            raise RuleTableError(f"questions: unknown concept {cid!r}")
        per_lang = {}
        for lang in LANGUAGES:
            entry = body.get(lang)
            if not isinstance(entry, dict) or not str(entry.get("plain", "")).strip():
                raise RuleTableError(f"questions: {cid!r} needs plain wording in {lang!r}")
            plain = str(entry["plain"]).strip()
            if wording.placeholders(plain):
                raise RuleTableError(f"questions: {cid}.{lang}.plain must not use placeholders")
            ask = str(entry.get("ask") or _DEFAULT_ASK[lang].format(plain=plain))
            _check_template(ask, lang, f"{cid}.{lang}.ask", set())
            short = str(entry.get("short") or plain)
            the = str(entry.get("the") or _with_article(short, lang))
            per_lang[lang] = Wording(plain=plain, ask=ask, short=short, the=the)
        concepts[cid] = per_lang
        if "min_age" in body:
            min_age[cid] = float(body["min_age"])
        if "sexes" in body:
            sexes[cid] = frozenset(body["sexes"])
    missing = [cid for cid in asked_concepts() if cid not in concepts]
    if missing:
        raise RuleTableError(f"questions: no plain wording for {missing}")
    attributes = {lang: dict(raw["attributes"][lang]) for lang in LANGUAGES}
    again = {lang: dict(raw["attributes_again"][lang]) for lang in LANGUAGES}
    for table_name, table in (("attributes", attributes), ("attributes_again", again)):
        for lang, templates in table.items():
            if set(templates) != HPI_ATTRIBUTES:
                raise RuleTableError(f"questions: {table_name}.{lang} must cover every attribute")
            for attr, template in templates.items():
                _check_template(template, lang, f"{table_name}.{lang}.{attr}", {"label"})
    symptom_again = {lang: str(raw["symptom_again"][lang]) for lang in LANGUAGES}
    for lang, template in symptom_again.items():
        _check_template(template, lang, f"symptom_again.{lang}", {"plain"})
    return QuestionData(
        concepts=concepts,
        min_age=min_age,
        sexes=sexes,
        attributes=attributes,
        attributes_again=again,
        attribute_min_age={k: float(v) for k, v in raw["attribute_min_age"].items()},
        symptom_again=symptom_again,
    )


def _with_article(short: str, lang: str) -> str:
    bare = re.sub(r"^(?:an?|una?)\s+", "", short)
    return f"el {bare}" if lang == "es" else f"the {bare}"


def _wording(concept_id: str, lang: str) -> Wording:
    found = question_data().concepts.get(concept_id)
    if found is not None:
        return found[lang]
    concept = load_lexicon().concept(concept_id)  # KeyError for an unknown concept
    label = concept.label_in(lang)
    ask = _DEFAULT_ASK[lang].format(plain=label)
    return Wording(plain=label, ask=ask, short=label, the=_with_article(label, lang))


def short_label(concept_id: str, language: str) -> str:
    """A short plain phrase for a symptom ("a stiff neck"), for read-backs and HPI questions."""
    return _wording(concept_id, _lang(language)).short


def question_text(concept_id: str, language: str, subject: Subject | None = None) -> str:
    """A plain yes/no question about a symptom, to the caller or about ``subject``.

    Raises:
        KeyError: unknown concept id.
    """
    lang = _lang(language)
    return wording.render(_wording(concept_id, lang).ask, lang, subject)


def question_again(concept_id: str, language: str, subject: Subject | None = None) -> str:
    """The same symptom question in other words, after a reply that did not answer it."""
    lang = _lang(language)
    template = question_data().symptom_again[lang]
    return wording.render(template, lang, subject, plain=_wording(concept_id, lang).plain)


def attribute_question(
    concept_id: str,
    attribute: str,
    language: str,
    subject: Subject | None = None,
    *,
    again: bool = False,
) -> str:
    """A question asking for one OLDCARTS attribute of a symptom (``again``: in other words).

    Raises:
        KeyError: unknown concept id or attribute.
    """
    lang = _lang(language)
    data = question_data()
    template = (data.attributes_again if again else data.attributes)[lang][attribute]
    return wording.render(template, lang, subject, label=_wording(concept_id, lang).the)


def age_for_rules(age_years: float | None, subject: Subject | None) -> float | None:
    """The stated age, else the age a relation implies ("my baby": under one year)."""
    if age_years is not None:
        return age_years
    relation = subject.get("relation") if subject else None
    return wording.ASSUMED_MAX_AGE.get(relation or "")


def question_applies(
    concept_id: str, age_years: float | None, sex: str | None, subject: Subject | None = None
) -> bool:
    """False for a question that cannot apply: a symptom only the person can report, about a
    baby or toddler (pain when peeing), or one tied to the other sex."""
    data = question_data()
    age = age_for_rules(age_years, subject)
    limit = data.min_age.get(concept_id)
    if limit is not None and age is not None and age < limit:
        return False
    allowed = data.sexes.get(concept_id)
    return allowed is None or sex is None or sex in allowed


def attribute_applies(attribute: str, age_years: float | None, subject: Subject | None) -> bool:
    """False for an HPI question a young child cannot answer (a 0–10 score, where it hurts)."""
    age = age_for_rules(age_years, subject)
    limit = question_data().attribute_min_age.get(attribute)
    return limit is None or age is None or age >= limit
