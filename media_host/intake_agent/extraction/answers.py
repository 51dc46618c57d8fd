"""Short answers to the agent's last question: yes / no / don't know, in English and Spanish.

A reply counts as an answer only when it says one. Speech recognition turns numbers and
half-heard words into sentences that *start* like an answer ("It is about to stand without the
pen" for "about a seven out of ten"; "It is what it is"), so an echo such as "it is" / "I am" /
"she does" is a yes only when it is the whole reply (or is followed only by filler words such
as "a bit"). A request to repeat ("I'm not sure what you mean", "sorry?") is no answer at all,
and neither is an acknowledgement ("okay", "fine"), which only agrees to go on — it is read
as consent or confirmation, never as having a symptom (:func:`detect_assent`).

Contractions are expanded before matching ("I'm" and "I am" read the same), so an outcome
never hangs on how the recogniser spelled them.
"""

from __future__ import annotations

import re

from media_host.intake_agent.models import Answer

_CONTRACTIONS = (
    (re.compile(r"\b(i|you|we|they)'?re\b"), r"\1 are"),
    (re.compile(r"\bi'?m\b"), "i am"),
    (re.compile(r"\b(it|she|he|that|what)'s\b"), r"\1 is"),
    # recognisers often drop the apostrophe: "its what it is"
    (re.compile(r"\b(it|that|what)s\b(?=\s+(?:not|what|a|an|the|about|just|ok|okay))"), r"\1 is"),
    (re.compile(r"\b(i|you|we|they)'?ve\b"), r"\1 have"),
    (re.compile(r"\b(do|does|did|is|are|was|were|has|have|had|can|could)n'?t\b"), r"\1 not"),
    (re.compile(r"\b(?:cannot|can'?t)\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
)


def expand(norm: str) -> str:
    """``norm`` with common English contractions written out ("i'm" → "i am")."""
    text = " ".join(norm.split())
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


# "What do you mean?", "I'm not sure what you mean", "sorry?": the caller did not understand the
# question. Checked first: "I don't understand" must not read as "no".
_REPEAT = re.compile(
    r"(?:what\s+do\s+you\s+mean|what\s+does\s+that\s+mean|not\s+sure\s+what\s+you\s+(?:mean|are\s+asking)|"
    r"(?:do\s+not|did\s+not)\s+(?:understand|get\s+(?:that|it|you)|catch\s+(?:that|it)|hear\s+(?:that|you|it))|"
    r"can\s+you\s+(?:repeat|say\s+(?:that|it)\s+again)|could\s+you\s+(?:repeat|say\s+(?:that|it)\s+again)|"
    r"say\s+(?:that|it)\s+again|come\s+again|^\W*(?:sorry|pardon|excuse\s+me|what|huh|eh)\W*$|"
    r"no\s+(?:le\s+|lo\s+|te\s+)?(?:entiendo|entendi|comprendo)|que\s+quiere\s+decir|como\s+dice|"
    r"puede\s+repetir|me\s+lo\s+repite|^\W*(?:perdon|como|que)\W*$)"
)
_DONT_KNOW = re.compile(
    r"^\W*(?:i\s+)?(?:really\s+)?(?:do\s+not\s+know|dont\s+know|not\s+(?:really\s+)?sure|i\s+am\s+not\s+(?:really\s+)?sure|"
    r"am\s+not\s+sure|no\s+idea|dunno|unsure|hard\s+to\s+say|can\s+not\s+say|cant\s+say|maybe|possibly|perhaps|"
    r"i\s+(?:can\s+not|cant)\s+tell|not\s+certain|i\s+am\s+not\s+certain|i\s+(?:do\s+not|dont)\s+think\s+i\s+know|"
    r"no\s+se|no\s+lo\s+se|no\s+estoy\s+segur[oa]|quizas?|tal\s+vez|a\s+lo\s+mejor|ni\s+idea)\b"
)
_NO = re.compile(
    r"^\W*(?:no|nope|nah|not\s+really|not\s+at\s+all|"
    r"(?:i|she|he|they|we|it)\s+(?:do\s+not|dont|does\s+not|doesnt|have\s+not|havent|has\s+not|hasnt|"
    r"did\s+not|didnt|am\s+not|is\s+not|isnt|are\s+not|was\s+not|wasnt)\b|"
    r"negative|none|never|nothing|not\s+that\s+i\s+know|para\s+nada|nunca|tampoco|ninguno|ninguna|nada|"
    r"wrong|incorrect|that\s+is\s+(?:not\s+right|wrong)|thats\s+(?:not\s+right|wrong))\b"
)
_YES = re.compile(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|sure|correct|right(?!\s+(?:side|arm|leg|hand|foot|eye|ear))|exactly|"
    r"definitely|absolutely|of\s+course|affirmative|uh[\s-]?huh|mhm|mm[\s-]?hmm|that\s+is\s+(?:right|correct)|"
    r"thats\s+(?:right|correct)|si|claro|correcto|asi\s+es|afirmativo|por\s+supuesto|exacto)\b"
)
# An echo of the question ("Do you…?" "I do."; "Is she…?" "She is.") is a yes only when nothing
# but filler follows it.
_FILLER = (
    r"(?:\s*,?\s*(?:yes|yeah|yep|i\s+do|i\s+am|i\s+have|actually|really|too|also|a\s+bit|a\s+little|"
    r"a\s+lot|some|sometimes|now|still|though|definitely|unfortunately|i\s+think|it|that|so))*"
)
_ECHO_YES = re.compile(
    r"^\W*(?:(?:i|you|we|they)\s+(?:do|have|am|did|are)|(?:it|she|he|that)\s+(?:is|does|has|did|was)|"
    r"i\s+(?:do|did)\s+have|(?:she|he|it)\s+(?:does|did)\s+have|i\s+was|they\s+were|lo\s+tengo|la\s+tengo|"
    r"tengo|tiene)" + _FILLER + r"\W*$"
)
# Agreeing to go on, not affirming a symptom: consent and read-back confirmation only.
_ASSENT = re.compile(
    r"^\W*(?:ok|okay|k|alright|all\s+right|go\s+ahead|fine|sounds\s+good|let\s+us\s+go|lets\s+go|"
    r"vale|de\s+acuerdo|bueno|adelante|esta\s+bien|muy\s+bien)\b"
)


def asks_to_repeat(norm: str) -> bool:
    """True when the reply says the question was not understood ("what do you mean?")."""
    return bool(_REPEAT.search(expand(norm)))


def detect_answer(norm: str) -> Answer | None:
    """The yes/no/don't-know answer an utterance gives, or None when it gives none."""
    text = expand(norm).strip()
    if not text or _REPEAT.search(text):
        return None
    if _DONT_KNOW.match(text):
        return Answer.DONT_KNOW
    if _NO.match(text):
        return Answer.NO
    if _YES.match(text) or _ECHO_YES.match(text):
        return Answer.YES
    return None


def detect_assent(norm: str) -> bool:
    """True for an acknowledgement that agrees to go on ("okay", "fine", "vale")."""
    text = expand(norm).strip()
    return bool(text) and not _REPEAT.search(text) and bool(_ASSENT.match(text))
