"""Suicide-risk statements read the way the Columbia Suicide Severity Rating Scale (C-SSRS) asks
about them: a passive wish to be dead, active thoughts of killing oneself, and — what makes it an
emergency — intent or a plan (a method, the means at hand, a time).

People rarely say "suicidal ideation with a plan"; they say "I've decided I'm going to end things
tonight" or "me las voy a tomar todas esta noche". So this reads the parts of such a statement
(an act of ending one's life + a decision or a time + a method), not whole fixed phrases.
Findings: ``suicidal_ideation`` (passive or active thoughts) and ``suicide_plan`` (intent or plan).
A stated absence ("there's no plan", "I'd never do anything") is not intent.
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction.drafts import Statement

# C-SSRS 1: "wished you were dead or wished you could go to sleep and not wake up"
_PASSIVE = re.compile(
    r"\b(?:wish(?:ed|es)?\s+(?:i|he|she)\s+(?:was|were|could\s+be)\s+dead|"
    r"(?:easier|better|best)\s+(?:for\s+everyone\s+)?if\s+(?:i|he|she)\s+(?:just\s+)?"
    r"(?:didnt|didn't|did\s+not|never|wouldnt|wouldn't)\s+(?:wake\s+up|exist|be\s+here|wake)|"
    r"(?:go\s+to\s+sleep|fall\s+asleep)\s+and\s+(?:not|never)\s+wake\s+up|"
    # "wishing I just wouldn't wake up", "a passive death wish"
    r"wish(?:ing|ed|es)?\s+(?:i|he|she)\s+(?:just\s+|simply\s+)?(?:wouldnt|wouldn't|would\s+not|"
    r"didnt|didn't|did\s+not|couldnt|couldn't|could\s+not|never|might\s+not)\s+wake(?:\s+up)?|"
    r"(?:passive\s+)?death\s+wish|"
    # a statement that it will soon be over: "it'll all be over soon", "won't be around much
    # longer" (AFSP / NICE NG225 warning signs of suicide)
    r"(?:it'?ll|it\s+will|itll)\s+(?:all\s+)?be\s+over\s+soon|"
    r"(?:won'?t|wont|will\s+not)\s+be\s+(?:around|here|a\s+(?:problem|burden))\s+(?:much\s+|for\s+much\s+)?"
    r"(?:longer|for\s+long)|"
    r"(?:doesnt|doesn't|dont|don't|do\s+not|does\s+not)\s+want\s+to\s+(?:wake\s+up|be\s+alive|live|be\s+here)|"
    r"better\s+off\s+dead|no\s+(?:quiero|quiere)\s+(?:vivir|despertar|seguir\s+viviendo)|"
    # being a burden: "everyone would be better off without me" (C-SSRS; NICE NG225 asks it)
    r"(?:be|are|is)\s+better\s+off\s+without\s+(?:me|him|her|them)|"
    # ... or with the "without me" left unsaid: "everyone will be better off, honestly"
    r"(?:everyone|everybody|my\s+family|the\s+kids|they)\s+(?:would|will|'d|'ll|d|ll)\s+"
    r"(?:all\s+)?be\s+better\s+off(?!\s+(?:if|when|once|with|after|in|at|on)\b)|"
    r"(?:estarian|estarían|estaran|estarán)\s+mejor\s+sin\s+(?:mi|m[ií]|[eé]l|ella)|"
    r"(?:ojal[aá]|quisiera)\s+(?:no\s+despertar|estar\s+muert[oa]|morirme)|"
    r"mejor\s+(?:estar\s+)?muert[oa]|"
    # "refiere querer morir", "quiero morirme", "ganas de morirme"
    r"(?:quiere|quiero|querer|queria)\s+morir(?:me|se)?|(?:ganas|deseos?)\s+de\s+morir(?:me|se)?)"
)
# C-SSRS 2: active thoughts of killing oneself (the act itself, in any tense)
_ACT = re.compile(
    # notes drop the possessive: "thoughts of killing self", "ending life"
    r"\b(?:kill(?:ing)?\s+(?:my|him|her|them)?\s*sel[fv]e?s?|"
    r"end(?:ing)?\s+(?:(?:my|his|her|their)\s+)?(?:own\s+)?life|"
    r"take\s+(?:my|his|her)\s+(?:own\s+)?life|suicide|hang(?:ing)?\s+(?:my|him|her)?\s*sel[fv]|"
    r"(?:hurt|harm|cut)(?:ing)?\s+(?:my|him|her|them)?\s*sel(?:f|ves)|"
    r"matarme|quitarme\s+la\s+vida|suicidarme|acabar\s+con\s+(?:todo|mi\s+vida)|"
    # thoughts of an overdose by its means: "has thought about taking her mother's tablets",
    # "thinking of swallowing all my pills" (C-SSRS 3: active ideation with a method)
    r"(?:thought|thoughts|thinking|think|considered|considering|urges?)\s+(?:about\s+|of\s+)?"
    r"overdos\w*|(?:taking|swallowing|take|swallow)\s+(?:an\s+overdose|all\s+(?:of\s+)?(?:my|his|her|the)\s+"
    r"(?:tablets|pills|meds|medication)|(?:my|his|her|their)\s+(?:mum|mom|mother|dad|father|"
    r"parents|nan|gran)'?s\s+(?:tablets|pills|meds|medication)))"
)
# Words that name the act only with a wish or decision before them: "going to end things",
# "quiero acabar con todo" (but not "end things with him"), "me las voy a tomar todas".
_VEILED_ACT = re.compile(
    r"\b(?:(?:going\s+to|gonna|want\s+to|wanna|decided\s+to|will|ll|thinking\s+(?:of|about)|"
    r"plan(?:ning)?\s+to)\s+(?:just\s+)?end(?:ing)?\s+(?:it\s+all|it|things|everything)(?!\s+with\b)|"
    r"(?:voy\s+a|quiero)\s+(?:tomar(?:me)?\s+todas?|acabar)|me\s+(?:las|los)\s+voy\s+a\s+tomar\s+todas?)"
)
# C-SSRS 4-5: intent (a decision, a time) and plan (a method, the means at hand)
_INTENT = re.compile(
    r"\b(?:going\s+to|gonna|decided|i\s+will|ill|i'll|tonight|today|tomorrow|this\s+weekend|"
    r"when\s+(?:everyone|they)\s+(?:is|are)\s+(?:asleep|out|gone)|plan(?:ned|ning)?\s+to|"
    r"voy\s+a|me\s+voy\s+a|esta\s+noche|hoy|mañana|manana|he\s+decidido|decid[ií])\b"
)
_MEANS = re.compile(
    r"\b(?:rope|noose|gun|pistol|rifle|firearm|pills|tablets|bottle\s+of|knife|blade|razor|bridge|"
    r"jump(?:ing)?\s+(?:off|from|in\s+front)|train|car\s+exhaust|"
    r"pastillas|cuerda|pistola|cuchillo|puente|tirarme)\b"
)
# C-SSRS "preparatory acts or behaviour": putting one's affairs in order, a will or a note,
# giving away possessions or pets, collecting the means
_PREPARATORY = re.compile(
    r"\b(?:(?:sorted|sorting|made|making|wrote|writing|written|updated|updating|done)\s+"
    r"(?:out\s+)?(?:my|his|her|a)\s+(?:new\s+)?will|"
    r"(?:put|putting|sorted|sorting|got|getting)\s+(?:my|his|her)\s+affairs\s+'?in\s+order|"
    r"affairs\s+'?in\s+order|(?:put|putting|got|getting)\s+everything\s+in\s+order|"
    r"(?:giving|given|gave|give)\s+away\s+(?:my|his|her|all)\b|"
    r"(?:given|gave|giving)\s+(?:my|his|her|the)\s+(?:dog|cat|pets?)\s+(?:away|to)|"
    r"rehom(?:e|ed|ing)\s+(?:(?:my|his|her|the)\s+)?(?:cat|dog|pets?)|"
    r"(?:said|saying)\s+(?:my|his|her)?\s*goodbyes?\s+to|"
    r"(?:written|wrote|writing)\s+(?:goodbye\s+)?letters\s+to|letters\s+to\s+(?:my|his|her)\s+"
    r"(?:kids|children|family|wife|husband|partner|parents)|"
    r"(?:saved|saving|collected|collecting|stockpil\w+|hoard\w*)\s+(?:up\s+)?(?:[\w'-]+\s+){0,3}?"
    r"(?:pills|tablets|medication|meds|sedatives|sleepers|painkillers)|"
    r"(?:guardando|juntando|acumulando|guarde|junte|acumule)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:pastillas|pildoras|medicamentos|comprimidos)|"
    r"(?:hice|hizo|he\s+hecho)\s+(?:el|mi|su)\s+testamento|regal(?:e|o|ando)\s+mis\s+cosas|"
    # the means kept ready ("tiene pastillas guardadas") and a farewell sent ("un mensaje
    # despidiendose", "texted me goodbye")
    r"(?:pastillas|pildoras|medicamentos|comprimidos)\s+(?:guardadas|acumuladas|escondidas)|"
    r"(?:pills|tablets)\s+(?:saved|stashed|hidden)\s+(?:up|away)|"
    r"despidiendose|(?:mensaje|nota|carta)\s+(?:de\s+)?despedida|"
    r"(?:texted|messaged|sent)\s+(?:me\s+|us\s+|her\s+|him\s+)?(?:a\s+)?goodbye|"
    r"goodbye\s+(?:text|message)|"
    # a farewell note ("a note saying sorry to everyone") and belongings given to friends
    r"(?:a|the)\s+note\s+(?:saying|that\s+says|to\s+say)\s+(?:sorry|goodbye)|goodbye\s+note|"
    r"suicide\s+note|(?:nota|carta)\s+de\s+despedida|"
    r"(?:given|gave|giving)\s+(?:my|his|her|their)\s+[\w'-]+(?:\s+and\s+(?:some\s+|all\s+)?"
    r"(?:of\s+)?(?:(?:my|his|her|their)\s+)?[\w'-]+)?\s+to\s+(?:(?:my|his|her|their)\s+)?"
    r"(?:friends|family|sister|brother|cousins?))"
)
# "there's no plan", "I'd never do anything", "I wouldn't act on it": a stated absence of intent
_NO_INTENT = re.compile(
    r"\b(?:no\s+(?:plan|plans|intent|intention)|(?:would|could)\s*(?:n't|nt|\s+not|\s+never)\s+"
    r"(?:do|act|go\s+through)|(?:i'd|id|i\s+would)\s+never\s+(?:do|act)|never\s+act\s+on|"
    r"not\s+going\s+to\s+(?:do|act)|sin\s+plan|nunca\s+lo\s+har[ií]a)\b"
)
# "denies any thoughts of self-harm or suicide", "never thought of ending it", "I haven't had
# any thoughts of hurting myself" (a have-not: the passive-wish patterns carry their own "don't")
_NEGATED_ACT = re.compile(
    r"\b(?:no|not|nor|never|dont|don't|denies|denied|without|havent|haven't|hasnt|hasn't|hadnt|"
    r"hadn't|nunca|niega|sin|ni)\s+(?:[\w'-]+\s+){0,6}$"
)
_WHEN = re.compile(r"\b(?:tonight|today|tomorrow|esta\s+noche|hoy|manana)\b")
_SENTENCE = re.compile(r"[^.!?;\n]+")


def find_self_harm(norm: str) -> list[Statement]:
    """Passive wishes, active thoughts and intent/plan statements in ``norm``, per sentence.

    Intent may be spread over neighbouring sentences ("I've decided. I've got the rope."), so
    the decision and the means are looked for in the whole account once an act is stated.
    """
    found: list[Statement] = []
    denied_intent = _NO_INTENT.search(norm) is not None
    decided = False  # a decision set for a time: "I've decided I'm taking them tonight"
    for sentence in _SENTENCE.finditer(norm):
        text, offset = sentence.group(), sentence.start()
        decided = decided or bool(_INTENT.search(text) and _WHEN.search(text))
        for m in _PASSIVE.finditer(text):
            if _NEGATED_ACT.search(text[: m.start()]):
                continue
            found.append(Statement(offset + m.start(), offset + m.end(), "suicidal_ideation"))
        for m in [*_ACT.finditer(text), *_VEILED_ACT.finditer(text)]:
            if _NEGATED_ACT.search(text[: m.start()]):
                continue  # "never thought of ending it"
            found.append(Statement(offset + m.start(), offset + m.end(), "suicidal_ideation"))
            if denied_intent or not _INTENT.search(text):
                continue
            # intent with a method or the means anywhere in the account, or with a time
            if _MEANS.search(norm) or _WHEN.search(text):
                found.append(Statement(offset + m.start(), offset + m.end(), "suicide_plan"))
    # suicidal thoughts with a preparatory act anywhere in the account, or two distinct
    # preparatory acts (a will and a stockpile, letters and a rehomed dog): a plan (C-SSRS 6)
    preparing = list(_PREPARATORY.finditer(norm))
    thoughts = any(f.concept_id == "suicidal_ideation" for f in found)
    # ... or with a decision set for a time ("I've saved up my tablets and I've decided I'm
    # taking them tonight"): the act need not be named when the means and the hour are.
    # Two preparatory acts outweigh a stated lack of intent ("I'm not going to do anything
    # tonight, probably"): NICE NG225 warns against relying on what is said about intent
    # when the behaviour says otherwise.
    planned = len(preparing) >= 2 or (not denied_intent and (thoughts or decided))
    if preparing and planned:
        found.append(Statement(preparing[0].start(), preparing[0].end(), "suicide_plan"))
    return found
