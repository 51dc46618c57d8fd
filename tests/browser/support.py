"""Helpers of the real-browser tests: Debian Chromium, fake-microphone WAVs, page steps."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from devtools.demo_intake import HEADACHE_PATIENT
from tests.fixtures.speech import silence_pcm16, synthesize_pcm16_24k, write_wav

CHROMIUM = Path(os.environ.get("TRIAGE_TEST_CHROMIUM", "/usr/bin/chromium"))
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR") or REPO_ROOT / "tmp" / "artifacts")
ARTIFACTS = ARTIFACTS / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
MAX_TYPED_ANSWERS = 25


def require_chromium(path: Path = CHROMIUM, env: Mapping[str, str] = os.environ) -> Path:
    """Debian's Chromium, or a skip — except in CI, where its absence is a failure."""
    if path.exists():
        return path
    message = f"{path} not found (apt-get install chromium; bootstrap does it when CI=true)"
    if env.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def patient_wav(path: Path, sentence: str) -> str:
    """A fake-microphone argument: short silence, the sentence, then silence, played once."""
    pcm = silence_pcm16(1500) + synthesize_pcm16_24k(sentence) + silence_pcm16(4000)
    write_wav(path, pcm)
    return f"--use-file-for-fake-audio-capture={path}%noloop"


def silent_wav(path: Path) -> str:
    """A fake microphone that hears nothing (Chromium's default fake device beeps)."""
    write_wav(path, silence_pcm16(1000))
    return f"--use-file-for-fake-audio-capture={path}%noloop"


async def start_intake(page, url: str) -> None:
    await page.goto(url + "/")
    await page.check("#consent")
    await page.select_option("#language", "en")
    await page.click("#start")


async def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(target), full_page=True)
    print(f"browser test artefact: {target}")


async def answer_typed(page, limit: int, answered: int | None = None) -> str:
    """Answer the agent's questions through the typed-text fallback, as the headache patient,
    each once the agent has finished saying it; "done" when the disposition is shown, else
    "answered" after `limit` answers. `answered`: how many agent lines were already answered
    (default: all shown now) — after a reload the question to answer may already be shown."""
    agent_lines = page.locator("#transcript li.agent:not(.partial)")
    if answered is None:
        answered = await agent_lines.count()
    for _ in range(limit):
        # A new question, and the agent has finished saying it (typing over it would barge in).
        await page.wait_for_function(
            """([n]) => document.querySelector('#disposition').textContent !== ''
               || (document.querySelectorAll('#transcript li.agent:not(.partial)').length > n
                   && document.querySelector('#status').textContent === 'listening')""",
            arg=[answered],
            timeout=60_000,
        )
        if await page.locator("#disposition").inner_text():
            return "done"
        answered = await agent_lines.count()
        question = await page.locator("#question").inner_text()
        # The agent's closing line also ends in `listening`, just before the summary arrives and
        # the call (with the Send button) goes: that line is not a question to answer.
        await page.wait_for_function(
            """() => document.querySelector('#disposition').textContent !== ''
               || !document.querySelector('#send').disabled""",
            timeout=10_000,
        )
        if await page.locator("#disposition").inner_text():
            return "done"
        await page.fill("#typed", HEADACHE_PATIENT.answer(question))
        # Enter submits the form (as the Send button does) without waiting on the button, which
        # the end of the call may disable in between.
        await page.press("#typed", "Enter")
    return "answered"
