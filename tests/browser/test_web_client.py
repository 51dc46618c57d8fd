"""The reference web client in a real browser, against the real local stack.

Azurite + the local realtime engine (speech mode: webrtcvad, Whisper tiny.en, eSpeak NG) + a media
host + the control plane under uvicorn, which also serves the page. Debian's Chromium (driven by
Python ``playwright``, never a downloaded browser) opens ``/`` with a fake microphone playing a
WAV synthesised with eSpeak NG, gives consent, starts the intake and is then checked through its
DOM only:

* headache story: the patient's spoken opening is transcribed, the agent's questions appear,
  the rest is answered through the page's typed-text fallback (the data channel), and the final
  disposition appears; the clinician page then shows the finished intake;
* emergency story (spoken only): the emergency banner with its advice appears.
* hang-up: the session ends (``ended``), the call's controls go, and a reload shows it over;
  the page followed the events with EventSource on a stream ticket (no long-poll, no session
  token in any URL);
* EventSource blocked (the stream's requests aborted, as a buffering proxy would): the page
  falls back to long-poll and still learns the session ended.

Screenshots are written to ``tmp/artifacts/browser`` (or ``$TEST_ARTIFACTS_DIR``).
Chromium missing: skipped on a developer machine, a failure under ``CI=true``.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import SecretStr

from control_plane.app import create_app as create_control_plane
from control_plane.settings import ControlPlaneSettings
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.settings import RealtimeSettings
from media_host.runner import running_media_host
from shared.config import MediaHostLinkSettings
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAX_TYPED_ANSWERS,
    answer_typed,
    patient_wav,
    require_chromium,
    screenshot,
    silent_wav,
    start_intake,
)
from tests.media_host.support import HOST_KEY, host_settings, serve_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.timeout(240),
]


@dataclass
class Stack:
    url: str
    workdir: Path


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(azurite, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    require_chromium()
    table_prefix = "br" + os.urandom(4).hex()
    settings = host_settings(azurite.connection_string, table_prefix)
    control_settings = ControlPlaneSettings(
        storage=settings.storage, media_host=MediaHostLinkSettings(key=SecretStr(HOST_KEY))
    )
    # A fast agent voice: the page waits for each question to play out before answering.
    engine = LocalRealtimeServer(LocalRealtimeSettings(mode="speech", tts_rate_wpm=400))
    await engine.start()
    try:
        await engine.warm_up()
        realtime = RealtimeSettings(mode="local", websocket_base_url=engine.url)
        async with (
            running_media_host(settings.model_copy(update={"realtime": realtime})),
            serve_app(create_control_plane(control_settings)) as api,
        ):
            yield Stack(url=api, workdir=tmp_path_factory.mktemp("browser"))
    finally:
        await engine.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def browser_for(stack: Stack):
    """Launch Chromium with a given fake-microphone WAV (one browser per story)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = []

        async def launch(wav_arg: str):
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, wav_arg]
            )
            launched.append(browser)
            return browser

        try:
            yield launch
        finally:
            for browser in launched:
                await browser.close()


async def test_spoken_opening_typed_answers_reach_a_disposition(stack: Stack, browser_for) -> None:
    started = time.monotonic()
    wav = patient_wav(stack.workdir / "headache.wav", "I have had a bad headache since yesterday.")
    browser = await browser_for(wav)
    page = await browser.new_page()
    try:
        await start_intake(page, stack.url)
        # The level meter moves while the (fake) microphone plays the patient's sentence.
        await page.wait_for_function(
            "() => document.querySelector('#mic-level').value > 0.05", timeout=15_000
        )
        # The spoken opening arrives as the patient's transcript line.
        patient_line = page.locator("#transcript li.patient:not(.partial)").first
        await patient_line.wait_for(timeout=60_000)
        assert "headache" in (await patient_line.inner_text()).lower()

        # Answer every further question by typing, as a patient without a microphone would.
        agent_lines = page.locator("#transcript li.agent:not(.partial)")
        assert await answer_typed(page, MAX_TYPED_ANSWERS) == "done"
        await page.locator("#disposition").filter(has_text="Disposition").wait_for(timeout=60_000)
        await screenshot(page, "headache-intake")

        assert await agent_lines.count() >= 3
        assert await page.locator("#question").inner_text()
        assert "headache" in (await page.locator("#summary").inner_text()).lower()
        await page.locator("#status").filter(has_text="completed").wait_for(timeout=20_000)

        # The clinician view of the same session (same tab: the token is reused, never in a URL).
        await page.click("#clinician-link")
        await page.locator("#report").wait_for(timeout=20_000)
        assert "headache" in (await page.locator("#findings").inner_text()).lower()
        assert await page.locator("#transcript li.patient").count() >= 2
        await screenshot(page, "headache-clinician")
    except Exception:
        await screenshot(page, "headache-failure")
        raise
    finally:
        await page.close()
    print(f"browser headache intake took {time.monotonic() - started:.0f} s")


