"""Shared helpers for the intake-agent core tests."""

from __future__ import annotations

import pytest

from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.models import Extraction, Finding, QuestionContext


@pytest.fixture(scope="session")
def extractor() -> RulesExtractor:
    return RulesExtractor()


class Extract:
    """Callable helper: extract text and look findings up by concept id."""

    def __init__(self, extractor: RulesExtractor) -> None:
        self.extractor = extractor

    def __call__(
        self, text: str, language: str = "en", context: QuestionContext | None = None
    ) -> Extraction:
        return self.extractor.extract(text, item_id="u1", language=language, context=context)


@pytest.fixture(scope="session")
def extract(extractor: RulesExtractor) -> Extract:
    return Extract(extractor)


def finding(extraction: Extraction, concept_id: str) -> Finding:
    matches = [f for f in extraction.findings if f.concept_id == concept_id]
    assert matches, f"{concept_id} not in {[f.concept_id for f in extraction.findings]}"
    return matches[0]
