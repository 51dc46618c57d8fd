"""Body sites and laterality: "pain in my lower right abdomen", "left arm", "both legs";
site-plus-pain composition ("my knee hurts" → knee pain) and radiation ("radiating to the jaw").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# site word(s) → (canonical site, pain concept id)
_SITES: dict[str, tuple[str, str]] = {
    "chest": ("chest", "chest_pain"),
    "retrosternal": ("chest", "chest_pain"),
    "substernal": ("chest", "chest_pain"),
    "precordial": ("chest", "chest_pain"),
    "sternum": ("chest", "chest_pain"),
    "breastbone": ("chest", "chest_pain"),
    "pecho": ("chest", "chest_pain"),
    "torax": ("chest", "chest_pain"),
    "abdomen": ("abdomen", "abdominal_pain"),
    "abdominal": ("abdomen", "abdominal_pain"),  # "right lower abdominal pain"
    "stomach": ("abdomen", "abdominal_pain"),
    "belly": ("abdomen", "abdominal_pain"),
    "tummy": ("abdomen", "abdominal_pain"),
    "gut": ("abdomen", "abdominal_pain"),
    "estomago": ("abdomen", "abdominal_pain"),
    "barriga": ("abdomen", "abdominal_pain"),
    "panza": ("abdomen", "abdominal_pain"),
    "vientre": ("abdomen", "abdominal_pain"),
    "head": ("head", "headache"),
    "cabeza": ("head", "headache"),
    # "a dull ache across the forehead", "pain in my temples": a headache by its site
    "forehead": ("forehead", "headache"),
    "temples": ("temples", "headache"),
    "frente": ("forehead", "headache"),
    "back": ("back", "back_pain"),
    "espalda": ("back", "back_pain"),
    "neck": ("neck", "neck_pain"),
    "cuello": ("neck", "neck_pain"),
    "throat": ("throat", "sore_throat"),
    "garganta": ("throat", "sore_throat"),
    "ear": ("ear", "ear_pain"),
    "ears": ("ear", "ear_pain"),
    "oido": ("ear", "ear_pain"),
    "eye": ("eye", "eye_pain"),
    "eyes": ("eye", "eye_pain"),
    "ojo": ("eye", "eye_pain"),
    "tooth": ("tooth", "toothache"),
    "teeth": ("tooth", "toothache"),
    "muela": ("tooth", "toothache"),
    "knee": ("knee", "knee_pain"),
    "rodilla": ("knee", "knee_pain"),
    "ankle": ("ankle", "ankle_pain"),
    "tobillo": ("ankle", "ankle_pain"),
    "leg": ("leg", "leg_pain"),
    "thigh": ("thigh", "leg_pain"),
    "shin": ("shin", "leg_pain"),
    "hip": ("hip", "leg_pain"),
    "foot": ("foot", "leg_pain"),
    "feet": ("foot", "leg_pain"),
    "heel": ("foot", "leg_pain"),
    "toe": ("toe", "leg_pain"),
    "pierna": ("leg", "leg_pain"),
    "muslo": ("thigh", "leg_pain"),
    "muslos": ("thigh", "leg_pain"),
    "cadera": ("hip", "leg_pain"),
    "pie": ("foot", "leg_pain"),
    "calf": ("calf", "calf_pain"),
    "pantorrilla": ("calf", "calf_pain"),
    "arm": ("arm", "arm_pain"),
    "elbow": ("elbow", "arm_pain"),
    "wrist": ("wrist", "arm_pain"),
    "hand": ("hand", "arm_pain"),
    "finger": ("finger", "arm_pain"),
    "thumb": ("thumb", "arm_pain"),
    "forearm": ("forearm", "arm_pain"),
    "brazo": ("arm", "arm_pain"),
    "muneca": ("wrist", "arm_pain"),
    "mano": ("hand", "arm_pain"),
    "codo": ("elbow", "arm_pain"),
    "shoulder": ("shoulder", "shoulder_pain"),
    "hombro": ("shoulder", "shoulder_pain"),
    "flank": ("flank", "flank_pain"),
    "loin": ("flank", "flank_pain"),
    "kidney": ("flank", "flank_pain"),
    "costado": ("flank", "flank_pain"),
    "rinon": ("flank", "flank_pain"),
    "pelvis": ("pelvis", "pelvic_pain"),
    "groin": ("groin", "pelvic_pain"),
    "ingle": ("groin", "pelvic_pain"),
    "testicle": ("testicle", "testicular_pain"),
    "testicles": ("testicle", "testicular_pain"),
    "scrotum": ("scrotum", "testicular_pain"),
    "testiculo": ("testicle", "testicular_pain"),
    "jaw": ("jaw", "jaw_pain"),
    "mandibula": ("jaw", "jaw_pain"),
    "joints": ("joints", "joint_pain"),
    "joint": ("joint", "joint_pain"),
    "muscles": ("muscles", "muscle_pain"),
    "body": ("body", "muscle_pain"),
    "sinuses": ("sinuses", "sinus_pain"),
    "face": ("face", "sinus_pain"),
    "breast": ("breast", "breast_pain"),
    "seno": ("breast", "breast_pain"),
    "side": ("side", "flank_pain"),
    # Spanish puts the side after the noun: "abajo del lado derecho" (the side is in the key,
    # so a bare "al lado de" — "next to" — is no site)
    "lado derecho": ("side", "flank_pain"),
    "lado izquierdo": ("side", "flank_pain"),
    "interscapular": ("upper back", "back_pain"),
    "shoulder blades": ("upper back", "back_pain"),
    "shoulder blade": ("upper back", "back_pain"),
    "epigastric": ("upper abdomen", "abdominal_pain"),
    "epigastrium": ("upper abdomen", "abdominal_pain"),
    "quadrant": ("abdomen", "abdominal_pain"),
    "iliac fossa": ("lower abdomen", "abdominal_pain"),
    "hypochondrium": ("upper abdomen", "abdominal_pain"),
    "suprapubic": ("lower abdomen", "abdominal_pain"),
    "periumbilical": ("abdomen", "abdominal_pain"),
    "belly button": ("abdomen", "abdominal_pain"),
    "navel": ("abdomen", "abdominal_pain"),
    "umbilicus": ("abdomen", "abdominal_pain"),
    "ombligo": ("abdomen", "abdominal_pain"),
    "rlq": ("right lower abdomen", "abdominal_pain"),
    "rif": ("right lower abdomen", "abdominal_pain"),
    "llq": ("left lower abdomen", "abdominal_pain"),
    "ruq": ("right upper abdomen", "abdominal_pain"),
    "luq": ("left upper abdomen", "abdominal_pain"),
    "hombros": ("shoulder", "shoulder_pain"),
}
# site word → concept when the site is described as swollen ("my lips have swelled up")
SWELLING_SITES: dict[str, str] = {
    "face": "facial_swelling",
    "lips": "facial_swelling",
    "lip": "facial_swelling",
    "eyelids": "facial_swelling",
    "eyelid": "facial_swelling",
    "cara": "facial_swelling",
    "labios": "facial_swelling",
    # a swollen jaw or cheek is a facial swelling (a dental abscess spreading: NICE CKS)
    "jaw": "facial_swelling",
    "cheek": "facial_swelling",
    "cheeks": "facial_swelling",
    "mejilla": "facial_swelling",
    "cachete": "facial_swelling",
    "tongue": "airway_swelling",
    "throat": "airway_swelling",
    "lengua": "airway_swelling",
    "garganta": "airway_swelling",
    "leg": "leg_swelling",
    "legs": "leg_swelling",
    "calf": "leg_swelling",
    "pierna": "leg_swelling",
    "knee": "joint_swelling",
    "toe": "joint_swelling",
    "wrist": "joint_swelling",
    "finger": "joint_swelling",
    "joint": "joint_swelling",
    "elbow": "joint_swelling",
    "rodilla": "joint_swelling",
    "muneca": "joint_swelling",
    "tobillo": "joint_swelling",
    "codo": "joint_swelling",
    "testicle": "testicular_pain",
    "scrotum": "testicular_pain",
    "belly": "abdominal_distension",
    "abdomen": "abdominal_distension",
    "tummy": "abdominal_distension",
}
_SWELLING_SITE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(SWELLING_SITES, key=len, reverse=True)) + r")\b"
)
_SWELLING_RE = re.compile(
    r"\b(?:swollen|swelling|swelled|swell|swells|puffy|puffed\s+up|puffing\s+up|puffs\s+up|ballooned|blown\s+up|blew\s+up|hinchad[oa]s?|hincho|hincharon|hinchaba|hinchazon|inflamad[oa]s?)\b"
)
for _plural, _singular in (
    ("wrists", "wrist"),
    ("knees", "knee"),
    ("ankles", "ankle"),
    ("hips", "hip"),
    ("shoulders", "shoulder"),
    ("elbows", "elbow"),
    ("fingers", "finger"),
    ("toes", "toe"),
    ("legs", "leg"),
    ("arms", "arm"),
    ("hands", "hand"),
    ("thighs", "thigh"),
    ("calves", "calf"),
    ("heels", "heel"),
    ("thumbs", "thumb"),
    ("shins", "shin"),
    ("breasts", "breast"),
):
    _SITES.setdefault(_plural, _SITES[_singular])
_SITE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, _SITES), key=len, reverse=True)) + r")\b"
)
_PAIN_RE = re.compile(
    r"\b(?:pain|pains|painful|ache|aches|aching|achy|hurts?|hurting|sore|soreness|tender|tenderness|"
    r"discomfort|cramps?|cramping|killing\s+me|throbbing|pressure|heaviness|tightness|squeezing|"
    r"tight|heavy|crushing|crushed|stabbing|burning|squeezed|agony|"
    r"dolor|duele|duelen|molestia|adolorido|adolorida|opresion)\b"
)
_REGION_RE = re.compile(
    r"\b(?:(?:lower|upper|bottom|top)\s+(?:right|left)|(?:right|left)\s+(?:lower|upper|sided)|lower|upper|low|"
    r"central|middle|centre|center|right|left|inferior|superior|derecho|derecha|izquierdo|izquierda|"
    # "la parte baja derecha": Spanish "low" / "high" part
    r"abajo|arriba|baja|bajo|alta|alto)\b"
)
# Spanish region words, read as the English ones the rules name ("right lower")
_REGION_WORDS = {
    "derecho": "right",
    "derecha": "right",
    "izquierdo": "left",
    "izquierda": "left",
    "abajo": "lower",
    "baja": "lower",
    "bajo": "lower",
    "alta": "upper",
    "alto": "upper",
    "arriba": "upper",
    "inferior": "lower",
    "superior": "upper",
}
_LATERALITY_RE = re.compile(
    r"\b(?P<side>left|right|both|bilateral(?:ly)?|izquierd[oa]|derech[oa]|ambos|ambas|l|r)"
    r"(?:[\s-]+(?:sided|side|hand\s+side|lado))?\b"
)
# a pair of limbs named together: both sides ("pins and needles in my hands and feet")
_BOTH_LIMBS = re.compile(
    r"\b(?:in|on|of|en|de)\s+(?:my|his|her|their|both|the|las|los|sus|mis|ambas|ambos)\s+"
    r"(?:hands|feet|arms|legs|manos|pies|brazos|piernas)\b"
)
# a note's "R calf", "L knee": a lone R or L is a side only right before a body part
_NOTE_SITE_AFTER = re.compile(
    r"\s+(?:calf|leg|lower\s+leg|thigh|knee|ankle|foot|hip|arm|forearm|hand|wrist|elbow|shoulder|"
    r"eye|ear|chest|flank|loin|breast|testis|testicle|iliac\s+fossa|groin|lung|side)\b"
)
_TOWARDS = r"(?:down|up|into|to|through|towards|toward|hacia|al|a\s+la|a\s+los|a\s+las)"
_RADIATION_RE = re.compile(
    # a verb of spreading may stand alone ("radiating left arm"); a verb of plain motion needs
    # its preposition: "moving the arm" or "goes back to normal" is no radiation
    r"\b(?:(?:radiat\w*|spread\w*|travel\w*|shoot\w*|extend\w*|se\s+extiende|se\s+corre|irradia\w*|"
    r"referred)\s+"
    + _TOWARDS
    + r"?|(?:going|goes|moving|moves|se\s+(?:me\s+|le\s+)?va|baja|sube|pasa)\s+"
    + _TOWARDS
    + r")\s*"
    r"(?:down\s+|up\s+|into\s+|to\s+)?(?:the\s+|my\s+|his\s+|her\s+|both\s+|el\s+|la\s+|los\s+|las\s+)?"
    r"(?P<target>(?:(?:left|right|both|l|r|izquierd[oa]|derech[oa])\s+)?(?:arms?|jaw|neck|back|shoulders?|"
    r"shoulder\s+blades?|groin|legs?|buttocks?|scapula|throat|teeth|brazos?|mandibula|cuello|espalda|hombros?|"
    r"ingle|piernas?)(?:\s+(?:izquierd[oa]|derech[oa]))?(?:\s+and\s+(?:left\s+|right\s+)?(?:arms?|jaw|neck|back|shoulders?))?)"
)


_MOVED_DOWN = re.compile(
    r"\b(?:moved|moving|moves|shifted|gone|went|travelled|traveled|spread)\s+down\s+"
    r"(?:to|into|towards?)\s+(?:the\s+|my\s+|his\s+|her\s+)?(?:right|left)\s*$"
)


@dataclass(frozen=True, slots=True)
class SiteMention:
    start: int
    end: int
    site: str
    pain_concept: str
    region: str | None  # e.g. "lower right"


def find_sites(norm: str) -> list[SiteMention]:
    """Body-site words with an optional region qualifier just before them."""
    found: list[SiteMention] = []
    for m in _SITE_RE.finditer(norm):
        site, concept = _SITES[m.group(0)]
        before = norm[max(0, m.start() - 25) : m.start()]
        region = None
        rm = list(_REGION_RE.finditer(before))
        if rm and len(before[rm[-1].end() :].split()) <= 2:
            words: list[str] = []
            for r in rm:
                for w in r.group(0).replace("sided", "").split():
                    w = {"low": "lower", "bottom": "lower", "top": "upper"}.get(w, w)
                    w = _REGION_WORDS.get(w, w)
                    if w not in words:
                        words.append(w)
            for w in m.group(0).split()[1:]:  # "lado derecho": the side named in the key
                side = _REGION_WORDS.get(w)
                if side and side not in words:
                    words.append(side)
            region = " ".join(sorted(words, key=lambda w: w not in ("lower", "upper")))
        if region in ("right", "left") and _MOVED_DOWN.search(before):
            # pain that "moved down to the right side" went to the lower quadrant (the
            # migration of appendicitis, WSES 2020 / Alvarado)
            region = f"lower {region}"
        after = norm[m.end() : m.end() + 15]
        if re.match(r"\s*,?\s*(?:low\s+down|lower\s+down|down\s+low)", after):
            region = f"lower {region}" if region and "lower" not in region else (region or "lower")
        found.append(SiteMention(m.start(), m.end(), site, concept, region))
    return found


# "from wrist to elbow", "knee to ankle", "de la muneca al codo": the two ends of a stretch of
# limb, not a joint that is swollen.
_RANGE_END = re.compile(
    r"\s*(?:to|down\s+to|up\s+to|al|hasta\s+el|hasta\s+la|-)\s+(?:the\s+|el\s+|la\s+)?$"
)
_RANGE_START = re.compile(r"\s*(?:to|down\s+to|up\s+to|al|hasta)\s")


def find_swelling_sites(norm: str) -> list[tuple[int, int, str]]:
    """Site words that can be "swollen": (start, end, concept id). A site that only marks an
    end of a range ("swollen from wrist to elbow") is the extent of a swelling, not its site."""
    return [
        (m.start(), m.end(), SWELLING_SITES[m.group(0)])
        for m in _SWELLING_SITE_RE.finditer(norm)
        if not _RANGE_START.match(norm, m.end()) and not _RANGE_END.search(norm, 0, m.start())
    ]


def find_swelling_words(norm: str) -> list[tuple[int, int]]:
    """Spans of swelling words ("swollen", "swelled up", "hinchado")."""
    return [(m.start(), m.end()) for m in _SWELLING_RE.finditer(norm)]


def find_pain_words(norm: str) -> list[tuple[int, int]]:
    """Spans of generic pain words ("pain", "hurts", "sore", "dolor")."""
    return [(m.start(), m.end()) for m in _PAIN_RE.finditer(norm)]


def laterality_near(norm: str, start: int, end: int) -> str | None:
    """ "left" / "right" / "bilateral" stated within a few words before or at the span."""
    window = norm[max(0, start - 16) : end + 12]
    sides = set()
    for m in _LATERALITY_RE.finditer(window):
        side = m.group("side")
        if (
            side in ("l", "r")
            and not (m.group(0).endswith("sided") or m.group(0).endswith("side"))
            and not _NOTE_SITE_AFTER.match(window, m.end())
        ):
            continue
        if side.startswith(("left", "izquierd", "l")):
            sides.add("left")
        elif side.startswith(("right", "derech", "r")):
            sides.add("right")
        else:
            sides.add("bilateral")
    if not sides and _BOTH_LIMBS.search(norm[max(0, start - 16) : end + 24]):
        sides.add("bilateral")  # "tingling in my hands", "hormigueo en las manos"
    if "bilateral" in sides or {"left", "right"} <= sides:
        return "bilateral"
    return next(iter(sides)) if sides else None


def find_radiation(norm: str) -> list[tuple[int, int, str]]:
    """Radiation phrases: (start, end, normalised target such as "left arm")."""
    out = []
    for m in _RADIATION_RE.finditer(norm):
        target = " ".join(m.group("target").split())
        target = (
            target.replace("izquierdo", "left")
            .replace("izquierda", "left")
            .replace("derecho", "right")
            .replace("derecha", "right")
            .replace("brazo", "arm")
            .replace("mandibula", "jaw")
            .replace("cuello", "neck")
            .replace("espalda", "back")
            .replace("hombro", "shoulder")
        )
        words = target.split()
        # a note's "L arm" / "R shoulder"
        side = {"l": "left", "r": "right"}.get(words[0])
        if side and len(words) > 1:
            words[0] = side
            target = " ".join(words)
        if len(words) == 2 and words[1] in ("left", "right"):
            target = f"{words[1]} {words[0]}"
        out.append((m.start(), m.end(), target))
    return out
