"""Measure the engine's STT on synthetic patient speech: word error rate and real-time factor.

``python -m media_host.local_realtime.measure [--rate 140] [--threads 1]`` — eSpeak NG speaks a
fixed set of triage sentences, Whisper transcribes them with the domain prompt, and the script
prints per-sentence results (only on this synthetic corpus — no patient data involved).
"""

from __future__ import annotations

import argparse
import asyncio
import re

from media_host.local_realtime.settings import DEFAULT_STT_PROMPT
from media_host.local_realtime.stt import WhisperTranscriber
from media_host.local_realtime.tts import EspeakSynthesizer

SENTENCES = (
    "I have had chest pain since this morning.",
    "My chest hurts and I feel short of breath.",
    "I have a fever and a bad cough for two days.",
    "I feel dizzy and sick to my stomach.",
    "The headache started last night and it is getting worse.",
    "I am allergic to penicillin.",
    "I take metformin for my diabetes.",
    "My left arm feels numb and weak.",
    "I have been vomiting since yesterday.",
    "The pain is about seven out of ten.",
)
# Words mostly absent from the STT prompt: checks the prompt is not doing all the work.
HELD_OUT_SENTENCES = (
    "My throat is sore and my ears hurt.",
    "I twisted my ankle while running.",
    "My baby has not been eating well.",
    "There is blood in my urine.",
    "I cannot sleep because of the itching.",
)


def normalise(text: str) -> list[str]:
    """Lower-case words without punctuation, for WER."""
    return re.sub(r"[^a-z' ]+", " ", text.lower()).split()


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words (substitutions + insertions + deletions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
            )
        previous = current
    return previous[-1]


async def _measure(rate_wpm: int, threads: int, prompt: bool, held_out: bool) -> None:
    synthesizer = EspeakSynthesizer(rate_wpm)
    transcriber = WhisperTranscriber(threads=threads)
    await asyncio.to_thread(transcriber.warm_up)
    errors = words = 0
    audio_s = decode_s = 0.0
    for sentence in HELD_OUT_SENTENCES if held_out else SENTENCES:
        pcm = synthesizer.synthesize(sentence)
        result = await transcriber.transcribe(pcm, DEFAULT_STT_PROMPT if prompt else None)
        reference, hypothesis = normalise(sentence), normalise(result.text)
        errors += word_errors(reference, hypothesis)
        words += len(reference)
        audio_s += result.audio_seconds
        decode_s += result.decode_seconds
        print(f"{result.decode_seconds / result.audio_seconds:5.2f}  {sentence} -> {result.text}")
    print(
        f"rate={rate_wpm} wpm threads={threads} prompt={prompt} held_out={held_out}: "
        f"WER {errors / words:.1%} "
        f"({errors}/{words} words), RTF {decode_s / audio_s:.3f} "
        f"({decode_s:.2f} s decode for {audio_s:.1f} s audio)"
    )


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m media_host.local_realtime.measure")
    parser.add_argument("--rate", type=int, default=140, help="eSpeak NG words per minute")
    parser.add_argument("--threads", type=int, default=1, help="CTranslate2 CPU threads")
    parser.add_argument("--no-prompt", action="store_true", help="decode without domain prompt")
    parser.add_argument("--held-out", action="store_true", help="use the held-out sentences")
    args = parser.parse_args()
    asyncio.run(_measure(args.rate, args.threads, not args.no_prompt, args.held_out))


if __name__ == "__main__":
    main()
