"""The extraction backend protocol: one utterance in, one :class:`Extraction` out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from media_host.intake_agent.errors import UnsupportedLanguageError
from media_host.intake_agent.models import Extraction, QuestionContext

SUPPORTED_LANGUAGES = ("en", "es")


@runtime_checkable
class Extractor(Protocol):
    """Turns one patient utterance into findings, demographics, history and answers."""

    name: str

    def extract(
        self,
        text: str,
        *,
        item_id: str,
        language: str,
        context: QuestionContext | None = None,
    ) -> Extraction:
        """Extract what ``text`` says, relative to the last question asked (``context``)."""
        ...


def primary_language(language: str) -> str:
    """Return the supported BCP-47 primary subtag of ``language`` ("en-US" → "en").

    Raises:
        UnsupportedLanguageError: the primary subtag is not one of :data:`SUPPORTED_LANGUAGES`.
    """
    if not isinstance(language, str):
        raise UnsupportedLanguageError("language must be a BCP-47 string such as 'en' or 'es'")
    primary = language.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguageError(
            f"unsupported language {language[:20]!r}; supported: {', '.join(SUPPORTED_LANGUAGES)}"
        )
    return primary
