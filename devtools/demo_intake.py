"""The local stack's main job: a spoken patient intake, end to end, on the offline defaults.

A synthetic patient (eSpeak NG voice) calls the API through a real WebRTC peer
(:class:`devtools.voice_client.VoiceClient`), listens to each question the agent asks and answers
it by voice, until the agent writes the intake summary. Everything in between is the production
path: control plane → media host → realtime bridge → local realtime engine (VAD, Whisper STT,
eSpeak NG TTS) → LangGraph intake agent → event log in Azurite.

The patient is a simple persona: it picks its answer from keywords of the agent's last question.
It is a developer demo, so it prints the (synthetic) conversation — production code never logs
what a patient says.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from devtools.voice_client import VoiceClient
from media_host.local_realtime.tts import EspeakSynthesizer
from shared.events import ErrorEvent, Event, RedFlag, SymptomComplete, TranscriptChunk

PATIENT_VOICE_WPM = 140
HEADACHE_OPENING = "I have had a bad headache since yesterday morning."
QUIET_BEFORE_ANSWER_S = 0.8  # answer once the agent's voice has been silent this long


@dataclass(frozen=True)
class Persona:
    """Answers by keyword of the agent's question; the first matching rule wins."""

    rules: tuple[tuple[str, str], ...]
    fallback: str = "No."

    def answer(self, question: str) -> str:
        text = question.lower()
        for pattern, reply in self.rules:
            if re.search(pattern, text):
                return reply
        return self.fallback


HEADACHE_PATIENT = Persona(
    # Most specific first: a read-back mentions "main problem", an allergy question "medicines".
    rules=(
        (r"is (that|this) (right|correct)|did i get|read back", "Yes, that is right."),
        (r"okay to continue|ok to continue|agree|consent", "Yes, that is fine."),
        (r"allerg", "No, I have no allergies."),
        (r"brings you|main (problem|concern|reason)|how can i help", HEADACHE_OPENING),
        (r"constant|come and go", "It is there all the time."),
        (r"scale|zero to ten|0 to 10|how (bad|severe|strong)", "About a six out of ten."),
        (r"when did|start|how long", "It started yesterday morning."),
        (r"where", "At the front of my head."),
        (r"describe|feel like|what kind", "It is a dull pressure."),
        (r"worse|better|relieve", "It gets better when I rest."),
        (r"spread|radiat", "No, it stays there."),
        (r"medicat|medicine|tablets|pills", "I took some ibuprofen."),
        (r"condition|medical (problem|history)|illness", "No."),
        (r"how old|your age", "I am thirty four years old."),
        (r"sex|male or female|man or (a )?woman", "I am a woman."),
        (r"pregnan", "No, I am not pregnant."),
    ),
)


def _is_final_agent_line(event: Event) -> bool:
    data = event.data
    return isinstance(data, TranscriptChunk) and data.role == "agent" and data.final


async def _wait_until_quiet(client: VoiceClient, within: float = 60.0) -> None:
    """Wait until the agent's voice has been silent for QUIET_BEFORE_ANSWER_S."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        last = client.received.last_loud_at()
        if last is None or time.monotonic() - last >= QUIET_BEFORE_ANSWER_S:
            return
        await asyncio.sleep(0.1)


async def _next_event(client: VoiceClient, cursor: int, within: float) -> tuple[Event, int]:
    """The event at position `cursor` of the client's log (waiting for it), and the next cursor."""
    deadline = time.monotonic() + within
    while len(client.events) <= cursor:
        if time.monotonic() > deadline:
            raise TimeoutError("the agent went quiet")
        await asyncio.sleep(0.05)
    return client.events[cursor], cursor + 1


@dataclass(frozen=True)
class IntakeOutcome:
    """What one demo intake produced (tests look for these in the logs: they must not be there).

    Attributes:
        summary: The intake summary (None if the agent did not finish).
        session_id: The session.
        token: The session's bearer token.
        transcripts: ``(role, text)`` of every final transcript line, both sides.
    """

    summary: dict[str, object] | None
    session_id: str
    token: str
    transcripts: list[tuple[str, str]]


async def run_intake(
    api_url: str,
    persona: Persona = HEADACHE_PATIENT,
    *,
    max_turns: int = 25,
    timeout_s: float = 600.0,
) -> IntakeOutcome:
    """Hold one spoken intake; return its outcome (``summary`` None if the agent did not
    finish)."""
    voice = EspeakSynthesizer(PATIENT_VOICE_WPM)
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + timeout_s
    async with VoiceClient(api_url) as client:
        print(f"demo: session {client.session_id} — connected over WebRTC", flush=True)
        cursor, turns, complete = 0, 0, False
        while not complete and turns < max_turns and time.monotonic() < deadline:
            event, cursor = await _next_event(client, cursor, deadline - time.monotonic())
            data = event.data
            if isinstance(data, SymptomComplete):
                complete = True
            elif isinstance(data, RedFlag):
                print(f"demo: red flag {data.rule_id} → {data.level}", flush=True)
            elif isinstance(data, ErrorEvent):
                print(f"demo: error event {data.code}: {data.message}", flush=True)
                if not data.retryable:
                    break
            elif _is_final_agent_line(event):
                assert isinstance(data, TranscriptChunk)
                print(f"  agent   : {data.text}", flush=True)
                # Answer only the newest question: later lines may already be queued.
                if any(_is_final_agent_line(e) for e in client.events[cursor:]):
                    continue
                await _wait_until_quiet(client)
                if any(isinstance(e.data, SymptomComplete) for e in client.events):
                    continue
                reply = persona.answer(data.text)
                print(f"  patient : {reply}", flush=True)
                pcm = await loop.run_in_executor(None, voice.synthesize, reply, "en-us")
                client.say(pcm + bytes(24_000 * 2))  # a second of silence ends the turn
                await client.wait_said()
                turns += 1
        heard = client.transcripts("patient")
        print(f"demo: the speech engine heard {len(heard)} patient utterance(s):")
        for _, text in heard:
            print(f"  heard   : {text}")
        summary = await client.summary()
        await client.hang_up()
        token = client.auth["Authorization"].removeprefix("Bearer ")
        return IntakeOutcome(summary, client.session_id, token, client.transcripts())


def run_demo(api_url: str) -> int:
    """Run the demo intake and print its outcome; 0 when a summary was produced."""
    print("demo: starting a spoken intake (synthetic patient, offline speech)", flush=True)
    summary = asyncio.run(run_intake(api_url)).summary
    if summary is None:
        print("demo: the intake did not complete (no summary)", flush=True)
        return 1
    disposition = summary.get("disposition", {})
    assert isinstance(disposition, dict)
    print(
        f"demo: intake complete — chief complaint: {summary.get('chief_complaint_label')}; "
        f"disposition: {disposition.get('level')}",
        flush=True,
    )
    for line in disposition.get("rationale", []):
        print(f"  rationale: {line}")
    return 0
