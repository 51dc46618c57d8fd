"""Medical history: conditions ("type 2 diabetes", "on chemo"), medications (with a drug class
used by the red-flag rules, e.g. anticoagulant) and allergies ("allergic to penicillin", "NKDA").
"""

from __future__ import annotations

import re

from media_host.intake_agent.models import History

# condition id → phrases (regex fragments over normalised text)
CONDITIONS: dict[str, tuple[str, ...]] = {
    "diabetes": (
        r"diabet(?:es|ic)",
        r"t[12]dm",
        r"type\s+[12i]+\s+diabet\w*",
        r"iddm",
        r"niddm",
        r"dm2?",
        r"sugar\s+diabetes",
        r"diabetes\s+mellitus",
        r"diabetico",
        r"diabetica",
    ),
    "type1_diabetes": (
        r"type\s+(?:1|one|i)\s+diabet\w*",
        r"t1dm",
        r"iddm",
        r"insulin[\s-]dependent",
        r"diabetes\s+tipo\s+1",
    ),
    "hypertension": (
        r"hypertension",
        r"htn",
        r"high\s+blood\s+pressure",
        r"hypertensive",
        r"hipertension",
        r"presion\s+alta",
    ),
    "asthma": (r"asthma(?:tic)?", r"asma", r"asmatico"),
    "copd": (
        r"copd",
        r"emphysema",
        r"chronic\s+bronchitis",
        r"chronic\s+obstructive\s+pulmonary\s+disease",
        r"epoc",
    ),
    "heart_disease": (
        r"coronary\s+artery\s+disease",
        r"cad",
        r"ischa?emic\s+heart\s+disease",
        r"ihd",
        r"heart\s+disease",
        r"(?:previous|prior|old)\s+(?:mi|heart\s+attack)",
        r"stents?",
        r"bypass\s+surgery",
        r"cabg",
        r"heart\s+attack\s+(?:\w+\s+){0,2}ago",
        r"cardiopatia",
    ),
    "heart_failure": (
        r"heart\s+failure",
        r"chf",
        r"hfref",
        r"cardiac\s+failure",
        r"insuficiencia\s+cardiaca",
    ),
    "atrial_fibrillation": (
        r"atrial\s+fibrillation",
        r"a\s*fib",
        r"afib",
        r"\baf\b",
        r"fibrilacion\s+auricular",
    ),
    "stroke_history": (r"(?:previous|prior|old|history\s+of)\s+(?:stroke|tia|cva)",),
    "cancer": (
        r"cancer",
        r"malignancy",
        r"metasta\w+",
        r"tumou?r",
        r"leuka?emia",
        r"lymphoma",
        r"carcinoma",
        r"oncology",
        r"cancer",
        r"quimioterapia",
    ),
    "immunosuppression": (
        r"immuno(?:compromised|suppressed|suppression|deficiency)",
        r"chemo(?:therapy)?",
        r"transplant",
        r"hiv",
        r"aids",
        r"neutropeni\w+",
        r"splenectomy",
        r"asplenia",
        r"on\s+(?:long[\s-]term\s+)?steroids",
        r"biologics?",
        r"inmunodeprimido",
        r"quimio",
    ),
    "kidney_disease": (
        r"ckd",
        r"chronic\s+kidney\s+disease",
        r"renal\s+failure",
        r"kidney\s+failure",
        r"dialysis",
        r"insuficiencia\s+renal",
    ),
    "liver_disease": (r"cirrhosis", r"liver\s+disease", r"hepatitis", r"cirrosis"),
    "epilepsy": (
        r"epilep\w+",
        r"seizure\s+disorder",
        r"known\s+seizures",
        r"epilepsia",
        r"epileptico",
    ),
    "sickle_cell": (r"sickle\s+cell", r"drepanocitosis"),
    "vte_history": (
        r"(?:previous|prior|history\s+of)\s+(?:dvt|pe|blood\s+clots?|pulmonary\s+embol\w+)",
        r"clotting\s+disorder",
        r"factor\s+v\s+leiden",
    ),
    "bleeding_disorder": (
        r"ha?emophilia",
        r"bleeding\s+disorder",
        r"von\s+willebrand",
        r"hemofilia",
    ),
    "dementia": (r"dementia", r"alzheimer'?s", r"demencia"),
    "recent_surgery": (
        r"recent(?:ly)?\s+(?:had\s+)?(?:surgery|operation)",
        r"post[\s-]?op(?:erative)?",
        r"(?:surgery|operation)\s+(?:\w+\s+){0,2}(?:ago|last\s+week)",
        r"after\s+(?:my|his|her)\s+surgery",
        r"c[\s-]?section\s+(?:\w+\s+){0,2}ago",
        r"cirugia\s+reciente",
    ),
    "immobility": (
        r"long[\s-]haul\s+flight",
        r"long\s+flight",
        r"long\s+(?:car|coach|bus)\s+(?:ride|journey|trip)",
        r"bed[\s-]?(?:bound|ridden|rest)",
        r"immobili[sz]\w+",
        r"(?:leg|plaster)\s+cast",
        r"in\s+a\s+cast",
        r"vuelo\s+largo",
    ),
    "oral_contraceptive": (
        r"(?:birth\s+control|contraceptive|the)\s+pill",
        r"ocp",
        r"oral\s+contraceptives?",
        r"anticonceptivos?",
    ),
    "smoker": (
        r"smok(?:er|es|ing)",
        r"cigarettes",
        r"pack[\s-]years?",
        r"fumador",
        r"fumadora",
        r"fumo",
    ),
    "obesity": (r"obes(?:e|ity)", r"bmi\s+(?:of\s+)?[34]\d", r"obesidad"),
    "pregnancy_complication": (r"pre[\s-]?eclampsia", r"preeclampsia", r"placenta\s+previa"),
    "migraine_history": (
        r"(?:history\s+of|known|usual|normal|typical)\s+migraines?",
        r"get\s+migraines",
        r"suffer\s+(?:from\s+)?migraines",
        r"my\s+(?:usual|normal|typical)\s+migraine",
    ),
    "ibd": (r"crohn'?s", r"ulcerative\s+colitis", r"inflammatory\s+bowel\s+disease", r"ibd"),
    "alcohol_use": (
        r"alcoholi\w+",
        r"heavy\s+drink\w+",
        r"drinks\s+heavily",
        r"alcohol\s+(?:abuse|excess|use\s+disorder)",
        r"binge\s+drink\w*",
    ),
    "ivdu": (r"ivdu", r"iv\s+drug\s+use\w*", r"inject(?:s|ing)?\s+drugs", r"heroin"),
    "depression_history": (
        r"(?:history\s+of|diagnosed\s+with)\s+depression",
        r"bipolar",
        r"schizophreni\w+",
    ),
    "hyperlipidemia": (
        r"hyperlipida?emia",
        r"high\s+cholesterol",
        r"dyslipida?emia",
        r"hypercholesterola?emia",
        r"colesterol\s+alto",
    ),
    "thyroid": (
        r"hypothyroid\w*",
        r"hyperthyroid\w*",
        r"thyroid\s+(?:disease|problems?)",
        r"hipotiroidismo",
    ),
}

