"""``triage eval`` on case files written by others: ages as text, styles, the under-triage list,
the dev/blind split and the self-care → emergency count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from media_host.intake_agent.age_text import AgeTextError, parse_age_text
from media_host.intake_agent.cli import main
from media_host.intake_agent.evaluation import EvalInputError, parse_cases, split_of

# Accounts whose disposition is settled by the rules (see test_cli.py): an emergency and a
# self-care problem. Gold levels are set against them to produce under- and over-triage.
EMERGENCY_TEXT = "crushing chest pain and sweating"
SELF_CARE_TEXT = "runny nose since yesterday"


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("18 months", 1.5),
        ("6 weeks", 6 * 7 / 365.25),
        ("3 days", 3 / 365.25),
        ("2 years", 2.0),
        ("5 meses", 5 / 12),
        ("3 semanas", 3 * 7 / 365.25),
        ("10 días", 10 / 365.25),
        ("a 6-week-old", 6 * 7 / 365.25),
        ("she's 18 months", 1.5),
        ("2 and a half", 2.5),
        ("2 años y medio", 2.5),
        ("two years old", 2.0),
        ("52-year-old", 52.0),
        ("34 y/o", 34.0),
        ("74", 74.0),
        ("38M", 38.0),  # note style: a 38-year-old man, not 38 months
        ("in her 50s", 55.0),
        ("1,5 años", 1.5),
    ],
)
def test_age_text_is_read_in_years(text: str, years: float) -> None:
    assert parse_age_text(text) == pytest.approx(years)


@pytest.mark.parametrize("text", ["a few weeks", "a baby", "", "3 or 4", "200 years", "9" * 101])
def test_age_text_refuses_what_is_not_one_age(text: str) -> None:
    with pytest.raises(AgeTextError):
        parse_age_text(text)


def _line(case_id: str, vignette: str, gold: str, **extra: object) -> str:
    return json.dumps({"id": case_id, "vignette": vignette, "gold_level": gold, **extra})


def test_cases_read_text_ages_style_language_and_ignore_unknown_fields() -> None:
    cases = parse_cases(
        [
            _line("a-1", "fiebre", "urgent", age="5 meses", language="es", style="spanish"),
            _line("a-2", "fever", "urgent", age_text="18-month-old", style="caregiver"),
            _line(
                "a-3", "fever", "urgent", age=40, age_text="ignored", condition="x", rationale="y"
            ),
            _line("a-4", "fever", "urgent", language="en-GB"),
        ]
    )
    assert [c.age for c in cases[:3]] == pytest.approx([5 / 12, 1.5, 40.0])
    assert cases[3].age is None
    assert [c.style for c in cases] == ["spanish", "caregiver", None, None]
    assert [c.language for c in cases] == ["es", "en", "en", "en"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"age": "a few weeks"}, "line 1: 'age' not read as an age"),
        ({"age_text": "old"}, "line 1: 'age_text' not read as an age"),
        ({"age": True}, "line 1: 'age' must be a number"),
        ({"style": ""}, "line 1: 'style'"),
        ({"style": 3}, "line 1: 'style'"),
        ({"language": "fr"}, "line 1: 'language'"),
    ],
)
def test_bad_age_style_or_language_names_the_line(extra: dict[str, object], message: str) -> None:
    with pytest.raises(EvalInputError, match=message):
        parse_cases([_line("a", "fever", "urgent", **extra)])


@pytest.mark.parametrize(
    ("case_id", "split"),
    [("dev-003", "blind"), ("dev-004", "dev"), ("c2ur03", "blind"), ("hs04", "dev"), ("x", "dev")],
)
def test_blind_split_is_the_trailing_number_divisible_by_three(case_id: str, split: str) -> None:
    assert split_of(case_id) == split


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    """Six cases in two styles: one under-triaged emergency (id 3, blind), one self-care case
    called emergency (id 4, dev), the rest right."""
    path = tmp_path / "cases.jsonl"
    lines = [
        _line("t-1", EMERGENCY_TEXT, "emergency", style="clinical", age="60 years"),
        _line("t-2", SELF_CARE_TEXT, "self_care", style="clinical"),
        _line("t-3", SELF_CARE_TEXT, "emergency", style="telegraphic", age_text="18 months"),
        _line("t-4", EMERGENCY_TEXT, "self_care", style="telegraphic"),
        _line("t-5", SELF_CARE_TEXT, "self_care", style="telegraphic"),
        _line("t-6", SELF_CARE_TEXT, "self_care", condition="coryza", rationale="mild"),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["eval", *argv]) == 0
    return capsys.readouterr().out


def test_report_keeps_its_first_three_lines(
    case_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _run(capsys, str(case_file)).splitlines()
    assert lines[0] == "Cases: 6  correct: 4  accuracy: 66.7%"
    assert lines[1] == "Emergency sensitivity: 50.0%"
    assert lines[2] == "Under-triage: 16.7%  over-triage: 16.7%"


def test_report_has_per_style_and_self_care_to_emergency(
    case_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(capsys, str(case_file))
    assert "Self-care → emergency: 1 of 4 (25.0%)" in out
    style_rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[5:] if line}
    assert style_rows["clinical"][:3] == ["2", "100.0%", "100.0%"]
    assert style_rows["telegraphic"][:6] == ["3", "33.3%", "0.0%", "1", "1", "1"]
    assert style_rows["-"][:2] == ["1", "100.0%"]


def test_under_triaged_cases_are_listed_without_text_by_default(
    case_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(capsys, str(case_file))
    listing = out.split("Under-triaged cases (1):\n", 1)[1].splitlines()
    assert listing[0].split() == [
        "t-3",
        "gold=emergency",
        "predicted=self_care",
        "style=telegraphic",
    ]
    assert SELF_CARE_TEXT not in out and EMERGENCY_TEXT not in out
    shown = _run(capsys, str(case_file), "--show-text")
    assert SELF_CARE_TEXT in shown.split("Under-triaged cases (1):\n", 1)[1]


def test_json_lists_under_triage_and_styles(
    case_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = json.loads(_run(capsys, str(case_file), "--json"))["summary"]
    assert summary["under_triaged"] == [
        {
            "id": "t-3",
            "gold_level": "emergency",
            "predicted_level": "self_care",
            "style": "telegraphic",
            "split": "blind",
        }
    ]
    assert summary["self_care_to_emergency"] == 1
    assert summary["self_care_to_emergency_rate"] == pytest.approx(0.25)
    assert set(summary["per_style"]) == {"clinical", "telegraphic", "-"}
    assert summary["per_style"]["telegraphic"]["under"] == 1


def test_split_selects_blind_or_dev_and_both_reports_each(
    case_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blind = json.loads(_run(capsys, str(case_file), "--split", "blind", "--json"))
    assert [r["id"] for r in blind["cases"]] == ["t-3", "t-6"]
    assert blind["split"] == "blind" and blind["summary"]["accuracy"] == pytest.approx(0.5)
    dev = json.loads(_run(capsys, str(case_file), "--split", "dev", "--json"))
    assert [r["id"] for r in dev["cases"]] == ["t-1", "t-2", "t-4", "t-5"]
    both = json.loads(_run(capsys, str(case_file), "--split", "both", "--json"))
    assert both["summary"]["total"] == 6
    assert both["splits"]["blind"]["total"] == 2 and both["splits"]["dev"]["total"] == 4
    assert both["splits"]["dev"]["self_care_to_emergency"] == 1
    text = _run(capsys, str(case_file), "--split", "both")
    assert text.splitlines()[0] == "Cases: 6  correct: 4  accuracy: 66.7%"
    rows = {line.split()[0]: line.split()[1:3] for line in text.splitlines() if line.strip()}
    assert rows["dev"] == ["4", "75.0%"] and rows["blind"] == ["2", "50.0%"]


def test_split_without_cases_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(_line("t-1", SELF_CARE_TEXT, "self_care") + "\n", encoding="utf-8")
    assert main(["eval", str(path), "--split", "blind"]) == 2
    assert "no blind cases" in capsys.readouterr().err
