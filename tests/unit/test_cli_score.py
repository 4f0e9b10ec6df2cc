"""`ketapath score` end to end, through the real entry point and its error boundary."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import pytest

from ketapath.cli.main import main
from ketapath.cli.score import parse_answers
from ketapath.errors import InputError


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def ketapath(capsys, monkeypatch):
    """Run the real entry point in-process, as a shell would: exit code, stdout, stderr."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str) -> Done:
        monkeypatch.setattr(sys, "argv", ["ketapath", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Done(returncode=code, stdout=out.out, stderr=out.err)

    return run


def test_cli_score_phq9_prints_score_band_and_item_9_alert(ketapath):
    done = ketapath("score", "phq9", "--answers", "1,2,1,0,1,2,1,0,1")
    assert done.returncode == 0, done.stderr
    assert "Score: 9 points of 27" in done.stdout
    assert "Band: mild" in done.stdout
    assert "OUT-5" in done.stdout
    assert "HARD" in done.stdout


def test_cli_score_without_alert_says_none(ketapath):
    done = ketapath("score", "nrs", "--answers", "7")
    assert done.returncode == 0, done.stderr
    assert "Band: severe" in done.stdout
    assert "Alerts: none" in done.stdout


def test_cli_score_json_carries_score_subscores_and_alerts(ketapath):
    done = ketapath("score", "bpi", "--answers", "7,3,5,6,5,4,,6,,7,5", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # Severity (7+3+5+6)/4 = 5.25; interference (5+4+6+7+5)/5 = 5.4 with two items skipped.
    assert result["instrument"] == "bpi"
    assert result["rule_id"] == "OUT-4"
    assert result["total"] == pytest.approx(5.25, abs=1e-12)
    assert result["band"] == "moderate"
    assert result["subscores"]["interference"] == pytest.approx(5.4, abs=1e-12)
    assert result["alerts"] == []


def test_cli_score_json_lists_alerts_with_rule_and_severity(ketapath):
    done = ketapath("score", "PHQ9", "--answers", "0,0,0,0,0,0,0,0,2", "--json")
    assert done.returncode == 0, done.stderr
    (alert,) = json.loads(done.stdout)["alerts"]
    assert (alert["rule_id"], alert["severity"]) == ("OUT-5", "HARD")


def test_cli_score_accepts_negative_answers(ketapath):
    done = ketapath("score", "paindetect", "--answers", "0,0,0,0,0,0,0,-1,0", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == -1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("phq9", "--answers", "0,0,0,0,0,0,0,0,4"), "error: `phq9.item_9` must be 0–3 (got 4)."),
        (("phq9", "--answers", "0,0,0"), "error: `phq9.answers` must hold 9 items (got 3)."),
        (("phq9", "--answers", "0,x,0"), "error: `answers` item 2 must be a whole number"),
        (("hads", "--answers", "1"), "error: `instrument` must be one of nrs, bpi,"),
    ],
    ids=["PHQ-9 item 9 = 4", "PHQ-9 with 3 answers", "a letter among the answers", "unknown"],
)
def test_cli_score_bad_input_is_one_line_on_stderr_with_exit_2(ketapath, args, message):
    done = ketapath("score", *args)
    assert done.returncode == 2
    assert done.stderr.startswith(message)
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


def test_cli_score_help_shows_a_worked_example_and_every_instrument(ketapath):
    done = ketapath("score", "--help")
    assert done.returncode == 0, done.stderr
    assert "ketapath score phq9 --answers 1,2,1,0,1,2,1,0,1" in done.stdout
    for name in ("nrs", "bpi", "pgic", "phq9", "odi", "paindetect", "dn4", "cadss6"):
        assert name in done.stdout


@pytest.mark.parametrize(
    ("text", "answers"),
    [("1,2,3", [1, 2, 3]), ("4,,2", [4, None, 2]), (" 1 , -1 ", [1, -1]), ("", [None])],
    ids=["plain list", "an empty item is unanswered", "spaces and signs", "empty text"],
)
def test_parse_answers_reads_comma_separated_integers(text, answers):
    assert parse_answers(text) == answers


def test_parse_answers_refuses_a_decimal():
    with pytest.raises(InputError, match=r"`answers` item 1 must be a whole number or empty"):
        parse_answers("1.5")
