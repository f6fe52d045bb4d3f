"""Renderers never pass terminal control sequences, bidi overrides or rich markup from the input through."""

from __future__ import annotations

import io
import json
import re

import pytest

from openaudit.audit import audit_evidence
from openaudit.card import parse_card
from openaudit.evidence import Evidence, SourceFile
from openaudit.model import (
    Citation,
    FileStatus,
    Finding,
    GateResult,
    LicenseResult,
    Report,
    Restriction,
    Threshold,
    Violation,
)
from openaudit.report import render
from openaudit.report.json import render_json
from openaudit.report.terminal import render_terminal
from openaudit.report.text import render_text

SGR = "\x1b[31m"
OSC8_OPEN = "\x1b]8;;http://x\x07"
OSC8_CLOSE = "\x1b]8;;\x07"
RLO = "\u202e"
MARKUP = "[bold red]x[/]"
LINK_MARKUP = "[link=http://evil]click[/link]"
HOSTILE = f"{SGR}RED\x1b[0m {OSC8_OPEN}LINK{OSC8_CLOSE} {RLO}abc\u2066 {MARKUP} {LINK_MARKUP} \x9b31m\x00\x08bs"

# Everything we inject must be gone; only the harmless remainder is shown.
BAD_CHARS = ("\x1b", "\x07", "\u202e", "\u2066", "\x9b", "\x00", "\x08")


def _yaml_dq(value: str) -> str:
    """A YAML double-quoted scalar for ``value`` (YAML forbids raw control characters)."""
    return json.dumps(value)  # JSON strings are valid YAML double-quoted scalars


def hostile_evidence() -> Evidence:
    card_text = (
        "---\n"
        f"license_name: {_yaml_dq(HOSTILE)}\n"
        f"license_link: {_yaml_dq('http://evil.example/' + HOSTILE)}\n"
        "---\n"
        f"# Model {HOSTILE}\n"
    )
    card = parse_card(card_text, "README.md")
    assert card.metadata_error is None, card.metadata_error
    assert card.metadata["license_name"] == HOSTILE
    license_text = (
        f"Llama 3.1 Community License Agreement {HOSTILE}\n"
        "Llama 3.1 Version Release Date: July 23, 2024\n"
        "Filler written for a test, with no terms of its own.\n"
    )
    return Evidence(
        kind="local",
        id=f"models/{HOSTILE}",
        card=card,
        files=[
            SourceFile(name="README.md", role="card", text=card_text),
            SourceFile(name="LICENSE", role="license", text=license_text),
            SourceFile(name=f"LICENSE-{HOSTILE}.txt", role="license", error=f"cannot read: {HOSTILE}"),
        ],
        notes=[f"note {HOSTILE}"],
    )


def hostile_report() -> Report:
    """A report with hostile text in every free-text field the renderers show."""
    cit = Citation(source="file", file=f"LICENSE{HOSTILE}", line=3, text=f"clause {HOSTILE}")
    return Report(
        tool={"name": "openaudit", "version": "0"},
        target={"kind": "local", "id": f"dir {HOSTILE}", "revision": None, "requested_revision": None,
                "offline": False},
        license=LicenseResult(id="custom", name=f"Name {HOSTILE}", confidence=0.5, evidence=[cit],
                              reason=f"reason {HOSTILE}"),
        restrictions=[Restriction(kind="user_cap", summary=f"summary {HOSTILE}",
                                  thresholds=[Threshold(1e6, "monthly_active_users")],
                                  territories=["EU"], clause=cit, origin="text")],
        findings=[Finding("OA999", "error", f"message {HOSTILE}", cit)],
        gate=GateResult(passed=False, violations=(Violation(rule="OA999", message=f"message {HOSTILE}"),)),
        files=[FileStatus(f"LICENSE{HOSTILE}", "license", "unreadable", f"reason {HOSTILE}")],
        notes=[f"note {HOSTILE}"],
    )


def reports() -> list[Report]:
    return [audit_evidence(hostile_evidence()), hostile_report()]


def assert_clean(out: str) -> None:
    for ch in BAD_CHARS:
        assert ch not in out, f"{ch!r} reached the output"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "1000")
    monkeypatch.setenv("LINES", "50")


