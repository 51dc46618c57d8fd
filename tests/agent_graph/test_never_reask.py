"""Invariant over whole interviews: a pending question never asks for something already known."""

from __future__ import annotations

from typing import Any

import pytest

from media_host.intake_agent.question_plan import _attribute_known
from media_host.intake_agent.state import finding_field
from tests.agent_graph.conftest import Interview

SCRIPTS = {
    "chest-pain-talkative": (
        "en",
        [
            "yes",
            "I've had chest pain for 2 days, it's sharp and worse when I breathe in",
            "no",
            "it doesn't spread anywhere",
            "3 out of 10",
            "I also have a cough and a fever",
            "no",
        ],
    ),
    "abdominal-pain-mixed": (
        "en",
        [
            "ok",
            "I have stomach pain in my lower right side since this morning",
            "I feel sick and threw up once",
            "I don't know",
            "no",
            "I'm 28 and female",
            "no I'm not pregnant",
        ],
    ),
    "cough-spanish": (
        "es",
        ["sí", "tengo tos desde hace una semana", "no", "no sé", "tengo 60 años", "no"],
    ),
}


def _already_known(values: dict[str, Any], pending: dict[str, Any]) -> bool:
    kind, concept, attribute = pending["kind"], pending["concept_id"], pending["attribute"]
    findings = values.get("findings", {})
    if kind == "symptom":
        return concept in findings
    if kind == "attribute":
        finding = findings.get(concept)
        return finding is not None and _attribute_known(finding, finding_field(attribute))
    if kind == "demographic":
        return getattr(values["demographics"], attribute) is not None
    if kind == "history":
        history = values["history"]
        if attribute == "allergies":
            return bool(history.allergies) or history.no_known_allergies is not None
        return bool(getattr(history, attribute))
    if kind == "complaint":
        return values.get("chief_complaint") is not None
    return False


@pytest.mark.parametrize("script", sorted(SCRIPTS))
async def test_no_question_asks_for_known_facts(interview: Interview, script: str) -> None:
    language, utterances = SCRIPTS[script]
    await interview.start(language)
    for text in [*utterances, *(["no"] * 40)]:
        turn = await interview.say(text)
        values = await interview.values()
        pending = values.get("pending")
        if pending is not None:
            assert not _already_known(values, pending), (script, pending["key"])
        if turn.reply.end_of_interview:
            break
    else:
        pytest.fail("interview did not end")
    assert interview.repeated_questions() == []
    asked = (await interview.values())["asked"]
    assert len(asked) == len(set(asked))
