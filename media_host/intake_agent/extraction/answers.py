"""Short answers to the agent's last question: yes / no / don't know, in English and Spanish."""

from __future__ import annotations

import re

from media_host.intake_agent.models import Answer

_DONT_KNOW = re.compile(
    r"^\W*(?:i\s+)?(?:really\s+)?(?:dont\s+know|don'?t\s+know|do\s+not\s+know|not\s+(?:really\s+)?sure|im\s+not\s+sure|"
    r"i'?m\s+not\s+sure|no\s+idea|dunno|unsure|hard\s+to\s+say|cant\s+say|can'?t\s+say|maybe|possibly|perhaps|"
    r"i\s+(?:can'?t|cant)\s+tell|not\s+certain|no\s+se|no\s+lo\s+se|no\s+estoy\s+segur[oa]|quizas?|tal\s+vez|"
    r"a\s+lo\s+mejor|ni\s+idea)\b"
)
_NO = re.compile(
    r"^\W*(?:no|nope|nah|not\s+really|not\s+at\s+all|i\s+(?:don'?t|dont|do\s+not|haven'?t|havent|have\s+not|"
    r"didn'?t|didnt|am\s+not|wasn'?t)\b|negative|none|never|nothing|not\s+that\s+i\s+know|para\s+nada|nunca|"
    r"tampoco|ninguno|ninguna|nada|wrong|incorrect|that'?s\s+(?:not\s+right|wrong)|thats\s+(?:not\s+right|wrong))\b"
)
_YES = re.compile(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|sure|correct|right|exactly|definitely|absolutely|of\s+course|affirmative|"
    r"uh[\s-]?huh|mhm|mm[\s-]?hmm|i\s+do|i\s+have|i\s+am|i\s+did|it\s+is|it\s+does|that'?s\s+right|thats\s+right|"
    r"that'?s\s+correct|thats\s+correct|ok|okay|alright|all\s+right|go\s+ahead|fine|si|claro|correcto|asi\s+es|"
    r"afirmativo|por\s+supuesto|vale|de\s+acuerdo|exacto|bueno)\b"
)


def detect_answer(norm: str) -> Answer | None:
    """The yes/no/don't-know answer an utterance leads with, or None."""
    text = norm.strip()
    if not text:
        return None
    if _DONT_KNOW.match(text):
        return Answer.DONT_KNOW
    if _NO.match(text):
        return Answer.NO
    if _YES.match(text):
        return Answer.YES
    return None
