"""The agent's own sentences in English and Spanish, and the guidance for a realtime voice model.

Symptom and HPI questions come from the complaint protocols (``protocols.question_text`` /
``attribute_question``, wording in ``data/questions.yaml``); everything else the agent says is
phrased here, history questions with person placeholders (``wording.py``) so they can speak
about the person a caller is calling for. ``say`` is the exact
sentence; ``guidance`` tells a realtime model how to deliver it (in the session language).
"""

from __future__ import annotations

from collections.abc import Iterable

from media_host.intake_agent import wording
from media_host.intake_agent.models import Demographics, Finding, History
from media_host.intake_agent.state import Subject

_T: dict[str, dict[str, str]] = {
    "greeting": {
        "en": (
            "Hello, I'm a virtual triage assistant. I'll ask you some questions about your "
            "symptoms to help decide how soon you should be seen. I can't give a diagnosis. "
            "If you think this is an emergency, hang up and call your local emergency number. "
            "Is it okay to continue?"
        ),
        "es": (
            "Hola, soy un asistente virtual de triaje. Le haré algunas preguntas sobre sus "
            "síntomas para ayudar a decidir con qué urgencia debe ser atendido. No puedo dar un "
            "diagnóstico. Si cree que es una emergencia, cuelgue y llame al número de "
            "emergencias local. ¿Está de acuerdo en continuar?"
        ),
    },
    "consent_again": {
        "en": "Sorry, I need to know if it's okay to continue. Shall we go on?",
        "es": "Perdone, necesito saber si está de acuerdo en continuar. ¿Seguimos?",
    },
    "consent_declined": {
        "en": (
            "Understood, we'll stop here. If your symptoms get worse, please contact a doctor, "
            "or call your local emergency number in an emergency. Goodbye."
        ),
        "es": (
            "Entendido, lo dejamos aquí. Si sus síntomas empeoran, contacte con un médico, o "
            "llame al número de emergencias local si es una emergencia. Adiós."
        ),
    },
    "complaint": {
        "en": "What is the main problem or symptom that brings you here today?",
        "es": "¿Cuál es el principal problema o síntoma que le trae hoy?",
    },
    "complaint_again": {
        "en": (
            "I'm sorry, I didn't catch your main symptom. Could you describe what bothers you most?"
        ),
        "es": "Perdone, no he entendido su síntoma principal. ¿Puede describir qué le molesta más?",
    },
    "readback": {
        "en": "Let me read back what I have. {summary} Is that correct?",
        "es": "Le resumo lo que he anotado. {summary} ¿Es correcto?",
    },
    "readback_fix": {
        "en": "Thank you. Please tell me what I should correct.",
        "es": "Gracias. Dígame, por favor, qué debo corregir.",
    },
    "closing": {
        "en": "{advice} Thank you, that completes my questions.",
        "es": "{advice} Gracias, con esto terminan mis preguntas.",
    },
    "emergency": {
        "en": (
            "{advice} Please call your local emergency number now. I'm ending the questions "
            "here so you can get help right away."
        ),
        "es": (
            "{advice} Llame ahora mismo al número de emergencias local. Termino aquí las "
            "preguntas para que pueda recibir ayuda de inmediato."
        ),
    },
    "already_ended": {
        "en": "Our interview is already complete. Please follow the advice I gave you. Goodbye.",
        "es": "La entrevista ya ha terminado. Siga, por favor, el consejo que le di. Adiós.",
    },
    "empty": {
        "en": "Sorry, I didn't hear anything. {question}",
        "es": "Perdone, no he oído nada. {question}",
    },
    "resume": {"en": "Welcome back. {question}", "es": "Bienvenido de nuevo. {question}"},
    "retry": {
        "en": "Sorry, I had a problem with that answer. {question}",
        "es": "Perdone, he tenido un problema con esa respuesta. {question}",
    },
    "not_caught": {
        "en": "I'm sorry, I didn't catch that. Could you say it again, please?",
        "es": "Perdone, no le he entendido. ¿Puede repetirlo, por favor?",
    },
    "line_dropped": {
        "en": "I'm sorry, the line dropped for a moment.",
        "es": "Perdone, la línea se ha cortado un momento.",
    },
    "ack": {"en": "Thank you.", "es": "Gracias."},
    "none": {"en": "none reported", "es": "ninguno indicado"},
}

