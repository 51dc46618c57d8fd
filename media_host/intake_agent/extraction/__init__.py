"""Extraction backends: turn one patient utterance into an :class:`Extraction`."""

from media_host.intake_agent.extraction.base import SUPPORTED_LANGUAGES, Extractor, primary_language
from media_host.intake_agent.extraction.rules import RulesExtractor

__all__ = ["SUPPORTED_LANGUAGES", "Extractor", "RulesExtractor", "primary_language"]
