"""The local stack is quiet for a human by default; --verbose shows logs and telemetry."""

from __future__ import annotations

from devtools.stack import observability_env


def test_quiet_by_default_and_verbose_turns_on_info_logs_and_console_telemetry() -> None:
    quiet = observability_env(False, {})
    assert quiet == {"TRIAGE_LOG_FORMAT": "text", "TRIAGE_LOG_LEVEL": "WARNING"}
    verbose = observability_env(True, {})
    assert verbose["TRIAGE_LOG_LEVEL"] == "INFO"
    assert verbose["TRIAGE_TELEMETRY_CONSOLE"] == "1"


def test_the_environment_wins() -> None:
    chosen = observability_env(True, {"TRIAGE_LOG_LEVEL": "DEBUG", "TRIAGE_LOG_FORMAT": "json"})
    assert chosen["TRIAGE_LOG_LEVEL"] == "DEBUG" and chosen["TRIAGE_LOG_FORMAT"] == "json"