# drug name → class (used by rules such as "head injury on anticoagulant")
DRUGS: dict[str, str] = {}
_DRUG_TABLE: dict[str, tuple[str, ...]] = {
    "anticoagulant": (
        "warfarin",
        "coumadin",
        "apixaban",
        "eliquis",
        "rivaroxaban",
        "xarelto",
        "dabigatran",
        "pradaxa",
        "edoxaban",
        "heparin",
        "enoxaparin",
        "lovenox",
        "clexane",
        "blood thinners",
        "blood thinner",
        "anticoagulants",
        "anticoagulant",
        "anticoagulantes",
        "sintrom",
        "acenocumarol",
    ),
    "antiplatelet": ("aspirin", "clopidogrel", "plavix", "ticagrelor", "prasugrel", "aspirina"),
    "insulin": ("insulin", "insulina", "lantus", "novorapid", "humalog"),
    "oral_hypoglycemic": (
        "metformin",
        "metformina",
        "gliclazide",
        "glipizide",
        "sitagliptin",
        "januvia",
        "empagliflozin",
        "jardiance",
        "dapagliflozin",
        "forxiga",
        "canagliflozin",
        "semaglutide",
        "ozempic",
    ),
    "immunosuppressant": (
        "prednisone",
        "prednisolone",
        "methotrexate",
        "tacrolimus",
        "cyclosporine",
        "ciclosporin",
        "azathioprine",
        "mycophenolate",
        "chemotherapy",
        "chemo",
        "steroids",
        "dexamethasone",
        "hydrocortisone",
        "adalimumab",
        "humira",
        "infliximab",
        "rituximab",
    ),
    "antihypertensive": (
        "lisinopril",
        "ramipril",
        "enalapril",
        "amlodipine",
        "losartan",
        "valsartan",
        "metoprolol",
        "bisoprolol",
        "atenolol",
        "propranolol",
        "hydrochlorothiazide",
        "indapamide",
        "enalapril",
        "candesartan",
        "nifedipine",
        "diltiazem",
        "verapamil",
    ),
    "statin": (
        "atorvastatin",
        "simvastatin",
        "rosuvastatin",
        "pravastatin",
        "lipitor",
        "crestor",
        "statin",
        "statins",
    ),
    "analgesic": (
        "ibuprofen",
        "paracetamol",
        "acetaminophen",
        "tylenol",
        "advil",
        "motrin",
        "nurofen",
        "naproxen",
        "aleve",
        "diclofenac",
        "co-codamol",
        "codeine",
        "panadol",
        "paracetamol",
        "ibuprofeno",
        "naproxeno",
        "metamizol",
        "nolotil",
    ),
    "opioid": (
        "tramadol",
        "morphine",
        "oxycodone",
        "hydrocodone",
        "fentanyl",
        "methadone",
        "buprenorphine",
        "codeina",
        "morfina",
    ),
    "antibiotic": (
        "amoxicillin",
        "penicillin",
        "augmentin",
        "co-amoxiclav",
        "doxycycline",
        "ciprofloxacin",
        "nitrofurantoin",
        "trimethoprim",
        "azithromycin",
        "cephalexin",
        "cefalexin",
        "clarithromycin",
        "flucloxacillin",
        "amoxicilina",
        "penicilina",
        "antibiotics",
        "antibiotic",
        "antibioticos",
    ),
    "antidepressant": (
        "sertraline",
        "fluoxetine",
        "prozac",
        "citalopram",
        "escitalopram",
        "amitriptyline",
        "venlafaxine",
        "mirtazapine",
        "duloxetine",
        "paroxetine",
        "sertralina",
        "fluoxetina",
    ),
    "inhaler": (
        "salbutamol",
        "albuterol",
        "ventolin",
        "inhaler",
        "inhalers",
        "seretide",
        "symbicort",
        "fostair",
        "budesonide",
        "fluticasone",
        "tiotropium",
        "inhalador",
    ),
    "thyroid": ("levothyroxine", "thyroxine", "synthroid", "levotiroxina", "eutirox"),
    "ppi": ("omeprazole", "lansoprazole", "pantoprazole", "esomeprazole", "nexium", "omeprazol"),
    "contraceptive": (
        "contraceptive pill",
        "birth control pill",
        "birth control",
        "the pill",
        "anticonceptivos",
    ),
    "antihistamine": (
        "cetirizine",
        "loratadine",
        "benadryl",
        "diphenhydramine",
        "fexofenadine",
        "chlorphenamine",
        "piriton",
        "antihistamine",
        "antihistamines",
        "antihistaminico",
    ),
    "epinephrine": ("epipen", "epi pen", "adrenaline auto-injector", "epinephrine"),
    "mood_stabilizer": ("lithium", "litio"),
    "antiepileptic": (
        "levetiracetam",
        "keppra",
        "lamotrigine",
        "valproate",
        "sodium valproate",
        "carbamazepine",
        "phenytoin",
        "topiramate",
    ),
    "diuretic": ("furosemide", "lasix", "bumetanide", "spironolactone", "furosemida"),
    "cardiac": ("digoxin", "nitroglycerin", "gtn", "isosorbide", "amiodarone"),
    "neuropathic": ("gabapentin", "pregabalin", "lyrica"),
    "triptan": ("sumatriptan", "rizatriptan", "zolmitriptan"),
    "hormone": ("hrt", "hormone replacement", "estrogen", "oestrogen", "testosterone"),
    "antipsychotic": (
        "olanzapine",
        "quetiapine",
        "risperidone",
        "aripiprazole",
        "clozapine",
        "haloperidol",
    ),
}
for _cls, _names in _DRUG_TABLE.items():
    for _name in _names:
        DRUGS.setdefault(_name, _cls)

