"""Regenerate ``media_host/intake_agent/data/real_words.txt`` from a word list.

The lexicon corrects small typos of unknown words ("vomitting" → "vomiting"). A real English
word one edit from the vocabulary ("cooking" vs "choking", "smelling" vs "swelling") must never
be corrected, so every such dictionary word is listed in ``real_words.txt``. Run after adding
vocabulary to ``lexicon.yaml``::

    uv run python eval/make_real_words.py /usr/share/dict/american-english

(the Debian package ``wamerican`` provides that list).
"""

from __future__ import annotations

import sys
from pathlib import Path

from media_host.intake_agent.lexicon import load_lexicon
from media_host.intake_agent.textnorm import WordForms, normalise

OUT = Path(__file__).resolve().parents[1] / "media_host/intake_agent/data/real_words.txt"

# Everyday words and spellings a British-English or lay speaker uses that a US list may lack.
EXTRA_WORDS = [
    *("colour", "colours", "favour", "behaviour", "neighbour", "neighbours", "travelling"),
    *("cancelled", "centre", "metres", "litres", "programme", "mummy", "nappies", "nappy"),
    *("poorly", "feverish", "whinging", "grizzly"),
]


def main(word_list: str) -> int:
    vocabulary = load_lexicon().vocabulary("en")
    plain = WordForms(set(vocabulary))
    words = {
        normalise(w.strip()).replace("'", "")
        for w in Path(word_list).read_text("utf-8", errors="ignore").splitlines()
    }
    words |= set(EXTRA_WORDS)
    real = sorted(
        w
        for w in words
        if w.isascii() and w.isalpha() and w not in vocabulary and plain.near_words(w)
    )
    OUT.write_text("".join(f"{w}\n" for w in real), "utf-8")
    print(f"{len(real)} real words near the vocabulary written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/dict/american-english"))