# History and demographic questions, with person placeholders (see wording.py), and the same
# question in other words for a reply that did not answer it.
_QUESTIONS: dict[str, dict[str, str]] = {
    "history:conditions": {
        "en": (
            "{Do} have any long-term health conditions, such as diabetes, asthma or heart disease?"
        ),
        "es": (
            "¿Tiene{s} alguna enfermedad de larga duración, como diabetes, asma o una "
            "enfermedad del corazón?"
        ),
        "en_again": (
            "Sorry, I didn't catch that. Has a doctor ever said that {you} {has} an illness "
            "that needs ongoing care? If so, which one? If not, just say none."
        ),
        "es_again": (
            "Perdone, no le he entendido. ¿Le ha dicho un médico{a} que tiene alguna "
            "enfermedad que necesite tratamiento continuo? ¿Cuál? Si no, diga ninguna."
        ),
    },
    "history:medications": {
        "en": "{Do} take any medicines regularly?",
        "es": "¿Toma{s} algún medicamento de forma habitual?",
        "en_again": (
            "Sorry, I didn't catch that. Which medicines {does} {you} take every day or most "
            "days? If none, just say none."
        ),
        "es_again": (
            "Perdone, no le he entendido. ¿Qué medicamentos toma{s} a diario o casi a diario? "
            "Si ninguno, diga ninguno."
        ),
    },
    "history:allergies": {
        "en": "{Are} allergic to any medicines?",
        "es": "¿Tiene{s} alergia a algún medicamento?",
        "en_again": (
            "Sorry, I didn't catch that. Has any medicine ever given {obj} an allergic "
            "reaction? If so, which one? If not, just say none."
        ),
        "es_again": (
            "Perdone, no le he entendido. ¿Algún medicamento le ha dado{a} alergia? ¿Cuál? Si "
            "no, diga ninguno."
        ),
    },
    "demo:age_years": {
        "en": "How old {are}?",
        "es": "¿Qué edad tiene{s}?",
        "en_again": (
            "Sorry, I didn't catch that. What is {your} age in years? For a baby, in months or "
            "weeks."
        ),
        "es_again": (
            "Perdone, no le he entendido. ¿Cuántos años tiene{s}? Si es un bebé, en meses o "
            "semanas."
        ),
    },
    "demo:sex": {
        "en": "What sex {were} assigned at birth?",
        "es": "¿Qué sexo se le asignó{a} al nacer?",
        "en_again": "Sorry, I didn't catch that. {Were} born male or female?",
        "es_again": "Perdone, no le he entendido. ¿Nació{s} niño o niña?",
    },
    "demo:pregnant": {
        "en": "{Are} pregnant, or is a pregnancy possible?",
        "es": "¿Está{s} embarazada, o podría estarlo?",
        "en_again": (
            "Sorry, I didn't catch that. Is there any chance of a pregnancy at the moment? "
            "Please say yes, no, or not sure."
        ),
        "es_again": (
            "Perdone, no le he entendido. ¿Existe alguna posibilidad de embarazo ahora? "
            "Responda sí, no o no estoy seguro."
        ),
    },
}

_GUIDANCE: dict[str, dict[str, str]] = {
    "question": {
        "en": "Ask exactly this question, briefly and warmly. Do not add advice or guesses.",
        "es": (
            "Haga exactamente esta pregunta, breve y amablemente. No añada consejos ni "
            "suposiciones."
        ),
    },
    "greeting": {
        "en": "Greet the patient, say the disclaimer in full and ask for consent to continue.",
        "es": "Salude al paciente, diga el aviso completo y pida su consentimiento para continuar.",
    },
    "readback": {
        "en": "Read the summary back slowly and ask the patient to confirm or correct it.",
        "es": "Lea el resumen despacio y pida al paciente que lo confirme o lo corrija.",
    },
    "closing": {
        "en": "Give the advice clearly and calmly, without adding a diagnosis, then say goodbye.",
        "es": "Dé el consejo con claridad y calma, sin añadir un diagnóstico, y despídase.",
    },
    "emergency": {
        "en": "Urgent: say this clearly and firmly. Stress calling the emergency number now.",
        "es": "Urgente: dígalo con claridad y firmeza. Insista en llamar ya a emergencias.",
    },
}

_SEX = {
    "en": {"female": "female", "male": "male", "other": "other"},
    "es": {"female": "mujer", "male": "hombre", "other": "otro"},
}


def text(key: str, language: str, **fields: str) -> str:
    """The sentence ``key`` in ``language`` with ``fields`` filled in."""
    template = _T[key].get(language) or _T[key]["en"]
    return template.format(**fields) if fields else template


def has_question(key: str) -> bool:
    """True for a history / demographic question key phrased here."""
    return key in _QUESTIONS


def question(
    key: str, language: str, subject: Subject | None = None, *, again: bool = False
) -> str:
    """A history / demographic question to the caller or about ``subject`` (``again``: the
    same question in other words, after a reply that did not answer it)."""
    lang = "es" if language == "es" else "en"
    table = _QUESTIONS[key]
    return wording.render(table[f"{lang}_again" if again else lang], lang, subject)


def question_templates() -> dict[str, dict[str, str]]:
    """Every history / demographic question template (for checks of the wording)."""
    return {key: dict(table) for key, table in _QUESTIONS.items()}


def guidance(kind: str, language: str) -> str:
    """Delivery guidance for a realtime model (``question``, ``readback``, ``emergency``…)."""
    table = _GUIDANCE.get(kind, _GUIDANCE["question"])
    return table.get(language) or table["en"]