async def test_emergency_story_shows_the_emergency_banner(stack: Stack, browser_for) -> None:
    wav = patient_wav(
        stack.workdir / "emergency.wav",
        "I have crushing chest pain spreading to my left arm and I am sweating.",
    )
    browser = await browser_for(wav)
    page = await browser.new_page()
    try:
        await start_intake(page, stack.url)
        banner = page.locator("#banner.emergency")
        await banner.wait_for(timeout=90_000)
        assert await page.locator("#banner-advice").inner_text()
        await page.locator("#disposition").filter(has_text="emergency").wait_for(timeout=60_000)
        await screenshot(page, "emergency")
    except Exception:
        await screenshot(page, "emergency-failure")
        raise
    finally:
        await page.close()


def long_polls(urls: list[str]) -> list[str]:
    return [url for url in urls if "/events?" in url and "wait=" in url]


async def test_hang_up_ends_the_session_and_the_call(stack: Stack, browser_for) -> None:
    browser = await browser_for(silent_wav(stack.workdir / "silence.wav"))
    page = await browser.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    try:
        await start_intake(page, stack.url)
        await page.locator("#transcript li.agent:not(.partial)").first.wait_for(timeout=30_000)
        await page.click("#hangup")
        await page.locator("#status").filter(has_text="ended").wait_for(timeout=15_000)
        await page.locator("#notice").filter(has_text="The call is over (ended").wait_for()
        assert await page.locator("#send").is_disabled()  # the data channel went with the call
        # Events came through EventSource on a stream ticket; never long-poll, never the token.
        token = await page.evaluate(
            "() => JSON.parse(sessionStorage.getItem('intake.session')).token"
        )
        assert [u for u in urls if "/events/stream?ticket=" in u]
        assert long_polls(urls) == []
        assert not [u for u in urls if token in u]
        # A reload shows the finished session, and offers nothing.
        await page.reload()
        await page.locator("#status").filter(has_text="ended").wait_for(timeout=15_000)
        assert await page.locator("#resume").is_hidden()
        await screenshot(page, "hang-up")
    except Exception:
        await screenshot(page, "hang-up-failure")
        raise
    finally:
        await page.close()


async def test_without_event_source_the_page_falls_back_to_long_poll(
    stack: Stack, browser_for
) -> None:
    browser = await browser_for(silent_wav(stack.workdir / "silence-fallback.wav"))
    page = await browser.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    # What a proxy that blocks or buffers SSE amounts to: the stream never opens.
    await page.route("**/events/stream?*", lambda route: route.abort())
    try:
        await start_intake(page, stack.url)
        await page.locator("#transcript li.agent:not(.partial)").first.wait_for(timeout=30_000)
        await page.click("#hangup")
        await page.locator("#status").filter(has_text="ended").wait_for(timeout=15_000)
        assert [u for u in urls if "/events/stream?ticket=" in u]  # tried first
        assert long_polls(urls)  # then followed by long-poll
        await screenshot(page, "long-poll-fallback")
    except Exception:
        await screenshot(page, "long-poll-fallback-failure")
        raise
    finally:
        await page.close()