def test_hostile_strings_reach_the_report() -> None:
    """Guard: the fixtures really carry the hostile text into what is rendered."""
    rep = audit_evidence(hostile_evidence())
    blob = json.dumps(rep.to_dict())
    assert "\\u001b[31m" in blob and "\\u202e" in blob and MARKUP in blob


@pytest.mark.parametrize("index", [0, 1])
def test_plain_text_strips_controls_and_shows_markup_literally(index: int) -> None:
    out = io.StringIO()
    render_text([reports()[index]], out)
    text = out.getvalue()
    assert_clean(text)
    assert MARKUP in text
    assert "[link=http://evil]click[/link]" in text
    # the printable rest of the escape sequences is still shown, so nothing is hidden
    assert "[31mRED" in text
    assert "]8;;http://xLINK" in text


def test_plain_text_shows_the_declared_license_name() -> None:
    out = io.StringIO()
    render_text([audit_evidence(hostile_evidence())], out)
    text = out.getvalue()
    assert "llama3.1" in text  # identified from the license text
    assert "LICENSE:1" in text


def test_render_picks_plain_text_for_a_pipe() -> None:
    out = io.StringIO()
    render(reports(), "table", out, color=None)
    text = out.getvalue()
    assert text.startswith("openaudit: ")
    assert_clean(text)
    assert text.count(MARKUP) >= 2


def _strip_sgr(s: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", s)


@pytest.mark.parametrize("index", [0, 1])
def test_rich_terminal_without_color(index: int, wide_terminal: None) -> None:
    out = io.StringIO()
    render_terminal([reports()[index]], out, color=False)
    text = out.getvalue()
    assert_clean(text)
    assert MARKUP in text
    assert LINK_MARKUP in text
    assert "[31mRED" in text


@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize("color", [None, False])
def test_rich_terminal_on_a_tty_emits_only_its_own_styles(index: int, color: bool | None,
                                                          wide_terminal: None) -> None:
    out = FakeTTY()
    render_terminal([reports()[index]], out, color=color)
    raw = out.getvalue()
    if color is None:
        assert "\x1b[" in raw  # guard: this really is the styled terminal path
    assert "\x1b]" not in raw  # no OSC sequence at all, so no injected OSC 8 hyperlink
    assert "http://x\x07" not in raw and "\x07" not in raw
    text = _strip_sgr(raw)  # the renderer's own colours
    assert_clean(text)
    assert MARKUP in text
    assert LINK_MARKUP in text
    # the card's SGR lost its ESC: its printable rest is shown, so it was not passed to the terminal
    assert "[31mRED" in text


def test_render_picks_rich_on_a_tty(wide_terminal: None) -> None:
    out = FakeTTY()
    render(reports(), "table", out, color=None)
    raw = out.getvalue()
    assert not raw.startswith("openaudit: ")  # a panel, not the plain layout
    assert "\x1b]" not in raw
    assert MARKUP in _strip_sgr(raw)


def test_no_color_env_is_honoured_on_a_tty(wide_terminal: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = FakeTTY()
    render_terminal(reports(), out, color=None)
    raw = out.getvalue()
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", raw)  # no foreground colour codes
    assert "\x1b]" not in raw


def test_json_output_is_ascii_and_round_trips() -> None:
    out = io.StringIO()
    reps = reports()
    render_json(reps, out)
    text = out.getvalue()
    assert text.isascii()
    assert_clean(text)
    data = json.loads(text)
    assert isinstance(data, list) and len(data) == 2
    # JSON keeps the values exactly, escaped: the consumer decides how to show them
    assert data[1]["license"]["name"] == f"Name {HOSTILE}"
    assert data[1]["findings"][0]["message"] == f"message {HOSTILE}"


def test_json_single_report_is_an_object() -> None:
    out = io.StringIO()
    render_json([hostile_report()], out)
    text = out.getvalue()
    assert text.isascii() and text.endswith("\n")
    assert isinstance(json.loads(text), dict)


def test_render_json_via_dispatch_is_ascii() -> None:
    out = io.StringIO()
    render([hostile_report()], "json", out)
    assert out.getvalue().isascii()
    assert json.loads(out.getvalue())["target"]["id"] == f"dir {HOSTILE}"