def _join(items: Iterable[str], language: str) -> str:
    parts = [p for p in items if p]
    if len(parts) <= 1:
        return "".join(parts)
    last = " y " if language == "es" else " and "
    return ", ".join(parts[:-1]) + last + parts[-1]


def _age_phrase(age: float, es: bool) -> str:
    """ "5 months" for a baby, "34 years" otherwise (a 0.4-year-old is not "0 years old")."""
    if age < 2:
        months = round(age * 12)
        if months < 1:
            weeks = max(round(age * 52), 0)
            return f"{weeks} semanas" if es else f"{weeks} weeks"
        return f"{months} meses" if es else f"{months} months"
    years = int(age)
    return f"{years} años" if es else f"{years} years"


def readback_summary(
    *,
    language: str,
    complaint_label: str | None,
    present: list[tuple[Finding, str]],
    absent: list[tuple[Finding, str]],
    demographics: Demographics,
    history: History,
    subject: Subject | None = None,
) -> str:
    """A short spoken summary: complaint, severity, other symptoms, denials, age, history —
    to the caller, or about the person they call for (``subject``).

    ``present`` / ``absent`` pair each finding with its label in the session language.
    """
    es = language == "es"
    lang = "es" if es else "en"

    def say(en: str, es_text: str, **fields: str) -> str:
        text = wording.render(es_text if es else en, lang, subject, **fields)
        return text[:1].upper() + text[1:]

    sentences: list[str] = []
    if complaint_label:
        sentences.append(
            say(
                "{Your} main problem is {what}.",
                "Su problema principal{de} es {what}.",
                what=complaint_label,
            )
        )
        severity = next((f.severity for f, _ in present if f.severity is not None), None)
        if severity is not None:
            sentences.append(
                f"Intensidad {severity} de 10." if es else f"Severity {severity} out of 10."
            )
    others = [label for f, label in present if label != complaint_label]
    if others:
        joined = _join(others, language)
        sentences.append(say("{You} also {has} {what}.", "{S}también tiene {what}.", what=joined))
    if absent:
        joined = _join([label for _, label in absent], language)
        sentences.append(say("{You} {does} not have {what}.", "{S}no tiene {what}.", what=joined))
    if demographics.age_years is not None:
        age = _age_phrase(demographics.age_years, es)
        sentences.append(say("{You} {is} {age} old.", "{S}tiene {age}.", age=age))
    if demographics.sex is not None:
        sex = _SEX["es" if es else "en"][demographics.sex]
        sentences.append(f"Sexo: {sex}." if es else f"Sex: {sex}.")
    for label_en, label_es, items in (
        ("Conditions", "Enfermedades", history.conditions),
        ("Medicines", "Medicamentos", history.medications),
        ("Allergies", "Alergias", history.allergies),
    ):
        if items:
            sentences.append(f"{label_es if es else label_en}: {_join(items, language)}.")
    if history.no_known_allergies:
        sentences.append("Sin alergias conocidas." if es else "No known allergies.")
    return " ".join(sentences)


_INSTRUCTIONS = {
    "en": (
        "You are the voice of a virtual triage intake assistant speaking with a patient in "
        "English. Rules: never diagnose, never guess causes, never give medical advice of your "
        "own. Say the agent's sentence you are given, phrased naturally but with the same "
        "meaning, one question at a time. If the patient describes an emergency, tell them to "
        "call their local emergency number. Keep answers short."
    ),
    "es": (
        "Usted es la voz de un asistente virtual de triaje que habla con un paciente en "
        "español. Reglas: nunca diagnostique, nunca suponga causas, nunca dé consejos médicos "
        "propios. Diga la frase del agente que se le indique, con naturalidad pero con el mismo "
        "significado, una pregunta cada vez. Si el paciente describe una emergencia, dígale que "
        "llame al número de emergencias local. Sea breve."
    ),
}
_RECAP = {
    "en": "What the patient has told us so far:",
    "es": "Lo que el paciente ha dicho hasta ahora:",
}
_NEXT = {"en": "The agent's next sentence:", "es": "La siguiente frase del agente:"}
_PHASE = {"en": "Interview phase:", "es": "Fase de la entrevista:"}
_ENDED = {
    "en": "The interview has ended; only repeat the closing advice and say goodbye.",
    "es": "La entrevista ha terminado; solo repita el consejo final y despídase.",
}


def realtime_instructions(
    *, language: str, phase: str, recap: str, next_sentence: str, ended: bool
) -> str:
    """System instructions for a realtime voice model, re-seedable after a reconnect.

    ``recap`` is the structured read-back (labels and facts only, no free text).
    """
    lang = language if language in _INSTRUCTIONS else "en"
    lines = [_INSTRUCTIONS[lang], f"{_PHASE[lang]} {phase}."]
    if recap:
        lines.append(f"{_RECAP[lang]} {recap}")
    if ended:
        lines.append(_ENDED[lang])
    lines.append(f"{_NEXT[lang]} {next_sentence}")
    return "\n".join(lines)
