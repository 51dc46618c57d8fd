"""Extraction with an Azure OpenAI chat deployment (structured output), falling back to rules.

The model fills a small output schema (:class:`ModelOutput`) through ``langchain-openai``'s
``AzureChatOpenAI.with_structured_output``. The result is then validated into the same
:class:`~media_host.intake_agent.models.Extraction` the rules backend produces:

* concept ids must exist in the lexicon (unknown ones are dropped); labels and SNOMED CT codes
  always come from the lexicon, never from the model;
* every provenance span must quote the utterance exactly (``text[start:end] == quote``);
  spans that do not match are dropped.

On ANY failure — timeout, HTTP error, refusal, invalid JSON, schema violation — the rules
extractor answers instead and ``Extraction.trace`` records why. Red flags and dispositions are
never decided here: they stay with the deterministic rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import AzureChatOpenAI
from pydantic import BaseModel, Field, SecretStr

from media_host.intake_agent.extraction.base import Extractor, primary_language
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
from media_host.intake_agent.settings import AgentSettings

logger = logging.getLogger(__name__)

BACKEND = "azure_openai"
COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"


class Quote(BaseModel):
    """Where in the utterance a finding was said: character offsets plus the exact words."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str


class ModelFinding(BaseModel):
    concept_id: str
    presence: Literal["present", "absent", "uncertain"] = "present"
    onset: str | None = None
    duration_hours: float | None = Field(default=None, ge=0)
    site: str | None = None
    laterality: Literal["left", "right", "bilateral"] | None = None
    character: str | None = None
    radiation: str | None = None
    timing: str | None = None
    aggravating: str | None = None
    relieving: str | None = None
    severity: int | None = Field(default=None, ge=0, le=10)
    qualifiers: list[str] = Field(default_factory=list)
    value: float | None = None
    evidence: list[Quote] = Field(default_factory=list)


class ModelOutput(BaseModel):
    """What the chat deployment must return (JSON schema structured output)."""

    findings: list[ModelFinding] = Field(default_factory=list)
    demographics: Demographics = Field(default_factory=Demographics)
    history: History = Field(default_factory=History)
    answer: Literal["yes", "no", "dont_know"] | None = None
    consent: bool | None = None
    confirmation: bool | None = None


_SYSTEM_PROMPT = """You extract structured facts from ONE utterance of a patient in a \
virtual-triage intake interview (language: {language}). Do not diagnose and do not give advice.
Return only what the utterance states:
- findings: symptoms using ONLY these concept ids: {concepts}. presence is "absent" for \
denials ("no fever") and "uncertain" for hedges. Fill attributes (onset, duration_hours, site, \
character, radiation, timing, aggravating, relieving, severity 0-10) only when stated. \
evidence: character offsets [start, end) into the utterance and the exact quoted words.
- demographics and history (conditions, medications, allergies) only when stated.
- answer: "yes", "no" or "dont_know" when the utterance answers the last question.
- consent / confirmation: true or false only when the patient explicitly agrees or refuses.
The last question asked: {context}."""


def _context_text(context: QuestionContext | None) -> str:
    if context is None:
        return "none"
    return f"kind={context.kind}, concept={context.concept_id}, attribute={context.attribute}"