_CONDITION_RES = [
    (cid, re.compile(r"\b(?:" + "|".join(p) + r")\b")) for cid, p in CONDITIONS.items()
]
_DRUG_RE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, DRUGS), key=len, reverse=True)) + r")\b"
)
_ALLERGY_RE = re.compile(
    r"\b(?:allergic\s+to|allergy\s+to|allergies\s+to|allergies\s*:|allergy\s*:|alergic\s+to|alergico\s+a|alergica\s+a|"
    r"alergia\s+a(?:\s+la|\s+el)?)\s+(?P<what>[a-z0-9 ,'-]{2,60})"
)
_NAMED_ALLERGY_RE = re.compile(r"\b(?P<what>[a-z]+)\s+allerg(?:y|ies)\b")
_NKA_RE = re.compile(
    r"\b(?:nkda|nka|no\s+known\s+(?:drug\s+)?allergies|no\s+(?:drug\s+)?allergies|not\s+allergic\s+to\s+anything|"
    r"no\s+(?:tengo|tiene)\s+alergias|sin\s+alergias(?:\s+conocidas)?|allergies\s*:\s*none|no\s+allergy)\b"
)
_ALLERGENS = re.compile(
    r"\b(?:penicillin|amoxicillin|sulfa|sulpha|sulfonamides?|aspirin|ibuprofen|nsaids?|codeine|morphine|latex|peanuts?|"
    r"nuts?|tree\s+nuts|shellfish|eggs?|milk|dairy|soy|wheat|fish|bees?|bee\s+stings?|wasps?|iodine|contrast|"
    r"cats?|dogs?|pollen|dust|penicilina|mariscos|cacahuates?|mani|nueces|huevo|latex|codeina)\b"
)
_MED_CONTEXT = re.compile(
    r"\b(?:takes?|taking|took|on|using|uses|prescribed|medications?\s*(?:include|:)?|meds?\s*:?|tomo|toma|tomando)\b"
)
_NEGATED_MED = re.compile(
    r"\b(?:no|not\s+on\s+any|none|doesnt\s+take|dont\s+take|sin)\s+(?:\w+\s+)?(?:medications?|meds|medicines?|medicamentos)\b"
)


