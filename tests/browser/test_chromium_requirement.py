"""The browser tests never pass by skipping in CI: a missing Chromium fails there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.support import require_chromium


def test_missing_chromium_fails_under_ci(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="not found"):
        require_chromium(tmp_path / "chromium", {"CI": "true"})


def test_missing_chromium_skips_on_a_developer_machine(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception):
        require_chromium(tmp_path / "chromium", {})


def test_present_chromium_is_used(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.touch()
    assert require_chromium(browser, {"CI": "true"}) == browser
