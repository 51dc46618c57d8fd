"""Working representation of a finding while one utterance is being analysed, plus position
helpers (sentences, clauses, token indices) shared by the extraction steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from media_host.intake_agent.models import Presence
from media_host.intake_agent.textnorm import Token

# Finding fields the extraction steps may fill (OLDCARTS attributes).
ATTRIBUTE_FIELDS = (
    "onset",
    "duration_hours",
    "site",
    "laterality",
    "character",
    "radiation",
    "timing",
    "aggravating",
    "relieving",
    "severity",
)


@dataclass(frozen=True, slots=True)
class Statement:
    """A finding read from a whole statement rather than a lexicon phrase (a present concept)."""

    start: int
    end: int
    concept_id: str


@dataclass
class FindingDraft:
    """A concept mention with its presence, character span and the attributes found so far."""

    concept_id: str
    presence: Presence
    start: int  # character span in the utterance
    end: int
    sentence: int
    attrs: dict[str, object] = field(default_factory=dict)
    qualifiers: list[str] = field(default_factory=list)
    value: float | None = None


def sentence_index(tokens: Sequence[Token], bounds: list[tuple[int, int]]) -> list[int]:
    """Sentence number of every token."""
    out: list[int] = []
    idx = 0
    for tok in tokens:
        while idx < len(bounds) - 1 and tok.start >= bounds[idx][1]:
            idx += 1
        out.append(idx)
    return out


def sentence_at(bounds: list[tuple[int, int]], pos: int) -> int:
    """Index of the range in ``bounds`` that contains ``pos``."""
    for idx, (_s, e) in enumerate(bounds):
        if pos < e:
            return idx
    return max(0, len(bounds) - 1)


CLAUSE_SPLIT_RE = re.compile(r"[,;.!?\n]|\b(?:but|however|although|pero|aunque)\b")


def clause_bounds(norm: str) -> list[tuple[int, int]]:
    """Clause ranges: split at punctuation and at \"but\" / \"however\" / \"pero\"."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in CLAUSE_SPLIT_RE.finditer(norm):
        if m.group(0) == "." and 0 < m.start() < len(norm) - 1 and norm[m.start() + 1].isdigit():
            continue
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(norm) + 1))
    return bounds


def char_index(tokens: Sequence[Token], length: int) -> list[int | None]:
    """Token index of every character (None between tokens)."""
    out: list[int | None] = [None] * (length + 1)
    for idx, tok in enumerate(tokens):
        for c in range(tok.start, tok.end):
            out[c] = idx
    return out


def distance(d: FindingDraft, pos: int) -> int:
    """Characters between a draft's span and a position (0 inside)."""
    if d.start <= pos < d.end:
        return 0
    return min(abs(d.start - pos), abs(d.end - pos))
