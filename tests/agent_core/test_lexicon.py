"""Lexicon: size, SNOMED id format, synonym / misspelling lookups, validation."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.lexicon import build_lexicon, load_lexicon


def test_lexicon_is_broad_and_cached() -> None:
    lexicon = load_lexicon()
    assert len(lexicon) >= 150
    assert load_lexicon() is lexicon


def test_data_files_are_package_resources() -> None:
    data = resources.files("media_host.intake_agent").joinpath("data")
    for name in ("lexicon.yaml", "red_flags.yaml", "protocols.yaml"):
        assert data.joinpath(name).is_file()


def test_snomed_ids_are_well_formed_and_common_ones_present() -> None:
    lexicon = load_lexicon()
    for concept in lexicon.concepts.values():
        if concept.snomed_ct is not None:
            assert re.fullmatch(r"[1-9]\d{5,17}", concept.snomed_ct), concept.id
    assert lexicon.concept("chest_pain").snomed_ct == "29857009"
    assert lexicon.concept("fever").snomed_ct == "386661006"
    with_ids = sum(c.snomed_ct is not None for c in lexicon.concepts.values())
    assert with_ids >= 100


def test_every_concept_has_spanish_label() -> None:
    for concept in load_lexicon().concepts.values():
        assert concept.label_es


@pytest.mark.parametrize(
    ("phrase", "concept_id"),
    [
        ("dyspnoea", "shortness_of_breath"),
        ("SOB", "shortness_of_breath"),
        ("short of breathe", "shortness_of_breath"),
        ("vomitting", "vomiting"),
        ("diarea", "diarrhea"),
        ("headaches", "headache"),
        ("hedache", "headache"),
        ("pain in my chest", "chest_pain"),
        ("pain in the chest", "chest_pain"),
        ("melaena", "melena"),
        ("nuchal rigidity", "neck_stiffness"),
        ("syncopal episode", "syncope"),
        ("haematemesis", "hematemesis"),
        ("Diaphoretic", "diaphoresis"),
    ],
)
def test_english_lookups(phrase: str, concept_id: str) -> None:
    found = load_lexicon().lookup(phrase, "en")
    assert found is not None and found.id == concept_id


@pytest.mark.parametrize(
    ("phrase", "concept_id"),
    [
        ("dolor de pecho", "chest_pain"),
        ("falta de aire", "shortness_of_breath"),
        ("fiebre", "fever"),
        ("vómitos", "vomiting"),
        ("dolor de cabeza", "headache"),
    ],
)
def test_spanish_lookups(phrase: str, concept_id: str) -> None:
    found = load_lexicon().lookup(phrase, "es")
    assert found is not None and found.id == concept_id


def test_lookup_rejects_partial_and_unknown() -> None:
    lexicon = load_lexicon()
    assert lexicon.lookup("banana", "en") is None
    assert lexicon.lookup("", "en") is None
    assert lexicon.lookup("chest pain and more", "en") is None


def test_unknown_concept_raises_key_error() -> None:
    with pytest.raises(KeyError):
        load_lexicon().concept("no_such_thing")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"concepts": {"Bad-Id": {"en": ["x"]}}}, "bad concept id"),
        ({"concepts": {"a": {"en": ["x"], "snomed": "12ab"}}}, "malformed SNOMED"),
        ({"concepts": {"a": {"en": ["x"], "colour": "red"}}}, "unknown keys"),
        ({"concepts": {"a": {"es": ["x"]}}}, "at least one English synonym"),
        ({"concepts": {"a": {"en": ["x"]}, "b": {"en": ["x"]}}}, "claimed by both"),
        ({"concepts": {"a": {"en": ["x"], "level": "soon"}}}, "unknown level"),
        ({"concepts": {"a": {"en": [True]}}}, "non-empty strings"),
    ],
)
def test_validation_errors_name_the_concept(raw: dict[str, object], message: str) -> None:
    with pytest.raises(RuleTableError, match=message):
        build_lexicon(raw)
