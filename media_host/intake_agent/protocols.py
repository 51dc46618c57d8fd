"""Complaint-specific interview content, as data (``data/protocols.yaml``): which associated
symptoms and red flags to ask about for a chief complaint, which OLDCARTS attributes matter, and the
natural question wording in English and Spanish.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.lexicon import Lexicon, load_lexicon, read_data_file
from media_host.intake_agent.models import HPI_FIELDS

# What a protocol may list: the HPI fields, plus laterality (asked with the site).
HPI_ATTRIBUTES = frozenset({*HPI_FIELDS, "laterality"})
_KEYS = {"associated", "red_flag_screen", "hpi_attributes", "pregnancy_relevant"}


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
def _table() -> tuple[ComplaintProtocol, dict[str, ComplaintProtocol], dict[str, dict[str, str]]]:
    raw = read_data_file("protocols.yaml")
    lexicon = load_lexicon()
    generic = _parse("generic", raw["generic"], lexicon)
    complaints = {}
    for cid, body in raw["complaints"].items():
        if cid not in lexicon:
            raise RuleTableError(f"protocols: unknown complaint concept {cid!r}")
        complaints[cid] = _parse(cid, body, lexicon)
    overrides = raw.get("question_overrides", {})
    for lang, table in overrides.items():
        for cid in table:
            if cid not in lexicon:
                raise RuleTableError(
                    f"protocols.question_overrides.{lang}: unknown concept {cid!r}"
                )
    return generic, complaints, overrides


def complaint_protocol(concept_id: str) -> ComplaintProtocol:
    """The protocol for a chief complaint, or the generic fallback protocol."""
    generic, complaints, _ = _table()
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


def _lang(language: str) -> str:
    return "es" if language.lower().startswith("es") else "en"


def question_text(concept_id: str, language: str) -> str:
    """A natural yes/no question about a symptom ("Do you have any shortness of breath?").

    Raises:
        KeyError: unknown concept id.
    """
    lang = _lang(language)
    _, _, overrides = _table()
    override = overrides.get(lang, {}).get(concept_id)
    if override:
        return override
    concept = load_lexicon().concept(concept_id)
    if lang == "es":
        return f"¿Tiene {concept.label_es}?"
    return f"Do you have any {concept.label}?"


_ATTRIBUTE_QUESTIONS = {
    "en": {
        "onset": "When did the {label} start, and did it come on suddenly or gradually?",
        "duration_hours": "How long have you had the {label}?",
        "severity": "On a scale from 0 to 10, how bad is the {label} right now?",
        "site": "Where exactly is the {label}?",
        "laterality": "Is the {label} on the left, the right, or both sides?",
        "character": (
            "How would you describe the {label}: for example sharp, dull, burning or pressure-like?"
        ),
        "radiation": "Does the {label} spread anywhere else?",
        "timing": "Is the {label} constant, or does it come and go?",
        "aggravating": "Does anything make the {label} worse?",
        "relieving": "Does anything make the {label} better?",
    },
    "es": {
        "onset": "¿Cuándo empezó el {label}, y empezó de golpe o poco a poco?",
        "duration_hours": "¿Desde hace cuánto tiempo tiene {label}?",
        "severity": "En una escala del 0 al 10, ¿cuánto le molesta el {label} ahora?",
        "site": "¿Dónde nota exactamente el {label}?",
        "laterality": "¿Es en el lado izquierdo, el derecho o en ambos?",
        "character": "¿Cómo describiría el {label}: punzante, sordo, quemante u opresivo?",
        "radiation": "¿Se le extiende el {label} a otra parte?",
        "timing": "¿Es constante o va y viene?",
        "aggravating": "¿Hay algo que lo empeore?",
        "relieving": "¿Hay algo que lo alivie?",
    },
}


def attribute_question(concept_id: str, attribute: str, language: str) -> str:
    """A question asking for one OLDCARTS attribute of a symptom.

    Raises:
        KeyError: unknown concept id or attribute.
    """
    lang = _lang(language)
    template = _ATTRIBUTE_QUESTIONS[lang][attribute]
    concept = load_lexicon().concept(concept_id)
    return template.format(label=concept.label_in(lang))