def extract_history(norm: str, *, bare_list: str | None = None) -> History:
    """Conditions, medications and allergies stated in ``norm``.

    Args:
        norm: normalised utterance text.
        bare_list: when the agent just asked for "medications" / "allergies" / "conditions", the
            utterance may be a bare list; unknown items are then kept as short phrases.
    """
    conditions = [cid for cid, pattern in _CONDITION_RES if pattern.search(norm)]
    if "type1_diabetes" in conditions and "diabetes" not in conditions:
        conditions.append("diabetes")
    allergies: list[str] = []
    allergy_spans: list[tuple[int, int]] = []
    for m in _ALLERGY_RE.finditer(norm):
        what = m.group("what")
        found = [a.group(0) for a in _ALLERGENS.finditer(what)]
        found += [d.group(0) for d in _DRUG_RE.finditer(what) if d.group(0) not in found]
        allergies.extend(x for x in found if x not in allergies)
        allergy_spans.append((m.start(), m.end()))
    for m in _NAMED_ALLERGY_RE.finditer(norm):  # "peanut allergy", "penicillin allergy"
        what = m.group("what")
        if (_ALLERGENS.fullmatch(what) or what in DRUGS) and what not in allergies:
            allergies.append(what)
    no_known = True if _NKA_RE.search(norm) else None
    medications: list[str] = []
    for m in _DRUG_RE.finditer(norm):
        if any(s <= m.start() < e for s, e in allergy_spans):
            continue
        name = m.group(0)
        if name not in medications:
            medications.append(name)
    if bare_list is not None:
        items = _split_list(norm)
        if bare_list == "allergies":
            for item in items:
                if item not in allergies and not _NKA_RE.search(item) and not _is_none(item):
                    allergies.append(item)
            if any(_is_none(i) for i in items) or _NKA_RE.search(norm):
                no_known = True
        elif bare_list == "medications":
            for item in items:
                if not _is_none(item) and item not in medications and not _DRUG_RE.search(item):
                    medications.append(item)
        elif bare_list == "conditions":
            for item in items:
                if not _is_none(item) and not any(p.search(item) for _c, p in _CONDITION_RES):
                    conditions.append(item)
    conditions = conditions[:20]
    return History(
        conditions=conditions,
        medications=medications[:20],
        allergies=allergies[:20],
        no_known_allergies=no_known,
    )


def drug_class(name: str) -> str | None:
    """Class of a known drug name ("apixaban" → "anticoagulant"), None if unknown."""
    return DRUGS.get(name.lower().strip())


_NONE_RE = re.compile(
    r"^(?:none|nothing|no|nope|nada|ninguno|ninguna|no\s+\w+|not\s+really|not\s+any|i\s+dont\s+take\s+any\w*)$"
)


def _is_none(item: str) -> bool:
    return bool(_NONE_RE.match(item.strip()))


def _split_list(norm: str) -> list[str]:
    parts = re.split(r",|;|\band\b|\by\b|\bplus\b|\balso\b|\.|\n", norm)
    out = []
    for part in parts:
        item = re.sub(
            r"^\s*(?:i\s+take|i'?m\s+on|im\s+on|i\s+use|just|only|some|tomo|uso|and|a|an|the)\s+",
            "",
            part,
        )
        item = " ".join(item.split())[:40]
        if item and item not in out:
            out.append(item)
    return out[:10]
