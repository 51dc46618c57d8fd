"""The ``triage`` CLI: assess, eval (figures on our own cases, malformed input), chat wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from media_host.intake_agent.cli import main

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
CASES = EVAL_DIR / "cases.jsonl"
# Floors slightly below the measured figures (see eval/README.md).
MIN_ACCURACY = 0.97
MIN_EMERGENCY_SENSITIVITY = 0.97


def test_assess_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["assess", "crushing chest pain and sweating", "--age", "60", "--sex", "M", "--json"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["disposition"]["level"] == "emergency"
    assert out["demographics"]["age_years"] == 60 and out["demographics"]["sex"] == "male"


def test_assess_human_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "runny nose since yesterday", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "Disposition: SELF-CARE" in out and "\033[" not in out


def test_assess_rejects_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "fever", "--lang", "fr"]) == 2
    assert "unsupported language" in capsys.readouterr().err


def test_eval_on_own_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(CASES), "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # exactly one JSON object
    assert set(result) == {"cases", "summary"}
    rows = result["cases"]
    assert len(rows) >= 80
    assert set(rows[0]) == {
        "id",
        "predicted_level",
        "gold_level",
        "accepted_levels",
        "correct",
        "triage_error",
        "style",
        "language",
        "split",
        "matched_rules",
    }
    summary = result["summary"]
    assert summary["accuracy"] >= MIN_ACCURACY
    assert summary["emergency_sensitivity"] >= MIN_EMERGENCY_SENSITIVITY
    assert set(summary["per_level"]) == {"emergency", "urgent", "non_urgent", "self_care"}
    assert all(summary["per_level"][lvl]["n"] >= 15 for lvl in summary["per_level"])
    assert 0 <= summary["under_triage_rate"] <= 1 and 0 <= summary["over_triage_rate"] <= 1
    matrix = summary["confusion_matrix"]
    assert sum(sum(row.values()) for row in matrix.values()) == len(rows)
    assert "/" in captured.err  # progress bar on stderr


def test_eval_holdout_regression(capsys: pytest.CaptureFixture[str]) -> None:
    """The later-written holdout batches must not regress either (see eval/README.md)."""
    assert main(["eval", str(EVAL_DIR / "blind_batches.jsonl"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["total"] >= 200
    assert summary["accuracy"] >= MIN_ACCURACY
    assert summary["emergency_sensitivity"] >= MIN_EMERGENCY_SENSITIVITY


def test_eval_human_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        json.dumps({"id": "a", "vignette": "runny nose for 2 days", "gold_level": "self_care"})
        + "\n\n"
        + json.dumps(
            {
                "id": "b",
                "vignette": "crushing chest pain",
                "gold_level": "urgent",
                "gold_level_accept": ["urgent", "emergency"],
                "age": 50,
                "sex": "M",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    assert main(["eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy: 100.0%" in out and "Confusion matrix" in out


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ['{"id": "a", "vignette": "x", "gold_level": "urgent"}', "{not json"],
            "line 2: invalid JSON",
        ),
        (['{"id": "a", "gold_level": "urgent"}'], "line 1: missing field 'vignette'"),
        (
            ["", '{"id": "a", "vignette": "x", "gold_level": "emergent"}'],
            "line 2: unknown gold_level",
        ),
        (
            ['{"id": "a", "vignette": "x", "gold_level": "urgent", "gold_level_accept": ["soon"]}'],
            "line 1: unknown gold_level_accept",
        ),
        (['{"id": "a", "vignette": "", "gold_level": "urgent"}'], "line 1: 'vignette'"),
        (['{"id": "a", "vignette": "x", "gold_level": "urgent", "age": -3}'], "line 1: 'age'"),
        (["[1, 2]"], "line 1: expected a JSON object"),
        (
            [
                '{"id": "a", "vignette": "x", "gold_level": "urgent"}',
                '{"id": "a", "vignette": "y", "gold_level": "urgent"}',
            ],
            "line 2: duplicate id",
        ),
    ],
)
def test_eval_malformed_input_names_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["eval", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_eval_missing_file_and_empty_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(tmp_path / "nope.jsonl")]) == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["eval", str(empty)]) == 2
    assert "no cases" in capsys.readouterr().err


def test_eval_non_utf8_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"id": "a", "vignette": "fi\xe8vre", "gold_level": "urgent"}\n')
    assert main(["eval", str(path)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_usage_error_returns_2() -> None:
    assert main(["eval"]) == 2
    assert main([]) == 2


def test_chat_is_wired(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    calls = []
    module = types.ModuleType("media_host.intake_agent.chat")

    def run_chat(args: object) -> int:
        calls.append(args)
        return 0

    module.run_chat = run_chat  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "media_host.intake_agent.chat", module)
    assert main(["chat", "--lang", "es", "--session-id", "abc", "--no-color"]) == 0
    args = calls[0]
    assert args.lang == "es" and args.session_id == "abc" and args.no_color is True  # type: ignore[attr-defined]


def test_chat_missing_module_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "media_host.intake_agent.chat", None)
    assert main(["chat"]) == 2
    assert "chat interface is not installed" in capsys.readouterr().err


def test_eval_second_blind_set_regression(capsys: pytest.CaptureFixture[str]) -> None:
    """Batches N1–N9 (eval/blind_batches_2.jsonl): floors a little under the final figures
    (95.6 % accuracy, 98.9 % emergency sensitivity, 4.1 % over-triage); their blind first-run
    figures are in eval/README.md."""
    assert main(["eval", str(EVAL_DIR / "blind_batches_2.jsonl"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["total"] >= 270
    assert summary["accuracy"] >= 0.93
    assert summary["emergency_sensitivity"] >= 0.96
    assert summary["over_triage_rate"] <= 0.06


def test_eval_third_blind_set_regression(capsys: pytest.CaptureFixture[str]) -> None:
    """Batches P1–P9 (eval/blind_batches_3.jsonl, coverage by body system): floors a little under
    the final figures (97.4 % accuracy, 100 % emergency sensitivity, 1.5 % over-triage); their
    blind first-run figures are in eval/README.md."""
    assert main(["eval", str(EVAL_DIR / "blind_batches_3.jsonl"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["total"] >= 270
    assert summary["accuracy"] >= 0.95
    assert summary["emergency_sensitivity"] >= 0.97
    assert summary["over_triage_rate"] <= 0.03
    assert all(summary["per_level"][lvl]["n"] >= 30 for lvl in summary["per_level"])


def test_assess_reads_an_age_written_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["assess", "My baby has a fever of 38.4 since this morning", "--age", "10 weeks"])
    out = capsys.readouterr().out
    assert code == 0
    assert "EMERGENCY" in out
