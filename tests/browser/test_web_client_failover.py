"""The reference web client resumes a session after a page reload when its media host died.

Real processes: Azurite, two media hosts (``python -m media_host``), one local realtime engine,
the control plane under uvicorn (serving the page) with a fast dead-host sweep; Debian Chromium
through ``playwright``. The page answers two questions by typed text, then the host carrying the
call is SIGKILLed and the page reloaded at once: the reloaded page restores the transcript from
the event log (session id and token come from ``sessionStorage``) and, on "Continue the intake"
(audio may start only after a user gesture), sends a fresh offer, which lands on the other
host, and the agent carries on — from the page's DOM: its "lost the line" line appears and the
interview reaches a disposition. The patient denied the microphone: the page sends silence (the
host takes a call without audio for a lost one) and every answer is typed.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx
import pytest

from control_plane.app import create_app as create_control_plane
from devtools.azurite import Azurite
from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAX_TYPED_ANSWERS,
    answer_typed,
    require_chromium,
    screenshot,
    silent_wav,
    start_intake,
)
from tests.media_host.support import serve_app
from tests.media_host.test_host_failover_e2e import (
    failover_control_settings,
    host_env,
    local_engine,
    media_hosts,
    start_host,
    wait_live,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

DENY_MICROPHONE = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
"""


async def test_reload_after_host_death_resumes_on_another_host(
    azurite: Azurite, table_prefix: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    require_chromium()
    control = failover_control_settings(azurite, table_prefix)
    async with local_engine() as engine:
        env = host_env(azurite, table_prefix, engine.url)
        with media_hosts(env, tmp_path) as procs:
            urls: dict[str, str] = {}
            for host_id in ("host-a", "host-b"):
                procs[host_id], urls[host_id] = start_host(host_id, env, tmp_path)
            for host_id in procs:
                await wait_live(procs[host_id], urls[host_id])
            async with (
                serve_app(create_control_plane(control)) as api,
                async_playwright() as playwright,
            ):
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    headless=True,
                    args=[*CHROMIUM_ARGS, silent_wav(tmp_path / "silence.wav")],
                )
                page = await browser.new_page()
                # This patient refuses the microphone: the page falls back to typed answers
                # (and still receives the agent's audio).
                await page.add_init_script(DENY_MICROPHONE)
                try:
                    await start_intake(page, api)
                    notice = page.locator("#notice", has_text="No microphone")
                    await notice.wait_for(timeout=10_000)
                    assert await answer_typed(page, 2) == "answered"
                    before = await page.locator("#transcript li").count()
                    asked = await page.locator("#transcript li.agent:not(.partial)").count()

                    saved = json.loads(
                        await page.evaluate("sessionStorage.getItem('intake.session')")
                    )
                    async with httpx.AsyncClient(base_url=api) as http:
                        session = await http.get(
                            f"/api/intake/sessions/{saved['id']}",
                            headers={"Authorization": f"Bearer {saved['token']}"},
                        )
                    first_host = session.json()["media_host_id"]
                    os.kill(procs[first_host].pid, signal.SIGKILL)
                    await page.reload()
                    await page.click("#resume")  # audio may start only after a gesture

                    # The log restores the conversation; the agent resumes on the other host.
                    lost = page.locator("#transcript li.agent", has_text="lost the line")
                    await lost.wait_for(timeout=60_000)
                    assert await page.locator("#transcript li").count() > before
                    # the resume line may already be final when counted here: answer it too
                    assert await answer_typed(page, MAX_TYPED_ANSWERS, asked) == "done"
                    await screenshot(page, "failover-reload")
                    async with httpx.AsyncClient(base_url=api) as http:
                        session = await http.get(
                            f"/api/intake/sessions/{saved['id']}",
                            headers={"Authorization": f"Bearer {saved['token']}"},
                        )
                    assert session.json()["media_host_id"] not in (None, first_host)
                except Exception:
                    await screenshot(page, "failover-reload-failure")
                    raise
                finally:
                    await browser.close()