class AzureOpenAIExtractor:
    """Extractor backed by an Azure OpenAI chat deployment, with the rules extractor as fallback.

    Args:
        endpoint: Azure OpenAI resource endpoint, e.g. ``https://myres.openai.azure.com``.
        deployment: Chat deployment name.
        api_version: Chat-completions API version.
        fallback: Extractor used when the model call or its output fails (rules).
        api_key: API key; when None, ``token_provider`` supplies Entra ID bearer tokens.
        token_provider: Callable returning a bearer token (e.g. azure-identity's
            ``get_bearer_token_provider``).
        timeout_s: Request timeout; there are no retries (the patient is waiting).
        lexicon: Concept lexicon used to validate concept ids.
    """

    name = BACKEND

    def __init__(
        self,
        *,
        endpoint: str,
        deployment: str,
        api_version: str,
        fallback: Extractor,
        api_key: SecretStr | str | None = None,
        token_provider: Callable[[], str] | None = None,
        timeout_s: float = 8.0,
        lexicon: Lexicon | None = None,
    ) -> None:
        if api_key is None and token_provider is None:
            raise ValueError("give an api_key or a token_provider")
        self.fallback = fallback
        self.lexicon = lexicon or load_lexicon()
        key = api_key if isinstance(api_key, SecretStr) or api_key is None else SecretStr(api_key)
        self._llm = AzureChatOpenAI(
            azure_endpoint=endpoint,
            azure_deployment=deployment,
            api_version=api_version,
            api_key=key,
            azure_ad_token_provider=None if key is not None else token_provider,
            timeout=timeout_s,
            max_retries=0,
            temperature=0,
        )
        self._structured = self._llm.with_structured_output(ModelOutput, method="json_schema")
        self._concepts = ", ".join(sorted(self.lexicon.concepts))

    @classmethod
    def from_settings(cls, settings: AgentSettings, *, fallback: Extractor) -> AzureOpenAIExtractor:
        """Build from :class:`AgentSettings` (API key, or DefaultAzureCredential tokens)."""
        if not settings.azure_openai_endpoint or not settings.azure_openai_deployment:
            raise ValueError("azure_openai_endpoint and azure_openai_deployment are required")
        token_provider = None
        if settings.azure_openai_api_key is None:
            from azure.identity import DefaultAzureCredential, get_bearer_token_provider

            token_provider = get_bearer_token_provider(
                DefaultAzureCredential(), COGNITIVE_SERVICES_SCOPE
            )
        return cls(
            endpoint=settings.azure_openai_endpoint,
            deployment=settings.azure_openai_deployment,
            api_version=settings.azure_openai_api_version,
            api_key=settings.azure_openai_api_key,
            token_provider=token_provider,
            timeout_s=settings.azure_openai_timeout_s,
            fallback=fallback,
        )

    def extract(
        self,
        text: str,
        *,
        item_id: str,
        language: str,
        context: QuestionContext | None = None,
    ) -> Extraction:
        """Extract with the model; on any failure, with the fallback (trace says why)."""
        lang = primary_language(language)
        try:
            output = self._structured.invoke(
                [
                    SystemMessage(
                        _SYSTEM_PROMPT.format(
                            language=lang, concepts=self._concepts, context=_context_text(context)
                        )
                    ),
                    HumanMessage(text),
                ]
            )
            if not isinstance(output, ModelOutput):
                raise TypeError("structured output missing")
            return self._validate(output, text, item_id)
        except Exception as exc:
            reason = type(exc).__name__
            logger.warning("azure_openai extraction failed (%s); using rules", reason)
            result = self.fallback.extract(text, item_id=item_id, language=lang, context=context)
            return result.model_copy(
                update={"trace": [*result.trace, f"azure_openai failed: {reason}; used rules"]}
            )

    def _validate(self, output: ModelOutput, text: str, item_id: str) -> Extraction:
        trace: list[str] = []
        findings: list[Finding] = []
        for item in output.findings:
            if item.concept_id not in self.lexicon:
                trace.append(f"dropped unknown concept {item.concept_id[:40]!r}")
                continue
            concept = self.lexicon.concept(item.concept_id)
            spans: list[Span] = []
            for quote in item.evidence:
                if (
                    quote.start < quote.end <= len(text)
                    and text[quote.start : quote.end] == quote.quote
                ):
                    spans.append(Span(item_id=item_id, start=quote.start, end=quote.end))
                else:
                    trace.append(f"dropped span not matching the utterance ({item.concept_id})")
            fields: dict[str, Any] = item.model_dump(exclude={"concept_id", "evidence", "presence"})
            findings.append(
                Finding(
                    concept_id=concept.id,
                    label=concept.label,
                    snomed_ct=concept.snomed_ct,
                    presence=Presence(item.presence),
                    **{**fields, "qualifiers": tuple(item.qualifiers)},
                    provenance=tuple(spans),
                )
            )
        return Extraction(
            findings=findings,
            demographics=output.demographics,
            history=output.history,
            answer=Answer(output.answer) if output.answer else None,
            consent=output.consent,
            confirmation=output.confirmation,
            backend=BACKEND,
            trace=trace,
        )
