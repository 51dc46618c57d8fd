"""Two-cue compositions: two cue words in one clause that together name a concept.

"vomiting ... blood" is haematemesis, "her mouth is sagging" a facial droop, "my pee is
burning" dysuria. The extraction rules (``rules.py``) pair each first cue with the nearest
second cue of the same sentence (at most seven words apart, never across a richer lexicon
phrase), so wording nobody listed as a synonym is still recognised. Regexes run on the
normalised text (lower case, accents stripped, apostrophes kept).
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction.ingestion import NON_MEDICINES

# medicines a quantity can be "of" ("loads of painkillers", "took 20 paracetamol")
_NAMED_MEDICINES = (
    r"paracetamol|acetaminophen|tylenol|ibuprofen|aspirin|co-?codamol|codeine|tramadol|"
    r"morphine|oxycodone|amitriptyline|sertraline|citalopram|fluoxetine|diazepam|zopiclone|"
    r"sleeping\s+(?:pills|tablets)|antidepressants?|painkillers?|insulin|iron\s+tablets|"
    r"lithium|quetiapine|olanzapine|paracetamol\s+tablets|"
    r"(?:[a-z]+\s+)?(?:tablets|pills|capsules|medicines|medication|meds)"
)

# Two cue words in one clause that together name a concept ("vomiting ... blood").
PAIRS: list[tuple[re.Pattern[str], re.Pattern[str], str]] = [
    (
        # "it kinda stabs on the right side when I breathe in": pain on inspiration (pleuritic)
        re.compile(r"\b(?:stab\w*|sharp|hurts?|hurting|pain|painful|catch(?:es)?|duele|dolor)\b"),
        re.compile(
            r"\b(?:breathes?\s+in|breathing\s+in|deep\s+breaths?|breath\s+in|inhal\w+|"
            r"take\s+a\s+breath|respirar|respiro)\b"
        ),
        "pleuritic_pain",
    ),
    (
        # a child who ate berries, leaves, seeds or mushrooms: a possible plant poisoning
        # (TOXBASE / poison centre advice)
        re.compile(r"\b(?:ate|eaten|eating|swallowed|chewed|chewing|comio|trago)\b"),
        re.compile(
            r"\b(?:berries|berry|wild\s+mushrooms?|toadstools?|mushrooms?\s+(?:from|in|growing)|"
            r"(?:a|the|some)\s+(?:house)?plant|(?:leaves|seeds)\s+(?:from|off|of)\s+(?:a|the)|"
            r"bayas|hongos|setas)\b"
        ),
        "plant_ingestion",
    ),
    (
        # "haven't managed to wee for 12 hours", "no puedo orinar": acute retention of urine
        re.compile(
            r"\b(?:cant|can't|cannot|unable|havent|haven't|hasnt|hasn't|not\s+managed|couldnt|couldn't|"
            r"not\s+been\s+able|no\s+puedo|no\s+puede|"
            # "has struggled to pass urine since yesterday": hesitancy as far as retention
            r"struggl\w*|difficulty|trouble|hard\s+to|le\s+cuesta|me\s+cuesta)\b"
        ),
        # ... the verb, not the noun: "his wee smells strong" is no attempt to pass it
        re.compile(
            r"\b(?<!his\s)(?<!her\s)(?<!my\s)(?<!the\s)(?<!their\s)(?<!your\s)"
            r"(?:wee|pee|urinate|pass\s+urine|pass\s+water|orinar|hacer\s+pis)\b"
        ),
        "urinary_retention",
    ),
    (
        # a burn described by its depth or extent: "patches look white and don't hurt",
        # "all down my chest" (British Burn Association referral criteria)
        re.compile(r"\b(?:burn\w*|scald\w*|boiling|blisters|quem\w+)\b"),
        re.compile(
            r"\b(?:white|leathery|waxy|charred|painless|dont\s+hurt|don't\s+hurt|doesnt\s+hurt|"
            r"doesn't\s+hurt|all\s+(?:down|over|across)|whole\s+(?:arm|leg|chest|back|front)|"
            r"large\s+area|most\s+of\s+(?:his|her|my))\b"
        ),
        "major_burn",
    ),
    (
        # "just back from Ghana", "trip to rural India last month": travel to a malaria-endemic
        # region (WHO World Malaria Report 2024 endemic countries; UKHSA ACMP guidelines 2024)
        re.compile(
            r"\b(?:back|returned|returning|home|came\s+back|got\s+back|flew\s+back|travel+(?:ed|ing)?|"
            r"trip|holiday|vacation|visit(?:ed|ing)?|mission|safari|volunteering|regreso|volvio|viaje|viajo)\b"
        ),
        re.compile(
            r"\b(?:africa|sub[\s-]saharan|nigeria|ghana|kenya|uganda|tanzania|zanzibar|sierra\s+leone|"
            r"cameroon|congo|zambia|malawi|mozambique|ethiopia|sudan|senegal|mali|gambia|ivory\s+coast|"
            r"cote\s+d'?ivoire|liberia|guinea|burkina\s+faso|niger|chad|angola|zimbabwe|madagascar|"
            r"benin|togo|somalia|rwanda|burundi|india|pakistan|bangladesh|nepal|myanmar|burma|cambodia|"
            r"laos|papua\s+new\s+guinea|solomon\s+islands|amazon|guyana|venezuela|haiti|yemen|"
            r"afghanistan|the\s+tropics|tropical|africa\s+occidental|amazonas)\b"
        ),
        "malaria_area_travel",
    ),
    (
        # the signs of skin infection named one by one: "a red, warm, tender area ... spreading"
        re.compile(r"\b(?:red|redness|reddened|erythema|erythematous|rojo|roja|enrojecid[oa])\b"),
        re.compile(r"\b(?:warm|warmth|hot|spreading|spread|tracking|caliente|se\s+extiende)\b"),
        "cellulitis",
    ),
    (
        # "splashed boiling water on his hand": a scald is a burn, whatever the verb (a hot
        # day is the weather: "not drinking enough water on a hot day")
        re.compile(
            r"\b(?:boiling|hot(?!\s+(?:days?|weather|summer|spell|sun|afternoon|morning|"
            r"evening|night|climate|country|holiday))|scalding|steaming|hirviendo|caliente)\b"
        ),
        # ... not a hot-water bottle held to a sore tummy ("bolsa de agua caliente")
        re.compile(
            r"\b(?:water(?!\s+bottle)|oil|tea|coffee|kettle|pan|soup|steam|fat|"
            r"(?<!bolsa\sde\s)agua|aceite|cafe|taza|leche|sopa|caldo|infusion|tetera|hervidor|olla|"
            r"sarten)\b"
        ),
        "burn",
    ),
    (
        # deep, laboured breathing (Kussmaul) is described as heavy, deep or laboured
        re.compile(r"\b(?:breathing|breaths|breathes|respiration|respirando)\b"),
        re.compile(r"\b(?:heavy|heavily|deep|deeply|laboured|labored|sighing|panting|agitada)\b"),
        "tachypnea",
    ),
    (
        re.compile(r"\b(?:vomit\w*|throw(?:ing|n)?\s+up|threw\s+up|puk\w+|vomito|vomitando)\b"),
        re.compile(r"\b(?:blood|bloody|coffee|sangre)\b"),
        "hematemesis",
    ),
    (
        re.compile(r"\b(?:cough\w*|sputum|phlegm|tos|tosiendo)\b"),
        re.compile(r"\b(?:blood|bloody|sangre)\b"),
        "hemoptysis",
    ),
    (
        re.compile(
            r"\b(?:stools?|poo+p?s?|poo+ing|pooed|bowel\s+movements?|faeces|feces|heces|caca)\b"
        ),
        re.compile(r"\b(?:blood|bloody|sangre)\b"),
        "rectal_bleeding",
    ),
    (
        re.compile(r"\b(?:stools?|poo+p?s?|bowel\s+movements?|heces|caca)\b"),
        re.compile(r"\b(?:black|tarry|tar|negras?)\b"),
        "melena",
    ),
    (
        # "diarrhoea for three days and now there's blood in it": bloody diarrhoea.
        re.compile(r"\b(?:diarr?h?o?ea\w*|diarrea|loose\s+stools?|the\s+runs)\b"),
        re.compile(r"\b(?:blood|bloody|sangre)\b"),
        "rectal_bleeding",
    ),
    (
        # "found with the bottle of iron tablets open and some missing": a possible ingestion.
        re.compile(
            r"\b(?:tablets?|pills?|capsules?|medicines?|gummies|pastillas|"
            # a button/coin cell gone from a device a toddler was next to (NHS button batteries)
            r"(?:coin|button|lithium|watch|hearing[\s-]aid)(?:[\s-]+shaped)?[\s-]+(?:cells?|batteries|battery)|"
            r"coin[\s-]cells?)\b"
        ),
        re.compile(r"\b(?:missing|gone|unaccounted|faltan)\b"),
        "overdose",
    ),
    (
        # any battery missing from a device ("now the battery is missing", "falta la pila"):
        # NHS button batteries — "if you think your child has swallowed a battery, go to A&E".
        # Not "gone" or "dead": that is a flat battery.
        re.compile(r"\b(?:batteries|battery|pilas?|baterias?)\b"),
        re.compile(
            r"\b(?:missing|unaccounted|cant\s+find|can't\s+find|falta|faltan|"
            r"no\s+(?:la|lo|las|los)\s+encuentro|no\s+aparece)\b"
        ),
        "overdose",
    ),
    (
        re.compile(r"\b(?:urine|pee|wee|urinating|peeing|orina)\b"),
        re.compile(r"\b(?:blood|bloody|sangre)\b"),
        "hematuria",
    ),
    (
        re.compile(r"\b(?:lips|face|skin|fingers|labios)\b"),
        re.compile(
            r"\b(?:blue|bluish|purple|grey|gray|greyish|grayish|azul\w*|morad\w*|amoratad\w*)\b"
        ),
        "cyanosis",
    ),
    (
        # "swallowed some tablets", "got into the bleach": an ingestion. "Took" is how everyone
        # says they had their usual medicine ("I took my tablets this morning"), so it only
        # counts for things nobody takes as a medicine, or with a quantity (next pair).
        re.compile(
            r"\b(?:swallowed|swallow|ate|eaten|ingested|drank|drunk|got\s+into|trago|bebio|"
            r"se\s+(?:tomo|bebio)\s+un\s+trago)\b"
        ),
        re.compile(
            r"\b(?:tablets?|pills?|capsules?|medicines?|medications?|pastillas|"
            + NON_MEDICINES
            + r")\b"
        ),
        "overdose",
    ),
    (
        # "a wasp got me on the neck", "the bee stung her": a sting or bite told by the creature
        # that did it, the exposure behind an allergic reaction (Resuscitation Council UK 2021)
        re.compile(
            r"\b(?:bees?|wasps?|hornets?|yellow\s+jackets?|jellyfish|spiders?|abejas?|avispas?|"
            r"avispones?|medusas?|aranas?)\b"
        ),
        re.compile(
            r"\b(?:stung|stings?|stinging|bit|bitten|got\s+(?:me|him|her|them|us)|"
            r"(?:me|le|la|lo|nos)\s+pic(?:o|aron)|picad[oa])\b"
        ),
        "insect_bite",
    ),
    (
        # "took a pill at a party", "volvio de una fiesta, dice que tomo una pastilla": a pill or
        # "something" taken at a party or club is a recreational drug until shown otherwise
        re.compile(
            r"\b(?:party|parties|festival|club|clubbing|rave|nightclub|fiesta|discoteca|antro|boliche|"
            r"botellon)\b"
        ),
        re.compile(
            r"\b(?:took|taken|dropped|popped|tomo|tomado|tomaron|se\s+tomo)\s+(?:[\w'-]+\s+)?"
            r"(?:pills?|tablets?|something|pastillas?|algo|pasti|pastis)\b"
        ),
        "recreational_drug_use",
    ),
    (
        # "the vision in his right eye went dark, like a blind coming down": sight lost, told by
        # what the eye saw (amaurosis, retinal artery occlusion: RCOphth; AHA/ASA 2021)
        re.compile(r"\b(?:vision|sight|eye|eyes|vista|ojo)\b"),
        re.compile(
            r"\b(?:went|gone|going|turned)\s+(?:dark|black|blank)|blacked\s+out|"
            r"(?:blind|curtain|shade|shutter|shadow)\s+(?:coming|came|come|pulled|drawn)\s+down|"
            r"se\s+(?:le|me)\s+(?:puso|quedo)\s+(?:negr[oa]|oscur[oa])|se\s+(?:le|me)\s+apago\b"
        ),
        "vision_loss",
    ),
    (
        # "her tummy has gone hard and isn't relaxing between pains": a rigid abdomen, or in
        # pregnancy a tense uterus (abruption: RCOG Green-top 63)
        re.compile(
            r"\b(?:tummy|belly|stomach|abdomen|womb|uterus|bump|barriga|panza|tripa|vientre|utero)\b"
        ),
        re.compile(
            r"\b(?:gone|went|going|turned)\s+(?:rock\s+|really\s+|very\s+)?(?:hard|rigid)\b|"
            r"\b(?:isnt|isn't|not|wont|won't|doesnt|doesn't)\s+relax(?:ing)?\b|"
            r"\bse\s+(?:le|me)\s+(?:ha\s+)?puesto\s+(?:muy\s+)?dur[ao]\b|\bno\s+se\s+(?:le\s+)?relaja\b"
        ),
        "peritonism",
    ),
    (
        # "they put a plaster on my broken shin": a plaster (or pot) beside a broken bone is a cast
        re.compile(r"\b(?:plaster|pot|cast|yeso|escayola)\b"),
        re.compile(r"\b(?:broken|broke|fractured?|roto|rota|fractura(?:do|da)?)\b"),
        "limb_in_cast",
    ),
    (
        # blisters on the tip of the nose: Hutchinson's sign, shingles of the ophthalmic nerve
        # (NICE CKS shingles: same-day ophthalmology)
        re.compile(r"\b(?:blister\w*|vesic\w*|ampoll\w*)\b"),
        re.compile(
            r"\b(?:tip\s+of\s+(?:the\s+|his\s+|her\s+|my\s+)?nose|nose\s+tip|"
            r"punta\s+de\s+la\s+nariz)\b"
        ),
        "shingles",
    ),
    (
        # "his right foot becoming cold, white and numb", "can't feel any foot pulses": the
        # pallor, cold and pulselessness of acute limb ischaemia (ESVS 2020)
        re.compile(
            r"\b(?:foot|feet|leg|legs|toes|hand|hands|arm|fingers|pie|pies|pierna|mano|brazo|dedos)\b"
        ),
        re.compile(
            r"\b(?:cold(?:\s*,\s*|\s+and\s+)(?:white|pale|blue)|(?:white|pale)(?:\s*,\s*|\s+and\s+)cold|"
            r"(?:can'?t|cannot|couldn'?t|unable\s+to)\s+(?:feel|find)\s+(?:any\s+|a\s+)?(?:foot\s+)?pulses?|"
            r"fri[oa]s?\s+y\s+(?:blanc|palid)[oa]s?)\b"
        ),
        "cold_limb",
    ),
    (
        # "he's been sick three times and it's bright green": bile-stained vomit, in a baby
        # malrotation with volvulus until shown otherwise (NICE CG84; BAPS)
        re.compile(
            r"\b(?:vomit\w*|sick|throw(?:ing|n)?\s+up|threw\s+up|brought\s+up|vomito|vomitando)\b"
        ),
        re.compile(r"\b(?:green|greenish|bile|verde|verdoso)\b"),
        "bilious_vomiting",
    ),
    (
        # "my left ear is completely muffled, like it's underwater": hearing lost in that ear
        # (NICE CKS hearing loss: sudden loss is seen within 24 hours)
        re.compile(r"\b(?:ear|ears|oido|oidos)\b"),
        re.compile(r"\b(?:muffled|underwater|under\s+water|deaf|sordo|sorda|no\s+oigo|no\s+oye)\b"),
        "hearing_loss",
    ),
    (
        re.compile(r"\b(?:took|taken|tomo)\b"),
        re.compile(r"\b(?:" + NON_MEDICINES + r")\b"),
        "overdose",
    ),
    (
        re.compile(
            r"\b(?:numb|numbness|tingling|no\s+feeling|can'?t\s+feel|cannot\s+feel|"
            r"reduced\s+sensation|adormecid[oa])\b"
        ),
        re.compile(
            r"\b(?:perineal|perineum|saddle|genitals|genital|buttocks|bottom|bum|anus|back\s+passage|"
            r"between\s+(?:my\s+|her\s+|his\s+|the\s+)?legs|private\s+parts|crotch|entrepierna|"
            r"inner\s+thighs?|groin\s+and\s+(?:bottom|buttocks)|"
            # "when I wipe I can't feel it down there": the everyday words for the saddle area
            r"down\s+there|wip(?:e|ing)\s+(?:after|myself|herself|himself)?|when\s+(?:(?:i|she|he)\s+)?wipes?)\b"
        ),
        "saddle_anesthesia",
    ),
    (
        re.compile(r"\b(?:vagina|vaginal|down\s+below|vaginally|vagina)\b"),
        re.compile(r"\b(?:bleeding|bleed|blood|bled|sangrado|sangre)\b"),
        "vaginal_bleeding",
    ),
    (
        re.compile(r"\b(?:heart|heartbeat|pulse|corazon)\b"),
        re.compile(
            r"\b(?:racing|pounding|fluttering|skipping|irregular|thumping|galloping|acelerado)\b"
        ),
        "palpitations",
    ),
    (
        # a large quantity of a named medicine is an overdose even without "tablets"; the amount
        # must govern the medicine ("loads of painkillers", not "loads of these before, and
        # painkillers usually sort it"): at most two words between them
        re.compile(
            r"\b(?:loads\s+of|lots\s+of|a\s+lot\s+of|too\s+many|handfuls?\s+of|dozens?\s+of|"
            r"(?:a\s+)?bunch\s+of|heaps\s+of|a\s+(?:load|pile|stack)\s+of|"
            r"(?:a\s+|the\s+)?whole\s+(?:packet|pack|bottle|box|strip|tub)s?(?:\s+of)?|"
            r"all\s+(?:of\s+)?(?:my|his|her|their|the)|extra\s+doses?\s+of|"
            # a child who "took some of my pills": any amount of someone else's medicine
            r"(?:some|a\s+few|one|two|several)\s+of\s+(?:my|his|her|their|the|mum'?s|dad'?s|nan'?s|gran'?s)|"
            # "took 20 paracetamol": ten or more of a named medicine
            # ... "about" as notes write it: "~30", "approx 30"
            r"(?:took|taken|swallowed|ate)\s+(?:about\s+|around\s+|over\s+|at\s+least\s+|"
            r"approx(?:imately|\.)?\s*|~\s*)?"
            # ... a count, not a dose in milligrams: "took 400 of ibuprofen" is one tablet
            r"(?:[1-9]\d(?!\d)|ten|twelve|fifteen|twenty|thirty|forty|fifty|a\s+dozen)|"
            # "ingesta voluntaria ~30 comp paracetamol", "se tomó 20 pastillas de ibuprofeno"
            r"(?:ingesta\s+(?:voluntaria\s+|intencionada\s+|intencional\s+)?(?:de\s+)?|"
            r"se\s+tomo\s+|tomo\s+|se\s+trago\s+)(?:unas?\s+|~\s*|aprox\w*\s+)?"
            r"(?:[1-9]\d(?!\d)|diez|doce|quince|veinte|treinta|cuarenta|cincuenta)\s+"
            r"(?:comp\w*|pastillas|pastis|tabletas|pildoras|capsulas)(?:\s+de)?)\b"
            # ... "took 15 of her mum's amitriptyline": whose supply it was does not count
            r"(?=(?:\s+of(?:\s+(?:my|his|her|their|the|your))?(?:\s+[a-z]+'s)?)?"
            r"(?:\s+[\w'-]+){0,2}?\s+(?:" + _NAMED_MEDICINES + r")\b)"
        ),
        re.compile(r"\b(?:" + _NAMED_MEDICINES + r")\b"),
        "overdose",
    ),
    (
        # "she'd taken the rest of the paracetamol": a remaining supply swallowed at once is an
        # overdose (NICE NG225; TOXBASE). Only for medicines taken as needed, not a course
        # that is meant to be finished ("took the rest of the antibiotics")
        re.compile(r"\b(?:took|taken|swallowed|se\s+tomo)\s+[\"']?\s*(?:all\s+)?the\s+rest\s+of\b"),
        re.compile(
            r"\b(?:paracetamol|acetaminophen|tylenol|ibuprofen|aspirin|co-?codamol|codeine|"
            r"tramadol|morphine|oxycodone|amitriptyline|sertraline|citalopram|fluoxetine|"
            r"diazepam|zopiclone|quetiapine|olanzapine|lithium|insulin|painkillers?|"
            r"sleeping\s+(?:pills|tablets)|antidepressants?)\b"
        ),
        "overdose",
    ),
    (
        # "pressed a glass on them and they don't go away": the glass test of a non-blanching
        # rash (NICE NG240 meningitis; Meningitis Research Foundation)
        re.compile(
            r"\b(?:glass|tumbler|vaso|(?:pressed|pressing|press)\s+(?:on\s+)?"
            r"(?:them|the\s+(?:spots|dots|rash|marks|blotches)))\b"
        ),
        # ... the spots stay: "don't hurt when I press them" is tenderness, not the glass test
        re.compile(
            r"\b(?:(?:dont|don't|do\s+not|didnt|didn't|did\s+not|wont|won't|doesnt|doesn't|"
            r"does\s+not)\s+(?:go\s+away|fade|disappear|blanch|go\s+pale|vanish|change)|"
            r"still\s+(?:there|visible|see)|no\s+(?:desaparecen|se\s+van|se\s+borran))\b"
        ),
        "non_blanching_rash",
    ),
    (
        # "the second toe has gone dusky", "her big toe is bluish-black": a toe or a foot losing
        # its blood supply (critical limb ischaemia, pre-gangrene; NICE NG19 diabetic foot:
        # gangrene or ischaemia is an acute referral)
        re.compile(r"\b(?:toes?|forefoot|dedos?\s+del\s+pie)\b"),
        re.compile(
            r"\b(?:dusky|bluish|blue|purple|purplish|grey|gray|black|blackish|dark|darkish|darker|"
            r"negr\w+|morad\w+|oscur\w+)\b"
        ),
        "gangrene",
    ),
    (
        # "deliberate paracetamol OD", "intentional OD of sertraline": notes write an overdose
        # "OD", which on a prescription means once daily ("ramipril 5 mg OD"), so only with a
        # word that makes it an event
        re.compile(
            r"\b(?:deliberate|intentional|accidental|staggered|suspected|possible|mixed|"
            r"significant|large|compound|took\s+an?|had\s+an?|post|recent|impulsive)\b"
        ),
        re.compile(r"\b(?:od|o/d|od'd|oded|od-ed)\b"),
        "overdose",
    ),
    (
        # "ST 2/7", "ST x3d + coryza": a sore throat in note shorthand, known by the duration
        # that follows (never "ST elevation"; "1st" is one token)
        re.compile(r"\bst\b"),
        re.compile(r"\b(?:(?:x\s*)?\d{1,2}\s*/\s*(?:7|52)|x\s*\d{1,2}\s*(?:d|days?|w|wks?))\b"),
        "sore_throat",
    ),
    (
        # "drooling, gnawing on everything": a baby's teething (NICE CKS teething), not the
        # drooling of a child who cannot swallow (epiglottitis comes with fever and stridor)
        re.compile(r"\b(?:drool\w*|dribbl\w*|babea\w*)\b"),
        re.compile(
            r"\b(?:gnaw\w*|chewing\s+(?:on\s+)?(?:everything|his|her|their|toys|fists?|hands?)|"
            r"(?:new\s+)?teeth|tooth\s+coming|muerde\s+todo)\b"
        ),
        "minor_complaint",
    ),
    (
        # "swallowed some silica gel beads", "ate a crayon": substances the poisons services list
        # as non-toxic in the amounts a child takes (NPIS / TOXBASE) — no poisoning to manage
        re.compile(
            r"\b(?:ingest\w*|swallow\w*|ate|eaten|eating|chew\w*|sucked|licked|drank|drunk|"
            r"mouthful|comio|trago|bebio)\b"
        ),
        re.compile(
            r"\b(?:silica\s+gel|desiccant|crayons?|chalk|play[\s-]?doh|playdough|blu[\s-]?tack|"
            r"bubble[\s-]+(?:blowing\s+)?(?:liquid|mixture|solution|mix)|"
            r"gel\s+de\s+silice|ceras\s+de\s+colores|tiza|liquido\s+de\s+(?:hacer\s+)?pompas)\b"
        ),
        "minor_complaint",
    ),
    (
        # "fell asleep on the beach and his back is red, hot and sore": skin reddened by the sun
        # is sunburn (NHS sunburn), not a spreading infection
        re.compile(
            r"\b(?:on\s+the\s+beach|in\s+the\s+sun|by\s+the\s+pool|sunbath\w*|sunbed|"
            r"en\s+la\s+playa|al\s+sol)\b"
        ),
        re.compile(
            r"\b(?:red|reddened|burnt|burned|roasted|lobster|rojo|roja|rojos|rojas|quemad\w*)\b"
        ),
        "sunburn",
    ),
    (
        # "her periods have been heavier than usual", "periods heavy with clots": heavy
        # menstrual bleeding (NICE NG88), assessed in primary care
        re.compile(r"\b(?:periods?|menses|menstruation|regla|reglas|menstruacion)\b"),
        re.compile(
            r"\b(?:heavier|heavy|flooding|clots|clotty|abundantes?|mas\s+abundantes?|coagulos)\b"
        ),
        "heavy_periods",
    ),
    (
        # "una culebra me mordió el tobillo", "an adder got him on the ankle": a snake bite in
        # any word order (WHO snakebite envenoming guidance; TOXBASE)
        re.compile(
            r"\b(?:snakes?|adders?|vipers?|rattlesnakes?|culebras?|serpientes?|viboras?|cascabel)\b"
        ),
        re.compile(
            r"\b(?:bit|bitten|bite|bites|struck|got|mordio|mordido|mordida|mordedura|pico)\b"
        ),
        "snake_bite",
    ),
    (
        # "eight pints plus shots at a stag do": a night's heavy drinking, so the morning's
        # headache and thirst are a hangover (NHS hangover; the guards of D126 still apply)
        re.compile(
            r"\b(?:\d{1,2}|three|four|five|six|seven|eight|nine|ten|twelve|loads\s+of|lots\s+of|"
            r"too\s+many|several|a\s+lot\s+of|a\s+few|bottles?\s+of)\b"
        ),
        re.compile(
            r"\b(?:pints|shots|cocktails|jagerbombs|cans\s+of\s+(?:lager|beer|cider)|"
            r"glasses\s+of\s+(?:wine|prosecco)|(?:red|white)?\s*wine|vodkas?|tequilas?|copas|chupitos|cervezas)\b"
        ),
        "hangover",
    ),
    (
        # "el primer día de la regla me dan dolores fuertes", "cramps every period": pain that
        # comes with the period is primary dysmenorrhoea (NICE CKS dysmenorrhoea), unless the
        # rules see pregnancy, fever or another finding
        # ... but "period-like cramps" in pregnancy is a comparison, not a period
        re.compile(
            r"\b(?<!like\sa\s)(?:regla|periodo|menstruacion|period|periods|menstruation)\b"
            r"(?!\s*-?\s*(?:like|type)\b)"
        ),
        re.compile(r"\b(?:dolor\w*|duele\w*|colicos|retortijones|cramps?|cramping|pains?)\b"),
        "menstrual_cramps",
    ),
    (
        # "a pink line running up the inside of my forearm": a red streak tracking from a wound
        # towards the armpit or groin is lymphangitis (NICE CKS cellulitis: same-day antibiotics)
        re.compile(
            r"\b(?:(?:red|pink|reddish|angry|dark\s+red)\s+(?:line|lines|streak|streaks|track|tracks)|"
            r"(?:linea|raya)\s+roja)\b"
        ),
        re.compile(
            r"\b(?:(?:running|going|spreading|tracking|creeping|moving|heading|travell?ing)\s+up|"
            r"sube|subiendo)\b"
        ),
        "cellulitis",
    ),
    (
        # "the right foot and lower leg have been painful, pale and cold": a limb losing its
        # blood supply (acute limb ischaemia; ESVS 2020 — the six Ps), not cold hands in winter
        re.compile(r"\b(?:foot|leg|arm|hand|calf|toes|fingers|pie|pierna|brazo|mano)\b"),
        re.compile(
            r"\b(?:pale\s+and\s+cold|cold\s+and\s+pale|pale,\s+cold|cold,\s+pale|white\s+and\s+cold|"
            r"cold\s+and\s+(?:white|blue|numb)|blue\s+and\s+cold|fria\s+y\s+palida|palida\s+y\s+fria)\b"
        ),
        "cold_limb",
    ),
    (
        # "his nose just started pouring": a nosebleed in the words people use for it
        re.compile(r"\b(?:nose|nostril|nostrils|nariz)\b"),
        re.compile(
            r"\b(?:pouring|gushing|streaming|pumping|dripping\s+blood|sangrando|chorreando)\b"
        ),
        "nosebleed",
    ),
    (
        # "when I feel my pulse it's all over the place": an irregular pulse felt by the caller
        # (NICE NG196: irregular pulse → ECG for atrial fibrillation)
        re.compile(r"\b(?:pulse|heartbeat|heart\s+rhythm|pulso)\b"),
        re.compile(
            r"\b(?:all\s+over\s+the\s+(?:place|shop)|erratic|chaotic|jumping\s+about|"
            r"irregular|irregularly)\b"
        ),
        "irregular_pulse",
    ),
    (
        # "taking her methotrexate every day instead of once a week": the weekly drug taken
        # daily is an overdose (NPSA alert 03, 2006; MHRA 2020: fatal marrow toxicity)
        re.compile(r"\b(?:methotrexate|metotrexato)\b"),
        re.compile(r"\b(?:every\s+day|each\s+day|daily|a\s+day|todos\s+los\s+dias|diario)\b"),
        "overdose",
    ),
    (
        # "his throat is 'scratchy and tight'", "her throat feels really tight": a tight or
        # closing throat is airway involvement (Resuscitation Council UK anaphylaxis 2021)
        re.compile(r"\b(?:throat|garganta)\b"),
        re.compile(
            r"\b(?:tight|tighter|tightening|closing|closed\s+up|narrowing|apretada|cerrando)\b"
        ),
        "airway_swelling",
    ),
    (
        # "his lips look a bit bigger than normal": lips grown in size are swollen (angioedema);
        # the swelling words themselves are the site compositions of ``anatomy``
        re.compile(r"\b(?:lips?|labios?)\b"),
        re.compile(r"\b(?:bigger|fatter|thicker|mas\s+grandes|mas\s+gordos)\b"),
        "facial_swelling",
    ),
    (
        # "only had two wet nappies today": few wet nappies, whatever the number said
        # ... or compared with the usual: "2 wet nappies today (usually 6)"
        re.compile(
            r"\b(?:only|just|hardly\s+any|barely\s+any|fewer|not\s+many|less|usually|normally|"
            r"down\s+from|instead\s+of|compared\s+(?:to|with))\b"
        ),
        re.compile(r"\bwet\s+(?:nappies|nappy|diapers?)\b"),
        "decreased_urine",
    ),
    (
        # "drinking constantly", "drinks litres of water": excessive thirst, with polyuria and
        # weight loss the picture of new diabetes (NICE NG18, NG17)
        re.compile(r"\b(?:drink\w*|drank|thirst\w*|bebe|bebiendo)\b"),
        re.compile(
            r"\b(?:constantly|all\s+the\s+time|non[\s-]?stop|gallons|litres|liters|jugs|"
            r"bottles\s+of\s+water|far\s+more|much\s+more|more\s+than\s+usual|excessive\w*|"
            r"loads\s+of\s+water|so\s+much\s+water|sin\s+parar|todo\s+el\s+tiempo)\b"
        ),
        "polydipsia",
    ),
    (
        # "getting up twice a night to wee": passing urine at night (nocturia)
        re.compile(r"\b(?:get(?:s|ting)?|got|wak(?:es|ing|e)|woke)\s+up\b"),
        re.compile(
            r"\bto\s+(?:wee|pee|urinate|pass\s+urine|go\s+to\s+the\s+(?:toilet|loo|bathroom))\b"
        ),
        "urinary_frequency",
    ),
    (
        # "a hot, swollen right knee", "her ankle is red and swollen": a hot swollen joint
        re.compile(
            r"\b(?:(?:hot|warm|red|inflamed),?\s+(?:and\s+)?(?:swollen|puffy)|"
            r"(?:swollen|puffy),?\s+(?:and\s+)?(?:hot|warm|red)|"
            r"(?:redness|heat|warmth)\s+and\s+swelling|swelling\s+and\s+(?:redness|heat|warmth)|"
            r"caliente\s+e\s+hinchad[oa]|hinchad[oa]\s+y\s+caliente)\b"
        ),
        re.compile(
            # "swollen from wrist to elbow" measures a swelling's extent; it names no joint
            r"(?<!from\s)(?<!to\s)(?<!from\sthe\s)(?<!to\sthe\s)(?<!from\sher\s)(?<!to\sher\s)"
            r"(?<!from\shis\s)(?<!to\shis\s)"
            r"\b(?:knee|ankle|wrist|elbow|hip|shoulder|joint|big\s+toe|toe\s+joint|knuckle|"
            r"rodilla|tobillo|muneca|codo|articulacion)\b"
        ),
        "hot_joint",
    ),
    (
        # "a bright red patch on the white of his eye": a subconjunctival haemorrhage, harmless
        # when painless with normal vision and no injury (NICE CKS subconjunctival haemorrhage)
        re.compile(
            r"\b(?:(?:bright\s+|deep\s+)?(?:red|blood(?:y)?)\s+(?:patch|spot|area|blotch|mark|splodge)|"
            r"burst\s+(?:a\s+)?blood\s+vessel|mancha\s+roja)\b"
        ),
        re.compile(
            r"\b(?:whites?\s+of\s+(?:my|his|her|the|their|your)\s+(?:right\s+|left\s+)?eyes?|"
            r"sclera|eyeball|blanco\s+del\s+ojo)\b"
        ),
        "subconjunctival_haemorrhage",
    ),
    (
        # "a mole on her back ... has grown and now has an irregular edge": the 7-point checklist
        # of a changing mole (NICE NG12 suspected melanoma)
        re.compile(r"\b(?:mole|moles|lunar|lunares)\b"),
        re.compile(
            r"\b(?:grown|grow(?:s|ing)?|bigger|larger|enlarg\w*|chang\w*|irregular|ragged|notched|"
            r"blurred\s+edges?|uneven|bleed\w*|bled|crust\w*|ooz\w*|darker|darkened|"
            r"(?:two|several|different|mixed)\s+(?:shades|colou?rs)|crece|cambiado|sangra)\b"
        ),
        "mole_change",
    ),
    (
        # "a red, sore rash over the nappy area": nappy rash (NICE CKS nappy rash), self-care
        # unless the red-flag rules see fever, blisters or a non-blanching rash
        re.compile(
            r"\b(?:rash|redness|red|sore|rojo|rojito|roja|rojita|irritad[oa]|escocid[oa])\b"
        ),
        # ... or "where the nappy touches", "under her nappy", "donde (le) roza el pañal"
        re.compile(
            r"\b(?:(?:nappy|diaper|panal)\s+(?:area|region|zone|zona)|"
            r"(?:where|under|inside|in)\s+(?:the|his|her|their)\s+(?:nappy|diaper)"
            r"(?:\s+(?:touches|rubs|sits|goes|is))?|donde\s+(?:le\s+)?(?:roza|toca|va)\s+el\s+pa(?:n|ñ)al)\b"
        ),
        "skin_minor",
    ),
    (
        # "his left eye drifts inwards when he's tired": a squint (NICE CKS squint)
        re.compile(r"\b(?:eye|eyes|ojo|ojos)\b"),
        re.compile(
            r"\b(?:drift\w*|wander\w*|turns?\s+(?:in|out)(?:wards?)?|turning\s+(?:in|out)(?:wards?)?|"
            r"goes\s+(?:in|out)wards?|crossing|se\s+desvia)\b"
        ),
        "squint",
    ),
    (
        # a capillary refill time of 3 s or more is prolonged (NICE NG143: amber at >= 3 s);
        # "CRT 2s" is normal and says nothing
        re.compile(r"\b(?:crt|cap(?:illary)?\s+refill(?:\s+time)?|relleno\s+capilar)\b"),
        re.compile(
            r"(?:>\s*|over\s+|more\s+than\s+|mas\s+de\s+)?\b(?:[3-9]|1\d)(?:[.,]\d)?\s*"
            r"(?:s|sec|secs|seconds|segundos)\b"
        ),
        "mottled_skin",
    ),
    (
        # "le di el inhalador azul y no le hace nada": the reliever is not working (BTS/SIGN)
        re.compile(r"\b(?:inhalador\w*|bombita|bomba|puff|puffs|salbutamol|ventolin\w*)\b"),
        re.compile(
            r"\b(?:no\s+(?:le|me)\s+(?:hace|hizo)\s+(?:nada|efecto)|no\s+(?:le|me)\s+(?:ayuda|ayudo|sirve|sirvio)|"
            r"not\s+(?:helping|working|touching\s+it)|isn'?t\s+(?:helping|working)|made\s+no\s+difference)\b"
        ),
        "reliever_not_helping",
    ),
    (
        # metal or stone flying into an eye (grinding, hammering, strimming): a high-velocity
        # injury for the eye clinic the same day (NICE CKS corneal superficial injury)
        re.compile(
            r"\b(?:grinding|drilling|hammering|chiselling|chiseling|strimming|angle\s+grinder|"
            r"metal\s+(?:bit|piece|fragment|filing|shard|splinter|chip)s?|bits?\s+of\s+metal|"
            r"flew\s+(?:in|into)|flying\s+(?:bit|piece|chip))\b"
        ),
        re.compile(r"\b(?:eye|eyes|ojo|ojos)\b"),
        "eye_injury",
    ),
    (
        # "it hurts when the car goes over bumps": pain on jolting, a sign of peritonism
        # (RCEM/WSES appendicitis assessment)
        re.compile(
            r"\b(?:over\s+(?:the\s+|any\s+|a\s+)?(?:bumps?|pothole\w*|speed\s+bumps?)|"
            r"every\s+(?:bump|pothole)|speed\s+bumps?|potholes|(?:por\s+)?(?:los\s+)?baches|tumbos)\b"
        ),
        re.compile(r"\b(?:hurts?|hurting|pain\w*|agony|sore|ow|duele|dolor)\b"),
        "peritonism",
    ),
    (
        # "knocked her head on a cupboard", "cracked my head on the path", "se golpeo la
        # cabeza": a head injury. "it hit 39.4 on the forehead scanner" is a reading reached.
        re.compile(
            r"\b(?:knock\w*|bang\w*|(?:hit|hits)(?!\s+(?:\d|thirty|forty|a\s+high|again))|"
            r"bump\w*|struck|smack\w*|whack\w*|clonk\w*|crack(?:ed|s)?|golpe\w*|pego)\b"
        ),
        re.compile(r"\b(?:head|forehead|cabeza|frente)\b"),
        "head_injury",
    ),
    (
        # "lost nearly a stone without trying", "down 6 kg": weight loss; "puts it down to age
        # and weight" is a cause offered, not a loss
        re.compile(r"\b(?:lost|losing|dropped|down(?!\s+to\b)|baje|bajado|perdi|perdido)\b"),
        re.compile(r"\b(?:stones?|kg|kgs|kilos?|pounds|lbs?|dress\s+sizes?|weight|peso)\b"),
        "weight_loss",
    ),
    (
        # "scalded her chest and the whole arm", "quemado el pecho y todo el brazo": a burn over a
        # whole limb or the trunk is over 9 % of the body surface, a burns-service referral
        # (British Burn Association referral guidance, 2018; Lund and Browder chart)
        re.compile(r"\b(?:burn\w*|burnt|scald\w*|quem\w+|escald\w+)\b"),
        re.compile(
            r"\b(?:(?:whole|entire|all\s+(?:of\s+)?(?:his|her|my|the|their))\s+(?:arm|leg|chest|back|front|"
            r"tummy|belly|stomach|body|side)|(?:todo|toda)\s+(?:el|la|su)\s+(?:brazo|pierna|pecho|espalda|"
            r"barriga|tripa|cuerpo|costado))\b"
        ),
        "major_burn",
    ),
    (
        # "an expanding red ring on his thigh": erythema migrans (NICE NG95)
        re.compile(
            r"\b(?:red|reddish|pink|expanding|spreading|growing|enlarging|widening|getting\s+bigger|"
            r"roj[oa]|que\s+crece)\b"
        ),
        re.compile(r"\b(?:ring|rings|circle|circles|target|bull'?s[\s-]?eye|anillo|circulo)\b"),
        "erythema_migrans",
    ),
    (
        # "spots that leave marks", "granos que dejan marca": acne that scars (NICE NG198)
        re.compile(r"\b(?:acne|spots|pimples|zits|granos|espinillas)\b"),
        re.compile(
            r"\b(?:scar\w*|leav\w*\s+(?:(?:dark|red|brown)\s+)?marks?|pitted|pitting|"
            r"dejan?\s+(?:una\s+)?marcas?|cicatri\w+)\b"
        ),
        "acne_scarring",
    ),
    (
        # "a little red lump on the edge of my eyelid", "un bultito en el párpado": a stye
        # (hordeolum), warm compresses at home (NICE CKS styes); a red eye or a change in sight
        # has its own readings and rules
        re.compile(r"\b(?:lump|bump|spot|pimple|bulto|bultito|granito|grano|bolita)\b"),
        re.compile(r"\b(?:eyelids?|eye\s*lids?|lid|parpados?)\b"),
        "skin_minor",
    ),
    (
        # "the cut is about 2 cm and gaping", "la herida … está abierta": wound edges apart,
        # for closure the same day (RCEM / NICE CKS lacerations)
        re.compile(r"\b(?:wound|cut|gash|laceration|herida|corte|tajo)\b"),
        re.compile(
            r"\b(?:abierta|gaping|gapes|gape|wide\s+open|split\s+open|edges\s+apart|se\s+abre)\b"
        ),
        "deep_wound",
    ),
    (
        # a burn of a tenth or more of the body surface, as notes write it: "~20 % SCQ", "15%
        # TBSA" (British Burn Association: fluid resuscitation and a burns centre)
        re.compile(r"\b(?:burn\w*|scald\w*|quemad\w*|quemadura\w*|escald\w*)\b"),
        re.compile(
            r"(?:\b[1-9]\d|\b100)\s*%\s*(?:tbsa|bsa|scq|sct|sc|of\s+(?:the\s+|his\s+|her\s+)?body|"
            r"de\s+(?:la\s+)?superficie)\b"
        ),
        "major_burn",
    ),
    (
        # ... or the extent on its own, in the burn-chart terms only a burn is measured in
        re.compile(r"(?:\b[1-9]\d|\b100)(?=\s*%)"),
        re.compile(r"\b(?:tbsa|scq|sct)\b"),
        "major_burn",
    ),
    (
        # "hammering metal on metal and something hit my eye": a high-velocity foreign body is
        # a penetrating eye injury until imaged (RCOphth; NICE CKS eye trauma)
        re.compile(
            r"\b(?:hammer\w*|chisel\w*|grind\w*|grinder|drilling|metal\s+on\s+metal|high[\s-]velocity|"
            r"martill\w*|amoladora|radial|cincel)\b"
        ),
        re.compile(r"\b(?:eye|eyes|eyeball|ojo|ojos)\b"),
        "penetrating_eye_injury",
    ),
    (
        # blisters on the forehead or the tip of the nose: shingles of the ophthalmic nerve, the
        # nose tip being Hutchinson's sign (NICE CKS shingles: same-day eye assessment)
        re.compile(r"\b(?:vesicul\w*|ampollas|blisters|vesicles)\b"),
        re.compile(
            r"\b(?:frente|forehead|punta\s+de\s+la\s+nariz|tip\s+of\s+(?:the\s+|his\s+|her\s+|my\s+)?nose)\b"
        ),
        "shingles",
    ),
    (
        # "ran out of his co-careldopa yesterday", "se le acabó la insulina": a time-critical
        # medicine missed (NICE NG71 Parkinson's; JBDS insulin; NICE NG217 epilepsy; Society
        # for Endocrinology steroid emergency card)
        re.compile(
            r"\b(?:ran\s+out|run\s+out|runs\s+out|running\s+out|missed|not\s+had|(?:hasn'?t|haven'?t|hasnt|havent)"
            r"\s+(?:had|taken)|without|se\s+(?:le|me)\s+acab\w+|no\s+(?:ha|he)\s+tomado|sin)\b"
        ),
        re.compile(
            r"\b(?:co-?careldopa|co-?beneldopa|levodopa|sinemet|madopar|stalevo|parkinson'?s\s+(?:tablets|medication|meds)|"
            r"insulin|insulina|hydrocortisone|hidrocortisona|levetiracetam|keppra|lamotrigine|"
            r"sodium\s+valproate|epilim|carbamazepine|phenytoin|anti-?epileptics?|antiepilepticos?)\b"
        ),
        "missed_critical_medicine",
    ),
    (
        # a bump or an egg on a child's forehead after walking into a table: a head injury, for
        # the NICE NG232 checks (home care when none of them is present)
        re.compile(r"\b(?:bump|egg|goose\s*egg|bruise|chichon|chichón)\b"),
        re.compile(r"\b(?:forehead|head|frente|cabeza)\b"),
        "head_injury",
    ),
    (
        # "punched a door and my hand is really swollen": a metacarpal fracture until an X-ray
        # says otherwise (NICE NG38; BSSH boxer's fracture), seen the same day
        re.compile(r"\b(?:punch\w*|puñetazos?|punetazos?|punetaz\w*)\b"),
        re.compile(r"\b(?:swollen|swelling|swelled|hinchad[ao]s?|hinchazon)\b"),
        "possible_fracture",
    ),
    (
        # "my left eye has gone really red", "tiene el ojo rojo": a red eye
        re.compile(r"\b(?:eye|eyes|eyeball|ojo|ojos)\b"),
        re.compile(
            r"\b(?:red|redder|reddened|bloodshot|pink|rojos?|rojas?|enrojecidos?|colorados?)\b"
        ),
        "red_eye",
    ),
    (
        # "the wound smells", "la herida huele mal": an infected wound (NICE NG141; NICE CKS)
        re.compile(r"\b(?:wound|cut|ulcer|sore|graze|herida|ulcera|llaga|corte)\b"),
        re.compile(
            r"\b(?:smells?|smelly|smelling|stinks|foul|huele\s+mal|mal\s+olor|apesta|hiede)\b"
        ),
        "cellulitis",
    ),
    (
        # "he swallowed a coin", "se ha tragado una moneda": a swallowed object (ESPGHAN 2015:
        # even a well child has an X-ray the same day; a battery or magnets sooner, own rules)
        re.compile(r"\b(?:swallowed|swallow|swallowing|tragado|trago|tragarse|tragó)\b"),
        re.compile(
            # ... a solid object; not the tiny beads of a silica gel sachet (NPIS: non-toxic)
            r"\b(?:coins?|monedas?|marbles?|canicas?|buttons?|botones|boton|"
            r"earrings?|pendientes?|rings?|anillos?|screws?|tornillos?|nails?|clavos?|pins?|"
            r"alfileres|alfiler|piece\s+of\s+(?:lego|plastic|toy)|lego|"
            r"small\s+toy|juguete|tapon|bottle\s+top|pen\s+lid)\b"
        ),
        "foreign_body",
    ),
    (
        # "pushed a bead up her nostril", "se ha metido algo en el oído": an object in the
        # nose or ear, removed the same day (ENT UK; NICE CKS)
        re.compile(
            r"\b(?:pushed|put|stuck|shoved|inserted|poked|metido|metio|meti)\b"
            # ... not a finger in an ear against a noise
            r"(?!\s+(?:(?:her|his|my|their|a|el|su)\s+)?(?:fingers?|hands?|thumbs?|head|dedos?))"
        ),
        re.compile(
            r"\b(?:up\s+(?:his|her|my|the|their)\s+(?:right\s+|left\s+)?(?:nostril|nose)|"
            r"(?:in|into|inside)\s+(?:his|her|my|the|their)\s+(?:right\s+|left\s+)?(?:nostril|nose|ear)|"
            r"en\s+(?:la|su)\s+nariz|en\s+(?:el|su)\s+oido|por\s+la\s+nariz)\b"
        ),
        "foreign_body",
    ),
    (
        re.compile(r"\b(?:lips|heels|knuckles)\b"),
        re.compile(r"\b(?:chapped|cracked|cracking|split|splitting)\b"),
        "skin_minor",
    ),
    # Generic descriptor + body-part compositions, so unseen lay wording is still recognised
    # ("her mouth is sagging", "words coming out slurry", "his forearm looks wonky").
    (
        re.compile(r"\b(?:face|mouth|smile|lips?|cheek)\b"),
        re.compile(
            r"\b(?:droop\w*|sag\w*|lopsided|crooked|twisted|wonky|drooped|fallen|slipped|weak|"
            r"hanging\s+down|slumped|uneven|dropped|gone\s+to\s+one\s+side)\b"
        ),
        "facial_droop",
    ),
    (
        # one limb that "feels heavy / has gone dead / floppy / useless" is a weak limb
        re.compile(r"\b(?:arm|hand|leg|foot|side\s+of\s+(?:my|his|her|the)\s+body)\b"),
        re.compile(
            r"\b(?:(?:feels?|felt|gone|went|is|has\s+gone)\s+(?:all\s+)?"
            r"(?:heavy|dead|floppy|flopping|useless|limp)|won'?t\s+work|stopped\s+working|"
            r"not\s+working|dragging|drags|flopping|flops)\b"
        ),
        "unilateral_weakness",
    ),
    (
        # a wound or scar that oozes, weeps pus or has gone red and angry is infected (NICE
        # NG125 surgical site infection; NICE CKS cellulitis)
        re.compile(
            r"\b(?:wound|scar|incision|stitches|staples|cut|graze|burn|blister|herida|cicatriz|"
            r"puntos|quemadura)\b"
        ),
        re.compile(
            r"\b(?:oozing|oozes|pus|weeping|discharging|gone\s+red|red\s+and\s+(?:hot|angry|swollen)|"
            r"angry|inflamed|smelly|smells|supura\w*)\b"
        ),
        "cellulitis",
    ),
    (
        # a lump that is hot, throbbing or full of pus is an abscess (NICE CKS skin abscess;
        # perianal abscess: urgent surgical drainage)
        re.compile(r"\b(?:lump|bump|swelling|swollen\s+area|bulto)\b"),
        re.compile(r"\b(?:hot|throbbing|pus|oozing|warm\s+to\s+(?:the\s+)?touch|caliente)\b"),
        "cellulitis",
    ),
    (
        # "the soft spot on his head looks sunken": a sunken fontanelle is dehydration, a bulging
        # one raised pressure (NICE NG143 traffic light; NICE CG84)
        re.compile(r"\b(?:soft\s+spot|fontanelle?|mollera|fontanela)\b"),
        re.compile(r"\b(?:sunken|sunk|sinking|dipped|dipping|hollow|caved|hundida|sumida)\b"),
        "dehydration",
    ),
    (
        re.compile(r"\b(?:soft\s+spot|fontanelle?|mollera|fontanela)\b"),
        re.compile(r"\b(?:bulging|bulges|bulge|raised|tense|tight|swollen|puffed\s+up|abombada)\b"),
        "bulging_fontanelle",
    ),
    (
        # Spanish tells these with a verb in any tense ("he vomitado algo verde", "se me ha
        # hinchado la barriga", "no hago de vientre ni echo gases"): green vomit is bilious
        # (NICE CKS bowel obstruction), a swollen belly distension
        re.compile(r"\b(?:vomit\w*|devuel\w*|devolv\w*|arroj\w*)\b"),
        re.compile(r"\b(?:verde|verdoso|verdosa|bilis)\b"),
        "bilious_vomiting",
    ),
    (
        re.compile(r"\b(?:barriga|panza|tripa|vientre|abdomen|pancita|guata)\b"),
        re.compile(
            r"\b(?:hinchad[oa]|hinch\w+|inflamad[oa]|distendid[oa]|abultad[oa]|dura\s+como)\b"
        ),
        "abdominal_distension",
    ),
    (
        # snoring, and pauses in the breathing of a sleeper (NICE CKS OSAHS)
        re.compile(r"\b(?:ronca|roncar|ronquidos?|ronquea)\b"),
        re.compile(
            r"\b(?:mucho|muchisimo|fuerte|fuertes|todas\s+las\s+noches|por\s+las\s+noches|dej\w*\s+de\s+respirar)\b"
        ),
        "sleep_apnoea",
    ),
    (
        # the jaw aching as it chews, the scalp sore as the hair is brushed: the two ischaemic
        # symptoms of giant cell arteritis, in whatever words (BSR 2020 GCA guideline)
        re.compile(r"\b(?:jaw|mandibula)\b"),
        re.compile(
            r"\b(?:(?:when|while|on|after|with)\s+(?:(?:she|he|i|they)\s+)?(?:chew\w*|eat\w*)|"
            r"al\s+(?:masticar|comer))\b"
        ),
        "jaw_claudication",
    ),
    (
        re.compile(r"\b(?:scalp|cuero\s+cabelludo)\b"),
        re.compile(r"\b(?:tender\w*|sore|hurts?|painful|sensitive|sensible|duele)\b"),
        "scalp_tenderness",
    ),
    (
        # raised bumps that itch are a skin lesion (bites, hives, spots), not a lump to examine
        # (NICE CKS insect bites and stings; urticaria)
        re.compile(r"\b(?:bumps|lumps|welts|ronchas)\b"),
        re.compile(r"\b(?:itch\w*|pica\w*)\b"),
        "skin_minor",
    ),
    (
        # crusts or flakes on the scalp: cradle cap in a baby, dandruff later (NICE CKS
        # seborrhoeic dermatitis): looked after at home
        re.compile(r"\b(?:scalp|cuero\s+cabelludo)\b"),
        re.compile(r"\b(?:crust\w*|flak\w*|scaly|scales|greasy|costras?|escamas)\b"),
        "skin_minor",
    ),
    (
        # a fuel-burning appliance and the whole household (pets too) unwell together is
        # carbon monoxide until proven otherwise (NICE CKS carbon monoxide poisoning)
        # ... an appliance in use: "since we turned the heater on", "encendimos la estufa"
        re.compile(
            r"\b(?:(?:turn\w*|put|switch\w*|lit|light\w*|us(?:e|ed|ing)|run\w*|ran|started|"
            r"encend\w*|prend\w*|pusimos|usamos|usando)\s+(?:[\w']+\s+){0,3}?)"
            r"(?:heater|boiler|gas\s+fire|gas\s+stove|stove|log\s+burner|wood\s+burner|"
            r"generator|fireplace|estufa|calentador|caldera|brasero|chimenea|calefaccion)\b"
        ),
        re.compile(
            r"\b(?:every\s?one(?:\s+else)?\s+(?:in\s+the\s+(?:house|family|flat)\s+)?(?:has|have|is|are|feels?|got)|"
            r"we\s+(?:all|both)|all\s+of\s+us|the\s+whole\s+(?:family|house(?:hold)?)|"
            r"the\s+(?:dog|cat)\s+(?:too|as\s+well|also|is|seems)|"
            r"todos\s+(?:tenemos|estamos|nos)|toda\s+la\s+familia|(?:el\s+perro|el\s+gato)\s+tambien)"
        ),
        "carbon_monoxide",
    ),
    (
        # the arm and the leg of one side weak or clumsy together is a hemiparesis, a stroke
        # until proven otherwise (NICE NG128; FAST) — whatever the caller blames it on
        re.compile(
            r"\b(?:(?:left|right|one)\s+(?:arm|hand)\s+and\s+(?:\w+\s+)?leg|"
            r"(?:arm|hand)\s+and\s+leg\s+on\s+(?:the\s+|one\s+|his\s+|her\s+|my\s+)?(?:left|right|same|one))\b"
        ),
        re.compile(r"\b(?:weak\w*|clumsy|heavy|numb|dead|floppy|useless|not\s+working)\b"),
        "unilateral_weakness",
    ),
    (
        # "both legs feel heavy / like jelly": weakness of both legs (NICE CKS sciatica red
        # flags; GIRFT cauda equina pathway), not one weak limb; "his legs have become weak"
        # (the plural) says the same
        re.compile(
            r"\b(?:both\s+(?:of\s+)?(?:my\s+|his\s+|her\s+|their\s+|the\s+)?legs|"
            r"(?:my|his|her|their)\s+legs)\b"
        ),
        re.compile(
            r"\b(?:heavy|weak|weaker|wobbly|like\s+jelly|jelly|giving\s+way|gave\s+way|buckl\w*|"
            r"won'?t\s+(?:hold|take)|floppy|useless)\b"
        ),
        "bilateral_leg_weakness",
    ),
    (
        # "a harsh noise on breathing in": stridor, a noise of the in-breath (NICE CKS croup)
        re.compile(
            r"\b(?:harsh|high[\s-]pitched|squeaky|squeak\w*|crowing|rasping|raspy|noise|noises|"
            r"sound|noisy)\b"
        ),
        re.compile(
            r"\b(?:(?:breath(?:e|es|ing)|breaths)\s+in(?!\s+and\s+out)|breathing\s+inwards|"
            r"in[\s-]breaths?|inhal\w+|on\s+inspiration|inspiratory|al\s+inspirar)\b"
        ),
        "stridor",
    ),
    (
        # "the skin between her ribs is drawing in": chest indrawing (recession), a red feature
        # of a child's breathing (NICE NG143 traffic light; NICE NG9 bronchiolitis)
        re.compile(
            r"\b(?:ribs|rib\s+cage|ribcage|chest|breastbone|sternum|tummy|belly|costillas)\b"
        ),
        re.compile(
            r"\b(?:(?:drawing|drawn|draws|sucking|sucked|sucks|pulling|pulled|pulls|caving|caves|"
            r"sinking|sinks|tugging|tugs)\s+in(?:wards?)?|se\s+hunden?)\b"
        ),
        "severe_breathing_difficulty",
    ),
    (
        # "the vision in one eye went blurry", "her eyesight has gone misty"
        re.compile(r"\b(?:vision|eyesight|sight)\b"),
        re.compile(r"\b(?:blurry|blurred|blurring|fuzzy|misty|hazy|cloudy|foggy|borrosa)\b"),
        "blurred_vision",
    ),
    (
        re.compile(r"\b(?:can'?t|cannot|unable\s+to|couldn'?t)\s+see\b"),
        re.compile(r"\b(?:out\s+of|one\s+side|half|one\s+eye|that\s+eye)\b"),
        "vision_loss",
    ),
    (
        # the means to act on suicidal thoughts ("got the tablets ready", "bought a rope")
        re.compile(r"\b(?:tablets|pills|rope|knife|gun|means|medication|meds)\b"),
        re.compile(
            r"\b(?:ready|saved\s+up|stockpil\w*|hoard\w*|collected|lined\s+up|set\s+aside|"
            r"to\s+take\s+(?:tonight|today|later))\b"
        ),
        "means_at_hand",
    ),
    (
        re.compile(r"\b(?:speech|words|talking|speaking)\b"),
        re.compile(
            r"\b(?:slurr\w*|jumbled|garbled|muddled|gibberish|nonsense|mumbl\w*|"
            r"mixed\s+up|all\s+wrong|coming\s+out\s+wrong|thick)\b"
        ),
        "slurred_speech",
    ),
    (
        re.compile(
            r"\b(?:arm|forearm|wrist|leg|ankle|fingers?|toes?|elbow|shoulder|knee|shin|thumb|"
            r"collarbone|hand|foot|nose|knuckles?|cheekbone)\b"
        ),
        re.compile(
            r"\b(?:wonky|crooked|deformed|misshapen|out\s+of\s+shape|sunk(?:en)?\s+in|dented|"
            r"(?:funny|odd|weird|strange|wrong|awkward)\s+angle|sticking\s+out|out\s+of\s+place|"
            r"(?:all|looks?|is|gone)\s+bent|"
            r"bent\s+(?:funny|wrong|out\s+of\s+shape|sideways|backwards|the\s+wrong\s+way))\b"
        ),
        "possible_fracture",
    ),
    (
        re.compile(r"\b(?:pee|wee|urine|urinating|peeing|weeing|pees|wees|piss)\b"),
        re.compile(r"\b(?:burn\w*|sting\w*|hurts?|painful|pain|sore|scald\w*)\b"),
        "dysuria",
    ),
    (
        re.compile(
            r"\b(?:cables?|wires?|sockets?|mains|plugs?|power\s+lines?|electric\w*|live\s+wire|"
            r"current|volts?|voltage)\b"
        ),
        re.compile(r"\b(?:shock\w*|zapped|electrocuted|jolt\w*)\b"),
        "electric_shock",
    ),
    (
        re.compile(r"\b(?:eyes?|ojos?)\b"),
        re.compile(
            r"\b(?:bleach|chemicals?|acid|alkali|oven\s+cleaner|cleaning\s+(?:spray|fluid|product)|"
            r"cement|lime|caustic|lejia)\b"
        ),
        "eye_injury",
    ),
    (
        re.compile(
            r"\b(?:can'?t|cannot|unable\s+to|not\s+able\s+to|can\s+barely|barely|can\s+hardly|"
            r"hardly|struggl\w*\s+to|hard\s+to|trouble|difficulty)\s+(?:even\s+)?swallow\w*\b"
        ),
        re.compile(r"\b(?:saliva|spit|spittle)\b"),
        "drooling",
    ),
    (
        re.compile(r"\b(?:can\s+barely|barely|can\s+hardly|hardly|struggl\w*\s+to|painful\s+to)\b"),
        re.compile(r"\bswallow\w*\b"),
        "dysphagia",
    ),
    (
        re.compile(r"\b(?:bleed\w*|blood)\b"),
        re.compile(
            # ... but "going loads" / "weeing loads" is how often, not how much blood
            r"\b(?:(?<!going\s)(?<!peeing\s)(?<!weeing\s)(?<!pee\s)(?<!wee\s)loads(?!\s+of)|"
            r"heavily|profusely|everywhere|pouring|gushing|spurting|soaked|soaking|"
            r"won'?t\s+stop|not\s+stopping|will\s+not\s+stop)\b"
        ),
        "severe_bleeding",
    ),
    (
        re.compile(r"\b(?:skin|eyes|whites\s+of|piel|ojos)\b"),
        re.compile(r"\b(?:yellow|yellowish|amarill[oa]s?)\b"),
        "jaundice",
    ),
]


# A second cue straight after a negation is the reassuring negative ("vomiting, no blood"), not
# the finding; the pair must not assert what the patient denies.
_NEGATED_CUE = re.compile(
    r"\b(?:no|without|nor|never|sin|not\s+any|not|isn'?t|aren'?t|wasn'?t|hasn'?t|haven'?t|"
    r"has\s+not|have\s+not|none\s+(?:of\s+them\s+)?(?:have|has|had|are|is))(?:\s+been)?\s+$"
)


def find_pairs(norm: str) -> list[tuple[tuple[int, int], list[tuple[int, int]], str]]:
    """For each pair rule: every first-cue span with the list of second-cue spans."""
    out = []
    for first, second, concept in PAIRS:
        seconds = [
            (m.start(), m.end())
            for m in second.finditer(norm)
            if not _NEGATED_CUE.search(norm, 0, m.start())
        ]
        if not seconds:
            continue
        for m in first.finditer(norm):
            out.append(((m.start(), m.end()), seconds, concept))
    return out
